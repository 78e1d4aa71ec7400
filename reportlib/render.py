"""Executed notebook -> committee paper's HTML, through our nbconvert template (the PDF: :mod:`reportlib.formats.pdf`).

The chain (nbconvert preprocessors, in order):

1. :class:`ReportPreprocessor` collects the figures and params the code cells
   emitted, fills each markdown cell's ``{{ figure }}`` citations (values
   escaped so data can never become markup), turns markdown into HTML and each
   chart/table output into numbered, accessible HTML. Anything else a cell
   printed is dropped: the report shows no code, prompts or stray output.
2. nbconvert's own ``TagRemovePreprocessor`` drops cells tagged ``remove-cell``.

The ``committee`` template (``templates/committee``) lays out the paper. What its pages need
from where the HTML is made (:mod:`reportlib.layout`): titles and headings whose last two words
are held together, headings with ids, each chart in one block with its data table, a chart or
table a markdown cell cites by name (``{{ ref.quarterly }}``, the code cell tagged
``ref-quarterly``) written as its number, "Figure 1". :mod:`reportlib.pages` lays the page out
and decides what the paper needs for its pages (a contents list, blocks let go): a ``Layout``
that :func:`to_html` takes.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import nbformat
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from . import narrative
from .narrative import PARAMS_MIME
from .charts import CHART_MIME
from .errors import RenderError, xml_safe
from .layout import (NBSP, Headings, Layout, References, UnknownReference, balance, chart_html, heading_open,
                     numbered, table_html)
from .tables import TABLE_MIME
from .vocabulary import IMPLICATIONS, PROCEDURES

TEMPLATES = Path(__file__).resolve().parent / "templates"
COMMITTEE = TEMPLATES / "committee"
PARTIALS = TEMPLATES / "narrative.md.j2"
REMOVE_CELL_TAGS = {"remove-cell", "parameters", "injected-parameters"}

_MD = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~^\"'$%:;,=?/@])")


def md_escape(value: Any) -> str:
    """Text that markdown will show exactly as written (never as markup, links or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def markdown_html(source: str, headings: Headings | None = None) -> str:
    """CommonMark (plus tables) to HTML; raw HTML in the markdown is shown as text, not obeyed. Each heading's
    last two words are held together (:func:`balance`); with ``headings``, each heading gets its id from it."""
    return _MD.render(source, {"headings": headings} if headings is not None else {})


_MD.add_render_rule("heading_open", heading_open)


def _finalize(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    return md_escape(narrative.text(value))


def _environment(figures=(), printed=None) -> jinja2.Environment:
    """The markdown cells' Jinja: the narrative filters and the shared paragraphs (:func:`_partials`). With
    ``printed``, what the text prints from each of ``figures`` is handed to it (the ``_printed`` filter)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, finalize=_finalize, autoescape=False,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(narrative.FILTERS)
    if printed is not None:
        env.filters["_printed"] = printed
    env.globals.update(_partials(env, figures))
    return env


def _partials(env: jinja2.Environment, figures) -> dict[str, Any]:
    """The paragraphs every report shares: each macro of ``templates/narrative.md.j2`` as a function a markdown cell
    calls by name (``{{ about_the_figures() }}``), which reads the figures and params of the cell that calls it and
    writes markdown. A figure the report glues under the same name is cited instead."""
    source = PARTIALS.read_text(encoding="utf-8")
    template = _template(env, source, figures, PARTIALS.name, str(PARTIALS))

    def partial(name: str):
        @jinja2.pass_context
        def call(context, *args, **kwargs):
            return Markup(getattr(template.make_module(context.get_all()), name)(*args, **kwargs))
        return call
    return {name: partial(name) for name in _macros(source)}


@lru_cache(maxsize=8)
def _macros(source: str) -> tuple[str, ...]:
    """The names of the macros ``source`` defines."""
    return tuple(macro.name for macro in jinja2.Environment().parse(source).find_all(jinja2.nodes.Macro))


def _paragraphs(texts) -> Markup:
    return Markup("\n\n".join(md_escape(t) for t in texts))


def implication_defaults() -> dict[str, Any]:
    """The standard implication paragraphs (``templates/committee/implications.yaml``): a list of paragraphs per
    section; for ``law``, the parts :func:`law_paragraphs` chooses from."""
    return yaml.safe_load((COMMITTEE / "implications.yaml").read_text(encoding="utf-8"))


def report_scope(params: dict) -> tuple[str, ...]:
    """The procedures a report covers, as its notebook said when it showed its params (its rules': the annual
    report's ``scope``, children's social care alone for the children's response-times report), else all three."""
    return tuple(params.get("procedures") or PROCEDURES)


def law_paragraphs(law: dict, scope: tuple[str, ...], housing: bool = False) -> list[str]:
    """The standard Law section for a report covering ``scope``: only the laws of its procedures, the Local
    Government and Social Care Ombudsman's, and with ``housing`` (a landlord's report) the Housing Ombudsman's."""
    statutory = [proc for proc in ("childrens", "adults") if proc in scope]
    laws = [law["laws"][proc] for proc in statutory] + [law["laws"]["lgsco"]] + \
        ([law["laws"]["housing"]] if housing else [])
    out = [law["statutory"] if statutory else law["ombudsman"], "\n".join(f"- {line}" for line in laws)]
    if "corporate" in scope:
        out.append(law["corporate"] + (f" {law['everything']}" if len(set(scope)) == 3 else ""))
    return out


def narrative_context(params: dict, figures: dict[str, dict],
                      references: dict[str, str] | None = None) -> dict[str, Any]:
    """What markdown cells can cite: the figures, ``params``, ``recommendations``, ``implications``, and ``ref``:
    the charts' and tables' numbers by the names of their cells' ``ref-`` tags (``references``, from
    :func:`reportlib.layout.numbered`)."""
    defaults = implication_defaults()
    defaults["law"] = law_paragraphs(defaults["law"], report_scope(params), housing=bool(params.get("homes")))
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
        "ref": References(references or {}),
    })
    return context


#: Filters whose words only agree with a figure ("was"/"were"): what they print is grammar, not the figure.
_GRAMMAR = {"agree"}


def _root(node, aliases: dict[str, str]) -> tuple[str | None, set[str]]:
    """The name an output expression starts from (``baseline`` in ``baseline | pct``, ``yoy`` in
    ``yoy.corporate.complaint``; a loop variable is the figure it walks), and the filters on the way."""
    filters: set[str] = set()
    while isinstance(node, (jinja2.nodes.Filter, jinja2.nodes.Getattr, jinja2.nodes.Getitem)):
        if isinstance(node, jinja2.nodes.Filter):
            filters.add(node.name)
        node = node.node
    if isinstance(node, jinja2.nodes.Name):
        return aliases.get(node.name, node.name), filters
    return None, filters


def _mark_printed(node, figures, aliases: dict[str, str] | None = None) -> None:
    """Wrap each ``{{ ... }}`` of the template ``node`` that prints a figure in the ``_printed`` filter, naming
    the figure, so the render collects what the text printed from each figure (its printed form)."""
    aliases = dict(aliases or {})
    if isinstance(node, jinja2.nodes.Macro):  # a macro's arguments are its own, never a figure
        aliases.update({arg.name: "" for arg in node.args})
    if isinstance(node, jinja2.nodes.For) and isinstance(node.target, jinja2.nodes.Name):
        root, _ = _root(node.iter, aliases)
        if root:
            aliases[node.target.name] = root
    if isinstance(node, jinja2.nodes.Output):
        for i, expr in enumerate(node.nodes):
            root, filters = _root(expr, aliases)
            if root in figures and not filters & _GRAMMAR:
                node.nodes[i] = jinja2.nodes.Filter(expr, "_printed", [jinja2.nodes.Const(root)], [], None, None,
                                                    lineno=expr.lineno)
    for child in node.iter_child_nodes():
        _mark_printed(child, figures, aliases)


#: Compiled templates: (source, the figures' names, whether ``_printed`` is a filter, name) -> Python code.
_CODE: dict[tuple, Any] = {}
#: Entries kept at most (a preview edited for hours compiles each version of a cell).
_CODE_KEPT = 4096


def _template(env: jinja2.Environment, source: str, figures, name: str | None = None,
              filename: str | None = None) -> jinja2.Template:
    """``source`` as a template of ``env``, each figure it prints marked (:func:`_mark_printed`).

    The code Jinja compiles it to is kept: a paper is laid out more than once and a report rendered again, and
    parsing and compiling each markdown cell anew was a tenth of a render's own time. The code depends on the
    source, on which names are figures and on the filters (every environment of :func:`_environment` has the same
    ones, ``_printed`` or not), never on the values, which the template reads when it renders."""
    key = (source, frozenset(figures), "_printed" in env.filters, name)
    code = _CODE.get(key)
    if code is None:
        tree = env.parse(source, name, filename)
        _mark_printed(tree, figures)
        code = env.compile(tree, name, filename)
        if len(_CODE) >= _CODE_KEPT:
            _CODE.clear()
        _CODE[key] = code
    return env.template_class.from_code(env, code, env.make_globals(None))


def _first_line(source: str) -> str:
    line = next((l.strip() for l in source.splitlines() if l.strip()), "")
    return line[:60] + ("..." if len(line) > 60 else "")


def _emitted(nb) -> tuple[dict, dict[str, dict]]:
    """The params and the figures (by name) the notebook's code cells emitted."""
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
    return params, figures


class ReportPreprocessor(Preprocessor):
    """Figures in, citations filled, every cell reduced to the HTML the paper shows."""

    def preprocess(self, nb, resources):
        where = resources.get("reportlib_notebook", "notebook")
        layout: Layout = resources.get("reportlib_layout") or Layout()
        params, figures = _emitted(nb)
        labels, refs = numbered(nb, where, REMOVE_CELL_TAGS)
        context = narrative_context(params, figures, refs)
        headings = Headings(loose=layout.loose)
        cited: dict[str, list[str]] = {}  # figure -> what the text printed from it, in the order printed

        def printed(value, name):
            words = str(value) if isinstance(value, Markup) else narrative.text(value)
            forms = cited.setdefault(name, [])
            for part in getattr(value, "parts", None) or [words]:  # narrative.Printed: each part as printed apart
                if part not in forms:
                    forms.append(part)
            return value
        env = _environment(figures, printed)
        for index, cell in enumerate(nb.cells, start=1):
            parts: list[str] = []
            tags = cell.metadata.get("tags", [])
            if REMOVE_CELL_TAGS & set(tags):
                pass  # notes for analysts: never filled, never shown
            elif cell.cell_type == "markdown":
                label = f"{where}: markdown cell {index} ({_first_line(cell.source)!r})"
                try:
                    filled = _template(env, cell.source, figures).render(context)
                except UnknownReference as e:
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
                        parts.append(chart_html(data[CHART_MIME], labels[(index, i)], layout))
                    elif TABLE_MIME in data:
                        parts.append(table_html(data[TABLE_MIME], labels[(index, i)], layout))
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
        # optimistic_validation: the notebook is validated once, after the preprocessors, not after each of its
        # thirteen (a third of the time the exporter took over a long paper, at every layout pass).
        kw = {"template_name": "committee", "extra_template_basedirs": [str(TEMPLATES)], "exclude_input": True,
              "exclude_input_prompt": True, "exclude_output_prompt": True, "optimistic_validation": True, **kw}
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
    return xml_safe(body), resources["reportlib"]  # an escape code or a bell from a case-log cell: never raw
