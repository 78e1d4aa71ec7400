"""Validate a case log's rows: canonical text columns in, typed cases and each bad row's problems out.

:func:`validate` takes what :func:`reportlib.casedata.read` found (a table of text in the
canonical columns, with spreadsheet row numbers) and gives a :class:`CaseLog`: the typed cases
and the problems. Bad rows never raise: they are excluded and listed with the column, the
value and what to do about it; nothing is dropped silently.

Every text operation runs once per distinct value of a column (:class:`_Text`) and is spread
back to the rows by its codes, so a million rows cost about as much as their few thousand
distinct dates, teams and codes. This module knows nothing about files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from .errors import cut
from .compat import categorical_dtype_of_distinct
from .vocabulary import CANONICAL_COLUMNS


KINDS = ("complaint", "comment", "compliment")
PROCEDURES = ("childrens", "adults", "corporate")
OUTCOMES = ("upheld", "partly upheld", "not upheld", "withdrawn")
REMEDIES = ("apology", "explanation", "financial", "service improvement", "action taken", "other")
OMBUDSMAN = ("pending", "upheld", "not upheld", "not investigated")
#: Which Ombudsman a complaint went to: the Local Government and Social Care Ombudsman or the Housing Ombudsman.
OMBUDSMAN_BODIES = ("lgsco", "housing")
#: Who made a children's complaint (SPEC's list): a ``complainant`` header found without
#: ``columns:`` is read only when it holds these (see :func:`reportlib.casedata.read`).
COMPLAINANTS = ("child or young person", "parent or carer", "advocate", "other")
DATE_COLUMNS = ("received", "acknowledged", "responded", "panel_date")
#: Free-text columns: categories of the text as written (stripped), missing when blank.
TEXT_COLUMNS = ("team", "service", "delay_reason", "subject", "refused_reason", "complainant")
PROBLEM_COLUMNS = ["row", "case_ref", "column", "value", "problem", "action"]
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}

UNKNOWN_OUTCOME = ("unknown outcome: use upheld, partly upheld, not upheld or withdrawn, or map it under values: "
                   "outcome: in the params file")
UNKNOWN_REMEDY = ("unknown remedy '{}': use apology, explanation, financial, service improvement, action taken or "
                  "other (separate several with ;), or map it under values: remedy: in the params file")
BAD_COMPENSATION = "compensation is not an amount in pounds (e.g. 250 or £1,250.50)"
UNKNOWN_OMBUDSMAN = ("unknown Ombudsman decision: use pending, upheld, not upheld or not investigated, or map it "
                     "under values: ombudsman: in the params file")
UNKNOWN_BODY = ("unknown Ombudsman: use lgsco (the Local Government and Social Care Ombudsman) or housing (the Housing "
                "Ombudsman), or map it under values: ombudsman_body: in the params file")
STAGE3_EXTENDED = ("extended at stage 3: the children's review panel has no extension (regulation 19 of the 2006 "
                   "Regulations); correct extended to no")
CORPORATE_STAGE3 = ("corporate stage 3: the Complaint Handling Code has two stages; if the Council runs a third, add "
                    "local_stage3: yes to the params file")
#: Pounds: digits (or digits in groups of three with commas), optional pence, optional £ in front.
_POUNDS = r"£?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"


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


@dataclass
class CaseLog:
    """Validated cases, the problems found, how many rows were read, and which columns the source has."""

    cases: pd.DataFrame
    problems: pd.DataFrame
    rows_read: int
    label: str
    notes: list[str] = field(default_factory=list)
    #: The canonical columns the source has (after ``columns:``): a report leaves out, and says
    #: it leaves out, what needs a column the case log does not have.
    present: frozenset[str] = frozenset()

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
        # "unknown remedy 'xyz': use ..." is one kind of problem whatever the remedy.
        kind = self.problems["problem"].astype(str).str.replace(r" '.*'(?=: )", "", n=1, regex=True)
        kinds = self.problems.assign(kind=kind.str.split(":", n=1).str[0])
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


def distinct_categorical(codes: np.ndarray, distinct) -> pd.Categorical:
    """A categorical from codes into ``distinct``, values known to be distinct already (a reader's dictionary,
    or what factorize returned): pandas would otherwise hash them all again to check, which for a million
    case_refs is most of the time the categorical takes to make."""
    categories = distinct if isinstance(distinct, pd.Index) else pd.Index(np.asarray(distinct, dtype=object), dtype=object)
    return pd.Categorical.from_codes(codes, dtype=categorical_dtype_of_distinct(categories), validate=False)


def _held_by_arrow(column: pd.Categorical) -> pd.Categorical:
    """The same categorical, its categories (text) in one Arrow buffer: pandas' ``str`` type."""
    return distinct_categorical(column.codes, pd.Index(column.categories.to_numpy(dtype=object), dtype="str"))


