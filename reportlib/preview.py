"""``reportlib preview``: the analyst's live view of a report.

It renders the report once, serves its HTML on ``http://127.0.0.1:PORT/`` (never another
interface), and watches the notebook (both files of the .ipynb/.md pair), the params file, the
case log when it is a file, the committee template and the reportlib package. After a save:

- an edit to narrative only (markdown cells) is filled into the *last executed notebook*, kept in
  memory with all its outputs, and re-rendered without running any code: a few hundred
  milliseconds;
- an edit to code, params or data re-executes the notebook in a kernel kept running between
  refreshes, after clearing its namespace and execution counts, so the result is what a fresh render of
  the same state gives; a change to the reportlib package (code the kernel has imported) restarts
  the kernel instead, since a cleared namespace cannot unload a module;
- a template change re-renders from the last execution.

The open page reloads itself through server-sent events (``/events``); the small script that
listens for them is added to the page here and never exists in ``report.html``. A failing cell or
a bad params file shows its one-line error at the top of the last good page, and the next good
save replaces it. Nothing is written into ``outputs/``: executions go to a temporary folder that
is removed on exit. Rendering is :mod:`reportlib.pipeline`'s (prepare, execute; :func:`~reportlib.pipeline.rerender` for a narrative
edit): the preview has no renderer of its own.
"""

from __future__ import annotations

import html as html_mod
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from . import hosts, notebooks, pipeline, private
from .errors import ReportError
from .kernel import Kernel
from .project import root_for

HOST = hosts.HOST
DEFAULT_PORT = 8000
PACKAGE = Path(__file__).resolve().parent
TEMPLATE = PACKAGE / "templates"

#: Added before </body> of the served page only: reload when the server's version moves on, keeping the scroll.
RELOAD_SCRIPT = """<script>
(function () {
  var version = %d, key = "reportlib-preview-scroll";
  var y = sessionStorage.getItem(key);
  if (y !== null) { window.scrollTo(0, +y); sessionStorage.removeItem(key); }
  var events = new EventSource("/events");
  events.onmessage = function (e) {
    if (+e.data !== version) { sessionStorage.setItem(key, window.scrollY); location.reload(); }
  };
})();
</script>"""
ERROR_BOX = ('<div role="alert" id="reportlib-preview-error" style="margin:0 0 1.5rem;padding:0.75rem 1rem;'
             'border:4px solid #d4351c;background:#fff;color:#0b0c0c;font-family:monospace;white-space:pre-wrap">'
             '{}</div>')


@dataclass
class Page:
    """What the server shows: the last good report, and the error of the last save if it failed."""

    html: str = ""
    error: str | None = None
    version: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, html: str | None = None, error: str | None = None) -> None:
        with self.changed:
            if html is not None:
                self.html = html
            self.error = error
            self.version += 1
            self.changed.notify_all()

    def body(self) -> bytes:
        with self.changed:
            page, error, version = self.html, self.error, self.version
        if not page:
            page = ('<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>reportlib preview</title>'
                    '</head><body></body></html>')
        if error:
            box = ERROR_BOX.format(html_mod.escape(error))
            page = page.replace("<body>", "<body>" + box, 1) if "<body>" in page else box + page
        script = RELOAD_SCRIPT % version
        page = page.replace("</body>", script + "</body>", 1) if "</body>" in page else page + script
        return page.encode("utf-8")


class Preview:
    """One report kept live: its params file, its job (:mod:`reportlib.pipeline`), a warm kernel and the last
    execution."""

    def __init__(self, params_file: Path | str, log: Callable[[str], None] = print):
        self.params_file = Path(params_file).resolve()
        self.root = root_for(self.params_file)
        self.kernel = Kernel(self.root / "notebooks")
        self.page = Page()
        self.log = log
        self.folder = private.Folder("preview")  # the executed notebook goes here, never into outputs/
        self.job: pipeline.Job | None = None
        self.executed: pipeline.Executed | None = None  # the last good execution
        self._inputs_key: tuple | None = None
        self._generation = 0  # which checked case log the kernel was handed

    # --- what to watch ---------------------------------------------------------------------

    def _data(self) -> Path | None:
        """The case log's file (None: a database, or not known yet)."""
        if self.job is None:
            return None
        return self.job.checked.source.path(self.root)

    def watched(self) -> list[Path]:
        """The files whose change refreshes the page (the case log only when it is a file)."""
        found = [self.params_file, TEMPLATE, PACKAGE]
        if self.job is not None:
            pair = notebooks.Pair.of(self.job.notebook)
            found += [pair.ipynb, pair.md]
        if self._data() is not None:
            found.append(self._data())
        return found

    # --- building the page -------------------------------------------------------------------

    def _prepare(self) -> pipeline.Job:
        """The job for the files as saved now: prepared afresh (params and case log checked) when the params file
        or the case log changed, else the same job with the notebook as saved now."""
        def stamp():
            data = self._data()
            return data.stat().st_mtime_ns if data is not None and data.is_file() else None
        key = (self.params_file.read_bytes(), stamp())
        if self.job is None or key != self._inputs_key:
            self.job = pipeline.prepare(self.params_file, claim=False, workdir=self.folder.path)
            self._inputs_key = (key[0], stamp())
            self._generation += 1
            self.executed = None  # new params or data: the last execution no longer stands
        else:
            self.job = pipeline.reread_notebook(self.job)
        return self.job

    def refresh(self, reason: str = "start", restart: bool = False) -> str:
        """Bring the page up to date with the files as saved now; returns what was done."""
        started = time.perf_counter()
        try:
            ran_before = self._generation > 0
            job = self._prepare()
            restarted = restart and ran_before
            if restarted:
                self.kernel.restart()
                self.executed = None
            if self.executed is not None and notebooks.code_key(job.node) == notebooks.code_key(
                    self.executed.job.node):
                self.executed, done = pipeline.rerender(self.executed, job.node), "re-rendered the narrative"
            else:
                if ran_before and not restarted:
                    self.kernel.reset()  # the next run starts from nothing, as a fresh render's does
                self.executed = pipeline.execute(job, self.kernel, case_key=self._generation)
                done = "restarted the kernel and ran the notebook" if restarted else "ran the notebook"
        except ReportError as e:
            self.page.publish(error=f"error: {e}")
            self.log(f"{time.strftime('%H:%M:%S')} {reason}: error: {e}")
            return "error"
        self.page.publish(self.executed.html, None)
        self.log(f"{time.strftime('%H:%M:%S')} {reason}: {done} ({time.perf_counter() - started:.2f} s)")
        return done

    def close(self) -> None:
        self.kernel.close()
        self.folder.remove()


