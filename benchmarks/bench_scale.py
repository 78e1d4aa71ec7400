"""Scale: a 1,000,000-row case log validated and rendered into every report, with time and peak memory.

    .venv/bin/python benchmarks/bench_scale.py [--rows 1000000] [--only annual_report]

The log is the bundled sample tiled (each copy with its own case_refs) to ``--rows`` rows, with
the sample's personal-data columns and the optional columns the annual report reads (subject,
remedy, compensation, refused_reason, ombudsman, complainant, acknowledged, extended, outcome),
six financial years and the first quarter of a seventh. Peak memory is the largest total resident memory of
the command and every process it started (the Jupyter kernel included), sampled every 50 ms.
Targets: under 2 GB for each command; the annual report (all three procedures) also in under
10 s. Prints a markdown table for the README.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LIMIT_MB = 2048
#: Wall-time targets, seconds, by report.
LIMIT_S = {"sample_annual_report": 10.0}
REPORTS = ("sample_childrens_response_times", "sample_complaints_performance", "sample_annual_report")
#: The report measured at 1,000 rows against 1,000,000 (targets: under 5 s, under 1 GB, at most 1.6x).
SMALL_VS_BIG = "sample_complaints_performance"
#: The optional columns the annual report reads: the tiled log must have them, as a realistic export would.
ANNUAL_COLUMNS = ("subject", "remedy", "compensation", "refused_reason", "ombudsman", "complainant", "acknowledged",
                  "extended", "outcome")


def _rss_kb(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError, IndexError):
        return 0


def _children(pid: int) -> list[int]:
    kids = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids += [int(c) for c in children.read_text().split()]
        except (OSError, ValueError):
            pass
    return kids


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB (Linux /proc). Only the tree's own entries
    are read (each process's children lists), so sampling it costs the machine next to nothing: a scan of
    every process in /proc every 50 ms took a tenth of a core from the render it measured.

    A child caught between fork and exec (``git``, say, on its way to run) still has its parent's command line,
    and its parent's pages, shared, not copied: it is not counted again (it doubled a sample's total now and
    then)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_kb(p)
        todo.extend(c for c in _children(p) if _cmdline(c) != _cmdline(p))
    return total / 1024


def run(cmd: list[str]) -> tuple[float, float, int]:
    """Wall time, peak memory of the process tree, exit status."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.05)
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()}")
    return time.perf_counter() - start, peak, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--only", choices=[r.removeprefix("sample_") for r in REPORTS], action="append",
                    help="render only this report (repeatable; `reportlib validate` is then skipped)")
    args = ap.parse_args()
    reports = [r for r in REPORTS if not args.only or r.removeprefix("sample_") in args.only]
    tmp = Path(tempfile.mkdtemp(prefix="reportlib-scale-"))
    try:
        sample = pd.read_csv(ROOT / "data" / "sample_case_log.csv", dtype=str, keep_default_na=False)
        missing = [c for c in ANNUAL_COLUMNS if c not in sample.columns or not (sample[c] != "").any()]
        if missing:
            sys.exit(f"data/sample_case_log.csv has no {', '.join(missing)}: regenerate it with `reportlib sample`")
        copies = -(-args.rows // len(sample))
        big = pd.concat([sample.assign(case_ref=sample["case_ref"] + f"-{k:04d}") for k in range(copies)],
                        ignore_index=True).iloc[: args.rows]
        data = tmp / "big_case_log.csv"
        big.to_csv(data, index=False)
        size_mb = data.stat().st_size / 1e6
        rows = []
        # The same report on 1,000 rows spread over the same years: what a big log costs over a small one.
        small = tmp / "small_case_log.csv"
        big.iloc[:: max(1, len(big) // 1000)].iloc[:1000].to_csv(small, index=False)
        p = yaml.safe_load((ROOT / "params" / f"{SMALL_VS_BIG}.yaml").read_text())
        p["data"] = str(small)
        (tmp / "small.yaml").write_text(yaml.safe_dump(p))
        del big, sample  # a gigabyte of this process's memory that the renders measured should not compete with
        gc.collect()
        small_s = min(run([str(BIN / "reportlib"), "render", str(tmp / "small.yaml"), "--out", str(tmp / "small")])[0]
                      for _ in range(2))
        for name in reports:
            p = yaml.safe_load((ROOT / "params" / f"{name}.yaml").read_text())
            p["data"] = str(data)
            params = tmp / f"{name}.yaml"
            params.write_text(yaml.safe_dump(p))
            if not rows and not args.only:
                t, peak, status = run([str(BIN / "reportlib"), "validate", str(params)])
                rows.append(("`reportlib validate`", t, peak, None))
            # Best time of two for the report compared with its 1,000-row render (measured the same way), the
            # higher peak of the two.
            runs = [run([str(BIN / "reportlib"), "render", str(params), "--out", str(tmp / name)])
                    for _ in range(2 if name == SMALL_VS_BIG else 1)]
            t, peak, status = min(r[0] for r in runs), max(r[1] for r in runs), max(r[2] for r in runs)
            if status:
                print(f"{name}: `reportlib render` exited {status} (a report failed)", file=sys.stderr)
            rows.append((f"`reportlib render` {name.removeprefix('sample_')}", t, peak, LIMIT_S.get(name)))
            if name == SMALL_VS_BIG:
                big_s, big_mb = t, peak
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{args.rows:,} rows ({size_mb:.0f} MB CSV)")
    print("| what | measured | target | command |")
    print("|---|---|---|---|")
    if SMALL_VS_BIG in reports:
        ratio = big_s / small_s
        met = big_s < 5 and big_mb < 1024 and ratio <= 1.6
        print(f"| `reportlib render` {SMALL_VS_BIG.removeprefix('sample_')}: {args.rows:,} rows against 1,000 rows "
              f"| {big_s:.1f} s vs {small_s:.1f} s: {ratio:.2f}x; peak {big_mb:,.0f} MB{'' if met else ' (missed)'} "
              f"| < 5 s, < 1,024 MB, <= 1.6x | `.venv/bin/python benchmarks/bench_scale.py` |")
    for what, t, peak, limit_s in rows:
        ok = "" if peak < LIMIT_MB else " (over the memory limit)"
        if limit_s is not None and t >= limit_s:
            ok += " (over the time limit)"
        target = f"< {LIMIT_MB:,} MB" if limit_s is None else f"< {limit_s:g} s, < {LIMIT_MB:,} MB"
        print(f"| {what}, {args.rows:,}-row case log | {t:.1f} s, peak memory {peak:,.0f} MB{ok} | "
              f"{target} | `.venv/bin/python benchmarks/bench_scale.py` |")


if __name__ == "__main__":
    main()
