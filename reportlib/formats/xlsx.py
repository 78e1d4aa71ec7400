"""``tables.xlsx``: every table of the report, charts' data included, as a statistics workbook laid out as the
Government Analysis Function's guidance on releasing statistics in spreadsheets asks.

It is written with gptables, the Analysis Function's own package for exactly that guidance: a
cover sheet (title, what the workbook holds, source, period, contact), a contents sheet whose
every row links to its table's sheet, a notes sheet, then one table per sheet, each marked up
as an Excel table with one header row, its title in cell A1, and no merged or blank cells.

The tables are the report's own (:attr:`Rendered.document`, read from the HTML), so the workbook
holds exactly what the committee paper shows; only the cells change form, so that a number is a
number:

- "1,234" is the number 1234 (format ``#,##0``), "18.9" the number 18.9, "£3,880.03" the number
  3880.03 (format ``£#,##0.00``), "53%" the number 0.53 (format ``0%``);
- a share written with its count, "17% (1 of 6)", becomes three columns: the percentage, the
  number and the total (the guidance: one value per cell); a share of too few cases for a percentage, "3 of 5",
  becomes the same three, its percentage ``[u]`` (explained in the notes); a bare percentage among them
  (another council's figure) has its number and total ``[x]``;
- "no cases" and ``[c]`` (suppressed) stay text in a column of numbers; ``[c]`` is explained in
  the notes, and so is ``[x]``, which fills a cell the report left empty;
- row labels ("Q1 2020/21", "2019/20", a section number) stay text, and so does a cell that is more than a
  figure ("10 (+10)": a timescale and its extension; "six months");
- text is text, whatever it holds: "=1+1" from a case log or a params file is the text ``=1+1``, never a
  formula, and a web address typed there is never a link (:data:`WORKBOOK_OPTIONS`). No cell is a formula; the
  only links are the contents sheet's, to each table, and the contact officer's email address.

The same inputs give the same bytes: the core properties' date and the zip entries' dates are the
meeting date (:attr:`Rendered.timestamp`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from . import FORMAT_FILES, Rendered, reproducible_zip, xml_safe
from .document import Table

FILE = FORMAT_FILES["xlsx"]

SUPPRESSED, NO_CASES, NOT_AVAILABLE, LOW_BASE = "[c]", "no cases", "[x]", "[u]"
_INT = re.compile(r"^-?\d{1,3}(?:,\d{3})+$|^-?\d+$")
_DEC = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)\.(\d+)$")
_PCT = re.compile(r"^(-?\d+(?:\.(\d+))?)%$")
_MONEY = re.compile(r"^£(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?)$")
_SHARE = re.compile(r"^(-?\d+(?:\.\d+)?)% \((\d{1,3}(?:,\d{3})+|\d+)(?: of (\d{1,3}(?:,\d{3})+|\d+))?(?: [a-z ]+)?\)$")
_COUNTS = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+) of (\d{1,3}(?:,\d{3})+|\d+)$")  # "3 of 5": no percentage
_SPECIAL = {SUPPRESSED, NO_CASES}
#: XlsxWriter's options: text is written as text. By default it writes a string starting with "=" as a live
#: formula and one starting with http://, mailto: or file:// as a link: a subject "=HYPERLINK(...)" or a
#: params title "=1+1" would run in Excel. The only links are those reportlib makes on purpose (the
#: contents sheet's, the contact's email) and no cell is a formula.
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}


def write(report: Rendered, target: Path) -> None:
    Path(target).write_bytes(build(report))


# --- cells: text to numbers ----------------------------------------------------------------------------------


def number(text: str) -> tuple[float | int, str] | None:
    """``(value, Excel number format)`` of a figure as the report writes it, or None when it is not one."""
    text = text.strip()
    if _INT.match(text):
        return int(text.replace(",", "")), "#,##0"
    if m := _DEC.match(text):
        return float(text.replace(",", "")), "#,##0." + "0" * len(m.group(1))
    if m := _PCT.match(text):
        places = len(m.group(2) or "")
        return round(float(m.group(1)) / 100, places + 2), "0" + ("." + "0" * places if places else "") + "%"
    if m := _MONEY.match(text):
        places = len(m.group(2) or "")
        return float(m.group(1).replace(",", "")), "£#,##0" + ("." + "0" * places if places else "")
    return None


@dataclass
class Column:
    header: str
    values: list = field(default_factory=list)  # numbers and text
    formats: list = field(default_factory=list)  # an Excel number format per value, or None for text


def _share_columns(header: str, texts: list[str]) -> list[Column] | None:
    """A column of shares with their counts ("17% (1 of 6)") as percentage, number (and total) columns."""
    parts = [_SHARE.match(t) or _COUNTS.match(t) for t in texts]
    bare = [p is None and _PCT.match(t) for p, t in zip(parts, texts)]  # a percentage alone (another council's)
    if not any(parts) or any(p is None and not b and t not in _SPECIAL and t for p, b, t in zip(parts, bare, texts)):
        return None
    with_total = any(p and p.re is _COUNTS or p and p.group(3) for p in parts)
    cols = [Column(f"{header} (%)"), Column(f"{header} (number)")] + ([Column(f"{header} (total)")] if with_total
                                                                      else [])
    for p, t in zip(parts, texts):
        if p is None and _PCT.match(t):  # its count and total are not known: not available
            cells = [number(t), (NOT_AVAILABLE, None), (NOT_AVAILABLE, None)]
        elif p is None:
            shown = t or NOT_AVAILABLE
            if t == NO_CASES:  # nothing to count: none, of none
                cells = [(NO_CASES, None), (0, "#,##0"), (0, "#,##0")]
            else:
                cells = [(shown, None)] * 3
        elif p.re is _COUNTS:  # too few cases for a percentage: the count and the total, numbers
            cells = [(LOW_BASE, None), number(p.group(1)), number(p.group(2))]
        else:
            pct = number(p.group(1) + "%")
            cells = [pct, number(p.group(2)), number(p.group(3)) if p.group(3) else (NOT_AVAILABLE, None)]
        for col, (value, fmt) in zip(cols, cells):
            col.values.append(value)
            col.formats.append(fmt)
    return cols


def columns(t: Table) -> list[Column]:
    """The table's columns as the workbook holds them: figures as numbers, shares split, empty cells ``[x]``."""
    out: list[Column] = []
    ncols = max([len(t.columns)] + [len(r) for r in t.rows])
    for i in range(ncols):
        header = t.columns[i].text if i < len(t.columns) else ""
        texts = [r[i].text.strip() if i < len(r) else "" for r in t.rows]
        labels = i == 0 and t.rows and all(r and r[0].header for r in t.rows)
        figures = [number(x) for x in texts]
        if not labels:
            split = _share_columns(header, texts)
            if split:
                out += split
                continue
        col = Column(header)
        for f, x in zip(figures, texts):  # a figure is a number wherever it is, but for a row label ("2021")
            if not labels and f is not None:
                col.values.append(f[0])
                col.formats.append(f[1])
            else:
                col.values.append(_cell_text(x))
                col.formats.append(None)
        out.append(col)
    _unique_headers(out)
    return out


