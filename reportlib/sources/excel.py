"""An .xlsx case log read as the officer sees it in Excel: the sheet chosen as an officer would, merged ranges
filled, only cells holding a value counted, a sheet too wide to be a case log refused at once."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .. import compat
from ..errors import DataError, cut
from .cells import Cells, ColumnCells
from .headers import HEADER_SEARCH_ROWS, MAX_COLUMNS, find_header, resolve_columns


_EXCEL_ROWS = 1_048_576


_UNREADABLE_XLSX = "not a readable .xlsx workbook; open it in Excel and save it again as .xlsx"


def _one_cell_text(v) -> str:
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)


def cell_text(values: pd.Series) -> pd.Series:
    """Spreadsheet/database cells -> text; real dates become ISO, whole numbers lose '.0'.

    Each distinct value is converted once (a column of a million cells holds a few thousand).
    """
    if values.dtype.kind == "M":
        return values.dt.strftime("%Y-%m-%d").fillna("")
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))  # missing -> -1 -> ""
    text = np.array([_one_cell_text(v) for v in uniques] + [""], dtype=object)
    return pd.Series(text[codes], index=values.index, dtype=object)


def read_xlsx(path: Path, sheet, mapping: Mapping[str, str], label: str) -> tuple[int, list[str], Cells, list[str]]:
    """An .xlsx export read as the officer sees it: the header's index (its row - 1), its headers, the rows below
    it and the notes. The sheet is the one ``sheet:`` names, else the only visible sheet holding anything; every
    cell of a merged range holds the range's value; only cells holding a value count (a header row formatted
    out to column XFD, a styled empty row at the end and the sheet's stated dimension do not)."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's remarks on styles and extensions: nothing an officer can act on
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:
            raise DataError(f"{label}: {_UNREADABLE_XLSX}") from None
        try:
            ws, notes = _worksheet(book, path, sheet, label)
            columns, merges = _sheet_cells(ws, path, label)
            cells = _SheetCells(columns, merges) if columns else None
        except DataError:
            raise
        except Exception:  # a damaged sheet: openpyxl's parser raises whatever it meets
            raise DataError(f"{label}: {_UNREADABLE_XLSX}") from None
        finally:
            book.close()
    if cells is None:
        raise DataError(f"{label}: the sheet '{cut(ws.title)}' is empty; export the case log again")
    if merges:
        notes.append(f"{label}: sheet '{cut(ws.title)}' has {len(merges):,} merged cell "
                     f"{'range' if len(merges) == 1 else 'ranges'}; every cell of a merged range was read as holding "
                     "its value, as Excel shows it.")
    header_row = cells.header_row(mapping, label)
    wanted = sorted(cells.headers.index(str(h).strip()) for h in resolve_columns(cells.headers, mapping, label).values())
    return header_row - 1, cells.headers, cells.body(header_row, wanted), notes


def _worksheet(book, path: Path, sheet, label: str):
    """The sheet to read and a note: the one ``sheet:`` names (by name, or number from 0), else the only visible
    sheet that holds anything. A hidden sheet is read only when ``sheet:`` names it."""
    sheets = book.worksheets  # not chart sheets
    if sheet is not None:
        try:
            ws = sheets[sheet] if isinstance(sheet, int) else book[str(sheet)]
        except (KeyError, IndexError):
            raise DataError(f"{label}: no sheet '{cut(sheet)}' (sheet: in the params file); its sheets are: "
                            f"{_names(sheets)}") from None
        if ws not in sheets:
            raise DataError(f"{label}: sheet '{cut(sheet)}' is a chart, not a table (sheet: in the params file); "
                            f"its sheets are: {_names(sheets)}")
        hidden = ws.sheet_state != "visible"
        return ws, [f"{label}: sheet '{cut(ws.title)}' is hidden in Excel; it was read because sheet: in the params "
                    "file names it."] if hidden else []
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    if not visible:
        raise DataError(f"{label}: every sheet is hidden; name the one holding the case log with sheet: in the "
                        f"params file (its sheets are: {_names(sheets)})")
    if len(visible) > 1:
        visible = [ws for ws in visible if _holds_anything(ws, path)] or visible[:1]
    if len(visible) > 1:
        raise DataError(f"{label}: has {len(visible)} visible sheets ({_names(visible)}); say which holds the case "
                        f"log with sheet: in the params file (e.g. sheet: {cut(visible[0].title)})")
    return visible[0], []


def _names(sheets) -> str:
    names = [cut(ws.title, 31) for ws in sheets[:10]]
    return ", ".join(names) + (f" and {len(sheets) - 10} more" if len(sheets) > 10 else "")


def _holds_anything(ws, path: Path) -> bool:
    """Whether any cell of the sheet holds a value (stops at the first)."""
    with compat.SheetReader(ws, path) as sheet:
        return any(_valued(value) for _, _, value in sheet.cells())


def _valued(v) -> bool:
    return v is not None and not (isinstance(v, str) and not v.strip())


