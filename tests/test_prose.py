"""The two committee papers read as an officer would sign them: every sentence of the rendered sample papers, and of
small papers whose counts are 0, 1 and 2, is scanned for the house rules (SPEC "The report a committee reads").

- no sentence begins with a numeral; one date style ("18 August 2020"), one year style ("2020/21");
- the same kind of figure has one precision (an average of working days always has one decimal);
- no percentage on a base below ``min_base_for_percent`` (10): "3 of 5";
- every timeliness figure names its basis ("the Council's own target"); no timescale is "set by legislation";
- "Preliminary" only when params say so; no sentence that states nothing;
- no two adjacent table columns repeat each other; a table's notes explain only what the table shows;
- figures.json gives what the text printed: every cited figure's printed form is in report.html, and a figure the
  text does not print is not cited; no figure's words are a program's representation.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from bs4 import BeautifulSoup

from factory import case, childrens_params, performance_params, render_log

PAPERS = ("sample_childrens_response_times", "sample_complaints_performance")


class Paper:
    """A rendered paper: its sentences, its tables and its figures."""

    def __init__(self, folder):
        self.folder = folder
        self.html = (folder / "report.html").read_text(encoding="utf-8")
        page = BeautifulSoup(self.html, "html.parser")
        main = page.find("main") or page
        self.blocks = [" ".join(e.get_text(" ").split()) for e in main.find_all(["p", "li"])
                       if not e.find_parent(["table", "figure"]) and not e.find_parent(class_="table-notes")]
        self.text = " ".join(" ".join(main.get_text(" ").split()).split())
        self.tables = []
        for t in main.find_all("table"):
            head = [" ".join(c.get_text(" ").split()) for c in t.thead.find_all("th")]
            rows = [[" ".join(c.get_text(" ").split()) for c in r.find_all(["th", "td"])] for r in t.tbody.find_all("tr")]
            notes = t.find_parent(class_="table")
            notes = [" ".join(p.get_text(" ").split()) for p in notes.select(".table-notes p")] if notes else []
            self.tables.append((head, rows, notes))
        self.figures = json.loads((folder / "figures.json").read_text(encoding="utf-8"))
        self.params = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["params"]

    @property
    def sentences(self) -> list[str]:
        """Every sentence of the paper's paragraphs and list items (a list item is one sentence)."""
        out = []
        for block in self.blocks:
            out += [s for s in re.split(r"(?<=[.?!])(?<!\bNB\.)\s+(?=[A-Z0-9£\[])", block) if s.strip()]
        return out


# --- small papers whose counts are 0, 1 and 2 -----------------------------------------------------------------

def childrens_rows(n: int) -> list[dict]:
    """n responses within target in 2019/20; n late since the change (each with its own reason and team); n open;
    a compliment each year so every period is covered whatever n is."""
    rows = [case(f"K{y}", f"{y}-06-01", kind="compliment") for y in (2019, 2020)]
    for i in range(n):
        rows.append(case(f"B{i}", dt.date(2019, 6, 3) + dt.timedelta(days=7 * i), 10))
        rows.append(case(f"L{i}", dt.date(2020, 9, 1) + dt.timedelta(days=7 * i), 30, reason=["Staff absence",
                                                                                               "Complex case"][i],
                         team=["Court Team", "Fostering"][i]))
        rows.append(case(f"O{i}", dt.date(2020, 12, 1) + dt.timedelta(days=i)))
    return rows


def childrens_benchmarks(n: int) -> list[dict]:
    return [{"authority": "Northam Council", "value": 61, "period": "2020/21"},
            {"authority": "Easton Council", "value": 55}][:n]


