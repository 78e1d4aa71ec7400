"""Charts in one house style, each with its alt text and its data as a table.

Every chart function takes the data and the words (title, subtitle) and returns
a :class:`Chart`: a static SVG, an alt text written from the data, and a
:class:`~reportlib.tables.Table` of the same data. A chart cannot be made
without them. Colours come from a colour-blind-safe palette (the UK Analysis
Function's categorical palette) and every value is also labelled in text or
marker shape, so colour never carries meaning alone.

The chart looks the same to every reader. matplotlib lays the words out with the
bundled Liberation Sans only (``_pyplot`` puts it ahead of any font of that name
on the machine; matplotlib's own DejaVu Sans, shipped inside matplotlib, fills in
only a glyph Liberation Sans lacks), and the SVG draws each word as outlines of
those glyphs (``svg.fonttype: path`` in the house style). SVG text instead would
be laid out again by each viewer with the fonts it happens to have: on a machine
with only DejaVu, tick labels ran into each other and names ran off the chart.
Embedding the font in the SVG was the alternative; it was not taken because
matplotlib cannot write an SVG with its font inside (it would mean subsetting
the font and rewriting matplotlib's output), a font inside an SVG image is
honoured by some viewers and not others, and the outlines cost the PDF less
than 0.1 s a chart. Nothing is lost by drawing words as outlines: each chart's
words are in its alt text and its data table. Text is measured unhinted
(``text.hinting: none``), as the outlines are drawn, so the layout measured at
100 dpi is the layout saved.

Labels never overlap and never leave the chart. Each chart is laid out by
measuring, not guessing: it is drawn (``layout="constrained"`` sizes the plot
to what is around it, labels outside the axes included), every label's box is
read back in display pixels, and the layout changes until nothing collides:
x tick labels wrap onto two or three lines and then show every second, third...
label; value labels go over two lines ("no cases"), shrink, then stand upright;
the axes grow headroom for labels above bars; long names wrap or are cut short
with "…" (the data table keeps them whole); the
target line's label sits outside the plot at the right end of the line; line-end
labels are pushed apart. The layout is then frozen, so the SVG is exactly the
figure that was measured (6.3 in wide).
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import math
from dataclasses import dataclass
from typing import Sequence

from .. import colours
from ..figures import Share
from ..periods import quarter_label
from ..colours import CONTEXT, FOCUS, PALETTE, TEXT  # noqa: F401 - part of this module's API
from ..tables import Table
from .house import (  # noqa: F401 - nice_step, date_position, WIDTH, pyplot, house_style: this module's API
    SUPPRESSED, WIDTH, date_position, fmt, house_style, is_number, new_figure, nice_step, plain, pyplot, shorten,
    styled, value_words, wrap_label,
)
from .layout import (  # noqa: F401
    any_clash, at_words, box_of, clash, count_axis, extremes_words, fit_xticks, freeze, headroom, join_names,
    lay_out, percent_axis, place_label, settle, spread, text_size, tick_texts,
)

CHART_MIME = "application/vnd.reportlib.chart+json"


@dataclass(frozen=True)
class Chart:
    """A rendered chart: SVG, alt text, title/subtitle and its data table."""

    svg: str
    alt: str
    title: str
    subtitle: str
    table: Table
    source: str = ""
    #: The same chart as a PNG (base64), for formats that cannot show SVG (Word: reportlib.formats.docx).
    png: str = ""

    def __post_init__(self):
        if not self.alt.strip():
            raise ValueError("a chart needs alt text")

    def to_json(self) -> dict:
        """The chart as the notebook output carries it to the renderer (CHART_MIME)."""
        data = {"svg": self.svg, "alt": self.alt, "title": self.title, "subtitle": self.subtitle,
                "table": self.table.to_json(), "source": self.source}
        if self.png:
            data["png"] = self.png
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Chart":
        """The chart back from :meth:`to_json` (a chart saved before PNGs were added has none)."""
        return cls(data["svg"], data["alt"], data["title"], data["subtitle"], Table.from_json(data["table"]),
                   data.get("source", ""), data.get("png", ""))

    def to_html(self, label: str = "") -> str:
        """``<figure>`` with the image (alt text), a caption, and the data table after it."""
        e = html.escape
        src = "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()
        prefix = f'<span class="label">{e(label)}:</span> ' if label else ""
        sub = f'<span class="subtitle">{e(self.subtitle)}</span>' if self.subtitle else ""
        source = f'<p class="source">Source: {e(self.source)}</p>' if self.source else ""
        return (f'<figure class="chart"><figcaption>{prefix}<span class="title">{e(self.title)}</span>{sub}</figcaption>'
                f'<img src="{src}" alt="{e(self.alt)}">{source}</figure>'
                f'<div class="chart-data">{self.table.to_html()}</div>')

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": self.svg, CHART_MIME: self.to_json(), "text/plain": f"Chart: {self.alt}"}


@styled
def _draw_bar(labels: Sequence[str], values: Sequence, *, title: str, xlabel: str = "",
              ylabel: str = "", unit: str = "%", target: float | None = None, target_label: str = "Target",
              table_columns: Sequence[str] | None = None, table_rows: Sequence[Sequence] | None = None,
              series: str | None = None, full_scale: bool = False, mark: tuple[float, str] | None = None):
    """The bar chart laid out, with its alt text and table: ``(figure, alt, table)``."""
    labels = [str(l) for l in labels]
    given, values = list(values), [plain(v) for v in values]
    fig, ax = new_figure()
    xs = list(range(len(labels)))
    heights = [v if is_number(v) else 0 for v in values]
    bars = ax.bar(xs, heights, color=colours.colour(series), width=0.6)
    top = max(heights + [target or 0, 1])
    if unit == "%":
        ymax = percent_axis(ax, "y", top, full_scale or (target is not None and target >= 100))
    else:
        ymax = top * 1.15
        count_axis(ax.yaxis, values)
    ax.set_ylim(0, ymax * 1.08)
    spare = max(4 - len(xs), 0) / 2  # one or two bars stay bar-width, centred
    ax.set_xlim(-0.5 - spare, len(xs) - 0.5 + spare)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    texts = [place_label(ax, value_words(v, unit), (x, h), (0, 3), ha="center", va="bottom", fontsize=9, zorder=3,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
             for x, v, h in zip(xs, given, heights)]
    if target is not None:
        ax.axhline(target, color=colours.KIND_COLOURS["target"], linewidth=1.2, linestyle="--", zorder=2)
        words = f"{target_label} {fmt(target, unit)}"
        place_label(ax, wrap_label(words, 2, 24) if len(words) > 16 else words, (1, target), (4, 0),
               xycoords=("axes fraction", "data"), ha="left", va="center", fontsize=8.5)
    fit_xticks(fig, ax, xs, labels)
    # Value labels: as they are, "no cases" over two lines, smaller, then standing upright; never on
    # each other or on another bar.
    lay_out(fig)
    ticks = tick_texts(ax.yaxis)
    words = [t.get_text() for t in texts]
    for size, rotation, wrap in ((9, 0, False), (9, 0, True), (8, 0, True), (8, 90, False)):
        for t, w in zip(texts, words):
            t.set_text(wrap_label(w) if wrap else w)
            t.set_fontsize(size)
            t.set_rotation(rotation)
        headroom(fig, ax, texts, heights)
        boxes = [box_of(t) for t in texts]
        walls = [b.get_window_extent() for b in bars]
        if not any_clash(boxes) and not any(clash(t, w, 0) for t in boxes for w in walls):
            break
    settle(fig, ax, texts, heights, ticks)
    if mark is not None:
        _mark(fig, ax, mark, texts, bars)
    freeze(fig)
    alt = f"Bar chart: {title}. {ylabel or 'Value'}" + (f" by {xlabel.lower()}" if xlabel else "") + ", " + \
        extremes_words(labels, given, unit)
    if target is not None:
        alt += f" The dashed line marks the {target_label.lower()} of {fmt(target, unit)}."
    if mark is not None:
        alt += f" A dotted line marks a change: {mark[1]}."
    table = Table(f"Data for the chart: {title}", table_columns or [xlabel or "Category", ylabel or "Value"],
                  table_rows or [[l, value_words(v, unit)] for l, v in zip(labels, given)])
    return fig, alt, table


def _mark(fig, ax, mark: tuple[float, str], texts, bars) -> None:
    """A dotted line at ``mark[0]`` (a bar position; see :func:`date_position`) with its words ``mark[1]`` at the
    top of the plot, beside the line on the side with more room; the value axis grows until the words are clear
    of every value label and bar."""
    x, words = mark
    lo, hi = ax.get_xlim()
    ax.axvline(x, color=colours.KIND_COLOURS["change"], linewidth=1.2, linestyle=":", zorder=2.5)  # under labels
    right = (x - lo) < (hi - x)
    note = place_label(ax, wrap_label(words, 2, 30) if len(words) > 24 else words, (x, 1), (4 if right else -4, -2),
                  xycoords=("data", "axes fraction"), ha="left" if right else "right", va="top", fontsize=8.5,
                  zorder=5, bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    for _ in range(12):
        lay_out(fig)
        box = box_of(note)
        others = [box_of(t) for t in texts] + [b.get_window_extent() for b in bars]
        if not any(clash(box, o) for o in others):
            return
        bottom, top = ax.get_ylim()
        ax.set_ylim(bottom, top * 1.12)


@styled
def bar(labels: Sequence[str], values: Sequence, *, title: str, subtitle: str = "",
        xlabel: str = "", ylabel: str = "", unit: str = "%", target: float | None = None,
        target_label: str = "Target", table_columns: Sequence[str] | None = None,
        table_rows: Sequence[Sequence] | None = None, source: str = "", series: str | None = None,
        full_scale: bool = False, mark: tuple[float, str] | None = None) -> Chart:
    """Vertical bars, each labelled with its value; ``None`` shows as "no cases"; a Share is labelled with its
    own words ("53%", or "3 of 5" on a small base).

    ``table_rows``/``table_columns`` replace the default data table (label, value)
    when the table should carry more (e.g. counts behind each percentage). ``series`` names what the bars
    are (a procedure, e.g. ``childrens``): they take its colour, the same in every report (default: the focus
    colour). A percentage axis ends at the first nice step at or above the data, or at 100% with
    ``full_scale`` (or a target of 100%). ``mark=(position, words)`` draws a dotted line with its words, e.g. a
    process change (:func:`date_position` gives the position of a date).
    """
    fig, alt, table = _draw_bar(labels, values, title=title, xlabel=xlabel, ylabel=ylabel, unit=unit,
                                target=target, target_label=target_label, table_columns=table_columns,
                                table_rows=table_rows, series=series, full_scale=full_scale, mark=mark)
    svg, png = _images(fig)
    return Chart(svg, alt, title, subtitle, table, source, png)


def quarterly(shares: Sequence[tuple[int, Share]], *, title: str, subtitle: str, ylabel: str, column: str,
              source: str, series: str | None = None, target: float | None = None,
              mark: tuple[float, str] | None = None) -> Chart:
    """A bar per quarter, each the share of responses within a timescale: ``shares`` as
    :func:`reportlib.stats.quarterly_within` gives them, ``(quarter, Share)`` pairs (quarters numbered as
    :func:`reportlib.periods.quarter` numbers them), labelled "Q1 2020/21" on an x axis "Quarter"; its data table
    is Quarter | ``column``, a cell as the share's ``table_text()`` ("46% (6 of 13)"). ``series``, ``target`` and
    ``mark`` are :func:`bar`'s."""
    labels = [quarter_label(q) for q, _ in shares]
    return bar(labels, [s for _, s in shares], title=title, subtitle=subtitle, xlabel="Quarter", ylabel=ylabel,
               table_columns=["Quarter", column],
               table_rows=[[label, s.table_text()] for label, (_, s) in zip(labels, shares)], source=source,
               series=series, target=target, mark=mark)


