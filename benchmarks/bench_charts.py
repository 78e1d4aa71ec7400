"""Chart speed: each of the sample reports' three kinds of chart drawn, as a report notebook draws it.

    .venv/bin/python benchmarks/bench_charts.py [--repeat 5]

The bar chart of a quarterly share, the lines of a six-year trend and the ranking of benchmark authorities (the
sample report's own figures), each drawn once to warm up (matplotlib loaded, the bundled fonts found), then
``--repeat`` times: the best CPU time of each (``time.process_time``: the drawing alone, whatever else the machine
is doing). Target: each under 0.4 s. Prints a markdown table for the README.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlib import charts  # noqa: E402

TARGET = 0.4
QUARTERS = [f"Q{q} {y}/{(y + 1) % 100:02d}" for y in (2019, 2020) for q in (1, 2, 3, 4)]
YEARS6 = [f"{y}/{(y + 1) % 100:02d}" for y in range(2015, 2021)]
SOUTHBY = "Southby Metropolitan Borough Council"
#: (what, chart function, args, keyword args): the sample report's three charts.
CHARTS = [
    ("bar: a share by quarter, 8 quarters", "bar", (QUARTERS, [46, 40, 44, 50, 47, 56, 50, 60]),
     {"title": "Stage 2 Corporate complaints completed within 25 working days", "xlabel": "Quarter",
      "ylabel": "Completed within timescale"}),
    ("lines: three procedures over 6 years", "lines",
     (YEARS6, {"Corporate": [44, 42, 32, 32, 29, 24], "Children's Social Care": [121, 141, 140, 148, 149, 192],
               "Adult Social Care": [106, 110, 119, 138, 147, 207]}),
     {"title": "Compliments received by procedure", "xlabel": "Financial year", "ylabel": "Compliments received"}),
    ("ranking: 5 authorities, the Council highlighted", "ranking",
     (["Northby City Council", SOUTHBY, "Eastshire County Council", "Westby Council", "Middleton Borough Council"],
      [70, 60, 55, 82, 57]),
     {"highlight": SOUTHBY, "title": "Responded to within 20 working days", "xlabel": "Share within timescale"}),
]


def best_cpu(kind: str, args: tuple, kwargs: dict, repeat: int) -> float:
    draw = getattr(charts, kind)
    draw(*args, **kwargs)  # warm: matplotlib and the fonts loaded once per process, as in a report's kernel
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        draw(*args, **kwargs)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rows = [(what, best_cpu(kind, a, kw, args.repeat)) for what, kind, a, kw in CHARTS]
    print(f"| chart drawn (best of {args.repeat}, CPU seconds) | measured | target |")
    print("|---|---|---|")
    for what, seconds in rows:
        print(f"| {what} | {seconds * 1000:.0f} ms | < {TARGET * 1000:.0f} ms |")
    missed = [what for what, seconds in rows if seconds >= TARGET]
    if missed:
        print(f"over the target: {', '.join(missed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