def _cell_text(text: str) -> str:
    """Text as a cell holds it: an empty cell (or one of only dashes and dots) is ``[x]``, not available;
    text gptables would take for its own markup (a ``[link](url)``, a ``$$note$$``) is kept as written."""
    if not re.search(r"[A-Za-z0-9]", text):
        return NOT_AVAILABLE
    return _literal(text)


def _literal(text: str) -> str:
    """``text`` with gptables' markup (``$$ref$$`` notes, ``[text](url)`` links) broken by a word joiner."""
    return text.replace("$$", "$\u2060$").replace("](", "]\u2060(")


def _unique_headers(cols: list[Column]) -> None:
    seen: dict[str, int] = {}
    for i, col in enumerate(cols, start=1):
        name = _literal(col.header.strip()) if re.search(r"[A-Za-z0-9]", col.header) else f"Column {i}"
        seen[name] = seen.get(name, 0) + 1
        col.header = name if seen[name] == 1 else f"{name} ({seen[name]})"


# --- the workbook ------------------------------------------------------------------------------------------------


def _sheet_names(tables: list[Table]) -> list[str]:
    """One short sheet name per table: Table_1, Figure_1 (a chart's data), Table_extra_1 (a table with no label)."""
    names, used, extra = [], set(), 0
    for t in tables:
        if t.label:
            name = re.sub(r"[^A-Za-z0-9]+", "_", t.label).strip("_")[:31]
        else:
            extra += 1
            name = f"Table_extra_{extra}"
        base, n = name, 1
        while name.lower() in used:
            n += 1
            name = f"{base[:27]}_{n}"
        used.add(name.lower())
        names.append(name)
    return names


