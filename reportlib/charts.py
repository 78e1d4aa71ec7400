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
import functools
import html
import io
import itertools
import math
import textwrap
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from .tables import Table

CHART_MIME = "application/vnd.reportlib.chart+json"

#: UK Analysis Function categorical palette (colour-blind safe, in this order).
PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
#: Focus palette: the thing the reader should look at, and everything else.
FOCUS, CONTEXT = "#12436D", "#BFBFBF"
MARKERS = ("o", "s", "^", "D", "v", "P")
TEXT = "#0b0c0c"
#: Every chart is this wide (inches): the text width of the committee paper.
WIDTH = 6.3
#: The least space between two labels, in display pixels (the figure is drawn at 100 dpi).
GAP = 3.0

_HERE = Path(__file__).resolve().parent
_STYLE = _HERE / "styles" / "house.mplstyle"
_FONTS = _HERE / "templates" / "committee" / "static" / "fonts"
_BUNDLED = tuple(str(_FONTS / f"LiberationSans-{face}.ttf") for face in ("Regular", "Bold"))


@lru_cache(maxsize=None)
def _pyplot():
    """matplotlib, loaded on the first chart drawn (rendering a report needs none of it), with our fonts.

    The bundled Liberation Sans is registered, then it and matplotlib's own fonts are put first in
    matplotlib's font list: when two fonts match a name equally well the first listed wins, so a
    Liberation Sans or DejaVu Sans installed on the machine (another version, other glyphs) is never used.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    manager = font_manager.fontManager
    for path in _BUNDLED:
        manager.addfont(path)
    own = Path(matplotlib.get_data_path()).resolve() / "fonts" / "ttf"

    def rank(entry) -> int:
        if entry.fname in _BUNDLED:
            return 0
        return 1 if Path(entry.fname).resolve().parent == own else 2

    manager.ttflist.sort(key=rank)  # stable: otherwise as matplotlib found them
    getattr(manager._findfont_cached, "cache_clear", lambda: None)()
    return plt


@contextmanager
def _house():
    """The house style (``styles/house.mplstyle``) for what is drawn inside the block."""
    plt = _pyplot()
    with plt.style.context(str(_STYLE)):
        yield plt


def _styled(fn):
    """Run ``fn`` in the house style; ``help()`` and ``inspect.signature`` still show ``fn``'s own signature."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _house():
            return fn(*args, **kwargs)

    return wrapper


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


SUPPRESSED = "[c]"


def _value(v):
    """A plotted value: a number, None (no cases) or "[c]" (suppressed); Shares become their percentage."""
    if hasattr(v, "suppressed") and hasattr(v, "pct"):
        return SUPPRESSED if v.suppressed else v.pct
    return v


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _fmt(v, unit: str) -> str:
    if v is None:
        return "no cases"
    if v == SUPPRESSED:
        return SUPPRESSED
    text = f"{v:,.0f}" if float(v).is_integer() or unit == "%" else f"{v:,.1f}"
    return f"{text}{unit}"


def _short(label: str, width: int = 38) -> str:
    """A chart label cut to fit (the data table under the chart keeps it whole)."""
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def _wrap(label: str, lines: int = 2, width: int | None = None) -> str:
    """``label`` on at most ``lines`` lines, as even as its words allow. With ``width``, no line is longer:
    a longer word is cut short ("…"), and what does not fit on the last line too."""
    label = " ".join(str(label).split())
    if not label:
        return label
    w = max(math.ceil(len(label) / lines), max(len(word) for word in label.split(" ")))
    if width:
        w = min(w, width)
    while len(out := textwrap.wrap(label, w, break_long_words=False)) > lines and not (width and w >= width):
        w += 1
    if len(out) > lines:
        out = out[:lines - 1] + [" ".join(out[lines - 1:])]
    return "\n".join(_short(line, width) if width else line for line in out)


# --- Measuring what is drawn -------------------------------------------------------------------------


def _layout(fig) -> None:
    """Lay the figure out (constrained layout: room for every label around the axes) without drawing it.

    Positions and extents read afterwards (``get_window_extent``) are those a draw would give.
    """
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)


