"""Working days: hand-checked counts around real UK bank holidays, and the properties the count must have.

Definition (SPEC): working days taken = working days *after* the day received, up to and including the
day responded. Every expected number below was counted by hand on a calendar; the comment says how.
"""

from __future__ import annotations

import datetime as dt

import holidays
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportlib.workdays import (REGIONS, bank_holidays, days_taken, due_date, due_dates, working_days)

D = dt.date.fromisoformat


def wd(received, responded, region="england-and-wales", closures=()):
    return days_taken(received, responded, region, closures)


# --- hand-checked counts -----------------------------------------------------------------------------

@pytest.mark.parametrize("received, responded, expected, why", [
    ("2020-05-07", "2020-05-07", 0, "same day"),
    ("2020-05-09", "2020-05-09", 0, "same day, a Saturday"),
    ("2020-05-15", "2020-05-18", 1, "Friday -> Monday"),
    ("2020-05-16", "2020-05-18", 1, "received Saturday, responded Monday"),
    ("2020-05-17", "2020-05-18", 1, "received Sunday, responded Monday"),
    ("2020-05-16", "2020-05-17", 0, "Saturday -> Sunday"),
    ("2020-05-11", "2020-05-15", 4, "Monday -> Friday: Tue Wed Thu Fri"),
    ("2020-05-11", "2020-05-25", 9, "Mon 11 -> Mon 25 May 2020: 25 May is the spring bank holiday"),
    # one-off bank holidays
    ("2020-05-07", "2020-05-11", 1, "Fri 8 May 2020 (VE Day, the moved May Day) is a holiday"),
    ("2020-05-01", "2020-05-04", 1, "Mon 4 May 2020 is a working day: May Day moved to the 8th"),
    ("2022-06-01", "2022-06-06", 1, "Thu 2 and Fri 3 June 2022 (Platinum Jubilee)"),
    ("2022-05-27", "2022-05-31", 2, "Mon 30 May 2022 is a working day: spring bank holiday moved to 2 June"),
    ("2022-09-16", "2022-09-20", 1, "Mon 19 September 2022 (state funeral)"),
    ("2023-05-05", "2023-05-09", 1, "Mon 8 May 2023 (Coronation)"),
    ("2023-04-28", "2023-05-12", 8, "Mon 1 May and Mon 8 May 2023 both holidays: 4 + 4"),
    # Christmas and New Year substitutes
    ("2020-12-24", "2020-12-29", 1, "Fri 25 Dec 2020, Sat 26 -> Mon 28 (Boxing Day observed)"),
    ("2020-12-18", "2021-01-08", 12, "21-24 Dec (4), 29-31 Dec (3), 4-8 Jan (5)"),
    ("2021-12-24", "2021-12-29", 1, "Sat 25 / Sun 26 Dec 2021 -> Mon 27 and Tue 28"),
    ("2021-12-31", "2022-01-04", 1, "Sat 1 Jan 2022 -> Mon 3 Jan"),
    ("2022-12-23", "2022-12-28", 1, "Mon 26 Dec 2022 Boxing Day, Sun 25 -> Tue 27"),
    ("2020-04-09", "2020-04-14", 1, "Good Friday 10 and Easter Monday 13 April 2020"),
    # negative when responded before received
    ("2020-05-11", "2020-05-07", -1, "the other way round"),
])
def test_england_and_wales_hand_counts(received, responded, expected, why):
    assert wd(D(received), D(responded)) == expected, why


@pytest.mark.parametrize("received, responded, england, scotland, why", [
    ("2019-12-31", "2020-01-03", 2, 1, "Thu 2 January 2020 is a holiday in Scotland only"),
    ("2022-12-30", "2023-01-04", 2, 1, "2023: Mon 2 Jan (for the 1st) everywhere, Tue 3 Jan (for the 2nd) in Scotland"),
    ("2020-07-31", "2020-08-04", 2, 1, "Mon 3 August 2020: Scotland's summer holiday is the first Monday"),
    ("2020-08-28", "2020-09-01", 1, 2, "Mon 31 August 2020: England's is the last Monday, not Scotland's"),
    ("2020-04-09", "2020-04-14", 1, 2, "no Easter Monday in Scotland"),
    ("2020-11-27", "2020-12-01", 2, 1, "Mon 30 November 2020, St Andrew's Day"),
    ("2020-05-07", "2020-05-11", 1, 1, "VE Day 2020 was UK-wide"),
])
def test_scotland_against_england(received, responded, england, scotland, why):
    assert wd(D(received), D(responded), "england-and-wales") == england, why
    assert wd(D(received), D(responded), "scotland") == scotland, why


