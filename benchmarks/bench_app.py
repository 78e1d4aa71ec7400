"""The officer's page: how long "Make the paper" takes, against ``reportlib render`` of the params file it saved.

    .venv/bin/python benchmarks/bench_app.py [--runs 3]

Runs ``reportlib app`` on a copy of the project (the sample children's report), opens the form in
Debian's Chromium (Playwright), and ``--runs`` times presses "Make the paper" and waits for the
paper's page (the click to the page: the render in its own process, the page's answer and the
browser loading the paper's page); after each, times ``reportlib render`` of the params file the
page saved (a new process, as an officer's terminal would run it). No target: the page should cost
little more than the command line.

Prints a markdown table for the README.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = "childrens_response_times"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def project(folder: Path) -> Path:
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    (folder / "data").mkdir()
    shutil.copy(ROOT / "data" / "sample_case_log.csv", folder / "data")
    (folder / "params").mkdir()
    shutil.copy(ROOT / "params" / f"sample_{REPORT}.yaml", folder / "params")
    return folder


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        folder = project(Path(tmp) / "project")
        app = subprocess.Popen([sys.executable, "-m", "reportlib.cli", "app", "--port", "0", "--no-browser"],
                               cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        url = re.search(r"(http://\S+/)", app.stdout.readline()).group(1)
        page_s, cli_s = [], []
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page()
                for _ in range(runs):
                    page.goto(f"{url}new?report={REPORT}")
                    started = time.perf_counter()
                    page.get_by_role("button", name="Make the paper").click(no_wait_after=True)
                    page.wait_for_url(re.compile(r"made=1$"), timeout=300_000)
                    page_s.append(time.perf_counter() - started)
                    saved = page.locator(".command code").inner_text().split()[-1]
                    started = time.perf_counter()
                    subprocess.run([sys.executable, "-m", "reportlib.cli", "render", saved, "--out",
                                    str(Path(tmp) / "again")], cwd=folder, capture_output=True, check=True)
                    cli_s.append(time.perf_counter() - started)
                browser.close()
        finally:
            app.terminate()
            app.communicate(timeout=60)
    print("| what | median | best |\n|---|---|---|")
    print(f"| officer's page: Make the paper -> the paper's page (sample {REPORT}, {runs} runs) | "
          f"{statistics.median(page_s):.2f} s | {min(page_s):.2f} s |")
    print(f"| `reportlib render` of the params file it saved | {statistics.median(cli_s):.2f} s | {min(cli_s):.2f} s |")


if __name__ == "__main__":
    main()