def _renderer(fig):
    return fig.canvas.get_renderer()


def _box(text):
    """The box a text covers, its background box included, in display pixels."""
    from matplotlib.transforms import Bbox

    renderer = _renderer(text.get_figure())
    box = text.get_window_extent(renderer)
    patch = text.get_bbox_patch()
    if patch is None:
        return box
    text.update_bbox_position_size(renderer)
    return Bbox.union([box, patch.get_window_extent(renderer)])


def _size(fig, text: str, **props) -> tuple[float, float]:
    """Width and height, in display pixels, of ``text`` set with ``props`` (fontsize, fontweight...)."""
    from matplotlib.text import Text

    t = Text(0, 0, text, **props)
    t.set_figure(fig)
    box = t.get_window_extent(_renderer(fig))
    return box.width, box.height


def _clash(a, b, gap: float = GAP) -> bool:
    """Whether boxes ``a`` and ``b`` overlap or come closer than ``gap`` pixels."""
    return a.x0 < b.x1 + gap and b.x0 < a.x1 + gap and a.y0 < b.y1 + gap and b.y0 < a.y1 + gap


def _any_clash(boxes, gap: float = GAP) -> bool:
    return any(_clash(a, b, gap) for a, b in itertools.combinations(boxes, 2))


def _tick_labels(axis) -> list:
    """The tick labels ``axis`` draws: visible, not empty, at a tick inside the view."""
    axis.get_majorticklabels()  # brings the ticks up to date with the view
    lo, hi = sorted(axis.get_view_interval())
    eps = (hi - lo) * 1e-9
    return [t.label1 for t in axis.get_major_ticks()
            if t.label1.get_visible() and t.label1.get_text() and lo - eps <= t.get_loc() <= hi + eps]


# --- Layout --------------------------------------------------------------------------------------


def _figure(size=(WIDTH, 3.0)):
    return _pyplot().subplots(figsize=size, layout="constrained")


def _freeze(fig) -> None:
    """Keep the layout as measured: saving the SVG does not lay the figure out again."""
    fig.set_layout_engine("none")


def _fit_xticks(fig, ax, positions: Sequence[float], labels: Sequence[str], fontsize: float = 9) -> None:
    """x tick labels that never collide: whole, else wrapped onto two or three lines (narrower and
    narrower, a long word cut short), else only every second, third... label (the first always shown),
    whichever comes first with room between labels."""
    n = len(labels)
    if not n:
        ax.set_xticks([])
        return
    variants = [[_short(l, 40) for l in labels]]
    for lines, width in ((2, 24), (3, 16), (3, 12)):
        wrapped = [_wrap(l, lines, width) for l in labels]
        if wrapped not in variants:
            variants.append(wrapped)
    _layout(fig)
    frame = ax.get_window_extent()
    lo, hi = ax.get_xlim()
    scale = frame.width / (hi - lo)  # pixels per unit along x
    sizes = {t: _size(fig, t, fontsize=fontsize) for texts in variants for t in texts}
    space = max(2 * GAP, fontsize * fig.dpi / 72)  # a word space is not enough between two labels
    chosen = None
    for step in range(1, n + 1):
        shown = list(range(0, n, step))
        for texts in variants:
            widths = [sizes[t][0] for t in texts]
            if all(abs(positions[j] - positions[i]) * scale >= (widths[i] + widths[j]) / 2 + space
                   for i, j in zip(shown, shown[1:])):
                chosen = shown, texts
                break
        if chosen:
            break
    shown, texts = chosen or ([0], variants[-1])
    ax.set_xticks([positions[i] for i in shown], [texts[i] for i in shown], fontsize=fontsize)
    # A label reaching past either end of the axis starts below the y axis's lowest label, not beside it.
    first, last = shown[0], shown[-1]
    if (frame.x0 + (positions[first] - lo) * scale - sizes[texts[first]][0] / 2 < frame.x0 + GAP
            or frame.x0 + (positions[last] - lo) * scale + sizes[texts[last]][0] / 2 > frame.x1 - GAP):
        half = _size(fig, "0", fontsize=_pyplot().rcParams["ytick.labelsize"])[1] / 2
        ax.tick_params(axis="x", pad=(half + 2 * GAP) * 72 / fig.dpi)


