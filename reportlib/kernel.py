"""The Python kernel a report's notebook runs in: started, handed the cases, run, reset, restarted, stopped.

A render starts its kernel before anything else, and the imports every report notebook makes
(``reportlib.session.preload``) run in the kernel's process while the render checks the params and
reads the case log. The preview keeps one kernel running between refreshes. The kernel lives in a
private folder of its own (:mod:`reportlib.private`): its connection file, its IPC sockets and the
validated cases handed to it (:mod:`reportlib.handover`), all removed when it stops, or by the next
render if this process was killed.

The kernel is started, used by Papermill and shut down from one thread of its own, so all of it runs
on one event loop.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from . import compat, private
from .errors import RenderError, cut

PRELOAD = "import reportlib.session as _s; _s.preload(); del _s"


class Kernel:
    """The kernel of one render (or of a preview, kept warm between runs)."""

    def __init__(self, cwd: Path):
        self.folder = private.Folder("kernel", _socket_parent())
        self.imported = threading.Event()  # set once jupyter_client is loaded: Python cannot import it twice at once
        self.handed: Path | None = None
        self._handed_key: object = None
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
        manager = compat.kernel_manager_class()(
            kernel_name="python3", connection_file=str(self.folder.path / "kernel.json"), **_transport(self.folder.path))
        run_sync(manager.start_kernel)(cwd=str(cwd))
        client = BlockingKernelClient()
        client.load_connection_info(manager.get_connection_info())
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        client.execute(PRELOAD, silent=True, store_history=False)
        return manager, client

    def submit(self, fn, *args) -> Future:
        """Run ``fn(kernel_manager, *args)`` in the kernel's thread (a Future)."""
        try:
            manager, _ = self._started.result()
        except Exception as e:  # noqa: BLE001 - no kernel means no report, whatever the cause
            raise RenderError(f"the Python kernel could not start ({type(e).__name__}: {e}); "
                              "check that ipykernel is installed in this environment (./dev setup)") from None
        return self._thread.submit(fn, manager, *args)

    def run_quietly(self, code: str, timeout: float = 60) -> None:
        """Run ``code`` in the kernel and wait for it to finish (nothing is recorded in any notebook)."""
        def run_code(manager):
            _, client = self._started.result()
            msg_id = client.execute(code, silent=True, store_history=False)
            while True:
                reply = client.get_shell_msg(timeout=timeout)
                if reply["parent_header"].get("msg_id") == msg_id:
                    if reply["content"].get("status") != "ok":
                        raise RenderError(f"the Python kernel could not run reportlib's own set-up "
                                          f"({reply['content'].get('ename')}: {reply['content'].get('evalue')})")
                    return
        self.submit(run_code).result()

    def hand_over(self, log, key: object = None) -> Path:
        """Give the kernel the validated case log (its notebook's ``open_report`` reads it instead of the export):
        Arrow files in the kernel's private folder. ``key`` names what was handed: handing the same again is free."""
        from . import handover

        if self.handed is None or key is None or key != self._handed_key:
            self.handed = handover.write(log, self.folder.path)
            self._handed_key = key
        self.run_quietly(f"import reportlib.session as _s; _s.receive({str(self.handed)!r}); del _s")
        return self.handed

    def charts_as_png(self, on: bool) -> None:
        """Whether the charts the next run draws carry a PNG rendition (:func:`reportlib.charts.set_rasters`)."""
        self.run_quietly(f"import reportlib.charts as _c; _c.set_rasters({bool(on)}); del _c")

    def forget_clients(self) -> None:
        """Close the clients Papermill made for earlier runs (a kernel kept warm runs many)."""
        def forget(manager):
            for c in manager.__dict__.pop("made_clients", []):
                c.stop_channels()
        self.submit(forget).result()

    def reset(self, cwd: Path | None = None) -> None:
        """Clear what the last run defined (its names, its execution counts), so the next run starts as in a new
        kernel, in ``cwd`` if given (a kernel kept warm for several projects); imported modules stay loaded (that
        is what makes a warm kernel fast), and so does the case log handed over."""
        self.forget_clients()
        move = "" if cwd is None else f"; import os as _os; _os.chdir({str(cwd)!r}); del _os"
        self.run_quietly("get_ipython().reset(new_session=True)" + move)

    def restart(self) -> None:
        """A new kernel process in place of this one (after a change to code it has imported), preloaded and
        handed the same case log."""
        def restart(manager):
            from jupyter_core.utils import run_sync

            run_sync(manager.restart_kernel)(now=True)
        self.forget_clients()
        self.submit(restart).result()
        self.run_quietly(PRELOAD)
        if self.handed is not None:
            self.run_quietly(f"import reportlib.session as _s; _s.receive({str(self.handed)!r}); del _s")

    def close(self) -> None:
        """Stop the kernel and remove its folder (connection file, sockets, the cases handed over)."""
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
        finally:
            self._thread.shutdown()
            self.folder.remove()


