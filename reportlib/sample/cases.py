"""The sample's rows: receipts through the years, each complaint's stages and how long each response took,
and the refused complaints."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..workdays import calendar, due_dates
from .settings import (
    ADULTS_TEAMS, CHANGE, CHILDRENS_TEAMS, CORPORATE_CHILDRENS_TEAMS, CORPORATE_SERVICES, ESCALATION, EXTRACT,
    FIRST_FY, KIND_CODE, LAST_FY, OUTCOMES, OUTCOME_WEIGHTS, PREFIX, PRESSURED_TEAMS, PROCEDURES, REASONS,
    REASON_WEIGHTS, REFUSAL_REASONS, REFUSED_SHARE, TARGETS, VOLUMES,
)


def _day_weights(days: pd.DatetimeIndex) -> np.ndarray:
    """How busy each calendar day is: working days, a Christmas dip, the first lockdown, August."""
    working = np.is_busday(days.to_numpy().astype("datetime64[D]"), busdaycal=calendar())
    weight = np.where(working, 1.0, 0.05)  # a few arrive by email at weekends and on bank holidays
    christmas = ((days.month == 12) & (days.day >= 21)) | ((days.month == 1) & (days.day <= 4))
    weight = np.where(christmas, weight * 0.35, weight)
    weight = np.where(days.month == 8, weight * 0.85, weight)
    lockdown = (days >= pd.Timestamp("2020-03-23")) & (days <= pd.Timestamp("2020-05-31"))
    return np.where(lockdown, weight * 0.6, weight)


def _receipts(rng: np.random.Generator, start: dt.date, end: dt.date, n: int) -> np.ndarray:
    """n receipt dates in [start, end], sorted."""
    days = pd.date_range(start, end, freq="D")
    weight = _day_weights(days)
    return np.sort(rng.choice(days.to_numpy().astype("datetime64[D]"), size=n, p=weight / weight.sum()))


def _spans() -> list[tuple[dt.date, dt.date, int]]:
    """(start, end, index into VOLUMES lists) for each year, then Q1 2021/22 (index -1)."""
    years = [(dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31), i) for i, fy in enumerate(range(FIRST_FY, LAST_FY + 1))]
    return years + [(dt.date(LAST_FY + 1, 4, 1), EXTRACT, -1)]


def _first_rows(rng: np.random.Generator, proc: str, kind: str) -> pd.DataFrame:
    """Every case of one procedure and kind: refs, receipt dates, teams and services."""
    parts = []
    for start, end, i in _spans():
        mean = VOLUMES[proc][kind][i] * (0.25 if i == -1 else 1.0)
        # Poisson-ish: Poisson's shape with 60% of its spread, so the trends stay readable.
        n = int(round(mean + 0.6 * (rng.poisson(mean) - mean)))
        parts.append(_receipts(rng, start, end, n))
    received = np.concatenate(parts)
    year = received.astype("datetime64[Y]").astype(int) + 1970
    number = pd.Series(year).groupby(year).cumcount().to_numpy() + 1
    ref = (f"{PREFIX[proc]}-{KIND_CODE[kind]}" + pd.Series(year.astype(str)) + "-"
           + pd.Series(number.astype(str)).str.zfill(5))
    team, service = _teams_services(rng, proc, len(received))
    return pd.DataFrame({"case_ref": ref.to_numpy(), "kind": kind, "procedure": proc, "received": received,
                         "team": team, "service": service})


def _choice(rng: np.random.Generator, weights: dict, n: int) -> np.ndarray:
    p = np.array(list(weights.values()), dtype=float)
    return rng.choice(np.array(list(weights), dtype=object), n, p=p / p.sum())


def _teams_services(rng: np.random.Generator, proc: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    if proc == "childrens":
        return _choice(rng, CHILDRENS_TEAMS, n), np.full(n, "Children's Services", dtype=object)
    if proc == "adults":
        return _choice(rng, ADULTS_TEAMS, n), np.full(n, "Adult Social Care", dtype=object)
    service = _choice(rng, {s: w for s, (w, _) in CORPORATE_SERVICES.items()}, n)
    team = pd.Series(service).map({s: t for s, (_, t) in CORPORATE_SERVICES.items()}).to_numpy(dtype=object)
    childrens = service == "Children's Services"
    team[childrens] = _choice(rng, CORPORATE_CHILDRENS_TEAMS, int(childrens.sum()))
    return team, service


def _p_within(rng: np.random.Generator, proc: str, stage: int, received: np.ndarray,
              service: np.ndarray, team: np.ndarray) -> np.ndarray:
    """Chance that a response is within target, by procedure, stage, service, team and date received."""
    d = pd.DatetimeIndex(received)
    fy = (d.year - (d.month < 4)).to_numpy()
    if stage == 1 and proc in ("childrens", "corporate"):
        # Children's Services (statutory and corporate complaints alike) improve with the revised
        # process; cases already open on 18 August 2020 were mostly handled under it too. The
        # court and care management teams, with the heaviest caseloads, are later than the rest.
        childrens = np.where(d >= pd.Timestamp(CHANGE) - pd.Timedelta(days=14), 0.68, 0.41)
        childrens = childrens + np.where(np.isin(team, PRESSURED_TEAMS), -0.10, 0.06)
        other = 0.75 + 0.04 * np.sin(fy * 1.7)          # corporate: 71-79% from year to year
        return np.where(service == "Children's Services", childrens, other)
    if stage == 1:  # adults
        return 0.70 + 0.03 * np.sin(fy * 2.3)
    # Stage 2 performance is reported by the quarter the investigation is completed in, so it
    # is set by the quarter an on-time investigation would be completed in.
    if (proc, stage) == ("childrens", 2):
        done = d + pd.Timedelta(days=91)
        return np.select([done < pd.Timestamp("2020-04-01"), done < pd.Timestamp("2020-07-01"),
                          done < pd.Timestamp("2020-10-01"), done < pd.Timestamp("2021-01-01")],
                         [0.01, 0.12, 0.22, 0.33], 0.50)
    if (proc, stage) == ("corporate", 2):
        done = d + pd.Timedelta(days=35)
        quarter = ((done.year - (done.month < 4) - FIRST_FY) * 4 + ((done.month - 4) % 12) // 3).to_numpy()
        by_quarter = rng.uniform(0.40, 0.60, 32)  # varies from quarter to quarter
        return by_quarter[np.clip(quarter, 0, 31)]
    return np.full(len(d), 0.55)  # stage 3


def _systematic(rng: np.random.Generator, p: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Pick each row with probability ``p`` (at most 1), evenly spread in ``key`` order.

    Systematic sampling: walk the rows in ``key`` order adding up ``p`` from a random start
    and pick a row whenever the running total passes a whole number. Each row's chance is
    still its ``p``, but a few dozen cases a quarter come out close to the expected share
    instead of scattering as independent draws would.
    """
    order = np.argsort(key, kind="stable")
    w = np.asarray(p, dtype=float)[order]
    total = np.cumsum(w) + rng.random()
    picked = np.floor(total) > np.floor(total - w)
    out = np.zeros(len(order), dtype=bool)
    out[order] = picked
    return out