class _Text:
    """A text column as codes into its distinct values: text work is done once per distinct value."""

    __slots__ = ("codes", "uniques", "dtype")

    def __init__(self, values, codes: np.ndarray | None = None, dtype: pd.CategoricalDtype | None = None):
        if codes is None:
            codes, values = pd.factorize(np.asarray(values, dtype=object))  # missing -> code -1 -> ""
        self.codes = codes
        self.uniques = pd.Series(np.asarray(values, dtype=object), dtype=object)
        self.dtype = dtype  # the reader's categorical type, while the values are as it read them

    @classmethod
    def of(cls, raw: "RawLog", canon: str) -> "_Text":
        column = raw.frame[canon]
        if isinstance(column.dtype, pd.CategoricalDtype):  # as read() made it: stripped already
            return cls(column.cat.categories.to_numpy(dtype=object), column.cat.codes.to_numpy(), column.dtype)
        return cls(column.astype(str).str.strip().to_numpy(dtype=object))

    def categorical(self) -> pd.Categorical:
        """The column as a categorical of its values as they are ("" included): the reader's own categories
        while they are unchanged (a million case_refs are not hashed again), else made from the values."""
        if self.dtype is not None:
            return pd.Categorical.from_codes(self.codes, dtype=self.dtype)
        inverse, values = pd.factorize(self.uniques.to_numpy(dtype=object))  # mapped values may coincide
        return distinct_categorical(np.append(inverse, -1)[self.codes], values)

    def each(self, fn) -> "_Text":
        """A column with ``fn`` (Series of distinct values -> Series) applied to every value."""
        return _Text(np.asarray(fn(self.uniques), dtype=object), self.codes)

    def test(self, fn) -> np.ndarray:
        """Boolean per row: ``fn`` (Series of distinct values -> booleans) spread back to the rows."""
        return np.append(np.asarray(fn(self.uniques), dtype=bool), False)[self.codes]

    def at(self, mask: np.ndarray) -> np.ndarray:
        """The text of the rows in ``mask`` (only those become Python strings)."""
        codes = self.codes[mask]
        text = np.full(len(codes), "", dtype=object)
        text[codes >= 0] = self.uniques.take(codes[codes >= 0]).to_numpy(dtype=object)
        return text

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


def _loose(u: pd.Series) -> pd.Series:
    """Text compared ignoring case and runs of spaces: "Partly  Upheld" -> "partly upheld"."""
    return u.str.lower().str.split().str.join(" ").fillna("")


def _choice(column: _Text, allowed: tuple[str, ...]) -> tuple[pd.Categorical, np.ndarray]:
    """A column with a fixed list of values, matched ignoring case and runs of spaces: per row a
    categorical of ``allowed`` (missing when blank), and a mask of the rows holding anything else."""
    known = pd.Index(allowed).get_indexer(_loose(column.uniques).to_numpy(dtype=object))
    unknown = (known < 0) & (column.uniques != "").to_numpy()
    codes = np.append(known, -1)[column.codes]
    return pd.Categorical.from_codes(codes, categories=allowed), np.append(unknown, False)[column.codes]


