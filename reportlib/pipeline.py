"""One path from params to paper, for every front end: check, prepare, execute, publish.

- :func:`check` reads the params file against its report's declaration, reads and validates the case
  log (once), and checks that each filter and period selects something: what ``reportlib validate``
  and the officer's page's "Check the data" show;
- :func:`prepare` adds the notebook and, for a render, claims the output folder: a :class:`Job`;
- :func:`execute` runs the job's notebook in a kernel (handing it the validated cases through the
  kernel's private folder, never through the officer's ``data`` parameter) and makes the committee
  paper's HTML: an :class:`Executed`;
- :func:`publish` writes every format and the audit files into the claimed folder, then swaps it in.

``reportlib render`` (:func:`render`, :func:`render_many`), ``reportlib preview`` and the officer's
page call these and nothing else, so a paper made anywhere is the same paper.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import hashlib
import json
import os
import platform
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from . import outputs, private
from .errors import BadRowsError, OutputError, ParamsError, ReportError
from .formats import Rendered, check_formats, exporter
from .kernel import Kernel
from .project import root_for

_VERSIONED = ("reportlib", "pandas", "numpy", "matplotlib", "holidays", "papermill", "nbconvert", "nbformat",
              "weasyprint", "ipykernel", "Jinja2", "pydantic", "openpyxl", "SQLAlchemy")


@dataclass
class Checked:
    """A params file read and checked, and its case log read and validated."""

    params_file: Path
    root: Path
    params: Any  # the report's params model
    log: Any  # reportlib.rows.CaseLog

    @property
    def source(self):
        from . import casedata

        return casedata.Source.from_params(self.params)

    def check_selections(self) -> None:
        """ParamsError when a filter or period of the params selects no case at all."""
        from . import selection

        selection.check(self.params, self.log.cases, str(self.params_file), self.log.label)


def check(params_file: Path | str, selections: bool = True, warn: Callable[[str], None] | None = None) -> Checked:
    """Read and check the params file, read and validate its case log, and (``selections``) check that its filters
    and periods select some case; a ReportError says what is wrong. ``warn`` is told what is worth saying but
    stops nothing (a case log that git would commit)."""
    from . import casedata, reports, vcs

    params_file = Path(params_file)
    root = root_for(params_file)
    p = reports.load(params_file)
    exposed = vcs.warning(casedata.Source.from_params(p).path(root))
    if exposed and warn is not None:
        warn(exposed)
    checked = Checked(params_file, root, p, casedata.load_for(p, root))
    if selections:
        checked.check_selections()
    return checked


@dataclass
class Job:
    """A checked params file, its notebook, and (for a render) the output folder claimed for it."""

    checked: Checked
    node: Any  # the notebook, as of its latest save (nbformat NotebookNode)
    notebook: Path  # the file it was read from (.ipynb or .md)
    formats: tuple[str, ...]
    claim: outputs.Claim | None  # None: a preview, which writes nothing into outputs/
    workdir: Path  # where Papermill writes the executed notebook
    started: float = field(default_factory=time.perf_counter)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).replace(microsecond=0))

    @property
    def name(self) -> str:
        return self.checked.params_file.stem

    @property
    def parameters(self) -> dict:
        """The params as the notebook gets them (and report.ipynb records them): as given, in JSON values."""
        from . import params as params_mod

        return params_mod.to_jsonable(self.checked.params)

    @property
    def where(self) -> str:
        return f"notebooks/{self.notebook.name}"

    def close(self) -> None:
        """Let go of the output folder (the build folder goes unless it was published)."""
        if self.claim is not None:
            self.claim.release()


def prepare(params_file: Path | str, *, out: Path | str | None = None, strict: bool = False,
            formats: Sequence[str] | str | None = None, claim: bool = True,
            workdir: Path | None = None, warn: Callable[[str], None] | None = None) -> Job:
    """A job for the params file: checked, its notebook read and (``claim``) its output folder
    ``<out>/<params file name>/`` claimed. ``formats`` overrides the params file's ``formats:``. Without a claim
    (a preview) the executed notebook goes to ``workdir``. Close the job (:meth:`Job.close`) when done."""
    from . import notebooks  # its first read loads nbformat, without rfc3987_syntax: a second of every first job

    params_file = Path(params_file)
    target = outputs.report_folder(params_file, root_for(params_file), out) if claim else None
    if target is not None:
        outputs.check_target(target)  # an officer's folder is named before the case log is read
    checked = check(params_file, warn=warn)
    p, root = checked.params, checked.root
    pair = notebooks.Pair.of(root / "notebooks" / f"{p.notebook}.ipynb")
    if not pair.newer.is_file():
        raise ParamsError(f"{params_file}: key 'notebook': notebooks/{p.notebook}.ipynb does not exist in {root}")
    node, notebook = notebooks.load(pair.ipynb)  # .ipynb or .md: the one saved last, read once
    try:
        chosen = p.formats if formats is None else check_formats(formats)
    except ValueError as e:
        raise ParamsError(f"--format: {e}") from None
    log = checked.log
    if strict and log.rows_excluded:
        rows = f"{log.rows_excluded:,} row{'' if log.rows_excluded == 1 else 's'}"
        raise BadRowsError(f"{log.label}: {rows} would be excluded and --strict refuses them; "
                           f"run 'reportlib validate {params_file}' to list them")
    if target is None:
        return Job(checked, node, notebook, chosen, None, Path(workdir or root))
    held = outputs.Claim(target)
    return Job(checked, node, notebook, chosen, held, held.build)


def reread_notebook(job: Job) -> Job:
    """The same job with its notebook as saved now (the preview, after an edit to the notebook only)."""
    from . import notebooks

    node, notebook = notebooks.load(notebooks.Pair.of(job.notebook).ipynb)
    return dataclasses.replace(job, node=node, notebook=notebook)


@dataclass
class Executed:
    """A job's notebook run, and the committee paper made from it (HTML, and what the render collected)."""

    job: Job
    notebook: Any  # the executed notebook
    html: str
    collected: dict
    seconds: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)  # for the manifest: inputs' SHA-256, versions, git commit