def _headroom(fig, ax, labels, at: Sequence[float], axis: str = "y") -> bool:
    """Stretch the value axis so every label beyond its value ``at`` lies inside the axes; whether it moved."""
    frame = ax.get_window_extent()
    lo, hi = ax.get_ylim() if axis == "y" else ax.get_xlim()
    start, size = (frame.y0, frame.height) if axis == "y" else (frame.x0, frame.width)
    need = hi
    for text, v in zip(labels, at):
        box = _box(text)
        beyond = (box.y1 if axis == "y" else box.x1) - (start + (v - lo) / (hi - lo) * size)  # past its value
        room = max(size - beyond - GAP, size * 0.2)  # (a label near as tall as the plot: as far as is sensible)
        need = max(need, lo + (v - lo) * size / room)
    if need <= hi * (1 + 1e-6):
        return False
    (ax.set_ylim if axis == "y" else ax.set_xlim)(lo, need)
    return True


def _tick_texts(axis) -> list[str]:
    return [t.get_text() for t in _tick_labels(axis)]


def _settle(fig, ax, labels, at: Sequence[float], ticks: list[str], axis: str = "y") -> None:
    """After headroom was made: if that changed the value axis's tick labels (``ticks`` before), lay the
    figure out again and make the headroom again, until the tick labels stay put."""
    which = ax.yaxis if axis == "y" else ax.xaxis
    for _ in range(3):
        now = _tick_texts(which)
        if now == ticks:
            return
        ticks = now
        _layout(fig)
        _headroom(fig, ax, labels, at, axis)


def _spread(fig, ax, labels, at: Sequence[float]) -> None:
    """Direct labels at the right of the axes, each by its value ``at``, pushed apart so none touch."""
    if not labels:
        return
    _layout(fig)
    frame = ax.get_window_extent()
    heights = [_box(t).height for t in labels]
    need = sum(heights) + 2 * GAP * len(labels)
    if need > frame.height:  # more labels than the plot is tall: make the figure taller
        fig.set_figheight(fig.get_figheight() + (need - frame.height) / fig.dpi + 0.1)
        _layout(fig)
        frame = ax.get_window_extent()
    want = [ax.transData.transform((0, y))[1] for y in at]
    order = sorted(range(len(labels)), key=lambda i: (want[i], i))
    pos = {}
    floor = frame.y0
    for i in order:  # upwards, each clear of the one below
        pos[i] = max(want[i], floor + heights[i] / 2)
        floor = pos[i] + heights[i] / 2 + 2 * GAP
    ceiling = frame.y1
    for i in reversed(order):  # then down from the top of the axes, if the stack rose past it
        pos[i] = min(pos[i], ceiling - heights[i] / 2)
        ceiling = pos[i] - heights[i] / 2 - 2 * GAP
    to_data = ax.transData.inverted()
    for i, text in enumerate(labels):
        text.xy = (1, to_data.transform((0, pos[i]))[1])


def _label(ax, text: str, xy, offset, **kw):
    """A text label at ``xy`` moved ``offset`` points, drawn even on the axes' edge."""
    kw.setdefault("color", TEXT)
    return ax.annotate(text, xy=xy, xytext=offset, textcoords="offset points", annotation_clip=False, **kw)


def _extremes(labels: Sequence[str], values: Sequence[float | None], unit: str) -> str:
    pairs = [(v, l) for l, v in zip(labels, values) if v is not None and v != SUPPRESSED]
    if not pairs:
        return "There are no values to show."
    first, last = pairs[0], pairs[-1]
    hi = max(pairs, key=lambda p: p[0])
    lo = min(pairs, key=lambda p: p[0])
    parts = [f"from {_fmt(first[0], unit)} in {first[1]} to {_fmt(last[0], unit)} in {last[1]}"]
    if len(pairs) > 2:
        parts.append(f"highest {_fmt(hi[0], unit)} in {hi[1]}, lowest {_fmt(lo[0], unit)} in {lo[1]}")
    missing = [l for l, v in zip(labels, values) if v is None]
    if missing:
        parts.append(f"no cases in {', '.join(missing)}")
    hidden = [l for l, v in zip(labels, values) if v == SUPPRESSED]
    if hidden:
        parts.append(f"suppressed as small numbers in {', '.join(hidden)}")
    return "; ".join(parts) + "."


