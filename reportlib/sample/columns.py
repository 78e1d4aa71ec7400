"""The sample's optional columns, drawn after everything else from generators of their own (see
:mod:`reportlib.sample`): subjects, remedies and compensation, the Ombudsman, complainants, housing, and the
law's stages with panel dates and advocacy."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..workdays import due_dates, working_days
from .cases import _choice, _refusals, _weighted_pick
from .settings import (
    ADVOCACY_CHANCE, ADVOCACY_OTHERWISE, ADVOCACY_UNRECORDED, COMPLAINANT_WEIGHTS, DECISIONS, HOUSING_FROM,
    HOUSING_REPAIRS, HOUSING_SHARE, OMBUDSMAN_CHANCE, PANEL_SHARE, REMEDY_CHANCES, SUBJECTS, SUBJECT_WEIGHTS,
)


def _per_case(log: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's case (an index into the cases, in order of first appearance) and each case's first row."""
    case, _ = pd.factorize(log["case_ref"])
    first = np.flatnonzero(~pd.Series(case).duplicated().to_numpy())
    return case, first


def _housing(rng: np.random.Generator, log: pd.DataFrame) -> None:
    """A council that is a landlord: a share of the corporate cases about customer services and
    council tax become housing repairs and housing management cases (service and team only)."""
    case, first = _per_case(log)
    eligible = ((log["procedure"] == "corporate") & log["service"].isin(HOUSING_FROM)).to_numpy()
    moved = (rng.random(len(first)) < HOUSING_SHARE)[case] & eligible
    repairs = (rng.random(len(first)) < HOUSING_REPAIRS)[case]
    log.loc[moved, "service"] = np.where(repairs, "Housing Repairs", "Housing Management")[moved]
    log.loc[moved, "team"] = "Housing"


def _subjects(rng: np.random.Generator, log: pd.DataFrame) -> np.ndarray:
    """What each complaint is about (one subject per case, every stage), by procedure and service."""
    case, first = _per_case(log)
    rows = log.iloc[first]
    group = np.where(rows["procedure"] != "corporate", rows["procedure"],
                     np.where(rows["service"].isin(SUBJECT_WEIGHTS), rows["service"], "corporate"))
    weights = np.array([SUBJECT_WEIGHTS[g] for g in SUBJECT_WEIGHTS])[pd.Index(list(SUBJECT_WEIGHTS)).get_indexer(group)]
    subject = _weighted_pick(rng, SUBJECTS, weights)[case]
    return np.where((log["kind"] == "complaint").to_numpy(), subject, "")


