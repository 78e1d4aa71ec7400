"""The papers already made: each report folder in ``outputs/`` with the manifest its render wrote.

The home page lists them from their manifests (report, meeting date, when made, rows used and
excluded, the files), and the page serves a paper's files only by the names its manifest lists,
from that folder: never a path a request names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .. import outputs

#: How the page sends each file a render makes: its content type, and whether the browser shows it (else it is
#: downloaded).
CONTENT_TYPES = {
    "report.html": ("text/html; charset=utf-8", True),
    "report.pdf": ("application/pdf", True),
    "report.docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
    "tables.xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    "report.ipynb": ("application/x-ipynb+json", False),
    "figures.json": ("application/json", True),
    "data_quality.csv": ("text/csv; charset=utf-8", False),
    "manifest.json": ("application/json", True),
}
#: What each file is, in the officer's words.
DESCRIPTIONS = {
    "report.html": "the paper as a web page",
    "report.pdf": "the paper as a PDF, for the agenda pack",
    "report.docx": "the paper in Word, to edit",
    "tables.xlsx": "the paper's tables as a workbook",
    "report.ipynb": "the notebook as it ran, for analysts",
    "figures.json": "every figure the paper cites, for the audit trail",
    "data_quality.csv": "the rows left out of the figures, and why",
    "manifest.json": "what the paper was made from",
}


@dataclass(frozen=True)
class Paper:
    """One report folder of ``outputs/`` and its manifest."""

    name: str  # the folder's name: the params file's name without .yaml
    folder: Path
    manifest: dict

    @property
    def report(self) -> str:
        return str(self.manifest.get("params", {}).get("notebook") or self.manifest.get("report") or self.name)

    @property
    def meeting_date(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(str(self.manifest.get("params", {}).get("meeting_date")))
        except ValueError:
            return None

    @property
    def title(self) -> str:
        return str(self.manifest.get("params", {}).get("title") or "")

    @property
    def made(self) -> dt.datetime | None:
        try:
            return dt.datetime.fromisoformat(str(self.manifest.get("started_at")))
        except ValueError:
            return None

    @property
    def rows(self) -> dict:
        rows = self.manifest.get("rows")
        return rows if isinstance(rows, dict) else {}

    @property
    def params_file(self) -> str:
        return str(self.manifest.get("params_file") or "")

    @property
    def files(self) -> list[str]:
        """The files the manifest lists that are in the folder, in the order they were made, manifest last."""
        listed = self.manifest.get("files")
        names = list(listed) if isinstance(listed, dict) else list(outputs.OUTPUT_FILES)
        names = [n for n in names if n in CONTENT_TYPES and n != "manifest.json"] + ["manifest.json"]
        return [n for n in names if (self.folder / n).is_file() and not (self.folder / n).is_symlink()]

    def file(self, name: str) -> Path | None:
        """The file ``name`` of this paper, when its manifest lists it (None otherwise)."""
        return self.folder / name if name in self.files else None


def made(out: Path) -> list[Paper]:
    """Every paper in ``out`` (the project's ``outputs/``), the latest meeting first, then the latest made."""
    found = []
    for folder in out.iterdir() if out.is_dir() else []:
        if folder.name.startswith(".") or not folder.is_dir() or folder.is_symlink():
            continue
        manifest = outputs.read_manifest(folder)
        if manifest is not None:
            found.append(Paper(folder.name, folder, manifest))
    earliest = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return sorted(found, key=lambda p: (p.meeting_date or dt.date.min, p.made or earliest, p.name), reverse=True)


def find(out: Path, name: str) -> Paper | None:
    """The paper whose folder is named ``name``, from the list of papers (never a path made from ``name``)."""
    return next((p for p in made(out) if p.name == name), None)
