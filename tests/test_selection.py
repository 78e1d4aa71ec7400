"""Filters and periods that select nothing are refused; years before the case log are unknown, not zero."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from factory import case, performance_params, render_log, text_of
from reportlib import selection
from reportlib.errors import ParamsError
from reportlib.reports import check as validate


def cases(*rows):
    return pd.DataFrame(rows, columns=["received", "responded", "service"]).assign(
        received=lambda d: pd.to_datetime(d["received"]), responded=lambda d: pd.to_datetime(d["responded"]))


LOG = cases(("2019-06-03", "2019-07-01", "Children's Services"), ("2020-02-03", None, "Adult Social Care"),
            ("2021-01-04", "2021-03-02", "Highways"))


def test_span_runs_from_first_received_to_last_date_known():
    assert selection.span(LOG) == selection.Span(dt.date(2019, 6, 3), dt.date(2021, 3, 2))
    assert selection.span(LOG.iloc[:0]) is None


def test_covered_years_and_quarters():
    assert selection.covered_years(range(2015, 2023), LOG) == [2019, 2020, 2021, 2022]  # after: known to be none
    assert selection.covered_quarters(range(2019 * 4, 2019 * 4 + 4), LOG) == [2019 * 4, 2019 * 4 + 1, 2019 * 4 + 2,
                                                                             2019 * 4 + 3]
    assert selection.covered_quarters([2018 * 4 + 3, 2019 * 4], LOG) == [2019 * 4]  # Jan-Mar 2019 is before it


def test_closest_values_first():
    held = ["Highways", "Adult Social Care", "Children's Services", "Childrens Centres"]
    assert selection.closest("Childrens Servces", held)[:2] == ["Children's Services", "Childrens Centres"]


def test_service_matches_ignoring_case_and_spacing():
    assert selection.problems([selection.TextFilter("service", "  children's   SERVICES ", "service")], LOG) == []


def test_a_period_inside_the_log_with_no_cases_is_fine():
    # 2019-09 to 2019-12: no case received or responded, but the log runs through it.
    period = selection.PeriodFilter("year", "x", dt.date(2019, 9, 1), dt.date(2019, 12, 31))
    assert selection.problems([period], LOG) == []


def test_edges_of_the_log_are_inside():
    assert selection.problems([selection.PeriodFilter("k", "v", dt.date(2021, 3, 2), dt.date(2021, 3, 31))], LOG) == []
    assert selection.problems([selection.PeriodFilter("k", "v", dt.date(2019, 1, 1), dt.date(2019, 6, 3))], LOG) == []
    assert selection.problems([selection.PeriodFilter("k", "v", dt.date(2021, 3, 3), dt.date(2021, 3, 31))], LOG) != []


def _performance(year: str):
    return validate(performance_params("x.csv", year=year), "meeting.yaml")


def test_year_outside_the_log_is_refused():
    with pytest.raises(ParamsError) as e:
        selection.check(_performance("2022/23"), LOG, "meeting.yaml", "cases.csv")
    assert str(e.value) == ("meeting.yaml: key 'year': 2022/23 matches no case: cases.csv covers 3 June 2019 to "
                            "2 March 2021")
    selection.check(_performance("2020/21"), LOG, "meeting.yaml", "cases.csv")


def test_service_column_absent():
    p = validate({**__import__("factory").childrens_params("x.csv", baseline_year="2019/20",
                                                           period_start="2020-04-01", period_end="2020-12-31")},
                 "m.yaml")
    with pytest.raises(ParamsError) as e:
        selection.check(p, LOG.drop(columns="service").assign(service=None), "m.yaml", "cases.csv")
    assert str(e.value) == ("m.yaml: key 'service': \"Children's Services\" matches no case: cases.csv has no service "
                            "values to filter on; remove 'service', or map the export's service column with columns:")


# --- a whole report on a log that starts after the trend years begin ---------------------------

@pytest.fixture(scope="module")
def late_start(tmp_path_factory):
    """A case log starting on 1 July 2019: 2019/20 and 2020/21 only, against trend_years: 6."""
    rows = [case("K1", "2019-07-01", kind="compliment", procedure="corporate"),
            case("K2", "2020-07-01", kind="compliment", procedure="corporate"),
            case("K3", "2020-08-03", kind="compliment", procedure="corporate"),
            case("S1", "2019-07-01", 20, stage=2, procedure="corporate", service="Highways"),
            case("S2", "2020-09-01", 30, stage=2, procedure="corporate", service="Highways")]
    return render_log(tmp_path_factory.mktemp("late"), rows, performance_params)


def test_trend_shows_only_the_years_the_log_covers(late_start):
    page = text_of((late_start / "report.html").read_text(encoding="utf-8"))
    assert "Between 2019/20 and 2020/21, Corporate compliments went up from 1 to 2," in page
    assert "The case log starts on 1 July 2019, so the figures begin in 2019/20." in page
    assert "2015/16" not in page and "2018/19" not in page
    assert "from 0" not in page and "from none" not in page.split("Compliments")[-1]
    figures = json.loads((late_start / "figures.json").read_text())
    assert figures["trend_first"]["value"] == "2019/20" and figures["trend_cut"]["value"] is True


def test_quarters_before_the_log_are_not_shown_as_no_cases(late_start):
    page = text_of((late_start / "report.html").read_text(encoding="utf-8"))
    assert "Q1 2019/20" not in page  # April-June 2019: before the log starts
    assert "The figures from Q2 2019/20 to Q4 2020/21 are in Table 2." in page


def test_year_before_outside_the_log_is_not_compared(tmp_path):
    rows = [case("K1", "2020-07-01", kind="compliment", procedure="corporate"),
            case("S1", "2020-07-01", 20, stage=2, procedure="corporate", service="Highways")]
    out = render_log(tmp_path, rows, performance_params)
    page = text_of((out / "report.html").read_text(encoding="utf-8"))
    assert "The case log starts on 1 July 2020, so there are no figures for 2019/20 to compare with." in page
    assert "Corporate: 1 complaint, no comments and 1 compliment" in page
    assert "In 2020/21, the Council received 1 Corporate compliment, no Children's Social Care compliments and no " \
           "Adult Social Care compliments." in page
    assert "up from" not in page and "down from" not in page