def _count_axis(axis, values) -> None:
    """Counts along ``axis``: whole-number ticks when every value is whole, thousands separated."""
    from matplotlib.ticker import MaxNLocator

    whole = all(float(v).is_integer() for v in values if _number(v))
    axis.set_major_locator(MaxNLocator(nbins="auto", integer=whole))
    axis.set_major_formatter(lambda v, _: f"{v:,.0f}" if float(v).is_integer() else f"{v:,g}")


def _percent_axis(ax, axis: str, top: float) -> None:
    """Percentages along ``axis`` ("x" or "y"): when none is above 100%, ticks at 0%, 20%, ... 100% and
    the axis line stops at 100% (the room above is for labels)."""
    which = ax.xaxis if axis == "x" else ax.yaxis
    if top <= 100:
        which.set_ticks(range(0, 101, 20))
        ax.spines["bottom" if axis == "x" else "left"].set_bounds(0, 100)
    which.set_major_formatter(lambda v, _: f"{v:.0f}%")


# --- The charts ----------------------------------------------------------------------------------


@_styled
def _draw_bar(labels: Sequence[str], values: Sequence[float | None], *, title: str, xlabel: str = "",
              ylabel: str = "", unit: str = "%", target: float | None = None, target_label: str = "Target",
              table_columns: Sequence[str] | None = None, table_rows: Sequence[Sequence] | None = None):
    """The bar chart laid out, with its alt text and table: ``(figure, alt, table)``."""
    labels = [str(l) for l in labels]
    values = [_value(v) for v in values]
    fig, ax = _figure()
    xs = list(range(len(labels)))
    heights = [v if _number(v) else 0 for v in values]
    bars = ax.bar(xs, heights, color=FOCUS, width=0.6)
    top = max(heights + [target or 0, 1])
    ymax = 100 if unit == "%" and top <= 100 else top * 1.15
    ax.set_ylim(0, ymax * 1.08)
    spare = max(4 - len(xs), 0) / 2  # one or two bars stay bar-width, centred
    ax.set_xlim(-0.5 - spare, len(xs) - 0.5 + spare)
    if unit == "%":
        _percent_axis(ax, "y", top)
    else:
        _count_axis(ax.yaxis, values)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    texts = [_label(ax, _fmt(v, unit), (x, h), (0, 3), ha="center", va="bottom", fontsize=9, zorder=3,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
             for x, v, h in zip(xs, values, heights)]
    if target is not None:
        ax.axhline(target, color=PALETTE[3], linewidth=1.2, linestyle="--", zorder=2)
        words = f"{target_label} {_fmt(target, unit)}"
        _label(ax, _wrap(words, 2, 24) if len(words) > 16 else words, (1, target), (4, 0),
               xycoords=("axes fraction", "data"), ha="left", va="center", fontsize=8.5)
    _fit_xticks(fig, ax, xs, labels)
    # Value labels: as they are, "no cases" over two lines, smaller, then standing upright; never on
    # each other or on another bar.
    _layout(fig)
    ticks = _tick_texts(ax.yaxis)
    words = [t.get_text() for t in texts]
    for size, rotation, wrap in ((9, 0, False), (9, 0, True), (8, 0, True), (8, 90, False)):
        for t, w in zip(texts, words):
            t.set_text(_wrap(w) if wrap else w)
            t.set_fontsize(size)
            t.set_rotation(rotation)
        _headroom(fig, ax, texts, heights)
        boxes = [_box(t) for t in texts]
        walls = [b.get_window_extent() for b in bars]
        if not _any_clash(boxes) and not any(_clash(t, w, 0) for t in boxes for w in walls):
            break
    _settle(fig, ax, texts, heights, ticks)
    _freeze(fig)
    alt = f"Bar chart: {title}. {ylabel or 'Value'}" + (f" by {xlabel.lower()}" if xlabel else "") + ", " + \
        _extremes(labels, values, unit)
    if target is not None:
        alt += f" The dashed line marks the {target_label.lower()} of {_fmt(target, unit)}."
    table = Table(f"Data for the chart: {title}", table_columns or [xlabel or "Category", ylabel or "Value"],
                  table_rows or [[l, _fmt(v, unit)] for l, v in zip(labels, values)])
    return fig, alt, table


@_styled
def bar(labels: Sequence[str], values: Sequence[float | None], *, title: str, subtitle: str = "",
        xlabel: str = "", ylabel: str = "", unit: str = "%", target: float | None = None,
        target_label: str = "Target", table_columns: Sequence[str] | None = None,
        table_rows: Sequence[Sequence] | None = None, source: str = "") -> Chart:
    """Vertical bars, each labelled with its value; ``None`` shows as "no cases".

    ``table_rows``/``table_columns`` replace the default data table (label, value)
    when the table should carry more (e.g. counts behind each percentage).
    """
    fig, alt, table = _draw_bar(labels, values, title=title, xlabel=xlabel, ylabel=ylabel, unit=unit,
                                target=target, target_label=target_label, table_columns=table_columns,
                                table_rows=table_rows)
    svg, png = _images(fig)
    return Chart(svg, alt, title, subtitle, table, source, png)


@_styled
def _draw_lines(labels: Sequence[str], series: dict[str, Sequence[float | None]], *, title: str,
                xlabel: str = "", ylabel: str = "", unit: str = ""):
    """The line chart laid out, with its alt text and table: ``(figure, alt, table)``."""
    labels = [str(l) for l in labels]
    fig, ax = _figure()
    xs = list(range(len(labels)))
    series = {str(name): [_value(v) for v in values] for name, values in series.items()}
    top, names, ends = 0.0, [], []
    for i, (name, values) in enumerate(series.items()):
        ys = [v if _number(v) else math.nan for v in values][:len(xs)]
        last = [(x, y) for x, y in zip(xs, ys) if not math.isnan(y)]
        if not last:
            continue
        colour = PALETTE[i % len(PALETTE)]
        # A gap (no cases, suppressed) breaks the line rather than bridging it.
        ax.plot(xs[:len(ys)], ys, color=colour, marker=MARKERS[i % len(MARKERS)], linewidth=2,
                markersize=5, clip_on=False, zorder=3)  # a marker at 0 is drawn whole
        top = max(top, max(y for _, y in last))
        text = _wrap(name, 2, 24) if len(name) > 24 else name
        names.append(_label(ax, text, (1, last[-1][1]), (6, 0), xycoords=("axes fraction", "data"), ha="left",
                            va="center", fontsize=9,
                            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": colour,
                                  "linewidth": 1}))
        ends.append(last[-1][1])
    ax.set_ylim(0, top * 1.12 if top else 1)
    ax.set_xlim(-0.3, xs[-1] + 0.3 if xs else 1)
    if unit == "%":
        _percent_axis(ax, "y", top)
    else:
        _count_axis(ax.yaxis, [v for vs in series.values() for v in vs])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _fit_xticks(fig, ax, xs, labels)
    _spread(fig, ax, names, ends)
    _freeze(fig)
    parts = [f"{name}: " + _extremes(labels, list(values), unit).rstrip(".") for name, values in series.items()]
    alt = f"Line chart: {title}. {ylabel or 'Values'}" + (f" by {xlabel.lower()}" if xlabel else "") + ". " + \
        "; ".join(parts) + "."
    table = Table(f"Data for the chart: {title}", [xlabel or "Category", *series.keys()],
                  [[l, *(_fmt(vals[k], unit) if k < len(vals) and vals[k] is not None else "no data"
                         for vals in series.values())]
                   for k, l in enumerate(labels)])
    return fig, alt, table


