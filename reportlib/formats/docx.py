"""``report.docx``: the committee paper for officers who edit in Word, built with python-docx from the
same rendered page as ``report.html`` (:attr:`Rendered.document`).

What the HTML and PDF show, Word shows as Word's own structure:

- the section headings as real ``Heading 1``-``3`` styles (the navigation pane and a screen reader's
  heading list find them), the title block and contacts as in the template;
- the numbered paragraphs with Word numbering (``Numbered Paragraph``: 1., 2., 3. ... in the same
  order as the CSS counter numbers ``main.report > p``), so a paragraph an officer inserts renumbers
  the rest; lists as Word lists;
- tables with a caption, a header row marked to repeat at the top of every page (``w:tblHeader``),
  rows that do not split over a page, figures right-aligned, the caption as the table's alt text;
- each chart as a PNG (the chart's own rendition: :func:`reportlib.charts._png`) whose alt text
  (``wp:docPr/@descr``) is the chart's, with its caption, source and data table;
- A4 with the PDF's margins (``@page`` in committee.css: 22mm 20mm 22mm 22mm), ``Page X of Y`` in the
  footer, the committee and date at the top of every page after the first;
- document language en-GB; title, author (the council) and subject in the core properties.

The same inputs give the same bytes: the core properties' dates and the zip entries' dates are the
meeting date (:attr:`Rendered.timestamp`), and the zip is written in a fixed order.
"""

from __future__ import annotations

import io
from pathlib import Path

from . import Rendered, reproducible_zip
from ..charts import WIDTH as CHART_WIDTH_IN  # inches: a chart is as wide in Word as it was drawn
from ..tables import SHORT_ROWS  # a table of up to this many rows is kept on one page, as in the PDF
from .document import Document, Figure, Heading, ListBlock, Paragraph, Run, Table

FILE = "report.docx"

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


def write(report: Rendered, target: Path) -> None:
    Path(target).write_bytes(build(report))


def build(report: Rendered) -> bytes:
    """The Word document's bytes."""
    import docx

    doc = report.document
    word = docx.Document()
    _styles(word)
    _page(word, doc)
    writer = _Writer(word, report.chart_pngs)
    for block in doc.title_block:
        writer.title_block(block)
    for block in [*doc.body, *doc.appendices]:
        writer.block(block)
    _properties(word, doc, report)
    buf = io.BytesIO()
    word.save(buf)
    return reproducible_zip(buf.getvalue(), report.timestamp)


# --- page, styles, properties ----------------------------------------------------------------------------------


def _el(tag: str, **attrs):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(key.replace("_", ":", 1)), str(value))
    return el


def _page(word, doc: Document) -> None:
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
    _color(run, MUTED)
    for footer in (section.footer, section.first_page_footer):
        p = footer.paragraphs[0]
        p.style = word.styles["Running Header"]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for part in ("Page ", ("PAGE", "1"), " of ", ("NUMPAGES", "1")):
            if isinstance(part, tuple):
                _field(p, *part)
            else:
                p.add_run(part)
        for r in p.runs:
            r.font.size = Pt(9)


def _field(paragraph, instr: str, shown: str) -> None:
    """A field (PAGE, NUMPAGES) that Word and LibreOffice fill in."""
    from docx.shared import Pt

    field = _el("w:fldSimple", w_instr=f" {instr} ")
    run = paragraph.add_run(shown)
    run.font.size = Pt(9)
    field.append(run._r)
    paragraph._p.append(field)


def _color(run, hex_colour: str) -> None:
    from docx.shared import RGBColor

    run.font.color.rgb = RGBColor.from_string(hex_colour)


def _fonts(rpr, name: str = FONT) -> None:
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
        _fonts(style.element.get_or_add_rPr(), font)
    fmt = style.paragraph_format
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    if keep_next is not None:
        fmt.keep_with_next = keep_next
    return style


