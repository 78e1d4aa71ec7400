"""The officer's page for everyone, and when it stops, in Debian's Chromium (Playwright):

- every page: axe-core finds no WCAG 2.2 AA violation, nothing scrolls sideways at 320 CSS px;
- the whole flow works by keyboard alone, with the focus always visible;
- Ctrl-C, SIGTERM or a closed terminal while a paper is being made leaves no process and no temporary file;
- the screenshots in docs/officers/ are what the page looks like (``./dev screenshots`` takes them again).
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest

from apppage import App, app, axe, make_paper, make_project, no_sideways_scroll, open_form, page, project  # noqa: F401
from factory import REPO

pytestmark = pytest.mark.slow
SHOTS = REPO / "docs" / "officers"
#: ``./dev screenshots`` sets this to docs/officers: the screenshots are written there instead of compared.
SHOTS_OUT = os.environ.get("REPORTLIB_SCREENSHOTS_OUT")


# --- accessible -----------------------------------------------------------------------------------------------

def _pages(app, page):
    """Each page of the officer's page, in each of its states: (what it is, a function that shows it)."""
    def form_with_errors():
        open_form(page, app)
        page.get_by_label("Target working days").fill("twenty")
        page.get_by_role("button", name="Check the data").click()
        page.wait_for_selector("#error-summary")

    def checked():
        open_form(page, app)
        page.get_by_label("Export already in the project").select_option("exports/june-export.csv")
        page.get_by_role("button", name="Check the data").click()
        page.wait_for_selector("#checked")

    def paper():
        page.goto(app.url)
        page.locator("ul.papers h3 a").first.click()
    return [("home", lambda: page.goto(app.url)), ("choose a report", lambda: page.goto(app.url + "new")),
            ("the form", lambda: open_form(page, app, "annual_report")), ("errors", form_with_errors),
            ("the check", checked), ("a paper", paper)]


#: What has the focus (its text or value), and whether the focus shows (an outline, the yellow, a shadow).
_FOCUSED = """() => {
    const el = document.activeElement, s = getComputedStyle(el);
    return [el.innerText || el.value || "", (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2)
            || s.backgroundColor === "rgb(255, 221, 0)" || s.boxShadow !== "none"];
}"""


def _tab_to(page, name: str, limit: int = 400) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused, visible = page.evaluate(_FOCUSED)
        assert visible, focused
        if focused.strip().startswith(name):
            return
    raise AssertionError(f"{name!r} not reached by Tab")


def test_the_whole_flow_by_keyboard_alone(app, page):
    page.goto(app.url)
    _tab_to(page, "Make a new paper")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/new$"))
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.id") != "report":
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the second report: complaints_performance
    _tab_to(page, "Choose this report")
    page.keyboard.press("Enter")
    page.wait_for_selector("#paper-form")
    assert page.locator("#paper-form input[name=report]").get_attribute("value") == "complaints_performance"
    contacts = page.locator("#f-contact fieldset").count()
    _tab_to(page, page.get_by_label("Title").input_value())
    page.keyboard.press("Enter")  # Enter in a box checks the data (it never adds an empty group)
    page.wait_for_selector("#checked")
    assert page.locator("#f-contact fieldset").count() == contacts
    page.wait_for_function("document.activeElement.id === 'checked-title'", timeout=10_000)  # the script's focus
    _tab_to(page, "Make the paper")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/papers/.+\?made=1$"), timeout=120_000)
    _tab_to(page, "report.html")


def test_every_page_has_no_wcag_violation_and_no_sideways_scrolling(app, page):
    # the keyboard test, before it, has made a paper in this module's project; alone, this test makes its own
    if not list((app.project / "outputs").glob("*/manifest.json")):  # the paper's page needs a paper
        open_form(page, app)
        make_paper(page)
    for what, show in _pages(app, page):
        show()
        assert axe(page) == [], what
        no_sideways_scroll(page)


