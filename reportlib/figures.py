"""The figures a report cites, each knowing its words and its JSON form: :class:`Share` ("53% (24 cases)",
"3 of 5" below the minimum base), :class:`Change` ("up from 117 to 127"), :class:`Range` ("from 50% to 73%"),
:class:`Average`; small-number suppression (:func:`suppress`); ties named
together (:func:`tied`, :func:`tied_list`). Pure: no I/O, no clock; the report's rules (``suppress_below``,
``min_base_for_percent``) are set once per kernel by ``open_report``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from .words import SUPPRESSED, counted, join_words, noun, number, pct, plural, uk_date


#: Below this many cases a share is written "3 of 5", never as a percentage (GSS guidance on small denominators;
#: params ``min_base_for_percent``).
MIN_BASE = 10


#: The report's rules for the figures glued from now on in this kernel (``open_report`` sets them from params):
#: ``below`` (suppress_below) and ``min_base`` (min_base_for_percent).
_policy: dict[str, int | None] = {"below": None, "min_base": MIN_BASE}


@dataclass(frozen=True)
class Share:
    """``count`` of ``total`` (e.g. responses within target of all responses).

    Below ``min_base`` cases (params ``min_base_for_percent``, default 10; the rule in force when the share was
    made, see :func:`set_min_base`) a share is never a percentage: "3 of 5 cases", in text and in tables.
    """

    count: int
    total: int
    unit: str = "case"
    suppressed: bool = False
    min_base: int = field(default_factory=lambda: _policy["min_base"])

    def __post_init__(self):
        if not 0 <= self.count <= self.total:
            raise ValueError(f"a share needs 0 <= count <= total, got {self.count} of {self.total}")

    @property
    def pct(self) -> int | None:
        """The whole-number percentage, rounded half up; None when the total is 0."""
        return pct(self.count, self.total)

    @property
    def empty(self) -> bool:
        """No cases at all (a period with nothing in it)."""
        return self.total == 0

    @property
    def small(self) -> bool:
        """Too few cases for a percentage (1 to ``min_base`` - 1): written "3 of 5" instead."""
        return not self.suppressed and 0 < self.total < self.min_base

    @property
    def shows_pct(self) -> bool:
        """Whether the share's words give a percentage (neither empty, small nor suppressed)."""
        return not self.suppressed and not self.empty and not self.small

    def fraction(self, unit: str | None = None, many: str | None = None) -> str:
        """The count of the total in words, with ``unit`` if given: "3 of 5", "none of the 5", "all 5",
        "1 of 1", "none of 1" ("3 of 5 cases" with a unit)."""
        noun_ = f" {noun(self.total, unit, many)}" if unit else ""
        if self.total == 1:
            return f"{'1' if self.count else 'none'} of 1{noun_}"
        if self.count == 0:
            return f"none of the {self.total:,}{noun_}"
        if self.count == self.total:
            return f"all {self.total:,}{noun_}"
        return f"{self.count:,} of {self.total:,}{noun_}"

    def pct_text(self) -> str:
        """"53%"; "3 of 5" on a small base; "no cases" when empty; "[c]" when suppressed."""
        if self.suppressed:
            return SUPPRESSED
        if self.empty:
            return "no cases"
        return self.fraction() if self.small else f"{self.pct}%"

    def __str__(self) -> str:
        """"53% (24 cases)"; "0% (none of the 12 cases)"; "100% (all 12 cases)"; on a small base "3 of 5 cases",
        "all 2 cases", "1 of 1 case"; "no cases"."""
        if self.suppressed:
            return SUPPRESSED
        if self.empty:
            return "no cases"
        if self.small:
            return self.fraction(self.unit)
        return f"{self.pct}% ({self.of_total() if self.count in (0, self.total) else plural(self.count, self.unit)})"

    def of_total(self, unit: str | None = None, many: str | None = None) -> str:
        """The count out of the total, as a sentence says it: "24 of 45 cases", "none of the 12 cases",
        "all 12 cases", "no cases"; of one, "1 case" beside its percentage, "1 of 1 case" or "none of 1 case" on
        a small base (``unit`` names them: ``of_total("response")``)."""
        unit = unit or self.unit
        if self.suppressed:
            return f"{SUPPRESSED} of {SUPPRESSED} {noun(2, unit, many)}"
        if self.total == 0:
            return f"no {noun(0, unit, many)}"
        if self.total == 1 and not self.small:  # the percentage already says whether it was
            return f"1 {unit}"
        return self.fraction(unit, many)

    def table_text(self) -> str:
        """The share as a table cell shows it: "46% (6 of 13)"; "2 of 4" on a small base; "no cases"; "[c]"."""
        if self.suppressed:
            return SUPPRESSED
        if self.empty:
            return "no cases"
        counts = f"{self.count:,} of {self.total:,}"
        return counts if self.small else f"{self.pct}% ({counts})"

    def count_text(self) -> str:
        """The count as a table shows it: "1,234", or "[c]" when suppressed."""
        return SUPPRESSED if self.suppressed else number(self.count)

    def total_text(self) -> str:
        """The total as a table shows it: "1,234", or "[c]" when suppressed."""
        return SUPPRESSED if self.suppressed else number(self.total)

    def to_json(self) -> dict:
        """The share for figures.json (type-tagged; nothing behind a [c])."""
        if self.suppressed:  # nothing that could give the small number away
            return {"type": "share", "suppressed": True, "unit": self.unit}
        return {"type": "share", "count": self.count, "total": self.total, "pct": self.pct,
                "unit": self.unit, "suppressed": False, "min_base": self.min_base}


