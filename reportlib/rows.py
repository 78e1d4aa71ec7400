"""Validate a case log's rows: canonical text columns in, typed cases and each bad row's problems out.

:func:`validate` takes what :func:`reportlib.sources.read` found (a table of text in the canonical columns, with
spreadsheet row numbers: a :class:`~reportlib.caselog.RawLog`) and gives a :class:`~reportlib.caselog.CaseLog`:
the typed cases and the problems. Bad rows never raise: they are excluded and listed with the column, the value
and what to do about it; nothing is dropped silently.

Every text operation runs once per distinct value of a column (:class:`~reportlib.columns.Text`) and is spread
back to the rows by its codes, so a million rows cost about as much as their few thousand distinct dates, teams
and codes. This module knows nothing about files.
"""

from __future__ import annotations

import datetime as dt
from typing import Mapping

import numpy as np
import pandas as pd

from .caselog import (  # noqa: F401 - the case log's vocabulary and shapes are part of this module's API
    COMPLAINANTS, DATE_COLUMNS, KINDS, OMBUDSMAN, OMBUDSMAN_BODIES, OUTCOMES, PROBLEM_COLUMNS, PROCEDURES, REMEDIES,
    TEXT_COLUMNS, CaseLog, RawLog, distinct_categorical, held_by_arrow,
)
from .columns import (  # noqa: F401 - parse_dates and UNKNOWN_REMEDY are part of this module's API
    DATE_DTYPE, UNKNOWN_REMEDY, Text, category, choice, dates_of, map_values, parse_dates, positions, pounds,
    remedies, yes_no,
)
from .vocabulary import CANONICAL_COLUMNS

UNKNOWN_OUTCOME = ("unknown outcome: use upheld, partly upheld, not upheld or withdrawn, or map it under values: "
                   "outcome: in the params file")
BAD_COMPENSATION = "compensation is not an amount in pounds (e.g. 250 or £1,250.50)"
UNKNOWN_OMBUDSMAN = ("unknown Ombudsman decision: use pending, upheld, not upheld or not investigated, or map it "
                     "under values: ombudsman: in the params file")
UNKNOWN_BODY = ("unknown Ombudsman: use lgsco (the Local Government and Social Care Ombudsman) or housing (the Housing "
                "Ombudsman), or map it under values: ombudsman_body: in the params file")
STAGE3_EXTENDED = ("extended at stage 3: the children's review panel has no extension (regulation 19 of the 2006 "
                   "Regulations); correct extended to no")
CORPORATE_STAGE3 = ("corporate stage 3: the Complaint Handling Code has two stages; if the Council runs a third, add "
                    "local_stage3: yes to the params file")


