"""A CSV case log: its encoding decided honestly, its rows read by Arrow (or, for a file Arrow will not take,
by Python's csv module), a row with the wrong field count listed by its number only."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import DataError, cut
from .cells import ArrowCells, Cells, ColumnCells
from .headers import HEADER_SEARCH_ROWS, MAX_COLUMNS, find_header, resolve_columns


_BOM = b"\xef\xbb\xbf"


_HEAD_BYTES = 1 << 16


CHUNK = 1 << 22


_RE_EXPORT = "save it from Excel as 'CSV UTF-8 (Comma delimited)'"


_NOT_TEXT = "not a CSV text file (it holds binary data); export the case log as CSV UTF-8 or .xlsx"


def _blocks(path: Path, start: int = 0):
    with path.open("rb") as f:
        f.seek(start)
        while block := f.read(CHUNK):
            yield block


def _head(path: Path, size: int = _HEAD_BYTES) -> bytes:
    """The file's first ``size`` bytes."""
    with path.open("rb") as f:
        return f.read(size)


def _line_at(path: Path, offset: int) -> int:
    """The line (as a text editor numbers them: after \\n, \\r\\n or a lone \\r) holding byte ``offset``."""
    ends, previous = 0, b""
    with path.open("rb") as f:
        while offset > 0 and (block := f.read(min(CHUNK, offset))):
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


def arrow_cells(path: Path, encoding: str, sep: str, skip: int, width: int, wanted: list[int]) -> ArrowCells | None:
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
    cells = ArrowCells(table, lambda: read(rest)[0])
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


def _careful_cells(path: Path, encoding: str, sep: str, skip: int, width: int, wanted: list[int]) -> ColumnCells:
    """What :func:`arrow_cells` reads, record by record with Python's csv module: for a file Arrow cannot parse
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
    return ColumnCells({i: np.array(cells, dtype=object) for i, cells in columns.items()},
                        np.array(elsewhere, dtype=bool), np.array(rows, dtype=np.int64), broken)


def read_csv(path: Path, label: str, mapping: Mapping[str, str]) -> tuple[int, list[str], Cells, list[str]]:
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
                                          HEADER_SEARCH_ROWS + 1))
    except csv.Error as e:
        raise DataError(f"{label}: not a well-formed CSV table near the top ({e}); check quotes and commas there") from None
    if len(first) > _HEAD_BYTES and len(head_rows) <= HEADER_SEARCH_ROWS:
        head_rows = head_rows[:-1]  # the last line read may go on past the first 64 KB
        if not head_rows:
            raise DataError(f"{label}: its first line is longer than 64 KB, too wide for a case log (at most "
                            f"{MAX_COLUMNS:,} columns); check it is the case-log export")
    head_rows = head_rows[:HEADER_SEARCH_ROWS]
    widest = max(range(len(head_rows)), key=lambda i: len(head_rows[i]), default=0)
    if head_rows and len(head_rows[widest]) > MAX_COLUMNS:
        raise DataError(f"{label}: row {widest + 1} has {len(head_rows[widest]):,} columns, more than a case log's "
                        f"{MAX_COLUMNS:,}; check it is the right file, or delete the columns right of the table "
                        "(formatting counts) and export it again")
    width = max((len(r) for r in head_rows), default=1)
    header_at = find_header(pd.DataFrame([r + [""] * (width - len(r)) for r in head_rows]), mapping, label)
    headers = [str(h).strip() for h in head_rows[header_at]]
    wanted = sorted(headers.index(str(h).strip()) for h in resolve_columns(headers, mapping, label).values())
    cells = arrow_cells(path, encoding, sep, header_at + 1, len(headers), wanted)
    if cells is None:
        try:
            cells = _careful_cells(path, encoding, sep, header_at + 1, len(headers), wanted)
        except csv.Error as e:
            raise DataError(f"{label}: not a well-formed CSV table ({cut(e)}); check quotes and commas in it") from None
    return header_at, headers, cells, notes
