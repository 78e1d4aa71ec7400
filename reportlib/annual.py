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
    "extensions": "extended",
}


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


# --- 4-5: acknowledgement and timeliness --------------------------------------------------

def acknowledgement(cases: pd.DataFrame, fy: int, scope: Iterable[str], within: int, *,
                    region: str = DEFAULT_REGION, closures: Iterable = ()) -> tuple[Share, int]:
    """Stage 1 complaints received in ``fy`` acknowledged within ``within`` working days of receipt, as a share
    of those with an acknowledgement date; and how many have none."""
    mask = _complaints(cases, scope) & ~refused(cases) & _in_year(cases["received"], fy) & \
        (cases["stage"] == 1).to_numpy(dtype=bool, na_value=False)
    rows = cases[mask]
    dated = rows["acknowledged"].notna().to_numpy()
    days = working_days(rows["received"][dated], rows["acknowledged"][dated], region, closures)
    return Share(int((days <= within).sum()), int(dated.sum())), int((~dated).sum())


@dataclass(frozen=True)
class Timeliness:
    """How one procedure's stage-N responses sent in a year went against the timescale."""

    procedure: str
    stage: int
    sent: int                       # responses sent in the year
    timescale: int | None           # working days; None: no timescale (adults without a target of their own)
    extension: int                  # extra working days allowed when an extension was agreed
    within: Share                   # responses within timescale (+ extension) of responses sent; empty if no timescale
    extended: int                   # responses sent with an extension agreed
    average_days: float | None      # mean working days taken (one decimal), None when none sent
    fallbacks: int                  # responses timed from receipt for want of an acknowledgement date
    six_months: Share               # answered within six months of receipt (regulation 14 for adults)


def _clock(rows: pd.DataFrame, procedure: str) -> tuple[pd.Series, int]:
    """Where the clock starts for each row, and how many fell back to receipt for want of an acknowledgement."""
    if CLOCK[procedure] != "acknowledged":
        return rows["received"], 0
    ack = rows["acknowledged"]
    start = ack.fillna(rows["received"])
    return start, int(ack.isna().sum())


def _days(start: pd.Series, end: pd.Series, region: str, closures) -> np.ndarray:
    """Working days from ``start`` to ``end`` (0 when acknowledged after a same-day response)."""
    return working_days(start.where(start <= end, end), end, region, closures)


def _six_months(rows: pd.DataFrame) -> Share:
    limit = rows["received"] + pd.DateOffset(months=6)
    return Share(int((rows["responded"] <= limit).sum()), len(rows))


def timeliness(cases: pd.DataFrame, fy: int, scope: Iterable[str], timescales: Mapping[str, Mapping[int, int]],
               extensions: Mapping[str, Mapping[int, int]], *, region: str = DEFAULT_REGION,
               closures: Iterable = ()) -> list[Timeliness]:
    """Responses sent in ``fy``, per procedure in scope and stage (the stages with a timescale or a response)."""
    sent = _sent(cases, fy, scope)
    extended = _column(cases, "extended").fillna(False).to_numpy(dtype=bool)
    out = []
    for proc in scope:
        of_proc = sent & (cases["procedure"] == proc).to_numpy()
        answered = set(int(s) for s in cases.loc[of_proc, "stage"].dropna().unique())
        for stage in sorted(set(timescales.get(proc, {})) | answered):
            mask = of_proc & (cases["stage"] == stage).to_numpy(dtype=bool, na_value=False)
            rows = cases[mask]
            start, fallbacks = _clock(rows, proc)
            days = _days(start, rows["responded"], region, closures)
            limit = timescales.get(proc, {}).get(stage)
            extra = extensions.get(proc, {}).get(stage, 0)
            ext = extended[mask]
            within = Share(int((days <= limit + extra * ext).sum()), len(rows)) if limit else Share(0, 0)
            out.append(Timeliness(proc, stage, len(rows), limit, extra, within, int(ext.sum()),
                                  round(float(days.mean()), 1) if len(rows) else None, fallbacks,
                                  _six_months(rows)))
    return out


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


def subjects(cases: pd.DataFrame, fy: int, scope: Iterable[str], top: int = 5) -> tuple[list[tuple[str, Share]], int]:
    """The ``top`` subjects of the complaints received in ``fy`` (each once, by first stage), largest first, each a
    share of all complaints received; and how many have no subject recorded."""
    first = _first_stages_in(cases, fy, scope)
    values = _column(first, "subject")
    counts = values.dropna().astype(str).value_counts()
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [(s, Share(int(n), len(first))) for s, n in ordered], int(values.isna().sum())


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


def ombudsman(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> dict[str, int]:
    """Complaints of ``fy`` (first stage received in it) taken to an Ombudsman, by the latest decision recorded."""
    taken = _complaints(cases, scope) & _column(cases, "ombudsman").notna().to_numpy()
    first = _first_stages_of(cases, scope, taken)  # only the few complaints with a decision recorded
    rows = cases[taken]
    rows = rows[rows["case_ref"].isin(first.loc[_in_year(first["received"], fy), "case_ref"])]
    latest = rows.sort_values("stage", kind="stable").drop_duplicates("case_ref", keep="last")
    counts = latest["ombudsman"].astype(str).value_counts() if len(latest) else pd.Series(dtype=int)
    return {d: int(counts.get(d, 0)) for d in DECISIONS}


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




def timeliness_against(now: Sequence[Timeliness], before: Sequence[Timeliness], labels: Mapping[str, str],
                       below: int | None = None) -> list[dict]:
    """One line per procedure and stage for the narrative and the table: the year's share within timescale (or,
    with no timescale, within six months) beside the year before's, with the words for the change, and for adult
    social care always the share within six months too; counts below ``below`` published as [c] (see
    :func:`reportlib.narrative.suppress`)."""
    from .figures import suppress
    from .words import compare

    earlier = {(t.procedure, t.stage): t for t in before}
    lines = []
    for t in now:
        was = earlier.get((t.procedure, t.stage))
        share = t.within if t.timescale else t.six_months
        prior = (was.within if t.timescale else was.six_months) if was else Share(0, 0)
        lines.append({"procedure": labels.get(t.procedure, t.procedure), "stage": t.stage,
                      "timescale": t.timescale or 0, "extension": t.extension, "six_months": not t.timescale,
                      "share": suppress(share, below), "before": suppress(prior, below),
                      "words": compare(prior.pct, share.pct), "extended": suppress(t.extended, below),
                      "average": t.average_days, "fallbacks": t.fallbacks,
                      "also_six_months": suppress(t.six_months, below) if t.procedure == "adults" and t.timescale
                      else None})
    return lines
