"""The annual report's figures against a small case log whose every figure was worked out by hand.

The year is 2020/21 (1 April 2020 - 31 March 2021), against 2019/20. England and Wales bank
holidays inside it: 10 and 13 April, 8 and 25 May, 31 August, 25 and 28 December 2020 and
1 January 2021. Working days are counted after the clock start up to and including the response.

Corporate (clock from acknowledgement; stage 1 10 days + 10 with an extension, stage 2 20 + 20):
- C1 s1: ack Tue 2 Jun, sent Tue 16 Jun: 10 days, within. Upheld; apology. Subject Delay.
  C1 s2: ack Thu 2 Jul, sent Mon 3 Aug: 22 days, no extension: late. Partly upheld; apology and
  financial, £250. Ombudsman: upheld.
- C2 s1: ack Wed 6 May, sent Fri 22 May: 11 days (8 May a bank holiday), extended: within (limit 20).
  Not upheld. Staff conduct. Ombudsman: not investigated.
- C3 s1: ack Tue 25 Aug, sent Wed 9 Sep: 10 days only because 31 August is a bank holiday: within.
  Withdrawn. Delay.
- C4 s1: no acknowledgement date, so timed from receipt (Thu 1 Oct) to Tue 20 Oct: 13 days, late.
  Upheld; explanation and service improvement. Communication.
- C5 s1: ack Tue 3 Nov, sent Fri 4 Dec: 23 days, extended but beyond its 20: late. Not upheld.
  Communication. Service Housing Repairs.
- C6, C7: refused (out of time; legal proceedings). C8 s1: open (received 1 Mar 2021, acknowledged
  on the 5th working day, 8 Mar). Communication.
- C9 s1: received Mon 1 Feb 2021, ack Tue 9 Feb (6 working days: late acknowledgement), sent
  Fri 19 Feb: 8 days from acknowledgement, within. Upheld; financial, £1,250.50. Charges and
  payments. Housing Repairs. Ombudsman: pending.
Children's (clock from receipt; stage 1 10 + 10, stage 2 25 + 40, stage 3 30):
- K1 s1: received Mon 6 Apr, acknowledged Wed 8 Apr, sent Tue 21 Apr: 9 days (Good Friday and
  Easter Monday), within. Partly upheld; apology. Communication. Parent or carer.
  K1 s2: received Mon 11 May, sent Fri 10 Jul: 43 days, extended: within (65). Not upheld.
  K1 s3 (panel): received Mon 3 Aug, sent Mon 14 Sep: 29 days, within 30. Not upheld. Ombudsman: not upheld.
- K2 s1: received Mon 21 Dec, sent Fri 8 Jan 2021: 11 days (three bank holidays), late. Upheld;
  apology and action taken. Quality of service. Child or young person.
- K3 s1: received Mon 15 Feb, sent Mon 22 Feb: 5 days, within. Withdrawn. Communication. Advocate.
- K4 s1: received 15 Mar 2021, open. Delay. Parent or carer. K5: refused (dealt with under another procedure).
Adults (no statutory timescale; six months from receipt):
- A1: received 1 Apr, sent 30 Sep: within six months (limit 1 Oct); 125 working days. Upheld.
  Quality of service. Ombudsman: not investigated.
- A2: received 1 May, sent 2 Nov: after the limit (1 Nov); 128 working days. Not upheld. Charges and payments.
- A3: received 1 Jun, sent 19 Jun: 14 days. Partly upheld; apology. Communication.
- A4: received 4 Jan 2021, open, no subject.
2019/20: corporate P1 and P2 (stage 1), P3 refused (not a complaint), a comment and three
compliments; children's Q1; adults B1.
"""

from __future__ import annotations

import pytest

from factory import REPO, write_case_log
from reportlib import annual, annual_services, annual_timeliness as timeliness_of, casedata
from reportlib.narrative import Change, Share
from reportlib.rules import DEFAULT_EXTENSIONS, DEFAULT_TIMESCALES

FY = 2020
ALL = ("corporate", "adults", "childrens")


def R(count: int, total: int) -> Share:
    """A share of responses, as the timeliness figures are (and the committee papers give them)."""
    return Share(count, total, "response")


def row(ref, kind="complaint", procedure="corporate", stage=1, received="", acknowledged="", responded="",
        outcome="", subject="", remedy="", compensation="", refused_reason="", ombudsman="", complainant="",
        extended="no", service="Highways", team="Roads"):
    return {"case_ref": ref, "kind": kind, "procedure": procedure, "stage": stage if kind == "complaint" else "",
            "received": received, "acknowledged": acknowledged, "responded": responded, "team": team,
            "service": service, "delay_reason": "", "outcome": outcome, "extended": extended if kind == "complaint"
            else "", "subject": subject, "remedy": remedy, "compensation": compensation,
            "refused_reason": refused_reason, "ombudsman": ombudsman, "complainant": complainant}


def K(ref, **kw):
    return row(ref, procedure="childrens", service="Children's Services", team="Court Team", **kw)


def A(ref, **kw):
    return row(ref, procedure="adults", service="Adult Social Care", team="Older People", **kw)


