"""The officer's page's core, without a browser: the form made from a report's params model and read back, the next
meeting's dates, the files the page writes, the papers it lists, and a POST read as it streams in (token, limit).

The page in a real browser (end to end, accessibility, Ctrl-C) is tests/test_app_browser.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from factory import REPO, case, childrens_params, write_case_log
from reportlib import declare, params as params_mod, reports, reports as reports_mod
from reportlib.app import form, meetings, papers, uploads
from reportlib.app.desk import Desk
from reportlib.errors import ParamsError
from reportlib.kernel import _progress_hook


REPO_REPORTS = reports.Reports(REPO)
CHILDRENS = REPO_REPORTS["childrens_response_times"]
PERFORMANCE = REPO_REPORTS["complaints_performance"]
ANNUAL = REPO_REPORTS["annual_report"]


def sent(controls: list[form.Control]) -> dict:
    """What a browser sends for the form as shown: every box's text, check boxes as lists."""
    return {part.name: part.value for c in controls for part in c.walk() if part.kind not in ("group", "fields")}


def by_name(controls, name):
    return next(part for c in controls for part in c.walk() if part.name == name)


# --- the form from the model -------------------------------------------------------------------------------------

@pytest.mark.parametrize("params_file", sorted(p.name for p in (REPO / "params").glob("sample_*.yaml")))
def test_every_sample_params_file_goes_through_the_form_unchanged(params_file):
    raw = yaml.safe_load((REPO / "params" / params_file).read_text(encoding="utf-8"))
    model = reports.REPORTS[raw["notebook"]]
    controls = form.controls(model, raw)
    mapping = form.read(controls, sent(controls))
    again = params_mod.validate({"notebook": raw["notebook"], "data": raw["data"], **mapping}, "form", REPO_REPORTS)
    assert again == params_mod.validate(raw, "file", REPO_REPORTS)
    assert again.formats == ("html", "pdf")


def test_each_key_gets_its_label_help_type_default_and_required_mark_from_the_model():
    model = CHILDRENS
    controls = form.controls(model, {})
    names = [c.name for c in controls]
    # every key of the model but the report and the case log (steps of their own), then the formats to make
    assert names == [k for k in model.model_fields if k not in ("notebook", "data")] + ["formats"]
    days = by_name(controls, "target_working_days")
    assert (days.label, days.kind, days.required, days.default) == ("Target working days", "number", True, None)
    assert days.help == model.model_fields["target_working_days"].description
    assert days.type_words == "whole number from 1 to 250"
    stage = by_name(controls, "stage")
    assert (stage.kind, stage.options, stage.required, stage.value) == ("select", ("1", "2", "3"), False, "1")
    assert by_name(controls, "region").options == ("england-and-wales", "scotland", "northern-ireland")
    assert by_name(controls, "meeting_date").kind == "date"
    assert by_name(controls, "recommendations").kind == "lines"
    assert by_name(controls, "contact").kind == "group" and by_name(controls, "contact").parts == []
    assert by_name(controls, "columns").kind == "fields"  # a box per canonical column: its header in the export
    assert [p.name for p in by_name(controls, "columns").parts][:2] == ["columns.case_ref", "columns.kind"]
    assert by_name(controls, "values").kind == "yaml"
    assert by_name(controls, "implications.finance").kind == "paragraphs"
    annual = form.controls(ANNUAL, {})
    assert by_name(annual, "scope").kind == "checkboxes"
    assert by_name(annual, "scope").value == ["corporate", "adults", "childrens"]
    assert by_name(annual, "ombudsman_letter.upheld_pct").kind == "number"
    assert form.read(annual, {**sent(annual), "scope": "adults"})["scope"] == ["adults"]  # one box ticked
    assert form.read(annual, {**sent(annual), "scope": []})["scope"] == []  # none: the params check says so


def test_a_report_declared_in_its_notebook_gets_its_form_the_same_way():
    cell = ('notebook = "housing"\nhomes: "Required[int]" = 10  # Homes the council lets\n'
            'wards: "list[str]" = ["North"]  # The wards\n')
    model = declare.declared_model("housing", cell)
    controls = form.controls(model, {})
    homes, wards = by_name(controls, "homes"), by_name(controls, "wards")
    assert (homes.kind, homes.required, homes.help) == ("number", True, "Homes the council lets")
    assert (wards.kind, wards.value, wards.help) == ("lines", "North", "The wards")


