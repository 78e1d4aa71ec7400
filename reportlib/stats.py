"""Pure statistics over validated cases: DataFrames in, figures and tidy tables out.

Nothing here reads files or the clock: the cut-off date, targets and the
working-day calendar are arguments. Everything is vectorised (pandas/numpy).

Conventions (SPEC "Working days, periods and figures"):
- performance in a period counts the *responses sent* in it (``responded``);
- counts of cases *received* use ``received``; a complaint counts once, in
  the period its first stage was received, however many stages it reached;
- a response is within timescale when working days taken <= the target;
- a case is open at the cut-off when it was received by then and not yet
  responded to (a response dated after the cut-off is not yet known).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import periods
from .figures import Change, Range, Share
from .selection import normalise
from .workdays import DEFAULT_REGION, due_dates, working_days

NO_REASON = "No reason recorded"
#: A row mask: one bool per case (a numpy array, a boolean Series or a list).
Mask = np.ndarray | pd.Series | Sequence[bool]
KIND_LABELS = {"complaint": "complaints", "comment": "comments", "compliment": "compliments"}
PROCEDURE_LABELS = {
    "corporate": "Corporate",
    "childrens": "Statutory Children's Social Care",
    "adults": "Statutory Adult Social Care",
}


def _ts(d) -> pd.Timestamp:
    return pd.Timestamp(d)


def between(dates: pd.Series, start: dt.date, end: dt.date) -> np.ndarray:
    """Mask: dates within [start, end] (missing dates never are)."""
    return ((dates >= _ts(start)) & (dates <= _ts(end))).to_numpy(dtype=bool, na_value=False)


def acknowledgement_fallbacks(cases: pd.DataFrame) -> int:
    """Rows with no acknowledgement date, which a clock from acknowledgement times from receipt instead."""
    return int(cases["acknowledged"].isna().sum())


def timing(cases: pd.DataFrame, target: int | Sequence[int] | np.ndarray, *, cut_off: dt.date,
           region: str = DEFAULT_REGION, closures: Iterable = (), clock_start: str = "received") -> pd.DataFrame:
    """Per-row timing against ``target`` working days (an int, or one per row).

    Columns: ``start`` (the clock start), ``responded`` (known by the cut-off,
    else NaT), ``days`` (working days taken, <NA> while open), ``due``,
    ``within`` (days <= target, <NA> while open), ``open`` (at the cut-off),
    ``overdue`` (open and already past due at the cut-off), ``days_open``.
    """
    start = cases["received"]
    if clock_start == "acknowledged":
        start = cases["acknowledged"].fillna(cases["received"])
    elif clock_start != "received":
        raise ValueError(f"clock_start must be 'received' or 'acknowledged', not {clock_start!r}")
    cut = _ts(cut_off)
    target = np.broadcast_to(np.asarray(target, dtype=np.int64), (len(cases),))
    known = cases["responded"].notna() & (cases["responded"] <= cut)
    responded = cases["responded"].where(known)
    received_by_cut = (cases["received"] <= cut).to_numpy()
    end = responded.fillna(cut).where(received_by_cut, start)
    # A clock that starts after the end (acknowledged after a same-day response) counts 0.
    start_days = start.where(start <= end, end)
    days = working_days(start_days, end, region, closures)
    is_open = received_by_cut & ~known.to_numpy()
    out = pd.DataFrame(index=cases.index)
    out["start"] = start
    out["responded"] = responded
    out["days"] = pd.array(np.where(known, days, 0), dtype="Int64").copy()
    out.loc[~known.to_numpy(), "days"] = pd.NA
    out["due"] = pd.to_datetime(due_dates(start, target, region, closures))
    out["target"] = target
    within = pd.array(days <= target, dtype="boolean").copy()
    within[~known.to_numpy()] = pd.NA
    out["within"] = within
    out["open"] = is_open
    out["days_open"] = pd.array(np.where(is_open, days, 0), dtype="Int64")
    out["overdue"] = is_open & (days > target)
    return out


def within_share(t: pd.DataFrame, start: dt.date, end: dt.date, mask: Mask | None = None, unit: str = "case") -> Share:
    """Share of responses sent in [start, end] that were within target."""
    sent = between(t["responded"], start, end)
    if mask is not None:
        sent = sent & np.asarray(mask, dtype=bool)
    within = t["within"].to_numpy(dtype=bool, na_value=False)
    return Share(int((sent & within).sum()), int(sent.sum()), unit)


def quarterly_within(t: pd.DataFrame, quarters: Sequence[int], mask: Mask | None = None) -> list[tuple[int, Share]]:
    """``within_share`` for each quarter number (see :mod:`reportlib.periods`)."""
    sent = t["responded"].notna().to_numpy()
    if mask is not None:
        sent = sent & np.asarray(mask, dtype=bool)
    q = np.full(len(t), -1, dtype=np.int64)
    q[sent] = periods.quarter(t["responded"][sent])
    within = t["within"].to_numpy(dtype=bool, na_value=False)
    return [(qi, Share(int(((q == qi) & within).sum()), int((q == qi).sum()))) for qi in quarters]


def average_days(t: pd.DataFrame, start: dt.date, end: dt.date, mask: Mask | None = None) -> float | None:
    """Mean working days taken by the responses sent in [start, end] (one decimal), None if none."""
    sent = between(t["responded"], start, end)
    if mask is not None:
        sent = sent & np.asarray(mask, dtype=bool)
    if not sent.any():
        return None
    return round(float(t["days"][sent].astype("float64").mean()), 1)


def _first_stage_rows(cases: pd.DataFrame) -> np.ndarray:
    """The positions of each complaint case's earliest stage row."""
    at = np.flatnonzero((cases["kind"] == "complaint").to_numpy())
    # A case has one row per stage (validation drops duplicates), so ordering by stage is enough. Only the two
    # columns are sorted and deduplicated; the rows are taken by the caller, once.
    keys = cases[["case_ref", "stage"]].iloc[at].reset_index(drop=True)
    return at[keys.sort_values("stage", kind="stable").drop_duplicates("case_ref", keep="first").index]


