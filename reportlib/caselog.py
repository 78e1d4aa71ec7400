"""The case log's shapes: what a reader makes of an export (:class:`RawLog`) and what validation makes of that
(:class:`CaseLog`), with the case log's vocabulary (kinds, outcomes, remedies...) and the problems table's columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .compat import categorical_dtype_of_distinct

KINDS = ("complaint", "comment", "compliment")
PROCEDURES = ("childrens", "adults", "corporate")
OUTCOMES = ("upheld", "partly upheld", "not upheld", "withdrawn")
REMEDIES = ("apology", "explanation", "financial", "service improvement", "action taken", "other")
OMBUDSMAN = ("pending", "upheld", "not upheld", "not investigated")
#: Which Ombudsman a complaint went to: the Local Government and Social Care Ombudsman or the Housing Ombudsman.
OMBUDSMAN_BODIES = ("lgsco", "housing")
#: Who made a children's complaint (SPEC's list): a ``complainant`` header found without
#: ``columns:`` is read only when it holds these (see :func:`reportlib.casedata.read`).
COMPLAINANTS = ("child or young person", "parent or carer", "advocate", "other")
DATE_COLUMNS = ("received", "acknowledged", "responded", "panel_date")
#: Free-text columns: categories of the text as written (stripped), missing when blank.
TEXT_COLUMNS = ("team", "service", "delay_reason", "subject", "refused_reason", "complainant")
PROBLEM_COLUMNS = ["row", "case_ref", "column", "value", "problem", "action"]


@dataclass
class RawLog:
    """The source as text: canonical columns only, plus ``row`` (spreadsheet row number).

    Each text column is categorical (codes into its distinct values, spaces around them stripped),
    so validation works once per distinct value without hashing the column again; a code of -1
    (a missing cell) reads as "".
    """

    frame: pd.DataFrame
    label: str
    notes: list[str] = field(default_factory=list)
    #: Rows whose field count differs from the header's: their row number and problem only (``row``,
    #: ``problem``), for :func:`~reportlib.rows.validate` to list as excluded. None of their values is read.
    broken: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"row": np.zeros(0, dtype=np.int64),
                                                                       "problem": np.zeros(0, dtype=object)}))


@dataclass
class CaseLog:
    """Validated cases, the problems found, how many rows were read, and which columns the source has."""

    cases: pd.DataFrame
    problems: pd.DataFrame
    rows_read: int
    label: str
    notes: list[str] = field(default_factory=list)
    #: The canonical columns the source has (after ``columns:``): a report leaves out, and says
    #: it leaves out, what needs a column the case log does not have.
    present: frozenset[str] = frozenset()

    @property
    def rows_excluded(self) -> int:
        if self.problems.empty:
            return 0
        return int(self.problems.loc[self.problems["action"] == "excluded", "row"].nunique())

    @property
    def rows_used(self) -> int:
        return len(self.cases)

    @property
    def warnings(self) -> int:
        return int((self.problems["action"] == "kept").sum()) if not self.problems.empty else 0

    def problem_counts(self) -> list[tuple[str, str, str, int]]:
        """(problem type, column, action, rows) for each kind of problem found: excluded before kept, most rows first.

        The type is the problem's words before any detail ("duplicate case_ref + stage + kind" of
        "duplicate case_ref + stage + kind: same as row 2")."""
        if self.problems.empty:
            return []
        # "unknown remedy 'xyz': use ..." is one kind of problem whatever the remedy.
        kind = self.problems["problem"].astype(str).str.replace(r" '.*'(?=: )", "", n=1, regex=True)
        kinds = self.problems.assign(kind=kind.str.split(":", n=1).str[0])
        counts = kinds.groupby(["kind", "column", "action"], sort=False)["row"].nunique().reset_index()
        found = [(r.kind, r.column, r.action, int(r.row)) for r in counts.itertuples(index=False)]
        return sorted(found, key=lambda f: (f[2] != "excluded", -f[3], f[0]))

    def summary(self) -> str:
        """One line: rows read, used and excluded."""
        s = (f"{self.label}: {self.rows_read:,} {'row' if self.rows_read == 1 else 'rows'} read, "
             f"{self.rows_used:,} used, {self.rows_excluded:,} excluded")
        if self.warnings:
            s += f", {self.warnings:,} kept with a warning"
        return s


def distinct_categorical(codes: np.ndarray, distinct) -> pd.Categorical:
    """A categorical from codes into ``distinct``, values known to be distinct already (a reader's dictionary,
    or what factorize returned): pandas would otherwise hash them all again to check, which for a million
    case_refs is most of the time the categorical takes to make."""
    categories = distinct if isinstance(distinct, pd.Index) else pd.Index(np.asarray(distinct, dtype=object), dtype=object)
    return pd.Categorical.from_codes(codes, dtype=categorical_dtype_of_distinct(categories), validate=False)


def held_by_arrow(column: pd.Categorical) -> pd.Categorical:
    """The same categorical, its categories (text) in one Arrow buffer: pandas' ``str`` type."""
    return distinct_categorical(column.codes, pd.Index(column.categories.to_numpy(dtype=object), dtype="str"))
