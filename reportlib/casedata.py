"""Read a case-log export: the public face of reading and validating one.

``read`` turns a CSV / XLSX / SQLite file or SQLAlchemy URL into a table of
text in the canonical columns (everything else is dropped at the door), with
the source row number as a spreadsheet shows it. ``validate`` (in
:mod:`reportlib.rows`, re-exported here) turns that into typed cases plus a
list of problems; ``load`` does both.

Unreadable input raises :class:`~reportlib.errors.DataError` with one line
naming the file and the column. Bad rows never raise: they are excluded and
listed (``CaseLog.problems``), and nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .errors import DataError
from .params import CANONICAL_COLUMNS
from .rows import (  # noqa: F401 - validating is part of this module's API
    COMPLAINANTS, DATE_COLUMNS, KINDS, OMBUDSMAN, OUTCOMES, PROBLEM_COLUMNS, PROCEDURES, REMEDIES, TEXT_COLUMNS,
    CaseLog, distinct_categorical, parse_dates, validate,
)

REQUIRED = ("case_ref", "kind", "procedure", "received")
_HEADER_SEARCH_ROWS = 20


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


@dataclass
class RawLog:
    """The source as text: canonical columns only, plus ``row`` (spreadsheet row number).

    Each text column is categorical (codes into its distinct values, spaces around them stripped),
    so validation works once per distinct value without hashing the column again; a code of -1
    (a missing cell) reads as "".
    """

    frame: pd.DataFrame
    label: str
    notes: list[str] = field(default_factory=list)



# --- reading -----------------------------------------------------------------

def _norm(header: str) -> str:
    return re.sub(r"[\s\-_]+", "_", str(header).strip().lower())


def _resolve_columns(headers: list[str], mapping: Mapping[str, str], label: str) -> dict[str, str]:
    """canonical name -> header in the file, for the canonical columns present."""
    exact = {str(h).strip(): h for h in headers}
    loose = {_norm(h): h for h in headers}
    found: dict[str, str] = {}
    for canon in CANONICAL_COLUMNS:
        if canon in mapping:
            want = str(mapping[canon]).strip()
            header = exact.get(want) or loose.get(_norm(want))
            if header is None:
                raise DataError(
                    f"{label}: column '{want}' (mapped to {canon} under columns: in the params file) is not in the file; "
                    f"its headers are: {', '.join(str(h) for h in headers)}")
            found[canon] = header
        elif canon in loose:
            found[canon] = loose[canon]
    return found


def _missing_required(found: Mapping[str, str]) -> list[str]:
    return [c for c in REQUIRED if c not in found]


def _likeliest_header(grid: pd.DataFrame, mapping: Mapping[str, str]) -> int:
    """Index of the row among the first ones naming the most canonical (or mapped) columns; 0 on a tie."""
    wanted = [_norm(mapping.get(canon, canon)) for canon in CANONICAL_COLUMNS]
    scores = [sum(w in {_norm(h) for h in grid.iloc[i].tolist()} for w in wanted)
              for i in range(min(_HEADER_SEARCH_ROWS, len(grid)))]
    return int(np.argmax(scores)) if scores and max(scores) > 0 else 0


def _find_header(grid: pd.DataFrame, mapping: Mapping[str, str], label: str) -> int:
    """Index of the header row in a headerless grid (the first row holding every required column)."""
    for i in range(min(_HEADER_SEARCH_ROWS, len(grid))):
        headers = [str(h).strip() for h in grid.iloc[i].tolist()]
        try:
            if not _missing_required(_resolve_columns(headers, mapping, label)):
                return i
        except DataError:
            continue
    # No row has them all: report against the row most like a header (not a title line above it).
    headers = [str(h).strip() for h in grid.iloc[_likeliest_header(grid, mapping)].tolist()] if len(grid) else []
    found = _resolve_columns(headers, mapping, label)  # raises for an unknown mapped header
    missing = _missing_required(found)
    canon = missing[0]
    hint = f"map it under columns: in the params file (e.g. {canon}: Your Header)" if canon not in mapping else ""
    named = f"'{canon}'" if canon not in mapping else f"'{mapping[canon]}' (mapped to {canon} under columns: in the params file)"
    raise DataError(f"{label}: required column {named} is missing; {hint or 'check the export'}")


_BOM = b"\xef\xbb\xbf"
_HEAD_BYTES = 1 << 16
_CHUNK = 1 << 22


def _blocks(path: Path):
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            yield block


def _encoding(path: Path, label: str) -> tuple[str, list[str]]:
    """The encoding of a CSV export (UTF-8 with or without BOM, or Excel's Windows-1252) and a note. The file is
    read a block at a time, never held whole."""
    first = next(_blocks(path), b"")
    if b"\x00" in first[:8192]:
        raise DataError(f"{label}: not a CSV text file (it holds binary data); export the case log as CSV UTF-8 or .xlsx")
    if all(block.isspace() for block in _blocks(path)):  # stops at the first block with anything in it
        raise DataError(f"{label}: the file is empty; export the case log again")
    try:
        utf8 = codecs.getincrementaldecoder("utf-8")()  # a BOM is UTF-8 too
        for block in _blocks(path):
            if not (block.isascii() and not utf8.getstate()[0]):  # most exports: ASCII, nothing to decode
                utf8.decode(block)
        utf8.decode(b"", final=True)
        return "utf-8-sig", []
    except UnicodeDecodeError:
        pass
    try:
        cp1252 = codecs.getincrementaldecoder("cp1252")()
        for block in _blocks(path):
            cp1252.decode(block)
    except UnicodeDecodeError:
        raise DataError(f"{label}: not UTF-8 or Windows-1252 text; save it from Excel as 'CSV UTF-8 (Comma delimited)'") from None
    return "cp1252", [f"{label} is not UTF-8; it was read as Windows-1252 (Excel's 'CSV' format). Save it as 'CSV UTF-8' to be sure of accented characters."]


class _Cells:
    """The rows below the header, column by column (a pandas grid: spreadsheets, databases, odd CSVs)."""

    def __init__(self, grid: pd.DataFrame):
        self.grid = grid

    def __len__(self) -> int:
        return len(self.grid)

    def text(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Column ``i`` as (codes, distinct values without surrounding spaces); a missing cell is code -1."""
        return _stripped(*pd.factorize(self.grid.iloc[:, i].to_numpy(dtype=object)))

    def texts(self, columns: Mapping[str, int]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """:meth:`text` of each column, by name."""
        return {name: self.text(i) for name, i in columns.items()}

    def filled(self, i: int) -> np.ndarray:
        """Whether each cell of column ``i`` holds anything."""
        return self.grid.iloc[:, i].to_numpy(dtype=object) != ""

    def close(self) -> None:
        """Let go of the cells (their text is in the codes and distinct values now)."""
        self.grid = None


#: What Python's str.strip() strips, for Arrow to look for.
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


class _ArrowCells(_Cells):
    """The rows below the header as Arrow read them: each column as its distinct values (hashed in C++ as the
    file was parsed) and an index per cell; only the distinct values become Python strings."""

    def __init__(self, table, read_rest):
        self.table = table  # the columns the report reads, named by their place ("0", "1", ...)
        self._read_rest = read_rest  # reads the other columns, the first time a row is blank in all of these
        self._rest = None

    def __len__(self) -> int:
        return self.table.num_rows

    def text(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        import pyarrow.compute as pc

        encoded = self._column(i)
        codes, values = encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary
        if pc.all(pc.equal(values, pc.utf8_trim(values, characters=_SPACES))).as_py() is not False:
            return codes, values.to_numpy(zero_copy_only=False)  # no value has spaces around it: most exports
        return _stripped(codes, values.to_numpy(zero_copy_only=False))  # strip as Python does, and merge

    def texts(self, columns: Mapping[str, int]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        # Arrow hashes a column with the GIL released: two columns at a time (a million case_refs are most of it).
        with ThreadPoolExecutor(max_workers=2) as pool:
            return dict(zip(columns, pool.map(self.text, columns.values())))

    def filled(self, i: int) -> np.ndarray:
        import pyarrow.compute as pc

        encoded = self._column(i)
        return np.append(np.asarray(pc.not_equal(encoded.dictionary, "")), False)[
            encoded.indices.to_numpy(zero_copy_only=False)]

    def _column(self, i: int):
        """Column ``i`` as one dictionary array: Arrow encoded each block as it parsed it; the blocks'
        dictionaries are made one here."""
        table = self.table
        if str(i) not in table.column_names:
            if self._rest is None:
                self._rest = self._read_rest()
            table = self._rest
        return table.column(str(i)).unify_dictionaries().combine_chunks()

    def close(self) -> None:
        self.table = self._rest = None
        give_back_memory()  # the file's text, hundreds of MB: back to the system before validation starts


def give_back_memory() -> None:
    """Return freed memory to the system now: Arrow's allocator and glibc both keep freed blocks for reuse, and
    a render's peak is its process and its kernel together (a million-row log is read in the one, then held in
    the other)."""
    import ctypes

    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL(None).malloc_trim(0)  # glibc only; elsewhere nothing to do
    except (OSError, AttributeError):
        pass


def _arrow_cells(path: Path, encoding: str, sep: str, skip: int, width: int, wanted: list[int]) -> _ArrowCells | None:
    """The rows after the first ``skip`` ones, the ``wanted`` columns' cells as text, read by Arrow's CSV reader
    on every core (the other columns, an export's free text among them, are parsed but not kept); None when Arrow
    cannot parse the file or a row has more or fewer fields than the header, for the careful reader
    (:func:`_csv_grid`) to pad it or say where."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    names = [str(i) for i in range(width)]

    def read(columns: list[int]):
        misfits: list = []

        def misfit(row) -> str:
            misfits.append(row)
            return "skip"
        try:
            table = pacsv.read_csv(
                str(path),
                read_options=pacsv.ReadOptions(skip_rows=skip, column_names=names,
                                               encoding="utf8" if encoding == "utf-8-sig" else encoding),
                # Blank lines are rows (row numbers are the spreadsheet's); newlines inside quotes are kept.
                parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=False,
                                                 invalid_row_handler=misfit),
                # Each cell straight into its column's dictionary: a column holds its distinct texts once, and a
                # million cells cost an index each.
                convert_options=pacsv.ConvertOptions(
                    include_columns=[names[i] for i in columns],
                    column_types=dict.fromkeys(names, pa.dictionary(pa.int32(), pa.string())),
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
            return None
        return None if misfits else table

    table = read(wanted)
    if table is None:
        return None
    rest = [i for i in range(width) if i not in wanted]
    return _ArrowCells(table, lambda: read(rest))


def _csv_grid(raw: bytes, encoding: str, sep: str, width: int, label: str) -> pd.DataFrame:
    """The whole CSV as a pandas grid of text, every line a row: the careful reader, which pads a short
    row and says on which line a row has more fields than the header."""
    try:
        return pd.read_csv(io.BytesIO(raw), sep=sep, header=None, names=range(width), dtype=object,
                           keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
                           encoding=encoding)
    except pd.errors.ParserError as e:
        m = re.search(r"line (\d+)", str(e))
        where = f" at line {m.group(1)}" if m else ""
        raise DataError(f"{label}: not a well-formed CSV table{where} (a row has more fields than the header); "
                        "check quotes and commas there") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{label}: the file is empty; export the case log again") from None


def _csv(path: Path, label: str, mapping: Mapping[str, str]) -> tuple[int, list[str], _Cells, list[str]]:
    """A CSV export: the header's index, its headers, the rows below it, and the notes.

    The header is found among the first lines; the rows below it are read by Arrow (a million rows in
    about half a second) unless a row does not fit the table, when pandas reads the whole file (the two
    agree cell for cell: tests/test_casedata.py)."""
    encoding, notes = _encoding(path, label)
    # Only the first lines are decoded here (for the separator and the table's width); the readers
    # decode and parse the whole file from its bytes, several times faster than from a str.
    head = next(_blocks(path), b"")[:_HEAD_BYTES].decode(encoding, errors="ignore")
    sep = max([",", ";", "\t"], key=head.count)  # over the first lines: a title line has none
    # Title lines above the header (a report-style export) have fewer fields than the table:
    # find the header among the first lines, and read the table at the header's width, padding
    # the title lines but refusing a data row with more fields than the header.
    # newline="": lines end at \n, \r\n or a lone \r (any line endings), quoted newlines kept.
    try:
        head_rows = list(itertools.islice(csv.reader(io.StringIO(head, newline=""), delimiter=sep),
                                          _HEADER_SEARCH_ROWS))
    except csv.Error as e:
        raise DataError(f"{label}: not a well-formed CSV table near the top ({e}); check quotes and commas there") from None
    widest = max((len(r) for r in head_rows), default=1)
    header_at = _find_header(pd.DataFrame([r + [""] * (widest - len(r)) for r in head_rows]), mapping, label)
    width = max([len(r) for r in head_rows[:header_at + 1]] + [1])
    headers = [str(h).strip() for h in head_rows[header_at]] + [""] * (width - len(head_rows[header_at]))
    wanted = sorted(headers.index(str(h).strip()) for h in _resolve_columns(headers, mapping, label).values())
    cells = _arrow_cells(path, encoding, sep, header_at + 1, width, wanted)
    if cells is not None:
        return header_at, headers, cells, notes
    grid = _csv_grid(path.read_bytes(), encoding, sep, width, label)
    return header_at, [str(h).strip() for h in grid.iloc[header_at].tolist()], _Cells(grid.iloc[header_at + 1:]), notes


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


def _cell_text(values: pd.Series) -> pd.Series:
    """Spreadsheet/database cells -> text; real dates become ISO, whole numbers lose '.0'.

    Each distinct value is converted once (a column of a million cells holds a few thousand).
    """
    if values.dtype.kind == "M":
        return values.dt.strftime("%Y-%m-%d").fillna("")
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))  # missing -> -1 -> ""
    text = np.array([_one_cell_text(v) for v in uniques] + [""], dtype=object)
    return pd.Series(text[codes], index=values.index, dtype=object)


def _grid_from_xlsx(path: Path, sheet, label: str) -> tuple[pd.DataFrame, list[str]]:
    import openpyxl
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise DataError(f"{label}: not a readable .xlsx workbook; open it in Excel and save it again as .xlsx") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif isinstance(sheet, int):
            ws = book.worksheets[sheet]
        else:
            ws = book[str(sheet)]
    except (KeyError, IndexError):
        raise DataError(f"{label}: no sheet '{sheet}' (sheet: in the params file); its sheets are: {', '.join(book.sheetnames)}") from None
    rows = list(ws.iter_rows(values_only=True))
    book.close()
    if not rows or not any(c is not None and str(c).strip() for r in rows for c in r):
        raise DataError(f"{label}: the sheet '{ws.title}' is empty; export the case log again")
    grid = pd.DataFrame(rows, dtype=object)
    return grid.apply(_cell_text), []


def _expand_env(url: str, label: str, root: Path | None = None) -> str:
    """``${NAME}`` in a database URL, from the environment or the project's git-ignored ``.env`` file."""
    from dotenv import dotenv_values

    env = {**(dotenv_values(root / ".env") if root is not None else {}), **os.environ}

    def sub(m):
        name = m.group(1)
        if env.get(name) is None:
            raise DataError(f"{label}: environment variable {name} is not set; set it, or put it in the "
                            "project's .env file, before running reportlib")
        return env[name]
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", sub, url)


def _grid_from_sql(url: str, table: str | None, query: str | None, label: str,
                   root: Path | None = None) -> pd.DataFrame:
    import sqlalchemy as sa
    try:
        engine = sa.create_engine(_expand_env(url, label, root))
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ModuleNotFoundError) as e:
        raise DataError(f"{label}: not a database URL SQLAlchemy can use ({type(e).__name__}: {e}); "
                        "for PostgreSQL install reportlib[postgres] (psycopg)") from None
    try:
        with engine.connect() as conn:
            if query:
                frame = pd.read_sql_query(sa.text(query), conn)
            else:
                if not table:
                    tables = sa.inspect(conn).get_table_names()
                    if len(tables) != 1:
                        raise DataError(f"{label}: say which table holds the case log with table: in the params file; "
                                        f"the database has: {', '.join(tables) or 'no tables'}")
                    table = tables[0]
                if not sa.inspect(conn).has_table(table):
                    raise DataError(f"{label}: no table '{table}' (table: in the params file)")
                frame = pd.read_sql_table(table, conn)
    except sa.exc.OperationalError as e:
        first = str(e.orig).strip().splitlines()[0] if getattr(e, "orig", None) else str(e).splitlines()[0]
        raise DataError(f"{label}: cannot read the database: {first}") from None
    except (sa.exc.ProgrammingError, pd.errors.DatabaseError) as e:
        # pandas wraps a failing query's error (sqlite: "no such column") in its own DatabaseError
        cause = getattr(e, "orig", None) or getattr(e.__cause__, "orig", None) or e.__cause__ or e
        first = str(cause).strip().splitlines()[0]
        raise DataError(f"{label}: the query failed: {first}; check query: in the params file") from None
    finally:
        engine.dispose()
    header = pd.DataFrame([list(frame.columns)], dtype=object)
    body = frame.astype(object).apply(_cell_text) if len(frame) else frame.astype(object)
    body.columns = range(len(frame.columns))
    header.columns = range(len(frame.columns))
    return pd.concat([header, body], ignore_index=True)


def _who(text: np.ndarray, mapping: Mapping[str, str] | None) -> bool:
    """Whether the distinct values of a ``complainant`` column found by its header say who made the
    complaint (:data:`COMPLAINANTS`, or codes mapped under ``values: complainant:``), not who they are."""
    exact = {str(k).strip(): str(v) for k, v in (mapping or {}).items()}
    loose = {str(k).strip().lower(): str(v) for k, v in (mapping or {}).items()}
    allowed = set(COMPLAINANTS) | {""}
    return all(" ".join(exact.get(t, loose.get(t.lower(), t)).lower().split()) in allowed for t in map(str, text))


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def _is_zip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04"


def read(source: Source, root: Path | None = None) -> RawLog:
    """Read the source into canonical text columns. Raises DataError if it cannot be read."""
    label = source.label
    notes: list[str] = []
    database = source.is_url
    body: _Cells | None = None  # a CSV's rows below its header; other sources are read as a grid first
    if source.is_url:
        grid = _grid_from_sql(source.data, source.table, source.query, label, root)
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
            database = True
            grid = _grid_from_sql(f"sqlite:///{path.resolve()}", source.table, source.query, label)
        elif suffix in (".xlsx", ".xlsm") or _is_zip(path):
            grid, notes = _grid_from_xlsx(path, source.sheet, label)
        elif suffix == ".xls":
            raise DataError(f"{label}: old Excel .xls files are not read; open it in Excel and save it as .xlsx or CSV UTF-8")
        else:
            header_at, headers, body, notes = _csv(path, label, source.columns)
    if body is None:
        if grid.empty:
            raise DataError(f"{label}: the file is empty; export the case log again")
        header_at = _find_header(grid, source.columns, label)
        headers = [str(h).strip() for h in grid.iloc[header_at].tolist()]
        body = _Cells(grid.iloc[header_at + 1:])
    found = _resolve_columns(headers, source.columns, label)
    if header_at:
        notes.append(f"{label}: the header is on row {header_at + 1}; the {header_at} row(s) above it were skipped.")
    positions = {canon: headers.index(str(h).strip()) for canon, h in found.items()}
    distinct = body.texts(positions)
    if "complainant" in distinct and "complainant" not in source.columns and not _who(
            distinct["complainant"][1], source.values.get("complainant")):
        # An export's "Complainant" column usually holds names: personal data stays at the door.
        header = found.pop("complainant")
        del positions["complainant"], distinct["complainant"]
        notes.append(f"{label}: column '{header}' was not read as complainant: it holds values other than "
                     f"{', '.join(COMPLAINANTS[:-1])} or {COMPLAINANTS[-1]} (names?); if it says who made each "
                     f"complaint, map it under columns: in the params file (complainant: {header})")
    # Completely blank lines (a CSV saved by Excel often ends with some) are not rows.
    used = set(positions.values())
    filled = [np.append(text != "", False)[codes] for codes, text in distinct.values()]
    n = len(body)
    nonblank = np.logical_or.reduce(filled) if filled else np.zeros(n, dtype=bool)
    if not nonblank.all():  # blank in every column read: a blank line, or a row whose cells are all in others
        nonblank = np.logical_or.reduce([nonblank, *(body.filled(i) for i in range(len(headers)) if i not in used)])
    body.close()
    if database:  # databases have no spreadsheet rows: the record number
        rows = np.arange(1, n + 1, dtype=np.int64)
    else:  # as a spreadsheet shows it: the header's row + 1 onwards, blank lines counted
        rows = np.arange(header_at + 2, header_at + 2 + n, dtype=np.int64)
    if not nonblank.all():
        rows = rows[nonblank]
        distinct = {canon: (codes[nonblank], text) for canon, (codes, text) in distinct.items()}
    # Each column's values are distinct: Arrow's dictionary, or factorize's uniques (_stripped).
    frame = pd.DataFrame({"row": rows, **{canon: distinct_categorical(codes, text)
                                          for canon, (codes, text) in distinct.items()}})
    if frame.empty:
        raise DataError(f"{label}: has a header but no rows; export the case log again")
    return RawLog(frame, label, notes)


def _stripped(codes: np.ndarray, uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A column as (codes, distinct values) -> the same without spaces around the values (each stripped once,
    and values that differed only by them made one); a missing cell is code -1, read as ""."""
    try:
        text = np.array([u.strip() for u in uniques], dtype=object)
    except AttributeError:  # not all text (a hand-built grid): the slow, careful way
        text = np.array(["" if u is None or (isinstance(u, float) and np.isnan(u)) else str(u).strip()
                         for u in uniques], dtype=object)
    if len(text) and (text != uniques).any():  # "A1" and "A1 " are one value
        inverse, text = pd.factorize(text)
        codes = np.append(inverse, -1)[codes]
    return codes, text


def load(source: Source, root: Path | None = None, latest: dt.date | None = None, *,
         local_stage3: bool = False) -> CaseLog:
    """Read and validate a case log (a corporate stage 3 row is a bad row unless ``local_stage3``)."""
    return validate(read(source, root), source.values, latest, local_stage3=local_stage3)


def load_for(p, root: Path | None = None) -> CaseLog:
    """The case log a params object points at, validated as render does (a corporate stage 3 row is a bad row
    unless the params declare ``local_stage3``)."""
    return load(Source.from_params(p), root, p.meeting_date, local_stage3=getattr(p, "local_stage3", False))


def write_problems(log: CaseLog, path: Path) -> None:
    """``data_quality.csv``: one line per problem (header only when none).

    A spreadsheet opens a CSV cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
    formula, so such a cell (a case_ref or value as the case log holds it, ``=HYPERLINK(...)`` or ``-5``) is
    written with a leading ``'``, as OWASP's advice on CSV injection says: Excel shows it as the text it was."""
    frame = log.problems.reindex(columns=PROBLEM_COLUMNS)
    for name in frame.columns[frame.dtypes.map(lambda t: not pd.api.types.is_numeric_dtype(t))]:
        text = frame[name].astype("string")
        frame[name] = text.mask(text.str.match(r"[=+\-@\t\r]", na=False), "'" + text)
    frame.to_csv(path, index=False, lineterminator="\n")
