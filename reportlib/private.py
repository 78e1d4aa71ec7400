"""Private working folders, held while their process lives, and cleared after it dies.

A render, a preview and the officer's page keep case-level data (the validated cases handed to the
kernel), kernel connection files and uploads in a folder of their own under the system's temporary
folder, named ``reportlib-<what>-XXXXXXXX``, mode 0700. The folder holds a lock file its process
keeps locked (``flock``) while it lives:

- on every exit path the process sees (return, exception, Ctrl-C, and SIGTERM or SIGHUP once
  :func:`exit_on_signals` has made them a clean exit) the folder is removed with what it holds;
- after ``kill -9`` the operating system drops the lock with the process, and the next reportlib
  process that makes a folder of the same kind removes the dead one's (:func:`sweep`).

:func:`locked` is the same lock for one path (a report folder's name): whoever holds it may write
there, and a lock a killed process left is free for the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator

OWNER = ".owner"
#: A folder with no owner file yet (its process was killed in the microseconds after making it) is cleared once
#: it is this old.
_UNCLAIMED_AFTER = 3600


def _free(lock: Path) -> bool:
    """Whether nobody holds ``lock`` (its process ended); False when it is held or cannot be opened."""
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)  # closing lets go of the lock again
    return True


def _dead(folder: Path) -> bool:
    """Whether ``folder`` (one of ours) belongs to a process that has ended."""
    owner = folder / OWNER
    try:
        claimed = owner.stat().st_size > 0
    except OSError:
        claimed = False
    if claimed:
        return _free(owner)
    try:  # made, but never claimed: the process died at once, or is claiming it right now
        return time.time() - folder.stat().st_mtime > _UNCLAIMED_AFTER
    except OSError:
        return False


def sweep(what: str, parent: Path | None = None) -> list[Path]:
    """Remove the ``reportlib-<what>-*`` folders of processes that have ended; return those removed."""
    parent = Path(parent or tempfile.gettempdir())
    removed = []
    for folder in parent.glob(f"reportlib-{what}-*"):
        if folder.is_dir() and not folder.is_symlink() and folder.stat().st_uid == os.getuid() and _dead(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


class Folder:
    """A private folder (0700) of this process, removed by :meth:`remove` (or leaving a ``with`` block)."""

    def __init__(self, what: str, parent: Path | None = None):
        sweep(what, parent)
        self.path = Path(tempfile.mkdtemp(prefix=f"reportlib-{what}-", dir=parent))
        self._fd = os.open(self.path / OWNER, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)  # blocking: a sweep may be looking at it this instant
        os.write(self._fd, f"{os.getpid()}\n".encode())  # claimed: from now on only a free lock means dead

    def remove(self) -> None:
        """Remove the folder and everything in it (again: nothing)."""
        if self._fd is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "Folder":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


class Busy(Exception):
    """Another living process holds the lock; ``owner`` is what it wrote there (its process id)."""

    def __init__(self, owner: str):
        super().__init__(owner)
        self.owner = owner


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the lock ``path`` (a file made for it, removed when the block ends); :class:`Busy` at once when a
    living process holds it. A lock file a killed process left is simply taken over."""
    while True:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = os.read(fd, 64).decode(errors="replace").strip()
            os.close(fd)
            raise Busy(owner) from None
        try:  # the holder before us may have removed the file as we opened it: lock the file that is there now
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(fd)


class Stopped(SystemExit):
    """SIGTERM or SIGHUP arrived: the program ends as after Ctrl-C, its ``finally`` blocks run."""


def exit_on_signals() -> None:
    """Make SIGTERM and SIGHUP end this program as Ctrl-C does, so its private folders, kernel and lock are
    removed (only from the main thread; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum, _frame):
        raise Stopped(128 + signum)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)


def follow_parent() -> None:
    """In a worker process: end (as on SIGTERM) when the process that started it has gone, even by ``kill -9``,
    so that its own folders are removed rather than left behind."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)
    threading.Thread(target=watch, name="reportlib-parent-watch", daemon=True).start()