def performance_rows(n: int) -> list[dict]:
    """n Stage 2 complaints of each procedure responded to in each of 2019/20 and 2020/21 (the first in time, the
    second late), n still open at the year end; a comment in every year of the trend."""
    rows = [case(f"C{y}", f"{y}-06-01", kind="comment", procedure="corporate") for y in range(2015, 2021)]
    for proc, days in (("childrens", 65), ("corporate", 25)):
        for y in (2019, 2020):
            for i in range(n):
                ref = f"{proc[:3]}{y}{i}"
                rows.append(case(ref, f"{y}-04-0{i + 1}", 5, procedure=proc))
                rows.append(case(ref, f"{y}-05-0{i + 4}", days - 1 if i == 0 else days + 5, procedure=proc, stage=2))
        for i in range(n):
            rows.append(case(f"{proc[:3]}open{i}", "2021-01-04", procedure=proc))
            rows.append(case(f"{proc[:3]}open{i}", "2021-02-01", procedure=proc, stage=2))
    return rows


def performance_benchmarks(n: int) -> list[dict]:
    return [{"authority": "Northam County Council", "value": 57, "measure": m, "period": "2020/21"}
            for m in ("childrens", "corporate")][:n] + \
        [{"authority": "Easton County Council", "value": 82, "measure": "corporate"}][:max(n - 1, 0)]


@pytest.fixture(scope="module")
def papers(tmp_path_factory, samples):
    found = {name: Paper(samples[name]) for name in PAPERS}
    for n in (0, 1, 2):
        found[f"childrens {n}"] = Paper(render_log(tmp_path_factory.mktemp(f"c{n}"), childrens_rows(n),
                                                   childrens_params, benchmarks=childrens_benchmarks(n)))
        found[f"performance {n}"] = Paper(render_log(tmp_path_factory.mktemp(f"p{n}"), performance_rows(n),
                                                     performance_params, benchmarks=performance_benchmarks(n)))
    return found


NAMES = list(PAPERS) + [f"{kind} {n}" for kind in ("childrens", "performance") for n in (0, 1, 2)]


# --- the rules, sentence by sentence ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_no_sentence_begins_with_a_numeral(papers, name):
    assert [s for s in papers[name].sentences if re.match(r"[\d£]", s)] == []


@pytest.mark.parametrize("name", NAMES)
def test_one_date_style_and_one_year_style(papers, name):
    text = papers[name].text
    assert re.findall(r"\b\d{1,2}(?:st|nd|rd|th) (?:January|February|March|April|May|June|July|August|September|"
                      r"October|November|December)\b", text) == []
    assert re.findall(r"(?<![\d/])\d{2}/\d{2}(?![\d/])", text) == []  # "20/21": always "2020/21"
    assert re.findall(r"\b\d{4}/\d{4}\b", text) == []  # "2020/2021"


@pytest.mark.parametrize("name", NAMES)
def test_one_figure_one_precision(papers, name):
    averages = re.findall(r"taking ([\d,.]+) working days? on average", papers[name].text)
    assert all(re.fullmatch(r"[\d,]+\.\d", a) for a in averages), averages


@pytest.mark.parametrize("name", NAMES)
def test_no_percentage_of_fewer_than_ten(papers, name):
    paper = papers[name]
    for figure, entry in paper.figures.items():
        share = entry["value"]
        if isinstance(share, dict) and share.get("type") == "share" and 0 < share.get("total", 0) < 10:
            assert all("%" not in form for form in entry.get("printed", [])), (figure, entry["printed"])
        for share in _shares(entry["value"]):  # shares inside a structure: its words never give their percentage
            if 0 < share["total"] < 10:
                assert f"{share['pct']}% (" not in entry["text"], (figure, entry["text"])
    # and in the text: a percentage given with its base ("50% (2 of 4)") never has a base below 10
    bases = [int(b.replace(",", "")) for b in re.findall(r"\d+% \([\d,]+ of ([\d,]+)", paper.text)]
    assert all(b >= 10 for b in bases), bases
    for head, rows, _ in paper.tables:
        cells = [c for r in rows for c in r]
        assert [c for c in cells if (m := re.fullmatch(r"\d+% \([\d,]+ of ([\d,]+)\)", c)) and
                int(m.group(1).replace(",", "")) < 10] == []


def _shares(value):
    if isinstance(value, dict):
        if value.get("type") == "share" and not value.get("suppressed"):
            yield value
        for v in value.values():
            yield from _shares(v)
    elif isinstance(value, list):
        for v in value:
            yield from _shares(v)


