"""Figures the narrative cites, and the words committee papers use for them: what a notebook calls.

A *figure* is a value a code cell registers by name with :func:`glue`; the markdown cells cite it as
``{{ name }}`` or ``{{ name | filter }}``. Each figure type (:mod:`reportlib.figures`) knows its JSON form
(for ``figures.json`` and the trip from the kernel to the renderer) and its default words
(:mod:`reportlib.words`):

- ``Share(24, 45)`` -> "53% (24 cases)"; ``| pct`` -> "53%"; no cases -> "no cases"; below
  ``min_base_for_percent`` -> "3 of 5"; ``| of_total("response")`` -> "24 of 45 responses", "none of the 12
  responses", "all 12 responses"
- ``Change(117, 127)`` -> "up from 117 to 127"; "down from 630 to 420"; "no change at 23";
  "up from none to 23"; ``| went`` -> "went up from 117 to 127", "stayed at 23"
- counts in sentences agree in number at 0, 1, 2 and many: ``{{ n | counted("complaint") }}
  {{ n | agree("was", "were") }} open`` -> "no complaints were open", "1 complaint was open",
  "11 complaints were open"; ``{{ n | counted }}`` -> "none", "1", "11"
- ``Range([50, 73])`` -> "from 50% to 73%"; ``| between`` -> "between 50% and 73%"
- dates -> "20 January 2021"

Everything here is pure but :func:`glue`, which shows a figure in the notebook for the render to pick up.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Iterable

from .figures import (  # noqa: F401 - the figures are part of what a notebook calls here
    MIN_BASE, Average, Change, Range, Share, from_json, of_which, overall, peer_list, set_min_base,
    set_suppression, suppress, text, tied, tied_list, to_json,
)
from .figures import _policy
from .words import (  # noqa: F401 - the words are part of what a notebook calls here
    SUPPRESSED, agree, compare, counted, join_words, noun, number, ordinal, ordinal_date, pct, plural, pounds, slug,
    standing, uk_date,
)

# This module's own names. The figures (Share, Change, ...) and the words (counted, uk_date, ...) are importable from
# here too, for a notebook, but documented once, where they are made: reportlib.figures and reportlib.words.
__all__ = ["FIGURE_MIME", "PARAMS_MIME", "FILTERS", "Measure", "Printed", "figure_bundle", "figures_json", "glue",
           "pct_of_total", "timeliness"]


FIGURE_MIME = "application/vnd.reportlib.figure+json"


PARAMS_MIME = "application/vnd.reportlib.params+json"


@dataclass(frozen=True)
class Measure:
    """What a figure measures, so that the same measure in two reports made from one case log can be found and
    compared (``figures.json`` carries it beside the figure).

    ``name`` says what is counted ("responses within timescale", "complaints received"); ``basis`` how: for
    timeliness, whose timescale (``"statutory"`` or ``"council"``), made by :func:`timeliness`; ``procedure``,
    ``stage`` and ``period`` ("2020/21", "Q3 2020/21", "2020-08-18 to 2021-06-30") narrow it, and ``service`` when
    the cases are a service's (of any procedure) rather than a procedure's. Two figures with equal measures must
    have equal values, whichever report glued them.
    """

    name: str
    basis: str = ""
    procedure: str | None = None
    stage: int | None = None
    period: str | None = None
    service: str | None = None

    def to_json(self) -> dict:
        """The measure for figures.json (``service`` only when the cases are a service's)."""
        out = {"name": self.name, "basis": self.basis, "procedure": self.procedure, "stage": self.stage,
               "period": self.period}
        if self.service is not None:
            out["service"] = self.service
        return out


def timeliness(procedure: str | None, stage: int | None, period: str, *, source: str, days: int,
               extended_days: int | None = None, clock: str = "received", service: str | None = None) -> Measure:
    """The measure of a share of responses within a timescale: ``source`` is ``"statutory"`` (the regulations' or
    the Code's) or ``"council"`` (the council's own target); ``days`` the timescale in working days,
    ``extended_days`` the timescale where an extension was agreed (None: no extension counts); ``clock`` where the
    working days start (``received`` or ``acknowledged``); ``service`` the service filter, when the cases are a
    service's rather than a procedure's (then ``procedure`` is None)."""
    if source not in ("statutory", "council"):
        raise ValueError(f"source must be 'statutory' or 'council', not {source!r}")
    basis = f"{source}: {days} working days from {clock}"
    if extended_days is not None:
        basis += f", {extended_days} where an extension was agreed"
    return Measure("responses within timescale", basis, procedure, stage, period, service)


def figure_bundle(name: str, value: Any, about: str = "", measure: Measure | None = None) -> dict:
    """The display bundle a code cell emits for a glued figure."""
    if not name.isidentifier():
        raise ValueError(f"figure name {name!r} must be a Python-style identifier (letters, digits, _)")
    payload = {"name": name, "value": to_json(value), "text": text(value), "about": about}
    if measure is not None:
        payload["measure"] = measure.to_json()
    return {
        FIGURE_MIME: payload,
        "text/plain": f"{name} = {payload['text']}",
    }


def glue(name: str, value: Any, about: str = "", suppress_small: bool = True, measure: Measure | None = None) -> Any:
    """Register a figure for the narrative (in a notebook: shows it, and the render picks it up).

    With ``suppress_below`` in the params, small counts are published as ``[c]``: pass
    ``suppress_small=False`` only for numbers that are not about people (rows in the file,
    authorities benchmarked). ``measure`` says what the figure measures (:class:`Measure`), for a figure
    another report may give too. Returns the value as published.
    """
    from IPython.display import display
    if suppress_small:
        value = suppress(value, _policy["below"])
    display(figure_bundle(name, value, about, measure), raw=True)
    return value


def _pct_filter(v):
    return v.pct_text() if isinstance(v, Share) else f"{v}%"


class Printed(str):
    """Words a filter wrote from one figure in parts: ``figures.json``'s ``printed`` lists ``parts``, as it would
    had the text printed each apart."""

    parts: tuple[str, ...]

    def __new__(cls, words: str, parts: Iterable[str]) -> "Printed":
        made = super().__new__(cls, words)
        made.parts = tuple(parts)
        return made


def pct_of_total(share: Share, unit: str | None = None, many: str | None = None) -> str:
    """``{{ s | pct_of_total("response") }}``: "53% (24 of 45 responses)"; where the share shows no percentage (a
    small base, no cases, [c]) its count alone, "3 of 5 responses", as ``of_total`` writes it."""
    whole = share.of_total(unit, many)
    if not share.shows_pct:
        return whole
    pct = share.pct_text()
    return Printed(f"{pct} ({whole})", (pct, whole))


FILTERS = {
    "pct": _pct_filter,
    "count": lambda v: v.count_text() if isinstance(v, Share) else text(v),
    "total": lambda v: v.total_text() if isinstance(v, Share) else text(v),
    "cases": lambda v: SUPPRESSED if (getattr(v, "suppressed", False) or v == SUPPRESSED)
    else plural(v.count if isinstance(v, Share) else v, "case"),
    # Counts in sentences (0, 1, 2 and many all read as English): see counted, agree, Share.of_total.
    "counted": lambda v, one="", many=None: counted(v.count if isinstance(v, Share) else v, one, many),
    "agree": lambda v, one, many: agree(v.count if isinstance(v, Share) else v, one, many),
    "of_total": lambda v, unit=None, many=None: v.of_total(unit, many),
    "pct_of_total": pct_of_total,
    "of_which": of_which,
    "went": lambda v: (v if isinstance(v, Change) else Change(*v)).went(),
    "from_before": lambda v: (v if isinstance(v, Change) else Change(*v)).from_before(),
    "in_year": lambda v, year: (v if isinstance(v, Change) else Change(*v)).in_year(year),
    "pounds": pounds,
    "rows": lambda v: plural(v, "row"),
    "change": lambda v: str(v if isinstance(v, Change) else Change(*v)),
    "between": lambda v: (v if isinstance(v, Range) else Range(tuple(v))).between(),
    "from_to": lambda v: str(v if isinstance(v, Range) else Range(tuple(v))),
    "number": number,
    "date": lambda v: uk_date(v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))),
    "ordinal_date": lambda v: ordinal_date(v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))),
    "ordinal": ordinal,
    "overall": overall,
    "lower": lambda v: text(v).lower(),
    "and_list": join_words,
    "or_list": lambda v: join_words(v, "or"),
    # Ties named together: {{ group | tied(": ") }} -> "Staff absence and Complex case: each 13% (8 cases)";
    # {{ groups | tied_list("case") }} -> "Court Team (8 cases), and Fostering and Early Help (3 cases each)".
    "tied": lambda g, sep=", ": tied(g["names"], g.get("value", g.get("share")), sep),
    "tied_list": tied_list,
    "peer_list": peer_list,
    "standing": lambda g, noun_="other council": standing(g["higher"], g["same"], g["lower"], noun_),
    # A share in a table's words ("46% (6 of 13)", "2 of 4"); an amount of change ("down 215").
    "table": lambda v: v.table_text() if isinstance(v, Share) else text(v),
    "amount": lambda v: (v if isinstance(v, Change) else Change(*v)).amount(),
}


def figures_json(figures: dict[str, dict], cited: "set[str] | dict[str, list[str]]") -> str:
    """``figures.json``: every glued figure by name, with its exact value, its words and what it counts; ``cited``
    says whether the text printed it and, when ``cited`` maps each name to what the text printed from it (as the
    renderer collects it), ``printed`` lists those forms ("41%", "58 of 142 responses"), as the reader read them."""
    out = {}
    for name, fig in sorted(figures.items()):
        entry = {**{k: v for k, v in fig.items() if k != "name"}, "cited": name in cited}
        if isinstance(cited, dict) and name in cited:
            entry["printed"] = list(cited[name])
        out[name] = entry
    return json.dumps(out, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
