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
import datetime
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

from . import colours
from .colours import CONTEXT, FOCUS, PALETTE, TEXT  # noqa: F401 - part of this module's API
from .tables import Table

CHART_MIME = "application/vnd.reportlib.chart+json"
#: Axis steps are one of these times a power of ten (never 0/80/160).
NICE_STEPS = (1, 2, 2.5, 5, 10)
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


def _words(v, unit: str) -> str:
    """A value's label: a share's own words ("53%"; "3 of 5", "0 of 4" on a small base: never a percentage of a
    few), else the number with its unit."""
    if hasattr(v, "pct_text"):
        return v.table_text() if getattr(v, "small", False) else v.pct_text()
    return _fmt(v, unit)


def nice_step(span: float, most: int = 5) -> float:
    """The smallest step of 1, 2, 2.5 or 5 x 10^n that covers ``span`` in at most ``most`` steps."""
    if span <= 0:
        return 1
    exp = math.floor(math.log10(span / most))
    for e in (exp, exp + 1):
        for m in NICE_STEPS:
            if span / (m * 10 ** e) <= most + 1e-9:
                return m * 10 ** e
    return 10 ** (exp + 2)


def date_position(day: datetime.date, starts: Sequence[datetime.date], ends: Sequence[datetime.date]) -> float | None:
    """Where ``day`` falls along bars for periods ``starts[i]``..``ends[i]`` (dates; bar i centred at i): within
    its period's slot, in proportion to the days gone by (the change of 18 August 2020 lies half way through Q2's
    bar); None when it is in none of them."""
    for i, (start, end) in enumerate(zip(starts, ends)):
        if start <= day <= end:
            return i - 0.5 + (day - start).days / ((end - start).days + 1)
    return None


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


