"""``reportlib preview``: the page reloads itself after a save, shows what a fresh render shows, shows an error
and recovers, serves 127.0.0.1 only, stops cleanly on Ctrl-C and writes nothing into outputs/.

The end-to-end tests run the real command in a project of our own (a copy of the notebooks, the sample case
log and a params file) and drive Debian's Chromium with Playwright. How fast a save shows is measured in
benchmarks/bench_preview.py, not here.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from factory import REPO, warm_render
from reportlib import notebooks, preview

pytestmark = pytest.mark.slow
PARAMS = "params/sample_childrens_response_times.yaml"
SCRIPT = re.compile(r"<script>.*?</script>", re.S)


def make_project(folder: Path) -> Path:
    """A project folder of our own: the notebooks, the sample case log and the sample params file."""
    shutil.copytree(REPO / "notebooks", folder / "notebooks")
    (folder / "data").mkdir()
    shutil.copy(REPO / "data" / "sample_case_log.csv", folder / "data")
    (folder / "params").mkdir()
    shutil.copy(REPO / PARAMS, folder / "params")
    return folder


def save(path: Path, text: str) -> None:
    """Save as an editor does, and make sure the file looks newer than its pair (file systems can store two
    saves in the same tick)."""
    path.write_text(text, encoding="utf-8")
    later = time.time_ns() + 2_000_000_000
    os.utime(path, ns=(later, later))


class Running:
    """``reportlib preview`` in a process of its own, on a free port."""

    def __init__(self, project: Path):
        self.project = project
        self.proc = subprocess.Popen([sys.executable, "-m", "reportlib.cli", "preview", PARAMS, "--port", "0",
                                      "--no-browser"], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        first = self.proc.stdout.readline()
        match = re.search(r"on (http://127\.0\.0\.1:\d+/)", first)
        assert match, first + self.proc.stderr.read()
        self.url = match.group(1)
        self.wait_for_version(1, timeout=120)

    def status(self) -> dict:
        import json
        return json.load(urllib.request.urlopen(self.url + "status", timeout=10))

    def wait_for_version(self, version: int, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if status["version"] >= version:
                return status
            time.sleep(0.05)
        raise AssertionError(f"no version {version} within {timeout} s: {self.status()}")

    def page(self) -> str:
        return urllib.request.urlopen(self.url, timeout=10).read().decode("utf-8")

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, out + err


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("preview"))
    running = Running(project)
    yield running
    if running.proc.poll() is None:
        running.stop()


def fresh_render(project: Path, tmp: Path) -> str:
    return (warm_render(project / PARAMS, out=tmp).out / "report.html").read_text(encoding="utf-8")


def test_the_page_is_what_a_fresh_render_shows(live, tmp_path):
    page = live.page()
    assert page.count("<script>") == 1 and "new EventSource(\"/events\")" in page
    assert SCRIPT.sub("", page) == fresh_render(live.project, tmp_path)
    assert "reportlib-preview-error" not in page


def test_a_narrative_edit_reloads_the_open_page_without_running_code(live, browser):
    md = live.project / "notebooks" / "childrens_response_times.md"
    page = browser.new_page()
    page.goto(live.url)
    version = live.status()["version"]
    save(md, md.read_text(encoding="utf-8").replace("## Background\n", "## Background\n\nA sentence just saved.\n", 1))
    page.wait_for_function("document.body.innerText.includes('A sentence just saved.')", timeout=30_000)
    assert live.status()["version"] == version + 1
    page.close()
    log = live.proc  # the terminal says what was done: no code ran
    assert log.poll() is None


def test_a_code_edit_runs_again_in_the_warm_kernel_and_equals_a_fresh_render(live, tmp_path):
    md = live.project / "notebooks" / "childrens_response_times.md"
    version = live.status()["version"]
    save(md, md.read_text(encoding="utf-8").replace(
        'rl.glue("stage_words"', 'rl.glue("preview_figure", 41 + 1, "a figure added while previewing")\n'
        'rl.glue("stage_words"', 1).replace("## Background\n", "## Background\n\nThe answer is {{ preview_figure }}.\n", 1))
    live.wait_for_version(version + 1)
    page = live.page()
    assert "The answer is 42." in page
    assert SCRIPT.sub("", page) == fresh_render(live.project, tmp_path)


def test_a_failing_cell_shows_its_error_and_the_next_good_save_recovers(live, browser):
    md = live.project / "notebooks" / "childrens_response_times.md"
    good = md.read_text(encoding="utf-8")
    page = browser.new_page()
    page.goto(live.url)
    version = live.status()["version"]
    save(md, good.replace("import reportlib as rl\n", "import reportlib as rl\n1 / 0\n", 1))
    status = live.wait_for_version(version + 1)
    assert status["error"].startswith("error: notebooks/childrens_response_times.md: cell 3 failed: "
                                      "ZeroDivisionError: division by zero")
    page.wait_for_selector("#reportlib-preview-error", timeout=30_000)
    assert "ZeroDivisionError" in page.inner_text("#reportlib-preview-error")
    assert "Response Times" in page.inner_text("h1")  # the last good report is still below the error
    save(md, good)
    live.wait_for_version(version + 2)
    page.wait_for_function("!document.getElementById('reportlib-preview-error')", timeout=30_000)
    assert live.status()["error"] is None
    page.close()


def test_a_bad_params_file_shows_its_error_and_recovers(live):
    params = live.project / PARAMS
    good = params.read_text(encoding="utf-8")
    version = live.status()["version"]
    save(params, good.replace("target_working_days: 20", "target_working_days: twenty"))
    status = live.wait_for_version(version + 1)
    assert status["error"] == ("error: " + str(params.resolve()) + ": key 'target_working_days': should be a whole "
                               "number, written in figures (got 'twenty')")
    save(params, good)
    assert live.wait_for_version(version + 2)["error"] is None


def test_serves_127_0_0_1_only(live):
    port = int(live.url.rsplit(":", 1)[1].strip("/"))
    others = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)} - {"127.0.0.1"}
    others |= set(subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()) - {"127.0.0.1"}
    for address in sorted(a for a in others if ":" not in a):
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=2).close()
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def _ask(url: str, path: str, host: str, method: str = "GET") -> tuple[int, bytes, dict]:
    import http.client

    port = int(url.rsplit(":", 1)[1].strip("/"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers={"Host": host, "Origin": "http://rebound.example"})
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/", "/status", "/events", "/report.html"])
def test_it_answers_only_its_own_host(live, path):
    """A DNS-rebinding page (its own name pointed at 127.0.0.1) gets 403 and no body: it can read neither the
    report nor /status; the page's own names get an answer; no CORS header is ever sent."""
    port = int(live.url.rsplit(":", 1)[1].strip("/"))
    for host in (f"rebound.example:{port}", "rebound.example", f"127.0.0.1:{port + 1}", f"localhost.example:{port}",
                 ""):
        status, body, headers = _ask(live.url, path, host)
        assert (status, body) == (403, b""), host
        assert not any(h.lower().startswith("access-control") for h in headers)
    if path != "/events":  # a stream: its answer never ends
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
            status, body, headers = _ask(live.url, path, host)
            assert status == 200 and body, host
            assert not any(h.lower().startswith("access-control") for h in headers)
    assert _ask(live.url, path, f"rebound.example:{port}", "POST")[:2] == (403, b"")