def _remedies(column: _Text, mapping: Mapping[str, str] | None) -> tuple[pd.Categorical, np.ndarray]:
    """``remedy``: each cell's ``;``-separated items mapped (params ``values: remedy:``, per item),
    matched ignoring case and spaces, and written back as the distinct items joined with ``;`` in
    :data:`REMEDIES` order. Per row a categorical of those texts (missing when blank) and the
    problem ("" where fine). Each distinct cell is split once."""
    exact = {str(k).strip(): str(v) for k, v in (mapping or {}).items()}
    loose = {" ".join(str(k).lower().split()): str(v) for k, v in (mapping or {}).items()}
    order = {r: i for i, r in enumerate(REMEDIES)}
    canonical, problem = [], []
    for cell in column.uniques:  # once per distinct value: a few dozen combinations
        found: set[str] = set()
        bad = ""
        for item in (i.strip() for i in str(cell).split(";")):
            if not item:
                continue
            mapped = exact.get(item, loose.get(" ".join(item.lower().split()), item))
            for name in (" ".join(m.lower().split()) for m in mapped.split(";")):  # a code may map to several
                if name in order:
                    found.add(name)
                elif name and not bad:
                    bad = UNKNOWN_REMEDY.format(cut(item))
        canonical.append(None if bad or not found else ";".join(sorted(found, key=order.__getitem__)))
        problem.append(bad)
    inverse, cats = pd.factorize(np.array(canonical, dtype=object))  # None (blank or bad) -> -1
    codes = np.append(inverse, -1)[column.codes]
    return (pd.Categorical.from_codes(codes, categories=pd.Index(cats, dtype=str)),
            np.append(np.array(problem, dtype=object), "")[column.codes])


def _pounds(column: _Text) -> tuple[np.ndarray, np.ndarray]:
    """``compensation``: per row the amount in pounds (NaN when blank) and a mask of the rows whose
    cell is not an amount ("250", "250.50", "£1,250.00"; never negative)."""
    u = column.uniques.astype(str)
    ok = u.str.fullmatch(_POUNDS).to_numpy(dtype=bool)
    amount = pd.to_numeric(u.where(ok, "").str.replace(r"[£,\s]", "", regex=True), errors="coerce")
    bad = ~ok & (u != "").to_numpy()
    return (np.append(amount.to_numpy(dtype=np.float64), np.nan)[column.codes],
            np.append(bad, False)[column.codes])


