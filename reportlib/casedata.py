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
    """The source as text: canonical columns only, plus ``row`` (spreadsheet row number)."""

    frame: pd.DataFrame
    label: str
    notes: list[str] = field(default_factory=list)


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


def _find_header(grid: pd.DataFrame, mapping: Mapping[str, str], label: str) -> int:
    """Index of the header row in a headerless grid (the first row holding every required column)."""
    for i in range(min(_HEADER_SEARCH_ROWS, len(grid))):
        headers = [str(h).strip() for h in grid.iloc[i].tolist()]
        try:
            if not _missing_required(_resolve_columns(headers, mapping, label)):
                return i
        except DataError:
            continue
    headers = [str(h).strip() for h in grid.iloc[0].tolist()] if len(grid) else []
    found = _resolve_columns(headers, mapping, label)  # raises for an unknown mapped header
    missing = _missing_required(found)
    canon = missing[0]
    hint = f"map it under columns: in the params file (e.g. {canon}: Your Header)" if canon not in mapping else ""
    raise DataError(f"{label}: required column '{mapping.get(canon, canon)}' ({canon}) is missing; {hint or 'check the export'}"
                    .rstrip("; "))


def _decode(raw: bytes, label: str) -> tuple[str, list[str]]:
    if not raw.strip():
        raise DataError(f"{label}: the file is empty; export the case log again")
    if b"\x00" in raw[:8192]:
        raise DataError(f"{label}: not a CSV text file (it holds binary data); export the case log as CSV UTF-8 or .xlsx")
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise DataError(f"{label}: not UTF-8 or Windows-1252 text; save it from Excel as 'CSV UTF-8 (Comma delimited)'") from None
    return text, [f"{label} is not UTF-8; it was read as Windows-1252 (Excel's 'CSV' format). Save it as 'CSV UTF-8' to be sure of accented characters."]


def _grid_from_csv(path: Path, label: str, mapping: Mapping[str, str]) -> tuple[pd.DataFrame, list[str], int]:
    """The CSV as a grid of text from its header row on, the notes, and the header's row index."""
    text, notes = _decode(path.read_bytes(), label)
    first = text.lstrip("\r\n").split("\n", 1)[0]
    sep = max([",", ";", "\t"], key=first.count)
    # Title lines above the header (a report-style export) have fewer fields than the table: find
    # the header among the first lines with the csv module, then let pandas read from there.
    head = list(itertools.islice(csv.reader(io.StringIO(text), delimiter=sep), _HEADER_SEARCH_ROWS))
    width = max((len(r) for r in head), default=0)
    header_at = _find_header(pd.DataFrame([r + [""] * (width - len(r)) for r in head]), mapping, label) if head else 0
    try:
        grid = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False,
                           na_filter=False, skip_blank_lines=False, engine="c", skiprows=header_at)
    except pd.errors.ParserError as e:
        m = re.search(r"line (\d+)", str(e))
        where = f" at line {int(m.group(1)) + header_at}" if m else ""
        raise DataError(f"{label}: not a well-formed CSV table{where} (a row has more fields than the header); "
                        "check quotes and commas there") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{label}: the file is empty; export the case log again") from None
    return grid, notes, header_at


def _cell_text(values: pd.Series) -> pd.Series:
    """Spreadsheet/database cells -> text; real dates become ISO, whole numbers lose '.0'."""
    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
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
    if values.dtype.kind == "M":
        return values.dt.strftime("%Y-%m-%d").fillna("")
    return values.map(one).astype(str)


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


def _expand_env(url: str, label: str) -> str:
    def sub(m):
        name = m.group(1)
        if name not in os.environ:
            raise DataError(f"{label}: environment variable {name} is not set; set it before running reportlib")
        return os.environ[name]
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", sub, url)


