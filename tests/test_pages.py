"""Pages a committee reads: every sample paper's PDF, and small papers built to break the layout.

Read back from each PDF (``tests/paging.py``): how far down each page its tagged content reaches
(no page but the last more than a third empty), what the last thing on each page is (never a
heading), where each chart and its caption are (one page). From the layout the PDF was written
from: each "Figure N" / "Table N" the text cites and the page it is on, the contents list and its
page numbers (present exactly when the paper has more than six pages), where each table breaks
(header row repeated, caption with its first rows, no row alone), the signature (never alone on a
page), each title's last line (never one word).

The papers built to break things (:func:`paper`): a chart at every height down the first page, a
table of 120 rows, a short table at every height, one-line paragraphs pushing the signature over the
page, an appendix after a short body, a paper that reaches seven pages.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

import paging
from factory import REPO
from reportlib import charts, layout, pages, render
from reportlib.charts import CHART_MIME
from reportlib.errors import RenderError
from reportlib.formats import pdf as pdf_mod
from reportlib.narrative import PARAMS_MIME
from reportlib.tables import TABLE_MIME, Table

pytestmark = pytest.mark.slow

SAMPLES = sorted((REPO / "params").glob("sample_*.yaml"))

#: Words that point at a chart or table by where it is on the page, which a page break can make untrue.
POINTING = re.compile(r"\b(?:shown|set out|given|listed|are|is|chart|table|figures?|graph)\s+(?:below|above)\b"
                      r"|\bas follows\b|\b(?:next|following|previous|preceding)\s+(?:table|figure|chart|graph)s?\b",
                      re.I)


# ------------------------------------------------------------------------------------------------ checks

def problems(html: str, pdf: bytes) -> list[str]:
    """Everything wrong with the pages of the paper ``html`` printed as ``pdf`` (empty: nothing)."""
    found = []
    empty = paging.ink(pdf)
    found += [f"page {n} is {e:.0%} empty" for n, e in enumerate(empty[:-1], start=1) if e > pages.MOST_EMPTY]
    for n, roles in enumerate(paging.last_on_page(pdf), start=1):
        if any(re.fullmatch(r"/H\d", r) for r in roles):
            found.append(f"page {n} ends with a heading")
    for page, caption in paging.figures(pdf):
        if caption != page:
            found.append(f"the chart on page {page} has its caption on page {caption}")
    document = pdf_mod.laid_out(html)
    assert len(document.pages) == len(empty), "the PDF is not the layout it was written from"
    lines = paging.texts(document)
    found += _tables(lines) + _signature(lines) + _titles(lines) + _citations(lines) + _contents(html, lines)
    return found


def _rows_by_table(lines: list[paging.Text]) -> dict[int, dict]:
    tables: dict[int, dict] = {}
    for line in lines:
        table = next((e for e in reversed(line.chain) if e.tag == "table"), None)
        if table is None:
            continue
        entry = tables.setdefault(id(table), {"caption": set(), "head": set(), "rows": {}})
        if line.inside("caption"):
            entry["caption"].add(line.page)
        elif line.inside("thead"):
            entry["head"].add(line.page)
        else:
            row = next(e for e in reversed(line.chain) if e.tag == "tr")
            entry["rows"].setdefault(id(row), set()).add(line.page)
    return tables


def _tables(lines) -> list[str]:
    """A table that breaks repeats its header row on every page; its caption is on the page of its first row;
    no page holds one row of a table of four or more."""
    found = []
    for entry in _rows_by_table(lines).values():
        rows = list(entry["rows"].values())
        row_pages = sorted({p for r in rows for p in r})
        if entry["head"] != set(row_pages):
            found.append(f"a table on pages {row_pages} has its header row on pages {sorted(entry['head'])}")
        if entry["caption"] and min(entry["caption"]) != min(rows[0]):
            found.append(f"a table's caption is on page {min(entry['caption'])}, its first row on {min(rows[0])}")
        if len(rows) >= 4:
            for page in row_pages:
                if sum(1 for r in rows if min(r) == page) == 1:
                    found.append(f"a table leaves one row alone on page {page}")
    return found


def _signature(lines) -> list[str]:
    first = next((line for line in lines if line.inside("section", "signature")), None)
    if first is None:
        return []
    before = [line for line in lines if line.page == first.page and line.top < first.top and line.inside("main")]
    return [] if before else [f"the signature starts page {first.page}"]


def _titles(lines) -> list[str]:
    """Every title's last line holds two words or more: the title (h1), headings, figure titles, table captions."""
    blocks: dict[int, list[paging.Text]] = {}
    for line in lines:
        title = next((e for e in reversed(line.chain) if e.tag in ("h1", "h2", "h3", "caption") or
                      (e.tag == "span" and "title" in (e.get("class") or "").split())), None)
        if title is not None and not (line.inside("span", "subtitle") and not line.inside("span", "title")):
            blocks.setdefault(id(title), []).append(line)
    found = []
    for block in blocks.values():
        if len(block) > 1 and len(block[-1].words.split()) < 2:
            found.append(f"a title ends on a word alone: {' / '.join(b.words.strip() for b in block)!r}")
    return found


