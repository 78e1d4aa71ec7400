"""Read a case-log export and validate it row by row.

``read`` turns a CSV / XLSX / SQLite file or SQLAlchemy URL into a table of
text in the canonical columns (everything else is dropped at the door), with
the source row number as a spreadsheet shows it. ``validate`` turns that into
typed cases plus a list of problems; ``load`` does both.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .errors import DataError
from .params import CANONICAL_COLUMNS

REQUIRED = ("case_ref", "kind", "procedure", "received")
KINDS = ("complaint", "comment", "compliment")
PROCEDURES = ("childrens", "adults", "corporate")
DATE_COLUMNS = ("received", "acknowledged", "responded")
TEXT_COLUMNS = ("team", "service", "delay_reason", "outcome")
PROBLEM_COLUMNS = ["row", "case_ref", "column", "value", "problem", "action"]
_HEADER_SEARCH_ROWS = 20
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


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

    ``distinct`` holds each text column as (codes, distinct values) as the reader found
    them, so validation works once per distinct value without hashing the column again.
    """

    frame: pd.DataFrame
    label: str
    notes: list[str] = field(default_factory=list)
    distinct: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)


@dataclass
class CaseLog:
    """Validated cases, the problems found, and how many rows were read."""

    cases: pd.DataFrame
    problems: pd.DataFrame
    rows_read: int
    label: str
    notes: list[str] = field(default_factory=list)

    @property
    def rows_excluded(self) -> int:
        if self.problems.empty:
            return 0
        return int(self.problems.loc[self.problems["action"] == "excluded", "row"].nunique())

    @property
    def rows_used(self) -> int:
        return len(self.cases)

    @property
    def warnings(self) -> int:
        return int((self.problems["action"] == "kept").sum()) if not self.problems.empty else 0

    def problem_counts(self) -> list[tuple[str, str, str, int]]:
        """(problem type, column, action, rows) for each kind of problem found: excluded before kept, most rows first.

        The type is the problem's words before any detail ("duplicate case_ref + stage + kind" of
        "duplicate case_ref + stage + kind: same as row 2")."""
        if self.problems.empty:
            return []
        kinds = self.problems.assign(kind=self.problems["problem"].astype(str).str.split(":", n=1).str[0])
        counts = kinds.groupby(["kind", "column", "action"], sort=False)["row"].nunique().reset_index()
        found = [(r.kind, r.column, r.action, int(r.row)) for r in counts.itertuples(index=False)]
        return sorted(found, key=lambda f: (f[2] != "excluded", -f[3], f[0]))

    def summary(self) -> str:
        """One line: rows read, used and excluded."""
        s = (f"{self.label}: {self.rows_read:,} {'row' if self.rows_read == 1 else 'rows'} read, "
             f"{self.rows_used:,} used, {self.rows_excluded:,} excluded")
        if self.warnings:
            s += f", {self.warnings:,} kept with a warning"
        return s


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


def _encoding(raw: bytes, label: str) -> tuple[str, list[str]]:
    """The encoding of a CSV export (UTF-8 with or without BOM, or Excel's Windows-1252) and a note."""
    if not raw or raw.isspace():
        raise DataError(f"{label}: the file is empty; export the case log again")
    if b"\x00" in raw[:8192]:
        raise DataError(f"{label}: not a CSV text file (it holds binary data); export the case log as CSV UTF-8 or .xlsx")
    if (raw[len(_BOM):] if raw.startswith(_BOM) else raw).isascii():  # most exports: no decoding needed
        return "utf-8-sig", []
    body = memoryview(raw)[len(_BOM):] if raw.startswith(_BOM) else memoryview(raw)
    try:
        decoder = codecs.getincrementaldecoder("utf-8")()  # in chunks: no second copy of a big file
        for start in range(0, body.nbytes, _CHUNK):
            decoder.decode(body[start:start + _CHUNK])
        decoder.decode(b"", final=True)
        return "utf-8-sig", []
    except UnicodeDecodeError:
        pass
    try:
        decoder = codecs.getincrementaldecoder("cp1252")()
        for start in range(0, len(raw), _CHUNK):
            decoder.decode(memoryview(raw)[start:start + _CHUNK])
    except UnicodeDecodeError:
        raise DataError(f"{label}: not UTF-8 or Windows-1252 text; save it from Excel as 'CSV UTF-8 (Comma delimited)'") from None
    return "cp1252", [f"{label} is not UTF-8; it was read as Windows-1252 (Excel's 'CSV' format). Save it as 'CSV UTF-8' to be sure of accented characters."]


