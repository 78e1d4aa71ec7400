"""The annual report's timeliness figures (SPEC "The annual report", items 4 and 5): validated cases in, figures out.

Pure and vectorised like :mod:`reportlib.annual`, whose rules of counting it shares: responses are those *sent* in
the year (refused rows apart), each judged on two bases side by side.

- The statutory basis, as the law (and the Complaint Handling Code) sets it: corporate complaints timed from
  acknowledgement (from receipt when a row has none, and counted), statutory social care complaints from receipt;
  within the timescale, or the timescale plus the extension where ``extended`` is yes. Adult social care has no
  statutory timescale: the share answered within six months (regulation 14 of the 2009 Regulations). The
  children's stage 3 timescale is the review panel's: it meets within 30 working days of the request (regulation
  19(4) of the 2006 Regulations), measured with ``panel_date`` (:func:`panels`).
- The Council's own targets (params ``council_targets``), timed as its committee papers time them (params
  ``clock_start``), with no extension: so the figure equals the committee paper's for the same procedure, stage
  and year.

Responses past the statutory timescale with no extension recorded are counted (``late_unextended``): an officer
reading a low figure needs to know how many had no extension on the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .annual import CLOCK, _column, _complaints, _days, _in_year, _sent, refused
from .figures import Share
from .narrative import Measure, timeliness as timeliness_measure
from .workdays import DEFAULT_REGION, working_days

#: Acknowledgement timescales the law sets: adult social care complaints within 3 working days of receipt
#: (regulation 13(2) of the 2009 Regulations). The Code's five (corporate) is params ``acknowledge_within``.
ACKNOWLEDGE_BY_LAW = {"adults": 3}
#: The children's review panel: meets within 30 working days of the request (regulation 19(4)), reports within 5
#: working days of meeting, and the council responds within 15 working days of the report.
PANEL = ("childrens", 3)
PANEL_REPORT_DAYS, PANEL_RESPONSE_DAYS = 5, 15


# --- 4: acknowledgement ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Acknowledgement:
    """How quickly one procedure's stage 1 complaints received in a year were acknowledged."""

    procedure: str
    within_days: int      # the timescale measured against
    by_law: bool          # set by law (adults: regulation 13(2)); else the Code's or the Council's (acknowledge_within)
    share: Share          # acknowledged within it, of those with an acknowledgement date
    missing: int          # stage 1 complaints received with no acknowledgement date


def _stage1_received(cases: pd.DataFrame, fy: int, scope: Iterable[str]) -> np.ndarray:
    return _complaints(cases, scope) & ~refused(cases) & _in_year(cases["received"], fy) & \
        (cases["stage"] == 1).to_numpy(dtype=bool, na_value=False)


def acknowledgement(cases: pd.DataFrame, fy: int, scope: Iterable[str], within: int, *,
                    region: str = DEFAULT_REGION, closures: Iterable = ()) -> tuple[Share, int]:
    """Stage 1 complaints received in ``fy`` acknowledged within ``within`` working days of receipt, as a share
    of those with an acknowledgement date; and how many have none."""
    rows = cases[_stage1_received(cases, fy, scope)]
    dated = rows["acknowledged"].notna().to_numpy()
    days = working_days(rows["received"][dated], rows["acknowledged"][dated], region, closures)
    return Share(int((days <= within).sum()), int(dated.sum()), "complaint"), int((~dated).sum())


def acknowledgements(cases: pd.DataFrame, fy: int, scope: Sequence[str], within: int, **calendar) \
        -> list[Acknowledgement]:
    """:func:`acknowledgement` for each procedure of ``scope``, each against its own timescale: adult social care
    against regulation 13(2)'s 3 working days, the others against ``within`` (the Code's, params
    ``acknowledge_within``)."""
    out = []
    for proc in scope:
        days = ACKNOWLEDGE_BY_LAW.get(proc, within)
        share, missing = acknowledgement(cases, fy, [proc], days, **calendar)
        out.append(Acknowledgement(proc, days, proc in ACKNOWLEDGE_BY_LAW, share, missing))
    return out


# --- 5: timeliness -------------------------------------------------------------------------------------------

