"""The bundled synthetic case log: reproducible, valid, and telling the story both reports tell.

Every figure is measured the way the reports measure it: working days with
``reportlib.workdays.working_days``, financial years and quarters with ``reportlib.periods``,
performance by the date responded, volumes by the date received (stage 1 cases).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from reportlib import casedata, periods, sample
from reportlib.workdays import calendar, working_days

REPO = __import__("pathlib").Path(__file__).resolve().parents[1]
EXTRACT = dt.date(2021, 6, 30)
COLUMNS = ["case_ref", "kind", "procedure", "stage", "received", "acknowledged", "responded", "team", "service",
           "delay_reason", "outcome", "extended", "complainant_name", "contact_email"]
TARGETS = {("childrens", "1"): 20, ("corporate", "1"): 20, ("adults", "1"): 25,
           ("childrens", "2"): 65, ("corporate", "2"): 25, ("childrens", "3"): 30, ("corporate", "3"): 20}
REASONS = {"Other work pressures", "Staff absence", "Complex case", "Awaiting information",
           "Investigator availability", ""}


@pytest.fixture(scope="module")
def text() -> pd.DataFrame:
    """The sample as written: text cells."""
    return sample.generate()


@pytest.fixture(scope="module")
def log(text) -> pd.DataFrame:
    """The sample with real dates and, for responses, working days taken and the target."""
    d = text.copy()
    for col in ("received", "acknowledged", "responded"):
        d[col] = pd.to_datetime(d[col].replace("", None), format="%d/%m/%Y")
    d["target"] = [TARGETS.get(k, 0) for k in zip(d["procedure"], d["stage"])]
    done = d["responded"].notna()
    d["days"] = pd.Series(pd.NA, index=d.index, dtype="Int64")
    d.loc[done, "days"] = working_days(d.loc[done, "received"], d.loc[done, "responded"])
    return d


def _responses(log, procedure, stage):
    return log[(log["kind"] == "complaint") & (log["procedure"] == procedure) & (log["stage"] == stage)
               & log["responded"].notna()]


def _share(rows) -> float:
    return float((rows["days"] <= rows["target"]).mean())


# --- the file ------------------------------------------------------------------------

def test_write_is_byte_identical_utf8_lf(tmp_path):
    a, b = tmp_path / "one" / "deep" / "a.csv", tmp_path / "b.csv"
    n = sample.write(a)
    assert sample.write(b) == n
    data = a.read_bytes()
    assert data == b.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    assert data.decode("utf-8").count("\n") == n + 1
    assert data.startswith(",".join(COLUMNS).encode() + b"\n")


def test_another_seed_gives_another_log():
    assert not sample.generate(1).equals(sample.generate())


def test_committed_file_is_what_the_generator_writes_now(tmp_path):
    """Change the generator, regenerate the file: `reportlib sample` (or sample.write)."""
    sample.write(tmp_path / "now.csv")
    committed = REPO / sample.DEFAULT_PATH
    assert committed.read_bytes() == (tmp_path / "now.csv").read_bytes(), \
        "data/sample_case_log.csv is stale: run `reportlib sample` and commit it"


def test_default_path_is_relative_to_the_project():
    assert sample.DEFAULT_PATH == __import__("pathlib").Path("data/sample_case_log.csv")


def test_the_validator_reads_it_without_excluding_a_row():
    cases = casedata.load(casedata.Source(str(REPO / sample.DEFAULT_PATH)), latest=EXTRACT)
    assert cases.rows_read == len(sample.generate())
    assert cases.rows_excluded == 0 and cases.rows_used == cases.rows_read
    assert cases.problems.empty, cases.problems.head()
    # The personal data never gets past the door.
    assert not {"complainant_name", "contact_email"} & set(cases.cases.columns)


def test_columns_values_and_size(text):
    assert list(text.columns) == COLUMNS
    assert 6000 <= len(text) <= 10000
    assert set(text["kind"]) == {"complaint", "comment", "compliment"}
    assert set(text["procedure"]) == {"childrens", "adults", "corporate"}
    complaint = text["kind"] == "complaint"
    assert set(text.loc[complaint, "stage"]) == {"1", "2", "3"}
    assert set(text.loc[~complaint, "stage"]) == {""}
    assert set(text.loc[complaint, "extended"]) == {"yes", "no"}
    assert set(text.loc[~complaint, "extended"]) == {""}
    assert set(text["outcome"]) == {"upheld", "partly upheld", "not upheld", "withdrawn", ""}
    assert (text.loc[~complaint, ["acknowledged", "responded", "outcome", "delay_reason"]] == "").all().all()
    assert set(text["delay_reason"]) == REASONS
    for col in ("received", "acknowledged", "responded"):
        filled = text[col][text[col] != ""]
        assert filled.str.fullmatch(r"\d{2}/\d{2}/\d{4}").all(), col
    assert text["complainant_name"].str.fullmatch(r"Person \d{5}").all()
    assert text["contact_email"].str.fullmatch(r"person\d{5}@example\.org").all()


def test_sorted_by_received_then_case_ref_then_stage(log):
    key = log[["received", "case_ref"]].assign(stage=pd.to_numeric(log["stage"]).fillna(0))
    assert key.equals(key.sort_values(["received", "case_ref", "stage"], kind="stable"))


def test_case_refs(log):
    complaint = log["kind"] == "complaint"
    assert log.loc[complaint, "case_ref"].str.fullmatch(r"(CSC|ASC|COR)-\d{4}-\d{5}").all()
    assert log.loc[~complaint, "case_ref"].str.fullmatch(r"(CSC|ASC|COR)-(CMT|CPL)-\d{4}-\d{5}").all()
    assert not log.duplicated(["case_ref", "stage", "kind"]).any()
    assert log.loc[~complaint, "case_ref"].is_unique
    prefix = log["case_ref"].str[:3].map({"CSC": "childrens", "ASC": "adults", "COR": "corporate"})
    assert (prefix == log["procedure"]).all()
    code = log["case_ref"].str.extract(r"^\w{3}-(CMT|CPL)-", expand=False).map({"CMT": "comment", "CPL": "compliment"})
    assert (code.fillna("complaint") == log["kind"]).all()
    # The year in the ref is the calendar year the case (its first stage) was received.
    first = log.groupby("case_ref")["received"].transform("min")
    assert (log["case_ref"].str.extract(r"-(\d{4})-\d{5}$", expand=False).astype(int) == first.dt.year).all()
    # One invented complainant per case.
    assert (log.groupby("case_ref")["complainant_name"].nunique() == 1).all()


# --- dates -----------------------------------------------------------------------------

def test_nothing_after_the_extract_and_nothing_before_april_2015(log):
    for col in ("received", "acknowledged", "responded"):
        assert log[col].max() <= pd.Timestamp(EXTRACT), col
    assert log["received"].min() >= pd.Timestamp("2015-04-01")
    assert log["received"].max() >= pd.Timestamp("2021-06-25")


def test_dates_in_order(log):
    assert (log["acknowledged"].dropna() >= log.loc[log["acknowledged"].notna(), "received"]).all()
    both = log["acknowledged"].notna() & log["responded"].notna()
    assert (log.loc[both, "acknowledged"] <= log.loc[both, "responded"]).all()
    done = log["responded"].notna()
    assert (log.loc[done, "days"] >= 1).all()


def test_acknowledged_within_three_working_days_mostly_present(log):
    c = log[log["kind"] == "complaint"]
    acked = c[c["acknowledged"].notna()]
    assert working_days(acked["received"], acked["acknowledged"]).max() <= 3
    assert 0.02 <= c["acknowledged"].isna().mean() <= 0.08


def test_receipts_mostly_on_working_days_with_a_christmas_dip(log):
    received = log["received"].to_numpy().astype("datetime64[D]")
    working = np.is_busday(received, busdaycal=calendar())
    assert 0.95 <= working.mean() < 1.0  # a few by email at weekends and on bank holidays
    d = log["received"]
    christmas = ((d.dt.month == 12) & (d.dt.day >= 21)) | ((d.dt.month == 1) & (d.dt.day <= 4))
    # 15 of 365 days; with the dip well under that share of receipts.
    assert christmas.mean() < 0.5 * 15 / 365


def test_responses_on_working_days(log):
    done = log["responded"].dropna().to_numpy().astype("datetime64[D]")
    assert np.is_busday(done, busdaycal=calendar()).all()


def test_later_stages_follow_their_stage_1(log):
    c = log[log["kind"] == "complaint"]
    by_stage = {s: c[c["stage"] == s].set_index("case_ref") for s in ("1", "2", "3")}
    for later, before in (("2", "1"), ("3", "2")):
        rows = by_stage[later]
        assert rows.index.isin(by_stage["1"].index).all()
        prev = by_stage[before].loc[rows.index]
        assert prev["responded"].notna().all()
        gap = working_days(prev["responded"], rows["received"])
        assert gap.min() >= 1 and gap.max() <= 30
        assert (rows["team"] == prev["team"]).all() and (rows["service"] == prev["service"]).all()
    assert set(c.loc[c["procedure"] == "adults", "stage"]) == {"1"}


def test_open_cases_recent_and_a_few_stuck(log):
    c = log[log["kind"] == "complaint"]
    open_ = c[c["responded"].isna()]
    assert len(open_) >= 20
    assert (open_["outcome"] == "").all() and (open_["delay_reason"] == "").all()
    stuck = open_[open_["received"] < pd.Timestamp("2021-01-01")]
    assert 3 <= len(stuck) <= 0.01 * len(c)
    # An open stage is the case's last: nobody escalates a complaint that has had no answer.
    later = c[c["stage"] != "1"]
    nxt = set(zip(later["case_ref"], pd.to_numeric(later["stage"]) - 1))
    assert not any((ref, int(s)) in nxt for ref, s in zip(open_["case_ref"], open_["stage"]))


# --- volumes ----------------------------------------------------------------------------

def _volumes(log) -> pd.DataFrame:
    """Per (kind, procedure), per financial year: compliments, comments and stage 1 complaint cases."""
    first = log[(log["kind"] != "complaint") | (log["stage"] == "1")]
    fy = periods.financial_year(first["received"])
    return first.groupby([first["kind"], first["procedure"], fy]).size().unstack(fill_value=0)


def test_volumes_per_year(log):
    v = _volumes(log)
    in_range = {("complaint", "corporate"): (380, 700), ("complaint", "childrens"): (50, 95),
                ("complaint", "adults"): (95, 140), ("comment", "childrens"): (5, 25), ("comment", "adults"): (3, 16),
                ("compliment", "childrens"): (100, 200), ("compliment", "adults"): (85, 230),
                ("compliment", "corporate"): (15, 55)}
    for key, (lo, hi) in in_range.items():
        years = v.loc[key, 2015:2020]
        assert years.between(lo, hi).all(), (key, years.to_dict())
    # Covid: corporate complaints and comments fall sharply in 2020/21.
    assert v.loc[("complaint", "corporate"), 2020] < 0.8 * v.loc[("complaint", "corporate"), 2019]
    assert v.loc[("comment", "corporate"), 2020] < 0.4 * v.loc[("comment", "corporate"), 2019]
    assert v.loc[("complaint", "childrens"), 2020] > v.loc[("complaint", "childrens"), 2019]
    # Q1 2021/22 is a quarter's worth.
    assert 0.1 * v.loc[("complaint", "corporate"), 2020] < v.loc[("complaint", "corporate"), 2021] \
        < 0.4 * v.loc[("complaint", "corporate"), 2020]


def test_compliments_trends_over_six_years(log):
    v = _volumes(log).loc["compliment"]
    corporate, childrens, adults = v.loc["corporate"], v.loc["childrens"], v.loc["adults"]
    assert corporate[2020] < corporate[2015] and corporate[2020] < corporate[2017]
    assert np.polyfit(range(6), corporate.loc[2015:2020].to_numpy(), 1)[0] < 0
    assert childrens[2020] > childrens[2015] and np.polyfit(range(6), childrens.loc[2015:2020].to_numpy(), 1)[0] > 0
    assert adults[2020] > adults[2015] and np.polyfit(range(6), adults.loc[2015:2020].to_numpy(), 1)[0] > 0
    # Adults rise more sharply than children's.
    assert adults[2020] / adults[2015] > childrens[2020] / childrens[2015]


def test_escalation_rates(log):
    c = log[log["kind"] == "complaint"]
    n = c.groupby(["procedure", "stage"]).size()
    assert 0.07 <= n["corporate", "2"] / n["corporate", "1"] <= 0.13
    assert 1 <= n["corporate", "3"] <= 0.12 * n["corporate", "2"]
    assert 0.12 <= n["childrens", "2"] / n["childrens", "1"] <= 0.32
    assert 0.2 <= n["childrens", "3"] / n["childrens", "2"] <= 0.4


# --- response times ----------------------------------------------------------------------

def test_childrens_stage_1_before_and_after_the_revised_process(log):
    s1 = _responses(log, "childrens", "1")
    baseline = s1[periods.Period.financial_year(2019).contains(s1["responded"])]
    since = s1[s1["responded"] >= pd.Timestamp("2020-08-18")]
    assert len(baseline) >= 50 and len(since) >= 50
    assert 0.30 <= _share(baseline) <= 0.50
    assert 0.55 <= _share(since) <= 0.75
    # The long tail before the change: late responses run to about 60 working days.
    late = baseline[baseline["days"] > 20]["days"]
    assert late.max() <= 65 and late.median() < 40
    # Service view (what the children's report filters on): corporate complaints about
    # Children's Services follow the same pattern.
    cs = log[(log["service"] == "Children's Services") & (log["stage"] == "1") & log["responded"].notna()]
    assert 0.30 <= _share(cs[periods.Period.financial_year(2019).contains(cs["responded"])]) <= 0.50
    assert 0.55 <= _share(cs[cs["responded"] >= pd.Timestamp("2020-08-18")]) <= 0.75


def test_other_stage_1_response_times(log):
    for procedure, lo, hi in (("corporate", 0.65, 0.85), ("adults", 0.6, 0.8)):
        s1 = _responses(log, procedure, "1")
        s1 = s1[s1["service"] != "Children's Services"]
        for fy in range(2015, 2021):
            rows = s1[periods.financial_year(s1["responded"]) == fy]
            assert lo <= _share(rows) <= hi, (procedure, fy)


def test_stage_2_every_quarter_has_completed_cases(log):
    for procedure in ("childrens", "corporate"):
        s2 = _responses(log, procedure, "2")
        q = periods.quarter(s2["responded"])
        for index in periods.last_quarters(2020, 8):
            assert (q == index).sum() >= 3, (procedure, periods.quarter_label(index))


def test_stage_2_childrens_improves_from_none_in_time(log):
    s2 = _responses(log, "childrens", "2")
    q = periods.quarter(s2["responded"])
    by_quarter = {i: _share(s2[q == i]) for i in periods.last_quarters(2020, 8)}
    assert by_quarter[periods.parse_quarter("Q2 2019/20")] == 0
    assert by_quarter[periods.parse_quarter("Q4 2019/20")] == 0
    assert max(by_quarter[i] for i in periods.last_quarters(2019, 4)) <= 0.2
    assert 0.15 <= by_quarter[periods.parse_quarter("Q3 2020/21")] <= 0.6
    assert 0.3 <= by_quarter[periods.parse_quarter("Q4 2020/21")] <= 0.7
    before = s2[s2["responded"] < pd.Timestamp("2020-01-01")]
    assert _share(before) <= 0.05


def test_stage_2_corporate_within_25_days_varies_by_quarter(log):
    s2 = _responses(log, "corporate", "2")
    q = periods.quarter(s2["responded"])
    shares = [_share(s2[q == i]) for i in periods.last_quarters(2020, 8)]
    assert all(0.25 <= s <= 0.75 for s in shares), shares
    assert 0.4 <= _share(s2[(q >= periods.parse_quarter("Q1 2019/20")) & (q <= periods.parse_quarter("Q4 2020/21"))]) <= 0.6
    assert max(shares) - min(shares) >= 0.1


# --- delay reasons, extensions, teams ------------------------------------------------------

def test_delay_reasons_only_and_always_on_late_responses(log):
    c = log[(log["kind"] == "complaint") & log["responded"].notna()]
    late = c["days"] > c["target"]
    assert (c.loc[~late, "delay_reason"] == "").all()
    shares = c.loc[late, "delay_reason"].value_counts(normalize=True)
    assert 0.4 <= shares["Other work pressures"] <= 0.6
    assert 0.1 <= shares["Staff absence"] <= 0.2
    assert 0.08 <= shares["Complex case"] <= 0.18
    assert 0.03 <= shares[""] <= 0.12
    assert shares.index[0] == "Other work pressures"


def test_work_pressures_mostly_in_court_and_care_management_teams(log):
    s1 = _responses(log, "childrens", "1")
    late = s1[(s1["days"] > 20) & (s1["responded"] >= pd.Timestamp("2020-04-01"))]
    pressures = late[late["delay_reason"] == "Other work pressures"]
    assert len(pressures) >= 10
    assert pressures["team"].isin(["Court Team", "Care Management Team 1", "Care Management Team 2"]).mean() > 0.5


def test_extensions_on_about_a_fifth_of_late_responses(log):
    c = log[(log["kind"] == "complaint") & log["responded"].notna()]
    late = c["days"] > c["target"]
    assert (c.loc[~late, "extended"] == "no").all()
    assert 0.12 <= (c.loc[late, "extended"] == "yes").mean() <= 0.28


def test_teams_and_services(log):
    childrens = log[log["procedure"] == "childrens"]
    assert set(childrens["service"]) == {"Children's Services"}
    assert {"Court Team", "Care Management Team 1", "Care Management Team 2", "MASH"} <= set(childrens["team"])
    adults = log[log["procedure"] == "adults"]
    assert set(adults["service"]) == {"Adult Social Care"}
    assert set(adults["team"]) == {"Older People", "Learning Disabilities", "Mental Health", "Reablement"}
    corporate = log[(log["procedure"] == "corporate") & (log["kind"] == "complaint") & (log["stage"] == "1")]
    assert {"Highways and Transport", "Waste and Recycling", "Council Tax and Benefits", "Libraries", "Planning",
            "Customer Services", "Children's Services"} == set(corporate["service"])
    about_children = corporate["service"] == "Children's Services"
    assert 0.06 <= about_children.mean() <= 0.14
    assert set(corporate.loc[about_children, "team"]) == {"Education", "SEND Transport"}
    assert (log["team"] != "").all() and (log["service"] != "").all()
    # One team per corporate service.
    other = corporate[~about_children]
    assert (other.groupby("service")["team"].nunique() == 1).all()
