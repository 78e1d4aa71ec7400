"""Render a report: params -> case log -> Papermill -> HTML + PDF -> output folder.

All of a render's file I/O is here. The output folder is built in a temporary
folder beside it and swapped in only when everything succeeded, so a failed
render leaves the previous report as it was. A failing notebook is kept as
``outputs/<name>.failed.ipynb`` with Papermill's banner pointing at the cell.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
import dataclasses
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Iterator, Sequence

# jsonschema (which nbformat, papermill and nbconvert import) loads rfc3987_syntax whenever it is installed
# (JupyterLab's jupyter-events brings it) only to check the "iri" string format, which no notebook schema uses;
# building that package's grammar costs a second of every render. A render's process goes without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

from .errors import BadRowsError, OutputError, ParamsError, RenderError, ReportError  # noqa: E402
from .formats import DEFAULT_FORMATS, Rendered, check_formats, exporter, files as _format_files  # noqa: E402
from .project import root_for  # noqa: E402

# pandas, pydantic, papermill and the renderer load inside the functions that need them: a render
# starts its kernel first, and loads them while the kernel starts.

#: Each format's file (reportlib.formats: html -> report.html, pdf, docx -> report.docx, xlsx -> tables.xlsx).
FORMAT_FILES = _format_files()
#: The audit trail: written by every render, whatever its formats.
AUDIT_FILES = ("report.ipynb", "figures.json", "data_quality.csv", "manifest.json")
#: What a render writes by default (formats html and pdf).
OUTPUT_FILES = tuple(FORMAT_FILES[f] for f in DEFAULT_FORMATS) + AUDIT_FILES
#: Every file a render may write into a report folder (the folder may be replaced only if it holds nothing else).
REPORT_FILES = frozenset(FORMAT_FILES.values()) | frozenset(AUDIT_FILES)
_VERSIONED = ("reportlib", "pandas", "numpy", "matplotlib", "holidays", "papermill", "nbconvert", "nbformat",
              "weasyprint", "ipykernel", "Jinja2", "pydantic", "openpyxl", "SQLAlchemy")


@dataclass
class Result:
    """What one render produced (or why it failed)."""

    params_file: Path
    out: Path | None = None
    rows: dict = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None
    exit_status: int = 0
    files: tuple[str, ...] = OUTPUT_FILES  # the files written, in the order they were made

    def summary(self) -> str:
        if self.error:
            return f"FAILED {self.params_file}: {self.error}"
        r = self.rows
        return (f"{self.out}: {', '.join(self.files)} ({r['read']:,} rows read, {r['used']:,} used, "
                f"{r['excluded']:,} excluded; {self.seconds:.1f} s)")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def _rows_sha256(log) -> str:
    """What a manifest says of a case log read from a database (no file to hash): the rows read."""
    return "sha256 of the rows read: " + hashlib.sha256(log.cases.to_csv(index=False).encode()).hexdigest()


def _inputs(params_file: Path, notebook: Path, p, rows_sha256: str | None, root: Path) -> dict:
    from . import casedata

    files = {_rel(params_file, root): sha256(params_file), _rel(notebook, root): sha256(notebook)}
    source = casedata.Source.from_params(p)
    if source.is_url:
        files[source.label] = rows_sha256
    else:
        data = Path(p.data) if Path(p.data).is_absolute() else root / p.data
        files[_rel(data, root)] = sha256(data)
    return files


def _ready_client_class():
    """The kernel client Papermill runs a notebook with: jupyter_client's, ready as soon as it knows it is.

    A client is ready when the kernel has answered its kernel_info request and IOPub, where a cell's output
    comes, is connected (a ZeroMQ subscriber misses what was published before it joined). jupyter_client proves
    the second by the request's status arriving on IOPub, as this does, but then waits for 0.2 s of silence
    there, a fifth of a second of every render. Papermill (nbclient) reads only the IOPub messages of the cell
    it runs, so nothing needs draining: this client is ready the moment the status arrives.
    """
    import time
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.channels import major_protocol_version

    class ReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                asked = self.kernel_info()
                try:
                    reply = await self.get_shell_msg(timeout=1)
                    while reply["parent_header"].get("msg_id") != asked:
                        reply = await self.get_shell_msg(timeout=1)
                    while (await self.get_iopub_msg(timeout=0.2))["parent_header"].get("msg_id") != asked:
                        pass
                except Empty:  # no answer yet, or IOPub not yet connected: ask again
                    if not await self.is_alive():
                        raise RuntimeError("Kernel died before replying to kernel_info") from None
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds") from None
                    continue
                version = int(reply["content"]["protocol_version"].split(".")[0])
                if version != major_protocol_version:  # as jupyter_client does: speak the kernel's protocol
                    self.session.adapt_version = version
                return

    return ReadyClient


def _kernel_manager_class():
    """A kernel manager that keeps the officer's terminal clean.

    Kernels talk to us over local IPC sockets rather than TCP (private, and
    ipykernel does not warn about it), and a finished kernel is asked to shut
    down without first being sent SIGINT (which ipykernel logs as an error).
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir

    class QuietKernelManager(AsyncKernelManager):
        transport = "ipc"
        client_factory = _ready_client_class()

        def _ip_default(self):
            # One socket-file prefix per kernel, so parallel renders never pick the same socket names.
            Path(jupyter_runtime_dir()).mkdir(parents=True, exist_ok=True)
            return str(Path(jupyter_runtime_dir()) / f"reportlib-{uuid.uuid4().hex[:12]}")

        async def _async_interrupt_kernel(self):
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

        def client(self, **kwargs):
            # Remember the clients (Papermill's among them) so they can be stopped with the kernel.
            made = super().client(**kwargs)
            self.__dict__.setdefault("made_clients", []).append(made)
            return made

    return QuietKernelManager