def _per_row(rows: pd.DataFrame, table: Mapping[str, Mapping[int, int]]) -> np.ndarray:
    """Each row's entry of a procedure -> stage -> working days table; NaN where it has none."""
    keys = {(proc, stage): days for proc, stages in table.items() for stage, days in stages.items()}
    if not keys:
        return np.full(len(rows), np.nan)
    index = pd.MultiIndex.from_tuples(list(keys))
    at = index.get_indexer(pd.MultiIndex.from_arrays([rows["procedure"].astype(object),
                                                      rows["stage"].astype("float64").fillna(0).astype(int)]))
    return np.append(np.array(list(keys.values()), dtype=float), np.nan)[at]


def timed(cases: pd.DataFrame, fy: int, scope: Iterable[str], timescales: Mapping[str, Mapping[int, int]],
          extensions: Mapping[str, Mapping[int, int]], council_targets: Mapping[str, Mapping[int, int]] | None = None,
          *, clock_start: str = "received", region: str = DEFAULT_REGION, closures: Iterable = ()) -> pd.DataFrame:
    """The responses sent in ``fy`` (accepted complaints of ``scope``), one row each, timed on both bases.

    Columns: ``procedure``, ``stage``, ``service``, ``outcome``, ``extended``, ``days`` (statutory clock),
    ``fallback`` (timed from receipt for want of an acknowledgement), ``limit`` (statutory timescale, NaN: none;
    the children's review panel has its own measure), ``within``, ``late_unextended``, ``six_months``,
    ``council_days`` (``clock_start``), ``council_limit`` (NaN: none), ``council_within``."""
    rows = cases[_sent(cases, fy, scope)]
    by_ack = (rows["procedure"].astype(object) == "corporate").to_numpy() & (CLOCK["corporate"] == "acknowledged")
    ack = rows["acknowledged"]
    start = rows["received"].where(~by_ack | ack.isna(), ack)
    out = pd.DataFrame({"procedure": rows["procedure"].astype(object), "stage": rows["stage"].astype("float64"),
                        "service": _column(rows, "service"), "outcome": _column(rows, "outcome"),
                        "extended": _column(rows, "extended").fillna(False).to_numpy(dtype=bool)}, index=rows.index)
    out["days"] = _days(start, rows["responded"], region, closures)
    out["fallback"] = by_ack & ack.isna().to_numpy()
    limit = _per_row(rows, timescales)
    limit[((out["procedure"] == PANEL[0]) & (out["stage"] == PANEL[1])).to_numpy()] = np.nan
    allowed = limit + np.nan_to_num(_per_row(rows, extensions)) * out["extended"].to_numpy()
    out["limit"] = limit
    out["within"] = out["days"].to_numpy() <= allowed          # NaN compares False: no timescale, never within
    out["late_unextended"] = (out["days"].to_numpy() > limit) & ~out["extended"].to_numpy()
    out["six_months"] = (rows["responded"] <= rows["received"] + pd.DateOffset(months=6)).to_numpy()
    council_start = rows["received"] if clock_start == "received" else ack.fillna(rows["received"])
    out["council_days"] = _days(council_start, rows["responded"], region, closures)
    out["council_limit"] = _per_row(rows, council_targets or {})
    out["council_within"] = out["council_days"].to_numpy() <= out["council_limit"].to_numpy()
    return out


@dataclass(frozen=True)
class Timeliness:
    """How one procedure's stage-N responses sent in a year went, against the statutory timescale and the
    Council's own target."""

    procedure: str
    stage: int
    sent: int                       # responses sent in the year
    timescale: int | None           # statutory working days; None: none (adults; the review panel: see panels())
    extension: int                  # extra working days allowed where an extension was agreed
    within: Share                   # within timescale (+ extension) of responses sent; empty when no timescale
    extended: int                   # responses sent with an extension agreed
    late_unextended: int            # past the statutory timescale with no extension recorded
    average_days: float | None      # mean working days taken (statutory clock, one decimal); None when none sent
    fallbacks: int                  # timed from receipt for want of an acknowledgement date
    six_months: Share               # answered within six months of receipt (regulation 14, adults)
    council: int | None = None      # the Council's own target in working days; None: none given
    council_within: Share = Share(0, 0, "response")   # within it (clock_start, no extension)


def _share(within: pd.Series | None) -> Share:
    """The responses within of those sent (a Share of responses, as the committee papers give it); none: empty."""
    return Share(0, 0, "response") if within is None else Share(int(within.sum()), len(within), "response")


def _mean(days: pd.Series) -> float | None:
    return round(float(days.mean()), 1) if len(days) else None


