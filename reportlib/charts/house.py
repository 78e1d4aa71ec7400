"""The charts' house: matplotlib loaded with the bundled fonts first, the house style, the chart's size, and
how values are written on a chart (:func:`value_words`, :func:`fmt`, :func:`nice_step`)."""

from __future__ import annotations

import datetime
import functools
import math
import textwrap
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from .. import compat

#: Axis steps are one of these times a power of ten (never 0/80/160).
NICE_STEPS = (1, 2, 2.5, 5, 10)
#: The least space between two labels, in display pixels (the figure is drawn at 100 dpi).
GAP = 3.0
_HERE = Path(__file__).resolve().parent.parent  # the package
_STYLE = _HERE / "styles" / "house.mplstyle"
_FONTS = _HERE / "templates" / "committee" / "static" / "fonts"
_BUNDLED = tuple(str(_FONTS / f"LiberationSans-{face}.ttf") for face in ("Regular", "Bold"))


@lru_cache(maxsize=None)
def pyplot():
    """matplotlib, loaded on the first chart drawn (rendering a report needs none of it), with our fonts.

    The bundled Liberation Sans is registered, then it and matplotlib's own fonts are put first in
    matplotlib's font list: when two fonts match a name equally well the first listed wins, so a
    Liberation Sans or DejaVu Sans installed on the machine (another version, other glyphs) is never used.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    compat.fonts_first(font_manager.fontManager, _BUNDLED,
                       Path(matplotlib.get_data_path()).resolve() / "fonts" / "ttf")
    return plt


@contextmanager
def house_style():
    """The house style (``styles/house.mplstyle``) for what is drawn inside the block."""
    plt = pyplot()
    with plt.style.context(str(_STYLE)):
        yield plt


def styled(fn):
    """Run ``fn`` in the house style; ``help()`` and ``inspect.signature`` still show ``fn``'s own signature."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with house_style():
            return fn(*args, **kwargs)

    return wrapper
SUPPRESSED = "[c]"


def plain(v):
    """A plotted value: a number, None (no cases) or "[c]" (suppressed); Shares become their percentage."""
    if hasattr(v, "suppressed") and hasattr(v, "pct"):
        return SUPPRESSED if v.suppressed else v.pct
    return v


def value_words(v, unit: str) -> str:
    """A value's label: a share's own words ("53%"; "3 of 5", "0 of 4" on a small base: never a percentage of a
    few), else the number with its unit."""
    if hasattr(v, "pct_text"):
        return v.table_text() if getattr(v, "small", False) else v.pct_text()
    return fmt(v, unit)


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


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def fmt(v, unit: str) -> str:
    if v is None:
        return "no cases"
    if v == SUPPRESSED:
        return SUPPRESSED
    text = f"{v:,.0f}" if float(v).is_integer() or unit == "%" else f"{v:,.1f}"
    return f"{text}{unit}"


def shorten(label: str, width: int = 38) -> str:
    """A chart label cut to fit (the data table under the chart keeps it whole)."""
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def wrap_label(label: str, lines: int = 2, width: int | None = None) -> str:
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
    return "\n".join(shorten(line, width) if width else line for line in out)
#: Every chart is this wide (inches): the text width of the committee paper.
WIDTH = 6.3


def new_figure(size=(WIDTH, 3.0)):
    return pyplot().subplots(figsize=size, layout="constrained")
