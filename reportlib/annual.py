"""The annual complaints report's figures (SPEC "The annual report"): validated cases in, figures out.

Pure and vectorised like :mod:`reportlib.stats`: the year, the procedures in scope, the
timescales and the working-day calendar are arguments; nothing reads files or the clock.

Counting rules:

- A *refused* row (``refused_reason`` not blank) is counted as refused, with its reason, and
  never as received, responded or timely (:func:`accepted` drops it).
- Complaints *received* in a year: each case once, by its first stage (:func:`summary`,
  :func:`trend`); stage-N complaints received: the stage-N rows received in it (:func:`by_stage`).
- Timeliness, outcomes and remedies count the responses *sent* in the year (``responded``).
- A response is within timescale when its working days are at most the timescale, or the
  timescale plus the extension when ``extended`` is yes. The clock starts at acknowledgement
  for ``corporate`` (the Code; rows with no acknowledgement date fall back to receipt and are
  counted), at receipt for ``adults`` and ``childrens`` (the regulations). ``adults`` has no
  statutory limit: the council's own target if one is given, and always the share answered
  within six months of receipt (regulation 14).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import periods, stats
from .figures import Change, Share
from .selection import normalise
from .workdays import DEFAULT_REGION, working_days

OUTCOMES = ("upheld", "partly upheld", "not upheld", "withdrawn")
WELL_FOUNDED = ("upheld", "partly upheld")
REMEDIES = ("apology", "explanation", "financial", "service improvement", "action taken", "other")
DECISIONS = ("pending", "upheld", "not upheld", "not investigated")
PROCEDURES = ("corporate", "adults", "childrens")
#: Where each procedure's working-day clock starts.
CLOCK = {"corporate": "acknowledged", "childrens": "received", "adults": "received"}
#: The Housing Ombudsman's Code: stage 1 and 2 timescales and extensions, from acknowledgement.
HOUSING_TIMESCALES = {1: 10, 2: 20}
HOUSING_EXTENSIONS = {1: 10, 2: 20}
NOT_RECORDED = "Not recorded"
#: The columns each part of the report needs beyond the required ones.
NEEDS = {
    "acknowledgement": "acknowledged", "refusals": "refused_reason", "outcomes": "outcome", "subjects": "subject",
    "remedies": "remedy", "compensation": "compensation", "ombudsman": "ombudsman", "complainant": "complainant",
    "extensions": "extended", "ombudsman_body": "ombudsman_body", "panel_date": "panel_date", "advocacy": "advocacy",
    "services": "service",
}
#: Which Ombudsman (``ombudsman_body``), as the report names them.
BODIES = {"lgsco": "Local Government and Social Care Ombudsman", "housing": "Housing Ombudsman"}
OTHER_SERVICES = "All other services"
#: Who made a children's complaint (``complainant``), as a sentence names them together.
WHO = {"child or young person": "children or young people", "parent or carer": "parents or carers",
       "advocate": "advocates", "other": "others"}


# --- selecting rows ------------------------------------------------------------------------

def _column(cases: pd.DataFrame, name: str) -> pd.Series:
    """A column of the cases, or an empty one (all missing) when the case log has none."""
    if name in cases.columns:
        return cases[name]
    return pd.Series(pd.NA, index=cases.index, dtype=object)


def refused(cases: pd.DataFrame) -> np.ndarray:
    """Mask: rows the council did not accept into the procedure (``refused_reason`` not blank)."""
    return _column(cases, "refused_reason").notna().to_numpy()


def accepted(cases: pd.DataFrame) -> pd.DataFrame:
    """The cases without the refused rows: what every count of received and responded complaints uses."""
    mask = refused(cases)
    return cases if not mask.any() else cases[~mask]


def _in_year(dates: pd.Series, fy: int) -> np.ndarray:
    return stats.between(dates, periods.fy_start(fy), periods.fy_end(fy))


def _scoped(cases: pd.DataFrame, scope: Iterable[str]) -> np.ndarray:
    return cases["procedure"].isin(list(scope)).to_numpy()


def _complaints(cases: pd.DataFrame, scope: Iterable[str]) -> np.ndarray:
    return (cases["kind"] == "complaint").to_numpy() & _scoped(cases, scope)


def _first_stages_of(cases: pd.DataFrame, scope: Iterable[str], of: np.ndarray) -> pd.DataFrame:
    """What :func:`stats.first_stages` gives for the accepted complaints of ``scope``, for the complaints with one
    of the rows ``of`` only: the same rows, in the same order, as from the whole log. The rule is that one (keep
    the two in step): each complaint's row with the lowest stage, the first in the log of equal stages, a
    missing stage last; rows ordered by stage, then as in the log; missing case_refs all one complaint.

    The case_refs are hashed once, to codes, however they are stored: ``Series.isin`` and ``drop_duplicates``
    would hash them again each, and ``isin`` makes a Python object of every wanted value when pyarrow stores
    them. The rest is integer work on the rows of the complaints wanted."""
    keep = _complaints(cases, scope) & ~refused(cases)
    both = keep | of
    codes, _ = pd.factorize(cases["case_ref"][both], use_na_sentinel=False)
    wanted = np.zeros(len(codes), dtype=bool)  # codes are below the number of rows
    wanted[codes[of[both]]] = True
    chosen = keep[both] & wanted[codes]
    at, codes = np.flatnonzero(both)[chosen], codes[chosen]
    stage = cases["stage"].array[at].to_numpy(dtype="float64", na_value=np.inf)
    order = np.argsort(stage, kind="stable")
    _, first = np.unique(codes[order], return_index=True)  # each complaint's first row in that order
    return cases.iloc[at[order[np.sort(first)]]]


def _first_stages_touching(cases: pd.DataFrame, scope: Iterable[str], inside: np.ndarray) -> pd.DataFrame:
    """:func:`_first_stages_of` the accepted complaints of ``scope`` with a row in ``inside``: a complaint's first
    stage can be received in a period only if one of its rows is (its other rows count too, whenever received)."""
    return _first_stages_of(cases, scope, _complaints(cases, scope) & ~refused(cases) & inside)


def _first_stages_in(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> pd.DataFrame:
    """Each accepted complaint of ``scope`` once, by its first stage, when that was received in ``fy``."""
    first = _first_stages_touching(cases, scope, _in_year(cases["received"], fy))
    return first[_in_year(first["received"], fy)]


def _sent(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> np.ndarray:
    """Mask: accepted complaint responses of ``scope`` sent in ``fy``."""
    return _complaints(cases, scope) & ~refused(cases) & _in_year(cases["responded"], fy)


# --- 1-3: what was received ----------------------------------------------------------------

def _received(cases: pd.DataFrame, years: Sequence[int], scope: Iterable[str]) -> dict[int, dict[str, int]]:
    """:func:`received` for each of ``years``, finding the complaints' first stages once for them all."""
    scope = list(scope)
    dates, kind, no = cases["received"], cases["kind"], refused(cases)
    inside = {fy: _in_year(dates, fy) for fy in years}
    first = _first_stages_touching(cases, scope, np.logical_or.reduce(list(inside.values())))
    others = _scoped(cases, scope) & ~no
    complaint_rows = _complaints(cases, scope)
    comment, compliment = (kind == "comment").to_numpy(), (kind == "compliment").to_numpy()
    return {fy: {
        "complaint": int(_in_year(first["received"], fy).sum()),
        "comment": int((others & inside[fy] & comment).sum()),
        "compliment": int((others & inside[fy] & compliment).sum()),
        "refused": int((complaint_rows & no & inside[fy]).sum()),
    } for fy in years}


