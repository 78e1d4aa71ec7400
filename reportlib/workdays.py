"""Working days between dates, UK bank holidays by region, vectorised.

Definition (SPEC): working days taken = the number of working days *after* the
day received, up to and including the day responded. Received Friday,
responded Monday = 1; same day = 0. The due date for a target of N days is the
earliest date on which N working days have been taken.

Everything here is numpy's business-day machinery (``busday_count`` /
``busday_offset``) over a ``busdaycalendar`` whose holidays come from the
``holidays`` package for the region's UK subdivision, plus any closure days.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Iterable

import holidays as _holidays
import numpy as np
import pandas as pd

#: region name (params ``region:``) -> UK subdivision code in the holidays package
REGIONS = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}
DEFAULT_REGION = "england-and-wales"

# Holiday tables cover at least these years; data outside widens the window.
_FIRST_YEAR, _LAST_YEAR = 1995, 2045


def bank_holidays(region: str = DEFAULT_REGION, years: Iterable[int] = ()) -> list[dt.date]:
    """The bank holidays of ``region`` in ``years``, sorted (weekend dates included)."""
    subdiv = _subdivision(region)
    table = _holidays.country_holidays("GB", subdiv=subdiv, years=list(years))
    return sorted(table)


def _subdivision(region: str) -> str:
    try:
        return REGIONS[region]
    except KeyError:
        known = ", ".join(REGIONS)
        raise ValueError(f"unknown region {region!r}: use one of {known}") from None


def _as_days(values, what: str) -> np.ndarray:
    """Any array-like of dates (Series, Index, datetime64 array, list) -> datetime64[D]."""
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        days = arr.astype("datetime64[D]", copy=False)
    elif arr.dtype.kind in "OU":
        days = pd.to_datetime(arr.ravel(), format="ISO8601").to_numpy().astype("datetime64[D]").reshape(arr.shape)
    else:
        raise TypeError(f"{what}: expected dates, got an array of {arr.dtype}")
    if np.isnat(days).any():
        raise ValueError(f"{what}: contains a missing date (NaT); fill open cases with the cut-off date first")
    return days


def _closures_key(closures: Iterable) -> tuple[str, ...]:
    return tuple(sorted({str(np.datetime64(pd.Timestamp(c).date(), "D")) for c in closures}))


@lru_cache(maxsize=64)
def _calendar(region: str, closures: tuple[str, ...], first: int, last: int) -> np.busdaycalendar:
    days = [np.datetime64(d, "D") for d in bank_holidays(region, range(first, last + 1))]
    days.extend(np.datetime64(c, "D") for c in closures)
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(sorted(set(days)), dtype="datetime64[D]"))


def calendar(region: str = DEFAULT_REGION, closures: Iterable = (), span: tuple[int, int] | None = None) -> np.busdaycalendar:
    """The business-day calendar for ``region`` with ``closures`` removed.

    ``span`` (first year, last year) widens the default 1995-2045 window.
    """
    _subdivision(region)
    first, last = _FIRST_YEAR, _LAST_YEAR
    if span is not None:
        first, last = min(first, span[0]), max(last, span[1])
    return _calendar(region, _closures_key(closures), first, last)


def _span(*arrays: np.ndarray) -> tuple[int, int] | None:
    """Years the arrays reach outside the default window, else None (cheap check)."""
    lo = min(a.min() for a in arrays if a.size) if any(a.size for a in arrays) else None
    if lo is None:
        return None
    hi = max(a.max() for a in arrays if a.size)
    first, last = int(str(lo)[:4]), int(str(hi)[:4]) + 1
    if first >= _FIRST_YEAR and last <= _LAST_YEAR:
        return None
    return first, last


def working_days(received, responded, region: str = DEFAULT_REGION, closures: Iterable = ()) -> np.ndarray:
    """Working days after ``received`` up to and including ``responded`` (int64 array).

    Vectorised over array-likes of equal length (pandas Series, numpy
    datetime64 arrays, lists of ISO dates). Negative when ``responded`` is
    before ``received``. Missing dates raise ``ValueError``.
    """
    start = _as_days(received, "received")
    end = _as_days(responded, "responded")
    cal = calendar(region, closures, _span(start, end))
    one = np.timedelta64(1, "D")
    # numpy counts [begin, end); ours is (received, responded] = [received+1, responded+1)
    return np.busday_count(start + one, end + one, busdaycal=cal).astype(np.int64, copy=False)


def due_dates(received, days, region: str = DEFAULT_REGION, closures: Iterable = ()) -> np.ndarray:
    """The ``days``-th working day after each receipt date (datetime64[D] array).

    ``days`` is an int or an int array-like. With 0 days the due date is the
    day received. Inverts :func:`working_days`:
    ``working_days(r, due_dates(r, n)) == n`` and the date before it counts n - 1.
    """
    start = _as_days(received, "received")
    n = np.asarray(days, dtype=np.int64)
    if (n < 0).any():
        raise ValueError("days must not be negative")
    cal = calendar(region, closures, _span(start, start + np.timedelta64(int(n.max(initial=0)) * 2 + 14, "D")))
    # Rolling a weekend/holiday receipt *backward* makes "n days after" count from
    # the last working day, so a Saturday receipt is due on the n-th working day after it.
    due = np.busday_offset(start, n, roll="backward", busdaycal=cal)
    return np.where(n == 0, start, due)


def due_date(received, days: int, region: str = DEFAULT_REGION, closures: Iterable = ()) -> dt.date:
    """Scalar form of :func:`due_dates` for one receipt date."""
    return pd.Timestamp(due_dates([received], days, region, closures)[0]).date()


def days_taken(received, responded, region: str = DEFAULT_REGION, closures: Iterable = ()) -> int:
    """Scalar form of :func:`working_days` for one pair of dates."""
    return int(working_days([received], [responded], region, closures)[0])