def _citations(lines) -> list[str]:
    labels = paging.labels(lines)
    found = [f"page {page} cites {label}, which the paper does not have" for label, page, _ in
             paging.citations(lines) if label not in labels]
    paragraphs: dict[int, list[paging.Text]] = {}
    for line in lines:
        block = next((e for e in reversed(line.chain) if e.tag in ("p", "li")), None)
        if block is not None and not line.inside("nav"):
            paragraphs.setdefault(id(block), []).append(line)
    for block in paragraphs.values():
        words = " ".join(" ".join(line.words.split()) for line in block)
        if POINTING.search(words):
            found.append(f"page {block[0].page} points at a chart or table by place: {words!r}")
    return found


def _contents(html: str, lines) -> list[str]:
    """The contents list: present exactly when the paper has more than six pages, its page numbers those of the
    headings it names, each of its links to an id the page has."""
    count = max(line.page for line in lines)
    entries = paging.contents_entries(lines)
    if bool(entries) != (count > pages.CONTENTS_AFTER):
        return [f"a paper of {count} pages {'has' if entries else 'lacks'} a contents list"]
    found = []
    where = {}
    for line in lines:
        heading = next((e for e in reversed(line.chain) if e.tag == "h2"), None)
        if heading is not None and not line.inside("nav"):
            where.setdefault(" ".join(heading.text_content().split()) if hasattr(heading, "text_content")
                             else " ".join("".join(heading.itertext()).split()), line.page)
    for words, page in entries:
        if where.get(" ".join(words.split())) != page:
            found.append(f"the contents list gives {words!r} page {page}; it is on page {where.get(words)}")
    for target in re.findall(r'<nav [^>]*class="contents".*?</nav>', html, re.S)[:1]:
        for name in re.findall(r'href="#([^"]+)"', target):
            if f'id="{name}"' not in html:
                found.append(f"the contents list links to #{name}, which the page does not have")
    return found


# ----------------------------------------------------------------------------------------- the samples

@pytest.fixture(scope="module", params=SAMPLES, ids=lambda p: p.stem)
def sample(request, samples) -> Path:
    return samples[request.param.stem]


def test_sample_pages(sample):
    html = (sample / "report.html").read_text(encoding="utf-8")
    assert problems(html, (sample / "report.pdf").read_bytes()) == []


def test_the_pdf_is_measured_as_it_was_laid_out(sample):
    """The PDF's own ink (tests/paging.py) and reportlib.pages' measure of the layout agree, page by page."""
    html = (sample / "report.html").read_text(encoding="utf-8")
    measured = [p.empty for p in pages.pages(pdf_mod.laid_out(html))]
    read = paging.ink(sample / "report.pdf")
    assert len(measured) == len(read)
    assert all(abs(a - b) < 0.02 for a, b in zip(measured, read)), list(zip(measured, read))


