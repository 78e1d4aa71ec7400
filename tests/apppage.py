"""The officer's page in a real browser, shared by tests/test_app_browser.py and tests/test_app_access.py: a
project of our own, ``reportlib app`` running in it, and the steps an officer takes."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from factory import REPO, case, write_case_log

A11Y = REPO / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
LIMIT_MB = 2  # the sample case log (1.4 MB) fits; a 3 MB one does not
CHILDRENS = "childrens_response_times"


def make_project(folder: Path) -> Path:
    """A project of our own: the notebooks, the sample case log and params files, an exports folder."""
    shutil.copytree(REPO / "notebooks", folder / "notebooks")
    (folder / "data").mkdir()
    shutil.copy(REPO / "data" / "sample_case_log.csv", folder / "data")
    (folder / "params").mkdir()
    for name in ("sample_childrens_response_times", "sample_complaints_performance", "sample_annual_report"):
        shutil.copy(REPO / "params" / f"{name}.yaml", folder / "params")
    (folder / "exports").mkdir()
    rows = [case("C1", "2020-05-01", 5, notes="PERSONAL note about Ms Example"),
            {**case("C2", "2020-05-02", 5, notes="PERSONAL"), "received": "31/02/2020"},
            case("C3", "2020-06-10", 25, kind="praise")]
    write_case_log(folder / "exports" / "june-export.csv", rows)
    return folder


class App:
    """``reportlib app`` in a process of its own (a session of its own, as a terminal's), on a free port, with a
    temporary folder of its own so that what it leaves there can be seen."""

    def __init__(self, project: Path, tmp: Path, limit: int | None = LIMIT_MB):
        self.project, self.tmp = project, tmp
        tmp.mkdir(exist_ok=True)
        env = {**os.environ, "TMPDIR": str(tmp)}
        limits = ["--max-upload", str(limit)] if limit else []  # None: the default, 200 MB
        self.proc = subprocess.Popen([sys.executable, "-m", "reportlib.cli", "app", "--port", "0", "--no-browser",
                                      *limits], cwd=project, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True)
        first = self.proc.stdout.readline()
        match = re.search(r"on (http://127\.0\.0\.1:(\d+)/)", first)
        assert match, first + self.proc.stderr.read()
        self.url, self.port = match.group(1), int(match.group(2))

    def get(self, path: str) -> bytes:
        return urllib.request.urlopen(self.url + path.lstrip("/"), timeout=30).read()

    def stop(self, signum=signal.SIGINT, group: bool = True) -> tuple[int, str]:
        if group:  # Ctrl-C in a terminal: the whole foreground process group gets SIGINT
            os.killpg(self.proc.pid, signum)
        else:
            self.proc.send_signal(signum)
        out, err = self.proc.communicate(timeout=90)
        return self.proc.returncode, out + err


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    # A fixed name, as the page shows it in its header (and the screenshots show the page).
    return make_project(tmp_path_factory.mktemp("x") / "council-papers")


@pytest.fixture(scope="module")
def app(project, tmp_path_factory):
    running = App(project, tmp_path_factory.mktemp("tmp"))
    yield running
    if running.proc.poll() is None:
        running.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="en-GB",
                                  bypass_csp=True)  # axe is injected
    page = context.new_page()
    yield page
    context.close()


def open_form(page, app, report=CHILDRENS):
    page.goto(app.url)
    page.get_by_role("link", name="Make a new paper").click()
    page.get_by_label("Report", exact=True).select_option(report)
    page.get_by_role("button", name="Choose this report").click()
    page.wait_for_selector("#paper-form")


def make_paper(page, timeout=120_000, meanwhile=None) -> str:
    """Press "Make the paper" and wait for the paper's page (``meanwhile()`` runs first, as the paper is made);
    the paper's name."""
    page.get_by_role("button", name="Make the paper").click(no_wait_after=True)
    if meanwhile is not None:
        meanwhile()
    page.wait_for_url(re.compile(r"/papers/[^/]+\?made=1$"), timeout=timeout)
    return page.url.rsplit("/", 1)[1].split("?")[0]


def axe(page) -> list:
    if not A11Y.is_file():
        pytest.skip("axe-core is not installed (npm ci --prefix tests/a11y)")
    # The page as it has settled (loaded, its web fonts in, laid out), and a violation is what it still shows a
    # second later: once in six whole-suite runs on a loaded machine, a scan of the form with errors found three
    # targets overlapping (the skip link, a button, a date box) that reruns of the test, under load too, never did.
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(A11Y))
    found = _scan(page)
    if found:
        page.wait_for_timeout(1000)
        found = _scan(page)
    return found


def _scan(page) -> list:
    return page.evaluate("""async () => {
        await document.fonts.ready;
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        const out = await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}});
        return out.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}));
    }""")


def no_sideways_scroll(page) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    wide = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1000, "height": 900})
    assert wide <= 320, page.url