ROWS = [
    row("C1", received="2020-06-01", acknowledged="2020-06-02", responded="2020-06-16", outcome="upheld",
        subject="Delay", remedy="apology"),
    row("C1", stage=2, received="2020-07-01", acknowledged="2020-07-02", responded="2020-08-03",
        outcome="partly upheld", subject="Delay", remedy="Apology; financial", compensation="250",
        ombudsman="upheld"),
    row("C2", received="2020-05-05", acknowledged="2020-05-06", responded="2020-05-22", outcome="not upheld",
        subject="Staff conduct", extended="yes", ombudsman="not investigated"),
    row("C3", received="2020-08-24", acknowledged="2020-08-25", responded="2020-09-09", outcome="withdrawn",
        subject="Delay"),
    row("C4", received="2020-10-01", responded="2020-10-20", outcome="upheld", subject="Communication",
        remedy="explanation;service improvement"),
    row("C5", received="2020-11-02", acknowledged="2020-11-03", responded="2020-12-04", outcome="not upheld",
        subject="Communication", extended="yes", service="Housing Repairs", team="Housing"),
    row("C6", received="2020-09-15", refused_reason="out of time"),
    row("C7", received="2021-01-11", refused_reason="legal proceedings"),
    row("C8", received="2021-03-01", acknowledged="2021-03-08", subject="Communication"),
    row("C9", received="2021-02-01", acknowledged="2021-02-09", responded="2021-02-19", outcome="upheld",
        subject="Charges and payments", remedy="financial", compensation="£1,250.50", ombudsman="pending",
        service="Housing Repairs", team="Housing"),
    K("K1", received="2020-04-06", acknowledged="2020-04-08", responded="2020-04-21", outcome="partly upheld",
      subject="Communication", remedy="apology", complainant="parent or carer"),
    K("K1", stage=2, received="2020-05-11", responded="2020-07-10", outcome="not upheld", extended="yes",
      subject="Communication", complainant="parent or carer"),
    K("K1", stage=3, received="2020-08-03", responded="2020-09-14", outcome="not upheld", ombudsman="not upheld",
      subject="Communication", complainant="parent or carer"),
    K("K2", received="2020-12-21", responded="2021-01-08", outcome="upheld", subject="Quality of service",
      remedy="apology;action taken", complainant="child or young person"),
    K("K3", received="2021-02-15", responded="2021-02-22", outcome="withdrawn", subject="Communication",
      complainant="advocate"),
    K("K4", received="2021-03-15", subject="Delay", complainant="parent or carer"),
    K("K5", received="2020-06-15", refused_reason="dealt with under another procedure"),
    A("A1", received="2020-04-01", responded="2020-09-30", outcome="upheld", subject="Quality of service",
      ombudsman="not investigated"),
    A("A2", received="2020-05-01", responded="2020-11-02", outcome="not upheld", subject="Charges and payments"),
    A("A3", received="2020-06-01", responded="2020-06-19", outcome="partly upheld", subject="Communication",
      remedy="apology"),
    A("A4", received="2021-01-04"),
    row("M1", kind="comment", procedure="childrens", received="2020-07-07"),
    row("G1", kind="compliment", received="2020-05-05"),
    row("G2", kind="compliment", received="2021-03-03"),
    row("G3", kind="compliment", procedure="adults", received="2020-10-10"),
    # 2019/20
    row("P1", received="2019-06-03", responded="2019-06-10", outcome="upheld"),
    row("P2", received="2019-09-02", acknowledged="2019-09-03", responded="2019-09-20", outcome="not upheld"),
    row("P3", received="2019-10-01", refused_reason="not a complaint"),
    row("PM", kind="comment", received="2019-11-01"),
    row("PG1", kind="compliment", received="2019-06-06"),
    row("PG2", kind="compliment", received="2019-07-07"),
    row("PG3", kind="compliment", procedure="childrens", received="2020-01-08"),
    K("Q1", received="2019-05-01", responded="2019-05-10", outcome="not upheld"),
    A("B1", received="2019-07-01", responded="2019-07-26", outcome="upheld"),
]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    path = write_case_log(tmp_path_factory.mktemp("annual") / "cases.csv", ROWS)
    log = casedata.load(casedata.Source(str(path)))
    assert log.rows_excluded == 0, log.problems.to_dict("records")
    return log.cases


def test_summary(cases):
    assert annual.summary(cases, FY, ALL) == {"complaint": Change(4, 15), "comment": Change(1, 1),
                                              "compliment": Change(3, 3), "refused": Change(1, 3)}
    assert annual.summary(cases, FY, ["adults"]) == {"complaint": Change(1, 4), "comment": Change(0, 0),
                                                     "compliment": Change(0, 1), "refused": Change(0, 0)}


def test_by_stage(cases):
    assert annual.by_stage(cases, FY, ALL) == {
        "corporate": {1: Change(2, 7), 2: Change(0, 1)},
        "adults": {1: Change(1, 4)},
        "childrens": {1: Change(1, 4), 2: Change(0, 1), 3: Change(0, 1)},
    }


def test_trend_only_years_the_log_covers(cases):
    from reportlib.selection import covered_years
    years = covered_years(range(FY - 2, FY + 1), cases)
    assert years == [2019, 2020]
    table = annual.trend(cases, years, ALL)
    assert table.to_dict("index") == {"corporate": {"2019/20": 2, "2020/21": 7}, "adults": {"2019/20": 1, "2020/21": 4},
                                      "childrens": {"2019/20": 1, "2020/21": 4}}


def test_refusals(cases):
    assert annual.refusals(cases, FY, ALL) == [("dealt with under another procedure", Share(1, 3)),
                                               ("legal proceedings", Share(1, 3)), ("out of time", Share(1, 3))]
    assert annual.refusals(cases, FY - 1, ALL) == [("not a complaint", Share(1, 1))]


def test_acknowledgement(cases):
    # Dated: C1, C2, C3, C5, C8 within 5 days; C9 on the 6th; K1 on the 2nd. No date: C4, K2-K4, A1-A4.
    assert timeliness_of.acknowledgement(cases, FY, ALL, 5) == (Share(6, 7, "complaint"), 8)
    assert timeliness_of.acknowledgement(cases, FY, ALL, 6) == (Share(7, 7, "complaint"), 8)
    assert timeliness_of.acknowledgement(cases, FY, ["corporate"], 5) == (Share(5, 6, "complaint"), 1)


