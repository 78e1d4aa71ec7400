"""The paper's pages: laid out once by WeasyPrint, measured, and what the paper needs for them decided.

The committee stylesheet keeps together what a reader reads together: a heading with its first
lines, a chart with its caption and its data table, a short table, the signature with the
paragraph before it; an appendix starts a page. Kept whole, a block that does not fit at the foot
of a page moves to the next one and leaves a gap. :func:`paper` lays the paper out, and

- lets go (``loose``, :class:`reportlib.render.Layout`) each kept block that left the page before
  it more than a third empty (:data:`MOST_EMPTY`): a chart stays whole with its caption but its
  data table may begin on the next page, a short table breaks between rows like a long one (its
  header row repeated), an appendix no longer starts a page;
- gives a paper over :data:`CONTENTS_AFTER` pages a contents list (page numbers in the PDF).

Both change the page, so the paper is made and laid out again until nothing more is needed (one
layout for most papers). The HTML and the PDF are then the same page: ``report.html`` carries the
contents list and the ``loose`` classes too, and :func:`reportlib.formats.pdf.laid_out` keeps the last layout, from which
:func:`reportlib.formats.pdf.to_pdf` writes the PDF without laying it out again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

#: A paper with more pages than this opens with a contents list.
CONTENTS_AFTER = 6
#: No page but the last may be emptier than this (a share of the page's text area).
MOST_EMPTY = 1 / 3
#: A page this empty already has its kept blocks let go: a little short of MOST_EMPTY, so that a page measured
#: from the PDF's ink rather than from its line boxes (a few points apart) is never over it.
LET_GO_AT = MOST_EMPTY - 0.02
#: Layouts at most, for one paper (each letting more go; most papers need one).
MAX_PASSES = 5

#: What the layout may let go: a block kept whole, by the class the renderer gives it.
_KEPT = ("figure-block", "table-block")


@dataclass
class Block:
    """A block of the paper's body (a child of ``main`` or of the appendices) as laid out on one page."""

    element: Any  # the HTML element
    top: float  # CSS px from the top of the page
    bottom: float

    @property
    def tag(self) -> str:
        return str(self.element.tag)

    @property
    def classes(self) -> set[str]:
        return set((self.element.get("class") or "").split())


@dataclass
class Page:
    """One page: its text area (CSS px from the top of the page), where its content ends, and its blocks."""

    number: int
    top: float
    height: float
    filled_to: float  # the bottom of the last line, row, image or rule on the page
    blocks: list[Block]

    @property
    def empty(self) -> float:
        """How much of the text area is left empty below the content (0 to 1)."""
        return max(0.0, self.top + self.height - self.filled_to) / self.height


def _leaves(box, chain: tuple) -> Iterator[tuple[Any, tuple]]:
    """Every line, replaced box (an image) and table row under ``box``, with the boxes above it."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, (boxes.LineBox, boxes.ReplacedBox, boxes.TableRowBox)):
        yield box, chain
        return
    for child in getattr(box, "children", ()):
        yield from _leaves(child, chain + (box,))


def _bottom(box) -> float:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.ReplacedBox):
        return box.border_box_y() + box.border_height()
    return box.position_y + box.height


def pages(document) -> list[Page]:
    """The laid-out ``document``'s pages, measured."""
    from weasyprint.formatting_structure import boxes

    out = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        blocks: dict[int, Block] = {}
        bottom = page_box.content_box_y()
        for root in page_box.children:
            if isinstance(root, boxes.MarginBox):  # the running header and "Page X of Y"
                continue
            for leaf, chain in _leaves(root, ()):
                leaf_bottom = _bottom(leaf)
                bottom = max(bottom, leaf_bottom)
                top_block = _top_block(chain + (leaf,))
                if top_block is None:
                    continue
                block = blocks.setdefault(id(top_block.element), Block(top_block.element, leaf.position_y, leaf_bottom))
                block.top, block.bottom = min(block.top, leaf.position_y), max(block.bottom, leaf_bottom)
        out.append(Page(number, page_box.content_box_y(), page_box.height, bottom, list(blocks.values())))
    return out


