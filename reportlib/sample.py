"""The bundled synthetic case log: realistic enough that both reports say something meaningful.

Six financial years (2015/16 to 2020/21) and the first quarter of 2021/22, extracted on
30 June 2021, for a county-sized council: all three procedures, stages 1-3 (later stages
share the stage 1 case_ref), comments and compliments, teams and services, delay reasons on
late responses, outcomes, open cases, a Christmas dip, and two columns of invented personal
data (which reportlib drops at the door). Children's stage 1 responses improve after a process
change on 18 August 2020. Deterministic: the same seed writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from .workdays import due_dates

DEFAULT_PATH = Path("data/sample_case_log.csv")
SEED = 20210720
FIRST_FY, LAST_FY = 2015, 2020
EXTRACT = dt.date(2021, 6, 30)
CHANGE = dt.date(2020, 8, 18)
COLUMNS = ["case_ref", "kind", "procedure", "stage", "received", "acknowledged", "responded", "team", "service",
           "delay_reason", "outcome", "extended", "complainant_name", "contact_email"]

#: Expected volumes per financial year 2015/16 .. 2020/21 (complaints: stage 1 cases).
VOLUMES = {
    "corporate": {"complaint": [560, 585, 610, 640, 615, 420], "comment": [72, 68, 63, 60, 64, 14],
                  "compliment": [45, 41, 37, 33, 29, 23]},
    "childrens": {"complaint": [62, 65, 69, 71, 70, 84], "comment": [18, 16, 15, 17, 17, 8],
                  "compliment": [120, 131, 140, 151, 162, 176]},
    "adults": {"complaint": [112, 118, 121, 114, 117, 127], "comment": [10, 9, 10, 9, 9, 8],
               "compliment": [98, 110, 121, 138, 156, 197]},
}
PREFIX = {"corporate": "COR", "childrens": "CSC", "adults": "ASC"}
KIND_CODE = {"complaint": "", "comment": "M-", "compliment": "P-"}

TEAMS = {
    "childrens": (["Court Team", "Care Management Team 1", "Care Management Team 2", "Children in Care",
                   "Disabled Children", "Fostering", "Early Help", "MASH"],
                  [0.2, 0.17, 0.15, 0.14, 0.09, 0.1, 0.08, 0.07]),
    "adults": (["Older People", "Learning Disabilities", "Mental Health", "Reablement"], [0.4, 0.2, 0.2, 0.2]),
}
CORPORATE_SERVICES = {
    "Highways and Transport": "Highways Maintenance", "Waste and Recycling": "Waste Services",
    "Council Tax and Benefits": "Revenues and Benefits", "Libraries": "Library Services",
    "Planning": "Development Management", "Customer Services": "Contact Centre",
}
CORPORATE_CHILDRENS = {"Education": 0.6, "SEND Transport": 0.4}   # corporate complaints about Children's Services
REASONS = (["Other work pressures", "Staff absence", "Complex case", "Awaiting information",
            "Investigator availability", ""], [0.50, 0.15, 0.13, 0.08, 0.07, 0.07])
OUTCOMES = (["upheld", "partly upheld", "not upheld", "withdrawn"], [0.25, 0.30, 0.40, 0.05])
TARGETS = {("childrens", 1): 20, ("corporate", 1): 20, ("adults", 1): 25,
           ("childrens", 2): 65, ("corporate", 2): 25, ("childrens", 3): 30, ("corporate", 3): 20}


def _receipt_days(rng: np.random.Generator, start: dt.date, end: dt.date, n: int) -> np.ndarray:
    """n receipt dates in [start, end]: mostly working days, fewer over Christmas and New Year."""
    days = pd.date_range(start, end, freq="D")
    weight = np.where(days.dayofweek < 5, 1.0, 0.06)
    christmas = ((days.month == 12) & (days.day >= 20)) | ((days.month == 1) & (days.day <= 3))
    weight = np.where(christmas, weight * 0.3, weight)
    return np.sort(rng.choice(days.to_numpy(), size=n, p=weight / weight.sum())).astype("datetime64[D]")


def _durations(rng, n: int, target: int, p_within: np.ndarray) -> np.ndarray:
    """Working days taken: within target with probability p_within, otherwise a long tail."""
    within = rng.random(n) < p_within
    quick = rng.integers(max(1, target // 4), target + 1, n)
    late = target + 1 + np.minimum(rng.gamma(1.6, target * 0.45, n).astype(int), target * 4)
    return np.where(within, quick, late)


def _stage_rows(rng, proc: str, stage: int, refs, received: np.ndarray, p_within: np.ndarray,
                teams: np.ndarray, services: np.ndarray) -> pd.DataFrame:
    n = len(received)
    target = TARGETS[(proc, stage)]
    days = _durations(rng, n, target, p_within)
    responded = due_dates(received, days)
    ack = due_dates(received, np.minimum(rng.integers(0, 4, n), days))
    late = days > target
    reason = np.where(late, rng.choice(REASONS[0], n, p=REASONS[1]), "")
    if proc == "childrens":
        # Work pressures bite hardest in the court and care-management teams.
        pressured = (reason == "Other work pressures") & (rng.random(n) < 0.7)
        teams = np.where(pressured, rng.choice(TEAMS["childrens"][0][:3], n, p=[0.5, 0.25, 0.25]), teams)
    return pd.DataFrame({
        "case_ref": refs, "kind": "complaint", "procedure": proc, "stage": stage,
        "received": received, "acknowledged": np.where(rng.random(n) < 0.05, np.datetime64("NaT"), ack),
        "responded": responded, "team": teams, "service": services, "delay_reason": reason,
        "outcome": rng.choice(OUTCOMES[0], n, p=OUTCOMES[1]),
        "extended": np.where(late & (rng.random(n) < 0.2), "yes", "no"),
    })


def _teams_services(rng, proc: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    if proc in TEAMS:
        names, weights = TEAMS[proc]
        service = "Children's Services" if proc == "childrens" else "Adult Social Care"
        return rng.choice(names, n, p=weights), np.full(n, service, dtype=object)
    services = np.array(list(CORPORATE_SERVICES) + ["Children's Services"], dtype=object)
    weights = np.array([0.3, 0.22, 0.14, 0.05, 0.09, 0.1, 0.1])
    service = rng.choice(services, n, p=weights / weights.sum())
    team = np.array([CORPORATE_SERVICES.get(s, "") for s in service], dtype=object)
    childrens = service == "Children's Services"
    team[childrens] = rng.choice(list(CORPORATE_CHILDRENS), childrens.sum(), p=list(CORPORATE_CHILDRENS.values()))
    return team, service


def _p_within(proc: str, stage: int, received: np.ndarray, service: np.ndarray) -> np.ndarray:
    """How likely a response is on time, by procedure, stage, service and when it was received."""
    d = pd.DatetimeIndex(received)
    if stage == 1 and (proc == "childrens" or proc == "corporate"):
        # Children's Services (statutory and corporate complaints alike) improve after the change.
        childrens = np.where(d >= pd.Timestamp(CHANGE), 0.66, 0.40)
        return np.where(service == "Children's Services", childrens, 0.76)
    if (proc, stage) == ("childrens", 2):
        return np.select([d < pd.Timestamp("2020-05-01"), d < pd.Timestamp("2020-08-01")], [0.06, 0.3], 0.48)
    if (proc, stage) == ("corporate", 2):
        return 0.5 + 0.12 * np.sin(d.month.to_numpy() / 12 * 2 * np.pi)
    return np.full(len(d), {"corporate": 0.76, "adults": 0.7}.get(proc, 0.5) if stage == 1 else 0.5)


def generate(seed: int = SEED) -> pd.DataFrame:
    """The synthetic case log as a DataFrame of text, in export order."""
    rng = np.random.default_rng(seed)
    frames = []
    serial = iter(range(1, 10**6))
    for proc, kinds in VOLUMES.items():
        for kind, per_year in kinds.items():
            # Six full years, then the first quarter of 2021/22 at a quarter of the last year's volume.
            spans = [(dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31), v) for fy, v in
                     zip(range(FIRST_FY, LAST_FY + 1), per_year)] + [(dt.date(2021, 4, 1), EXTRACT, per_year[-1] / 4)]
            received = np.concatenate([_receipt_days(rng, a, b, rng.poisson(v)) for a, b, v in spans])
            n = len(received)
            refs = np.array([f"{PREFIX[proc]}-{KIND_CODE[kind]}{str(r)[:4]}-{next(serial):05d}" for r in received])
            team, service = _teams_services(rng, proc, n)
            if kind != "complaint":
                frames.append(pd.DataFrame({"case_ref": refs, "kind": kind, "procedure": proc, "stage": 0,
                                            "received": received, "team": team, "service": service}))
                continue
            s1 = _stage_rows(rng, proc, 1, refs, received, _p_within(proc, 1, received, service), team, service)
            frames.append(s1)
            previous = s1
            for stage, rate in ((2, {"childrens": 0.27, "corporate": 0.1}), (3, {"childrens": 0.3, "corporate": 0.05})):
                if proc not in rate:
                    break
                up = rng.random(len(previous)) < rate[proc]
                base = previous[up]
                nxt = due_dates(base["responded"].to_numpy(), rng.integers(3, 25, up.sum()))
                rows = _stage_rows(rng, proc, stage, base["case_ref"].to_numpy(), nxt,
                                   _p_within(proc, stage, nxt, base["service"].to_numpy()), base["team"].to_numpy(),
                                   base["service"].to_numpy())
                frames.append(rows)
                previous = rows
    log = pd.concat(frames, ignore_index=True)
    log = log[log["received"] <= np.datetime64(EXTRACT)]
    # What the extract could not yet know: responses after it, plus a few cases stuck open.
    stuck = (rng.random(len(log)) < 0.004) & (log["kind"] == "complaint").to_numpy()
    open_ = (log["responded"] > np.datetime64(EXTRACT)).to_numpy() | stuck
    log.loc[open_, ["responded", "outcome", "delay_reason", "extended"]] = [np.datetime64("NaT"), "", "", "no"]
    log.loc[(log["acknowledged"] > np.datetime64(EXTRACT)).to_numpy(), "acknowledged"] = np.datetime64("NaT")
    log = log.sort_values(["received", "case_ref", "stage"], kind="stable").reset_index(drop=True)
    person = np.arange(1, len(log) + 1)
    out = pd.DataFrame({
        "case_ref": log["case_ref"],
        "kind": log["kind"],
        "procedure": log["procedure"],
        "stage": np.where(log["stage"] > 0, log["stage"].astype("Int64").astype(str), ""),
        "received": _uk(log["received"]),
        "acknowledged": _uk(log["acknowledged"]),
        "responded": _uk(log["responded"]),
        "team": log["team"],
        "service": log["service"],
        "delay_reason": log["delay_reason"].fillna(""),
        "outcome": log["outcome"].fillna(""),
        "extended": log["extended"].fillna(""),
        "complainant_name": [f"Person {i:05d}" for i in person],
        "contact_email": [f"person{i:05d}@example.org" for i in person],
    })
    return out[COLUMNS]


def _uk(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates).dt.strftime("%d/%m/%Y").fillna("")


def write(path: Path | str = DEFAULT_PATH, seed: int = SEED) -> int:
    """Write the sample CSV (UTF-8, ``\\n`` line endings); returns the number of rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    log = generate(seed)
    log.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return len(log)