def timeliness(cases: pd.DataFrame, fy: int, scope: Iterable[str], timescales: Mapping[str, Mapping[int, int]],
               extensions: Mapping[str, Mapping[int, int]], council_targets: Mapping[str, Mapping[int, int]] | None
               = None, *, clock_start: str = "received", region: str = DEFAULT_REGION,
               closures: Iterable = ()) -> list[Timeliness]:
    """Responses sent in ``fy``, per procedure in scope and stage (the stages with a timescale, a target or a
    response)."""
    t = timed(cases, fy, scope, timescales, extensions, council_targets, clock_start=clock_start, region=region,
              closures=closures)
    return summarised(t, scope, timescales, extensions, council_targets)


def summarised(t: pd.DataFrame, scope: Iterable[str], timescales: Mapping[str, Mapping[int, int]],
               extensions: Mapping[str, Mapping[int, int]], council_targets: Mapping[str, Mapping[int, int]] | None
               = None) -> list[Timeliness]:
    """:func:`timeliness` from the responses :func:`timed` gave (timed once, for this and the figures by service)."""
    scope, council_targets = list(scope), council_targets or {}
    groups = {key: rows for key, rows in t.groupby(["procedure", "stage"], sort=False)}
    out = []
    for proc in scope:
        answered = {int(stage) for p, stage in groups if p == proc}
        for stage in sorted(set(timescales.get(proc, {})) | set(council_targets.get(proc, {})) | answered):
            rows = groups.get((proc, float(stage)), t.iloc[:0])
            limit = None if (proc, stage) == PANEL else timescales.get(proc, {}).get(stage)
            target = council_targets.get(proc, {}).get(stage)
            out.append(Timeliness(
                proc, stage, len(rows), limit, extensions.get(proc, {}).get(stage, 0) if limit else 0,
                _share(rows["within"]) if limit else _share(None), int(rows["extended"].sum()),
                int(rows["late_unextended"].sum()), _mean(rows["days"]), int(rows["fallback"].sum()),
                _share(rows["six_months"]), target, _share(rows["council_within"]) if target else _share(None)))
    return out


# --- the children's review panel ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Panels:
    """The children's stage 3 review panels whose response was sent in a year."""

    sent: int                           # stage 3 responses sent in the year
    measurable: bool                    # the case log has a panel_date column
    timescale: int                      # working days from the request to the panel (regulation 19(4): 30)
    within: Share                       # panels within it, of those with a panel date
    undated: int                        # responses sent with no panel date
    average_days: float | None          # mean working days from the request to the response
    average_after_panel: float | None   # mean working days from the panel to the response (of those dated)


def panels(cases: pd.DataFrame, fy: int, timescale: int = 30, *, measurable: bool = True,
           region: str = DEFAULT_REGION, closures: Iterable = ()) -> Panels:
    """The review panels (children's stage 3) whose response was sent in ``fy``: how many met within
    ``timescale`` working days of the request (``panel_date``), and the working days from the request to the
    response. Without a panel_date column (``measurable`` False) the panel timescale cannot be measured."""
    mask = _sent(cases, fy, [PANEL[0]]) & (cases["stage"] == PANEL[1]).to_numpy(dtype=bool, na_value=False)
    rows = cases[mask]
    whole = working_days(rows["received"], rows["responded"], region, closures)
    panel = _column(rows, "panel_date")
    dated = panel.notna().to_numpy() & measurable
    to_panel = working_days(rows["received"][dated], panel[dated], region, closures)
    after = working_days(panel[dated], rows["responded"][dated], region, closures) if dated.any() else np.array([])
    within = Share(int((to_panel <= timescale).sum()), int(dated.sum()), "panel")
    return Panels(len(rows), measurable, timescale, within,
                  int((~dated).sum()) if measurable else 0, _mean(pd.Series(whole, dtype=float)),
                  _mean(pd.Series(after, dtype=float)))


# --- measures: what each figure is, so two reports' figures can be compared --------------------------------

def statutory_measure(t: Timeliness, period: str) -> Measure:
    """The measure of ``t.within``: the statutory (or the Code's) timescale, with its extension."""
    return timeliness_measure(t.procedure, t.stage, period, source="statutory", days=t.timescale,
                              extended_days=t.timescale + t.extension if t.extension else None,
                              clock=CLOCK[t.procedure])


def council_measure(t: Timeliness, period: str, clock_start: str) -> Measure:
    """The measure of ``t.council_within``: the Council's own target, timed from ``clock_start``, no extension."""
    return timeliness_measure(t.procedure, t.stage, period, source="council", days=t.council, clock=clock_start)


