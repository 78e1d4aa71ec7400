"""Bounded, printable messages (SPEC "Bad input"; issue 18, point 10).

A value a message echoes, from the params file or from a case-log cell, is cut to about 80 characters with an
ellipsis and its control characters are escaped, so a terminal escape sequence is shown, never obeyed, and a
10,000-character cell gives a short line. YAML aliases that repeat past 10,000 values are refused at once.
"""

from __future__ import annotations

import re
import time
import unicodedata

import pytest
import yaml
from click.testing import CliRunner

from factory import REPO, case, childrens_params, lend_the_warm_kernel, performance_params, write_case_log, write_params
from reportlib import reports
from reportlib.cli import main
from reportlib.errors import LIMIT, ParamsError, cut, printable, shown

# a colour, then an operating-system command (set the window title) ended by a bell
ESC = "\x1b[31m\x1b]0;owned\x07"
LONG = ESC + "x" * 10_000
# how a message echoes LONG: the escapes written out (24 characters for 14), then x up to 80 characters, then …
ECHO = "\\x1b[31m\\x1b]0;owned\\x07" + "x" * 56 + "\u2026"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def assert_bounded(output: str) -> None:
    """No control character but line ends, and no run of the long value's x over the limit."""
    assert [c for c in output if unicodedata.category(c) == "Cc" and c != "\n"] == []
    assert max((len(run) for run in re.findall("x+", output)), default=0) <= LIMIT
    assert "Traceback" not in output


@pytest.fixture
def log(tmp_path):
    return write_case_log(tmp_path / "cases.csv", [case("A1", "2020-09-01", 5), case("A2", "2019-09-02", 5)])


# --- the helpers -------------------------------------------------------------------------------------------------


def test_shown_writes_a_value_as_python_does_cut_and_escaped():
    assert shown("twenty") == "'twenty'" and shown("it's") == '"it\'s"' and shown(20) == "20"
    assert shown("x" * 200) == "'" + "x" * 80 + "\u2026'"
    assert shown(LONG) == f"'{ECHO}'"
    assert shown("\x1b" * 100) == "'" + "\\x1b" * 20 + "\u2026'"  # cut between escapes, never inside one
    assert shown(list(range(1000))) == "[0, 1, 2, 3, \u2026]"
    assert cut(LONG) == ECHO and cut("a\nb\u202ec") == "a\\nb\\u202ec" and cut("Café Team") == "Café Team"


def test_shown_takes_no_longer_for_ten_million_characters():
    started = time.perf_counter()
    assert shown("y" * 10_000_000) == "'" + "y" * 80 + "\u2026'"
    assert time.perf_counter() - started < 0.05


def test_every_report_error_is_one_printable_line():
    assert str(ParamsError("a\x1b[2J\x00b\n   c\r\nd\u2028e")) == "a\\x1b[2J\\x00b c d e"
    assert printable("Café £5") == "Café £5"


# --- values from the params file ---------------------------------------------------------------------------------

PARAMS_CASES = {
    "a text filter": (childrens_params, {"service": LONG},
                      f"key 'service': \"{ECHO}\" matches no case in {{data}}, whose service column holds "
                      "\"Children's Services\" (closest first)"),
    "a financial year": (performance_params, {"year": LONG},
                         f"key 'year': '{ECHO}' is not a financial year: write it like 2019/20"),
    "a number": (childrens_params, {"target_working_days": LONG},
                 f"key 'target_working_days': should be a whole number, written in figures (got '{ECHO}')"),
    "a date": (childrens_params, {"change_date": LONG},
               f"key 'change_date': '{ECHO}' is not a date: write it as 2020-08-18 or 18/08/2020"),
    "an unknown key": (childrens_params, {LONG: 1}, f"unknown key '{ECHO}': remove it or check its spelling"),
    "an email with words after it": (
        performance_params, {"contact": [{"name": "Emma Example"},
                                         {"name": "Darren Example", "email": "complaints@x.gov.uk (Mon-Fri)"}]},
        "key 'contact[2].email': should be one email address and nothing else, e.g. complaints@council.gov.uk "
        "(put opening hours and the like under phone:) (got 'complaints@x.gov.uk (Mon-Fri)')"),
    "markup in an email": (
        childrens_params, {"contact": {"name": "N", "email": 'x@example.org"><script>alert(1)</script>'}},
        "key 'contact[1].email': should be one email address and nothing else, e.g. complaints@council.gov.uk "
        "(put opening hours and the like under phone:) (got 'x@example.org\"><script>alert(1)</script>')"),
}


@pytest.mark.parametrize("name", PARAMS_CASES)
def test_a_params_value_is_echoed_cut_and_escaped(name, tmp_path, log):
    make, overrides, message = PARAMS_CASES[name]
    path = write_params(tmp_path / "meeting.yaml", make(log, **overrides))
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: {message.format(data=log)}\n"
    assert_bounded(result.output)