def _styles(word) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    styles_el = word.styles.element
    defaults = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(defaults)
    lang = defaults.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "en-GB")
    theme_lang = word.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), "en-GB")
    for style in styles_el.iter(qn("w:style")):  # every style in Arial: no theme fonts (Calibri, Cambria)
        rpr = style.find(qn("w:rPr"))
        if rpr is not None and rpr.find(qn("w:rFonts")) is not None:
            _fonts(rpr)
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
    _border(report_of.element.get_or_add_pPr(), "bottom", size=12, space=6)
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


def _border(ppr, side: str, size: int, space: int) -> None:
    """A rule under (or over) a paragraph, placed where the schema wants ``w:pBdr`` in ``w:pPr``."""
    border = _el("w:pBdr")
    border.append(_el(f"w:{side}", w_val="single", w_sz=size, w_space=space, w_color=TEXT))
    ppr.insert_element_before(border, *_AFTER_PBDR)


#: What may follow ``w:pBdr`` in ``w:pPr`` (ECMA-376 CT_PPrBase order).
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
               "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
               "w:rPr", "w:sectPr", "w:pPrChange")


def _properties(word, doc: Document, report: Rendered) -> None:
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
    props.created = props.modified = report.timestamp.replace(tzinfo=None)
    package = word.part.package
    for part in package.iter_parts():  # python-docx's template says Word made it; say what did
        if str(part.partname) == "/docProps/app.xml":
            part._blob = APP_XML
    for rel_id, rel in list(package.rels.items()):  # and shows a picture of its own blank page
        if rel.reltype.endswith("/metadata/thumbnail"):
            package.rels.pop(rel_id)


APP_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           b'<Application>reportlib</Application><DocSecurity>0</DocSecurity></Properties>')


# --- the content -------------------------------------------------------------------------------------------------


