"""The bundled synthetic case log: realistic enough that both reports say something meaningful.

A county-sized council's complaints, comments and compliments export, taken on 30 June 2021:
six financial years (2015/16 to 2020/21) and the first quarter of 2021/22, all three
procedures (statutory children's social care, statutory adult social care, corporate),
complaint stages 1-3 (later stages share the stage 1 ``case_ref``), teams and services,
delay reasons on late responses, outcomes, extensions, open cases (recent ones and a few old
ones stuck open), fewer receipts over Christmas and at the start of the 2020 lockdown, and two
columns of invented personal data (``complainant_name``, ``contact_email``) that reportlib
must drop at the door.

The story the figures tell (the two example reports in ``shared/examples``):

* Children's Services stage 1: about 40% within 20 working days until a revised process
  started on 18 August 2020, about 65% since.
* Stage 2: children's statutory investigations (65 working days) almost never in time
  before 2020, about a third in Q3 2020/21 and half in Q4 2020/21; corporate (25 working
  days) between 40% and 60% from quarter to quarter.
* Corporate complaints fall sharply in 2020/21 (covid); corporate compliments fall over
  six years while children's and, more sharply, adults' compliments rise.

The optional columns (SPEC "Input 1"), for the annual report, drawn from a generator of their
own (``seed + 1``) after everything above, so that every row and value above is exactly what it
was before they existed (``generate(optional=False)`` gives that log, byte for byte) apart from
the housing cases' service and team:

* ``subject`` on every complaint row (one per case), from the council's own list, in
  proportions that differ by procedure and service (Charges and payments mostly council tax,
  Repairs only housing).
* ``remedy`` on every upheld or partly upheld response: mostly an apology, often an
  explanation, some service improvement or action taken, a few financial; ``compensation``
  (£50-£2,000, median about £135, a quarter to the penny) on the financial ones.
* ``ombudsman`` on the last stage of a few answered complaints: about 7% of corporate cases
  whose stage 2 or 3 was answered, 3% of adults', 15% of children's stage 3, and a few premature
  ones (not investigated); decisions mostly not investigated, recent ones pending.
* ``complainant`` on children's social care complaints (one per case): parent or carer 60%,
  child or young person 15%, advocate 10%, other 15%.
* Housing: about a third of the corporate cases about Customer Services or Council Tax and
  Benefits (8% of corporate cases) are Housing Repairs or Housing Management cases, team
  Housing (only their service and team change), so the council is a landlord.
* Refused complaints: extra stage 1 rows (``CSC-R-2020-00001``...), about 4% of each year's
  complaints, with a ``refused_reason``, no acknowledgement, no outcome, and as ``responded`` the
  date of the letter saying why (1-10 working days; blank if not sent by the extract). They
  slot in by date; the existing rows keep their order and their invented complainants, and
  the refused ones get new ones. The reports never count them as received or responded to.

Then the law as written, and three more optional columns, from a third generator (``seed + 2``) so
that everything above keeps its values:

* The Complaint Handling Code has two stages: the few corporate stage 3 rows are left out (the
  council runs no local third stage), and the children's review panel has no extension
  (``extended`` is no on every children's stage 3 row).
* ``panel_date`` on the children's stage 3 rows answered: the day the review panel met, half to
  four fifths of the way from the request to the response (most within the 30 working days of
  regulation 19(4)).
* ``ombudsman_body`` wherever ``ombudsman`` is given: ``housing`` (the Housing Ombudsman) for
  complaints about the council's homes, else ``lgsco``.
* ``advocacy`` on children's social care complaints (one per case): yes where an advocate made
  the complaint, for 60% of those a child or young person made and 5% of the rest; a few not
  recorded (blank).

Times are drawn as working-day counts and turned into dates with
:func:`reportlib.workdays.due_dates`, so the working days taken are exact. Everything is
vectorised numpy/pandas (loops run over procedures, kinds, years, stages and remedies, never cases)
and deterministic: the same seed writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from .workdays import calendar, due_dates, working_days

DEFAULT_PATH = Path("data/sample_case_log.csv")
SEED = 20210720
FIRST_FY, LAST_FY = 2015, 2020
EXTRACT = dt.date(2021, 6, 30)          # the day the export was taken: no date after it
CHANGE = dt.date(2020, 8, 18)           # Children's Services' revised stage 1 process
#: The export's columns before the optional ones were added (``generate(optional=False)``).
BASE_COLUMNS = ["case_ref", "kind", "procedure", "stage", "received", "acknowledged", "responded", "team", "service",
                "delay_reason", "outcome", "extended", "complainant_name", "contact_email"]
OPTIONAL_COLUMNS = ["subject", "remedy", "compensation", "refused_reason", "ombudsman", "complainant",
                    "ombudsman_body", "panel_date", "advocacy"]
COLUMNS = BASE_COLUMNS[:12] + OPTIONAL_COLUMNS + BASE_COLUMNS[12:]
PROCEDURES = ("childrens", "adults", "corporate")
KINDS = ("complaint", "comment", "compliment")

#: Expected volumes per financial year 2015/16 .. 2020/21 (complaints: stage 1 cases).
#: Each year's count is Poisson-ish around these; Q1 2021/22 gets a quarter of 2020/21's.
VOLUMES = {
    "childrens": {"complaint": [64, 66, 69, 71, 70, 83], "comment": [18, 16, 14, 17, 17, 10],
                  "compliment": [120, 131, 140, 151, 162, 176]},
    "adults": {"complaint": [112, 118, 121, 114, 117, 127], "comment": [10, 9, 10, 9, 9, 8],
               "compliment": [100, 112, 124, 139, 157, 197]},
    "corporate": {"complaint": [540, 565, 590, 620, 630, 420], "comment": [66, 63, 60, 58, 62, 15],
                  "compliment": [45, 41, 37, 33, 29, 23]},
}
#: case_ref prefixes: procedure, then a code for comments and compliments (complaints have none).
PREFIX = {"childrens": "CSC", "adults": "ASC", "corporate": "COR"}
KIND_CODE = {"complaint": "", "comment": "CMT-", "compliment": "CPL-"}

CHILDRENS_TEAMS = {"Court Team": 0.21, "Care Management Team 1": 0.18, "Care Management Team 2": 0.16,
                   "Children in Care": 0.13, "Disabled Children": 0.08, "Fostering": 0.09, "Early Help": 0.08,
                   "MASH": 0.07}
PRESSURED_TEAMS = ("Court Team", "Care Management Team 1", "Care Management Team 2")
ADULTS_TEAMS = {"Older People": 0.40, "Learning Disabilities": 0.22, "Mental Health": 0.18, "Reablement": 0.20}
#: Corporate services (weight of corporate cases, the team that handles them).
CORPORATE_SERVICES = {
    "Highways and Transport": (0.30, "Highways Maintenance"),
    "Waste and Recycling": (0.21, "Waste Services"),
    "Council Tax and Benefits": (0.14, "Revenues and Benefits"),
    "Libraries": (0.05, "Library Services"),
    "Planning": (0.09, "Development Management"),
    "Customer Services": (0.11, "Contact Centre"),
    "Children's Services": (0.10, None),  # education and SEND transport: corporate, not statutory
}
CORPORATE_CHILDRENS_TEAMS = {"Education": 0.6, "SEND Transport": 0.4}

REASONS = ["Other work pressures", "Staff absence", "Complex case", "Awaiting information",
           "Investigator availability", ""]
#: Delay reason weights (same order as REASONS) for late responses.
REASON_WEIGHTS = {
    "stage 1": [0.50, 0.15, 0.13, 0.08, 0.07, 0.07],
    "pressured team": [0.82, 0.07, 0.05, 0.02, 0.01, 0.03],   # children's court and care management teams
    "other childrens team": [0.30, 0.18, 0.22, 0.14, 0.07, 0.09],   # and education, SEND transport
    "later stage": [0.40, 0.10, 0.18, 0.11, 0.16, 0.05],      # independent investigations
}
OUTCOMES = ["upheld", "partly upheld", "not upheld", "withdrawn"]
OUTCOME_WEIGHTS = {1: [0.24, 0.30, 0.40, 0.06], 2: [0.18, 0.32, 0.47, 0.03], 3: [0.12, 0.28, 0.58, 0.02]}

#: Target working days by (procedure, stage).
TARGETS = {("childrens", 1): 20, ("corporate", 1): 20, ("adults", 1): 25,
           ("childrens", 2): 65, ("corporate", 2): 25, ("childrens", 3): 30, ("corporate", 3): 20}
#: Share of responded cases escalated to the next stage, by (procedure, next stage). Children's
#: stage 2 is about twice the 12-15% of a typical authority so that every quarter has a few
#: completed investigations to give a share of: with 70-90 complaints a year, 15% would be
#: under three a quarter.
ESCALATION = {("childrens", 2): 0.30, ("childrens", 3): 0.30, ("corporate", 2): 0.10, ("corporate", 3): 0.06}

#: The optional columns (drawn after everything above, from their own generator).
#: Corporate cases about these services that a landlord council would log as housing: about a third
#: of them, 8% of corporate cases; Housing Repairs the larger part.
HOUSING_FROM = ("Customer Services", "Council Tax and Benefits")
HOUSING_SHARE, HOUSING_REPAIRS = 0.32, 0.55
SUBJECTS = ["Communication", "Delay", "Staff conduct", "Quality of service", "Decision or policy",
            "Charges and payments", "Repairs"]
#: Subject weights (same order as SUBJECTS) by procedure, or for corporate cases by service.
SUBJECT_WEIGHTS = {
    "childrens": [0.28, 0.12, 0.20, 0.20, 0.20, 0.00, 0.00],
    "adults": [0.22, 0.10, 0.12, 0.30, 0.12, 0.14, 0.00],
    "corporate": [0.18, 0.20, 0.08, 0.32, 0.16, 0.06, 0.00],
    "Council Tax and Benefits": [0.15, 0.15, 0.04, 0.08, 0.13, 0.45, 0.00],
    "Housing Repairs": [0.12, 0.16, 0.05, 0.10, 0.02, 0.00, 0.55],
    "Housing Management": [0.25, 0.10, 0.12, 0.25, 0.16, 0.02, 0.10],
}
#: Chance of each remedy on an upheld response (80% of it on a partly upheld one), in the standard order;
#: financial doubles in adult social care (refunds of charges) and is 2.5 times as likely at stages 2 and 3.
REMEDY_CHANCES = {"apology": 0.85, "explanation": 0.45, "financial": 0.05, "service improvement": 0.15,
                  "action taken": 0.22, "other": 0.03}
#: Share of complaints refused, by procedure and year, and why.
REFUSED_SHARE = 0.04
REFUSAL_REASONS = {
    "childrens": {"Legal proceedings": 0.30, "Dealt with under another procedure": 0.25, "Out of time": 0.20,
                  "Not a complaint (service request)": 0.17, "Persistent or vexatious": 0.08},
    "adults": {"Not a complaint (service request)": 0.30, "Out of time": 0.28,
               "Dealt with under another procedure": 0.25, "Legal proceedings": 0.10, "Persistent or vexatious": 0.07},
    "corporate": {"Not a complaint (service request)": 0.45, "Dealt with under another procedure": 0.25,
                  "Out of time": 0.15, "Legal proceedings": 0.08, "Persistent or vexatious": 0.07},
}
#: Chance that an answered complaint's last response is taken to the Ombudsman: once the council's
#: procedure is over (corporate stage 2 or 3, adults' single stage, children's stage 3), or before
#: that (premature: not investigated).
OMBUDSMAN_CHANCE = {"corporate": 0.07, "adults": 0.03, "childrens": 0.15, "premature": 0.004}
#: The Ombudsman's decisions on the complaints it has finished with.
DECISIONS = {"not investigated": 0.52, "upheld": 0.27, "not upheld": 0.21}
#: Who made a children's social care complaint.
COMPLAINANT_WEIGHTS = {"child or young person": 0.15, "parent or carer": 0.60, "advocate": 0.10, "other": 0.15}
#: Chance that an advocate was offered or provided, by who made the complaint (``advocacy``), and that it is not
#: recorded at all.
ADVOCACY_CHANCE = {"advocate": 1.0, "child or young person": 0.60}
ADVOCACY_OTHERWISE, ADVOCACY_UNRECORDED = 0.05, 0.04
#: When the children's review panel met, as a share of the working days from the request to the response.
PANEL_SHARE = (0.5, 0.8)


# --- receipts ------------------------------------------------------------------

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


# --- response times -------------------------------------------------------------

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


# --- the optional columns ------------------------------------------------------------
# Drawn from a generator of their own (seed + 1) after everything above, so the columns and
# rows above come out exactly as they did before these columns existed.

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


def _per_case(log: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's case (an index into the cases, in order of first appearance) and each case's first row."""
    case, _ = pd.factorize(log["case_ref"])
    first = np.flatnonzero(~pd.Series(case).duplicated().to_numpy())
    return case, first


