"""Render failures: the officer gets one line and the last good report stays where it was."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from factory import (REPO, case, childrens_params, cli_here, cli_process, lend_the_warm_kernel, write_case_log,
                     write_params, warm_render)
from reportlib import outputs, pipeline
from reportlib.errors import BadRowsError, OutputError, ParamsError, RenderError


@pytest.fixture
def project(tmp_path):
    """A project folder of our own: a copy of the notebooks, a small case log and a params file."""
    shutil.copytree(REPO / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns("*.md"))
    (tmp_path / "params").mkdir()
    rows = [case("A1", "2019-06-03", 10), case("A2", "2020-09-01", 25, reason="Staff absence"),
            case("A3", "2020-10-01", 5)]
    write_case_log(tmp_path / "cases.csv", rows)
    write_params(tmp_path / "params" / "meeting.yaml", childrens_params("cases.csv"))
    return tmp_path


def _edit_notebook(project, fn):
    path = project / "notebooks" / "childrens_response_times.ipynb"
    nb = nbformat.read(path, as_version=4)
    fn(nb)
    nbformat.write(nb, path)


def test_relative_data_path_resolves_against_the_project(project):
    result = warm_render(project / "params" / "meeting.yaml")
    assert result.out == project / "outputs" / "meeting"
    assert (result.out / "report.pdf").stat().st_size > 10_000


def test_failing_cell_keeps_last_good_output(project):
    good = warm_render(project / "params" / "meeting.yaml").out
    before = {p.name: p.read_bytes() for p in good.iterdir()}

    def break_it(nb):
        nb.cells.insert(3, nbformat.v4.new_code_cell("1 / 0", metadata={"tags": ["remove-cell"]}))
    _edit_notebook(project, break_it)

    proc = cli_here("render", "params/meeting.yaml", cwd=project)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    failed = project / "outputs" / "meeting.failed.ipynb"
    assert lines[0] == (f"error: notebooks/childrens_response_times.ipynb: cell 4 failed: ZeroDivisionError: "
                        f"division by zero (the executed notebook, failing cell marked, is {failed})")
    assert "Traceback" not in proc.stderr
    assert {p.name: p.read_bytes() for p in good.iterdir()} == before
    executed = nbformat.read(failed, as_version=4)
    assert any(o.get("ename") == "ZeroDivisionError" for c in executed.cells for o in c.get("outputs", []))
    assert not list((project / "outputs").glob(".meeting.*")), "temporary folder left behind"


def test_citing_a_figure_nobody_glued_names_it(project):
    def cite_missing(nb):
        nb.cells.append(nbformat.v4.new_markdown_cell("## Extra\n\nThe rate was {{ within_pct }}."))
    _edit_notebook(project, cite_missing)
    with pytest.raises(RenderError) as e:
        warm_render(project / "params" / "meeting.yaml")
    assert str(e.value).endswith(
        "('## Extra') cites 'within_pct', which no code cell glued: glue it first (rl.glue('within_pct', value)) "
        "or correct the name")
    assert not (project / "outputs" / "meeting").exists()


def test_strict_refuses_bad_rows_and_default_lists_them(project):
    rows = [case("A1", "2019-06-03", 10), case("A2", "2020-09-01", 25), case("A3", "2020-02-28")]
    rows[2]["received"] = "31/02/2020"
    write_case_log(project / "cases.csv", rows)
    with pytest.raises(BadRowsError) as e:
        warm_render(project / "params" / "meeting.yaml", strict=True)
    assert e.value.exit_status == 1
    assert "1 row would be excluded and --strict refuses them" in str(e.value)

    out = warm_render(project / "params" / "meeting.yaml").out
    assert (out / "data_quality.csv").read_text().splitlines()[1] == \
        "4,A3,received,31/02/2020,impossible date (no such day),excluded"
    assert "case log of 3 rows, of which 2 were used and 1 excluded as incomplete or inconsistent (the excluded row is" in \
        " ".join((out / "report.html").read_text().split())


def test_clock_from_acknowledgement_says_how_many_fell_back(project):
    rows = [case("A1", "2019-06-03", 10, acknowledged="05/06/2019"), case("A2", "2020-09-01", 25),
            case("A3", "2020-10-01", 5)]
    write_case_log(project / "cases.csv", rows)
    write_params(project / "params" / "meeting.yaml", childrens_params("cases.csv", clock_start="acknowledged"))
    out = warm_render(project / "params" / "meeting.yaml").out
    page = " ".join((out / "report.html").read_text().split())
    assert ("Working days are counted from the date each representation was acknowledged; 2 rows of the case log "
            "have no acknowledgement date and are counted from the date received instead.") in page
    assert json.loads((out / "figures.json").read_text())["clock_fallbacks"]["value"] == 2


# --- --out DIR is the parent, and a render never deletes what it did not write ---------------

def _tree(folder):
    """Every file under ``folder`` with its bytes and mtime, to show nothing was touched."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def officers_folder(project):
    """``reports/`` as an officer keeps it: their own files beside where the report will go."""
    reports = project / "reports"
    (reports / "minutes").mkdir(parents=True)
    (reports / "notes.docx").write_bytes(b"my notes")
    (reports / "minutes" / "2021-06.txt").write_text("the minutes", encoding="utf-8")
    return reports