def _body(element) -> bool:
    tag = getattr(element, "tag", "")
    return tag == "main" or (tag == "section" and "appendices" in (element.get("class") or "").split())


def _top_block(chain: tuple):
    """The box, in ``chain`` (root to leaf), that is a child of ``main`` or of the appendices."""
    for parent, child in zip(chain, chain[1:]):
        if _body(getattr(parent, "element", None)) and getattr(child, "element", None) is not parent.element:
            return child
    return None


def _kept_after(first: Block, parents: dict[int, Any]) -> Any | None:
    """The kept block that took ``first`` (the first block of a page) with it: ``first`` itself, or the block its
    headings are kept with (a chart, a table); an appendix's heading, which starts a page; None if nothing kept
    moved it."""
    element = first.element
    parent = parents[id(element)]
    if element.tag == "h2" and element.get("id") and parent.tag == "section" and "loose" not in first.classes:
        return element  # an appendix's heading, which starts a page
    return _kept_from(element, parents)


def _kept_from(element, parents: dict[int, Any], after: bool = False) -> Any | None:
    """The kept block (a chart, a table) at ``element`` (or, with ``after``, after it), past the headings before it;
    None if something else comes first."""
    siblings = list(parents[id(element)])
    for sibling in siblings[siblings.index(element) + after:]:
        if sibling.tag in ("h2", "h3"):
            continue  # a heading goes where its first lines go
        classes = set((sibling.get("class") or "").split())
        return sibling if classes & set(_KEPT) and sibling.get("id") else None
    return None


def _walk(box) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def _fitted(page_box, block, first_top: float, free: float, margin_above: float) -> int | None:
    """The largest of :data:`FIT_MM` at which the chart in ``block`` (laid out on ``page_box``), with the headings
    above it, fits in ``free`` px at the foot of the page before; None if none does."""
    from weasyprint.formatting_structure import boxes

    from .layout import FIT_MM

    found = [b for b in _walk(page_box) if getattr(b, "element", None) is not None and
             b.element.tag in ("figure", "img") and _inside(b.element, block)]
    figure = next((b for b in found if b.element.tag == "figure" and not isinstance(b, boxes.LineBox)), None)
    image = next((b for b in found if isinstance(b, boxes.ReplacedBox)), None)
    if figure is None or image is None:
        return None
    # The headings, the caption, the chart and its source, and the margin above them at the foot of a page.
    need = figure.position_y + figure.margin_height() - first_top + margin_above
    if need <= free:
        return None  # it fits as it is, once its data table may go on
    for mm in FIT_MM:
        height = mm * PX_PER_MM
        if height < image.height and need - image.height + height <= free:
            return mm
    return None


def _inside(element, ancestor) -> bool:
    return any(e is element for e in ancestor.iter())


#: CSS px per mm (96 px to the inch).
PX_PER_MM = 96 / 25.4
#: The margin (CSS px) above a block moved back to the foot of a page: a heading's (1.75rem at 11pt), a chart's
#: (1rem).
MARGIN_ABOVE = {"h2": 26, "h3": 19, "div": 15}