class Kernel:
    """The Python kernel of one render, started before the inputs are checked.

    Its start-up, and the imports every report notebook makes (``reportlib.session.preload``),
    run in the kernel's process while this one checks the params and the case log. The kernel
    is started, used by Papermill and shut down from one thread of its own, so all of it runs
    on one event loop.
    """

    PRELOAD = "import reportlib.session as _s; _s.preload(); del _s"

    def __init__(self, cwd: Path):
        import threading

        self.imported = threading.Event()  # set once jupyter_client is loaded: Python cannot import it twice at once
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reportlib-kernel")
        self._started = self._thread.submit(self._start, cwd)

    def _start(self, cwd: Path):
        try:
            from jupyter_client import BlockingKernelClient
            from jupyter_core.utils import run_sync
        finally:
            self.imported.set()

        logging.getLogger("traitlets").setLevel(logging.ERROR)
        os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet ipykernel's debugger warning
        manager = _kernel_manager_class()(kernel_name="python3")
        run_sync(manager.start_kernel)(cwd=str(cwd))
        client = BlockingKernelClient()
        client.load_connection_info(manager.get_connection_info())
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        client.execute(self.PRELOAD, silent=True, store_history=False)
        return manager, client

    def submit(self, fn, *args):
        """Run ``fn(kernel_manager, *args)`` in the kernel's thread (a Future)."""
        try:
            manager, _ = self._started.result()
        except Exception as e:  # noqa: BLE001 - no kernel means no report, whatever the cause
            raise RenderError(f"the Python kernel could not start ({type(e).__name__}: {e}); "
                              "check that ipykernel is installed in this environment (./dev setup)") from None
        return self._thread.submit(fn, manager, *args)

    def _run(self, code: str, timeout: float = 60) -> None:
        """Run ``code`` in the kernel and wait for it to finish (from the kernel's own thread)."""
        def run_code(manager):
            _, client = self._started.result()
            msg_id = client.execute(code, silent=True, store_history=False)
            while True:
                reply = client.get_shell_msg(timeout=timeout)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply["content"].get("status")
        return self.submit(run_code).result()

    def charts_as_png(self, on: bool) -> None:
        """Whether the charts the next run draws carry a PNG rendition (:func:`reportlib.charts.set_rasters`)."""
        self._run(f"import reportlib.charts as _c; _c.set_rasters({bool(on)}); del _c")

    def forget_clients(self) -> None:
        """Close the clients Papermill made for earlier runs (a kernel kept warm runs many)."""
        def forget(manager):
            for c in manager.__dict__.pop("made_clients", []):
                c.stop_channels()
        self.submit(forget).result()

    def reset(self) -> None:
        """Clear what the last run defined, so the next run starts as in a new kernel; imported modules stay
        loaded (that is what makes a warm kernel fast)."""
        self.forget_clients()
        self._run("get_ipython().run_line_magic('reset', '-f')")

    def restart(self) -> None:
        """A new kernel process in place of this one (after a change to code it has imported), preloaded."""
        def restart(manager):
            from jupyter_core.utils import run_sync

            run_sync(manager.restart_kernel)(now=True)
        self.forget_clients()
        self.submit(restart).result()
        self._run(self.PRELOAD)

    def close(self) -> None:
        def stop():
            from jupyter_core.utils import run_sync

            manager, client = self._started.result()
            for c in [client, *manager.__dict__.get("made_clients", [])]:
                c.stop_channels()
            client.context.destroy(linger=0)
            run_sync(manager.shutdown_kernel)(now=True)
        try:
            self._thread.submit(stop).result()
        except Exception:  # noqa: BLE001 - a kernel that never started has nothing to stop
            pass
        self._thread.shutdown()


