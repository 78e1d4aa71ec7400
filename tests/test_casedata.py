"""Reading and validating a case log: every format, every fatal error's exact line, every bad row's exact listing.

Row numbers are as a spreadsheet shows them: header = row 1, first data row = row 2 (blank lines counted).
Small fixtures live in tests/corpus/ (one per case, bytes exactly as written); binary ones (.xlsx, SQLite)
are built here in tmp_path.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from reportlib import casedata, sources
import reportlib.sources.database  # noqa: F401 - patched below
import reportlib.sources.text  # noqa: F401 - patched below
from reportlib.casedata import KINDS, OMBUDSMAN, OUTCOMES, PROBLEM_COLUMNS, PROCEDURES, REMEDIES, Source
from reportlib.errors import DataError
from reportlib.rows import BAD_COMPENSATION

CORPUS = Path(__file__).parent / "corpus"
HEADER = "case_ref,kind,procedure,stage,received,responded\n"
T = pd.Timestamp
UNKNOWN_OUTCOME = ("unknown outcome: use upheld, partly upheld, not upheld or withdrawn, or map it under values: "
                   "outcome: in the params file")
NAMES_NOTE = ("log.xlsx: column 'Complainant' was not read as complainant: it holds values other than child or "
              "young person, parent or carer, advocate or other (names?); if it says who made each complaint, map "
              "it under columns: in the params file (complainant: Complainant)")


def load(name, root=CORPUS, latest=None, **source):
    """Load a case log by a name relative to ``root`` (messages then name the file as the params file does)."""
    return casedata.load(Source(str(name), **source), root, latest)


def write(tmp_path, content, name="cases.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return name


def problems(log) -> list[tuple]:
    return [tuple(r) for r in log.problems[["row", "case_ref", "column", "value", "problem", "action"]].itertuples(
        index=False)]


def fatal(tmp_path, content, name="cases.csv", **source) -> str:
    write(tmp_path, content, name)
    with pytest.raises(DataError) as e:
        load(name, tmp_path, **source)
    assert e.value.exit_status == 2
    return str(e.value)


# --- encodings and line endings ------------------------------------------------------------------------

ROWS = "A1,complaint,corporate,1,01/09/2020,03/09/2020\nA2,comment,adults,,02/09/2020,\n"


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), id="utf-8 with BOM"),
    pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), id="CRLF"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode("utf-8"), id="BOM and CRLF"),
    pytest.param(lambda t: t.replace("\n", "\r").encode("utf-8"), id="old Mac CR"),
    pytest.param(lambda t: t.replace(",", ";").encode("utf-8"), id="semicolons"),
])
def test_csv_encodings_and_line_endings(tmp_path, encode):
    log = load(write(tmp_path, encode(HEADER + ROWS)), tmp_path)
    assert log.summary() == "cases.csv: 2 rows read, 2 used, 0 excluded"
    assert log.notes == []
    c = log.cases
    assert c["case_ref"].tolist() == ["A1", "A2"]          # no BOM stuck to the first header or value
    assert c["row"].tolist() == [2, 3]
    assert c["received"].tolist() == [T("2020-09-01"), T("2020-09-02")]
    assert c["responded"].iloc[0] == T("2020-09-03") and pd.isna(c["responded"].iloc[1])


def test_utf8_bom_crlf_fixture_keeps_accents():
    log = load("utf8_bom_crlf.csv")
    assert log.notes == []
    assert log.cases["team"].tolist() == ["Café Services", "Équipe £"]


def test_windows_1252_is_read_with_a_note():
    log = load("windows_1252.csv")
    assert casedata.read(Source("windows_1252.csv"), CORPUS).frame["team"].tolist() == ["Café Services"]
    # Its outcome is free text, a bad row since outcomes are validated: listed with every character read right.
    assert problems(log) == [(2, "W1", "outcome", "upheld: £50 refund", UNKNOWN_OUTCOME, "excluded")]
    assert log.notes == ["windows_1252.csv is not UTF-8; it was read as Windows-1252 (Excel's 'CSV' format). "
                         "Save it as 'CSV UTF-8' to be sure of accented characters."]


def test_non_ascii_utf8_beyond_the_first_lines(tmp_path):
    # a UTF-8 character far down a long file must not make it look like Windows-1252
    body = "".join(f"A{i},complaint,corporate,1,01/09/2020,\n" for i in range(5000))
    log = load(write(tmp_path, HEADER + body + "A5000,complaint,corporate,1,01/09/2020,\n".replace(
        "A5000", "Ré5000")), tmp_path)
    assert log.notes == [] and log.cases["case_ref"].iloc[-1] == "Ré5000" and log.rows_read == 5001


# --- fatal: the file cannot be read as a case log -------------------------------------------------------

def test_binary_garbage_refused(tmp_path):
    garbage = bytes(range(256)) * 4
    assert fatal(tmp_path, garbage) == ("cases.csv: not a CSV text file (it holds binary data); export the case log "
                                        "as CSV UTF-8 or .xlsx")


def test_text_in_no_known_encoding_refused(tmp_path):
    # 0x81 and 0x8D are undefined in Windows-1252 and invalid in UTF-8
    assert fatal(tmp_path, HEADER.encode() + b"A1,complaint,corporate,1,01/09/2020,\x81\x8d\n") == (
        "cases.csv: not UTF-8 or Windows-1252 text; save it from Excel as 'CSV UTF-8 (Comma delimited)'")


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n"], ids=["zero bytes", "only blank lines"])
def test_empty_file(tmp_path, content):
    assert fatal(tmp_path, content) == "cases.csv: the file is empty; export the case log again"


@pytest.mark.parametrize("content", [HEADER, HEADER + "\n\n,,,,,\n"], ids=["header only", "header and blanks"])
def test_header_only(tmp_path, content):
    assert fatal(tmp_path, content) == "cases.csv: has a header but no rows; export the case log again"


def test_missing_file(tmp_path):
    with pytest.raises(DataError) as e:
        load("nope.csv", tmp_path)
    assert str(e.value) == ("nope.csv: case log not found; check data: in the params file (relative paths start at "
                            "the project folder)")


def test_required_column_missing(tmp_path):
    assert fatal(tmp_path, "case_ref,kind,stage,received\nA1,complaint,1,01/09/2020\n") == (
        "cases.csv: required column 'procedure' is missing; map it under columns: in the params file "
        "(e.g. procedure: Your Header)")


def test_mapped_header_not_in_file(tmp_path):
    content = "Ref,Type,Procedure,Stage,Received\nA1,complaint,corporate,1,01/09/2020\n"
    assert fatal(tmp_path, content, columns={"case_ref": "Ref No", "kind": "Type"}) == (
        "cases.csv: column 'Ref No' (mapped to case_ref under columns: in the params file) is not in the file; its "
        "headers are: Ref, Type, Procedure, Stage, Received")


def test_mapped_header_not_in_file_lists_the_header_row_not_a_title_line(tmp_path):
    content = "Complaints export\n\nRef,Type,Procedure,Stage,Received\nA1,complaint,corporate,1,01/09/2020\n"
    assert fatal(tmp_path, content, columns={"case_ref": "Ref No", "kind": "Type"}) == (
        "cases.csv: column 'Ref No' (mapped to case_ref under columns: in the params file) is not in the file; its "
        "headers are: Ref, Type, Procedure, Stage, Received")


def test_a_row_with_too_many_fields_is_listed_by_its_number_only(tmp_path):
    content = HEADER + "A1,complaint,corporate,1,01/09/2020,\nA2,complaint,corporate,1,01/09/2020,,Smith, J\n"
    log = load(write(tmp_path, content), tmp_path)
    assert problems(log) == [(3, "", "", "", "wrong number of fields: has 8 fields, the header has 6; check the quotes "
                                             "and line breaks in this row (no value of it is read)", "excluded")]
    assert log.summary() == "cases.csv: 2 rows read, 1 used, 1 excluded"


def test_old_excel_refused(tmp_path):
    assert fatal(tmp_path, b"\xd0\xcf\x11\xe0 not really", "cases.xls") == (
        "cases.xls: old Excel .xls files are not read; open it in Excel and save it as .xlsx or CSV UTF-8")


def test_a_folder_refused(tmp_path):
    (tmp_path / "exports").mkdir()
    with pytest.raises(DataError, match=r"^exports: is a folder, not a case-log file; point data: at the export file$"):
        load("exports", tmp_path)


# --- where the header is, and row numbers ---------------------------------------------------------------

def test_header_on_row_3_below_title_lines():
    log = load("header_on_row_3.csv")
    assert log.notes == ["header_on_row_3.csv: the header is on row 3; the 2 row(s) above it were skipped."]
    # first data row is row 4; the blank line (row 6) is counted but is not a row of the log
    assert log.cases["row"].tolist() == [4, 5]
    assert problems(log) == [(7, "T3", "received", "31/02/2020", "impossible date (no such day)", "excluded")]
    assert log.summary() == "header_on_row_3.csv: 3 rows read, 2 used, 1 excluded"


def test_row_numbers_count_blank_lines(tmp_path):
    content = (HEADER + "A1,complaint,corporate,1,01/09/2020,\n\n\nA2,complaint,corporate,1,31/02/2020,\n"
               "   \nA3,complaint,corporate,1,01/09/2020,\n\n")
    log = load(write(tmp_path, content), tmp_path)
    assert log.cases["row"].tolist() == [2, 7]
    assert problems(log) == [(5, "A2", "received", "31/02/2020", "impossible date (no such day)", "excluded")]
    assert log.rows_read == 3


def test_quoted_newline_is_one_spreadsheet_row(tmp_path):
    content = ("case_ref,kind,procedure,stage,received,notes\n"
               'A1,complaint,corporate,1,01/09/2020,"two\nlines"\n'
               "A2,complaint,corporate,1,31/02/2020,\n")
    log = load(write(tmp_path, content), tmp_path)
    assert problems(log) == [(3, "A2", "received", "31/02/2020", "impossible date (no such day)", "excluded")]


# --- the contract: only canonical columns, mapped names and codes ---------------------------------------

EXPORT_MAP = dict(
    columns={"case_ref": "Ref No", "kind": "Type", "procedure": "Directorate Code", "received": "Date Received",
             "responded": "Date Responded"},
    values={"kind": {"Complaint": "complaint", "Compliment": "compliment", "Comment": "comment"},
            "procedure": {"CSC": "childrens", "ASC": "adults", "CORP": "corporate"}},
)


def test_columns_outside_the_contract_are_dropped_at_the_door():
    raw = casedata.read(Source("export_with_codes.csv", columns=EXPORT_MAP["columns"]), CORPUS)
    assert list(raw.frame.columns) == ["row", "case_ref", "kind", "procedure", "stage", "received", "responded"]
    log = load("export_with_codes.csv", **EXPORT_MAP)
    everything = log.cases.astype(str).to_csv() + log.problems.astype(str).to_csv() + repr(raw)
    for personal in ("Jo Bloggs", "jo.bloggs@example.com", "Very upset", "Complainant", "Email", "Notes"):
        assert personal not in everything
    assert list(log.cases.columns) == ["row", "case_ref", "kind", "procedure", "stage", "received", "acknowledged",
                                       "responded", "team", "service", "delay_reason", "outcome", "extended",
                                       "subject", "remedy", "compensation", "refused_reason", "ombudsman",
                                       "complainant", "ombudsman_body", "panel_date", "advocacy"]
    assert log.present == {"case_ref", "kind", "procedure", "stage", "received", "responded"}


def test_value_mapping_exact_then_any_case():
    log = load("export_with_codes.csv", **EXPORT_MAP)
    assert problems(log) == []
    c = log.cases
    assert c["kind"].tolist() == ["complaint", "compliment", "comment"]       # COMPLIMENT matched Compliment
    assert c["procedure"].tolist() == ["childrens", "adults", "corporate"]
    assert c["stage"].tolist()[0] == 1                                         # "Stage 1" is stage 1
    assert c["received"].tolist() == [T("2020-09-01"), T("2020-09-02"), T("2020-09-02")]


def test_unmapped_codes_are_bad_rows():
    log = load("export_with_codes.csv", columns=EXPORT_MAP["columns"])
    assert problems(log)[:2] == [
        (2, "E1", "procedure", "CSC", "unknown procedure: use childrens, adults or corporate, or map it under values: "
                                      "procedure: in the params file", "excluded"),
        (3, "E2", "procedure", "ASC", "unknown procedure: use childrens, adults or corporate, or map it under values: "
                                      "procedure: in the params file", "excluded")]


def test_headers_matched_loosely_and_values_stripped(tmp_path):
    content = ("Case Ref , KIND,Procedure,stage,Received\n"
               "  A1 ,  Complaint , Corporate ,  1 , 01/09/2020 \n")
    log = load(write(tmp_path, content), tmp_path)
    assert problems(log) == []
    row = log.cases.iloc[0]
    assert (row["case_ref"], row["kind"], row["procedure"], row["stage"], row["received"]) == (
        "A1", "complaint", "corporate", 1, T("2020-09-01"))


def test_typed_columns():
    c = load("utf8_bom_crlf.csv").cases
    assert list(c["kind"].cat.categories) == list(KINDS)
    assert list(c["procedure"].cat.categories) == list(PROCEDURES)
    assert str(c["stage"].dtype) == "Int8"
    assert all(c[d].dtype.kind == "M" for d in ("received", "acknowledged", "responded"))
    assert c["row"].dtype == np.int64
    assert c["extended"].dtype == bool


# --- .xlsx ----------------------------------------------------------------------------------------------

def _workbook(path: Path, title_rows: int = 0):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Cases"
    for i in range(title_rows):
        ws.append([f"Complaints log, title line {i + 1}"])
    ws.append(["Case Ref", "Kind", "Procedure", "Stage", "Received", "Responded", "Complainant", "Extended"])
    ws.append([12345, "complaint", "corporate", 1, dt.datetime(2020, 5, 7), dt.datetime(2020, 5, 11, 16, 30),
               "Jo Bloggs", True])
    ws.append(["X2", "complaint", "corporate", 2.0, "07/05/2020", "2020-05-11", "Al Jones", "no"])
    ws.append(["X3", "comment", "adults", None, dt.date(2020, 5, 7), None, None, None])
    ws.append(["X4", "complaint", "corporate", "1", "31/02/2020", None, "Sam", None])
    other = book.create_sheet("Notes")
    other.append(["nothing", "here"])
    book.save(path)


def test_xlsx_date_cells_and_text_dates(tmp_path):
    _workbook(tmp_path / "log.xlsx", title_rows=2)
    log = load("log.xlsx", tmp_path, columns={"case_ref": "Case Ref"}, sheet="Cases")
    assert log.notes == ["log.xlsx: the header is on row 3; the 2 row(s) above it were skipped.", NAMES_NOTE]
    c = log.cases
    assert c["row"].tolist() == [4, 5, 6]                    # header on row 3
    assert c["case_ref"].tolist() == ["12345", "X2", "X3"]   # a number cell is text, without '.0'
    assert c["stage"].tolist()[:2] == [1, 2]                 # 2.0 is stage 2
    assert c["received"].tolist() == [T("2020-05-07")] * 3   # date cell, UK text, date cell
    assert c["responded"].tolist()[:2] == [T("2020-05-11")] * 2  # datetime cell counts by its day; ISO text
    assert c["extended"].tolist() == [True, False, False]   # a TRUE cell is yes
    assert problems(log) == [
        (5, "X2", "stage", "2", "no stage 1 row for this case: counted from its first stage in the log", "kept"),
        (7, "X4", "received", "31/02/2020", "impossible date (no such day)", "excluded")]
    raw = casedata.read(Source("log.xlsx", columns={"case_ref": "Case Ref"}, sheet=0), tmp_path)
    assert "Complainant" not in raw.frame and "complainant" not in raw.frame   # names: dropped at the door
    assert "Jo Bloggs" not in repr(raw) + log.cases.astype(str).to_csv()


def test_xlsx_sheet_by_name_and_missing_sheet(tmp_path):
    _workbook(tmp_path / "log.xlsx")
    assert load("log.xlsx", tmp_path, columns={"case_ref": "Case Ref"}, sheet="Cases").rows_read == 4
    with pytest.raises(DataError) as e:
        load("log.xlsx", tmp_path, columns={"case_ref": "Case Ref"}, sheet="2020-21")
    assert str(e.value) == "log.xlsx: no sheet '2020-21' (sheet: in the params file); its sheets are: Cases, Notes"


def test_xlsx_that_is_not_a_workbook(tmp_path):
    assert fatal(tmp_path, b"PK\x03\x04 broken zip", "log.xlsx") == (
        "log.xlsx: not a readable .xlsx workbook; open it in Excel and save it again as .xlsx")


# --- SQLite ---------------------------------------------------------------------------------------------

def _database(path: Path):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE cases (case_ref TEXT, kind TEXT, procedure TEXT, stage INTEGER, received TEXT, "
                "responded TEXT, email TEXT)")
    con.execute("CREATE TABLE audit (x)")
    con.executemany("INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?)", [
        ("D1", "complaint", "adults", 1, "2020-05-07", "2020-05-11", "a@example.com"),
        ("D2", "comment", "adults", None, "07/05/2020", None, "b@example.com"),
        ("D3", "compliment", "corporate", None, "2020-13-01", None, "c@example.com"),
    ])
    con.commit()
    con.close()


def test_sqlite_table(tmp_path):
    _database(tmp_path / "log.db")
    log = load("log.db", tmp_path, table="cases")
    assert log.cases["case_ref"].tolist() == ["D1", "D2"]
    assert log.cases["row"].tolist() == [1, 2]   # a database has record numbers, not spreadsheet rows
    assert log.cases["stage"].tolist()[0] == 1
    assert problems(log) == [(3, "D3", "received", "2020-13-01", "impossible date (no such day)", "excluded")]
    assert "email" not in casedata.read(Source("log.db", table="cases"), tmp_path).frame


def test_sqlite_query(tmp_path):
    _database(tmp_path / "log.db")
    log = load("log.db", tmp_path, query="SELECT * FROM cases WHERE kind = 'complaint'")
    assert log.cases["case_ref"].tolist() == ["D1"] and problems(log) == []


@pytest.mark.parametrize("source, message", [
    ({}, "log.db: say which table holds the case log with table: in the params file; the database has: audit, cases"),
    ({"table": "complaints"}, "log.db: no table 'complaints' (table: in the params file)"),
    ({"query": "SELECT nope FROM cases"},
     "log.db: the query failed: no such column: nope; check query: in the params file"),
])
def test_sqlite_errors(tmp_path, source, message):
    _database(tmp_path / "log.db")
    with pytest.raises(DataError) as e:
        load("log.db", tmp_path, **source)
    assert str(e.value) == message


# --- dates ----------------------------------------------------------------------------------------------

def test_excel_serials_iso_and_uk_dates():
    log = load("excel_serial_dates.csv")
    c = log.cases
    assert c["case_ref"].tolist() == ["S1", "S2", "S3", "S4"]
    assert c["received"].tolist() == [T("2020-05-07")] * 4
    assert c["responded"].tolist() == [T("2020-05-11")] * 4
    assert problems(log) == [(6, "S5", "received", "12345", "not a date: write 18/08/2020 or 2020-08-18", "excluded")]


@pytest.mark.parametrize("text, expected", [
    ("2020-08-18", "2020-08-18"),
    ("18/08/2020", "2020-08-18"),
    ("01/09/2020", "2020-09-01"),                # day first: 1 September, never 9 January
    ("1/9/2020", "2020-09-01"),
    ("18/08/2020 14:30", "2020-08-18"),
    ("2020-08-18T14:30:00", "2020-08-18"),
    ("2020-08-18 14:30", "2020-08-18"),
    ("44061", "2020-08-18"),                     # Excel serial
    ("29/02/2020", "2020-02-29"),                # a real leap day
])
def test_parse_dates_accepts(text, expected):
    dates, problem = casedata.parse_dates(pd.Series([text]))
    assert dates.tolist() == [T(expected)] and problem.tolist() == [""]


@pytest.mark.parametrize("text, message", [
    ("31/02/2020", "impossible date (no such day)"),
    ("29/02/2021", "impossible date (no such day)"),
    ("2020-02-30", "impossible date (no such day)"),
    ("12/25/2020", "impossible date: month above 12 (dates are read day first, 18/08/2020)"),
    ("25/12/20", "two-digit year: write the year in full, 18/08/2020"),
    ("18.08.2020", "not a date: write 18/08/2020 or 2020-08-18"),
    ("August 2020", "not a date: write 18/08/2020 or 2020-08-18"),
    ("12345", "not a date: write 18/08/2020 or 2020-08-18"),
])
def test_parse_dates_refuses(text, message):
    dates, problem = casedata.parse_dates(pd.Series([text]))
    assert dates.isna().all() and problem.tolist() == [message]


def test_parse_dates_blank_is_not_a_problem_and_keeps_the_index():
    dates, problem = casedata.parse_dates(pd.Series(["", "18/08/2020", "", "18/08/2020"], index=[10, 11, 12, 13]))
    assert dates.index.tolist() == [10, 11, 12, 13] and problem.tolist() == ["", "", "", ""]
    assert dates.isna().tolist() == [True, False, True, False]


# --- bad rows: each listed exactly, none dropped silently ------------------------------------------------

def test_every_kind_of_bad_row():
    log = load("bad_rows.csv")
    assert problems(log) == [
        (2, "B1", "received", "31/02/2020", "impossible date (no such day)", "excluded"),
        (3, "B2", "received", "12/25/2020",
         "impossible date: month above 12 (dates are read day first, 18/08/2020)", "excluded"),
        (4, "B3", "received", "25/12/20", "two-digit year: write the year in full, 18/08/2020", "excluded"),
        (5, "B4", "responded", "01/09/2020", "responded before received", "excluded"),
        (6, "B5", "kind", "grumble", "unknown kind: use complaint, comment or compliment, or map it under values: "
                                     "kind: in the params file", "excluded"),
        (7, "B6", "procedure", "education", "unknown procedure: use childrens, adults or corporate, or map it under "
                                            "values: procedure: in the params file", "excluded"),
        (8, "B7", "stage", "", "stage is blank on a complaint: give 1, 2 or 3", "excluded"),
        (10, "B8", "case_ref", "B8", "duplicate case_ref + stage + kind: same as row 9", "excluded"),
        (11, "B9", "stage", "2", "no stage 1 row for this case: counted from its first stage in the log", "kept"),
        (12, "B10", "received", "soon", "not a date: write 18/08/2020 or 2020-08-18", "excluded"),
        (13, "", "case_ref", "", "case_ref is blank", "excluded"),
        (14, "B11", "received", "", "received is blank", "excluded"),
        (15, "B12", "stage", "4", "unknown stage: use 1, 2 or 3", "excluded"),
        (16, "B13", "extended", "maybe", "extended must be yes or no", "excluded"),
        (17, "B14", "acknowledged", "02/09/2020", "acknowledged before received", "excluded"),
    ]
    # nothing dropped silently: every row read is used or listed as excluded
    assert log.rows_read == 17 and log.rows_used == 3 and log.rows_excluded == 14
    assert log.rows_used + log.rows_excluded == log.rows_read
    assert log.cases["row"].tolist() == [9, 11, 18]     # the first of the duplicates is kept, so is stage 2
    assert log.summary() == "bad_rows.csv: 17 rows read, 3 used, 14 excluded, 1 kept with a warning"


def test_a_row_with_two_problems_is_excluded_once(tmp_path):
    log = load(write(tmp_path, HEADER + "A1,grumble,nowhere,1,31/02/2020,\nA2,complaint,corporate,1,01/09/2020,\n"),
               tmp_path)
    assert [(p[0], p[2]) for p in problems(log)] == [(2, "kind"), (2, "procedure"), (2, "received")]
    assert (log.rows_read, log.rows_used, log.rows_excluded) == (2, 1, 1)


def test_duplicates_point_at_the_first(tmp_path):
    content = HEADER + (
        "A1,complaint,corporate,1,01/09/2020,\n"     # 2 first
        "A1,complaint,corporate,2,01/10/2020,\n"     # 3 another stage: fine
        "A1,compliment,corporate,,01/09/2020,\n"     # 4 another kind: fine
        "A1,complaint,corporate,1,02/09/2020,\n"     # 5 duplicate of 2
        "A1,Complaint,corporate,Stage 1,03/09/2020,\n"  # 6 duplicate of 2 (same after normalising)
        "A1,compliment,corporate,,05/09/2020,\n")    # 7 duplicate of 4
    log = load(write(tmp_path, content), tmp_path)
    assert problems(log) == [
        (5, "A1", "case_ref", "A1", "duplicate case_ref + stage + kind: same as row 2", "excluded"),
        (6, "A1", "case_ref", "A1", "duplicate case_ref + stage + kind: same as row 2", "excluded"),
        (7, "A1", "case_ref", "A1", "duplicate case_ref + stage + kind: same as row 4", "excluded"),
    ]
    assert log.cases["row"].tolist() == [2, 3, 4]


def test_a_bad_row_does_not_make_its_copy_a_duplicate(tmp_path):
    content = HEADER + "A1,complaint,corporate,1,31/02/2020,\nA1,complaint,corporate,1,01/09/2020,\n"
    log = load(write(tmp_path, content), tmp_path)
    assert [p[4] for p in problems(log)] == ["impossible date (no such day)"]
    assert log.cases["row"].tolist() == [3]


def test_stage_2_without_stage_1_is_kept_with_a_warning(tmp_path):
    content = HEADER + "A1,complaint,childrens,2,01/09/2020,\nA2,complaint,childrens,1,01/09/2020,\n" \
                       "A2,complaint,childrens,3,01/11/2020,\n"
    log = load(write(tmp_path, content), tmp_path)
    assert problems(log) == [
        (2, "A1", "stage", "2", "no stage 1 row for this case: counted from its first stage in the log", "kept")]
    assert log.rows_used == 3 and log.rows_excluded == 0 and log.warnings == 1


def test_dates_after_the_meeting_are_excluded(tmp_path):
    content = HEADER + ("A1,complaint,corporate,1,15/01/2021,20/01/2021\n"    # on the meeting date: fine
                        "A2,complaint,corporate,1,15/01/2021,21/01/2021\n"    # the day after
                        "A3,complaint,corporate,1,15/09/2030,\n")             # a typo for 2020
    log = load(write(tmp_path, content), tmp_path, latest=dt.date(2021, 1, 20))
    assert problems(log) == [
        (3, "A2", "responded", "21/01/2021", "date is after the meeting date (20/01/2021): a typo or a future date",
         "excluded"),
        (4, "A3", "received", "15/09/2030", "date is after the meeting date (20/01/2021): a typo or a future date",
         "excluded"),
    ]
    assert load("cases.csv", tmp_path).rows_excluded == 0       # without a meeting date nothing is in the future


def test_comments_and_compliments_need_no_stage(tmp_path):
    content = HEADER + "A1,comment,adults,,01/09/2020,\nA2,compliment,childrens,,01/09/2020,\n"
    log = load(write(tmp_path, content), tmp_path)
    assert problems(log) == [] and log.cases["stage"].isna().all()


def test_no_problems_writes_a_header_only_file(tmp_path):
    log = load(write(tmp_path, HEADER + ROWS), tmp_path)
    casedata.write_problems(log, tmp_path / "data_quality.csv")
    assert (tmp_path / "data_quality.csv").read_text() == ",".join(PROBLEM_COLUMNS) + "\n"


def test_problems_file_lists_each_problem(tmp_path):
    log = load("bad_rows.csv")
    casedata.write_problems(log, tmp_path / "data_quality.csv")
    lines = (tmp_path / "data_quality.csv").read_text().splitlines()
    assert lines[0] == "row,case_ref,column,value,problem,action"
    assert lines[1] == "2,B1,received,31/02/2020,impossible date (no such day),excluded"
    assert len(lines) == 1 + 15


def test_many_rows_keep_their_row_numbers(tmp_path):
    # the vectorised path (codes per distinct value) must keep each problem on its own row
    n = 3000
    lines = [f"C{i},complaint,corporate,1,{'31/02/2020' if i % 1000 == 7 else '01/09/2020'},\n" for i in range(n)]
    log = load(write(tmp_path, HEADER + "".join(lines)), tmp_path)
    assert [(p[0], p[1]) for p in problems(log)] == [(9, "C7"), (1009, "C1007"), (2009, "C2007")]
    assert log.rows_used == n - 3


def test_database_url_takes_variables_from_the_project_env_file(tmp_path, monkeypatch):
    """${NAME} in data: comes from the environment or the git-ignored .env of the project folder."""
    import sqlite3

    db = tmp_path / "exports" / "complaints.db"
    db.parent.mkdir()
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE cases (case_ref, kind, procedure, stage, received)")
        conn.execute("INSERT INTO cases VALUES ('A1', 'complaint', 'corporate', 1, '2020-09-01')")
    (tmp_path / ".env").write_text(f"EXPORTS_DIR={db.parent}\n")
    monkeypatch.delenv("EXPORTS_DIR", raising=False)
    source = casedata.Source("sqlite:///${EXPORTS_DIR}/complaints.db", table="cases")
    assert casedata.load(source, root=tmp_path).rows_used == 1
    with pytest.raises(DataError) as e:
        casedata.load(source, root=tmp_path / "exports")
    assert str(e.value) == ("sqlite:///${EXPORTS_DIR}/complaints.db: environment variable EXPORTS_DIR is not set; "
                            "set it, or put it in the project's .env file, before running reportlib")


# --- the optional columns: subject, remedy, compensation, refused_reason, ombudsman, complainant ---------

NEW = "case_ref,kind,procedure,stage,received,responded,outcome,subject,remedy,compensation,refused_reason," \
      "ombudsman,complainant\n"
OLD_COLUMNS = ["row", "case_ref", "kind", "procedure", "stage", "received", "acknowledged", "responded", "team",
               "service", "delay_reason", "outcome", "extended"]


def new_columns(tmp_path, *cells: str, values=None, columns=None, header=NEW):
    """A log whose rows N1, N2... are complaints answered 03/09/2020 with these cells after ``responded``."""
    rows = "".join(f"N{i},complaint,childrens,1,01/09/2020,03/09/2020,{c}\n" for i, c in enumerate(cells, 1))
    return load(write(tmp_path, header + rows), tmp_path, values=values or {}, columns=columns or {})


def test_good_values_of_the_optional_columns(tmp_path):
    log = new_columns(
        tmp_path,
        "Upheld,Communication,Apology,,,,parent or carer",
        "partly   UPHELD,Delay,financial; apology ;apology,\"£1,250.00\",,Not Investigated,Advocate",
        "not upheld, Staff conduct ,Service  Improvement;explanation;,250,,pending,",
        "withdrawn,,,\" 1,250 \",out of time,upheld,child or young person",
        ",,,250.50,legal proceedings,not upheld,",
        ",,action taken;other;explanation;apology;financial;service improvement,0,,,")
    assert problems(log) == []
    c = log.cases
    assert isinstance(c["outcome"].dtype, pd.CategoricalDtype)
    assert tuple(c["outcome"].cat.categories) == OUTCOMES == ("upheld", "partly upheld", "not upheld", "withdrawn")
    assert c["outcome"].tolist()[:4] == ["upheld", "partly upheld", "not upheld", "withdrawn"]
    assert c["outcome"].isna().tolist() == [False] * 4 + [True] * 2
    assert c["subject"].tolist()[:3] == ["Communication", "Delay", "Staff conduct"] and c["subject"].isna().sum() == 3
    assert c["remedy"].astype(object).where(c["remedy"].notna(), None).tolist() == [
        "apology", "apology;financial", "explanation;service improvement", None, None,
        "apology;explanation;financial;service improvement;action taken;other"]
    assert c["compensation"].dtype == np.float64
    assert c["compensation"].fillna(-1).tolist() == [-1, 1250.0, 250.0, 1250.0, 250.5, 0.0]
    assert c["refused_reason"].astype(object).where(c["refused_reason"].notna(), None).tolist() == [
        None, None, None, "out of time", "legal proceedings", None]
    assert tuple(c["ombudsman"].cat.categories) == OMBUDSMAN == ("pending", "upheld", "not upheld",
                                                                 "not investigated")
    assert c["ombudsman"].astype(object).where(c["ombudsman"].notna(), None).tolist() == [
        None, "not investigated", "pending", "upheld", "not upheld", None]
    assert c["complainant"].astype(object).where(c["complainant"].notna(), None).tolist() == [
        "parent or carer", "Advocate", None, "child or young person", None, None]
    for col in ("subject", "remedy", "refused_reason", "complainant"):
        assert isinstance(c[col].dtype, pd.CategoricalDtype), col
    assert REMEDIES == ("apology", "explanation", "financial", "service improvement", "action taken", "other")


def test_a_refused_row_stays_in_the_cases(tmp_path):
    log = new_columns(tmp_path, ",,,,Not a complaint (service request),,", "upheld,,apology,,,,")
    assert problems(log) == [] and log.rows_used == 2
    assert log.cases["refused_reason"].astype(object).fillna("").tolist() == ["Not a complaint (service request)", ""]


@pytest.mark.parametrize("cells, column, value, problem", [
    ("yes,,,,,,", "outcome", "yes", UNKNOWN_OUTCOME),
    ("upheld: £50 refund,,,,,,", "outcome", "upheld: £50 refund", UNKNOWN_OUTCOME),
    ("partlyupheld,,,,,,", "outcome", "partlyupheld", UNKNOWN_OUTCOME),
    ("upheld,,apology;Refund,,,,", "remedy", "apology;Refund",
     "unknown remedy 'Refund': use apology, explanation, financial, service improvement, action taken or other "
     "(separate several with ;), or map it under values: remedy: in the params file"),
    ("upheld,,apology and explanation,,,,", "remedy", "apology and explanation",
     "unknown remedy 'apology and explanation': use apology, explanation, financial, service improvement, action "
     "taken or other (separate several with ;), or map it under values: remedy: in the params file"),
    ("upheld,,,fifty pounds,,,", "compensation", "fifty pounds", BAD_COMPENSATION),
    ("upheld,,,-50,,,", "compensation", "-50", BAD_COMPENSATION),
    ("upheld,,,£-50,,,", "compensation", "£-50", BAD_COMPENSATION),
    ("upheld,,,\"1,25\",,,", "compensation", "1,25", BAD_COMPENSATION),
    ("upheld,,,250 GBP,,,", "compensation", "250 GBP", BAD_COMPENSATION),
    ("upheld,,,,,premature,", "ombudsman", "premature",
     "unknown Ombudsman decision: use pending, upheld, not upheld or not investigated, or map it under values: "
     "ombudsman: in the params file"),
])
def test_bad_values_of_the_optional_columns(tmp_path, cells, column, value, problem):
    log = new_columns(tmp_path, cells, "upheld,,,,,,")
    assert problems(log) == [(2, "N1", column, value, problem, "excluded")]
    assert log.cases["case_ref"].tolist() == ["N2"]


def test_the_compensation_message_is_exact():
    assert BAD_COMPENSATION == "compensation is not an amount in pounds (e.g. 250 or £1,250.50)"


def test_values_mapping_of_the_optional_columns(tmp_path):
    values = {"outcome": {"Yes": "upheld", "Part": "partly upheld", "No": "Not Upheld"},
              "remedy": {"Sorry": "apology", "REFUND": "financial", "Apology and explanation": "apology;explanation"},
              "ombudsman": {"Premature": "not investigated", "Awaiting": "pending"},
              "complainant": {"P": "parent or carer"}}
    log = new_columns(tmp_path,
                      "yes,,Sorry; refund,25,,premature,P",          # codes matched exactly, then ignoring case
                      "Part,,Apology and explanation;financial,,,Awaiting,",
                      "No,,Sorry;apology,,,,", values=values)
    assert problems(log) == []
    c = log.cases
    assert c["outcome"].tolist() == ["upheld", "partly upheld", "not upheld"]
    assert c["remedy"].tolist() == ["apology;financial", "apology;explanation;financial", "apology"]  # per item
    assert c["ombudsman"].tolist()[:2] == ["not investigated", "pending"]
    assert c["complainant"].tolist()[0] == "parent or carer"
    # A whole-cell code is not an item: "Sorry; refund" maps item by item, a cell never as a whole.
    log = new_columns(tmp_path, "upheld,,Sorry;Oops,,,,", values=values)
    assert [p[4] for p in problems(log)] == [
        "unknown remedy 'Oops': use apology, explanation, financial, service improvement, action taken or other "
        "(separate several with ;), or map it under values: remedy: in the params file"]


def test_present_names_the_columns_the_source_has(tmp_path):
    log = new_columns(tmp_path, "upheld,Delay,,,,,")
    assert log.present == {"case_ref", "kind", "procedure", "stage", "received", "responded", "outcome", "subject",
                           "remedy", "compensation", "refused_reason", "ombudsman", "complainant"}
    header = "Ref,kind,procedure,stage,received,Category,Money\n"
    log = load(write(tmp_path, header + "R1,complaint,adults,1,01/09/2020,Delay,£10\n"), tmp_path,
               columns={"case_ref": "Ref", "subject": "Category", "compensation": "Money"})
    assert log.present == {"case_ref", "kind", "procedure", "stage", "received", "subject", "compensation"}
    assert log.cases["subject"].tolist() == ["Delay"] and log.cases["compensation"].tolist() == [10.0]
    assert load(write(tmp_path, HEADER + ROWS), tmp_path).present == {
        "case_ref", "kind", "procedure", "stage", "received", "responded"}


def test_without_the_optional_columns_they_are_typed_and_missing(tmp_path):
    c = load(write(tmp_path, HEADER + ROWS), tmp_path).cases
    for col in ("subject", "remedy", "refused_reason", "ombudsman", "complainant", "outcome"):
        assert isinstance(c[col].dtype, pd.CategoricalDtype) and c[col].isna().all(), col
    assert c["compensation"].dtype == np.float64 and c["compensation"].isna().all()
    assert tuple(c["ombudsman"].cat.categories) == OMBUDSMAN and tuple(c["outcome"].cat.categories) == OUTCOMES


def _fingerprint(log) -> str:
    text = (log.cases[OLD_COLUMNS].astype(str).to_csv() + log.problems.astype(str).to_csv() + repr(log.notes)
            + log.summary())
    return __import__("hashlib").sha256(text.encode("utf-8")).hexdigest()[:16]


@pytest.mark.parametrize("name, source, digest", [
    ("bad_rows.csv", {}, "b1434654563e2d52"),
    ("excel_serial_dates.csv", {}, "301a42281996aa83"),
    ("header_on_row_3.csv", {}, "bcf1d369618d6649"),
    ("utf8_bom_crlf.csv", {}, "a11474bef0158064"),
    ("export_with_codes.csv", EXPORT_MAP, "1085ab0d5eda6768"),
    ("export_with_codes.csv", {"columns": EXPORT_MAP["columns"]}, "55290f3c4e6c8d4b"),
])
def test_a_log_without_the_optional_columns_validates_exactly_as_before(name, source, digest):
    """Digests of the cases (the columns there were before) and the problems, as the validator gave them before
    the optional columns were added."""
    assert _fingerprint(load(name, **source)) == digest


def test_blank_optional_columns_change_nothing(tmp_path):
    old = load("bad_rows.csv")
    text = (CORPUS / "bad_rows.csv").read_text().splitlines()
    text = [text[0] + ",subject,remedy,compensation,refused_reason,ombudsman,complainant"] + \
           [line + ",,,,,," for line in text[1:]]
    new = load(write(tmp_path, "\n".join(text) + "\n", "bad_rows.csv"), tmp_path)
    pd.testing.assert_frame_equal(new.cases[OLD_COLUMNS], old.cases[OLD_COLUMNS])
    pd.testing.assert_frame_equal(new.problems, old.problems)


def test_a_complainant_column_of_names_is_dropped_at_the_door(tmp_path):
    content = HEADER.replace("\n", ",Complainant\n") + "A1,complaint,childrens,1,01/09/2020,,Jo Bloggs\n"
    log = load(write(tmp_path, content), tmp_path)
    assert log.notes == [NAMES_NOTE.replace("log.xlsx", "cases.csv")]
    assert "complainant" not in log.present and log.cases["complainant"].isna().all()
    assert "Jo Bloggs" not in repr(casedata.read(Source("cases.csv"), tmp_path))
    # Mapped under columns:, it is read as written: the officer says it is who made the complaint.
    log = load("cases.csv", tmp_path, columns={"complainant": "Complainant"})
    assert log.notes == [] and log.cases["complainant"].tolist() == ["Jo Bloggs"]
    # Found by its header, it is read when it says who: the SPEC's list, or codes mapped under values:.
    content = HEADER.replace("\n", ",Complainant\n") + "A1,complaint,childrens,1,01/09/2020,,Parent  or Carer\n" \
                                                      "A2,complaint,childrens,1,01/09/2020,,YP\n"
    log = load(write(tmp_path, content), tmp_path, values={"complainant": {"yp": "child or young person"}})
    assert log.notes == [] and log.cases["complainant"].tolist() == ["Parent  or Carer", "child or young person"]


def test_problem_counts_group_unknown_remedies_whatever_the_item(tmp_path):
    log = new_columns(tmp_path, "upheld,,Refund,,,,", "upheld,,Oops: sorry,,,,", "upheld,,,x,,,")
    assert log.problem_counts() == [("unknown remedy", "remedy", "excluded", 2),
                                    ("compensation is not an amount in pounds (e.g. 250 or £1,250.50)",
                                     "compensation", "excluded", 1)]


# --- the two CSV readers agree --------------------------------------------------------------------------------------
# Arrow reads a CSV export (fast, on every core); Python's csv module reads it record by record when Arrow cannot
# parse it (a field longer than Arrow's blocks). Whichever reads a file, an officer must get the same rows, cells,
# row numbers and broken rows (tests/test_sources.py adds wrong field counts, encodings and NULs to this).

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CELL_CHARS = st.sampled_from(list('ab Zé1/-"\',;\t\n\r') + ["\x1c", "\xa0", "\u3000", "…"])
_CELLS = st.text(_CELL_CHARS, max_size=6)
_HEADERS = ["case_ref", "kind", "procedure", "stage", "received", "team", "Complainant", "notes"]


def _read_carefully(path: Path, monkeypatch) -> casedata.RawLog:
    with monkeypatch.context() as m:
        m.setattr(sources.text, "arrow_cells", lambda *a, **k: None)  # as for a file Arrow will not take
        return casedata.read(Source(str(path)))


def _read_both(path: Path, monkeypatch) -> tuple[casedata.RawLog, casedata.RawLog]:
    return casedata.read(Source(str(path))), _read_carefully(path, monkeypatch)


def _cells(raw: casedata.RawLog) -> dict[str, list]:
    return {c: raw.frame[c].astype(object).where(raw.frame[c].notna(), "").tolist() for c in raw.frame.columns}


@pytest.mark.slow  # seconds: hypothesis examples or whole notebooks
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELLS, min_size=len(_HEADERS), max_size=len(_HEADERS)), max_size=8),
       blank_at=st.lists(st.integers(0, 8), max_size=3), titles=st.integers(0, 2),
       sep=st.sampled_from([",", ";", "\t"]), newline=st.sampled_from(["\n", "\r\n"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_arrow_and_the_careful_reader_read_a_csv_alike(tmp_path, monkeypatch, rows, blank_at, titles, sep, newline, encoding):
    import csv as csv_mod
    import io

    rows = [[r[0] or "R1", "complaint", *r[2:]] for r in rows]  # some rows, not only blank ones
    buf = io.StringIO()
    for t in range(titles):  # a report-style export: title lines above the header
        buf.write(f"Case log export {t}{newline}")
    writer = csv_mod.writer(buf, delimiter=sep, lineterminator=newline)
    writer.writerow(_HEADERS)
    for i, r in enumerate(rows):
        if i in blank_at:
            buf.write(newline)  # a blank line: not a row, but counted in the row numbers after it
        writer.writerow(r)
    path = tmp_path / "log.csv"
    try:
        path.write_bytes(buf.getvalue().encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(buf.getvalue().encode("utf-8"))
    try:
        fast, careful = _read_both(path, monkeypatch)
    except DataError as e:  # both readers refuse the same file with the same line
        with pytest.raises(DataError) as again:
            _read_carefully(path, monkeypatch)
        assert str(e) == str(again.value)
        return
    assert _cells(fast) == _cells(careful)
    assert fast.notes == careful.notes
    for raw in (fast, careful):  # the categories are made without pandas' check that they are distinct: they must be
        for c in raw.frame.columns.drop("row"):
            assert raw.frame[c].cat.categories.is_unique, c


@pytest.mark.parametrize("text, broken", [
    ("case_ref,kind,procedure,received\nA1,complaint,adults,01/04/2024\nA2,complaint\n", [(3, 2)]),  # short
    ("case_ref,kind,procedure,received\nA1,complaint,adults,01/04/2024,extra\nA2,comment,adults,01/04/2024\n",
     [(2, 5)]),  # long
    ('case_ref,kind,procedure,received\nA0,comment,adults,01/04/2024\nA1,complaint,"adults,01/04/2024\n',
     [(3, 3)]),  # a quote never closed: the rest of the file is one field
    ("case_ref,kind,procedure,received\nA1,complaint,adults,01/04/2024\n\n  \n,,\n", []),  # blank lines at the end
])
def test_the_careful_reader_lists_the_same_broken_rows(tmp_path, monkeypatch, text, broken):
    """A row whose field count differs from the header's: left out by both readers, listed by its number."""
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    fast, careful = _read_both(path, monkeypatch)
    assert _cells(fast) == _cells(careful)
    for raw in (fast, careful):
        fields = raw.broken["problem"].str.extract(r"has (\d+)", expand=False).astype(int)
        assert list(zip(raw.broken["row"], fields)) == broken


