"""tables.xlsx: every table of the report, charts' data included, as the Analysis Function's guidance for releasing
statistics in spreadsheets asks (SPEC "Output", tables.xlsx), read back with openpyxl."""

from __future__ import annotations

import re

import openpyxl
import pytest
from bs4 import BeautifulSoup

from factory import REPORT_SAMPLES, case, childrens_params, render_log
from reportlib.formats import xlsx
from reportlib.formats.document import Cell, Table

pytestmark = pytest.mark.slow

SAMPLES = REPORT_SAMPLES
LOOKS_LIKE_A_NUMBER = re.compile(r"^-?£?[\d,]+(\.\d+)?%?$")


@pytest.fixture(scope="module")
def rendered(samples):
    return samples


@pytest.fixture(params=SAMPLES)
def report(request, rendered):
    folder = rendered[request.param]
    page = BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")
    return page, openpyxl.load_workbook(folder / "tables.xlsx"), folder


def table_sheets(book):
    return [ws for ws in book.worksheets if ws.title not in ("Cover", "Contents", "Notes")]


def the_table(ws):
    """The one Excel table on a sheet: (header row, data rows) of cells."""
    assert len(ws.tables) == 1, ws.title
    (table,) = ws.tables.values()
    rows = list(ws[table.ref])
    return rows[0], rows[1:]


def test_cover_contents_notes_then_one_table_a_sheet(report):
    page, book, _ = report
    assert book.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    assert len(table_sheets(book)) == len(page.find_all("table"))  # every table, charts' data included
    labels = [s.title for s in table_sheets(book)]
    figures = [f"Figure_{n}" for n in range(1, len(page.select("figure.chart")) + 1)]
    assert set(figures) <= set(labels)
    cover = [c.value for row in book["Cover"].iter_rows() for c in row if c.value]
    assert cover[0] == f"{' '.join(page.h1.get_text(' ', strip=True).split())}: tables"  # no-break spaces as spaces
    assert any(str(v).startswith("Source: ") for v in cover) and any(str(v).startswith("Period: ") for v in cover)
    contact = page.select_one("section.signature a")["href"].removeprefix("mailto:")
    assert contact in cover  # the contact officer
    assert [ws.title for ws in book.worksheets if ws.tables] == book.sheetnames[1:]


def test_contents_links_every_table(report):
    _, book, _ = report
    header, rows = the_table(book["Contents"])
    assert [c.value for c in header] == ["Sheet name", "Table description"]
    links = {row[0].value: row[0].hyperlink.location for row in rows}
    assert links == {ws.title: f"'{ws.title}'!A1" for ws in table_sheets(book)}
    for row in rows:
        assert book[row[0].value]["A1"].value.startswith(row[1].value)  # each sheet's title is in A1


def test_one_header_row_no_merged_or_blank_cells(report):
    _, book, _ = report
    for ws in book.worksheets:
        assert not ws.merged_cells.ranges, ws.title
    for ws in table_sheets(book):
        header, rows = the_table(ws)
        names = [c.value for c in header]
        assert all(isinstance(n, str) and n.strip() for n in names) and len(set(names)) == len(names)
        assert rows, ws.title
        for row in rows:
            for c in row:
                assert c.value is not None and str(c.value).strip(), (ws.title, c.coordinate)
        # the table starts right under the title and notes, in column A; nothing is written beside it
        assert header[0].column == 1 and ws.max_column == len(header)


def test_numbers_are_numbers(report):
    _, book, _ = report
    counted = 0
    for ws in table_sheets(book):
        _, rows = the_table(ws)
        for row in rows:
            for c in row[1:]:  # the first column holds the row labels (2019/20, Q1 2020/21, a section number)
                if isinstance(c.value, str):
                    assert not LOOKS_LIKE_A_NUMBER.match(c.value), (ws.title, c.coordinate, c.value)
                    assert not re.match(r"^\d+% \(", c.value), (ws.title, c.coordinate, c.value)  # shares are split
                else:
                    counted += 1
                    assert isinstance(c.value, (int, float)) and c.number_format != "General", (ws.title, c.coordinate)
                    if c.number_format.endswith("%"):
                        assert 0 <= c.value <= 1
    assert counted > 20