@dataclass(frozen=True)
class Change:
    """A figure then and now: "up from 117 to 127"."""

    before: int | float
    after: int | float
    suppressed: bool = False

    @property
    def direction(self) -> str:
        """"up", "down" or "no change"."""
        if self.after > self.before:
            return "up"
        if self.after < self.before:
            return "down"
        return "no change"

    def __str__(self) -> str:
        """"up from 117 to 127", "up from none to 23", "down from 5 to none", "no change at 23", "none in either year"."""
        if self.suppressed:
            return SUPPRESSED
        if self.direction == "no change":
            return "none in either year" if self.after == 0 else f"no change at {number(self.after)}"
        return f"{self.direction} from {counted(self.before)} to {counted(self.after)}"

    def from_before(self) -> str:
        """The change said from where it stands now: "up from 4", "down from 630", "up from none", "no change"
        (follow it with "in 2019/20", or "on 2019/20" after "no change": see ``in_year``)."""
        if self.suppressed:
            return f"compared with {SUPPRESSED}"
        if self.direction == "no change":
            return "no change"
        return f"{self.direction} from {counted(self.before)}"

    def in_year(self, year: str) -> str:
        """:meth:`from_before` with the year compared with: "up from 4 in 2019/20", "no change on 2019/20"."""
        return f"{self.from_before()} {'on' if self.direction == 'no change' else 'in'} {year}"

    def went(self) -> str:
        """The change as a verb phrase: "went up from 117 to 127", "stayed at 23", "stayed at none"."""
        if self.suppressed:
            return f"changed ({SUPPRESSED})"
        if self.direction == "no change":
            return f"stayed at {counted(self.after)}"
        return f"went {self}"

    def amount(self) -> str:
        """How much it changed, for a table beside the two figures: "up 10", "down 210", "no change"."""
        if self.suppressed:
            return SUPPRESSED
        if self.direction == "no change":
            return "no change"
        return f"{self.direction} {number(abs(self.after - self.before))}"

    def before_text(self) -> str:
        """The earlier figure as a table shows it ("[c]" when suppressed)."""
        return SUPPRESSED if self.suppressed else number(self.before)

    def after_text(self) -> str:
        """The later figure as a table shows it ("[c]" when suppressed)."""
        return SUPPRESSED if self.suppressed else number(self.after)

    def to_json(self) -> dict:
        """The change for figures.json (type-tagged; nothing behind a [c])."""
        if self.suppressed:
            return {"type": "change", "suppressed": True}
        return {"type": "change", "before": self.before, "after": self.after,
                "direction": self.direction, "suppressed": False}


@dataclass(frozen=True)
class Range:
    """Lowest to highest of some values (e.g. benchmark percentages)."""

    values: tuple[float, ...]
    unit: str = "%"

    def __post_init__(self):
        object.__setattr__(self, "values", tuple(self.values))

    def _fmt(self, v: float) -> str:
        return f"{number(round(v) if self.unit == '%' else v)}{self.unit}"

    @property
    def low(self) -> float | None:
        """The lowest value, None when there are none."""
        return min(self.values) if self.values else None

    @property
    def high(self) -> float | None:
        """The highest value, None when there are none."""
        return max(self.values) if self.values else None

    def between(self) -> str:
        """"between 50% and 73%"; one value alone; "not available" when there are none."""
        if not self.values:
            return "not available"
        if self.low == self.high:
            return self._fmt(self.low)
        return f"between {self._fmt(self.low)} and {self._fmt(self.high)}"

    def __str__(self) -> str:
        if not self.values:
            return "not available"
        if self.low == self.high:
            return self._fmt(self.low)
        return f"from {self._fmt(self.low)} to {self._fmt(self.high)}"

    def to_json(self) -> dict:
        """The range for figures.json (type-tagged)."""
        return {"type": "range", "values": list(self.values), "low": self.low, "high": self.high, "unit": self.unit}