@styled
def _draw_lines(labels: Sequence[str], series: dict[str, Sequence[float | None]], *, title: str,
                xlabel: str = "", ylabel: str = "", unit: str = ""):
    """The line chart laid out, with its alt text and table: ``(figure, alt, table)``."""
    labels = [str(l) for l in labels]
    fig, ax = new_figure()
    xs = list(range(len(labels)))
    series = {str(name): [plain(v) for v in values] for name, values in series.items()}
    top, names, ends = 0.0, [], []
    others = itertools.count()  # the colours and markers left over, for series that are no procedure
    for name, values in series.items():
        ys = [v if is_number(v) else math.nan for v in values][:len(xs)]
        last = [(x, y) for x, y in zip(xs, ys) if not math.isnan(y)]
        if not last:
            continue
        k = 0 if colours.procedure_of(name) else next(others)
        colour = colours.colour(name, k)
        # A gap (no cases, suppressed) breaks the line rather than bridging it.
        ax.plot(xs[:len(ys)], ys, color=colour, marker=colours.marker(name, k), linewidth=2,
                markersize=5, clip_on=False, zorder=3)  # a marker at 0 is drawn whole
        top = max(top, max(y for _, y in last))
        text = wrap_label(name, 2, 24) if len(name) > 24 else name
        names.append(place_label(ax, text, (1, last[-1][1]), (6, 0), xycoords=("axes fraction", "data"), ha="left",
                            va="center", fontsize=9,
                            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": colour,
                                  "linewidth": 1}))
        ends.append(last[-1][1])
    ax.set_xlim(-0.3, xs[-1] + 0.3 if xs else 1)
    if unit == "%":
        ax.set_ylim(0, percent_axis(ax, "y", top) * 1.08)
    else:
        ax.set_ylim(0, top * 1.12 if top else 1)
        count_axis(ax.yaxis, [v for vs in series.values() for v in vs])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fit_xticks(fig, ax, xs, labels)
    spread(fig, ax, names, ends)
    freeze(fig)
    parts = [f"{name}: " + extremes_words(labels, list(values), unit).rstrip(".") for name, values in series.items()]
    alt = f"Line chart: {title}. {ylabel or 'Values'}" + (f" by {xlabel.lower()}" if xlabel else "") + ". " + \
        "; ".join(parts) + "."
    table = Table(f"Data for the chart: {title}", [xlabel or "Category", *series.keys()],
                  [[l, *(fmt(vals[k], unit) if k < len(vals) and vals[k] is not None else "no data"
                         for vals in series.values())]
                   for k, l in enumerate(labels)])
    return fig, alt, table