@pytest.mark.parametrize("received, responded, england, ni, why", [
    ("2020-03-16", "2020-03-18", 2, 1, "Tue 17 March 2020, St Patrick's Day"),
    ("2021-07-09", "2021-07-13", 2, 1, "Mon 12 July 2021, Battle of the Boyne"),
    ("2020-07-10", "2020-07-14", 2, 1, "Sun 12 July 2020 -> Mon 13 July"),
    ("2020-08-28", "2020-09-01", 1, 1, "Northern Ireland keeps England's last-Monday August holiday"),
])
def test_northern_ireland_against_england(received, responded, england, ni, why):
    assert wd(D(received), D(responded), "england-and-wales") == england, why
    assert wd(D(received), D(responded), "northern-ireland") == ni, why


def test_bank_holiday_lists_hold_the_one_offs():
    eng = set(bank_holidays("england-and-wales", [2020, 2022, 2023]))
    for d in ("2020-05-08", "2022-06-02", "2022-06-03", "2022-09-19", "2023-05-08"):
        assert D(d) in eng
    assert D("2020-05-04") not in eng and D("2022-05-30") not in eng
    sct = set(bank_holidays("scotland", [2020]))
    assert {D("2020-01-02"), D("2020-08-03")} <= sct and D("2020-08-31") not in sct
    nir = set(bank_holidays("northern-ireland", [2020]))
    assert {D("2020-03-17"), D("2020-07-13")} <= nir


def test_closure_days_are_not_working_days():
    # Christmas shutdown 29-31 December 2020: from Thu 24 Dec to Mon 4 Jan only the 4th is left.
    assert wd(D("2020-12-24"), D("2021-01-04")) == 4
    shutdown = ["2020-12-29", "2020-12-30", "2020-12-31"]
    assert wd(D("2020-12-24"), D("2021-01-04"), closures=shutdown) == 1
    # any date form, UK day-first included (1/12 is 1 December, never 12 January)
    as_dates = [D(d) for d in shutdown]
    assert wd(D("2020-12-24"), D("2021-01-04"), closures=as_dates) == 1
    assert wd(D("2020-12-24"), D("2021-01-04"), closures=["29/12/2020", np.datetime64("2020-12-30"),
                                                          pd.Timestamp("2020-12-31")]) == 1
    assert wd(D("2020-11-30"), D("2020-12-02"), closures=["01/12/2020"]) == 1
    # a closure on a weekend or a bank holiday changes nothing
    assert wd(D("2020-12-24"), D("2021-01-04"), closures=["2020-12-26", "2020-12-28"]) == 4
    # a single date works as well as a list
    assert wd(D("2020-11-30"), D("2020-12-02"), closures="2020-12-01") == 1


def test_years_outside_the_default_window():
    # 2060: Christmas Day is a Saturday, so Mon 27 and Tue 28 are the substitute days.
    assert wd(D("2060-12-24"), D("2060-12-29")) == 1
    # 1993 likewise (Sat 25 Dec 1993).
    assert wd(D("1993-12-24"), D("1993-12-29")) == 1
    # an array reaching from inside the window to outside it
    got = working_days(["2020-05-07", "2060-12-24"], ["2020-05-11", "2060-12-29"])
    assert got.tolist() == [1, 1]
    assert due_date(D("2060-12-24"), 1) == D("2060-12-29")