def _remedies(rng: np.random.Generator, log: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Remedies of the upheld and partly upheld responses (``;``-separated, in the standard order),
    and the compensation paid (pounds) where one was financial."""
    n = len(log)
    upheld = (log["outcome"] == "upheld").to_numpy()
    well_founded = upheld | (log["outcome"] == "partly upheld").to_numpy()
    later = (log["stage"] > 1).to_numpy()
    procedure = log["procedure"].to_numpy()
    remedy = np.full(n, "", dtype=object)
    for name, p in REMEDY_CHANCES.items():   # a handful of remedies, each a column of draws
        p = np.where(upheld, p, p * 0.8)
        if name == "financial":
            p = np.where(procedure == "adults", p * 2.0, p) * np.where(later, 2.5, 1.0)
        given = well_founded & (rng.random(n) < p)
        remedy = np.where(given, np.where(remedy == "", name, remedy + ";" + name), remedy)
    remedy = np.where(well_founded & (remedy == ""), "apology", remedy)  # an upheld complaint has some remedy
    financial = pd.Series(remedy).str.contains("financial", regex=False).to_numpy()
    # £50 to £2,000, most of it small: goodwill payments of £50-£250, the odd refund of charges in four figures.
    pounds = np.clip(np.exp(rng.normal(np.log(150), 0.9, n)), 50, 2000)
    pence = rng.random(n) < 0.25                                 # refunds to the penny, goodwill in fives
    pounds = np.where(pence, np.round(pounds, 2), np.round(pounds / 5) * 5)
    amount = pd.Series(np.char.mod("%.2f", pounds)).str.replace(r"\.00$", "", regex=True).to_numpy(dtype=object)
    return remedy, np.where(financial, amount, "")


def _ombudsman(rng: np.random.Generator, log: pd.DataFrame) -> np.ndarray:
    """The Ombudsman's decision, on the last stage of the few answered complaints taken to it:
    mostly not investigated (premature or closed after initial enquiries), recent ones pending."""
    n = len(log)
    procedure, stage = log["procedure"].to_numpy(), log["stage"].to_numpy()
    responded = log["responded"].to_numpy(dtype="datetime64[D]")
    answered = ((log["kind"] == "complaint") & log["last"].eq(True) & (log["outcome"] != "withdrawn")
                & (log["outcome"] != "") & (log["refused_reason"] == "")).to_numpy() & ~np.isnat(responded)
    finished = ((procedure == "corporate") & (stage >= 2)) | (procedure == "adults") \
        | ((procedure == "childrens") & (stage == 3))   # the council's procedure is over
    p = np.select([(procedure == "corporate") & finished, procedure == "adults", finished],
                  [OMBUDSMAN_CHANCE["corporate"], OMBUDSMAN_CHANCE["adults"], OMBUDSMAN_CHANCE["childrens"]],
                  OMBUDSMAN_CHANCE["premature"])
    taken = answered & (rng.random(n) < p)
    decided = _weighted_pick(rng, list(DECISIONS), np.tile(list(DECISIONS.values()), (n, 1)))
    decided = np.where(finished, decided, "not investigated")   # premature: sent back to the council
    waiting = np.select([responded >= np.datetime64("2021-01-01"), responded >= np.datetime64("2020-10-01")],
                        [0.85, 0.35], 0.0)
    decision = np.where(rng.random(n) < waiting, "pending", decided)
    return np.where(taken, decision, "")


def _optional(log: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The log with the refused complaints added and the optional columns filled in."""
    refused = _refusals(rng)
    refused["person"] = 0
    log = pd.concat([log.assign(refused_reason=""), refused], ignore_index=True)
    # Existing rows keep their order and their people; the refused ones slot in by date.
    log = log.sort_values(["received", "case_ref", "stage"], kind="stable").reset_index(drop=True)
    new = log["person"].eq(0).to_numpy()
    log.loc[new, "person"] = log["person"].max() + np.arange(1, int(new.sum()) + 1)
    _housing(rng, log)
    log["subject"] = _subjects(rng, log)
    log["remedy"], log["compensation"] = _remedies(rng, log)
    log["ombudsman"] = _ombudsman(rng, log)
    case, first = _per_case(log)
    who = _choice(rng, COMPLAINANT_WEIGHTS, len(first))[case]
    log["complainant"] = np.where(((log["procedure"] == "childrens") & (log["kind"] == "complaint")).to_numpy(),
                                  who, "")
    return log


def _law(log: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The law as written (no corporate stage 3, no extension at the review panel) and the panel date,
    Ombudsman and advocacy columns, drawn from a generator of their own."""
    log = log[~((log["procedure"] == "corporate") & (log["stage"] == 3)).to_numpy()].reset_index(drop=True)
    panel = ((log["procedure"] == "childrens") & (log["stage"] == 3)).to_numpy()
    log.loc[panel, "extended"] = "no"
    received = log["received"].to_numpy(dtype="datetime64[D]")
    responded = log["responded"].to_numpy(dtype="datetime64[D]")
    answered = panel & ~np.isnat(responded)
    days = working_days(received[answered], responded[answered])
    met = np.clip(np.round(days * rng.uniform(*PANEL_SHARE, len(days))), 1, days).astype(np.int64)
    log["panel_date"] = np.datetime64("NaT")
    log.loc[answered, "panel_date"] = due_dates(received[answered], met)
    housing = log["service"].isin(["Housing Repairs", "Housing Management"]).to_numpy()
    log["ombudsman_body"] = np.where(log["ombudsman"] == "", "", np.where(housing, "housing", "lgsco"))
    case, first = _per_case(log)
    who = log["complainant"].to_numpy(dtype=object)[first]
    chance = pd.Series(who).map(ADVOCACY_CHANCE).fillna(ADVOCACY_OTHERWISE).to_numpy()
    said = np.where(rng.random(len(first)) < chance, "yes", "no")
    said = np.where(rng.random(len(first)) < ADVOCACY_UNRECORDED, "", said)[case]
    childrens = ((log["procedure"] == "childrens") & (log["kind"] == "complaint")).to_numpy()
    log["advocacy"] = np.where(childrens & (log["refused_reason"] == "").to_numpy(), said, "")
    return log
