"""Figures the narrative cites, and the words committee papers use for them.

A *figure* is a value a code cell registers by name with :func:`glue`; the
markdown cells cite it as ``{{ name }}`` or ``{{ name | filter }}``. Each
figure type knows its JSON form (for ``figures.json`` and the trip from the
kernel to the renderer) and its default words:

- ``Share(24, 45)`` -> "53% (24 cases)"; ``| pct`` -> "53%"; no cases -> "no cases";
  ``| of_total("response")`` -> "24 of 45 responses", "none of the 12 responses", "all 12 responses"
- ``Change(117, 127)`` -> "up from 117 to 127"; "down from 630 to 420"; "no change at 23";
  "up from none to 23"; ``| went`` -> "went up from 117 to 127", "stayed at 23"
- counts in sentences agree in number at 0, 1, 2 and many: ``{{ n | counted("complaint") }}
  {{ n | agree("was", "were") }} open`` -> "no complaints were open", "1 complaint was open",
  "11 complaints were open"; ``{{ n | counted }}`` -> "none", "1", "11"
- ``Range([50, 73])`` -> "from 50% to 73%"; ``| between`` -> "between 50% and 73%"
- dates -> "20 January 2021"; ``| ordinal_date`` -> "20th January 2021"

Percentages are whole numbers rounded half up (``pct``). Everything here is
pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

FIGURE_MIME = "application/vnd.reportlib.figure+json"
PARAMS_MIME = "application/vnd.reportlib.params+json"
SUPPRESSED = "[c]"
#: Below this many cases a share is written "3 of 5", never as a percentage (GSS guidance on small denominators;
#: params ``min_base_for_percent``).
MIN_BASE = 10

#: The report's rules for the figures glued from now on in this kernel (``open_report`` sets them from params):
#: ``below`` (suppress_below) and ``min_base`` (min_base_for_percent).
_policy: dict[str, int | None] = {"below": None, "min_base": MIN_BASE}


def pct(count: int, total: int) -> int | None:
    """Whole-number percentage rounded half up (exact integer arithmetic); None when total is 0."""
    count, total = int(count), int(total)
    if total <= 0:
        return None
    return (200 * count + total) // (2 * total)


def number(n: int | float) -> str:
    """1234 -> "1,234"; 12.5 -> "12.5"; whole floats lose their ".0"."""
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}"
    return f"{int(n):,}"


def noun(n: int | float, one: str, many: str | None = None) -> str:
    """The noun that agrees with ``n``: ``noun(1, "case")`` -> "case"; 0, 2 or 11 -> "cases" ("authority" ->
    "authorities"; ``many`` for any other plural)."""
    if n == 1:
        return one
    if many:
        return many
    return one[:-1] + "ies" if one.endswith("y") and one[-2:-1] not in ("a", "e", "i", "o", "u") else one + "s"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``plural(1, "case")`` -> "1 case"; ``plural(24, "case")`` -> "24 cases"."""
    return f"{number(n)} {noun(n, one, many)}"


def counted(n: int, one: str = "", many: str | None = None) -> str:
    """A count as a sentence says it: 0 -> "no cases", 1 -> "1 case", 11 -> "11 cases".

    Without a noun: 0 -> "none", else the number ("of which none", "of which 3").
    A suppressed count (``[c]``) stays ``[c]``, with the noun in the plural.
    """
    if n == SUPPRESSED:
        return f"{SUPPRESSED} {noun(2, one, many)}" if one else SUPPRESSED
    if not one:
        return "none" if n == 0 else number(n)
    return f"no {noun(0, one, many)}" if n == 0 else plural(n, one, many)


def pounds(amount: float) -> str:
    """1500.5 -> "£1,500.50"; 250 -> "£250"; 0 -> "£0"."""
    if amount == SUPPRESSED:
        return SUPPRESSED
    amount = float(amount)
    return f"£{amount:,.0f}" if amount.is_integer() else f"£{amount:,.2f}"


def agree(n: int, one: str, many: str) -> str:
    """The word that agrees with ``n``: ``agree(1, "was", "were")`` -> "was"; 0, 2, 11 -> "were"."""
    return one if n == 1 else many


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