# --- serving -----------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    """The preview's three addresses: the page, its events (``/events``: the page's version, for the reload
    script) and ``/status``; for its own Host only."""

    protocol_version = "HTTP/1.1"
    server: "Server"

    def log_message(self, *args):  # the terminal shows what was rebuilt, not every request
        pass

    def _refuse(self) -> None:
        """403 with no body: a request that does not name this server (see :mod:`reportlib.hosts`)."""
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        page = self.server.page
        if not hosts.own(self.headers.get("Host"), self.server.server_address[1]):
            self._refuse()
        elif self.path.split("?")[0] in ("/", "/index.html", "/report.html"):
            self._send(page.body(), "text/html; charset=utf-8")
        elif self.path == "/events":
            self._events()
        elif self.path == "/status":
            self._send(json.dumps({"version": page.version, "error": page.error}).encode(), "application/json")
        else:
            self.send_error(404)

    def do_POST(self):  # the preview takes nothing; a request from elsewhere learns nothing
        if not hosts.own(self.headers.get("Host"), self.server.server_address[1]):
            self._refuse()
        else:
            self.send_error(405)
    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST

    def _events(self):
        page, stopping = self.server.page, self.server.stopping
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        seen = None
        try:
            while not stopping.is_set():
                with page.changed:
                    if seen == page.version:
                        page.changed.wait(timeout=15)
                    version = page.version
                message = f"data: {version}\n\n" if version != seen else ": still here\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
                seen = version
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, page: Page, stopping: threading.Event):
        self.page, self.stopping = page, stopping
        super().__init__(address, Handler)


def serve(page: Page, port: int, stopping: threading.Event) -> Server:
    """Serve ``page`` on 127.0.0.1 only, from a thread of its own."""
    try:
        server = Server((HOST, port), page, stopping)
    except OSError as e:
        raise ReportError(f"cannot serve on {HOST}:{port} ({e.strerror}): another program is using the port; "
                          "choose another with --port") from None
    threading.Thread(target=server.serve_forever, name="reportlib-preview-http", daemon=True).start()
    return server


def _restarts(changes: set[Path]) -> bool:
    """A change to reportlib's own Python code: the kernel has imported it, so only a new kernel sees it."""
    return any(p.suffix == ".py" and PACKAGE in p.parents for p in changes)


def main(params_file: Path | str, port: int = DEFAULT_PORT, open_browser: bool = True,
         ready: Callable[[str], None] | None = None) -> None:
    """Run the preview until Ctrl-C (or until ``stop()`` is called on the event handed to ``ready``'s caller)."""
    import watchfiles

    stopping = threading.Event()
    preview = Preview(params_file)
    server = None
    try:
        server = serve(preview.page, port, stopping)
        url = f"http://{HOST}:{server.server_address[1]}/"
        print(f"reportlib preview of {params_file} on {url} (Ctrl-C to stop)", flush=True)
        preview.refresh("start")
        if ready:
            ready(url)
        if open_browser:
            import webbrowser
            webbrowser.open(url)
        while not stopping.is_set():
            watching = {p.resolve() for p in preview.watched()}
            folders = sorted({p if p.is_dir() else p.parent for p in watching})

            def relevant(_change, path: str, watching=watching) -> bool:
                path = Path(path).resolve()
                if "__pycache__" in path.parts:
                    return False
                return path in watching or TEMPLATE in path.parents or (PACKAGE in path.parents and path.suffix == ".py")

            for changes in watchfiles.watch(*folders, watch_filter=relevant, debounce=300, step=20,
                                            stop_event=stopping, raise_interrupt=True):
                changed = {Path(p).resolve() for _, p in changes}
                if any(TEMPLATE in p.parents for p in changed):
                    from . import render
                    render.forget_template()
                preview.refresh("saved " + ", ".join(sorted(p.name for p in changed)), restart=_restarts(changed))
                if {p.resolve() for p in preview.watched()} != watching:
                    break  # the params file now names another notebook or case log: watch those instead
            else:
                break
    except (KeyboardInterrupt, private.Stopped) as stop:
        print("\nstopped", flush=True)
        if isinstance(stop, private.Stopped):
            raise
    finally:
        stopping.set()
        if server:
            server.shutdown()
            server.server_close()
        preview.close()