def test_a_big_clean_csv_is_read_by_arrow(tmp_path, monkeypatch):
    """The fast reader is the one used for a clean export (not silently the careful one)."""
    path = tmp_path / "log.csv"
    path.write_text("case_ref,kind,procedure,received\n" + "".join(
        f"A{i}, complaint ,adults,01/04/2024\n" for i in range(2000)), encoding="utf-8")
    used = []
    real = sources.text.arrow_cells
    monkeypatch.setattr(sources.text, "arrow_cells", lambda *a, **k: used.append(1) or real(*a, **k))
    raw = casedata.read(Source(str(path)))
    assert used and isinstance(raw.frame["kind"].dtype, pd.CategoricalDtype)
    assert raw.frame["kind"].cat.categories.tolist() == ["complaint"]  # spaces stripped, one distinct value
    assert raw.frame["row"].tolist()[:2] == [2, 3] and len(raw.frame) == 2000


def test_a_row_filled_only_in_columns_the_report_does_not_read_is_still_a_row(tmp_path, monkeypatch):
    """Arrow keeps only the report's columns; a row blank in all of them but not in another column is a row
    (listed as bad), not a blank line, so the other columns are read for it."""
    path = tmp_path / "log.csv"
    path.write_text("case_ref,kind,procedure,received,notes\n"
                    "A1,complaint,adults,01/04/2024,\n"
                    ",,,,a note and nothing else\n"
                    "\n"
                    "A2,complaint,adults,02/04/2024,\n", encoding="utf-8")
    fast, careful = _read_both(path, monkeypatch)
    assert _cells(fast) == _cells(careful)
    assert fast.frame["row"].tolist() == [2, 3, 5]  # the blank line is not a row; the note's row is
    log = casedata.validate(fast)
    assert log.problems.loc[log.problems["row"] == 3, "problem"].tolist()[:1] == ["case_ref is blank"]


