"""``report.pdf``: the same page as the HTML, A4, tagged PDF/UA-1, printed by WeasyPrint with the bundled fonts
only, its structure tree mended. Everything about the PDF is here: the fonts (:func:`fonts`), the printing
(:func:`to_pdf`, from the layout :mod:`reportlib.pages` made of the same page) and the finishing (:func:`finish`).

Finishing WeasyPrint's tagged PDF/UA-1:

WeasyPrint (:func:`to_pdf`) writes a tagged PDF whose structure tree has four defects that
PDF/UA checkers and screen readers trip on. :func:`finish` opens the finished PDF with pikepdf,
mends them and saves it again (a few milliseconds for a committee paper):

1. Structure elements carry ``/ID`` (table header cells, for the data cells' ``/Headers``), but
   the ``/StructTreeRoot`` has no ``/IDTree``, so no reader can resolve those IDs. We add it.
2. A ``/Figure``'s ``/BBox`` layout attribute is in CSS pixels measured down from the top of the
   page; PDF wants default user space: points, measured up from the bottom. We convert it.
3. A caption whose inline text sits beside a block (our figure captions' subtitle) gets an
   anonymous block box that WeasyPrint tags as a second ``/Caption`` inside the first. The inner
   one becomes ``/NonStruct`` (pure grouping), as WeasyPrint already does for table cells.
4. Header cells (``/TH``) get no ``/Scope``. WeasyPrint reads each ``<th scope>`` only to fill the
   data cells' ``/Headers``, so the scope is recovered from those: a header that a data cell of
   its own row names is a row header, one named from other rows a column header. A header that no
   data cell names (the corner cell over the row headers) is a column header in ``/THead`` or in
   a row of headers only, a row header otherwise.

Everything else (PDF/UA-1 identification in the XMP, ``/Lang``, ``/MarkInfo``,
``/ViewerPreferences``, the content streams, the fonts) is left byte for byte as WeasyPrint wrote
it. The conversions in (2) follow WeasyPrint 70's page transform (``zoom`` 1: 0.75 pt per CSS
pixel, origin at the top left of the page box); ``tests/test_pdf.py`` checks every mended
``/BBox`` against where the figure is actually drawn, so a WeasyPrint that changes either fails
there.
"""

from __future__ import annotations

import atexit
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from .. import compat
from ..render import COMMITTEE
from . import FORMAT_FILES, Rendered

FILE = FORMAT_FILES["pdf"]


def write(report: Rendered, target: Path) -> None:
    to_pdf(report.html, Path(target))


FONTS = COMMITTEE / "static" / "fonts"


def pdf_fonts_css() -> str:
    """@font-face rules naming the bundled Liberation Sans "Report Sans" (first in committee.css's
    font stack), so every PDF embeds the same font whatever the machine has installed."""
    rules = []
    for file, weight, style in (("Regular", 400, "normal"), ("Bold", 700, "normal"),
                                ("Italic", 400, "italic"), ("BoldItalic", 700, "italic")):
        url = (FONTS / f"LiberationSans-{file}.ttf").as_uri()
        rules.append(f'@font-face {{ font-family: "Report Sans"; src: url("{url}"); '
                     f"font-weight: {weight}; font-style: {style}; }}")
    return "\n".join(rules)


@lru_cache(maxsize=1)
def fonts():
    """One WeasyPrint FontConfiguration holding the bundled fonts, and the stylesheet declaring them.

    WeasyPrint uses @font-face fonts only when the same FontConfiguration reaches both the CSS and
    ``write_pdf``; without it Pango falls back to whatever fontconfig finds on the machine (DejaVu
    on a Debian server) and, on a machine with no fonts at all, crashes.
    """
    import warnings

    from .. import private

    # WeasyPrint copies the fonts into a temporary folder of its own, which only its FontConfiguration's __del__
    # removes (never, for one kept until the program ends): it goes inside a private folder of ours instead,
    # removed at exit, or swept by the next render after a kill.
    folder = private.Folder("fonts")
    atexit.register(folder.remove)
    with warnings.catch_warnings(), compat.libraries_from_the_cache(), compat.temporary_files_in(folder.path):
        warnings.simplefilter("ignore", UserWarning)  # "No fonts configured in FontConfig": ours are bundled
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        css = weasyprint.CSS(string=pdf_fonts_css(), font_config=config)
    # Let go of it while the interpreter is whole: freed during shutdown, its __del__ finds fontconfig gone.
    atexit.register(fonts.cache_clear)
    return config, css