@dataclass(frozen=True)
class Average:
    """A mean, always written with one decimal place ("102.2 working days", "33.0 working days"), so the same
    kind of figure has the same precision everywhere; None: nothing to average."""

    value: float | None
    one: str = "working day"
    many: str | None = None

    @property
    def empty(self) -> bool:
        """Nothing to average."""
        return self.value is None

    def number_text(self) -> str:
        """"102.2", "33.0"; "none" when there is nothing to average."""
        return "none" if self.value is None else f"{round(float(self.value), 1):,.1f}"

    def __str__(self) -> str:
        return "none" if self.value is None else f"{self.number_text()} {noun(2, self.one, self.many)}"

    def to_json(self) -> dict:
        """The mean for figures.json (type-tagged)."""
        return {"type": "average", "value": self.value, "one": self.one, "many": self.many}


def of_which(part: "int | Share", whole: int, is_so: str, not_yet: str) -> str:
    """The clause saying how many of ``whole`` things (already named) are so, for a sentence to end with.

    ``of_which(4, 11, "already past the due date", "yet past the due date")`` -> ", 4 of them already past
    the due date"; all -> ", all of them already ..."; none -> "; none of them was yet past the due date";
    one of one -> ", and it was already ..."; none of one -> "; it was not yet ..."; nothing when
    ``whole`` is 0 (the sentence has already said there were none).
    """
    if isinstance(part, Share):
        part = SUPPRESSED if part.suppressed else part.count
    if SUPPRESSED in (part, whole):
        return f", {SUPPRESSED} of them {is_so}"
    if whole == 0:
        return ""
    if whole == 1:
        return f", and it was {is_so}" if part else f"; it was not {not_yet}"
    if part == 0:
        return f"; none of them was {not_yet}"
    return f", {'all' if part == whole else number(part)} of them {is_so}"


def peer_list(peers: Iterable[dict], unit: str = "%") -> str:
    """Other councils with their figures: "Westford Council (64%) and Southby Council (71%)"."""
    return join_words(f"{p['authority']} ({number(round(p['value']) if unit == '%' else p['value'])}{unit})"
                      for p in peers)


def tied(names: Iterable[str], value: Any, sep: str = ", ") -> str:
    """Equal values named together, never one after another as if ranked: ``tied(["communication", "quality of
    service"], 23)`` -> "communication and quality of service, 23 each"; one name -> "communication, 23"; a share
    -> "Staff absence and Complex case, each 13% (8 cases)" (``sep=": "`` for a list item)."""
    names = [str(n) for n in names]
    words = text(value)
    if len(names) < 2:
        return f"{join_words(names)}{sep}{words}"
    if isinstance(value, (Share, Average)) or not isinstance(value, (int, float)):
        return f"{join_words(names)}{sep}each {words}"
    return f"{join_words(names)}{sep}{words} each"


def tied_list(groups: Iterable, unit: str | None = None) -> str:
    """Groups of equal values (``{"names": [...], "value": v}``, largest first) in one phrase, each group's value
    once: "Court Team (8 cases), and Care Management Team and Fostering (5 cases each)"; without ties
    "Court Team (8 cases) and Fostering (5 cases)". ``unit`` names whole-number values ("case")."""
    parts = []
    for g in groups:
        names, value = [str(n) for n in g["names"]], g["value"]
        words = plural(value, unit) if unit and isinstance(value, int) else text(value)
        parts.append(f"{join_words(names)} ({words}{' each' if len(names) > 1 else ''})")
    if len(parts) > 1 and any(len(g["names"]) > 1 for g in groups):
        return ", ".join(parts[:-1]) + ", and " + parts[-1]  # the comma keeps "A and B (5 each)" one group
    return join_words(parts)


def overall(changes: Iterable[Change] | dict) -> str:
    """Summary words for several changes: "a reduction in all categories", "an increase in most of the categories"."""
    if isinstance(changes, dict):
        changes = changes.values()
    dirs = [c.direction for c in changes]
    up, down = dirs.count("up"), dirs.count("down")
    if not dirs or up == down:
        return "a mixed picture across the categories"
    if up == len(dirs):
        return "an increase in all categories"
    if down == len(dirs):
        return "a reduction in all categories"
    return "an increase in most of the categories" if up > down else "a reduction in most of the categories"


def _small(n: int, below: int) -> bool:
    return 0 < n < below


