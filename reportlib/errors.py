"""The errors reportlib raises on purpose.

Every message is one line a complaints officer can act on: what is wrong,
where (file, row as a spreadsheet shows it, column or key) and how to fix it.
The CLI prints ``str(error)`` and exits with ``error.exit_status``; a traceback
is shown only with ``--debug``.
"""

from __future__ import annotations


class ReportError(Exception):
    """Base class: an expected failure with a message meant for the user."""

    exit_status = 2

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


class ParamsError(ReportError):
    """The params file is unreadable, has an unknown/missing key or a bad value."""


class DataError(ReportError):
    """The case log cannot be read as a table with the required columns."""


class OutputError(ReportError):
    """The output folder holds something reportlib did not write, so it will not replace it."""


class BadRowsError(ReportError):
    """``--strict`` and the case log has rows that had to be excluded."""

    exit_status = 1


class RenderError(ReportError):
    """The notebook failed, or its narrative cites something that does not exist."""

    exit_status = 1
