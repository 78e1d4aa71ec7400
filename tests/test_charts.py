"""Charts: the same drawing whatever fonts the viewer or the machine has, and labels that never collide.

Geometry is matplotlib's own: each chart's figure is drawn (in the house style, as the chart functions
draw it), every text it actually draws is measured in display pixels, and no two may overlap or touch,
none may leave the figure, none may sit on a bar. Run over sample-like data and hostile data.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BARE_FONTCONFIG, PACKAGE_FONTS, REPO, fontconfig_file
from reportlib import charts

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

QUARTERS = [f"Q{q} {y}/{(y + 1) % 100:02d}" for y in (2019, 2020) for q in (1, 2, 3, 4)]
QUARTERS16 = [f"Q{q} {y}/{(y + 1) % 100:02d}" for y in range(2017, 2021) for q in (1, 2, 3, 4)]
YEARS6 = [f"{y}/{(y + 1) % 100:02d}" for y in range(2015, 2021)]
YEARS12 = [f"{y}/{(y + 1) % 100:02d}" for y in range(2009, 2021)]
SERVICES = ["Corporate", "Children's Social Care", "Adult Social Care"]
SOUTHBY = "Southby Metropolitan Borough Council"
AUTHORITIES = ["Northby City Council", SOUTHBY, "Eastshire County Council", "Westby Council",
               "Middleton Borough Council"]
LONG40 = ["Royal Borough of Kensington and Chelsea.", "Metropolitan Borough Council of Southbyy",
          "Xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "City and County of the Isles of Scilly X"]
assert all(len(n) == 40 for n in LONG40)

#: name -> (chart function, args, keyword args). The first three are the sample report's charts.
CASES = {
    "bar sample": ("bar", (QUARTERS, [46, 40, 44, 50, 47, 56, 50, 60]),
                   {"title": "Stage 2 Corporate complaints completed within 25 working days", "xlabel": "Quarter",
                    "ylabel": "Completed within timescale"}),
    "lines sample": ("lines", (YEARS6, dict(zip(SERVICES, [[44, 42, 32, 32, 29, 24], [121, 141, 140, 148, 149, 192],
                                                           [106, 110, 119, 138, 147, 207]]))),
                     {"title": "Compliments received by procedure", "xlabel": "Financial year",
                      "ylabel": "Compliments received"}),
    "ranking sample": ("ranking", (AUTHORITIES, [70, 60, 55, 82, 57]),
                       {"highlight": SOUTHBY, "title": "Responded to within 20 working days",
                        "xlabel": "Share within timescale"}),
    "bar with target": ("bar", (QUARTERS, [46, 99, 44, 100, 47, 56, 50, 60]),
                        {"title": "t", "xlabel": "Quarter", "ylabel": "Share", "target": 100}),
    "bar 0 and 100": ("bar", (QUARTERS, [0, 100, 0, 100, 100, 0, 0, 100]),
                      {"title": "t", "xlabel": "Quarter", "ylabel": "Share"}),
    "bar 0 and 100, target 100": ("bar", (QUARTERS, [0, 100, 0, 100, 100, 0, 99, 100]),
                                  {"title": "t", "xlabel": "Quarter", "ylabel": "Share", "target": 100}),
    "bar target 0, long target name": ("bar", (QUARTERS, [0, 100, 0, 100, 100, 0, 99, 100]),
                                       {"title": "t", "xlabel": "Quarter", "target": 0,
                                        "target_label": "Statutory timescale target"}),
    "bar 16 quarters, no cases, [c]": ("bar", (QUARTERS16, [100, 0, None, "[c]", 55, 66, 77, 88, 99, 100, 0, 1, None,
                                                            None, "[c]", 5]),
                                       {"title": "t", "xlabel": "Quarter", "ylabel": "Share", "target": 100}),
    "bar one bar": ("bar", (["Q1 2020/21"], [100]), {"title": "t", "xlabel": "Quarter", "target": 100}),
    "bar all no cases": ("bar", (QUARTERS, [None] * 8), {"title": "t", "xlabel": "Quarter"}),
    "bar 40-character names": ("bar", (LONG40 + ["Short"], [10, 100, 30, None, "[c]"]),
                               {"title": "t", "xlabel": "Authority", "ylabel": "Share"}),
    "bar with glyphs Liberation Sans lacks": ("bar", (["\u2713 Met", "\u2717 Not met"], [50, 60]), {"title": "t"}),
    "bar 12 years of counts": ("bar", (YEARS12, [1234, 5, 0, None, "[c]", 99999, 3, 4, 5, 6, 7, 8]),
                               {"title": "t", "unit": "", "ylabel": "Cases"}),
    "lines 12 years, same ends": ("lines", (YEARS12, dict(zip(SERVICES, [list(range(12)),
                                                                       [2 * i for i in range(11)] + [11], [11] * 12]))),
                                  {"title": "t", "xlabel": "Financial year", "ylabel": "Compliments"}),
    "lines 16 quarters, percentages": ("lines", (QUARTERS16, {"A": [100] * 16, "B": [0] * 16, "C": [100] * 16}),
                                       {"title": "t", "xlabel": "Quarter", "unit": "%"}),
    "lines all-None series, gaps, long name": ("lines", (YEARS6, {"Corporate": [None] * 6,
                                                                  SERVICES[1]: [1, None, "[c]", 4, 5, None],
                                                                  LONG40[0]: [0] * 6}),
                                               {"title": "t", "xlabel": "Financial year"}),
    "lines six series ending together": ("lines", (YEARS6, {f"Service {i}": [i, i, i, i, i, 7] for i in range(6)}),
                                         {"title": "t"}),
    "ranking 40-character names": ("ranking", (LONG40 + AUTHORITIES, [100, 0, 50, 99, 1, 100, 2, 3, 100]),
                                   {"highlight": LONG40[1], "title": "t", "xlabel": "Share within timescale"}),
    "ranking no cases and [c]": ("ranking", (AUTHORITIES, [None, "[c]", 70, 0, 100]),
                                 {"highlight": SOUTHBY, "title": "t"}),
    "ranking nothing to rank": ("ranking", (AUTHORITIES, [None, "[c]", None, None, None]),
                                {"highlight": SOUTHBY, "title": "t"}),
}
# A process change marked on the time chart, over bars of every height; shares of too few cases ("2 of 4");
# ties in a ranking.
from reportlib.narrative import Share  # noqa: E402

CASES.update({
    "bar with a change marked": ("bar", (QUARTERS + ["Q1 2021/22"], [32, 50, 45, 34, 42, 56, 67, 67, 68]),
                                 {"title": "t", "xlabel": "Quarter", "ylabel": "Share",
                                  "mark": (5.02, "Revised process from 18 August 2020")}),
    "bar with a change marked near the end, bars at 100": ("bar", (QUARTERS, [100, 90, 100, 95, 100, 99, 100, 100]),
                                                          {"title": "t", "xlabel": "Quarter",
                                                           "mark": (6.9, "Revised process from 18 August 2020")}),
    "bar of small shares": ("bar", (QUARTERS, [Share(0, 4), Share(0, 6), Share(0, 5), Share(0, 5), Share(1, 6),
                                               Share(0, 4), Share(2, 4), Share(4, 8)]),
                            {"title": "t", "xlabel": "Quarter", "ylabel": "Completed within target",
                             "series": "childrens"}),
    "ranking with ties": ("ranking", (AUTHORITIES, [61, 73, 61, 50, 73]),
                          {"highlight": SOUTHBY, "title": "t", "xlabel": "Share within timescale"}),
})
SAMPLES = ["bar sample", "lines sample", "ranking sample"]
#: Drawn again in a fresh process under each font setting: the samples, bold, fallback glyphs, every layout move.
FONT_CASES = SAMPLES + ["bar 16 quarters, no cases, [c]", "bar with glyphs Liberation Sans lacks",
                        "lines all-None series, gaps, long name", "ranking 40-character names"]
DRAW = {"bar": charts._draw_bar, "lines": charts._draw_lines, "ranking": charts._draw_ranking}


def draw(name):
    kind, args, kwargs = CASES[name]
    drawing = {k: v for k, v in kwargs.items() if k not in ("subtitle", "source")}
    return DRAW[kind](*args, **drawing)


# --- The chart functions' signatures -------------------------------------------------------------------


@pytest.mark.parametrize("fn, first", [(charts.bar, ["labels", "values", "title"]),
                                       (charts.lines, ["labels", "series", "title"]),
                                       (charts.ranking, ["labels", "values", "highlight", "title"])])
def test_help_shows_the_real_signature(fn, first):
    params = inspect.signature(fn).parameters
    assert list(params)[:len(first)] == first
    assert not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params.values())
    assert params["title"].kind is inspect.Parameter.KEYWORD_ONLY
    assert fn.__wrapped__.__name__ == fn.__name__ and fn.__doc__ == fn.__wrapped__.__doc__


def test_the_notebooks_calls_still_work():
    bar = charts.bar(QUARTERS, [46, 40, 44, 50, 47, 56, 50, 60], title="T", subtitle="S", xlabel="Quarter",
                     ylabel="Completed within timescale", target=None, table_columns=["Quarter", "Share"],
                     table_rows=[[q, "1%"] for q in QUARTERS], source="Log")
    assert bar.alt.startswith("Bar chart: T. Completed within timescale by quarter, from 46% in Q1 2019/20 to "
                              "60% in Q4 2020/21; highest 60% in Q4 2020/21, lowest 40% in Q2 2019/20.")
    assert list(bar.table.columns) == ["Quarter", "Share"] and bar.source == "Log" and bar.subtitle == "S"
    lines = charts.lines(*CASES["lines sample"][1], title="C", subtitle="S", xlabel="Financial year",
                         ylabel="Compliments received", source="Log")
    assert lines.alt.startswith("Line chart: C. Compliments received by financial year. Corporate: from 44 in "
                                "2015/16 to 24 in 2020/21")
    assert list(lines.table.rows[0]) == ["2015/16", "44", "121", "106"]
    ranking = charts.ranking(AUTHORITIES, [70, 60, 55, 82, 57], highlight=SOUTHBY, title="R", subtitle="S",
                             xlabel="Share within timescale", source="Returns")
    assert ranking.alt == ("Bar chart: R. 5 authorities, from Westby Council (82%) to Eastshire County "
                           f"Council (55%); {SOUTHBY}, highlighted, is at 60%: 2 higher, 2 lower.")
    assert list(ranking.table.rows[2]) == [SOUTHBY, "60%"]


def test_quarterly_labels_each_quarter_and_tables_each_share():
    # quarters 8080 and 8081 are Q1 and Q2 of 2020/21 (financial year 2020 * 4 + quarter)
    chart = charts.quarterly([(8080, Share(6, 13)), (8081, Share(2, 4))], title="T", subtitle="S",
                             ylabel="Responses within target", column="Responses within 20 working days",
                             source="Log", series="childrens")
    assert list(chart.table.columns) == ["Quarter", "Responses within 20 working days"]
    assert [list(r) for r in chart.table.rows] == [["Q1 2020/21", "46% (6 of 13)"], ["Q2 2020/21", "2 of 4"]]
    assert chart.alt.startswith("Bar chart: T. Responses within target by quarter, from 46% in Q1 2020/21 to 2 of 4 "
                                "in Q2 2020/21")
    assert (chart.title, chart.subtitle, chart.source) == ("T", "S", "Log")


def test_an_authority_without_a_figure_is_listed_not_dropped():
    chart = charts.ranking(AUTHORITIES, [None, "[c]", 70, 0, 100], highlight=SOUTHBY, title="R")
    assert [r[0] for r in chart.table.rows][-2:] == ["Northby City Council", SOUTHBY]
    assert list(chart.table.rows[-1]) == [SOUTHBY, "[c]"]
    assert "without a figure: Northby City Council (no cases), Southby Metropolitan Borough Council ([c])" in chart.alt
    nothing = charts.ranking(AUTHORITIES, [None] * 5, highlight=SOUTHBY, title="R")
    assert "There are no values to compare" in nothing.alt and len(nothing.table.rows) == 5


# --- Fonts: only the bundled ones, and the same drawing on every machine -----------------------------


def glyph_fonts(svg: str) -> set[str]:
    """The fonts whose glyph outlines the SVG uses (matplotlib names each glyph ``<font>-<glyph index>``)."""
    return {gid.rsplit("-", 1)[0] for gid in re.findall(r'<path id="([^"]+-[0-9a-f]+)"', svg)}


def test_words_are_outlines_of_the_bundled_font():
    chart = charts.ranking(*CASES["ranking sample"][1], **CASES["ranking sample"][2])
    assert "<text" not in chart.svg and "font-family" not in chart.svg
    assert glyph_fonts(chart.svg) == {"LiberationSans", "LiberationSans-Bold"}  # the highlight is bold
    assert 'width="453.6pt"' in chart.svg  # 6.3 in, as laid out: nothing cropped
    # matplotlib's own DejaVu Sans only for a glyph Liberation Sans lacks.
    kind, args, kwargs = CASES["bar with glyphs Liberation Sans lacks"]
    assert glyph_fonts(charts.bar(*args, **kwargs).svg) == {"LiberationSans", "DejaVuSans"}


def test_matplotlib_resolves_the_house_fonts_to_the_bundled_files():
    import matplotlib
    from matplotlib import font_manager

    with charts.house_style() as plt:
        regular = font_manager.FontProperties(family=plt.rcParams["font.family"])
        bold = font_manager.FontProperties(family=plt.rcParams["font.family"], weight="bold")
        found = font_manager.fontManager._find_fonts_by_props(regular)
        assert Path(font_manager.findfont(regular)) == PACKAGE_FONTS / "LiberationSans-Regular.ttf"
        assert Path(font_manager.findfont(bold)) == PACKAGE_FONTS / "LiberationSans-Bold.ttf"
    assert Path(found[0]) == PACKAGE_FONTS / "LiberationSans-Regular.ttf"
    assert Path(found[1]).resolve() == Path(matplotlib.get_data_path()).resolve() / "fonts" / "ttf" / "DejaVuSans.ttf"


# Run in a fresh interpreter that imports nothing from the tests (conftest would set its own fonts).
MAKE_SVGS = r"""
import json, sys
from matplotlib import font_manager
from reportlib import charts
CASES = json.load(sys.stdin)
out = {}
for name, (kind, args, kwargs) in CASES.items():
    out[name] = getattr(charts, kind)(*args, **kwargs).svg
