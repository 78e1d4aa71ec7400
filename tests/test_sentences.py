"""Every sentence of the two committee reports that cites a count reads as English at 0, 1, 2 and 11.

Each sample report is rendered once; then each sentence template (the notebook's own markdown
cell) is filled again with the figures it cites set to 0, 1, 2 and 11, through the same Jinja
environment and context the render uses, and compared with the sentence a committee clerk
would write.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from reportlib import narrative, render
from reportlib.narrative import Change, Share
from reportlib.layout import numbered

COUNTS = (0, 1, 2, 11)


class Report:
    """The executed sample notebook: its markdown cells, params and figures."""

    def __init__(self, folder):
        self.nb = nbformat.read(folder / "report.ipynb", as_version=4)
        self.figures, self.params = {}, {}
        for cell in self.nb.cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if narrative.FIGURE_MIME in data:
                    self.figures[data[narrative.FIGURE_MIME]["name"]] = data[narrative.FIGURE_MIME]
                if narrative.PARAMS_MIME in data:
                    self.params = data[narrative.PARAMS_MIME]

    def sentence(self, marker: str, **values) -> str:
        """The sentence of the markdown cell that contains ``marker``, filled with ``values`` in place of
        the sample's figures, as plain text (whitespace collapsed), cut to the sentence holding ``marker``."""
        cells = [c.source for c in self.nb.cells if c.cell_type == "markdown" and marker in c.source]
        assert len(cells) == 1, f"{marker!r} is in {len(cells)} markdown cells"
        figures = {name: dict(fig) for name, fig in self.figures.items()}
        for name, value in values.items():
            assert name in figures, f"no figure {name!r}"
            figures[name]["value"] = narrative.to_json(value)
        # {{ ref.name }}: "Figure 1"; a cell that showed nothing with the sample's figures may show a table with these
        tagged = {t[4:] for c in self.nb.cells for t in c.metadata.get("tags", []) if t.startswith("ref-")}
        refs = {**dict.fromkeys(tagged, "Table 12"), **numbered(self.nb, "report.ipynb", render.REMOVE_CELL_TAGS)[1]}
        text = render._environment().from_string(cells[0]).render(render.narrative_context(self.params, figures, refs))
        text = re.sub(r"\\(.)", r"\1", " ".join(text.split()))  # markdown escapes, as the page shows them
        return text


@pytest.fixture(scope="module")
def reports(samples):
    return {stem.removeprefix("sample_"): Report(folder) for stem, folder in samples.items()}


def only(text: str, start: str, end: str = ".") -> str:
    """The part of ``text`` from ``start`` up to and including the next ``end`` that ends a sentence."""
    i = text.index(start)
    m = re.compile(re.escape(end) + r"(?=\s|$)").search(text, i + len(start))
    return text[i:m.end()]


# --- the children's response-times report -------------------------------------------------

@pytest.mark.parametrize("n, overdue, expected", [
    (0, 0, "At 30 June 2021, no complaints were still awaiting a response."),
    (1, 0, "At 30 June 2021, 1 complaint was still awaiting a response; it was not yet past the due date."),
    (1, 1, "At 30 June 2021, 1 complaint was still awaiting a response, and it was already past the due date."),
    (2, 0, "At 30 June 2021, 2 complaints were still awaiting a response; none of them was yet past the due date."),
    (2, 1, "At 30 June 2021, 2 complaints were still awaiting a response, 1 of them already past the due date."),
    (2, 2, "At 30 June 2021, 2 complaints were still awaiting a response, all of them already past the due date."),
    (11, 4, "At 30 June 2021, 11 complaints were still awaiting a response, 4 of them already past the due date."),
])
def test_open_complaints(reports, n, overdue, expected):
    text = reports["childrens_response_times"].sentence("still awaiting", open_count=n, open_overdue=Share(overdue, n))
    assert only(text, "At 30 June 2021") == expected


def group(share, *names):
    return {"names": list(names), "value": share}