class _Notes:
    """The notes sheet: each note once, by key; tables refer to them by ``$$key$$`` in their titles."""

    def __init__(self):
        self.text: dict[str, str] = {}

    def add(self, key: str, text: str) -> str:
        self.text.setdefault(key, text)
        return f"$${key}$$"

    def frame(self):
        import pandas as pd

        return pd.DataFrame({"Note number": list(self.text), "Note text": [_literal(t) for t in self.text.values()]})


def _period(params: dict, figures: dict) -> str:
    from ..narrative import uk_date
    from ..periods import fy_end, fy_label, fy_start, parse_fy

    parts = []
    try:
        if params.get("year"):
            fy = parse_fy(params["year"])
            parts.append(f"financial year {params['year']} ({uk_date(fy_start(fy))} to {uk_date(fy_end(fy))}), "
                         f"compared with {fy_label(fy - 1)}")
        if params.get("period_start") and params.get("period_end"):
            parts.append(f"{uk_date(dt.date.fromisoformat(str(params['period_start'])))} to "
                         f"{uk_date(dt.date.fromisoformat(str(params['period_end'])))}")
        if params.get("baseline_year"):
            parts.append(f"compared with {params['baseline_year']}")
    except (ValueError, TypeError):
        pass
    cut_off = (figures.get("cut_off") or {}).get("text")
    text = "; ".join(parts)
    if cut_off:
        text = f"{text}; figures as at {cut_off}" if text else f"figures as at {cut_off}"
    return (text[:1].upper() + text[1:]) if text else "As in the report"


def _figure_text(figures: dict, name: str) -> str | None:
    return (figures.get(name) or {}).get("text")


def build(report: Rendered) -> bytes:
    """The workbook's bytes: a cover, a contents sheet, a notes sheet and one sheet per table of the report."""
    import gptables

    doc = report.document
    params, figures = report.params, report.figures
    council = doc.author or xml_safe(str(params.get("council") or "")) or "The council"
    notes = _Notes()
    counts = tuple(_figure_text(figures, n) for n in ("rows_read", "rows_used", "rows_excluded"))
    rows_note = notes.add("case_log", _case_log_note(council, *counts))
    tables = doc.tables()
    sheets = {name: _sheet(t, name, doc, params, notes, rows_note) for t, name in zip(tables, _sheet_names(tables))}
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # Not for the officer's terminal: gptables warns of a note no table refers to (the case log note, when no
        # chart names the case log: it is still listed, after the others), and pandas of what gptables does
        # with a frame (deprecations in pandas 3).
        warnings.filterwarnings("ignore", module=r"gptables(\.|$)")
        workbook = gptables.produce_workbook(
            buf, sheets=sheets, cover=_cover(doc, params, figures, council, counts), notes_table=notes.frame(),
            contentsheet_options={"title": f"Contents: {_literal(doc.title)}"},
            workbook_options=WORKBOOK_OPTIONS)
        workbook.set_properties({
            "title": f"{doc.title}: tables", "subject": doc.description, "author": council, "company": council,
            "keywords": "complaints; statistics; committee report", "created": report.timestamp,
            "comments": "Made by reportlib: the tables of report.html and report.pdf, charts' data included.",
        })
        workbook.close()
    return reproducible_zip(buf.getvalue(), report.timestamp)


def _case_log_note(council: str, read: str, used: str, excluded: str) -> str:
    return (f"The figures are calculated from {council}'s complaints case log"
            + (f": {read} rows read, {used} used and {excluded} excluded as incomplete or inconsistent (the rows "
               "excluded, and why, are listed in data_quality.csv beside the report)." if read else "."))