@pytest.mark.parametrize("name", NAMES)
def test_every_timeliness_figure_names_its_basis(papers, name):
    paper = papers[name]
    assert "set by legislation" not in paper.text and "set by the legislation" not in paper.text
    measured = {f: e for f, e in paper.figures.items() if e.get("measure", {}).get("basis", "").startswith("council")}
    assert measured, "the paper glues its timeliness figures with their measure"
    for figure, entry in measured.items():
        for form in entry.get("printed", []):
            blocks = [b for b in paper.blocks if form in b]
            assert blocks, (figure, form)
            # said in a paragraph that names the basis (the quarter figures follow the year's, which names it)
            assert any("the Council's own target" in b or "within the target" in b for b in blocks), (figure, blocks)


@pytest.mark.parametrize("name", NAMES)
def test_preliminary_only_when_params_say_so(papers, name):
    paper = papers[name]
    assert not paper.params.get("preliminary")
    assert "reliminary" not in paper.text


#: Sentences that state nothing (each once found in a paper): they must never come back.
EMPTY = ("Complaints showed where services could do better.", "Where a complaint was upheld, the Council put "
         "things right.", "Most authorities struggle to meet it.")


@pytest.mark.parametrize("name", NAMES)
def test_no_sentence_that_states_nothing(papers, name):
    sentences = papers[name].sentences
    assert [s for s in sentences if s in EMPTY] == []
    assert [s for s in sentences if len(s.split()) < 4 and not s.endswith(":")] == []


@pytest.mark.parametrize("name", NAMES)
def test_no_adjacent_table_columns_repeat_each_other(papers, name):
    for head, rows, _ in papers[name].tables:
        for i in range(1, len(head) - 1):
            pairs = [(r[i], r[i + 1]) for r in rows if len(r) > i + 1 and r[i] and r[i + 1]]
            # one cell says again what its neighbour says, and more ("640" | "down from 640 to 425")
            repeats = [p for p in pairs if p[0] != p[1] and (
                re.search(rf"(?<![\d,]){re.escape(p[0])}(?![\d,])", p[1]) or
                re.search(rf"(?<![\d,]){re.escape(p[1])}(?![\d,])", p[0]))]
            assert not pairs or len(repeats) < len(pairs), (head[i], head[i + 1], pairs[:3])


@pytest.mark.parametrize("name", NAMES)
def test_table_notes_explain_only_what_the_table_shows(papers, name):
    for head, rows, notes in papers[name].tables:
        cells = [c for r in rows for c in r]
        for note in notes:
            for symbol in re.findall(r"'([^']+)'|(\[\w\])", note):
                symbol = symbol[0] or symbol[1]
                assert symbol in cells, (note, symbol)
            if "without a percentage" in note:
                assert any(re.fullmatch(r"[\d,]+ of [\d,]+", c) for c in cells), note


# --- figures.json is what the reader reads -------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_every_cited_figure_is_printed_as_figures_json_says(papers, name):
    paper = papers[name]
    text = " ".join(BeautifulSoup(paper.html, "html.parser").get_text(" ").split())
    cited = {f: e for f, e in paper.figures.items() if e["cited"]}
    assert cited
    for figure, entry in paper.figures.items():
        printed = entry.get("printed", [])
        assert entry["cited"] == bool(printed), figure  # cited exactly when the text printed it
        for form in printed:
            assert " ".join(form.split()) in text, (figure, form)
        for words in [entry["text"], *printed]:
            assert not re.search(r"\w+\(\w+=|\{'|\[\{", words), (figure, words)  # never a program's repr


def test_a_figure_only_tested_is_not_cited(papers):
    figures = papers["sample_complaints_performance"].figures
    assert figures["has_action_plan"]["cited"] is False  # decides a sentence, prints nothing
    assert figures["year_childrens"]["printed"] == ["7 of 22 Stage 2 investigations", "32%"]
    assert figures["year_childrens"]["measure"] == {
        "name": "responses within timescale", "basis": "council: 65 working days from received",
        "procedure": "childrens", "stage": 2, "period": "2020/21"}
    assert figures["last_quarter_childrens"]["measure"]["period"] == "Q4 2020/21"


