"""What a report notebook calls first: check the parameters, read the case log, register the basics.

    import reportlib as rl
    report = rl.open_report(globals())

``open_report`` picks the report's parameters out of the notebook namespace
(the parameters cell plus whatever Papermill injected), checks them with the
same model the CLI used, reads and validates the case log, and registers the
figures every report cites about its data (rows read, used, excluded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from . import annual, casedata, narrative, params as params_mod, reports, selection, stats
from .narrative import PARAMS_MIME, glue


@dataclass
class Report:
    """The checked params and the validated case log of one report run."""

    params: params_mod.CommonParams
    log: casedata.CaseLog

    @property
    def cases(self) -> pd.DataFrame:
        """The cases accepted into a complaints procedure: refused rows (``refused_reason``) are never counted as
        received or responded to."""
        return annual.accepted(self.log.cases)

    @property
    def all_cases(self) -> pd.DataFrame:
        """Every validated row, refused ones included (the annual report counts those as refused)."""
        return self.log.cases

    @property
    def present(self) -> frozenset[str]:
        """The canonical columns the case log has (a report leaves out what a missing column would need)."""
        return getattr(self.log, "present", frozenset(self.log.cases.columns))

    @property
    def cut_off(self) -> dt.date:
        """The date the figures are as at (open cases, overdue counts): see the params model's cut_off."""
        return self.params.cut_off

    def suppress(self, value: Any) -> Any:
        """``value`` with small counts as ``[c]`` when the params ask for it (see narrative.suppress)."""
        return narrative.suppress(value, self.params.suppress_below)

    def calendar(self) -> dict[str, Any]:
        """The working-day settings, as keyword arguments for ``stats`` functions."""
        return {"region": self.params.region, "closures": tuple(self.params.closure_days),
                "clock_start": self.params.clock_start}


def preload() -> None:
    """Import what report notebooks use; a render's kernel runs this while the inputs are checked.

    What was imported is then frozen (it lives as long as the kernel): Python's garbage collector, which would
    walk those few hundred thousand objects at every full collection, walks only what the notebook makes.
    """
    import gc

    from . import charts

    charts.pyplot()
    gc.freeze()


#: The validated case log a render handed this kernel (:func:`receive`), or None: the notebook reads the export.
_handed: Path | None = None


def receive(path: str | None) -> None:
    """Called by a render in its kernel, outside any notebook: :func:`open_report` takes the validated cases in
    ``path`` (Arrow files, :mod:`reportlib.handover`) instead of reading the case log again."""
    global _handed
    _handed = Path(path) if path else None


def open_report(namespace: Mapping[str, Any], root: Path | str | None = None) -> Report:
    """Check the parameters in ``namespace``, load the case log (the cases a render handed over, or the export
    itself when the notebook runs on its own), glue the data-quality figures."""
    from IPython.display import display

    from . import handover

    root = params_mod.project_root(root)
    p = reports.from_namespace(namespace, root)
    log = handover.read(_handed) if _handed is not None else casedata.load_for(p, root)
    selection.check(p, log.cases, f"notebooks/{p.notebook}.ipynb parameters", log.label)
    # What the renderer knows of the params: their values, and the procedures the report covers (its Law section)
    shown = {**params_mod.to_jsonable(p), "procedures": list(p.procedures)}
    display({PARAMS_MIME: shown, "text/plain": f"params for {p.notebook}: {p.title}"}, raw=True)
    narrative.set_suppression(p.suppress_below)
    narrative.set_min_base(p.min_base_for_percent)
    glue("rows_read", log.rows_read, "rows in the case log export", suppress_small=False)
    glue("rows_used", log.rows_used, "rows that passed validation and feed every figure", suppress_small=False)
    glue("rows_excluded", log.rows_excluded, "rows excluded as bad data (listed in data_quality.csv)",
         suppress_small=False)
    glue("meeting_date", p.meeting_date, "params: meeting_date")
    glue("cut_off", p.cut_off, "the date the figures are as at")
    glue("suppress_below", p.suppress_below or 0, "params: suppress_below (0 = no suppression)", suppress_small=False)
    if p.clock_start == "acknowledged":
        fallback = stats.acknowledgement_fallbacks(log.cases)
        glue("clock_fallbacks", fallback, "responses with no acknowledgement date, timed from receipt instead",
             suppress_small=False)
    return Report(p, log)
