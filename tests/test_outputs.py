"""The output folder and the render's private folders: nothing an officer changed is replaced, two renders never
race, and a render killed at any moment leaves nothing the next one does not clear."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from factory import REPO, case, childrens_params, cli_here, warm_render, write_case_log, write_params
from reportlib import outputs, private
from reportlib.errors import OutputError

REPORTLIB = [sys.executable, "-m", "reportlib.cli"]


def make_project(folder: Path) -> Path:
    """A project of our own with a params file, and a private temporary folder for its renders."""
    shutil.copytree(REPO / "notebooks", folder / "notebooks", ignore=shutil.ignore_patterns("*.md"))
    (folder / "params").mkdir()
    (folder / "tmp").mkdir()
    rows = [case("A1", "2019-06-03", 10), case("A2", "2020-09-01", 25, reason="Staff absence"),
            case("A3", "2020-10-01", 5)]
    write_case_log(folder / "cases.csv", rows)
    write_params(folder / "params" / "meeting.yaml", childrens_params("cases.csv"))
    return folder


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


@pytest.fixture(scope="module")
def first_render(tmp_path_factory) -> tuple[Path, float]:
    """A project whose report the program has rendered once, and how many seconds that took."""
    folder = make_project(tmp_path_factory.mktemp("rendered"))
    started = time.monotonic()
    result = cli(folder, "render", "params/meeting.yaml")
    assert result.returncode == 0, result.stderr
    return folder, time.monotonic() - started


@pytest.fixture
def rendered(first_render, tmp_path) -> Path:
    """A copy of that project, its report folder as the program left it (an earlier render)."""
    return Path(shutil.copytree(first_render[0], tmp_path / "project"))


def cli(project: Path, *args, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(project / "tmp")}
    return subprocess.run([*REPORTLIB, *args], cwd=project, capture_output=True, text=True, timeout=300, env=env,
                          **kw)


def start(project: Path, *args) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(project / "tmp")}
    return subprocess.Popen([*REPORTLIB, *args], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def tree(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- a render never replaces what an officer changed ------------------------------------------------------------

@pytest.mark.parametrize("change, says", [
    (lambda d: (d / "report.html").write_text("<p>My own edit</p>"),
     "report.html was changed after reportlib wrote it; to keep your changes, move report.html out of the folder, "
     "then render again; to discard them, delete report.html"),
    (lambda d: (d / "data_quality.csv").open("a").write("note from the complaints team\n"),
     "data_quality.csv was changed after reportlib wrote it; to keep your changes, move data_quality.csv out of "
     "the folder, then render again; to discard them, delete data_quality.csv"),
], ids=["edited report", "a note added to data_quality.csv"])
def test_a_file_an_officer_changed_stops_the_render_and_is_kept(rendered, change, says):
    folder = rendered / "outputs" / "meeting"
    change(folder)
    before = tree(folder)
    result = cli_here("render", "params/meeting.yaml", cwd=rendered)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: {folder}: {says}"]
    assert tree(folder) == before
    assert sorted(p.name for p in folder.parent.iterdir()) == ["meeting"]


def test_a_file_an_officer_deleted_is_no_reason_to_stop(rendered):
    (rendered / "outputs" / "meeting" / "report.pdf").unlink()
    warm_render(rendered / "params" / "meeting.yaml")
    assert (rendered / "outputs" / "meeting" / "report.pdf").is_file()


def test_the_manifest_lists_every_file_with_its_hash(rendered):
    folder = rendered / "outputs" / "meeting"
    files = json.loads((folder / "manifest.json").read_text())["files"]
    assert set(files) == {p.name for p in folder.iterdir()} - {"manifest.json"}
    assert all(outputs.sha256(folder / name) == digest for name, digest in files.items())


# --- two renders of one report never race -------------------------------------------------------------------------

def test_a_second_render_of_the_same_report_stops_naming_the_first(project):
    parent = project / "outputs"
    parent.mkdir()
    with private.locked(parent / ".meeting.lock"):
        result = cli_here("render", "params/meeting.yaml", cwd=project)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {parent / 'meeting'}: another reportlib render (process {os.getpid()}) is writing this report "
        "now; wait for it to finish, then render again"]
    assert sorted(p.name for p in parent.iterdir()) == []


@pytest.mark.slow
def test_two_renders_at_once_end_in_a_report_or_one_line_never_a_traceback(project):
    first, second = start(project, "render", "params/meeting.yaml"), start(project, "render", "params/meeting.yaml")
    results = [(p.wait(timeout=300), p.stderr.read()) for p in (first, second)]
    assert sorted(status for status, _ in results) in ([0, 0], [0, 2])
    for status, said in results:
        assert "Traceback" not in said
        if status == 2:
            assert "another reportlib render" in said and len(said.strip().splitlines()) == 1
    assert sorted(p.name for p in (project / "outputs").iterdir()) == ["meeting"]
    outputs.check_target(project / "outputs" / "meeting")  # a whole, unchanged render


def test_a_lock_a_killed_process_left_is_taken_over(tmp_path):
    lock = tmp_path / ".meeting.lock"
    code = (f"import os, reportlib.private as p; c = p.locked({str(lock)!r}); c.__enter__(); "
            "os.kill(os.getpid(), 9)")
    subprocess.run([sys.executable, "-c", code], timeout=60)
    assert lock.exists()                               # left behind by the killed process...
    with private.locked(lock):                         # ...and free for the next
        assert lock.read_text().strip() == str(os.getpid())
    assert not lock.exists()


def test_a_held_lock_is_busy_and_names_its_holder(tmp_path):
    lock = tmp_path / ".meeting.lock"
    with private.locked(lock):
        code = f"import reportlib.private as p\ntry:\n    p.locked({str(lock)!r}).__enter__()\nexcept p.Busy as e:\n    print(e.owner)"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == str(os.getpid())


# --- no litter --------------------------------------------------------------------------------------------------

def leftovers(project: Path) -> tuple[list[str], list[str]]:
    """What is in the output parent besides report folders, and what is in the renders' TMPDIR besides Python's own
    empty probes (:func:`python_probe`)."""
    parent = project / "outputs"
    litter = sorted(p.name for p in parent.iterdir() if p.name != "meeting") if parent.exists() else []
    return litter, sorted(p.name for p in (project / "tmp").iterdir() if not python_probe(p))


def python_probe(path: Path) -> bool:
    """Whether ``path`` is the file Python makes to learn that a temporary folder is writable, the first time a
    process asks for it (``tempfile.gettempdir``): a random name of 8 letters, digits or underscores, holding
    ``blat`` or nothing, removed a moment later unless ``kill -9`` lands in that moment. It holds nothing of a case
    log, and it is not reportlib's to remove (a render removes only what it made)."""
    return (path.is_file() and not path.is_symlink() and re.fullmatch(r"[a-z0-9_]{8}", path.name) is not None
            and path.stat().st_size <= 4 and path.read_bytes() in (b"", b"blat"))