def test_out_is_the_parent_for_one_params_file(project, officers_folder):
    before = _tree(officers_folder)
    proc = cli_here("render", "params/meeting.yaml", "--out", "reports", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (officers_folder / "meeting").iterdir()) == sorted(outputs.OUTPUT_FILES)
    after = _tree(officers_folder)
    assert {k: v for k, v in after.items() if not k.startswith("meeting/")} == before
    assert not list(officers_folder.glob(".meeting.*")), "temporary folder left behind"


def test_a_batch_renders_into_one_parent_and_carries_on_past_a_failure(project, officers_folder):
    write_params(project / "params" / "second.yaml", childrens_params("cases.csv"))
    write_params(project / "params" / "broken.yaml", childrens_params("missing.csv"))
    before = _tree(officers_folder)
    proc = cli_process("render", "params/meeting.yaml", "params/broken.yaml", "params/second.yaml", "--out", "reports",
               cwd=project)
    assert proc.returncode == 2
    assert (officers_folder / "meeting" / "report.pdf").is_file()
    assert (officers_folder / "second" / "report.html").is_file()
    assert not (officers_folder / "broken").exists()
    assert {k: v for k, v in _tree(officers_folder).items() if k.split("/")[0] not in ("meeting", "second")} == before
    assert "FAILED params/broken.yaml: missing.csv: case log not found" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "2 of 3 reports rendered; 1 failed"


def test_an_earlier_render_is_replaced(project, officers_folder):
    first = warm_render(project / "params" / "meeting.yaml", out=officers_folder).out
    old_manifest = json.loads((first / "manifest.json").read_text())
    again = warm_render(project / "params" / "meeting.yaml", out=officers_folder).out
    assert again == first == officers_folder / "meeting"
    assert json.loads((again / "manifest.json").read_text())["started_at"] >= old_manifest["started_at"]
    assert (officers_folder / "notes.docx").read_bytes() == b"my notes"


@pytest.mark.parametrize("setup, says", [
    (lambda d: (d.mkdir(), (d / "agenda.docx").write_bytes(b"mine")),
     "holds 'agenda.docx', which reportlib did not write"),
    (lambda d: d.mkdir(), "has no manifest.json from an earlier render"),
    (lambda d: d.write_bytes(b"a file, not a folder"), "exists and is not a report folder"),
], ids=["folder of the officer's files", "empty folder", "a file"])
def test_a_folder_that_is_not_an_earlier_render_is_left_untouched(project, officers_folder, setup, says):
    target = officers_folder / "meeting"
    setup(target)
    before = _tree(officers_folder) if target.is_dir() else {"file": target.read_bytes()}
    proc = cli_here("render", "params/meeting.yaml", "--out", "reports", cwd=project)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"error: {target}: {says}; reportlib "
        + ("will not replace it: move it, or choose another --out" if "not a report folder" in says
           else "replaces only its own report folders: move those files, or choose another --out")]
    assert (_tree(officers_folder) if target.is_dir() else {"file": target.read_bytes()}) == before
    assert not list(officers_folder.glob(".meeting.*"))