def received(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> dict[str, int]:
    """Complaints (each once, by first stage), comments and compliments received in ``fy``, and complaints refused."""
    return _received(cases, [fy], scope)[fy]


def summary(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> dict[str, Change]:
    """:func:`received` for the year before ``fy`` -> ``fy``."""
    counts = _received(cases, [fy - 1, fy], scope)
    before, after = counts[fy - 1], counts[fy]
    return {key: Change(before[key], after[key]) for key in after}


def by_stage(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> dict[str, dict[int, Change]]:
    """procedure -> stage -> Change in the stage-N complaints received (stage-N rows, refused apart), year before
    -> ``fy``. Stages with no rows in either year are left out."""
    ok = ~refused(cases)
    inside = {year: _in_year(cases["received"], year) for year in (fy - 1, fy)}
    out: dict[str, dict[int, Change]] = {}
    for proc in scope:
        rows = ok & _complaints(cases, [proc])
        counts = {year: cases.loc[rows & inside[year], "stage"].value_counts() for year in (fy - 1, fy)}
        stages = sorted(int(s) for s in set(counts[fy - 1].index) | set(counts[fy].index))
        out[proc] = {s: Change(int(counts[fy - 1].get(s, 0)), int(counts[fy].get(s, 0))) for s in stages}
    return out


def trend(cases: pd.DataFrame, years: Sequence[int], scope: Iterable[str]) -> pd.DataFrame:
    """Complaints received (each once, by first stage) per procedure in scope (rows) and year (columns)."""
    scope = list(scope)
    # Only complaints (comments and compliments are not counted) with a row received in the years can have
    # their first stage there: the rest of the log is never sorted or deduplicated.
    dates = cases["received"]
    inside = np.zeros(len(cases), dtype=bool)
    for fy in years:  # a financial year as periods.financial_year has it: a time on its last day is in it
        inside |= ((dates >= pd.Timestamp(periods.fy_start(fy)))
                   & (dates < pd.Timestamp(periods.fy_end(fy) + dt.timedelta(days=1)))).to_numpy(
            dtype=bool, na_value=False)
    reps = stats.representations(_first_stages_touching(cases, scope, inside))
    return stats.yearly_received(reps, years, "complaint").loc[scope]


def refusals(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> list[tuple[str, Share]]:
    """Complaints refused in ``fy`` by reason, largest first, each a share of all refused."""
    mask = _complaints(cases, scope) & refused(cases) & _in_year(cases["received"], fy)
    reasons = cases.loc[mask, "refused_reason"].astype(str).value_counts()
    total = int(mask.sum())
    ordered = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(str(reason), Share(int(n), total)) for reason, n in ordered]


# --- 4-5: acknowledgement and timeliness are in reportlib.annual_timeliness -----------------------------------

def _days(start: pd.Series, end: pd.Series, region: str, closures) -> np.ndarray:
    """Working days from ``start`` to ``end`` (0 when acknowledged after a same-day response)."""
    return working_days(start.where(start <= end, end), end, region, closures)


# --- 6-9: outcomes, subjects, remedies, the Ombudsman ---------------------------------------

@dataclass(frozen=True)
class Outcomes:
    """Outcomes of the responses sent in a year (one procedure and stage, or all in scope)."""

    counts: dict[str, int]

    @property
    def upheld_rate(self) -> Share:
        """(upheld + partly upheld) / (upheld + partly upheld + not upheld), as the Ombudsman reports it."""
        well = sum(self.counts[o] for o in WELL_FOUNDED)
        return Share(well, well + self.counts["not upheld"])

    @property
    def well_founded(self) -> int:
        """Complaints upheld or partly upheld ("well-founded", the adult social care regulations' word)."""
        return sum(self.counts[o] for o in WELL_FOUNDED)

    @property
    def decided(self) -> int:
        """Complaints decided: upheld, partly upheld or not upheld (withdrawn ones were not decided)."""
        return self.upheld_rate.total

    @property
    def not_recorded(self) -> int:
        """Responses with no outcome recorded."""
        return self.counts.get(NOT_RECORDED, 0)


def _outcome_counts(values: pd.Series) -> Outcomes:
    counts = values.astype(object).fillna(NOT_RECORDED).value_counts()
    return Outcomes({o: int(counts.get(o, 0)) for o in (*OUTCOMES, NOT_RECORDED)})


def outcomes(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> dict[tuple[str, int] | str, Outcomes]:
    """(procedure, stage) -> outcomes of the responses sent in ``fy``; ``"all"`` -> every response in scope."""
    sent = _sent(cases, fy, scope)
    rows = cases[sent]
    out: dict = {}
    for (proc, stage), group in rows.groupby([rows["procedure"].astype(str), rows["stage"].astype(int)], sort=False):
        out[(proc, int(stage))] = _outcome_counts(group["outcome"])
    ordered = {k: out[k] for k in sorted(out, key=lambda k: (PROCEDURES.index(k[0]), k[1]))}
    ordered["all"] = _outcome_counts(rows["outcome"] if "outcome" in rows else pd.Series([], dtype=object))
    return ordered


def largest(counts: Mapping[str, int] | pd.Series, top: int) -> list[tuple[str, int]]:
    """The ``top`` largest counts, largest first and ties by name; a value tied with the last one kept is kept too
    (ties are never ranked: one of two equal values is never shown without the other). Zero counts are left out."""
    ordered = sorted(((str(k), int(n)) for k, n in dict(counts).items() if n), key=lambda kv: (-kv[1], kv[0]))
    if len(ordered) <= top:
        return ordered
    last = ordered[top - 1][1]
    return [kv for i, kv in enumerate(ordered) if i < top or kv[1] == last]


def tie_groups(items: Iterable[tuple[str, int | Share]], top: int | None = None) -> list[tuple[list[str], int | Share]]:
    """Ranked ``(name, value)`` pairs, largest first -> ``([names], value)`` groups of equal values (a share's
    count), so that equal values are named together, never one after another as if ranked; with ``top``, the
    groups until ``top`` names are given (a tie is never split)."""
    groups: list[tuple[list[str], int | Share]] = []
    for name, value in items:   # a handful of ranked names, never the cases
        key = value.count if isinstance(value, Share) else value
        last = groups[-1][1] if groups else None
        if groups and key == (last.count if isinstance(last, Share) else last):
            groups[-1][0].append(name)
        elif top is not None and sum(len(names) for names, _ in groups) >= top:
            break
        else:
            groups.append(([name], value))
    return groups


def subjects(cases: pd.DataFrame, fy: int, scope: Iterable[str], top: int = 5) -> tuple[list[tuple[str, Share]], int]:
    """The ``top`` subjects of the complaints received in ``fy`` (each once, by first stage; more when the last
    ties), largest first, each a share of all complaints received; and how many have no subject recorded."""
    first = _first_stages_in(cases, fy, scope)
    values = _column(first, "subject")
    counts = values.dropna().astype(str).value_counts()
    return [(s, Share(n, len(first))) for s, n in largest(counts, top)], int(values.isna().sum())


def remedies(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> tuple[dict[str, int], float, int]:
    """For the responses sent in ``fy``: complaints (cases) given each remedy, compensation paid in pounds,
    and the complaints (cases) it was paid on."""
    rows = cases[_sent(cases, fy, scope)]
    remedy = _column(rows, "remedy").astype("category")
    codes = remedy.cat.codes.to_numpy()  # -1 where blank: the last entry of each lookup below
    items = [str(c).split(";") for c in remedy.cat.categories]
    given = {}
    for name in REMEDIES:
        has = np.array([name in i for i in items] + [False])[codes]
        given[name] = int(rows.loc[has, "case_ref"].nunique())
    money = pd.to_numeric(_column(rows, "compensation"), errors="coerce").fillna(0.0)
    paid = money.to_numpy() > 0
    return given, round(float(money.sum()), 2), int(rows.loc[paid, "case_ref"].nunique())


def _taken(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> pd.DataFrame:
    """Each complaint of ``fy`` (first stage received in it) taken to an Ombudsman: its latest row with a decision."""
    taken = _complaints(cases, scope) & _column(cases, "ombudsman").notna().to_numpy()
    first = _first_stages_of(cases, scope, taken)  # only the few complaints with a decision recorded
    rows = cases[taken]
    rows = rows[rows["case_ref"].isin(first.loc[_in_year(first["received"], fy), "case_ref"])]
    return rows.sort_values("stage", kind="stable").drop_duplicates("case_ref", keep="last")


def _decisions(latest: pd.DataFrame) -> dict[str, int]:
    counts = latest["ombudsman"].astype(str).value_counts() if len(latest) else pd.Series(dtype=int)
    return {d: int(counts.get(d, 0)) for d in DECISIONS}


def ombudsman(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> dict[str, int]:
    """Complaints of ``fy`` (first stage received in it) taken to an Ombudsman, by the latest decision recorded."""
    return _decisions(_taken(cases, fy, scope))


def ombudsman_by_body(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> dict[str, dict[str, int]]:
    """:func:`ombudsman` split by which Ombudsman (``ombudsman_body``): ``lgsco``, ``housing`` and, for complaints
    with no Ombudsman recorded, ``NOT_RECORDED`` (only when there are some)."""
    latest = _taken(cases, fy, scope)
    body = _column(latest, "ombudsman_body").astype(object)
    out = {b: _decisions(latest[(body == b).to_numpy()]) for b in BODIES}
    if body.isna().any():
        out[NOT_RECORDED] = _decisions(latest[body.isna().to_numpy()])
    return out


# --- 10: the Tenant Satisfaction Measures ----------------------------------------------------

def per_thousand(count: int, homes: int) -> float:
    """``count`` per 1,000 homes, to one decimal, rounded half up."""
    value = Decimal(count) * 1000 / Decimal(homes)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class TenantMeasures:
    """CH01 and CH02 for one stage."""

    stage: int
    received: int          # stage-N complaints about the council's homes received in the year
    ch01: float            # ... per 1,000 homes
    ch02: Share            # stage-N responses sent in the year within the Housing Ombudsman's timescale


def tenant_measures(cases: pd.DataFrame, fy: int, homes: int, housing_services: Iterable[str], *,
                    region: str = DEFAULT_REGION, closures: Iterable = ()) -> list[TenantMeasures]:
    """CH01 (complaints per 1,000 homes) and CH02 (responses within the Housing Ombudsman's timescales: 10 and 20
    working days from acknowledgement, +10 and +20 with an extension) at stages 1 and 2."""
    wanted = {normalise(s) for s in housing_services}
    service = _column(cases, "service")
    # The test runs once per distinct service, not per row (a categorical's categories as they are).
    distinct = service.cat.categories if isinstance(service.dtype, pd.CategoricalDtype) else service.dropna().unique()
    same = [c for c in distinct if normalise(c) in wanted]
    housing = service.isin(same).to_numpy() & (cases["kind"] == "complaint").to_numpy() & ~refused(cases)
    extended = _column(cases, "extended").fillna(False).to_numpy(dtype=bool)
    out = []
    for stage, limit in HOUSING_TIMESCALES.items():
        at_stage = housing & (cases["stage"] == stage).to_numpy(dtype=bool, na_value=False)
        n = int((at_stage & _in_year(cases["received"], fy)).sum())
        sent = at_stage & _in_year(cases["responded"], fy)
        rows = cases[sent]
        start = rows["acknowledged"].fillna(rows["received"])
        days = _days(start, rows["responded"], region, closures)
        within = days <= limit + HOUSING_EXTENSIONS[stage] * extended[sent]
        out.append(TenantMeasures(stage, n, per_thousand(n, homes), Share(int(within.sum()), len(rows))))
    return out


# --- 11: the statutory reports ------------------------------------------------------------------

def complainants(cases: pd.DataFrame, fy: int, procedure: str = "childrens") -> list[tuple[str, Share]]:
    """Who made the complaints of ``procedure`` received in ``fy`` (each once, by first stage), largest first."""
    first = _first_stages_in(cases, fy, [procedure])
    who = _column(first, "complainant").astype(object).fillna(NOT_RECORDED).astype(str).value_counts()
    ordered = sorted(who.items(), key=lambda kv: (kv[0] == NOT_RECORDED, -kv[1], kv[0]))
    return [(w, Share(int(n), len(first))) for w, n in ordered]


def advocacy(cases: pd.DataFrame, fy: int, procedure: str = "childrens") -> tuple[Share, int]:
    """The complaints of ``procedure`` received in ``fy`` (each once, by first stage) where an advocate was offered
    or provided, of those with ``advocacy`` recorded; and how many have it not recorded."""
    recorded = _column(_first_stages_in(cases, fy, [procedure]), "advocacy").astype("boolean")
    known = recorded.notna()
    return Share(int(recorded[known].sum()), int(known.sum())), int((~known).sum())


def decision_words(decisions: Mapping[str, int]) -> list[str]:
    """What the Ombudsman did with the complaints taken to it, as phrases for a sentence, leaving out the
    decisions nobody had: ["1 was upheld", "5 were closed without an investigation", "6 are still with the
    Ombudsman"] (a count published as [c] reads "[c] were ...")."""
    from .words import agree, number

    phrases = {"upheld": ("was upheld", "were upheld"), "not upheld": ("was not upheld", "were not upheld"),
               "not investigated": ("was closed without an investigation", "were closed without an investigation"),
               "pending": ("is still with the Ombudsman", "are still with the Ombudsman")}
    return [f"{number(n) if isinstance(n, int) else n} {agree(n, *phrases[d])}"
            for d, n in decisions.items() if n]


def referred(cases: pd.DataFrame, fy: int, procedure: str) -> int:
    """Complaints of ``procedure`` received in ``fy`` that the council knows were taken to the Ombudsman."""
    return sum(ombudsman(cases, fy, [procedure]).values())


def status_counts(assessments: Iterable, statuses: Sequence[str] = ("compliant", "partly", "not compliant")) \
        -> dict[str, int]:
    """How many requirements of a self-assessment have each status."""
    found = [a.status for a in assessments]
    return {s: found.count(s) for s in statuses}


def covered(present: Iterable[str]) -> dict[str, bool]:
    """Which parts of the report the case log's columns allow (``NEEDS``), given the columns present."""
    present = set(present)
    return {part: column in present for part, column in NEEDS.items()}


# --- tables -------------------------------------------------------------------------------------------------

def without_empty_columns(columns: Sequence[str], rows: Sequence[Sequence]) -> tuple[list[str], list[list]]:
    """The table without the columns (after the first) that no row fills."""
    keep = [i for i in range(len(columns)) if i == 0 or any(str(row[i]) != "" for row in rows)]
    return [columns[i] for i in keep], [[row[i] for i in keep] for row in rows]
