"""The committee paper read back from its HTML: the structure the Word and Excel files are built from.

``report.html`` is the one rendering of the notebook through the committee template
(``templates/committee/index.html.j2``). Reading it back, rather than walking the notebook
again, keeps every format in step with the template: the title block, the numbered
paragraphs, the signature and contacts, background papers and appendices are wherever the
template puts them, with the words it wrote.

The paper's parts:

- ``header.title-block``: council, meeting, agenda item, the title (``h1``), "Report of ...";
- ``main.report``: the body. Every ``p`` that is a direct child is a numbered paragraph (the CSS
  counter in ``committee.css``: ``main.report > p``), so :func:`parse` numbers exactly those,
  1, 2, 3... in order; headings, lists, figures, tables and the signature are not numbered;
- ``section.appendices``: appendix headings (each starts a page in print) and their content.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Iterator
from urllib.parse import unquote_to_bytes

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Run:
    """A stretch of text with one formatting; ``text == "\\n"`` is a line break."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str | None = None


@dataclass
class Paragraph:
    """A paragraph. ``number`` is its paragraph number (body paragraphs only); ``role`` says where it sits:
    ``body``, ``council``, ``meeting``, ``agenda-item``, ``report-of``, ``author``, ``contact``,
    ``quote``, ``code``."""

    runs: list[Run]
    role: str = "body"
    number: int | None = None

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Heading:
    level: int
    text: str
    appendix: bool = False  # an appendix heading starts a new page


@dataclass
class ListItem:
    runs: list[Run]
    children: list["ListBlock"] = field(default_factory=list)


@dataclass
class ListBlock:
    items: list[ListItem]
    ordered: bool = False
    start: int = 1


@dataclass
class Figure:
    """A chart: its label ("Figure 1"), caption, alt text, the SVG the HTML shows, and its source line."""

    label: str
    title: str
    subtitle: str
    alt: str
    svg: str
    source: str = ""


@dataclass
class Cell:
    text: str
    header: bool = False  # a row header (th scope="row")
    numeric: bool = False  # right-aligned figure


@dataclass
class Table:
    """A table: ``label`` ("Table 2"; a chart's data table takes its figure's label), caption, one header row,
    rows of cells, notes. ``chart`` is True for the data table under a chart."""

    label: str
    caption: str
    columns: list[Cell]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    chart: bool = False
    title: str = ""  # a chart's title, for a chart's data table

    @property
    def heading(self) -> str:
        """How the table is named where it is listed: "Table 2: caption", "Figure 1 data: title"."""
        if self.chart:
            return f"{self.label} data: {self.title}" if self.label else self.caption
        return f"{self.label}: {self.caption}" if self.label else self.caption


Block = Paragraph | Heading | ListBlock | Figure | Table


@dataclass
class Document:
    lang: str
    title: str  # the h1
    author: str  # <meta name="author">
    description: str  # <meta name="description">
    running: tuple[str, str]  # the running header: committee, meeting date
    title_block: list[Block]
    body: list[Block]
    appendices: list[Block]

    def blocks(self) -> Iterator[Block]:
        yield from self.title_block
        yield from self.body
        yield from self.appendices

    def tables(self) -> list[Table]:
        """Every table, in the order a reader meets them (charts' data tables included)."""
        return [b for b in self.blocks() if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks() if isinstance(b, Figure)]

    def numbered(self) -> list[Paragraph]:
        return [b for b in self.body if isinstance(b, Paragraph) and b.number is not None]


# --- reading the HTML ------------------------------------------------------------------------------------------


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _text(el) -> str:
    return _SPACE.sub(" ", el.text_content()).strip()