def suppress(value: Any, below: int | None) -> Any:
    """``value`` with counts in 1..below-1 published as ``[c]`` (statistical disclosure control).

    - a Share is suppressed when its count, or the rest of its total, is small;
    - a Change when either side is small; a whole number when it is small;
    - a list of Shares (or of ``(label, Share)`` pairs, or dicts with a ``share``) of one total
      (a partition, e.g. delay reasons) or a list of whole numbers: after the small ones, the next
      smallest is suppressed too when only one would be hidden, so the total cannot give it away
      (secondary suppression). Shares of different totals (e.g. one per quarter) stand alone;
    - dicts are suppressed value by value. ``below=None`` returns ``value`` unchanged.
    """
    if not below:
        return value
    if isinstance(value, Share):
        return replace(value, suppressed=True) if (_small(value.count, below) or
                                                   _small(value.total - value.count, below)) else value
    if isinstance(value, Change):
        return replace(value, suppressed=True) if (_small(value.before, below) or _small(value.after, below)) else value
    if isinstance(value, bool) or not isinstance(value, (int, list, tuple, dict)):
        return value
    if isinstance(value, int):
        return SUPPRESSED if _small(value, below) else value
    if isinstance(value, dict):
        return {k: suppress(v, below) for k, v in value.items()}
    return _suppress_group(list(value), below)


def _share_in(item):
    if isinstance(item, Share):
        return item
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Share):
        return item[1]
    if isinstance(item, dict) and isinstance(item.get("share"), Share):
        return item["share"]
    if isinstance(item, dict) and isinstance(item.get("value"), Share):  # a group of equal shares (stats.equal_groups)
        return item["value"]
    return None


def _with_share(item, share):
    if isinstance(item, Share):
        return share
    if isinstance(item, tuple):
        return (item[0], share)
    return {**item, "share" if isinstance(item.get("share"), Share) else "value": share}


def _suppress_group(items: list, below: int) -> list:
    shares = [_share_in(i) for i in items]
    if items and all(s is not None for s in shares):
        counts = [s.count for s in shares]
        hide = [_small(c, below) or _small(s.total - c, below) for c, s in zip(counts, shares)]
    elif items and all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        counts = list(items)
        hide = [_small(c, below) for c in counts]
    else:
        return [suppress(i, below) for i in items]
    partition = shares[0] is None or len({s.total for s in shares}) == 1
    if partition and sum(hide) == 1 and len(items) > 1:
        rest = sorted((c, k) for k, (c, h) in enumerate(zip(counts, hide)) if not h and c > 0)
        if rest:
            hide[rest[0][1]] = True
    if shares[0] is None:
        return [SUPPRESSED if h else c for c, h in zip(counts, hide)]
    return [_with_share(i, replace(s, suppressed=True) if h else s) for i, s, h in zip(items, shares, hide)]


def set_suppression(below: int | None) -> None:
    """Suppress every figure glued from now on in this kernel (``open_report`` sets it from params)."""
    _policy["below"] = below


def set_min_base(base: int | None) -> None:
    """Write every share made from now on in this kernel below ``base`` cases as "3 of 5", never as a percentage
    (``open_report`` sets it from params ``min_base_for_percent``; None: the default, 10). A share carries the rule
    it was made under (``Share.min_base``), into figures.json and the renderer."""
    _policy["min_base"] = MIN_BASE if base is None else int(base)


def to_json(value: Any) -> Any:
    """A figure value in JSON form (type-tagged for figure classes and dates)."""
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, dt.date):
        return {"type": "date", "value": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot glue a {type(value).__name__}: use a number, text, date, Share, Change or Range")


def from_json(data: Any) -> Any:
    """Inverse of :func:`to_json`."""
    if isinstance(data, list):
        return [from_json(v) for v in data]
    if isinstance(data, dict):
        kind = data.get("type")
        if kind == "share":
            if data.get("suppressed"):
                return Share(0, 0, data.get("unit", "case"), suppressed=True)
            return Share(data["count"], data["total"], data.get("unit", "case"),
                         min_base=data.get("min_base", MIN_BASE))
        if kind == "change":
            if data.get("suppressed"):
                return Change(0, 0, suppressed=True)
            return Change(data["before"], data["after"])
        if kind == "range":
            return Range(tuple(data["values"]), data.get("unit", "%"))
        if kind == "average":
            return Average(data["value"], data.get("one", "working day"), data.get("many"))
        if kind == "date":
            return dt.date.fromisoformat(data["value"])
        return {k: from_json(v) for k, v in data.items()}
    return data


def text(value: Any) -> str:
    """Default words for a figure value."""
    if isinstance(value, dt.date):
        return uk_date(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(text(v) for v in value) if any(isinstance(v, dict) for v in value) else \
            ", ".join(text(v) for v in value)
    if isinstance(value, dict):  # a structured figure: its parts by name, never a program's representation
        return ", ".join(f"{k} ({text(v)})" if isinstance(v, dict) else f"{k}: {text(v)}" for k, v in value.items())
    if value is None:
        return "none"
    return str(value)
