"""The meetings a project has had (its params files), the next one's details, and the files the page keeps.

- :func:`history` reads every params file in ``params/`` as written (not checked: a file the check
  would refuse still says when its meeting was) and :func:`latest` picks the newest of a report;
- :func:`moved_on` is the next meeting's details: each date key and financial-year key moves on by
  what it moved between the last two meetings of the report (a date by whole months when both ends
  fall on the same day of the month, or on month ends; else by days; a financial year by years). A
  key that did not move, or a report with only one meeting so far, keeps its value;
- :func:`save_params` writes the params file ``params/<meeting date>-<report>.yaml`` (``-2``, ``-3``
  ... when that name is taken: a file is never overwritten) and :func:`keep_upload` copies an uploaded
  case log into the exports folder under a name of its own, so the params file names a file that
  stays.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from .. import paramfile, params as params_mod, periods
from ..errors import ParamsError

#: The suffixes of case-log files the exports folder lists (what reportlib.casedata reads).
CASE_LOG_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".db", ".sqlite", ".sqlite3")


@dataclass(frozen=True)
class Meeting:
    """One params file as written: its path, report and meeting date."""

    path: Path
    report: str
    date: dt.date
    raw: dict


def _read(path: Path) -> dict | None:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=paramfile.Loader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return raw if isinstance(raw, dict) else None


def history(params_dir: Path) -> list[Meeting]:
    """Every params file in ``params_dir`` that names a report and a meeting date, oldest meeting first."""
    found = []
    for path in sorted(params_dir.glob("*.yaml")) if params_dir.is_dir() else []:
        raw = _read(path)
        if raw is None or not isinstance(raw.get("notebook"), str):
            continue
        try:
            date = params_mod.parse_date(raw.get("meeting_date"))
        except ValueError:
            continue
        found.append(Meeting(path, raw["notebook"], date, raw))
    return sorted(found, key=lambda m: (m.date, m.path.stat().st_mtime_ns, m.path.name))


def latest(params_dir: Path, report: str) -> tuple[Meeting | None, Meeting | None]:
    """The last meeting of ``report`` and the one before it (None where there is none)."""
    mine = [m for m in history(params_dir) if m.report == report]
    return (mine[-1] if mine else None), (mine[-2] if len(mine) > 1 else None)


# --- moving dates on -------------------------------------------------------------------------------------------

def _month_end(d: dt.date) -> bool:
    return d.day == calendar.monthrange(d.year, d.month)[1]


def _add_months(d: dt.date, months: int, to_month_end: bool) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if to_month_end else min(d.day, last))


def move_date(before: dt.date, last: dt.date) -> dt.date:
    """The next date in the series ``before``, ``last``: as far on from ``last`` as ``last`` is from ``before``."""
    months = (last.year - before.year) * 12 + last.month - before.month
    if months and (last.day == before.day or (_month_end(last) and _month_end(before))):
        return _add_months(last, months, _month_end(last) and _month_end(before))
    return last + (last - before)


def _kind_of(field_info) -> str | None:
    """"date" or "year" for a key holding one date or one financial year, else None."""
    from .form import _unwrap

    annotation, metadata, _ = _unwrap(field_info.annotation, list(field_info.metadata))
    funcs = {getattr(m, "func", None) for m in metadata}
    if params_mod.parse_date in funcs or annotation is dt.date:
        return "date"
    if params_mod.financial_year in funcs:
        return "year"
    return None


def moved_on(model, last: Mapping[str, Any], before: Mapping[str, Any] | None) -> tuple[dict, list[str]]:
    """``last`` meeting's params with each date and financial-year key moved on by one meeting cycle (see the
    module's docstring), and the keys that moved."""
    values, moved = dict(last), []
    if before is None:
        return values, moved
    for key, info in model.model_fields.items():
        kind = _kind_of(info)
        if kind is None or key not in last or key not in before:
            continue
        try:
            if kind == "date":
                a, b = params_mod.parse_date(before[key]), params_mod.parse_date(last[key])
                new: Any = move_date(a, b) if a != b else b
            else:
                a, b = periods.parse_fy(before[key]), periods.parse_fy(last[key])
                new = periods.fy_label(b + (b - a)) if a != b else last[key]
        except (ValueError, TypeError):
            continue
        if (new if kind == "date" else str(new)) != (b if kind == "date" else str(last[key])):
            values[key] = new
            moved.append(key)
    return values, moved


# --- files the page writes ---------------------------------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "case-log"


def _exclusive(folder: Path, stem: str, suffix: str, write) -> Path:
    """Write a new file ``folder/stem<suffix>`` (``stem-2``, ``stem-3`` ... when taken) with ``write(handle)``."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        path = folder / f"{stem}{'' if n == 1 else f'-{n}'}{suffix}"
        try:
            with path.open("xb") as handle:
                try:
                    write(handle)
                except BaseException:
                    path.unlink(missing_ok=True)
                    raise
            return path
        except FileExistsError:
            n += 1


def _plain(value: Any) -> Any:
    """Values as YAML writes them plainly: mappings and lists (dates stay dates: ``2021-07-20``, unquoted)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def params_text(mapping: Mapping[str, Any], made_from: str | None) -> str:
    """The params file's text: a comment saying where it came from, then its keys as a params file writes them."""
    made_from = " ".join(str(made_from).split()) if made_from else None  # one line: a comment, never a key
    head = ["# Made on the officer's page (reportlib app)" + (f" from {made_from}" if made_from else "") + "."]
    body = yaml.safe_dump(_plain(dict(mapping)), sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=100)
    return "\n".join(head) + "\n" + body


def save_params(params_dir: Path, mapping: Mapping[str, Any], made_from: str | None = None) -> Path:
    """Write ``params/<meeting date>-<report>.yaml``, never over a file that exists."""
    try:
        date = params_mod.parse_date(mapping.get("meeting_date")).isoformat()
    except ValueError:
        raise ParamsError("key 'meeting_date': should be a date like 2020-08-18", key=("meeting_date",)) from None
    text = params_text(mapping, made_from).encode("utf-8")
    return _exclusive(params_dir, f"{date}-{_slug(str(mapping['notebook']))}", ".yaml", lambda f: f.write(text))


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def keep_upload(upload: Path, original_name: str, exports: Path) -> Path:
    """Copy an uploaded case log into ``exports`` under a name of its own (its original name, ``-2`` ... when
    taken by another file; the same bytes under that name already: that file)."""
    stem, suffix = _slug(Path(original_name).stem), Path(original_name).suffix.lower()
    suffix = suffix if suffix in CASE_LOG_SUFFIXES else ".csv"
    digest = sha256(upload)
    for existing in sorted(exports.glob(f"{stem}*{suffix}")) if exports.is_dir() else []:
        if re.fullmatch(rf"{re.escape(stem)}(-\d+)?{re.escape(suffix)}", existing.name) and existing.is_file() \
                and not existing.is_symlink() and existing.stat().st_size == upload.stat().st_size \
                and sha256(existing) == digest:
            return existing

    def copy(handle):
        with upload.open("rb") as source:
            shutil.copyfileobj(source, handle, 1 << 20)
    kept = _exclusive(exports, stem, suffix, copy)
    os.chmod(kept, 0o600)  # a case log is personal data: the officer's alone
    return kept


def exports_files(exports: Path) -> list[Path]:
    """The case-log files in the exports folder, newest first."""
    if not exports.is_dir():
        return []
    found = [p for p in exports.iterdir() if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
             and p.suffix.lower() in CASE_LOG_SUFFIXES]
    return sorted(found, key=lambda p: (-p.stat().st_mtime_ns, p.name))