class _Writer:
    def __init__(self, word, pngs: dict[str, bytes]):
        self.word = word
        self.pngs = pngs
        self.numbering = _Numbering(word)
        self.paragraph_numbers = self.numbering.add_abstract(_paragraph_levels())
        self.bullets = self.numbering.add_abstract(_list_levels(ordered=False))
        self.ordered = self.numbering.abstract(_list_levels(ordered=True))  # each ordered list: a num of its own
        self.pictures = 0
        # Style ids looked up once: python-docx looks a style up among all of them at every use.
        self.ids = {style.name: style.style_id for style in word.styles}

    def _p(self, style: str, text: str = ""):
        """A new paragraph at the end of the document, in ``style``."""
        p = self.word.add_paragraph(text)
        p._p.style = self.ids[style]
        return p

    # title block, body, appendices

    def title_block(self, block) -> None:
        if isinstance(block, Heading):
            self._p("Heading 1", block.text)
        elif isinstance(block, Paragraph):
            style = {"council": "Council", "meeting": "Meeting", "agenda-item": "Agenda Item",
                     "report-of": "Report Of"}.get(block.role, "Normal")
            self._runs(self._p(style), block.runs)

    def block(self, block) -> None:
        if isinstance(block, Heading):
            p = self._p(f"Heading {min(block.level, 6)}", block.text)
            if block.appendix:
                p.paragraph_format.page_break_before = True
        elif isinstance(block, Paragraph):
            self.paragraph(block)
        elif isinstance(block, ListBlock):
            self.list(block)
        elif isinstance(block, Figure):
            self.figure(block)
        elif isinstance(block, Table):
            self.table(block)

    def paragraph(self, block: Paragraph) -> None:
        if block.number is not None:
            p = self._p("Numbered Paragraph")
            _number(p, self.paragraph_numbers, 0)
        else:
            style = {"author": "Signature", "contact": "Contact", "quote": "Quote", "code": "Code",
                     "source": "Source"}.get(block.role, "Normal")
            p = self._p(style)
        self._runs(p, block.runs)

    def list(self, block: ListBlock, level: int = 0) -> None:
        num = self.numbering.add_num(self.ordered, start=block.start) if block.ordered else self.bullets
        for item in block.items:
            p = self._p("List Paragraph")
            _number(p, num, min(level, 8))
            self._runs(p, item.runs)
            for child in item.children:
                self.list(child, level + 1)

    def figure(self, fig: Figure) -> None:
        from docx.shared import Inches

        caption = self._p("Caption")
        self._runs(caption, [Run(f"{fig.label}: " if fig.label else "", bold=True), Run(fig.title, bold=True)])
        if fig.subtitle:
            self._p("Figure Subtitle", fig.subtitle)
        png = self.pngs.get(fig.svg)
        p = self._p("Figure")
        if png:
            run = p.add_run()
            run.add_picture(io.BytesIO(png), width=Inches(CHART_WIDTH_IN))
            self.pictures += 1
            doc_pr = run._r.xpath(".//wp:docPr")[0]
            doc_pr.set("name", fig.label or f"Chart {self.pictures}")
            doc_pr.set("descr", fig.alt)  # the alt text Word's accessibility checker and screen readers read
        else:  # a chart made without a PNG rendition: its alt text stands in for it
            run = p.add_run(f"[{fig.label or 'Chart'}: {fig.alt}]")
            run.italic = True
        if fig.source:
            self._p("Source", f"Source: {fig.source}")
        else:
            p.paragraph_format.keep_with_next = False

    def table(self, t: Table) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        caption = self._p("Caption")
        if t.chart:  # a chart's data table: its caption in italics, as in the HTML
            self._runs(caption, [Run(t.caption, italic=True)])
        else:
            self._runs(caption, [Run(f"{t.label}: " if t.label else "", bold=True), Run(t.caption, bold=True)])
        ncols = max([len(t.columns)] + [len(r) for r in t.rows]) or 1
        table = self.word.add_table(rows=1 + len(t.rows), cols=ncols)
        table.style = self.word.styles["Table Grid"]
        table.autofit = False
        widths = _column_widths(t, ncols)
        grid = table._tbl.tblGrid
        for col, width in zip(grid.iter(grid[0].tag), widths):
            col.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w", str(Mm(width).twips))
        numeric = [any(c.numeric for c in ([t.columns[i]] if i < len(t.columns) else []) +
                       [r[i] for r in t.rows if i < len(r)]) for i in range(ncols)]
        together = len(t.rows) <= SHORT_ROWS  # as in the PDF, a short table stays on one page
        for r, row in enumerate(table.rows):
            cells = t.columns if r == 0 else t.rows[r - 1]
            tr_pr = row._tr.get_or_add_trPr()
            tr_pr.append(_el("w:cantSplit"))
            if r == 0:
                tr_pr.append(_el("w:tblHeader"))  # repeats at the top of each page the table runs onto
            for i, cell in enumerate(row.cells):
                cell.width = Mm(widths[i])
                text = cells[i].text if i < len(cells) else ""
                p = cell.paragraphs[0]
                p._p.style = self.ids["Table Text"]
                if together and r < len(t.rows):
                    p.paragraph_format.keep_with_next = True
                run = p.add_run(text)
                run.bold = r == 0 or (i < len(cells) and cells[i].header)
                if numeric[i] and (r == 0 or (i < len(cells) and cells[i].numeric)):
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        tbl_pr = table._tbl.tblPr
        tbl_pr.append(_el("w:tblCaption", w_val=t.heading[:255]))
        if t.notes:
            tbl_pr.append(_el("w:tblDescription", w_val=" ".join(t.notes)[:255]))
        for note in t.notes:
            self._p("Table Note", note)
        if not t.notes:
            self._p("Table Note").paragraph_format.space_after = 0

    # runs

    def _runs(self, paragraph, runs: list[Run]) -> None:
        for run in runs:
            if not run.text:
                continue
            if run.text == "\n":
                (paragraph.runs[-1] if paragraph.runs else paragraph.add_run()).add_break()
                continue
            if run.href:
                self._link(paragraph, run)
                continue
            r = paragraph.add_run(run.text)
            _format(r, run)

    def _link(self, paragraph, run: Run) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.text.run import Run as DocxRun

        link = _el("w:hyperlink")
        link.set("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
                 paragraph.part.relate_to(run.href, RT.HYPERLINK, is_external=True))
        r = DocxRun(_el("w:r"), paragraph)
        r.text = run.text
        _format(r, run)
        r.font.underline = True
        _color(r, LINK)
        link.append(r._r)
        paragraph._p.append(link)