def _cell_number(executed: Path, index: int) -> int:
    """The failing cell's number as the analyst sees the notebook (1 = its first cell): its place in the
    executed notebook, less the parameters cell Papermill added (a kept-warm kernel's execution counts
    run on from run to run, so they cannot say which cell it was)."""
    import nbformat

    cells = [c for c in nbformat.read(executed, as_version=4).cells  # without the error banners Papermill adds
             if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    added = sum("injected-parameters" in c.metadata.get("tags", []) for c in cells[:index])
    return index + 1 - added


def execute(manager, notebook: Path, output: Path, parameters: dict, failed_copy: Path, node=None):
    """Run the notebook (the newer file of its .ipynb/.md pair, or ``node`` read from it already) with
    Papermill in the kernel ``manager`` runs; a failing cell becomes a RenderError."""
    from .notebooks import load

    node, source = (node, notebook) if node is not None else load(notebook)
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.WARNING)
    try:
        # Written once, when it has run (or failed: Papermill saves it with the failing cell marked), not after
        # every cell: each save serialises and schema-checks the whole notebook, charts and all.
        return papermill.execute_notebook(node, str(output), parameters=parameters, kernel_name="python3",
                                          progress_bar=False, log_output=False, km=manager,
                                          request_save_on_cell_execute=False)
    except PapermillExecutionError as e:
        kept = _keep_failed(output, failed_copy)
        evalue = " ".join(str(e.evalue).split())
        where = f"the executed notebook, failing cell marked, is {kept}" if kept else \
            f"{failed_copy} is not reportlib's, so the executed notebook was not kept"
        raise RenderError(f"{source.parent.name}/{source.name}: cell {_cell_number(output, e.cell_index)} failed: "
                          f"{e.ename}: {evalue} ({where})") from None
    except RuntimeError as e:  # the kernel died or stopped answering
        raise RenderError(f"{source.parent.name}/{source.name}: the Python kernel failed ({e}); "
                          "check that ipykernel is installed in this environment (./dev setup)") from None