def test_ctrl_c_stops_it_kernel_included_and_nothing_is_written_to_outputs(tmp_path):
    import psutil

    project = make_project(tmp_path)
    running = Running(project)
    children = psutil.Process(running.proc.pid).children(recursive=True)
    assert children, "the kernel runs as a child process"
    status, said = running.stop()
    assert status == 0, said
    assert "stopped" in said and "Traceback" not in said
    assert not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children)
    assert not (project / "outputs").exists()
    assert not list(project.rglob("*.failed.ipynb"))


# --- the parts, in this process --------------------------------------------------------------

def test_no_state_leaks_from_one_run_to_the_next(tmp_path):
    project = make_project(tmp_path)
    md = project / "notebooks" / "childrens_response_times.md"
    text = md.read_text(encoding="utf-8")
    save(md, text.replace("report = rl.open_report(globals())\n",
                          "report = rl.open_report(globals())\nleft_behind = 'from the first run'\n", 1))
    p = preview.Preview(project / PARAMS, log=lambda _: None)
    try:
        assert p.refresh() == "ran the notebook"
        save(md, text.replace("report = rl.open_report(globals())\n", "report = rl.open_report(globals())\n"
                              "rl.glue('leaked', 'left_behind' in globals(), 'a name from an earlier run')\n", 1)
             .replace("## Background\n", "## Background\n\nLeaked: {{ leaked }}.\n", 1))
        assert p.refresh() == "ran the notebook"
        assert "Leaked: no." in p.page.html
        assert p.refresh(restart=True) == "restarted the kernel and ran the notebook"
        assert "Leaked: no." in p.page.html
    finally:
        p.close()


