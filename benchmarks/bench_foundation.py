"""Foundation benchmark: the working-day engine and case-log validation at 1,000,000 cases.

    .venv/bin/python benchmarks/bench_foundation.py [--rows N] [--repeat K]

1. ``reportlib.workdays.working_days`` on N random (received, responded) pairs given as
   pandas datetime Series, against bare ``numpy.busday_count`` on ready-made
   ``datetime64[D]`` arrays with the same ``busdaycalendar``, in the same process; best
   of K runs each. Target: ratio <= 1.5.
2. ``reportlib.casedata.load`` on an N-row realistic CSV (canonical columns, UK dates,
   stage 2/3 rows sharing their stage 1 case_ref, a few bad rows). Target: <= 5 s.
3. Peak memory of the process (``resource.getrusage`` maxrss).

Ends with a markdown table to paste into the README.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlib import casedata, workdays  # noqa: E402

WORKDAYS_TARGET = 1.5
LOAD_TARGET = 5.0
BAD_ROWS = {  # planted problems: (value, column)
    "31/02/2020": "received",      # impossible date
    "12/25/2020": "received",      # month first
    "grumble": "kind",             # unknown kind
}


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_working_days(n: int, repeat: int, rng: np.random.Generator) -> dict:
    received = np.datetime64("2014-04-01") + rng.integers(0, 3650, n).astype("timedelta64[D]")
    responded = received + rng.integers(0, 90, n).astype("timedelta64[D]")
    # what a notebook holds: pandas datetime columns (as casedata.load gives them)
    rec_series = pd.Series(received.astype("datetime64[us]"))
    resp_series = pd.Series(responded.astype("datetime64[us]"))
    cal = workdays.calendar("england-and-wales")
    one = np.timedelta64(1, "D")
    start, end = received + one, responded + one   # numpy's [begin, end) for our (received, responded]

    ours = workdays.working_days(rec_series, resp_series)
    bare = np.busday_count(start, end, busdaycal=cal)
    assert np.array_equal(ours, bare), "working_days disagrees with numpy.busday_count"

    t_ours = best_of(lambda: workdays.working_days(rec_series, resp_series), repeat)
    t_bare = best_of(lambda: np.busday_count(start, end, busdaycal=cal), repeat)
    return {"ours": t_ours, "bare": t_bare, "ratio": t_ours / t_bare}


def write_case_log(path: Path, n: int, seed: int) -> int:
    """A realistic export: mostly stage 1 complaints, stage 2/3 rows sharing their case_ref, some open."""
    rng = np.random.default_rng(seed)
    n_cases = int(n * 0.85)
    first_kind = rng.choice(["complaint", "comment", "compliment"], n_cases, p=[0.7, 0.1, 0.2])
    # stage 2 (and some stage 3) rows for some of the complaints, under the same case_ref
    escalated = rng.choice(np.flatnonzero(first_kind == "complaint"), n - n_cases, replace=False)
    refs = np.concatenate([np.arange(n_cases), escalated])
    stage = np.concatenate([np.ones(n_cases, int), np.where(rng.random(n - n_cases) < 0.8, 2, 3)])
    kind = np.concatenate([first_kind, np.full(n - n_cases, "complaint")])
    received = np.datetime64("2014-04-01") + rng.integers(0, 7 * 365, n).astype("timedelta64[D]")
    received = received + np.where(stage > 1, 40 * (stage - 1), 0).astype("timedelta64[D]")
    acknowledged = received + rng.integers(0, 4, n).astype("timedelta64[D]")
    responded = received + rng.gamma(3.0, 6.0, n).astype(int).astype("timedelta64[D]")
    is_open = rng.random(n) < 0.04

    def uk(days):
        return pd.DatetimeIndex(days).strftime("%d/%m/%Y").to_numpy(dtype=object)

    late = (responded - received).astype(int) > 28
    columns = {
        "case_ref": np.char.add("CR-", refs.astype(str)),
        "kind": kind,
        # the law's stages: the Code has two (no corporate stage 3), the children's review panel no extension
        "procedure": np.where(stage == 3, rng.choice(["childrens", "adults"], n),
                              rng.choice(["childrens", "adults", "corporate"], n, p=[0.2, 0.2, 0.6])),
        "stage": np.where(kind == "complaint", stage.astype(str), ""),
        "received": uk(received),
        "acknowledged": uk(acknowledged),
        "responded": np.where(is_open, "", uk(responded)),
        "team": rng.choice([f"Team {i}" for i in range(40)], n),
        "service": rng.choice(["Children's Services", "Adult Social Care", "Highways", "Waste", "Housing",
                               "Revenues and Benefits", "Libraries"], n),
        "delay_reason": np.where(late & ~is_open, rng.choice(["Staff absence", "Complex case",
                                                              "Awaiting information"], n), ""),
        "outcome": np.where(is_open, "", rng.choice(["upheld", "partly upheld", "not upheld", "withdrawn"], n)),
        "extended": np.where((rng.random(n) < 0.05) & (stage != 3), "yes", "no"),
    }
    columns = {name: np.array(values, dtype=object) for name, values in columns.items()}  # writable copies
    # a few bad rows, as a real export has
    planted = rng.choice(np.flatnonzero(stage == 1), 3 * len(BAD_ROWS), replace=False)
    for i, (value, column) in zip(planted, list(BAD_ROWS.items()) * 3):
        columns[column][i] = value
    pd.DataFrame(columns).to_csv(path, index=False)
    return len(planted)


def bench_load(path: Path, n: int, planted: int) -> dict:
    size = path.stat().st_size
    start = time.perf_counter()
    log = casedata.load(casedata.Source(str(path)))
    seconds = time.perf_counter() - start
    assert log.rows_read == n, log.summary()
    assert log.rows_excluded == planted, (log.rows_excluded, planted)
    return {"seconds": seconds, "rows_per_s": n / seconds, "size_mb": size / 1e6, "excluded": log.rows_excluded,
            "summary": log.summary().split(": ", 1)[1]}


def peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss   # kilobytes on Linux, bytes on macOS
    return kb / 1024 / (1024 if sys.platform == "darwin" else 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(20200818)
    print(f"reportlib foundation benchmark: {args.rows:,} rows, best of {args.repeat}; Python "
          f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, {os.cpu_count()} CPUs")

    with tempfile.TemporaryDirectory() as tmp, ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        # the CSV is written in a child process, so that the peak memory below is reading it, not writing it
        path = Path(tmp) / "case_log.csv"
        planted = pool.submit(write_case_log, path, args.rows, 20210120).result()
        wd = bench_working_days(args.rows, args.repeat, rng)
        ld = bench_load(path, args.rows, planted)

    print(f"working_days (pandas Series in)     {wd['ours'] * 1000:8.1f} ms")
    print(f"numpy.busday_count (datetime64[D])  {wd['bare'] * 1000:8.1f} ms")
    print(f"ratio                               {wd['ratio']:8.2f}   (target <= {WORKDAYS_TARGET})")

    print(f"casedata.load, {ld['size_mb']:.0f} MB CSV          {ld['seconds']:8.2f} s    (target <= {LOAD_TARGET} s)"
          f"  {ld['rows_per_s']:,.0f} rows/s; {ld['summary']}")
    peak = peak_mb()
    print(f"peak memory (maxrss)                {peak:8.0f} MB")

    ok_wd, ok_ld = wd["ratio"] <= WORKDAYS_TARGET, ld["seconds"] <= LOAD_TARGET
    print()
    print("| measure | result | target |")
    print("|---|---|---|")
    print(f"| `working_days`, {args.rows:,} pairs (pandas Series) | {wd['ours'] * 1000:.0f} ms | |")
    print(f"| bare `numpy.busday_count`, same calendar | {wd['bare'] * 1000:.0f} ms | |")
    print(f"| ratio | **{wd['ratio']:.2f}** {'✓' if ok_wd else '✗'} | <= {WORKDAYS_TARGET} |")
    print(f"| `casedata.load`, {args.rows:,}-row CSV ({ld['size_mb']:.0f} MB) | **{ld['seconds']:.2f} s** "
          f"{'✓' if ok_ld else '✗'} ({ld['rows_per_s']:,.0f} rows/s) | <= {LOAD_TARGET:.0f} s |")
    print(f"| peak memory (maxrss) | {peak:,.0f} MB | |")
    return 0 if ok_wd and ok_ld else 1


if __name__ == "__main__":
    sys.exit(main())
