"""report.docx: the same report as the HTML, in Word's own structure (SPEC "Output", report.docx).

Each sample report (both committee papers and the annual report) is rendered with formats html and docx;
the Word document is checked against the HTML of the same render: the same numbered paragraphs with the
same numbers (the CSS counter numbers every ``main.report > p``), the same headings as Heading styles,
the same tables with their header row repeating, the same charts with the same alt text. Then it is
opened in LibreOffice, as an officer would open it.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import docx
import pytest
from bs4 import BeautifulSoup
from docx.oxml.ns import qn
from lxml import etree

from conftest import BROWSER_FONT_ENV
from factory import REPORT_SAMPLES

pytestmark = pytest.mark.slow

SAMPLES = REPORT_SAMPLES


@pytest.fixture(scope="module")
def rendered(samples):
    return samples


@pytest.fixture(params=SAMPLES)
def report(request, rendered):
    folder = rendered[request.param]
    page = BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")
    return page, docx.Document(str(folder / "report.docx")), folder


def words(text: str) -> str:
    return " ".join(text.split())


def html_text(el) -> str:
    for br in el.find_all("br"):
        br.replace_with(" ")
    return words(el.get_text())


def style_of(paragraph) -> str:
    return paragraph.style.name


def num_id(paragraph):
    num_pr = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    return None if num_pr is None else (int(num_pr.find(qn("w:numId")).get(qn("w:val"))),
                                        int(num_pr.find(qn("w:ilvl")).get(qn("w:val"))))


def test_numbered_paragraphs_are_the_htmls_with_the_same_numbers(report):
    page, word, _ = report
    expected = [html_text(p) for p in page.select("main.report > p")]  # what the CSS counter numbers
    numbered = [p for p in word.paragraphs if style_of(p) == "Numbered Paragraph"]
    assert [words(p.text) for p in numbered] == expected
    ids = {num_id(p) for p in numbered}
    assert len(ids) == 1 and None not in ids
    (numbering, level), = ids
    assert level == 0
    assert all(style_of(p) == "Numbered Paragraph" for p in word.paragraphs if num_id(p) and num_id(p)[0] == numbering)
    # that list counts 1., 2., 3. ... from 1: so paragraph n is numbered n, as in the HTML and PDF
    root = word.part.numbering_part.element
    num = next(n for n in root.iter(qn("w:num")) if int(n.get(qn("w:numId"))) == numbering)
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in root.iter(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id)
    lvl = abstract.find(qn("w:lvl"))
    assert [lvl.find(qn(f"w:{t}")).get(qn("w:val")) for t in ("start", "numFmt", "lvlText")] == ["1", "decimal", "%1."]
    assert num.find(qn("w:lvlOverride")) is None


def test_headings_are_heading_styles(report):
    page, word, _ = report
    for level in (1, 2, 3):  # the PDF's contents list (nav) is not in the Word file
        expected = [html_text(h) for h in page.find_all(f"h{level}") if not h.find_parent("nav")]
        assert [words(p.text) for p in word.paragraphs if style_of(p) == f"Heading {level}"] == expected, level
    appendices = [html_text(h) for h in page.select("section.appendices h2")]
    breaks = [words(p.text) for p in word.paragraphs if p.paragraph_format.page_break_before]
    assert breaks == appendices  # each appendix starts a page (in the PDF unless that leaves a page a third empty)


def test_tables_with_a_header_row_that_repeats(report):
    page, word, _ = report
    html_tables = page.find_all("table")
    assert len(word.tables) == len(html_tables) > 0
    for table, html in zip(word.tables, html_tables):
        rows = table._tbl.findall(qn("w:tr"))
        headers = [r for r in rows if r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None]
        assert headers == rows[:1]  # the one header row, marked to repeat on each page
        assert [words(c.text) for c in table.rows[0].cells] == [html_text(th) for th in html.thead.find_all("th")]
        body = [[html_text(c) for c in tr.find_all(["th", "td"])] for tr in html.tbody.find_all("tr")]
        assert [[words(c.text) for c in row.cells] for row in table.rows[1:]] == body
        caption = table._tbl.tblPr.find(qn("w:tblCaption"))
        assert caption is not None and caption.get(qn("w:val"))  # the table's alt text


def test_charts_are_pictures_with_their_alt_text(report):
    page, word, _ = report
    alts = [img["alt"] for img in page.select("figure.chart img")]
    body = word.element.body
    pictures = body.findall(".//" + qn("wp:docPr"))
    assert alts and [p.get("descr") for p in pictures] == alts
    blips = body.findall(".//" + qn("a:blip"))
    assert len(blips) == len(alts)
    for blip in blips:
        image = word.part.related_parts[blip.get(qn("r:embed"))]
        assert image.content_type == "image/png" and image.blob[:8] == b"\x89PNG\r\n\x1a\n"
    captions = [words(p.text) for p in word.paragraphs if style_of(p) == "Caption" and p.text.startswith("Figure")]
    assert captions == [html_text(c.find("span", class_="label")) + " " + html_text(c.find("span", class_="title"))
                        for c in page.select("figure.chart figcaption")]


def test_language_page_and_properties(report):
    page, word, _ = report
    lang = word.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:val")) == "en-GB"
    props = word.core_properties
    assert props.title == html_text(page.h1)
    assert props.author == page.find("meta", attrs={"name": "author"})["content"]
    assert props.subject == page.find("meta", attrs={"name": "description"})["content"]
    assert props.language == "en-GB"
    section = word.sections[0]
    mm = lambda length: round(length.mm, 1)  # noqa: E731
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)  # A4
    # the PDF's @page margins (committee.css): 22mm 20mm 22mm 22mm
    css = page.style.get_text()
    assert "margin: 22mm 20mm 22mm 22mm" in css
    assert [mm(section.top_margin), mm(section.right_margin), mm(section.bottom_margin), mm(section.left_margin)] == \
        [22, 20, 22, 22]


def test_title_block_signature_and_contacts(report):
    page, word, _ = report
    text = [words(p.text) for p in word.paragraphs]
    for el in page.select("header.title-block p"):
        assert html_text(el) in text
    for el in page.select("section.signature p"):
        assert html_text(el) in text
    emails = [a["href"] for a in page.select("section.signature a")]
    targets = [r.target_ref for r in word.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert emails and set(emails) <= set(targets)
    footer = word.sections[0].footer._element
    assert "".join(t.text for t in footer.iter(qn("w:t"))) == "Page 1 of 1"  # as Word shows it before it counts
    fields = footer.findall(".//" + qn("w:fldSimple"))
    assert [f.get(qn("w:instr")).strip() for f in fields] == ["PAGE", "NUMPAGES"]


def test_every_part_is_well_formed(report):
    _, _, folder = report
    with zipfile.ZipFile(folder / "report.docx") as z:
        names = z.namelist()
        assert names[0] == "[Content_Types].xml" and len(names) == len(set(names))
        types = etree.fromstring(z.read("[Content_Types].xml"))
        overrides = {o.get("PartName").lstrip("/") for o in types if o.get("PartName")}
        defaults = {d.get("Extension") for d in types if d.get("Extension")}
        for name in names:
            if name.endswith((".xml", ".rels")):
                etree.fromstring(z.read(name))  # raises if not well-formed
            assert name in overrides or name.rsplit(".", 1)[-1] in defaults, name
        ids = [int(d.get("id")) for d in etree.fromstring(z.read("word/document.xml")).iter(qn("wp:docPr"))]
        assert len(ids) == len(set(ids))  # Word repairs a document whose drawings share an id


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed: ./dev test installs "
                                               "libreoffice-writer where Debian's apt-get is available")
def test_libreoffice_opens_it(rendered, tmp_path):
    """LibreOffice, headless, converts each report.docx (one of each report type) to PDF; the PDF has every numbered
    paragraph with its number, and the footer's page numbers."""
    import pypdf

    env = {**BROWSER_FONT_ENV, "HOME": str(tmp_path)}  # the package's fonts (Arial is shown as Liberation Sans)
    for name, folder in ((name, rendered[name]) for name in SAMPLES):
        proc = subprocess.run([_soffice(), "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                               "--convert-to", "pdf", "--outdir", str(tmp_path / name), str(folder / "report.docx")],
                              capture_output=True, text=True, timeout=300, env=env)
        pdf = tmp_path / name / "report.pdf"
        assert proc.returncode == 0 and pdf.is_file(), proc.stderr
        reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
        text = words(" ".join(page.extract_text() for page in reader.pages))
        assert f"Page 1 of {len(reader.pages)}" in text
        page = BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")
        for n, p in enumerate(page.select("main.report > p"), start=1):
            first = re.escape(" ".join(html_text(p).split()[:2]))
            assert re.search(rf"(?<![\d.]){n}\.\s*{first}", text), (name, n, html_text(p)[:60])
