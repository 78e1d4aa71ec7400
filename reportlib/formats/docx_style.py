"""How ``report.docx`` looks: A4 with the PDF's margins, the house styles in Arial, the running header and
``Page X of Y``, Word numbering for the numbered paragraphs and lists, the core properties.

The content is written by :mod:`reportlib.formats.docx`; this module is the page it goes on. python-docx's
objects are reached below their public API only through :func:`reportlib.compat.oxml`.
"""

from __future__ import annotations

from ..compat import oxml

FONT = "Arial"  # metric-compatible with the PDF's Liberation Sans; LibreOffice shows Liberation Sans for it
CODE_FONT = "Courier New"
TEXT, MUTED, LINK = "0B0C0C", "505A5F", "1D70B8"
#: A4 and the PDF's margins, in millimetres (committee.css: @page { size: A4; margin: 22mm 20mm 22mm 22mm }).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 22, "right": 20, "bottom": 22, "left": 22}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
#: Where a numbered paragraph's text starts (the number hangs in front of it), in twentieths of a point.
PARA_INDENT = 567  # 1 cm
LIST_STEP = 425  # 0.75 cm per list level


# --- page, styles, properties ----------------------------------------------------------------------------------


def el(tag: str, **attrs):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    made = OxmlElement(tag)
    for key, value in attrs.items():
        made.set(qn(key.replace("_", ":", 1)), str(value))
    return made


def page(word, doc) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    section = word.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = section.footer_distance = Mm(10)
    # As in the PDF: the committee and the meeting date at the top of every page but the first; "Page X of Y" on all.
    section.different_first_page_header_footer = True
    committee, date = doc.running
    header = section.header.paragraphs[0]
    header.style = word.styles["Running Header"]  # Word's Header style has tab stops of its own (Letter-sized)
    header.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    run = header.add_run(f"{committee}\t{date}")
    run.font.size = Pt(8.5)
    color(run, MUTED)
    for footer in (section.footer, section.first_page_footer):
        p = footer.paragraphs[0]
        p.style = word.styles["Running Header"]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for part in ("Page ", ("PAGE", "1"), " of ", ("NUMPAGES", "1")):
            if isinstance(part, tuple):
                field(p, *part)
            else:
                p.add_run(part)
        for r in p.runs:
            r.font.size = Pt(9)


def field(paragraph, instr: str, shown: str) -> None:
    """A field (PAGE, NUMPAGES) that Word and LibreOffice fill in."""
    from docx.shared import Pt

    simple = el("w:fldSimple", w_instr=f" {instr} ")
    run = paragraph.add_run(shown)
    run.font.size = Pt(9)
    simple.append(oxml(run))
    oxml(paragraph).append(simple)


def color(run, hex_colour: str) -> None:
    from docx.shared import RGBColor

    run.font.color.rgb = RGBColor.from_string(hex_colour)


def fonts(rpr, name: str = FONT) -> None:
    """Set the font of a run-properties element by name (theme fonts removed, or they win)."""
    from docx.oxml.ns import qn

    fonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), name)


def _style(word, name: str, base: str = "Normal", *, size=None, bold=None, italic=None, colour=TEXT,
           before=None, after=None, keep_next=None, font=None):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    styles = word.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base and style.name != base:
        style.base_style = styles[base]
        style.next_paragraph_style = styles["Normal"]
    style.quick_style = True
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    if colour is not None:
        style.font.color.rgb = RGBColor.from_string(colour)
    if font is not None:
        fonts(style.element.get_or_add_rPr(), font)
    fmt = style.paragraph_format
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    if keep_next is not None:
        fmt.keep_with_next = keep_next
    return style


def styles(word) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    styles_el = word.styles.element
    defaults = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts(defaults)
    lang = defaults.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "en-GB")
    theme_lang = word.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), "en-GB")
    for style in styles_el.iter(qn("w:style")):  # every style in Arial: no theme fonts (Calibri, Cambria)
        rpr = style.find(qn("w:rPr"))
        if rpr is not None and rpr.find(qn("w:rFonts")) is not None:
            fonts(rpr)
    normal = _style(word, "Normal", base="", size=11, after=6)
    normal.paragraph_format.line_spacing = 1.2
    _style(word, "Title", size=18, bold=True, before=6, after=6)
    _style(word, "Heading 1", size=18, bold=True, before=6, after=6, keep_next=True)
    _style(word, "Heading 2", size=14, bold=True, before=18, after=6, keep_next=True)
    _style(word, "Heading 3", size=12, bold=True, before=12, after=4, keep_next=True)
    for level in (4, 5, 6):
        _style(word, f"Heading {level}", size=11, bold=True, italic=False, before=10, after=4, keep_next=True)
    _style(word, "Numbered Paragraph", after=8)
    _style(word, "List Paragraph", after=3)
    _style(word, "Council", size=10, colour=MUTED, after=2).font.all_caps = True
    _style(word, "Meeting", size=12.5, bold=True, after=2)
    _style(word, "Agenda Item", colour=MUTED, after=2)
    report_of = _style(word, "Report Of", bold=True, after=18)
    border(report_of.element.get_or_add_pPr(), "bottom", size=12, space=6)
    _style(word, "Caption", size=11, bold=False, italic=False, before=10, after=4, keep_next=True)
    _style(word, "Figure Subtitle", size=10, colour=MUTED, after=4, keep_next=True)
    _style(word, "Figure", after=2, keep_next=True)
    _style(word, "Source", size=9, colour=MUTED, after=8)
    _style(word, "Table Text", size=10, after=0).paragraph_format.line_spacing = 1.0
    _style(word, "Table Note", size=9.5, colour=MUTED, before=2, after=8)
    _style(word, "Signature", before=24, after=12)
    _style(word, "Contact", after=10)
    _style(word, "Code", size=9.5, after=6, font=CODE_FONT)
    _style(word, "Quote", italic=True)
    _style(word, "Running Header", after=0).paragraph_format.line_spacing = 1.0
    word.styles["Normal"].font.size = Pt(11)


