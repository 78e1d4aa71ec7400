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
from typing import Iterable, Sequence

import holidays as _holidays
import numpy as np
import pandas as pd

from .errors import shown
from .regions import DEFAULT_REGION, REGIONS  # noqa: F401 - re-exported: region name -> holidays subdivision

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


_NAT = np.iinfo(np.int64).min
_SINGLE = (str, dt.date, np.datetime64)
#: Dates, one per case: a pandas Series, a numpy datetime64 array, or a list of dates or of text (ISO or UK
#: day-first).
Dates = pd.Series | np.ndarray | Sequence[dt.date | str]
#: One date: a date, a numpy datetime64, or text (ISO or UK day-first).
Day = dt.date | np.datetime64 | str


def _parse_text(flat: np.ndarray, what: str) -> np.ndarray:
    """Text (or date/datetime objects) -> datetime64[D]: ISO 2020-08-18 or UK day-first 18/08/2020."""
    parsed = pd.to_datetime(pd.Series(flat, dtype=object), format="ISO8601", errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)  # an aware time counts by its local date
    days = parsed.to_numpy().astype("datetime64[D]")
    todo = np.isnat(days)
    if todo.any():
        text = pd.Series(flat[todo], dtype=object)
        text = text.where(text.notna(), "").astype(str).str.strip()
        uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
        bad = (text != "") & uk.isna()
        if bad.any():
            raise ValueError(f"{what}: {shown(text[bad].iloc[0])} is not a date: write 2020-08-18 or 18/08/2020")
        days[todo] = uk.to_numpy().astype("datetime64[D]")
    return days


def _as_days(values, what: str, shift: int = 0) -> np.ndarray:
    """Any array-like of dates (Series, Index, datetime64 array, list) -> datetime64[D], plus ``shift`` days.

    Times of day are dropped (a datetime counts as its calendar day); timezone-aware
    values count by their local date. Missing dates raise ValueError.
    """
    if isinstance(values, (pd.Series, pd.Index)):
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_localize(None) if isinstance(values, pd.Series) else values.tz_localize(None)
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        unit, count = np.datetime_data(arr.dtype)
        if unit == "generic":
            arr, unit, count = arr.astype("datetime64[D]"), "D", 1
        ticks = arr.view(np.int64)
        if ticks.size and ticks.min() == _NAT:
            raise ValueError(f"{what}: contains a missing date (NaT); fill open cases with the cut-off date first")
        if unit == "D" and count == 1:
            days = ticks + shift if shift else ticks
        elif unit in ("h", "m", "s", "ms", "us", "ns"):
            # one pass: whole days since 1970 (floor, so times before midnight stay on their day)
            per_day = int(np.timedelta64(1, "D") // np.timedelta64(count, unit))
            days = np.floor_divide(ticks, per_day)
            if shift:
                days += shift
        else:  # weeks, months, years
            days = arr.astype("datetime64[D]").view(np.int64)
            if shift:
                days = days + shift
        return days.view("datetime64[D]")
    if arr.dtype.kind in "OU":
        flat = arr.ravel().astype(object)
        days = _parse_text(flat, what).reshape(arr.shape)
        if np.isnat(days).any():
            raise ValueError(f"{what}: contains a missing date (NaT); fill open cases with the cut-off date first")
        return days + np.timedelta64(shift, "D") if shift else days
    raise TypeError(f"{what}: expected dates, got an array of {arr.dtype}")


def _closures_key(closures) -> tuple[str, ...]:
    """Closure days in any date form (ISO or UK day-first text, dates) -> sorted ISO strings."""
    if closures is None:
        return ()
    if isinstance(closures, _SINGLE):
        closures = [closures]
    items = list(closures)
    if not items:
        return ()
    days = _as_days(np.array(items, dtype=object), "closures")
    return tuple(sorted({str(d) for d in days.ravel()}))


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


def _year(day: np.int64) -> int:
    """Calendar year of a day number (days since 1970-01-01)."""
    return int(np.int64(day).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)) + 1970


def _span(*arrays: np.ndarray) -> tuple[int, int] | None:
    """Years the arrays reach outside the default window, else None (cheap: min and max only)."""
    sized = [a for a in arrays if a.size]
    if not sized:
        return None
    # on the int64 view: datetime64 min/max are NaT-aware and several times slower
    first = _year(min(a.view(np.int64).min() for a in sized))
    last = _year(max(a.view(np.int64).max() for a in sized)) + 1
    if first >= _FIRST_YEAR and last <= _LAST_YEAR:
        return None
    return first, last


def working_days(received: Dates, responded: Dates, region: str = DEFAULT_REGION, closures: Iterable = ()) -> np.ndarray:
    """Working days after ``received`` up to and including ``responded`` (int64 array).

    Vectorised over array-likes of equal length (pandas Series, numpy
    datetime64 arrays, lists of dates or of ISO / UK day-first text). When
    ``responded`` is before ``received`` the result is minus the count the
    other way round. Missing dates raise ``ValueError``.
    """
    # numpy counts [begin, end); ours is (received, responded] = [received+1, responded+1)
    start = _as_days(received, "received", shift=1)
    end = _as_days(responded, "responded", shift=1)
    cal = calendar(region, closures, _span(start, end))
    counts = np.asarray(np.busday_count(start, end, busdaycal=cal), dtype=np.int64)
    backward = end < start
    if backward.any():
        # numpy counts a reversed range as -(end, begin]; ours is -(responded, received]
        start, end = np.broadcast_arrays(start, end)
        one = np.timedelta64(1, "D")
        counts[backward] = np.busday_count(start[backward] - one, end[backward] - one, busdaycal=cal)
    return counts


def due_dates(received: Dates, days: int | Sequence[int] | np.ndarray, region: str = DEFAULT_REGION,
              closures: Iterable = ()) -> np.ndarray:
    """The ``days``-th working day after each receipt date (datetime64[D] array).

    ``days`` is an int or an int array-like. With 0 days the due date is the
    day received. Inverts :func:`working_days`:
    ``working_days(r, due_dates(r, n)) == n`` and the date before it counts n - 1.
    """
    start = _as_days(received, "received")
    n = np.asarray(days, dtype=np.int64)
    if (n < 0).any():
        raise ValueError("days must not be negative")
    span = _span(start)
    while True:
        cal = calendar(region, closures, span)
        # Rolling a weekend/holiday receipt *backward* makes "n days after" count from
        # the last working day, so a Saturday receipt is due on the n-th working day after it.
        due = np.where(n == 0, start, np.busday_offset(start, n, roll="backward", busdaycal=cal))
        # Due dates past the calendar's last year: widen it to cover them and count again.
        reach = _span(start, due)
        covered = span or (_FIRST_YEAR, _LAST_YEAR)
        if reach is None or reach[1] <= max(covered[1], _LAST_YEAR):
            return due
        span = (min(covered[0], reach[0]), reach[1])


def due_date(received: Day, days: int, region: str = DEFAULT_REGION, closures: Iterable = ()) -> dt.date:
    """Scalar form of :func:`due_dates` for one receipt date."""
    return pd.Timestamp(due_dates([received], days, region, closures)[0]).date()


def days_taken(received: Day, responded: Day, region: str = DEFAULT_REGION, closures: Iterable = ()) -> int:
    """Scalar form of :func:`working_days` for one pair of dates."""
    return int(working_days([received], [responded], region, closures)[0])