def test_an_earlier_render_with_an_officers_file_added_is_left_untouched(project, officers_folder):
    out = warm_render(project / "params" / "meeting.yaml", out=officers_folder).out
    (out / "my comments.txt").write_text("keep me", encoding="utf-8")
    before = _tree(officers_folder)
    proc = cli_here("render", "params/meeting.yaml", "--out", "reports", cwd=project)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"error: {out}: holds 'my comments.txt', which reportlib did not write; reportlib "
                                   "replaces only its own report folders: move those files, or choose another --out")
    assert _tree(officers_folder) == before


def test_a_forged_manifest_is_not_enough(project, officers_folder):
    target = officers_folder / "meeting"
    target.mkdir()
    (target / "manifest.json").write_text('{"my": "own file"}', encoding="utf-8")
    with pytest.raises(OutputError):
        warm_render(project / "params" / "meeting.yaml", out=officers_folder)
    assert (target / "manifest.json").read_text(encoding="utf-8") == '{"my": "own file"}'


def test_a_failed_notebook_never_replaces_an_officers_file(project):
    outputs = project / "outputs"
    outputs.mkdir()
    mine = outputs / "meeting.failed.ipynb"
    mine.write_text("not a notebook of reportlib's", encoding="utf-8")

    def break_it(nb):
        nb.cells.insert(3, nbformat.v4.new_code_cell("1 / 0", metadata={"tags": ["remove-cell"]}))
    _edit_notebook(project, break_it)
    with pytest.raises(RenderError) as e:
        warm_render(project / "params" / "meeting.yaml")
    assert f"({mine} is not reportlib's, so the executed notebook was not kept)" in str(e.value)
    assert mine.read_text(encoding="utf-8") == "not a notebook of reportlib's"


def test_two_params_files_with_one_name_are_refused(project, tmp_path):
    (project / "other").mkdir()
    write_params(project / "other" / "meeting.yaml", childrens_params(str(project / "cases.csv")))
    proc = cli_here("render", "params/meeting.yaml", "other/meeting.yaml", cwd=project)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: params/meeting.yaml and other/meeting.yaml would both render into meeting/: "
                                   "rename one of them, or render them with different --out folders")
    assert not (project / "outputs").exists()


def test_citing_a_part_a_figure_does_not_have_names_it(project):
    def cite_missing_part(nb):
        nb.cells.append(nbformat.v4.new_markdown_cell("## Extra\n\nThe rate was {{ baseline.rate }}."))
    _edit_notebook(project, cite_missing_part)
    with pytest.raises(RenderError) as e:
        warm_render(project / "params" / "meeting.yaml")
    assert str(e.value).endswith("('## Extra') asks for 'rate' of a figure that has no such part: check the name "
                                 "after the dot (or use .get('name', default))")


# --- the case log is read once per render ----------------------------------------------------------

def test_the_kernel_gets_the_validated_cases_not_the_export(project, monkeypatch):
    """The export is read once, in the render's process; the kernel gets the validated cases as Arrow files in its
    private folder (mode 0700), told outside the notebook; the officer's `data` parameter reaches the notebook and
    report.ipynb as the params file gave it; nothing case-level is left anywhere afterwards."""
    import stat

    from reportlib import casedata, kernel

    seen = {}
    original = kernel.Kernel.hand_over

    def spy(self, log, key=None):
        path = original(self, log, key)
        seen["folder"], seen["mode"] = path.parent, stat.S_IMODE(path.parent.stat().st_mode) & 0o777
        seen["files"] = sorted(p.name for p in path.parent.iterdir() if p.suffix == ".arrow")
        return path
    monkeypatch.setattr(kernel.Kernel, "hand_over", spy)
    reads = []
    monkeypatch.setattr(casedata, "read", lambda *a, **k: reads.append(a) or READ(*a, **k))
    out = pipeline.render(project / "params" / "meeting.yaml").out
    assert len(reads) == 1                                        # this process read the export once
    assert seen["files"] == ["cases.arrow", "problems.arrow"] and seen["mode"] == 0o700
    assert not seen["folder"].exists()                            # gone after the render, kernel files and all
    executed = nbformat.read(out / "report.ipynb", as_version=4)
    injected = next(c.source for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'data = "cases.csv"' in injected                       # the params as given: never rewritten
    assert "arrow" not in (out / "report.ipynb").read_text() and "reportlib-kernel" not in injected
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["inputs_sha256"]["validated cases handed to the kernel"]) == 64
    assert sorted(p.name for p in out.iterdir()) == sorted(outputs.OUTPUT_FILES)   # no case-level file in the folder