def test_every_citation_names_a_figure_or_table_of_the_paper(sample):
    """What the notebooks cite by name ({{ ref.name }}) is there, and the text never points "below"."""
    html = (sample / "report.html").read_text(encoding="utf-8")
    lines = paging.texts(pdf_mod.laid_out(html))
    cited = paging.citations(lines)
    assert cited, "the paper cites no figure or table by name"
    assert _citations(lines) == []


# ------------------------------------------------------------------------------ papers built to break it

PARAMS = {"council": "Testshire Council", "committee": "Audit and Governance Committee",
          "meeting_date": "2021-07-20", "title": "Complaints Performance and Service Improvement Plan",
          "report_of": "Head of Customer Services", "author": "Helen Example",
          "contact": [{"name": "Darren Example", "role": "Complaints Manager", "phone": "01632 960123",
                       "email": "complaints@testshire.example"}]}


def _output(mime: str, data: dict, tags=()):
    cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data={mime: data})])
    cell.metadata["tags"] = list(tags)
    return cell


def md(text: str, tags=()):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = list(tags)
    return cell


def table(rows: int, caption: str = "Complaints by team", tags=()):
    return _output(TABLE_MIME, Table(caption, ["Team", "Complaints", "Upheld"],
                                     [[f"Team {i}", 10 + i, f"{i % 100}%"] for i in range(1, rows + 1)]).to_json(),
                   tags)


@pytest.fixture(scope="module")
def chart_json() -> dict:
    chart = charts.bar([f"Q{q} 2020/21" for q in range(1, 5)], [40.0, 55.0, 61.0, 70.0],
                       title="Complaints responded to within 20 working days, by quarter",
                       subtitle="Share of stage 1 responses sent in each quarter", source="Testshire case log")
    return chart.to_json()


def chart(data: dict, tags=()):
    return _output(CHART_MIME, data, tags)


def lines(n: int, start: int = 1) -> list:
    """``n`` one-line paragraphs."""
    return [md(f"Paragraph {i} of the report, one line long.") for i in range(start, start + n)]


def notebook(*cells) -> nbformat.NotebookNode:
    params = _output(PARAMS_MIME, PARAMS)
    return nbformat.v4.new_notebook(cells=[params, *cells])


def paper(nb) -> tuple[str, bytes]:
    html, _ = pages.paper(nb, where="test_pages")
    return html, pdf_mod.to_pdf(html)


@pytest.mark.parametrize("before", range(8, 28, 2))
def test_a_chart_at_every_height_down_the_page(chart_json, before):
    html, pdf = paper(notebook(md("## Performance"), *lines(before), chart(chart_json, ["ref-quarterly"]),
                               md("Figure {{ ref.quarterly }} shows the share in each quarter."
                                  .replace("Figure {{", "{{")), *lines(3, before + 1)))
    assert problems(html, pdf) == []


@pytest.mark.parametrize("before", range(6, 26, 3))
def test_a_short_table_at_every_height_down_the_page(before):
    html, pdf = paper(notebook(md("## Teams"), *lines(before), md("## By team"), table(12), *lines(4, 40)))
    assert problems(html, pdf) == []


def test_a_table_of_one_row_goes_where_it_fits():
    """WeasyPrint keeps a row kept with the row before and after it off a page it fits on: a lone row is not kept."""
    html, pdf = paper(notebook(md("## Teams"), *lines(12), table(1, "Complaints by team"), table(1, "Compliments")))
    first = next(line for line in paging.texts(pdf_mod.laid_out(html)) if line.inside("table"))
    assert first.page == 1  # held back, it took the rest with it and left page 1 40% empty
    assert problems(html, pdf) == []


