"""Render speed: a whole render against bare Papermill, and a batch against serial renders.

    .venv/bin/python benchmarks/bench_render.py [--repeat 5]

1. ``reportlib render`` (execute + HTML + PDF) of the sample children's report against the bare
   ``papermill`` command executing the same notebook with the same params file; both as a user
   runs them (a fresh process each time), best of ``--repeat``. Target: ratio <= 1.2.
   The same with all four formats (html, pdf, docx, xlsx). Target: ratio <= 1.5. And the sample
   annual report (params/sample_annual_report.yaml, all three procedures). Target: ratio <= 1.5.
2. ``reportlib render`` of 4 params files at once (one process per core) against 4 renders one
   after the other. Prints a markdown table for the README.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PARAMS = ROOT / "params" / "sample_childrens_response_times.yaml"
NOTEBOOK = ROOT / "notebooks" / "childrens_response_times.ipynb"
#: (label, params file, notebook, target ratio) of each render measured against bare Papermill.
AGAINST_PAPERMILL = [
    ("sample children's report", PARAMS, NOTEBOOK, 1.2, ()),
    ("sample children's report, all four formats (html, pdf, docx, xlsx)", PARAMS, NOTEBOOK, 1.5,
     ("--format", "html,pdf,docx,xlsx")),
    ("sample annual report", ROOT / "params" / "sample_annual_report.yaml",
     ROOT / "notebooks" / "annual_report.ipynb", 1.5, ()),
]


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def best(cmd: list[str], repeat: int) -> float:
    return min(timed(cmd) for _ in range(repeat))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="reportlib-bench-"))
    try:
        against = []  # (label, render s, papermill s, ratio, target)
        for label, params, notebook, target, options in AGAINST_PAPERMILL:
            papermill = [str(BIN / "papermill"), "--no-progress-bar", "-f", str(params), str(notebook),
                         str(tmp / "papermill.ipynb")]
            render = [str(BIN / "reportlib"), "render", str(params), "--out", str(tmp / "render"), *options]
            timed(render)  # first run warms the OS file cache and matplotlib's font cache
            pm, rl = [], []
            for _ in range(args.repeat):  # interleaved, so background load hits both alike
                pm.append(timed(papermill))
                rl.append(timed(render))
            against.append((label, min(rl), min(pm), min(rl) / min(pm), target))

        batch_files = []
        for i in range(4):
            p = yaml.safe_load(PARAMS.read_text())
            p["data"] = str(ROOT / p["data"])
            f = tmp / f"meeting{i}.yaml"
            f.write_text(yaml.safe_dump(p))
            batch_files.append(str(f))
        serial = min(sum(timed([str(BIN / "reportlib"), "render", f, "--out", str(tmp / "serial" / Path(f).stem)])
                         for f in batch_files) for _ in range(2))
        batch = best([str(BIN / "reportlib"), "render", *batch_files, "--out", str(tmp / "batch")], 2)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("| what | measured | target | command |")
    print("|---|---|---|---|")
    for label, rl, pm, ratio, target in against:
        print(f"| `reportlib render` vs bare `papermill` executing the same notebook, {label}, best of "
              f"{args.repeat} | {rl:.2f} s vs {pm:.2f} s: ratio {ratio:.2f} | <= {target} | "
              "`.venv/bin/python benchmarks/bench_render.py` |")
    print(f"| 4 reports in one `reportlib render` (2 cores) vs 4 serial renders | {batch:.1f} s vs {serial:.1f} s: "
          f"{serial / batch:.2f}x faster | faster than serial | `.venv/bin/python benchmarks/bench_render.py` |")
    for label, _, _, ratio, target in against:
        if ratio > target:
            print(f"render/papermill ratio {ratio:.2f} ({label}) is above the {target} target", file=sys.stderr)


if __name__ == "__main__":
    main()