@lru_cache(maxsize=2)
def laid_out(html: str):
    """``html`` laid out by WeasyPrint as the PDF prints it (A4, the bundled fonts, PDF/UA-1): a
    ``weasyprint.Document``, kept for the PDF that is written from it next (:mod:`reportlib.pages` lays the paper
    out to decide what it needs; :func:`to_pdf` prints the same layout)."""
    import logging

    config, css = fonts()  # first: it imports WeasyPrint quietly (no fonts but ours is no warning)
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint.HTML(string=html, base_url=str(COMMITTEE)).render(
        stylesheets=[css], font_config=config, pdf_variant="pdf/ua-1")


# A layout holds the bundled fonts' FontConfiguration: let go of it while the interpreter is whole (freed during
# shutdown, its __del__ finds fontconfig gone), as fonts() does.
atexit.register(laid_out.cache_clear)


def to_pdf(html: str, target: Path | None = None) -> bytes | None:
    """The same page as an A4 tagged PDF/UA-1 (``Page X of Y`` in the footer, the bundled fonts embedded).

    WeasyPrint writes the PDF; :func:`finish` then mends the defects of its structure tree (no ``/IDTree``, figure
    boxes in CSS pixels, nested captions, header cells without ``/Scope``). Returns the PDF's bytes, or writes them
    to ``target`` and returns None.
    """
    # The page as reportlib.pages laid it out to decide what it needs (the same HTML is laid out once).
    data = finish(laid_out(html).write_pdf(pdf_variant="pdf/ua-1"))
    if target is None:
        return data
    Path(target).write_bytes(data)
    return None


#: PDF points per CSS pixel (72 pt / 96 px per inch): WeasyPrint's scale at zoom 1.
PT_PER_PX = 0.75

_TABLE_GROUPS = {"/THead", "/TBody", "/TFoot"}


@dataclass(eq=False)
class Element:
    """One structure element: its dictionary, role (``/S``), parent and child elements."""

    obj: Dictionary
    role: str
    parent: Element | None
    kids: list[Element] = field(default_factory=list)


def finish(data: bytes) -> bytes:
    """The PDF ``data`` with its structure tree mended (see the module's docstring)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        mend(pdf)
        out = io.BytesIO()
        # deterministic_id: the same input gives the same bytes; fix_metadata_version=False: the
        # XMP (PDF/UA-1 identification) is kept exactly as WeasyPrint wrote it.
        pdf.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()


def mend(pdf: pikepdf.Pdf) -> None:
    """Mend ``pdf``'s structure tree in place; a PDF without one is left alone."""
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return
    elements = structure(root)
    for element in elements:
        if element.role == "/Caption" and _inside(element, "/Caption"):
            element.obj.S = Name.NonStruct
            element.role = "/NonStruct"
        elif element.role == "/Figure":
            _figure_bbox_in_points(element)
        elif element.role == "/Table":
            _header_scopes(element)
    _id_tree(pdf, root, elements)


def structure(root: Dictionary) -> list[Element]:
    """Every structure element under ``root``, in document order (parents before children)."""
    elements: list[Element] = []
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[object, Element | None]] = [(kid, None) for kid in reversed(_kids(root))]
    while stack:
        node, parent = stack.pop()
        # Integers (MCIDs), marked-content and object references are content, not elements.
        if not isinstance(node, Dictionary) or "/S" not in node:
            continue
        if node.is_indirect:
            if node.objgen in seen:  # a malformed tree that loops: each element once
                continue
            seen.add(node.objgen)
        element = Element(node, str(node.S), parent)
        if parent is not None:
            parent.kids.append(element)
        elements.append(element)
        stack.extend((kid, element) for kid in reversed(_kids(node)))
    return elements


def _kids(node: Dictionary) -> list:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _inside(element: Element, role: str) -> bool:
    parent = element.parent
    while parent is not None:
        if parent.role == role:
            return True
        parent = parent.parent
    return False


