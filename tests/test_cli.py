"""The command line: bare answers for workdays/due, help on every command, validate's exit statuses and lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from factory import REPO, cli_process, performance_params, write_params
from reportlib.cli import main

HEADER = "case_ref,kind,procedure,stage,received,responded\n"
CLEAN = HEADER + "A1,complaint,corporate,1,01/09/2020,03/09/2020\nA2,comment,adults,,02/09/2020,\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# --- workdays and due ---------------------------------------------------------------------------------

@pytest.mark.parametrize("args, out", [
    (["workdays", "2020-05-07", "2020-05-11"], "1"),                    # over VE Day 2020
    (["workdays", "07/05/2020", "11/05/2020"], "1"),                    # UK day-first
    (["workdays", "2020-05-15", "2020-05-18"], "1"),                    # Friday -> Monday
    (["workdays", "2020-05-16", "2020-05-18"], "1"),                    # received Saturday
    (["workdays", "2020-05-18", "2020-05-18"], "0"),                    # same day
    (["workdays", "2020-12-18", "2021-01-08"], "12"),                   # over Christmas 2020
    (["workdays", "2020-07-31", "2020-08-04"], "2"),
    (["workdays", "2020-07-31", "2020-08-04", "--region", "scotland"], "1"),   # first Monday in August
    (["workdays", "2019-12-31", "2020-01-03", "--region", "scotland"], "1"),   # 2 January
    (["workdays", "2020-03-16", "2020-03-18", "--region", "northern-ireland"], "1"),  # St Patrick's Day
    (["workdays", "2020-12-24", "2021-01-04"], "4"),
    (["workdays", "2020-12-24", "2021-01-04", "--closure", "2020-12-29", "--closure", "30/12/2020",
      "--closure", "2020-12-31"], "1"),                                 # a Christmas shutdown
    (["due", "2020-05-07", "20"], "2020-06-08"),
    (["due", "2020-05-07", "1"], "2020-05-11"),
    (["due", "09/05/2020", "1"], "2020-05-11"),                         # received Saturday
    (["due", "2020-05-07", "0"], "2020-05-07"),
    (["due", "2020-07-31", "1", "--region", "scotland"], "2020-08-04"),
    (["due", "2020-12-24", "1", "--closure", "2020-12-29", "--closure", "2020-12-30", "--closure", "2020-12-31"],
     "2021-01-04"),
])
def test_bare_answers(args, out):
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.stdout == out + "\n"


@pytest.mark.parametrize("args, fragment", [
    (["workdays", "2020-05-07", "05/20/2020"],
     "Invalid value for 'END': '05/20/2020' is not a date: write it as 2020-08-18 or 18/08/2020"),
    (["workdays", "2020-05-07", "2020-05-11", "--region", "wales"], "Invalid value for '--region': 'wales'"),
    (["due", "2020-05-07", "twenty"], "Invalid value for 'DAYS': 'twenty' is not a whole number of working days "
                                      "(e.g. 20)"),
    (["due", "2020-05-07", "--", "-1"], "Invalid value for 'DAYS': -1 is negative: give the number of working days "
                                        "after START, 0 or more (the due date is never before the date received)"),
    (["due", "2022-09-16", "-3"], "Invalid value for 'DAYS': -3 is negative: give the number of working days after "
                                  "START, 0 or more (the due date is never before the date received)"),
    (["workdays", "2020-08-17", "2020-08-14"], "Invalid value for 'END': END (2020-08-14) is before START "
                                               "(2020-08-17): give the date received first, then the date responded"),
])
def test_usage_errors(args, fragment):
    result = run(*args)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.output


def test_every_command_has_help():
    commands = sorted(main.commands)
    assert {"render", "validate", "workdays", "due", "sample"} <= set(commands)
    top = run("--help")
    assert top.exit_code == 0
    for name in commands:
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert result.stdout.startswith(f"Usage: main {name} ") or result.stdout.startswith(f"Usage: reportlib {name} ")
        doc = result.stdout.split("\n\n")[1].strip()
        assert len(doc) > 20, f"{name} --help has no description"
        assert name in top.stdout
    def words(text):
        return " ".join(text.split())
    assert "Friday and responded on the Monday is 1" in words(run("workdays", "--help").stdout)
    assert "Exit status: 0 clean, 1 some rows excluded, 2" in words(run("validate", "--help").stdout)


def test_console_script_prints_the_bare_integer():
    result = cli_process("workdays", "2020-05-07", "2020-05-11", cwd=REPO)
    assert (result.returncode, result.stdout, result.stderr) == (0, "1\n", "")


# --- validate -----------------------------------------------------------------------------------------

def project(tmp_path: Path, csv_text: str | None, data: str = "cases.csv", **extra) -> Path:
    """A project folder (the reports' notebooks), a small case log and a complaints_performance params file."""
    if not (tmp_path / "notebooks").exists():
        shutil.copytree(REPO / "notebooks", tmp_path / "notebooks")
    if csv_text is not None:
        (tmp_path / "cases.csv").write_text(csv_text, encoding="utf-8")
    (tmp_path / "params").mkdir(exist_ok=True)
    path = write_params(tmp_path / "params" / "meeting.yaml", performance_params(data, **extra))
    return path


def test_validate_clean(tmp_path):
    result = run("validate", project(tmp_path, CLEAN))
    assert result.exit_code == 0, result.output
    assert result.stdout == "cases.csv: 2 rows read, 2 used, 0 excluded\n"
    assert result.stderr == ""


def test_validate_bad_rows_lists_them(tmp_path):
    csv_text = CLEAN + ("A3,complaint,corporate,1,31/02/2020,\n"
                        "A4,grumble,corporate,1,01/09/2020,\n"
                        "A1,complaint,corporate,1,01/09/2020,\n"
                        "A5,complaint,corporate,2,01/09/2020,\n")
    result = run("validate", project(tmp_path, csv_text))
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        "cases.csv: 6 rows read, 3 used, 3 excluded, 1 kept with a warning",
        "  1 row excluded: duplicate case_ref + stage + kind (case_ref)",
        "  1 row excluded: impossible date (no such day) (received)",
        "  1 row excluded: unknown kind (kind)",
        "  1 row kept: no stage 1 row for this case (stage)",
        "row 4: received '31/02/2020': impossible date (no such day) (excluded)",
        "row 5: kind 'grumble': unknown kind: use complaint, comment or compliment, or map it under values: kind: in "
        "the params file (excluded)",
        "row 6: case_ref 'A1': duplicate case_ref + stage + kind: same as row 2 (excluded)",
        "row 7: stage '2': no stage 1 row for this case: counted from its first stage in the log (kept)",
    ]