def test_acknowledgement_by_procedure_adults_within_three_working_days(tmp_path):
    # Adult social care: regulation 13(2), 3 working days, whatever acknowledge_within says; received Monday
    # 1 June 2020: acknowledged Thursday 4 June (3 days) in time, Friday 5 June (4 days) late. Children's: the
    # 2006 Regulations set none, so acknowledge_within (here 5) is the measure.
    rows = [A("A1", received="2020-06-01", acknowledged="2020-06-04"), A("A2", received="2020-06-01",
                                                                          acknowledged="2020-06-05"),
            K("K1", received="2020-06-01", acknowledged="2020-06-05"), row("C1", received="2020-06-01")]
    cases = casedata.load(casedata.Source(str(write_case_log(tmp_path / "ack.csv", rows)))).cases
    found = {a.procedure: a for a in timeliness_of.acknowledgements(cases, FY, ALL, 5)}
    assert (found["adults"].within_days, found["adults"].by_law, found["adults"].share) == \
        (3, True, Share(1, 2, "complaint"))
    assert (found["childrens"].within_days, found["childrens"].by_law, found["childrens"].share) == \
        (5, False, Share(1, 1, "complaint"))
    assert (found["corporate"].share, found["corporate"].missing) == (Share(0, 0, "complaint"), 1)


def test_timeliness(cases):
    found = {(t.procedure, t.stage): t for t in timeliness_of.timeliness(cases, FY, ALL, DEFAULT_TIMESCALES,
                                                                         DEFAULT_EXTENSIONS)}
    assert list(found) == [("corporate", 1), ("corporate", 2), ("adults", 1), ("childrens", 1), ("childrens", 2),
                           ("childrens", 3)]
    c1 = found[("corporate", 1)]
    assert (c1.within, c1.extended, c1.average_days, c1.fallbacks, c1.timescale, c1.extension) == \
        (R(4, 6), 2, 12.5, 1, 10, 10)                          # (10 + 11 + 10 + 13 + 23 + 8) / 6
    assert c1.late_unextended == 1       # C4 (13 days, no extension); C5 (23) had one, so is late but not counted
    c2 = found[("corporate", 2)]
    assert (c2.within, c2.extended, c2.average_days, c2.fallbacks, c2.late_unextended) == \
        (R(0, 1), 0, 22.0, 0, 1)
    k1, k2, k3 = found[("childrens", 1)], found[("childrens", 2)], found[("childrens", 3)]
    assert (k1.within, k1.average_days, k1.fallbacks) == (R(2, 3), 8.3, 0)  # (9 + 11 + 5) / 3, acknowledgement ignored
    assert (k1.late_unextended, k2.late_unextended) == (1, 0)   # K2 (11 days); K1 s2 (43) had an extension
    assert (k2.within, k2.extended, k2.average_days) == (R(1, 1), 1, 43.0)
    # The review panel is timed from the request to the panel (panels()), not to the response.
    assert (k3.within, k3.average_days, k3.timescale, k3.extension) == (R(0, 0), 29.0, None, 0)
    a1 = found[("adults", 1)]
    assert (a1.timescale, a1.within, a1.six_months, a1.average_days) == (None, R(0, 0), R(2, 3), 89.0)
    assert all(t.council is None and t.council_within == R(0, 0) for t in found.values())


def test_the_councils_own_targets_timed_from_receipt(cases):
    # The Council's own targets: timed from clock_start (receipt), no extension. Corporate stage 1 from receipt:
    # C1 11, C2 12, C3 11, C4 13, C5 24, C9 14 working days: within 12, C1, C2 and C3. Adults: only A3 (14) within 20.
    own = {"adults": {1: 20}, "corporate": {1: 12}}
    found = {(t.procedure, t.stage): t for t in timeliness_of.timeliness(cases, FY, ALL, DEFAULT_TIMESCALES,
                                                                         DEFAULT_EXTENSIONS, own)}
    adults, c1 = found[("adults", 1)], found[("corporate", 1)]
    assert (adults.timescale, adults.council, adults.council_within, adults.six_months) == \
        (None, 20, R(1, 3), R(2, 3))
    assert (c1.council, c1.council_within, c1.within) == (12, R(3, 6), R(4, 6))
    # From acknowledgement (clock_start: acknowledged; C4 has none, so from receipt): C1 10, C2 11, C3 10, C4 13,
    # C5 23, C9 8: within 12, four.
    acked = {(t.procedure, t.stage): t for t in timeliness_of.timeliness(
        cases, FY, ["corporate"], DEFAULT_TIMESCALES, DEFAULT_EXTENSIONS, own, clock_start="acknowledged")}
    assert acked[("corporate", 1)].council_within == R(4, 6)


def test_without_the_bank_holiday_c3_would_be_late(cases):
    # Scotland has no bank holiday on 31 August 2020, so C3 takes 11 days and is late; its St Andrew's Day
    # (30 November) leaves C5 late still (22 days); the others are as in England.
    scot = {(t.procedure, t.stage): t for t in timeliness_of.timeliness(cases, FY, ["corporate"], DEFAULT_TIMESCALES,
                                                                         DEFAULT_EXTENSIONS, region="scotland")}
    assert scot[("corporate", 1)].within == R(3, 6)


def test_outcomes(cases):
    found = annual.outcomes(cases, FY, ALL)
    counts = {k: {o: n for o, n in v.counts.items() if n} for k, v in found.items()}
    assert counts == {
        ("corporate", 1): {"upheld": 3, "not upheld": 2, "withdrawn": 1},
        ("corporate", 2): {"partly upheld": 1},
        ("adults", 1): {"upheld": 1, "partly upheld": 1, "not upheld": 1},
        ("childrens", 1): {"upheld": 1, "partly upheld": 1, "withdrawn": 1},
        ("childrens", 2): {"not upheld": 1},
        ("childrens", 3): {"not upheld": 1},
        "all": {"upheld": 5, "partly upheld": 3, "not upheld": 5, "withdrawn": 2},
    }
    assert found[("corporate", 1)].upheld_rate == Share(3, 5)
    assert found[("childrens", 2)].upheld_rate == Share(0, 1)
    assert found["all"].upheld_rate == Share(8, 13) and found["all"].upheld_rate.pct == 62


