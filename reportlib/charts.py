"""Charts in one house style, each with its alt text and its data as a table.

Every chart function takes the data and the words (title, subtitle) and returns
a :class:`Chart`: a static SVG, an alt text written from the data, and a
:class:`~reportlib.tables.Table` of the same data. A chart cannot be made
without them. Colours come from a colour-blind-safe palette (the UK Analysis
Function's categorical palette) and every value is also labelled in text or
marker shape, so colour never carries meaning alone.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from functools import lru_cache

from .tables import Table

CHART_MIME = "application/vnd.reportlib.chart+json"

#: UK Analysis Function categorical palette (colour-blind safe, in this order).
PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
#: Focus palette: the thing the reader should look at, and everything else.
FOCUS, CONTEXT = "#12436D", "#BFBFBF"
MARKERS = ("o", "s", "^", "D", "v", "P")
TEXT = "#0b0c0c"

_HERE = Path(__file__).resolve().parent
_STYLE = _HERE / "styles" / "house.mplstyle"
_FONTS = _HERE / "templates" / "committee" / "static" / "fonts"


@lru_cache(maxsize=None)
def _pyplot():
    """matplotlib, loaded on the first chart drawn (rendering a report needs none of it), with our fonts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    for name in ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"):
        font_manager.fontManager.addfont(str(_FONTS / name))
    return plt


@dataclass(frozen=True)
class Chart:
    """A rendered chart: SVG, alt text, title/subtitle and its data table."""

    svg: str
    alt: str
    title: str
    subtitle: str
    table: Table
    source: str = ""

    def __post_init__(self):
        if not self.alt.strip():
            raise ValueError("a chart needs alt text")

    def to_json(self) -> dict:
        return {"svg": self.svg, "alt": self.alt, "title": self.title, "subtitle": self.subtitle,
                "table": self.table.to_json(), "source": self.source}

    @classmethod
    def from_json(cls, data: dict) -> "Chart":
        return cls(data["svg"], data["alt"], data["title"], data["subtitle"], Table.from_json(data["table"]),
                   data.get("source", ""))

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


def _ticks(labels: Sequence[str]) -> list[str]:
    """Long runs of labels ("Q1 2019/20" ...) break onto two lines so they never collide."""
    if len(labels) <= 5:
        return list(labels)
    return [l.replace(" ", "\n", 1) for l in labels]


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "reportlib"})
    _pyplot().close(fig)
    return buf.getvalue()


def _figure(size=(6.3, 3.0)):
    return _pyplot().subplots(figsize=size)


def _styled(fn):
    def wrapper(*args, **kwargs):
        with _pyplot().style.context(str(_STYLE)):
            return fn(*args, **kwargs)
    wrapper.__doc__ = fn.__doc__
    wrapper.__name__ = fn.__name__
    return wrapper


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


