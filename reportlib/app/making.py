"""Making a paper from the page: one at a time, in a process of its own, with progress.

"Make the paper" renders the saved params file with :func:`reportlib.pipeline.render`, the same call
``reportlib render`` makes, so the paper is the one the command line makes. It runs in a process of
its own (started fresh, as ``reportlib render``'s batch workers are): the page stays quick while it
runs, the memory a large case log takes is given back when it ends, and stopping the page stops it
cleanly (SIGTERM: its kernel and private folders are removed). It tells the page as each code cell
of the notebook starts (:attr:`Making.step` of :attr:`Making.steps`).

Only one paper is made at a time: a second "Make the paper" while one is being made is refused
(:class:`Busy`), saying which paper is being made.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import private


class Busy(Exception):
    """A paper is being made already; ``making`` is it."""

    def __init__(self, making: "Making"):
        super().__init__(making.name)
        self.making = making


@dataclass
class Making:
    """One paper being made: what it is, how far it has got, and how it ended."""

    name: str  # the params file's name without .yaml
    state: str = "starting"  # starting, running, writing, done, failed
    step: int = 0
    steps: int = 0
    started: float = field(default_factory=time.monotonic)
    result: dict | None = None  # done: the out folder, files, rows, seconds
    error: dict | None = None  # failed: message, kind (the error's class), key, exit status

    def as_json(self) -> dict:
        return {"paper": self.name, "state": self.state, "step": self.step, "steps": self.steps,
                "seconds": round(time.monotonic() - self.started, 1)}


def _stop_once() -> None:
    """In the render's process: the first of Ctrl-C, SIGTERM or SIGHUP ends the render as Ctrl-C does (its kernel,
    build folder and lock removed); any after it are ignored, so they cannot cut that clean-up short (Ctrl-C in a
    terminal reaches this process and the page, which then asks it to stop as well)."""
    import signal

    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def stop(signum, _frame):
        for other in signals:  # a handler that does nothing, not SIG_IGN: one already pending must find a handler
            signal.signal(other, lambda *_: None)
        raise private.Stopped(128 + signum)
    for signum in signals:
        signal.signal(signum, stop)


def _render(params_file: str, root: str, conn) -> None:
    """In the render's own process: render ``params_file`` and send progress and the outcome down ``conn``."""
    import os

    from .. import pipeline
    from ..errors import ReportError

    _stop_once()
    private.follow_parent()
    os.chdir(root)

    def progress(step: int, steps: int) -> None:
        conn.send(("step", step, steps))
    try:
        result = pipeline.render(params_file, progress=progress)
        conn.send(("done", {"out": str(result.out), "files": list(result.files), "rows": result.rows,
                            "seconds": round(result.seconds, 1)}))
    except ReportError as e:
        conn.send(("failed", {"message": str(e), "kind": type(e).__name__, "key": getattr(e, "key", None),
                              "exit_status": e.exit_status}))
    except Exception as e:  # noqa: BLE001 - the page says what happened rather than hanging
        conn.send(("failed", {"message": f"unexpected {type(e).__name__}: {e} (make it with 'reportlib render "
                                         f"{params_file} --debug' to see why)", "kind": "Exception", "key": None,
                              "exit_status": 1}))
    finally:
        conn.close()
        gc.freeze()  # as the reportlib program does: its last collections would only walk what the system frees


class Maker:
    """The page's one paper-making slot."""

    def __init__(self, root: Path):
        self.root = root
        self.current: Making | None = None
        self._lock = threading.Lock()
        self._process: multiprocessing.Process | None = None
        self._stopping = False

    def claim(self, name: str) -> Making:
        """Take the slot for the paper ``name`` (:class:`Busy` when a paper is being made)."""
        with self._lock:
            if self.current is not None and self.current.state not in ("done", "failed"):
                raise Busy(self.current)
            self.current = Making(name)
            return self.current

    def run(self, making: Making, params_file: str) -> Making:
        """Make the paper (blocking: call it from a worker thread) and return how it ended."""
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe(duplex=False)
        process = context.Process(target=_render, args=(params_file, str(self.root), theirs), daemon=True,
                                  name=f"reportlib-app-render-{making.name}")
        with self._lock:
            if self._stopping:
                making.state, making.error = "failed", {"message": "the page is stopping", "kind": "Stopped",
                                                        "key": None, "exit_status": 1}
                return making
            self._process = process
            process.start()
        theirs.close()
        making.state = "running"
        try:
            while True:
                try:
                    message = ours.recv()
                except EOFError:  # the process ended without a word: killed
                    making.state = "failed"
                    making.error = making.error or {"message": "the render stopped before it finished", "kind":
                                                    "Stopped", "key": None, "exit_status": 1}
                    break
                if message[0] == "step":
                    making.step, making.steps = message[1], message[2]
                    if making.step == making.steps:
                        making.state = "writing"
                elif message[0] == "done":
                    making.result, making.state = message[1], "done"
                    break
                else:
                    making.error, making.state = message[1], "failed"
                    break
        finally:
            ours.close()
            threading.Thread(target=self._reap, args=(process,), name="reportlib-app-reap", daemon=True).start()
        return making

    def _reap(self, process) -> None:
        """Wait for a render's process to end (after it has said how the render ended: the page need not wait)."""
        process.join(timeout=60)
        with self._lock:
            if self._process is process:
                self._process = None

    def interrupt(self) -> None:
        """Ask a paper being made to stop (SIGTERM to its process), without waiting: the page is stopping."""
        with self._lock:
            self._stopping = True
            process = self._process
        if process is not None and process.is_alive():
            process.terminate()

    def stop(self) -> None:
        """Stop a paper being made (the page is stopping): its process ends as on SIGTERM, its kernel and folders
        removed."""
        with self._lock:
            self._stopping = True
            process = self._process
        if process is not None and process.is_alive():
            process.terminate()
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