def six_months_measure(t: Timeliness, period: str) -> Measure:
    """The measure of ``t.six_months``: adult social care answered within six months of receipt."""
    return Measure("responses within six months", "statutory: six months from received (regulation 14)",
                   t.procedure, t.stage, period)


def panel_measure(p: Panels, period: str) -> Measure:
    """The measure of ``p.within``: review panels within the timescale of the request (regulation 19(4))."""
    return Measure("review panels within timescale", f"statutory: {p.timescale} working days from received to the "
                   "panel (regulation 19(4))", PANEL[0], PANEL[1], period)


def acknowledgement_measure(a: Acknowledgement, period: str) -> Measure:
    """The measure of ``a.share``: stage 1 complaints acknowledged within the procedure's timescale."""
    source = "statutory" if a.by_law else "the Code" if a.procedure == "corporate" else "council"
    return Measure("complaints acknowledged within timescale", f"{source}: {a.within_days} working days from "
                   "received", a.procedure, 1, period)


# --- the words: each figure names its basis ----------------------------------------------------------------

def versus(now: Share, before: Share, year: str, higher_is_better: bool = True) -> str:
    """How a share stands against the year before's, for the end of a clause: ", an improvement on the 16% in
    2019/20"; beside a share too small for a percentage (or suppressed), the year before's as it is, never a
    comparison of percentages: ", against 3 of 5 in 2019/20"; "" when the year before had none."""
    from .words import compare

    if before.empty and not before.suppressed:
        return ""
    if now.shows_pct and before.shows_pct:
        return f", {compare(before.pct, now.pct, higher_is_better)} the {before.pct_text()} in {year}"
    return f", against {before.table_text()} in {year}"


def moved(now: Share, before: Share, year: str) -> str:
    """Which way a share moved from the year before's, for the end of a clause, with no judgement in it (an upheld
    rate): ", up from 57% in 2019/20", ", the same as in 2019/20"; beside a share too small for a percentage, ",
    against 3 of 5 in 2019/20"; "" when the year before had none."""
    if before.empty and not before.suppressed:
        return ""
    if not (now.shows_pct and before.shows_pct):
        return f", against {before.table_text()} in {year}"
    if now.pct == before.pct:
        return f", the same as in {year}"
    return f", {'up' if now.pct > before.pct else 'down'} from {before.pct_text()} in {year}"


def one_decimal(value: float | None) -> str:
    """An average as the report prints it everywhere: one decimal ("29.0"), "none" when there is nothing to average."""
    return "none" if value is None else f"{value:,.1f}"


def basis_words(t: Timeliness, code_applies: bool) -> str:
    """What ``t.within`` measures, as the sentence says it: "within 25 working days, the regulations' timescale,
    or 65 where an extension was agreed"; "within 10 working days of acknowledgement, the Code's timescale, ...";
    "" when there is no statutory timescale."""
    if not t.timescale:
        return ""
    if t.procedure == "corporate":
        whose = "the Code's timescale" if code_applies else "the timescale of the Ombudsman's Complaint Handling Code"
        words = f"within {t.timescale} working days of acknowledgement, {whose}"
    else:
        words = f"within {t.timescale} working days, the regulations' timescale"
    return words + (f", or {t.timescale + t.extension} where an extension was agreed" if t.extension else "")


def council_words(t: Timeliness, clock_start: str) -> str:
    """What ``t.council_within`` measures: "within the Council's own target of 65 working days"."""
    if not t.council:
        return ""
    return f"within the Council's own target of {t.council} working days" + \
        (" of acknowledgement" if clock_start == "acknowledged" else "")


