"""One truth across reports: every sample report rendered from the one sample case log, and every figure two
reports share (the same ``measure`` in figures.json: name, basis, procedure, stage, period) has the same value.

SPEC "The report a committee reads": "The same measure over the same cases gives the same figure in every report".
The annual report's figures against the Council's own targets are the complaints performance paper's, by design.
The prose rules the annual report keeps are checked on the same renders (no sentence begins with a numeral, a
single-procedure report never says "by procedure", a table's note only for what the table shows).
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict

import pytest
import yaml

from factory import REPO, text_of

SAMPLES = sorted((REPO / "params").glob("sample_*.yaml"))
ANNUAL = [p.stem for p in SAMPLES if p.stem.startswith("sample_annual_report")]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, dict]:
    """Each sample report: its figures.json and the words of its report.html."""
    from reportlib import pipeline

    out = tmp_path_factory.mktemp("samples")
    os.chdir(REPO)
    found = {}
    for path in SAMPLES:
        assert yaml.safe_load(path.read_text())["data"] == "data/sample_case_log.csv", path  # one case log
        folder = pipeline.render(path, out=out, formats=["html"]).out
        found[path.stem] = {"figures": json.loads((folder / "figures.json").read_text(encoding="utf-8")),
                            "html": (folder / "report.html").read_text(encoding="utf-8")}
    return found


def _measured(rendered) -> dict[str, list[tuple[str, str, str]]]:
    """Measure (as JSON) -> [(report, figure name, value as JSON)] over every report."""
    out = defaultdict(list)
    for report, r in rendered.items():
        for name, fig in r["figures"].items():
            if fig.get("measure"):
                out[json.dumps(fig["measure"], sort_keys=True)].append(
                    (report, name, json.dumps(fig["value"], sort_keys=True)))
    return out


def test_every_figure_two_reports_share_has_one_value(rendered):
    measured = _measured(rendered)
    shared = {m: found for m, found in measured.items() if len({report for report, _, _ in found}) > 1}
    assert len(shared) >= 5, sorted(shared)          # the samples do share figures: else this proves nothing
    for measure, found in measured.items():          # within a report, and across reports
        assert len({value for _, _, value in found}) == 1, (json.loads(measure), found)


def test_the_annual_reports_figures_against_the_councils_targets_are_the_committee_papers(rendered):
    """sample_complaints_performance.yaml's stage2_timescales are the sample annual reports' council_targets: the
    same responses, the same clock (clock_start), no extension."""
    paper = rendered["sample_complaints_performance"]["figures"]
    for report, procedures in (("sample_annual_report", ("childrens", "corporate")),
                               ("sample_annual_report_childrens", ("childrens",))):
        figures = rendered[report]["figures"]
        for proc in procedures:
            mine, theirs = figures[f"within_council_{proc}_2_2020"]["value"], paper[f"year_{proc}"]["value"]
            assert (mine["count"], mine["total"]) == (theirs["count"], theirs["total"]), (report, proc)
    # The statutory figure is another measure, and the report says so: 0 of 22 within 25 (65 with an extension).
    annual = rendered["sample_annual_report"]["figures"]
    statutory, council = annual["within_childrens_2_2020"], annual["within_council_childrens_2_2020"]
    assert (statutory["value"]["count"], council["value"]["count"], council["value"]["total"]) == (0, 7, 22)
    assert statutory["measure"]["basis"] == "statutory: 25 working days from received, 65 where an extension was agreed"
    assert council["measure"]["basis"] == "council: 65 working days from received"
    page = text_of(rendered["sample_annual_report"]["html"])
    assert "within 25 working days, the regulations' timescale, or 65 where an extension was agreed" in page
    assert "met the Council's own target of 65 working days" in page
    assert "No extension was recorded for 20 responses that took longer than 25 working days." in page
    assert "set by legislation" not in page


def _sentences(html: str) -> list[str]:
    """The sentences of the report's paragraphs and list items (tables and captions apart)."""
    blocks = re.findall(r"<(?:p|li)>(.*?)</(?:p|li)>", html, flags=re.S)
    words = [" ".join(re.sub(r"<[^>]+>", " ", b).split()) for b in blocks]
    return [s for w in words for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9£])", w) if s]


@pytest.mark.parametrize("report", ANNUAL)
def test_no_sentence_of_an_annual_report_begins_with_a_numeral(rendered, report):
    starting = [s for s in _sentences(rendered[report]["html"]) if re.match(r"[0-9£]", s)]
    assert starting == []


def test_a_single_procedure_report_never_says_by_procedure(rendered):
    for report in ("sample_annual_report_adults", "sample_annual_report_childrens"):
        assert "by procedure" not in text_of(rendered[report]["html"]).lower(), report
    assert "by procedure" in text_of(rendered["sample_annual_report"]["html"])


@pytest.mark.parametrize("report", ANNUAL)
def test_a_tables_note_explains_only_what_the_table_shows(rendered, report):
    tables = re.findall(r'<table class="data">(.*?)</table></div>(?:<div class="table-notes">(.*?)</div>)?',
                        rendered[report]["html"], flags=re.S)
    assert len(tables) >= 5
    for body, notes in tables:
        cells = " ".join(re.findall(r"<td[^>]*>(.*?)</td>", body, flags=re.S))
        assert ("'no cases'" in notes) <= ("no cases" in cells), notes
        assert ("'no timescale'" in notes) <= ("no timescale" in cells), notes
        assert ("Timescales in brackets" in notes) <= ("(+" in cells), notes
