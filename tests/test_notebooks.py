"""The report notebooks: their parameters match the params files, they run top to bottom on the
sample data, they hold narrative and calls (no logic), and their text pairs are in sync."""

from __future__ import annotations

import ast
import json
import os

import jupytext
import nbformat
import papermill
import pytest
import yaml

from factory import REPO
from reportlib import params, run

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
PARAMS_FILES = sorted((REPO / "params").glob("*.yaml"))


def test_every_report_has_a_notebook_and_a_sample_params_file():
    assert {nb.stem for nb in NOTEBOOKS} == set(params.REPORTS)
    used = {yaml.safe_load(p.read_text())["notebook"] for p in PARAMS_FILES}
    assert used == set(params.REPORTS)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_parameters_are_exactly_the_params_model(nb):
    declared = set(papermill.inspect_notebook(str(nb)))
    assert declared == set(params.REPORTS[nb.stem].model_fields)


@pytest.mark.parametrize("path", PARAMS_FILES, ids=lambda p: p.stem)
def test_params_file_keys_are_notebook_parameters(path):
    raw = yaml.safe_load(path.read_text())
    declared = set(papermill.inspect_notebook(str(REPO / "notebooks" / f"{raw['notebook']}.ipynb")))
    assert set(raw) <= declared, set(raw) - declared
    params.load(path)  # and they pass the checks


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_clean_and_without_logic(nb):
    notebook = nbformat.read(nb, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "commit notebooks without outputs"
            tree = ast.parse(cell.source)
            assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda)) for n in ast.walk(tree)), \
                "notebooks tell the story; functions belong in reportlib"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_text_pair_in_sync(nb):
    """notebooks/<name>.md (what analysts diff) and .ipynb hold the same cells: run ./dev sync after an edit."""
    text = jupytext.read(nb.with_suffix(".md"))
    ipynb = nbformat.read(nb, as_version=4)
    strip = lambda cells: [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in cells]  # noqa: E731
    assert strip(text.cells) == strip(ipynb.cells)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom_with_its_defaults(nb, tmp_path):
    """As an analyst opens it in JupyterLab: no parameters injected, working directory notebooks/."""
    out = tmp_path / nb.name
    papermill.execute_notebook(str(nb), str(out), cwd=str(nb.parent), progress_bar=False,
                               kernel_manager_class=run._kernel_manager_class())
    executed = nbformat.read(out, as_version=4)
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]


@pytest.mark.parametrize("path", PARAMS_FILES, ids=lambda p: p.stem)
def test_every_params_file_renders(path, tmp_path):
    os.chdir(REPO)
    result = run.render(path, out=tmp_path / path.stem)
    figures = json.loads((result.out / "figures.json").read_text())
    assert figures["rows_read"]["value"] > 1000
    assert not [name for name, f in figures.items() if not f["about"]]
