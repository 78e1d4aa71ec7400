"""The params file: good files load typed and normalised; every mistake is one exact line naming the file and key."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from factory import REPO
from reportlib import params, reports, rules
from reportlib.errors import ParamsError

CHILDRENS = """\
notebook: childrens_response_times
council: Testshire Council
committee: Children's Services Scrutiny Committee
meeting_date: 20/01/2021
title: "Children's Services Complaints: Response Times Action Plan"
report_of: Acting Director of Children's Services
contact:
  name: Darren Example
  role: Complaints Manager
  phone: 01632960123
  email: complaints@testshire.example
data: data/cases.csv
target_working_days: 20
baseline_year: 2019/2020
change_date: 2020-08-18
period_start: 2020-04-01
period_end: 31/12/2020
closure_days: [2020-12-29, 30/12/2020]
"""

PERFORMANCE = """\
notebook: complaints_performance
council: Testshire County Council
committee: Corporate and Communities Overview and Scrutiny Panel
meeting_date: 2021-07-20
title: Performance Monitoring of Comments, Compliments and Complaints
report_of: Assistant Director for Legal and Governance
contact:
  - name: Emma Example
    role: Overview and Scrutiny Officer
  - name: Sam Example
    phone: 01632 960844
data: cases.xlsx
sheet: Cases 2020-21
columns: {case_ref: Ref No, received: Date Received}
values: {kind: {Complaint: complaint, 1: complaint}}
year: 2020-21
region: scotland
benchmarks:
  - {authority: Sandwell, value: 73, measure: childrens}