def _runs(el, bold=False, italic=False, code=False, href=None) -> list[Run]:
    """The inline content of ``el`` as runs, whitespace collapsed as a browser would."""
    raw: list[Run] = []

    def walk(node, bold, italic, code, href):
        if node.text:
            raw.append(Run(node.text, bold, italic, code, href))
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "br":
                raw.append(Run("\n"))
            elif tag in ("ul", "ol", "table", "figure"):
                pass  # blocks inside an inline context are read as blocks by the caller
            else:
                walk(child, bold or tag in ("strong", "b"), italic or tag in ("em", "i"), code or tag == "code",
                     child.get("href") if tag == "a" else href)
            if child.tail:
                raw.append(Run(child.tail, bold, italic, code, href))

    walk(el, bold, italic, code, href)
    out: list[Run] = []
    at_line_start = True
    for run in raw:
        if run.text == "\n":
            if out and out[-1].text.endswith(" "):
                out[-1] = Run(out[-1].text.rstrip(" "), out[-1].bold, out[-1].italic, out[-1].code, out[-1].href)
            out.append(run)
            at_line_start = True
            continue
        text = run.text if run.code and "\n" not in run.text else _SPACE.sub(" ", run.text)
        if at_line_start or (out and out[-1].text.endswith(" ")):
            text = text.lstrip(" ")
        if not text:
            continue
        at_line_start = False
        last = out[-1] if out else None
        if last and last.text != "\n" and (last.bold, last.italic, last.code, last.href) == \
                (run.bold, run.italic, run.code, run.href):
            out[-1] = Run(last.text + text, run.bold, run.italic, run.code, run.href)
        else:
            out.append(Run(text, run.bold, run.italic, run.code, run.href))
    while out and out[-1].text != "\n" and out[-1].text.endswith(" "):
        last = out[-1]
        stripped = last.text.rstrip(" ")
        if stripped:
            out[-1] = Run(stripped, last.bold, last.italic, last.code, last.href)
            break
        out.pop()
    while out and out[-1].text == "\n":
        out.pop()
    return [r for r in out if r.text]


def _list(el) -> ListBlock:
    items = []
    for li in el:
        if li.tag != "li":
            continue
        children = [_list(sub) for sub in li.iter("ul", "ol") if sub.getparent() is li or
                    (sub.getparent().tag == "p" and sub.getparent().getparent() is li)]
        runs: list[Run] = []
        paras = [c for c in li if c.tag == "p"]
        if paras:  # a loose list: paragraphs inside the item
            for i, p in enumerate(paras):
                if i:
                    runs.append(Run("\n"))
                runs += _runs(p)
        else:
            runs = _runs(li)
        items.append(ListItem(runs, children))
    start = int(el.get("start", "1")) if (el.get("start") or "1").isdigit() else 1
    return ListBlock(items, ordered=el.tag == "ol", start=start)


def _caption(el) -> tuple[str, str]:
    """``(label, caption)`` from a caption holding ``<span class="label">Table 2:</span> words``."""
    label_el = next((s for s in el.iter("span") if "label" in _classes(s)), None)
    label = _text(label_el).rstrip(":").strip() if label_el is not None else ""
    whole = _text(el)
    words = whole[len(_text(label_el)):].strip() if label_el is not None and whole.startswith(_text(label_el)) \
        else whole
    return label, words


def _table(el, label: str = "", chart: bool = False, title: str = "") -> Table:
    """A ``<table>`` (ours, with caption and th scopes, or a plain markdown one)."""
    caption_el = el.find("caption")
    cap_label, caption = _caption(caption_el) if caption_el is not None else ("", "")
    rows = [tr for tr in el.iter("tr")]
    head = [tr for tr in rows if tr.getparent().tag == "thead"]
    header_row = head[0] if head else (rows[0] if rows and all(c.tag == "th" for c in rows[0]) else None)
    columns = [Cell(_text(c), header=True, numeric="num" in _classes(c)) for c in header_row] \
        if header_row is not None else []
    body = []
    for tr in rows:
        if tr is header_row or tr in head:
            continue
        body.append([Cell(_text(c), header=c.tag == "th", numeric="num" in _classes(c))
                     for c in tr if c.tag in ("td", "th")])
    if not columns and body:
        columns = [Cell(f"Column {i}", header=True) for i in range(1, len(body[0]) + 1)]
    return Table(label or cap_label, caption, columns, body, chart=chart, title=title)


def _image_svg(src: str) -> str:
    if src.startswith("data:image/svg+xml;base64,"):
        return base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
    if src.startswith("data:image/svg+xml,"):
        return unquote_to_bytes(src.split(",", 1)[1]).decode("utf-8")
    return ""


def _figure(el) -> Figure:
    caption = el.find("figcaption")
    label, title, subtitle = "", "", ""
    if caption is not None:
        for span in caption.iter("span"):
            cls = _classes(span)
            if "label" in cls:
                label = _text(span).rstrip(":").strip()
            elif "title" in cls:
                title = _text(span)
            elif "subtitle" in cls:
                subtitle = _text(span)
        if not title:
            title = _text(caption)
    img = next(el.iter("img"), None)
    source_el = next((p for p in el.iter("p") if "source" in _classes(p)), None)
    source = _text(source_el) if source_el is not None else ""
    source = source[len("Source:"):].strip() if source.startswith("Source:") else source
    return Figure(label, title, subtitle, img.get("alt", "") if img is not None else "",
                  _image_svg(img.get("src", "")) if img is not None else "", source)


