"""Finding a case log's header among its first rows, and its canonical columns among the headers."""

from __future__ import annotations

import re
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import DataError, cut
from ..vocabulary import CANONICAL_COLUMNS
from ..rows import COMPLAINANTS

#: Wider than any case log: refused in one line rather than read (a stray cell at XFD1048576, a header of
#: 20,000 fields). Real exports have tens of columns, a few hundred at most.
MAX_COLUMNS = 1_000


REQUIRED = ("case_ref", "kind", "procedure", "received")


HEADER_SEARCH_ROWS = 20


def _norm(header: str) -> str:
    return re.sub(r"[\s\-_]+", "_", str(header).strip().lower())


def resolve_columns(headers: list[str], mapping: Mapping[str, str], label: str) -> dict[str, str]:
    """canonical name -> header in the file, for the canonical columns present."""
    exact = {str(h).strip(): h for h in headers}
    loose = {_norm(h): h for h in headers}
    found: dict[str, str] = {}
    for canon in CANONICAL_COLUMNS:
        if canon in mapping:
            want = str(mapping[canon]).strip()
            header = exact.get(want) or loose.get(_norm(want))
            if header is None:
                raise DataError(
                    f"{label}: column '{want}' (mapped to {canon} under columns: in the params file) is not in the file; "
                    f"its headers are: {_listed(headers)}")
            found[canon] = header
        elif canon in loose:
            found[canon] = loose[canon]
    return found


def _listed(headers: list[str], most: int = 20) -> str:
    """Headers as a message lists them: the first ``most`` (each cut short), and how many more."""
    shown = [cut(h, 40) for h in headers if str(h).strip()]
    return ", ".join(shown[:most]) + (f" and {len(shown) - most:,} more" if len(shown) > most else "")


def _missing_required(found: Mapping[str, str]) -> list[str]:
    return [c for c in REQUIRED if c not in found]


def _likeliest_header(grid: pd.DataFrame, mapping: Mapping[str, str]) -> int:
    """Index of the row among the first ones naming the most canonical (or mapped) columns; 0 on a tie."""
    wanted = [_norm(mapping.get(canon, canon)) for canon in CANONICAL_COLUMNS]
    rows = [{_norm(h) for h in grid.iloc[i].tolist()} for i in range(min(HEADER_SEARCH_ROWS, len(grid)))]
    scores = [sum(w in row for w in wanted) for row in rows]
    return int(np.argmax(scores)) if scores and max(scores) > 0 else 0


def find_header(grid: pd.DataFrame, mapping: Mapping[str, str], label: str) -> int:
    """Index of the header row in a headerless grid (the first row holding every required column)."""
    for i in range(min(HEADER_SEARCH_ROWS, len(grid))):
        headers = [str(h).strip() for h in grid.iloc[i].tolist()]
        try:
            if not _missing_required(resolve_columns(headers, mapping, label)):
                return i
        except DataError:
            continue
    # No row has them all: report against the row most like a header (not a title line above it).
    headers = [str(h).strip() for h in grid.iloc[_likeliest_header(grid, mapping)].tolist()] if len(grid) else []
    found = resolve_columns(headers, mapping, label)  # raises for an unknown mapped header
    missing = _missing_required(found)
    canon = missing[0]
    hint = f"map it under columns: in the params file (e.g. {canon}: Your Header)" if canon not in mapping else ""
    named = f"'{canon}'" if canon not in mapping else f"'{mapping[canon]}' (mapped to {canon} under columns: in the params file)"
    raise DataError(f"{label}: required column {named} is missing; {hint or 'check the export'}")


def says_who(text: np.ndarray, mapping: Mapping[str, str] | None) -> bool:
    """Whether the distinct values of a ``complainant`` column found by its header say who made the
    complaint (:data:`COMPLAINANTS`, or codes mapped under ``values: complainant:``), not who they are."""
    exact = {str(k).strip(): str(v) for k, v in (mapping or {}).items()}
    loose = {str(k).strip().lower(): str(v) for k, v in (mapping or {}).items()}
    allowed = set(COMPLAINANTS) | {""}
    return all(" ".join(exact.get(t, loose.get(t.lower(), t)).lower().split()) in allowed for t in map(str, text))
