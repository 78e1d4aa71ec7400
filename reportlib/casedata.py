"""The case log: read from its source (:mod:`reportlib.sources`) and validated (:mod:`reportlib.rows`) in one call.

``read`` turns a CSV / XLSX / SQLite file or SQLAlchemy URL into a table of text in the canonical columns
(everything else is dropped at the door), with the source row number as a spreadsheet shows it; ``validate``
turns that into typed cases plus a list of problems; ``load`` does both.

Unreadable input raises :class:`~reportlib.errors.DataError` with one line naming the file and the column.
Bad rows never raise: they are excluded and listed (``CaseLog.problems``), and nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from .compat import give_back_memory  # noqa: F401 - part of this module's API
from .errors import DataError  # noqa: F401 - part of this module's API
from .rows import (  # noqa: F401 - validating is part of this module's API
    COMPLAINANTS, DATE_COLUMNS, KINDS, OMBUDSMAN, OUTCOMES, PROBLEM_COLUMNS, PROCEDURES, REMEDIES, TEXT_COLUMNS,
    CaseLog, parse_dates, validate,
)
from .sources import RawLog, Source, read  # noqa: F401 - reading is part of this module's API


def load(source: Source, root: Path | None = None, latest: dt.date | None = None, *,
         local_stage3: bool = False) -> CaseLog:
    """Read and validate a case log (a corporate stage 3 row is a bad row unless ``local_stage3``)."""
    return validate(read(source, root), source.values, latest, local_stage3=local_stage3)


def load_for(p, root: Path | None = None) -> CaseLog:
    """The case log a params object points at, validated as render does (a corporate stage 3 row is a bad row
    unless the params declare ``local_stage3``)."""
    return load(Source.from_params(p), root, p.meeting_date, local_stage3=getattr(p, "local_stage3", False))


def write_problems(log: CaseLog, path: Path) -> None:
    """``data_quality.csv``: one line per problem (header only when none).

    A spreadsheet opens a CSV cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
    formula, so such a cell (a case_ref or value as the case log holds it, ``=HYPERLINK(...)`` or ``-5``) is
    written with a leading ``'``, as OWASP's advice on CSV injection says: Excel shows it as the text it was."""
    frame = log.problems.reindex(columns=PROBLEM_COLUMNS)
    for name in frame.columns[frame.dtypes.map(lambda t: not pd.api.types.is_numeric_dtype(t))]:
        text = frame[name].astype("string")
        frame[name] = text.mask(text.str.match(r"[=+\-@\t\r]", na=False), "'" + text)
    frame.to_csv(path, index=False, lineterminator="\n")