# --- the law as written: stages, the review panel, and the annual report's newer columns ---------------------

LAW = ("case_ref,kind,procedure,stage,received,responded,extended,panel_date,ombudsman,ombudsman_body,advocacy\n"
       "C1,complaint,corporate,1,01/09/2020,10/09/2020,no,,,,\n"
       "C1,complaint,corporate,2,14/09/2020,01/10/2020,no,,,,\n"
       "C1,complaint,corporate,3,05/10/2020,20/10/2020,no,,upheld,LGSCO,\n"
       "K1,complaint,childrens,1,01/09/2020,10/09/2020,yes,,,,Yes\n"
       "K1,complaint,childrens,3,05/10/2020,20/11/2020,yes,02/11/2020,,,yes\n"
       "K2,complaint,childrens,3,05/10/2020,20/11/2020,no,01/10/2020,not upheld,Housing,\n"
       "K3,complaint,childrens,1,01/09/2020,10/09/2020,no,,pending,parliamentary,maybe\n"
       "K4,complaint,childrens,1,01/09/2020,,no,,,,n\n")


def test_the_codes_two_stages_and_the_review_panels_no_extension(tmp_path):
    from reportlib.rows import CORPORATE_STAGE3, STAGE3_EXTENDED

    write(tmp_path, LAW)
    log = load("cases.csv", tmp_path)
    assert [p for p in problems(log) if p[2] in ("stage", "extended")] == [
        (4, "C1", "stage", "3", CORPORATE_STAGE3, "excluded"),
        (6, "K1", "extended", "yes", STAGE3_EXTENDED, "excluded"),
    ]
    assert CORPORATE_STAGE3 == ("corporate stage 3: the Complaint Handling Code has two stages; if the Council runs a "
                                "third, add local_stage3: yes to the params file")
    assert STAGE3_EXTENDED == ("extended at stage 3: the children's review panel has no extension (regulation 19 of the "
                               "2006 Regulations); correct extended to no")
    # A council that runs a third stage of its own says so in the params file; the panel rule stands.
    local = casedata.load(Source("cases.csv"), tmp_path, local_stage3=True)
    assert [p[:3] for p in problems(local) if p[2] in ("stage", "extended")] == [(6, "K1", "extended")]
    assert ((local.cases["procedure"] == "corporate") & (local.cases["stage"] == 3)).sum() == 1