def test_pythons_own_probe_of_the_temporary_folder_is_what_a_kill_may_leave(tmp_path):
    """A process killed between Python's creating and removing its probe leaves exactly what :func:`python_probe`
    knows, and nothing else passes for it."""
    code = ("import os, signal, tempfile\n"
            "os.unlink = lambda path: os.kill(os.getpid(), signal.SIGKILL)\n"
            "tempfile.gettempdir()\n")
    subprocess.run([sys.executable, "-c", code], env={**os.environ, "TMPDIR": str(tmp_path)}, timeout=60)
    [left] = tmp_path.iterdir()
    assert python_probe(left) and left.read_bytes() == b"blat"
    (tmp_path / "cases.csv").write_text("case_ref\nC1\n")
    (tmp_path / "abcd1234").write_text("C1")
    (tmp_path / "reportlib-kernel-x").mkdir()
    assert [p.name for p in sorted(tmp_path.iterdir()) if not python_probe(p)] == [
        "abcd1234", "cases.csv", "reportlib-kernel-x"]


@pytest.mark.slow
def test_a_render_killed_at_any_moment_leaves_nothing_the_next_one_does_not_clear(first_render, rendered):
    """kill -9 at random moments of a render (params checked, kernel starting, notebook running, files written,
    folder swapped), one render after another, each starting among what the last left: then a render leaves the
    output parent holding only the report folder, and the temporary folder holding none of reportlib's (the cases
    handed to the kernel among them)."""
    project, took = rendered, first_render[1]
    pick = random.Random(20261206)
    # one random moment in each quarter of a render: checking, the kernel starting, the notebook running, writing
    moments = [took * (quarter + pick.random()) / 4 for quarter in range(4)]
    for moment in moments:
        proc = start(project, "render", "params/meeting.yaml")
        time.sleep(moment)
        proc.kill()
        proc.wait(timeout=60)
    result = cli(project, "render", "params/meeting.yaml")
    assert result.returncode == 0, (moments, result.stderr)
    assert leftovers(project) == ([], []), moments
    outputs.check_target(project / "outputs" / "meeting")


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_stops_a_render_cleanly(rendered, signum):
    """SIGTERM and SIGHUP end a render as Ctrl-C does: no traceback, the kernel stopped, its private folder and
    the build folder removed, the lock let go, the last good report as it was."""
    import psutil

    project = rendered
    before = tree(project / "outputs")
    proc = start(project, "render", "params/meeting.yaml")
    deadline = time.monotonic() + 60
    while not psutil.Process(proc.pid).children(recursive=True) and time.monotonic() < deadline:
        time.sleep(0.05)
    kernels = psutil.Process(proc.pid).children(recursive=True)
    assert kernels, "the render's kernel started"
    time.sleep(0.5)
    proc.send_signal(signum)
    status = proc.wait(timeout=60)
    said = proc.stderr.read()
    assert status != 0 and "Traceback" not in said, said
    psutil.wait_procs(kernels, timeout=30)
    assert not any(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in kernels)
    assert leftovers(project) == ([], [])
    assert tree(project / "outputs") == before


