"""Reflow (WCAG 2.2 SC 1.4.10): the HTML report reads at 320 CSS px wide without scrolling the page sideways.

Measured in a real browser (Debian's Chromium driven by Playwright for Python, with only the package's
fonts), at 320 and 400 px (a phone; a desktop browser zoomed to 400%) and at 1280 px, on:

- both sample reports, rendered as a user renders them;
- a hostile report: the performance report with three Stage 2 procedures (a wider table), long
  unbroken words in the council, title, contact, benchmark names, action plan and background papers;
- a page with a table of sixteen columns, made through the committee template (``render.to_html``).

At every width the page itself never scrolls sideways and nothing outside a table region runs off
the screen. A table wider than its column scrolls inside its own region: ``role="region"``, named by
the table's caption, reachable with the Tab key (``tabindex="0"``), with a visible focus outline, and
scrolled by the arrow keys. In print (the PDF) the region is an ordinary box: no clipping, the table a
proper tagged ``/Table``.

Skips, saying why, where Playwright for Python or Chromium is not installed (``./dev test`` installs both).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pikepdf
import pytest

from factory import REPO, performance_params, write_params, warm_render
from reportlib import render
from reportlib.narrative import PARAMS_MIME
from reportlib.tables import TABLE_MIME, Table

WIDTHS = (320, 400, 1280)

URL = ("https://www.example.gov.uk/" + "/".join(["very-long-path-segment-without-spaces"] * 8)
       + "?ref=" + "0123456789" * 12)
WORD = "Supercalifragilisticexpialidocious" * 4


# ------------------------------------------------------------------------------------------ the pages

def _report_html(out: Path) -> Path:
    """report.html under ``out``, whether ``out`` is the report's folder or the folder it is made in."""
    return next(out.rglob("report.html"))


def _hostile_params(tmp: Path) -> Path:
    return write_params(tmp / "hostile.yaml", performance_params(
        REPO / "data" / "sample_case_log.csv",
        council=f"Council of {WORD}", title=f"Performance {WORD} report",
        stage2_timescales={"childrens": 65, "adults": 40, "corporate": 25},
        contact=[{"name": WORD, "role": "Complaints Officer", "phone": "01632 960 010",
                  "email": f"{WORD.lower()}@example.gov.uk"}],
        benchmarks=[{"authority": f"{WORD} County Council", "value": 57, "measure": "childrens"},
                    {"authority": "Easton County Council", "value": 82, "measure": "childrens"}],
        action_plan=[{"action": f"Publish the policy at {URL}", "progress": "X" * 400, "result": "Done"},
                     {"action": "Ordinary words only", "progress": "Recruitment undertaken in March.",
                      "result": "Post filled"}],
        background_papers=[f"See {URL}"],
        recommendations=[f"Note {URL}"],
    ))


def _wide_table_notebook() -> nbformat.NotebookNode:
    """An executed notebook as the renderer sees it: a sixteen-column table between numbered
    paragraphs, and an appendix table with a long URL in a cell."""
    params = {"council": "Testshire Council", "committee": "Audit Committee", "meeting_date": "2021-07-20",
              "title": "Complaints by team and month", "report_of": "Head of Customer Services",
              "author": "Helen Example", "agenda_item": "7", "background_papers": [f"See {URL}"],
              "contact": [{"name": "Darren Example", "role": "Complaints Manager", "phone": "01632 960123",
                           "email": "complaints@testshire.example"}]}
    months = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
    wide = Table("Complaints received by team and month, 2020/21",
                 ["Team", "Service area", *[f"{m} 2020" for m in months], "Total", "Share upheld"],
                 [[f"{name} Team", "Children's Services", *range(i, i + 12), 12 * i + 66, f"{40 + i}%"]
                  for i, name in enumerate(["Court", "Fostering", "Care Management", "Leaving Care"])],
                 notes=["Each complaint is counted in the month it was received."])
    links = Table("Policies referred to", ["Policy", "Where"], [["Complaints policy", URL], ["Data", WORD]])
    words = " ".join(["The committee is asked to note the figures in the table below."] * 3)
    cells = [
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data={PARAMS_MIME: params})]),
        nbformat.v4.new_markdown_cell(f"## Complaints by team\n\n{words}\n\n{words} {URL}"),
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data={TABLE_MIME: wide.to_json()})]),
        nbformat.v4.new_markdown_cell(f"{words}\n\n- a list item\n- another {WORD}"),
    ]
    appendix = [nbformat.v4.new_markdown_cell("## Appendix 1: Policies"),
                nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data",
                                                                          data={TABLE_MIME: links.to_json()})])]
    for cell in appendix:
        cell.metadata["tags"] = ["appendix"]
    return nbformat.v4.new_notebook(cells=cells + appendix)