# --- due dates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("received, days, due, why", [
    ("2020-05-07", 1, "2020-05-11", "Thu + 1 over VE Day and the weekend"),
    ("2020-05-09", 1, "2020-05-11", "received Saturday: the 1st working day after is Monday"),
    ("2020-05-09", 0, "2020-05-09", "0 days: the day received"),
    ("2020-05-08", 1, "2020-05-11", "received on a bank holiday"),
    ("2020-12-18", 12, "2021-01-08", "over Christmas 2020"),
    ("2022-05-27", 5, "2022-06-07", "30, 31 May, 1 June, (Jubilee 2-3), 6, 7 June"),
    ("2020-08-18", 20, "2020-09-16", "20 working days over the August bank holiday (31 Aug)"),
])
def test_due_date(received, days, due, why):
    assert due_date(D(received), days) == D(due), why
    assert wd(D(received), D(due)) == days


def test_due_date_regions_and_closures():
    # Scotland's first-Monday August holiday; England's is later in the month.
    assert due_date(D("2020-07-31"), 1, "england-and-wales") == D("2020-08-03")
    assert due_date(D("2020-07-31"), 1, "scotland") == D("2020-08-04")
    assert due_date(D("2020-12-24"), 1, closures=["2020-12-29", "2020-12-30", "2020-12-31"]) == D("2021-01-04")


def test_due_dates_vectorised():
    got = due_dates(pd.Series(pd.to_datetime(["2020-05-07", "2020-05-09", "2020-12-18"])), [1, 0, 12])
    assert got.dtype == np.dtype("datetime64[D]")
    assert got.tolist() == [D("2020-05-11"), D("2020-05-09"), D("2021-01-08")]
    # one target for every receipt
    assert due_dates(["2020-05-07", "2020-05-09"], 1).tolist() == [D("2020-05-11"), D("2020-05-11")]
    with pytest.raises(ValueError, match="must not be negative"):
        due_dates(["2020-05-07"], -1)


# --- input types -------------------------------------------------------------------------------------

RECEIVED = ["2020-05-07", "2020-05-15", "2020-12-24"]
RESPONDED = ["2020-05-11", "2020-05-18", "2020-12-29"]
EXPECTED = [1, 1, 1]


@pytest.mark.parametrize("convert", [
    pytest.param(lambda v: pd.Series(pd.to_datetime(v)), id="series"),
    pytest.param(lambda v: pd.Series(pd.to_datetime(v)).astype("datetime64[ns]"), id="series-ns"),
    pytest.param(lambda v: pd.DatetimeIndex(v), id="datetimeindex"),
    pytest.param(lambda v: np.array(v, dtype="datetime64[D]"), id="datetime64[D]"),
    pytest.param(lambda v: np.array(v, dtype="datetime64[ns]"), id="datetime64[ns]"),
    pytest.param(lambda v: np.array(v, dtype="datetime64[s]"), id="datetime64[s]"),
    pytest.param(lambda v: list(v), id="iso-strings"),
    pytest.param(lambda v: [D(x) for x in v], id="dates"),
    pytest.param(lambda v: [pd.Timestamp(x) for x in v], id="timestamps"),
    pytest.param(lambda v: [dt.datetime.fromisoformat(x + "T16:30") for x in v], id="datetimes"),
    pytest.param(lambda v: pd.Series(pd.to_datetime(v)).dt.tz_localize("Europe/London"), id="tz-aware"),
])
def test_input_types_give_int64(convert):
    got = working_days(convert(RECEIVED), convert(RESPONDED))
    assert isinstance(got, np.ndarray) and got.dtype == np.int64
    assert got.tolist() == EXPECTED


def test_datetimes_with_a_time_count_by_their_day():
    # responded late in the evening still counts the day it was sent
    assert working_days(np.array(["2020-05-07T09:00"], "datetime64[ns]"),
                        np.array(["2020-05-11T23:59:59"], "datetime64[ns]")).tolist() == [1]


def test_uk_day_first_strings():
    assert working_days(["07/05/2020"], ["11/05/2020"]).tolist() == [1]


def test_missing_dates_raise():
    with pytest.raises(ValueError, match=r"responded: contains a missing date \(NaT\)"):
        working_days(pd.Series(pd.to_datetime(["2020-05-07"])), pd.Series([pd.NaT], dtype="datetime64[ns]"))
    with pytest.raises(ValueError, match="received: contains a missing date"):
        working_days(np.array(["NaT"], "datetime64[D]"), np.array(["2020-05-11"], "datetime64[D]"))
    with pytest.raises(ValueError, match="received: contains a missing date"):
        working_days([None], ["2020-05-11"])


