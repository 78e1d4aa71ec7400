"""Accessible tables: a caption, column headers, row headers, numbers right-aligned.

A :class:`Table` is data (caption, column labels, rows of cells). It shows
itself in JupyterLab as HTML and carries its data to the renderer under
``TABLE_MIME``; the renderer turns it into the same HTML, escaped, numbered.

On a narrow screen (a phone, or 400% zoom: WCAG 2.2 SC 1.4.10 Reflow) a table
wider than the page scrolls sideways inside its own region, never the page: the
``<table>`` sits in a ``role="region"`` that keyboard users can reach
(``tabindex="0"``) and that is named by the table's caption.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

TABLE_MIME = "application/vnd.reportlib.table+json"


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
        return f"{int(v):,}"
    if isinstance(v, float):
        return f"{v:,.1f}"
    return str(v)


_FIGURE = re.compile(r"^(?:-?[\d,]+(?:\.\d+)?%?(?: \([^)]*\))?|[\d,]+ of [\d,]+|no cases|\[c\])$")
SHORT_ROWS = 25
#: A cell with an unbroken run longer than this (a pasted URL, a reference, a run of characters)
#: may break anywhere; shorter words never break, so a table too wide for the screen scrolls instead.
LONG_WORD = 30
_LONG_RUN = re.compile(rf"\S{{{LONG_WORD + 1},}}")


def _classes(text: str, *, num: bool = False, nowrap: bool = False) -> str:
    """A cell's class attribute: right-aligned figure, short row header kept on one line, long word."""
    names = [n for n, on in (("num", num), ("nowrap", nowrap), ("long-word", bool(_LONG_RUN.search(text)))) if on]
    return f' class="{" ".join(names)}"' if names else ""


def _numeric(text: str) -> bool:
    """A figure (1,234 / 12.5 / 53% / 53% (24 of 45) / 3 of 5 / no cases / [c]): right-aligned."""
    return bool(_FIGURE.match(text.strip()))


@dataclass(frozen=True)
class Table:
    """A table for the report. The first cell of each row is its row header."""

    caption: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    notes: Sequence[str] = field(default_factory=tuple)
    row_headers: bool = True

    def __post_init__(self):
        if not self.caption:
            raise ValueError("a table needs a caption (it is how screen-reader users find it)")
        object.__setattr__(self, "columns", tuple(str(c) for c in self.columns))
        object.__setattr__(self, "rows", tuple(tuple(_cell(v) for v in r) for r in self.rows))
        object.__setattr__(self, "notes", tuple(self.notes))
        for r in self.rows:
            if len(r) != len(self.columns):
                raise ValueError(f"table {self.caption!r}: a row has {len(r)} cells for {len(self.columns)} columns")

    def to_json(self) -> dict:
        """The table as the notebook output carries it to the renderer (TABLE_MIME)."""
        return {"caption": self.caption, "columns": list(self.columns), "rows": [list(r) for r in self.rows],
                "notes": list(self.notes), "row_headers": self.row_headers}

    @classmethod
    def from_json(cls, data: dict) -> "Table":
        """The table back from :meth:`to_json`."""
        return cls(data["caption"], data["columns"], data["rows"], data.get("notes", ()), data.get("row_headers", True))

    def to_html(self, label: str = "") -> str:
        """``<table>`` with caption, ``th scope="col"`` headers and ``th scope="row"`` row headers,
        in a scrolling region named by the caption (see the module docstring)."""
        e = html.escape
        prefix = f'<span class="label">{e(label)}:</span> ' if label else ""
        size = "short" if len(self.rows) <= SHORT_ROWS else "long"
        name = self.html_id(label)
        numeric = [self._numeric_column(i, c) for i, c in enumerate(self.columns)]
        out = [f'<div class="table {size}">',
               f'<div class="table-scroll" role="region" tabindex="0" aria-labelledby="{name}">',
               '<table class="data">', f'<caption><span id="{name}">{prefix}{e(self.caption)}</span></caption>',
               "<thead><tr>"]
        out += [f'<th scope="col"{_classes(c, num=numeric[i])}>{e(c)}</th>' for i, c in enumerate(self.columns)]
        out.append("</tr></thead><tbody>")
        for r in self.rows:
            cells = []
            for i, v in enumerate(r):
                if i == 0 and self.row_headers:
                    cells.append(f'<th scope="row"{_classes(v, nowrap=len(v) <= 14)}>{e(v)}</th>')
                else:
                    cells.append(f'<td{_classes(v, num=numeric[i])}>{e(v)}</td>')
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table></div>")
        if self.notes:
            out.append('<div class="table-notes">' + "".join(f"<p>{e(n)}</p>" for n in self.notes) + "</div>")
        out.append("</div>")
        return "".join(out)

    def html_id(self, label: str = "") -> str:
        """The id of the caption text: the same for the same table (a report renders byte-identical
        twice) and, since it is drawn from the label ("Table 3") and the whole content, different for
        every different table on a page."""
        key = json.dumps([label, self.caption, self.columns, self.rows, self.notes, self.row_headers])
        return "table-" + hashlib.blake2s(key.encode(), digest_size=6).hexdigest()

    def _numeric_column(self, i: int, header: str) -> bool:
        """Every cell of the column a figure (or empty): its cells and header are right-aligned."""
        if i == 0 and self.row_headers:
            return False
        column = [r[i] for r in self.rows] or [header]
        return all(_numeric(c) or c == "" for c in column)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.to_html(), TABLE_MIME: self.to_json(),
                "text/plain": f"Table: {self.caption} ({len(self.rows)} rows)"}


def benchmark_table(caption: str, groups: Sequence[dict], council: str, value_header: str) -> Table:
    """Other councils' figures beside the council's own, like with like: one block of rows per period (the council's
    own figure for that period first, then the others, highest first, equal values by name: an order, never a
    rank), and last the figures whose period was not given. ``groups`` as ``stats.benchmark_groups`` gives them."""
    rows = []
    for g in groups:
        period = g["period"] or "period not given"
        if g["period"]:
            own = g["own"]
            rows.append([council, period, own.table_text() if hasattr(own, "table_text") else own])
        rows += [[peer["authority"], period, f"{_cell(peer['value'])}%"] for peer in g["peers"]]
    return Table(caption, ["Authority", "Period", value_header], rows)