@_styled
def bar(labels: Sequence[str], values: Sequence[float | None], *, title: str, subtitle: str = "",
        xlabel: str = "", ylabel: str = "", unit: str = "%", target: float | None = None,
        target_label: str = "Target", table_columns: Sequence[str] | None = None,
        table_rows: Sequence[Sequence] | None = None, source: str = "") -> Chart:
    """Vertical bars, each labelled with its value; ``None`` shows as "no cases".

    ``table_rows``/``table_columns`` replace the default data table (label, value)
    when the table should carry more (e.g. counts behind each percentage).
    """
    labels = [str(l) for l in labels]
    values = [_value(v) for v in values]
    fig, ax = _figure()
    xs = range(len(labels))
    heights = [v if isinstance(v, (int, float)) else 0 for v in values]
    ax.bar(xs, heights, color=FOCUS, width=0.6)
    top = max([h for h in heights] + [target or 0, 1])
    ymax = 100 if unit == "%" and top <= 100 else top * 1.15
    for x, v in zip(xs, values):
        ax.text(x, (v if isinstance(v, (int, float)) else 0) + ymax * 0.015, _fmt(v, unit), ha="center", va="bottom", fontsize=9, color=TEXT)
    if target is not None:
        ax.axhline(target, color=PALETTE[3], linewidth=1.2, linestyle="--")
        ax.text(len(labels) - 0.5, target + ymax * 0.015, f"{target_label} {_fmt(target, unit)}", ha="right",
                va="bottom", fontsize=8.5, color=TEXT)
    ax.set_ylim(0, ymax * 1.08)
    ax.set_xticks(list(xs), _ticks(labels), fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if unit == "%":
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
    alt = f"Bar chart: {title}. {ylabel or 'Value'}" + (f" by {xlabel.lower()}" if xlabel else "") + ", " + \
        _extremes(labels, values, unit)
    if target is not None:
        alt += f" The dashed line marks the {target_label.lower()} of {_fmt(target, unit)}."
    table = Table(f"Data for the chart: {title}", table_columns or [xlabel or "Category", ylabel or "Value"],
                  table_rows or [[l, _fmt(v, unit)] for l, v in zip(labels, values)])
    return Chart(_svg(fig), alt, title, subtitle, table, source)


@_styled
def lines(labels: Sequence[str], series: dict[str, Sequence[float | None]], *, title: str, subtitle: str = "",
          xlabel: str = "", ylabel: str = "", unit: str = "", source: str = "") -> Chart:
    """One line per series, each with its own marker shape and a direct label at its end."""
    labels = [str(l) for l in labels]
    fig, ax = _figure()
    xs = list(range(len(labels)))
    top = 0.0
    ends = []
    series = {name: [_value(v) for v in values] for name, values in series.items()}
    for i, (name, values) in enumerate(series.items()):
        pts = [(x, v) for x, v in zip(xs, values) if isinstance(v, (int, float))]
        if not pts:
            continue
        colour = PALETTE[i % len(PALETTE)]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], color=colour, marker=MARKERS[i % len(MARKERS)],
                linewidth=2, markersize=5)
        ends.append([pts[-1][1], name, colour])
        top = max(top, max(p[1] for p in pts))
    ymax = top * 1.12 if top else 1
    # Direct labels at the line ends, nudged apart so they never overlap.
    ends.sort()
    gap = ymax * 0.07
    for j in range(1, len(ends)):
        ends[j][0] = max(ends[j][0], ends[j - 1][0] + gap)
    for y, name, colour in ends:
        ax.text(xs[-1] + 0.15, y, _short(name, 28), va="center", fontsize=9, color=TEXT,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": colour, "linewidth": 1})
    ax.set_xlim(-0.3, xs[-1] + 0.3 if xs else 1)
    ax.set_ylim(0, max(ymax, ends[-1][0] + gap if ends else ymax))
    ax.set_xticks(xs, _ticks(labels), fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    parts = [f"{name}: " + _extremes(labels, list(values), unit).rstrip(".") for name, values in series.items()]
    alt = f"Line chart: {title}. {ylabel or 'Values'}" + (f" by {xlabel.lower()}" if xlabel else "") + ". " + \
        "; ".join(parts) + "."
    table = Table(f"Data for the chart: {title}", [xlabel or "Category", *series.keys()],
                  [[l, *(_fmt(vals[k], unit) if vals[k] is not None else "no data" for vals in series.values())]
                   for k, l in enumerate(labels)])
    return Chart(_svg(fig), alt, title, subtitle, table, source)


@_styled
def ranking(labels: Sequence[str], values: Sequence[float], *, highlight: str, title: str, subtitle: str = "",
            xlabel: str = "", unit: str = "%", source: str = "") -> Chart:
    """Horizontal bars sorted high to low; ``highlight`` (e.g. the council) in the focus colour and bold."""
    values = [_value(v) for v in values]
    shown = [(v, l) for v, l in zip(values, labels) if isinstance(v, (int, float))]
    order = sorted(shown, key=lambda p: (-p[0], p[1]))
    names = [l for _, l in order]
    vals = [v for v, _ in order]
    fig, ax = _figure((6.3, 0.45 * len(names) + 0.9))
    ys = list(range(len(names)))[::-1]
    colours = [FOCUS if n == highlight else CONTEXT for n in names]
    ax.barh(ys, vals, color=colours, height=0.6)
    vmax = max(vals + [1])
    xmax = 100 if unit == "%" and vmax <= 100 else vmax * 1.15
    for y, v, n in zip(ys, vals, names):
        ax.text(v + xmax * 0.01, y, _fmt(v, unit), va="center", fontsize=9, color=TEXT,
                fontweight="bold" if n == highlight else "normal")
    ax.set_yticks(ys, [_short(n) for n in names])
    for tick in ax.get_yticklabels():
        if tick.get_text() == _short(highlight):
            tick.set_fontweight("bold")
    ax.set_xlim(0, xmax * 1.1)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(xlabel)
    if unit == "%":
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
    rank = names.index(highlight) + 1 if highlight in names else None
    alt = f"Bar chart: {title}. {len(names)} authorities ranked from {names[0]} ({_fmt(vals[0], unit)}) " \
          f"to {names[-1]} ({_fmt(vals[-1], unit)})"
    if rank:
        alt += f"; {highlight}, highlighted, is {rank} of {len(names)} at {_fmt(vals[rank - 1], unit)}"
    alt += "."
    table = Table(f"Data for the chart: {title}", ["Authority", xlabel or "Value"],
                  [[n, _fmt(v, unit)] for n, v in zip(names, vals)])
    return Chart(_svg(fig), alt, title, subtitle, table, source)
