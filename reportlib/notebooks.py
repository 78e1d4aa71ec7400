"""A report notebook and its paired MyST markdown file are one document.

Each notebook in ``notebooks/`` is kept twice: ``NAME.ipynb`` (what JupyterLab and Papermill
run) and ``NAME.md`` (what analysts edit and diff), paired by jupytext. Whichever of the two
was saved last is the document: :func:`load` returns it (so an edit to either is never
silently ignored by a render or a preview), and :func:`sync` brings the other one up to date,
writing a file only when its content changes (an unchanged file keeps its bytes and mtime).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ParamsError

if TYPE_CHECKING:
    import nbformat

MD_FORMAT = "md:myst"


@dataclass(frozen=True)
class Pair:
    """``notebooks/NAME.ipynb`` and ``notebooks/NAME.md`` (either may be missing)."""

    ipynb: Path
    md: Path

    @classmethod
    def of(cls, path: Path | str) -> "Pair":
        path = Path(path)
        return cls(path.with_suffix(".ipynb"), path.with_suffix(".md"))

    @property
    def newer(self) -> Path:
        """The file saved last (the .ipynb when they were saved at the same moment, or when there is no .md)."""
        if not self.md.is_file():
            return self.ipynb
        if not self.ipynb.is_file():
            return self.md
        return self.md if self.md.stat().st_mtime_ns > self.ipynb.stat().st_mtime_ns else self.ipynb


def load_nbformat():
    """nbformat, loaded (the first time) without what no notebook needs (:func:`.compat.without_rfc3987_syntax`)."""
    from . import compat

    compat.without_rfc3987_syntax()
    import nbformat

    return nbformat


def _read_md(path: Path) -> nbformat.NotebookNode:
    import jupytext

    return jupytext.read(path, fmt=MD_FORMAT)


def _clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as it is committed: no outputs, no execution counts."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def _cells(nb: nbformat.NotebookNode) -> list[tuple]:
    return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells]


def load(path: Path | str) -> tuple[nbformat.NotebookNode, Path]:
    """The notebook at ``path`` (either file of a pair) as of its latest save, and the file it came from.

    When the .md was saved last but holds the same cells as the .ipynb (a fresh checkout writes the two
    in either order), the .ipynb is the source: the same document always names the same file.
    """
    pair = Pair.of(path)
    source = pair.newer
    if not source.is_file():
        raise ParamsError(f"{pair.ipynb}: notebook not found")
    nbformat = load_nbformat()
    if source == pair.ipynb:
        return nbformat.read(source, as_version=4), source
    nb = _read_md(source)
    if not pair.ipynb.is_file():
        return _clean(nb), source
    ipynb = nbformat.read(pair.ipynb, as_version=4)
    if _cells(nb) == _cells(ipynb):
        return ipynb, pair.ipynb
    from jupytext.combine import combine_inputs_with_outputs  # keep the .ipynb's kernel and cell ids

    return _clean(combine_inputs_with_outputs(nb, ipynb, fmt=MD_FORMAT)), source


def source(path: Path | str) -> Path:
    """The file of the pair that :func:`load` reads."""
    return load(path)[1]


def _texts(nb: nbformat.NotebookNode) -> dict[str, str]:
    nbformat = load_nbformat()
    import jupytext

    nb = _clean(nb)
    return {"ipynb": nbformat.writes(nb) + "\n", "md": jupytext.writes(nb, fmt=MD_FORMAT)}


def sync(path: Path | str) -> list[Path]:
    """Bring the older file of the pair up to date with the newer; return the files written (none if in step)."""
    pair = Pair.of(path)
    nb, source = load(path)
    written = []
    texts = _texts(nb)
    for target, text in ((pair.ipynb, texts["ipynb"]), (pair.md, texts["md"])):
        if target == source or (target.is_file() and target.read_text(encoding="utf-8") == text):
            continue
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def code_key(nb) -> tuple:
    """What decides a notebook's outputs: its code cells (source and tags), in order; markdown does not."""
    return tuple((c.source.strip(), tuple(sorted(c.metadata.get("tags", [])))) for c in nb.cells
                 if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", []))


def with_new_narrative(executed, edited):
    """The executed notebook with the markdown of ``edited`` (same code cells): its code cells keep their
    outputs, Papermill's injected-parameters cell stays after the parameters cell, markdown comes from
    ``edited`` (cells added, removed or changed)."""
    import copy

    ran = [c for c in executed.cells if c.cell_type == "code"
           and "injected-parameters" not in c.metadata.get("tags", [])]
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    merged = copy.copy(executed)
    merged.cells = []
    code = iter(ran)
    for cell in edited.cells:
        if cell.cell_type == "code":
            merged.cells.append(next(code))
            if "parameters" in cell.metadata.get("tags", []):
                merged.cells.extend(injected)
        else:
            merged.cells.append(cell)
    return merged


def main(paths: list[str]) -> int:
    """``python -m reportlib.notebooks notebooks/*.md``: sync each pair, saying which files were written."""
    for path in paths:
        source = Pair.of(path).newer
        for written in sync(path):
            print(f"{written}: updated from {source.name}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    import sys

    raise SystemExit(main(sys.argv[1:]))