def _sheet_cells(ws, path: Path, label: str) -> tuple[dict[int, tuple[list[int], list]], list[str]]:
    """The cells of the sheet that hold a value, by column ({column: (rows, values)}), and its merged ranges. A
    value beyond column MAX_COLUMNS (or Excel's last row) is refused in one line as soon as it is met."""
    from openpyxl.utils import get_column_letter

    columns: dict[int, tuple[list[int], list]] = {}
    with compat.SheetReader(ws, path) as sheet:
        for r, c, v in sheet.cells():
            if v is None or (v.__class__ is str and (not v or v.isspace())):
                continue  # an empty cell that is only formatted
            if c > MAX_COLUMNS or r > _EXCEL_ROWS:
                raise DataError(
                    f"{label}: sheet '{cut(ws.title)}' has a value in cell {get_column_letter(c)}{r}, too far "
                    f"out for a case log (at most {MAX_COLUMNS:,} columns); delete it in Excel (Ctrl+End goes to "
                    "the last cell) and save the workbook again")
            try:
                column = columns[c]
            except KeyError:
                column = columns[c] = ([], [])
            column[0].append(r)
            column[1].append(v)
        merges = sheet.merged()
    return columns, merges


class _SheetCells:
    """A sheet's valued cells, column by column, and its merged ranges: the header found among the first rows
    holding anything, and the rows below it as :class:`ColumnCells`, merged ranges filled in."""

    def __init__(self, columns: dict[int, tuple[list[int], list]], merges: list[str]):
        from openpyxl.utils.cell import range_boundaries

        self.columns = {}
        for c, (rows, values) in columns.items():
            rows, values = np.asarray(rows, dtype=np.int64), np.asarray(values, dtype=object)
            if len(rows) > 1 and (np.diff(rows) <= 0).any():  # a sheet written out of order
                order = np.argsort(rows, kind="stable")
                rows, values = rows[order], values[order]
            self.columns[c] = rows, values
        self.width = max(self.columns)
        self.last_row = max(int(rows[-1]) for rows, _ in self.columns.values())
        self.merges = [(range_boundaries(ref), self._value(*range_boundaries(ref)[:2])) for ref in merges]
        self.headers: list[str] = []

    def _value(self, column: int, row: int):
        """The value of a cell (None when empty)."""
        rows, values = self.columns.get(column, ((), ()))
        i = np.searchsorted(rows, row)
        return values[i] if i < len(rows) and rows[i] == row else None

    def header_row(self, mapping: Mapping[str, str], label: str) -> int:
        """The header's row as the spreadsheet numbers it, among the first rows holding anything."""
        firsts = np.unique(np.concatenate([rows[:HEADER_SEARCH_ROWS] for rows, _ in self.columns.values()]))
        firsts = firsts[:HEADER_SEARCH_ROWS]
        grid = np.full((len(firsts), self.width), None, dtype=object)
        for c, (rows, values) in self.columns.items():
            at = np.searchsorted(firsts, rows[:HEADER_SEARCH_ROWS])
            inside = (at < len(firsts)) & (firsts[np.minimum(at, len(firsts) - 1)] == rows[:HEADER_SEARCH_ROWS])
            grid[at[inside], c - 1] = values[:HEADER_SEARCH_ROWS][inside]
        for (c0, r0, c1, r1), value in self.merges:
            grid[(firsts >= r0) & (firsts <= r1), c0 - 1:min(c1, self.width)] = value
        grid = pd.DataFrame(grid).apply(cell_text)
        at = find_header(grid, mapping, label)
        self.headers = [str(h).strip() for h in grid.iloc[at].tolist()]
        return int(firsts[at])

    def body(self, header_row: int, wanted: list[int]) -> ColumnCells:
        """The rows below the header down to the last holding anything: the ``wanted`` columns' cells as text."""
        n = max(self.last_row - header_row, 0)
        texts, elsewhere = {}, np.zeros(n, dtype=bool)
        for i in wanted:
            cells = np.full(n, None, dtype=object)
            rows, values = self.columns.get(i + 1, (np.zeros(0, dtype=np.int64), ()))
            below = rows > header_row
            cells[rows[below] - header_row - 1] = np.asarray(values, dtype=object)[below]
            texts[i] = cells
        for c, (rows, _) in self.columns.items():
            if c - 1 not in texts:
                elsewhere[rows[rows > header_row] - header_row - 1] = True
        for (c0, r0, c1, r1), value in self.merges:
            top, bottom = max(r0, header_row + 1) - header_row - 1, min(r1, self.last_row) - header_row
            if top >= bottom:
                continue
            for i in range(c0 - 1, min(c1, self.width)):
                if i in texts:
                    texts[i][top:bottom] = value
                elif _valued(value):
                    elsewhere[top:bottom] = True
        return ColumnCells({i: cell_text(pd.Series(cells, dtype=object)).to_numpy(dtype=object)
                             for i, cells in texts.items()}, elsewhere)
