"""Laying a chart out by measuring, not guessing: every label's box read back in display pixels, and the layout
changed until nothing collides (see :mod:`reportlib.charts`)."""

from __future__ import annotations

import itertools
import math
from typing import Sequence

from ..colours import TEXT
from .house import GAP, NICE_STEPS, SUPPRESSED, is_number, nice_step, plain, pyplot, shorten, value_words, wrap_label

def lay_out(fig) -> None:
    """Lay the figure out (constrained layout: room for every label around the axes) without drawing it.

    Positions and extents read afterwards (``get_window_extent``) are those a draw would give.
    """
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)


def renderer_of(fig):
    return fig.canvas.get_renderer()


def box_of(text):
    """The box a text covers, its background box included, in display pixels."""
    from matplotlib.transforms import Bbox

    renderer = renderer_of(text.get_figure())
    box = text.get_window_extent(renderer)
    patch = text.get_bbox_patch()
    if patch is None:
        return box
    text.update_bbox_position_size(renderer)
    return Bbox.union([box, patch.get_window_extent(renderer)])


def text_size(fig, text: str, **props) -> tuple[float, float]:
    """Width and height, in display pixels, of ``text`` set with ``props`` (fontsize, fontweight...)."""
    from matplotlib.text import Text

    t = Text(0, 0, text, **props)
    t.set_figure(fig)
    box = t.get_window_extent(renderer_of(fig))
    return box.width, box.height


def clash(a, b, gap: float = GAP) -> bool:
    """Whether boxes ``a`` and ``b`` overlap or come closer than ``gap`` pixels."""
    return a.x0 < b.x1 + gap and b.x0 < a.x1 + gap and a.y0 < b.y1 + gap and b.y0 < a.y1 + gap


def any_clash(boxes, gap: float = GAP) -> bool:
    return any(clash(a, b, gap) for a, b in itertools.combinations(boxes, 2))


def tick_labels(axis) -> list:
    """The tick labels ``axis`` draws: visible, not empty, at a tick inside the view."""
    axis.get_majorticklabels()  # brings the ticks up to date with the view
    lo, hi = sorted(axis.get_view_interval())
    eps = (hi - lo) * 1e-9
    return [t.label1 for t in axis.get_major_ticks()
            if t.label1.get_visible() and t.label1.get_text() and lo - eps <= t.get_loc() <= hi + eps]


def freeze(fig) -> None:
    """Keep the layout as measured: saving the SVG does not lay the figure out again."""
    fig.set_layout_engine("none")


def fit_xticks(fig, ax, positions: Sequence[float], labels: Sequence[str], fontsize: float = 9) -> None:
    """x tick labels that never collide: whole, else wrapped onto two or three lines (narrower and
    narrower, a long word cut short), else only every second, third... label (the first always shown),
    whichever comes first with room between labels."""
    n = len(labels)
    if not n:
        ax.set_xticks([])
        return
    variants = [[shorten(l, 40) for l in labels]]
    for lines, width in ((2, 24), (3, 16), (3, 12)):
        wrapped = [wrap_label(l, lines, width) for l in labels]
        if wrapped not in variants:
            variants.append(wrapped)
    lay_out(fig)
    frame = ax.get_window_extent()
    lo, hi = ax.get_xlim()
    scale = frame.width / (hi - lo)  # pixels per unit along x
    sizes = {t: text_size(fig, t, fontsize=fontsize) for texts in variants for t in texts}
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
        half = text_size(fig, "0", fontsize=pyplot().rcParams["ytick.labelsize"])[1] / 2
        ax.tick_params(axis="x", pad=(half + 2 * GAP) * 72 / fig.dpi)


def headroom(fig, ax, labels, at: Sequence[float], axis: str = "y") -> bool:
    """Stretch the value axis so every label beyond its value ``at`` lies inside the axes; whether it moved."""
    frame = ax.get_window_extent()
    lo, hi = ax.get_ylim() if axis == "y" else ax.get_xlim()
    start, size = (frame.y0, frame.height) if axis == "y" else (frame.x0, frame.width)
    need = hi
    for text, v in zip(labels, at):
        box = box_of(text)
        beyond = (box.y1 if axis == "y" else box.x1) - (start + (v - lo) / (hi - lo) * size)  # past its value
        room = max(size - beyond - GAP, size * 0.2)  # (a label near as tall as the plot: as far as is sensible)
        need = max(need, lo + (v - lo) * size / room)
    if need <= hi * (1 + 1e-6):
        return False
    (ax.set_ylim if axis == "y" else ax.set_xlim)(lo, need)
    return True


def tick_texts(axis) -> list[str]:
    return [t.get_text() for t in tick_labels(axis)]


def settle(fig, ax, labels, at: Sequence[float], ticks: list[str], axis: str = "y") -> None:
    """After headroom was made: if that changed the value axis's tick labels (``ticks`` before), lay the
    figure out again and make the headroom again, until the tick labels stay put."""
    which = ax.yaxis if axis == "y" else ax.xaxis
    for _ in range(3):
        now = tick_texts(which)
        if now == ticks:
            return
        ticks = now
        lay_out(fig)
        headroom(fig, ax, labels, at, axis)


