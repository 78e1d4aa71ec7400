"""What the paper's pages need from where its HTML is made (:mod:`reportlib.render`).

- :func:`balance`: a title's last two words held together by a no-break space, so that no title
  ends on a word alone, in the PDF (WeasyPrint has no ``text-wrap: balance``) and in a browser;
- :class:`Headings`: an id for each heading (the contents list links to it), and the sections;
- :class:`References`: ``{{ ref.NAME }}`` in a markdown cell is the number ("Figure 2", "Table 3")
  the render gives the one chart or table the code cell tagged ``ref-NAME`` shows (:func:`numbered`);
- :class:`Layout`: what laying the paper out decided (:mod:`reportlib.pages`): a contents list,
  the blocks let go, the charts printed smaller; :func:`chart_html` and :func:`table_html` put each
  chart (with its data table) and each table in a block the layout can name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup

from .charts import CHART_MIME, Chart
from .errors import RenderError
from .tables import TABLE_MIME, Table

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


def heading_open(self, tokens, idx, options, env):
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


REF_TAG = "ref-"


class UnknownReference(Exception):
    """A markdown cell cites ``ref.NAME`` and no code cell showing a figure or table is tagged ``ref-NAME``."""


class References:
    """``ref`` in a markdown cell: ``{{ ref.quarterly }}`` is "Figure 2" (or "Table 3"), the number the render gives
    the one chart or table shown by the code cell tagged ``ref-quarterly``, with a no-break space."""

    def __init__(self, labels: dict[str, str]):
        self._labels = labels

    def __getattr__(self, name: str) -> Markup:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._labels:
            raise UnknownReference(name)
        return Markup(self._labels[name].replace(" ", NBSP))  # "Figure 2" never broken across two lines


def numbered(nb, where: str, removed: set[str]) -> tuple[dict[tuple[int, int], str], dict[str, str]]:
    """Each chart's and table's label ("Figure 1", "Table 2"), by (cell, output) in notebook order, and the label
    each ``ref-NAME`` tag names. A tagged cell must show exactly one chart or table."""
    labels: dict[tuple[int, int], str] = {}
    refs: dict[str, str] = {}
    numbers = {"Figure": 0, "Table": 0}
    for index, cell in enumerate(nb.cells, start=1):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or removed & set(tags):
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


def chart_html(data: dict, label: str, layout: Layout) -> str:
    """A chart as the paper shows it: one block holding the figure and its data table, kept on one page when
    that leaves no page more than a third empty (``loose`` otherwise); its title and the data table's caption
    balanced."""
    table = {**data["table"], "caption": balance(data["table"]["caption"])}
    chart = Chart.from_json({**data, "title": balance(data["title"]), "table": table})
    name = label.lower().replace(" ", "-")
    loose = " loose" if name in layout.loose else ""
    fit = f" fit-{layout.fit(name)}" if layout.fit(name) else ""
    return f'<div class="figure-block{loose}{fit}" id="{name}">{chart.to_html(label)}</div>'


def table_html(data: dict, label: str, layout: Layout) -> str:
    """A table as the paper shows it, in a block (``id`` "table-2") the layout may let break (``loose``)."""
    table = Table.from_json({**data, "caption": balance(data["caption"])})
    name = label.lower().replace(" ", "-")
    loose = " loose" if name in layout.loose else ""
    return f'<div class="table-block{loose}" id="{name}">{table.to_html(label)}</div>'
