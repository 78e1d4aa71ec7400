"""``reportlib new NAME``: a report in the house style that renders on the sample data at once, keeps every rule
tests/test_notebooks.py sets for notebooks, and declares its own params in its parameters cell (one source of truth
for the params check, ``reportlib describe`` and Papermill)."""

from __future__ import annotations

import ast
import json
import os
import shutil

import jupytext
import nbformat
import papermill
import pytest
import yaml

from factory import REPO, case, cli_here, text_of, write_case_log, write_params, warm_render
from reportlib import authoring, compat, declare, describe as describe_mod, notebooks, params, reports, rules
from reportlib.errors import ParamsError

NAME = "housing_complaints"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the project (its notebooks, sample params and sample case log), the current directory."""
    shutil.copytree(REPO / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (tmp_path / "params").mkdir()
    for path in REPO.glob("params/sample_*.yaml"):
        shutil.copy2(path, tmp_path / "params")
    (tmp_path / "data").mkdir()
    shutil.copy2(REPO / "data" / "sample_case_log.csv", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def scaffolded(project):
    authoring.new(NAME, project)
    return project


def _state(folder):
    return {p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))
            if p.is_file()}


# --- the command ------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_new_then_render_on_the_sample_data(project):
    made = cli_here("new", NAME, cwd=project)
    assert made.returncode == 0, made.stderr
    assert f"notebooks/{NAME}.md" in made.stdout and f"params/sample_{NAME}.yaml" in made.stdout
    for path in (f"notebooks/{NAME}.md", f"notebooks/{NAME}.ipynb", f"params/sample_{NAME}.yaml"):
        assert (project / path).is_file(), path

    rendered = cli_here("render", f"params/sample_{NAME}.yaml", cwd=project)
    assert rendered.returncode == 0, rendered.stderr
    out = project / "outputs" / f"sample_{NAME}"
    assert {"report.html", "report.pdf", "figures.json", "manifest.json"} <= {p.name for p in out.iterdir()}
    page = (out / "report.html").read_text(encoding="utf-8")
    words = text_of(page)
    for heading in ("Purpose", "Recommendations", "Background", "Response times", "About the figures", "Finance",
                    "Law", "Equality Impact", "Human Resources/Organisational Development", "Commercial/Procurement",
                    "Health and Wellbeing"):
        assert f">{heading}</h2>" in page.replace("\u00a0", " "), heading  # titles hold their last words together
    assert "{{" not in words and "{%" not in words
    assert "Housing complaints" in words
    assert "of complaints received went" in words and "between 2019/20 and 2020/21" in words
    assert "working days (" in words  # the share sentence
    assert "is shown in Figure 1." in words  # the chart cited by name (ref-quarterly)
    # the chart, with alt text written from the data and its data as a table
    assert '<img alt="Bar chart: Complaints responded to within 20 working days, by quarter.' in page
    assert "Data for the chart" in words and "Q1 2020/21" in words
    figures = json.loads((out / "figures.json").read_text())
    assert figures["rows_read"]["value"] > 1000
    assert figures["within"]["value"]["total"] > 0
    assert not [name for name, f in figures.items() if not f["about"]]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["notebook"] == f"notebooks/{NAME}.ipynb"
    assert manifest["params"]["year"] == "2020/21"

    described = cli_here("describe", NAME, cwd=project)
    assert described.returncode == 0, described.stderr
    assert "year: financial year e.g. 2020/21; required" in described.stdout
    assert "target_working_days: whole number from 1 to 250; optional, default 20" in described.stdout


@pytest.mark.parametrize("existing", [f"notebooks/{NAME}.md", f"notebooks/{NAME}.ipynb", f"params/sample_{NAME}.yaml"])
def test_refuses_a_name_in_use(project, existing):
    (project / existing).write_text("mine\n", encoding="utf-8")
    before = _state(project)
    result = cli_here("new", NAME, cwd=project)
    assert result.returncode == 2
    assert result.stderr == f"error: {existing} already exists: choose another name, or edit that report\n"
    assert result.stdout == ""
    assert _state(project) == before


@pytest.mark.parametrize("name", ["9lives", "my-report", "class", "two words", "childrens_response_times", ""])
def test_refuses_a_name_that_is_not_an_identifier_or_is_built_in(project, name):
    before = _state(project)
    result = cli_here("new", name, cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: '{name}' is ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert _state(project) == before


def test_outside_a_project_says_so(tmp_path):
    result = cli_here("new", NAME, cwd=tmp_path)
    assert result.returncode == 2
    assert "no project folder" in result.stderr and result.stderr.count("\n") == 1


# --- the notebook keeps the rules of tests/test_notebooks.py ----------------------------------------------------

def test_the_parameters_cell_declares_the_reports_own_keys(scaffolded):
    """The cell holds the notebook's name and its own keys; the model is those and the keys every report takes."""
    nb = scaffolded / "notebooks" / f"{NAME}.ipynb"
    own = set(papermill.inspect_notebook(str(nb))) - {"notebook"}
    assert own == {"year", "target_working_days", "procedure"}
    assert set(reports.REPORTS[NAME].model_fields) == own | set(params.CommonParams.model_fields)
    assert NAME in reports.REPORTS and list(reports.REPORTS)[-1] == NAME
    assert list(reports.REPORTS)[:3] == list(rules.RULES)  # the shipped reports come first