def _written_by_render(folder: Path) -> bool:
    """Whether ``folder`` holds an earlier render and nothing else: its manifest.json, and only the
    files a render writes."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or not {"report", "inputs_sha256", "rows"} <= manifest.keys():
        return False
    return all(entry.name in REPORT_FILES and entry.is_file() for entry in folder.iterdir())


def check_target(out: Path) -> None:
    """Refuse to replace ``out`` unless it is the folder of an earlier render (SPEC: a render never
    deletes or replaces what it did not write)."""
    if not out.exists() and not out.is_symlink():
        return
    if out.is_symlink() or not out.is_dir():
        raise OutputError(f"{out}: exists and is not a report folder; reportlib will not replace it: "
                          "move it, or choose another --out")
    if not _written_by_render(out):
        theirs = sorted(e.name for e in out.iterdir() if e.name not in REPORT_FILES or not e.is_file())
        what = f"holds {theirs[0]!r}, which reportlib did not write" if theirs else \
            "has no manifest.json from an earlier render"
        raise OutputError(f"{out}: {what}; reportlib replaces only its own report folders: "
                          "move those files, or choose another --out")


def _swap(tmp: Path, out: Path) -> None:
    """Put the finished report folder ``tmp`` in place of ``out`` (an earlier render, checked again now)."""
    check_target(out)
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.rename(out, old)
    os.rename(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _failed_notebook_ours(path: Path) -> bool:
    """Whether ``path`` is a failed notebook an earlier render kept (Papermill's metadata in it)."""
    try:
        return "papermill" in json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return False


def _keep_failed(executed: Path, failed_copy: Path) -> Path | None:
    """Copy the failed notebook beside the report folder, unless that would replace a file of the user's."""
    if failed_copy.exists() and not _failed_notebook_ours(failed_copy):
        return None
    shutil.copyfile(executed, failed_copy)
    return failed_copy


def check(params_file: Path | str, root: Path) -> tuple:
    """The params, the notebook they name (read, and the file it was read from), and the case log, or the
    ReportError saying what is wrong (a filter or period that selects no case at all among them)."""
    from . import casedata, params as params_mod, selection
    from . import notebooks
    from .notebooks import Pair

    params_file = Path(params_file)
    p = params_mod.load(params_file)
    pair = Pair.of(root / "notebooks" / f"{p.notebook}.ipynb")
    if not pair.newer.is_file():
        raise ParamsError(f"{params_file}: key 'notebook': notebooks/{p.notebook}.ipynb does not exist in {root}")
    node, notebook = notebooks.load(pair.ipynb)  # .ipynb or .md: the one saved last, read once per render
    log = casedata.load_for(p, root)
    selection.check(p, log.cases, str(params_file), log.label)
    return p, node, notebook, log


def report_folder(params_file: Path | str, root: Path, out: Path | str | None = None) -> Path:
    """Where a report goes: ``<out>/<params file name>/``, ``out`` defaulting to the project's ``outputs/``."""
    parent = Path(out).resolve() if out else root / "outputs"
    return parent / Path(params_file).stem


#: While a render runs, Python collects the youngest objects every 50,000 new ones (its default: 700), the middle
#: generation every 20 of those collections (10), the oldest every 100 (10).
GC_THRESHOLDS = (50_000, 20, 100)


@contextlib.contextmanager
def _collecting_less() -> Iterator[None]:
    """Collect garbage at :data:`GC_THRESHOLDS` while the block runs, as before afterwards.

    A render makes a few hundred thousand objects that live until it ends (pandas, nbconvert and WeasyPrint as
    they are imported) and few that die in reference cycles; at the default thresholds the collector walks those
    survivors again and again, about a tenth of a small render's time. (The kernel freezes what it imported
    instead: :func:`reportlib.session.preload`.)
    """
    import gc

    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def render(params_file: Path | str, out: Path | str | None = None, strict: bool = False,
           formats: Sequence[str] | str | None = None) -> Result:
    """Render one report into ``<out>/<params file name>/`` (``out`` defaults to the project's ``outputs/``).

    ``formats`` (e.g. ``["docx", "xlsx"]``) overrides the params file's ``formats:`` (default html and pdf);
    the audit files (report.ipynb, figures.json, data_quality.csv, manifest.json) are written whatever it says.
    The folder is replaced only when it holds an earlier render; anything else there stops the
    render with an :class:`OutputError` before any work is done.
    """
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    params_file = Path(params_file)
    root = root_for(params_file)
    kernel = Kernel(root / "notebooks")
    try:
        with _collecting_less():
            return _render(kernel, params_file, root, out, strict, started, started_at, formats=formats)
    finally:
        kernel.close()


def _point_at_the_case_log(executed: Path, handed: str, data: str) -> None:
    """report.ipynb names the case log itself, not the validated copy the kernel read (gone after the render),
    so an analyst can run it again."""
    text = executed.read_text(encoding="utf-8")
    executed.write_text(text.replace(json.dumps(handed)[1:-1], json.dumps(data)[1:-1]), encoding="utf-8")


def _render(kernel: Kernel, params_file: Path, root: Path, out, strict: bool, started: float,
            started_at: dt.datetime, formats: Sequence[str] | str | None = None) -> Result:
    import pandas as pd

    from . import casedata, params as params_mod

    name = params_file.stem
    out = report_folder(params_file, root, out)
    check_target(out)
    p, node, notebook, log = check(params_file, root)
    try:
        formats = p.formats if formats is None else check_formats(formats)
    except ValueError as e:
        raise ParamsError(f"--format: {e}") from None
    if strict and log.rows_excluded:
        rows = f"{log.rows_excluded:,} row{'' if log.rows_excluded == 1 else 's'}"
        raise BadRowsError(f"{log.label}: {rows} would be excluded and --strict refuses them; "
                           f"run 'reportlib validate {params_file}' to list them")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=out.parent))
    # The case log is read and validated once, here; the kernel gets the validated cases as one file in a
    # folder of their own (case-level data never enters the report folder), removed when the render ends.
    handoff = Path(tempfile.mkdtemp(prefix="reportlib-cases-"))
    try:
        parameters = params_mod.to_jsonable(p)
        data = parameters["data"]
        from_database = casedata.Source.from_params(p).is_url
        if not from_database and not Path(p.data).is_absolute():
            data = parameters["data"] = str((root / p.data).resolve())
        parameters["data"] = str(casedata.save_validated(log, handoff))
        rows_sha256 = _rows_sha256(log) if from_database else None
        rows = {"read": log.rows_read, "used": log.rows_used, "excluded": log.rows_excluded,
                "kept_with_warning": log.warnings}
        # The kernel reads the cases from the file: this process lets go of them, and of the memory reading took.
        log = dataclasses.replace(log, cases=pd.DataFrame(columns=log.cases.columns))
        casedata.give_back_memory()
        t0 = time.perf_counter()
        kernel.imported.wait()
        import papermill  # noqa: F401 - loaded here, not in the kernel's thread, so the notebook starts at once
        # The kernel runs the notebook in its own process; meanwhile this one loads the
        # renderer and gathers the manifest, so a render costs little more than the notebook.
        kernel.charts_as_png("docx" in formats)  # Word needs each chart as a picture too
        running = kernel.submit(execute, notebook, tmp / "report.ipynb", parameters,
                                out.parent / f"{name}.failed.ipynb", node)
        from . import render as render_mod
        render_mod.warm_up(parameters)
        inputs, versions, git = _inputs(params_file.resolve(), notebook, p, rows_sha256, root), _versions(), _git(root)
        nb = running.result()
        _point_at_the_case_log(tmp / "report.ipynb", parameters["data"], data)
        inputs["validated cases handed to the kernel"] = sha256(Path(parameters["data"]))
        t1 = time.perf_counter()
        html, collected = render_mod.to_html(nb, where=f"notebooks/{notebook.name}")
        t2 = time.perf_counter()
        # One rendered report feeds every format; each format is a module of reportlib.formats with
        # FILE and write(report, target). This loop is the one place a render chooses among them.
        report = Rendered(html, collected, nb, where=f"notebooks/{notebook.name}")
        made, format_seconds = [], {}
        for fmt in formats:
            writer = exporter(fmt)
            t = time.perf_counter()
            writer.write(report, tmp / writer.FILE)
            format_seconds[fmt] = round(time.perf_counter() - t, 2)
            made.append(writer.FILE)
        from .narrative import figures_json
        (tmp / "figures.json").write_text(figures_json(collected["figures"], collected["cited"]), encoding="utf-8")
        casedata.write_problems(log, tmp / "data_quality.csv")
        made += [f for f in AUDIT_FILES if f != "manifest.json"]
        manifest = {
            "report": name,
            "params_file": _rel(params_file, root),
            "notebook": _rel(notebook, root),
            "params": {**params_mod.to_jsonable(p), "data": casedata.Source.from_params(p).label},
            "inputs_sha256": inputs,
            "rows": rows,
            "data_notes": log.notes,
            "versions": versions,
            "git": git,
            "formats": list(formats),
            "files": {f: sha256(tmp / f) for f in made},
            "started_at": started_at.isoformat(),
            "seconds": {"execute": round(t1 - t0, 2), "render": round(t2 - t1, 2), **format_seconds,
                        "total": round(time.perf_counter() - started, 2)},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.chmod(tmp, 0o755)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(handoff, ignore_errors=True)
    failed = out.parent / f"{name}.failed.ipynb"
    if failed.exists() and _failed_notebook_ours(failed):
        failed.unlink()
    return Result(params_file, out, rows, time.perf_counter() - started, files=(*made, "manifest.json"))


def _render_quietly(params_file: Path, out: Path | None, strict: bool, formats=None) -> Result:
    """Worker: a render whose expected failures come back as data, not exceptions."""
    try:
        return render(params_file, out, strict, formats=formats)
    except ReportError as e:
        return Result(params_file, error=str(e), exit_status=e.exit_status)
    except Exception as e:  # noqa: BLE001 - one report's crash must not stop the batch
        return Result(params_file, error=f"unexpected {type(e).__name__}: {e} (render it alone with --debug)",
                      exit_status=1)


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
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
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