def _housing(rng: np.random.Generator, log: pd.DataFrame) -> None:
    """A council that is a landlord: a share of the corporate cases about customer services and
    council tax become housing repairs and housing management cases (service and team only)."""
    case, first = _per_case(log)
    eligible = ((log["procedure"] == "corporate") & log["service"].isin(HOUSING_FROM)).to_numpy()
    moved = (rng.random(len(first)) < HOUSING_SHARE)[case] & eligible
    repairs = (rng.random(len(first)) < HOUSING_REPAIRS)[case]
    log.loc[moved, "service"] = np.where(repairs, "Housing Repairs", "Housing Management")[moved]
    log.loc[moved, "team"] = "Housing"


def _subjects(rng: np.random.Generator, log: pd.DataFrame) -> np.ndarray:
    """What each complaint is about (one subject per case, every stage), by procedure and service."""
    case, first = _per_case(log)
    rows = log.iloc[first]
    group = np.where(rows["procedure"] != "corporate", rows["procedure"],
                     np.where(rows["service"].isin(SUBJECT_WEIGHTS), rows["service"], "corporate"))
    weights = np.array([SUBJECT_WEIGHTS[g] for g in SUBJECT_WEIGHTS])[pd.Index(list(SUBJECT_WEIGHTS)).get_indexer(group)]
    subject = _weighted_pick(rng, SUBJECTS, weights)[case]
    return np.where((log["kind"] == "complaint").to_numpy(), subject, "")


