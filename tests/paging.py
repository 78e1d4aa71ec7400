"""What a reader of the printed paper sees on each page, read back from the PDF and from its layout.

From the PDF itself (pikepdf), independently of how reportlib laid it out:

- :func:`ink` - how far down each page its tagged content reaches (text, charts, images; the
  running header, footer, rules and stripes are artifacts and do not count), as a share of the
  text area that is left empty below it;
- :func:`last_on_page` - the structure element (and its ancestors' roles) whose content is the last
  thing on each page, in reading order;
- :func:`figures` - each chart image (``/Figure``) with the page of its caption (``/Caption``).

From WeasyPrint's layout of the same HTML (:func:`reportlib.formats.pdf.laid_out`, the layout the PDF was
written from): :func:`texts` (the words of every line, with the HTML element it belongs to and its
page), and from those :func:`labels`, :func:`citations`, :func:`contents_entries`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from reportlib.formats import pdf as pdf_mod
from reportlib.render import COMMITTEE

MM = 72 / 25.4  # PDF points per mm


def page_margins() -> tuple[float, float]:
    """The top and bottom page margins (mm) committee.css gives the PDF's A4 page."""
    css = (COMMITTEE / "static" / "committee.css").read_text(encoding="utf-8")
    page = re.search(r"@page\s*\{[^}]*?margin:\s*([\d.]+)mm\s+[\d.]+mm\s+([\d.]+)mm", css, re.S)
    return float(page.group(1)), float(page.group(2))


def _compose(m, ctm):
    a, b, c, d, e, f = m
    A, B, C, D, E, F = ctm
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m, x, y):
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _lowest(page: pikepdf.Page, tagged: set[int]) -> float | None:
    """The lowest point (PDF points, up from the bottom of the page) that tagged content paints: a text line's
    descent below its baseline, a path, an image, a Form XObject's box. Only content marked with one of the MCIDs
    ``tagged`` counts: artifacts, and the running header and footer (tagged by WeasyPrint but left out of the
    structure tree) do not."""
    ctm, saved, marks = (1, 0, 0, 1, 0, 0), [], []
    tm, size, low = (1, 0, 0, 1, 0, 0), 0.0, None

    def mark(y):
        nonlocal low
        low = y if low is None else min(low, y)

    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "q":
            saved.append(ctm)
        elif op == "Q":
            ctm = saved.pop()
        elif op == "cm":
            ctm = _compose(tuple(float(v) for v in operands), ctm)
        elif op in ("BDC", "BMC"):
            props = operands[1] if op == "BDC" and len(operands) > 1 else None
            mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
            counted = str(operands[0]) != "/Artifact" and (int(mcid) in tagged if mcid is not None else
                                                            bool(marks and marks[-1]))
            marks.append(counted and (not marks or marks[-1] or mcid is not None))
        elif op == "EMC":
            marks.pop()
        elif not (marks and marks[-1]):
            continue  # an artifact, the running header or footer, or content outside any marked content
        elif op == "Tm":
            tm = tuple(float(v) for v in operands)
        elif op == "Tf":
            size = float(operands[1])
        elif op in ("TJ", "Tj"):
            m = _compose(tm, ctm)
            # Liberation Sans descends 0.212 em below the baseline; the text matrix flips y (down the page).
            mark(min(_apply(m, 0, 0.212 * size)[1], _apply(m, 0, -0.212 * size)[1]))
        elif op in ("m", "l"):
            mark(_apply(ctm, float(operands[0]), float(operands[1]))[1])
        elif op in ("c", "v", "y"):
            values = [float(v) for v in operands]
            for x, y in zip(values[::2], values[1::2]):
                mark(_apply(ctm, x, y)[1])
        elif op == "re":
            x, y, w, h = (float(v) for v in operands)
            mark(min(_apply(ctm, x, y)[1], _apply(ctm, x, y + h)[1]))
        elif op == "Do":
            xobject = page.Resources.XObject[operands[0]]
            if xobject.Subtype == "/Form":
                x1, y1, x2, y2 = (float(v) for v in xobject.BBox)
                m = _compose(tuple(float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])), ctm)
                mark(min(_apply(m, x, y)[1] for x in (x1, x2) for y in (y1, y2)))
            else:
                mark(min(_apply(ctm, x, y)[1] for x in (0, 1) for y in (0, 1)))
    return low


def ink(pdf: bytes | Path) -> list[float]:
    """Each page's empty share of its text area, below its last tagged content (0: full; 1: nothing on it)."""
    top_mm, bottom_mm = page_margins()
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    out = []
    with pikepdf.open(io.BytesIO(data)) as doc:
        for page, tagged in zip(doc.pages, _tagged_mcids(doc)):
            height = float(page.MediaBox[3]) - float(page.MediaBox[1])
            area_bottom, area = bottom_mm * MM, height - (top_mm + bottom_mm) * MM
            low = _lowest(page, tagged)
            out.append(1.0 if low is None else max(0.0, low - area_bottom) / area)
    return out


def _reachable(pdf: pikepdf.Pdf) -> dict[tuple[int, int], pdf_mod.Element]:
    return {e.obj.objgen: e for e in pdf_mod.structure(pdf.Root.StructTreeRoot) if e.obj.is_indirect}


def _roles(element: pdf_mod.Element) -> list[str]:
    roles = []
    while element is not None:
        roles.append(element.role)
        element = element.parent
    return roles