def test_reading_the_form_back():
    controls = form.controls(PERFORMANCE, {"contact": {"name": "A"}})
    form.add_item(controls, "contact")
    assert [p.name for p in by_name(controls, "contact").parts] == ["contact.0", "contact.1"]
    filled = {**sent(controls), "council": " Testshire ", "meeting_date": "20/07/2021", "quarters": "8",
              "trend_years": "4", "recommendations": "First.\r\n\r\nSecond.\n", "contact.1.name": "B",
              "contact.1.email": "b@example.org", "stage2_timescales.childrens": "60",
              "stage2_timescales.corporate": "25", "formats": ["html", "docx"], "columns.received": "Date in"}
    mapping = form.read(controls, filled)
    assert mapping == {"council": "Testshire", "meeting_date": dt.date(2021, 7, 20),
                       "contact": [{"name": "A"}, {"name": "B", "email": "b@example.org"}],
                       "columns": {"received": "Date in"}, "recommendations": ["First.", "Second."],
                       "stage2_timescales": {"childrens": 60, "corporate": 25}, "trend_years": 4,
                       "formats": ["html", "docx"]}  # quarters: 8 is the default, so it is left out


def test_a_wrong_value_gets_the_command_lines_message_beside_its_box():
    controls = form.controls(CHILDRENS, {})
    mapping = form.read(controls, {**sent(controls), "target_working_days": "twenty",
                                      "contact.0.name": "x"})
    with pytest.raises(ParamsError) as e:
        params_mod.validate({"notebook": "childrens_response_times", **mapping}, "params/x.yaml", REPO_REPORTS)
    assert e.value.key == ("council",)  # the first error: a required key left empty
    mapping["council"] = mapping["committee"] = mapping["title"] = mapping["report_of"] = "x"
    mapping.update(data="d.csv", meeting_date="2021-07-20", baseline_year="2019/20", change_date="2020-08-18",
                   period_start="2020-04-01", period_end="2021-06-30")
    with pytest.raises(ParamsError) as e:
        params_mod.validate({"notebook": "childrens_response_times", **mapping}, "params/x.yaml", REPO_REPORTS)
    assert str(e.value) == ("params/x.yaml: key 'target_working_days': should be a whole number, written in "
                            "figures (got 'twenty')")
    assert e.value.key == ("target_working_days",)
    placed = form.place_error(controls, e.value.key, "the message")
    assert placed is by_name(controls, "target_working_days") and placed.error == "the message"
    refilled = form.refill(form.controls(CHILDRENS, {}), {"target_working_days": "twenty",
                                                                           "contact.1.name": "kept"})
    assert by_name(refilled, "target_working_days").value == "twenty"  # nothing typed is lost
    assert by_name(refilled, "contact.1.name").value == "kept"


def test_a_nested_key_names_its_item():
    with pytest.raises(ParamsError) as e:
        params_mod.validate(childrens_params(Path("d.csv"), contact=[{"name": "A"}, {"name": "B", "email": "no"}]),
                            "p.yaml", REPO_REPORTS)
    assert e.value.key == ("contact", 1, "email") and "key 'contact[2].email'" in str(e.value)
    controls = form.controls(CHILDRENS, {"contact": [{"name": "A"}, {"name": "B"}]})
    assert form.place_error(controls, e.value.key, "m").name == "contact.1.email"


def test_a_selection_that_selects_nothing_names_its_key(tmp_path):
    from reportlib import pipeline

    data = write_case_log(tmp_path / "cases.csv", [case("C1", "2020-05-01", 5), case("C2", "2021-05-01", 5)])
    params = tmp_path / "m.yaml"
    params.write_text(yaml.safe_dump(childrens_params(data, service="Adult Services")), encoding="utf-8")
    with pytest.raises(ParamsError) as e:
        pipeline.check(params, selections=True)
    assert e.value.key == ("service",)


# --- the next meeting ----------------------------------------------------------------------------------------