@pytest.mark.parametrize("late, reasons, expected", [
    (1, [group(Share(1, 1), "Staff absence")],
     "1 exceeded the target. The reason for this delay was: - Staff absence: 1 of 1 case."),
    (2, [group(Share(2, 2), "Staff absence")],
     "2 exceeded the target. The reason for these delays was: - Staff absence: all 2 cases."),
    (2, [group(Share(1, 2), "Staff absence", "Complex case")],  # tied: one item, never one before the other
     "2 exceeded the target. The main reasons for these delays were: - Staff absence and Complex case: each 1 of 2 "
     "cases."),
    (11, [group(Share(9, 11), "Staff absence"), group(Share(2, 11), "Complex case")],
     "11 exceeded the target. The main reasons for these delays were: - Staff absence: 82% (9 cases). - Complex "
     "case: 18% (2 cases)."),
    (12, [group(Share(4, 12), "Complex case", "Staff absence", "Other")],
     "12 exceeded the target. The main reasons for these delays were: - Complex case, Staff absence and Other: each "
     "33% (4 cases)."),
])
def test_late_responses_and_their_reasons(reports, late, reasons, expected):
    text = reports["childrens_response_times"].sentence(
        "exceeded the target", overdue_total=late, overdue_reasons=reasons, main_teams=[], main_team_count=0,
        reason_count=sum(len(g["names"]) for g in reasons))
    assert text[text.index(f"{late} exceeded"):].startswith(expected + " At 30 June 2021"), text


def test_no_late_responses(reports):
    text = reports["childrens_response_times"].sentence("exceeded the target", overdue_total=0, overdue_reasons=[])
    assert text.startswith("None of the responses sent between 1 April 2020 and 30 June 2021 exceeded the target. "
                           "At 30 June 2021")


@pytest.mark.parametrize("teams, count, reasons, expected", [
    ([], 0, ["Staff absence"], ""),
    ([{"names": ["Court Team"], "value": 3}], 1, ["Staff absence"],
     "Most of the cases delayed by staff absence were handled by one team, Court Team, which accounts for all 3 "
     "cases. Senior managers will look at what additional support can be given to this team."),
    ([{"names": ["Court Team"], "value": 2}, {"names": ["Looked After Children"], "value": 1}], 2, ["Staff absence"],
     "Most of the cases delayed by staff absence were handled by 2 teams, Court Team (2 cases) and Looked After "
     "Children (1 case), which between them account for all 3 cases. Senior managers will look at what additional "
     "support can be given to these teams."),
    # Tied teams are named together; tied reasons too ("or": a case has one reason).
    ([{"names": ["Court Team"], "value": 2}, {"names": ["Fostering", "MASH"], "value": 1}], 3,
     ["Complex case", "Staff absence"],
     "Most of the cases delayed by complex case or staff absence were handled by 3 teams, Court Team (2 cases), and "
     "Fostering and MASH (1 case each), which between them account for all 3 cases. Senior managers will look at "
     "what additional support can be given to these teams."),
])
def test_main_teams(reports, teams, count, reasons, expected):
    text = reports["childrens_response_times"].sentence(
        "exceeded the target", overdue_total=3,
        overdue_reasons=[group(Share(3, 3), "Staff absence")], main_reasons=reasons, main_teams=teams,
        main_team_count=count, main_teams_share=Share(3, 3))
    found = only(text, "Most of", "teams." if count > 1 else "team.") if "Most of" in text else ""
    assert found == expected


@pytest.mark.parametrize("baseline, since, expected", [
    (Share(0, 0), Share(5, 11),
     "The annual report covering 1 April 2019 to 31 March 2020 recorded no responses to complaints."),
    (Share(0, 1), Share(0, 2),
     "The annual report covering 1 April 2019 to 31 March 2020 showed that none of 1 complaint was responded to "
     "within the Council's own target of 20 working days."),
    (Share(1, 1), Share(0, 2),
     "The annual report covering 1 April 2019 to 31 March 2020 showed that 1 of 1 complaint was responded to "
     "within the Council's own target of 20 working days."),
    (Share(2, 2), Share(1, 2),
     "The annual report covering 1 April 2019 to 31 March 2020 showed that all 2 complaints were responded to "
     "within the Council's own target of 20 working days."),
    (Share(3, 5), Share(1, 2),
     "The annual report covering 1 April 2019 to 31 March 2020 showed that 3 of 5 complaints were responded to "
     "within the Council's own target of 20 working days."),
    (Share(0, 11), Share(1, 1),
     "The annual report covering 1 April 2019 to 31 March 2020 showed that 0% of complaints were responded to "
     "within the Council's own target of 20 working days (none of the 11 responses)."),
    (Share(1, 11), Share(0, 0),
     "The annual report covering 1 April 2019 to 31 March 2020 showed that 9% of complaints were responded to "
     "within the Council's own target of 20 working days (1 of 11 responses)."),
])
def test_baseline(reports, baseline, since, expected):
    text = reports["childrens_response_times"].sentence("annual report covering", baseline=baseline,
                                                        since_change=since)
    assert only(text, "The annual report") == expected