def _tagged_mcids(doc: pikepdf.Pdf) -> list[set[int]]:
    """For each page, the MCIDs of its content that the structure tree holds."""
    elements = _reachable(doc)
    nums = list(doc.Root.StructTreeRoot.ParentTree.Nums)
    parents = dict(zip(nums[::2], nums[1::2]))
    return [{i for i, owner in enumerate(parents[int(page.obj.StructParents)]) if owner.objgen in elements}
            for page in doc.pages]


def last_on_page(pdf: bytes | Path) -> list[list[str]]:
    """For each page, the roles from the element whose content is drawn last on it up to the document (the last
    tagged content in reading order; running header and footer excluded)."""
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    out = []
    with pikepdf.open(io.BytesIO(data)) as doc:
        elements = _reachable(doc)
        nums = list(doc.Root.StructTreeRoot.ParentTree.Nums)
        parents = dict(zip(nums[::2], nums[1::2]))
        for page in doc.pages:
            mapping = parents[int(page.obj.StructParents)]
            last = None
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                    owner = mapping[int(operands[1].MCID)]
                    if owner.objgen in elements:
                        last = elements[owner.objgen]
            out.append(_roles(last) if last is not None else [])
    return out


def figures(pdf: bytes | Path) -> list[tuple[int, int | None]]:
    """Each chart image (``/Figure``) with its page and its caption's page (None: no caption beside it)."""
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    with pikepdf.open(io.BytesIO(data)) as doc:
        number = {p.objgen: i for i, p in enumerate(doc.pages, start=1)}
        out = []
        for element in pdf_mod.structure(doc.Root.StructTreeRoot):
            if element.role != "/Figure":
                continue
            caption = next((k for k in (element.parent.kids if element.parent else []) if k.role == "/Caption"), None)
            pages = {number[k.obj.Pg.objgen] for k in _descendants(caption)} if caption is not None else set()
            page = number[element.obj.Pg.objgen]
            out.append((page, page if pages == {page} else (min(pages) if pages else None)))
        return out


def _descendants(element: pdf_mod.Element):
    yield element
    for kid in element.kids:
        yield from _descendants(kid)


# --- from the layout ---------------------------------------------------------------------------------------------


@dataclass
class Text:
    """The words of one line of one element, where they are laid out."""

    page: int
    top: float  # CSS px from the top of the page
    words: str
    chain: tuple  # the HTML elements from the root down to the element the words belong to

    def inside(self, tag: str, cls: str | None = None) -> bool:
        return any(e.tag == tag and (cls is None or cls in (e.get("class") or "").split()) for e in self.chain)


def texts(document) -> list[Text]:
    """Every line of text of the laid-out ``document`` (a ``weasyprint.Document``) in order, pseudo-elements
    (a contents list's page numbers) included, the running header and footer left out."""
    from weasyprint.formatting_structure import boxes

    out: list[Text] = []

    def walk(box, chain, page):
        element = getattr(box, "element", None)
        if element is not None and (not chain or chain[-1] is not element):
            chain = chain + (element,)
        if isinstance(box, boxes.LineBox):
            inline = tuple(e for e in _inline_elements(box) if all(e is not c for c in chain))
            words = "".join(t.text for t in _text_boxes(box))
            if words.strip():
                out.append(Text(page, box.position_y, words, chain + inline))
            return
        for child in getattr(box, "children", ()):
            walk(child, chain, page)

    for number, page in enumerate(document.pages, start=1):
        for root in page._page_box.children:
            if not isinstance(root, boxes.MarginBox):
                walk(root, (), number)
    return out


def _inline_elements(box):
    """The elements of the inline boxes in a line (a caption's ``span.label``, a link), in order, once each."""
    seen = []
    for child in getattr(box, "children", ()):
        element = getattr(child, "element", None)
        if element is not None and all(element is not e for e in seen):
            seen.append(element)
        seen += [e for e in _inline_elements(child) if all(e is not s for s in seen)]
    return seen


def _text_boxes(box):
    from weasyprint.formatting_structure import boxes

    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.TextBox):
            yield child
        else:
            yield from _text_boxes(child)


LABEL = re.compile(r"\b(Figure|Table)[ \u00a0](\d+)\b")


def labels(lines: list[Text]) -> dict[str, int]:
    """Each figure's and table's label ("Figure 2") and the page its caption starts on."""
    found: dict[str, int] = {}
    for line in lines:
        if line.inside("span", "label"):
            m = LABEL.search(line.words)
            if m:
                found.setdefault(f"{m.group(1)} {m.group(2)}", line.page)
    return found


def citations(lines: list[Text]) -> list[tuple[str, int, str]]:
    """Every "Figure N" and "Table N" in the paper's text (not a caption), with its page and its line."""
    return [(f"{m.group(1)} {m.group(2)}", line.page, line.words) for line in lines
            if not (line.inside("caption") or line.inside("figcaption") or line.inside("nav"))
            for m in LABEL.finditer(line.words)]


def contents_entries(lines: list[Text]) -> list[tuple[str, int | None]]:
    """The contents list's lines: the section's words and the page number printed after them (None: none)."""
    out = []
    for line in lines:
        if line.inside("nav", "contents") and line.inside("li"):
            m = re.match(r"(.*?)[\s.]*?(\d+)?$", line.words.strip())
            out.append((m.group(1).rstrip(" ."), int(m.group(2)) if m.group(2) else None))
    return out