def test_subjects(cases):
    top, missing = annual.subjects(cases, FY, ALL)
    assert top == [("Communication", Share(6, 15)), ("Delay", Share(3, 15)), ("Charges and payments", Share(2, 15)),
                   ("Quality of service", Share(2, 15)), ("Staff conduct", Share(1, 15))]
    assert missing == 1


def test_remedies_and_compensation(cases):
    given, total, paid = annual.remedies(cases, FY, ALL)
    assert given == {"apology": 4, "explanation": 1, "financial": 2, "service improvement": 1, "action taken": 1,
                     "other": 0}
    assert (total, paid) == (1500.5, 2)


def test_ombudsman(cases):
    assert annual.ombudsman(cases, FY, ALL) == {"pending": 1, "upheld": 1, "not upheld": 1, "not investigated": 2}
    assert annual.ombudsman(cases, FY - 1, ALL) == {"pending": 0, "upheld": 0, "not upheld": 0, "not investigated": 0}
    assert annual.referred(cases, FY, "adults") == 1


def test_tenant_satisfaction_measures(cases):
    s1, s2 = annual.tenant_measures(cases, FY, 750, ["housing repairs"])
    assert (s1.stage, s1.received, s1.ch01, s1.ch02) == (1, 2, 2.7, Share(1, 2))   # 2 / 750 * 1000 = 2.67
    assert (s2.stage, s2.received, s2.ch01, s2.ch02) == (2, 0, 0.0, Share(0, 0))


def test_per_thousand_rounds_half_up():
    assert annual.per_thousand(1, 16) == 62.5
    assert annual.per_thousand(1, 80) == 12.5
    assert annual.per_thousand(3, 2000) == 1.5
    assert annual.per_thousand(1, 1600) == 0.6      # 0.625
    assert annual.per_thousand(1, 4000) == 0.3      # 0.25: half up (round() would give 0.2)


def test_statutory_figures(cases):
    adults = annual.outcomes(cases, FY, ["adults"])["all"]
    assert (adults.well_founded, adults.decided) == (2, 3)
    assert annual.complainants(cases, FY) == [("parent or carer", Share(2, 4)), ("advocate", Share(1, 4)),
                                              ("child or young person", Share(1, 4))]


def test_self_assessment_counts():
    from reportlib.params import Assessment
    found = [Assessment(section="1", requirement="r", status=s) for s in ("compliant", "partly", "compliant")]
    assert annual.status_counts(found) == {"compliant": 2, "partly": 1, "not compliant": 0}


def test_refused_rows_never_count_as_received_or_responded(cases):
    assert annual.received(cases, FY, ["corporate"])["complaint"] == 7    # C6 and C7 apart
    refused_refs = set(cases.loc[annual.refused(cases), "case_ref"])
    assert refused_refs == {"C6", "C7", "K5", "P3"}
    assert refused_refs.isdisjoint(annual.accepted(cases)["case_ref"])


# --- properties over random logs: the counts add up across procedure, stage and outcome -----------

import datetime as dt  # noqa: E402

import pandas as pd  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

DAY0 = dt.date(2019, 1, 1)


@st.composite
def logs(draw, max_size=40):
    n = draw(st.integers(1, max_size))
    rows = []
    for i in range(n):
        kind = draw(st.sampled_from(["complaint", "complaint", "comment", "compliment"]))
        received = DAY0 + dt.timedelta(days=draw(st.integers(0, 900)))
        wait = draw(st.one_of(st.none(), st.integers(0, 200)))
        ack = draw(st.one_of(st.none(), st.integers(0, 10)))
        case = draw(st.integers(0, n))
        rows.append({  # a case belongs to one procedure, whatever its stages
            "case_ref": f"C{case}" if kind == "complaint" else f"K{i}", "kind": kind,
            "procedure": ALL[case % 3] if kind == "complaint" else draw(st.sampled_from(ALL)),
            "stage": draw(st.integers(1, 3)) if kind == "complaint" else None,
            "received": received, "acknowledged": None if ack is None else received + dt.timedelta(days=ack),
            "responded": None if wait is None else received + dt.timedelta(days=wait),
            "outcome": draw(st.sampled_from([None, *annual.OUTCOMES])) if wait is not None else None,
            "extended": draw(st.booleans()),
            "refused_reason": draw(st.sampled_from([None, None, None, "out of time"])) if kind == "complaint" else None,
        })
    df = pd.DataFrame(rows)
    for col in ("received", "acknowledged", "responded"):
        df[col] = pd.to_datetime(df[col])
    df["kind"] = pd.Categorical(df["kind"], categories=["complaint", "comment", "compliment"])
    df["procedure"] = pd.Categorical(df["procedure"], categories=ALL)
    df["stage"] = df["stage"].astype("Int8")
    df["outcome"] = pd.Categorical(df["outcome"], categories=annual.OUTCOMES)
    df["refused_reason"] = df["refused_reason"].astype("category")
    return df.drop_duplicates(["case_ref", "stage", "kind"]).reset_index(drop=True)


@settings(max_examples=80, deadline=None)
@given(logs())
def test_received_adds_up_across_procedures(cases):
    whole = annual.received(cases, FY, ALL)
    parts = [annual.received(cases, FY, [proc]) for proc in ALL]
    assert whole == {key: sum(p[key] for p in parts) for key in whole}
    by_stage = annual.by_stage(cases, FY, ALL)
    complaint_rows = (cases["kind"] == "complaint") & cases["received"].between("2020-04-01", "2021-03-31")
    refused = cases["refused_reason"].notna()
    assert sum(c.after for stages in by_stage.values() for c in stages.values()) == int((complaint_rows & ~refused).sum())
    assert whole["refused"] == int((complaint_rows & refused).sum())


