"""The files a render makes from one rendered report: one small exporter per format.

A render executes the notebook once and turns it into the committee paper's HTML once
(:func:`reportlib.render.to_html`). That page, what the render collected from the notebook
(params, figures) and the executed notebook itself are a :class:`Rendered`; every output
format is made from it, so the Word and Excel files say what the HTML and PDF say, with no
second template to keep in step. :attr:`Rendered.document` is the paper read back from its HTML
into headings, numbered paragraphs, lists, figures and tables (:mod:`.document`).

Each format is a module of this package with the same shape::

    FILE = FORMAT_FILES["docx"]                      # the file it writes in the report folder
    def write(report: Rendered, target: Path) -> None

and is named, with its file, in :data:`reportlib.vocabulary.FORMAT_FILES` (so naming a report folder's files loads
no renderer). A new format of reportlib's own is a new module and one more entry there; a project's own format is
a module it registers (:func:`register`).
The modules load their libraries (WeasyPrint, python-docx, gptables) only when they write.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType
from typing import Any

from .. import vocabulary
from ..errors import xml_safe  # noqa: F401 - this module's API (the exporters')
from ..vocabulary import (DEFAULT_FORMATS, FORMAT_FILES, FORMATS, check_formats,  # noqa: F401 - this module's API
                          known_formats)

_MODULES: dict[str, ModuleType] = {}  # the formats a project registered

def exporter(name: str) -> ModuleType:
    """The module that writes format ``name`` (its ``FILE`` and ``write``)."""
    if name in _MODULES:
        return _MODULES[name]
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}: use {', '.join(known_formats())}")
    return importlib.import_module(f"{__name__}.{name}")


def files() -> dict[str, str]:
    """Each format's file name in the report folder: ``{"html": "report.html", ...}``."""
    return {**FORMAT_FILES, **{name: module.FILE for name, module in _MODULES.items()}}


def register(name: str, module: ModuleType) -> None:
    """Make format ``name`` with ``module`` (its ``FILE`` and ``write(report, target)``), after reportlib's own:
    ``formats: [html, name]`` in a params file, or ``formats=`` of :func:`reportlib.pipeline.render`, asks for it in
    the process that registered it (the project's own script: ``reportlib render`` loads no project code; see
    docs/architecture.md)."""
    if not (isinstance(getattr(module, "FILE", None), str) and callable(getattr(module, "write", None))):
        raise ValueError(f"format {name!r}: its module needs FILE (the file it writes) and write(report, target)")
    if name in FORMATS or name in files().values():
        raise ValueError(f"format {name!r} is reportlib's own")
    _MODULES[name] = module
    if name not in vocabulary._ADDED:
        vocabulary._ADDED.append(name)


@dataclass
class Rendered:
    """One rendered report: what every exporter starts from.

    ``html`` is the committee paper (``report.html``); ``collected`` is what the render
    collected from the notebook (``params``, ``figures``, ``cited``, ``has_appendix``);
    ``notebook`` is the executed notebook (its chart outputs carry the PNG that Word shows).
    """

    html: str
    collected: dict = field(default_factory=dict)
    notebook: Any = None
    where: str = "notebook"

    @cached_property
    def document(self):
        """The paper read back from its HTML: :class:`reportlib.formats.document.Document`."""
        from .document import parse

        return parse(xml_safe(self.html))

    @property
    def params(self) -> dict:
        return self.collected.get("params") or {}

    @property
    def figures(self) -> dict:
        return self.collected.get("figures") or {}

    @cached_property
    def chart_pngs(self) -> dict[str, bytes]:
        """Each chart's PNG rendition by its SVG (the SVG is what the HTML shows, so it finds the PNG)."""
        import base64

        from ..charts import CHART_MIME

        found: dict[str, bytes] = {}
        for cell in getattr(self.notebook, "cells", None) or []:
            for out in cell.get("outputs", []):
                chart = out.get("data", {}).get(CHART_MIME)
                if chart and chart.get("png"):
                    found[chart["svg"]] = base64.b64decode(chart["png"])
        return found

    @property
    def timestamp(self) -> dt.datetime:
        """The one date written inside the Word and Excel files (their zip entries and core properties): midnight
        (UTC) of the meeting date, so the same inputs give the same bytes."""
        try:
            day = dt.date.fromisoformat(str(self.params.get("meeting_date")))
        except ValueError:
            day = dt.date(2000, 1, 1)
        return dt.datetime(max(day.year, 1980), day.month, day.day, tzinfo=dt.timezone.utc)


def reproducible_zip(data: bytes, when: dt.datetime, replace: dict[str, bytes] | None = None) -> bytes:
    """The same zip (an OOXML package) with every entry dated ``when``, in the same order, with the same
    permissions: the bytes depend only on the contents. ``replace`` gives new contents for entries by name."""
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 0
            dst.writestr(entry, replace.get(info.filename, src.read(info.filename)), compresslevel=6)
    return out.getvalue()
