"""The bundled synthetic case log: reproducible, valid, and telling the story both reports tell.

Every figure is measured the way the reports measure it: working days with
``reportlib.workdays.working_days``, financial years and quarters with ``reportlib.periods``,
performance by the date responded, volumes by the date received (stage 1 cases).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd
import pytest

from reportlib import casedata, periods, sample
from reportlib.workdays import calendar, working_days

REPO = __import__("pathlib").Path(__file__).resolve().parents[1]
EXTRACT = dt.date(2021, 6, 30)
BASE_COLUMNS = ["case_ref", "kind", "procedure", "stage", "received", "acknowledged", "responded", "team", "service",
                "delay_reason", "outcome", "extended", "complainant_name", "contact_email"]
OPTIONAL = ["subject", "remedy", "compensation", "refused_reason", "ombudsman", "complainant", "ombudsman_body",
            "panel_date", "advocacy"]
COLUMNS = BASE_COLUMNS[:12] + OPTIONAL + BASE_COLUMNS[12:]
#: SHA-256 of the sample as committed before the optional columns were added (7,695 rows): the rows and
#: values every committee-report figure and many tests rest on.
BASE_SHA256 = "b9756f8a2f59a9f9ffae23a69f21f20ef290bd18348615124b8abd4d602a8af1"
HOUSING = {"Housing Repairs", "Housing Management"}
TARGETS = {("childrens", "1"): 20, ("corporate", "1"): 20, ("adults", "1"): 25,
           ("childrens", "2"): 65, ("corporate", "2"): 25, ("childrens", "3"): 30, ("corporate", "3"): 20}
REASONS = {"Other work pressures", "Staff absence", "Complex case", "Awaiting information",
           "Investigator availability", ""}


@pytest.fixture(scope="module")
def text() -> pd.DataFrame:
    """The sample as written: text cells."""
    return sample.generate()


@pytest.fixture(scope="module")
def full(text) -> pd.DataFrame:
    """The sample with real dates and, for responses, working days taken and the target."""
    d = text.copy()
    for col in ("received", "acknowledged", "responded", "panel_date"):
        d[col] = pd.to_datetime(d[col].replace("", None), format="%d/%m/%Y")
    d["target"] = [TARGETS.get(k, 0) for k in zip(d["procedure"], d["stage"])]
    done = d["responded"].notna()
    d["days"] = pd.Series(pd.NA, index=d.index, dtype="Int64")
    d.loc[done, "days"] = working_days(d.loc[done, "received"], d.loc[done, "responded"])
    return d


@pytest.fixture(scope="module")
def log(full) -> pd.DataFrame:
    """The representations accepted into a procedure: the sample without its refused complaints (what the
    reports count)."""
    return full[full["refused_reason"] == ""]


@pytest.fixture(scope="module")
def refused(full) -> pd.DataFrame:
    return full[full["refused_reason"] != ""]


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
    for col in ("received", "acknowledged", "responded", "panel_date"):
        filled = text[col][text[col] != ""]
        assert filled.str.fullmatch(r"\d{2}/\d{2}/\d{4}").all(), col
    assert text["complainant_name"].str.fullmatch(r"Person \d{5}").all()
    assert text["contact_email"].str.fullmatch(r"person\d{5}@example\.org").all()


def test_sorted_by_received_then_case_ref_then_stage(full):
    key = full[["received", "case_ref"]].assign(stage=pd.to_numeric(full["stage"]).fillna(0))
    assert key.equals(key.sort_values(["received", "case_ref", "stage"], kind="stable"))


def test_case_refs(full):
    log = full
    complaint = log["kind"] == "complaint"
    refused = log["refused_reason"] != ""
    assert log.loc[complaint & ~refused, "case_ref"].str.fullmatch(r"(CSC|ASC|COR)-\d{4}-\d{5}").all()
    assert log.loc[refused, "case_ref"].str.fullmatch(r"(CSC|ASC|COR)-R-\d{4}-\d{5}").all()
    assert log.loc[~complaint, "case_ref"].str.fullmatch(r"(CSC|ASC|COR)-(CMT|CPL)-\d{4}-\d{5}").all()
    assert not log.duplicated(["case_ref", "stage", "kind"]).any()
    assert log.loc[~complaint, "case_ref"].is_unique
    prefix = log["case_ref"].str[:3].map({"CSC": "childrens", "ASC": "adults", "COR": "corporate"})
    assert (prefix == log["procedure"]).all()
    code = log["case_ref"].str.extract(r"^\w{3}-(CMT|CPL)-", expand=False).map({"CMT": "comment", "CPL": "compliment"})
    assert (code.fillna("complaint") == log["kind"]).all()
    # The year in the ref is the calendar year the case (its first stage) was received; numbered from 1 each year.
    first = log.groupby("case_ref")["received"].transform("min")
    assert (log["case_ref"].str.extract(r"-(\d{4})-\d{5}$", expand=False).astype(int) == first.dt.year).all()
    assert (log.loc[refused].groupby(log["case_ref"].str[:-6])["case_ref"].min().str[-5:] == "00001").all()
    # One invented complainant per case.
    assert (log.groupby("case_ref")["complainant_name"].nunique() == 1).all()


# --- dates -----------------------------------------------------------------------------

def test_nothing_after_the_extract_and_nothing_before_april_2015(full):
    log = full
    for col in ("received", "acknowledged", "responded"):
        assert log[col].max() <= pd.Timestamp(EXTRACT), col
    assert log["received"].min() >= pd.Timestamp("2015-04-01")
    assert log["received"].max() >= pd.Timestamp("2021-06-25")


def test_dates_in_order(full):
    log = full
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


def test_receipts_mostly_on_working_days_with_a_christmas_dip(full):
    log = full
    received = log["received"].to_numpy().astype("datetime64[D]")
    working = np.is_busday(received, busdaycal=calendar())
    assert 0.95 <= working.mean() < 1.0  # a few by email at weekends and on bank holidays
    d = log["received"]
    christmas = ((d.dt.month == 12) & (d.dt.day >= 21)) | ((d.dt.month == 1) & (d.dt.day <= 4))
    # 15 of 365 days; with the dip well under that share of receipts.
    assert christmas.mean() < 0.5 * 15 / 365


def test_responses_on_working_days(full):
    log = full
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
    assert ("corporate", "3") not in n    # the Complaint Handling Code has two stages
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
            "Customer Services", "Children's Services", "Housing Repairs", "Housing Management"} == set(corporate["service"])
    about_children = corporate["service"] == "Children's Services"
    assert 0.06 <= about_children.mean() <= 0.14
    assert set(corporate.loc[about_children, "team"]) == {"Education", "SEND Transport"}
    assert (log["team"] != "").all() and (log["service"] != "").all()
    # One team per corporate service.
    other = corporate[~about_children]
    assert (other.groupby("service")["team"].nunique() == 1).all()



# --- the existing columns, unchanged by the optional ones --------------------------------------

def test_the_log_without_the_optional_columns_is_the_log_from_before_them():
    """Every committee-report figure rests on these rows and values: the optional columns are drawn from a
    generator of their own, after everything else."""
    base = sample.generate(optional=False)
    assert list(base.columns) == BASE_COLUMNS
    data = base.to_csv(index=False, lineterminator="\n").encode("utf-8")
    assert hashlib.sha256(data).hexdigest() == BASE_SHA256


def test_existing_rows_keep_every_value_but_the_housing_cases_service_and_team(text):
    base = sample.generate(optional=False)
    corporate_stage_3 = (base["procedure"] == "corporate") & (base["stage"] == "3")
    assert 10 <= corporate_stage_3.sum() <= 30      # left out: the Code has two stages
    base = base[~corporate_stage_3].reset_index(drop=True)
    kept = text[text["refused_reason"] == ""].reset_index(drop=True)[BASE_COLUMNS]
    assert len(kept) == len(base)                    # the refused rows are extra rows, slotted in by date
    changed = kept != base
    assert set(changed.columns[changed.any()]) == {"service", "team", "extended"}
    # The review panel has no extension: the few children's stage 3 rows that had one have none.
    panel = (base["procedure"] == "childrens") & (base["stage"] == "3")
    assert (changed["extended"] <= panel).all() and 1 <= changed["extended"].sum() <= 10
    assert (kept.loc[panel, "extended"] == "no").all()
    changed = changed.drop(columns="extended")
    moved = changed["service"]
    assert (changed["team"] == moved).all()
    assert set(base.loc[moved, "service"]) == {"Customer Services", "Council Tax and Benefits"}
    assert set(kept.loc[moved, "service"]) == HOUSING and set(kept.loc[moved, "team"]) == {"Housing"}


# --- the optional columns ----------------------------------------------------------------------

def test_the_validator_reads_every_optional_column():
    log = casedata.load(casedata.Source(str(REPO / sample.DEFAULT_PATH)), latest=EXTRACT)
    assert set(OPTIONAL) <= log.present and log.notes == []
    c = log.cases
    assert c["remedy"].notna().sum() > 0 and c["compensation"].notna().sum() > 0
    assert c["ombudsman"].notna().sum() > 0 and c["complainant"].notna().sum() > 0
    assert c["refused_reason"].notna().sum() == (sample.generate()["refused_reason"] != "").sum()


def test_housing_cases(log):
    cases = log[log["procedure"] == "corporate"].drop_duplicates("case_ref")
    housing = cases["service"].isin(HOUSING)
    assert 0.06 <= housing.mean() <= 0.10
    assert 0.45 <= (cases.loc[housing, "service"] == "Housing Repairs").mean() <= 0.65
    assert set(log.loc[log["service"].isin(HOUSING), "team"]) == {"Housing"}
    assert set(log.loc[log["service"].isin(HOUSING), "procedure"]) == {"corporate"}
    complaints = log[log["service"].isin(HOUSING) & (log["kind"] == "complaint")]
    assert {"1", "2"} <= set(complaints["stage"])   # a landlord's stage 1 and 2 (the Housing Ombudsman's measures)


def test_subjects_on_every_complaint_one_per_case(full):
    complaint = full["kind"] == "complaint"
    assert (full.loc[complaint, "subject"] != "").all() and (full.loc[~complaint, "subject"] == "").all()
    assert (full[complaint].groupby("case_ref")["subject"].nunique() == 1).all()
    assert set(full["subject"]) - {""} == set(sample.SUBJECTS)
    assert set(full.loc[full["subject"] == "Repairs", "service"]) <= HOUSING
    first = full[complaint].drop_duplicates("case_ref")
    share = pd.crosstab(first["subject"], first["procedure"], normalize="columns")
    # Proportions differ by procedure: children's social care about staff and decisions, corporate about
    # delay, charges only where something is charged for.
    assert share.loc["Staff conduct", "childrens"] > 1.5 * share.loc["Staff conduct", "corporate"]
    assert share.loc["Delay", "corporate"] > share.loc["Delay", "childrens"]
    assert share.loc["Charges and payments", "childrens"] == 0 and share.loc["Charges and payments", "adults"] > 0.05
    assert (share.max() < 0.40).all() and (share.loc["Quality of service"] > 0.15).all()
    tax = first[first["service"] == "Council Tax and Benefits"]
    assert (tax["subject"] == "Charges and payments").mean() > 0.3


def test_remedies_on_every_upheld_response_and_nowhere_else(full):
    well_founded = full["outcome"].isin(["upheld", "partly upheld"])
    assert (full.loc[well_founded, "remedy"] != "").all() and (full.loc[~well_founded, "remedy"] == "").all()
    items = full.loc[well_founded, "remedy"].str.split(";")
    order = list(casedata.REMEDIES)
    assert items.map(lambda r: r == sorted(set(r), key=order.index)).all()   # distinct, in the standard order
    share = items.explode().value_counts() / well_founded.sum()
    assert 0.75 <= share["apology"] <= 0.95
    assert 0.30 <= share["explanation"] <= 0.50
    assert 0.10 <= share["service improvement"] <= 0.20 and 0.15 <= share["action taken"] <= 0.28
    assert 0.03 <= share["financial"] <= 0.10 and share["other"] <= 0.05


def test_compensation_on_the_financial_remedies(full):
    financial = full["remedy"].str.contains("financial")
    assert (full.loc[financial, "compensation"] != "").all() and (full.loc[~financial, "compensation"] == "").all()
    text = full.loc[financial, "compensation"]
    assert text.str.fullmatch(r"\d+(\.\d\d)?").all()
    pounds = text.astype(float)
    assert pounds.between(50, 2000).all() and len(pounds) >= 60
    assert 80 <= pounds.median() <= 250 and pounds.mean() > pounds.median()   # skewed: a few large payments
    assert (pounds > 1000).sum() >= 1
    assert 0.10 <= (pounds != pounds.round()).mean() <= 0.40                # refunds to the penny


def test_ombudsman_on_a_few_answered_last_stages(full, log):
    taken = full[full["ombudsman"] != ""]
    assert set(taken["ombudsman"]) == set(casedata.OMBUDSMAN)
    assert (taken["kind"] == "complaint").all() and taken["responded"].notna().all()
    assert (taken["refused_reason"] == "").all() and taken["outcome"].isin(["upheld", "partly upheld", "not upheld"]).all()
    assert taken["case_ref"].is_unique
    later = set(zip(log["case_ref"], pd.to_numeric(log["stage"], errors="coerce") - 1))
    assert not any((r, int(s)) in later for r, s in zip(taken["case_ref"], taken["stage"]))   # the last stage
    c = log[(log["kind"] == "complaint") & log["responded"].notna()]
    last = c[~pd.Series(list(zip(c["case_ref"], pd.to_numeric(c["stage"]))), index=c.index).isin(later)]
    corporate = last[(last["procedure"] == "corporate") & (last["stage"] != "1")]
    assert 0.04 <= (corporate["ombudsman"] != "").mean() <= 0.09
    assert 1 <= (taken["procedure"] != "corporate").sum() <= 0.5 * len(taken)           # a few social care
    decided = taken[taken["ombudsman"] != "pending"]["ombudsman"].value_counts(normalize=True)
    assert decided.index[0] == "not investigated" and decided["not investigated"] > 0.5
    assert taken.loc[taken["ombudsman"] == "pending", "responded"].min() >= pd.Timestamp("2020-10-01")
    recent = taken[taken["responded"] >= pd.Timestamp("2021-01-01")]
    assert (recent["ombudsman"] == "pending").mean() >= 0.5
    fy = pd.Series(periods.financial_year(taken["received"]))
    assert (fy.value_counts().reindex(range(2015, 2021), fill_value=0) >= 2).all()


def test_complainants_of_childrens_complaints(full):
    childrens = (full["procedure"] == "childrens") & (full["kind"] == "complaint")
    assert (full.loc[childrens, "complainant"] != "").all() and (full.loc[~childrens, "complainant"] == "").all()
    assert (full[childrens].groupby("case_ref")["complainant"].nunique() == 1).all()
    share = full[childrens].drop_duplicates("case_ref")["complainant"].value_counts(normalize=True)
    for who, expected in {"child or young person": 0.15, "parent or carer": 0.60, "advocate": 0.10,
                          "other": 0.15}.items():
        assert abs(share[who] - expected) <= 0.06, (who, share[who])


def test_refused_complaints(refused, log):
    assert (refused["kind"] == "complaint").all() and (refused["stage"] == "1").all()
    assert (refused[["outcome", "delay_reason", "remedy", "compensation", "ombudsman"]] == "").all().all()
    assert refused["acknowledged"].isna().all() and (refused["extended"] == "no").all()
    assert set(refused["refused_reason"]) == {"Out of time", "Legal proceedings", "Not a complaint (service request)",
                                              "Dealt with under another procedure", "Persistent or vexatious"}
    # The letter saying why: within ten working days, unless it is not sent yet at the extract.
    sent = refused[refused["responded"].notna()]
    days = working_days(sent["received"], sent["responded"])
    assert days.min() >= 1 and days.max() <= 10
    assert (refused["responded"].isna() <= (refused["received"] > pd.Timestamp("2021-06-01"))).all()
    # 3-5% of the complaints received, every year, every procedure
    fy = pd.Series(periods.financial_year(refused["received"]))
    accepted = log[(log["kind"] == "complaint") & (log["stage"] == "1")]
    accepted_fy = pd.Series(periods.financial_year(accepted["received"]))
    share = fy.value_counts() / accepted_fy.value_counts()
    assert share.loc[2015:2020].between(0.02, 0.06).all(), share.to_dict()
    assert 0.03 <= (fy <= 2020).sum() / (accepted_fy <= 2020).sum() <= 0.05
    assert set(refused["procedure"]) == {"childrens", "adults", "corporate"} and set(fy) == set(range(2015, 2022))
    top = refused.groupby("procedure")["refused_reason"].agg(lambda r: r.value_counts().index[0])
    assert top["corporate"] == "Not a complaint (service request)"
    assert (refused["complainant_name"].str.fullmatch(r"Person \d{5}")).all()
    assert not set(refused["complainant_name"]) & set(log["complainant_name"])


# --- the law as written, and the columns the annual report added ------------------------------------------

def test_panel_dates_on_the_childrens_review_panels_answered(full):
    panel = (full["procedure"] == "childrens") & (full["stage"] == "3")
    answered = panel & full["responded"].notna()
    assert full.loc[answered, "panel_date"].notna().all() and full.loc[~answered, "panel_date"].isna().all()
    rows = full[answered]
    to_panel = working_days(rows["received"], rows["panel_date"])
    assert (to_panel >= 1).all() and (rows["panel_date"] <= rows["responded"]).all()
    assert 0.6 <= (to_panel <= 30).mean() < 1.0           # most panels meet within regulation 19(4)'s 30 days
    assert (full.loc[panel, "extended"] == "no").all()    # and the review panel has no extension


def test_ombudsman_body_wherever_a_complaint_went_to_an_ombudsman(full):
    taken = full["ombudsman"] != ""
    assert (full.loc[~taken, "ombudsman_body"] == "").all()
    housing = full["service"].isin(HOUSING)
    assert (full.loc[taken & housing, "ombudsman_body"] == "housing").all()
    assert (full.loc[taken & ~housing, "ombudsman_body"] == "lgsco").all()
    assert (taken & housing).sum() >= 1


def test_advocacy_on_childrens_complaints(full, log):
    childrens = (log["procedure"] == "childrens") & (log["kind"] == "complaint")
    assert (full.loc[(full["procedure"] != "childrens") | (full["kind"] != "complaint"), "advocacy"] == "").all()
    assert (log[childrens].groupby("case_ref")["advocacy"].nunique() == 1).all()
    cases = log[childrens].drop_duplicates("case_ref")
    assert set(cases["advocacy"]) == {"yes", "no", ""}
    assert (cases.loc[cases["complainant"] == "advocate", "advocacy"] != "no").all()
    young = cases[cases["complainant"] == "child or young person"]
    assert 0.4 <= (young["advocacy"] == "yes").mean() <= 0.8
    assert (cases["advocacy"] == "").mean() <= 0.1