def _remedies(rng: np.random.Generator, log: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Remedies of the upheld and partly upheld responses (``;``-separated, in the standard order),
    and the compensation paid (pounds) where one was financial."""
    n = len(log)
    upheld = (log["outcome"] == "upheld").to_numpy()
    well_founded = upheld | (log["outcome"] == "partly upheld").to_numpy()
    later = (log["stage"] > 1).to_numpy()
    procedure = log["procedure"].to_numpy()
    remedy = np.full(n, "", dtype=object)
    for name, p in REMEDY_CHANCES.items():   # a handful of remedies, each a column of draws
        p = np.where(upheld, p, p * 0.8)
        if name == "financial":
            p = np.where(procedure == "adults", p * 2.0, p) * np.where(later, 2.5, 1.0)
        given = well_founded & (rng.random(n) < p)
        remedy = np.where(given, np.where(remedy == "", name, remedy + ";" + name), remedy)
    remedy = np.where(well_founded & (remedy == ""), "apology", remedy)  # an upheld complaint has some remedy
    financial = pd.Series(remedy).str.contains("financial", regex=False).to_numpy()
    # £50 to £2,000, most of it small: goodwill payments of £50-£250, the odd refund of charges in four figures.
    pounds = np.clip(np.exp(rng.normal(np.log(150), 0.9, n)), 50, 2000)
    pence = rng.random(n) < 0.25                                 # refunds to the penny, goodwill in fives
    pounds = np.where(pence, np.round(pounds, 2), np.round(pounds / 5) * 5)
    amount = pd.Series(np.char.mod("%.2f", pounds)).str.replace(r"\.00$", "", regex=True).to_numpy(dtype=object)
    return remedy, np.where(financial, amount, "")


def _ombudsman(rng: np.random.Generator, log: pd.DataFrame) -> np.ndarray:
    """The Ombudsman's decision, on the last stage of the few answered complaints taken to it:
    mostly not investigated (premature or closed after initial enquiries), recent ones pending."""
    n = len(log)
    procedure, stage = log["procedure"].to_numpy(), log["stage"].to_numpy()
    responded = log["responded"].to_numpy(dtype="datetime64[D]")
    answered = ((log["kind"] == "complaint") & log["last"].eq(True) & (log["outcome"] != "withdrawn")
                & (log["outcome"] != "") & (log["refused_reason"] == "")).to_numpy() & ~np.isnat(responded)
    finished = ((procedure == "corporate") & (stage >= 2)) | (procedure == "adults") \
        | ((procedure == "childrens") & (stage == 3))   # the council's procedure is over
    p = np.select([(procedure == "corporate") & finished, procedure == "adults", finished],
                  [OMBUDSMAN_CHANCE["corporate"], OMBUDSMAN_CHANCE["adults"], OMBUDSMAN_CHANCE["childrens"]],
                  OMBUDSMAN_CHANCE["premature"])
    taken = answered & (rng.random(n) < p)
    decided = _weighted_pick(rng, list(DECISIONS), np.tile(list(DECISIONS.values()), (n, 1)))
    decided = np.where(finished, decided, "not investigated")   # premature: sent back to the council
    waiting = np.select([responded >= np.datetime64("2021-01-01"), responded >= np.datetime64("2020-10-01")],
                        [0.85, 0.35], 0.0)
    decision = np.where(rng.random(n) < waiting, "pending", decided)
    return np.where(taken, decision, "")


def _optional(log: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The log with the refused complaints added and the optional columns filled in."""
    refused = _refusals(rng)
    refused["person"] = 0
    log = pd.concat([log.assign(refused_reason=""), refused], ignore_index=True)
    # Existing rows keep their order and their people; the refused ones slot in by date.
    log = log.sort_values(["received", "case_ref", "stage"], kind="stable").reset_index(drop=True)
    new = log["person"].eq(0).to_numpy()
    log.loc[new, "person"] = log["person"].max() + np.arange(1, int(new.sum()) + 1)
    _housing(rng, log)
    log["subject"] = _subjects(rng, log)
    log["remedy"], log["compensation"] = _remedies(rng, log)
    log["ombudsman"] = _ombudsman(rng, log)
    case, first = _per_case(log)
    who = _choice(rng, COMPLAINANT_WEIGHTS, len(first))[case]
    log["complainant"] = np.where(((log["procedure"] == "childrens") & (log["kind"] == "complaint")).to_numpy(),
                                  who, "")
    return log


def _law(log: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The law as written (no corporate stage 3, no extension at the review panel) and the panel date,
    Ombudsman and advocacy columns, drawn from a generator of their own."""
    log = log[~((log["procedure"] == "corporate") & (log["stage"] == 3)).to_numpy()].reset_index(drop=True)
    panel = ((log["procedure"] == "childrens") & (log["stage"] == 3)).to_numpy()
    log.loc[panel, "extended"] = "no"
    received = log["received"].to_numpy(dtype="datetime64[D]")
    responded = log["responded"].to_numpy(dtype="datetime64[D]")
    answered = panel & ~np.isnat(responded)
    days = working_days(received[answered], responded[answered])
    met = np.clip(np.round(days * rng.uniform(*PANEL_SHARE, len(days))), 1, days).astype(np.int64)
    log["panel_date"] = np.datetime64("NaT")
    log.loc[answered, "panel_date"] = due_dates(received[answered], met)
    housing = log["service"].isin(["Housing Repairs", "Housing Management"]).to_numpy()
    log["ombudsman_body"] = np.where(log["ombudsman"] == "", "", np.where(housing, "housing", "lgsco"))
    case, first = _per_case(log)
    who = log["complainant"].to_numpy(dtype=object)[first]
    chance = pd.Series(who).map(ADVOCACY_CHANCE).fillna(ADVOCACY_OTHERWISE).to_numpy()
    said = np.where(rng.random(len(first)) < chance, "yes", "no")
    said = np.where(rng.random(len(first)) < ADVOCACY_UNRECORDED, "", said)[case]
    childrens = ((log["procedure"] == "childrens") & (log["kind"] == "complaint")).to_numpy()
    log["advocacy"] = np.where(childrens & (log["refused_reason"] == "").to_numpy(), said, "")
    return log


# --- the whole log ----------------------------------------------------------------

def _log(rng: np.random.Generator) -> pd.DataFrame:
    """Every representation as generated, sorted, with its invented complainant's number (``person``)."""
    frames = []
    for proc in PROCEDURES:
        frames.append(_complaints(rng, proc))
        for kind in ("comment", "compliment"):
            frames.append(_first_rows(rng, proc, kind).assign(stage=0))
    log = pd.concat(frames, ignore_index=True)
    extract = np.datetime64(EXTRACT, "D")
    log = log[log["received"].to_numpy() <= extract].reset_index(drop=True)
    complaint = (log["kind"] == "complaint").to_numpy()

    # What the extract could not know yet: responses after it. Plus a few cases stuck open.
    responded = log["responded"].to_numpy(dtype="datetime64[D]")
    received = log["received"].to_numpy(dtype="datetime64[D]")
    last = log["last"].eq(True).to_numpy()
    old = received < np.datetime64("2019-04-01")
    stuck = complaint & last & (rng.random(len(log)) < np.where(old, 0.002, 0.012)) \
        & (received < np.datetime64("2021-03-01"))
    open_ = complaint & ((responded > extract) | stuck)
    log.loc[open_, "responded"] = np.datetime64("NaT")
    log.loc[open_, ["delay_reason", "outcome"]] = ""
    # An open case past its due date has had an extension agreed now and then.
    log.loc[open_, "extended"] = np.where(
        (log.loc[open_, "days"] > log.loc[open_, "target"]).to_numpy()
        & (due_dates(received[open_], log.loc[open_, "target"].to_numpy(dtype=np.int64)) < extract)
        & (rng.random(int(open_.sum())) < 0.2), "yes", "no")
    ack = log["acknowledged"].to_numpy(dtype="datetime64[D]")
    log.loc[ack > extract, "acknowledged"] = np.datetime64("NaT")

    log = log.sort_values(["received", "case_ref", "stage"], kind="stable").reset_index(drop=True)
    # One invented complainant per case, numbered in order of first appearance.
    log["person"] = pd.factorize(log["case_ref"])[0] + 1
    return log


def generate(seed: int = SEED, optional: bool = True) -> pd.DataFrame:
    """The synthetic case log: a DataFrame of text in the export's columns and order.

    ``optional=False`` gives the log as it was before the optional columns (subject, remedy,
    compensation, refused_reason, ombudsman, complainant) and the refused rows were added:
    the same rows and values, which the log with them keeps apart from the housing cases' service
    and team."""
    log = _log(np.random.default_rng(seed))
    if optional:
        log = _optional(log, np.random.default_rng(seed + 1))
        log = _law(log, np.random.default_rng(seed + 2))
    person = pd.Series(log["person"]).astype(int).astype(str).str.zfill(5)
    out = pd.DataFrame({
        "case_ref": log["case_ref"],
        "kind": log["kind"],
        "procedure": log["procedure"],
        "stage": log["stage"].astype(int).astype(str).replace("0", ""),
        "received": _uk(log["received"]),
        "acknowledged": _uk(log["acknowledged"]),
        "responded": _uk(log["responded"]),
        "team": log["team"],
        "service": log["service"],
        "delay_reason": log["delay_reason"].fillna(""),
        "outcome": log["outcome"].fillna(""),
        "extended": log["extended"].fillna(""),
        "complainant_name": "Person " + person,
        "contact_email": "person" + person + "@example.org",
    })
    if not optional:
        return out[BASE_COLUMNS]
    log["panel_date"] = _uk(log["panel_date"])
    for col in OPTIONAL_COLUMNS:
        out[col] = log[col].fillna("")
    return out[COLUMNS]


def _uk(dates: pd.Series) -> pd.Series:
    """Dates as a UK Excel export writes them, dd/mm/yyyy; blank for none."""
    return pd.to_datetime(dates).dt.strftime("%d/%m/%Y").fillna("")


def write(path: Path | str = DEFAULT_PATH, seed: int = SEED) -> int:
    """Write the sample CSV (UTF-8 without BOM, ``\\n`` line endings); returns the number of rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    log = generate(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        log.to_csv(f, index=False, lineterminator="\n")
    return len(log)