@settings(max_examples=80, deadline=None)
@given(logs())
def test_outcomes_and_timeliness_add_up(cases):
    outcomes = annual.outcomes(cases, FY, ALL)
    parts = [v for k, v in outcomes.items() if k != "all"]
    for outcome in (*annual.OUTCOMES, annual.NOT_RECORDED):
        assert outcomes["all"].counts[outcome] == sum(p.counts[outcome] for p in parts)
    sent = (cases["kind"] == "complaint") & cases["refused_reason"].isna() & \
        cases["responded"].between("2020-04-01", "2021-03-31")
    assert sum(outcomes["all"].counts.values()) == int(sent.sum())
    rate = outcomes["all"].upheld_rate
    assert rate.count <= rate.total <= int(sent.sum())
    timely = timeliness_of.timeliness(cases, FY, ALL, DEFAULT_TIMESCALES, DEFAULT_EXTENSIONS)
    assert sum(t.sent for t in timely) == int(sent.sum())
    for t in timely:
        assert t.within.count <= t.within.total and t.six_months.count <= t.six_months.total
        assert t.extended <= t.sent and t.fallbacks <= t.sent
    more_time = {p: {s: d + 5 for s, d in stages.items()} for p, stages in DEFAULT_TIMESCALES.items()}
    looser = timeliness_of.timeliness(cases, FY, ALL, more_time, DEFAULT_EXTENSIONS)
    assert all(a.within.count >= b.within.count for a, b in zip(looser, timely))   # more days: never fewer in time


# --- whole reports -------------------------------------------------------------------------------

from factory import render_log, text_of  # noqa: E402


def annual_params(data, **overrides):
    p = {"notebook": "annual_report", "council": "Testshire County Council", "committee": "Audit Committee",
         "meeting_date": "2021-07-27", "title": "Annual Complaints Report 2020/21", "report_of": "Head of Legal",
         "contact": {"name": "Pat Example", "email": "complaints@testshire.example"}, "data": str(data),
         "year": "2020/21", "homes": 750, "housing_services": ["Housing Repairs"],
         "self_assessment": [{"section": "5", "requirement": "Stage 1 within 10 working days", "status": "partly"}],
         "service_improvements": [{"service": "Highways", "learning": "Slow replies", "action": "Weekly review"}]}
    p.update(overrides)
    return p


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    return render_log(tmp_path_factory.mktemp("annual_report"), ROWS, annual_params)


def test_report_states_the_hand_worked_figures(rendered):
    page = text_of((rendered / "report.html").read_text(encoding="utf-8"))
    for sentence in [
        "In 2020/21 the Council received 15 complaints (up from 4 in 2019/20), 1 comment (no change) and 3 "
        "compliments (no change). It did not accept 3 complaints into the complaints procedure (up from 1 in 2019/20).",
        # Below ten cases a share is "5 of 6", never a percentage, and is not compared as one with the year before.
        "Of the stage 1 complaints received in 2020/21 with an acknowledgement date: Corporate: 5 of 6 complaints "
        "acknowledged within 5 working days, the timescale of the Ombudsman's Complaint Handling Code, against 1 of 1 "
        "in 2019/20; 1 complaint has no acknowledgement date recorded.",
        "Adult Social Care: none of the 4 complaints has an acknowledgement date recorded.",
        "(1 response with no acknowledgement date is timed from receipt)",
        "Corporate stage 1: 4 of 6 responses within 10 working days of acknowledgement, the timescale of the "
        "Ombudsman's Complaint Handling Code, or 20 where an extension was agreed, against 1 of 2 in 2019/20. No "
        "extension was recorded for 1 response that took longer than 10 working days.",
        "Children's Social Care stage 2: 1 of 1 response within 25 working days, the regulations' timescale, or 65 "
        "where an extension was agreed.",
        "Adult Social Care complaints have no statutory timescale, but a complainant not answered within six months "
        "must be told why (regulation 14); within six months of receipt: 2 of 3 responses, against 1 of 1 in "
        "2019/20.",
        "The case log has no panel_date column, so the panel timescale cannot be measured: from the request to the "
        "Council's response took an average of 29.0 working days, for which the regulations set no single timescale.",
        "62% (8 of 13 responses) upheld it in whole or in part, against 2 of 4 in 2019/20.",
        "The most frequent subject of the complaints received was communication, 40% (6 cases), followed by delay, "
        "20% (3 cases).",
        "The Council paid £1,500.50 in compensation on 2 complaints (£0 on no complaints in 2019/20).",
        "Of the complaints received in 2020/21, 5 were taken to an Ombudsman (none of those received in 2019/20). Of "
        "these, 1 is still with the Ombudsman, 1 was upheld, 1 was not upheld and 2 were closed without an "
        "investigation. The case log has no ombudsman_body column, so this report cannot say which Ombudsman each "
        "complaint went to.",
        "it received 2 stage 1 complaints (2.7 per 1,000 homes, measure CH01) and no stage 2 complaints (0.0 per "
        "1,000 homes). It answered 1 of 2 responses at stage 1 within the Housing Ombudsman's timescales",
        "It sent no stage 2 response in the year.",
        "Of the 3 complaints decided, 2 were well-founded (upheld or partly upheld). The Council knows of 1 "
        "complaint referred to the Local Government and Social Care Ombudsman.",
        "the Council received 4 stage 1 complaints about children's social care (up from 1 in 2019/20), 1 stage 2 "
        "investigation and 1 stage 3 review panel.",
        "finds it compliant with no requirements, partly compliant with 1 requirement and not compliant with no "
        "requirements.",
        "The case log starts on 1 May 2019, so the figures begin in 2019/20.",
    ]:
        assert sentence in page, sentence