def _grid_from_sql(url: str, table: str | None, query: str | None, label: str) -> pd.DataFrame:
    import sqlalchemy as sa
    try:
        engine = sa.create_engine(_expand_env(url, label))
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
    except sa.exc.ProgrammingError as e:
        first = str(e.orig).strip().splitlines()[0] if getattr(e, "orig", None) else str(e).splitlines()[0]
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
    skipped = 0  # rows above the header that the reader already skipped
    if source.is_url:
        grid = _grid_from_sql(source.data, source.table, source.query, label)
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
            grid = _grid_from_sql(f"sqlite:///{path.resolve()}", source.table, source.query, label)
        elif suffix in (".xlsx", ".xlsm") or _is_zip(path):
            grid, notes = _grid_from_xlsx(path, source.sheet, label)
        elif suffix == ".xls":
            raise DataError(f"{label}: old Excel .xls files are not read; open it in Excel and save it as .xlsx or CSV UTF-8")
        else:
            grid, notes, skipped = _grid_from_csv(path, label, source.columns)
    if grid.empty:
        raise DataError(f"{label}: the file is empty; export the case log again")
    header_at = _find_header(grid, source.columns, label)
    headers = [str(h).strip() for h in grid.iloc[header_at].tolist()]
    header_at += skipped
    found = _resolve_columns(headers, source.columns, label)
    if header_at:
        notes.append(f"{label}: the header is on row {header_at + 1}; the {header_at} row(s) above it were skipped.")
    positions = {canon: headers.index(str(h).strip()) for canon, h in found.items()}
    body = grid.iloc[header_at - skipped + 1:]
    # Drop completely blank lines (a CSV saved by Excel often ends with some).
    nonblank = (body != "").any(axis=1).to_numpy()
    frame = pd.DataFrame({canon: body.iloc[:, i].to_numpy() for canon, i in positions.items()})
    frame.insert(0, "row", np.arange(header_at + 2, header_at + 2 + len(body)))
    frame = frame.loc[nonblank].reset_index(drop=True)
    if frame.empty:
        raise DataError(f"{label}: has a header but no rows; export the case log again")
    if source.is_url:
        frame["row"] = np.arange(1, len(frame) + 1)  # databases have no spreadsheet rows: record number
    for canon in frame.columns.drop("row"):
        frame[canon] = frame[canon].astype(str).str.strip()
    return RawLog(frame, label, notes)


# --- validating --------------------------------------------------------------

_ISO = r"\d{4}-\d{2}-\d{2}"
_UK = r"\d{1,2}/\d{1,2}/\d{4}"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"


def parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text -> (dates, problem) with ISO, UK day-first or Excel serial dates; vectorised.

    ``problem`` is "" where the cell parsed or was blank, otherwise the reason.
    """
    text = text.astype(str)
    blank = text == ""
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    todo = dates.isna() & ~blank
    if todo.any():
        rest = text[todo]
        date_part = rest.str.replace(r"[ T]\d{1,2}:\d{2}.*$", "", regex=True)
        iso = rest.str.fullmatch(_ISO + _TIME)
        uk = rest.str.fullmatch(_UK + _TIME)
        serial = rest.str.fullmatch(r"\d{5}(?:\.\d+)?")
        parsed = pd.Series(pd.NaT, index=rest.index, dtype=dates.dtype)
        parsed[iso] = pd.to_datetime(date_part[iso], format="%Y-%m-%d", errors="coerce")
        parsed[uk] = pd.to_datetime(date_part[uk], format="%d/%m/%Y", errors="coerce")
        if serial.any():
            days = pd.to_numeric(rest[serial]).astype("int64")
            ok = (days >= 32874) & (days <= 73050)  # 1990-01-01 .. 2099-12-31
            parsed[serial & ok.reindex(rest.index, fill_value=False)] = (
                pd.Timestamp("1899-12-30") + pd.to_timedelta(days[ok], unit="D"))
        dates = dates.copy()
        dates[todo] = parsed
    problem = pd.Series("", index=text.index, dtype=object)
    bad = dates.isna() & ~blank
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
        problem[bad] = msg
    return dates, problem


def _problems(frame: pd.DataFrame, mask, column: str, problem, action: str = "excluded") -> pd.DataFrame:
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    sub = frame.loc[mask]
    return pd.DataFrame({
        "row": sub["row"].to_numpy(),
        "case_ref": sub["case_ref"].to_numpy() if "case_ref" in sub else "",
        "column": column,
        "value": sub[column].to_numpy() if column in sub else "",
        "problem": problem.loc[mask].to_numpy() if isinstance(problem, pd.Series) else problem,
        "action": action,
    })


def _map_values(frame: pd.DataFrame, values: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    for canon, mapping in values.items():
        if canon not in frame or not mapping:
            continue
        exact = {str(k).strip(): str(v) for k, v in mapping.items()}
        loose = {str(k).strip().lower(): str(v) for k, v in mapping.items()}
        col = frame[canon]
        mapped = col.map(exact)
        mapped = mapped.fillna(col.str.lower().map(loose))
        frame[canon] = mapped.fillna(col)
    return frame


def validate(raw: RawLog, values: Mapping[str, Mapping[str, str]] | None = None,
             latest: dt.date | None = None) -> CaseLog:
    """Typed cases and the problems of each bad row.

    ``values`` maps export codes to canonical values per column; ``latest`` is
    the last possible date (the meeting date): a date after it is a typo.
    """
    frame = _map_values(raw.frame.copy(), values or {})
    n = len(frame)
    for canon in CANONICAL_COLUMNS:
        if canon not in frame:
            frame[canon] = ""
    found: list[pd.DataFrame] = []
    bad = np.zeros(n, dtype=bool)

    def flag(mask, column, problem, action="excluded"):
        nonlocal bad
        mask = np.asarray(mask, dtype=bool)
        found.append(_problems(frame, mask, column, problem, action))
        if action == "excluded":
            bad |= mask

    frame["case_ref"] = frame["case_ref"].astype(str)
    flag(frame["case_ref"] == "", "case_ref", "case_ref is blank")

    kind = frame["kind"].str.lower()
    flag(~kind.isin(KINDS), "kind",
         "unknown kind: use complaint, comment or compliment, or map it under values: kind: in the params file")
    procedure = frame["procedure"].str.lower()
    flag(~procedure.isin(PROCEDURES), "procedure",
         "unknown procedure: use childrens, adults or corporate, or map it under values: procedure: in the params file")

    stage_text = frame["stage"].str.lower().str.replace(r"^stage\s*", "", regex=True).str.replace(r"\.0$", "", regex=True)
    stage = pd.to_numeric(stage_text.where(stage_text.isin(["1", "2", "3"])), errors="coerce")
    complaint = kind == "complaint"
    flag(complaint & (stage_text == ""), "stage", "stage is blank on a complaint: give 1, 2 or 3")
    flag(complaint & (stage_text != "") & stage.isna(), "stage", "unknown stage: use 1, 2 or 3")

    dates = {}
    for col in DATE_COLUMNS:
        parsed, problem = parse_dates(frame[col])
        dates[col] = parsed
        flag(problem != "", col, problem)
    flag(frame["received"] == "", "received", "received is blank")
    received, responded, acknowledged = dates["received"], dates["responded"], dates["acknowledged"]
    flag((responded < received).to_numpy(), "responded", "responded before received")
    flag((acknowledged < received).to_numpy(), "acknowledged", "acknowledged before received")
    if latest is not None:
        limit = pd.Timestamp(latest)
        for col in DATE_COLUMNS:
            flag((dates[col] > limit).to_numpy(), col,
                 f"date is after the meeting date ({latest:%d/%m/%Y}): a typo or a future date")

    extended_text = frame["extended"].str.lower()
    flag(~extended_text.isin(_YES | _NO), "extended", "extended must be yes or no")

    # Duplicates among otherwise good rows: the first is kept, the others excluded.
    key = pd.DataFrame({"case_ref": frame["case_ref"], "stage": stage.where(complaint, 0).fillna(0), "kind": kind})
    good = key[~bad]
    dup = np.zeros(n, dtype=bool)
    dup[np.flatnonzero(~bad)[good.duplicated(keep="first").to_numpy()]] = True
    if dup.any():
        first_row = frame["row"][~bad].groupby([good["case_ref"], good["stage"], good["kind"]], observed=True).transform("first")
        same_as = pd.Series("", index=frame.index, dtype=object)
        same_as[~bad] = "duplicate case_ref + stage + kind: same as row " + first_row.astype(str)
        flag(dup, "case_ref", same_as)

    cases = pd.DataFrame({
        "row": frame["row"].astype("int64"),
        "case_ref": frame["case_ref"],
        "kind": pd.Categorical(kind.where(kind.isin(KINDS)), categories=KINDS),
        "procedure": pd.Categorical(procedure.where(procedure.isin(PROCEDURES)), categories=PROCEDURES),
        "stage": stage.where(complaint).astype("Int8"),
        "received": received,
        "acknowledged": acknowledged,
        "responded": responded,
        "team": frame["team"].replace("", pd.NA).astype("category"),
        "service": frame["service"].replace("", pd.NA).astype("category"),
        "delay_reason": frame["delay_reason"].replace("", pd.NA).astype("category"),
        "outcome": frame["outcome"].str.lower().replace("", pd.NA).astype("category"),
        "extended": extended_text.isin(_YES),
    })[~bad].reset_index(drop=True)

    # Later stages whose case has no stage 1: kept (the log may start mid-case) but listed.
    comp = cases[cases["kind"] == "complaint"]
    has_one = set(comp.loc[comp["stage"] == 1, "case_ref"])
    orphan = (cases["kind"] == "complaint") & (cases["stage"] > 1) & ~cases["case_ref"].isin(has_one)
    if orphan.any():
        sub = cases[orphan.to_numpy()]
        found.append(pd.DataFrame({"row": sub["row"].to_numpy(), "case_ref": sub["case_ref"].to_numpy(),
                                   "column": "stage", "value": sub["stage"].astype(str).to_numpy(),
                                   "problem": "no stage 1 row for this case: counted from its first stage in the log",
                                   "action": "kept"}))

    found = [f for f in found if len(f)]
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
