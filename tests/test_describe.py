"""``reportlib describe NOTEBOOK``: a report's params (name, type, default, required, help) read from the same models
the params check uses, so the listing cannot drift from what ``render`` accepts."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from factory import REPO
from reportlib import authoring, describe as describe_mod, params, reports, rules
from reportlib.cli import main
from reportlib.errors import ParamsError


@pytest.fixture(autouse=True)
def in_the_repository(monkeypatch):
    monkeypatch.chdir(REPO)


def run(*args):
    """The command as in a 100-column terminal (the text is wrapped to the terminal's width, at most 120)."""
    return CliRunner(env={"COLUMNS": "100"}).invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("notebook", list(rules.RULES))
def test_every_key_of_the_model_is_listed_with_help(notebook):
    summary, keys = describe_mod.describe(notebook)
    model = reports.REPORTS[notebook]
    assert [k.name for k in keys] == [*model.model_fields, "formats"]  # formats: the render's, no model field
    assert summary.startswith(f"{notebook}: ")
    for key in keys[:-1]:
        assert key.help and key.help[0].isupper() and key.help.endswith("."), key
        assert key.type and "typing." not in key.type and "Annotated" not in key.type, key
        assert key.required == model.model_fields[key.name].is_required()
        assert (key.default is None) == key.required
        for part in key.parts:
            assert part.help and part.type, (key.name, part)
    assert {k.name for k in keys if k.common} == {*params.CommonParams.model_fields, "formats"}


def test_listed_defaults_are_the_models():
    """What describe says a key defaults to is what a params file without it gets."""
    p = reports.check({"notebook": "complaints_performance", "council": "C", "committee": "C",
                         "meeting_date": "2021-07-20", "title": "T", "report_of": "R", "data": "d.csv",
                         "year": "2020/21"}, "test")
    keys = {k.name: k for k in describe_mod.describe("complaints_performance")[1]}
    assert keys["quarters"].default == str(p.quarters) == "8"
    assert keys["stage2_timescales"].default == "{childrens: 65, corporate: 25}" and \
        p.stage2_timescales == {"childrens": 65, "corporate": 25}
    assert keys["region"].default == p.region == "england-and-wales"
    assert keys["author"].default == "none" and p.author is None
    assert keys["contact"].default == "[]" and p.contact == ()


@pytest.mark.parametrize("notebook, name, words", [
    ("childrens_response_times", "baseline_year", "financial year e.g. 2020/21"),
    ("childrens_response_times", "change_date", "date"),
    ("childrens_response_times", "stage", "stage (1, 2 or 3)"),
    ("childrens_response_times", "target_working_days", "whole number from 1 to 250"),
    ("childrens_response_times", "benchmarks", "list of {authority, value, measure?, period?}"),
    ("childrens_response_times", "contact", "list of {name, role?, phone?, email?}"),
    ("childrens_response_times", "closure_days", "list of dates"),
    ("childrens_response_times", "region", "england-and-wales, scotland or northern-ireland"),
    ("childrens_response_times", "sheet", "text or whole number"),
    ("childrens_response_times", "suppress_below", "whole number, 1 or more"),
    ("childrens_response_times", "columns", "{canonical column name: text}"),
    ("complaints_performance", "stage2_timescales", "{procedure (childrens, adults or corporate): whole number from 1 "
                                                    "to 250}"),
    ("annual_report", "scope", "list of procedures (childrens, adults or corporate)"),
    ("annual_report", "timescales", "{procedure (childrens, adults or corporate): {stage (1, 2 or 3): whole number "
                                    "from 1 to 250}}"),
    ("annual_report", "governing_body_response", "text, or a list of paragraphs"),
    ("annual_report", "self_assessment", "list of {section, requirement, status, evidence?, action?}"),
])
def test_types_read_as_words(notebook, name, words):
    keys = {k.name: k for k in describe_mod.describe(notebook)[1]}
    assert keys[name].type == words


def test_the_command_lists_own_keys_first():
    result = run("describe", "childrens_response_times")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("childrens_response_times: Children's Services complaints: response times.\n\n"
                          "This report's own keys:\n")
    assert out.index("This report's own keys:") < out.index("Keys every report takes:")
    assert "  target_working_days: whole number from 1 to 250; required\n" in out
    assert "  stage: stage (1, 2 or 3); optional, default 1\n      The complaint stage reported.\n" in out
    assert "      - authority: text; required. The other council, e.g. Northam Borough Council.\n" in out
    assert max(len(line) for line in out.splitlines()) <= 120


def test_an_unknown_notebook_is_one_line_naming_the_closest():
    result = run("describe", "childrens_respons_times")
    assert result.exit_code == 2
    assert result.stderr == ("error: unknown notebook 'childrens_respons_times': did you mean "
                             "childrens_response_times?\n")
    result = run("describe", "annual")
    assert result.exit_code == 2
    assert "did you mean annual_report?" in result.stderr
    result = run("describe", "zzz")
    assert result.exit_code == 2
    assert result.stderr == ("error: unknown notebook 'zzz': use one of: childrens_response_times, "
                             "complaints_performance, annual_report\n")
    assert result.stdout == ""


def test_describe_is_what_validate_enforces():
    """Each key described as required is the one a params file without it is refused for."""
    for notebook, model in reports.REPORTS.items():
        required = {k.name for k in describe_mod.describe(notebook)[1] if k.required}
        assert required == {name for name, f in model.model_fields.items() if f.is_required()}
        with pytest.raises(ParamsError, match="missing required key"):
            reports.check({"notebook": notebook}, "test")


def test_a_declared_report_is_described_from_its_notebook(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "params").mkdir()
    authoring.new("parking_appeals", tmp_path)
    monkeypatch.chdir(tmp_path)
    text = authoring.describe_text("parking_appeals")
    assert text.startswith("parking_appeals: Parking appeals.")  # the notebook's title
    assert "  year: financial year e.g. 2020/21; required\n" in text
    assert "  procedure: procedure (childrens, adults or corporate); optional, default none\n" in text
    assert text.index("  year:") < text.index("Keys every report takes:") < text.index("  council:")
    result = run("describe", "parking_appeal")
    assert result.exit_code == 2 and "did you mean parking_appeals?" in result.stderr


def test_wrapped_to_the_terminal():
    text = authoring.describe_text("annual_report", width=60)
    assert all(len(line) <= 60 for line in text.splitlines()), text
    assert "\n  year: financial year e.g. 2020/21; required\n" in text


def test_the_params_guides_tables_are_the_declarations():
    """docs/params.md's tables of keys are made from the declarations: ./dev docs makes them again."""
    from factory import REPO

    text = (REPO / "docs" / "params.md").read_text(encoding="utf-8")
    assert text.count("<!-- keys: ") == 4
    assert describe_mod.docs_tables(text, reports.REPORTS) == text, "docs/params.md is out of date: run ./dev docs"
    assert "| `target_working_days` | whole number from 1 to 250 | required |" in text
    assert "| `formats` | list of html, pdf, docx or xlsx | default `[html, pdf]` |" in text
