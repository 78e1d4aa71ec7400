"""Output formats: ``formats:`` in the params file, ``render --format``, one exporter per format, the audit files
always written, the manifest's list of files, and the same inputs giving the same bytes in every format."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from factory import REPO, case, childrens_params, cli_here, render_log, write_case_log, write_params, warm_render
from reportlib import charts, formats, outputs, params, reports
from reportlib.errors import ParamsError

AUDIT = {"report.ipynb", "figures.json", "data_quality.csv", "manifest.json"}


def small_log() -> list[dict]:
    return [case("B1", "2019-06-03", 10), case("B2", "2019-07-01", 25, reason="Staff absence"),
            case("C1", "2020-09-01", 5), case("C2", "2020-09-14", 30, reason="Other work pressures"),
            case("C3", "2020-10-01", 15), case("O1", "2020-11-02")]


# --- the params key and the option ------------------------------------------------------------------------------


def _params(**overrides):
    return reports.check(childrens_params("cases.csv", **overrides), "meeting.yaml")


def test_default_is_html_and_pdf():
    assert _params().formats == ("html", "pdf") == formats.DEFAULT_FORMATS


@pytest.mark.parametrize("given, expected", [
    (["docx", "xlsx"], ("docx", "xlsx")),
    (["xlsx", "html", "XLSX"], ("html", "xlsx")),  # the order formats are made in, each once
    ("docx, xlsx", ("docx", "xlsx")),
    (["html", "pdf", "docx", "xlsx"], ("html", "pdf", "docx", "xlsx")),
])
def test_formats_key(given, expected):
    assert _params(formats=given).formats == expected


@pytest.mark.parametrize("given, message", [
    (["docx", "odt"], "key 'formats': unknown format 'odt': use html, pdf, docx or xlsx"),
    ([], "key 'formats': should name at least one format: html, pdf, docx or xlsx"),
    (7, "key 'formats': should be a list of formats from html, pdf, docx, xlsx"),
])
def test_unknown_format_is_refused_with_the_valid_ones(given, message):
    with pytest.raises(ParamsError) as e:
        _params(formats=given)
    assert str(e.value).startswith(f"meeting.yaml: {message}")


def test_formats_is_a_setting_of_the_render_not_a_notebook_parameter():
    """It never reaches the kernel (Papermill would warn of a parameter the notebook does not declare)."""
    p = _params(formats=["docx"])
    assert "formats" not in type(p).model_fields
    assert "formats" not in params.to_jsonable(p)


def test_cli_refuses_an_unknown_format(tmp_path):
    proc = cli_here("render", "params/x.yaml", "--format", "docx,odt", cwd=REPO)
    assert proc.returncode == 2
    assert "unknown format 'odt': use html, pdf, docx or xlsx" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_format_is_a_module_of_the_same_shape():
    files = formats.files()
    assert list(files) == list(formats.FORMATS)
    assert files == {"html": "report.html", "pdf": "report.pdf", "docx": "report.docx", "xlsx": "tables.xlsx"}
    for name in formats.FORMATS:
        module = formats.exporter(name)
        assert callable(module.write) and module.FILE == files[name]
    assert set(files.values()) | AUDIT <= outputs.REPORT_FILES
    assert outputs.OUTPUT_FILES == ("report.html", "report.pdf", "report.ipynb", "figures.json", "data_quality.csv",
                                "manifest.json")


# --- charts carry a PNG for Word --------------------------------------------------------------------------------


def test_charts_carry_a_png_only_when_asked():
    assert charts.bar(["Q1"], [40], title="Within timescale").png == ""   # HTML and PDF need none: no time spent
    charts.set_rasters(True)
    try:
        assert charts.bar(["Q1"], [40], title="Within timescale").png
    finally:
        charts.set_rasters(False)


def test_chart_png_is_deterministic_and_the_chart_width(monkeypatch):
    monkeypatch.setitem(charts._rasters, "png", True)
    made = [charts.bar(["Q1", "Q2", "Q3"], [40, None, 75], title="Within timescale", target=60) for _ in range(2)]
    assert made[0].png and made[0].png == made[1].png
    png = base64.b64decode(made[0].png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == round(charts.WIDTH * charts.PNG_DPI)
    assert charts.Chart.from_json(made[0].to_json()) == made[0]
    old = {k: v for k, v in made[0].to_json().items() if k != "png"}  # a chart from before PNGs
    assert charts.Chart.from_json(old).png == ""


# --- whole renders ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def word_and_excel(tmp_path_factory):
    """The small report rendered with formats: [docx, xlsx] in its params file."""
    return render_log(tmp_path_factory.mktemp("formats"), small_log(), childrens_params, formats=["docx", "xlsx"])


def test_only_the_formats_asked_for_and_the_audit_files(word_and_excel):
    assert {p.name for p in word_and_excel.iterdir()} == {"report.docx", "tables.xlsx"} | AUDIT


def test_manifest_lists_every_file_made_with_its_sha256(word_and_excel):
    manifest = json.loads((word_and_excel / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["formats"] == ["docx", "xlsx"]
    assert list(manifest["files"]) == ["report.docx", "tables.xlsx", "report.ipynb", "figures.json",
                                       "data_quality.csv"]
    for name, digest in manifest["files"].items():
        assert digest == hashlib.sha256((word_and_excel / name).read_bytes()).hexdigest(), name
    assert {"execute", "render", "docx", "xlsx", "total"} <= manifest["seconds"].keys()
    assert "formats" not in manifest["params"]


def test_render_format_overrides_the_params_file(tmp_path):
    write_case_log(tmp_path / "cases.csv", small_log())
    params_file = write_params(tmp_path / "meeting.yaml",
                               childrens_params(tmp_path / "cases.csv", formats=["html", "pdf", "docx"]))
    result = warm_render(params_file, out=tmp_path / "out", formats=["xlsx"])
    assert {p.name for p in result.out.iterdir()} == {"tables.xlsx"} | AUDIT
    assert result.files == ("tables.xlsx", "report.ipynb", "figures.json", "data_quality.csv", "manifest.json")
    assert result.summary().startswith(f"{result.out}: tables.xlsx, report.ipynb, figures.json, data_quality.csv, "
                                       "manifest.json (")
    # a folder of an earlier render with other formats is replaced as before
    again = warm_render(params_file, out=tmp_path / "out")
    assert {p.name for p in again.out.iterdir()} == {"report.html", "report.pdf", "report.docx"} | AUDIT
    with pytest.raises(ParamsError, match="unknown format 'rtf'"):
        warm_render(params_file, out=tmp_path / "out", formats="rtf")


def test_cli_format_option(tmp_path):
    write_case_log(tmp_path / "cases.csv", small_log())
    params_file = write_params(tmp_path / "meeting.yaml", childrens_params(tmp_path / "cases.csv"))
    proc = cli_here("render", params_file, "--format", "docx", "--out", tmp_path / "out", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in (tmp_path / "out" / "meeting").iterdir()} == {"report.docx"} | AUDIT
    assert proc.stdout.startswith(f"{tmp_path / 'out' / 'meeting'}: report.docx, report.ipynb,")


def test_the_same_inputs_give_the_same_bytes_in_every_format(tmp_path):
    """Rendered twice: report.docx and tables.xlsx byte for byte the same (no time, order or id that changes),
    as report.html and figures.json are."""
    write_case_log(tmp_path / "cases.csv", small_log())
    params_file = write_params(tmp_path / "meeting.yaml", childrens_params(tmp_path / "cases.csv"))
    everything = ["html", "pdf", "docx", "xlsx"]
    first = warm_render(params_file, out=tmp_path / "one", formats=everything).out
    second = warm_render(params_file, out=tmp_path / "two", formats=everything).out
    for name in ("report.docx", "tables.xlsx", "report.html", "figures.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    import zipfile
    for name in ("report.docx", "tables.xlsx"):
        with zipfile.ZipFile(first / name) as z:
            assert {i.date_time for i in z.infolist()} == {(2021, 1, 20, 0, 0, 0)}  # the meeting date