def test_every_figure_of_the_spec_is_in_figures_json(rendered):
    import json
    figures = json.loads((rendered / "figures.json").read_text(encoding="utf-8"))
    for name in ["summary", "by_stage", "refusal_reasons", "acknowledged", "ack_corporate", "ack_adults", "timeliness",
                 "clock_fallbacks", "late_unextended", "late_unextended_total", "panel", "upheld_rate", "subjects",
                 "remedies", "compensation", "compensation_cases", "ombudsman", "ombudsman_total", "ombudsman_bodies",
                 "tsm", "ch02_stage1", "adults_received", "adults_well_founded", "adults_referred", "adults_subjects",
                 "childrens_by_stage", "complainants", "advocacy", "services_largest", "assessment", "trend_first",
                 "trend_last", "received_corporate_2020", "within_corporate_1_2020", "six_months_adults_1_2020"]:
        assert name in figures and figures[name]["about"], name
    # A figure another report may give too says what it measures.
    assert figures["within_corporate_1_2020"]["measure"] == {
        "name": "responses within timescale", "basis": "statutory: 10 working days from acknowledged, 20 where an "
        "extension was agreed", "procedure": "corporate", "stage": 1, "period": "2020/21"}
    assert figures["within_corporate_1_2020"]["value"]["count"] == 4
    assert figures["received_corporate_2020"]["value"] == 7
    assert figures["received_corporate_2020"]["measure"] == {
        "name": "complaints received", "basis": "each complaint once, by its first stage", "procedure": "corporate",
        "stage": None, "period": "2020/21"}
    assert figures["late_unextended_total"]["value"] == 3      # C4, C1 stage 2, K2
    assert figures["summary"]["value"]["complaint"] == {"type": "change", "before": 4, "after": 15,
                                                        "direction": "up", "suppressed": False}
    assert figures["tsm"]["value"][0]["ch01"] == "2.7"


def test_a_log_without_the_new_columns_leaves_their_sections_out(tmp_path):
    from factory import case
    rows = [case("A1", "2020-06-01", 10, procedure="corporate", service="Highways"),
            case("A2", "2019-06-03", 12, procedure="adults", service="Adult Social Care"),
            case("A3", "2020-09-01", 30, procedure="childrens")]
    out = render_log(tmp_path, rows, annual_params, homes=None, housing_services=[])
    page = text_of((out / "report.html").read_text(encoding="utf-8"))
    for missing in ("refused_reason", "subject", "remedy", "ombudsman"):
        assert f"The case log has no {missing} column, so this report cannot say" in page, missing
    assert "Outcomes of the responses sent in 2020/21" in page           # outcome is in the factory's log
    assert "Tenant Satisfaction Measures" not in page
    assert "The case log has no advocacy column, so this report cannot say how often an advocate was offered" in page
    assert "The case log has no panel_date column, so the panel timescale cannot be measured" in page
    assert ("The case log has no refused_reason, subject, remedy, compensation, ombudsman, ombudsman_body, "
            "complainant, panel_date and advocacy columns, so the parts of the report that need them say what they "
            "cannot report.") in page


def test_small_numbers_are_suppressed(tmp_path):
    out = render_log(tmp_path, ROWS, annual_params, suppress_below=3)
    page = text_of((out / "report.html").read_text(encoding="utf-8"))
    assert "[c]" in page and "numbers below 3 are shown as [c]" in page
    import json
    figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))
    assert figures["ombudsman"]["value"]["pending"] == "[c]"


# --- 2026/27: the Code applies; a local third stage; the review panel measured; ties; services; Ombudsmen ----------
#
# June 2026: Monday 1 June. K1 stage 3: requested 1 June, panel 29 June (20 working days: within 30), response 13 July
# (30 from the request, 10 from the panel). K2 stage 3: requested 1 June, panel 20 July (35: late), response 3 August
# (45, 10 from the panel). C1 stage 3 (a local third stage): received Monday 18 May, answered Friday 12 June: 18
# working days (25 May a bank holiday), within the Council's own target of 20. Subjects of the 8 complaints: delay
# (C1, C3) and communication (C2, C4) 2 each, then one each. Services: Highways 3 (C1, C3, C5), Housing Repairs 2
# (C2, C4), Children's Services 2 (K1, K2), Adult Social Care 1.

FY26 = 2026


def _with(base: dict, **extra) -> dict:
    return {**base, "panel_date": "", "ombudsman_body": "", "advocacy": "", **extra}