def _symbol_notes(t: Table, name: str, cols, params: dict, notes: "_Notes") -> list[str]:
    """The notes a table refers to: the symbols it holds ([c], [x], [u]), percentages, and its own notes."""
    refs = []
    values = [v for c in cols for v in c.values]
    suppress_below = params.get("suppress_below")
    if SUPPRESSED in values:
        refs.append(notes.add("suppressed", (
            f"[c] marks a figure suppressed to protect confidentiality: counts below {suppress_below} are not "
            "published, nor any other figure from which one could be worked out (a total, a percentage)."
            if suppress_below else "[c] marks a figure suppressed to protect confidentiality.")))
    if NOT_AVAILABLE in values:
        refs.append(notes.add("not_available", "[x] marks a cell with nothing to show: the report leaves it "
                                               "empty (not available or not applicable)."))
    if LOW_BASE in values:
        refs.append(notes.add("low_base", (
            f"[u] marks a percentage not given because fewer than {params.get('min_base_for_percent') or 10} "
            "cases make it up: the number and the total are given instead.")))
    if any(f and "%" in f for c in cols for f in c.formats):
        refs.append(notes.add("percentages", (
            "Percentages are whole numbers, rounded half up, held as fractions with a percentage format "
            "(53% is 0.53). 'no cases' means there was nothing to count, so no percentage.")))
    for k, text in enumerate(t.notes, start=1):
        refs.append(notes.add(f"{name}_{k}", text))
    return refs


def _sheet(t: Table, name: str, doc, params: dict, notes: "_Notes", rows_note: str):
    """One table as a gptables sheet: numbers as numbers, its title with the notes it refers to, a chart's
    subtitle and source."""
    import gptables
    import pandas as pd

    cols = columns(t)
    refs = _symbol_notes(t, name, cols, params, notes)
    frame = pd.DataFrame({c.header: pd.Series(c.values, dtype=object) for c in cols})
    formatting = [{"cell": {"cells": (r + 1, j), "format": {"num_format": fmt, "align": "right"}}}
                  for j, c in enumerate(cols) for r, fmt in enumerate(c.formats) if fmt]
    chart = next((f for f in doc.figures() if f.label == t.label), None) if t.chart else None
    source = None
    if chart and chart.source:
        source = f"Source: {_literal(chart.source)}" + (f" {rows_note}" if "case log" in chart.source else "")
    subtitles = [_literal(chart.subtitle)] if chart and chart.subtitle else []
    labels = bool(t.rows) and all(r and r[0].header for r in t.rows)
    return gptables.GPTable(
        table=frame, table_name=name.lower(), title=_literal(t.heading) + (" " + "".join(refs) if refs else ""),
        subtitles=subtitles, source=source, index_columns={2: 0} if labels else {},
        instructions="This worksheet contains one table. Some cells may refer to notes, which can be found "
                     "on the Notes worksheet.",
        additional_formatting=formatting)


def _cover(doc, params: dict, figures: dict, council: str, counts: tuple[str, str, str]):
    """The cover sheet: what the workbook is, its source and period, and whom to contact."""
    import gptables

    committee, date = doc.running
    read, used, excluded = counts
    contacts = []
    for c in params.get("contact") or []:
        contacts.append(_literal(xml_safe(", ".join(x for x in (c.get("name"), c.get("role")) if x))))
        if c.get("phone"):
            contacts.append(_literal(xml_safe(f"Telephone: {c['phone']}")))
        if c.get("email"):  # the one link reportlib makes on the cover (the params check allows only an address)
            contacts.append(f"[{c['email']}](mailto:{c['email']})")
    return gptables.Cover(
        title=f"{_literal(doc.title)}: tables",
        intro=[f"The tables of the report to {_literal(committee)}, {date}, by {_literal(council)}: every table in "
               "the report, and the data behind each chart, one table to a worksheet.",
               "The Contents worksheet links to each table. The Notes worksheet explains the notes the tables "
               "refer to ([note 1] and so on) and the symbols [c] (suppressed), [x] (not available) and [u] (a "
               "percentage of too few cases, not given)."],
        about=[f"Source: {_literal(council)} complaints case log" + (
                   f" ({read} rows read, {used} used, {excluded} excluded as bad data)" if read else ""),
               f"Period: {_period(params, figures)}",
               f"Published with: {_literal(doc.title)}, report to {_literal(committee)}, {date}"],
        contact=contacts or [_literal(council)])
