"""Reading a case log honestly (issue 18): Excel as the officer sees it, text in the encoding it is in, a broken
row never leaking what it holds, databases only read; and a hostile corpus that ends every read in a case log or
one line.

Workbooks and databases are built here in tmp_path; CSV bytes are written as each test needs them.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.styles import Font

from reportlib import casedata, sources
import reportlib.sources.database  # noqa: F401 - patched below
import reportlib.sources.text  # noqa: F401 - patched below
from reportlib.casedata import Source
from reportlib.cli import main
from reportlib.errors import DataError, cut

HEADER = ["case_ref", "kind", "procedure", "stage", "received", "service"]
PERSONAL = "Zebedee Quux born 01/02/2015"


def load(tmp_path, name, **source):
    return casedata.load(Source(name, **source), tmp_path)


def refused(tmp_path, name, **source) -> str:
    with pytest.raises(DataError) as e:
        load(tmp_path, name, **source)
    assert e.value.exit_status == 2 and "\n" not in str(e.value)
    return str(e.value)


def problems(log) -> list[tuple]:
    return [tuple(r) for r in log.problems[["row", "case_ref", "column", "value", "problem", "action"]].itertuples(
        index=False)]


# --- Excel as the officer sees it ------------------------------------------------------------------------

def _cases_sheet(ws, rows=4, service=None):
    ws.append(HEADER)
    for i in range(rows):
        ws.append([f"X{i}", "complaint", "corporate", 1, dt.datetime(2020, 5, 1 + i), (service or [None] * rows)[i]])


def test_every_cell_of_a_merged_range_holds_its_value(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Cases"
    ws.append(["Complaints received 2020/21"])
    ws.merge_cells("A1:F1")  # a title across the table
    _cases_sheet(ws, rows=5, service=["Adults", None, None, "Housing", None])
    ws.merge_cells("F3:F5")  # the service column merged over runs of rows, as officers lay logs out
    ws.merge_cells("F6:F7")
    book.save(tmp_path / "log.xlsx")
    log = load(tmp_path, "log.xlsx")
    assert log.cases[["row", "service"]].astype(str).values.tolist() == [
        ["3", "Adults"], ["4", "Adults"], ["5", "Adults"], ["6", "Housing"], ["7", "Housing"]]
    assert log.notes == [
        "log.xlsx: sheet 'Cases' has 3 merged cell ranges; every cell of a merged range was read as holding its "
        "value, as Excel shows it.",
        "log.xlsx: the header is on row 2; the 1 row(s) above it were skipped."]


def test_a_merged_range_in_a_column_not_read_still_makes_its_rows_rows(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append([*HEADER, "notes"])
    ws.append(["X1", "complaint", "corporate", 1, "01/05/2020", None, "a note"])
    ws.merge_cells("G2:G3")  # row 3 shows the note, and nothing else: a row with no case_ref
    ws.append([None] * 7)
    ws.append(["X2", "complaint", "corporate", 1, "02/05/2020", None, None])
    book.save(tmp_path / "log.xlsx")
    log = load(tmp_path, "log.xlsx")
    assert log.cases["case_ref"].tolist() == ["X1", "X2"]
    assert problems(log)[0] == (3, "", "case_ref", "", "case_ref is blank", "excluded")


def test_a_hidden_sheet_is_never_read_unless_named(tmp_path):
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "Old"
    hidden.append(HEADER)
    hidden.append(["OLD1", "complaint", "corporate", 1, "01/01/2019", None])
    hidden.sheet_state = "hidden"
    _cases_sheet(book.create_sheet("Cases"))
    very = book.create_sheet("Lookups")
    very.append(["x"])
    very.sheet_state = "veryHidden"
    book.save(tmp_path / "log.xlsx")
    log = load(tmp_path, "log.xlsx")
    assert log.cases["case_ref"].tolist() == ["X0", "X1", "X2", "X3"] and log.notes == []
    named = load(tmp_path, "log.xlsx", sheet="Old")
    assert named.cases["case_ref"].tolist() == ["OLD1"]
    assert named.notes == ["log.xlsx: sheet 'Old' is hidden in Excel; it was read because sheet: in the params file "
                           "names it."]
    assert load(tmp_path, "log.xlsx", sheet=0).cases["case_ref"].tolist() == ["OLD1"]  # by number: named too


def test_several_visible_sheets_need_sheet(tmp_path):
    book = openpyxl.Workbook()
    _cases_sheet(book.active)
    book.active.title = "Cases"
    book.create_sheet("Pivot").append(["Team", "Count"])
    book.create_sheet("Sheet3")  # an empty sheet (Excel's old default workbook has two): not a candidate
    book.save(tmp_path / "log.xlsx")
    assert refused(tmp_path, "log.xlsx") == ("log.xlsx: has 2 visible sheets (Cases, Pivot); say which holds the case "
                                             "log with sheet: in the params file (e.g. sheet: Cases)")
    assert load(tmp_path, "log.xlsx", sheet="Cases").rows_read == 4


def test_one_visible_sheet_among_empty_ones_is_read(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    _cases_sheet(book.create_sheet("Cases"))
    book.create_sheet("Sheet3")
    book.save(tmp_path / "log.xlsx")
    assert load(tmp_path, "log.xlsx").rows_read == 4


def test_every_sheet_hidden(tmp_path):
    book = openpyxl.Workbook()
    _cases_sheet(book.active)
    book.active.title = "Cases"
    book.create_sheet("Other")
    book.save(tmp_path / "log.xlsx")
    with zipfile.ZipFile(tmp_path / "log.xlsx") as z:  # Excel will not save this; a crafted file can hold it
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'state="visible"', b'state="hidden"')
    with zipfile.ZipFile(tmp_path / "log.xlsx", "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    assert refused(tmp_path, "log.xlsx") == ("log.xlsx: every sheet is hidden; name the one holding the case log with "
                                             "sheet: in the params file (its sheets are: Cases, Other)")


def test_a_stray_value_far_out_is_one_line_in_under_two_seconds(tmp_path):
    book = openpyxl.Workbook()
    _cases_sheet(book.active)
    book.active["XFD1048576"] = "x"
    book.save(tmp_path / "log.xlsx")
    start = time.perf_counter()
    assert refused(tmp_path, "log.xlsx") == (
        "log.xlsx: sheet 'Sheet' has a value in cell XFD1048576, too far out for a case log (at most 1,000 columns); "
        "delete it in Excel (Ctrl+End goes to the last cell) and save the workbook again")
    assert time.perf_counter() - start < 2


def test_column_1000_is_read_and_1001_refused(tmp_path):
    for column, fine in (("ALL", True), ("ALM", False)):
        book = openpyxl.Workbook()
        _cases_sheet(book.active)
        book.active[f"{column}1"] = "Last column"
        book.save(tmp_path / "log.xlsx")
        if fine:
            assert load(tmp_path, "log.xlsx").rows_read == 4
        else:
            assert "has a value in cell ALM1, too far out" in refused(tmp_path, "log.xlsx")


def _with_dimension(path: Path, ref: str | None) -> None:
    """Rewrite the first sheet's stated dimension (None: leave it out), as other writers get it wrong."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    sheet = re.sub(rb"<dimension [^>]*/>", b"" if ref is None else f'<dimension ref="{ref}"/>'.encode(), sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)


