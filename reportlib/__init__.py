"""reportlib: council complaints-handling reports for scrutiny committees.

Data flows one way: ``params`` (the meeting's params file) and ``casedata``
(the case-log export) feed the pure layer (``workdays``, ``periods``,
``stats``, ``narrative``, ``charts``, ``tables``); ``pipeline`` runs a report's
notebook and turns it into the committee paper (docs/architecture.md). In a notebook::

    import reportlib as rl
    report = rl.open_report(globals())
    rl.glue("within", rl.stats.within_share(...))
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = {"annual", "annual_services", "annual_timeliness", "casedata", "charts", "narrative", "params", "periods",
               "pipeline", "render", "session", "stats", "tables", "workdays", "sample", "errors", "selection", "notebooks"}
_NAMES = {"open_report": "session", "glue": "narrative", "Share": "narrative", "Change": "narrative", "Measure": "narrative",
          "Range": "narrative", "Table": "tables"}


def __getattr__(name: str):
    """Submodules and the notebook helpers load on first use (the CLI starts fast)."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_SUBMODULES | _NAMES.keys())