def test_sample_params_file_is_a_whole_meeting(scaffolded):
    path = scaffolded / "params" / f"sample_{NAME}.yaml"
    raw = yaml.safe_load(path.read_text())
    assert set(raw) <= set(reports.REPORTS[NAME].model_fields)
    p = reports.load(path)
    assert (p.year, p.target_working_days, p.procedure) == ("2020/21", 20, None)


def test_committed_clean_and_without_logic(scaffolded):
    notebook = nbformat.read(scaffolded / "notebooks" / f"{NAME}.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code
    for cell in code:
        assert not cell.outputs and cell.execution_count is None
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda)) for n in ast.walk(tree))
    tags = [c.metadata.get("tags", []) for c in notebook.cells]
    assert tags[0] == ["remove-cell"] and notebook.cells[0].cell_type == "markdown"
    assert ["parameters", "remove-cell"] in tags
    assert any(c.source.startswith("rl.charts.quarterly(") and c.metadata.get("tags") == ["remove-input", "ref-quarterly"]
               for c in code)  # the narrative cites the chart by name
    assert notebook.metadata["jupytext"]["formats"] == "ipynb,md:myst"


def test_text_pair_in_sync_and_sync_leaves_it_untouched(scaffolded):
    nb = scaffolded / "notebooks" / f"{NAME}.ipynb"
    text = jupytext.read(nb.with_suffix(".md"))
    ipynb = nbformat.read(nb, as_version=4)
    def strip(cells):
        return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in cells]
    assert strip(text.cells) == strip(ipynb.cells)
    before = _state(scaffolded / "notebooks")
    assert notebooks.sync(nb.with_suffix(".md")) == []
    assert _state(scaffolded / "notebooks") == before
    assert notebooks.source(nb.with_suffix(".md")) == nb


def test_the_same_name_gives_the_same_files(tmp_path):
    """Cell ids and text are deterministic: two analysts scaffolding the same name get the same bytes."""
    first, second = authoring.notebook_texts(NAME), authoring.notebook_texts(NAME)
    assert first == second
    assert '"id": "' in first["ipynb"]


@pytest.mark.slow
def test_runs_top_to_bottom_with_its_defaults(scaffolded, tmp_path):
    """As an analyst opens it in JupyterLab: no parameters injected, working directory notebooks/."""
    nb = scaffolded / "notebooks" / f"{NAME}.ipynb"
    out = tmp_path / "executed.ipynb"
    papermill.execute_notebook(str(nb), str(out), cwd=str(nb.parent), progress_bar=False,
                               kernel_manager_class=compat.kernel_manager_class())
    executed = nbformat.read(out, as_version=4)
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]


@pytest.mark.slow
@pytest.mark.parametrize("rows, expect", [
    # nothing answered in the year, one complaint still open
    ([case("A1", "2019-06-03", 10), case("A2", "2021-02-01")],
     ["No responses to complaints were sent in 2020/21.", "1 complaint was still awaiting a response"]),
    # one answered in time, none open
    ([case("A1", "2019-06-03", 10), case("A2", "2020-09-01", 5)],
     ["In 2020/21, 1 of 1 response was sent within 20 working days. The share",  # fewer than 10: no percentage
      "no complaints were still awaiting a response."]),
    # two answered, one late; two open
    ([case("A1", "2019-06-03", 10), case("A2", "2020-09-01", 5), case("A3", "2020-10-01", 30),
      case("A4", "2021-03-01"), case("A5", "2021-03-02")],
     ["1 of 2 responses was sent within 20 working days. The share", "2 complaints were still awaiting a response"]),
])
def test_sentences_read_well_at_0_1_and_2(scaffolded, tmp_path, rows, expect):
    data = write_case_log(tmp_path / "cases.csv", rows)
    raw = yaml.safe_load((scaffolded / "params" / f"sample_{NAME}.yaml").read_text())
    path = write_params(scaffolded / "params" / "meeting.yaml",
                        {**raw, "data": str(data), "meeting_date": "2021-03-31"})
    words = text_of((warm_render(path, out=tmp_path / "out").out / "report.html").read_text())
    for sentence in expect:
        assert sentence in words, words
    assert "1 complaints" not in words and "1 responses" not in words


# --- the declaration in the parameters cell ---------------------------------------------------------------------

def _cell(own: str) -> str:
    """A parameters cell: the notebook's name, then ``own``."""
    return f'notebook = "mine"\n{own}\n'