def _keep_failed(job: Job) -> Callable[[Path], str | None]:
    """What a failing cell's message says of the executed notebook: kept beside the report folder (a render), or
    nothing (a preview, which writes nothing)."""
    if job.claim is None:
        return lambda _executed: None

    def keep(executed: Path) -> str:
        kept = outputs.keep_failed(executed, job.claim.out)
        failed = outputs.failed_notebook(job.claim.out)
        return (f"the executed notebook, failing cell marked, is {kept}" if kept else
                f"{failed} is not reportlib's, so the executed notebook was not kept")
    return keep


def execute(job: Job, kernel: Kernel, case_key: object = None,
            progress: Callable[[int, int], None] | None = None) -> Executed:
    """Run the job's notebook in ``kernel`` and make the paper's HTML. The kernel is handed the validated cases
    (``case_key`` names them: the same key again is not handed twice, as in a preview's warm kernel); a render
    then lets go of them here. Meanwhile this process loads the renderer and hashes the inputs.
    ``progress(step, steps)`` is told as each code cell of the notebook starts (the officer's page shows it)."""
    from . import kernel as kernel_mod, pages, render

    kernel.imported.wait()
    import papermill  # noqa: F401 - loaded here, not in the kernel's thread, so the notebook starts at once

    rendering = job.claim is not None
    log = job.checked.log
    kernel.hand_over(log, key=case_key)
    provenance = {"inputs_sha256": _inputs(job, kernel.handed), "rows": _rows(log)} if rendering else {}
    if rendering:  # the kernel has the cases: this process lets go of them and of the memory they took
        job.checked.log = _without_cases(log)
    t0 = time.perf_counter()
    kernel.charts_as_png("docx" in job.formats)  # Word needs each chart as a picture too
    running = kernel.submit(kernel_mod.execute, job.node, job.notebook, job.workdir / "report.ipynb",
                            job.parameters, _keep_failed(job), progress)
    if rendering:  # while the kernel runs: the renderer compiles what it compiles once; the manifest's facts
        if not _warmed.is_set():  # once a process: a batch worker's later params files find it all compiled
            _warm_up(job.parameters)
        provenance.update(versions=dict(_versions()), git=_git(job.checked.root))
    nb = running.result()
    t1 = time.perf_counter()
    if rendering and {"html", "pdf"} & set(job.formats):  # laid out for its pages: a contents list, blocks let go
        html, collected = pages.paper(nb, where=job.where)
    else:  # a preview shows the page as made; Word and Excel alone need no page
        html, collected = render.to_html(nb, where=job.where)
    return Executed(job, nb, html, collected, {"execute": round(t1 - t0, 2),
                                               "render": round(time.perf_counter() - t1, 2)}, provenance)


#: Set once this process has made its warm-up page (:func:`_warm_up`).
_warmed = threading.Event()


def _warm_up(params: dict) -> None:
    """Make a page with no figures from the report's params (as JSON), HTML and PDF, ahead of the real one (a render
    does this while its kernel runs the notebook): nbconvert, nbformat and WeasyPrint load, and compile what they
    compile the first time they meet a committee paper (the template, the notebook schema's validator, the selectors
    of nbconvert's accessibility pass, the stylesheet and the bundled fonts), so the real page is made at once."""
    import nbformat

    from . import render
    from .formats.pdf import to_pdf
    from .narrative import PARAMS_MIME

    shown = nbformat.v4.new_output("display_data", data={PARAMS_MIME: params, "text/plain": ""})
    html, _ = render.to_html(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[shown]),
                                                             nbformat.v4.new_markdown_cell("## {{ params.title }}")]))
    to_pdf(html)
    _warmed.set()


