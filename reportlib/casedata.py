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
import sqlite3
import warnings
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
    #: Rows whose field count differs from the header's: their row number and problem only (``row``,
    #: ``problem``), for :func:`~reportlib.rows.validate` to list as excluded. None of their values is read.
    broken: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"row": np.zeros(0, dtype=np.int64),
                                                                       "problem": np.zeros(0, dtype=object)}))



# --- reading -----------------------------------------------------------------

def _shown(value, limit: int = 80) -> str:
    """A value as a message echoes it: on one line, control characters escaped, cut to about ``limit`` characters."""
    text = " ".join(str(value).split())
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


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
                    f"its headers are: {_listed(headers)}")
            found[canon] = header
        elif canon in loose:
            found[canon] = loose[canon]
    return found


def _listed(headers: list[str], most: int = 20) -> str:
    """Headers as a message lists them: the first ``most`` (each cut short), and how many more."""
    shown = [_shown(h, 40) for h in headers if str(h).strip()]
    return ", ".join(shown[:most]) + (f" and {len(shown) - most:,} more" if len(shown) > most else "")


def _missing_required(found: Mapping[str, str]) -> list[str]:
    return [c for c in REQUIRED if c not in found]


def _likeliest_header(grid: pd.DataFrame, mapping: Mapping[str, str]) -> int:
    """Index of the row among the first ones naming the most canonical (or mapped) columns; 0 on a tie."""
    wanted = [_norm(mapping.get(canon, canon)) for canon in CANONICAL_COLUMNS]
    rows = [{_norm(h) for h in grid.iloc[i].tolist()} for i in range(min(_HEADER_SEARCH_ROWS, len(grid)))]
    scores = [sum(w in row for w in wanted) for row in rows]
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
#: Wider than any case log: refused in one line rather than read (a stray cell at XFD1048576, a header of
#: 20,000 fields). Real exports have tens of columns, a few hundred at most.
MAX_COLUMNS = 1_000
_EXCEL_ROWS = 1_048_576
_RE_EXPORT = "save it from Excel as 'CSV UTF-8 (Comma delimited)'"
_UNREADABLE_XLSX = "not a readable .xlsx workbook; open it in Excel and save it again as .xlsx"
_NOT_TEXT = "not a CSV text file (it holds binary data); export the case log as CSV UTF-8 or .xlsx"


def _blocks(path: Path, start: int = 0):
    with path.open("rb") as f:
        f.seek(start)
        while block := f.read(_CHUNK):
            yield block


def _head(path: Path, size: int = _HEAD_BYTES) -> bytes:
    """The file's first ``size`` bytes."""
    with path.open("rb") as f:
        return f.read(size)


def _line_at(path: Path, offset: int) -> int:
    """The line (as a text editor numbers them: after \\n, \\r\\n or a lone \\r) holding byte ``offset``."""
    ends, previous = 0, b""
    with path.open("rb") as f:
        while offset > 0 and (block := f.read(min(_CHUNK, offset))):
            offset -= len(block)
            ends += (block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
                     - (previous == b"\r" and block[:1] == b"\n"))
            previous = block[-1:]
    return ends + 1


def _first_not_utf8(path: Path) -> tuple[int | None, bool, int | None]:
    """(offset of the first byte that is not UTF-8 or None, whether a multi-byte UTF-8 character comes before it,
    offset of the first NUL byte before it or None). Block by block; ASCII blocks are not decoded."""
    offset, carry, multibyte = 0, b"", False
    for block in _blocks(path):
        nul = block.find(b"\x00")
        if nul >= 0:
            return None, multibyte, offset + nul
        data = carry + block
        if data.isascii():
            carry = b""
        else:
            try:
                text, used = codecs.utf_8_decode(data, "strict", False)  # a BOM is UTF-8 too
            except UnicodeDecodeError as e:
                return offset - len(carry) + e.start, multibyte or not data[:e.start].isascii(), None
            multibyte = multibyte or not text.isascii()
            carry = data[used:]  # a character cut by the end of the block: decoded with the next
        offset += len(block)
    return (offset - len(carry) if carry else None), multibyte, None