def test_a_table_of_120_rows_breaks_with_its_header_on_every_page():
    html, pdf = paper(notebook(md("## Teams"), *lines(5), table(120, "Complaints by team, 2020/21"), *lines(3, 10)))
    assert problems(html, pdf) == []
    entry = next(e for e in _rows_by_table(paging.texts(pdf_mod.laid_out(html))).values() if len(e["rows"]) == 120)
    assert sorted(entry["head"]) == [1, 2, 3, 4] or len(entry["head"]) >= 3  # the header on every page it spans
    assert min(entry["caption"]) == 1


@pytest.mark.parametrize("before", range(14, 30))
def test_the_signature_is_never_alone_on_the_last_page(before):
    html, pdf = paper(notebook(md("## Background"), *lines(before), md("## Health and Wellbeing"),
                               md("There are no implications.")))
    assert problems(html, pdf) == []


def test_an_appendix_starts_a_page_unless_that_leaves_one_mostly_empty():
    starts = []
    for before in range(0, 40, 3):
        html, pdf = paper(notebook(md("## Purpose"), *lines(before),
                                   md("## Appendix 1: Action plan", ["appendix"]), _appendix_table()))
        assert problems(html, pdf) == [], before
        starts.append('<h2 id="section-appendix-1-action-plan">' in html)  # not "loose": it starts a page
        if starts[-1]:
            appendix = next(line for line in paging.texts(pdf_mod.laid_out(html)) if line.inside("h2")
                            and line.words.startswith("Appendix"))
            assert not any(line.page == appendix.page and line.top < appendix.top
                           for line in paging.texts(pdf_mod.laid_out(html)))
    assert any(starts) and not all(starts), starts


def _appendix_table():
    cell = table(6, "Action plan")
    cell.metadata["tags"] = ["appendix"]
    return cell


def test_a_paper_of_seven_pages_opens_with_its_contents(chart_json):
    sections = []
    for s in range(1, 26):
        sections += [md(f"## Section {s}"), *lines(8, 10 * s)]
    html, pdf = paper(notebook(*sections))
    count = len(pdf_mod.laid_out(html).pages)
    assert count > pages.CONTENTS_AFTER
    assert re.search(r'<nav aria-labelledby="contents-heading" class="contents">\s*<h2 id="contents-heading">'
                     r'Contents</h2>\s*<ol>\s*<li><a href="#section-section-1">Section 1</a></li>', html)
    assert problems(html, pdf) == []
    short, _ = paper(notebook(*sections[:54]))
    assert len(pdf_mod.laid_out(short).pages) <= pages.CONTENTS_AFTER and 'class="contents"' not in short


@pytest.mark.parametrize("sections", [5, 25])
def test_the_guess_at_the_page_count_never_changes_the_paper(monkeypatch, sections):
    """pages.likely_pages only chooses whether the first layout has a contents list: guessing wrong costs a layout,
    never a different paper."""
    cells = []
    for s in range(1, sections + 1):
        cells += [md(f"## Section {s}"), *lines(8, 10 * s)]
    nb = notebook(*cells)
    papers = set()
    for guess in (0, 100):
        monkeypatch.setattr(pages, "likely_pages", lambda nb, guess=guess: guess)
        papers.add(pages.paper(nb, where="test_pages")[0])
    assert len(papers) == 1
    assert ('class="contents"' in papers.pop()) == (sections == 25)


def test_the_same_notebook_gives_the_same_paper(chart_json):
    nb = notebook(md("## Performance"), *lines(20), chart(chart_json), *lines(30, 30), table(40))
    assert paper(nb)[0] == paper(nb)[0]


# ------------------------------------------------------------------------------------ citing by name

def _cited(*cells) -> str:
    html, _ = render.to_html(notebook(*cells), where="test_pages")
    return html


def test_a_citation_is_the_number_the_render_gives(chart_json):
    page = _cited(md("As {{ ref.quarterly }} shows, and {{ ref.teams }} lists."), table(2, "First"),
                  chart(chart_json, ["ref-quarterly"]), table(3, "Second", ["ref-teams"]))
    assert "<p>As Figure\u00a01 shows, and Table\u00a02 lists.</p>" in page  # never broken across two lines
    assert '<span class="label">Table 2:</span> Second' in page


