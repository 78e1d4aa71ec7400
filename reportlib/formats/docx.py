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

from . import FORMAT_FILES, Rendered, reproducible_zip
from ..charts import WIDTH as CHART_WIDTH_IN  # inches: a chart is as wide in Word as it was drawn
from ..compat import oxml
from ..tables import SHORT_ROWS  # a table of up to this many rows is kept on one page, as in the PDF
from .document import Figure, Heading, ListBlock, Paragraph, Run, Table
from .docx_style import (APP_XML, CODE_FONT, LINK, TEXT_WIDTH_MM, Numbering, color, el, fonts, list_levels, number,
                         page, paragraph_levels, properties, styles)

FILE = FORMAT_FILES["docx"]


def write(report: Rendered, target: Path) -> None:
    Path(target).write_bytes(build(report))


def build(report: Rendered) -> bytes:
    """The Word document's bytes."""
    import docx

    doc = report.document
    word = docx.Document()
    styles(word)
    page(word, doc)
    writer = _Writer(word, report.chart_pngs)
    for block in doc.title_block:
        writer.title_block(block)
    for block in [*doc.body, *doc.appendices]:
        writer.block(block)
    properties(word, doc, report.timestamp)
    buf = io.BytesIO()
    word.save(buf)
    return reproducible_zip(buf.getvalue(), report.timestamp, {"docProps/app.xml": APP_XML})


# --- the content -------------------------------------------------------------------------------------------------


class _Writer:
    def __init__(self, word, pngs: dict[str, bytes]):
        self.word = word
        self.pngs = pngs
        self.numbering = Numbering(word)
        self.paragraph_numbers = self.numbering.add_abstract(paragraph_levels())
        self.bullets = self.numbering.add_abstract(list_levels(ordered=False))
        self.ordered = self.numbering.abstract(list_levels(ordered=True))  # each ordered list: a num of its own
        self.pictures = 0
        # Style ids looked up once: python-docx looks a style up among all of them at every use.
        self.ids = {style.name: style.style_id for style in word.styles}

    def _p(self, style: str, text: str = ""):
        """A new paragraph at the end of the document, in ``style``."""
        p = self.word.add_paragraph(text)
        oxml(p).style = self.ids[style]
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
            number(p, self.paragraph_numbers, 0)
        else:
            style = {"author": "Signature", "contact": "Contact", "quote": "Quote", "code": "Code",
                     "source": "Source"}.get(block.role, "Normal")
            p = self._p(style)
        self._runs(p, block.runs)

    def list(self, block: ListBlock, level: int = 0) -> None:
        num = self.numbering.add_num(self.ordered, start=block.start) if block.ordered else self.bullets
        for item in block.items:
            p = self._p("List Paragraph")
            number(p, num, min(level, 8))
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
            doc_pr = oxml(run).xpath(".//wp:docPr")[0]
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
        grid = oxml(table).tblGrid
        for col, width in zip(grid.iter(grid[0].tag), widths):
            col.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w", str(Mm(width).twips))
        numeric = [any(c.numeric for c in ([t.columns[i]] if i < len(t.columns) else []) +
                       [r[i] for r in t.rows if i < len(r)]) for i in range(ncols)]
        together = len(t.rows) <= SHORT_ROWS  # as in the PDF, a short table stays on one page
        for r, row in enumerate(table.rows):
            cells = t.columns if r == 0 else t.rows[r - 1]
            tr_pr = oxml(row).get_or_add_trPr()
            tr_pr.append(el("w:cantSplit"))
            if r == 0:
                tr_pr.append(el("w:tblHeader"))  # repeats at the top of each page the table runs onto
            for i, cell in enumerate(row.cells):
                cell.width = Mm(widths[i])
                text = cells[i].text if i < len(cells) else ""
                p = cell.paragraphs[0]
                oxml(p).style = self.ids["Table Text"]
                if together and r < len(t.rows):
                    p.paragraph_format.keep_with_next = True
                run = p.add_run(text)
                run.bold = r == 0 or (i < len(cells) and cells[i].header)
                if numeric[i] and (r == 0 or (i < len(cells) and cells[i].numeric)):
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        tbl_pr = oxml(table).tblPr
        tbl_pr.append(el("w:tblCaption", w_val=t.heading[:255]))
        if t.notes:
            tbl_pr.append(el("w:tblDescription", w_val=" ".join(t.notes)[:255]))
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

        link = el("w:hyperlink")
        link.set("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
                 paragraph.part.relate_to(run.href, RT.HYPERLINK, is_external=True))
        r = DocxRun(el("w:r"), paragraph)
        r.text = run.text
        _format(r, run)
        r.font.underline = True
        color(r, LINK)
        link.append(oxml(r))
        oxml(paragraph).append(link)


def _format(r, run: Run) -> None:
    if run.bold:
        r.bold = True
    if run.italic:
        r.italic = True
    if run.code:
        fonts(oxml(r).get_or_add_rPr(), CODE_FONT)


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
