"""The errors reportlib raises on purpose.

Every message is one line a complaints officer can act on: what is wrong,
where (file, row as a spreadsheet shows it, column or key) and how to fix it.
The CLI prints ``str(error)`` and exits with ``error.exit_status``; a traceback
is shown only with ``--debug``.
"""

from __future__ import annotations

import re
import reprlib

#: About how many characters of a value a message echoes (a case-log cell, a params value): the rest is cut.
LIMIT = 80
_PARTIAL_ESCAPE = re.compile(r"\\(?:x[0-9a-f]?|u[0-9a-f]{0,3}|U[0-9a-f]{0,7})?$")


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on or hide written as Python writes it: control
    characters (``\\x1b``, ``\\x00``, ``\\r``, ``\\t``), line separators and bidirectional marks (``\\u202e``)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


#: What XML 1.0 cannot hold (control characters but tab and line breaks; U+FFFE, U+FFFF; lone surrogates), and the
#: controls an HTML page holds only as a parse error (delete and the C1 controls, which XML 1.0 discourages).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """``text`` as a Word or Excel file or an HTML page can hold it: a character they cannot hold (an escape code, a
    bell in a case-log cell) becomes U+FFFD, the replacement character; everything else is kept."""
    return _NOT_XML.sub("\ufffd", text)


def _ellipsis(text: str, limit: int, more: bool) -> str:
    """``text`` (already printable) at most ``limit`` characters, with an ellipsis when ``more`` was cut before."""
    if len(text) > limit:  # escapes made it longer: cut again, never inside an escape
        text, more = _PARTIAL_ESCAPE.sub("", text[:limit]), True
    return text + ("\u2026" if more else "")


def cut(value: object, limit: int = LIMIT) -> str:
    """A value as a message echoes it between quotes of its own (``'{cut(header)}'``): printable (see
    :func:`printable`) and at most about ``limit`` characters, the rest replaced by an ellipsis."""
    text = value if isinstance(value, str) else str(value)
    return _ellipsis(printable(text[:limit]), limit, len(text) > limit)


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = LIMIT
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4
_REPR.maxlevel = 2
_REPR.fillvalue = "\u2026"


def shown(value: object, limit: int = LIMIT) -> str:
    """A value as a message echoes it, written as Python writes it (``'twenty'``, ``20``, ``[1, 2]``): control
    characters escaped, and at most about ``limit`` characters, the rest replaced by an ellipsis. Never slower
    for a value of ten million characters, or a list of a million items, than for a short one."""
    if isinstance(value, str):
        quoted = repr(value[:limit])
        return quoted[0] + _ellipsis(quoted[1:-1], limit, len(value) > limit) + quoted[-1]
    return _ellipsis(printable(_REPR.repr(value)), limit, False)


class ReportError(Exception):
    """Base class: an expected failure with a message meant for the user.

    The message is made one printable line here, whatever it echoes: runs of white space (line breaks
    included) become one space, and any other control character is escaped (:func:`printable`), so a value
    holding a terminal escape sequence is shown, never obeyed. Messages cut the values they echo with
    :func:`shown` or :func:`cut`."""

    exit_status = 2

    def __init__(self, message: str):
        super().__init__(printable(" ".join(str(message).split())))


class ParamsError(ReportError):
    """The params file is unreadable, has an unknown/missing key or a bad value.

    ``key`` is the key the message names, as data (``("contact", 0, "email")`` for ``contact[1].email``; items
    counted from 0), when it names one: the officer's page shows the message beside that key's field."""

    def __init__(self, message: str, key: tuple | None = None):
        super().__init__(message)
        self.key = tuple(key) if key else None


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