def test_the_benchmarks_are_beside_the_councils_figure_for_their_period(papers):
    paper = papers["sample_childrens_response_times"]
    own = paper.figures["own_2020_21"]
    assert own["value"]["count"] == 73 and own["value"]["total"] == 124  # 59%: the 2020/21 figure, not since August
    assert own["measure"]["period"] == "2020/21"
    assert "range from 50% to 73%, against 59% here (73 of 124 responses). Of the 4 other councils, 2 reported a " \
           "higher figure and 2 a lower one." in paper.text
    performance = papers["sample_complaints_performance"]
    assert "The figure supplied by Southby County Council (71%) is left out of the comparison: period not given." \
        in performance.text
    assert "For 2019/20, the figure of the other authority that has shared it is 64%, against 0% for the Council " \
           "(none of the 20 responses)." in performance.text


@pytest.mark.parametrize("n", [0, 1, 2])
def test_the_small_papers_read_as_english(papers, n):
    """Spot checks of the small papers' sentences at 0, 1 and 2 (the rules above scan all of them)."""
    childrens, performance = papers[f"childrens {n}"].text, papers[f"performance {n}"].text
    expected = {
        0: ["recorded no responses to complaints.", "No responses have been sent since then",
            "None of the responses sent between 1 April 2020 and 31 December 2020 exceeded the target.",
            "At 31 December 2020, no complaints were still awaiting a response.",
            "No benchmarking data from other councils is available for this report.",
            "In 2020/21, no Stage 2 investigations were completed.",
            "At 31 March 2021, no Stage 2 Children's Social Care investigations were still open."],
        1: ["showed that 1 of 1 complaint was responded to within the Council's own target of 20 working days.",
            "Since then, none of 1 response was provided within the Council's own target of 20 working days.",
            "1 exceeded the target. The reason for this delay was: Staff absence: 1 of 1 case.",
            "handled by one team, Court Team, which accounts for 1 of 1 case.",
            "For 2020/21, the other council's figure for Children's Services complaints responded to within 20 "
            "working days is 61%, against none of 1 here. The other council reported a higher figure.",
            "In 2020/21, 1 of 1 Stage 2 investigation was completed within the Council's own target of 65 working "
            "days, taking 64.0 working days on average."],
        2: ["showed that all 2 complaints were responded to within the Council's own target of 20 working days.",
            "2 exceeded the target. The main reasons for these delays were: Complex case and Staff absence: each 1 of "
            "2 cases.",
            "handled by 2 teams, Court Team and Fostering (1 case each), which between them account for all 2 cases.",
            "At 31 December 2020, 2 complaints were still awaiting a response",
            "The figure supplied by Easton Council (55%) is left out of the comparison: period not given.",
            "In 2020/21, 1 of 2 Stage 2 investigations were completed within the Council's own target of 65 working "
            "days, taking 67.0 working days on average."],
    }[n]
    for sentence in expected:
        assert sentence in childrens or sentence in performance, sentence


@pytest.mark.parametrize("name", NAMES)
def test_one_measure_one_value(papers, name):
    """Figures glued with the same measure (the year's Stage 2 figure and the Council's figure beside the benchmarks
    for that year, say) have the same value: what the annual report's cross-check asks of two reports, within one."""
    values: dict[str, set] = {}
    for entry in papers[name].figures.values():
        if "measure" in entry:
            values.setdefault(json.dumps(entry["measure"], sort_keys=True), set()).add(
                json.dumps(entry["value"], sort_keys=True))
    assert values and all(len(v) == 1 for v in values.values()), values
    if name == "sample_complaints_performance":  # the year's figure is given twice: in its section, by the benchmarks
        figures = papers[name].figures
        assert figures["own_childrens_2020_21"]["measure"] == figures["year_childrens"]["measure"]
        assert figures["received_corporate_2020"]["value"] == 425
