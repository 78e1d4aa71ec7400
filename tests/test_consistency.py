"""One truth across reports: every sample report rendered from the one sample case log, and every figure two
reports share (the same ``measure`` in figures.json: name, basis, procedure, stage, period) has the same value.

SPEC "The report a committee reads": "The same measure over the same cases gives the same figure in every report".
The annual report's figures against the Council's own targets are the complaints performance paper's, by design.
The prose rules the annual report keeps are checked on the same renders (no sentence begins with a numeral, a
single-procedure report never says "by procedure", a table's note only for what the table shows).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest
import yaml
from bs4 import BeautifulSoup

from factory import REPO, text_of

#: Sentences that state nothing (each once found in a paper), as tests/test_prose.py lists them.
EMPTY = ("Complaints showed where services could do better.", "Where a complaint was upheld, the Council put "
         "things right.", "Most authorities struggle to meet it.")


class Paper:
    """A rendered report as tests/test_prose.py reads a committee paper: its paragraphs and list items, its sentences,
    its tables (header, rows, notes), its figures and params."""

    def __init__(self, folder):
        self.html = (folder / "report.html").read_text(encoding="utf-8")
        page = BeautifulSoup(self.html, "html.parser")
        main = page.find("main") or page
        self.blocks = [" ".join(e.get_text(" ").split()) for e in main.find_all(["p", "li"])
                       if not e.find_parent(["table", "figure"]) and not e.find_parent(class_="table-notes")]
        self.text = " ".join(main.get_text(" ").split())
        self.tables = []
        for t in main.find_all("table"):
            head = [" ".join(c.get_text(" ").split()) for c in t.thead.find_all("th")]
            rows = [[" ".join(c.get_text(" ").split()) for c in r.find_all(["th", "td"])] for r in t.tbody.find_all("tr")]
            box = t.find_parent(class_="table")
            notes = [" ".join(p.get_text(" ").split()) for p in box.select(".table-notes p")] if box else []
            self.tables.append((head, rows, notes))
        self.figures = json.loads((folder / "figures.json").read_text(encoding="utf-8"))
        self.params = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["params"]

    @property
    def sentences(self) -> list[str]:
        return [s for block in self.blocks for s in re.split(r"(?<=[.?!])\s+(?=[A-Z0-9£\[])", block) if s.strip()]


def _shares(value):
    """Every share (not suppressed) inside a figure's value."""
    if isinstance(value, dict):
        if value.get("type") == "share" and not value.get("suppressed"):
            yield value
        for v in value.values():
            yield from _shares(v)
    elif isinstance(value, list):
        for v in value:
            yield from _shares(v)

SAMPLES = sorted((REPO / "params").glob("sample_*.yaml"))
ANNUAL = [p.stem for p in SAMPLES if p.stem.startswith("sample_annual_report")]


@pytest.fixture(scope="module")
def rendered(samples) -> dict[str, dict]:
    """Each sample report: its figures.json, the words of its report.html, and the paper as test_prose reads it."""
    found = {}
    for path in SAMPLES:
        assert yaml.safe_load(path.read_text())["data"] == "data/sample_case_log.csv", path  # one case log
        folder = samples[path.stem]
        found[path.stem] = {"figures": json.loads((folder / "figures.json").read_text(encoding="utf-8")),
                            "html": (folder / "report.html").read_text(encoding="utf-8"), "paper": Paper(folder)}
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


# --- the house rules test_prose checks in the committee papers, in the annual reports ------------------------------

@pytest.mark.parametrize("report", ANNUAL)
def test_the_annual_reports_read_as_an_officer_signs_them(rendered, report):
    paper = rendered[report]["paper"]
    assert [s for s in paper.sentences if re.match(r"[\d£]", s)] == []                  # no leading numeral
    assert [s for s in paper.sentences if s in EMPTY or (len(s.split()) < 4 and not s.endswith(":"))] == []
    assert re.findall(r"\b\d{1,2}(?:st|nd|rd|th) [A-Z][a-z]+ \d{4}\b", paper.text) == []      # "18 August 2020"
    assert re.findall(r"(?<![\d/])\d{2}/\d{2}(?![\d/])|\b\d{4}/\d{4}\b", paper.text) == []   # "2020/21"
    averages = re.findall(r"average of ([\d,.]+) working days", paper.text)
    assert all(re.fullmatch(r"[\d,]+\.\d", a) for a in averages), averages   # one decimal
    assert "reliminary" not in paper.text and not paper.params.get("preliminary")
    assert "set by legislation" not in paper.text


