"""Reading a case-log export: a CSV, an .xlsx workbook, a SQLite file or a database URL, into the canonical
columns as text, with each row's number as a spreadsheet shows it (:class:`RawLog`).

Everything else in the export (names, notes) is dropped at the door. What cannot be read at all raises
:class:`~reportlib.errors.DataError` with one line naming the file and what to do; validating the rows is
:mod:`reportlib.rows`' job, and :mod:`reportlib.casedata` does both. The readers:
:mod:`~reportlib.sources.text` (CSV), :mod:`~reportlib.sources.excel`, :mod:`~reportlib.sources.database`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import DataError
from ..rows import COMPLAINANTS, RawLog, distinct_categorical
from .cells import Cells
from .database import read_database
from .excel import read_xlsx
from .headers import MAX_COLUMNS, find_header, resolve_columns, says_who  # noqa: F401 - MAX_COLUMNS: API
from .text import read_csv


@dataclass(frozen=True)
class Source:
    """Where the case log is and how to read it (params ``data``, ``columns``, ``values``...)."""

    data: str
    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    sheet: str | int | None = None
    table: str | None = None
    query: str | None = None

    @classmethod
    def from_params(cls, p) -> "Source":
        return cls(p.data, dict(p.columns), {k: dict(v) for k, v in p.values.items()}, p.sheet, p.table, p.query)

    @property
    def is_url(self) -> bool:
        return "://" in self.data

    @property
    def label(self) -> str:
        """How messages name the source (a URL without its credentials)."""
        if self.is_url:
            return re.sub(r"//[^/@]*@", "//", self.data)
        return self.data




def cut(value, limit: int = 80) -> str:
    """A value as a message echoes it: on one line, control characters escaped, cut to about ``limit`` characters."""
    text = " ".join(str(value).split())
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def _is_zip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04"


def _table(source: Source, root: Path | None, label: str) -> tuple[int, list[str], Cells, list[str], bool]:
    """The source's header index, headers, rows below the header and notes, and whether it is a database."""
    if source.is_url:
        grid = read_database(source.data, source.table, source.query, label, root)
    else:
        path = Path(source.data)
        if root is not None and not path.is_absolute():
            path = root / path
        if path.is_dir():
            raise DataError(f"{label}: is a folder, not a case-log file; point data: at the export file")
        if not path.exists():
            raise DataError(f"{label}: case log not found; check data: in the params file (relative paths start at the project folder)")
        suffix = path.suffix.lower()
        if path.stat().st_size == 0:
            raise DataError(f"{label}: the file is empty; export the case log again")
        if suffix in (".db", ".sqlite", ".sqlite3") or _is_sqlite(path):
            grid = read_database(str(path.resolve()), source.table, source.query, label, sqlite_file=True)
        elif suffix in (".xlsx", ".xlsm") or _is_zip(path):
            return (*read_xlsx(path, source.sheet, source.columns, label), False)
        elif suffix == ".xls":
            raise DataError(f"{label}: old Excel .xls files are not read; open it in Excel and save it as .xlsx or CSV UTF-8")
        else:
            return (*read_csv(path, label, source.columns), False)
    if grid.empty:
        raise DataError(f"{label}: the file is empty; export the case log again")
    header_at = find_header(grid, source.columns, label)
    headers = [str(h).strip() for h in grid.iloc[header_at].tolist()]
    return header_at, headers, Cells(grid.iloc[header_at + 1:]), [], True


def read(source: Source, root: Path | None = None) -> RawLog:
    """Read the source into canonical text columns. Raises DataError if it cannot be read."""
    label = source.label
    header_at, headers, body, notes, database = _table(source, root, label)
    found = resolve_columns(headers, source.columns, label)
    if header_at:
        notes.append(f"{label}: the header is on row {header_at + 1}; the {header_at} row(s) above it were skipped.")
    positions = {canon: headers.index(str(h).strip()) for canon, h in found.items()}
    distinct = body.texts(positions)
    if "complainant" in distinct and "complainant" not in source.columns and not says_who(
            distinct["complainant"][1], source.values.get("complainant")):
        # An export's "Complainant" column usually holds names: personal data stays at the door.
        header = found.pop("complainant")
        del positions["complainant"], distinct["complainant"]
        notes.append(f"{label}: column '{header}' was not read as complainant: it holds values other than "
                     f"{', '.join(COMPLAINANTS[:-1])} or {COMPLAINANTS[-1]} (names?); if it says who made each "
                     f"complaint, map it under columns: in the params file (complainant: {header})")
    # Completely blank lines (a CSV saved by Excel often ends with some) are not rows.
    filled = [np.append(text != "", False)[codes] for codes, text in distinct.values()]
    n = len(body)
    nonblank = np.logical_or.reduce(filled) if filled else np.zeros(n, dtype=bool)
    if not nonblank.all():  # blank in every column read: a blank line, or a row whose cells are all in others
        nonblank = nonblank | body.filled_elsewhere(set(positions.values()), len(headers))
    numbered, broken = body.rows, body.broken
    body.close()
    if database:  # databases have no spreadsheet rows: the record number
        rows = np.arange(1, n + 1, dtype=np.int64)
    elif numbered is not None:  # some lines were not rows of the table (a row with the wrong field count)
        rows = numbered
    else:  # as a spreadsheet shows it: the header's row + 1 onwards, blank lines counted
        rows = np.arange(header_at + 2, header_at + 2 + n, dtype=np.int64)
    if not nonblank.all():
        rows = rows[nonblank]
        distinct = {canon: (codes[nonblank], text) for canon, (codes, text) in distinct.items()}
    # Each column's values are distinct: Arrow's dictionary, or factorize's uniques (stripped).
    frame = pd.DataFrame({"row": rows, **{canon: distinct_categorical(codes, text)
                                          for canon, (codes, text) in distinct.items()}})
    if frame.empty:
        if broken:
            raise DataError(f"{label}: no row has the header's {len(headers):,} fields (row {broken[0][0]:,} has "
                            f"{broken[0][1]:,}); check the separator and the quotes, or export the case log again")
        raise DataError(f"{label}: has a header but no rows; export the case log again")
    return RawLog(frame, label, notes, _broken(broken, len(headers)))


def _broken(broken: list[tuple[int, int]], width: int) -> pd.DataFrame:
    """The rows whose field count differs from the header's: (row, problem), no value of theirs."""
    return pd.DataFrame({
        "row": np.array([row for row, _ in broken], dtype=np.int64),
        "problem": np.array([f"wrong number of fields: has {fields:,} {'field' if fields == 1 else 'fields'}, the "
                             f"header has {width:,}; check the quotes and line breaks in this row (no value of it is "
                             "read)" for _, fields in broken], dtype=object)})
