"""Accessible tables: a caption, column headers, row headers, numbers right-aligned.

A :class:`Table` is data (caption, column labels, rows of cells). It shows
itself in JupyterLab as HTML and carries its data to the renderer under
``TABLE_MIME``; the renderer turns it into the same HTML, escaped, numbered.
"""

from __future__ import annotations

import html
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


_FIGURE = re.compile(r"^(?:-?[\d,]+(?:\.\d+)?%?(?: \([^)]*\))?|no cases|\[c\])$")
SHORT_ROWS = 25


def _numeric(text: str) -> bool:
    """A figure (1,234 / 12.5 / 53% / 53% (24 of 45) / no cases / [c]): right-aligned."""
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
        return {"caption": self.caption, "columns": list(self.columns), "rows": [list(r) for r in self.rows],
                "notes": list(self.notes), "row_headers": self.row_headers}

    @classmethod
    def from_json(cls, data: dict) -> "Table":
        return cls(data["caption"], data["columns"], data["rows"], data.get("notes", ()), data.get("row_headers", True))

    def to_html(self, label: str = "") -> str:
        """``<table>`` with caption, ``th scope="col"`` headers and ``th scope="row"`` row headers."""
        e = html.escape
        prefix = f'<span class="label">{e(label)}:</span> ' if label else ""
        size = "short" if len(self.rows) <= SHORT_ROWS else "long"
        out = [f'<div class="table {size}"><table class="data">', f"<caption>{prefix}{e(self.caption)}</caption>", "<thead><tr>"]
        out += [f'<th scope="col"{self._align(i, c)}>{e(c)}</th>' for i, c in enumerate(self.columns)]
        out.append("</tr></thead><tbody>")
        for r in self.rows:
            cells = []
            for i, v in enumerate(r):
                if i == 0 and self.row_headers:
                    nowrap = ' class="nowrap"' if len(v) <= 14 else ""
                    cells.append(f'<th scope="row"{nowrap}>{e(v)}</th>')
                else:
                    cells.append(f'<td{self._align(i, v)}>{e(v)}</td>')
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        if self.notes:
            out.append('<div class="table-notes">' + "".join(f"<p>{e(n)}</p>" for n in self.notes) + "</div>")
        out.append("</div>")
        return "".join(out)

    def _align(self, i: int, v: str) -> str:
        if i == 0 and self.row_headers:
            return ""
        column = [r[i] for r in self.rows] or [v]
        return ' class="num"' if all(_numeric(c) or c == "" for c in column) else ""

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.to_html(), TABLE_MIME: self.to_json(),
                "text/plain": f"Table: {self.caption} ({len(self.rows)} rows)"}
