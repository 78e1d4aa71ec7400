"""One palette for every report: each procedure, and each kind of series, has one colour wherever it is drawn.

Colours are the Government Analysis Function's colour-blind-safe categorical palette. A reader holding two of
our papers side by side sees adult social care in the same colour in both, whichever report drew it and in
whichever order the procedures came: the colour follows the series' name (a procedure's code or any label the
reports give it), never its place in the chart. Every series also has its own marker shape and a direct label,
so colour never carries meaning alone.
"""

from __future__ import annotations

#: The Analysis Function's categorical palette, in its order.
PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
#: The thing the reader should look at (the council's own figure, a single series), and everything else.
FOCUS, CONTEXT = "#12436D", "#BFBFBF"
TEXT = "#0b0c0c"
#: One colour per procedure (and a marker shape each), in every report.
PROCEDURE_COLOURS = {"corporate": "#3D3D3D", "childrens": "#28A197", "adults": "#801650"}
PROCEDURE_MARKERS = {"corporate": "o", "childrens": "s", "adults": "^"}
#: One colour per kind of series that is not a procedure.
KIND_COLOURS = {"focus": FOCUS, "context": CONTEXT, "target": "#F46A25", "change": TEXT}
#: For series that are neither (services, say): the palette's colours no procedure or kind has taken.
OTHERS = tuple(c for c in PALETTE if c not in PROCEDURE_COLOURS.values() and c != KIND_COLOURS["target"]) + (
    "#F46A25",)
OTHER_MARKERS = ("D", "v", "P", "X", "h", "*")


def _key(name: str) -> str:
    return " ".join(str(name).replace("\u2019", "'").lower().split())


def procedure_of(name: str) -> str | None:
    """The procedure a series name stands for: its code (``adults``) or a label the reports give it ("Statutory
    Adult Social Care", "Adult Social Care"); None for anything else."""
    from .stats import PROCEDURE_LABELS

    key = _key(name)
    for proc, label in PROCEDURE_LABELS.items():
        if key in (proc, _key(label), _key(label.replace("Statutory ", ""))):
            return proc
    return None


def colour(name: str | None, index: int = 0) -> str:
    """The colour of the series called ``name``: its procedure's, its kind's (``focus``, ``target``...), else the
    ``index``-th of the colours left over; None: the focus colour."""
    if name is None:
        return FOCUS
    proc = procedure_of(name)
    if proc:
        return PROCEDURE_COLOURS[proc]
    return KIND_COLOURS.get(_key(name), OTHERS[index % len(OTHERS)])


def marker(name: str, index: int = 0) -> str:
    """The marker shape of the series called ``name``: its procedure's, else the ``index``-th of the others."""
    proc = procedure_of(name)
    return PROCEDURE_MARKERS[proc] if proc else OTHER_MARKERS[index % len(OTHER_MARKERS)]