@_styled
def lines(labels: Sequence[str], series: dict[str, Sequence[float | None]], *, title: str, subtitle: str = "",
          xlabel: str = "", ylabel: str = "", unit: str = "", source: str = "") -> Chart:
    """One line per series, each with its own marker shape and a direct label at its end."""
    fig, alt, table = _draw_lines(labels, series, title=title, xlabel=xlabel, ylabel=ylabel, unit=unit)
    svg, png = _images(fig)
    return Chart(svg, alt, title, subtitle, table, source, png)


@_styled
def _draw_ranking(labels: Sequence[str], values: Sequence[float], *, highlight: str, title: str,
                  xlabel: str = "", unit: str = "%"):
    """The ranking laid out, with its alt text and table: ``(figure, alt, table)``."""
    labels = [str(l) for l in labels]
    values = [_value(v) for v in values]
    order = sorted(((v, l) for v, l in zip(values, labels) if _number(v)), key=lambda p: (-p[0], p[1]))
    unranked = [(v, l) for v, l in zip(values, labels) if not _number(v)]  # no cases, suppressed: no bar
    names = [l for _, l in order]
    vals = [v for v, _ in order]
    rows = names + [l for _, l in unranked]
    fig, ax = _figure((WIDTH, 0.45 * max(len(rows), 1) + 0.9))
    ys = list(range(len(rows)))[::-1]
    colours = [FOCUS if n == highlight else CONTEXT for n in names]
    ax.barh(ys[:len(vals)], vals, color=colours, height=0.6)
    vmax = max(vals + [1])
    xmax = 100 if unit == "%" and vmax <= 100 else vmax * 1.15
    ax.set_xlim(0, xmax * 1.05)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    shown = vals + [0] * len(unranked)
    texts = [_label(ax, _fmt(v, unit), (x, y), (3, 0), va="center", fontsize=9,
                    fontweight="bold" if n == highlight else "normal")
             for y, v, x, n in zip(ys, vals + [v for v, _ in unranked], shown, rows)]
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(xlabel)
    if unit == "%":
        _percent_axis(ax, "x", vmax)
    else:
        _count_axis(ax.xaxis, vals)
    # Names: whole, else over two lines, narrower and narrower, until the widest takes at most 40% of the
    # width (two lines fit a row; the data table keeps every name whole).
    size = _pyplot().rcParams["ytick.labelsize"]
    variants = [[_short(n) for n in rows]] + [[_wrap(n, 2, w) if len(n) > w else n for n in rows]
                                             for w in (30, 24, 18)]
    for shorts in variants:
        widest = max((_size(fig, s, fontsize=size, fontweight="bold" if n == highlight else "normal")[0]
                      for s, n in zip(shorts, rows)), default=0)
        if widest <= 0.4 * fig.bbox.width:
            break
    ax.set_yticks(ys, shorts)
    for tick, n in zip(ax.get_yticklabels(), rows):
        tick.set_fontweight("bold" if n == highlight else "normal")
    _layout(fig)
    ticks = _tick_texts(ax.xaxis)
    _headroom(fig, ax, texts, shown, axis="x")
    _settle(fig, ax, texts, shown, ticks, axis="x")
    _freeze(fig)
    rank = names.index(highlight) + 1 if highlight in names else None
    if names:
        alt = f"Bar chart: {title}. {len(names)} authorities ranked from {names[0]} ({_fmt(vals[0], unit)}) " \
              f"to {names[-1]} ({_fmt(vals[-1], unit)})"
    else:
        alt = f"Bar chart: {title}. There are no values to rank"
    if rank:
        alt += f"; {highlight}, highlighted, is {rank} of {len(names)} at {_fmt(vals[rank - 1], unit)}"
    if unranked:
        alt += "; not ranked: " + ", ".join(f"{l} ({_fmt(v, unit)})" for v, l in unranked)
    alt += "."
    table = Table(f"Data for the chart: {title}", ["Authority", xlabel or "Value"],
                  [[n, _fmt(v, unit)] for n, v in zip(names, vals)] + [[l, _fmt(v, unit)] for v, l in unranked])
    return fig, alt, table


@_styled
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
        _pyplot().close(fig)
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
    _pyplot().close(fig)
    return svg, png