@pytest.mark.parametrize("since, comparison_with, expected", [
    (Share(0, 1), Share(1, 2), "Since then, none of 1 response was provided within the Council's own target of 20 "
                               "working days. This is a fall from 1 of 2 responses in 2019/20."),
    (Share(2, 2), Share(10, 20), "Since then, all 2 responses were provided within the Council's own target of 20 "
                                 "working days. This is an improvement on the 50% for 2019/20."),
    (Share(0, 12), Share(10, 20), "Since then, the proportion of responses provided within the Council's own target "
                                  "of 20 working days is 0% (none of the 12 responses). This is a fall from the 50% "
                                  "for 2019/20."),
    (Share(11, 11), Share(1, 2), "Since then, the proportion of responses provided within the Council's own target "
                                 "of 20 working days is 100% (all 11 responses). This is an improvement on 1 of 2 "
                                 "responses in 2019/20."),
    (Share(1, 2), Share(0, 0), "Since then, 1 of 2 responses were provided within the Council's own target of 20 "
                               "working days."),
])
def test_since_the_change(reports, since, comparison_with, expected):
    words = narrative.compare(comparison_with.pct, since.pct)
    text = reports["childrens_response_times"].sentence("annual report covering", baseline=comparison_with,
                                                        since_change=since, comparison=words)
    assert text[text.index("Since then"):text.index(" Work continues")] == expected


def test_nothing_sent_since_the_change(reports):
    text = reports["childrens_response_times"].sentence("annual report covering", since_change=Share(0, 0))
    assert "introduced on 18 August 2020. No responses have been sent since then, so its effect cannot yet be " \
           "measured." in text


def _bench(period, own, *peers, **where):
    return {"period": period, "own": own, "peers": [{"authority": a, "value": v} for a, v in peers],
            "range": narrative.Range(tuple(v for _, v in peers)), **where}


@pytest.mark.parametrize("groups, expected", [
    ([_bench("2020/21", Share(73, 124), ("Northam", 73), ("Easton", 50), higher=1, same=0, lower=1)],
     "For 2020/21, other councils' figures for Children's Services complaints responded to within 20 working days "
     "range from 50% to 73%, against 59% here (73 of 124 responses). Of the 2 other councils, 1 reported a higher "
     "figure and 1 a lower one."),
    ([_bench("Q3 2020/21", Share(2, 4), ("Northam", 73), higher=1, same=0, lower=0)],
     "For Q3 2020/21, the other council's figure for Children's Services complaints responded to within 20 working "
     "days is 73%, against 2 of 4 here. The other council reported a higher figure."),
    ([_bench("2020/21", Share(0, 0), ("Northam", 73), higher=0, same=0, lower=0)],
     "For 2020/21, the other council's figure for Children's Services complaints responded to within 20 working "
     "days is 73%; the Council sent no responses in 2020/21."),
    ([{"period": None, "peers": [{"authority": "Westford", "value": 64}], "range": narrative.Range((64,))}],
     "The figure supplied by Westford (64%) is left out of the comparison: period not given."),
    ([{"period": None, "peers": [{"authority": "Westford", "value": 64}, {"authority": "Southby", "value": 71.5}],
       "range": narrative.Range((64, 71.5))}],
     "The figures supplied by Westford (64%) and Southby (72%) are left out of the comparison: period not given."),
])
def test_benchmarks_like_with_like(reports, groups, expected):
    text = reports["childrens_response_times"].sentence("Benchmarking data has been obtained", benchmarks=groups)
    assert expected in text, text


# --- the Stage 2 performance report -------------------------------------------------------

@pytest.mark.parametrize("proc, words, days", [("childrens", "Stage 2 Children's Social Care investigation", 65),
                                               ("corporate", "Stage 2 Corporate investigation", 25)])