from reportlib import casedata as _casedata  # noqa: E402

READ = _casedata.read


def test_open_report_takes_the_handed_over_cases_without_reading_the_export(project, monkeypatch, tmp_path):
    from reportlib import casedata, handover, session
    from factory import childrens_params

    log = casedata.load(casedata.Source(str(project / "cases.csv")))
    handed = handover.write(log, tmp_path)
    monkeypatch.setattr(casedata, "read", lambda *a, **k: pytest.fail("the export was read again"))
    namespace = childrens_params("cases.csv")
    namespace["meeting_date"] = "2021-01-20"
    import IPython.display
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: None)
    session.receive(str(handed))
    try:
        report = session.open_report(namespace, root=project)
    finally:
        session.receive(None)
    import pandas as pd
    pd.testing.assert_frame_equal(report.log.cases, log.cases)
    assert (report.log.rows_read, report.log.label, report.log.present) == (log.rows_read, log.label, log.present)


@pytest.mark.parametrize("name", ["validated-cases.pickle", "cases.pkl", "cases.csv", "cases.arrow"])
def test_a_pickle_named_as_data_is_refused_and_runs_nothing(project, tmp_path, name, monkeypatch):
    """No file a params file names is ever unpickled or imported: a crafted pickle, under the name the old
    hand-over used or any other, is refused as an unknown format and its payload never runs (the commands run in
    this process: a payload that ran would have written its file)."""
    import pickle

    from click.testing import CliRunner

    from reportlib import casedata
    from reportlib.cli import main

    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))
    crafted = project / name
    crafted.write_bytes(pickle.dumps(Payload()))
    write_params(project / "params" / "crafted.yaml", childrens_params(name))
    monkeypatch.chdir(project)
    lend_the_warm_kernel(monkeypatch)  # a render refused at its inputs then starts no kernel at all
    for command in (["validate", "params/crafted.yaml"], ["render", "params/crafted.yaml"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"error: {name}: ") and "Traceback" not in result.stderr
    with pytest.raises(casedata.DataError):
        casedata.load(casedata.Source(str(crafted)))
    assert not marker.exists()


def test_a_render_collects_garbage_less_often_while_it_runs_and_as_before_after(project, monkeypatch):
    import gc

    during = []
    original = pipeline.prepare
    monkeypatch.setattr(pipeline, "prepare", lambda *a, **k: during.append(gc.get_threshold()) or original(*a, **k))
    before = gc.get_threshold()
    assert before != pipeline.GC_THRESHOLDS
    warm_render(project / "params" / "meeting.yaml")
    (project / "params" / "broken.yaml").write_text("title: [\n")
    with pytest.raises(ParamsError):
        warm_render(project / "params" / "broken.yaml")
    assert during == [pipeline.GC_THRESHOLDS, pipeline.GC_THRESHOLDS]
    assert gc.get_threshold() == before


def test_the_kernel_freezes_what_it_imported_and_collects_the_rest_as_usual():
    code = ("import gc; before = gc.get_threshold(); import reportlib.session as s; s.preload(); "
            "print(gc.get_freeze_count() > 10_000, gc.get_threshold() == before)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_the_reportlib_program_skips_the_last_collections_as_it_exits(project):
    """The program freezes what it made before Python exits (its final collections skip frozen objects); it
    still exits with the command's status and says what it said."""
    code = ("import atexit, gc, sys; atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0)); "
            "sys.argv = ['reportlib', 'validate', 'params/meeting.yaml']; from reportlib.cli import command; command()")
    out = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "frozen True" and "rows read" in out.stdout
    from importlib.metadata import entry_points
    assert [e.value for e in entry_points(group="console_scripts", name="reportlib")] == ["reportlib.cli:command"]
