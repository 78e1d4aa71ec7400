"""Builders for the test suite: small case logs and params files whose figures are known by hand.

Everything is generated deterministically into ``tmp_path``; nothing is written into the tree.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
import yaml

from reportlib.workdays import due_date

REPO = Path(__file__).resolve().parents[1]
HEADER = ["case_ref", "kind", "procedure", "stage", "received", "acknowledged", "responded", "team", "service",
          "delay_reason", "outcome", "extended"]


def case(ref, received, days=None, *, kind="complaint", procedure="childrens", stage=1, team="Court Team",
         service="Children's Services", reason="", outcome="upheld", responded=None, acknowledged="", **extra):
    """One case-log row; ``days`` working days after ``received`` gives the response date.

    The optional columns (``subject``, ``remedy``, ``compensation``, ``refused_reason``, ``ombudsman``,
    ``complainant``) come as keywords (``**extra``, e.g. ``remedy="apology;financial"``): a column is in the
    log only when some row gives it, so a log built without them reads as one from before they existed."""
    received = dt.date.fromisoformat(received) if isinstance(received, str) else received
    if responded is None and days is not None:
        responded = due_date(received, days)
    row = {
        "case_ref": ref, "kind": kind, "procedure": procedure, "stage": stage if kind == "complaint" else "",
        "received": received.strftime("%d/%m/%Y"),
        "acknowledged": acknowledged,
        "responded": responded.strftime("%d/%m/%Y") if isinstance(responded, dt.date) else (responded or ""),
        "team": team, "service": service, "delay_reason": reason,
        "outcome": outcome if (kind == "complaint" and (responded or days is not None)) else "",
        "extended": "no" if kind == "complaint" else "",
    }
    row.update(extra)
    return row


def write_case_log(path: Path, rows: list[dict]) -> Path:
    fields = list(HEADER) + [k for r in rows for k in r if k not in HEADER]
    fields = list(dict.fromkeys(fields))
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def childrens_params(data: Path, **overrides) -> dict:
    p = {
        "notebook": "childrens_response_times",
        "council": "Testshire Council",
        "committee": "Children's Services Scrutiny Committee",
        "meeting_date": "2021-01-20",
        "title": "Children's Services Complaints: Response Times Action Plan",
        "report_of": "Acting Director of Children's Services",
        "author": "Helen Example",
        "contact": {"name": "Darren Example", "role": "Complaints Manager", "phone": "01632 960123",
                    "email": "complaints@testshire.example"},
        "data": str(data),
        "service": "Children's Services",
        "target_working_days": 20,
        "baseline_year": "2019/20",
        "change_date": "2020-08-18",
        "period_start": "2020-04-01",
        "period_end": "2020-12-31",
        "recommendations": ["Members note and comment on the contents of the report."],
        "benchmarks": [{"authority": "Sandwell", "value": 73}, {"authority": "Walsall", "value": 50}],
    }
    p.update(overrides)
    return p


def performance_params(data: Path, **overrides) -> dict:
    p = {
        "notebook": "complaints_performance",
        "council": "Testshire County Council",
        "committee": "Corporate and Communities Overview and Scrutiny Panel",
        "meeting_date": "2021-07-20",
        "title": "Performance Monitoring of Comments, Compliments and Complaints",
        "report_of": "Assistant Director for Legal and Governance",
        "contact": [{"name": "Emma Example", "role": "Overview and Scrutiny Officer", "phone": "01632 960844",
                     "email": "scrutiny@testshire.example"}],
        "data": str(data),
        "year": "2020/21",
        "stage2_timescales": {"childrens": 65, "corporate": 25},
        "quarters": 8,
        "trend_years": 6,
    }
    p.update(overrides)
    return p


def write_params(path: Path, params: dict) -> Path:
    path.write_text(yaml.safe_dump(params, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


_WARM: list = []  # this test process's warm kernel, once started


def warm_kernel():
    """This test process's kernel, kept running between its in-process renders (``pipeline.render(...,
    kernel=warm_kernel())``): a render resets it first, so its paper is the one a fresh kernel makes, byte for byte
    (tests/test_consistency.py holds it to that), without a second or so of starting one. The command run in this
    process renders in it too (:class:`LentKernel`); the command in a process of its own starts its own.
    Started at its first use, and again after a notebook ended it; stopped when the run ends (conftest)."""
    from reportlib.kernel import Kernel

    if _WARM and not _alive(_WARM[0]):  # a test's notebook ended it (os._exit, a crash): the next gets a new one
        stop_warm_kernel()
    if not _WARM:
        _WARM.append(Kernel(REPO / "notebooks"))
    return _WARM[0]


def _alive(kernel) -> bool:
    from jupyter_core.utils import run_sync

    try:
        return kernel.submit(lambda manager: run_sync(manager.is_alive)()).result()
    except Exception:  # noqa: BLE001 - a kernel that cannot say is no kernel to render in
        return False


def warm_render(params_file, **kwargs):
    """:func:`reportlib.pipeline.render` of ``params_file`` in this process's warm kernel (:func:`warm_kernel`)."""
    from reportlib import pipeline

    return pipeline.render(params_file, kernel=warm_kernel(), **kwargs)


