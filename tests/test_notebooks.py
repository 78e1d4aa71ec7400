"""The report notebooks: their parameters match the params files, they run top to bottom on the
sample data, they hold narrative and calls (no logic), and their text pairs are in sync."""

from __future__ import annotations

import ast
import json
import os
import shutil
import time

import jupytext
import nbformat
import papermill
import pytest
import yaml

from factory import REPO, case, childrens_params, write_case_log, write_params, warm_render
from reportlib import compat, notebooks, reports
from reportlib.errors import RenderError

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
# The bundled samples only: an officer's own params files in params/ may point at data that is not here.
PARAMS_FILES = sorted((REPO / "params").glob("sample_*.yaml"))


def test_every_report_has_a_notebook_and_a_sample_params_file():
    assert {nb.stem for nb in NOTEBOOKS} == set(reports.REPORTS)
    used = {yaml.safe_load(p.read_text())["notebook"] for p in PARAMS_FILES}
    assert used == set(reports.REPORTS)


@pytest.mark.parametrize("path", PARAMS_FILES, ids=lambda p: p.stem)
def test_params_file_keys_are_the_reports_keys(path):
    raw = yaml.safe_load(path.read_text())
    declared = set(reports.REPORTS[raw["notebook"]].model_fields)
    assert set(raw) <= declared, set(raw) - declared
    reports.load(path)  # and they pass the checks


def test_run_on_its_own_a_notebook_holds_its_sample_meetings_params(monkeypatch):
    """In JupyterLab nothing is injected: the cell's defaults alone name no meeting, so the notebook takes its
    sample meeting, params/sample_<report>.yaml, whole."""
    namespace = {"notebook": "childrens_response_times", "service": None, "stage": 1, "target_working_days": 20}
    assert reports.from_namespace(namespace, REPO) == reports.load(REPO / "params" /
                                                                   "sample_childrens_response_times.yaml")


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


@pytest.mark.slow  # seconds: hypothesis examples or whole notebooks
@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom_with_its_defaults(nb, tmp_path):
    """As an analyst opens it in JupyterLab: no parameters injected, working directory notebooks/."""
    out = tmp_path / nb.name
    papermill.execute_notebook(str(nb), str(out), cwd=str(nb.parent), progress_bar=False,
                               kernel_manager_class=compat.kernel_manager_class())
    executed = nbformat.read(out, as_version=4)
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]


@pytest.mark.parametrize("path", PARAMS_FILES, ids=lambda p: p.stem)
def test_every_params_file_renders(path, samples):
    figures = json.loads((samples[path.stem] / "figures.json").read_text())
    assert figures["rows_read"]["value"] > 1000
    assert not [name for name, f in figures.items() if not f["about"]]


# --- a notebook and its paired .md are one document -------------------------------------------

@pytest.fixture
def project(tmp_path):
    """A project of our own: both notebooks with their .md pairs, a small case log and a params file."""
    shutil.copytree(REPO / "notebooks", tmp_path / "notebooks")
    (tmp_path / "params").mkdir()
    write_case_log(tmp_path / "cases.csv", [case("A1", "2019-06-03", 10), case("A2", "2020-09-01", 25),
                                            case("A3", "2020-10-01", 5)])
    write_params(tmp_path / "params" / "meeting.yaml", childrens_params("cases.csv"))
    return tmp_path


def _touch_later(path, than):
    """Give ``path`` an mtime after ``than``'s (file systems can store the two saves in the same tick)."""
    later = than.stat().st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(later, later))


def _state(folder):
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()}


def test_render_uses_the_md_when_it_was_saved_last(project):
    md = project / "notebooks" / "childrens_response_times.md"
    md.write_text(md.read_text().replace("## Background\n", "## Background\n\nA paragraph written in the md.\n"))
    _touch_later(md, md.with_suffix(".ipynb"))
    result = warm_render(project / "params" / "meeting.yaml")
    assert "A paragraph written in the md." in (result.out / "report.html").read_text()
    manifest = json.loads((result.out / "manifest.json").read_text())
    assert manifest["notebook"] == "notebooks/childrens_response_times.md"
    assert "notebooks/childrens_response_times.md" in manifest["inputs_sha256"]


def test_a_pair_in_step_is_always_read_from_the_ipynb(project):
    """A fresh checkout writes the .md and the .ipynb in either order: the same document names the same file."""
    md = project / "notebooks" / "childrens_response_times.md"
    _touch_later(md, md.with_suffix(".ipynb"))
    assert notebooks.source(md) == md.with_suffix(".ipynb")
    _touch_later(md.with_suffix(".ipynb"), md)
    assert notebooks.source(md) == md.with_suffix(".ipynb")


def test_render_uses_the_ipynb_when_it_was_saved_last(project):
    ipynb = project / "notebooks" / "childrens_response_times.ipynb"
    nb = nbformat.read(ipynb, as_version=4)
    nb.cells.insert(4, nbformat.v4.new_markdown_cell("A paragraph written in JupyterLab."))
    nbformat.write(nb, ipynb)
    _touch_later(ipynb, ipynb.with_suffix(".md"))
    result = warm_render(project / "params" / "meeting.yaml")
    assert "A paragraph written in JupyterLab." in (result.out / "report.html").read_text()


def test_a_failing_cell_in_the_md_names_the_md(project):
    md = project / "notebooks" / "childrens_response_times.md"
    md.write_text(md.read_text().replace("import reportlib as rl\n", "import reportlib as rl\n1 / 0\n"))
    _touch_later(md, md.with_suffix(".ipynb"))
    with pytest.raises(RenderError) as e:
        warm_render(project / "params" / "meeting.yaml")
    assert str(e.value).startswith("notebooks/childrens_response_times.md: cell 3 failed: ZeroDivisionError")


def test_sync_leaves_files_in_step_untouched(project):
    folder = project / "notebooks"
    before = _state(folder)
    time.sleep(0.01)
    for md in folder.glob("*.md"):
        assert notebooks.sync(md) == []
    assert _state(folder) == before


def test_sync_brings_the_older_file_up_to_date(project):
    folder = project / "notebooks"
    md = folder / "complaints_performance.md"
    md.write_text(md.read_text().replace("## Background\n", "## Background\n\nNew words.\n"))
    _touch_later(md, md.with_suffix(".ipynb"))
    other = _state(folder)
    assert notebooks.sync(md) == [md.with_suffix(".ipynb")]
    synced = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    assert any("New words." in c.source for c in synced.cells)
    assert all(not c.get("outputs") for c in synced.cells if c.cell_type == "code")
    after = _state(folder)
    assert {k: v for k, v in after.items() if k != "complaints_performance.ipynb"} == \
        {k: v for k, v in other.items() if k != "complaints_performance.ipynb"}
    assert notebooks.sync(md) == [] and _state(folder) == after  # and now they are in step


def test_sync_command_says_what_it_wrote(project):
    import subprocess
    import sys
    md = project / "notebooks" / "childrens_response_times.md"
    md.write_text(md.read_text() + "\nOne more paragraph.\n")
    _touch_later(md, md.with_suffix(".ipynb"))
    proc = subprocess.run([sys.executable, "-m", "reportlib.notebooks", *map(str, sorted(md.parent.glob("*.md")))],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{md.with_suffix('.ipynb')}: updated from childrens_response_times.md\n"