def test_load_for_passes_local_stage3_from_the_params(tmp_path):
    from reportlib import reports

    write(tmp_path, LAW)
    base = {"notebook": "annual_report", "council": "C", "committee": "C", "meeting_date": "2021-07-27", "title": "T",
            "report_of": "R", "data": str(tmp_path / "cases.csv"), "year": "2020/21"}
    for declared, excluded in ((False, True), (True, False)):
        p = reports.check({**base, "local_stage3": declared}, "meeting.yaml")
        rows = {(r[0], r[2]) for r in problems(casedata.load_for(p, tmp_path))}
        assert ((4, "stage") in rows) is excluded


def test_panel_dates_ombudsman_bodies_and_advocacy(tmp_path):
    write(tmp_path, LAW)
    log = load("cases.csv", tmp_path, latest=dt.date(2021, 7, 27))
    found = {(p[0], p[2]): p[4] for p in problems(log)}
    assert found[(7, "panel_date")] == "panel_date before received (the request for a review panel)"
    assert found[(8, "ombudsman_body")] == ("unknown Ombudsman: use lgsco (the Local Government and Social Care "
                                           "Ombudsman) or housing (the Housing Ombudsman), or map it under values: "
                                           "ombudsman_body: in the params file")
    assert found[(8, "advocacy")] == "advocacy must be yes or no (blank: not recorded)"
    c = log.cases.set_index(["case_ref", "stage"])
    assert c.loc[("K1", 1), "advocacy"] == True and c.loc[("K4", 1), "advocacy"] == False  # noqa: E712
    assert pd.isna(c.loc[("C1", 1), "advocacy"])                         # blank: not recorded, not no
    assert tuple(log.cases["ombudsman_body"].cat.categories) == ("lgsco", "housing")
    assert {"panel_date", "ombudsman_body", "advocacy"} <= log.present
    # A panel date after the meeting is a typo, like any other date; one between request and response is kept.
    write(tmp_path, "case_ref,kind,procedure,stage,received,panel_date\n"
                    "K9,complaint,childrens,3,01/06/2021,01/09/2021\nK8,complaint,childrens,3,01/06/2021,10/06/2021\n")
    late = load("cases.csv", tmp_path, latest=dt.date(2021, 7, 27))
    assert [p[:3] for p in problems(late)][0] == (2, "K9", "panel_date")
    assert late.cases["panel_date"].tolist() == [T("2021-06-10")]


def test_an_export_s_own_codes_for_the_ombudsman_and_advocacy(tmp_path):
    write(tmp_path, "case_ref,kind,procedure,stage,received,ombudsman,ombudsman_body,advocacy\n"
                    "A1,complaint,corporate,1,01/09/2020,upheld,LGO,Offered\n"
                    "A2,complaint,corporate,1,01/09/2020,upheld,HOS,Not offered\n")
    log = load("cases.csv", tmp_path, values={"ombudsman_body": {"LGO": "lgsco", "HOS": "housing"},
                                              "advocacy": {"Offered": "yes", "Not offered": "no"}})
    assert problems(log) == []
    assert log.cases["ombudsman_body"].tolist() == ["lgsco", "housing"]
    assert log.cases["advocacy"].tolist() == [True, False]