class LentKernel:
    """This process's warm kernel (:func:`warm_kernel`), lent to a render that would start a kernel of its own (the
    ``reportlib`` command run in this process): put in place of ``reportlib.pipeline.Kernel``
    (:func:`lend_the_warm_kernel`), it resets the kernel when the render first uses it, as ``render(kernel=...)``
    does, and keeps it running when the render closes it; a render stopped before it runs anything (its inputs
    refused) starts no kernel at all. The paper is the one a fresh kernel makes (tests/test_consistency.py); what
    starting and stopping a render's own kernel does is tested through the command in a process of its own
    (tests/test_outputs.py, tests/test_run.py)."""

    def __init__(self, notebooks: Path):
        self._notebooks = notebooks
        self._kernel = None

    def __getattr__(self, name: str):
        if self._kernel is None:
            self._kernel = warm_kernel()
            self._kernel.reset(self._notebooks)
        return getattr(self._kernel, name)

    def close(self) -> None:
        pass


def lend_the_warm_kernel(monkeypatch) -> None:
    """Renders in this process (``pipeline.render`` without ``kernel=``) run in the warm kernel until
    ``monkeypatch`` is undone: :class:`LentKernel`."""
    from reportlib import pipeline

    monkeypatch.setattr(pipeline, "Kernel", LentKernel)


def stop_warm_kernel() -> None:
    while _WARM:
        _WARM.pop().close()


def render_log(tmp: Path, rows: list[dict], make_params: Callable[..., dict], **overrides) -> Path:
    """Write ``rows`` as a case log and ``make_params(data, **overrides)`` as params into ``tmp``,
    render the report from the repository's notebooks (in this process's warm kernel), and return its output
    folder. The page and the audit files only, unless the params name formats (``formats=[html, pdf]``): the page
    is laid out for its pages either way, so it is the page the PDF would print."""
    os.chdir(REPO)
    data = write_case_log(tmp / "cases.csv", rows)
    params = write_params(tmp / "meeting.yaml", {"formats": ["html"], **make_params(data, **overrides)})
    return warm_render(params, out=tmp / "out").out


def text_of(page: str) -> str:
    """The words of an HTML page as a reader sees them, whitespace collapsed."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


#: One sample of each report type (the annual report in its all-procedures scope).
REPORT_SAMPLES = ("sample_childrens_response_times", "sample_complaints_performance", "sample_annual_report")


def readable_texts(path: Path) -> list[str]:
    """Every text a reader of ``path`` could find in it: its bytes as UTF-8, each member of a .docx or .xlsx (zip)
    archive, a PDF's extracted text (a personal string must be in none)."""
    import io
    import zipfile

    raw = path.read_bytes()
    texts = [raw.decode("utf-8", "ignore")]
    if zipfile.is_zipfile(io.BytesIO(raw)):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            texts += [archive.read(name).decode("utf-8", "ignore") for name in archive.namelist()]
    if path.suffix == ".pdf":
        import pypdf

        texts.append(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(raw)).pages))
    return texts


def cli_here(*args, cwd: Path) -> subprocess.CompletedProcess:
    """The ``reportlib`` command run in this process (Click's runner) from ``cwd``: its exit status and what it
    printed, as a process's; a render runs in the warm kernel (:class:`LentKernel`). (The program in a process of its
    own, starting its own kernel: tests/test_compat.py, tests/test_outputs.py, tests/test_run.py.)"""
    from click.testing import CliRunner

    from reportlib.cli import main

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        lend_the_warm_kernel(patch)  # a render that gets as far as its kernel: the warm one
        result = CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def cli_process(*args, cwd: Path) -> subprocess.CompletedProcess:
    """The installed ``reportlib`` command in a process of its own, from ``cwd``, as an officer runs it (its renders
    start their own kernel)."""
    command = REPO / ".venv" / "bin" / "reportlib"
    argv = [str(command)] if command.exists() else [sys.executable, "-m", "reportlib.cli"]
    return subprocess.run([*argv, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)