def _durations(rng: np.random.Generator, target: int, p_within: np.ndarray, stage: int,
               received: np.ndarray) -> np.ndarray:
    """Working days taken: within target with probability p_within, otherwise a long tail."""
    n = len(p_within)
    low = max(2, target // 4) if stage == 1 else target // 2
    quick = np.round(rng.triangular(low, target, target, n)).astype(np.int64)   # most near the deadline
    # On-time responses spread evenly over the weeks they are sent in (performance is counted by
    # the date responded; five working days make seven calendar days). The month of jitter keeps
    # neighbouring cases from simply alternating, which a later systematic pick could alias.
    sent = received + (quick * 7 // 5 + rng.integers(-30, 31, n)).astype("timedelta64[D]")
    within = _systematic(rng, p_within, sent)
    tail = rng.gamma(1.5, target * (0.45 if stage == 1 else 0.55), n)
    late = target + 1 + np.minimum(tail, target * (2.0 if stage == 1 else 1.4)).astype(np.int64)
    return np.where(within, np.clip(quick, 1, target), late)


def _weighted_pick(rng: np.random.Generator, options: list[str], weights: np.ndarray) -> np.ndarray:
    """One option per row, each row with its own weights (rows of ``weights``)."""
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    idx = (rng.random(len(weights))[:, None] > cum[:, :-1]).sum(axis=1)
    return np.array(options, dtype=object)[idx]


def _stage(rng: np.random.Generator, proc: str, stage: int, first: pd.DataFrame, received: np.ndarray,
           days: np.ndarray) -> pd.DataFrame:
    """The rows of one stage for the cases in ``first`` (refs, teams, services), received on
    ``received`` and taking ``days`` working days."""
    n = len(received)
    target = TARGETS[(proc, stage)]
    service = first["service"].to_numpy()
    team = first["team"].to_numpy()
    responded = due_dates(received, days)
    ack_days = np.minimum(rng.choice(4, n, p=[0.25, 0.35, 0.25, 0.15]), days)
    acknowledged = np.where(rng.random(n) < 0.05, np.datetime64("NaT"), due_dates(received, ack_days))
    late = days > target
    if stage > 1:
        group = np.full(n, "later stage", dtype=object)
    elif proc == "childrens" or proc == "corporate":
        # Work pressures bite hardest in the children's court and care management teams.
        group = np.where(np.isin(team, PRESSURED_TEAMS), "pressured team",
                         np.where(service == "Children's Services", "other childrens team", "stage 1"))
    else:
        group = np.full(n, "stage 1", dtype=object)
    weights = np.array(list(REASON_WEIGHTS.values()))[pd.Index(list(REASON_WEIGHTS)).get_indexer(group)]
    reason = np.where(late, _weighted_pick(rng, REASONS, weights), "")
    return pd.DataFrame({
        "case_ref": first["case_ref"].to_numpy(), "kind": "complaint", "procedure": proc, "stage": stage,
        "received": received, "acknowledged": acknowledged.astype("datetime64[D]"),
        "responded": responded, "team": team, "service": service, "delay_reason": reason,
        "outcome": rng.choice(np.array(OUTCOMES, dtype=object), n, p=OUTCOME_WEIGHTS[stage]),
        "extended": np.where(late & (rng.random(n) < 0.2), "yes", "no"),
        "target": target, "days": days,
    })


def _escalate(rng: np.random.Generator, eligible: np.ndarray, completes: np.ndarray, rate: float) -> np.ndarray:
    """Which eligible cases go on to the next stage: about ``rate`` of them.

    Spread evenly in order of when the next stage would be completed (with some jitter), so
    every quarter has a few completed investigations: with a few dozen a year, independent
    draws would leave some quarters with none.
    """
    return _systematic(rng, rate * eligible * rng.uniform(0.6, 1.4, len(eligible)), completes)


def _complaints(rng: np.random.Generator, proc: str) -> pd.DataFrame:
    first = _first_rows(rng, proc, "complaint")
    received = first["received"].to_numpy()
    p = _p_within(rng, proc, 1, received, first["service"].to_numpy(), first["team"].to_numpy())
    days = _durations(rng, TARGETS[(proc, 1)], p, 1, received)
    stages = [_stage(rng, proc, 1, first, received, days)]
    for stage in (2, 3):
        rate = ESCALATION.get((proc, stage))
        if rate is None:
            break
        prev = stages[-1]
        # Every case could go on: the complainant would ask a few days to a few weeks after the
        # response, and the next stage would take so long. Then about ``rate`` of them do.
        received = due_dates(prev["responded"].to_numpy(), rng.integers(3, 21, len(prev)))
        p = _p_within(rng, proc, stage, received, prev["service"].to_numpy(), prev["team"].to_numpy())
        days = _durations(rng, TARGETS[(proc, stage)], p, stage, received)
        # Escalate on-time and late investigations separately, each spread evenly over time, so
        # a quarter's handful of completed cases shows its real share within the timescale.
        eligible, done = (prev["outcome"] != "withdrawn").to_numpy(), due_dates(received, days)
        within = days <= TARGETS[(proc, stage)]
        up = _escalate(rng, eligible & within, done, rate) | _escalate(rng, eligible & ~within, done, rate)
        stages.append(_stage(rng, proc, stage, prev[up], received[up], days[up]))
    rows = pd.concat(stages, ignore_index=True)
    # The last stage of each case: no row for the same case one stage on.
    key = rows["case_ref"] + "|" + rows["stage"].astype(str)
    rows["last"] = ~(rows["case_ref"] + "|" + (rows["stage"] + 1).astype(str)).isin(key)
    return rows


def _refusals(rng: np.random.Generator) -> pd.DataFrame:
    """Complaints not accepted into the procedure: stage 1 rows of their own (``XXX-R-`` refs), a
    few per cent of each year's complaints, answered by a letter saying why (``responded``)."""
    frames = []
    for proc in PROCEDURES:
        parts = []
        for start, end, i in _spans():
            mean = REFUSED_SHARE * VOLUMES[proc]["complaint"][i] * (0.25 if i == -1 else 1.0)
            parts.append(_receipts(rng, start, end, int(rng.poisson(mean))))
        received = np.concatenate(parts)
        n = len(received)
        year = received.astype("datetime64[Y]").astype(int) + 1970
        number = pd.Series(year).groupby(year).cumcount().to_numpy() + 1
        ref = (f"{PREFIX[proc]}-R-" + pd.Series(year.astype(str)) + "-" + pd.Series(number.astype(str)).str.zfill(5))
        team, service = _teams_services(rng, proc, n)
        letter = due_dates(received, rng.integers(1, 11, n))
        frames.append(pd.DataFrame({
            "case_ref": ref.to_numpy(), "kind": "complaint", "procedure": proc, "stage": 1, "received": received,
            "acknowledged": np.datetime64("NaT"), "responded": letter, "team": team, "service": service,
            "delay_reason": "", "outcome": "", "extended": "no", "last": True,
            "refused_reason": _choice(rng, REFUSAL_REASONS[proc], n)}))
    refused = pd.concat(frames, ignore_index=True)
    refused.loc[refused["responded"].to_numpy(dtype="datetime64[D]") > np.datetime64(EXTRACT, "D"),
                "responded"] = np.datetime64("NaT")
    return refused[refused["received"].to_numpy(dtype="datetime64[D]") <= np.datetime64(EXTRACT, "D")]


def _uk(dates: pd.Series) -> pd.Series:
    """Dates as a UK Excel export writes them, dd/mm/yyyy; blank for none."""
    return pd.to_datetime(dates).dt.strftime("%d/%m/%Y").fillna("")