@pytest.mark.parametrize("report", ANNUAL)
def test_no_percentage_of_fewer_than_ten_in_an_annual_report(rendered, report):
    paper = rendered[report]["paper"]
    for figure, entry in paper.figures.items():
        for share in _shares(entry["value"]):
            if 0 < share["total"] < 10:
                assert f"{share['pct']}% (" not in entry["text"], (figure, entry["text"])
                if isinstance(entry["value"], dict) and entry["value"].get("type") == "share":
                    assert all("%" not in form for form in entry.get("printed", [])), (figure, entry["printed"])
    bases = [int(b.replace(",", "")) for b in re.findall(r"\d+% \([\d,]+ of ([\d,]+)", paper.text)]
    assert bases and all(b >= 10 for b in bases), bases
    assert "4 of 7 panels met within 30 working days of the request" in paper.text or report.endswith("adults")


@pytest.mark.parametrize("report", ANNUAL)
def test_every_timeliness_figure_of_an_annual_report_names_its_basis(rendered, report):
    paper = rendered[report]["paper"]
    measured = {f: e for f, e in paper.figures.items() if e.get("measure", {}).get("name", "").startswith("responses")}
    assert measured
    bases = ("the regulations' timescale", "Complaint Handling Code", "the Code's timescale", "regulation 14",
             "the Council's own target", "Housing Ombudsman's timescales")
    for figure, entry in measured.items():
        for form in entry.get("printed", []):
            blocks = [b for b in paper.blocks if form in b]
            assert blocks and any(any(basis in b for basis in bases) for b in blocks), (figure, form)


@pytest.mark.parametrize("report", ANNUAL)
def test_an_annual_reports_tables_and_figures_json(rendered, report):
    paper = rendered[report]["paper"]
    for head, rows, notes in paper.tables:
        for i in range(1, len(head) - 1):                  # no two adjacent columns say the same thing
            pairs = [(r[i], r[i + 1]) for r in rows if len(r) > i + 1 and r[i] and r[i + 1]]
            repeats = [p for p in pairs if p[0] != p[1] and (
                re.search(rf"(?<![\d,]){re.escape(p[0])}(?![\d,])", p[1]) or
                re.search(rf"(?<![\d,]){re.escape(p[1])}(?![\d,])", p[0]))]
            assert not pairs or len(repeats) < len(pairs), (head[i], head[i + 1], pairs[:3])
        cells = [c for r in rows for c in r]
        for note in notes:                                  # a note explains only a symbol the table shows
            for symbol in re.findall(r"'([^']+)'", note):
                assert symbol in cells, (note, symbol)
    text = " ".join(BeautifulSoup(paper.html, "html.parser").get_text(" ").split())
    for figure, entry in paper.figures.items():             # figures.json gives what the text printed
        printed = entry.get("printed", [])
        assert entry["cited"] == bool(printed), figure
        for form in printed:
            assert " ".join(form.split()) in text, (figure, form)
        for words in [entry["text"], *printed]:
            assert not re.search(r"\w+\(\w+=|\{'|\[\{", words), (figure, words)


# --- a kernel kept warm makes the same paper ------------------------------------------------------------------------

def _without_volatile(folder, name):
    """A report folder's file as bytes, less what differs between any two renders: the times Papermill and the
    manifest record, the id Papermill gives the parameters cell it adds."""
    raw = (folder / name).read_bytes()
    if name == "manifest.json":
        manifest = json.loads(raw)
        for key in ("seconds", "started_at"):
            manifest.pop(key)
        manifest["files"].pop("report.ipynb")
        return manifest
    if name == "report.ipynb":
        nb = json.loads(raw)
        nb["metadata"].pop("papermill")
        for cell in nb["cells"]:
            cell.pop("id")
            cell["metadata"].pop("papermill", None)
            cell["metadata"].pop("execution", None)
        return nb
    return raw


def test_a_warm_kernel_makes_the_paper_a_fresh_one_makes(tmp_path):
    """What the in-process renders of this suite do (``factory.warm_kernel``, the shared samples included), and what
    the preview does: a kernel that has run another report, reset, makes the same files, byte for byte, as a kernel
    started for the render."""
    from conftest import ALL_FORMATS
    from factory import warm_kernel
    from reportlib import pipeline

    params = REPO / "params" / "sample_childrens_response_times.yaml"
    kernel = warm_kernel()
    other = pipeline.prepare(REPO / "params" / "sample_annual_report.yaml", out=tmp_path)
    try:  # another report's notebook run in it (what the kernel keeps of a run; its files are made outside it)
        kernel.reset(REPO / "notebooks")
        pipeline.execute(other, kernel)
    finally:
        other.close()
    warm = pipeline.render(params, out=tmp_path / "warm", formats=ALL_FORMATS, kernel=kernel).out
    fresh = pipeline.render(params, out=tmp_path / "fresh", formats=ALL_FORMATS).out  # a kernel of its own
    names = sorted(p.name for p in fresh.iterdir())
    assert names == sorted(p.name for p in warm.iterdir())
    for name in names:
        assert _without_volatile(warm, name) == _without_volatile(fresh, name), name