def test_dates_move_on_by_what_they_moved_between_the_last_two_meetings():
    move = meetings.move_date
    assert move(dt.date(2021, 4, 14), dt.date(2021, 7, 14)) == dt.date(2021, 10, 14)  # the same day: months
    assert move(dt.date(2021, 3, 31), dt.date(2021, 6, 30)) == dt.date(2021, 9, 30)  # month ends stay month ends
    assert move(dt.date(2021, 11, 30), dt.date(2022, 2, 28)) == dt.date(2022, 5, 31)
    assert move(dt.date(2021, 7, 6), dt.date(2021, 7, 20)) == dt.date(2021, 8, 3)  # else days
    last = {"meeting_date": dt.date(2021, 7, 14), "period_end": "2021-06-30", "period_start": dt.date(2020, 4, 1),
            "change_date": dt.date(2020, 8, 18), "baseline_year": "2019/20", "title": "T 2021"}
    before = {"meeting_date": "14/04/2021", "period_end": dt.date(2021, 3, 31), "period_start": dt.date(2020, 4, 1),
              "change_date": dt.date(2020, 8, 18), "baseline_year": "2018/19", "title": "T 2021"}
    values, moved = meetings.moved_on(CHILDRENS, last, before)
    assert moved == ["meeting_date", "baseline_year", "period_end"]
    assert (values["meeting_date"], values["period_end"], values["baseline_year"]) == (
        dt.date(2021, 10, 14), dt.date(2021, 9, 30), "2020/21")
    assert values["period_start"] == dt.date(2020, 4, 1) and values["change_date"] == dt.date(2020, 8, 18)
    assert meetings.moved_on(CHILDRENS, last, None) == (last, [])  # one meeting: as it was


def test_the_form_starts_from_the_last_meeting_of_the_report(tmp_path):
    project = _project(tmp_path)
    sample = yaml.safe_load((project / "params" / "sample_childrens_response_times.yaml").read_text())
    earlier = {**sample, "meeting_date": "2021-04-14", "period_end": "2021-03-31"}
    (project / "params" / "2021-04-14-childrens.yaml").write_text(yaml.safe_dump(earlier), encoding="utf-8")
    desk = Desk(project)
    try:
        draft = desk.new_draft("childrens_response_times")
        assert draft.made_from == "params/sample_childrens_response_times.yaml"
        assert draft.moved == ["meeting_date", "period_end"]
        assert by_name(draft.controls, "meeting_date").value == "14/10/2021"
        assert by_name(draft.controls, "period_end").value == "30/09/2021"
        assert draft.data == "data/sample_case_log.csv"
        older = desk.new_draft("childrens_response_times", start_from="2021-04-14-childrens.yaml")
        assert older.made_from == "params/2021-04-14-childrens.yaml" and older.moved == []  # none before it
        assert by_name(older.controls, "meeting_date").value == "14/04/2021"
        assert desk.new_draft("no_such_report") is None
        fields = {**sent(draft.controls), "data": "/etc/passwd", "made_from": "x\nnotebook: other"}
        tampered = desk.sent_draft("childrens_response_times", fields)
        assert tampered.made_from is None
        desk.check(tampered, fields)  # a case log the form does not offer is never read
        assert tampered.checked is None and tampered.data_error.startswith("choose the case log")
    finally:
        desk.close()


# --- the files the page writes ----------------------------------------------------------------------------------

def test_a_params_file_is_named_by_meeting_and_report_and_never_overwritten(tmp_path):
    mapping = {"notebook": "complaints_performance", "meeting_date": dt.date(2021, 7, 20), "council": "C"}
    first = meetings.save_params(tmp_path, mapping, "params/sample.yaml")
    second = meetings.save_params(tmp_path, mapping)
    assert (first.name, second.name) == ("2021-07-20-complaints_performance.yaml",
                                         "2021-07-20-complaints_performance-2.yaml")
    assert first.read_text() == ("# Made on the officer's page (reportlib app) from params/sample.yaml.\n"
                                 "notebook: complaints_performance\nmeeting_date: 2021-07-20\ncouncil: C\n")
    assert yaml.safe_load(second.read_text())["meeting_date"] == dt.date(2021, 7, 20)


