"""The reports a project has: every notebook in its ``notebooks/`` folder with a parameters cell, the built-in
ones and the analysts' own alike, each with the params model its cell declares (:mod:`reportlib.declare`) on its
rules (:mod:`reportlib.rules`); and reading a params file against them.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any, Mapping

from . import paramfile
from .declare import declared_model, parameters_cell
from .errors import ParamsError, shown
from .params import CommonParams, validate
from .project import project_root, root_for
from .rules import RULES

_MODELS: dict[tuple, type[CommonParams]] = {}


def _plain_name(name: Any) -> bool:
    """Whether ``name`` could name a notebook in notebooks/: a file name of reasonable length, no path."""
    return (isinstance(name, str) and 0 < len(name) <= 100 and not name.startswith(".") and Path(name).name == name
            and "\x00" not in name)


def model_of(notebook: Path) -> type[CommonParams] | None:
    """The params model the notebook's parameters cell declares (None: the notebook has no parameters cell)."""
    found = parameters_cell(notebook)
    if found is None:
        return None
    cell, where, description = found
    key = (notebook.stem, cell, description)
    if key not in _MODELS:  # the same cell gives the same class (a warm kernel checks params many times)
        _MODELS[key] = declared_model(notebook.stem, cell, where, RULES.get(notebook.stem), description)
    return _MODELS[key]


class Reports(Mapping):
    """Report name -> params model, for every notebook with a parameters cell in the project's ``notebooks/``.

    ``root`` is the project folder; None means the one at or above the current directory, found at each use (a
    report's kernel runs in ``notebooks/``). A notebook whose declaration is wrong raises ParamsError saying so.
    """

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else None

    def folder(self) -> Path | None:
        """The ``notebooks/`` folder whose reports are listed (None: no project folder here)."""
        if self.root is None:
            try:
                root = project_root()
            except ParamsError:
                return None
        else:
            root = self.root
        folder = root / "notebooks"
        return folder if folder.is_dir() else None

    def _notebook(self, name: Any) -> Path | None:
        folder = self.folder()
        if folder is None or not _plain_name(name):
            return None
        path = folder / f"{name}.ipynb"
        return path if path.is_file() or path.with_suffix(".md").is_file() else None

    def __getitem__(self, name: str) -> type[CommonParams]:
        notebook = self._notebook(name)
        model = model_of(notebook) if notebook is not None else None
        if model is None:
            raise KeyError(name)
        return model

    def __contains__(self, name: object) -> bool:
        notebook = self._notebook(name)
        return notebook is not None and parameters_cell(notebook) is not None

    def __iter__(self) -> typing.Iterator[str]:
        folder = self.folder()
        if folder is None:
            return
        names = sorted({p.stem for p in folder.glob("*.ipynb")} | {p.stem for p in folder.glob("*.md")},
                       key=lambda n: (n not in RULES, list(RULES).index(n) if n in RULES else 0, n))
        for name in names:
            if not _plain_name(name):
                continue
            try:
                found = parameters_cell(folder / f"{name}.ipynb")
            except ParamsError:  # unreadable: no report to list (asking for it by name says why)
                continue
            if found is not None:
                yield name

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"Reports({list(self)!r})"


#: Every report of the current project (the one at or above the current directory).
REPORTS = Reports()


def reports_for(params_file: Path | str) -> Reports:
    """The reports a params file can name: those of its project folder (see :func:`root_for`); ParamsError (one
    line) when there is none, at or above the params file or the current folder."""
    return Reports(root_for(params_file))


def load(path: Path | str) -> CommonParams:
    """Read a params file and check it against the report it names."""
    return validate(paramfile.read(path), str(path), reports_for(path))


def check(raw: Mapping[str, Any], where: str) -> CommonParams:
    """Check a params mapping (``where`` names it in messages) against a report of the current project."""
    return validate(raw, where, REPORTS)


def sample_params_file(notebook: str, root: Path) -> Path:
    """The sample meeting of a report, which its notebook renders when run on its own."""
    return root / "params" / f"sample_{notebook}.yaml"


def from_namespace(namespace: Mapping[str, Any], root: Path | None = None) -> CommonParams:
    """Inside a notebook: its params. A render gives every key (Papermill injects them after the parameters cell);
    a notebook run on its own (in JupyterLab) holds only its own keys' defaults, and renders its sample meeting,
    ``params/sample_<report>.yaml``."""
    notebook = namespace.get("notebook")
    reports = Reports(root) if root is not None else REPORTS
    model = reports.get(str(notebook))
    if model is None:
        raise ParamsError(f"notebook parameter 'notebook' is {shown(notebook)}: use one of: {', '.join(reports)}")
    given = [k for k, f in CommonParams.model_fields.items() if f.is_required() and k != "notebook" and k in namespace]
    if not given:
        sample = sample_params_file(str(notebook), root or project_root())
        if not sample.is_file():
            raise ParamsError(f"notebooks/{notebook}: run on its own, a report renders its sample meeting, {sample}, "
                              f"which does not exist: make one (a copy of a meeting's params file), or render a "
                              f"params file with reportlib render")
        return validate(paramfile.read(sample), str(sample), reports)
    raw = {k: namespace[k] for k in model.model_fields if k in namespace}
    return validate(raw, f"notebooks/{notebook}.ipynb parameters", reports)
