"""The words committee papers use for numbers, counts and dates: pure, no I/O, no clock.

- percentages are whole numbers rounded half up (:func:`pct`); 1234 -> "1,234" (:func:`number`);
- counts agree in number at 0, 1, 2 and many: ``counted(0, "complaint")`` -> "no complaints", ``counted(1,
  "complaint")`` -> "1 complaint"; ``agree(n, "was", "were")``;
- dates -> "20 January 2021" (:func:`uk_date`); lists -> "a, b and c" (:func:`join_words`);
- where a figure stands among others, without ranking it (:func:`standing`).

The figures themselves (shares, changes, ranges) are :mod:`reportlib.figures`; what a notebook calls is
:mod:`reportlib.narrative`.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable


SUPPRESSED = "[c]"


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


def compare(before: int | float | None, after: int | float | None, higher_is_better: bool = True) -> str:
    """Words for how ``after`` stands against ``before``: "an improvement on", "a fall from", "the same as"."""
    if before is None or after is None:
        return "not comparable with"
    if after == before:
        return "the same as"
    better = (after > before) == higher_is_better
    return "an improvement on" if better else ("a fall from" if higher_is_better else "a rise from")
