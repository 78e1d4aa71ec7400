"""A whole render of a small children's response-times report whose every figure is known by hand.

The case log (``small_log``) was worked out on paper, target 20 working days:
- baseline 2019/20: 4 responses, B1 (10 days) and B3 (exactly 20) within -> 2 of 4 (fewer than 10: no percentage);
- since 18/08/2020 to 31/12/2020: C1..C5, 3 within -> 3 of 5, "an improvement on" 2 of 4;
- late responses sent 01/04/2020-31/12/2020: W1, W2, C2, C4 = 4; reasons: Other work pressures 2
  of 4, Staff absence 1 and none recorded 1 (tied: named together); the Other work pressures cases are in the
  Care Management Team and the Court Team (one each: tied);
- open at 31/12/2020: O1 (received 02/11/2020, due 30/11/2020: overdue) and O2 (not yet due);
- benchmarks: Sandwell 73% for 2020/21, beside the council's own 2020/21 figure to the cut-off: W1, W2, C1..C5 sent,
  C1, C3, C5 within -> 3 of 7; Walsall 50% with no period: named, not compared.
"""

from __future__ import annotations

import json
import os
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pypdf
import pytest

from factory import REPO, case, childrens_params, readable_texts, render_log, text_of, warm_render
from reportlib import outputs, pipeline

SNAPSHOT = Path(__file__).parent / "snapshots" / "childrens_small.html"
PERSONAL = ("Zebedee Quux", "zebedee@example.org", "lives at 1 Secret Lane")


def small_log() -> list[dict]:
    rows = [
        case("B1", "2019-06-03", 10), case("B2", "2019-07-01", 25, reason="Staff absence"),
        case("B3", "2019-10-01", 20), case("B4", "2020-01-06", 21, reason="Complex case"),
        case("W1", "2020-04-14", 40, reason="Other work pressures", team="Care Management Team"),
        case("W2", "2020-05-01", 22, team="Court Team"),
        case("C1", "2020-09-01", 5), case("C2", "2020-09-14", 30, reason="Other work pressures"),
        case("C3", "2020-10-01", 15), case("C4", "2020-11-02", 25, reason="Staff absence", team="Fostering"),
        case("C5", "2020-11-16", 19),
        case("O1", "2020-11-02"), case("O2", "2020-12-21"),
        case("X1", "2020-09-01", 5, procedure="corporate", service="Highways", team="Roads"),
        case("C2", "2020-12-01", 10, stage=2),
        case("K1", "2020-10-01", kind="compliment"),
    ]
    for r in rows:
        r.update({"complainant_name": PERSONAL[0], "email": PERSONAL[1], "notes": PERSONAL[2]})
    return rows


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    return render_log(tmp_path_factory.mktemp("small"), small_log(), childrens_params, formats=["html", "pdf"],
                      benchmarks=[{"authority": "Sandwell", "value": 73, "period": "2020/21"},
                                  {"authority": "Walsall", "value": 50}])


def read(out: Path, name: str) -> str:
    return (out / name).read_text(encoding="utf-8")


def test_all_six_files(rendered):
    assert sorted(p.name for p in rendered.iterdir()) == sorted(outputs.OUTPUT_FILES)


@pytest.mark.parametrize("sentence", [
    "showed that 2 of 4 complaints were responded to within the Council's own target of 20 working days.",
    "introduced on 18 August 2020",
    "Since then, 3 of 5 responses were provided within the Council's own target of 20 working days. This is an "
    "improvement on 2 of 4 responses in 2019/20.",
    "Of the responses sent between 1 April 2020 and 31 December 2020, 4 exceeded the target.",
    "Other work pressures: 2 of 4 cases.",
    "Staff absence and No reason recorded: each 1 of 4 cases.",
    "were handled by 2 teams, Care Management Team and Court Team (1 case each), which between them account for all "
    "2 cases.",
    "At 31 December 2020, 2 complaints were still awaiting a response, 1 of them already past the due date.",
    "For 2020/21, the other council's figure for Children's Services complaints responded to within 20 working days "
    "is 73%, against 3 of 7 here. The other council reported a higher figure.",
    "The figure supplied by Walsall (50%) is left out of the comparison: period not given.",
    "case log of 16 rows, of which 16 were used and none excluded as incomplete or inconsistent.",
    "Helen Example Acting Director of Children's Services",
    "Darren Example, Complaints Manager Telephone: 01632 960123 Email: complaints@testshire.example",
])
def test_report_states_hand_checked_figures(rendered, sentence):
    assert sentence in text_of(read(rendered, "report.html"))


