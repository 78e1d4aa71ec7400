"""A report's output folder: claimed, built beside itself, compared with its manifest, swapped in.

``DIR/<name>/`` is written by one render at a time and only ever replaced whole:

1. :func:`claim` takes the lock ``DIR/.<name>.lock`` (a second render of the same report stops at
   once, naming the first), clears what a killed render of this report left behind, checks that
   the folder may be replaced, and makes the build folder ``DIR/.<name>.XXXXXXXX/`` beside it;
2. the render writes every file into the build folder;
3. :meth:`Claim.publish` checks the folder again and swaps the build folder in.

A folder may be replaced only when it is an earlier render that nobody has changed since: it holds
its ``manifest.json`` and only files a render writes, each still with the SHA-256 the manifest
gives (an officer who edited ``report.docx`` in place keeps the edit: the render stops, naming the
file). Anything else is left exactly as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from . import private
from .errors import OutputError, shown
from .formats import DEFAULT_FORMATS, files as _format_files

#: Each format's file (reportlib.formats: html -> report.html, pdf, docx -> report.docx, xlsx -> tables.xlsx).
FORMAT_FILES = _format_files()
#: The audit trail: written by every render, whatever its formats.
AUDIT_FILES = ("report.ipynb", "figures.json", "data_quality.csv", "manifest.json")
#: What a render writes by default (formats html and pdf).
OUTPUT_FILES = tuple(FORMAT_FILES[f] for f in DEFAULT_FORMATS) + AUDIT_FILES
#: Every file reportlib's own formats may write into a report folder.
REPORT_FILES = frozenset(FORMAT_FILES.values()) | frozenset(AUDIT_FILES)


def report_files() -> frozenset[str]:
    """Every file a render may write into a report folder, registered formats' included."""
    return REPORT_FILES | frozenset(_format_files().values())


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def report_folder(params_file: Path | str, root: Path, out: Path | str | None = None) -> Path:
    """Where a report goes: ``<out>/<params file name>/``, ``out`` defaulting to the project's ``outputs/``."""
    parent = Path(out).resolve() if out else root / "outputs"
    return parent / Path(params_file).stem


def read_manifest(folder: Path) -> dict | None:
    """The manifest of an earlier render in ``folder``, or None when it has none that reportlib wrote."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not {"report", "inputs_sha256", "rows"} <= manifest.keys():
        return None
    return manifest


_ONLY_OURS = "reportlib replaces only its own report folders: move those files, or choose another --out"


def _why_not(folder: Path) -> str | None:
    """Why ``folder`` may not be replaced (None: it is an earlier render, unchanged since)."""
    entries = sorted(folder.iterdir())
    ours = report_files()
    theirs = [e.name for e in entries if e.name not in ours or not e.is_file() or e.is_symlink()]
    if theirs:
        return f"holds {shown(theirs[0])}, which reportlib did not write; {_ONLY_OURS}"
    manifest = read_manifest(folder)
    if manifest is None:
        return f"has no manifest.json from an earlier render; {_ONLY_OURS}"
    files = manifest.get("files")
    if not isinstance(files, dict):  # an older render's manifest, from before it listed its files
        return None
    for entry in entries:
        if entry.name == "manifest.json":
            continue
        if entry.name not in files:
            return f"holds {shown(entry.name)}, which the last render did not write; {_ONLY_OURS}"
        if sha256(entry) != files[entry.name]:
            return (f"{entry.name} was changed after reportlib wrote it; to keep your changes, move {entry.name} "
                    f"out of the folder, then render again; to discard them, delete {entry.name}")
    return None


def check_target(out: Path) -> None:
    """Refuse to replace ``out`` unless it is the folder of an earlier render, unchanged since (SPEC: a render
    never deletes or replaces what it did not write, or what an officer changed since)."""
    if not out.exists() and not out.is_symlink():
        return
    if out.is_symlink() or not out.is_dir():
        raise OutputError(f"{out}: exists and is not a report folder; reportlib will not replace it: "
                          "move it, or choose another --out")
    why = _why_not(out)
    if why:
        raise OutputError(f"{out}: {why}")


def _leftovers(parent: Path, name: str) -> list[Path]:
    """What killed renders of report ``name`` left in ``parent``: its build folders and replaced folders."""
    mine = re.compile(rf"\.{re.escape(name)}\.(build|old)-\w+")
    return [p for p in parent.iterdir() if mine.fullmatch(p.name) and p.is_dir() and not p.is_symlink()]


class Claim:
    """One render's hold on a report folder: the lock on its name, and its build folder."""

    def __init__(self, out: Path):
        self.out = out
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._lock = private.locked(out.parent / f".{out.name}.lock")
        try:
            self._lock.__enter__()
        except private.Busy as e:
            raise OutputError(f"{out}: another reportlib render (process {e.owner or 'unknown'}) is writing this "
                              "report now; wait for it to finish, then render again") from None
        try:
            for left in _leftovers(out.parent, out.name):  # we hold the lock: their render is dead
                shutil.rmtree(left, ignore_errors=True)
            check_target(out)
            self.build = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise

    def publish(self) -> None:
        """Put the finished build folder in place of the report folder (an earlier render, checked again now)."""
        check_target(self.out)
        os.chmod(self.build, 0o755)
        old = None
        if self.out.exists():
            old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
            os.rename(self.out, old)
        os.rename(self.build, self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def release(self) -> None:
        """Let go of the report folder: the build folder goes (if it was not published), then the lock."""
        if self.build.exists():
            shutil.rmtree(self.build, ignore_errors=True)
        self._lock.__exit__(None, None, None)


def failed_notebook(out: Path) -> Path:
    """Where a failed render keeps its executed notebook: ``DIR/<name>.failed.ipynb``, beside the report."""
    return out.parent / f"{out.name}.failed.ipynb"


def _failed_notebook_ours(path: Path) -> bool:
    """Whether ``path`` is a failed notebook an earlier render kept (Papermill's metadata in it)."""
    try:
        return "papermill" in json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return False


def keep_failed(executed: Path, out: Path) -> Path | None:
    """Copy the failed notebook beside the report folder, unless that would replace a file of the user's."""
    copy = failed_notebook(out)
    if copy.exists() and not _failed_notebook_ours(copy):
        return None
    shutil.copyfile(executed, copy)
    return copy


def forget_failed(out: Path) -> None:
    """After a good render: remove the failed notebook an earlier render kept (never a file of the user's)."""
    copy = failed_notebook(out)
    if copy.exists() and _failed_notebook_ours(copy):
        copy.unlink()
