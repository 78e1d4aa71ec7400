"""Whether a report's filters and periods select anything in the case log (SPEC "Bad input").

A misspelt ``service:`` or a ``year:`` outside the case log is a mistake, not a report about
nothing: :func:`check` raises a :class:`~reportlib.errors.ParamsError` naming the key, the value
and, for a text filter, the values the data does hold (closest first). A period that lies inside
the case log but happens to have no cases is fine: the report says "no cases".

Each params model says what it selects (``selections()``: :class:`TextFilter` and
:class:`PeriodFilter` items); this module checks them against the validated cases. Pure: the
cases come in as a DataFrame, nothing is read here.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Iterable, Protocol

import pandas as pd

from .errors import ParamsError, cut



class Selecting(Protocol):
    """What :func:`check` needs of a report's params: the filters and periods they select."""

    def selections(self) -> list:
        """The report's :class:`TextFilter` and :class:`PeriodFilter` items."""


@dataclass(frozen=True)
class TextFilter:
    """``key: value`` keeps the rows whose ``column`` equals ``value`` (ignoring case and spacing)."""

    key: str
    value: str
    column: str


@dataclass(frozen=True)
class PeriodFilter:
    """``key`` names the period ``start``..``end`` (inclusive); it must overlap the case log's dates."""

    key: str
    value: str
    start: dt.date
    end: dt.date


def normalise(text: object) -> str:
    """How a text filter compares: case and runs of spaces do not matter."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Span:
    """The dates a case log covers: its first date received to its last date received or responded."""

    first: dt.date
    last: dt.date

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        """Whether the period ``start``..``end`` (inclusive) shares a day with the case log."""
        return start <= self.last and end >= self.first


def span(cases: pd.DataFrame) -> Span | None:
    """The dates ``cases`` cover, or None when there are no cases."""
    received = cases["received"].dropna()
    if received.empty:
        return None
    last = max(received.max(), cases["responded"].max() if cases["responded"].notna().any() else received.max())
    return Span(received.min().date(), last.date())


def closest(value: str, held: list[str], n: int = 5) -> list[str]:  # n: how many a one-line message can show
    """The values ``held`` in the order a person would look for ``value`` among them: closest first."""
    def score(h):
        return difflib.SequenceMatcher(None, normalise(value), normalise(h)).ratio()
    return sorted(held, key=lambda h: (-score(h), h))[:n]


def _text_problem(f: TextFilter, cases: pd.DataFrame, log: str) -> str | None:
    if f.column not in cases.columns or cases[f.column].isna().all():
        return (f"{_key(f.key)}: \"{cut(f.value)}\" matches no case: {log} has no {f.column} values to filter on; "
                f"remove '{f.key}', or map the export's {f.column} column with columns:")
    held = [str(c) for c in cases[f.column].dropna().unique() if str(c).strip()]  # values in some row, not unused categories
    if any(normalise(h) == normalise(f.value) for h in held):
        return None
    shown = ", ".join(f'"{cut(h)}"' for h in closest(f.value, held))
    more = f" and {len(held) - 5} more" if len(held) > 5 else ""
    return (f"{_key(f.key)}: \"{cut(f.value)}\" matches no case in {log}, whose {f.column} column holds "
            f"{shown}{more} (closest first)")


def _period_problem(f: PeriodFilter, covered: Span | None, log: str) -> str | None:
    if covered is not None and covered.overlaps(f.start, f.end):
        return None
    if covered is None:
        return f"{_key(f.key)}: {f.value} matches no case: {log} has no usable cases"
    return f"{_key(f.key)}: {f.value} matches no case: {log} covers {_uk(covered.first)} to {_uk(covered.last)}"


def _key(key: str) -> str:
    """``year`` -> "key 'year'"; ``period_start..period_end`` -> "keys 'period_start'..'period_end'"."""
    if ".." in key:
        return "keys " + "..".join(f"'{k}'" for k in key.split(".."))
    return f"key '{key}'"


def _uk(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def problems(selections: Iterable[TextFilter | PeriodFilter], cases: pd.DataFrame, log: str = "the case log") -> list[str]:
    """What is wrong with each selection, in the order given (empty when all select something)."""
    return [problem for _, problem in _problems(selections, cases, log)]


def _problems(selections, cases: pd.DataFrame, log: str) -> list[tuple[str, str]]:
    """(key, what is wrong) for each selection that selects nothing."""
    covered = span(cases)
    found = []
    for f in selections:
        problem = _text_problem(f, cases, log) if isinstance(f, TextFilter) else _period_problem(f, covered, log)
        if problem:
            found.append((f.key, problem))
    return found


def check(p: Selecting, cases: pd.DataFrame, where: str, data_label: str) -> None:
    """Raise ParamsError (one line) when a filter or period of params ``p`` selects no case at all."""
    found = _problems(p.selections(), cases, data_label)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        key, problem = found[0]  # period_start..period_end: the error goes beside period_start
        raise ParamsError(f"{where}: {problem}{more}", key=(key.split("..")[0],))


def covered_years(years: Iterable[int], cases: pd.DataFrame) -> list[int]:
    """The financial years among ``years`` that do not end before the case log starts (earlier years are
    unknown, not zero; a year after the log's last case is still a year with no cases)."""
    from . import periods

    covered = span(cases)
    return [y for y in years if covered is not None and periods.fy_end(y) >= covered.first]


def covered_quarters(quarters: Iterable[int], cases: pd.DataFrame) -> list[int]:
    """The quarters among ``quarters`` that do not end before the case log starts."""
    from . import periods

    covered = span(cases)
    return [q for q in quarters if covered is not None and periods.quarter_end(q) >= covered.first]