def test_not_dates_raise():
    with pytest.raises(ValueError, match=r"responded: 'soon' is not a date"):
        working_days(["2020-05-07"], ["soon"])
    with pytest.raises(TypeError, match="expected dates"):
        working_days(np.array([1, 2]), np.array([3, 4]))


def test_unknown_region_raises():
    with pytest.raises(ValueError, match=r"unknown region 'wales': use one of england-and-wales, scotland, "
                                         r"northern-ireland"):
        working_days(["2020-05-07"], ["2020-05-11"], region="wales")
    with pytest.raises(ValueError, match="unknown region"):
        due_date(D("2020-05-07"), 1, region="Scotland")


def test_empty_input():
    got = working_days(np.array([], "datetime64[D]"), np.array([], "datetime64[D]"))
    assert got.dtype == np.int64 and got.size == 0


# --- properties --------------------------------------------------------------------------------------

IN_WINDOW = st.dates(dt.date(1995, 1, 1), dt.date(2045, 12, 31))
FAR = st.dates(dt.date(2055, 1, 1), dt.date(2070, 12, 31))
ANY_DATE = st.one_of(IN_WINDOW, FAR)
REGION = st.sampled_from(sorted(REGIONS))
SUBDIV = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}


def _reference(a: dt.date, b: dt.date, region: str, closures=()) -> int:
    """The definition, one day at a time: working days in (a, b] (negated when b < a)."""
    if b < a:
        return -_reference(b, a, region, closures)
    hols = holidays.country_holidays("GB", subdiv=SUBDIV[region], years=range(a.year, b.year + 1))
    closed = set(closures)
    n = 0
    d = a + dt.timedelta(days=1)
    while d <= b:
        if d.weekday() < 5 and d not in hols and d not in closed:
            n += 1
        d += dt.timedelta(days=1)
    return n


@settings(max_examples=200, deadline=None)
@given(st.lists(ANY_DATE, min_size=3, max_size=3), REGION)
def test_additive(days, region):
    a, b, c = sorted(days)
    assert wd(a, b, region) + wd(b, c, region) == wd(a, c, region)


@settings(max_examples=200, deadline=None)
@given(ANY_DATE, st.integers(0, 400), REGION)
def test_between_zero_and_calendar_days(a, span, region):
    b = a + dt.timedelta(days=span)
    assert 0 <= wd(a, b, region) <= (b - a).days
    assert wd(b, a, region) == -wd(a, b, region)


@settings(max_examples=200, deadline=None)
@given(ANY_DATE, st.integers(0, 300), REGION,
       st.lists(st.dates(dt.date(2019, 12, 1), dt.date(2021, 2, 1)), max_size=10))
def test_due_date_inverts_the_count(received, n, region, closures):
    due = due_date(received, n, region, closures)
    assert wd(received, due, region, closures) == n
    if n >= 1:
        assert wd(received, due - dt.timedelta(days=1), region, closures) == n - 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(IN_WINDOW, st.integers(-10, 120)), min_size=1, max_size=12), REGION,
       st.lists(IN_WINDOW, max_size=5))
def test_matches_a_day_by_day_loop(pairs, region, closures):
    received = [a for a, _ in pairs]
    responded = [a + dt.timedelta(days=k) for a, k in pairs]
    got = working_days(pd.Series(pd.to_datetime(received)), np.array(responded, dtype="datetime64[D]"),
                       region, closures)
    assert got.tolist() == [_reference(a, b, region, closures) for a, b in zip(received, responded)]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(FAR, st.integers(0, 60)), min_size=1, max_size=6), REGION)
def test_matches_the_loop_outside_the_window(pairs, region):
    received = [a for a, _ in pairs]
    responded = [a + dt.timedelta(days=k) for a, k in pairs]
    got = working_days(received, responded, region)
    assert got.tolist() == [_reference(a, b, region) for a, b in zip(received, responded)]
