"""Case logs built to reproduce the figures published in the two example reports (the backtest).

``dudley_rows`` matches the Children's Services response-times report to the Children's
Services Scrutiny Committee of 20 January 2021; ``worcestershire_rows`` matches the Stage 2
performance report to the Corporate and Communities O&S Panel of 20 July 2021 (with the
adults complaints figure it meant: "up from 117 to 127", not the mistyped "12").
Deterministic: the same rows every time.
"""

from __future__ import annotations

import datetime as dt
import itertools

from factory import case
from reportlib.workdays import due_date

# -- Children's Services response times (shared/examples/childrens_response_times_report.md) ----------

DUDLEY = {
    "baseline": (17, 41),            # 41% within 20 working days in 2019/20
    "since_change": (26, 40),        # 65% since 18 August 2020
    "reasons": [("Other work pressures", 24), ("Staff absence", 7), ("Complex case", 6),
                ("Awaiting information", 5), ("", 3)],   # 45 late responses since 1 April 2020
    "owp_teams": [("Court Team", 8), ("Care Management Team", 6), ("Fostering", 4), ("Disabled Children", 3),
                  ("Early Help", 3)],
    "benchmarks": [("Sandwell", 73), ("Walsall", 50), ("Wolverhampton", 62), ("Birmingham", 58)],
}


def _weekdays(start: dt.date, step: int = 3):
    d = start
    while True:
        if d.weekday() < 5:
            yield d
        d += dt.timedelta(days=step)


def dudley_rows() -> list[dict]:
    rows: list[dict] = []
    ref = itertools.count(1)

    def add(received, days, **kw):
        rows.append(case(f"CS-{next(ref):04d}", received, days, **kw))

    # Baseline 2019/20: responses sent between April 2019 and March 2020.
    within, total = DUDLEY["baseline"]
    days = iter(_weekdays(dt.date(2019, 4, 8), 7))
    for i in range(total):
        add(next(days), 12 if i < within else 28, reason="" if i < within else "Other work pressures")

    # Late responses sent 1 April 2020 - 31 December 2020, with their reasons and teams:
    # 31 before the change (sent by 17 August), 14 after it.
    late = [r for r, n in DUDLEY["reasons"] for _ in range(n)]
    teams = iter([t for t, n in DUDLEY["owp_teams"] for _ in range(n)])
    before = iter(_weekdays(dt.date(2020, 3, 2), 2))
    after = iter(_weekdays(dt.date(2020, 8, 3), 4))
    for i, reason in enumerate(late):
        team = next(teams) if reason == "Other work pressures" else "Children in Care"
        received = next(before) if i % 45 < 31 else next(after)
        add(received, 25, reason=reason, team=team)

    # On-time responses: 5 before the change, 26 after it (within 20 working days).
    for d in itertools.islice(_weekdays(dt.date(2020, 5, 4), 5), 5):
        add(d, 15)
    for d in itertools.islice(_weekdays(dt.date(2020, 8, 24), 3), DUDLEY["since_change"][0]):
        add(d, 10)
    return rows


def dudley_params(data) -> dict:
    from factory import childrens_params
    return childrens_params(
        data, council="Dudley Metropolitan Borough Council", meeting_date="2021-01-20",
        period_start="2020-04-01", period_end="2020-12-31",
        # The published paper set them beside the figure since the change; here each states that period.
        benchmarks=[{"authority": a, "value": v, "period": "2020-08-18 to 2020-12-31"} for a, v in DUDLEY["benchmarks"]])


# -- Stage 2 performance (shared/examples/stage2_performance_report.md) --------------------------------

WORCS = {
    # procedure -> kind -> (2019/20, 2020/21)
    "counts": {
        "corporate": {"complaint": (630, 420), "comment": (64, 14), "compliment": (29, 23)},
        "childrens": {"complaint": (68, 82), "comment": (17, 8), "compliment": (162, 176)},
        "adults": {"complaint": (117, 127), "comment": (9, 8), "compliment": (156, 197)},
    },
    # Stage 2 responses sent per quarter (Q1 2019/20 .. Q4 2020/21): (within timescale, sent)
    "stage2": {
        "childrens": [(1, 3), (0, 2), (1, 4), (0, 3), (1, 2), (1, 4), (1, 3), (1, 2)],
        "corporate": [(3, 6), (2, 5), (4, 7), (2, 6), (2, 4), (3, 5), (4, 6), (5, 7)],
    },
    "compliments_earlier": {"corporate": [45, 41, 37, 33], "childrens": [120, 131, 140, 151],
                            "adults": [98, 110, 121, 138]},   # 2015/16 .. 2018/19
    "benchmarks": {"childrens": [57, 82, 64, 70], "corporate": [50, 86, 71]},
}


