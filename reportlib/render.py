"""Executed notebook -> committee paper: HTML through our nbconvert template, PDF/UA through WeasyPrint.

The chain (nbconvert preprocessors, in order):

1. :class:`ReportPreprocessor` collects the figures and params the code cells
   emitted, fills each markdown cell's ``{{ figure }}`` citations (values
   escaped so data can never become markup), turns markdown into HTML and each
   chart/table output into numbered, accessible HTML. Anything else a cell
   printed is dropped: the report shows no code, prompts or stray output.
2. nbconvert's own ``TagRemovePreprocessor`` drops cells tagged ``remove-cell``.

The ``committee`` template (``templates/committee``) lays out the paper. Where the HTML is
made, titles and headings get a no-break space between their last two words (:func:`balance`),
so no title ends on a lone word in the PDF or in a browser; headings get ids; a chart is kept
in one block with its data table; a figure or table a markdown cell cites by name
(``{{ ref.quarterly }}`` for the code cell tagged ``ref-quarterly``) is written as its number,
"Figure 1". :mod:`reportlib.pages` lays the page out and decides what the paper needs for its
pages (a contents list, blocks let break): a :class:`Layout`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import nbformat
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from . import compat, narrative
from .narrative import PARAMS_MIME
from .charts import CHART_MIME, Chart
from .errors import RenderError
from .params import IMPLICATIONS
from .tables import TABLE_MIME, Table

TEMPLATES = Path(__file__).resolve().parent / "templates"
COMMITTEE = TEMPLATES / "committee"
REMOVE_CELL_TAGS = {"remove-cell", "parameters", "injected-parameters"}

_MD = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~^\"'$%:;,=?/@])")


#: Two last words of a title held together when, with the space between them, they are this short: longer, and
#: the pair could be wider than a phone's screen.
BALANCE_CHARS = 20
NBSP = "\u00a0"


def _bound_space(plain: str) -> int | None:
    """Where in ``plain`` (a title) the space between the last two words is, if they should be held together:
    a title of three words or more whose last two are short enough to share a line anywhere."""
    words = plain.split()
    if len(words) < 3 or len(words[-2]) + 1 + len(words[-1]) > BALANCE_CHARS:
        return None
    end = plain.rstrip()
    return end.rindex(" ", 0, len(end) - len(words[-1]) + 1) if " " in end else None


def balance(text: str) -> str:
    """``text`` (a title, plain) with a no-break space between its last two words, so that its last line
    never holds one word alone ("...Action Plan", not "...Action / Plan"). WeasyPrint has no
    ``text-wrap: balance``; a no-break space works in the PDF and in every browser alike."""
    text = " ".join(str(text).split())
    at = _bound_space(text)
    return text if at is None else text[:at] + NBSP + text[at + 1:]


def md_escape(value: Any) -> str:
    """Text that markdown will show exactly as written (never as markup, links or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def markdown_html(source: str, headings: "Headings | None" = None) -> str:
    """CommonMark (plus tables) to HTML; raw HTML in the markdown is shown as text, not obeyed. Each heading's
    last two words are held together (:func:`balance`); with ``headings``, each heading gets its id from it."""
    return _MD.render(source, {"headings": headings} if headings is not None else {})


@dataclass
class Headings:
    """The headings of one paper: an id for each (from its words, once each), and the sections (``h2``) in order
    for the contents list, the appendices' apart. ``loose``: the ids of the headings whose page break the
    layout lets go (:class:`Layout`)."""

    loose: frozenset[str] = frozenset()
    appendix: bool = False  # the cell being rendered is an appendix's
    ids: set[str] = field(default_factory=set)
    sections: list[tuple[str, str]] = field(default_factory=list)  # (id, words) of each h2 in the body
    appendices: list[tuple[str, str]] = field(default_factory=list)

    def add(self, level: int, words: str) -> str:
        slug = ""
        for word in re.findall(r"[a-z0-9]+", words.lower()):  # whole words, up to 40 characters
            if slug and len(slug) + 1 + len(word) > 40:
                break
            slug = f"{slug}-{word}" if slug else word[:40]
        slug = slug or "heading"
        name, n = f"section-{slug}", 1
        while name in self.ids:
            n += 1
            name = f"section-{slug}-{n}"
        self.ids.add(name)
        if level == 2:
            (self.appendices if self.appendix else self.sections).append((name, words))
        return name


def _heading_open(self, tokens, idx, options, env):
    """A heading: its last two words held together, and (with ``env["headings"]``) its id."""
    inline = tokens[idx + 1]
    parts = [t for t in inline.children or [] if t.type in ("text", "code_inline")]
    plain = "".join(t.content for t in parts)
    at = _bound_space(plain)
    for t in parts:  # the space to hold is in the text token that holds that point of the words
        if at is not None and 0 <= at < len(t.content) and t.type == "text":
            t.content = t.content[:at] + NBSP + t.content[at + 1:]
            break
        at = None if at is None else at - len(t.content)
    headings = env.get("headings")
    if headings is not None:
        name = headings.add(int(tokens[idx].tag[1]), " ".join(plain.split()))
        tokens[idx].attrSet("id", name)
        if name in headings.loose:
            tokens[idx].attrSet("class", "loose")
    return self.renderToken(tokens, idx, options, env)


_MD.add_render_rule("heading_open", _heading_open)


@dataclass(frozen=True)
class Layout:
    """What the paper needs for its pages, decided by laying it out (:mod:`reportlib.pages`): a contents list (a
    paper over six pages); the blocks let break where keeping them whole would leave a page more than a third
    empty (``loose``, by id: a chart with its data table, a short table, an appendix's heading); and the charts
    printed smaller so that they fit where they would otherwise leave such a gap (``fitted``: id and the
    image's height in mm, one of :data:`FIT_MM`)."""

    contents: bool = False
    loose: frozenset[str] = frozenset()
    fitted: frozenset[tuple[str, int]] = frozenset()

    def fit(self, name: str) -> int | None:
        return next((mm for n, mm in self.fitted if n == name), None)


#: The heights (mm) a chart may be printed at to fit the foot of a page (``fit-N`` in committee.css).
FIT_MM = (85, 80, 75, 70, 65, 60, 55)


def _finalize(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    return md_escape(narrative.text(value))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, finalize=_finalize, autoescape=False,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(narrative.FILTERS)
    return env


def _paragraphs(texts) -> Markup:
    return Markup("\n\n".join(md_escape(t) for t in texts))


def implication_defaults() -> dict[str, list[str]]:
    """The standard implication paragraphs (``templates/committee/implications.yaml``)."""
    return yaml.safe_load((COMMITTEE / "implications.yaml").read_text(encoding="utf-8"))


def narrative_context(params: dict, figures: dict[str, dict]) -> dict[str, Any]:
    """What markdown cells can cite: the figures, ``params``, ``recommendations``, ``implications``."""
    defaults = implication_defaults()
    given = params.get("implications") or {}
    implications = {}
    for key in IMPLICATIONS:
        if given.get(key):
            implications[key] = _paragraphs(given[key])
        else:  # our own standard text: trusted markdown
            implications[key] = Markup("\n\n".join(defaults[key]))
    recs = params.get("recommendations") or []
    context = {name: narrative.from_json(fig["value"]) for name, fig in figures.items()}
    context.update({
        "params": params,
        "recommendations": Markup("\n".join(f"- {md_escape(r)}" for r in recs)),
        "implications": implications,
    })
    return context


def _first_line(source: str) -> str:
    line = next((l.strip() for l in source.splitlines() if l.strip()), "")
    return line[:60] + ("..." if len(line) > 60 else "")


REF_TAG = "ref-"


class _UnknownReference(Exception):
    """A markdown cell cites ``ref.NAME`` and no code cell showing a figure or table is tagged ``ref-NAME``."""


class References:
    """``ref`` in a markdown cell: ``{{ ref.quarterly }}`` is "Figure 2" (or "Table 3"), the number the render gives
    the one chart or table shown by the code cell tagged ``ref-quarterly``."""

    def __init__(self, labels: dict[str, str]):
        self._labels = labels

    def __getattr__(self, name: str) -> Markup:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._labels:
            raise _UnknownReference(name)
        return Markup(self._labels[name])


def _numbered(nb, where: str) -> tuple[dict[tuple[int, int], str], dict[str, str]]:
    """Each chart's and table's label ("Figure 1", "Table 2"), by (cell, output) in notebook order, and the label
    each ``ref-NAME`` tag names. A tagged cell must show exactly one chart or table."""
    labels: dict[tuple[int, int], str] = {}
    refs: dict[str, str] = {}
    numbers = {"Figure": 0, "Table": 0}
    for index, cell in enumerate(nb.cells, start=1):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or REMOVE_CELL_TAGS & set(tags):
            continue
        shown = []
        for i, out in enumerate(cell.get("outputs", [])):
            kind = "Figure" if CHART_MIME in out.get("data", {}) else "Table" if TABLE_MIME in out.get("data", {}) \
                else None
            if kind:
                numbers[kind] += 1
                labels[(index, i)] = f"{kind} {numbers[kind]}"
                shown.append(labels[(index, i)])
        for tag in tags:
            name = tag[len(REF_TAG):] if tag.startswith(REF_TAG) else None
            if name is None:
                continue
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
                raise RenderError(f"{where}: code cell {index} is tagged '{tag}': a reference's name is letters, "
                                  "digits and _ after 'ref-', starting with a letter, as in ref-quarterly")
            if name in refs:
                raise RenderError(f"{where}: code cell {index} is tagged '{tag}', as an earlier cell is: "
                                  "give each chart or table a name of its own")
            if len(shown) > 1:
                raise RenderError(f"{where}: code cell {index} is tagged '{tag}' but shows {len(shown)} charts and "
                                  "tables: a reference names one, so show each in a cell of its own")
            if shown:
                refs[name] = shown[0]
    return labels, refs


def _chart_html(data: dict, label: str, layout: Layout) -> str:
    """A chart as the paper shows it: one block holding the figure and its data table, kept on one page when
    that leaves no page more than a third empty (``loose`` otherwise); its title and the data table's caption
    balanced."""
    table = {**data["table"], "caption": balance(data["table"]["caption"])}
    chart = Chart.from_json({**data, "title": balance(data["title"]), "table": table})
    name = label.lower().replace(" ", "-")
    loose = " loose" if name in layout.loose else ""
    fit = f" fit-{layout.fit(name)}" if layout.fit(name) else ""
    return f'<div class="figure-block{loose}{fit}" id="{name}">{chart.to_html(label)}</div>'


def _table_html(data: dict, label: str, layout: Layout) -> str:
    """A table as the paper shows it, in a block (``id`` "table-2") the layout may let break (``loose``)."""
    table = Table.from_json({**data, "caption": balance(data["caption"])})
    name = label.lower().replace(" ", "-")
    loose = " loose" if name in layout.loose else ""
    return f'<div class="table-block{loose}" id="{name}">{table.to_html(label)}</div>'


class ReportPreprocessor(Preprocessor):
    """Figures in, citations filled, every cell reduced to the HTML the paper shows."""

    def preprocess(self, nb, resources):
        where = resources.get("reportlib_notebook", "notebook")
        layout: Layout = resources.get("reportlib_layout") or Layout()
        params: dict = {}
        figures: dict[str, dict] = {}
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if narrative.FIGURE_MIME in data:
                    fig = data[narrative.FIGURE_MIME]
                    figures[fig["name"]] = fig
                if PARAMS_MIME in data:
                    params = data[PARAMS_MIME]
        env = _environment()
        context = narrative_context(params, figures)
        labels, refs = _numbered(nb, where)
        context["ref"] = References(refs)
        headings = Headings(loose=layout.loose)
        cited: set[str] = set()
        for index, cell in enumerate(nb.cells, start=1):
            parts: list[str] = []
            tags = cell.metadata.get("tags", [])
            if REMOVE_CELL_TAGS & set(tags):
                pass  # notes for analysts: never filled, never shown
            elif cell.cell_type == "markdown":
                label = f"{where}: markdown cell {index} ({_first_line(cell.source)!r})"
                try:
                    template = env.from_string(cell.source)
                    cited |= jinja2.meta.find_undeclared_variables(env.parse(cell.source)) & figures.keys()
                    filled = template.render(context)
                except _UnknownReference as e:
                    raise RenderError(f"{label} cites ref.{e}, but no code cell showing a chart or table is tagged "
                                      f"'ref-{e}': tag the cell that shows it, or correct the name") from None
                except jinja2.UndefinedError as e:
                    part = re.search(r"has no attribute '([^']+)'", str(e))
                    if part:
                        raise RenderError(f"{label} asks for '{part.group(1)}' of a figure that has no such part: "
                                          "check the name after the dot (or use .get('name', default))") from None
                    m = re.search(r"'([^']+)' is undefined", str(e))
                    name = m.group(1) if m else str(e)
                    raise RenderError(f"{label} cites '{name}', which no code cell glued: "
                                      f"glue it first (rl.glue('{name}', value)) or correct the name") from None
                except jinja2.TemplateSyntaxError as e:
                    raise RenderError(f"{label}, line {e.lineno}: {e.message}; "
                                      "a figure is cited as {{ name }} or {{ name | filter }}") from None
                except (TypeError, ValueError, AttributeError) as e:
                    raise RenderError(f"{label}: a citation could not be written ({e})") from None
                headings.appendix = "appendix" in tags
                parts.append(markdown_html(filled, headings))
            elif cell.cell_type == "code":
                for i, out in enumerate(cell.get("outputs", [])):
                    data = out.get("data", {})
                    if CHART_MIME in data:
                        parts.append(_chart_html(data[CHART_MIME], labels[(index, i)], layout))
                    elif TABLE_MIME in data:
                        parts.append(_table_html(data[TABLE_MIME], labels[(index, i)], layout))
            cell.metadata["reportlib_html"] = "\n".join(parts)
        has_appendix = any("appendix" in c.metadata.get("tags", []) and c.metadata["reportlib_html"].strip()
                           for c in nb.cells)
        resources["reportlib"] = {"params": params, "figures": figures, "cited": cited, "has_appendix": has_appendix,
                                  "references": refs, "layout": layout,
                                  "contents": (headings.sections, headings.appendices) if layout.contents else None}
        return nb, resources


def _report_of(text: str) -> str:
    """"Acting Director of Children's Services" -> "Report of the Acting Director of Children's Services"."""
    text = " ".join(str(text).split())
    if re.match(r"(?i)^report of\b", text):
        return text
    return f"Report of {text}" if re.match(r"(?i)^the\b", text) else f"Report of the {text}"


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


TEMPLATE_FILTERS = {
    "uk_date": lambda v: narrative.uk_date(_date(v)),
    "long_date": lambda v: f"{_date(v):%A} {narrative.uk_date(_date(v))}",
    "report_of": lambda v: html.escape(balance(_report_of(v))),
    # In a title: its last two words held together (a date's words all together), escaped.
    "balance": lambda v: html.escape(balance(v)),
    "long_date_unbroken": lambda v: f"{_date(v):%A} {narrative.uk_date(_date(v))}".replace(" ", NBSP),
}


class CommitteeExporter(HTMLExporter):
    """HTMLExporter with the committee template and the report preprocessors."""

    def __init__(self, **kw):
        kw = {"template_name": "committee", "extra_template_basedirs": [str(TEMPLATES)], "exclude_input": True,
              "exclude_input_prompt": True, "exclude_output_prompt": True, **kw}
        super().__init__(**kw)
        for name, fn in TEMPLATE_FILTERS.items():
            self.register_filter(name, fn)
        self.register_preprocessor(ReportPreprocessor(), enabled=True)
        self.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=REMOVE_CELL_TAGS), enabled=True)