def _format(r, run: Run) -> None:
    if run.bold:
        r.bold = True
    if run.italic:
        r.italic = True
    if run.code:
        _fonts(r._r.get_or_add_rPr(), CODE_FONT)


def _column_widths(t: Table, ncols: int) -> list[float]:
    """Column widths in mm across the text width, as a browser lays out a ``width: 100%`` table: each column gets
    at least its longest word (a word never breaks), then the room left goes to the columns with more to say."""
    char, pad = 2.3, 4.5  # mm: a character of 10pt Arial (bold, generously), and the cell's margins
    need, want = [], []
    for i in range(ncols):
        texts = [t.columns[i].text if i < len(t.columns) else ""] + [r[i].text for r in t.rows if i < len(r)]
        longest_word = max((len(w) for x in texts for w in x.split()), default=1)
        need.append(min(longest_word, 30) * char + pad)
        want.append(max(min(max(len(x) for x in texts[1:] or [""]), 60), min(len(texts[0]), 24), longest_word)
                    * char + pad)
    avail = TEXT_WIDTH_MM
    if sum(want) <= avail:
        return [w * avail / sum(want) for w in want]
    if sum(need) >= avail:
        return [n * avail / sum(need) for n in need]
    extra = [w - n for w, n in zip(want, need)]
    spare = avail - sum(need)
    return [n + spare * e / sum(extra) for n, e in zip(need, extra)]


# --- numbering -------------------------------------------------------------------------------------------------


def _paragraph_levels() -> list[dict]:
    """The numbered paragraphs: 1., 2., 3. ... hanging in front of the text, as in the PDF."""
    return [{"fmt": "decimal", "text": "%1.", "left": PARA_INDENT, "hanging": PARA_INDENT}]


def _list_levels(ordered: bool) -> list[dict]:
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


def _number(paragraph, num_id: int, level: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


class _Numbering:
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
        abstract = _el("w:abstractNum", w_abstractNumId=abstract_id)
        abstract.append(_el("w:multiLevelType", w_val="singleLevel" if len(levels) == 1 else "hybridMultilevel"))
        for i, lvl in enumerate(levels):
            el = _el("w:lvl", w_ilvl=i)
            el.append(_el("w:start", w_val=1))
            el.append(_el("w:numFmt", w_val=lvl["fmt"]))
            el.append(_el("w:lvlText", w_val=lvl["text"]))
            el.append(_el("w:lvlJc", w_val="left"))
            ppr = _el("w:pPr")
            ppr.append(_el("w:ind", w_left=lvl["left"], w_hanging=lvl["hanging"]))
            el.append(ppr)
            if lvl["fmt"] == "bullet":
                rpr = _el("w:rPr")
                rpr.append(_el("w:rFonts", w_ascii=FONT, w_hAnsi=FONT, w_hint="default"))
                el.append(rpr)
            abstract.append(el)
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
        num = _el("w:num", w_numId=num_id)
        num.append(_el("w:abstractNumId", w_val=abstract_id))
        if start is not None:
            override = _el("w:lvlOverride", w_ilvl=0)
            override.append(_el("w:startOverride", w_val=start))
            num.append(override)
        cleanup = self.root.find(self.qn("w:numIdMacAtCleanup"))
        if cleanup is not None:
            cleanup.addprevious(num)
        else:
            self.root.append(num)
        return num_id