def first_stages(cases: pd.DataFrame) -> pd.DataFrame:
    """One row per complaint case: its earliest stage in the log (where it is counted as received)."""
    return cases.iloc[_first_stage_rows(cases)]


def representations(cases: pd.DataFrame) -> pd.DataFrame:
    """One row per representation received: each complaint once (by its first stage), each comment
    and compliment; columns ``procedure``, ``kind``, ``received``, ``fy`` and ``quarter``.
    Compute it once and pass it to the counting functions below."""
    rows = np.concatenate([_first_stage_rows(cases), np.flatnonzero((cases["kind"] != "complaint").to_numpy())])
    reps = cases[["procedure", "kind", "received"]].iloc[rows].reset_index(drop=True)
    reps["fy"] = periods.financial_year(reps["received"])
    reps["quarter"] = periods.quarter(reps["received"])
    return reps


def _places(values, labels: list) -> np.ndarray:
    """Each value's place among ``labels`` (-1: none of them, or missing); each distinct value is looked up once
    (a categorical's by its codes)."""
    codes, distinct = pd.factorize(values)
    return np.append(pd.Index(labels).get_indexer(distinct), -1)[codes]


def _crosstab(rows: pd.Index | pd.Series, cols, col_values) -> pd.DataFrame:
    """How many rows have each procedure (the table's rows, all of them) with each of ``col_values`` (its columns):
    one count over the pairs' codes (pandas' crosstab walks the values one by one)."""
    procedures, values = list(PROCEDURE_LABELS), list(col_values)
    row, col = _places(rows, procedures), _places(cols, values)
    both = (row >= 0) & (col >= 0)  # a value outside them (or none) is not counted
    counts = np.bincount(row[both] * len(values) + col[both], minlength=len(procedures) * len(values))
    return pd.DataFrame(counts.reshape(len(procedures), len(values)), index=pd.Index(procedures, name="procedure"),
                        columns=values)


