"""The whole suite runs as on a machine with no fonts installed.

Before anything else loads, fontconfig is pointed at a configuration with no font directories
and matplotlib at a fresh, empty cache folder. Every render, kernel and subprocess the tests
start inherits both, so a test can never pass only because this machine happens to have fonts:
the report must get by on the fonts the package ships.

Browser tests (Chromium) need fonts to lay text out at all; they use ``BROWSER_FONT_ENV``,
a fontconfig that knows only the package's own fonts, so what they measure is the same on
every machine too.
"""

from __future__ import annotations

import ast
import atexit
import gc
import os
import re
import shutil
import signal
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE_FONTS = REPO / "reportlib" / "templates" / "committee" / "static" / "fonts"

_HOME = Path(tempfile.mkdtemp(prefix="reportlib-tests-fonts-"))
atexit.register(shutil.rmtree, _HOME, True)  # the suite leaves nothing in the temporary folder


def fontconfig_file(name: str, *font_dirs: Path) -> Path:
    """A fontconfig file listing only ``font_dirs`` (none: a machine without fonts), with its own cache."""
    dirs = "".join(f"<dir>{d}</dir>" for d in font_dirs)
    path = _HOME / f"{name}.conf"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    f"<fontconfig>{dirs}<cachedir>{_HOME / (name + '-cache')}</cachedir></fontconfig>\n",
                    encoding="utf-8")
    return path


BARE_FONTCONFIG = fontconfig_file("bare")
os.environ["FONTCONFIG_FILE"] = str(BARE_FONTCONFIG)
os.environ.pop("FONTCONFIG_PATH", None)
os.environ["MPLCONFIGDIR"] = str(_HOME / "matplotlib")

# A shell starts a background job (``./dev test &``, some CI runners) with Ctrl-C ignored, and the programs the suite
# starts would inherit that: the tests of what Ctrl-C does would then see nothing happen. Handled here, the programs
# start with Ctrl-C as a terminal gives it (an exec resets a handler, not an ignore).
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

#: The environment for a browser: only the package's fonts.
BROWSER_FONT_ENV = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file("package-only", PACKAGE_FONTS))}

#: Debian's Chromium, driven by Playwright for Python (no browser download is possible or needed).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium that knows only the package's fonts; the test skips, saying why, without one."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright for Python is not installed (pip install -e '.[dev]')")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=BROWSER_FONT_ENV)
        try:
            yield chromium
        finally:
            chromium.close()


#: Every sample meeting of the repository, and the formats the shared renders of them are made in: every format for
#: one sample of each report type (``factory.REPORT_SAMPLES``), the page and the PDF for the others (the annual
#: report's other scopes: the same notebook, Word and Excel made by the same code).
SAMPLE_PARAMS = sorted((REPO / "params").glob("sample_*.yaml"))
ALL_FORMATS = ("html", "pdf", "docx", "xlsx")


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> dict[str, Path]:
    """Every sample report rendered once for the whole run (in the formats :data:`SAMPLE_PARAMS` says): its params
    file's stem -> its report folder. Tests only read them (a test that changes a report folder renders its own).

    Under pytest-xdist the workers share them: each renders the samples no other worker has taken (a lock a
    sample), then waits for the rest, so the five renders are made once, side by side, not once a module. Each
    worker renders in its warm kernel (``factory.warm_render``), which makes the paper a fresh kernel makes
    (tests/test_consistency.py holds it to that, byte for byte)."""
    import fcntl

    from factory import REPORT_SAMPLES, warm_render

    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "samples"  # this run's own
    shared.mkdir(exist_ok=True)

    def made(params: Path, wait: bool) -> bool:
        with open(shared / f"{params.stem}.lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                return False  # another worker is making it
            done = shared / f"{params.stem}.done"
            if not done.exists():
                warm_render(params, out=shared,
                            formats=ALL_FORMATS if params.stem in REPORT_SAMPLES else ("html", "pdf"))
                done.touch()
            return True

    for params in [p for p in SAMPLE_PARAMS if not made(p, wait=False)]:
        made(params, wait=True)
    return {p.stem: shared / p.stem for p in SAMPLE_PARAMS}


@pytest.fixture(scope="session", autouse=True)
def _stop_the_warm_kernel():
    """The warm kernel of the in-process renders (``factory.warm_kernel``) stops with the run, folder and all."""
    yield
    import factory

    factory.stop_warm_kernel()


# ------------------------------------------------------------------------------------ the fast lane

#: What makes a test slow (seconds, not milliseconds): it renders a whole report, starts a program (a reportlib
#: command, a kernel, JupyterLab) or a browser, itself or through a fixture it uses.
_SLOW = re.compile(r"pipeline\.render|warm_render\(|render_log\(|render_many\(|\bcli\(|cli_here\(\"render\"|subprocess\.|"
                   r"Popen\(|\bKernel\(|sync_playwright|\bbrowser\b")


@lru_cache(maxsize=None)
def _functions(path: Path) -> dict[str, str]:
    """The source of every function in a test module, by name (fixtures included)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    return {node.name: "\n".join(lines[node.lineno - 1:node.end_lineno]) for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def pytest_collection_modifyitems(config, items):
    """Mark ``slow`` every test that renders, starts a program or a browser (itself or through a fixture it uses,
    from its module or this file), so ``./dev test --fast`` (``-m "not slow"``) runs in seconds what is left: the
    pure layer, reading and checking, every module's own logic."""
    shared = _functions(Path(__file__))
    for item in items:
        if item.get_closest_marker("slow") or not hasattr(item, "function"):
            continue
        own = {**shared, **_functions(Path(item.path))}
        todo, seen = [item.function.__name__, *getattr(item, "fixturenames", ())], set()
        while todo:  # the test, its fixtures, and the functions of its module or this file they call
            name = todo.pop()
            if name in seen or name not in own:
                continue
            seen.add(name)
            if _SLOW.search(own[name]):
                item.add_marker(pytest.mark.slow)
                break
            todo.extend(re.findall(r"\b(\w+)\(", own[name]))


# ------------------------------------------------------------------------------------ the collector

#: How often a worker collects garbage between renders (Python's default: 700, 10, 10). A render sets its own
#: (``reportlib.pipeline.GC_THRESHOLDS``) while it runs, and these again after.
TEST_GC_THRESHOLDS = (10_000, 20, 50)


def pytest_collection_finish(session):
    """What collection imported (pandas, matplotlib, WeasyPrint, nbconvert, every test module) lives for the whole
    run: frozen, the collector no longer walks it, and it walks the rest less often. Measured on test_pages,
    test_annual, test_sentences and test_charts: the collector's time from 7.8 to 3.8 CPU-seconds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*TEST_GC_THRESHOLDS)