def test_an_upload_is_kept_under_a_name_of_its_own(tmp_path):
    exports = tmp_path / "exports"
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("one"), b.write_text("two")
    kept = meetings.keep_upload(a, "Case log (June).csv", exports)
    assert kept == exports / "Case-log-June.csv" and kept.read_text() == "one"
    assert meetings.keep_upload(b, "Case log (June).csv", exports).name == "Case-log-June-2.csv"  # never over
    assert meetings.keep_upload(a, "Case log (June).csv", exports) == kept  # the same bytes: the same file
    assert kept.stat().st_mode & 0o777 == 0o600
    assert meetings.keep_upload(a, "../../etc/passwd", exports).parent == exports


def test_the_papers_made_and_their_files_come_from_their_manifests(tmp_path):
    out = tmp_path / "outputs"
    for name, date in (("a", "2021-01-20"), ("b", "2021-07-20")):
        folder = out / name
        folder.mkdir(parents=True)
        (folder / "report.html").write_text("<p>paper</p>")
        (folder / "notes.txt").write_text("an officer's own file")
        manifest = {"report": name, "inputs_sha256": {}, "rows": {"read": 3, "used": 2, "excluded": 1},
                    "params": {"notebook": "complaints_performance", "meeting_date": date, "title": f"T {name}"},
                    "files": {"report.html": "x"}, "started_at": "2021-07-01T10:00:00+00:00"}
        (folder / "manifest.json").write_text(json.dumps(manifest))
    (out / "not-a-paper").mkdir()
    (out / ".b.build-x").mkdir()
    made = papers.made(out)
    assert [p.name for p in made] == ["b", "a"]  # the latest meeting first
    assert made[0].files == ["report.html", "manifest.json"] and made[0].rows["excluded"] == 1
    assert made[0].file("report.html") == out / "b" / "report.html"
    assert made[0].file("notes.txt") is None and made[0].file("../a/report.html") is None
    assert papers.find(out, "../outputs/b") is None and papers.find(out, "b").title == "T b"


# --- a POST as it streams in ---------------------------------------------------------------------------------

TOKEN = "the-token"


def body(*parts: tuple[str, str | bytes, str | None]) -> tuple[str, list[bytes]]:
    """A multipart body of (name, value, filename) parts, in chunks of 1,000 bytes."""
    boundary = "b0undary"
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        out += value.encode() if isinstance(value, str) else value
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", [out[i:i + 1000] for i in range(0, len(out), 1000)]


def read(parts, folder: Path, limit: int = 10_000):
    content_type, chunks = body(*parts)

    async def stream():
        for chunk in chunks:
            yield chunk
    return asyncio.run(uploads.read_form(content_type, stream(), TOKEN, folder, limit))


def test_a_form_with_the_token_first_is_read_and_its_file_written_into_the_folder(tmp_path):
    posted = read([("_token", TOKEN, None), ("report", "annual_report", None), ("scope", "adults", None),
                   ("scope", "childrens", None), ("upload", b"case_ref,kind\n" * 100, "C:\\Users\\me\\log.CSV")],
                  tmp_path / "u")
    assert posted.first("report") == "annual_report" and posted.as_form()["scope"] == ["adults", "childrens"]
    assert posted.upload.name == "log.CSV" and posted.upload.path == tmp_path / "u" / "case-log.csv"
    assert posted.upload.path.read_bytes() == b"case_ref,kind\n" * 100 and posted.upload.size == 1400


@pytest.mark.parametrize("parts", [
    [("report", "x", None)],  # no token
    [("_token", "wrong", None), ("report", "x", None)],
    [("report", "x", None), ("_token", TOKEN, None)],  # the token must come first
    [("upload", b"data", "log.csv"), ("_token", TOKEN, None)],  # a file before the token is never written
])
def test_a_post_without_the_pages_token_is_refused_and_nothing_kept(tmp_path, parts):
    with pytest.raises(uploads.Refused):
        read(parts, tmp_path / "u")
    assert not (tmp_path / "u").exists()


def test_a_body_over_the_limit_is_refused_and_nothing_kept(tmp_path):
    with pytest.raises(uploads.TooLarge) as e:
        read([("_token", TOKEN, None), ("report", "annual_report", None), ("upload", b"x" * 20_000, "log.csv")],
             tmp_path / "u", limit=10_000)
    assert e.value.token_ok and e.value.fields["report"] == ["annual_report"]
    assert not (tmp_path / "u").exists()