def _yes_no(column: _Text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A yes/no column: per row whether it says yes, whether it says no (not blank), and a mask of the rows
    holding neither."""
    lower = column.each(lambda u: u.str.lower())
    return (lower.test(lambda u: u.isin(_YES)), lower.test(lambda u: u.isin(_NO - {""})),
            lower.test(lambda u: ~u.isin(_YES | _NO)))


def _optional(cols: dict[str, _Text], remedy_codes, flag) -> dict[str, object]:
    """The optional columns with a fixed list of values, typed per row; each row holding anything else flagged."""
    extended, _, bad = _yes_no(cols["extended"])
    flag(bad, "extended", "extended must be yes or no")
    yes, no, bad = _yes_no(cols["advocacy"])  # blank: not recorded (missing), not no
    advocacy = pd.arrays.BooleanArray(yes, ~(yes | no))
    flag(bad, "advocacy", "advocacy must be yes or no (blank: not recorded)")
    outcome, unknown = _choice(cols["outcome"], OUTCOMES)
    flag(unknown, "outcome", UNKNOWN_OUTCOME)
    remedy, problem = _remedies(cols["remedy"], remedy_codes)
    flag(problem != "", "remedy", problem)
    compensation, unknown = _pounds(cols["compensation"])
    flag(unknown, "compensation", BAD_COMPENSATION)
    ombudsman, unknown = _choice(cols["ombudsman"], OMBUDSMAN)
    flag(unknown, "ombudsman", UNKNOWN_OMBUDSMAN)
    body, unknown = _choice(cols["ombudsman_body"], OMBUDSMAN_BODIES)
    flag(unknown, "ombudsman_body", UNKNOWN_BODY)
    return {"outcome": outcome, "extended": extended, "remedy": remedy, "compensation": compensation,
            "ombudsman": ombudsman, "ombudsman_body": body, "advocacy": advocacy}


def validate(raw: RawLog, values: Mapping[str, Mapping[str, str]] | None = None,
             latest: dt.date | None = None, *, local_stage3: bool = False) -> CaseLog:
    """Typed cases and the problems of each bad row.

    ``values`` maps export codes to canonical values per column (``remedy``: per item); ``latest``
    is the last possible date (the meeting date): a date after it is a typo. ``local_stage3``: the
    council runs a third stage for corporate complaints (the Code has two: else a corporate stage 3
    row is a bad row).

    Every text operation runs once per distinct value of a column and is spread
    back to the rows by its codes, so a million rows cost about as much as their
    few thousand distinct dates, teams and codes.
    """
    frame = raw.frame
    n = len(frame)
    row = frame["row"].to_numpy(dtype=np.int64)
    present = frozenset(c for c in frame.columns if c in CANONICAL_COLUMNS)
    cols = {canon: _Text.of(raw, canon) if canon in frame else
            _Text(np.array([""], dtype=object), np.zeros(n, dtype=np.intp)) for canon in CANONICAL_COLUMNS}
    if pd.api.types.infer_dtype(cols["case_ref"].uniques, skipna=False) != "string":  # numbers from a spreadsheet
        cols["case_ref"] = cols["case_ref"].each(lambda u: u.astype(str))
    values = dict(values or {})
    remedy_codes = values.pop("remedy", None)  # mapped per item, below
    _map_values(cols, values)
    found: list[pd.DataFrame] = []
    bad = np.zeros(n, dtype=bool)

    def flag(mask, column, problem, action="excluded"):
        nonlocal bad
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        found.append(pd.DataFrame({
            "row": row[mask],
            "case_ref": cols["case_ref"].at(mask),
            "column": column,
            "value": cols[column].at(mask),
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
    flag(dates["panel_date"] < received, "panel_date", "panel_date before received (the request for a review panel)")
    if latest is not None:
        limit = np.datetime64(pd.Timestamp(latest).date(), "D").astype(_DATE_DTYPE)
        for col in DATE_COLUMNS:
            flag(dates[col] > limit, col,
                 f"date is after the meeting date ({latest:%d/%m/%Y}): a typo or a future date")

    typed = _optional(cols, remedy_codes, flag)
    # The law's stages: the children's review panel (stage 3) has no extension; the Code has two stages.
    at_stage3 = complaint & (stage == 3)
    flag(at_stage3 & procedure.test(lambda u: u == "childrens") & typed["extended"], "extended", STAGE3_EXTENDED)
    if not local_stage3:
        flag(at_stage3 & procedure.test(lambda u: u == "corporate"), "stage", CORPORATE_STAGE3)

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
        # Categorical, its categories the distinct refs: the hashing is done, so stats' drop_duplicates is cheap.
        # Held by Arrow, one buffer rather than a Python string each: there are about as many as rows, and a
        # render hands them to its kernel (a million are written to Arrow and read back in a fraction of the time).
        "case_ref": _held_by_arrow(case_ref.categorical())[keep],
        "kind": pd.Categorical.from_codes(_positions(kind, KINDS)[keep], categories=KINDS),
        "procedure": pd.Categorical.from_codes(_positions(procedure, PROCEDURES)[keep], categories=PROCEDURES),
        "stage": stage_series,
        "received": pd.Series(received[keep], dtype=_DATE_DTYPE),
        "acknowledged": pd.Series(acknowledged[keep], dtype=_DATE_DTYPE),
        "responded": pd.Series(responded[keep], dtype=_DATE_DTYPE),
        "team": _category(cols["team"])[keep],
        "service": _category(cols["service"])[keep],
        "delay_reason": _category(cols["delay_reason"])[keep],
        "outcome": typed["outcome"][keep],
        "extended": typed["extended"][keep],
        "subject": _category(cols["subject"])[keep],
        "remedy": typed["remedy"][keep],
        "compensation": typed["compensation"][keep],
        "refused_reason": _category(cols["refused_reason"])[keep],
        "ombudsman": typed["ombudsman"][keep],
        "complainant": _category(cols["complainant"])[keep],
        "ombudsman_body": typed["ombudsman_body"][keep],
        "panel_date": pd.Series(dates["panel_date"][keep], dtype=_DATE_DTYPE),
        "advocacy": typed["advocacy"][keep],
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

    # Rows the reader could not split into the header's columns: listed by number and problem only (their cells
    # may hold a note's personal text), excluded, and counted as read.
    broken = getattr(raw, "broken", None)
    if broken is not None and len(broken):
        found.append(pd.DataFrame({"row": broken["row"].to_numpy(dtype=np.int64), "case_ref": "", "column": "",
                                   "value": "", "problem": broken["problem"].to_numpy(dtype=object),
                                   "action": "excluded"}))
        n += len(broken)
    problems = (pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=PROBLEM_COLUMNS))
    problems = problems.sort_values(["row", "column"], kind="stable").reset_index(drop=True)
    return CaseLog(cases, problems, n, raw.label, list(raw.notes), present)