def received_counts(reps: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Representations received in [start, end]: procedures (rows) x kinds (columns)."""
    inside = reps[between(reps["received"], start, end)]
    table = _crosstab(inside["procedure"], inside["kind"], KIND_LABELS)
    table.index.name, table.columns.name = "procedure", "kind"
    return table


def yearly_received(reps: pd.DataFrame, years: Sequence[int], kind: str) -> pd.DataFrame:
    """Counts of ``kind`` received per procedure (rows) and financial year (columns, labelled)."""
    rows = reps[(reps["kind"] == kind).to_numpy() & reps["fy"].isin(list(years)).to_numpy()]
    table = _crosstab(rows["procedure"], rows["fy"], years)
    table.columns = [periods.fy_label(fy) for fy in years]
    return table


def quarterly_received(reps: pd.DataFrame, quarters: Sequence[int], kind: str,
                       procedure: str | None = None) -> list[tuple[int, int]]:
    """How many of ``kind`` were received in each quarter (complaints by first stage)."""
    rows = reps[(reps["kind"] == kind).to_numpy()]
    if procedure is not None:
        rows = rows[(rows["procedure"] == procedure).to_numpy()]
    counts = rows["quarter"].value_counts()
    return [(qi, int(counts.get(qi, 0))) for qi in quarters]


def year_on_year(reps: pd.DataFrame, fy: int) -> dict[str, dict[str, Change]]:
    """procedure -> kind -> Change from the year before ``fy`` to ``fy``."""
    before = received_counts(reps, periods.fy_start(fy - 1), periods.fy_end(fy - 1))
    after = received_counts(reps, periods.fy_start(fy), periods.fy_end(fy))
    return {proc: {kind: Change(int(before.loc[proc, kind]), int(after.loc[proc, kind])) for kind in KIND_LABELS}
            for proc in PROCEDURE_LABELS}


def reasons(cases: pd.DataFrame, mask: Mask, unknown: str = NO_REASON) -> list[tuple[str, Share]]:
    """Delay reasons among the rows in ``mask``, largest first (ties by name), each as a share of them all."""
    sub = cases.loc[np.asarray(mask, dtype=bool), "delay_reason"]
    total = len(sub)
    counts = sub.astype(object).fillna(unknown).value_counts()
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == unknown, kv[0]))
    return [(str(reason), Share(int(n), total)) for reason, n in ordered]


def _size(value) -> float:
    """What a ranking compares: a share's count (shares of one total), else the number itself."""
    return value.count if isinstance(value, Share) else value


def equal_groups(items: Iterable[tuple[str, object]]) -> list[dict]:
    """``(name, value)`` pairs as groups of equal values, largest first: ``[{"names": [...], "value": v}]``.

    Tied values are never ranked: they share a group, and within it the names keep the order given (sort them by
    name first for a stable order that is no rank). Shares compare by count (give shares of one total)."""
    groups: dict = {}
    for name, value in items:
        groups.setdefault(_size(value), {"names": [], "value": value})["names"].append(str(name))
    return [groups[k] for k in sorted(groups, reverse=True)]


def reason_groups(cases: pd.DataFrame, mask: Mask, unknown: str = NO_REASON) -> list[dict]:
    """:func:`reasons` as groups of equal counts, largest first (tied reasons named together, by name, the
    unknown last): ``[{"names": [...], "value": Share}]``."""
    return equal_groups(reasons(cases, mask, unknown))


def main_teams(cases: pd.DataFrame, mask: Mask, majority: float = 0.5) -> tuple[list[dict], Share]:
    """The fewest teams that between them carried more than ``majority`` of the rows in ``mask``, as groups of
    equal counts (``[{"names": [...], "value": count}]``, largest first), and the share they carried together.

    A tie is never cut through: teams with as many rows as the last one needed are all included."""
    sub = cases.loc[np.asarray(mask, dtype=bool), "team"].astype(object).dropna()
    total = int(np.asarray(mask, dtype=bool).sum())
    counts = sorted(((str(t), int(n)) for t, n in sub.value_counts().items()), key=lambda kv: (-kv[1], kv[0]))
    chosen, covered = [], 0
    for group in equal_groups(counts):
        if covered > majority * total:
            break
        chosen.append(group)
        covered += group["value"] * len(group["names"])
    return chosen, Share(covered, total)


def standing(value: float | None, others: Iterable[float]) -> dict[str, int]:
    """How many of ``others`` are higher than ``value``, the same, and lower (a place among them, never a rank)."""
    others = np.asarray(list(others), dtype=float)
    if value is None:
        return {"higher": 0, "same": 0, "lower": 0}
    return {"higher": int((others > value).sum()), "same": int((others == value).sum()),
            "lower": int((others < value).sum())}


def benchmark_range(benchmarks: Iterable, measure: str | None = None, period: str | None | bool = False) -> Range:
    """The range of the peers' benchmark values (for one ``measure``, and one ``period`` (None: those without
    one), if given)."""
    vals = tuple(float(b.value) for b in benchmarks if (measure is None or b.measure == measure)
                 and (period is False or b.period == period))
    return Range(vals)


def benchmark_periods(benchmarks: Iterable, measure: str | None = None) -> list[str | None]:
    """The periods the benchmarks (of one ``measure``, if given) cover, latest first; None (no period given)
    last, if any has none."""
    chosen = [b for b in benchmarks if measure is None or b.measure == measure]
    given = {b.period for b in chosen if b.period}
    ordered = sorted(given, key=lambda label: periods.parse_period(label).end, reverse=True)
    return ordered + ([None] if any(not b.period for b in chosen) else [])


def benchmark_groups(benchmarks: Iterable, t: pd.DataFrame, mask: Mask | None = None,
                     measure: str | None = None) -> list[dict]:
    """The benchmarks (of one ``measure``, if given) by period, like with like, latest period first.

    For each period: ``period`` (its label), ``peers`` (``{"authority", "value"}``, highest first, equal values by
    name), ``range`` of their values, ``own``: the council's share of the responses sent in that same period within
    the timescale (``t`` and ``mask`` as for :func:`within_share`), and where it stands among them (``higher``,
    ``same``, ``lower``: how many peers; never a rank). Benchmarks with no period come last, as one group with
    ``period`` None and no ``own`` figure (the report names them "period not given")."""
    benchmarks = [b for b in benchmarks if measure is None or b.measure == measure]
    out = []
    for label in benchmark_periods(benchmarks):
        peers = sorted((b for b in benchmarks if b.period == label), key=lambda b: (-b.value, b.authority))
        group = {"period": label, "peers": [{"authority": b.authority, "value": b.value} for b in peers],
                 "range": Range(tuple(b.value for b in peers))}
        if label is not None:
            span = periods.parse_period(label)
            own = within_share(t, span.start, span.end, mask, unit="response")
            group["own"] = own
            group.update(standing(own.pct, [b.value for b in peers]))
        out.append(group)
    return out


def quarter_zero_months(results: Sequence[tuple[int, Share]]) -> list[str]:
    """Quarter-end months ("September 2019") of quarters where responses were sent but none in time."""
    return [f"{periods.quarter_end(q):%B %Y}" for q, s in results if s.total and s.count == 0]


def select(cases: pd.DataFrame, *, kind: str | None = None, procedure: str | Iterable[str] | None = None,
           stage: int | None = None, service: str | None = None) -> np.ndarray:
    """Mask of the rows matching every given filter (``service`` ignores case and spacing)."""
    mask = np.ones(len(cases), dtype=bool)
    if kind is not None:
        mask &= (cases["kind"] == kind).to_numpy()
    if procedure is not None:
        procs = [procedure] if isinstance(procedure, str) else list(procedure)
        mask &= cases["procedure"].isin(procs).to_numpy()
    if stage is not None:
        mask &= (cases["stage"] == stage).to_numpy(dtype=bool, na_value=False)
    if service is not None:
        svc = cases["service"].astype("category")
        same = [c for c in svc.cat.categories if normalise(c) == normalise(service)]
        mask &= svc.isin(same).to_numpy()
    return mask


def targets_by_procedure(cases: pd.DataFrame, timescales: dict[str, int], default: int = 0) -> np.ndarray:
    """Per-row target working days from a procedure -> days mapping (``default`` for the rest)."""
    days = np.array([*timescales.values(), default], dtype=np.int64)  # place -1 (no timescale) -> default
    return days[_places(cases["procedure"], list(timescales))]