def test_validate_warnings_only_is_clean(tmp_path):
    result = run("validate", project(tmp_path, CLEAN + "A5,complaint,corporate,2,01/09/2020,\n"))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[2] == ("row 4: stage '2': no stage 1 row for this case: counted from its first "
                                             "stage in the log (kept)")


def test_validate_uses_the_meeting_date_and_mappings(tmp_path):
    csv_text = "Ref,Type,procedure,stage,received\nA1,Complaint,corporate,1,01/09/2020\nA2,Complaint,corporate,1,01/09/2021\n"
    path = project(tmp_path, csv_text, columns={"case_ref": "Ref", "kind": "Type"},
                   values={"kind": {"Complaint": "complaint"}})
    result = run("validate", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[2] == ("row 3: received '01/09/2021': date is after the meeting date (20/07/2021): "
                                             "a typo or a future date (excluded)")


def test_validate_prints_notes(tmp_path):
    result = run("validate", project(tmp_path, "Complaints log\n\n" + CLEAN))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["cases.csv: 2 rows read, 2 used, 0 excluded",
                                          "note: cases.csv: the header is on row 3; the 2 row(s) above it were "
                                          "skipped."]


def test_validate_missing_case_log_is_one_line(tmp_path):
    result = run("validate", project(tmp_path, None, data="missing.csv"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("error: missing.csv: case log not found; check data: in the params file (relative paths "
                             "start at the project folder)\n")


def test_validate_missing_params_file_is_one_line(tmp_path):
    result = run("validate", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path / 'nope.yaml'}: params file not found\n"


def test_validate_bad_params_is_one_line(tmp_path):
    path = project(tmp_path, CLEAN, quarters="eight")
    result = run("validate", path)
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: key 'quarters': should be a whole number, written in figures (got 'eight')\n"
    path = project(tmp_path, CLEAN, quarter=8)
    assert run("validate", path).stderr == f"error: {path}: unknown key 'quarter': did you mean 'quarters'?\n"


def test_validate_missing_column_is_one_line(tmp_path):
    result = run("validate", project(tmp_path, "case_ref,kind,stage,received\nA1,complaint,1,01/09/2020\n"))
    assert result.exit_code == 2
    assert result.stderr == ("error: cases.csv: required column 'procedure' is missing; map it under "
                             "columns: in the params file (e.g. procedure: Your Header)\n")


def test_validate_console_script_has_no_traceback(tmp_path):
    path = project(tmp_path, None, data="missing.csv")
    result = cli_process("validate", path, cwd=REPO)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: missing.csv: case log not found")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_validate_debug_shows_the_traceback(tmp_path):
    path = project(tmp_path, None, data="missing.csv")
    result = cli_process("validate", "--debug", path, cwd=REPO)
    assert result.returncode != 0 and "Traceback" in result.stderr and "DataError" in result.stderr


def test_bad_closure_date_is_a_usage_error():
    result = run("workdays", "2020-05-07", "2020-05-11", "--closure", "nonsense")
    assert result.exit_code == 2
    assert "Invalid value for '--closure'" in result.stderr
