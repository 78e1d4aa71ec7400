"""Financial years (April-March, ``2019/20``) and quarters (``Q3 2020/21``) exactly as committee papers write them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportlib import periods as P

D = dt.date.fromisoformat


@pytest.mark.parametrize("day, fy, label, quarter", [
    ("2020-03-31", 2019, "2019/20", "Q4 2019/20"),
    ("2020-04-01", 2020, "2020/21", "Q1 2020/21"),
    ("2020-06-30", 2020, "2020/21", "Q1 2020/21"),
    ("2020-07-01", 2020, "2020/21", "Q2 2020/21"),
    ("2020-09-30", 2020, "2020/21", "Q2 2020/21"),
    ("2020-10-01", 2020, "2020/21", "Q3 2020/21"),
    ("2020-12-31", 2020, "2020/21", "Q3 2020/21"),
    ("2021-01-01", 2020, "2020/21", "Q4 2020/21"),
    ("2021-03-31", 2020, "2020/21", "Q4 2020/21"),
    ("2000-03-31", 1999, "1999/00", "Q4 1999/00"),
    ("2000-04-01", 2000, "2000/01", "Q1 2000/01"),
])
def test_boundaries(day, fy, label, quarter):
    assert P.financial_year([D(day)]).tolist() == [fy]
    assert P.fy_label(fy) == label
    assert P.quarter_label(P.quarter([D(day)])[0]) == quarter
    # one date on its own gives a plain int
    assert P.financial_year(D(day)) == fy and isinstance(P.financial_year(D(day)), int)


def test_vectorised_over_series_and_arrays():
    days = ["2020-03-31", "2020-04-01", "2021-01-01"]
    for values in (pd.Series(pd.to_datetime(days)), np.array(days, dtype="datetime64[D]"), days,
                   pd.DatetimeIndex(days)):
        assert P.financial_year(values).tolist() == [2019, 2020, 2020]
        assert [P.quarter_label(q) for q in P.quarter(values)] == ["Q4 2019/20", "Q1 2020/21", "Q4 2020/21"]


def test_uk_day_first_text_is_never_month_first():
    # 01/04/2020 is 1 April 2020 (FY 2020/21), not 4 January
    assert P.financial_year(["01/04/2020", "31/03/2020"]).tolist() == [2020, 2019]
    assert P.quarter_label(P.quarter("01/04/2020")) == "Q1 2020/21"


def test_quarter_numbers_sort_and_subtract():
    q3, q4 = P.quarter([D("2020-12-31"), D("2021-01-01")])
    nxt = P.quarter([D("2021-04-01")])[0]
    assert q4 - q3 == 1 and nxt - q4 == 1
    assert P.quarter_label(q3) == "Q3 2020/21"
    assert P.quarter_label(nxt) == "Q1 2021/22"


def test_quarter_start_and_end():
    q4 = P.parse_quarter("Q4 2020/21")
    assert (P.quarter_start(q4), P.quarter_end(q4)) == (D("2021-01-01"), D("2021-03-31"))
    q1 = P.parse_quarter("Q1 2020/21")
    assert (P.quarter_start(q1), P.quarter_end(q1)) == (D("2020-04-01"), D("2020-06-30"))
    q3 = P.parse_quarter("Q3 2020/21")
    assert (P.quarter_start(q3), P.quarter_end(q3)) == (D("2020-10-01"), D("2020-12-31"))
    assert (P.fy_start(2019), P.fy_end(2019)) == (D("2019-04-01"), D("2020-03-31"))


def test_labels():
    assert P.fy_label(2019) == "2019/20"
    assert P.fy_label(1999) == "1999/00"
    assert P.fy_label(2009) == "2009/10"
    assert P.fy_short(2020) == "20/21"
    assert P.fy_short(1999) == "99/00"
    assert P.quarter_ordinal(P.parse_quarter("Q3 2020/21")) == "3rd quarter of 20/21"
    assert P.quarter_ordinal(P.parse_quarter("Q1 2020/21")) == "1st quarter of 20/21"
    assert P.quarter_ordinal(P.parse_quarter("Q2 2020/21")) == "2nd quarter of 20/21"
    assert P.quarter_ordinal(P.parse_quarter("Q4 1999/00")) == "4th quarter of 99/00"


@pytest.mark.parametrize("text", ["2019/20", "2019/2020", "2019-20", "2019-2020", " 2019 / 20 "])
def test_parse_fy_variants(text):
    assert P.parse_fy(text) == 2019


def test_parse_fy_century():
    assert P.parse_fy("1999/00") == 1999
    assert P.parse_fy("1999/2000") == 1999


@pytest.mark.parametrize("text, message", [
    ("2019/21", "'2019/21' is not a financial year: the second year must follow the first, e.g. 2019/20"),
    ("2019/2021", "'2019/2021' is not a financial year: the second year must follow the first, e.g. 2019/20"),
    ("19/20", "'19/20' is not a financial year: write it like 2019/20"),
    ("2019", "'2019' is not a financial year: write it like 2019/20"),
    ("", "'' is not a financial year: write it like 2019/20"),
    ("Q1 2019/20", "'Q1 2019/20' is not a financial year: write it like 2019/20"),
])
def test_parse_fy_errors(text, message):
    with pytest.raises(ValueError) as e:
        P.parse_fy(text)
    assert str(e.value) == message


def test_parse_quarter():
    assert P.parse_quarter("Q3 2020/21") == 2020 * 4 + 2
    assert P.parse_quarter("q3 2020/21") == 2020 * 4 + 2
    assert P.parse_quarter("Q4 2020-21") == 2020 * 4 + 3
    for bad in ("Q5 2020/21", "Q0 2020/21", "Q3", "2020/21", "Q3 20/21"):
        with pytest.raises(ValueError):
            P.parse_quarter(bad)
    with pytest.raises(ValueError, match=r"'Q5 2020/21' is not a quarter: write it like Q3 2020/21"):
        P.parse_quarter("Q5 2020/21")


@given(st.integers(1990, 2098), st.integers(0, 3))
def test_quarter_label_round_trip(fy, q):
    index = fy * 4 + q
    label = P.quarter_label(index)
    assert label == f"Q{q + 1} {fy}/{(fy + 1) % 100:02d}"
    assert P.parse_quarter(label) == index
    assert P.parse_fy(P.fy_label(fy)) == fy


@given(st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31)))
def test_every_date_is_in_its_quarter_and_year(day):
    q = P.quarter([day])[0]
    assert P.quarter_start(q) <= day <= P.quarter_end(q)
    fy = P.financial_year([day])[0]
    assert P.fy_start(fy) <= day <= P.fy_end(fy)
    assert q // 4 == fy


def test_last_quarters():
    qs = P.last_quarters(2020, 8)
    assert [P.quarter_label(q) for q in qs] == [
        "Q1 2019/20", "Q2 2019/20", "Q3 2019/20", "Q4 2019/20",
        "Q1 2020/21", "Q2 2020/21", "Q3 2020/21", "Q4 2020/21"]
    assert [P.quarter_label(q) for q in P.last_quarters(2020, 1)] == ["Q4 2020/21"]
    assert [P.quarter_label(q) for q in P.last_quarters(2020, 5)][0] == "Q4 2019/20"


def test_period_contains():
    q4 = P.Period.quarter(P.parse_quarter("Q4 2020/21"))
    assert (q4.start, q4.end, q4.label) == (D("2021-01-01"), D("2021-03-31"), "Q4 2020/21")
    got = q4.contains(pd.Series(pd.to_datetime(["2020-12-31", "2021-01-01", "2021-03-31", "2021-04-01", None])))
    assert got.tolist() == [False, True, True, False, False]  # ends included, NaT never
    # a datetime late on the last day is still inside
    assert q4.contains(np.array(["2021-03-31T23:59"], dtype="datetime64[ns]")).tolist() == [True]
    year = P.Period.financial_year(1999)
    assert (year.start, year.end, year.label) == (D("1999-04-01"), D("2000-03-31"), "1999/00")
    assert year.contains([D("1999-03-31"), D("1999-04-01"), D("2000-03-31"), D("2000-04-01")]).tolist() == [
        False, True, True, False]