def test_paragraphs_numbered_across_sections(rendered):
    page = read(rendered, "report.html")
    css = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    assert "counter-increment: para" in css and "content: counter(para)" in css
    main = page[page.index('<main class="report">'):page.index("</main>")]
    headings = [" ".join(h.split()) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", main)]  # no-break spaces as spaces
    assert headings[:3] == ["Purpose", "Recommendations", "Background"]
    assert headings[-7:-1] == ["Finance", "Law", "Equality Impact", "Human Resources/Organisational Development",
                               "Commercial/Procurement", "Health and Wellbeing"]


def test_quarterly_table_cells_under_the_right_quarter(rendered):
    page = read(rendered, "report.html")
    rows = dict(re.findall(r'<tr><th[^>]*scope="row"[^>]*>(Q\d \d{4}/\d\d)</th>(.*?)</tr>', page))
    cells = {q: re.findall(r"<td[^>]*>(.*?)</td>", r) for q, r in rows.items()}
    assert cells["Q1 2019/20"] == ["1 of 1"]   # B1
    assert cells["Q2 2020/21"] == ["1 of 1"]   # C1
    assert cells["Q1 2020/21"] == ["0 of 2"]     # W1, W2
    assert cells["Q3 2020/21"] == ["2 of 4"]    # C2, C3, C4, C5


def test_figures_json_is_the_audit_trail(rendered):
    figures = json.loads(read(rendered, "figures.json"))
    assert figures["baseline"]["value"] == {"type": "share", "count": 2, "total": 4, "pct": 50, "unit": "response",
                                            "suppressed": False, "min_base": 10}
    assert figures["since_change"]["text"] == "3 of 5 responses"
    assert figures["since_change"]["printed"] == ["3 of 5 responses"]
    assert figures["overdue_total"]["value"] == 4
    assert [r["names"] for r in figures["overdue_reasons"]["value"]] == [
        ["Other work pressures"], ["Staff absence", "No reason recorded"]]
    assert figures["open_overdue"]["value"]["count"] == 1
    assert figures["rows_read"]["value"] == 16
    assert all(f["about"] for f in figures.values())
    assert figures["baseline"]["cited"] is True


def test_data_quality_is_header_only_when_clean(rendered):
    assert read(rendered, "data_quality.csv") == "row,case_ref,column,value,problem,action\n"


def test_manifest(rendered):
    m = json.loads(read(rendered, "manifest.json"))
    assert m["rows"] == {"read": 16, "used": 16, "excluded": 0, "kept_with_warning": 0}
    assert m["notebook"] == "notebooks/childrens_response_times.ipynb"
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in m["inputs_sha256"].values())
    assert len(m["inputs_sha256"]) == 4  # params file, notebook, case log, and the validated cases the kernel read
    assert "validated cases handed to the kernel" in m["inputs_sha256"]
    assert {"python", "pandas", "papermill", "nbconvert", "weasyprint", "holidays"} <= m["versions"].keys()
    assert "commit" in m["git"]
    assert m["seconds"]["total"] > 0
    assert m["params"]["target_working_days"] == 20


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_accessibility_basics(rendered):
    page = read(rendered, "report.html")
    parser = _Collect()
    parser.feed(page)
    tags = parser.tags
    assert ("html", {"lang": "en-GB"}) in tags
    images = [a for t, a in tags if t == "img"]
    assert len(images) == 2
    for a in images:
        assert len(a["alt"]) > 40 and "No description" not in a["alt"]
        assert a["src"].startswith("data:image/svg+xml;base64,")
    assert "Bar chart: Complaints responded to within 20 working days, by quarter." in images[0]["alt"]
    assert page.count("<table") == page.count("<caption>") == 2  # each chart's data table
    for t, a in tags:
        assert not t == "script"
        assert not any(k.startswith("on") for k in a), (t, a)
        for k in ("src", "href"):
            v = a.get(k, "")
            assert not v.startswith(("http:", "https:", "//", "file:")), (t, a)
    assert 'scope="col"' in page and 'scope="row"' in page


