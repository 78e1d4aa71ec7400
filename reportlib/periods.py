"""Financial years (April-March) and their quarters, with the labels committees use.

A financial year is identified by the calendar year it starts in: 2019 is
``2019/20`` (1 April 2019 - 31 March 2020). A quarter is identified by a single
integer ``fy * 4 + (q - 1)`` so quarters sort, subtract and range like numbers:
Q1 (Apr-Jun) ... Q4 (Jan-Mar), labelled ``Q3 2020/21``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from .errors import shown

_FY_RE = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$")
_Q_RE = re.compile(r"^\s*Q([1-4])\s+(\S+)\s*$", re.IGNORECASE)
_SCALAR = (str, dt.date, np.datetime64)
#: Dates of any form: a pandas Series or Index, a numpy datetime64 array, a list of dates or of text
#: (ISO or UK day-first), or one date.
Dates = pd.Series | pd.Index | np.ndarray | Sequence[dt.date | str] | dt.date | str


def _index(dates) -> pd.DatetimeIndex:
    """Dates of any form as a DatetimeIndex; text is ISO or UK day-first (never month-first)."""
    if isinstance(dates, (pd.Series, pd.Index)) and dates.dtype.kind == "M":
        return pd.DatetimeIndex(dates)
    arr = np.asarray(dates)
    if arr.dtype.kind in "OU":
        from .workdays import _parse_text  # ISO or 18/08/2020; blanks stay NaT
        arr = _parse_text(arr.ravel().astype(object), "dates")
    return pd.DatetimeIndex(arr)


def _months(dates) -> tuple[np.ndarray, np.ndarray]:
    s = _index(dates)
    return s.year.to_numpy(), s.month.to_numpy()


def financial_year(dates: Dates) -> np.ndarray:
    """Start year of the financial year of each date (vectorised; one date gives an int)."""
    if isinstance(dates, _SCALAR):
        return int(financial_year([dates])[0])
    year, month = _months(dates)
    return year - (month < 4)


def quarter(dates: Dates) -> np.ndarray:
    """Quarter number ``fy * 4 + (q - 1)`` of each date (vectorised; one date gives an int)."""
    if isinstance(dates, _SCALAR):
        return int(quarter([dates])[0])
    year, month = _months(dates)
    fy = year - (month < 4)
    return fy * 4 + ((month - 4) % 12) // 3


def fy_label(fy: int) -> str:
    """2019 -> ``2019/20``."""
    return f"{fy}/{(fy + 1) % 100:02d}"


def fy_short(fy: int) -> str:
    """2020 -> ``20/21`` (as a committee paper writes it in running text)."""
    return f"{fy % 100:02d}/{(fy + 1) % 100:02d}"


def parse_fy(label: str) -> int:
    """``2019/20`` (or ``2019/2020``, ``2019-20``) -> 2019; ValueError otherwise."""
    m = _FY_RE.match(str(label))
    if not m:
        raise ValueError(f"{shown(label)} is not a financial year: write it like 2019/20")
    start, end = int(m.group(1)), m.group(2)
    expected = str(start + 1) if len(end) == 4 else f"{(start + 1) % 100:02d}"
    if end != expected:
        raise ValueError(f"{shown(label)} is not a financial year: the second year must follow the first, e.g. "
                         f"{fy_label(start)}")
    return start


def fy_start(fy: int) -> dt.date:
    """2019 -> 1 April 2019."""
    return dt.date(fy, 4, 1)


def fy_end(fy: int) -> dt.date:
    """2019 -> 31 March 2020."""
    return dt.date(fy + 1, 3, 31)


def quarter_label(index: int) -> str:
    """Quarter number -> ``Q3 2020/21``."""
    fy, q = divmod(int(index), 4)
    return f"Q{q + 1} {fy_label(fy)}"


def quarter_ordinal(index: int) -> str:
    """Quarter number -> ``3rd quarter of 20/21``."""
    fy, q = divmod(int(index), 4)
    return f"{('1st', '2nd', '3rd', '4th')[q]} quarter of {fy_short(fy)}"


def parse_quarter(label: str) -> int:
    """``Q3 2020/21`` -> quarter number; ValueError otherwise."""
    m = _Q_RE.match(str(label))
    if not m:
        raise ValueError(f"{shown(label)} is not a quarter: write it like Q3 2020/21")
    return parse_fy(m.group(2)) * 4 + int(m.group(1)) - 1


def quarter_start(index: int) -> dt.date:
    """Quarter number -> its first day (Q1 2020/21 -> 1 April 2020)."""
    fy, q = divmod(int(index), 4)
    month = 4 + 3 * q
    return dt.date(fy + (month > 12), (month - 1) % 12 + 1, 1)


def quarter_end(index: int) -> dt.date:
    """Quarter number -> its last day (Q1 2020/21 -> 30 June 2020)."""
    return quarter_start(index + 1) - dt.timedelta(days=1)


def last_quarters(fy: int, n: int) -> list[int]:
    """The ``n`` quarters ending with Q4 of financial year ``fy``, oldest first."""
    last = fy * 4 + 3
    return list(range(last - n + 1, last + 1))


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end] with the label a report gives it."""

    start: dt.date
    end: dt.date
    label: str

    @classmethod
    def financial_year(cls, fy: int) -> "Period":
        """The financial year starting in April of ``fy``."""
        return cls(fy_start(fy), fy_end(fy), fy_label(fy))

    @classmethod
    def quarter(cls, index: int) -> "Period":
        """The quarter with number ``index`` (see the module docstring)."""
        return cls(quarter_start(index), quarter_end(index), quarter_label(index))

    def contains(self, dates: Dates) -> np.ndarray:
        """Boolean mask: which ``dates`` fall in the period (NaT never does)."""
        d = _index(dates)
        # before the day after the end: a time on the last day is still in the period
        return np.asarray((d >= pd.Timestamp(self.start)) & (d < pd.Timestamp(self.end + dt.timedelta(days=1))))


_RANGE_RE = re.compile(r"^\s*(.+?)\s+to\s+(.+?)\s*$", re.IGNORECASE)
PERIOD_FORMS = "a financial year (2020/21), a quarter (Q3 2020/21) or two dates (2020-04-01 to 2021-03-31)"


def _day(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"{text!r} is not a date")


def parse_period(text: str) -> Period:
    """A period as a params file gives it: a financial year (``2020/21``, ``2020-21``, ``2020/2021``), a quarter
    (``Q3 2020/21``) or two dates (``2020-08-18 to 2021-06-30``, day-first ``18/08/2020 to 30/06/2021``, or as
    the label writes them);
    labelled ``2020/21``, ``Q3 2020/21``, ``18 August 2020 to 30 June 2021``. ValueError naming the forms otherwise."""
    label = " ".join(str(text).split())
    try:
        if _Q_RE.match(label):
            return Period.quarter(parse_quarter(label))
        if _FY_RE.match(label):
            return Period.financial_year(parse_fy(label))
        if m := _RANGE_RE.match(label):
            start, end = _day(m.group(1)), _day(m.group(2))
            if end < start:
                raise ValueError("its second date is before its first")
            return Period(start, end, f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}")
    except ValueError as e:
        raise ValueError(f"{label!r} is not a period ({e}): write {PERIOD_FORMS}") from None
    raise ValueError(f"{label!r} is not a period: write {PERIOD_FORMS}")