def _holds_utf8(path: Path, start: int) -> tuple[bool, int | None]:
    """(whether a valid multi-byte UTF-8 character lies at or after byte ``start``, offset of the first NUL byte
    there or None). Decoded with each byte that is not UTF-8 kept as one character of its own: the text is then
    shorter than its bytes exactly when a character took several."""
    offset, carry = start, b""
    for block in _blocks(path, start):
        nul = block.find(b"\x00")
        if nul >= 0:
            return False, offset + nul
        data = carry + block
        text, used = codecs.utf_8_decode(data, "surrogateescape", False)
        if len(text) < used:
            return True, None
        carry, offset = data[used:], offset + len(block)  # a character cut by the end of the block
    return False, None


def _encoding(path: Path, label: str) -> tuple[str, list[str]]:
    """The encoding of a CSV export and a note: UTF-8 with or without BOM, UTF-16 with a BOM, or Excel's
    Windows-1252 when the file holds no multi-byte UTF-8 character at all. A file mixing UTF-8 with another
    encoding is refused naming its first line that is not UTF-8. The file is read a block at a time, never held
    whole."""
    first = _head(path, 8192)
    if first.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise DataError(f"{label}: UTF-32 text is not read; {_RE_EXPORT}")
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16(path, label), []
    if b"\x00" in first:
        raise DataError(f"{label}: {_NOT_TEXT}")
    if all(block.isspace() for block in _blocks(path)):  # stops at the first block with anything in it
        raise DataError(f"{label}: the file is empty; export the case log again")
    bad, multibyte, nul = _first_not_utf8(path)
    if bad is not None and not multibyte:
        multibyte, nul = _holds_utf8(path, bad)
    if nul is not None:
        raise DataError(f"{label}: line {_line_at(path, nul):,} holds a NUL byte: {_NOT_TEXT}")
    if bad is None:
        return "utf-8-sig", []
    if multibyte:
        raise DataError(f"{label}: line {_line_at(path, bad):,} is not UTF-8 but other text in the file is (it mixes "
                        f"encodings); {_RE_EXPORT}")
    try:
        cp1252 = codecs.getincrementaldecoder("cp1252")()
        for block in _blocks(path):
            cp1252.decode(block)
    except UnicodeDecodeError:
        raise DataError(f"{label}: not UTF-8 or Windows-1252 text; {_RE_EXPORT}") from None
    return "cp1252", [f"{label} is not UTF-8; it was read as Windows-1252 (Excel's 'CSV' format). Save it as "
                      "'CSV UTF-8' to be sure of accented characters."]


def _utf16(path: Path, label: str) -> str:
    """'utf-16' for a file that starts with a UTF-16 byte-order mark and is UTF-16 throughout."""
    codec = "utf-16-le" if _head(path, 2) == codecs.BOM_UTF16_LE else "utf-16-be"
    decoder, lines, blank, mark, previous = codecs.getincrementaldecoder(codec)(), 1, True, 2, ""
    for block in _blocks(path):
        data, mark = block[mark:], 0
        try:
            text = decoder.decode(data)
        except UnicodeDecodeError as e:
            lines += _line_count(codecs.decode(data[:max(0, e.start - len(decoder.getstate()[0]))], codec, "replace"))
            raise DataError(f"{label}: line {lines:,} is not UTF-16 text, though the file starts as UTF-16; "
                            f"{_RE_EXPORT}") from None
        if "\x00" in text:
            lines += _line_count(text[:text.index("\x00")])
            raise DataError(f"{label}: line {lines:,} holds a NUL character: {_NOT_TEXT}")
        lines -= previous.endswith("\r") and text.startswith("\n")  # a \r\n cut by the end of a block
        lines, blank, previous = lines + _line_count(text), blank and (not text or text.isspace()), text[-1:] or previous
    if blank:
        raise DataError(f"{label}: the file is empty; export the case log again")
    if decoder.getstate()[0]:
        raise DataError(f"{label}: line {lines:,} is not UTF-16 text (it ends mid-character); {_RE_EXPORT}")
    return "utf-16"