def _decode(raw: bytes, label: str) -> tuple[str, list[str]]:
    """The whole file as text, and a note if it was not UTF-8."""
    encoding, notes = _encoding(raw, label)
    return raw.decode(encoding), notes


def _grid_from_csv(path: Path, label: str, mapping: Mapping[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """The CSV as a grid of text (every line a row, blank ones too), and the notes."""
    raw = path.read_bytes()
    encoding, notes = _encoding(raw, label)
    # Only the first lines are decoded here (for the separator and the table's width); pandas
    # decodes and parses the whole file from the bytes, several times faster than from a str.
    head = raw[:_HEAD_BYTES].decode(encoding, errors="ignore")
    sep = max([",", ";", "\t"], key=head.count)  # over the first lines: a title line has none
    # Title lines above the header (a report-style export) have fewer fields than the table:
    # find the header among the first lines and give pandas its width, so that it pads the
    # title lines but still refuses a data row with more fields than the header.
    # newline="": lines end at \n, \r\n or a lone \r (any line endings), quoted newlines kept.
    try:
        head_rows = list(itertools.islice(csv.reader(io.StringIO(head, newline=""), delimiter=sep),
                                          _HEADER_SEARCH_ROWS))
    except csv.Error as e:
        raise DataError(f"{label}: not a well-formed CSV table near the top ({e}); check quotes and commas there") from None
    widest = max((len(r) for r in head_rows), default=1)
    header_at = _find_header(pd.DataFrame([r + [""] * (widest - len(r)) for r in head_rows]), mapping, label)
    width = max([len(r) for r in head_rows[:header_at + 1]] + [1])
    try:
        grid = pd.read_csv(io.BytesIO(raw), sep=sep, header=None, names=range(width), dtype=object,
                           keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
                           encoding=encoding)
    except pd.errors.ParserError as e:
        m = re.search(r"line (\d+)", str(e))
        where = f" at line {m.group(1)}" if m else ""
        raise DataError(f"{label}: not a well-formed CSV table{where} (a row has more fields than the header); "
                        "check quotes and commas there") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{label}: the file is empty; export the case log again") from None
    return grid, notes


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
            grid, notes = _grid_from_csv(path, label, source.columns)
    if grid.empty:
        raise DataError(f"{label}: the file is empty; export the case log again")
    header_at = _find_header(grid, source.columns, label)
    headers = [str(h).strip() for h in grid.iloc[header_at].tolist()]
    found = _resolve_columns(headers, source.columns, label)
    if header_at:
        notes.append(f"{label}: the header is on row {header_at + 1}; the {header_at} row(s) above it were skipped.")
    positions = {canon: headers.index(str(h).strip()) for canon, h in found.items()}
    body = grid.iloc[header_at + 1:]
    distinct = {canon: _stripped(body.iloc[:, i].to_numpy(dtype=object)) for canon, i in positions.items()}
    # Completely blank lines (a CSV saved by Excel often ends with some) are not rows.
    used = set(positions.values())
    filled = [np.append(text != "", False)[codes] for codes, text in distinct.values()]
    filled += [body.iloc[:, i].to_numpy(dtype=object) != "" for i in range(body.shape[1]) if i not in used]
    nonblank = np.logical_or.reduce(filled) if filled else np.zeros(len(body), dtype=bool)
    if database:  # databases have no spreadsheet rows: the record number
        rows = np.arange(1, len(body) + 1, dtype=np.int64)
    else:  # as a spreadsheet shows it: the header's row + 1 onwards, blank lines counted
        rows = np.arange(header_at + 2, header_at + 2 + len(body), dtype=np.int64)
    if not nonblank.all():
        rows = rows[nonblank]
        distinct = {canon: (codes[nonblank], text) for canon, (codes, text) in distinct.items()}
    frame = pd.DataFrame({"row": rows, **{canon: np.append(text, "")[codes] for canon, (codes, text) in distinct.items()}})
    if frame.empty:
        raise DataError(f"{label}: has a header but no rows; export the case log again")
    return RawLog(frame, label, notes, distinct)


# --- validating --------------------------------------------------------------

_ISO = r"\d{4}-\d{2}-\d{2}"
_UK = r"\d{1,2}/\d{1,2}/\d{4}"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"


def _stripped(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Text cells without surrounding spaces as (codes, distinct values); each value is stripped once."""
    codes, uniques = pd.factorize(values)  # a missing cell -> code -1 -> ""
    try:
        text = np.array([u.strip() for u in uniques], dtype=object)
    except AttributeError:  # not all text (a hand-built grid): the slow, careful way
        text = np.array(["" if u is None or (isinstance(u, float) and np.isnan(u)) else str(u).strip()
                         for u in uniques], dtype=object)
    if len(text) and (text != uniques).any():  # "A1" and "A1 " are one value
        inverse, text = pd.factorize(text)
        codes = np.append(inverse, -1)[codes]
    return codes, text


class _Text:
    """A text column as codes into its distinct values: text work is done once per distinct value."""

    __slots__ = ("codes", "uniques")

    def __init__(self, values, codes: np.ndarray | None = None):
        if codes is None:
            codes, values = pd.factorize(np.asarray(values, dtype=object))  # missing -> code -1 -> ""
        self.codes = codes
        self.uniques = pd.Series(np.asarray(values, dtype=object), dtype=object)

    @classmethod
    def of(cls, raw: "RawLog", canon: str) -> "_Text":
        column = raw.frame[canon]
        codes, text = raw.distinct.get(canon, (None, None))
        if codes is not None and len(codes) == len(column):  # as read() found them
            return cls(text, codes)
        return cls(column.astype(str).str.strip().to_numpy(dtype=object))

    def each(self, fn) -> "_Text":
        """A column with ``fn`` (Series of distinct values -> Series) applied to every value."""
        return _Text(np.asarray(fn(self.uniques), dtype=object), self.codes)

    def test(self, fn) -> np.ndarray:
        """Boolean per row: ``fn`` (Series of distinct values -> booleans) spread back to the rows."""
        return np.append(np.asarray(fn(self.uniques), dtype=bool), False)[self.codes]

    def values(self) -> np.ndarray:
        return np.append(self.uniques.to_numpy(dtype=object), "")[self.codes]

    def take(self, per_value) -> np.ndarray:
        """Spread an array with one entry per distinct value back to the rows."""
        return np.asarray(per_value)[self.codes]


_ISO = r"\d{4}-\d{2}-\d{2}"
_UK = r"\d{1,2}/\d{1,2}/\d{4}"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_DTYPE = "datetime64[us]"


def _parse_distinct_dates(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Distinct date texts -> (datetime64 array, problem text array; "" where fine or blank)."""
    text = text.astype(str).reset_index(drop=True)
    blank = (text == "").to_numpy()
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype(_DATE_DTYPE)
    todo = dates.isna().to_numpy() & ~blank
    if todo.any():
        rest = text[todo]
        date_part = rest.str.replace(r"[ T]\d{1,2}:\d{2}.*$", "", regex=True)
        iso = rest.str.fullmatch(_ISO + _TIME)
        uk = rest.str.fullmatch(_UK + _TIME)
        serial = rest.str.fullmatch(r"\d{5}(?:\.\d+)?")
        parsed = pd.Series(pd.NaT, index=rest.index, dtype=_DATE_DTYPE)
        parsed[iso] = pd.to_datetime(date_part[iso], format="%Y-%m-%d", errors="coerce")
        parsed[uk] = pd.to_datetime(date_part[uk], format="%d/%m/%Y", errors="coerce")
        if serial.any():
            days = pd.to_numeric(rest[serial]).astype("int64")
            ok = (days >= 32874) & (days <= 73050)  # 1990-01-01 .. 2099-12-31
            parsed[serial & ok.reindex(rest.index, fill_value=False)] = (
                pd.Timestamp("1899-12-30") + pd.to_timedelta(days[ok], unit="D"))
        dates[todo] = parsed
    problem = np.full(len(text), "", dtype=object)
    bad = dates.isna().to_numpy() & ~blank
    if bad.any():
        rest = text[bad]
        shaped = rest.str.fullmatch(_ISO + _TIME) | rest.str.fullmatch(_UK + _TIME)
        two_digit = rest.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}" + _TIME)
        month = pd.to_numeric(rest.str.extract(r"^\d{1,2}/(\d{1,2})/\d{4}", expand=False), errors="coerce")
        month_first = (month > 12).to_numpy()
        msg = pd.Series("not a date: write 18/08/2020 or 2020-08-18", index=rest.index, dtype=object)
        msg[shaped] = "impossible date (no such day)"
        msg[month_first] = "impossible date: month above 12 (dates are read day first, 18/08/2020)"
        msg[two_digit] = "two-digit year: write the year in full, 18/08/2020"
        problem[bad] = msg.to_numpy()
    return dates.to_numpy(), problem


def _dates(column: _Text) -> tuple[np.ndarray, np.ndarray]:
    dates, problem = _parse_distinct_dates(column.uniques)
    return (np.append(dates, np.datetime64("NaT")).astype(_DATE_DTYPE)[column.codes],
            np.append(problem, "")[column.codes])


def parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text -> (dates, problem) with ISO, UK day-first or Excel serial dates; vectorised.

    ``problem`` is "" where the cell parsed or was blank, otherwise the reason.
    Each distinct text is parsed once (a case log holds a few thousand distinct dates).
    """
    dates, problem = _dates(_Text(pd.Series(text).astype(str).to_numpy(dtype=object)))
    return pd.Series(dates, index=text.index), pd.Series(problem, index=text.index, dtype=object)


def _map_values(columns: dict[str, _Text], values: Mapping[str, Mapping[str, str]]) -> None:
    """Export codes -> canonical values (params ``values:``): exact first, then ignoring case."""
    for canon, mapping in values.items():
        if canon not in columns or not mapping:
            continue
        exact = {str(k).strip(): str(v) for k, v in mapping.items()}
        loose = {str(k).strip().lower(): str(v) for k, v in mapping.items()}

        def remap(u: pd.Series) -> pd.Series:
            mapped = u.map(exact)
            mapped = mapped.fillna(u.str.lower().map(loose))
            return mapped.fillna(u)
        columns[canon] = columns[canon].each(remap)


def _category(column: _Text, fn=None) -> pd.Categorical:
    """A categorical of the column's values ("" -> missing), from its codes: no second hashing pass."""
    uniques = column.uniques if fn is None else fn(column.uniques)
    inverse, cats = pd.factorize(uniques.where(uniques != "", None).to_numpy(dtype=object))
    codes = np.append(inverse, -1)[column.codes]
    return pd.Categorical.from_codes(codes, categories=pd.Index(cats, dtype=str))


def _positions(column: _Text, allowed: tuple[str, ...]) -> np.ndarray:
    """Per row: the index of its value in ``allowed``, -1 when not there."""
    return np.append(pd.Index(allowed).get_indexer(column.uniques.to_numpy(dtype=object)), -1)[column.codes]


def validate(raw: RawLog, values: Mapping[str, Mapping[str, str]] | None = None,
             latest: dt.date | None = None) -> CaseLog:
    """Typed cases and the problems of each bad row.

    ``values`` maps export codes to canonical values per column; ``latest`` is
    the last possible date (the meeting date): a date after it is a typo.

    Every text operation runs once per distinct value of a column and is spread
    back to the rows by its codes, so a million rows cost about as much as their
    few thousand distinct dates, teams and codes.
    """
    frame = raw.frame
    n = len(frame)
    row = frame["row"].to_numpy(dtype=np.int64)
    cols = {canon: _Text.of(raw, canon) if canon in frame else
            _Text(np.array([""], dtype=object), np.zeros(n, dtype=np.intp)) for canon in CANONICAL_COLUMNS}
    cols["case_ref"] = cols["case_ref"].each(lambda u: u.astype(str))
    _map_values(cols, values or {})
    text = {canon: None for canon in CANONICAL_COLUMNS}  # full text columns, made only when needed

    def column_text(column: str) -> np.ndarray:
        if text[column] is None:
            text[column] = cols[column].values()
        return text[column]

    found: list[pd.DataFrame] = []
    bad = np.zeros(n, dtype=bool)

    def flag(mask, column, problem, action="excluded"):
        nonlocal bad
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        found.append(pd.DataFrame({
            "row": row[mask],
            "case_ref": column_text("case_ref")[mask],
            "column": column,
            "value": column_text(column)[mask],
            "problem": problem[mask] if isinstance(problem, np.ndarray) else problem,
            "action": action,
        }))
        if action == "excluded":
            bad |= mask

    case_ref = cols["case_ref"]
    flag(case_ref.test(lambda u: u == ""), "case_ref", "case_ref is blank")

    kind = cols["kind"].each(lambda u: u.str.lower())
    flag(kind.test(lambda u: ~u.isin(KINDS)), "kind",
         "unknown kind: use complaint, comment or compliment, or map it under values: kind: in the params file")
    procedure = cols["procedure"].each(lambda u: u.str.lower())
    flag(procedure.test(lambda u: ~u.isin(PROCEDURES)), "procedure",
         "unknown procedure: use childrens, adults or corporate, or map it under values: procedure: in the params file")

    stage_text = cols["stage"].each(
        lambda u: u.str.lower().str.replace(r"^stage\s*", "", regex=True).str.replace(r"\.0$", "", regex=True))
    stage_of = pd.to_numeric(stage_text.uniques.where(stage_text.uniques.isin(["1", "2", "3"])), errors="coerce")
    stage = stage_text.take(np.append(stage_of.to_numpy(dtype=float), np.nan))
    complaint = kind.test(lambda u: u == "complaint")
    stage_blank = stage_text.test(lambda u: u == "")
    flag(complaint & stage_blank, "stage", "stage is blank on a complaint: give 1, 2 or 3")
    flag(complaint & ~stage_blank & np.isnan(stage), "stage", "unknown stage: use 1, 2 or 3")

    dates = {}
    for col in DATE_COLUMNS:
        parsed, problem = _dates(cols[col])
        dates[col] = parsed
        flag(problem != "", col, problem)
    flag(cols["received"].test(lambda u: u == ""), "received", "received is blank")
    received, responded, acknowledged = dates["received"], dates["responded"], dates["acknowledged"]
    flag(responded < received, "responded", "responded before received")
    flag(acknowledged < received, "acknowledged", "acknowledged before received")
    if latest is not None:
        limit = np.datetime64(pd.Timestamp(latest).date(), "D").astype(_DATE_DTYPE)
        for col in DATE_COLUMNS:
            flag(dates[col] > limit, col,
                 f"date is after the meeting date ({latest:%d/%m/%Y}): a typo or a future date")

    extended = cols["extended"].each(lambda u: u.str.lower())
    flag(extended.test(lambda u: ~u.isin(_YES | _NO)), "extended", "extended must be yes or no")

    # Duplicates among otherwise good rows: the first is kept, the others excluded. The key
    # (case_ref, stage, kind) as one integer: case_ref's code, stage 0-3, kind code 0-2.
    kind_code = _positions(kind, KINDS) + 1
    stage_key = np.where(complaint, np.nan_to_num(stage, nan=0.0), 0).astype(np.int64)
    key = (case_ref.codes.astype(np.int64) * 4 + stage_key) * 4 + kind_code
    good = np.flatnonzero(~bad)
    good_key = pd.Series(key[good])
    dup_good = good_key.duplicated(keep="first").to_numpy()
    if dup_good.any():
        first_row = pd.Series(row[good]).groupby(good_key.to_numpy(), sort=False).transform("first").to_numpy()
        dup = np.zeros(n, dtype=bool)
        dup[good[dup_good]] = True
        same_as = np.full(n, "", dtype=object)
        same_as[good[dup_good]] = ["duplicate case_ref + stage + kind: same as row " + str(r)
                                   for r in first_row[dup_good]]
        flag(dup, "case_ref", same_as)

    keep = ~bad
    stage_series = pd.Series(stage[keep]).where(complaint[keep]).astype("Int8")
    cases = pd.DataFrame({
        "row": row[keep],
        "case_ref": pd.Series(column_text("case_ref")[keep], dtype=str),
        "kind": pd.Categorical.from_codes(_positions(kind, KINDS)[keep], categories=KINDS),
        "procedure": pd.Categorical.from_codes(_positions(procedure, PROCEDURES)[keep], categories=PROCEDURES),
        "stage": stage_series,
        "received": pd.Series(received[keep], dtype=_DATE_DTYPE),
        "acknowledged": pd.Series(acknowledged[keep], dtype=_DATE_DTYPE),
        "responded": pd.Series(responded[keep], dtype=_DATE_DTYPE),
        "team": _category(cols["team"])[keep],
        "service": _category(cols["service"])[keep],
        "delay_reason": _category(cols["delay_reason"])[keep],
        "outcome": _category(cols["outcome"], lambda u: u.str.lower())[keep],
        "extended": extended.test(lambda u: u.isin(_YES))[keep],
    })

    # Later stages whose case has no stage 1: kept (the log may start mid-case) but listed.
    kept_complaint = complaint[keep]
    kept_stage = stage[keep]
    kept_ref = case_ref.codes[keep]
    has_one = np.zeros(len(case_ref.uniques) + 1, dtype=bool)
    has_one[kept_ref[kept_complaint & (kept_stage == 1)]] = True
    orphan = kept_complaint & (kept_stage > 1) & ~has_one[kept_ref]
    if orphan.any():
        sub = cases[orphan]
        found.append(pd.DataFrame({"row": sub["row"].to_numpy(), "case_ref": sub["case_ref"].to_numpy(),
                                   "column": "stage", "value": sub["stage"].astype(str).to_numpy(),
                                   "problem": "no stage 1 row for this case: counted from its first stage in the log",
                                   "action": "kept"}))

    problems = (pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=PROBLEM_COLUMNS))
    problems = problems.sort_values(["row", "column"], kind="stable").reset_index(drop=True)
    return CaseLog(cases, problems, n, raw.label, list(raw.notes))


def load(source: Source, root: Path | None = None, latest: dt.date | None = None) -> CaseLog:
    """Read and validate a case log."""
    return validate(read(source, root), source.values, latest)


def load_for(p, root: Path | None = None) -> CaseLog:
    """The case log a params object points at, validated as render does."""
    return load(Source.from_params(p), root, p.meeting_date)


def write_problems(log: CaseLog, path: Path) -> None:
    """``data_quality.csv``: one line per problem (header only when none)."""
    log.problems.reindex(columns=PROBLEM_COLUMNS).to_csv(path, index=False, lineterminator="\n")
