"""WCAG 2.2 AA, checked by axe-core in a real browser (Debian's Chromium) on both rendered sample reports,
plus: the page makes no request outside itself. Chromium gets the package's fonts (``BROWSER_FONT_ENV``), as every
browser test does: with none at all it lays text out with no font and has crashed doing so.

``./dev test`` installs Chromium and Node.js (as root) and the pinned axe-core in tests/a11y;
where they cannot be installed the test skips, saying what is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BROWSER_FONT_ENV, CHROMIUM

A11Y = Path(__file__).parent / "a11y"


def _missing() -> str | None:
    if not shutil.which("node"):
        return "Node.js is not installed (apt-get install nodejs npm)"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if not (A11Y / "node_modules" / "axe-core").is_dir():
        return "axe-core is not installed (npm ci --prefix tests/a11y)"
    return None


@pytest.fixture(scope="module")
def reports(samples):
    if (why := _missing()) is not None:
        pytest.skip(why)
    return [folder / "report.html" for folder in samples.values()]


def test_no_wcag_violations_and_no_external_requests(reports):
    proc = subprocess.run(["node", str(A11Y / "axe_check.mjs"), *map(str, reports)], capture_output=True,
                          text=True, timeout=300, env={**BROWSER_FONT_ENV, "CHROMIUM": CHROMIUM})
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    violations = [r for r in results if r["id"] != "passes"]
    assert violations == [], json.dumps(violations, indent=2)
    passes = {r["file"]: r["count"] for r in results if r["id"] == "passes"}
    assert len(passes) == len(reports) and all(n >= 15 for n in passes.values()), passes