"""


def write(tmp_path: Path, text: str, name: str = "meeting.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ParamsError) as e:
        reports.load(path)
    assert e.value.exit_status == 2
    message = str(e.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message[len(f"{path}: "):]


def test_good_childrens_file(tmp_path):
    p = reports.load(write(tmp_path, CHILDRENS))
    assert isinstance(p, rules.ChildrensRules) and p.notebook == "childrens_response_times"
    assert p.meeting_date == dt.date(2021, 1, 20)            # UK day-first
    assert p.change_date == dt.date(2020, 8, 18)             # ISO
    assert p.period_end == dt.date(2020, 12, 31)
    assert p.closure_days == (dt.date(2020, 12, 29), dt.date(2020, 12, 30))
    assert p.baseline_year == "2019/20"                      # 2019/2020 normalised
    assert p.target_working_days == 20 and p.stage == 1      # default stage
    assert p.region == "england-and-wales" and p.clock_start == "received"
    assert len(p.contact) == 1 and p.contact[0].name == "Darren Example"
    assert p.contact[0].phone == "01632960123"               # a leading zero is kept, as text
    assert p.cut_off == dt.date(2020, 12, 31)                # childrens: period_end


@pytest.mark.parametrize("timescales, missing", [("{corporate: 25}", "childrens"), ("{childrens: 65, adults: 40}", "corporate"),
                                                 ("{}", "childrens and corporate")])
def test_stage2_timescales_must_give_both_sections_of_the_report(tmp_path, timescales, missing):
    """complaints_performance has a Stage 2 section for each of the two: a params file that leaves one out is
    refused with one line, not rendered until the notebook fails on the missing key."""
    message = error(tmp_path, PERFORMANCE + f"stage2_timescales: {timescales}\n")
    assert message.startswith("key 'stage2_timescales': ") and f"give {missing} too" in message, message


def test_good_performance_file(tmp_path):
    p = reports.load(write(tmp_path, PERFORMANCE))
    assert isinstance(p, rules.PerformanceRules)
    assert p.year == "2020/21"                               # 2020-21 normalised
    assert [c.name for c in p.contact] == ["Emma Example", "Sam Example"]
    assert p.contact[1].phone == "01632 960844"
    assert p.columns == {"case_ref": "Ref No", "received": "Date Received"}
    assert p.values == {"kind": {"Complaint": "complaint", "1": "complaint"}}   # codes are text
    assert p.sheet == "Cases 2020-21" and p.region == "scotland"
    assert p.stage2_timescales == {"childrens": 65, "corporate": 25}          # defaults
    assert p.quarters == 8 and p.trend_years == 6
    assert p.benchmarks[0].value == 73 and p.benchmarks[0].measure == "childrens"
    assert p.cut_off == dt.date(2021, 3, 31)                 # end of the year reported


def test_params_are_frozen(tmp_path):
    p = reports.load(write(tmp_path, CHILDRENS))
    with pytest.raises(Exception):
        p.council = "Other"


@pytest.mark.parametrize("text, message", [
    (CHILDRENS + "benchmark: []\n", "unknown key 'benchmark': did you mean 'benchmarks'?"),
    (CHILDRENS + "favourite_colour: blue\n", "unknown key 'favourite_colour': remove it or check its spelling"),
    (CHILDRENS.replace("  role: Complaints Manager", "  rolee: Complaints Manager"),
     "unknown key 'contact[1].rolee': did you mean 'role'?"),
    (CHILDRENS.replace("target_working_days: 20\n", ""),
     "missing required key 'target_working_days': add it (see docs/params.md)"),
    (CHILDRENS.replace("council: Testshire Council\n", ""), "missing required key 'council': add it (see docs/params.md)"),
    (CHILDRENS.replace("notebook: childrens_response_times\n", ""),
     "missing required key 'notebook' (one of: childrens_response_times, complaints_performance, annual_report)"),
    (CHILDRENS.replace("target_working_days: 20", "target_working_days: twenty"),
     "key 'target_working_days': should be a whole number, written in figures (got 'twenty')"),
    (CHILDRENS.replace("target_working_days: 20", "target_working_days: 20.5"),
     "key 'target_working_days': should be a whole number (got 20.5)"),
    (CHILDRENS.replace("notebook: childrens_response_times", "notebook: childrens_reponse_times"),
     "key 'notebook': unknown notebook 'childrens_reponse_times'; use one of: childrens_response_times, "
     "complaints_performance, annual_report"),
    (CHILDRENS.replace("data: data/cases.csv", "data: postgresql://reports:s3cret@db.example/complaints"),
     "key 'data': contains a password: leave it out and set PGPASSWORD (or ~/.pgpass) in the environment, or write "
     "${VARIABLE} to take it from the environment"),
    (CHILDRENS.replace("meeting_date: 20/01/2021", "meeting_date: 01/20/2021"),
     "key 'meeting_date': '01/20/2021' is not a date: write it as 2020-08-18 or 18/08/2020"),
    (CHILDRENS.replace("meeting_date: 20/01/2021", "meeting_date: 2021-02-30"),
     "key 'meeting_date': '2021-02-30' is not a date: write it as 2020-08-18 or 18/08/2020"),
    (CHILDRENS.replace("baseline_year: 2019/2020", "baseline_year: 2019/21"),
     "key 'baseline_year': '2019/21' is not a financial year: the second year must follow the first, e.g. 2019/20"),
    (CHILDRENS + "region: wales\n",
     "key 'region': should be 'england-and-wales', 'scotland' or 'northern-ireland' (got 'wales')"),
    (CHILDRENS.replace("data: data/cases.csv", "data: postgresql://db.example/x\ntable: cases\nquery: SELECT 1"),
     "give either table: or query:, not both"),
    (CHILDRENS.replace("period_end: 31/12/2020", "period_end: 2020-03-01"), "period_end is before period_start"),
    (CHILDRENS + "council: Othershire Council\n", "key 'council' is given twice (lines 2 and 19); keep one"),
    ("", "params file is empty"),
    ("- just\n- a list\n", "expected key: value pairs (a YAML mapping) at the top level"),
])
def test_exact_messages(tmp_path, text, message):
    assert error(tmp_path, text) == message


# --- benchmarks carry their period; two new common keys ---------------------------------------------------

@pytest.mark.parametrize("given, label", [
    ("2020/21", "2020/21"), ("2020-21", "2020/21"), ("2020/2021", "2020/21"), ("Q3 2020/21", "Q3 2020/21"),
    ("q1 2021-22", "Q1 2021/22"), ("2020-08-18 to 2021-06-30", "18 August 2020 to 30 June 2021"),
    ("18/08/2020 to 30/06/2021", "18 August 2020 to 30 June 2021"),
    ("18 August 2020 to 30 June 2021", "18 August 2020 to 30 June 2021"),  # as the label writes it (into the kernel)
])
def test_a_benchmark_period_is_read_in_any_of_its_forms(tmp_path, given, label):
    text = CHILDRENS + f"benchmarks:\n  - {{authority: Sandwell, value: 73, period: '{given}'}}\n  - {{authority: B, value: 5}}\n"
    p = reports.load(write(tmp_path, text))
    assert [b.period for b in p.benchmarks] == [label, None]


@pytest.mark.parametrize("given, why", [
    ("2020", ""), ("Q5 2020/21", ""), ("2020/22", " ('2020/22' is not a financial year: the second year must follow "
                                                "the first, e.g. 2020/21)"),
    ("2021-06-30 to 2020-08-18", " (its second date is before its first)"),
    ("1 April to 2021-03-31", " ('1 April' is not a date)"),
])
def test_a_benchmark_period_in_no_known_form_is_one_line(tmp_path, given, why):
    text = PERFORMANCE + f"  - {{authority: Walsall, value: 50, measure: corporate, period: '{given}'}}\n"
    assert error(tmp_path, text) == (
        f"key 'benchmarks[2].period': '{given}' is not a period{why}: write a financial year (2020/21), a quarter "
        "(Q3 2020/21) or two dates (2020-04-01 to 2021-03-31)")


def test_min_base_for_percent_and_preliminary(tmp_path):
    p = reports.load(write(tmp_path, CHILDRENS))
    assert p.min_base_for_percent == 10 and p.preliminary is False
    p = reports.load(write(tmp_path, CHILDRENS + "min_base_for_percent: 5\npreliminary: yes\n"))
    assert p.min_base_for_percent == 5 and p.preliminary is True
    assert error(tmp_path, CHILDRENS + "min_base_for_percent: 0\n") == \
        "key 'min_base_for_percent': should be greater than or equal to 1 (got 0)"


def test_the_password_is_never_echoed(tmp_path):
    message = error(tmp_path, CHILDRENS.replace("data: data/cases.csv", "data: postgresql://u:s3cret@db/x"))
    assert "s3cret" not in message


def test_password_from_the_environment_and_urls_without_one_are_fine(tmp_path):
    for url in ("postgresql://reports:${PGPASSWORD}@db.example/complaints", "postgresql://reports@db.example/x",
                "sqlite:///cases.db"):
        assert reports.load(write(tmp_path, CHILDRENS.replace("data: data/cases.csv", f"data: {url}"))).data == url


def test_yaml_syntax_error_gives_the_line(tmp_path):
    text = CHILDRENS.replace("committee: Children's Services Scrutiny Committee",
                             "committee: Children's Services: Scrutiny Committee")
    assert error(tmp_path, text) == ("YAML error at line 3, column 31: mapping values are not allowed here; check the "
                                     "indentation and quotes there")
    bad_indent = CHILDRENS + "recommendations:\n  - Members note the report.\n - Members agree the plan.\n"
    assert error(tmp_path, bad_indent).startswith("YAML error at line 21, column 2: ")


def test_tab_indentation(tmp_path):
    assert error(tmp_path, CHILDRENS + "recommendations:\n\t- one\n").startswith("YAML error at line 20, column 1: ")


def test_missing_file_folder_and_encoding(tmp_path):
    with pytest.raises(ParamsError, match=r"nope\.yaml: params file not found$"):
        reports.load(tmp_path / "nope.yaml")
    with pytest.raises(ParamsError, match=r": is a folder; give the params \.yaml file$"):
        reports.load(tmp_path)
    (tmp_path / "latin.yaml").write_bytes(CHILDRENS.replace("Testshire", "Tésthire").encode("cp1252"))
    with pytest.raises(ParamsError, match=r"latin\.yaml: not UTF-8 text; save the params file as UTF-8$"):
        reports.load(tmp_path / "latin.yaml")


def test_several_problems_say_how_many_more(tmp_path):
    text = CHILDRENS.replace("target_working_days: 20\n", "").replace("council: Testshire Council\n", "")
    assert error(tmp_path, text) == "missing required key 'council': add it (see docs/params.md) (and 1 more)"


@pytest.mark.parametrize("contact", [
    {"name": "Darren Example", "email": "d@example.com"},
    [{"name": "Darren Example", "email": "d@example.com"}],
])
def test_contact_as_one_mapping_or_a_list(tmp_path, contact):
    raw = yaml.safe_load(CHILDRENS)
    raw["contact"] = contact
    p = reports.load(write(tmp_path, yaml.safe_dump(raw)))
    assert [(c.name, c.email) for c in p.contact] == [("Darren Example", "d@example.com")]


def test_dates_in_both_formats_agree(tmp_path):
    iso = reports.load(write(tmp_path, CHILDRENS.replace("20/01/2021", "2021-01-20"), "a.yaml"))
    uk = reports.load(write(tmp_path, CHILDRENS, "b.yaml"))
    assert iso.meeting_date == uk.meeting_date == dt.date(2021, 1, 20)
    assert params.parse_date("18/08/2020") == params.parse_date("2020-08-18") == dt.date(2020, 8, 18)
    assert params.parse_date(dt.datetime(2020, 8, 18, 9, 30)) == dt.date(2020, 8, 18)


@pytest.mark.parametrize("label", ["2019/20", "2019/2020", "2019-20", "2019-2020"])
def test_baseline_year_normalised(tmp_path, label):
    p = reports.load(write(tmp_path, CHILDRENS.replace("baseline_year: 2019/2020", f"baseline_year: '{label}'")))
    assert p.baseline_year == "2019/20"


def test_notebook_parameters_round_trip(tmp_path):
    path = write(tmp_path, CHILDRENS)
    p = reports.load(path)
    injected = params.to_jsonable(p)  # what a render gives Papermill to inject
    assert injected["meeting_date"] == "2021-01-20" and injected["baseline_year"] == "2019/20"
    assert reports.from_namespace(injected) == p


@pytest.mark.parametrize("path", sorted((REPO / "params").glob("sample_*.yaml")), ids=lambda p: p.stem)
def test_params_survive_the_trip_into_the_kernel(path):
    """Papermill hands the notebook JSON: what the kernel checks must be what the CLI checked (e.g. stage keys
    of timescales arrive as "1", not 1)."""
    import json
    checked = reports.load(path)
    assert reports.check(json.loads(json.dumps(params.to_jsonable(checked))), "kernel") == checked


def test_every_example_in_the_params_guide_is_a_valid_params_file():
    import re
    guide = (REPO / "docs" / "params.md").read_text(encoding="utf-8")
    examples = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", guide, re.S)]
    whole = [e for e in examples if isinstance(e, dict) and "notebook" in e]
    assert len(whole) >= 3
    for example in whole:
        reports.check(example, "docs/params.md")


# --- the annual report's params: the law's timescales, and the Council's own ------------------------------------

ANNUAL = """\
notebook: annual_report
council: Testshire County Council
committee: Audit Committee
meeting_date: 2021-07-27
title: Annual Complaints Report 2020/21
report_of: Head of Legal
data: data/cases.csv
year: 2020/21
"""


def test_annual_report_keys_for_the_code_and_the_regulations(tmp_path):
    p = reports.load(write(tmp_path, ANNUAL + """\