def test_the_figures_match_the_report(rendered):
    """A few cells checked against the HTML table they come from."""
    book = openpyxl.load_workbook(rendered["sample_complaints_performance"] / "tables.xlsx")
    page = BeautifulSoup((rendered["sample_complaints_performance"] / "report.html").read_text(encoding="utf-8"),
                         "html.parser")
    html = page.find_all("table")[1]  # Table 2: quarterly indicators, shares with their counts
    first = [td.get_text(strip=True) for td in html.tbody.tr.find_all(["th", "td"])]
    header, rows = the_table(book["Table_2"])
    names = [c.value for c in header]
    values = [c.value for c in rows[0]]
    assert values[0] == first[0] and values[1] == int(first[1].replace(",", ""))
    # Children's Stage 2 in Q1 2019/20: fewer than 10 responses, "0 of 4": the count and total, no percentage ([u])
    count, total = re.match(r"(\d+) of (\d+)$", first[2]).groups()
    assert names[2].endswith("(%)") and names[3].endswith("(number)") and names[4].endswith("(total)")
    assert values[2:5] == ["[u]", int(count), int(total)]
    # Corporate Stage 2 in Q1 2019/20: "46% (6 of 13)"
    pct, count, total = re.match(r"(\d+)% \((\d+) of (\d+)\)", first[3]).groups()
    assert values[5:8] == [int(pct) / 100, int(count), int(total)]
    assert rows[0][5].number_format == "0%"
    notes = [str(c.value) for row in book["Notes"].iter_rows() for c in row if c.value]
    assert any(n.startswith("[u] marks a percentage not given because fewer than 10 cases make it up") for n in notes)


def test_properties_and_dates(rendered):
    book = openpyxl.load_workbook(rendered["sample_childrens_response_times"] / "tables.xlsx")
    assert book.properties.title.endswith(": tables")
    assert book.properties.creator == "Sample Borough Council"
    assert book.properties.created.date().isoformat() == "2021-07-14"  # the meeting date, not the time of the render


def test_suppressed_cells_are_c_and_explained_in_the_notes(tmp_path):
    rows = [case(f"C{i}", "2020-09-01", 5 + i) for i in range(3)] + [case("B1", "2019-06-03", 25)]
    folder = render_log(tmp_path, rows, childrens_params, suppress_below=5, formats=["xlsx"])
    book = openpyxl.load_workbook(folder / "tables.xlsx")
    suppressed = [(ws.title, c) for ws in table_sheets(book) for row in the_table(ws)[1] for c in row
                  if c.value == "[c]"]
    assert suppressed
    notes = {row[0].value: row[1].value for row in the_table(book["Notes"])[1]}
    number = next(n for n, text in notes.items() if text.startswith("[c] marks a figure suppressed"))
    assert "counts below 5 are not published" in notes[number]
    for title in {t for t, _ in suppressed}:
        assert f"[note {number}]" in book[title]["A1"].value


# --- cells: text to numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, value, number_format", [
    ("1,234", 1234, "#,##0"), ("0", 0, "#,##0"), ("-5", -5, "#,##0"), ("18.9", 18.9, "#,##0.0"),
    ("53%", 0.53, "0%"), ("12.5%", 0.125, "0.0%"), ("£3,880.03", 3880.03, "£#,##0.00"), ("£12", 12, "£#,##0"),
])
def test_number(text, value, number_format):
    assert xlsx.number(text) == (value, number_format)


@pytest.mark.parametrize("text", ["no cases", "[c]", "2019/20", "Q1 2020/21", "10 (+10)", "up from 1 to 2", ""])
def test_not_a_number(text):
    assert xlsx.number(text) is None


def test_columns():
    t = Table("Table 1", "Things", [Cell("Quarter", True), Cell("Count", True), Cell("Within", True),
                                    Cell("Note", True), Cell("Ombudsman", True)],
              [[Cell("Q1", header=True), Cell("1,234"), Cell("17% (1 of 6)"), Cell(""), Cell("58")],
               [Cell("Q2", header=True), Cell("[c]"), Cell("no cases"), Cell("text"), Cell("65%")]])
    cols = xlsx.columns(t)
    assert [c.header for c in cols] == ["Quarter", "Count", "Within (%)", "Within (number)", "Within (total)",
                                        "Note", "Ombudsman"]
    assert [c.values for c in cols] == [["Q1", "Q2"], [1234, "[c]"], [0.17, "no cases"], [1, 0], [6, 0],
                                        ["[x]", "text"], [58, 0.65]]
    assert cols[-1].formats == ["#,##0", "0%"]


def test_a_share_of_too_few_cases_is_numbers_without_a_percentage():
    t = Table("Table 1", "Things", [Cell("Quarter", True), Cell("Within", True)],
              [[Cell("Q1", header=True), Cell("3 of 5")], [Cell("Q2", header=True), Cell("46% (6 of 13)")],
               [Cell("Q3", header=True), Cell("1,002 of 2,000")], [Cell("Q4", header=True), Cell("no cases")]])
    cols = xlsx.columns(t)
    assert [c.header for c in cols] == ["Quarter", "Within (%)", "Within (number)", "Within (total)"]
    assert [c.values for c in cols[1:]] == [["[u]", 0.46, "[u]", "no cases"], [3, 6, 1002, 0], [5, 13, 2000, 0]]
    assert cols[2].formats == ["#,##0"] * 4 and cols[1].formats == [None, "0%", None, None]
