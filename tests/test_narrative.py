"""The words committee papers use for figures: percentages, shares, changes, ranges, dates."""

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportlib import narrative as n


@pytest.mark.parametrize("count,total,expected", [
    (24, 45, 53),   # 53.33
    (7, 45, 16),    # 15.56
    (6, 45, 13),    # 13.33
    (1, 8, 13),     # 12.5 rounds half up (Python's round() would give 12)
    (1, 40, 3),     # 2.5 -> 3
    (5, 200, 3),    # 2.5 -> 3
    (0, 5, 0),
    (5, 5, 100),
    (2, 3, 67),
])
def test_pct_rounds_half_up(count, total, expected):
    assert n.pct(count, total) == expected


def test_pct_of_nothing_is_none():
    assert n.pct(0, 0) is None


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_pct_between_0_and_100(count, total):
    count = min(count, total)
    p = n.pct(count, total)
    assert 0 <= p <= 100
    assert abs(p - 100 * count / total) <= 0.5


def test_share_words():
    assert str(n.Share(24, 45)) == "53% (24 cases)"
    assert str(n.Share(1, 3, min_base=1)) == "33% (1 case)"
    assert n.Share(24, 45).pct_text() == "53%"
    assert str(n.Share(0, 0)) == "no cases"
    assert n.Share(0, 0).pct_text() == "no cases"
    assert str(n.Share(3, 10, suppressed=True)) == "[c]"


def test_share_refuses_impossible_counts():
    with pytest.raises(ValueError):
        n.Share(5, 4)


@pytest.mark.parametrize("before,after,words", [
    (117, 127, "up from 117 to 127"),
    (630, 420, "down from 630 to 420"),
    (23, 23, "no change at 23"),
    (1200, 1350, "up from 1,200 to 1,350"),
])
def test_change_words(before, after, words):
    assert str(n.Change(before, after)) == words


def test_overall_words():
    assert n.overall([n.Change(630, 420), n.Change(64, 14), n.Change(29, 23)]) == "a reduction in all categories"
    assert n.overall([n.Change(68, 82), n.Change(162, 176), n.Change(17, 8)]) == "an increase in most of the categories"
    assert n.overall({"a": n.Change(1, 2), "b": n.Change(2, 3)}) == "an increase in all categories"
    assert n.overall([n.Change(1, 2), n.Change(2, 1)]) == "a mixed picture across the categories"


def test_range_words():
    assert str(n.Range((73, 50, 61))) == "from 50% to 73%"
    assert n.Range((50, 86)).between() == "between 50% and 86%"
    assert str(n.Range(())) == "not available"
    assert str(n.Range((60, 60))) == "60%"


def test_dates():
    assert n.uk_date(dt.date(2021, 1, 20)) == "20 January 2021"
    assert n.ordinal_date(dt.date(2020, 8, 18)) == "18th August 2020"
    assert n.ordinal_date(dt.date(2020, 9, 1)) == "1st September 2020"
    assert n.ordinal_date(dt.date(2020, 9, 2)) == "2nd September 2020"
    assert n.ordinal_date(dt.date(2020, 9, 3)) == "3rd September 2020"
    assert n.ordinal_date(dt.date(2020, 9, 11)) == "11th September 2020"
    assert n.ordinal_date(dt.date(2020, 9, 12)) == "12th September 2020"
    assert n.ordinal_date(dt.date(2020, 9, 13)) == "13th September 2020"
    assert n.ordinal_date(dt.date(2020, 9, 21)) == "21st September 2020"
    assert n.ordinal_date(dt.date(2020, 9, 23)) == "23rd September 2020"


def test_compare_and_join():
    assert n.compare(41, 65) == "an improvement on"
    assert n.compare(65, 41) == "a fall from"
    assert n.compare(41, 41) == "the same as"
    assert n.compare(None, 41) == "not comparable with"
    assert n.join_words(["Court Team"]) == "Court Team"
    assert n.join_words(["A", "B"]) == "A and B"
    assert n.join_words(["A", "B", "C"]) == "A, B and C"


@pytest.mark.parametrize("value", [
    n.Share(24, 45), n.Change(117, 127), n.Range((50, 73)), dt.date(2020, 8, 18), 41, 12.5, "Court Team",
    [n.Share(1, 2), n.Share(0, 0)], {"reason": "Staff absence", "share": n.Share(7, 45)},
])
def test_json_round_trip(value):
    assert n.from_json(n.to_json(value)) == value