def test_what_a_save_changes():
    import nbformat

    def nb(*cells):
        return nbformat.v4.new_notebook(cells=list(cells))
    code = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})
    injected = nbformat.v4.new_code_cell("x = 2", metadata={"tags": ["injected-parameters"]})
    ran = nbformat.v4.new_code_cell("y = x", outputs=[nbformat.v4.new_output("stream", text="out")])
    executed = nb(nbformat.v4.new_markdown_cell("old"), code, injected, ran)
    edited = nb(nbformat.v4.new_markdown_cell("new"), code, nbformat.v4.new_markdown_cell("added"),
                nbformat.v4.new_code_cell("y = x"))
    assert notebooks.code_key(edited) == notebooks.code_key(executed)
    merged = notebooks.with_new_narrative(executed, edited)
    assert [c.source for c in merged.cells] == ["new", "x = 1", "x = 2", "added", "y = x"]
    assert merged.cells[-1].outputs[0].text == "out"
    assert notebooks.code_key(nb(nbformat.v4.new_code_cell("y = x + 1"))) != notebooks.code_key(executed)
    assert preview._restarts({preview.PACKAGE / "stats.py"})
    assert not preview._restarts({preview.PACKAGE / "templates" / "committee" / "index.html.j2"})


def test_a_template_edit_is_seen_on_the_next_render(monkeypatch, tmp_path):
    """The committee template is compiled once per process; the preview asks for it afresh after an edit."""
    from reportlib import render

    template = tmp_path / "committee"
    shutil.copytree(render.COMMITTEE, template)
    monkeypatch.setattr(render, "COMMITTEE", template)
    monkeypatch.setattr(render, "TEMPLATES", tmp_path)
    render.forget_template()
    import nbformat
    from reportlib.narrative import PARAMS_MIME
    said = {"council": "C", "committee": "K", "meeting_date": "2021-07-20", "title": "T", "report_of": "R",
            "contact": []}
    page = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output("display_data", data={PARAMS_MIME: said})]),
        nbformat.v4.new_markdown_cell("Hello.")])
    try:
        assert "Edited title block" not in render.to_html(page)[0]
        index = template / "index.html.j2"
        index.write_text(index.read_text().replace("<header class=\"title-block\">",
                                                   "<header class=\"title-block\">Edited title block"))
        assert "Edited title block" not in render.to_html(page)[0]   # compiled once...
        render.forget_template()
        assert "Edited title block" in render.to_html(page)[0]       # ...until the preview says so
    finally:
        monkeypatch.undo()
        render.forget_template()
