"""``report.pdf``: the same page as the HTML, A4, tagged PDF/UA-1, printed by WeasyPrint
(:func:`reportlib.render.to_pdf`)."""

from __future__ import annotations

from pathlib import Path

from . import Rendered

FILE = "report.pdf"


def write(report: Rendered, target: Path) -> None:
    from ..render import to_pdf

    to_pdf(report.html, Path(target))