def test_declared_keys_types_defaults_and_help():
    model = declare.declared_model("mine", _cell(
        'year: "Required[FinancialYear]" = "2020/21"  # the year reported\n'
        'since: "date" = "2020-08-18"  # when it started\n'
        'teams: "list[str]" = ["Court Team"]  # the teams\n'
        'clock: "Literal[received, acknowledged]" = "received"  # the clock\n'
        'share: "Optional[Percentage]" = None\n'
        "days: int = 20  # unquoted builtins work too\n"
        "# The service reported,\n# written as the case log writes it.\n"
        'service: "Optional[str]" = None\n'))
    fields = model.model_fields
    assert fields["year"].is_required() and fields["year"].description == "the year reported"
    assert not fields["since"].is_required() and fields["share"].description is None
    assert fields["service"].description == "The service reported, written as the case log writes it."
    p = model.model_validate({**{k: "x" for k in ("notebook", "council", "committee", "title", "report_of", "data")},
                              "meeting_date": "2021-07-20", "year": "2021-22"})
    assert (p.year, str(p.since), p.teams, p.clock, p.share, p.days) == \
        ("2021/22", "2020-08-18", ("Court Team",), "received", None, 20)
    keys = {k.name: k for k in describe_mod.keys_of(model)}
    assert keys["teams"].type == "list of text" and keys["teams"].default == "[Court Team]"
    assert keys["clock"].type == "received or acknowledged"
    assert keys["share"].type == "number from 0 to 100"
    assert [p.selections()[0].key] == ["year"]  # a financial year must be one the case log covers


@pytest.mark.parametrize("own, message", [
    ("days = 20", "line 2: key 'days' has no type: write it as days: \"int\" = 20"),
    ('days: "integer" = 20', "type 'integer' has the unknown type 'integer'"),
    ('year: "FinancialYr" = "2020/21"', "(did you mean 'FinancialYear'?)"),
    ('days: "int | None" = 20', "(write Optional[X] for X | None)"),
    ('days: "int" = "twenty"', "key 'days': the value 'twenty' does not fit its type 'int': should be a whole number"),
    ('days: "int" = 4 * 5', "key 'days': write its value out"),
    ('days: "Required" = 20', "needs what Required holds"),
    ('days: "list[Required[int]]" = []', "Required[...] inside it"),
    ('days: "int" = 20  # twenty = 20', "Papermill reads a parameter only from a line with one '='"),
    ('council: "str" = "x"', "line 2: key 'council' is one every report takes: it goes in the params file"),
    ('council = "x"', "line 2: key 'council' is one every report takes: it goes in the params file"),
    ('cut_off: "date" = "2021-01-01"', "key 'cut_off' is a name reportlib uses itself"),
    ("print(1)", "a parameters cell holds only 'name: \"type\" = value' lines"),
    ("days = (", "line 2"),
])
def test_a_wrong_declaration_says_which_line_and_what_to_write(own, message):
    with pytest.raises(ParamsError) as e:
        declare.declared_model("mine", _cell(own), "notebooks/mine.md: parameters cell")
    assert str(e.value).startswith("notebooks/mine.md: parameters cell")
    assert message in str(e.value), str(e.value)


def test_a_cell_names_its_own_notebook():
    with pytest.raises(ParamsError, match='add the line notebook = "mine"'):
        declare.declared_model("mine", 'year: "FinancialYear" = "2020/21"\n')
    with pytest.raises(ParamsError, match='line 1: write notebook = "mine", the notebook\'s own name'):
        declare.declared_model("mine", 'notebook = "theirs"\n')


def test_params_file_is_checked_against_the_declaration(scaffolded):
    raw = yaml.safe_load((scaffolded / "params" / f"sample_{NAME}.yaml").read_text())
    del raw["year"]
    path = write_params(scaffolded / "params" / "meeting.yaml", raw)
    with pytest.raises(ParamsError, match="missing required key 'year'"):
        reports.load(path)
    write_params(path, {**raw, "year": "2020/21", "target_working_dayz": 20})
    with pytest.raises(ParamsError, match="unknown key 'target_working_dayz': did you mean 'target_working_days'"):
        reports.load(path)


def test_a_year_the_case_log_does_not_cover_stops_validate(scaffolded):
    raw = yaml.safe_load((scaffolded / "params" / f"sample_{NAME}.yaml").read_text())
    write_params(scaffolded / "params" / "meeting.yaml", {**raw, "year": "2030/31"})
    result = cli_here("validate", "params/meeting.yaml", cwd=scaffolded)
    assert result.returncode == 2
    assert "'year'" in result.stderr and "2030/31" in result.stderr and result.stderr.count("\n") == 1


def test_an_edited_declaration_is_read_again(scaffolded):
    md = scaffolded / "notebooks" / f"{NAME}.md"
    md.write_text(md.read_text().replace(
        "procedure: \"Optional[Procedure]\" = None",
        "service: \"Optional[str]\" = None  # only this service\nprocedure: \"Optional[Procedure]\" = None"))
    later = md.with_suffix(".ipynb").stat().st_mtime_ns + 2_000_000_000
    os.utime(md, ns=(later, later))
    assert "service" in reports.REPORTS[NAME].model_fields
    assert {k.name for k in describe_mod.keys_of(reports.REPORTS[NAME]) if k.name == "service"} == {"service"}