def rerender(executed: Executed, edited) -> Executed:
    """The paper again from the last execution, with the markdown of ``edited`` (the same code cells): a narrative
    edit, shown without running any code."""
    from . import render
    from .notebooks import with_new_narrative

    nb = with_new_narrative(executed.notebook, edited)
    html, collected = render.to_html(nb, where=executed.job.where)
    return dataclasses.replace(executed, notebook=nb, html=html, collected=collected)


def _rows(log) -> dict:
    """Rows read, used, excluded and kept with a warning: the manifest's and the summary line's counts."""
    return {"read": log.rows_read, "used": log.rows_used, "excluded": log.rows_excluded,
            "kept_with_warning": log.warnings}


def _without_cases(log):
    import pandas as pd

    from .compat import give_back_memory

    lighter = dataclasses.replace(log, cases=pd.DataFrame(columns=log.cases.columns))
    give_back_memory()
    return lighter


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def _inputs(job: Job, handed: Path) -> dict:
    """SHA-256 of each input: the params file, the notebook, the case log (a database: of the rows read) and the
    validated cases handed to the kernel."""
    checked, root = job.checked, job.checked.root
    files = {_rel(checked.params_file, root): outputs.sha256(checked.params_file),
             _rel(job.notebook, root): outputs.sha256(job.notebook)}
    source = checked.source
    if source.is_url:
        rows = checked.log.cases.to_csv(index=False).encode()
        files[source.label] = "sha256 of the rows read: " + hashlib.sha256(rows).hexdigest()
    else:
        data = source.path(root)
        files[_rel(data, root)] = outputs.sha256(data)
    files["validated cases handed to the kernel"] = outputs.sha256(handed)
    return files


