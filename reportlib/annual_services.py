"""The annual report's figures by service (SPEC "The annual report", item 14): complaints received, timeliness and
the upheld rate for the largest services and the rest together, and compliments by service.

Pure and vectorised like :mod:`reportlib.annual`, whose counting rules it shares: complaints received are each
complaint once, by the service of its first stage; responses are those sent in the year. Each service is looked up
once and every figure is one count over the rows' codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .annual import (NOT_RECORDED, OTHER_SERVICES, OUTCOMES, WELL_FOUNDED, _column, _first_stages_touching,
                     _in_year, _scoped, largest, refused)
from .figures import Change, Share


@dataclass(frozen=True)
class ServiceLine:
    """One service's complaints: received (each once, by first stage), and its responses sent in the year."""

    service: str
    received: Change       # complaints received, the year before -> the year
    sent: int              # responses sent in the year
    within: Share          # responses sent within the statutory timescale, of those that have one
    upheld_rate: Share     # upheld or partly upheld, of those decided


def _places(values: pd.Series, kept: list[str]) -> np.ndarray:
    """Each row's line: its service's place in ``kept``, else ``len(kept)`` (all other services), or ``len(kept) +
    1`` when blank; each distinct service looked up once (a categorical's by its codes)."""
    codes, distinct = pd.factorize(values)
    place = {name: i for i, name in enumerate(kept)}
    return np.array([place.get(d, len(kept)) for d in distinct] + [len(kept) + 1], dtype=np.intp)[codes]


def _counts(places: np.ndarray, kept: list[str], weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(places, weights, minlength=len(kept) + 2).astype(np.int64)


def _named(kept: list[str], *counts: np.ndarray) -> list[tuple[int, str]]:
    """The lines to show: the services kept, then all other services and not recorded when they have any."""
    rest = [(len(kept) + i, name) for i, name in enumerate((OTHER_SERVICES, NOT_RECORDED))
            if any(c[len(kept) + i] for c in counts)]
    return list(enumerate(kept)) + rest


def by_service(cases: pd.DataFrame, fy: int, scope: Iterable[str], timed: pd.DataFrame, top: int = 8) \
        -> list[ServiceLine]:
    """The ``top`` services by complaints received in ``fy`` (more when the last ties), then all other services
    together (and those with no service recorded): complaints received against the year before, and of the
    responses sent in the year (``timed``, from :func:`reportlib.annual_timeliness.timed`) those within the
    statutory timescale and the upheld rate."""
    scope = list(scope)
    both = _in_year(cases["received"], fy) | _in_year(cases["received"], fy - 1)
    first = _first_stages_touching(cases, scope, both)    # each complaint's first stage, found once for both years
    now, before = (_column(first[_in_year(first["received"], year)], "service") for year in (fy, fy - 1))
    kept = [name for name, _ in largest(now.value_counts(), top)]
    now, before, sent = (_counts(_places(v, kept), kept) for v in (now, before, timed["service"]))
    lines = _places(timed["service"], kept)
    timescale = timed["limit"].notna().to_numpy()
    decided = timed["outcome"].isin(OUTCOMES[:3]).to_numpy()
    counts = {name: _counts(lines, kept, mask.astype(float)) for name, mask in (
        ("timed", timescale), ("within", timescale & timed["within"].to_numpy()), ("decided", decided),
        ("well", timed["outcome"].isin(WELL_FOUNDED).to_numpy()))}
    return [ServiceLine(name, Change(int(before[i]), int(now[i])), int(sent[i]),
                        Share(int(counts["within"][i]), int(counts["timed"][i])),
                        Share(int(counts["well"][i]), int(counts["decided"][i])))
            for i, name in _named(kept, now, before, sent)]


def compliments_by_service(cases: pd.DataFrame, fy: int, scope: Iterable[str], top: int = 8) \
        -> list[tuple[str, Change]]:
    """Compliments received in ``fy`` by service, against the year before: the ``top`` services (more when the last
    ties), then all other services together (and those with no service recorded)."""
    mask = _scoped(cases, scope) & (cases["kind"] == "compliment").to_numpy() & ~refused(cases)
    now, before = (_column(cases[mask & _in_year(cases["received"], year)], "service") for year in (fy, fy - 1))
    kept = [name for name, _ in largest(now.value_counts(), top)]
    now, before = (_counts(_places(v, kept), kept) for v in (now, before))
    return [(name, Change(int(before[i]), int(now[i]))) for i, name in _named(kept, now, before)]



# --- tables ---------------------------------------------------------------------------------------------------

def service_table(services: Sequence[ServiceLine], previous: str, year: str, below: int | None = None) \
        -> tuple[list[str], list[list], list[str]]:
    """The table of :func:`by_service` (columns, rows, notes): a response figure reads "no timescale" where the
    service's responses have none in law or the Code, "no cases" where none was sent (or decided)."""
    from .figures import suppress

    rows = []
    for s in services:
        received, within, rate = suppress(s.received, below), suppress(s.within, below), suppress(s.upheld_rate, below)
        rows.append([s.service, received.before_text(), received.after_text(),
                     "no timescale" if within.empty and s.sent else within.pct_text(), rate.pct_text()])
    notes = ["Complaints received: each complaint once, by the service of its first stage. Responses within the "
             "statutory timescale: the responses sent in the year that have a timescale in law or the Code, within "
             "it or its extension."]
    if any(r[3] == "no timescale" for r in rows):
        notes.append("'no timescale': neither the law nor the Code sets one for these responses (adult social care "
                     "complaints and stage 3 review panels).")
    if any("no cases" in (r[3], r[4]) for r in rows):
        notes.append("'no cases': no response was sent, or none decided a complaint.")
    return (["Service", f"Complaints received {previous}", f"Complaints received {year}",
             "Responses within the statutory timescale", "Upheld rate"], rows, notes)


def changes_table(items: Sequence[tuple[str, Change]], below: int | None = None) -> list[list[str]]:
    """Rows of (name, the year before, the year, how much it changed: "up 60") for ``(name, Change)`` pairs."""
    from .figures import suppress

    return [[name, c.before_text(), c.after_text(), c.amount()] for name, c in
            ((name, suppress(change, below)) for name, change in items)]
