"""Hostile text from the case log or the params file is shown as text everywhere, never obeyed."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pypdf
import pytest

from factory import case, childrens_params, render_log

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
JINJA = "{{ 7*7 }} {% if true %}yes{% endif %}"
MARKDOWN = "[click me](javascript:alert(1)) **loud** # heading"
LONG = "Very long reason " + "x" * 3000


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    rows = [case("B1", "2019-06-03", 10), case("B2", "2019-07-01", 25, reason="Staff absence")]
    # Late responses after the change: the main delay reason and its teams are hostile text.
    for i, team in enumerate([SCRIPT, IMG, SCRIPT, MARKDOWN]):
        rows.append(case(f"H{i}", f"2020-09-0{i + 1}", 30, reason=JINJA, team=team))
    rows.append(case("L1", "2020-10-01", 30, reason=LONG, team=LONG))
    return render_log(
        tmp_path_factory.mktemp("hostile"), rows, childrens_params, formats=["html", "pdf"],
        title=f"Response times {SCRIPT}", council=f"Council {JINJA}", author=IMG,
        contact={"name": MARKDOWN, "role": SCRIPT, "phone": IMG, "email": "x@example.org"},
        recommendations=[f"Note {SCRIPT}", MARKDOWN],
        benchmarks=[{"authority": IMG, "value": 70, "period": "2020/21"}, {"authority": SCRIPT, "value": 55,
                                                                          "period": "2020/21"},
                    {"authority": MARKDOWN, "value": 60}],  # no period: named in the text
        implications={"finance": f"None {IMG}"})


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_no_markup_from_data_or_params_is_obeyed(hostile):
    page = (hostile / "report.html").read_text()
    parser = Tags()
    parser.feed(page)
    tags = [t for t, _ in parser.found]
    assert "script" not in tags
    assert tags.count("img") == 2  # the two charts, nothing else
    for tag, attrs in parser.found:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not attrs.get("href", "").lower().startswith("javascript"), (tag, attrs)
    assert "<strong>loud</strong>" not in page


def test_hostile_text_shown_as_written(hostile):
    page = (hostile / "report.html").read_text()
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in page or "&lt;script&gt;alert(&#x27;x&#x27;)" in page
    assert "{{ 7*7 }}" in page and "{% if true %}yes{% endif %}" in page
    assert "[click me](javascript:alert(1)) **loud** # heading" in page


def test_jinja_in_data_is_never_evaluated(hostile):
    page = (hostile / "report.html").read_text()
    assert " 49 " not in page and ">49<" not in page


def test_alt_text_and_tables_escape_names(hostile):
    parser = Tags()
    parser.feed((hostile / "report.html").read_text())
    alts = [a["alt"] for t, a in parser.found if t == "img"]
    assert any(IMG in alt for alt in alts)  # the text survives, as an attribute value, inert


def test_figures_json_keeps_data_as_data(hostile):
    figures = json.loads((hostile / "figures.json").read_text())
    assert figures["main_reasons"]["value"] == [JINJA]
    assert [LONG] in [r["names"] for r in figures["overdue_reasons"]["value"]]


def test_pdf_shows_the_text_and_long_strings_wrap(hostile):
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(hostile / "report.pdf").pages)
    assert "alert('x')" in text
    assert "{{ 7*7 }}" in text
    assert "Very long reason" in text


# --- hostile params files: every one is a report's params or one line, never a traceback or a hang ---------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from reportlib import reports as reports_mod  # noqa: E402
from reportlib.errors import ReportError  # noqa: E402

_KEYS = sorted({*reports_mod.REPORTS["childrens_response_times"].model_fields,
                *reports_mod.REPORTS["annual_report"].model_fields, "formats", "junk"})
_NASTY = st.sampled_from(["\x1b[31m", "\x00", "\u202e", "{{ 7*7 }}", "=1+1", "../../etc/passwd", "*alias", "&anchor",
                          "!!python/object/apply:os.system ['id']", "2021-02-30", "2019/20", "-1", "1e309", "~",
                          "x" * 5000, "[", "{", ":", "'", '"', "\t", "\r\n", "yes", "no", "null"])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), _NASTY,
                     st.text(max_size=40), st.dates().map(str))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)),
                       max_leaves=12)


def _one_line(e: ReportError) -> None:
    text = str(e)
    assert "\n" not in text and "\x1b" not in text and "\x00" not in text
    assert len(text) < 1500, len(text)


@settings(max_examples=150, deadline=2000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(notebook=st.sampled_from(["childrens_response_times", "complaints_performance", "annual_report", "nope"]),
       body=st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=10))
def test_any_params_mapping_is_params_or_one_line(tmp_path_factory, notebook, body):
    import yaml

    path = tmp_path_factory.mktemp("params") / "meeting.yaml"
    path.write_text(yaml.safe_dump({"notebook": notebook, **body}, allow_unicode=True), encoding="utf-8")
    try:
        reports_mod.load(path)
    except ReportError as e:
        _one_line(e)


@settings(max_examples=200, deadline=2000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
                      st.lists(st.sampled_from(["notebook: annual_report\n", "year: &a [*a]\n", "a: &x 1\n",
                                                "b: [*x, *x, *x]\n", "- \n", "? x\n", "!!binary aGk=\n",
                                                "!!python/name:os.system\n", "%YAML 1.1\n", "---\n", "...\n",
                                                "title: \"\\x1b[2J\"\n", "\t- a\n", "year: 2019/20\n"]),
                               max_size=12).map("".join)))
def test_any_params_text_is_params_or_one_line(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("params") / "meeting.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        reports_mod.load(path)
    except ReportError as e:
        _one_line(e)