def test_figure_bundle_carries_value_words_and_provenance():
    bundle = n.figure_bundle("within_pct", n.Share(24, 45), "responses within target")
    payload = bundle[n.FIGURE_MIME]
    assert payload == {"name": "within_pct", "text": "53% (24 cases)", "about": "responses within target",
                       "value": {"type": "share", "count": 24, "total": 45, "pct": 53, "unit": "case",
                                 "suppressed": False, "min_base": 10}}
    assert bundle["text/plain"] == "within_pct = 53% (24 cases)"


def test_figure_names_must_be_identifiers():
    with pytest.raises(ValueError):
        n.figure_bundle("within pct", 1)


def test_glue_refuses_unknown_types():
    with pytest.raises(TypeError):
        n.to_json(object())


def test_a_figure_carries_what_it_measures_into_figures_json():
    measure = n.timeliness("childrens", 2, "2020/21", source="statutory", days=25, extended_days=65)
    bundle = n.figure_bundle("stage2_within", n.Share(7, 22), "stage 2 responses in time", measure)
    assert bundle[n.FIGURE_MIME]["measure"] == {
        "name": "responses within timescale", "basis": "statutory: 25 working days from received, 65 where an "
        "extension was agreed", "procedure": "childrens", "stage": 2, "period": "2020/21"}
    council = n.timeliness("childrens", 2, "2020/21", source="council", days=65)
    assert council != measure and council.basis == "council: 65 working days from received"
    entry = json.loads(n.figures_json({"stage2_within": bundle[n.FIGURE_MIME]}, set()))["stage2_within"]
    assert entry["measure"]["basis"] == measure.basis
    with pytest.raises(ValueError):
        n.timeliness("adults", 1, "2020/21", source="legislation", days=20)


# --- no percentage on a tiny base (min_base_for_percent, default 10) ------------------------------------

@pytest.mark.parametrize("count, total, words, pct_text, table, of_total", [
    (3, 5, "3 of 5 cases", "3 of 5", "3 of 5", "3 of 5 responses"),
    (0, 5, "none of the 5 cases", "none of the 5", "0 of 5", "none of the 5 responses"),
    (5, 5, "all 5 cases", "all 5", "5 of 5", "all 5 responses"),
    (1, 1, "1 of 1 case", "1 of 1", "1 of 1", "1 of 1 response"),
    (0, 1, "none of 1 case", "none of 1", "0 of 1", "none of 1 response"),
    (2, 9, "2 of 9 cases", "2 of 9", "2 of 9", "2 of 9 responses"),
    (3, 10, "30% (3 cases)", "30%", "30% (3 of 10)", "3 of 10 responses"),
    (0, 12, "0% (none of the 12 cases)", "0%", "0% (0 of 12)", "none of the 12 responses"),
    (0, 0, "no cases", "no cases", "no cases", "no responses"),
])
def test_a_share_of_fewer_than_ten_is_never_a_percentage(count, total, words, pct_text, table, of_total):
    share = n.Share(count, total)
    assert (str(share), share.pct_text(), share.table_text(), share.of_total("response")) == \
        (words, pct_text, table, of_total)
    assert share.small == (0 < total < 10) and share.shows_pct == (total >= 10)


@pytest.mark.parametrize("share, words, parts", [
    (n.Share(24, 45), "53% (24 of 45 responses)", ("53%", "24 of 45 responses")),
    (n.Share(0, 12), "0% (none of the 12 responses)", ("0%", "none of the 12 responses")),
    (n.Share(3, 5), "3 of 5 responses", None),  # a small base: its count alone
    (n.Share(0, 0), "no responses", None),
])
def test_pct_of_total_is_a_percentage_with_its_count_or_the_count_alone(share, words, parts):
    written = n.FILTERS["pct_of_total"](share, "response")
    assert written == words
    # figures.json lists the two parts, as when the text printed {{ s | pct }} ({{ s | of_total(...) }})
    assert getattr(written, "parts", None) == parts


