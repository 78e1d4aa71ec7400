"""``reportlib app``: the officer's page, where a meeting's paper is made in the browser.

Officers make a meeting's paper without a terminal or a YAML file: the page shows a form made from
the report's params declaration, filled in from the last meeting's params file with its dates moved
on, takes the case log (a file in the exports folder, or an upload), checks it as ``reportlib
validate`` does, saves the params file in ``params/`` and renders it with the same pipeline as
``reportlib render``, so the paper is one the command line makes again byte for byte.

- :mod:`.form`: the form from a params model, and the params mapping from the form;
- :mod:`.meetings`: the params files so far, the next meeting's dates, the files the page writes;
- :mod:`.papers`: the papers already made (``outputs/*/manifest.json``);
- :mod:`.desk`: what the page does (check, make), without the web;
- :mod:`.making`: one paper made at a time, in a process of its own, with progress;
- :mod:`.uploads`: a POST read as it arrives: the token first, the file into a private folder, a limit;
- :mod:`.web`: the Starlette app and its pages (Jinja templates, a style sheet and a few lines of script).

It serves ``http://127.0.0.1:PORT/`` only, answers only its own Host, and stops (Ctrl-C, SIGTERM)
leaving no process and no temporary file.
"""

from __future__ import annotations

import signal
import socket
from pathlib import Path
from typing import Callable

from .. import hosts, private
from ..errors import ReportError

DEFAULT_PORT = 8001
#: How long a stopping page waits for its answers in progress: a paper being made is stopped first (its render's
#: process cleans up in a second or two), then the page answers with the form, as the paper was not made.
GRACE = 30
#: The largest upload the page takes by default, in bytes (``--max-upload`` sets it, in MB).
DEFAULT_LIMIT = 200_000_000


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((hosts.HOST, port))
    except OSError as e:
        sock.close()
        raise ReportError(f"cannot serve on {hosts.HOST}:{port} ({e.strerror}): another program is using the port; "
                          "choose another with --port") from None
    sock.listen(64)
    return sock


class _Server:
    """uvicorn's server, which on Ctrl-C or SIGTERM first stops a paper being made (its process, its kernel)."""

    def __new__(cls, config, desk):
        import uvicorn

        class Server(uvicorn.Server):
            def handle_exit(self, sig, frame):
                desk.maker.interrupt()
                super().handle_exit(sig, frame)
        return Server(config)


def main(root: Path, port: int = DEFAULT_PORT, open_browser: bool = True, exports: Path | None = None,
         limit: int = DEFAULT_LIMIT, ready: Callable[[str], None] | None = None) -> None:
    """Serve the officer's page of the project ``root`` until Ctrl-C or SIGTERM."""
    import os

    import uvicorn

    from .desk import Desk
    from .web import app

    os.chdir(root)  # a render's child process and the params check find the project here
    sock = _bind(port)
    desk = Desk(root, exports)
    try:
        port = sock.getsockname()[1]
        guarded, _ = app(desk, port, limit)
        url = f"http://{hosts.HOST}:{port}/"
        print(f"reportlib app: the officer's page of {root} on {url} (Ctrl-C to stop)", flush=True)
        config = uvicorn.Config(guarded, log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=GRACE, server_header=False, date_header=False)
        server = _Server(config, desk)
        # A closed terminal (SIGHUP) stops the page as Ctrl-C and SIGTERM do (uvicorn itself handles only those two).
        signal.signal(signal.SIGHUP, lambda _signum, frame: server.handle_exit(signal.SIGHUP, frame))
        if ready:
            ready(url)
        if open_browser:
            import webbrowser
            webbrowser.open(url)
        server.run(sockets=[sock])
    except (KeyboardInterrupt, private.Stopped) as stop:
        if isinstance(stop, private.Stopped):
            raise
    finally:
        sock.close()
        desk.close()
        print("stopped", flush=True)