@styled
def lines(labels: Sequence[str], series: dict[str, Sequence[float | None]], *, title: str, subtitle: str = "",
          xlabel: str = "", ylabel: str = "", unit: str = "", source: str = "") -> Chart:
    """One line per series, each with its own marker shape and a direct label at its end."""
    fig, alt, table = _draw_lines(labels, series, title=title, xlabel=xlabel, ylabel=ylabel, unit=unit)
    svg, png = _images(fig)
    return Chart(svg, alt, title, subtitle, table, source, png)


@styled
def _draw_ranking(labels: Sequence[str], values: Sequence[float], *, highlight: str, title: str,
                  xlabel: str = "", unit: str = "%"):
    """The ranking laid out, with its alt text and table: ``(figure, alt, table)``."""
    labels = [str(l) for l in labels]
    words = dict(zip(labels, (value_words(v, unit) for v in values)))
    values = [plain(v) for v in values]
    # High to low; equal values by name (a stable order, never a rank: the alt text names ties together).
    order = sorted(((v, l) for v, l in zip(values, labels) if is_number(v)), key=lambda p: (-p[0], p[1]))
    unranked = [(v, l) for v, l in zip(values, labels) if not is_number(v)]  # no cases, suppressed: no bar
    names = [l for _, l in order]
    vals = [v for v, _ in order]
    rows = names + [l for _, l in unranked]
    fig, ax = new_figure((WIDTH, 0.45 * max(len(rows), 1) + 0.9))
    ys = list(range(len(rows)))[::-1]
    ax.barh(ys[:len(vals)], vals, color=[FOCUS if n == highlight else CONTEXT for n in names], height=0.6)
    vmax = max(vals + [1])
    xmax = percent_axis(ax, "x", vmax) if unit == "%" else vmax * 1.15
    ax.set_xlim(0, xmax * 1.05)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    shown = vals + [0] * len(unranked)
    texts = [place_label(ax, words[n], (x, y), (3, 0), va="center", fontsize=9,
                    fontweight="bold" if n == highlight else "normal")
             for y, x, n in zip(ys, shown, rows)]
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(xlabel)
    if unit != "%":
        count_axis(ax.xaxis, vals)
    # Names: whole, else over two lines, narrower and narrower, until the widest takes at most 40% of the
    # width (two lines fit a row; the data table keeps every name whole).
    size = pyplot().rcParams["ytick.labelsize"]
    variants = [[shorten(n) for n in rows]] + [[wrap_label(n, 2, w) if len(n) > w else n for n in rows]
                                             for w in (30, 24, 18)]
    for shorts in variants:
        widest = max((text_size(fig, s, fontsize=size, fontweight="bold" if n == highlight else "normal")[0]
                      for s, n in zip(shorts, rows)), default=0)
        if widest <= 0.4 * fig.bbox.width:
            break
    ax.set_yticks(ys, shorts)
    for tick, n in zip(ax.get_yticklabels(), rows):
        tick.set_fontweight("bold" if n == highlight else "normal")
    lay_out(fig)
    ticks = tick_texts(ax.xaxis)
    headroom(fig, ax, texts, shown, axis="x")
    settle(fig, ax, texts, shown, ticks, axis="x")
    freeze(fig)
    alt = f"Bar chart: {title}. " + _ranking_words(order, unranked, words, highlight)
    table = Table(f"Data for the chart: {title}", ["Authority", xlabel or "Value"], [[n, words[n]] for n in rows])
    return fig, alt, table


