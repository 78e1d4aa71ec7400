"""The validated case log, handed from a render to its kernel as Arrow IPC files: data that cannot run.

A render reads and validates the export once, in its own process; the kernel running the notebook
gets the result through a private folder of the render's own (:mod:`reportlib.private`), never
through the officer's ``data`` parameter, which stays as the params file gave it. Arrow IPC
(Feather v2, uncompressed) keeps the cases' exact pandas types (categoricals with their
categories, nullable stages, dates in microseconds) and is read back column by column without
running anything: no pickle anywhere. The counts, label, notes and columns present travel in the
file's schema metadata; the problems in a second file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .errors import DataError
from .caselog import PROBLEM_COLUMNS, CaseLog

CASES = "cases.arrow"
PROBLEMS = "problems.arrow"
_META = b"reportlib.caselog"


def write(log: CaseLog, folder: Path) -> Path:
    """Write ``log`` into ``folder`` (a private folder); returns the cases file (the one the kernel is told)."""
    import pyarrow as pa
    import pyarrow.feather as feather

    meta = {"rows_read": log.rows_read, "label": log.label, "notes": list(log.notes), "present": sorted(log.present),
            # Arrow keeps a categorical's values, not whether pandas held them as object or str (an empty one differs)
            "categories": {name: str(column.cat.categories.dtype) for name, column in log.cases.items()
                           if isinstance(column.dtype, pd.CategoricalDtype)}}
    cases = pa.Table.from_pandas(log.cases, preserve_index=False)
    cases = cases.replace_schema_metadata({**(cases.schema.metadata or {}), _META: json.dumps(meta).encode()})
    problems = log.problems.reindex(columns=PROBLEM_COLUMNS)
    columns = {c: pa.array(problems[c].to_numpy(dtype=object), type=pa.int64() if c == "row" else pa.string())
               for c in PROBLEM_COLUMNS}
    feather.write_feather(cases, folder / CASES, compression="uncompressed")
    feather.write_feather(pa.table(columns), folder / PROBLEMS, compression="uncompressed")
    return folder / CASES


def read(path: Path | str) -> CaseLog:
    """The case log :func:`write` handed over (``path`` is its cases file)."""
    import pyarrow.feather as feather

    path = Path(path)
    try:
        cases = feather.read_table(path)
        meta = json.loads(cases.schema.metadata[_META])
        problems = feather.read_table(path.with_name(PROBLEMS)).to_pandas()
    except (OSError, KeyError, ValueError) as e:
        raise DataError(f"{path}: not a case log handed over by a reportlib render ({type(e).__name__})") from None
    frame = cases.to_pandas()
    for name, dtype in meta["categories"].items():
        column = frame[name]
        if str(column.cat.categories.dtype) != dtype:
            frame[name] = pd.Categorical.from_codes(column.cat.codes, categories=pd.Index(column.cat.categories,
                                                                                          dtype=dtype))
    return CaseLog(frame, problems.astype(object), meta["rows_read"], meta["label"], meta["notes"],
                   frozenset(meta["present"]))