def _join(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _at(which: str, group: list[tuple[float, str, str]]) -> str:
    """"highest 50% in Q3 2020/21 and Q4 2020/21": every label with that value, named together (a tie is never
    ranked); labels whose words differ (small bases, "2 of 4", "4 of 8") each with their own words."""
    words = {w for _, _, w in group}
    if len(words) > 1 and group[0][0] in (0, 100):  # "none of the 4", "none of the 6": none in each
        return f"{which}, {'none' if group[0][0] == 0 else 'all'}, in {_join([l for _, l, _ in group])}"
    if len(words) == 1:
        return f"{which} {group[0][2]} in {_join([l for _, l, _ in group])}"
    return f"{which} in {_join([f'{l} ({w})' for _, l, w in group])}"


def _extremes(labels: Sequence[str], values: Sequence, unit: str) -> str:
    """From the first value to the last; the highest and the lowest, ties named together; gaps and [c]."""
    shown = [_words(v, unit) for v in values]
    values = [_value(v) for v in values]
    pairs = [(v, l, w) for l, v, w in zip(labels, values, shown) if v is not None and v != SUPPRESSED]
    if not pairs:
        return "There are no values to show."
    first, last = pairs[0], pairs[-1]
    top, bottom = max(v for v, _, _ in pairs), min(v for v, _, _ in pairs)
    parts = [f"from {first[2]} in {first[1]} to {last[2]} in {last[1]}"]
    if len(pairs) > 2 and top == bottom:
        parts.append(f"{'the same' if len({w for *_, w in pairs}) > 1 else pairs[0][2]} in all {len(pairs)}")
    elif len(pairs) > 2:
        parts.append(_at("highest", [p for p in pairs if p[0] == top]) + ", " +
                     _at("lowest", [p for p in pairs if p[0] == bottom]))
    missing = [l for l, v in zip(labels, values) if v is None]
    if missing:
        parts.append(f"no cases in {', '.join(missing)}")
    hidden = [l for l, v in zip(labels, values) if v == SUPPRESSED]
    if hidden:
        parts.append(f"suppressed as small numbers in {', '.join(hidden)}")
    return "; ".join(parts) + "."


def _count_axis(axis, values) -> None:
    """Counts along ``axis``: steps of 1, 2, 2.5 or 5 x 10^n (whole numbers when every value is whole),
    thousands separated."""
    from matplotlib.ticker import MaxNLocator

    whole = all(float(v).is_integer() for v in values if _number(v))
    axis.set_major_locator(MaxNLocator(nbins="auto", steps=list(NICE_STEPS), integer=whole))
    axis.set_major_formatter(lambda v, _: f"{v:,.0f}" if float(v).is_integer() else f"{v:,g}")


def _percent_end(top: float, full: bool = False) -> tuple[float, float]:
    """``(end, step)`` of a percentage axis for data reaching ``top``: the first nice step at or above it (at least
    10%, at most 100%), or 0-100% when ``full`` (100% matters, or a target does and is passed in ``top``)."""
    if full or top > 100:
        return (100.0, 20.0) if top <= 100 else (top, nice_step(top))
    top = max(top, 10)  # a few per cent, or none: the axis still shows 0% to 10%
    step = nice_step(top)
    return min(100.0, math.ceil(top / step - 1e-9) * step), step


def _percent_axis(ax, axis: str, top: float, full: bool = False) -> float:
    """Percentages along ``axis`` ("x" or "y"), ticks in nice steps to the first step at or above the data
    (``full``: to 100%); the axis line stops there (the room above is for labels). Returns where it ends."""
    which = ax.xaxis if axis == "x" else ax.yaxis
    end, step = _percent_end(top, full)
    if top <= 100:
        which.set_ticks([k * step for k in range(int(round(end / step)) + 1)])
        ax.spines["bottom" if axis == "x" else "left"].set_bounds(0, end)
    else:
        _count_axis(which, [top])
    which.set_major_formatter(lambda v, _: f"{v:g}%")
    return end


# --- The charts ----------------------------------------------------------------------------------


@_styled
def _draw_bar(labels: Sequence[str], values: Sequence, *, title: str, xlabel: str = "",
              ylabel: str = "", unit: str = "%", target: float | None = None, target_label: str = "Target",
              table_columns: Sequence[str] | None = None, table_rows: Sequence[Sequence] | None = None,
              series: str | None = None, full_scale: bool = False, mark: tuple[float, str] | None = None):
    """The bar chart laid out, with its alt text and table: ``(figure, alt, table)``."""
    labels = [str(l) for l in labels]
    given, values = list(values), [_value(v) for v in values]
    fig, ax = _figure()
    xs = list(range(len(labels)))
    heights = [v if _number(v) else 0 for v in values]
    bars = ax.bar(xs, heights, color=colours.colour(series), width=0.6)
    top = max(heights + [target or 0, 1])
    if unit == "%":
        ymax = _percent_axis(ax, "y", top, full_scale or (target is not None and target >= 100))
    else:
        ymax = top * 1.15
        _count_axis(ax.yaxis, values)
    ax.set_ylim(0, ymax * 1.08)
    spare = max(4 - len(xs), 0) / 2  # one or two bars stay bar-width, centred
    ax.set_xlim(-0.5 - spare, len(xs) - 0.5 + spare)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    texts = [_label(ax, _words(v, unit), (x, h), (0, 3), ha="center", va="bottom", fontsize=9, zorder=3,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
             for x, v, h in zip(xs, given, heights)]
    if target is not None:
        ax.axhline(target, color=colours.KIND_COLOURS["target"], linewidth=1.2, linestyle="--", zorder=2)
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
    if mark is not None:
        _mark(fig, ax, mark, texts, bars)
    _freeze(fig)
    alt = f"Bar chart: {title}. {ylabel or 'Value'}" + (f" by {xlabel.lower()}" if xlabel else "") + ", " + \
        _extremes(labels, given, unit)
    if target is not None:
        alt += f" The dashed line marks the {target_label.lower()} of {_fmt(target, unit)}."
    if mark is not None:
        alt += f" A dotted line marks a change: {mark[1]}."
    table = Table(f"Data for the chart: {title}", table_columns or [xlabel or "Category", ylabel or "Value"],
                  table_rows or [[l, _words(v, unit)] for l, v in zip(labels, given)])
    return fig, alt, table


def _mark(fig, ax, mark: tuple[float, str], texts, bars) -> None:
    """A dotted line at ``mark[0]`` (a bar position; see :func:`date_position`) with its words ``mark[1]`` at the
    top of the plot, beside the line on the side with more room; the value axis grows until the words are clear
    of every value label and bar."""
    x, words = mark
    lo, hi = ax.get_xlim()
    ax.axvline(x, color=colours.KIND_COLOURS["change"], linewidth=1.2, linestyle=":", zorder=2.5)  # under labels
    right = (x - lo) < (hi - x)
    note = _label(ax, _wrap(words, 2, 30) if len(words) > 24 else words, (x, 1), (4 if right else -4, -2),
                  xycoords=("data", "axes fraction"), ha="left" if right else "right", va="top", fontsize=8.5,
                  zorder=5, bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    for _ in range(12):
        _layout(fig)
        box = _box(note)
        others = [_box(t) for t in texts] + [b.get_window_extent() for b in bars]
        if not any(_clash(box, o) for o in others):
            return
        bottom, top = ax.get_ylim()
        ax.set_ylim(bottom, top * 1.12)


@_styled
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


@_styled
def _draw_lines(labels: Sequence[str], series: dict[str, Sequence[float | None]], *, title: str,
                xlabel: str = "", ylabel: str = "", unit: str = ""):
    """The line chart laid out, with its alt text and table: ``(figure, alt, table)``."""
    labels = [str(l) for l in labels]
    fig, ax = _figure()
    xs = list(range(len(labels)))
    series = {str(name): [_value(v) for v in values] for name, values in series.items()}
    top, names, ends = 0.0, [], []
    others = itertools.count()  # the colours and markers left over, for series that are no procedure
    for name, values in series.items():
        ys = [v if _number(v) else math.nan for v in values][:len(xs)]
        last = [(x, y) for x, y in zip(xs, ys) if not math.isnan(y)]
        if not last:
            continue
        k = 0 if colours.procedure_of(name) else next(others)
        colour = colours.colour(name, k)
        # A gap (no cases, suppressed) breaks the line rather than bridging it.
        ax.plot(xs[:len(ys)], ys, color=colour, marker=colours.marker(name, k), linewidth=2,
                markersize=5, clip_on=False, zorder=3)  # a marker at 0 is drawn whole
        top = max(top, max(y for _, y in last))
        text = _wrap(name, 2, 24) if len(name) > 24 else name
        names.append(_label(ax, text, (1, last[-1][1]), (6, 0), xycoords=("axes fraction", "data"), ha="left",
                            va="center", fontsize=9,
                            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": colour,
                                  "linewidth": 1}))
        ends.append(last[-1][1])
    ax.set_xlim(-0.3, xs[-1] + 0.3 if xs else 1)
    if unit == "%":
        ax.set_ylim(0, _percent_axis(ax, "y", top) * 1.08)
    else:
        ax.set_ylim(0, top * 1.12 if top else 1)
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
    words = dict(zip(labels, (_words(v, unit) for v in values)))
    values = [_value(v) for v in values]
    # High to low; equal values by name (a stable order, never a rank: the alt text names ties together).
    order = sorted(((v, l) for v, l in zip(values, labels) if _number(v)), key=lambda p: (-p[0], p[1]))
    unranked = [(v, l) for v, l in zip(values, labels) if not _number(v)]  # no cases, suppressed: no bar
    names = [l for _, l in order]
    vals = [v for v, _ in order]
    rows = names + [l for _, l in unranked]
    fig, ax = _figure((WIDTH, 0.45 * max(len(rows), 1) + 0.9))
    ys = list(range(len(rows)))[::-1]
    ax.barh(ys[:len(vals)], vals, color=[FOCUS if n == highlight else CONTEXT for n in names], height=0.6)
    vmax = max(vals + [1])
    xmax = _percent_axis(ax, "x", vmax) if unit == "%" else vmax * 1.15
    ax.set_xlim(0, xmax * 1.05)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    shown = vals + [0] * len(unranked)
    texts = [_label(ax, words[n], (x, y), (3, 0), va="center", fontsize=9,
                    fontweight="bold" if n == highlight else "normal")
             for y, x, n in zip(ys, shown, rows)]
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(xlabel)
    if unit != "%":
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
    alt = f"Bar chart: {title}. " + _ranking_words(order, unranked, words, highlight)
    table = Table(f"Data for the chart: {title}", ["Authority", xlabel or "Value"], [[n, words[n]] for n in rows])
    return fig, alt, table


def _ranking_words(order, unranked, words: dict, highlight: str) -> str:
    """The ranking's alt text: how many, from the highest to the lowest (ties named together), where the
    highlighted one stands (how many are higher, the same and lower: never a rank), those without a figure."""
    def group(value):
        names = [l for v, l in order if v == value]
        return f"{_join(names)} ({words[names[0]]}{' each' if len(names) > 1 else ''})"

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