def _spread(fy: int, n: int):
    """n working days spread evenly through financial year ``fy``, avoiding its last month."""
    start = dt.date(fy, 4, 1)
    span = 330
    for i in range(n):
        d = start + dt.timedelta(days=(i * span) // max(n, 1))
        while d.weekday() >= 5:
            d += dt.timedelta(days=1)
        yield d


def worcestershire_params(data) -> dict:
    from factory import performance_params
    return performance_params(
        data, council="Worcestershire County Council",
        benchmarks=[{"authority": f"County {m[:2].upper()}{i}", "value": v, "measure": m, "period": "2020/21"}
                    for m, values in WORCS["benchmarks"].items() for i, v in enumerate(values, 1)],
        action_plan=[{"action": "Increase pool of Independent Investigators and Independent Persons",
                      "progress": "Advert ran widely in June/early July.",
                      "result": "Approximately 12 additional investigators and IP's recruited to pool"},
                     {"action": "5 working day limit for agreeing interview notes",
                      "progress": "All investigators instructed to apply the limit in June",
                      "result": "Too early to see the impact"}])


def worcestershire_rows() -> list[dict]:
    rows: list[dict] = []
    ref = itertools.count(1)
    code = {"corporate": "COR", "childrens": "CSC", "adults": "ASC"}
    firsts: dict[str, list[tuple[dt.date, str]]] = {"corporate": [], "childrens": []}

    for proc, kinds in WORCS["counts"].items():
        for kind, per_year in kinds.items():
            for fy, n in zip((2019, 2020), per_year):
                for d in _spread(fy, n):
                    r = f"{code[proc]}-{next(ref):05d}"
                    rows.append(case(r, d, 10 if kind == "complaint" else None, kind=kind, procedure=proc,
                                     service=proc, team=proc))
                    if kind == "complaint" and proc in firsts:
                        firsts[proc].append((d, r))
    for proc, counts in WORCS["compliments_earlier"].items():
        for fy, n in zip(range(2015, 2019), counts):
            for d in _spread(fy, n):
                rows.append(case(f"{code[proc]}-{next(ref):05d}", d, kind="compliment", procedure=proc))

    # Stage 2: each response sent in its quarter, `days` working days after the stage 2 receipt. The case
    # is one of the counted stage 1 complaints received at least 6 weeks earlier, or, before the counted
    # years began, a stage 1 complaint from 2018/19, so the counts above are untouched.
    timescale = {"childrens": 65, "corporate": 25}
    for proc, quarters in WORCS["stage2"].items():
        unused = sorted(firsts[proc])
        for qi, (within, sent) in enumerate(quarters):
            fy, q = 2019 + qi // 4, qi % 4
            month = 4 + 3 * q
            q_start = dt.date(fy + (month > 12), (month - 1) % 12 + 1, 1)
            for k in range(sent):
                days = timescale[proc] - 5 if k < within else timescale[proc] + 15
                respond_on = q_start + dt.timedelta(days=14 + 9 * k)
                while respond_on.weekday() >= 5:
                    respond_on += dt.timedelta(days=1)
                received = respond_on - dt.timedelta(days=days * 7 // 5 + 1)
                while due_date(received, days) > respond_on:
                    received -= dt.timedelta(days=1)
                while due_date(received, days) < respond_on:
                    received += dt.timedelta(days=1)
                earlier = [c for c in unused if c[0] <= received - dt.timedelta(days=42)]
                if earlier:
                    unused.remove(earlier[-1])
                    r = earlier[-1][1]
                else:
                    r = f"{code[proc]}-{next(ref):05d}"
                    rows.append(case(r, dt.date(2018, 10, 1), 10, procedure=proc, stage=1))
                rows.append(case(r, received, days, procedure=proc, stage=2))
    return rows