def _line_count(text: str) -> int:
    """How many line ends (\\n, \\r\\n or a lone \\r) ``text`` holds."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


class _Cells:
    """The rows below the header, column by column (a pandas grid: databases).

    ``rows`` is each row's number as a spreadsheet shows it when some lines were not rows of the table (None: one
    after another from the header down); ``broken`` the (row, fields) of each row whose field count differs from
    the header's: listed by number only, none of their values read."""

    rows: np.ndarray | None = None
    broken: list[tuple[int, int]] = ()  # type: ignore[assignment]

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

    def filled_elsewhere(self, used: set[int], width: int) -> np.ndarray:
        """Whether each row holds anything in a column not in ``used``."""
        return np.logical_or.reduce([np.zeros(len(self), dtype=bool),
                                     *(self.filled(i) for i in range(width) if i not in used)])

    def close(self) -> None:
        """Let go of the cells (their text is in the codes and distinct values now)."""
        self.grid = None


class _ColumnCells(_Cells):
    """The rows below the header gathered cell by cell (Excel, or a CSV Arrow cannot read): the text of the columns
    the report reads, and whether each row holds anything in the others."""

    def __init__(self, columns: dict[int, np.ndarray], elsewhere: np.ndarray, rows: np.ndarray | None = None,
                 broken: list[tuple[int, int]] | None = None):
        self.columns, self.elsewhere, self.rows, self.broken = columns, elsewhere, rows, broken or []

    def __len__(self) -> int:
        return len(self.elsewhere)

    def text(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return _stripped(*pd.factorize(self.columns[i]))

    def filled(self, i: int) -> np.ndarray:
        return self.columns[i] != ""

    def filled_elsewhere(self, used: set[int], width: int) -> np.ndarray:
        return np.logical_or.reduce([self.elsewhere, *(self.filled(i) for i in self.columns if i not in used)])

    def close(self) -> None:
        self.columns = {}


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
    on every core (the other columns, an export's free text among them, are parsed but not kept). A row with more
    or fewer fields than the header is left out of the table and listed by its number (``broken``); None when
    Arrow cannot parse the file (a field longer than its blocks), for the careful reader (:func:`_careful_cells`)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    names = [str(i) for i in range(width)]

    def read(columns: list[int], threads: bool = True):
        misfits: list[tuple[int | None, int, bool]] = []

        def misfit(row) -> str:  # its text is looked at only to tell a blank line; it is kept nowhere
            try:
                blank = _blank_record(row.text, sep)
            except Exception:  # noqa: BLE001 - an error here would be lost inside Arrow: a row, then
                blank = False
            misfits.append((row.number, row.actual_columns, blank))
            return "skip"
        try:
            table = pacsv.read_csv(
                str(path),
                read_options=pacsv.ReadOptions(skip_rows=skip, column_names=names, use_threads=threads,
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
            return None, misfits
        return table, misfits

    table, misfits = read(wanted)
    if table is not None and misfits:  # Arrow numbers the rows it leaves out only when it reads on one thread
        table, misfits = read(wanted, threads=False)
    if table is None or any(number is None for number, _, _ in misfits):
        return None
    rest = [i for i in range(width) if i not in wanted]
    cells = _ArrowCells(table, lambda: read(rest)[0])
    if misfits:
        every = np.arange(skip + 1, skip + 1 + table.num_rows + len(misfits), dtype=np.int64)
        cells.rows = every[~np.isin(every, np.array([number for number, _, _ in misfits], dtype=np.int64))]
        cells.broken = [(number, fields) for number, fields, blank in misfits if not blank]
    return cells


def _blank_record(text: str, sep: str) -> bool:
    """Whether a CSV record holds nothing but separators, spaces and empty quoted fields (a blank line, or ',,,'
    short of the header)."""
    rest = "".join(text.split()).replace(sep, "")
    if not rest or rest.strip('"'):
        return not rest
    try:  # only quotes are left: "" is an empty field, """" one holding a quote
        return all(not field.strip() for record in csv.reader(io.StringIO(text, newline=""), delimiter=sep)
                   for field in record)
    except csv.Error:  # a field of quotes and spaces longer than csv's limit: not blank, then
        return False


def _careful_cells(path: Path, encoding: str, sep: str, skip: int, width: int, wanted: list[int]) -> _ColumnCells:
    """What :func:`_arrow_cells` reads, record by record with Python's csv module: for a file Arrow cannot parse
    (a field longer than Arrow's blocks). Slower, and agrees with Arrow cell for cell (tests/test_casedata.py)."""
    columns: dict[int, list[str]] = {i: [] for i in wanted}
    others = [i for i in range(width) if i not in columns]
    rows: list[int] = []
    elsewhere: list[bool] = []
    broken: list[tuple[int, int]] = []
    limit = csv.field_size_limit()
    csv.field_size_limit(2 ** 31 - 1)  # a cell may be as long as the file
    try:
        with path.open(encoding=encoding, newline="") as f:  # newline="": any line endings, quoted newlines kept
            records = itertools.islice(csv.reader(f, delimiter=sep), skip, None)
            for number, record in enumerate(records, start=skip + 1):
                if len(record) != width:
                    if any(field.strip() for field in record):
                        broken.append((number, len(record)))
                    continue
                rows.append(number)
                for i, cells in columns.items():
                    cells.append(record[i])
                elsewhere.append(any(record[i] for i in others))
    finally:
        csv.field_size_limit(limit)
    return _ColumnCells({i: np.array(cells, dtype=object) for i, cells in columns.items()},
                        np.array(elsewhere, dtype=bool), np.array(rows, dtype=np.int64), broken)


def _csv(path: Path, label: str, mapping: Mapping[str, str]) -> tuple[int, list[str], _Cells, list[str]]:
    """A CSV export: the header's index, its headers, the rows below it, and the notes.

    The header is found among the first lines; the rows below it are read by Arrow (a million rows in
    about half a second) unless Arrow cannot parse the file, when Python's csv module reads it (the two
    agree cell for cell: tests/test_casedata.py)."""
    encoding, notes = _encoding(path, label)
    # Only the first lines are decoded here (for the separator and the table's width); the readers
    # decode and parse the whole file from its bytes, several times faster than from a str.
    first = _head(path, _HEAD_BYTES + 1)
    head = first[:_HEAD_BYTES].decode(encoding, errors="ignore")
    sep = max([",", ";", "\t"], key=head.count)  # over the first lines: a title line has none
    # Title lines above the header (a report-style export) have fewer fields than the table: find the header
    # among the first lines, and read the table at the header's width.
    # newline="": lines end at \n, \r\n or a lone \r (any line endings), quoted newlines kept.
    try:
        head_rows = list(itertools.islice(csv.reader(io.StringIO(head, newline=""), delimiter=sep),
                                          _HEADER_SEARCH_ROWS + 1))
    except csv.Error as e:
        raise DataError(f"{label}: not a well-formed CSV table near the top ({e}); check quotes and commas there") from None
    if len(first) > _HEAD_BYTES and len(head_rows) <= _HEADER_SEARCH_ROWS:
        head_rows = head_rows[:-1]  # the last line read may go on past the first 64 KB
        if not head_rows:
            raise DataError(f"{label}: its first line is longer than 64 KB, too wide for a case log (at most "
                            f"{MAX_COLUMNS:,} columns); check it is the case-log export")
    head_rows = head_rows[:_HEADER_SEARCH_ROWS]
    widest = max(range(len(head_rows)), key=lambda i: len(head_rows[i]), default=0)
    if head_rows and len(head_rows[widest]) > MAX_COLUMNS:
        raise DataError(f"{label}: row {widest + 1} has {len(head_rows[widest]):,} columns, more than a case log's "
                        f"{MAX_COLUMNS:,}; check it is the right file, or delete the columns right of the table "
                        "(formatting counts) and export it again")
    width = max((len(r) for r in head_rows), default=1)
    header_at = _find_header(pd.DataFrame([r + [""] * (width - len(r)) for r in head_rows]), mapping, label)
    headers = [str(h).strip() for h in head_rows[header_at]]
    wanted = sorted(headers.index(str(h).strip()) for h in _resolve_columns(headers, mapping, label).values())
    cells = _arrow_cells(path, encoding, sep, header_at + 1, len(headers), wanted)
    if cells is None:
        try:
            cells = _careful_cells(path, encoding, sep, header_at + 1, len(headers), wanted)
        except csv.Error as e:
            raise DataError(f"{label}: not a well-formed CSV table ({_shown(e)}); check quotes and commas in it") from None
    return header_at, headers, cells, notes


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


def _xlsx(path: Path, sheet, mapping: Mapping[str, str], label: str) -> tuple[int, list[str], _Cells, list[str]]:
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
            ws, notes = _worksheet(book, sheet, label)
            columns, merges = _sheet_cells(ws, label)
            cells = _SheetCells(columns, merges) if columns else None
        except DataError:
            raise
        except Exception:  # a damaged sheet: openpyxl's parser raises whatever it meets
            raise DataError(f"{label}: {_UNREADABLE_XLSX}") from None
        finally:
            book.close()
    if cells is None:
        raise DataError(f"{label}: the sheet '{_shown(ws.title)}' is empty; export the case log again")
    if merges:
        notes.append(f"{label}: sheet '{_shown(ws.title)}' has {len(merges):,} merged cell "
                     f"{'range' if len(merges) == 1 else 'ranges'}; every cell of a merged range was read as holding "
                     "its value, as Excel shows it.")
    header_row = cells.header_row(mapping, label)
    wanted = sorted(cells.headers.index(str(h).strip()) for h in _resolve_columns(cells.headers, mapping, label).values())
    return header_row - 1, cells.headers, cells.body(header_row, wanted), notes


def _worksheet(book, sheet, label: str):
    """The sheet to read and a note: the one ``sheet:`` names (by name, or number from 0), else the only visible
    sheet that holds anything. A hidden sheet is read only when ``sheet:`` names it."""
    sheets = book.worksheets  # not chart sheets
    if sheet is not None:
        try:
            ws = sheets[sheet] if isinstance(sheet, int) else book[str(sheet)]
        except (KeyError, IndexError):
            raise DataError(f"{label}: no sheet '{_shown(sheet)}' (sheet: in the params file); its sheets are: "
                            f"{_names(sheets)}") from None
        if ws not in sheets:
            raise DataError(f"{label}: sheet '{_shown(sheet)}' is a chart, not a table (sheet: in the params file); "
                            f"its sheets are: {_names(sheets)}")
        hidden = ws.sheet_state != "visible"
        return ws, [f"{label}: sheet '{_shown(ws.title)}' is hidden in Excel; it was read because sheet: in the params "
                    "file names it."] if hidden else []
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    if not visible:
        raise DataError(f"{label}: every sheet is hidden; name the one holding the case log with sheet: in the "
                        f"params file (its sheets are: {_names(sheets)})")
    if len(visible) > 1:
        visible = [ws for ws in visible if _holds_anything(ws)] or visible[:1]
    if len(visible) > 1:
        raise DataError(f"{label}: has {len(visible)} visible sheets ({_names(visible)}); say which holds the case "
                        f"log with sheet: in the params file (e.g. sheet: {_shown(visible[0].title)})")
    return visible[0], []


def _names(sheets) -> str:
    names = [_shown(ws.title, 31) for ws in sheets[:10]]
    return ", ".join(names) + (f" and {len(sheets) - 10} more" if len(sheets) > 10 else "")


def _parser(ws):
    """openpyxl's own parser of a read-only sheet's XML (what its iter_rows uses), yielding each row's cells as they
    are stored: iter_rows would pad every row out to the sheet's stated width, and a stray cell at XFD1048576 makes
    that 16,384 columns by a million rows."""
    from openpyxl.worksheet._reader import WorkSheetParser

    book = ws.parent
    return WorkSheetParser(ws._get_source(), ws._shared_strings, data_only=True, epoch=book.epoch,
                           date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)


def _holds_anything(ws) -> bool:
    """Whether any cell of the sheet holds a value (stops at the first)."""
    parser = _parser(ws)
    try:
        return any(_valued(cell["value"]) for _, cells in parser.parse() for cell in cells)
    finally:
        parser.source.close()


def _valued(v) -> bool:
    return v is not None and not (isinstance(v, str) and not v.strip())


def _sheet_cells(ws, label: str) -> tuple[dict[int, tuple[list[int], list]], list[str]]:
    """The cells of the sheet that hold a value, by column ({column: (rows, values)}), and its merged ranges. A
    value beyond column MAX_COLUMNS (or Excel's last row) is refused in one line as soon as it is met."""
    from openpyxl.utils import get_column_letter

    columns: dict[int, tuple[list[int], list]] = {}
    parser = _parser(ws)
    try:
        for _, cells in parser.parse():
            for cell in cells:
                v = cell["value"]
                if v is None or (v.__class__ is str and (not v or v.isspace())):
                    continue  # an empty cell that is only formatted
                r, c = cell["row"], cell["column"]
                if c > MAX_COLUMNS or r > _EXCEL_ROWS:
                    raise DataError(
                        f"{label}: sheet '{_shown(ws.title)}' has a value in cell {get_column_letter(c)}{r}, too far "
                        f"out for a case log (at most {MAX_COLUMNS:,} columns); delete it in Excel (Ctrl+End goes to "
                        "the last cell) and save the workbook again")
                try:
                    column = columns[c]
                except KeyError:
                    column = columns[c] = ([], [])
                column[0].append(r)
                column[1].append(v)
    finally:
        parser.source.close()
    merges = [m.ref for m in parser.merged_cells.mergeCell] if parser.merged_cells else []
    return columns, merges


class _SheetCells:
    """A sheet's valued cells, column by column, and its merged ranges: the header found among the first rows
    holding anything, and the rows below it as :class:`_ColumnCells`, merged ranges filled in."""

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
        firsts = np.unique(np.concatenate([rows[:_HEADER_SEARCH_ROWS] for rows, _ in self.columns.values()]))
        firsts = firsts[:_HEADER_SEARCH_ROWS]
        grid = np.full((len(firsts), self.width), None, dtype=object)
        for c, (rows, values) in self.columns.items():
            at = np.searchsorted(firsts, rows[:_HEADER_SEARCH_ROWS])
            inside = (at < len(firsts)) & (firsts[np.minimum(at, len(firsts) - 1)] == rows[:_HEADER_SEARCH_ROWS])
            grid[at[inside], c - 1] = values[:_HEADER_SEARCH_ROWS][inside]
        for (c0, r0, c1, r1), value in self.merges:
            grid[(firsts >= r0) & (firsts <= r1), c0 - 1:min(c1, self.width)] = value
        grid = pd.DataFrame(grid).apply(_cell_text)
        at = _find_header(grid, mapping, label)
        self.headers = [str(h).strip() for h in grid.iloc[at].tolist()]
        return int(firsts[at])

    def body(self, header_row: int, wanted: list[int]) -> _ColumnCells:
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
        return _ColumnCells({i: _cell_text(pd.Series(cells, dtype=object)).to_numpy(dtype=object)
                             for i, cells in texts.items()}, elsewhere)


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


#: What a read may do in SQLite (its authorizer's actions): read tables, call functions, recurse in a CTE, and
#: the pragmas SQLAlchemy reads a table's columns with. Anything else (ATTACH, which VACUUM INTO does first, a
#: write, a pragma that sets something) is refused before it runs.
_SQLITE_READS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
_SQLITE_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list"}
_COMMENTS = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*(?:(?!/\*).)*?\*/|\()*", re.S)


def _refused(query: str, label: str) -> DataError:
    return DataError(f"{label}: query: may only read (one SELECT statement); '{_shown(query)}' was refused and "
                     "nothing was changed; check query: in the params file")


def _reads_only(query: str) -> bool:
    """Whether a query starts as a reading statement does (SELECT, WITH, VALUES, TABLE), after comments; what it
    goes on to do is the database's to refuse (a read-only transaction, SQLite's authorizer)."""
    rest = query[_COMMENTS.match(query).end():]
    return re.match(r"(?:select|with|values|table)\b", rest, re.I) is not None


def _sqlite_engine(database: str, denied: list[int]):
    """An engine on a SQLite file opened read-only (mode=ro, query_only) whose authorizer lets only reads run."""
    import sqlalchemy as sa
    from urllib.request import pathname2url

    def authorize(action, name, argument, _database, _trigger) -> int:
        pragma = str(name).lower() if action == sqlite3.SQLITE_PRAGMA else None
        if action in _SQLITE_READS or pragma in _SQLITE_PRAGMAS or (pragma == "read_uncommitted" and argument is None):
            return sqlite3.SQLITE_OK
        denied.append(action)
        return sqlite3.SQLITE_DENY

    def connect():
        con = sqlite3.connect(f"file:{pathname2url(str(Path(database).absolute()))}?mode=ro", uri=True,
                              check_same_thread=False)
        con.execute("PRAGMA query_only = ON")
        con.set_authorizer(authorize)
        return con
    return sa.create_engine("sqlite://", creator=connect, poolclass=sa.pool.NullPool)


def _engine(url: str, label: str, root: Path | None, denied: list[int], sqlite_file: bool = False):
    """An engine that can only read: SQLite read-only with an authorizer; PostgreSQL in read-only transactions
    (default_transaction_read_only, SET TRANSACTION READ ONLY), each query one statement (psycopg prepares it)."""
    import sqlalchemy as sa
    if sqlite_file:  # a file on disk, not a URL
        return _sqlite_engine(url, denied)
    try:
        parsed = sa.engine.make_url(_expand_env(url, label, root))
        if parsed.get_backend_name() == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                raise DataError(f"{label}: name the SQLite database file in the URL (sqlite:///path/to/file.db)")
            return _sqlite_engine(parsed.database, denied)
        if parsed.get_backend_name() == "postgresql":
            connect = {"options": "-c default_transaction_read_only=on"}
            if parsed.get_driver_name() == "psycopg":
                connect["prepare_threshold"] = 0  # prepared: a query holding two statements is refused
            return sa.create_engine(parsed, connect_args=connect, poolclass=sa.pool.NullPool,
                                    execution_options={"postgresql_readonly": True})
        return sa.create_engine(parsed, poolclass=sa.pool.NullPool)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ModuleNotFoundError) as e:
        raise DataError(f"{label}: not a database URL SQLAlchemy can use ({type(e).__name__}: {e}); "
                        "for PostgreSQL install reportlib[postgres] (psycopg)") from None


def _writes(error: BaseException) -> bool:
    """Whether a database error says the query tried to change something (or to run more than one statement)."""
    cause = getattr(error, "orig", None) or getattr(error.__cause__, "orig", None) or error.__cause__ or error
    text = str(cause).lower()
    return (getattr(cause, "sqlstate", None) == "25006"  # PostgreSQL: read_only_sql_transaction
            or "multiple commands" in text or "one statement at a time" in text
            or "readonly database" in text or "not authorized" in text)


def _grid_from_sql(url: str, table: str | None, query: str | None, label: str,
                   root: Path | None = None, sqlite_file: bool = False) -> pd.DataFrame:
    """The table or query's result as a grid of text, its header the first row; read-only (:func:`_engine`)."""
    import sqlalchemy as sa
    if query and not _reads_only(query):
        raise _refused(query, label)
    denied: list[int] = []
    engine = _engine(url, label, root, denied, sqlite_file)
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
                    raise DataError(f"{label}: no table '{_shown(table)}' (table: in the params file)")
                frame = pd.read_sql_table(table, conn)
    except (sa.exc.DBAPIError, pd.errors.DatabaseError) as e:
        if query and (denied or _writes(e)):
            raise _refused(query, label) from None
        if isinstance(e, sa.exc.OperationalError):
            first = str(e.orig).strip().splitlines()[0] if getattr(e, "orig", None) else str(e).splitlines()[0]
            raise DataError(f"{label}: cannot read the database: {_shown(first, 200)}") from None
        # pandas wraps a failing query's error (sqlite: "no such column") in its own DatabaseError
        cause = getattr(e, "orig", None) or getattr(e.__cause__, "orig", None) or e.__cause__ or e
        first = str(cause).strip().splitlines()[0]
        raise DataError(f"{label}: the query failed: {_shown(first, 200)}; check query: in the params file") from None
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


def _table(source: Source, root: Path | None, label: str) -> tuple[int, list[str], _Cells, list[str], bool]:
    """The source's header index, headers, rows below the header and notes, and whether it is a database."""
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
            grid = _grid_from_sql(str(path.resolve()), source.table, source.query, label, sqlite_file=True)
        elif suffix in (".xlsx", ".xlsm") or _is_zip(path):
            return (*_xlsx(path, source.sheet, source.columns, label), False)
        elif suffix == ".xls":
            raise DataError(f"{label}: old Excel .xls files are not read; open it in Excel and save it as .xlsx or CSV UTF-8")
        else:
            return (*_csv(path, label, source.columns), False)
    if grid.empty:
        raise DataError(f"{label}: the file is empty; export the case log again")
    header_at = _find_header(grid, source.columns, label)
    headers = [str(h).strip() for h in grid.iloc[header_at].tolist()]
    return header_at, headers, _Cells(grid.iloc[header_at + 1:]), [], True


def read(source: Source, root: Path | None = None) -> RawLog:
    """Read the source into canonical text columns. Raises DataError if it cannot be read."""
    label = source.label
    header_at, headers, body, notes, database = _table(source, root, label)
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
    # Each column's values are distinct: Arrow's dictionary, or factorize's uniques (_stripped).
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
