"""The pure statistics: hand-checked small logs, and properties over random ones (Hypothesis)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from reportlib import stats
from reportlib.narrative import Share
from reportlib.workdays import working_days

KINDS = ["complaint", "comment", "compliment"]
PROCS = ["childrens", "adults", "corporate"]


def frame(rows: list[dict]) -> pd.DataFrame:
    """Rows shaped like validated cases (casedata.validate's output)."""
    base = {"row": 0, "case_ref": "", "kind": "complaint", "procedure": "childrens", "stage": 1,
            "received": None, "acknowledged": None, "responded": None, "team": None, "service": None,
            "delay_reason": None, "outcome": None, "extended": False}
    df = pd.DataFrame([{**base, **r} for r in rows])
    for col in ("received", "acknowledged", "responded"):
        df[col] = pd.to_datetime(df[col])
    df["kind"] = pd.Categorical(df["kind"], categories=KINDS)
    df["procedure"] = pd.Categorical(df["procedure"], categories=PROCS)
    df["stage"] = df["stage"].where(df["kind"] == "complaint").astype("Int8")
    for col in ("team", "service", "delay_reason", "outcome"):
        df[col] = df[col].astype("category")
    return df


def test_timing_by_hand():
    cases = frame([
        {"case_ref": "A", "received": "2020-05-07", "responded": "2020-05-11"},     # Thu -> Mon over VE Day: 1
        {"case_ref": "B", "received": "2020-12-01", "responded": None},            # open
        {"case_ref": "C", "received": "2020-12-30", "responded": "2021-01-05"},    # answered after the cut-off
        {"case_ref": "D", "received": "2021-01-04", "responded": "2021-01-05"},    # received after the cut-off
    ])
    t = stats.timing(cases, 20, cut_off=dt.date(2020, 12, 31))
    assert t["days"].tolist() == [1, pd.NA, pd.NA, pd.NA]
    assert t["within"].tolist() == [True, pd.NA, pd.NA, pd.NA]
    assert t["open"].tolist() == [False, True, True, False]
    # B: 20 working days after Tue 1 Dec 2020, skipping 25 Dec and 28 Dec (Boxing Day observed): 31 Dec,
    # so at the cut-off it has taken exactly 20 and is not yet overdue.
    assert t["due"][1] == pd.Timestamp("2020-12-31")
    assert t["days_open"].tolist()[:2] == [0, 20]
    assert t["overdue"].tolist() == [False, False, False, False]
    assert stats.timing(cases, 19, cut_off=dt.date(2020, 12, 31))["overdue"].tolist() == [False, True, False, False]


def test_clock_from_acknowledgement_falls_back_to_receipt():
    cases = frame([
        {"case_ref": "A", "received": "2020-09-01", "acknowledged": "2020-09-03", "responded": "2020-09-10"},
        {"case_ref": "B", "received": "2020-09-01", "responded": "2020-09-10"},
    ])
    t = stats.timing(cases, 5, cut_off=dt.date(2020, 12, 31), clock_start="acknowledged")
    assert t["days"].tolist() == [5, 7]
    assert t["within"].tolist() == [True, False]
    assert stats.acknowledgement_fallbacks(cases) == 1


def test_complaint_counts_once_by_first_stage():
    cases = frame([
        {"case_ref": "A", "stage": 1, "received": "2020-03-02"},    # 2019/20
        {"case_ref": "A", "stage": 2, "received": "2020-05-01"},    # same case: not again in 2020/21
        {"case_ref": "B", "stage": 2, "received": "2020-06-01"},    # no stage 1 in the log: counted at stage 2
        {"case_ref": "K", "kind": "compliment", "stage": None, "received": "2020-06-01", "procedure": "adults"},
    ])
    reps = stats.representations(cases)
    yoy = stats.year_on_year(reps, 2020)
    assert str(yoy["childrens"]["complaint"]) == "no change at 1"
    assert str(yoy["adults"]["compliment"]) == "up from none to 1"


def test_reasons_largest_first_unknown_last_on_ties():
    cases = frame([{"case_ref": str(i), "received": "2020-09-01", "delay_reason": r}
                   for i, r in enumerate(["Staff absence", None, "Other work pressures", "Other work pressures",
                                          "Complex case"])])
    out = stats.reasons(cases, np.ones(5, dtype=bool))
    assert [(r, s.count) for r, s in out] == [("Other work pressures", 2), ("Complex case", 1),
                                              ("Staff absence", 1), ("No reason recorded", 1)]
    assert str(out[0][1]) == "2 of 5 cases"  # a base below 10: never a percentage
    # The three reasons with one case each are one group, never ranked: by name, the unknown last.
    groups = stats.reason_groups(cases, np.ones(5, dtype=bool))
    assert [(g["names"], g["value"].count) for g in groups] == [
        (["Other work pressures"], 2), (["Complex case", "Staff absence", "No reason recorded"], 1)]


def test_main_teams_cover_a_majority():
    cases = frame([{"case_ref": str(i), "received": "2020-09-01", "team": t}
                   for i, t in enumerate(["Court"] * 8 + ["Care"] * 6 + ["Fostering"] * 4 + ["Early Help"] * 5)])
    teams, share = stats.main_teams(cases, np.ones(23, dtype=bool))
    assert teams == [{"names": ["Court"], "value": 8}, {"names": ["Care"], "value": 6}] and share == Share(14, 23)


def test_main_teams_never_cut_through_a_tie():
    # Court 8 of 24 is not more than half; Care and Early Help tie at 6: both are taken, not the first by name.
    cases = frame([{"case_ref": str(i), "received": "2020-09-01", "team": t}
                   for i, t in enumerate(["Court"] * 8 + ["Care"] * 6 + ["Fostering"] * 4 + ["Early Help"] * 6)])
    teams, share = stats.main_teams(cases, np.ones(24, dtype=bool))
    assert teams == [{"names": ["Court"], "value": 8}, {"names": ["Care", "Early Help"], "value": 6}]
    assert share == Share(20, 24)
    # Four teams tied at 3 of 12: none can be named before another, so all four are.
    four = frame([{"case_ref": str(i), "received": "2020-09-01", "team": t}
                  for i, t in enumerate(["D", "C", "B", "A"] * 3)])
    teams, share = stats.main_teams(four, np.ones(12, dtype=bool))
    assert teams == [{"names": ["A", "B", "C", "D"], "value": 3}] and share == Share(12, 12)


def test_equal_groups_are_largest_first_in_the_order_given():
    assert stats.equal_groups([("communication", 23), ("quality of service", 23), ("delay", 30), ("staff", 2)]) == [
        {"names": ["delay"], "value": 30}, {"names": ["communication", "quality of service"], "value": 23},
        {"names": ["staff"], "value": 2}]


def test_benchmarks_are_compared_like_with_like():
    from reportlib.params import Benchmark

    # The council's responses: 2019/20 one within and one late; 2020/21 three within, one late.
    cases = frame([{"case_ref": str(i), "received": r, "responded": d} for i, (r, d) in enumerate([
        ("2019-06-03", "2019-06-10"), ("2019-06-03", "2019-09-10"),
        ("2020-06-01", "2020-06-08"), ("2020-07-01", "2020-07-08"), ("2020-08-03", "2020-08-10"),
        ("2020-09-01", "2020-12-10")])])
    t = stats.timing(cases, 20, cut_off=dt.date(2021, 3, 31))
    peers = [Benchmark(authority="A", value=80, period="2020/21"), Benchmark(authority="B", value=75, period="2020-21"),
             Benchmark(authority="C", value=40, period="2020/21"), Benchmark(authority="D", value=60, period="2019/20"),
             Benchmark(authority="E", value=90)]
    groups = stats.benchmark_groups(peers, t)
    assert [g["period"] for g in groups] == ["2020/21", "2019/20", None]
    this_year, last_year, undated = groups
    assert this_year["own"] == Share(3, 4, "response") and [p["authority"] for p in this_year["peers"]] == ["A", "B", "C"]
    assert (this_year["higher"], this_year["same"], this_year["lower"]) == (1, 1, 1)  # 75% is the same as 3 of 4
    assert last_year["own"] == Share(1, 2, "response") and (last_year["higher"], last_year["lower"]) == (1, 0)
    assert undated == {"period": None, "peers": [{"authority": "E", "value": 90.0}], "range": undated["range"]}
    assert "own" not in undated


def test_quarter_zero_months():
    results = [(2019 * 4 + 1, Share(0, 2)), (2019 * 4 + 2, Share(1, 2)), (2019 * 4 + 3, Share(0, 0))]
    assert stats.quarter_zero_months(results) == ["September 2019"]


# --- properties over random logs ---------------------------------------------------------------

DAY0 = dt.date(2018, 4, 1)


@st.composite
def logs(draw, min_size=1, max_size=40):
    n = draw(st.integers(min_size, max_size))
    rows = []
    for i in range(n):
        kind = draw(st.sampled_from(KINDS))
        received = DAY0 + dt.timedelta(days=draw(st.integers(0, 1100)))
        responded = draw(st.one_of(st.none(), st.integers(0, 120)))
        rows.append({
            "case_ref": f"C{draw(st.integers(0, n))}" if kind == "complaint" else f"K{i}",
            "kind": kind, "procedure": draw(st.sampled_from(PROCS)),
            "stage": draw(st.integers(1, 3)) if kind == "complaint" else None,
            "received": received,
            "responded": None if responded is None else received + dt.timedelta(days=responded),
            "delay_reason": draw(st.sampled_from([None, "Staff absence", "Other work pressures"])),
        })
    df = frame(rows)
    # like validation: one row per case_ref + stage + kind
    return df.drop_duplicates(["case_ref", "stage", "kind"]).reset_index(drop=True)


@settings(max_examples=60, deadline=None)
@given(logs(), st.randoms())
def test_counts_do_not_depend_on_row_order(cases, rnd):
    shuffled = cases.sample(frac=1, random_state=rnd.randint(0, 10**6)).reset_index(drop=True)
    a = stats.received_counts(stats.representations(cases), dt.date(2018, 4, 1), dt.date(2021, 3, 31))
    b = stats.received_counts(stats.representations(shuffled), dt.date(2018, 4, 1), dt.date(2021, 3, 31))
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(logs(), logs())
def test_figures_unchanged_by_rows_outside_the_period(cases, extra):
    start, end = dt.date(2019, 4, 1), dt.date(2020, 3, 31)
    # move every extra row after the period, with case refs of its own
    extra = extra.assign(case_ref="X" + extra["case_ref"],
                         received=extra["received"] + pd.Timedelta(days=1200),
                         responded=extra["responded"] + pd.Timedelta(days=1200))
    both = pd.concat([cases, extra], ignore_index=True)
    for c in ("kind", "procedure"):
        both[c] = pd.Categorical(both[c], categories=cases[c].cat.categories)
    cut = dt.date(2025, 3, 31)
    assert stats.within_share(stats.timing(cases, 20, cut_off=cut), start, end) == \
        stats.within_share(stats.timing(both, 20, cut_off=cut), start, end)
    pd.testing.assert_frame_equal(stats.received_counts(stats.representations(cases), start, end),
                                  stats.received_counts(stats.representations(both), start, end))


@settings(max_examples=60, deadline=None)
@given(logs())
def test_shares_sum_to_their_totals(cases):
    mask = np.ones(len(cases), dtype=bool)
    out = stats.reasons(cases, mask)
    assert sum(s.count for _, s in out) == len(cases)
    assert all(s.total == len(cases) for _, s in out)
    t = stats.timing(cases, 20, cut_off=dt.date(2022, 3, 31))
    quarters = list(range(2018 * 4, 2022 * 4))
    per_quarter = stats.quarterly_within(t, quarters)
    whole = stats.within_share(t, dt.date(2018, 4, 1), dt.date(2022, 3, 31))
    assert sum(s.total for _, s in per_quarter) == whole.total
    assert sum(s.count for _, s in per_quarter) == whole.count
    assert all(0 <= (s.pct or 0) <= 100 for _, s in per_quarter)


@settings(max_examples=60, deadline=None)
@given(logs())
def test_within_means_days_at_most_target(cases):
    t = stats.timing(cases, 15, cut_off=dt.date(2022, 3, 31))
    known = t["days"].notna().to_numpy()
    days = t["days"][known].astype(int).to_numpy()
    assert (t["within"][known].to_numpy(dtype=bool) == (days <= 15)).all()
    assert (working_days(t["start"], t["due"]) == 15).all()


def test_counts_by_procedure_agree_with_pandas_crosstab():
    """stats' procedure-by-value counts (one bincount over codes) give pandas' crosstab, every procedure and value
    kept (zeros included), values outside them and missing ones not counted."""
    import numpy as np
    import pandas as pd

    from reportlib import stats

    rng = np.random.default_rng(7)
    procedures = rng.choice(["corporate", "childrens", "adults", "housing", None], size=500)
    years = rng.choice([2018, 2019, 2020, 2021, None], size=500)
    got = stats._crosstab(pd.Series(procedures), pd.Series(years), [2019, 2020, 2021])
    want = pd.crosstab(pd.Series(procedures), pd.Series(years)).reindex(
        index=list(stats.PROCEDURE_LABELS), columns=[2019, 2020, 2021], fill_value=0)
    assert got.to_numpy().tolist() == want.to_numpy().tolist()
    assert list(got.index) == list(stats.PROCEDURE_LABELS) and list(got.columns) == [2019, 2020, 2021]
    assert got.to_numpy().sum() == sum(p in stats.PROCEDURE_LABELS and y in (2019, 2020, 2021)
                                       for p, y in zip(procedures, years))