def _ranking_words(order, unranked, words: dict, highlight: str) -> str:
    """The ranking's alt text: how many, from the highest to the lowest (ties named together), where the
    highlighted one stands (how many are higher, the same and lower: never a rank), those without a figure."""
    def group(value):
        names = [l for v, l in order if v == value]
        return f"{join_names(names)} ({words[names[0]]}{' each' if len(names) > 1 else ''})"

    if not order:
        alt = "There are no values to compare"
    elif len(order) == 1:
        alt = f"1 authority: {group(order[0][0])}"
    else:
        alt = f"{len(order)} authorities, from {group(order[0][0])} to {group(order[-1][0])}"
    if highlight in [l for _, l in order] and len(order) > 1:
        mine = dict((l, v) for v, l in order)[highlight]
        counts = [(sum(1 for v, l in order if l != highlight and cmp(v)), what) for cmp, what in
                  ((lambda v: v > mine, "higher"), (lambda v: v == mine, "the same"), (lambda v: v < mine, "lower"))]
        alt += f"; {highlight}, highlighted, is at {words[highlight]}: " + \
            ", ".join(f"{n} {what}" for n, what in counts if n)
    if unranked:
        alt += "; without a figure: " + ", ".join(f"{l} ({words[l]})" for _, l in unranked)
    return alt + "."