ROWS_2026 = [
    _with(row("C1", received="2026-04-01", acknowledged="2026-04-02", responded="2026-04-16", outcome="upheld",
              subject="Delay")),
    _with(row("C1", stage=2, received="2026-04-20", acknowledged="2026-04-21", responded="2026-05-12",
              outcome="not upheld", subject="Delay")),
    _with(row("C1", stage=3, received="2026-05-18", responded="2026-06-12", outcome="not upheld", subject="Delay",
              ombudsman="upheld"), ombudsman_body="lgsco"),
    _with(row("C2", received="2026-05-01", responded="2026-05-22", outcome="upheld", subject="Communication",
              ombudsman="pending", service="Housing Repairs", team="Housing"), ombudsman_body="housing"),
    _with(row("C3", received="2026-05-04", responded="2026-05-11", outcome="upheld", subject="Delay")),
    _with(row("C4", received="2026-06-01", responded="2026-06-08", outcome="not upheld", subject="Communication",
              service="Housing Repairs", team="Housing")),
    _with(row("C5", received="2026-06-02", responded="2026-06-09", outcome="upheld", subject="Decision or policy")),
    _with(K("K1", received="2026-04-01", responded="2026-04-15", outcome="upheld", subject="Staff conduct",
            complainant="child or young person"), advocacy="yes"),
    _with(K("K1", stage=2, received="2026-04-20", responded="2026-05-20", outcome="not upheld", subject="Staff conduct",
            complainant="child or young person"), advocacy="yes"),
    _with(K("K1", stage=3, received="2026-06-01", responded="2026-07-13", outcome="not upheld", subject="Staff conduct",
            complainant="child or young person"), panel_date="2026-06-29", advocacy="yes"),
    _with(K("K2", received="2026-04-01", responded="2026-04-15", outcome="not upheld", subject="Quality of service",
            complainant="parent or carer"), advocacy="no"),
    _with(K("K2", stage=2, received="2026-04-20", responded="2026-05-20", outcome="not upheld",
            subject="Quality of service", complainant="parent or carer"), advocacy="no"),
    _with(K("K2", stage=3, received="2026-06-01", responded="2026-08-03", outcome="upheld", subject="Quality of service",
            complainant="parent or carer"), panel_date="2026-07-20", advocacy="no"),
    _with(A("A1", received="2026-05-01", responded="2026-05-29", outcome="upheld", subject="Charges and payments")),
    _with(row("G1", kind="compliment", received="2026-06-01")),
    _with(row("G2", kind="compliment", received="2026-06-02")),
    _with(row("G3", kind="compliment", received="2026-06-03", service="Libraries", team="Libraries")),
    _with(row("G4", kind="compliment", procedure="adults", received="2026-06-04", service="Adult Social Care",
              team="Older People")),
    _with(row("P1", received="2025-06-02", responded="2025-06-09", outcome="upheld", subject="Delay")),
]


@pytest.fixture(scope="module")
def cases_2026(tmp_path_factory):
    path = write_case_log(tmp_path_factory.mktemp("annual2026") / "cases.csv", ROWS_2026)
    log = casedata.load(casedata.Source(str(path)), local_stage3=True)
    assert log.rows_excluded == 0, log.problems.to_dict("records")
    return log.cases


def test_the_review_panel_within_30_working_days_of_the_request(cases_2026):
    found = timeliness_of.panels(cases_2026, FY26)
    assert found == timeliness_of.Panels(sent=2, measurable=True, timescale=30, within=Share(1, 2, "panel"), undated=0,
                                         average_days=37.5, average_after_panel=10.0)     # (30 + 45) / 2
    blind = timeliness_of.panels(cases_2026, FY26, measurable=False)  # a log with no panel_date column
    assert (blind.within, blind.undated, blind.average_days) == (Share(0, 0, "panel"), 0, 37.5)


def test_ties_are_named_together_never_split():
    assert annual.largest({"b": 2, "a": 2, "c": 1, "d": 0}, 1) == [("a", 2), ("b", 2)]
    assert annual.largest({"b": 3, "a": 2, "c": 2, "d": 1}, 2) == [("b", 3), ("a", 2), ("c", 2)]
    assert annual.tie_groups([("a", 5), ("b", 5), ("c", 3), ("d", 3), ("e", 1)], top=3) == \
        [(["a", "b"], 5), (["c", "d"], 3)]
    assert annual.tie_groups([("x", Share(2, 8)), ("y", Share(2, 8)), ("z", Share(1, 8))]) == \
        [(["x", "y"], Share(2, 8)), (["z"], Share(1, 8))]
    assert annual.tie_groups([]) == []


def test_subjects_tied_are_kept_together(cases_2026):
    top, missing = annual.subjects(cases_2026, FY26, ALL, top=1)
    assert top == [("Communication", Share(2, 8)), ("Delay", Share(2, 8))] and missing == 0


def test_by_service_the_largest_and_the_rest_together(cases_2026):
    t = timeliness_of.timed(cases_2026, FY26, ALL, DEFAULT_TIMESCALES, DEFAULT_EXTENSIONS)
    lines = {s.service: s for s in annual_services.by_service(cases_2026, FY26, ALL, t, top=2)}
    # Housing Repairs and Children's Services tie at the cut: both shown; Adult Social Care is the rest.
    assert list(lines) == ["Highways", "Children's Services", "Housing Repairs", annual.OTHER_SERVICES]
    highways = lines["Highways"]
    # Highways: C1 s1 (10 from acknowledgement), C1 s2 (15), C3 (5), C5 (5) within their Code timescales; C1's
    # local stage 3 has none in the Code. Upheld: C1 s1, C3, C5 of the five decided.
    assert (highways.received, highways.sent, highways.within, highways.upheld_rate) == \
        (Change(1, 3), 5, Share(4, 4), Share(3, 5))
    children = lines["Children's Services"]       # the review panels are not timed here; stage 2 within 25 (22)
    assert (children.received, children.within) == (Change(0, 2), Share(4, 4))
    rest = lines[annual.OTHER_SERVICES]
    assert (rest.received, rest.within, rest.upheld_rate) == (Change(0, 1), Share(0, 0), Share(1, 1))
    assert annual_services.compliments_by_service(cases_2026, FY26, ALL, top=1) == [("Highways", Change(0, 2))] + \
        [(annual.OTHER_SERVICES, Change(0, 2))]
    assert annual_services.compliments_by_service(cases_2026, FY26, ALL, top=2) == [
        ("Highways", Change(0, 2)), ("Adult Social Care", Change(0, 1)), ("Libraries", Change(0, 1))]


def test_ombudsman_cases_by_ombudsman(cases_2026, cases):
    assert annual.ombudsman_by_body(cases_2026, FY26, ALL) == {
        "lgsco": {"pending": 0, "upheld": 1, "not upheld": 0, "not investigated": 0},
        "housing": {"pending": 1, "upheld": 0, "not upheld": 0, "not investigated": 0}}
    # A log without the column: every case's Ombudsman is not recorded.
    assert annual.ombudsman_by_body(cases, FY, ALL)[annual.NOT_RECORDED] == annual.ombudsman(cases, FY, ALL)