council_targets: {childrens: {2: 65}, corporate: {2: 25}, adults: {1: 25}}
code_findings: [The Ombudsman found the Council's stage 2 letters did not give the Ombudsman's details.]
ombudsman_reports:
  - {title: Public interest report, date: 19/11/2020, summary: Fault in school transport.}
general_matters: Charges were not explained before care started.
procedure_review: [The procedure worked well at stage 1., Stage 2 was slow.]
"""))
    assert p.council_targets == {"childrens": {2: 65}, "corporate": {2: 25}, "adults": {1: 25}}
    assert p.local_stage3 is False and p.code_findings[0].startswith("The Ombudsman found")
    assert (p.ombudsman_reports[0].title, p.ombudsman_reports[0].date) == ("Public interest report", dt.date(2020, 11, 19))
    assert p.general_matters == ("Charges were not explained before care started.",)
    assert p.procedure_review == ("The procedure worked well at stage 1.", "Stage 2 was slow.")


@pytest.mark.parametrize("extra, message", [
    ("timescales: {adults: {1: 25}}\n",
     "timescales: adult social care has no statutory timescale (only the six months of regulation 14): give the "
     "Council's own target under council_targets instead (e.g. council_targets: {adults: {1: 25}})"),
    ("timescales: {corporate: {3: 20}}\n",
     "timescales: the Code has two stages, so corporate stage 3 has no Code timescale: give a local third stage's own "
     "timescale under council_targets (with local_stage3: yes)"),
    ("extensions: {childrens: {3: 10}}\n",
     "extensions: the children's stage 3 review panel has no extension (regulation 19)"),
    ("council_targets: {corporate: {3: 20}}\n",
     "council_targets: corporate stage 3 is given, but the Code has two stages: add local_stage3: yes if the Council "
     "runs a third stage"),
])
def test_annual_report_params_as_the_law_has_it(tmp_path, extra, message):
    assert message in error(tmp_path, ANNUAL + extra)


def test_a_local_third_stage_takes_the_councils_own_target(tmp_path):
    p = reports.load(write(tmp_path, ANNUAL + "local_stage3: yes\ncouncil_targets: {corporate: {3: 20}}\n"))
    assert p.local_stage3 is True and p.council_targets == {"corporate": {3: 20}}


@pytest.mark.parametrize("name", ["x" * 5000, "../etc/passwd", "nul\x00byte", ".hidden", ""])
def test_a_notebook_name_that_could_name_no_notebook_is_unknown(tmp_path, name):
    path = write(tmp_path, CHILDRENS.replace("notebook: childrens_response_times", f"notebook: {json.dumps(name)}"))
    with pytest.raises(ParamsError, match="key 'notebook': unknown notebook"):
        reports.load(path)