@pytest.mark.parametrize("n, overdue, tail", [
    (0, 0, "s were still open."),
    (1, 0, " was still open; it was not yet past the {days} working day target."),
    (1, 1, " was still open, and it was already past the {days} working day target."),
    (2, 0, "s were still open; none of them was yet past the {days} working day target."),
    (2, 2, "s were still open, all of them already past the {days} working day target."),
    (11, 3, "s were still open, 3 of them already past the {days} working day target."),
])
def test_stage2_still_open(reports, proc, words, days, n, overdue, tail):
    text = reports["complaints_performance"].sentence(f"open_{proc} | counted",
                                                      **{f"open_{proc}": n, f"open_overdue_{proc}": overdue})
    count = "no" if n == 0 else str(n)
    assert only(text, "At 31 March 2021") == f"At 31 March 2021, {count} {words}{tail.format(days=days)}"


@pytest.mark.parametrize("share, days, expected", [
    (Share(0, 0), None, "In 2020/21, no Stage 2 investigations were completed."),
    (Share(1, 1), 1.0, "In 2020/21, 1 of 1 Stage 2 investigation was completed within the Council's own target of 65 "
                       "working days, taking 1.0 working days on average."),
    (Share(0, 2), 70.5, "In 2020/21, none of the 2 Stage 2 investigations were completed within the Council's own "
                        "target of 65 working days, taking 70.5 working days on average."),
    (Share(2, 11), 2.0, "In 2020/21, 2 of 11 Stage 2 investigations (18%) were completed within the Council's own "
                        "target of 65 working days, taking 2.0 working days on average."),
    (Share(7, 22), 102.24, "In 2020/21, 7 of 22 Stage 2 investigations (32%) were completed within the Council's own "
                           "target of 65 working days, taking 102.2 working days on average."),
])
def test_stage2_year(reports, share, days, expected):
    text = reports["complaints_performance"].sentence("year_childrens.empty", year_childrens=share,
                                                      avg_days_childrens=narrative.Average(days))
    assert only(text, "In 2020/21") == expected


@pytest.mark.parametrize("before, last, change, expected", [
    (Share(2, 4), Share(4, 8), "", "In Q3 2020/21, 2 of 4 were completed within the target, and in Q4 2020/21, 4 of 8."),
    (Share(1, 1), Share(0, 2), "", "In Q3 2020/21, 1 of 1 was completed within the target, and in Q4 2020/21, none of "
                                   "the 2."),
    (Share(0, 0), Share(6, 10), "", "In Q3 2020/21, no cases were completed within the target, and in Q4 2020/21, "
                                    "60%."),
    (Share(6, 12), Share(6, 10), "an improvement on", "In Q3 2020/21, 50% were completed within the target, and in Q4 "
                                                      "2020/21, 60%, an improvement on the quarter before."),
])
def test_stage2_last_two_quarters(reports, before, last, change, expected):
    text = reports["complaints_performance"].sentence(
        "year_childrens.empty", quarter_before_childrens=before, last_quarter_childrens=last,
        latest_change_childrens=change)
    assert only(text, "In Q3 2020/21") == expected


@pytest.mark.parametrize("preliminary, words", [(False, "Analysis of the figures"),
                                                (True, "Preliminary analysis of the figures")])
def test_preliminary_only_when_params_say_so(reports, preliminary, words):
    report = reports["complaints_performance"]
    report.params = {**report.params, "preliminary": preliminary}
    try:
        text = report.sentence("Preliminary analysis")
    finally:
        report.params = {**report.params, "preliminary": False}
    assert f"{words} for 2020/21, compared to 2019/20, indicates:" in text
    assert ("reliminary" in text) == preliminary


@pytest.mark.parametrize("first, last, expected", [
    (0, 11, "went up from none to 11"),
    (11, 0, "went down from 11 to none"),
    (0, 0, "stayed at none"),
    (1, 1, "stayed at 1"),
    (2, 11, "went up from 2 to 11"),
])
def test_compliments_trend(reports, first, last, expected):
    text = reports["complaints_performance"].sentence("Corporate compliments", compliments_trend_corporate=Change(first, last))
    assert f"Between 2015/16 and 2020/21, Corporate compliments {expected}, Children's Social Care" in text


def test_compliments_of_a_single_year(reports):
    text = reports["complaints_performance"].sentence(
        "Corporate compliments", trend_first="2020/21", trend_cut=True, compliments_trend_corporate=Change(0, 0),
        compliments_trend_childrens=Change(1, 1), compliments_trend_adults=Change(11, 11))
    assert text.endswith("on their good practice. In 2020/21, the Council received no Corporate compliments, 1 Children's Social Care compliment "
                    "and 11 Adult Social Care compliments. The case log starts on 1 April 2015, so the figures begin "
                    "in 2020/21."), text


