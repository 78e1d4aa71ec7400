"""The project folder: where ``notebooks/``, ``params/`` and ``outputs/`` live. Light on purpose
(no pandas, no pydantic) so a render can find it, and start its kernel, before anything else loads."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ParamsError


def project_root(start: Path | str | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) holding ``notebooks/``."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks").is_dir():
            return folder
    raise ParamsError(f"{here}: no project folder (one holding notebooks/) at or above it; "
                      "run reportlib from the project folder")


def root_for(params_file: Path | str) -> Path:
    """The project folder of a params file: above the file, else above the current directory."""
    try:
        return project_root(Path(params_file).resolve().parent)
    except ParamsError:
        return project_root()