# --- stopping ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_stopping_while_a_paper_is_made_leaves_no_process_and_no_temporary_file(tmp_path, browser, signum):
    import psutil

    project = make_project(tmp_path / "project")
    running = App(project, tmp_path / "tmp")
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    try:
        open_form(page, running)
        page.get_by_role("button", name="Make the paper").click(no_wait_after=True)
        deadline = time.monotonic() + 90
        while json.loads(running.get("/progress")).get("step", 0) < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        children = psutil.Process(running.proc.pid).children(recursive=True)
        assert len(children) >= 2, "the render's process and its kernel"
        status, said = running.stop(signum, group=signum != signal.SIGTERM)  # a closed terminal: SIGHUP to all
    finally:
        context.close()
    assert "stopped" in said and "Traceback" not in said, said
    assert status in (0, 128 + signum), said
    deadline = time.monotonic() + 5  # multiprocessing's resource tracker ends when it sees the page has gone
    while (left := [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]) and \
            time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == [], [" ".join(c.cmdline()[:4]) for c in left]
    assert list((tmp_path / "tmp").iterdir()) == []
    assert sorted(p.name for p in (project / "params").iterdir()) == sorted(
        p.name for p in (make_project(tmp_path / "fresh") / "params").iterdir())  # no params file of a paper not made
    outputs = project / "outputs"
    assert not outputs.exists() or [p.name for p in outputs.iterdir()] == []


# --- the screenshots of docs/officers.md --------------------------------------------------------------------------

def _compare(shot: bytes, name: str) -> str | None:
    """None when ``shot`` looks like the committed docs/officers/<name> (same size, at most 1% of pixels
    visibly different), else why not."""
    import io

    from PIL import Image, ImageChops

    committed = SHOTS / name
    if not committed.is_file():
        return f"{committed} is missing"
    a, b = Image.open(io.BytesIO(shot)).convert("RGB"), Image.open(committed).convert("RGB")
    if a.size != b.size:
        return f"{name}: {a.size} now, {b.size} committed"
    diff = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 48 else 0)
    changed = sum(diff.histogram()[255:]) / (a.size[0] * a.size[1])
    return None if changed <= 0.01 else f"{name}: {changed:.1%} of its pixels differ"


def test_the_walk_through_screenshots_are_what_the_page_looks_like(tmp_path, browser):
    """docs/officers.md's screenshots, taken afresh in a project of their own and compared with the committed ones
    (``./dev screenshots`` writes them into docs/officers/ instead)."""
    project = make_project(tmp_path / "x" / "council-papers")
    running = App(project, tmp_path / "tmp", limit=None)
    context = browser.new_context(viewport={"width": 900, "height": 700}, locale="en-GB")
    page = context.new_page()
    shots: dict[str, bytes] = {}

    def shot(name: str) -> None:  # "when made" is the time the test ran: the pictures show a fixed one
        page.evaluate("document.querySelectorAll('.when').forEach(e => { e.textContent = '20 July 2021 at 09:30'; })")
        shots[name] = page.screenshot()
    try:
        page.goto(running.url)
        shot("1-home.png")
        open_form(page, running)
        shot("2-form.png")
        page.locator("h2", has_text="3. The case log").scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -20)")
        shot("3-case-log.png")
        page.get_by_label("Export already in the project").select_option("exports/june-export.csv")
        page.get_by_role("button", name="Check the data").click()
        page.evaluate("window.scrollTo(0, 0)")
        shot("4-check.png")
        page.evaluate("document.getElementById('f-baseline_year').closest('.form-group').scrollIntoView();"
                      "window.scrollBy(0, -20)")
        shot("5-error.png")
        open_form(page, running)
        make_paper(page)
        shot("6-made.png")
        page.goto(running.url)
        shot("7-papers.png")
    finally:
        context.close()
        running.stop()
    if SHOTS_OUT:
        out = Path(SHOTS_OUT)
        out.mkdir(parents=True, exist_ok=True)
        for name, shot in shots.items():
            (out / name).write_bytes(shot)
        return
    problems = [why for name, shot in shots.items() if (why := _compare(shot, name))]
    assert problems == [], "; ".join(problems) + ": if the page changed on purpose, run ./dev screenshots"