def test_render_prints_the_same_line_escaped(tmp_path, log, monkeypatch):
    monkeypatch.chdir(REPO)
    lend_the_warm_kernel(monkeypatch)  # refused before it runs anything: no kernel started
    path = write_params(tmp_path / "meeting.yaml", childrens_params(log, service=LONG))
    result = invoke("render", path, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == (f"error: {path}: key 'service': \"{ECHO}\" matches no case in {log}, whose service "
                             "column holds \"Children's Services\" (closest first)\n")
    assert_bounded(result.output)


def test_a_phone_number_is_text_as_written(tmp_path, log):
    """The writers show a phone number as text (escaped in HTML, a run in Word, a cell in Excel): opening hours
    after it are fine."""
    p = reports.check(performance_params(log, contact={"name": "N", "phone": "01632 960 001 (Mon-Fri 9-5)",
                                                       "email": "complaints@x.gov.uk"}), "x.yaml")
    assert p.contact[0].phone == "01632 960 001 (Mon-Fri 9-5)" and p.contact[0].email == "complaints@x.gov.uk"


# --- values from the case log ------------------------------------------------------------------------------------


def test_a_case_log_cell_is_echoed_cut_and_escaped(tmp_path):
    data = write_case_log(tmp_path / "cases.csv", [
        case("A1", "2020-09-01", 5), case("A2", "2020-09-02", 5, kind=LONG),
        case("A3", "2020-09-03", 5, remedy="apology;goodwill " + LONG)])
    path = write_params(tmp_path / "meeting.yaml", childrens_params(data, baseline_year="2020/21"))
    result = invoke("validate", path)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[3:] == [
        f"row 3: kind '{ECHO}': unknown kind: use complaint, comment or compliment, or map it under values: kind: in "
        "the params file (excluded)",
        "row 4: remedy 'apology;goodwill \\x1b[31m\\x1b]0;owned\\x07" + "x" * 39 + "\u2026': unknown remedy "
        "'goodwill \\x1b[31m\\x1b]0': use apology, explanation, financial, service improvement, action taken or "
        "other (separate several with ;), or map it under values: remedy: in the params file (excluded)"]
    assert_bounded(result.output)


def test_a_case_log_value_in_a_selection_message(tmp_path):
    data = write_case_log(tmp_path / "cases.csv", [case("A1", "2020-09-01", 5, service=LONG),
                                                   case("A2", "2019-09-02", 5, service=LONG)])
    path = write_params(tmp_path / "meeting.yaml", childrens_params(data, service="Fostering"))
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert result.stderr == (f"error: {path}: key 'service': \"Fostering\" matches no case in {data}, whose service "
                             f"column holds \"{ECHO}\" (closest first)\n")
    assert_bounded(result.output)


# --- YAML aliases ------------------------------------------------------------------------------------------------


def bomb(levels: int = 8) -> str:
    """Aliases of aliases, nine to a list, ``levels`` deep, all in ``year:`` (9 ** 8: 43 million values)."""
    lines = ["  - &a0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"  - &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "year:\n" + "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_once(tmp_path, log):
    text = yaml.safe_dump(performance_params(log), sort_keys=False).replace("year: 2020/21\n", bomb())
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    assert len(text.encode()) < 3000
    line = text.splitlines().index("  - &a4 [" + ", ".join(["*a3"] * 9) + "]") + 1
    started = time.perf_counter()
    result = invoke("validate", path)
    assert time.perf_counter() - started < 2
    assert result.exit_code == 2
    # a0 is 10 values (the list and its 9), a1 91, a2 820, a3 7,381: the aliases of a1..a3 repeat 9 * (10 + 91 +
    # 820) = 8,289 values, and the first *a3 in a4 (column 10) makes 15,670
    assert result.stderr == (f"error: {path}: YAML error at line {line}, column 10: the aliases (*name) repeat more "
                             "than 10,000 values in all; write the values out instead of repeating them with aliases\n")


def test_an_alias_inside_what_it_repeats_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("notebook: complaints_performance\nyear: &y [2020/21, *y]\n", encoding="utf-8")
    with pytest.raises(ParamsError) as e:
        reports.load(path)
    assert str(e.value) == (f"{path}: YAML error at line 2, column 20: the alias (*name) is inside the value it "
                            "repeats; write the value out instead")


@pytest.mark.parametrize("aliases, refused", [(100, False), (101, True)])
def test_aliases_may_repeat_up_to_10000_values(aliases, refused, tmp_path):
    """A list of 99 values is 100 values with the list itself: 100 aliases of it repeat 10,000, 101 too many."""
    path = tmp_path / "many.yaml"
    path.write_text("notebook: complaints_performance\nlist: &l [" + ", ".join(["1"] * 99) + "]\n"
                    "copies: [" + ", ".join(["*l"] * aliases) + "]\n", encoding="utf-8")
    with pytest.raises(ParamsError) as e:
        reports.load(path)
    assert ("repeat more than 10,000 values" in str(e.value)) is refused
    assert ("YAML error" in str(e.value)) is refused  # else read, then checked as usual (unknown keys)


def test_a_few_aliases_are_fine(tmp_path, log):
    text = yaml.safe_dump({k: v for k, v in performance_params(log).items() if k != "benchmarks"}, sort_keys=False)
    text += ("benchmarks:\n  - {authority: Northam, value: 57, measure: childrens, period: &p 2020/21}\n"
             "  - {authority: Easton, value: 82, measure: childrens, period: *p}\n")
    path = tmp_path / "anchors.yaml"
    path.write_text(text, encoding="utf-8")
    assert [b.period for b in reports.load(path).benchmarks] == ["2020/21", "2020/21"]


def test_the_messages_are_in_bad_input_md():
    doc = (REPO / "docs" / "bad-input.md").read_text(encoding="utf-8")
    for fragment in ["the aliases (*name) repeat more than 10,000 values in all; write the values out instead of "
                     "repeating them with aliases",
                     "the alias (*name) is inside the value it repeats; write the value out instead",
                     "key 'contact[1].email': should be one email address and nothing else, e.g. "
                     "complaints@council.gov.uk (put opening hours and the like under phone:) (got "
                     "'complaints@x.gov.uk (Mon-Fri)')"]:
        assert fragment in " ".join(doc.split()), fragment