def test_advocacy_of_childrens_complaints(cases_2026, cases):
    assert annual.advocacy(cases_2026, FY26) == (Share(1, 2), 0)
    assert annual.advocacy(cases, FY) == (Share(0, 0), 4)       # no advocacy column: all four not recorded


def test_the_law_section_names_only_the_laws_of_the_reports_scope():
    from reportlib import render

    from reportlib import reports

    law = render.implication_defaults()["law"]
    samples = {name: reports.load(REPO / "params" / f"{name}.yaml") for name in (
        "sample_childrens_response_times", "sample_complaints_performance", "sample_annual_report_adults")}
    assert [p.procedures for p in samples.values()] == [("childrens",), ("childrens", "adults", "corporate"),
                                                        ("adults",)]  # each report's rules say what it covers
    assert render.report_scope({"procedures": ["childrens"]}) == ("childrens",)  # as the notebook shows them
    assert render.report_scope({}) == ("childrens", "adults", "corporate")
    childrens = render.law_paragraphs(law, ("childrens",))
    assert childrens == ["The procedures for statutory complaints are determined by legislation:",
                         "- Children Act 1989 Representations Procedure (England) Regulations 2006, for children's "
                         "social care.\n- Local Government Act 1974, Part III, for complaints to the Local Government "
                         "and Social Care Ombudsman."]
    corporate = render.law_paragraphs(law, ("corporate",), housing=True)
    assert corporate[0] == "Complaints to the Ombudsman are determined by legislation:"
    assert "Housing Act 1996, Schedule 2" in corporate[1] and "Regulations" not in corporate[1]
    assert corporate[2] == ("Complaints that fall outside the statutory procedures are dealt with under the "
                            "Council's corporate complaints procedure.")
    everything = render.law_paragraphs(law, ("corporate", "adults", "childrens"))
    assert everything[2].endswith("All complaints received are included in this report.")
    assert everything[1].count("\n- ") == 2          # three laws: both sets of regulations and the Ombudsman's


def annual_2026(data, **overrides):
    return annual_params(data, **{"meeting_date": "2027-07-27", "year": "2026/27", "title": "Annual Report 2026/27",
                                  "homes": None, "housing_services": [], "local_stage3": True,
                                  "council_targets": {"corporate": {3: 20}}, **overrides})


@pytest.fixture(scope="module")
def rendered_2026(tmp_path_factory):
    return render_log(tmp_path_factory.mktemp("annual_2026"), ROWS_2026, annual_2026)


def test_a_report_from_april_2026_says_what_the_code_asks(rendered_2026, rendered):
    page = text_of((rendered_2026 / "report.html").read_text(encoding="utf-8"))
    for sentence in [
        "This is the Council's annual complaints performance and service improvement report for 2026/27, which "
        "paragraph 8.1 of the Local Government and Social Care Ombudsman's Complaint Handling Code asks of every "
        "council.",
        "within 10 working days of acknowledgement, the Code's timescale, or 20 where an extension was agreed",
        "Corporate stage 3: the Code sets no timescale for a third stage;",
        "met the Council's own target of 20 working days",
        "met within 30 working days of the request",
        "from the panel to the Council's response took an average of 10.0 working days.",
        "By Ombudsman, 1 went to the Local Government and Social Care Ombudsman and 1 went to the Housing Ombudsman.",
        "The most frequent subjects of the complaints received were communication and delay, each 2 of 8 cases, "
        "followed by charges and payments, decision or policy, quality of service and staff conduct, each 1 of 8 "
        "cases.",
        "Corporate stage 3: the Code sets no timescale for a third stage; 1 of 1 response met the Council's own target "
        "of 20 working days.",
        "Of the panels whose response was sent in 2026/27, 1 of 2 panels met within 30 working days of the request",
        "No remedy is recorded for the responses sent in 2026/27.",
        "The services with the most complaints received in 2026/27 were Highways (3 complaints), and Children's "
        "Services and Housing Repairs (2 complaints each)",
    ]:
        assert sentence in page, sentence
    assert "asks of every council" not in text_of((rendered / "report.html").read_text(encoding="utf-8"))
    assert "Ombudsman's guidance on complaint handling, which applies to councils from 1 April 2026" in \
        text_of((rendered / "report.html").read_text(encoding="utf-8"))


@pytest.mark.slow  # seconds: hypothesis examples or whole notebooks
@pytest.mark.parametrize("which", ["rendered", "rendered_2026"])
def test_the_small_annual_reports_keep_the_house_rules(request, which):
    """The rules the sample reports are held to (tests/test_consistency.py), on reports of a handful of cases: no
    sentence begins with a numeral or states nothing, no percentage of fewer than ten cases in the text (tables
    write a share through the same primitive), a table's note only for what it shows, figures.json gives what the
    text printed."""
    import re

    from test_consistency import EMPTY, Paper

    paper = Paper(request.getfixturevalue(which))
    assert [s for s in paper.sentences if re.match(r"[\d£]", s)] == []
    assert [s for s in paper.sentences if s in EMPTY or (len(s.split()) < 4 and not s.endswith(":"))] == []
    assert [b for b in re.findall(r"\d+% \([\d,]+ of ([\d,]+)", paper.text) if int(b.replace(",", "")) < 10] == []
    for head, rows, notes in paper.tables:
        cells = [c for r in rows for c in r]
        for note in notes:
            for symbol in re.findall(r"'([^']+)'", note):
                assert symbol in cells, (note, symbol)
    for figure, entry in paper.figures.items():
        assert entry["cited"] == bool(entry.get("printed", [])), figure
        for form in entry.get("printed", []):
            assert " ".join(form.split()) in paper.text, (figure, form)