def test_no_code_prompts_or_stray_output(rendered):
    page = read(rendered, "report.html")
    for leak in ("import reportlib", "rl.glue", "In&nbsp;[", "jp-InputArea", "Traceback", "findfont",
                 "{{", "{%", "params for childrens_response_times"):
        assert leak not in page, leak


def test_pdf_is_tagged_pdf_ua_with_page_x_of_y(rendered):
    path = rendered / "report.pdf"
    reader = pypdf.PdfReader(path)
    n = len(reader.pages)
    assert n >= 2
    for i, page in enumerate(reader.pages, start=1):
        assert f"Page {i} of {n}" in page.extract_text()
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        assert pdf.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
            assert meta.get("dc:title").startswith("Children's Services Complaints: Response Times Action Plan")
        fonts = set()
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                assert "/FontFile2" in descendant.FontDescriptor, str(font.BaseFont)
                fonts.add(str(font.BaseFont).split("+")[-1])
        # "Report Sans" is the bundled Liberation Sans, declared with @font-face (reportlib.formats.pdf.pdf_fonts_css).
        assert fonts and fonts <= {"Report-Sans", "Report-Sans-Bold", "Report-Sans-Italic", "Report-Sans-BoldItalic"}


def test_a4(rendered):
    box = pypdf.PdfReader(rendered / "report.pdf").pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)


def test_personal_data_never_reaches_an_output(rendered):
    for f in rendered.iterdir():
        texts = readable_texts(f)
        for secret in PERSONAL:
            assert all(secret not in t for t in texts), (f.name, secret)


def test_same_inputs_give_byte_identical_html_and_figures(rendered, tmp_path):
    params = rendered.parent.parent / "meeting.yaml"
    again = warm_render(params, out=tmp_path / "again").out
    for name in ("report.html", "figures.json", "data_quality.csv"):
        assert (again / name).read_bytes() == (rendered / name).read_bytes(), name


def normalise(page: str) -> str:
    """The HTML with its volatile parts (chart images, which follow matplotlib's version) stripped, and
    the inlined stylesheet (committee.css, a file of its own) left out."""
    page = re.sub(r"<style>.*?</style>", "<style>/* committee.css */</style>", page, flags=re.S)
    return re.sub(r'src="data:image/svg\+xml;base64,[^"]+"', 'src="data:image/svg+xml;base64,..."', page)


def test_snapshot(rendered):
    """Re-approve after a deliberate change with: REPORTLIB_APPROVE=1 ./dev test tests/test_render.py"""
    page = normalise(read(rendered, "report.html"))
    if os.environ.get("REPORTLIB_APPROVE"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(page, encoding="utf-8")
    assert SNAPSHOT.exists(), "no approved snapshot yet: run REPORTLIB_APPROVE=1 ./dev test tests/test_render.py"
    assert page == SNAPSHOT.read_text(encoding="utf-8"), "the report changed: re-approve it if that was meant"


@pytest.mark.parametrize("params_file", sorted((Path(__file__).parents[1] / "params").glob("sample_*.yaml")),
                         ids=lambda p: p.stem)
def test_the_warm_up_makes_a_page_with_no_figures_from_each_reports_params(params_file):
    """A render warms nbconvert and WeasyPrint with its own params while the kernel runs (reportlib.pipeline._warm_up):
    the committee template must make a page, HTML and PDF, from the params alone, whichever the report."""
    from reportlib import params as params_mod, pipeline, reports

    pipeline._warm_up(params_mod.to_jsonable(reports.load(params_file)))


def test_a_process_warms_up_for_its_first_render_only(tmp_path, monkeypatch):
    """The warm-up page is made once a process: a second render (a batch worker's next params file) finds the
    template, the schema's validator and the fonts compiled already."""
    made = []
    warm_up = pipeline._warm_up
    monkeypatch.setattr(pipeline, "_warm_up", lambda params: made.append(params["title"]) or warm_up(params))
    monkeypatch.setattr(pipeline, "_warmed", threading.Event())  # as in a process that has just begun
    params = REPO / "params" / "sample_childrens_response_times.yaml"
    for out in ("first", "second"):
        warm_render(params, out=tmp_path / out)
    assert len(made) == 1 and pipeline._warmed.is_set()
