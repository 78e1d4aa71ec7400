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

import atexit
import os
import shutil
import tempfile
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
