"""Backtest: case logs built to match the two published example reports; the rendered reports
must state the published figures (see tests/golden.py for how each was built)."""

from __future__ import annotations

import json
import re

import pytest

import golden
from factory import render_log, text_of


@pytest.fixture(scope="module")
def dudley(tmp_path_factory):
    out = render_log(tmp_path_factory.mktemp("dudley"), golden.dudley_rows(), golden.dudley_params)
    return text_of((out / "report.html").read_text()), json.loads((out / "figures.json").read_text())


@pytest.fixture(scope="module")
def worcs(tmp_path_factory):
    out = render_log(tmp_path_factory.mktemp("worcs"), golden.worcestershire_rows(), golden.worcestershire_params)
    return (out / "report.html").read_text(), json.loads((out / "figures.json").read_text())


@pytest.mark.parametrize("published", [
    # "only 41% of complaints were being responded to within 20 working days" (the Council's own target)
    "showed that 41% of complaints were responded to within the Council's own target of 20 working days (17 of 41 "
    "responses)",
    # "since ... 18th August 2020 the proportion ... within the twenty working day timescale is 65%"
    "introduced on 18 August 2020. Since then, the proportion of responses provided within the Council's own target "
    "of 20 working days is 65% (26 of 40 responses). This is an improvement on the 41% for 2019/20.",
    # "Other work pressures – 53% (24 cases) of all overdue cases"
    "Other work pressures: 53% (24 cases).",
    "Staff absence: 16% (7 cases).",
    "Complex case: 13% (6 cases).",
    "Awaiting information: 11% (5 cases).",
    "No reason recorded: 7% (3 cases).",
    # "The majority of the cases ... Other work pressures occurred in the Court and Care Management Teams"
    "delayed by other work pressures were handled by 2 teams, Court Team (8 cases) and Care Management Team (6 cases), "
    "which between them account for 58% (14 cases).",
    # "ranging from 50% to 73%", beside the council's figure for the same period
    "other councils' figures for Children's Services complaints responded to within 20 working days range from 50% "
    "to 73%, against 65% here (26 of 40 responses).",
])
def test_childrens_report_states_the_published_figures(dudley, published):
    assert published in dudley[0]


def test_childrens_overdue_reasons_largest_first(dudley):
    reasons = dudley[1]["overdue_reasons"]["value"]
    assert [(r["names"], r["value"]["count"]) for r in reasons] == [
        (["Other work pressures"], 24), (["Staff absence"], 7), (["Complex case"], 6), (["Awaiting information"], 5),
        (["No reason recorded"], 3)]
    assert sum(r["value"]["count"] for r in reasons) == dudley[1]["overdue_total"]["value"] == 45


@pytest.mark.parametrize("published", [
    "a reduction in all categories for Corporate representations (complaints down from 630 to 420, comments "
    "down from 64 to 14 and compliments down from 29 to 23)",
    "an increase in most of the categories for Statutory Children's Social Care representations (complaints "
    "up from 68 to 82, comments down from 17 to 8 and compliments up from 162 to 176)",
    # the published paper mistyped this one as "up from 117 to 12"
    "an increase in most of the categories for Statutory Adult Social Care representations (complaints up from "
    "117 to 127, comments down from 9 to 8 and compliments up from 156 to 197)",
    "NB. In the quarters ending September 2019 and March 2020, none of the Stage 2 Children's Social Care complaints "
    "was completed within the Council's own target of 65 working days.",
    # "33% ... in the 3rd quarter of 20/21 and 50% in the 4th quarter": 1 of 3 and 1 of 2, too few for a percentage
    "In Q3 2020/21, 1 of 3 were completed within the target, and in Q4 2020/21, 1 of 2.",
    # "Others vary from 57% to 82%", now beside the Council's figure for the same year
    "For 2020/21, the figures of the authorities that have shared them range from 57% to 82%, against",
    "For 2020/21, compliance varies between 50% and 86% among the councils that have supplied data",
    "At 31 March 2021, no Stage 2 Children's Social Care investigations were still open.",
])
def test_performance_report_states_the_published_figures(worcs, published):
    assert published in text_of(worcs[0])


def test_quarterly_indicators_under_the_right_quarter(worcs):
    page = worcs[0]
    table = page[page.index("Quarterly performance indicators"):]
    table = table[:table.index("</table>")]
    rows = {q: re.findall(r"<td[^>]*>(.*?)</td>", r)
            for q, r in re.findall(r'<th[^>]*scope="row"[^>]*>(Q\d \d{4}/\d\d)</th>(.*?)</tr>', table)}
    assert list(rows) == ["Q1 2019/20", "Q2 2019/20", "Q3 2019/20", "Q4 2019/20",
                          "Q1 2020/21", "Q2 2020/21", "Q3 2020/21", "Q4 2020/21"]
    # Fewer than 10 responses a quarter: counts, never a percentage of a few (min_base_for_percent).
    assert rows["Q2 2019/20"][1] == "0 of 2"      # "At September 2019 ... none"
    assert rows["Q4 2019/20"][1] == "0 of 3"      # "... and March 2020 none"
    assert rows["Q3 2020/21"][1] == "1 of 3"     # "33% ... in the 3rd quarter of 20/21"
    assert rows["Q4 2020/21"][1] == "1 of 2"     # "50% ... in the 4th quarter"
    assert rows["Q4 2020/21"][2] == "5 of 7"


def test_action_plan_appendix(worcs):
    page = worcs[0]
    appendix = page[page.index('class="appendices"'):]
    assert "Appendix 1: Action plan for improvement of Stage 2 complaint investigation timescales" in appendix
    assert [h for h in re.findall(r'<th[^>]*scope="col"[^>]*>(.*?)</th>', appendix)] == [
        "Action required", "Progress", "Result"]
    assert "Approximately 12 additional investigators and IP's recruited to pool" in appendix


def test_complaint_counted_once_however_many_stages(worcs):
    yoy = worcs[1]["yoy"]["value"]
    assert yoy["childrens"]["complaint"]["after"] == 82   # stage 2 rows of these cases add nothing
    assert yoy["corporate"]["complaint"]["before"] == 630