def _wide_table_page(tmp: Path) -> Path:
    page, _ = render.to_html(_wide_table_notebook(), where="test_reflow")
    path = tmp / "wide_table.html"
    path.write_text(page, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pages(tmp_path_factory, samples) -> dict[str, Path]:
    """The pages measured: the sample reports, the hostile report and the sixteen-column page."""
    os.chdir(REPO)
    out = tmp_path_factory.mktemp("reflow")
    found = {stem: folder / "report.html" for stem, folder in samples.items()}
    hostile = tmp_path_factory.mktemp("reflow-hostile")
    warm_render(_hostile_params(hostile), out=hostile / "out")
    found["hostile"] = _report_html(hostile / "out")
    found["wide_table"] = _wide_table_page(out)
    return found




@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def width(request) -> int:
    return request.param


PAGES = ("sample_childrens_response_times", "sample_complaints_performance", "hostile", "wide_table")


def _open(browser, path: Path, width: int):
    tab = browser.new_page(viewport={"width": width, "height": 800})
    tab.goto(path.as_uri())
    return tab


@pytest.fixture(scope="module")
def tabs():
    """(page, width) -> its tab, loaded once for the tests that only measure it; closed with the module."""
    opened: dict = {}
    yield opened
    for tab in opened.values():
        tab.close()


@pytest.fixture(params=PAGES)
def shown(request, pages, browser, width, tabs):
    """The page at the width, as loaded, shared by the tests that only read it (they neither focus nor scroll)."""
    key = (request.param, width)
    if key not in tabs:
        tabs[key] = _open(browser, pages[request.param], width)
    return tabs[key]


@pytest.fixture(params=PAGES)
def page(request, pages, browser, width, tabs):
    """The page at the width as loaded, for a test that moves the focus and scrolls: the tab the tests that only
    read it used (they come first in this file, and never focus or scroll), taken from them so no test reads it
    after the focus moved; loaded afresh when none did."""
    tab = tabs.pop((request.param, width), None) or _open(browser, pages[request.param], width)
    yield tab
    tab.close()


# ------------------------------------------------------------------------------------------ the measures

_LAYOUT = """() => {
  const regions = [...document.querySelectorAll('table.data')].map((table) => {
    const region = table.closest('[role=region]');
    const holder = region ? region.parentElement : table.parentElement;
    const caption = table.caption;
    return {
      caption: caption.textContent.replace(/\\s+/g, ' ').trim(),
      tableWidth: table.getBoundingClientRect().width,
      holderWidth: holder.clientWidth,
      region: region && {
        tabindex: region.getAttribute('tabindex'),
        scrollWidth: region.scrollWidth, clientWidth: region.clientWidth,
        right: region.getBoundingClientRect().right,
        captionRight: caption.getBoundingClientRect().right,
      },
    };
  });
  // Everything outside a table region stays on the screen (title block, paragraphs and their
  // numbers' margin, lists, charts, contact details, background papers, appendices).
  const outside = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('[role=region]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.height && (r.left < -0.5 || r.right > window.innerWidth + 0.5)) {
      outside.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, regions, outside};
}"""


def _layout(page) -> dict:
    return page.evaluate(_LAYOUT)


def _table_region_names(page) -> list[str]:
    """The names Chromium's accessibility tree gives the tables' regions (what a screen reader
    announces), in reading order."""
    cdp = page.context.new_cdp_session(page)
    try:
        names = []
        for node in cdp.send("Accessibility.getFullAXTree")["nodes"]:
            if node.get("ignored") or node.get("role", {}).get("value") != "region":
                continue
            attributes = cdp.send("DOM.describeNode", {"backendNodeId": node["backendDOMNodeId"]})["node"]["attributes"]
            if dict(zip(attributes[::2], attributes[1::2])).get("class") == "table-scroll":
                names.append(" ".join(node.get("name", {}).get("value", "").split()))
        return names
    finally:
        cdp.detach()


# ------------------------------------------------------------------------------------------ the tests

def test_the_page_never_scrolls_sideways(shown, width):
    layout = _layout(shown)
    assert layout["innerWidth"] == width
    assert layout["scrollWidth"] <= layout["innerWidth"], layout["scrollWidth"]
    assert layout["outside"] == [], layout["outside"]


#: The pages with a table too wide for a phone (the children's paper's two-column tables fit one).
WIDE_ON_A_PHONE = ("sample_complaints_performance", "hostile", "wide_table")


def test_a_table_wider_than_its_column_scrolls_in_a_named_focusable_region(shown, width, request):
    layout = _layout(shown)
    wide = [t for t in layout["regions"] if t["tableWidth"] > t["holderWidth"] + 0.5]
    if width == 320 and request.node.callspec.params["shown"] in WIDE_ON_A_PHONE:  # the test is not empty
        assert wide, [(t["caption"], t["tableWidth"], t["holderWidth"]) for t in layout["regions"]]
    for t in wide:
        region = t["region"]
        assert region is not None, f"{t['caption']!r} is wider than the page and not in a region"
        assert region["tabindex"] == "0", t["caption"]
        assert region["scrollWidth"] > region["clientWidth"], t  # it really scrolls
        assert region["right"] <= width + 0.5, t
        assert region["captionRight"] <= region["right"] + 0.5, t  # the caption stays in view
    # Every region, wide or not, is named by its table's caption.
    assert _table_region_names(shown) == [t["caption"] for t in layout["regions"]]


def test_tab_reaches_each_region_which_shows_focus_and_scrolls_with_the_arrow_keys(page, width):
    count = page.locator("[role=region]").count()
    assert count >= 1
    reached = []
    for _ in range(count + 40):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => {
          const el = document.activeElement;
          if (!el || el.getAttribute('role') !== 'region') return null;
          const style = getComputedStyle(el);
          return {index: [...document.querySelectorAll('[role=region]')].indexOf(el),
                  outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
                  overflows: el.scrollWidth > el.clientWidth};
        }""")
        if info is None:
            continue
        if reached and info["index"] == reached[0]["index"]:
            break
        reached.append(info)
        assert info["outline"] != "none" and info["outlineWidth"] >= 2, info  # WCAG 2.4.7 focus visible
        if info["overflows"]:
            before = page.evaluate("document.activeElement.scrollLeft")
            page.keyboard.press("ArrowRight")
            page.wait_for_function(f"document.activeElement.scrollLeft > {before}", timeout=2000)
    assert [r["index"] for r in reached] == list(range(count))  # each region once, in reading order


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(path: Path) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


def test_caption_ids_are_unique_and_every_table_region_names_one(pages):
    for name, path in pages.items():
        tags = _tags(path)
        ids = Counter(a["id"] for _, a in tags if "id" in a)
        assert [i for i, n in ids.items() if n > 1] == [], name
        regions = [a for t, a in tags if a.get("class") == "table-scroll"]
        assert len(regions) == sum(t == "table" for t, _ in tags), name
        for a in regions:
            assert (a.get("role"), a.get("tabindex")) == ("region", "0"), (name, a)
            assert ids[a["aria-labelledby"]] == 1, (name, a)


def test_the_same_notebook_renders_to_the_same_page(pages):
    again, _ = render.to_html(_wide_table_notebook(), where="test_reflow")
    assert again == pages["wide_table"].read_text(encoding="utf-8")


def test_same_table_same_html_and_different_tables_different_ids():
    a = Table("Complaints by team", ["Team", "Complaints"], [["Court Team", 4], ["Fostering", 2]])
    b = Table("Complaints by team", ["Team", "Complaints"], [["Court Team", 4], ["Fostering", 3]])
    assert a.to_html("Table 1") == Table.from_json(json.loads(json.dumps(a.to_json()))).to_html("Table 1")
    assert len({a.html_id("Table 1"), a.html_id("Table 2"), a.html_id(), b.html_id("Table 1")}) == 4
    assert re.fullmatch(r"table-[0-9a-f]{12}", a.html_id())


# ------------------------------------------------------------------------------------------ print

def _structure(node, found: list) -> None:
    """The structure elements under ``node`` (the StructTreeRoot or an element), depth first."""
    if isinstance(node, pikepdf.Dictionary) and "/S" in node:
        found.append(node)
    kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        _structure(kid, found)


def _descendant_types(node) -> set[str]:
    found: list = []
    _structure(node, found)
    return {str(n.S) for n in found[1:]}


def test_in_the_pdf_each_table_is_a_tagged_table_and_lies_on_the_page(pages):
    """The region is screen-only: WeasyPrint neither clips the table nor wraps it in anything but a /Div,
    and a cell of long unbroken text breaks, so no column is pushed off the page."""
    import pypdf

    pdf_path = pages["hostile"].with_name("report.pdf")
    html_tables = sum(t == "table" for t, _ in _tags(pages["hostile"]))
    with pikepdf.open(pdf_path) as pdf:
        found: list = []
        _structure(pdf.Root.StructTreeRoot, found)
        tables = [n for n in found if str(n.S) == "/Table"]
        assert len(tables) == html_tables
        for table in tables:
            assert {"/TR", "/TH"} <= _descendant_types(table)
    reader = pypdf.PdfReader(pdf_path)
    off_page = []
    for number, pdf_page in enumerate(reader.pages, start=1):
        box = pdf_page.mediabox
        right = float(box.right)

        def visit(text, cm, tm, font, size, number=number, right=right):
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            if text.strip() and x > right:
                off_page.append((number, text.strip()[:40]))

        pdf_page.extract_text(visitor_text=visit)
    assert off_page == []
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for words in ("Recruitment undertaken in March.", "Post filled", "Done"):
        assert words in text
