"""The bad-input corpus (tests/bad_input/, one small file per case, documented in docs/bad-input.md).

For each case: the exit status, the exact one-line message (file, row, column or key, and the
fix), no traceback, and the last good report left exactly as it was.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from factory import REPO, lend_the_warm_kernel, readable_texts, text_of
from reportlib.cli import main

CORPUS = Path(__file__).parent / "bad_input"
DOC = REPO / "docs" / "bad-input.md"
C = "tests/bad_input"

# Params files that cannot be used: render refuses them before anything runs (exit 2).
PARAMS_CASES = {
    "yaml_error.yaml": f"{C}/yaml_error.yaml: YAML error at line 13, column 13: mapping values are not allowed "
                       "here; check the indentation and quotes there",
    "unknown_key.yaml": f"{C}/unknown_key.yaml: unknown key 'benchmark': did you mean 'benchmarks'?",
    "missing_required_key.yaml": f"{C}/missing_required_key.yaml: missing required key 'baseline_year': add it "
                                 "(see docs/params.md)",
    "wrong_type.yaml": f"{C}/wrong_type.yaml: key 'target_working_days': should be a whole number, written in "
                       "figures (got 'twenty')",
    "unknown_notebook.yaml": f"{C}/unknown_notebook.yaml: key 'notebook': unknown notebook "
                             "'childrens_reponse_times'; use one of: childrens_response_times, complaints_performance, annual_report",
    "data_is_a_folder.yaml": f"{C}/a_folder: is a folder, not a case-log file; point data: at the export file",
    "password_in_url.yaml": f"{C}/password_in_url.yaml: key 'data': contains a password: leave it out and set "
                            "PGPASSWORD (or ~/.pgpass) in the environment, or write ${VARIABLE} to take it from "
                            "the environment",
}

# Case logs that cannot be read as a table (exit 2); extra params keys where the case needs them.
UNREADABLE = {
    "missing_file.csv": (f"{C}/missing_file.csv: case log not found; check data: in the params file (relative "
                         "paths start at the project folder)", {}),
    "empty.csv": (f"{C}/empty.csv: the file is empty; export the case log again", {}),
    "header_only.csv": (f"{C}/header_only.csv: has a header but no rows; export the case log again", {}),
    "binary_garbage.csv": (f"{C}/binary_garbage.csv: not a CSV text file (it holds binary data); export the case "
                           "log as CSV UTF-8 or .xlsx", {}),
    "old_excel.xls": (f"{C}/old_excel.xls: old Excel .xls files are not read; open it in Excel and save it as "
                      ".xlsx or CSV UTF-8", {}),
    "mixed_encodings.csv": (f"{C}/mixed_encodings.csv: line 3 is not UTF-8 but other text in the file is (it mixes "
                            "encodings); save it from Excel as 'CSV UTF-8 (Comma delimited)'", {}),
    "nul_byte.csv": (f"{C}/nul_byte.csv: line 202 holds a NUL byte: not a CSV text file (it holds binary data); "
                     "export the case log as CSV UTF-8 or .xlsx", {}),
    "too_wide.csv": (f"{C}/too_wide.csv: row 1 has 1,205 columns, more than a case log's 1,000; check "
                     "it is the right file, or delete the columns right of the table (formatting counts) and export "
                     "it again", {}),
    "missing_required_column.csv": (f"{C}/missing_required_column.csv: required column 'received' is "
                                    "missing; map it under columns: in the params file (e.g. received: Your Header)",
                                    {}),
    "unknown_mapped_header.csv": (f"{C}/unknown_mapped_header.csv: column 'Ref No' (mapped to case_ref under "
                                  "columns: in the params file) is not in the file; its headers are: Ref, Kind, "
                                  "Procedure, Stage, Received", {"columns": {"case_ref": "Ref No"}}),
}

# Case logs with bad rows: excluded and listed (validate exits 1), or kept with a warning (exit 0).
ROWS = {
    "impossible_date.csv": (1, ["row 2: received '31/02/2020': impossible date (no such day) (excluded)"]),
    "two_digit_year.csv": (1, ["row 2: received '01/09/20': two-digit year: write the year in full, 18/08/2020 "
                               "(excluded)"]),
    "month_first_date.csv": (1, ["row 3: received '12/25/2020': impossible date: month above 12 (dates are read "
                                 "day first, 18/08/2020) (excluded)"]),
    "responded_before_received.csv": (1, ["row 2: responded '01/09/2020': responded before received (excluded)"]),
    "unknown_kind.csv": (1, ["row 2: kind 'grumble': unknown kind: use complaint, comment or compliment, or map it "
                             "under values: kind: in the params file (excluded)"]),
    "unknown_procedure.csv": (1, ["row 2: procedure 'education': unknown procedure: use childrens, adults or "
                                  "corporate, or map it under values: procedure: in the params file (excluded)"]),
    "missing_stage.csv": (1, ["row 2: stage '': stage is blank on a complaint: give 1, 2 or 3 (excluded)"]),
    "duplicate_rows.csv": (1, ["row 3: case_ref 'A1': duplicate case_ref + stage + kind: same as row 2 (excluded)"]),
    "future_date.csv": (1, ["row 2: responded '15/09/2030': date is after the meeting date (20/01/2021): a typo or "
                            "a future date (excluded)"]),
    "acknowledged_before_received.csv": (1, ["row 2: acknowledged '28/08/2020': acknowledged before received "
                                             "(excluded)"]),
    "unknown_outcome.csv": (1, ["row 2: outcome 'Resolved': unknown outcome: use upheld, partly upheld, not upheld or "
                                "withdrawn, or map it under values: outcome: in the params file (excluded)"]),
    "unknown_remedy.csv": (1, ["row 2: remedy 'apology;goodwill gesture': unknown remedy 'goodwill gesture': use "
                               "apology, explanation, financial, service improvement, action taken or other (separate "
                               "several with ;), or map it under values: remedy: in the params file (excluded)"]),
    "bad_compensation.csv": (1, ["row 2: compensation 'fifty pounds': compensation is not an amount in pounds (e.g. "
                                 "250 or £1,250.50) (excluded)"]),
    "unknown_ombudsman.csv": (1, ["row 2: ombudsman 'maladministration': unknown Ombudsman decision: use pending, "
                                  "upheld, not upheld or not investigated, or map it under values: ombudsman: in the "
                                  "params file (excluded)"]),
    "corporate_stage_3.csv": (1, ["row 3: stage '3': corporate stage 3: the Complaint Handling Code has two stages; "
                                  "if the Council runs a third, add local_stage3: yes to the params file (excluded)"]),
    "extended_review_panel.csv": (1, ["row 3: extended 'yes': extended at stage 3: the children's review panel has no "
                                      "extension (regulation 19 of the 2006 Regulations); correct extended to no "
                                      "(excluded)"]),
    "panel_before_request.csv": (1, ["row 3: panel_date '28/08/2020': panel_date before received (the request for a "
                                     "review panel) (excluded)"]),
    "unknown_ombudsman_body.csv": (1, ["row 2: ombudsman_body 'PHSO': unknown Ombudsman: use lgsco (the Local "
                                       "Government and Social Care Ombudsman) or housing (the Housing Ombudsman), or "
                                       "map it under values: ombudsman_body: in the params file (excluded)"]),
    "bad_advocacy.csv": (1, ["row 2: advocacy 'offered': advocacy must be yes or no (blank: not recorded) "
                             "(excluded)"]),
    "stage2_without_stage1.csv": (0, ["row 2: stage '2': no stage 1 row for this case: counted from its first "
                                      "stage in the log (kept)"]),
    "mixed_dates.csv": (0, []),
    "header_on_row_3.csv": (0, [f"note: {C}/header_on_row_3.csv: the header is on row 3; the 2 row(s) above it "
                                "were skipped."]),
    "windows_1252.csv": (0, [f"note: {C}/windows_1252.csv is not UTF-8; it was read as Windows-1252 (Excel's "
                             "'CSV' format). Save it as 'CSV UTF-8' to be sure of accented characters."]),
    "all_empty_period.csv": (0, []),
    "ragged_rows.csv": (1, ["row 3: wrong number of fields: has 11 fields, the header has 9; check the quotes and line "
                            "breaks in this row (no value of it is read) (excluded)"]),
    "broken_row.csv": (1, ["row 3: wrong number of fields: has 10 fields, the header has 11; check the quotes and line "
                           "breaks in this row (no value of it is read) (excluded)",
                           "row 4: wrong number of fields: has 2 fields, the header has 11; check the quotes and line "
                           "breaks in this row (no value of it is read) (excluded)"]),
    "utf16.csv": (0, []),
}


def params_for(tmp_path: Path, data: str, **extra) -> Path:
    """good.yaml reading ``data``: same file name, so a render of it goes to the last good report's folder."""
    p = yaml.safe_load((CORPUS / "good.yaml").read_text())
    p.update(data=f"{C}/{data}", **extra)
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(p), encoding="utf-8")
    return path


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def digest(folder: Path) -> dict:
    """Every file under ``folder`` (its report folders included) with its SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def last_good(tmp_path_factory, monkeypatch_module):
    """An output folder holding a good report (good/) that every failing render below must leave alone."""
    out = tmp_path_factory.mktemp("outputs")
    result = invoke("render", str(CORPUS / "good.yaml"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "good" / "report.pdf").is_file()
    return out, digest(out)


@pytest.fixture(scope="module", autouse=True)
def monkeypatch_module():
    """In the repository, the command's renders in this process's warm kernel (``factory.LentKernel``)."""
    mp = pytest.MonkeyPatch()
    mp.chdir(REPO)
    lend_the_warm_kernel(mp)
    yield mp
    mp.undo()


def assert_one_line(result, message, status):
    assert result.exit_code == status, result.output
    assert result.stderr == f"error: {message}\n"
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", PARAMS_CASES)
def test_unusable_params_file(name, last_good):
    out, before = last_good
    result = invoke("render", f"{C}/{name}", "--out", str(out))
    assert_one_line(result, PARAMS_CASES[name], 2)
    assert digest(out) == before
    assert_one_line(invoke("validate", f"{C}/{name}"), PARAMS_CASES[name], 2)


@pytest.mark.parametrize("name", UNREADABLE)
def test_unreadable_case_log(name, last_good, tmp_path):
    out, before = last_good
    message, extra = UNREADABLE[name]
    params = params_for(tmp_path, name, **extra)
    assert_one_line(invoke("render", str(params), "--out", str(out)), message, 2)
    assert digest(out) == before
    assert_one_line(invoke("validate", str(params)), message, 2)


@pytest.mark.parametrize("name", ROWS)
def test_bad_rows_are_listed_never_dropped_silently(name, tmp_path, monkeypatch_module):
    status, lines = ROWS[name]
    result = invoke("validate", str(params_for(tmp_path, name)))
    assert result.exit_code == status, result.output
    assert [l for l in result.stdout.splitlines() if l.startswith(("row ", "note: "))] == lines
    assert "Traceback" not in result.output


def test_strict_refuses_bad_rows(last_good, tmp_path):
    out, before = last_good
    result = invoke("render", str(params_for(tmp_path, "impossible_date.csv")), "--out", str(out), "--strict")
    assert_one_line(result, f"{C}/impossible_date.csv: 1 row would be excluded and --strict refuses them; run "
                            f"'reportlib validate {tmp_path / 'good.yaml'}' to list them", 1)
    assert digest(out) == before


def test_windows_1252_text_read_correctly(monkeypatch_module):
    from reportlib import casedata
    log = casedata.load(casedata.Source(f"{C}/windows_1252.csv"))
    assert log.cases["team"].iloc[0] == "Café Team £"


def test_an_empty_period_says_no_cases(tmp_path, monkeypatch_module):
    out = tmp_path / "out"
    result = invoke("render", str(params_for(tmp_path, "all_empty_period.csv")), "--out", str(out))
    assert result.exit_code == 0, result.output
    page = text_of((out / "good" / "report.html").read_text())
    assert "No responses have been sent since then, so its effect cannot yet be measured." in page
    assert "Q2 2020/21 no cases" in page and " 0%" not in page
    assert "At 31 December 2020, no complaints were still awaiting a response." in page


# Filters and periods that select no case at all: a mistake, not a report about nothing (exit 2).
SELECTIONS = {
    "misspelt service": ({"service": "Childrens Servces"},
                         "key 'service': \"Childrens Servces\" matches no case in tests/bad_input/good.csv, whose "
                         "service column holds \"Children's Services\" (closest first)"),
    "baseline year before the log": ({"baseline_year": "2015/16"},
                                     "key 'baseline_year': 2015/16 matches no case: tests/bad_input/good.csv covers "
                                     "1 September 2020 to 30 October 2020"),
    "period before the log": ({"period_start": "2019-01-01", "period_end": "2019-12-31"},
                              "keys 'period_start'..'period_end': 2019-01-01 to 2019-12-31 matches no case: "
                              "tests/bad_input/good.csv covers 1 September 2020 to 30 October 2020"),
}


@pytest.mark.parametrize("case", SELECTIONS)
def test_a_selection_that_matches_nothing(case, last_good, tmp_path):
    out, before = last_good
    overrides, message = SELECTIONS[case]
    params = params_for(tmp_path, "good.csv", **overrides)
    assert_one_line(invoke("render", str(params), "--out", str(out)), f"{params}: {message}", 2)
    assert digest(out) == before
    result = invoke("validate", str(params))
    assert result.exit_code == 2
    assert result.stdout == "tests/bad_input/good.csv: 3 rows read, 3 used, 0 excluded\n"
    assert result.stderr == f"error: {params}: {message}\n"


def test_validate_lists_the_bad_rows_before_saying_nothing_matches(tmp_path, monkeypatch_module):
    params = params_for(tmp_path, "impossible_date.csv", service="Fostering")
    result = invoke("validate", str(params))
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        "tests/bad_input/impossible_date.csv: 2 rows read, 1 used, 1 excluded",
        "  1 row excluded: impossible date (no such day) (received)",
        "row 2: received '31/02/2020': impossible date (no such day) (excluded)"]
    assert result.stderr == (f"error: {params}: key 'service': \"Fostering\" matches no case in "
                             "tests/bad_input/impossible_date.csv, whose service column holds \"Children's Services\" "
                             "(closest first)\n")


def test_validate_counts_each_kind_of_problem_before_the_rows(tmp_path, monkeypatch_module):
    rows = ["case_ref,kind,procedure,stage,received,responded,team,service,delay_reason"]
    rows += [f"A{i},complaint,childrens,1,31/02/2020,,Court Team,Children's Services," for i in range(3)]
    rows += ["B1,grumble,childrens,1,01/09/2020,,Court Team,Children's Services,",
             "B2,complaint,childrens,1,01/09/2020,,Court Team,Children's Services,",
             "B2,complaint,childrens,1,01/09/2020,,Court Team,Children's Services,",
             "C1,complaint,childrens,1,02/09/2020,30/10/2020,Court Team,Children's Services,"]
    (tmp_path / "log.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    params = params_for(tmp_path, "x.csv")
    text = params.read_text().replace("tests/bad_input/x.csv", str(tmp_path / "log.csv"))
    params.write_text(text, encoding="utf-8")
    result = invoke("validate", str(params))
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[:4] == [
        f"{tmp_path / 'log.csv'}: 7 rows read, 2 used, 5 excluded",
        "  3 rows excluded: impossible date (no such day) (received)",
        "  1 row excluded: duplicate case_ref + stage + kind (case_ref)",
        "  1 row excluded: unknown kind (kind)"]
    assert len([l for l in result.stdout.splitlines() if l.startswith("row ")]) == 5


def test_a_broken_row_leaks_nothing(tmp_path, monkeypatch_module):
    """broken_row.csv's second line of a note holds a child's name: it is listed by number, and never shown, in any
    format (the Word document's and the workbook's parts and the PDF's text included)."""
    result = invoke("validate", str(params_for(tmp_path, "broken_row.csv")))
    assert "Zebedee" not in result.output and "school" not in result.output
    out = tmp_path / "out"
    rendered = invoke("render", str(params_for(tmp_path, "broken_row.csv")), "--out", str(out),
                      "--format", "html,pdf,docx,xlsx")
    assert rendered.exit_code == 0, rendered.output
    files = sorted(p for p in (out / "good").rglob("*") if p.is_file())
    assert {p.suffix for p in files} >= {".html", ".pdf", ".docx", ".xlsx", ".csv", ".json", ".ipynb"}
    for path in files:
        for personal in ("Zebedee", "01/02/2015", "Ann Other", "Jo Bloggs", "Sam Smith", "spoke to mum"):
            assert all(personal not in text for text in readable_texts(path)), (path.name, personal)


# Workbooks and databases, built here (binary files are generated, not kept): exit status, then the one line
# (validate's note or row lines for a readable one), {path} standing for the file's path.
def _workbook(path: Path, merged=False, hidden_first=False, second_visible=False, far=False) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Cases"
    for line in (CORPUS / "good.csv").read_text().splitlines():
        ws.append(line.split(","))
    if merged:  # the service column merged over its rows, as officers lay a log out
        for row in range(3, 5):
            ws.cell(row, 8).value = None
        ws.merge_cells("H2:H4")
    if hidden_first:
        old = book.create_sheet("Old log", 0)
        old.append(["case_ref", "kind"])
        old.sheet_state = "hidden"
    if second_visible:
        book.create_sheet("Pivot").append(["Team", "Cases"])
    if far:
        ws["XFD1048576"] = "x"
    book.save(path)


def _writing_query(path: Path) -> dict:
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("CREATE TABLE cases (case_ref, kind, procedure, stage, received)")
    con.close()
    return {"query": "DROP TABLE cases"}


GENERATED = {
    "merged_cells.xlsx": (lambda p: _workbook(p, merged=True), 0,
                          "note: {path}: sheet 'Cases' has 1 merged cell range; every cell of a merged range was read "
                          "as holding its value, as Excel shows it."),
    "hidden_first_sheet.xlsx": (lambda p: _workbook(p, hidden_first=True), 0, ""),
    "two_visible_sheets.xlsx": (lambda p: _workbook(p, second_visible=True), 2,
                                "error: {path}: has 2 visible sheets (Cases, Pivot); say which holds the case log with "
                                "sheet: in the params file (e.g. sheet: Cases)"),
    "far_cell.xlsx": (lambda p: _workbook(p, far=True), 2,
                      "error: {path}: sheet 'Cases' has a value in cell XFD1048576, too far out for a case log (at "
                      "most 1,000 columns); delete it in Excel (Ctrl+End goes to the last cell) and save the "
                      "workbook again"),
    "writing_query.db": (_writing_query, 2,
                         "error: {path}: query: may only read (one SELECT statement); 'DROP TABLE cases' was refused "
                         "and nothing was changed; check query: in the params file"),
}


@pytest.mark.parametrize("name", GENERATED)
def test_generated_workbooks_and_databases(name, tmp_path, monkeypatch_module):
    build, status, line = GENERATED[name]
    path = tmp_path / name
    extra = build(path) or {}
    params = params_for(tmp_path, name, **extra)
    params.write_text(params.read_text().replace(f"{C}/{name}", str(path)), encoding="utf-8")
    result = invoke("validate", str(params))
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output
    if status == 2:
        assert result.stderr == line.format(path=path) + "\n"
    else:
        assert [l for l in result.stdout.splitlines() if l.startswith(("row ", "note: "))] == (
            [line.format(path=path)] if line else [])
        assert result.stdout.startswith(f"{path}: 3 rows read, 3 used, 0 excluded")


def test_every_case_is_documented():
    documented = DOC.read_text()
    for name in [*PARAMS_CASES, *UNREADABLE, *ROWS, *GENERATED]:
        assert f"`{name}`" in documented, name
    assert len(PARAMS_CASES) + len(UNREADABLE) + len(ROWS) >= 25


def test_the_merged_ranges_note_reaches_the_manifest(tmp_path, monkeypatch_module):
    import json

    path = tmp_path / "merged_cells.xlsx"
    _workbook(path, merged=True)
    params = params_for(tmp_path, "merged_cells.xlsx")
    params.write_text(params.read_text().replace(f"{C}/merged_cells.xlsx", str(path)), encoding="utf-8")
    result = invoke("render", str(params), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "good" / "manifest.json").read_text())
    assert manifest["data_notes"] == [f"{path}: sheet 'Cases' has 1 merged cell range; every cell of a merged range "
                                      "was read as holding its value, as Excel shows it."]
    assert manifest["rows"]["used"] == 3