@pytest.mark.parametrize("cells, message", [
    ((md("See {{ ref.teams }}."), table(2)),
     "test_pages: markdown cell 2 ('See {{ ref.teams }}.') cites ref.teams, but no code cell showing a chart or "
     "table is tagged 'ref-teams': tag the cell that shows it, or correct the name"),
    ((table(2, tags=["ref-teams"]), table(2, tags=["ref-teams"])),
     "test_pages: code cell 3 is tagged 'ref-teams', as an earlier cell is: give each chart or table a name of "
     "its own"),
    ((table(2, tags=["ref-2nd"]),),
     "test_pages: code cell 2 is tagged 'ref-2nd': a reference's name is letters, digits and _ after 'ref-', "
     "starting with a letter, as in ref-quarterly"),
])
def test_a_citation_that_names_nothing_is_refused_in_one_line(cells, message):
    with pytest.raises(RenderError) as e:
        _cited(*cells)
    assert str(e.value) == message


def test_a_cell_showing_two_tables_cannot_be_cited():
    both = table(2, tags=["ref-teams"])
    both.outputs += table(2).outputs
    with pytest.raises(RenderError, match=r"^test_pages: code cell 2 is tagged 'ref-teams' but shows 2 charts and "
                                          r"tables: a reference names one, so show each in a cell of its own$"):
        _cited(both)



def _figure(name: str, value):
    from reportlib import narrative

    return _output(narrative.FIGURE_MIME, narrative.figure_bundle(name, value)[narrative.FIGURE_MIME])


def test_a_cell_compiled_once_is_filled_anew_and_marks_what_each_paper_glues(monkeypatch):
    """A markdown cell is compiled once a process (a paper is laid out more than once): filled again, it prints the
    new paper's figures, and a name that is a figure in one paper but not in another is collected as printed only
    where it is a figure."""
    import jinja2

    compiled = []
    compile_ = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda *a, **k: compiled.append(1) or compile_(*a, **k))
    text = md("{{ total | default('No') }} complaints were received (a cell compiled once, test_pages).")

    def cited(*cells) -> tuple[str, dict]:
        page, collected = render.to_html(notebook(*cells, text), where="test_pages")
        return re.search(r"<p>\S+ complaints .*?</p>", page).group(0), collected["cited"]

    first = cited(_figure("total", 41))
    assert first == ("<p>41 complaints were received (a cell compiled once, test_pages).</p>", {"total": ["41"]})
    made = len(compiled)
    assert made >= 1
    assert cited(_figure("total", 7)) == (first[0].replace("41", "7"), {"total": ["7"]})
    assert len(compiled) == made  # the same cell, the same figures' names: nothing compiled again
    assert cited() == (first[0].replace("41", "No"), {})  # no figure of that name: nothing collected
    assert len(compiled) > made
    assert cited(_figure("total", 41)) == first

# ------------------------------------------------------------------------------------------ balanced titles

@pytest.mark.parametrize("title, balanced", [
    ("Children's Services Complaints: Response Times Action Plan",
     "Children's Services Complaints: Response Times Action\u00a0Plan"),
    ("Annual Report 2020/21", "Annual Report\u00a02020/21"),
    ("Annual   Report\n2020/21", "Annual Report\u00a02020/21"),
    ("Two words", "Two words"),  # a title of two words may break between them
    ("Complaints about Representations Organisational", "Complaints about Representations Organisational"),
])
def test_a_titles_last_two_words_are_held_together(title, balanced):
    assert layout.balance(title) == balanced


def test_headings_are_balanced_and_named_where_the_html_is_made():
    page = _cited(md("## Complaints about *services* in 2021\n\nText.\n\n## Complaints about services in 2021"))
    assert '<h2 id="section-complaints-about-services-in-2021">Complaints about <em>services</em> in\u00a02021</h2>' \
        in page
    assert '<h2 id="section-complaints-about-services-in-2021-2">' in page
