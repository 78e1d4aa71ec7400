"""Finishing WeasyPrint's tagged PDF/UA-1: the structure-tree defects of WeasyPrint 70, mended in one pass.

WeasyPrint (``render.to_pdf``) writes a tagged PDF whose structure tree has four defects that
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

import io
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

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
