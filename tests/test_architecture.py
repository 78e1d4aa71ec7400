"""docs/architecture.md's three recipes, followed as written: in a project folder made in a temporary folder, a toy
report made with ``reportlib new``, the recipe's plain-text format and JSON-lines source registered by the project's
own code (their modules are the page's own code blocks), and the report rendered from a JSON-lines case log into
``report.txt`` through ``pipeline.render``."""

from __future__ import annotations

import csv
import importlib.util
import json
import re

import pytest
import yaml

from factory import HEADER, REPO, case, cli_process, warm_render
from reportlib import formats, pipeline, sources, vocabulary
from reportlib.errors import DataError, ParamsError

DOC = REPO / "docs" / "architecture.md"
NAME = "toy_complaints"
MEETING = "2021-07-14-toy"

#: The toy case log, one case a line of the JSON-lines file (line n is the case log's row n). Stage 1 complaints:
#: two received in 2019/20; five in 2020/21, of which three were answered within 20 working days, one in 30 and one
#: is still open; a compliment; and a response dated before its receipt (line 9), which is excluded.
ROWS = [
    case("T001", "2019-05-01", 10), case("T002", "2019-06-10", 12),
    case("T003", "2020-05-04", 10), case("T004", "2020-06-01", 15), case("T005", "2020-07-01", 20),
    case("T006", "2020-09-01", 30), case("T007", "2020-11-02"),
    case("T008", "2020-08-03", kind="compliment"),
    case("T009", "2020-10-01", responded="01/09/2020"),
]


def recipe(module: str) -> str:
    """The code block of docs/architecture.md that starts ``# <module>.py``."""
    found = re.findall(rf"```python\n(# {module}\.py\n.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(found) == 1, f"docs/architecture.md should hold one code block starting '# {module}.py'"
    return found[0]


def load(path):
    """The project's own module at ``path``, as the project's script imports it (not left in sys.modules)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def registries(monkeypatch):
    """reportlib's readers and formats as they were, whatever the test registers."""
    monkeypatch.setattr(sources, "READERS", list(sources.READERS))
    monkeypatch.setattr(formats, "_MODULES", {})
    monkeypatch.setattr(vocabulary, "_ADDED", [])


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project folder (it holds notebooks/), the current directory, as for ``reportlib new``."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


@pytest.mark.slow
def test_a_report_a_format_and_a_source_added_as_the_page_says(project, registries):
    assert "txt" not in vocabulary.known_formats() and sources.READERS[0].name == "sqlite"

    # How to add a report: reportlib new, then a meeting's params file copied from its sample.
    made = cli_process("new", NAME, cwd=project)  # the installed command, as a user runs it
    assert made.returncode == 0, made.stderr
    sample = yaml.safe_load((project / "params" / f"sample_{NAME}.yaml").read_text(encoding="utf-8"))
    assert sample["notebook"] == NAME and sample["year"] == "2020/21" and sample["target_working_days"] == 20
    (project / "data").mkdir()
    with (project / "data" / "cases.jsonl").open("w", encoding="utf-8") as f:
        for row in ROWS:
            f.write(json.dumps({k: str(row[k]) for k in HEADER}) + "\n")
    params_file = project / "params" / f"{MEETING}.yaml"
    params_file.write_text(yaml.safe_dump({**sample, "data": "data/cases.jsonl", "formats": ["html", "txt"]},
                                          sort_keys=False), encoding="utf-8")

    # How to add a format and a source: the page's modules, registered by the project's own code.
    for module in ("txt_format", "jsonl_source"):
        (project / f"{module}.py").write_text(recipe(module), encoding="utf-8")
    txt_format, jsonl_source = load(project / "txt_format.py"), load(project / "jsonl_source.py")
    with pytest.raises(ParamsError, match=re.escape(f"{params_file.relative_to(project)}: key 'formats': unknown "
                                                    "format 'txt': use html, pdf, docx or xlsx")):
        pipeline.check(params_file.relative_to(project))
    formats.register("txt", txt_format)
    with pytest.raises(DataError, match="^data/cases.jsonl: required column 'case_ref' is missing"):
        pipeline.check(params_file.relative_to(project))  # read as CSV, the last reader: not a table of cases
    sources.register(jsonl_source.READER)
    assert [r.name for r in sources.READERS] == ["jsonl", "sqlite", "xlsx", "xls", "csv"]

    result = warm_render(params_file)  # this process's warm kernel: as a fresh one (tests/test_consistency.py)

    out = project / "outputs" / MEETING
    assert result.out == out and result.rows == {"read": 9, "used": 8, "excluded": 1, "kept_with_warning": 0}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["formats"] == ["html", "txt"]
    assert list(manifest["files"])[:2] == ["report.html", "report.txt"]
    assert manifest["rows"]["read"] == len(ROWS)  # every line of the JSON-lines file was read by the new reader
    assert manifest["inputs_sha256"]["data/cases.jsonl"] == pipeline.outputs.sha256(project / "data" / "cases.jsonl")
    with (out / "data_quality.csv").open(encoding="utf-8") as f:
        problems = list(csv.DictReader(f))
    assert [(p["row"], p["case_ref"], p["column"], p["problem"]) for p in problems] == [
        ("9", "T009", "responded", "responded before received")]  # row 9: the line of the file (a record)

    figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))
    assert figures["received"]["value"] == 5 and figures["open_count"]["value"] == 1
    assert (figures["within"]["value"]["count"], figures["within"]["value"]["total"]) == (3, 4)
    text = (out / "report.txt").read_text(encoding="utf-8")
    assert pipeline.outputs.sha256(out / "report.txt") == manifest["files"]["report.txt"]
    lines = text.splitlines()
    assert lines[lines.index("Purpose") + 2].startswith("1. This report sets out how quickly the Council responded "
                                                         "to complaints in 2020/21")
    words = " ".join(text.split())
    assert "In 2020/21, 3 of 4 responses were sent within 20 working days." in words
    assert "went up from 2 to 5 between 2019/20 and 2020/21" in words
    assert "1 complaint was still awaiting a response" in words
    assert "[Figure 1: Complaints responded to within 20 working days, by quarter]" in lines
    assert "- Members note the complaint response times set out in this report." in lines
    assert "<" not in text and "{{" not in text
