"""The rows below a case log's header, column by column, as each reader gathers them.

:class:`Cells` (a pandas grid: databases), :class:`ColumnCells` (gathered cell by cell: Excel, or a CSV Arrow
cannot read) and :class:`ArrowCells` (a CSV as Arrow parsed it) give :func:`reportlib.sources.read` the same
thing: each column the report reads as codes into its distinct values, spaces around them stripped.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Mapping

import numpy as np
import pandas as pd

from ..compat import give_back_memory


class Cells:
    """The rows below the header, column by column (a pandas grid: databases).

    ``rows`` is each row's number as a spreadsheet shows it when some lines were not rows of the table (None: one
    after another from the header down); ``broken`` the (row, fields) of each row whose field count differs from
    the header's: listed by number only, none of their values read."""

    rows: np.ndarray | None = None
    broken: list[tuple[int, int]] = ()  # type: ignore[assignment]

    def __init__(self, grid: pd.DataFrame):
        self.grid = grid

    def __len__(self) -> int:
        return len(self.grid)

    def text(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Column ``i`` as (codes, distinct values without surrounding spaces); a missing cell is code -1."""
        return stripped(*pd.factorize(self.grid.iloc[:, i].to_numpy(dtype=object)))

    def texts(self, columns: Mapping[str, int]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """:meth:`text` of each column, by name."""
        return {name: self.text(i) for name, i in columns.items()}

    def filled(self, i: int) -> np.ndarray:
        """Whether each cell of column ``i`` holds anything."""
        return self.grid.iloc[:, i].to_numpy(dtype=object) != ""

    def filled_elsewhere(self, used: set[int], width: int) -> np.ndarray:
        """Whether each row holds anything in a column not in ``used``."""
        return np.logical_or.reduce([np.zeros(len(self), dtype=bool),
                                     *(self.filled(i) for i in range(width) if i not in used)])

    def close(self) -> None:
        """Let go of the cells (their text is in the codes and distinct values now)."""
        self.grid = None


class ColumnCells(Cells):
    """The rows below the header gathered cell by cell (Excel, or a CSV Arrow cannot read): the text of the columns
    the report reads, and whether each row holds anything in the others."""

    def __init__(self, columns: dict[int, np.ndarray], elsewhere: np.ndarray, rows: np.ndarray | None = None,
                 broken: list[tuple[int, int]] | None = None):
        self.columns, self.elsewhere, self.rows, self.broken = columns, elsewhere, rows, broken or []

    def __len__(self) -> int:
        return len(self.elsewhere)

    def text(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return stripped(*pd.factorize(self.columns[i]))

    def filled(self, i: int) -> np.ndarray:
        return self.columns[i] != ""

    def filled_elsewhere(self, used: set[int], width: int) -> np.ndarray:
        return np.logical_or.reduce([self.elsewhere, *(self.filled(i) for i in self.columns if i not in used)])

    def close(self) -> None:
        self.columns = {}


#: What Python's str.strip() strips, for Arrow to look for.
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


class ArrowCells(Cells):
    """The rows below the header as Arrow read them: each column as its distinct values (hashed in C++ as the
    file was parsed) and an index per cell; only the distinct values become Python strings."""

    def __init__(self, table, read_rest):
        self.table = table  # the columns the report reads, named by their place ("0", "1", ...)
        self._read_rest = read_rest  # reads the other columns, the first time a row is blank in all of these
        self._rest = None

    def __len__(self) -> int:
        return self.table.num_rows

    def text(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        import pyarrow.compute as pc

        encoded = self._column(i)
        codes, values = encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary
        if pc.all(pc.equal(values, pc.utf8_trim(values, characters=_SPACES))).as_py() is not False:
            return codes, values.to_numpy(zero_copy_only=False)  # no value has spaces around it: most exports
        return stripped(codes, values.to_numpy(zero_copy_only=False))  # strip as Python does, and merge

    def texts(self, columns: Mapping[str, int]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        # Arrow hashes a column with the GIL released: two columns at a time (a million case_refs are most of it).
        with ThreadPoolExecutor(max_workers=2) as pool:
            return dict(zip(columns, pool.map(self.text, columns.values())))

    def filled(self, i: int) -> np.ndarray:
        import pyarrow.compute as pc

        encoded = self._column(i)
        return np.append(np.asarray(pc.not_equal(encoded.dictionary, "")), False)[
            encoded.indices.to_numpy(zero_copy_only=False)]

    def _column(self, i: int):
        """Column ``i`` as one dictionary array: Arrow encoded each block as it parsed it; the blocks'
        dictionaries are made one here."""
        table = self.table
        if str(i) not in table.column_names:
            if self._rest is None:
                self._rest = self._read_rest()
            table = self._rest
        return table.column(str(i)).unify_dictionaries().combine_chunks()

    def close(self) -> None:
        self.table = self._rest = None
        give_back_memory()  # the file's text, hundreds of MB: back to the system before validation starts


def stripped(codes: np.ndarray, uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A column as (codes, distinct values) -> the same without spaces around the values (each stripped once,
    and values that differed only by them made one); a missing cell is code -1, read as ""."""
    try:
        text = np.array([u.strip() for u in uniques], dtype=object)
    except AttributeError:  # not all text (a hand-built grid): the slow, careful way
        text = np.array(["" if u is None or (isinstance(u, float) and np.isnan(u)) else str(u).strip()
                         for u in uniques], dtype=object)
    if len(text) and (text != uniques).any():  # "A1" and "A1 " are one value
        inverse, text = pd.factorize(text)
        codes = np.append(inverse, -1)[codes]
    return codes, text