def border(ppr, side: str, size: int, space: int) -> None:
    """A rule under (or over) a paragraph, placed where the schema wants ``w:pBdr`` in ``w:pPr``."""
    border = el("w:pBdr")
    border.append(el(f"w:{side}", w_val="single", w_sz=size, w_space=space, w_color=TEXT))
    ppr.insert_element_before(border, *_AFTER_PBDR)


#: What may follow ``w:pBdr`` in ``w:pPr`` (ECMA-376 CT_PPrBase order).
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
               "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
               "w:rPr", "w:sectPr", "w:pPrChange")


def properties(word, doc, when) -> None:
    props = word.core_properties
    props.title = doc.title
    props.author = doc.author
    props.subject = doc.description
    props.language = "en-GB"
    props.last_modified_by = doc.author
    props.keywords = "complaints; committee report"
    props.comments = "Made by reportlib: the same report as report.html and report.pdf."
    props.category = "Committee report"
    props.revision = 1
    props.created = props.modified = when.replace(tzinfo=None)
    package = word.part.package
    for rel_id, rel in list(package.rels.items()):  # and shows a picture of its own blank page
        if rel.reltype.endswith("/metadata/thumbnail"):
            package.rels.pop(rel_id)


#: What ``docProps/app.xml`` says (python-docx's template says Word made the document): written as the zip is made.
APP_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           b'<Application>reportlib</Application><DocSecurity>0</DocSecurity></Properties>')


# --- numbering -------------------------------------------------------------------------------------------------


def paragraph_levels() -> list[dict]:
    """The numbered paragraphs: 1., 2., 3. ... hanging in front of the text, as in the PDF."""
    return [{"fmt": "decimal", "text": "%1.", "left": PARA_INDENT, "hanging": PARA_INDENT}]


def list_levels(ordered: bool) -> list[dict]:
    bullets = ("\u2022", "\u25e6", "\u25aa")
    formats = ("decimal", "lowerLetter", "lowerRoman")
    levels = []
    for i in range(9):
        left = PARA_INDENT + LIST_STEP * (i + 1)
        if ordered:
            levels.append({"fmt": formats[i % 3], "text": f"%{i + 1}.", "left": left, "hanging": LIST_STEP})
        else:
            levels.append({"fmt": "bullet", "text": bullets[i % 3], "left": left, "hanging": LIST_STEP})
    return levels


def number(paragraph, num_id: int, level: int) -> None:
    num_pr = oxml(paragraph).get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


class Numbering:
    """Our list definitions in the document's numbering part (``abstractNum`` before ``num``, as the schema asks)."""

    def __init__(self, word):
        from docx.oxml.ns import qn

        self.qn = qn
        self.root = word.part.numbering_part.element
        self.next_abstract = 1 + max([int(a.get(qn("w:abstractNumId"))) for a in self.root.iter(qn("w:abstractNum"))]
                                     + [-1])
        self.next_num = 1 + max([int(n.get(qn("w:numId"))) for n in self.root.iter(qn("w:num"))] + [0])

    def abstract(self, levels: list[dict]) -> int:
        """Define a list style; its abstractNumId."""
        qn = self.qn
        abstract_id = self.next_abstract
        self.next_abstract += 1
        abstract = el("w:abstractNum", w_abstractNumId=abstract_id)
        abstract.append(el("w:multiLevelType", w_val="singleLevel" if len(levels) == 1 else "hybridMultilevel"))
        for i, lvl in enumerate(levels):
            level = el("w:lvl", w_ilvl=i)
            level.append(el("w:start", w_val=1))
            level.append(el("w:numFmt", w_val=lvl["fmt"]))
            level.append(el("w:lvlText", w_val=lvl["text"]))
            level.append(el("w:lvlJc", w_val="left"))
            ppr = el("w:pPr")
            ppr.append(el("w:ind", w_left=lvl["left"], w_hanging=lvl["hanging"]))
            level.append(ppr)
            if lvl["fmt"] == "bullet":
                rpr = el("w:rPr")
                rpr.append(el("w:rFonts", w_ascii=FONT, w_hAnsi=FONT, w_hint="default"))
                level.append(rpr)
            abstract.append(level)
        first_num = self.root.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.root.append(abstract)
        return abstract_id

    def add_abstract(self, levels: list[dict]) -> int:
        """Define a list style and one list of it; the list's numId."""
        return self.add_num(self.abstract(levels))

    def add_num(self, abstract_id: int, start: int | None = None) -> int:
        """A list numbered on its own (an ordered list restarts at ``start``); its numId."""
        num_id = self.next_num
        self.next_num += 1
        num = el("w:num", w_numId=num_id)
        num.append(el("w:abstractNumId", w_val=abstract_id))
        if start is not None:
            override = el("w:lvlOverride", w_ilvl=0)
            override.append(el("w:startOverride", w_val=start))
            num.append(override)
        cleanup = self.root.find(self.qn("w:numIdMacAtCleanup"))
        if cleanup is not None:
            cleanup.addprevious(num)
        else:
            self.root.append(num)
        return num_id
