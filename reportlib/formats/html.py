"""``report.html``: the committee paper as rendered (self-contained, no JavaScript, ``lang="en-GB"``)."""

from __future__ import annotations

from pathlib import Path

from . import FORMAT_FILES, Rendered

FILE = FORMAT_FILES["html"]


def write(report: Rendered, target: Path) -> None:
    Path(target).write_text(report.html, encoding="utf-8")