#: The longest path a Unix socket may have (108 bytes on Linux, with its terminating NUL; 104 on macOS).
_SOCKET_PATH_MAX = 100


def _socket_parent() -> Path | None:
    """Where the kernel's private folder goes: the temporary folder, unless its path is too long for the sockets in it
    (a deep ``TMPDIR``); then ``/tmp``, still a private folder of ours."""
    import tempfile

    if len(os.fsencode(tempfile.gettempdir())) + 40 <= _SOCKET_PATH_MAX or not Path("/tmp").is_dir():
        return None
    return Path("/tmp")


def _transport(folder: Path) -> dict:
    """How the kernel talks to this process: over Unix sockets in its private folder (only this user can reach
    them), unless the folder's path is too long for a socket (a deep ``TMPDIR``); then over TCP on 127.0.0.1,
    where every message is still signed with the connection file's key."""
    sockets = folder / "ipc"
    if len(os.fsencode(sockets)) + len("-65535") <= _SOCKET_PATH_MAX:
        return {"transport": "ipc", "ip": str(sockets)}
    return {"transport": "tcp", "ip": "127.0.0.1"}


def _cell_number(executed: Path, index: int) -> int:
    """The failing cell's number as the analyst sees the notebook (1 = its first cell): its place in the
    executed notebook, less the parameters cell Papermill added (a kept-warm kernel's execution counts
    run on from run to run, so they cannot say which cell it was)."""
    import nbformat

    cells = [c for c in nbformat.read(executed, as_version=4).cells  # without the error banners Papermill adds
             if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    added = sum("injected-parameters" in c.metadata.get("tags", []) for c in cells[:index])
    return index + 1 - added


def _progress_hook(node, progress):
    """nbclient's ``on_cell_start`` hook telling ``progress(step, steps)`` as each code cell starts: the code cells
    of ``node`` and the parameters cell Papermill adds."""
    steps = sum(c.cell_type == "code" and bool(c.source.strip()) for c in node.cells) + 1
    step = 0

    def on_cell_start(cell, cell_index):
        nonlocal step
        if cell.cell_type == "code" and cell.source.strip():
            step = min(step + 1, steps)
            progress(step, steps)
    return {"on_cell_start": on_cell_start}


def _known_parameters(record: logging.LogRecord) -> bool:
    """Papermill warns of every parameter the parameters cell does not assign: the keys every report takes never are
    (a params file gives them, checked against the report's declaration before the notebook runs)."""
    return not str(record.msg).startswith("Passed unknown parameter")


def execute(manager, node, source: Path, output: Path, parameters: dict, keep_failed, progress=None):
    """Run the notebook ``node`` (read from ``source``) with Papermill in the kernel ``manager`` runs, writing the
    executed notebook to ``output``. A failing cell becomes a RenderError; ``keep_failed(output)`` keeps a copy
    of the failed notebook (or not) and says so in words the message ends with (None: nothing to say).
    ``progress(step, steps)``, if given, is told as each code cell starts (from the kernel's thread)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logger = logging.getLogger("papermill")
    logger.setLevel(logging.WARNING)
    if _known_parameters not in logger.filters:
        logger.addFilter(_known_parameters)
    hooks = _progress_hook(node, progress) if progress is not None else {}
    try:
        # Written once, when it has run (or failed: Papermill saves it with the failing cell marked), not after
        # every cell: each save serialises and schema-checks the whole notebook, charts and all.
        return papermill.execute_notebook(node, str(output), parameters=parameters, kernel_name="python3",
                                          progress_bar=False, log_output=False, km=manager,
                                          request_save_on_cell_execute=False, **hooks)
    except PapermillExecutionError as e:
        kept = keep_failed(output)
        evalue = cut(" ".join(str(e.evalue).split()), 300)  # an error's text may quote a value of the data
        raise RenderError(f"{source.parent.name}/{source.name}: cell {_cell_number(output, e.cell_index)} failed: "
                          f"{e.ename}: {evalue}" + (f" ({kept})" if kept else "")) from None
    except RuntimeError as e:  # the kernel died or stopped answering
        raise RenderError(f"{source.parent.name}/{source.name}: the Python kernel failed ({e}); "
                          "check that ipykernel is installed in this environment (./dev setup)") from None