@pytest.mark.parametrize("dimension", [None, "A1:XFD1048576", "B3:C4"], ids=["missing", "whole sheet", "too small"])
def test_formatting_and_a_wrong_dimension_do_not_count(tmp_path, dimension):
    """What real exports hold: header cells formatted out to XFD, a styled empty row below the table, a sheet whose
    stated dimension is missing or wrong. Only cells holding a value count."""
    book = openpyxl.Workbook()
    ws = book.active
    _cases_sheet(ws)
    for column in ("G", "Z", "AAA", "XFD"):
        ws[f"{column}1"].font = Font(bold=True)
    for column in ("A", "B", "XFD"):
        ws[f"{column}1048576"].font = Font(italic=True)
    book.save(tmp_path / "log.xlsx")
    _with_dimension(tmp_path / "log.xlsx", dimension)
    start = time.perf_counter()
    log = load(tmp_path, "log.xlsx")
    assert time.perf_counter() - start < 2
    assert log.summary() == "log.xlsx: 4 rows read, 4 used, 0 excluded"
    assert log.cases["row"].tolist() == [2, 3, 4, 5]


@pytest.mark.parametrize("ref, message", [
    ("junk", "log.xlsx: not a readable .xlsx workbook; open it in Excel and save it again as .xlsx"),
    ("A1:XFD1048576", "log.xlsx: required column 'kind' is missing; map it under columns: in the params file (e.g. "
                      "kind: Your Header)"),  # the whole sheet one merged cell showing 'case_ref'
])
def test_a_crafted_merged_range_is_one_line(tmp_path, ref, message):
    book = openpyxl.Workbook()
    _cases_sheet(book.active)
    book.active.merge_cells("A7:B7")
    book.save(tmp_path / "log.xlsx")
    with zipfile.ZipFile(tmp_path / "log.xlsx") as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b'ref="A7:B7"', f'ref="{ref}"'.encode())
    with zipfile.ZipFile(tmp_path / "log.xlsx", "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    start = time.perf_counter()
    assert refused(tmp_path, "log.xlsx") == message
    assert time.perf_counter() - start < 2


def test_rows_are_numbered_as_excel_shows_them_when_the_table_starts_lower(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws["B4"] = "case_ref"  # the table starts at B4: three blank rows and a blank column before it
    for i, h in enumerate(HEADER[1:], start=3):
        ws.cell(4, i, h)
    ws.append([None, "X1", "complaint", "corporate", 1, "31/02/2020"])
    book.save(tmp_path / "log.xlsx")
    log = load(tmp_path, "log.xlsx")
    assert problems(log) == [(5, "X1", "received", "31/02/2020", "impossible date (no such day)", "excluded")]


def test_a_formula_reads_as_its_saved_value_and_one_never_saved_as_blank(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    _cases_sheet(ws, rows=1)
    ws["F2"] = '=HYPERLINK("http://example.com","x")'  # written by openpyxl: no value saved with it
    book.save(tmp_path / "log.xlsx")
    log = load(tmp_path, "log.xlsx")
    assert log.cases["service"].isna().all()


# --- text decoded honestly -------------------------------------------------------------------------------

CSV = ("case_ref,kind,procedure,stage,received,team\r\n"
       "A1,complaint,corporate,1,01/09/2020,Café Services\r\n"
       "A2,complaint,corporate,1,02/09/2020,Équipe £\r\n")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(tmp_path, codec, monkeypatch):
    mark = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(codec, b"")
    (tmp_path / "log.csv").write_bytes(mark + CSV.encode(codec))
    log = load(tmp_path, "log.csv")
    assert log.cases["team"].tolist() == ["Café Services", "Équipe £"] and log.notes == []
    monkeypatch.setattr(sources.text, "arrow_cells", lambda *a, **k: None)  # the careful reader reads it alike
    assert load(tmp_path, "log.csv").cases["team"].tolist() == ["Café Services", "Équipe £"]


def test_utf16_without_a_mark_is_binary_and_broken_utf16_names_its_line(tmp_path):
    (tmp_path / "log.csv").write_bytes(CSV.encode("utf-16-le"))
    assert refused(tmp_path, "log.csv") == ("log.csv: not a CSV text file (it holds binary data); export the case log "
                                            "as CSV UTF-8 or .xlsx")
    lone_surrogate = "\ud800".encode("utf-16-le", "surrogatepass")
    (tmp_path / "log.csv").write_bytes(b"\xff\xfe" + CSV.encode("utf-16-le") + lone_surrogate
                                       + "x\r\n".encode("utf-16-le"))
    assert refused(tmp_path, "log.csv") == (
        "log.csv: line 4 is not UTF-16 text, though the file starts as UTF-16; save it from Excel as "
        "'CSV UTF-8 (Comma delimited)'")
    (tmp_path / "log.csv").write_bytes(b"\xff\xfe" + CSV.encode("utf-16-le") + b"x")
    assert refused(tmp_path, "log.csv") == (
        "log.csv: line 4 is not UTF-16 text (it ends mid-character); save it from Excel as "
        "'CSV UTF-8 (Comma delimited)'")
    (tmp_path / "log.csv").write_bytes(b"\xff\xfe\x00\x00" + CSV.encode("utf-32-le"))
    assert refused(tmp_path, "log.csv") == ("log.csv: UTF-32 text is not read; save it from Excel as "
                                            "'CSV UTF-8 (Comma delimited)'")


MIXED = ("log.csv: line {} is not UTF-8 but other text in the file is (it mixes encodings); save it from Excel as "
         "'CSV UTF-8 (Comma delimited)'")
LINES = CSV.split("\r\n")


@pytest.mark.parametrize("content, line", [
    (CSV.encode("utf-8") + "A3,complaint,corporate,1,03/09/2020,Café\r\n".encode("cp1252"), 4),
    ("\n".join(LINES[:2]).encode("utf-8") + ("\n" + "\n".join(LINES[2:])).encode("cp1252"), 3),
    (b"\xef\xbb\xbf" + CSV.encode("cp1252"), 2),  # a byte-order mark is UTF-8 too
    (CSV.encode("cp1252") + "A3,complaint,corporate,1,03/09/2020,Ü\n".encode("utf-8"), 2),  # UTF-8 after the first
], ids=["utf-8 then cp1252", "a cp1252 line after a utf-8 line", "BOM then cp1252", "cp1252 then utf-8"])
def test_a_file_mixing_encodings_is_refused_naming_its_first_line_that_is_not_utf8(tmp_path, content, line):
    (tmp_path / "log.csv").write_bytes(content)
    assert refused(tmp_path, "log.csv") == MIXED.format(line)


@pytest.mark.parametrize("chunk", [7, 64, 1 << 22])
def test_mixed_encodings_are_found_across_block_boundaries(tmp_path, monkeypatch, chunk):
    """The file is read block by block: a character cut by a block's end is still one character."""
    monkeypatch.setattr(sources.text, "CHUNK", chunk)
    body = "".join(f"A{i},complaint,corporate,1,01/09/2020,Team\n" for i in range(40))
    (tmp_path / "log.csv").write_bytes((CSV + body).encode("cp1252") + "Z9,c,c,1,x,Ü€\n".encode())
    assert refused(tmp_path, "log.csv") == MIXED.format(2)
    (tmp_path / "log.csv").write_bytes((CSV + body).encode("cp1252"))
    assert load(tmp_path, "log.csv").notes[0].startswith("log.csv is not UTF-8; it was read as Windows-1252")
    (tmp_path / "log.csv").write_bytes((CSV + body + "Z9,complaint,corporate,1,01/09/2020,Ü€\n").encode())
    assert load(tmp_path, "log.csv").notes == []


def test_line_numbers_count_any_line_ending(tmp_path):
    for ending in ("\n", "\r\n", "\r"):
        text = CSV.replace("\r\n", ending)
        (tmp_path / "log.csv").write_bytes(text.encode() + f"A3,x,y,1,z,Caf{ending}".encode() + b"\xe9" + b"\n")
        assert refused(tmp_path, "log.csv") == MIXED.format(5)


def test_a_nul_byte_past_the_first_lines_names_its_line(tmp_path):
    body = "".join(f"A{i},complaint,corporate,1,01/09/2020,Team\n" for i in range(300))  # past the first 8 KB
    (tmp_path / "log.csv").write_bytes((CSV + body).encode() + b"A9,complaint,corporate,1,01/09/2020,T\x00\n")
    assert refused(tmp_path, "log.csv") == ("log.csv: line 304 holds a NUL byte: not a CSV text file (it holds binary "
                                            "data); export the case log as CSV UTF-8 or .xlsx")


def test_a_header_tens_of_thousands_of_columns_wide_is_one_line_in_under_two_seconds(tmp_path):
    wide = ",".join(HEADER + [f"extra{i}" for i in range(30_000)]) + "\n"
    (tmp_path / "log.csv").write_text(wide + "A1,complaint,corporate,1,01/09/2020\n" * 1000)
    start = time.perf_counter()
    assert refused(tmp_path, "log.csv") == (
        "log.csv: its first line is longer than 64 KB, too wide for a case log (at most 1,000 columns); check it is "
        "the case-log export")
    (tmp_path / "log.csv").write_text(",".join(HEADER + [""] * 2000) + "\n" + "A1,complaint,corporate,1,01/09/2020\n")
    assert refused(tmp_path, "log.csv") == (
        "log.csv: row 1 has 2,006 columns, more than a case log's 1,000; check it is the right file, or "
        "delete the columns right of the table (formatting counts) and export it again")
    (tmp_path / "log.csv").write_text(",".join(["x"] * 1000) + "\n" + ",".join(["1"] * 1000) + "\n")
    assert refused(tmp_path, "log.csv").startswith("log.csv: required column 'case_ref' is missing")
    assert time.perf_counter() - start < 2
    (tmp_path / "log.csv").write_text(",".join(HEADER + ["x"] * 994) + "\n" + "A1,complaint,corporate,1,01/09/2020,"
                                      + "," * 994 + "\n")
    assert load(tmp_path, "log.csv").rows_used == 1  # 1,000 columns: read


def test_a_row_tens_of_thousands_of_fields_wide_is_a_broken_row(tmp_path):
    (tmp_path / "log.csv").write_text(",".join(HEADER) + "\nA1,complaint,corporate,1,01/09/2020,\n"
                                      + "x," * 50_000 + "\nA2,complaint,corporate,1,01/09/2020,\n")
    log = load(tmp_path, "log.csv")
    assert log.cases["case_ref"].tolist() == ["A1", "A2"]
    assert problems(log)[0][:2] == (3, "") and "has 50,001 fields, the header has 6" in problems(log)[0][4]


# --- a broken row never leaks what it holds --------------------------------------------------------------

EXPORT_HEADER = ("Ref,Type,Procedure,Stage,Received,Acknowledged,Responded,Team,Service,Notes,Outcome,Subject,"
                 "Complainant Name,Email")
BROKEN_EXPORT = (
    EXPORT_HEADER + "\n"
    "C1,complaint,childrens,1,01/09/2020,,15/09/2020,Court Team,Children's Services,called back,upheld,Delay,"
    "Jo Bloggs,jo@example.org\n"
    # An unquoted newline in Notes: the row stops there, its continuation becomes a "row" of its own.
    "C2,complaint,childrens,1,02/09/2020,,16/09/2020,Court Team,Children's Services,spoke to mum about\n"
    f"{PERSONAL}, at school,upheld,Delay,Ann Other,ann@example.org\n"
    "C3,complaint,childrens,1,03/09/2020,,17/09/2020,Court Team,Children's Services,,not upheld,Delay,"
    "Sam Smith,sam@example.org\n")
BROKEN_PROBLEMS = [
    (3, "", "", "", "wrong number of fields: has 10 fields, the header has 14; check the quotes and line breaks in "
                    "this row (no value of it is read)", "excluded"),
    (4, "", "", "", "wrong number of fields: has 6 fields, the header has 14; check the quotes and line breaks in "
                    "this row (no value of it is read)", "excluded")]
MAPPING = {"case_ref": "Ref", "kind": "Type"}


@pytest.mark.parametrize("careful", [False, True], ids=["arrow", "careful reader"])
def test_a_broken_row_is_listed_by_number_and_problem_only(tmp_path, monkeypatch, careful):
    if careful:
        monkeypatch.setattr(sources.text, "arrow_cells", lambda *a, **k: None)
    (tmp_path / "log.csv").write_text(BROKEN_EXPORT, encoding="utf-8")
    log = load(tmp_path, "log.csv", columns=MAPPING)
    assert problems(log) == BROKEN_PROBLEMS
    assert log.summary() == "log.csv: 4 rows read, 2 used, 2 excluded"
    assert log.cases["case_ref"].tolist() == ["C1", "C3"] and log.cases["row"].tolist() == [2, 5]
    casedata.write_problems(log, tmp_path / "data_quality.csv")
    written = (tmp_path / "data_quality.csv").read_text()
    assert "Zebedee" not in written and "school" not in written and "mum" not in written
    assert written.splitlines()[1] == ('3,,,,"wrong number of fields: has 10 fields, the header has 14; check the '
                                       'quotes and line breaks in this row (no value of it is read)",excluded')


def test_validate_prints_a_broken_row_without_its_values(tmp_path):
    (tmp_path / "log.csv").write_text(BROKEN_EXPORT, encoding="utf-8")
    params = tmp_path / "p.yaml"
    params.write_text(
        "notebook: childrens_response_times\ncouncil: Testshire Council\ncommittee: Scrutiny\n"
        "meeting_date: 2021-01-20\ntitle: Response times\nreport_of: Director\ndata: log.csv\n"
        "columns: {case_ref: Ref, kind: Type}\ntarget_working_days: 20\nbaseline_year: 2020/21\n"
        "change_date: 2020-08-18\nperiod_start: 2020-04-01\nperiod_end: 2020-12-31\n".replace(
            "data: log.csv", f"data: {tmp_path / 'log.csv'}"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(params)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "Zebedee" not in result.output and "school" not in result.output
    assert [l for l in result.output.splitlines() if l.startswith(("row ", "  "))] == [
        "  2 rows excluded: wrong number of fields",
        "row 3: wrong number of fields: has 10 fields, the header has 14; check the quotes and line breaks in this "
        "row (no value of it is read) (excluded)",
        "row 4: wrong number of fields: has 6 fields, the header has 14; check the quotes and line breaks in this "
        "row (no value of it is read) (excluded)"]


def test_no_row_that_fits_is_one_line(tmp_path):
    (tmp_path / "log.csv").write_text("case_ref;kind;procedure;received\nA1,complaint,corporate,01/09/2020\n"
                                      "A2;complaint;corporate\n")
    assert refused(tmp_path, "log.csv") == (
        "log.csv: no row has the header's 4 fields (row 2 has 1); check the separator and the quotes, or export the "
        "case log again")


def test_blank_and_separator_only_lines_are_not_broken_rows(tmp_path):
    (tmp_path / "log.csv").write_text(",".join(HEADER) + "\nA1,complaint,corporate,1,01/09/2020,\n\n   \n,,\n"
                                      ",,,,,,,,,,\n\"\",\nA2,complaint,corporate,1,01/09/2020,\n")
    log = load(tmp_path, "log.csv")
    assert problems(log) == [] and log.cases["row"].tolist() == [2, 8]


def test_a_field_longer_than_arrows_blocks_is_read_by_the_careful_reader(tmp_path):
    long = "x" * (3 << 20)
    (tmp_path / "log.csv").write_text(",".join(HEADER) + ",notes\n" + f'A1,complaint,corporate,1,01/09/2020,,"{long}"\n'
                                      + "A2,complaint,corporate,1,01/09/2020\n" + "A3,complaint,corporate,1,01/09/2020,,\n")
    log = load(tmp_path, "log.csv")
    assert log.cases["case_ref"].tolist() == ["A1", "A3"]
    assert [p[:4] for p in problems(log)] == [(3, "", "", "")]


# --- databases are read, never written -------------------------------------------------------------------

def _database(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE cases (case_ref TEXT, kind TEXT, procedure TEXT, stage INTEGER, received TEXT, "
                "team_id INTEGER, notes TEXT)")
    con.execute("CREATE TABLE teams (id INTEGER, team TEXT)")
    con.execute("CREATE TABLE other (x)")
    con.executemany("INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?)", [
        ("D1", "complaint", "adults", 1, "2020-05-07", 1, PERSONAL),
        ("D2", "comment", "adults", None, "2020-05-08", 2, "")])
    con.executemany("INSERT INTO teams VALUES (?, ?)", [(1, "Team One"), (2, "Team Two")])
    con.commit()
    con.close()


WRITES = [
    "DROP TABLE other",
    "VACUUM INTO '{tmp}/copy.db'",
    "ATTACH DATABASE '{tmp}/attached.db' AS y",
    "DELETE FROM cases",
    "PRAGMA writable_schema=1",
    "PRAGMA query_only=0",
    "WITH x AS (SELECT 1) DELETE FROM cases",
    "SELECT * FROM cases; DROP TABLE other",
    "CREATE TABLE more (x)",
    "INSERT INTO other VALUES (1)",
    "UPDATE cases SET kind = 'comment'",
    "/* a comment first */ DROP TABLE other",
]


def _schema_and_rows(path: Path) -> list:
    con = sqlite3.connect(path)
    try:
        return [con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
                con.execute("SELECT * FROM cases").fetchall(), con.execute("SELECT * FROM other").fetchall()]
    finally:
        con.close()


@pytest.mark.parametrize("gate", [True, False], ids=["refused before it reaches SQLite", "refused by SQLite"])
@pytest.mark.parametrize("statement", WRITES)
def test_sqlite_is_only_read(tmp_path, monkeypatch, statement, gate):
    """Every statement that would write is refused in one line naming it; nothing is changed and no file made.
    Without the first check (the statement's first word), SQLite itself refuses: the file is opened read-only
    (mode=ro, query_only) and its authorizer lets only reads run."""
    if not gate:
        monkeypatch.setattr(sources.database, "reads_only", lambda query: True)
    _database(tmp_path / "log.db")
    before = _schema_and_rows(tmp_path / "log.db")
    query = statement.format(tmp=tmp_path)
    assert refused(tmp_path, "log.db", query=query) == (
        f"log.db: query: may only read (one SELECT statement); '{cut(query)}' was refused and nothing "
        "was changed; check query: in the params file")
    assert _schema_and_rows(tmp_path / "log.db") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.db"]


def test_a_reading_query_with_joins_still_works(tmp_path):
    _database(tmp_path / "log.db")
    query = ("/* teams by name */ WITH t AS (SELECT id, team FROM teams) "
             "SELECT c.case_ref, c.kind, c.procedure, c.stage, c.received, t.team FROM cases c "
             "JOIN t ON t.id = c.team_id ORDER BY c.case_ref -- the log")
    log = load(tmp_path, "log.db", query=query)
    assert log.cases[["case_ref", "team"]].values.tolist() == [["D1", "Team One"], ["D2", "Team Two"]]
    assert load(tmp_path, "log.db", table="cases").rows_used == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.db"]


def test_a_sqlite_url_is_opened_read_only_and_never_created(tmp_path):
    _database(tmp_path / "log.db")
    url = f"sqlite:///{tmp_path}/log.db"
    assert casedata.load(Source(url, query="SELECT * FROM cases")).rows_used == 2
    with pytest.raises(DataError) as e:
        casedata.load(Source(url, query="DROP TABLE other"))
    assert str(e.value).endswith("'DROP TABLE other' was refused and nothing was changed; check query: in the params "
                                 "file")
    with pytest.raises(DataError) as e:
        casedata.load(Source(f"sqlite:///{tmp_path}/missing.db", table="cases"))
    assert str(e.value) == f"sqlite:///{tmp_path}/missing.db: cannot read the database: unable to open database file"
    assert not (tmp_path / "missing.db").exists()


def test_a_long_statement_is_cut_and_its_control_characters_escaped(tmp_path):
    _database(tmp_path / "log.db")
    query = "DELETE FROM cases WHERE case_ref = '\x1b[31m" + "x" * 200 + "'"
    message = refused(tmp_path, "log.db", query=query)
    assert "\x1b" not in message and "'DELETE FROM cases WHERE case_ref = '\\x1b[31mxxxx" in message
    assert len(re.search(r"'(DELETE[^…]*…)' was refused", message).group(1)) == 81  # 80 and an ellipsis


# --- a hostile corpus: every read ends in a case log or one line, and a note's personal text stays out ---------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CORPUS_HEADER = ["case_ref", "kind", "procedure", "stage", "received", "team", "notes"]
_HOSTILE = st.text(st.sampled_from(list("aZé£1/-, ;\t\n\r\"'") + ["\x1b", "\u2028", "…", "\ufeff"]), max_size=8)
_FIELD = st.one_of(_HOSTILE, st.sampled_from(["", "\x00", "31/02/2020", "grumble"]),
                   st.builds(lambda n: "x" * n, st.sampled_from([70_000, 200])))  # past the first 64 KB read


@st.composite
def _rows(draw, hostile=_FIELD) -> list:
    """A plausible case-log row, sometimes with hostile cells, sometimes with fields missing or extra."""
    ref = draw(st.integers(1, 30))
    fields = [f"R{ref}", draw(st.sampled_from(["complaint", "comment", "Complaint"])),
              draw(st.sampled_from(["corporate", "adults", "childrens"])), draw(st.sampled_from(["1", "2", "3", ""])),
              f"{draw(st.integers(1, 30)):02d}/09/2020", draw(st.sampled_from(["Court Team", "Café", "Équipe £"])),
              "called back"]
    for _ in range(draw(st.integers(0, 2))):
        fields[draw(st.integers(0, 6))] = draw(hostile)
    resize = draw(st.sampled_from([0, 0, 0, 0, -1, -3, 1, 2]))
    fields = fields[:len(fields) + resize] if resize < 0 else fields + ["extra"] * resize
    return fields


def _hostile_csv(rows, sep: str, ending: str, encodings: list[str]) -> bytes:
    """The header, then each row written properly quoted or raw (its separators, newlines and quotes loose), each
    row in one of ``encodings`` (several: a file mixing them). The personal string sits in the notes column of
    rows with the header's width; raw rows hold no quote (one could move a note into another column, as it would
    in a real export: that is the export's content, not a leak)."""
    import csv as csv_module
    import io

    out = []
    for i, (fields, quoted, planted) in enumerate([(CORPUS_HEADER, True, False), *rows]):
        fields = list(fields)
        if planted and len(fields) == len(CORPUS_HEADER):
            fields[-1] = PERSONAL
        if quoted:
            buffer = io.StringIO()
            csv_module.writer(buffer, delimiter=sep, lineterminator=ending).writerow(fields)
            line = buffer.getvalue()
        else:
            line = sep.join(f.replace('"', "") for f in fields) + ending
        out.append(line.encode(encodings[i % len(encodings)], "replace"))
    return b"".join(out)


def _no_personal_text(log_or_error) -> None:
    if isinstance(log_or_error, DataError):
        shown = str(log_or_error)
        assert "\n" not in shown and len(shown) < 600, shown
    else:
        shown = log_or_error.problems.astype(str).to_csv() + "\n".join(log_or_error.notes) + log_or_error.summary()
    assert "Zebedee" not in shown, shown


def _read(tmp_path, name, **source):
    try:
        return load(tmp_path, name, **source)
    except DataError as e:
        return e


@pytest.mark.slow  # seconds: hypothesis examples or whole notebooks
@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(st.tuples(_rows(), st.sampled_from([True, True, False]), st.booleans()), max_size=12),
       sep=st.sampled_from([",", ";", "\t"]), ending=st.sampled_from(["\n", "\r\n", "\r"]),
       encodings=st.one_of(st.sampled_from([["utf-8"], ["utf-8-sig"], ["cp1252"], ["utf-16"]]),
                           st.lists(st.sampled_from(["utf-8", "cp1252"]), min_size=2, max_size=3)))
def test_hostile_csv_bytes(tmp_path_factory, monkeypatch_hypothesis, rows, sep, ending, encodings):
    """Encodings (mixed too), quotes, newlines, NULs, long fields, wrong field counts: a case log or one line, the
    note's personal text nowhere, and Arrow and the careful reader agree."""
    tmp_path = tmp_path_factory.mktemp("csv")
    (tmp_path / "log.csv").write_bytes(_hostile_csv(rows, sep, ending, encodings))
    start = time.perf_counter()
    fast = _read(tmp_path, "log.csv")
    assert time.perf_counter() - start < 10
    _no_personal_text(fast)
    with monkeypatch_hypothesis.context() as m:
        m.setattr(sources.text, "arrow_cells", lambda *a, **k: None)
        careful = _read(tmp_path, "log.csv")
    if isinstance(fast, DataError):
        assert str(careful) == str(fast)
    else:
        assert problems(careful) == problems(fast) and careful.notes == fast.notes
        assert careful.cases.astype(str).values.tolist() == fast.cases.astype(str).values.tolist()


@pytest.fixture(scope="module")
def monkeypatch_hypothesis():
    with pytest.MonkeyPatch.context() as m:
        yield m


_CELL = st.one_of(st.none(), st.text(st.sampled_from(list("aZé£1/-, ;\"'") + ["…", "\u2028"]), max_size=8),
                  st.integers(-5, 100_000), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                  st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)),
                  st.sampled_from(["=1+1", "=A1", '=HYPERLINK("http://x","y")', "31/02/2020"]))
_RANGE = st.tuples(st.integers(1, 9), st.integers(1, 8), st.integers(0, 3), st.integers(0, 3))


@pytest.mark.slow  # seconds: hypothesis examples or whole notebooks
@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(_rows(hostile=_CELL), max_size=8), merges=st.lists(_RANGE, max_size=4),
       states=st.lists(st.sampled_from(["visible", "hidden", "veryHidden"]), min_size=0, max_size=2),
       far=st.one_of(st.none(), st.tuples(st.integers(1, 16_384), st.integers(1, 3_000))),
       sheet=st.sampled_from([None, "Cases", 0]))
def test_hostile_workbooks(tmp_path_factory, rows, merges, states, far, sheet):
    """Merged ranges (overlapping too), hidden sheets holding the personal text, values far out, formulas: a case
    log or one line, and the personal text in the notes column or a hidden sheet nowhere."""
    from openpyxl.utils import get_column_letter

    tmp_path = tmp_path_factory.mktemp("xlsx")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Cases"
    ws.append(CORPUS_HEADER)
    for cells in rows:  # the personal text in notes, the last column: a merge never carries it into another
        ws.append([*cells[:6], *[None] * (6 - len(cells)), PERSONAL, *cells[7:]])
    if far is not None:
        ws.cell(far[1], far[0], "stray")
    for row, column, down, across in merges:
        ws.merge_cells(f"{get_column_letter(column)}{row}:{get_column_letter(column + across)}{row + down}")
    for i, state in enumerate(states):
        other = book.create_sheet(f"Other{i}", 0)  # before the cases sheet: sheet 0 is not always the log
        other.append(CORPUS_HEADER)
        other.append([PERSONAL, "complaint", "corporate", 1, "01/09/2020", PERSONAL, PERSONAL])
        other.sheet_state = state
    if sheet == 0:
        sheet = len(states)
    book.save(tmp_path / "log.xlsx")
    start = time.perf_counter()
    result = _read(tmp_path, "log.xlsx", sheet=sheet)
    assert time.perf_counter() - start < 10
    _no_personal_text(result)
    if far is not None and far[0] > 1000:  # refused, for that or for a sheet to choose first
        assert isinstance(result, DataError) and ("too far out" in str(result) or "visible sheets" in str(result))


def test_a_missing_mapped_header_lists_twenty_headers_at_most(tmp_path):
    (tmp_path / "log.csv").write_text(",".join(HEADER + [f"Custom field {i}" for i in range(100)]) + "\n"
                                      + "A1,complaint,corporate,1,01/09/2020" + "," * 101 + "\n")
    assert refused(tmp_path, "log.csv", columns={"team": "Team Name"}) == (
        "log.csv: column 'Team Name' (mapped to team under columns: in the params file) is not in the file; its "
        "headers are: case_ref, kind, procedure, stage, received, service, Custom field 0, Custom field 1, Custom "
        "field 2, Custom field 3, Custom field 4, Custom field 5, Custom field 6, Custom field 7, Custom field 8, "
        "Custom field 9, Custom field 10, Custom field 11, Custom field 12, Custom field 13 and 86 more")


def test_a_chart_sheet_is_not_a_table(tmp_path):
    from openpyxl.chart import BarChart, Reference

    book = openpyxl.Workbook()
    _cases_sheet(book.active)
    book.active.title = "Cases"
    chart = BarChart()
    chart.add_data(Reference(book.active, min_col=4, min_row=1, max_row=5))
    book.create_chartsheet("Chart").add_chart(chart)
    book.save(tmp_path / "log.xlsx")
    assert load(tmp_path, "log.xlsx").rows_read == 4  # not a candidate either
    assert refused(tmp_path, "log.xlsx", sheet="Chart") == ("log.xlsx: sheet 'Chart' is a chart, not a table (sheet: in "
                                                            "the params file); its sheets are: Cases")
