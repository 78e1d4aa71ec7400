"""Typing a case log's columns, once per distinct value: text as codes into its distinct values (:class:`Text`),
dates (ISO, UK day-first, Excel serials), choices from a fixed list, remedies, pounds, yes/no. Each helper gives
the typed column and which rows held something it could not read; :mod:`reportlib.rows` says why.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .caselog import REMEDIES, RawLog, distinct_categorical
from .errors import cut

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}

UNKNOWN_REMEDY = ("unknown remedy '{}': use apology, explanation, financial, service improvement, action taken or "
                  "other (separate several with ;), or map it under values: remedy: in the params file")
#: Pounds: digits (or digits in groups of three with commas), optional pence, optional £ in front.
_POUNDS = r"£?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"


class Text:
    """A text column as codes into its distinct values: text work is done once per distinct value."""

    __slots__ = ("codes", "uniques", "dtype")

    def __init__(self, values, codes: np.ndarray | None = None, dtype: pd.CategoricalDtype | None = None):
        if codes is None:
            codes, values = pd.factorize(np.asarray(values, dtype=object))  # missing -> code -1 -> ""
        self.codes = codes
        self.uniques = pd.Series(np.asarray(values, dtype=object), dtype=object)
        self.dtype = dtype  # the reader's categorical type, while the values are as it read them

    @classmethod
    def of(cls, raw: "RawLog", canon: str) -> "Text":
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

    def each(self, fn) -> "Text":
        """A column with ``fn`` (Series of distinct values -> Series) applied to every value."""
        return Text(np.asarray(fn(self.uniques), dtype=object), self.codes)

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


DATE_DTYPE = "datetime64[us]"


def _parse_distinct_dates(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Distinct date texts -> (datetime64 array, problem text array; "" where fine or blank)."""
    text = text.astype(str).reset_index(drop=True)
    blank = (text == "").to_numpy()
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype(DATE_DTYPE)
    todo = dates.isna().to_numpy() & ~blank
    if todo.any():
        rest = text[todo]
        date_part = rest.str.replace(r"[ T]\d{1,2}:\d{2}.*$", "", regex=True)
        iso = rest.str.fullmatch(_ISO + _TIME)
        uk = rest.str.fullmatch(_UK + _TIME)
        serial = rest.str.fullmatch(r"\d{5}(?:\.\d+)?")
        parsed = pd.Series(pd.NaT, index=rest.index, dtype=DATE_DTYPE)
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


def dates_of(column: Text) -> tuple[np.ndarray, np.ndarray]:
    dates, problem = _parse_distinct_dates(column.uniques)
    return (np.append(dates, np.datetime64("NaT")).astype(DATE_DTYPE)[column.codes],
            np.append(problem, "")[column.codes])


def parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text -> (dates, problem) with ISO, UK day-first or Excel serial dates; vectorised.

    ``problem`` is "" where the cell parsed or was blank, otherwise the reason.
    Each distinct text is parsed once (a case log holds a few thousand distinct dates).
    """
    dates, problem = dates_of(Text(pd.Series(text).astype(str).to_numpy(dtype=object)))
    return pd.Series(dates, index=text.index), pd.Series(problem, index=text.index, dtype=object)


def map_values(columns: dict[str, Text], values: Mapping[str, Mapping[str, str]]) -> None:
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


def category(column: Text, fn=None) -> pd.Categorical:
    """A categorical of the column's values ("" -> missing), from its codes: no second hashing pass."""
    uniques = column.uniques if fn is None else fn(column.uniques)
    inverse, cats = pd.factorize(uniques.where(uniques != "", None).to_numpy(dtype=object))
    codes = np.append(inverse, -1)[column.codes]
    return pd.Categorical.from_codes(codes, categories=pd.Index(cats, dtype=str))


def positions(column: Text, allowed: tuple[str, ...]) -> np.ndarray:
    """Per row: the index of its value in ``allowed``, -1 when not there."""
    return np.append(pd.Index(allowed).get_indexer(column.uniques.to_numpy(dtype=object)), -1)[column.codes]


def _loose(u: pd.Series) -> pd.Series:
    """Text compared ignoring case and runs of spaces: "Partly  Upheld" -> "partly upheld"."""
    return u.str.lower().str.split().str.join(" ").fillna("")


def choice(column: Text, allowed: tuple[str, ...]) -> tuple[pd.Categorical, np.ndarray]:
    """A column with a fixed list of values, matched ignoring case and runs of spaces: per row a
    categorical of ``allowed`` (missing when blank), and a mask of the rows holding anything else."""
    known = pd.Index(allowed).get_indexer(_loose(column.uniques).to_numpy(dtype=object))
    unknown = (known < 0) & (column.uniques != "").to_numpy()
    codes = np.append(known, -1)[column.codes]
    return pd.Categorical.from_codes(codes, categories=allowed), np.append(unknown, False)[column.codes]


def remedies(column: Text, mapping: Mapping[str, str] | None) -> tuple[pd.Categorical, np.ndarray]:
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


def pounds(column: Text) -> tuple[np.ndarray, np.ndarray]:
    """``compensation``: per row the amount in pounds (NaN when blank) and a mask of the rows whose
    cell is not an amount ("250", "250.50", "£1,250.00"; never negative)."""
    u = column.uniques.astype(str)
    ok = u.str.fullmatch(_POUNDS).to_numpy(dtype=bool)
    amount = pd.to_numeric(u.where(ok, "").str.replace(r"[£,\s]", "", regex=True), errors="coerce")
    bad = ~ok & (u != "").to_numpy()
    return (np.append(amount.to_numpy(dtype=np.float64), np.nan)[column.codes],
            np.append(bad, False)[column.codes])


def yes_no(column: Text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A yes/no column: per row whether it says yes, whether it says no (not blank), and a mask of the rows
    holding neither."""
    lower = column.each(lambda u: u.str.lower())
    return (lower.test(lambda u: u.isin(_YES)), lower.test(lambda u: u.isin(_NO - {""})),
            lower.test(lambda u: ~u.isin(_YES | _NO)))