def _ordinal_suffix(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def uk_date(d: dt.date) -> str:
    """2021-01-20 -> "20 January 2021"."""
    return f"{d.day} {d:%B %Y}"


def ordinal_date(d: dt.date) -> str:
    """2021-01-20 -> "20th January 2021"."""
    return f"{d.day}{_ordinal_suffix(d.day)} {d:%B %Y}"


def ordinal(n: int) -> str:
    """3 -> "3rd"."""
    return f"{n}{_ordinal_suffix(n)}"


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


def join_words(items: Iterable[str], conjunction: str = "and") -> str:
    """["a", "b", "c"] -> "a, b and c" (``conjunction="or"``: "a, b or c")."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def slug(label: str) -> str:
    """A label as part of a figure's name: "2020/21" -> "2020_21", "Q3 2020/21" -> "q3_2020_21"."""
    import re

    return re.sub(r"[^0-9a-z]+", "_", str(label).lower()).strip("_")


def peer_list(peers: Iterable[dict], unit: str = "%") -> str:
    """Other councils with their figures: "Westford Council (64%) and Southby Council (71%)"."""
    return join_words(f"{p['authority']} ({number(round(p['value']) if unit == '%' else p['value'])}{unit})"
                      for p in peers)


def standing(higher: int, same: int, lower: int, noun_: str = "other council") -> str:
    """Where a figure stands among others, without ranking it: "Of the 4 other councils, 2 reported a higher
    figure and 2 a lower one."; "All 3 other councils reported a higher figure."; "The other council reported the
    same figure." (``higher``, ``same``, ``lower``: how many of the others)."""
    total = higher + same + lower
    parts = [(n, w) for n, w in ((higher, "a higher figure"), (same, "the same figure"), (lower, "a lower one"))
             if n]
    if not total:
        return ""
    if len(parts) == 1:
        n, words = parts[0]
        words = "a lower figure" if words == "a lower one" else words
        if total == 1:
            return f"The {noun_} reported {words}."
        return f"{'Both' if total == 2 else f'All {total}'} {noun(2, noun_)} reported {words}."
    if parts[0][1] == "a lower one":
        parts[0] = (parts[0][0], "a lower figure")
    said = join_words([f"{number(n)} reported {w}" if i == 0 else f"{number(n)} {w}" for i, (n, w) in
                       enumerate(parts)])
    return f"Of the {total} {noun(2, noun_)}, {said}."


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


def compare(before: int | float | None, after: int | float | None, higher_is_better: bool = True) -> str:
    """Words for how ``after`` stands against ``before``: "an improvement on", "a fall from", "the same as"."""
    if before is None or after is None:
        return "not comparable with"
    if after == before:
        return "the same as"
    better = (after > before) == higher_is_better
    return "an improvement on" if better else ("a fall from" if higher_is_better else "a rise from")


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


# --- small-number suppression ------------------------------------------------------

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


# --- transport: kernel -> renderer ---------------------------------------------

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


@dataclass(frozen=True)
class Measure:
    """What a figure measures, so that the same measure in two reports made from one case log can be found and
    compared (``figures.json`` carries it beside the figure).

    ``name`` says what is counted ("responses within timescale", "complaints received"); ``basis`` how: for
    timeliness, whose timescale (``"statutory"`` or ``"council"``), made by :func:`timeliness`; ``procedure``,
    ``stage`` and ``period`` ("2020/21", "Q3 2020/21", "2020-08-18 to 2021-06-30") narrow it, and ``service`` when
    the cases are a service's (of any procedure) rather than a procedure's. Two figures with equal measures must
    have equal values, whichever report glued them.
    """

    name: str
    basis: str = ""
    procedure: str | None = None
    stage: int | None = None
    period: str | None = None
    service: str | None = None

    def to_json(self) -> dict:
        """The measure for figures.json (``service`` only when the cases are a service's)."""
        out = {"name": self.name, "basis": self.basis, "procedure": self.procedure, "stage": self.stage,
               "period": self.period}
        if self.service is not None:
            out["service"] = self.service
        return out


def timeliness(procedure: str | None, stage: int | None, period: str, *, source: str, days: int,
               extended_days: int | None = None, clock: str = "received", service: str | None = None) -> Measure:
    """The measure of a share of responses within a timescale: ``source`` is ``"statutory"`` (the regulations' or
    the Code's) or ``"council"`` (the council's own target); ``days`` the timescale in working days,
    ``extended_days`` the timescale where an extension was agreed (None: no extension counts); ``clock`` where the
    working days start (``received`` or ``acknowledged``); ``service`` the service filter, when the cases are a
    service's rather than a procedure's (then ``procedure`` is None)."""
    if source not in ("statutory", "council"):
        raise ValueError(f"source must be 'statutory' or 'council', not {source!r}")
    basis = f"{source}: {days} working days from {clock}"
    if extended_days is not None:
        basis += f", {extended_days} where an extension was agreed"
    return Measure("responses within timescale", basis, procedure, stage, period, service)


def figure_bundle(name: str, value: Any, about: str = "", measure: Measure | None = None) -> dict:
    """The display bundle a code cell emits for a glued figure."""
    if not name.isidentifier():
        raise ValueError(f"figure name {name!r} must be a Python-style identifier (letters, digits, _)")
    payload = {"name": name, "value": to_json(value), "text": text(value), "about": about}
    if measure is not None:
        payload["measure"] = measure.to_json()
    return {
        FIGURE_MIME: payload,
        "text/plain": f"{name} = {payload['text']}",
    }


def glue(name: str, value: Any, about: str = "", suppress_small: bool = True, measure: Measure | None = None) -> Any:
    """Register a figure for the narrative (in a notebook: shows it, and the render picks it up).

    With ``suppress_below`` in the params, small counts are published as ``[c]``: pass
    ``suppress_small=False`` only for numbers that are not about people (rows in the file,
    authorities benchmarked). ``measure`` says what the figure measures (:class:`Measure`), for a figure
    another report may give too. Returns the value as published.
    """
    from IPython.display import display
    if suppress_small:
        value = suppress(value, _policy["below"])
    display(figure_bundle(name, value, about, measure), raw=True)
    return value


# --- filters for the narrative -------------------------------------------------

def _pct_filter(v):
    return v.pct_text() if isinstance(v, Share) else f"{v}%"


FILTERS = {
    "pct": _pct_filter,
    "count": lambda v: v.count_text() if isinstance(v, Share) else text(v),
    "total": lambda v: v.total_text() if isinstance(v, Share) else text(v),
    "cases": lambda v: SUPPRESSED if (getattr(v, "suppressed", False) or v == SUPPRESSED)
    else plural(v.count if isinstance(v, Share) else v, "case"),
    # Counts in sentences (0, 1, 2 and many all read as English): see counted, agree, Share.of_total.
    "counted": lambda v, one="", many=None: counted(v.count if isinstance(v, Share) else v, one, many),
    "agree": lambda v, one, many: agree(v.count if isinstance(v, Share) else v, one, many),
    "of_total": lambda v, unit=None, many=None: v.of_total(unit, many),
    "of_which": of_which,
    "went": lambda v: (v if isinstance(v, Change) else Change(*v)).went(),
    "from_before": lambda v: (v if isinstance(v, Change) else Change(*v)).from_before(),
    "in_year": lambda v, year: (v if isinstance(v, Change) else Change(*v)).in_year(year),
    "pounds": pounds,
    "rows": lambda v: plural(v, "row"),
    "change": lambda v: str(v if isinstance(v, Change) else Change(*v)),
    "between": lambda v: (v if isinstance(v, Range) else Range(tuple(v))).between(),
    "from_to": lambda v: str(v if isinstance(v, Range) else Range(tuple(v))),
    "number": number,
    "date": lambda v: uk_date(v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))),
    "ordinal_date": lambda v: ordinal_date(v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))),
    "ordinal": ordinal,
    "overall": overall,
    "lower": lambda v: text(v).lower(),
    "and_list": join_words,
    "or_list": lambda v: join_words(v, "or"),
    # Ties named together: {{ group | tied(": ") }} -> "Staff absence and Complex case: each 13% (8 cases)";
    # {{ groups | tied_list("case") }} -> "Court Team (8 cases), and Fostering and Early Help (3 cases each)".
    "tied": lambda g, sep=", ": tied(g["names"], g.get("value", g.get("share")), sep),
    "tied_list": tied_list,
    "peer_list": peer_list,
    "standing": lambda g, noun_="other council": standing(g["higher"], g["same"], g["lower"], noun_),
    # A share in a table's words ("46% (6 of 13)", "2 of 4"); an amount of change ("down 215").
    "table": lambda v: v.table_text() if isinstance(v, Share) else text(v),
    "amount": lambda v: (v if isinstance(v, Change) else Change(*v)).amount(),
}


def figures_json(figures: dict[str, dict], cited: "set[str] | dict[str, list[str]]") -> str:
    """``figures.json``: every glued figure by name, with its exact value, its words and what it counts; ``cited``
    says whether the text printed it and, when ``cited`` maps each name to what the text printed from it (as the
    renderer collects it), ``printed`` lists those forms ("41%", "58 of 142 responses"), as the reader read them."""
    out = {}
    for name, fig in sorted(figures.items()):
        entry = {**{k: v for k, v in fig.items() if k != "name"}, "cited": name in cited}
        if isinstance(cited, dict) and name in cited:
            entry["printed"] = list(cited[name])
        out[name] = entry
    return json.dumps(out, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