def _git(root: Path) -> dict:
    def git(*args):
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
    try:
        head = git("rev-parse", "HEAD")
        if head.returncode:
            return {"commit": None}
        dirty = bool(git("status", "--porcelain", "--untracked-files=no").stdout.strip())
        return {"commit": head.stdout.strip(), "dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None}


@lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    """The versions of Python and of the packages a paper depends on, for its manifest: those of this process, read
    once (a package upgraded while a preview runs is not the code it runs)."""
    found = {"python": platform.python_version()}
    for name in _VERSIONED:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return tuple(found.items())


@dataclass
class Result:
    """What one render produced (or why it failed)."""

    params_file: Path
    out: Path | None = None
    rows: dict = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None
    exit_status: int = 0
    files: tuple[str, ...] = outputs.OUTPUT_FILES  # the files written, in the order they were made

    def summary(self) -> str:
        if self.error:
            return f"FAILED {self.params_file}: {self.error}"
        r = self.rows
        return (f"{self.out}: {', '.join(self.files)} ({r['read']:,} rows read, {r['used']:,} used, "
                f"{r['excluded']:,} excluded; {self.seconds:.1f} s)")


def publish(executed: Executed) -> Result:
    """Write every format and the audit files into the job's build folder, then swap it in for the report folder."""
    from . import casedata, params as params_mod
    from .narrative import figures_json

    job = executed.job
    build, log, p = job.workdir, job.checked.log, job.checked.params
    report = Rendered(executed.html, executed.collected, executed.notebook, where=job.where)
    made, seconds = [], dict(executed.seconds)
    for fmt in job.formats:  # one rendered report feeds every format: the one place a render chooses among them
        writer = exporter(fmt)
        t = time.perf_counter()
        writer.write(report, build / writer.FILE)
        seconds[fmt] = round(time.perf_counter() - t, 2)
        made.append(writer.FILE)
    (build / "figures.json").write_text(figures_json(executed.collected["figures"], executed.collected["cited"]),
                                        encoding="utf-8")
    casedata.write_problems(log, build / "data_quality.csv")
    made += [f for f in outputs.AUDIT_FILES if f != "manifest.json"]
    rows = executed.provenance["rows"]
    manifest = {
        "report": job.name,
        "params_file": _rel(job.checked.params_file, job.checked.root),
        "notebook": _rel(job.notebook, job.checked.root),
        "params": {**params_mod.to_jsonable(p), "data": job.checked.source.label},
        "inputs_sha256": executed.provenance["inputs_sha256"],
        "rows": rows,
        "data_notes": log.notes,
        "versions": executed.provenance["versions"],
        "git": executed.provenance["git"],
        "formats": list(job.formats),
        "files": {f: outputs.sha256(build / f) for f in made},
        "started_at": job.started_at.isoformat(),
        "seconds": {**seconds, "total": round(time.perf_counter() - job.started, 2)},
    }
    (build / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    job.claim.publish()
    outputs.forget_failed(job.claim.out)
    return Result(job.checked.params_file, job.claim.out, rows, time.perf_counter() - job.started,
                  files=(*made, "manifest.json"))


#: While a render runs, Python collects the youngest objects every 50,000 new ones (its default: 700), the middle
#: generation every 20 of those collections (10), the oldest every 100 (10).
GC_THRESHOLDS = (50_000, 20, 100)


@contextlib.contextmanager
def collecting_less() -> Iterator[None]:
    """Collect garbage at :data:`GC_THRESHOLDS` while the block runs, as before afterwards.

    A render makes a few hundred thousand objects that live until it ends (pandas, nbconvert and WeasyPrint as
    they are imported) and few that die in reference cycles; at the default thresholds the collector walks those
    survivors again and again, about a tenth of a small render's time. (The kernel freezes what it imported
    instead: :func:`reportlib.session.preload`.)
    """
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def render(params_file: Path | str, out: Path | str | None = None, strict: bool = False,
           formats: Sequence[str] | str | None = None, warn: Callable[[str], None] | None = None,
           progress: Callable[[int, int], None] | None = None, kernel: Kernel | None = None) -> Result:
    """Render one report into ``<out>/<params file name>/`` (``out`` defaults to the project's ``outputs/``): the
    kernel starts first, then :func:`prepare`, :func:`execute` and :func:`publish`.

    ``formats`` (e.g. ``["docx", "xlsx"]``) overrides the params file's ``formats:`` (default html and pdf);
    the audit files (report.ipynb, figures.json, data_quality.csv, manifest.json) are written whatever it says.
    The folder is replaced only when it holds an earlier render, unchanged since; anything else stops the render
    with an :class:`OutputError`. ``progress(step, steps)`` is told as each code cell starts (:func:`execute`).

    ``kernel``, a kernel kept running between renders (the test suite's), is reset first, in this report's
    notebooks folder, and left running: the same paper, byte for byte, without starting a kernel
    (``tests/test_consistency.py`` holds it to that).
    """
    params_file = Path(params_file)
    notebooks = root_for(params_file) / "notebooks"
    warm = kernel is not None
    kernel = kernel if warm else Kernel(notebooks)
    try:
        with collecting_less():
            job = prepare(params_file, out=out, strict=strict, formats=formats, warn=warn)
            try:
                if warm:
                    kernel.reset(notebooks)
                return publish(execute(job, kernel, progress=progress))
            finally:
                job.close()
    finally:
        if not warm:
            kernel.close()


def _warn_on_stderr(text: str) -> None:
    from .errors import printable

    print(f"warning: {printable(text)}", file=sys.stderr, flush=True)


def _render_quietly(params_file: Path, out: Path | None, strict: bool, formats=None) -> Result:
    """Worker: a render whose expected failures come back as data, not exceptions."""
    try:
        return render(params_file, out, strict, formats=formats, warn=_warn_on_stderr)
    except ReportError as e:
        return Result(params_file, error=str(e), exit_status=e.exit_status)
    except Exception as e:  # noqa: BLE001 - one report's crash must not stop the batch
        return Result(params_file, error=f"unexpected {type(e).__name__}: {e} (render it alone with --debug)",
                      exit_status=1)


def _worker_start() -> None:
    """A batch worker ends cleanly (its kernel and folders removed) on SIGTERM, SIGHUP, or when the batch dies."""
    private.exit_on_signals()
    private.follow_parent()


def render_many(params_files: Sequence[Path], out_parent: Path | None = None, strict: bool = False,
                jobs: int | None = None, formats: Sequence[str] | str | None = None) -> list[Result]:
    """Render several reports in parallel (one process per core), carrying on past failures.

    Shows a progress bar, prints one line per report, returns the failures.
    """
    import multiprocessing

    from tqdm import tqdm

    stems: dict[str, Path] = {}
    for f in map(Path, params_files):
        if f.stem in stems and stems[f.stem].resolve() != f.resolve():
            raise OutputError(f"{stems[f.stem]} and {f} would both render into {f.stem}/: "
                              "rename one of them, or render them with different --out folders")
        stems[f.stem] = f
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(params_files)))
    results: list[Result] = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_start) as pool:
        futures = [pool.submit(_render_quietly, Path(f), out_parent, strict, formats) for f in params_files]
        with tqdm(total=len(futures), desc="Rendering", unit="report", file=sys.stderr) as bar:
            for fut in as_completed(futures):
                results.append(fut.result())
                bar.update()
    results.sort(key=lambda r: [str(f) for f in params_files].index(str(r.params_file)))
    for r in results:
        print(r.summary(), file=sys.stderr if r.error else sys.stdout)
    failures = [r for r in results if r.error]
    ok = len(results) - len(failures)
    print(f"{ok} of {len(results)} reports rendered" + (f"; {len(failures)} failed" if failures else ""))
    return failures