class _Reader:
    def __init__(self):
        self.number = 0
        self.figure: Figure | None = None  # the last figure: its data table follows it

    def blocks(self, parent, numbered: bool = False, appendix: bool = False) -> list[Block]:
        out: list[Block] = []
        for el in parent:
            tag = el.tag if isinstance(el.tag, str) else ""
            cls = _classes(el)
            if not tag:
                continue
            if tag == "p":
                runs = _runs(el)
                if not runs:
                    continue
                number = None
                if numbered:
                    self.number += 1
                    number = self.number
                role = next((c for c in ("author", "contact", "source") if c in cls), "body")
                out.append(Paragraph(runs, role, number))
            elif re.fullmatch(r"h[1-6]", tag):
                out.append(Heading(int(tag[1]), _text(el), appendix=appendix and tag == "h2"))
            elif tag in ("ul", "ol"):
                out.append(_list(el))
            elif tag == "figure":
                self.figure = _figure(el)
                out.append(self.figure)
            elif tag == "table":
                out.append(_table(el))
            elif tag == "div" and "chart-data" in cls:
                table_el = next(el.iter("table"), None)
                if table_el is not None:
                    fig = self.figure
                    table = _table(table_el, label=fig.label if fig else "", chart=True, title=fig.title if fig else "")
                    table.notes = [_text(p) for note in el.iter("div") if "table-notes" in _classes(note)
                                   for p in note.iter("p")]
                    out.append(table)
            elif tag == "div" and "table" in cls:
                table_el = next(el.iter("table"), None)
                if table_el is not None:
                    table = _table(table_el)
                    table.notes = [_text(p) for note in el.iter("div") if "table-notes" in _classes(note)
                                   for p in note.iter("p")]
                    out.append(table)
            elif tag == "blockquote":
                for block in self.blocks(el, appendix=appendix):
                    if isinstance(block, Paragraph):
                        block.role = "quote"
                    out.append(block)
            elif tag == "pre":
                runs = []
                for i, line in enumerate(el.text_content().rstrip("\n").split("\n")):
                    if i:
                        runs.append(Run("\n"))
                    runs.append(Run(line or " ", code=True))
                out.append(Paragraph(runs, role="code"))
            elif tag in ("hr", "style", "script", "img"):
                continue
            elif tag in ("section", "div", "header", "footer", "aside", "nav", "article"):
                out += self.blocks(el, appendix=appendix)
            else:  # anything else the template or a cell might hold: its words, never dropped
                runs = _runs(el)
                if runs:
                    out.append(Paragraph(runs))
        return out


def parse(html: str) -> Document:
    """Read the committee paper's HTML (``report.html``) into a :class:`Document`."""
    import lxml.html

    root = lxml.html.document_fromstring(html)
    head = root.find("head")

    def meta(name: str) -> str:
        el = head.find(f"meta[@name='{name}']") if head is not None else None
        return (el.get("content") or "").strip() if el is not None else ""

    body = root.find("body")
    reader = _Reader()
    title_block: list[Block] = []
    header = next((el for el in body if el.tag == "header"), None)
    running = ("", "")
    if header is not None:
        for el in header:
            if el.tag == "h1":
                title_block.append(Heading(1, _text(el)))
            elif el.tag == "p":
                cls = _classes(el)
                role = next((c for c in ("council", "meeting", "agenda-item", "report-of") if c in cls), "body")
                title_block.append(Paragraph(_runs(el), role))
        committee = next((s for s in header.iter("span") if "running-committee" in _classes(s)), None)
        date = next((s for s in header.iter("span") if "running-date" in _classes(s)), None)
        running = (_text(committee) if committee is not None else "", _text(date) if date is not None else "")
    main = next((el for el in body.iter("main")), None)
    blocks = reader.blocks(main, numbered=True) if main is not None else []
    appendix_el = next((el for el in body if el.tag == "section" and "appendices" in _classes(el)), None)
    appendices = reader.blocks(appendix_el, appendix=True) if appendix_el is not None else []
    h1 = next((b.text for b in title_block if isinstance(b, Heading)), "")
    return Document(lang=root.get("lang", ""), title=h1, author=meta("author"), description=meta("description"),
                    running=running, title_block=title_block, body=blocks, appendices=appendices)