@pytest.mark.parametrize("before, after, words", [
    (0, 11, "complaints up from none to 11"), (11, 0, "complaints down from 11 to none"),
    (0, 0, "complaints none in either year"), (1, 2, "complaints up from 1 to 2"),
])
def test_year_on_year(reports, before, after, words):
    yoy = {proc: {kind: Change(5, 6) for kind in ("complaint", "comment", "compliment")}
           for proc in ("corporate", "childrens", "adults")}
    yoy["corporate"]["complaint"] = Change(before, after)
    text = reports["complaints_performance"].sentence("Preliminary analysis", yoy=yoy)
    assert f"Corporate representations ({words}, comments up from 5 to 6" in text


def test_year_on_year_without_the_year_before(reports):
    yoy = {proc: {"complaint": Change(0, 0), "comment": Change(0, 1), "compliment": Change(0, 11)}
           for proc in ("corporate", "childrens", "adults")}
    text = reports["complaints_performance"].sentence("Preliminary analysis", yoy=yoy, has_previous_year=False)
    assert text.startswith("## 2020/21 Statistics The case log starts on 1 April 2015, so there are no figures for "
                           "2019/20 to compare with. In 2020/21 the Council received: - Corporate: no complaints, "
                           "1 comment and 11 compliments")
    assert "from" not in text.split("compare with.")[1]


# --- the paragraph both reports end their figures with ------------------------------------

@pytest.mark.parametrize("name", ["childrens_response_times", "complaints_performance"])
@pytest.mark.parametrize("used, excluded, expected", [
    (1, 0, "case log of 1 row, of which 1 was used and none excluded as incomplete or inconsistent."),
    (2, 11, "case log of 13 rows, of which 2 were used and 11 excluded as incomplete or inconsistent (the excluded "
            "rows are listed for the complaints team to correct)."),
    (11, 1, "case log of 12 rows, of which 11 were used and 1 excluded as incomplete or inconsistent (the excluded "
            "row is listed for the complaints team to correct)."),
    (0, 2, "case log of 2 rows, of which none were used and 2 excluded as incomplete or inconsistent (the excluded "
           "rows are listed for the complaints team to correct)."),
])
def test_rows_used_and_excluded(reports, name, used, excluded, expected):
    text = reports[name].sentence("About the figures", rows_read=used + excluded, rows_used=used,
                                  rows_excluded=excluded)
    assert only(text, "case log of", "correct)." if excluded else "inconsistent.") == expected


@pytest.mark.parametrize("fallbacks, expected", [
    (0, "Working days are counted from the date each representation was acknowledged."),
    (1, "Working days are counted from the date each representation was acknowledged; 1 row of the case log has no "
        "acknowledgement date and is counted from the date received instead."),
    (11, "Working days are counted from the date each representation was acknowledged; 11 rows of the case log have "
         "no acknowledgement date and are counted from the date received instead."),
])
def test_clock_fallbacks(reports, fallbacks, expected):
    report = reports["complaints_performance"]
    report.params = {**report.params, "clock_start": "acknowledged"}
    report.figures.setdefault("clock_fallbacks", {"value": 0})
    text = report.sentence("About the figures", clock_fallbacks=fallbacks)
    assert only(text, "Working days are counted from the date each") == expected


# --- no sentence, at any count, says "0 of", "from 0" or puts 1 with a plural verb ----------

BAD = [
    (re.compile(r"(?<![\d.])\b0 of\b|\(0 |\bfrom 0 to\b|\bat 0\b|(?<![\d.])\b0 (?!%)[A-Za-z]"),
     "a zero written as a count"),
    (re.compile(r"(?<![Ss]tage )\b1 (?:[A-Z][\w']* |\w+ ){0,5}\w+s (?:were|are|have)\b"), "1 with a plural noun and verb"),
    (re.compile(r"(?<![Ss]tage )\b(?:2|11) (?:[A-Z][\w']* ){0,5}\w+(?<!s) (?:was|is|has)\b"), "2 or 11 with a singular verb"),
    (re.compile(r"\bwent no change\b|\bno cases of\b|\bnot \w+ no\b"), "a phrase that does not read"),
]


def _count_figures(report) -> list[str]:
    return [name for name, fig in report.figures.items() if isinstance(fig["value"], int)
            and not isinstance(fig["value"], bool) and name not in ("suppress_below",)]