def test_the_base_is_the_reports_rule_and_travels_with_the_share():
    try:
        n.set_min_base(5)
        made = n.Share(3, 5)
        assert made.min_base == 5 and str(made) == "60% (3 cases)"
        assert str(n.Share(3, 4)) == "3 of 4 cases"
    finally:
        n.set_min_base(None)
    assert n.Share(3, 5).min_base == 10 and str(n.Share(3, 5)) == "3 of 5 cases"
    back = n.from_json(json.loads(json.dumps(n.to_json(made))))  # the renderer words it as the kernel would
    assert back == made and str(back) == "60% (3 cases)"
    assert str(n.from_json({"type": "share", "count": 3, "total": 5, "pct": 60, "unit": "case",
                            "suppressed": False})) == "3 of 5 cases"  # a figure saved before the rule: the default


def test_filters_follow_the_rule():
    assert n.FILTERS["pct"](n.Share(2, 4)) == "2 of 4"
    assert n.FILTERS["table"](n.Share(2, 4)) == "2 of 4"
    assert n.FILTERS["table"](n.Share(6, 13)) == "46% (6 of 13)"


# --- ties are never ranked ------------------------------------------------------------------------------

def test_tied_values_are_named_together():
    assert n.tied(["communication", "quality of service"], 23) == "communication and quality of service, 23 each"
    assert n.tied(["communication"], 23) == "communication, 23"
    assert n.tied(["Awaiting information", "No reason recorded"], n.Share(3, 60), ": ") == \
        "Awaiting information and No reason recorded: each 5% (3 cases)"
    assert n.FILTERS["tied"]({"names": ["Staff absence"], "value": n.Share(14, 60)}, ": ") == "Staff absence: 23% (14 cases)"


def test_groups_of_ties_in_one_phrase():
    groups = [{"names": ["Court Team"], "value": 8}, {"names": ["Fostering", "Early Help"], "value": 3}]
    assert n.tied_list(groups, "case") == "Court Team (8 cases), and Fostering and Early Help (3 cases each)"
    assert n.tied_list(groups[:1] + [{"names": ["Fostering"], "value": 1}], "case") == \
        "Court Team (8 cases) and Fostering (1 case)"


@pytest.mark.parametrize("higher, same, lower, words", [
    (2, 0, 2, "Of the 4 other councils, 2 reported a higher figure and 2 a lower one."),
    (1, 1, 1, "Of the 3 other councils, 1 reported a higher figure, 1 the same figure and 1 a lower one."),
    (0, 0, 3, "All 3 other councils reported a lower figure."),
    (0, 2, 0, "Both other councils reported the same figure."),
    (1, 0, 0, "The other council reported a higher figure."),
    (0, 0, 0, ""),
])
def test_standing_among_others_is_never_a_rank(higher, same, lower, words):
    assert n.standing(higher, same, lower) == words


# --- one figure, one precision; changes in a table; words of structures ----------------------------------

def test_an_average_always_has_one_decimal():
    assert str(n.Average(33.0)) == "33.0 working days" and str(n.Average(102.24)) == "102.2 working days"
    assert str(n.Average(1.0)) == "1.0 working days" and str(n.Average(None)) == "none"
    assert n.from_json(n.to_json(n.Average(33.0))) == n.Average(33.0)


def test_a_change_in_a_table_says_how_much():
    assert [n.Change(640, 425).amount(), n.Change(73, 90).amount(), n.Change(5, 5).amount()] == \
        ["down 215", "up 17", "no change"]


def test_a_figure_s_words_are_never_a_program_s_representation():
    value = [{"names": ["Staff absence"], "value": n.Share(14, 60)}, {"reason": "x", "share": n.Share(1, 2)}]
    words = n.text(value)
    assert "Share(" not in words and "{" not in words and "[" not in words
    assert words == "names: Staff absence, value: 23% (14 cases); reason: x, share: 1 of 2 cases"
    assert n.text({"corporate": {"complaint": n.Change(640, 425)}}) == "corporate (complaint: down from 640 to 425)"


def test_a_measure_can_be_a_services():
    m = n.timeliness(None, 1, "2019/20", source="council", days=20, service="Children's Services")
    assert m.to_json() == {"name": "responses within timescale", "basis": "council: 20 working days from received",
                           "procedure": None, "stage": 1, "period": "2019/20", "service": "Children's Services"}
    assert "service" not in n.timeliness("childrens", 2, "2020/21", source="council", days=65).to_json()