def lines(now: Sequence[Timeliness], before: Sequence[Timeliness], labels: Mapping[str, str], *, previous: str,
          code_applies: bool, clock_start: str = "received", below: int | None = None) -> list[dict]:
    """One line per procedure and stage for the narrative and the table: the statutory figure (adult social care:
    within six months) beside the year before's with the words for the change, the Council's own target's figure
    likewise, and the responses past the statutory timescale with no extension recorded; counts below ``below``
    published as [c] (see :func:`reportlib.narrative.suppress`)."""
    from .figures import suppress

    earlier = {(t.procedure, t.stage): t for t in before}
    out = []
    for t in now:
        was = earlier.get((t.procedure, t.stage))
        kind = "panel" if (t.procedure, t.stage) == PANEL else "six_months" if t.procedure == "adults" else \
            "timescale" if t.timescale else "none"
        statutory = {"timescale": "within", "six_months": "six_months"}.get(kind)
        share = suppress(getattr(t, statutory) if statutory else _share(None), below)
        prior = suppress(getattr(was, statutory) if statutory and was else _share(None), below)
        council = suppress(t.council_within, below)
        council_prior = suppress(was.council_within if was and t.council == was.council else _share(None), below)
        out.append({
            "key": f"{t.procedure}_{t.stage}", "procedure": labels.get(t.procedure, t.procedure), "stage": t.stage,
            "kind": kind, "basis": basis_words(t, code_applies), "timescale": t.timescale or 0,
            "extension": t.extension, "sent": t.sent, "share": share, "before": prior,
            "versus": versus(share, prior, previous), "council": t.council or 0,
            "council_basis": council_words(t, clock_start), "council_share": council, "council_before": council_prior,
            "council_versus": versus(council, council_prior, previous),
            "extended": suppress(t.extended, below), "late_unextended": suppress(t.late_unextended, below),
            "average": t.average_days, "average_text": one_decimal(t.average_days), "fallbacks": t.fallbacks})
    return out


def _timescale_cell(line: Mapping, panel_days: int) -> str:
    if line["kind"] == "panel":
        return f"Panel within {panel_days} of the request"
    if line["kind"] == "six_months":
        return "None (six months: regulation 14)"
    if line["kind"] == "none":
        return "None"
    return f"{line['timescale']}" + (f" (+{line['extension']})" if line["extension"] else "")


def _stage_cell(line: Mapping, single: bool) -> str:
    return f"Stage {line['stage']}" if single else f"{line['procedure']} stage {line['stage']}"


def table(lines: Sequence[Mapping], previous: str, *, single: bool, panel: Mapping | None = None) \
        -> tuple[list[str], list[list], list[str]]:
    """The statutory timeliness table of :func:`lines` (columns, rows, notes): the review panel's row from
    ``panel`` (the glued ``panel`` figure: ``within``, ``before``, ``timescale``); columns no row fills left out; a
    note only for what the table shows (brackets, "no cases")."""
    from .annual import without_empty_columns

    columns = ["Stage" if single else "Procedure and stage", "Statutory timescale (working days)", "Responses sent",
               "Within timescale", f"Within timescale {previous}", "Past the timescale, no extension recorded",
               "Average working days"]
    rows = []
    for t in lines:
        share, before = (panel["within"], panel["before"]) if t["kind"] == "panel" and panel else \
            (t["share"], t["before"])
        timed = t["kind"] != "none"
        unmeasured = t["kind"] == "panel" and panel is not None and not panel["measurable"]
        rows.append([_stage_cell(t, single), _timescale_cell(t, panel["timescale"] if panel else 0), f"{t['sent']:,}",
                     *(["not measured"] * 2 if unmeasured else
                       [share.pct_text() if timed else "", before.pct_text() if timed else ""]),
                     t["late_unextended"] if t["kind"] == "timescale" else "",
                     "no cases" if t["average"] is None else one_decimal(t["average"])])
    columns, rows = without_empty_columns(columns, rows)
    notes = (["Timescales in brackets are the extra working days allowed when an extension was agreed."]
             if any(t["extension"] for t in lines) else [])
    if any("no cases" in str(cell) for row in rows for cell in row):
        notes.append("'no cases' means no response was sent.")
    if any("not measured" in row for row in rows):
        notes.append("'not measured': the case log has no panel_date column, so the timescale of the review panel "
                     "cannot be measured.")
    return columns, rows, notes


def council_table(lines: Sequence[Mapping], previous: str, *, single: bool) \
        -> tuple[list[str], list[list], list[str]]:
    """The table of the responses against the Council's own targets (columns, rows, notes): the lines that have
    one; no rows when none has."""
    rows = [[_stage_cell(t, single), t["council"], f"{t['sent']:,}", t["council_share"].pct_text(),
             t["council_before"].pct_text()] for t in lines if t["council"]]
    notes = ["'no cases' means no response was sent."] if any("no cases" in r[3:] for r in rows) else []
    return (["Stage" if single else "Procedure and stage", "The Council's own target (working days)",
             "Responses sent", "Within the target", f"Within the target {previous}"], rows, notes)