def spread(fig, ax, labels, at: Sequence[float]) -> None:
    """Direct labels at the right of the axes, each by its value ``at``, pushed apart so none touch."""
    if not labels:
        return
    lay_out(fig)
    frame = ax.get_window_extent()
    heights = [box_of(t).height for t in labels]
    need = sum(heights) + 2 * GAP * len(labels)
    if need > frame.height:  # more labels than the plot is tall: make the figure taller
        fig.set_figheight(fig.get_figheight() + (need - frame.height) / fig.dpi + 0.1)
        lay_out(fig)
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


def place_label(ax, text: str, xy, offset, **kw):
    """A text label at ``xy`` moved ``offset`` points, drawn even on the axes' edge."""
    kw.setdefault("color", TEXT)
    return ax.annotate(text, xy=xy, xytext=offset, textcoords="offset points", annotation_clip=False, **kw)


def join_names(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def at_words(which: str, group: list[tuple[float, str, str]]) -> str:
    """"highest 50% in Q3 2020/21 and Q4 2020/21": every label with that value, named together (a tie is never
    ranked); labels whose words differ (small bases, "2 of 4", "4 of 8") each with their own words."""
    words = {w for _, _, w in group}
    if len(words) > 1 and group[0][0] in (0, 100):  # "none of the 4", "none of the 6": none in each
        return f"{which}, {'none' if group[0][0] == 0 else 'all'}, in {join_names([l for _, l, _ in group])}"
    if len(words) == 1:
        return f"{which} {group[0][2]} in {join_names([l for _, l, _ in group])}"
    return f"{which} in {join_names([f'{l} ({w})' for _, l, w in group])}"


def extremes_words(labels: Sequence[str], values: Sequence, unit: str) -> str:
    """From the first value to the last; the highest and the lowest, ties named together; gaps and [c]."""
    shown = [value_words(v, unit) for v in values]
    values = [plain(v) for v in values]
    pairs = [(v, l, w) for l, v, w in zip(labels, values, shown) if v is not None and v != SUPPRESSED]
    if not pairs:
        return "There are no values to show."
    first, last = pairs[0], pairs[-1]
    top, bottom = max(v for v, _, _ in pairs), min(v for v, _, _ in pairs)
    parts = [f"from {first[2]} in {first[1]} to {last[2]} in {last[1]}"]
    if len(pairs) > 2 and top == bottom:
        parts.append(f"{'the same' if len({w for *_, w in pairs}) > 1 else pairs[0][2]} in all {len(pairs)}")
    elif len(pairs) > 2:
        parts.append(at_words("highest", [p for p in pairs if p[0] == top]) + ", " +
                     at_words("lowest", [p for p in pairs if p[0] == bottom]))
    missing = [l for l, v in zip(labels, values) if v is None]
    if missing:
        parts.append(f"no cases in {', '.join(missing)}")
    hidden = [l for l, v in zip(labels, values) if v == SUPPRESSED]
    if hidden:
        parts.append(f"suppressed as small numbers in {', '.join(hidden)}")
    return "; ".join(parts) + "."


def count_axis(axis, values) -> None:
    """Counts along ``axis``: steps of 1, 2, 2.5 or 5 x 10^n (whole numbers when every value is whole),
    thousands separated."""
    from matplotlib.ticker import MaxNLocator

    whole = all(float(v).is_integer() for v in values if is_number(v))
    axis.set_major_locator(MaxNLocator(nbins="auto", steps=list(NICE_STEPS), integer=whole))
    axis.set_major_formatter(lambda v, _: f"{v:,.0f}" if float(v).is_integer() else f"{v:,g}")


def percent_end(top: float, full: bool = False) -> tuple[float, float]:
    """``(end, step)`` of a percentage axis for data reaching ``top``: the first nice step at or above it (at least
    10%, at most 100%), or 0-100% when ``full`` (100% matters, or a target does and is passed in ``top``)."""
    if full or top > 100:
        return (100.0, 20.0) if top <= 100 else (top, nice_step(top))
    top = max(top, 10)  # a few per cent, or none: the axis still shows 0% to 10%
    step = nice_step(top)
    return min(100.0, math.ceil(top / step - 1e-9) * step), step


def percent_axis(ax, axis: str, top: float, full: bool = False) -> float:
    """Percentages along ``axis`` ("x" or "y"), ticks in nice steps to the first step at or above the data
    (``full``: to 100%); the axis line stops there (the room above is for labels). Returns where it ends."""
    which = ax.xaxis if axis == "x" else ax.yaxis
    end, step = percent_end(top, full)
    if top <= 100:
        which.set_ticks([k * step for k in range(int(round(end / step)) + 1)])
        ax.spines["bottom" if axis == "x" else "left"].set_bounds(0, end)
    else:
        count_axis(which, [top])
    which.set_major_formatter(lambda v, _: f"{v:g}%")
    return end