def attributes(obj: Dictionary) -> list[Dictionary]:
    """The element's attribute dictionaries (``/A`` is one dictionary or an array of them)."""
    value = obj.get("/A")
    if value is None:
        return []
    values = list(value) if isinstance(value, Array) else [value]
    return [v for v in values if isinstance(v, Dictionary)]


def _figure_bbox_in_points(element: Element) -> None:
    page = element.obj.get("/Pg")
    if not isinstance(page, Dictionary):
        return
    # WeasyPrint draws with "1 0 0 -1 0 H cm 0.75 0 0 0.75 0 0 cm", H the height of the page box in
    # points: the top of the TrimBox (the MediaBox too when the page has no bleed).
    top = float((page.get("/TrimBox") or page.MediaBox)[3])
    for attrs in attributes(element.obj):
        bbox = attrs.get("/BBox")
        if attrs.get("/O") != Name.Layout or not isinstance(bbox, Array) or len(bbox) != 4:
            continue
        x1, y1, x2, y2 = (float(v) for v in bbox)
        attrs.BBox = Array([round(v, 3) for v in (x1 * PT_PER_PX, top - max(y1, y2) * PT_PER_PX,
                                                  x2 * PT_PER_PX, top - min(y1, y2) * PT_PER_PX)])


def _table_attributes(obj: Dictionary) -> Dictionary:
    """The cell's ``/O /Table`` attribute dictionary, added if it has none."""
    for attrs in attributes(obj):
        if attrs.get("/O") == Name.Table:
            return attrs
    attrs = Dictionary(O=Name.Table)
    existing = obj.get("/A")
    if existing is None:
        obj.A = attrs
    elif isinstance(existing, Array):
        existing.append(attrs)
    else:
        obj.A = Array([existing, attrs])
    return attrs


def _rows(table: Element) -> list[tuple[str, Element]]:
    """The table's ``/TR`` rows in order, each with the group it is in (``/THead``... or ``/Table``)."""
    rows = []
    for kid in table.kids:
        if kid.role == "/TR":
            rows.append(("/Table", kid))
        elif kid.role in _TABLE_GROUPS:
            rows.extend((kid.role, row) for row in kid.kids if row.role == "/TR")
    return rows


def _header_scopes(table: Element) -> None:
    rows = _rows(table)
    headers: dict[str, tuple[int, Element]] = {}  # /ID -> (row index, TH)
    for index, (_, row) in enumerate(rows):
        for cell in row.kids:
            if cell.role == "/TH" and "/ID" in cell.obj:
                headers[str(cell.obj.ID)] = (index, cell)
    named_from: dict[Element, set[str]] = {}  # TH -> {"own row", "other rows"}: where data cells name it
    for index, (_, row) in enumerate(rows):
        for cell in row.kids:
            if cell.role != "/TD":
                continue
            for value in [cell.obj.get("/Headers")] + [a.get("/Headers") for a in attributes(cell.obj)]:
                for name in value if isinstance(value, Array) else ():
                    if str(name) in headers:
                        header_row, header = headers[str(name)]
                        named_from.setdefault(header, set()).add("own row" if header_row == index else "other rows")
    for group, row in rows:
        has_data = any(cell.role == "/TD" for cell in row.kids)
        for cell in row.kids:
            if cell.role != "/TH":
                continue
            attrs = _table_attributes(cell.obj)
            if "/Scope" in attrs:
                continue
            named = named_from.get(cell, set())
            if len(named) == 2:
                attrs.Scope = Name.Both
            elif named:
                attrs.Scope = Name.Row if named == {"own row"} else Name.Column
            else:
                attrs.Scope = Name.Row if has_data and group != "/THead" else Name.Column


def _id_tree(pdf: pikepdf.Pdf, root: Dictionary, elements: list[Element]) -> None:
    """``/IDTree``: a name tree from every element's ``/ID`` to the element (the first, if repeated)."""
    ids: dict[str, Dictionary] = {}
    for element in elements:
        value = element.obj.get("/ID")
        if isinstance(value, pikepdf.String) and element.obj.is_indirect:
            ids.setdefault(str(value), element.obj)
    if not ids:
        return
    if "/IDTree" in root:
        tree = pikepdf.NameTree(root.IDTree)
    else:
        tree = pikepdf.NameTree.new(pdf)
        root.IDTree = tree.obj
    for key in sorted(ids):
        if key not in tree:
            tree[key] = ids[key]