class _Check:
    """The rows being checked, and what was found: each problem listed, each excluded row marked bad."""

    def __init__(self, raw: RawLog, values: Mapping[str, Mapping[str, str]] | None):
        frame = raw.frame
        self.n = len(frame)
        self.row = frame["row"].to_numpy(dtype=np.int64)
        blank = Text(np.array([""], dtype=object), np.zeros(self.n, dtype=np.intp))
        self.cols = {canon: Text.of(raw, canon) if canon in frame else blank for canon in CANONICAL_COLUMNS}
        if pd.api.types.infer_dtype(self.cols["case_ref"].uniques, skipna=False) != "string":  # numbers: a sheet's
            self.cols["case_ref"] = self.cols["case_ref"].each(lambda u: u.astype(str))
        values = dict(values or {})
        self.remedy_codes = values.pop("remedy", None)  # mapped per item, in remedies()
        map_values(self.cols, values)
        self.found: list[pd.DataFrame] = []
        self.bad = np.zeros(self.n, dtype=bool)

    def flag(self, mask, column: str, problem, action: str = "excluded") -> None:
        """List the rows in ``mask`` with ``problem`` (text, or one per row); excluded unless ``action`` says kept."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.found.append(pd.DataFrame({
            "row": self.row[mask], "case_ref": self.cols["case_ref"].at(mask), "column": column,
            "value": self.cols[column].at(mask),
            "problem": problem[mask] if isinstance(problem, np.ndarray) else problem, "action": action}))
        if action == "excluded":
            self.bad |= mask

    def keys(self) -> None:
        """case_ref, kind, procedure and (on a complaint) stage: each must be there and known."""
        cols = self.cols
        self.flag(cols["case_ref"].test(lambda u: u == ""), "case_ref", "case_ref is blank")
        self.kind = cols["kind"].each(lambda u: u.str.lower())
        self.flag(self.kind.test(lambda u: ~u.isin(KINDS)), "kind",
                  "unknown kind: use complaint, comment or compliment, or map it under values: kind: in the params file")
        self.procedure = cols["procedure"].each(lambda u: u.str.lower())
        self.flag(self.procedure.test(lambda u: ~u.isin(PROCEDURES)), "procedure", "unknown procedure: use childrens, "
                  "adults or corporate, or map it under values: procedure: in the params file")
        stage_text = cols["stage"].each(
            lambda u: u.str.lower().str.replace(r"^stage\s*", "", regex=True).str.replace(r"\.0$", "", regex=True))
        stage_of = pd.to_numeric(stage_text.uniques.where(stage_text.uniques.isin(["1", "2", "3"])), errors="coerce")
        self.stage = stage_text.take(np.append(stage_of.to_numpy(dtype=float), np.nan))
        self.complaint = self.kind.test(lambda u: u == "complaint")
        stage_blank = stage_text.test(lambda u: u == "")
        self.flag(self.complaint & stage_blank, "stage", "stage is blank on a complaint: give 1, 2 or 3")
        self.flag(self.complaint & ~stage_blank & np.isnan(self.stage), "stage", "unknown stage: use 1, 2 or 3")

    def dates(self, latest: dt.date | None) -> None:
        """Each date readable, none before the date received, none after the meeting (``latest``)."""
        self.date = {}
        for col in DATE_COLUMNS:
            parsed, problem = dates_of(self.cols[col])
            self.date[col] = parsed
            self.flag(problem != "", col, problem)
        self.flag(self.cols["received"].test(lambda u: u == ""), "received", "received is blank")
        received = self.date["received"]
        self.flag(self.date["responded"] < received, "responded", "responded before received")
        self.flag(self.date["acknowledged"] < received, "acknowledged", "acknowledged before received")
        self.flag(self.date["panel_date"] < received, "panel_date",
                  "panel_date before received (the request for a review panel)")
        if latest is not None:
            limit = np.datetime64(pd.Timestamp(latest).date(), "D").astype(DATE_DTYPE)
            for col in DATE_COLUMNS:
                self.flag(self.date[col] > limit, col,
                          f"date is after the meeting date ({latest:%d/%m/%Y}): a typo or a future date")

    def optional(self) -> None:
        """The optional columns with a fixed list of values, typed per row; each row holding anything else flagged."""
        cols, flag = self.cols, self.flag
        extended, _, bad = yes_no(cols["extended"])
        flag(bad, "extended", "extended must be yes or no")
        yes, no, bad = yes_no(cols["advocacy"])  # blank: not recorded (missing), not no
        flag(bad, "advocacy", "advocacy must be yes or no (blank: not recorded)")
        outcome, unknown = choice(cols["outcome"], OUTCOMES)
        flag(unknown, "outcome", UNKNOWN_OUTCOME)
        remedy, problem = remedies(cols["remedy"], self.remedy_codes)
        flag(problem != "", "remedy", problem)
        compensation, unknown = pounds(cols["compensation"])
        flag(unknown, "compensation", BAD_COMPENSATION)
        ombudsman, unknown = choice(cols["ombudsman"], OMBUDSMAN)
        flag(unknown, "ombudsman", UNKNOWN_OMBUDSMAN)
        body, unknown = choice(cols["ombudsman_body"], OMBUDSMAN_BODIES)
        flag(unknown, "ombudsman_body", UNKNOWN_BODY)
        self.typed = {"outcome": outcome, "extended": extended, "remedy": remedy, "compensation": compensation,
                      "ombudsman": ombudsman, "ombudsman_body": body,
                      "advocacy": pd.arrays.BooleanArray(yes, ~(yes | no))}

    def law(self, local_stage3: bool) -> None:
        """The law's stages: the children's review panel (stage 3) has no extension; the Code has two stages."""
        at_stage3 = self.complaint & (self.stage == 3)
        self.flag(at_stage3 & self.procedure.test(lambda u: u == "childrens") & self.typed["extended"], "extended",
                  STAGE3_EXTENDED)
        if not local_stage3:
            self.flag(at_stage3 & self.procedure.test(lambda u: u == "corporate"), "stage", CORPORATE_STAGE3)

    def duplicates(self) -> None:
        """Among otherwise good rows, a second of the same case_ref, stage and kind: the first is kept. The key as
        one integer: case_ref's code, stage 0-3, kind code 0-2."""
        kind_code = positions(self.kind, KINDS) + 1
        stage_key = np.where(self.complaint, np.nan_to_num(self.stage, nan=0.0), 0).astype(np.int64)
        key = (self.cols["case_ref"].codes.astype(np.int64) * 4 + stage_key) * 4 + kind_code
        good = np.flatnonzero(~self.bad)
        good_key = pd.Series(key[good])
        dup_good = good_key.duplicated(keep="first").to_numpy()
        if not dup_good.any():
            return
        first_row = pd.Series(self.row[good]).groupby(good_key.to_numpy(), sort=False).transform("first").to_numpy()
        dup = np.zeros(self.n, dtype=bool)
        dup[good[dup_good]] = True
        same_as = np.full(self.n, "", dtype=object)
        same_as[good[dup_good]] = ["duplicate case_ref + stage + kind: same as row " + str(r)
                                   for r in first_row[dup_good]]
        self.flag(dup, "case_ref", same_as)

    def cases(self) -> pd.DataFrame:
        """The rows kept, each column typed."""
        keep, cols, typed, date = ~self.bad, self.cols, self.typed, self.date
        texts = {c: category(cols[c])[keep] for c in ("team", "service", "delay_reason", "subject", "refused_reason",
                                                       "complainant")}
        return pd.DataFrame({
            "row": self.row[keep],
            # Categorical, its categories the distinct refs: the hashing is done, so stats' drop_duplicates is cheap.
            # Held by Arrow, one buffer rather than a Python string each: there are about as many as rows, and a
            # render hands them to its kernel.
            "case_ref": held_by_arrow(cols["case_ref"].categorical())[keep],
            "kind": pd.Categorical.from_codes(positions(self.kind, KINDS)[keep], categories=KINDS),
            "procedure": pd.Categorical.from_codes(positions(self.procedure, PROCEDURES)[keep], categories=PROCEDURES),
            "stage": pd.Series(self.stage[keep]).where(self.complaint[keep]).astype("Int8"),
            **{c: pd.Series(date[c][keep], dtype=DATE_DTYPE) for c in ("received", "acknowledged", "responded")},
            "team": texts["team"], "service": texts["service"], "delay_reason": texts["delay_reason"],
            "outcome": typed["outcome"][keep], "extended": typed["extended"][keep], "subject": texts["subject"],
            "remedy": typed["remedy"][keep], "compensation": typed["compensation"][keep],
            "refused_reason": texts["refused_reason"], "ombudsman": typed["ombudsman"][keep],
            "complainant": texts["complainant"], "ombudsman_body": typed["ombudsman_body"][keep],
            "panel_date": pd.Series(date["panel_date"][keep], dtype=DATE_DTYPE), "advocacy": typed["advocacy"][keep],
        })

    def orphans(self, cases: pd.DataFrame) -> None:
        """Later stages whose case has no stage 1: kept (the log may start mid-case) but listed."""
        keep = ~self.bad
        complaint, stage, ref = self.complaint[keep], self.stage[keep], self.cols["case_ref"].codes[keep]
        has_one = np.zeros(len(self.cols["case_ref"].uniques) + 1, dtype=bool)
        has_one[ref[complaint & (stage == 1)]] = True
        orphan = complaint & (stage > 1) & ~has_one[ref]
        if orphan.any():
            sub = cases[orphan]
            self.found.append(pd.DataFrame({
                "row": sub["row"].to_numpy(), "case_ref": sub["case_ref"].to_numpy(), "column": "stage",
                "value": sub["stage"].astype(str).to_numpy(), "action": "kept",
                "problem": "no stage 1 row for this case: counted from its first stage in the log"}))

    def broken(self, broken: pd.DataFrame | None) -> int:
        """Rows the reader could not split into the header's columns: listed by number and problem only (their cells
        may hold a note's personal text), excluded, and counted as read. Returns how many."""
        if broken is None or not len(broken):
            return 0
        self.found.append(pd.DataFrame({"row": broken["row"].to_numpy(dtype=np.int64), "case_ref": "", "column": "",
                                        "value": "", "problem": broken["problem"].to_numpy(dtype=object),
                                        "action": "excluded"}))
        return len(broken)

    def problems(self) -> pd.DataFrame:
        problems = pd.concat(self.found, ignore_index=True) if self.found else pd.DataFrame(columns=PROBLEM_COLUMNS)
        return problems.sort_values(["row", "column"], kind="stable").reset_index(drop=True)


def validate(raw: RawLog, values: Mapping[str, Mapping[str, str]] | None = None,
             latest: dt.date | None = None, *, local_stage3: bool = False) -> CaseLog:
    """Typed cases and the problems of each bad row.

    ``values`` maps export codes to canonical values per column (``remedy``: per item); ``latest``
    is the last possible date (the meeting date): a date after it is a typo. ``local_stage3``: the
    council runs a third stage for corporate complaints (the Code has two: else a corporate stage 3
    row is a bad row).
    """
    check = _Check(raw, values)
    check.keys()
    check.dates(latest)
    check.optional()
    check.law(local_stage3)
    check.duplicates()
    cases = check.cases()
    check.orphans(cases)
    read = check.n + check.broken(getattr(raw, "broken", None))
    present = frozenset(c for c in raw.frame.columns if c in CANONICAL_COLUMNS)
    return CaseLog(cases, check.problems(), read, raw.label, list(raw.notes), present)