out["_impostor_seen"] = any(f.name == "Liberation Sans" and "static/fonts" not in f.fname
                            for f in font_manager.fontManager.ttflist)
print(json.dumps(out))
"""


def impostor_font(folder: Path) -> Path:
    """DejaVu Sans renamed "Liberation Sans": what a machine's own, different Liberation Sans would be."""
    import matplotlib
    from fontTools.ttLib import TTFont

    font = TTFont(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16):
            names.setName("Liberation Sans", record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName("LiberationSans", record.nameID, record.platformID, record.platEncID, record.langID)
    folder.mkdir(parents=True, exist_ok=True)
    font.save(folder / "LiberationSans-Regular.ttf")
    return folder


@pytest.fixture(scope="module")
def svgs_by_setting(tmp_path_factory):
    """Every chart's SVG, made in a fresh process under each font setting, each with a fresh matplotlib cache."""
    tmp = tmp_path_factory.mktemp("fonts")
    settings = {
        "no fonts": str(BARE_FONTCONFIG),
        "DejaVu only": str(fontconfig_file("charts-dejavu-only", DEJAVU)),
        "this machine": None,
        "another Liberation Sans": str(fontconfig_file("charts-impostor", impostor_font(tmp / "impostor"))),
    }
    out = {}
    for name, conf in settings.items():
        env = {**os.environ, "MPLCONFIGDIR": str(tmp / f"mpl-{len(out)}")}
        env.pop("FONTCONFIG_FILE")
        if conf:
            env["FONTCONFIG_FILE"] = conf
        cases = {name: CASES[name] for name in FONT_CASES}
        done = subprocess.run([sys.executable, "-c", MAKE_SVGS], input=json.dumps(cases), env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        out[name] = json.loads(done.stdout)
    return out


def test_svg_is_the_same_under_any_fonts(svgs_by_setting):
    assert DEJAVU.is_dir()
    first = svgs_by_setting["no fonts"]
    for setting, svgs in svgs_by_setting.items():
        for name in FONT_CASES:
            assert svgs[name] == first[name], f"{name}: SVG differs with {setting}"
    # The setting with another "Liberation Sans" really had one in matplotlib's font list.
    assert svgs_by_setting["another Liberation Sans"]["_impostor_seen"]
    assert not first["_impostor_seen"]


def test_svg_is_the_same_in_this_process(svgs_by_setting):
    """And the same as a chart drawn here, twice (no dates, ids from a fixed salt)."""
    for name in SAMPLES:
        kind, args, kwargs = CASES[name]
        once, twice = (getattr(charts, kind)(*args, **kwargs).svg for _ in range(2))
        assert once == twice == svgs_by_setting["no fonts"][name]


# --- Layout: nothing overlaps, nothing leaves the chart ------------------------------------------------


def drawn_texts(fig) -> list:
    """Every text the figure draws: visible, not empty, and for tick labels only ticks inside the view."""
    from matplotlib.text import Text

    tick_labels, texts = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_labels.update((id(tick.label1), id(tick.label2)))
                inside = lo - 1e-9 * (hi - lo) <= tick.get_loc() <= hi + 1e-9 * (hi - lo)
                texts += [t for t in (tick.label1, tick.label2) if inside and t.get_visible() and t.get_text()]
    texts += [t for t in fig.findobj(Text)
              if id(t) not in tick_labels and t.get_visible() and t.get_text().strip()]
    return texts


def box_of(text, renderer):
    from matplotlib.transforms import Bbox

    box = text.get_window_extent(renderer)
    patch = text.get_bbox_patch()
    return Bbox.union([box, patch.get_window_extent(renderer)]) if patch is not None else box


def apart(a, b, gap=1.0) -> bool:
    """Boxes at least ``gap`` pixels apart (touching is a collision too)."""
    return a.x1 + gap <= b.x0 or b.x1 + gap <= a.x0 or a.y1 + gap <= b.y0 or b.y1 + gap <= a.y0


@pytest.fixture(scope="module", params=list(CASES))
def drawn(request):
    fig, alt, table = draw(request.param)
    with charts.house_style():
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        texts = drawn_texts(fig)
        boxes = [box_of(t, renderer) for t in texts]
        bars = [p.get_window_extent(renderer) for ax in fig.axes for p in ax.patches
                if p.get_width() and p.get_height()]
    yield request.param, fig, texts, boxes, bars
    charts.pyplot().close(fig)


def test_no_two_labels_overlap(drawn):
    name, fig, texts, boxes, _ = drawn
    clashes = [(texts[i].get_text(), texts[j].get_text())
               for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if not apart(boxes[i], boxes[j])]
    assert not clashes, f"{name}: {clashes}"


def test_every_label_is_inside_the_chart(drawn):
    name, fig, texts, boxes, _ = drawn
    whole = fig.bbox
    outside = [t.get_text() for t, b in zip(texts, boxes)
               if b.x0 < whole.x0 or b.x1 > whole.x1 or b.y0 < whole.y0 or b.y1 > whole.y1]
    assert not outside, f"{name}: {outside}"


def test_no_label_sits_on_a_bar(drawn):
    name, fig, texts, boxes, bars = drawn
    on = [t.get_text() for t, b in zip(texts, boxes) for bar in bars if not apart(b, bar, 0)]
    assert not on, f"{name}: {on}"


def test_the_figure_is_page_width_and_not_too_tall(drawn):
    name, fig, *_ = drawn
    width, height = fig.get_size_inches()
    assert width == pytest.approx(6.3) and 2.5 <= height <= 8, name


def test_every_value_and_every_name_is_labelled(drawn):
    name, fig, texts, *_ = drawn
    kind, args, kwargs = CASES[name]
    words = [" ".join(t.get_text().split()) for t in texts]
    unit = kwargs.get("unit", "%" if kind != "lines" else "")
    if kind in ("bar", "ranking"):
        for v in args[1]:
            assert charts.value_words(v, unit) in words, (name, v)
    if kwargs.get("mark"):  # the change's words, whole, on one or two lines
        assert kwargs["mark"][1] in words, (name, words)
    if kind == "ranking":  # each name, whole or cut short ("…"), on one or two lines
        ticks = [" ".join(t.get_text().split()) for t in fig.axes[0].get_yticklabels()]
        assert len(ticks) == len(args[0])
        for label in args[0]:
            assert any(label == t or (t.endswith("…") and all(part.rstrip("…") in label for part in t.split()))
                       for t in ticks), (name, label)
    if kind == "lines":  # a direct label for every series with something to plot
        for series, values in args[1].items():
            if any(isinstance(v, (int, float)) for v in values):
                assert any(w.replace(" ", "") in series.replace(" ", "") or series.startswith(w.rstrip("…"))
                           for w in words if w and w[0].isalpha()), (name, series)
    # The x axis shows the first label; up to 8 (categories, two years of quarters), every label.
    if kind != "ranking":
        xticks = [" ".join(t.get_text().split()) for t in fig.axes[0].get_xticklabels()]
        shown = len(args[0]) if len(args[0]) <= 8 else 1
        assert len(xticks) >= shown, name
        for label, tick in zip(args[0][:shown], xticks):
            assert tick == label or all(part.rstrip("…") in label for part in tick.split()), (name, label, tick)


@pytest.mark.parametrize("name", list(CASES))
def test_the_svg_has_content(name):
    kind, args, kwargs = CASES[name]
    chart = getattr(charts, kind)(*args, **kwargs)
    assert len(chart.svg) > 5000 and chart.svg.rstrip().endswith("</svg>")
    assert chart.alt.strip() and chart.table.rows


# --- Lazy loading (how fast a chart draws: benchmarks/bench_charts.py) ------------------------------------------------


def test_matplotlib_is_loaded_only_when_a_chart_is_drawn():
    code = ("import sys, reportlib.charts as c\n"
            "assert 'matplotlib' not in sys.modules\n"
            "c.bar(['a'], [1], title='t')\n"
            "assert 'matplotlib' in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


# --- Ties, small bases, one palette, nice axis steps, a change marked ------------------------------------------


def test_ties_are_named_together_in_the_alt_text():
    bar = charts.bar(QUARTERS, [0, 0, 0, 0, 17, 0, 50, 50], title="T", xlabel="Quarter", ylabel="Share")
    assert "highest 50% in Q3 2020/21 and Q4 2020/21, lowest 0% in Q1 2019/20, Q2 2019/20, Q3 2019/20, Q4 2019/20 " \
           "and Q2 2020/21." in bar.alt
    same = charts.bar(QUARTERS[:4], [0, 0, 0, 0], title="T", xlabel="Quarter")
    assert "from 0% in Q1 2019/20 to 0% in Q4 2019/20; 0% in all 4." in same.alt
    ranking = charts.ranking(*CASES["ranking with ties"][1], highlight=SOUTHBY, title="R")
    assert ranking.alt == ("Bar chart: R. 5 authorities, from Middleton Borough Council and Southby Metropolitan "
                           "Borough Council (73% each) to Westby Council (50%); Southby Metropolitan Borough Council, "
                           "highlighted, is at 73%: 1 the same, 3 lower.")
    # table order: high to low, equal values by name; no rank anywhere
    assert [r[0] for r in ranking.table.rows] == ["Middleton Borough Council", SOUTHBY, "Eastshire County Council",
                                                  "Northby City Council", "Westby Council"]
    assert list(ranking.table.columns) == ["Authority", "Value"]


def test_a_share_of_too_few_cases_is_labelled_with_its_counts():
    chart = charts.bar(*CASES["bar of small shares"][1], title="T", xlabel="Quarter", ylabel="Completed")
    assert [list(r) for r in chart.table.rows][-2:] == [["Q3 2020/21", "2 of 4"], ["Q4 2020/21", "4 of 8"]]
    assert "%" not in chart.alt.split(". ", 1)[1]
    assert "highest in Q3 2020/21 (2 of 4) and Q4 2020/21 (4 of 8), lowest, none, in Q1 2019/20, Q2 2019/20, " \
           "Q3 2019/20, Q4 2019/20 and Q2 2020/21." in chart.alt


def test_one_colour_per_procedure_in_every_report():
    """The same procedure is drawn in the same colour whatever its place among the series or its label."""
    one = charts._draw_lines(YEARS6, {"Corporate": [1] * 6, "Children's Social Care": [2] * 6,
                                      "Adult Social Care": [3] * 6}, title="t")[0]
    other = charts._draw_lines(YEARS6, {"Adult Social Care": [3] * 6, "Statutory Children's Social Care": [2] * 6},
                               title="t")[0]
    first = [l.get_color().lower() for l in one.axes[0].get_lines()]
    second = [l.get_color().lower() for l in other.axes[0].get_lines()]
    assert first == ["#3d3d3d", "#28a197", "#801650"] and second == ["#801650", "#28a197"]
    assert [l.get_marker() for l in other.axes[0].get_lines()] == ["^", "s"]
    bars = charts._draw_bar(QUARTERS, [1] * 8, title="t", series="childrens")[0]
    assert {charts.colours.colour("adults"), charts.colours.colour("Statutory Adult Social Care")} == {"#801650"}
    assert bars.axes[0].patches[0].get_facecolor()[:3] == pytest.approx((0x28 / 255, 0xA1 / 255, 0x97 / 255))
    for fig in (one, other, bars):
        charts.pyplot().close(fig)


@pytest.mark.parametrize("span, step", [(68, 20), (50, 10), (100, 20), (12, 2.5), (207, 50), (160, 50), (7, 2),
                                        (1, 0.2), (99999, 20000), (240, 50)])
def test_axis_steps_are_nice_numbers(span, step):
    assert charts.nice_step(span) == pytest.approx(step)


@pytest.mark.parametrize("name", [n for n in CASES if CASES[n][0] in ("bar", "lines")])
def test_every_axis_step_is_1_2_2_5_or_5_times_a_power_of_ten(name):
    import math

    fig, *_ = draw(name)
    ticks = [t.get_loc() for t in fig.axes[0].yaxis.get_major_ticks() if t.label1.get_visible()]
    ticks = [v for v in ticks if fig.axes[0].get_ylim()[0] - 1e-9 <= v <= fig.axes[0].get_ylim()[1] + 1e-9]
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1, (name, ticks)
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(abs(mantissa - m) < 1e-6 for m in (1, 2, 2.5, 5)), (name, ticks)
    charts.pyplot().close(fig)


@pytest.mark.parametrize("values, end", [([32, 50, 45, 68], 80), ([0, 17, 50, 50], 50), ([46, 60], 60),
                                         ([0, 0], 10), ([100, 20], 100), ([73, 61, 59], 80)])
def test_a_percentage_axis_ends_at_a_nice_step_above_the_data(values, end):
    fig, *_ = charts._draw_bar([f"Q{i}" for i in range(len(values))], values, title="t")
    ax = fig.axes[0]
    shown = [t.get_loc() for t in ax.yaxis.get_major_ticks()]
    assert max(shown) == end and ax.spines["left"].get_bounds() == (0, end)
    charts.pyplot().close(fig)
    full, *_ = charts._draw_bar(["a", "b"], values[:2], title="t", full_scale=True)  # 100% matters
    assert max(t.get_loc() for t in full.axes[0].yaxis.get_major_ticks()) == 100
    charts.pyplot().close(full)


def test_a_process_change_is_marked_on_the_time_chart():
    import datetime as dt

    from reportlib import periods

    quarters = list(range(2019 * 4, 2021 * 4 + 1))
    x = charts.date_position(dt.date(2020, 8, 18), [periods.quarter_start(q) for q in quarters],
                             [periods.quarter_end(q) for q in quarters])
    assert x == pytest.approx(5 - 0.5 + 48 / 92)  # Q2 2020/21 is the sixth bar; 18 August is its 49th day of 92
    assert charts.date_position(dt.date(2018, 1, 1), [periods.quarter_start(q) for q in quarters],
                                [periods.quarter_end(q) for q in quarters]) is None
    chart = charts.bar(*CASES["bar with a change marked"][1], title="T", xlabel="Quarter",
                       mark=(x, "Revised process from 18 August 2020"))
    assert chart.alt.endswith("A dotted line marks a change: Revised process from 18 August 2020.")
    fig, *_ = draw("bar with a change marked")
    lines = [l for l in fig.axes[0].get_lines() if l.get_linestyle() == ":"]
    assert len(lines) == 1 and lines[0].get_xdata()[0] == pytest.approx(5.02)
    charts.pyplot().close(fig)