def test_a_private_folder_is_removed_and_a_dead_ones_swept(tmp_path):
    with private.Folder("test", tmp_path) as folder:
        assert folder.path.stat().st_mode & 0o777 == 0o700
        (folder.path / "cases.arrow").write_bytes(b"x")
        assert private.sweep("test", tmp_path) == []          # alive: kept
    assert list(tmp_path.iterdir()) == []
    code = f"import os, reportlib.private as p; f = p.Folder('test', {str(tmp_path)!r}); os.kill(os.getpid(), 9)"
    subprocess.run([sys.executable, "-c", code], timeout=60)
    [dead] = tmp_path.iterdir()
    assert private.sweep("test", tmp_path) == [dead] and not dead.exists()


def test_check_target_refuses_a_forged_or_changed_folder(tmp_path):
    folder = tmp_path / "meeting"
    folder.mkdir()
    (folder / "report.html").write_text("mine")
    (folder / "manifest.json").write_text(json.dumps({"report": "meeting", "inputs_sha256": {}, "rows": {},
                                                      "files": {"report.html": "0" * 64}}))
    with pytest.raises(OutputError, match="report.html was changed after reportlib wrote it"):
        outputs.check_target(folder)


def test_a_kernel_in_a_deep_temporary_folder_still_starts(project, tmp_path):
    """A socket's path has at most about 100 bytes: in a deep TMPDIR the kernel talks over loopback TCP instead."""
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    env = {**os.environ, "TMPDIR": str(deep)}
    result = subprocess.run([*REPORTLIB, "render", "params/meeting.yaml"], cwd=project, capture_output=True,
                            text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert list(deep.iterdir()) == []