@lru_cache(maxsize=1)
def _exporter() -> CommitteeExporter:
    exporter = CommitteeExporter()
    exporter.template  # noqa: B018 - loads and compiles the template now
    return exporter


def forget_template() -> None:
    """Load the committee template afresh on the next render (the preview, after the template was edited)."""
    _exporter.cache_clear()


def to_html(nb: nbformat.NotebookNode, where: str = "notebook", layout: Layout | None = None) -> tuple[str, dict]:
    """The committee paper as one self-contained HTML page, and what the render collected. ``layout`` says what
    its pages need (:class:`Layout`; :func:`reportlib.pages.paper` decides it by laying the page out)."""
    css = (COMMITTEE / "static" / "committee.css").read_text(encoding="utf-8")
    body, resources = _exporter().from_notebook_node(nb, resources={"reportlib_notebook": where, "committee_css": css,
                                                                    "reportlib_layout": layout or Layout()})
    return body, resources["reportlib"]


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
def _pdf_fonts():
    """One WeasyPrint FontConfiguration holding the bundled fonts, and the stylesheet declaring them.

    WeasyPrint uses @font-face fonts only when the same FontConfiguration reaches both the CSS and
    ``write_pdf``; without it Pango falls back to whatever fontconfig finds on the machine (DejaVu
    on a Debian server) and, on a machine with no fonts at all, crashes.
    """
    import warnings

    with warnings.catch_warnings(), compat.libraries_from_the_cache():
        warnings.simplefilter("ignore", UserWarning)  # "No fonts configured in FontConfig": ours are bundled
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        css = weasyprint.CSS(string=pdf_fonts_css(), font_config=config)
    import atexit

    # Let go of it while the interpreter is whole: freed during shutdown, its __del__ finds fontconfig gone.
    atexit.register(_pdf_fonts.cache_clear)
    return config, css