@styled
def ranking(labels: Sequence[str], values: Sequence[float], *, highlight: str, title: str, subtitle: str = "",
            xlabel: str = "", unit: str = "%", source: str = "") -> Chart:
    """Horizontal bars sorted high to low; ``highlight`` (e.g. the council) in the focus colour and bold.

    An authority without a figure (no cases, or suppressed as ``[c]``) is listed below the ranked
    ones with its label and no bar.
    """
    fig, alt, table = _draw_ranking(labels, values, highlight=highlight, title=title, xlabel=xlabel, unit=unit)
    svg, png = _images(fig)
    return Chart(svg, alt, title, subtitle, table, source, png)


#: Resolution of the PNG rendition: 1,260 pixels across the 6.3-inch chart, sharp in print.
PNG_DPI = 200


def _svg(fig, close: bool = True) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "reportlib"})
    if close:
        pyplot().close(fig)
    return buf.getvalue()


def _png(fig) -> str:
    """The figure as a PNG (base64), drawn by matplotlib's Agg from the same frozen layout and bundled fonts as
    the SVG, with no date or version in it: the same chart gives the same bytes. Word needs a raster image
    (it shows an SVG only with a PNG beside it), and matplotlib is the one renderer that draws exactly what
    was measured; converting the SVG afterwards would need a library or program (cairo, rsvg) that not
    every machine has."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


_rasters = {"png": False}


def set_rasters(on: bool) -> None:
    """Give every chart drawn from now on in this process a PNG rendition too (a render that makes report.docx
    asks for it before running the notebook; drawing one costs about a fifth of a second a chart)."""
    _rasters["png"] = bool(on)


def _images(fig) -> tuple[str, str]:
    """``(svg, png)`` of the figure, which is closed after; ``png`` is "" unless :func:`set_rasters` asked for it."""
    svg = _svg(fig, close=False)
    png = _png(fig) if _rasters["png"] else ""
    pyplot().close(fig)
    return svg, png
