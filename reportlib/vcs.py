"""Whether git would commit a case log: real exports hold personal data and must stay out of repositories.

:func:`warning` asks git itself (``git check-ignore``), so the answer follows every ignore file git reads
(the work tree's ``.gitignore`` files, ``.git/info/exclude``, the user's global excludes). reportlib's own
``.gitignore`` keeps out ``exports/``, ``data/``, databases and every case-log file (``*.csv``, ``*.xlsx``...)
but for the synthetic sample and the test fixtures, which it names with ``!`` patterns: a file an ignore file
names that way is committed on purpose, and is not warned about.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

_TIMEOUT = 10  # seconds: git answers in milliseconds; a hung network file system must not hang validate


def _git(folder: Path, *args: str, given: bytes = b"") -> subprocess.CompletedProcess | None:
    """``git -C folder args...`` reading ``given``, or None when git is missing, hangs or cannot run."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        return subprocess.run([git, "-C", str(folder), *args], capture_output=True, timeout=_TIMEOUT, check=False,
                              input=given)
    except (OSError, subprocess.SubprocessError):
        return None


def warning(path: Path | None) -> str | None:
    """One line saying the case log at ``path`` would be committed by git, or None.

    The line says what to do when the file lies inside a git work tree and git does not ignore it, or when git
    already tracks it; None when git is not installed, the file is not in a work tree, git ignores it, an ignore
    file names it with ``!`` (committed on purpose: a sample, a test fixture), it does not exist (the reader says
    so) or there is no file (``path`` None: a database)."""
    if path is None:
        return None
    path = Path(path)
    text = str(path)  # as the message names it: the link, not the file it points to
    if not path.is_file():
        return None
    path = path.resolve()  # a link: the file it points to is the one git would commit
    folder = path.parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0:
        return None
    tree = top.stdout.decode("utf-8", "replace").strip()
    # -v -n --no-index: the pattern that decides (ignored, "!" kept on purpose, or none), tracked or not
    rule = _git(folder, "check-ignore", "--stdin", "-z", "-v", "-n", "--no-index",
                given=path.name.encode("utf-8", "surrogateescape") + b"\0")
    if rule is None or rule.returncode not in (0, 1):
        return None
    pattern = (rule.stdout.decode("utf-8", "replace").split("\0") + ["", "", ""])[2]
    if pattern.startswith("!"):
        return None
    tracked = _git(folder, "ls-files", "--error-unmatch", "--", path.name)
    if tracked is not None and tracked.returncode == 0:
        return (f"{text}: the case log is committed to the git repository at {tree}: its personal data is in the "
                "history; take it out (git rm --cached, then ignore it) and keep exports outside the repository")
    if pattern:
        return None
    return (f"{text}: the case log lies inside the git work tree {tree} and git does not ignore it, so 'git add' "
            f"would commit its personal data; move it out of {tree}, or add it to {tree}/.gitignore")