def test_progress_counts_the_code_cells_and_the_parameters_cell():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("a = 1"),
                                         nbformat.v4.new_code_cell("  "), nbformat.v4.new_code_cell("b = 2")])
    told = []
    hook = _progress_hook(nb, lambda step, steps: told.append((step, steps)))["on_cell_start"]
    for i, cell in enumerate([nb.cells[0], nb.cells[1], nbformat.v4.new_code_cell("a = 3"), nb.cells[2],
                              nb.cells[3]]):
        hook(cell=cell, cell_index=i)
    assert told == [(1, 3), (2, 3), (3, 3)]


# --- checking the data, without a browser ------------------------------------------------------------------------

def _project(folder: Path) -> Path:
    shutil.copytree(REPO / "notebooks", folder / "notebooks")
    (folder / "data").mkdir()
    shutil.copy(REPO / "data" / "sample_case_log.csv", folder / "data")
    shutil.copytree(REPO / "params", folder / "params")
    return folder


def test_check_the_data_says_what_validate_says_and_no_other_column(tmp_path, monkeypatch):
    project = _project(tmp_path)
    rows = [case("C1", "2020-05-01", 5, notes="PERSONAL note about Ms Example"),
            {**case("C2", "2020-05-02", 5, notes="PERSONAL"), "received": "31/02/2020"},
            case("C3", "2021-01-10", 5, kind="praise")]
    write_case_log(project / "exports.csv", rows)
    (project / "exports").mkdir()
    shutil.move(project / "exports.csv", project / "exports" / "June.csv")
    monkeypatch.chdir(project)
    desk = Desk(project)
    try:
        draft = desk.new_draft("childrens_response_times")
        fields = {**sent(draft.controls), "data": "exports/June.csv"}
        draft = desk.sent_draft("childrens_response_times", fields)
        desk.check(draft, fields)
        k = draft.checked
        assert k.summary == "exports/June.csv: 3 rows read, 1 used, 2 excluded"
        assert [(r["row"], r["column"], r["value"]) for r in k.rows] == [(3, "received", "'31/02/2020'"),
                                                                          (4, "kind", "'praise'")]
        assert "PERSONAL" not in repr(k)
        assert k.problem.startswith("key 'baseline_year': ")  # the one case left is not in 2019/20
        assert by_name(draft.controls, "baseline_year").error == k.problem
    finally:
        desk.close()
    assert not desk.folder.path.exists()


def test_a_case_log_that_cannot_be_read_is_named_beside_the_case_log(tmp_path, monkeypatch):
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    desk = Desk(project)
    try:
        draft = desk.new_draft("childrens_response_times")
        bad = desk.upload_folder()
        bad.mkdir(parents=True)
        (bad / "case-log.csv").write_text("name,notes\nMs Example,secret\n")
        desk.hold(uploads.Upload(bad / "case-log.csv", "June export.csv", 30), draft)
        fields = {**sent(draft.controls), "data": draft.data, "upload_id": draft.upload[0]}
        draft = desk.sent_draft("childrens_response_times", fields)
        desk.check(draft, fields)
        assert draft.data_error.startswith("June export.csv: ") and "required column" in draft.data_error
        assert draft.upload is None and not bad.exists()  # a bad upload is not kept
    finally:
        desk.close()


def test_the_reports_are_the_built_in_ones_and_the_projects_own(tmp_path, monkeypatch):
    from reportlib import authoring

    project = _project(tmp_path)
    authoring.new("housing_complaints", project)
    monkeypatch.chdir(project)
    desk = Desk(project)
    try:
        reports = {r.name: r for r in desk.reports()}
        assert list(reports) == ["childrens_response_times", "complaints_performance", "annual_report",
                                 "housing_complaints"]
        # what each is: its notebook's title
        assert reports["complaints_performance"].summary == "Comments, compliments and complaints: Stage 2 performance."
        assert reports["housing_complaints"].summary == "Housing complaints."
        draft = desk.new_draft("housing_complaints")  # its form, from its notebook's parameters cell
        assert draft.made_from == "params/sample_housing_complaints.yaml"
        own = [c.name for c in draft.controls if not c.common]
        assert own and own == [k for k in reports_mod.Reports(project)["housing_complaints"].model_fields
                               if k not in params_mod.CommonParams.model_fields]
    finally:
        desk.close()