def adjust(document, layout):
    """``layout`` with the kept blocks let go that left a page of the laid-out ``document`` (not the last) more than
    :data:`MOST_EMPTY` empty: the first thing on the next page, or what the headings there are kept with, begun
    there. A chart that, alone, would still not fit at the foot of that page is printed smaller (``fitted``): only
    at the first gap changed, since every change moves the pages after it."""
    import dataclasses

    measured = pages(document)
    root = document._html.etree_element
    parents = {id(child): parent for parent in root.iter() for child in parent}
    loose, fitted = set(layout.loose), dict(layout.fitted)
    for page, following in zip(measured, measured[1:]):
        if page.empty <= LET_GO_AT or not following.blocks:
            continue
        first = min(following.blocks, key=lambda b: b.top)
        if any(b.element is first.element for b in page.blocks):
            continue  # it began on the page before: nothing kept moved it
        kept = _kept_after(first, parents)
        if kept is None:
            continue
        measured_here = (loose, fitted) == (set(layout.loose), dict(layout.fitted))
        free, margin = page.top + page.height - page.filled_to, MARGIN_ABOVE.get(first.tag, 15)
        if kept.tag == "h2":  # an appendix's page break let go, and the table or chart it is kept with: after the
            loose.add(kept.get("id"))  # signature, mid-page, it would seldom fit whole (one layout fewer)
            kept = _kept_from(kept, parents, after=True)
            if kept is None:
                continue
        name = kept.get("id")
        loose.add(name)
        if measured_here and "figure-block" in (kept.get("class") or "").split():
            mm = _fitted(document.pages[following.number - 1]._page_box, kept, first.top, free, margin)
            if mm is not None and mm < fitted.get(name, 1000):
                fitted[name] = mm
    return dataclasses.replace(layout, loose=frozenset(loose), fitted=frozenset(fitted.items()))


def likely_pages(nb) -> float:
    """A rough count of the pages the executed notebook ``nb`` will print on, from its narrative's words and
    headings and its tables' rows and charts (no layout, no HTML): it only chooses whether the first layout has a
    contents list; the layout then decides."""
    import re

    from .charts import CHART_MIME
    from .render import REMOVE_CELL_TAGS
    from .tables import TABLE_MIME

    chars = headings = rows = charts = 0
    for cell in nb.cells:
        if REMOVE_CELL_TAGS & set(cell.metadata.get("tags", [])):
            continue
        if cell.cell_type == "markdown":
            text = re.sub(r"\{%.*?%\}", "", cell.source)
            headings += len(re.findall(r"^#+ ", text, re.M))
            chars += len(text)
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            table = data.get(TABLE_MIME) or data.get(CHART_MIME, {}).get("table")
            rows += len(table["rows"]) + 1 if table else 0
            charts += CHART_MIME in data
    height = 200 + chars / 86 * 20.5 + 24 * rows + 380 * charts + 60 * headings  # CSS px at 11pt, 166 mm wide
    return 1.3 * height / 956  # 956 px of text on an A4 page; 1.3 as measured on the sample papers


def _made(nb, where: str, layout):
    from .formats.pdf import laid_out
    from .render import to_html

    html, collected = to_html(nb, where, layout)
    return html, collected, laid_out(html)


def paper(nb, where: str = "notebook") -> tuple[str, dict]:
    """The committee paper's HTML made for its pages (see the module's docstring), and what the render collected
    (``collected["layout"]`` says what was decided)."""
    import dataclasses

    from .formats.pdf import laid_out
    from .layout import Layout
    from .render import to_html

    layout = Layout(contents=likely_pages(nb) > CONTENTS_AFTER + 0.5)  # a guess: each wrong one costs a layout
    html, collected, document = _made(nb, where, layout)
    over = len(document.pages) > CONTENTS_AFTER
    if over != layout.contents:
        other = _made(nb, where, Layout(contents=over))
        # Kept unless the contents list alone tips the paper over six pages and back: then it keeps its contents.
        if over or len(other[2].pages) <= CONTENTS_AFTER:
            layout, (html, collected, document) = Layout(contents=over), other
        else:
            laid_out(html)
    for _ in range(MAX_PASSES):
        wanted = adjust(document, layout)
        if wanted == layout:
            break
        layout = wanted
        html, collected, document = _made(nb, where, layout)
    if layout.contents and len(document.pages) <= CONTENTS_AFTER:  # letting blocks go saved pages
        shorter = to_html(nb, where, dataclasses.replace(layout, contents=False))
        if len(laid_out(shorter[0]).pages) <= CONTENTS_AFTER:
            return shorter
        laid_out(html)  # the paper kept is the one the PDF is written from
    return html, collected