def warm_up(params: dict) -> None:
    """Make a page with no figures from the report's params (as JSON), HTML and PDF, ahead of the real one (a render
    does this while its kernel runs the notebook): nbconvert, nbformat and WeasyPrint load, and compile what they
    compile the first time they meet a committee paper (the template, the notebook schema's validator, the selectors
    of nbconvert's accessibility pass, the stylesheet and the bundled fonts), so the real page is made at once."""
    shown = nbformat.v4.new_output("display_data", data={PARAMS_MIME: params, "text/plain": ""})
    html, _ = to_html(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[shown]),
                                                      nbformat.v4.new_markdown_cell("## {{ params.title }}")]))
    to_pdf(html)


def to_pdf(html: str, target: Path | None = None) -> bytes | None:
    """The same page as an A4 tagged PDF/UA-1 (``Page X of Y`` in the footer, the bundled fonts embedded).

    WeasyPrint writes the PDF; :func:`reportlib.pdf.finish` then mends the defects of its structure
    tree (no ``/IDTree``, figure boxes in CSS pixels, nested captions, header cells without
    ``/Scope``). Returns the PDF's bytes, or writes them to ``target`` and returns None.
    """
    from .pages import laid_out
    from .pdf import finish

    # The page as reportlib.pages laid it out to decide what it needs (the same HTML is laid out once).
    data = finish(laid_out(html).write_pdf(pdf_variant="pdf/ua-1"))
    if target is None:
        return data
    Path(target).write_bytes(data)
    return None