@pytest.mark.parametrize("name", ["childrens_response_times", "complaints_performance", "annual_report",
                                  "annual_report_adults", "annual_report_childrens"])
def test_no_sentence_misreads_any_count(reports, name):
    report = reports[name]
    problems = []
    for figure in _count_figures(report):
        markers = [c.source for c in report.nb.cells if c.cell_type == "markdown" and figure in c.source]
        for source in markers:
            for n in COUNTS:
                text = report.sentence(source[:200], **{figure: n})
                for pattern, what in BAD:
                    if (m := pattern.search(text)):
                        problems.append(f"{figure}={n}: {what}: ...{text[max(0, m.start() - 60):m.end() + 20]}...")
    assert problems == []


# --- the annual report ---------------------------------------------------------------------

@pytest.mark.parametrize("before, after, expected", [
    (0, 1, "In 2020/21 the Council received 1 complaint (up from none in 2019/20), 2 comments (no change) and "
           "11 compliments (up from 2)."),
    (11, 0, "In 2020/21 the Council received no complaints (down from 11 in 2019/20), 2 comments (no change) and "
            "11 compliments (up from 2)."),
    (2, 2, "In 2020/21 the Council received 2 complaints (no change on 2019/20), 2 comments (no change) and "
           "11 compliments (up from 2)."),
])
def test_annual_summary(reports, before, after, expected):
    summary = {"complaint": Change(before, after), "comment": Change(2, 2), "compliment": Change(2, 11),
               "refused": Change(0, 0)}
    text = reports["annual_report"].sentence("summary.complaint.after", summary=summary)
    assert only(text, "In 2020/21 the Council") == expected


@pytest.mark.parametrize("refused, expected", [
    (0, ""), (1, "It did not accept 1 complaint into the complaints procedure (up "
                                              "from none in 2019/20)."),
    (11, "It did not accept 11 complaints into the complaints procedure (up from none in 2019/20)."),
])
def test_annual_refused(reports, refused, expected):
    summary = {"complaint": Change(5, 6), "comment": Change(2, 2), "compliment": Change(2, 11),
               "refused": Change(0, refused)}
    text = reports["annual_report"].sentence("summary.complaint.after", summary=summary)
    if refused:
        assert expected in text
    else:
        assert "It did not accept" not in text and "It accepted every complaint it received into the complaints " \
            "procedure." in text


@pytest.mark.parametrize("decisions, expected", [
    ({"pending": 1, "upheld": 0, "not upheld": 0, "not investigated": 0}, "Of the complaints received in 2020/21, 1 "
     "was taken to an Ombudsman (none of those received in 2019/20). Of these, 1 is still with the Ombudsman."),
    ({"pending": 0, "upheld": 1, "not upheld": 1, "not investigated": 0}, "Of the complaints received in 2020/21, 2 "
     "were taken to an Ombudsman (none of those received in 2019/20). Of these, 1 was upheld and 1 was not upheld."),
    ({"pending": 2, "upheld": 0, "not upheld": 0, "not investigated": 9}, "Of the complaints received in 2020/21, 11 "
     "were taken to an Ombudsman (none of those received in 2019/20). Of these, 2 are still with the Ombudsman and 9 "
     "were closed without an investigation."),
])
def test_annual_ombudsman(reports, decisions, expected):
    from reportlib import annual
    text = reports["annual_report"].sentence(
        "ombudsman_words", ombudsman=decisions, ombudsman_total=sum(decisions.values()), ombudsman_before=0,
        ombudsman_words=annual.decision_words(decisions))
    assert expected in text


@pytest.mark.parametrize("decided, well, referred, expected", [
    # fewer than 10 decided: no percentage (min_base_for_percent)
    (1, 1, 0, "Of the 1 complaint decided, 1 was well-founded (upheld or partly upheld). The Council knows of "
              "no complaints referred"),
    (2, 0, 1, "Of the 2 complaints decided, none were well-founded (upheld or partly upheld). The Council knows "
              "of 1 complaint referred"),
    (11, 2, 11, "Of the 11 complaints decided, 2 (18%) were well-founded (upheld or partly upheld). The Council "
                "knows of 11 complaints referred"),
])
def test_annual_regulation_18(reports, decided, well, referred, expected):
    text = reports["annual_report"].sentence("regulation 18 of the 2009 Regulations asks",
                                             adults_well_founded=Share(well, decided), adults_referred=referred)
    assert expected in text
