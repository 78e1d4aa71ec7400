"""The bundled synthetic case log: realistic enough that both reports say something meaningful.

A county-sized council's complaints, comments and compliments export, taken on 30 June 2021:
six financial years (2015/16 to 2020/21) and the first quarter of 2021/22, all three
procedures (statutory children's social care, statutory adult social care, corporate),
complaint stages 1-3 (later stages share the stage 1 ``case_ref``), teams and services,
delay reasons on late responses, outcomes, extensions, open cases (recent ones and a few old
ones stuck open), fewer receipts over Christmas and at the start of the 2020 lockdown, and two
columns of invented personal data (``complainant_name``, ``contact_email``) that reportlib
must drop at the door.

The story the figures tell (the two example reports in ``shared/examples``):

* Children's Services stage 1: about 40% within 20 working days until a revised process
  started on 18 August 2020, about 65% since.
* Stage 2: children's statutory investigations (65 working days) almost never in time
  before 2020, about a third in Q3 2020/21 and half in Q4 2020/21; corporate (25 working
  days) between 40% and 60% from quarter to quarter.
* Corporate complaints fall sharply in 2020/21 (covid); corporate compliments fall over
  six years while children's and, more sharply, adults' compliments rise.

The optional columns (SPEC "Input 1"), for the annual report, drawn from a generator of their
own (``seed + 1``) after everything above, so that every row and value above is exactly what it
was before they existed (``generate(optional=False)`` gives that log, byte for byte) apart from
the housing cases' service and team:

* ``subject`` on every complaint row (one per case), from the council's own list, in
  proportions that differ by procedure and service (Charges and payments mostly council tax,
  Repairs only housing).
* ``remedy`` on every upheld or partly upheld response: mostly an apology, often an
  explanation, some service improvement or action taken, a few financial; ``compensation``
  (£50-£2,000, median about £135, a quarter to the penny) on the financial ones.
* ``ombudsman`` on the last stage of a few answered complaints: about 7% of corporate cases
  whose stage 2 or 3 was answered, 3% of adults', 15% of children's stage 3, and a few premature
  ones (not investigated); decisions mostly not investigated, recent ones pending.
* ``complainant`` on children's social care complaints (one per case): parent or carer 60%,
  child or young person 15%, advocate 10%, other 15%.
* Housing: about a third of the corporate cases about Customer Services or Council Tax and
  Benefits (8% of corporate cases) are Housing Repairs or Housing Management cases, team
  Housing (only their service and team change), so the council is a landlord.
* Refused complaints: extra stage 1 rows (``CSC-R-2020-00001``...), about 4% of each year's
  complaints, with a ``refused_reason``, no acknowledgement, no outcome, and as ``responded`` the
  date of the letter saying why (1-10 working days; blank if not sent by the extract). They
  slot in by date; the existing rows keep their order and their invented complainants, and
  the refused ones get new ones. The reports never count them as received or responded to.

Then the law as written, and three more optional columns, from a third generator (``seed + 2``) so
that everything above keeps its values:

* The Complaint Handling Code has two stages: the few corporate stage 3 rows are left out (the
  council runs no local third stage), and the children's review panel has no extension
  (``extended`` is no on every children's stage 3 row).
* ``panel_date`` on the children's stage 3 rows answered: the day the review panel met, half to
  four fifths of the way from the request to the response (most within the 30 working days of
  regulation 19(4)).
* ``ombudsman_body`` wherever ``ombudsman`` is given: ``housing`` (the Housing Ombudsman) for
  complaints about the council's homes, else ``lgsco``.
* ``advocacy`` on children's social care complaints (one per case): yes where an advocate made
  the complaint, for 60% of those a child or young person made and 5% of the rest; a few not
  recorded (blank).

Times are drawn as working-day counts and turned into dates with
:func:`reportlib.workdays.due_dates`, so the working days taken are exact. Everything is
vectorised numpy/pandas (loops run over procedures, kinds, years, stages and remedies, never cases)
and deterministic: the same seed writes the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..workdays import due_dates
from .cases import _complaints, _first_rows, _uk
from .columns import _law, _optional
from .settings import (
    BASE_COLUMNS, COLUMNS, EXTRACT, OPTIONAL_COLUMNS, PROCEDURES, SEED,
)


DEFAULT_PATH = Path("data/sample_case_log.csv")


def _log(rng: np.random.Generator) -> pd.DataFrame:
    """Every representation as generated, sorted, with its invented complainant's number (``person``)."""
    frames = []
    for proc in PROCEDURES:
        frames.append(_complaints(rng, proc))
        for kind in ("comment", "compliment"):
            frames.append(_first_rows(rng, proc, kind).assign(stage=0))
    log = pd.concat(frames, ignore_index=True)
    extract = np.datetime64(EXTRACT, "D")
    log = log[log["received"].to_numpy() <= extract].reset_index(drop=True)
    complaint = (log["kind"] == "complaint").to_numpy()

    # What the extract could not know yet: responses after it. Plus a few cases stuck open.
    responded = log["responded"].to_numpy(dtype="datetime64[D]")
    received = log["received"].to_numpy(dtype="datetime64[D]")
    last = log["last"].eq(True).to_numpy()
    old = received < np.datetime64("2019-04-01")
    stuck = complaint & last & (rng.random(len(log)) < np.where(old, 0.002, 0.012)) \
        & (received < np.datetime64("2021-03-01"))
    open_ = complaint & ((responded > extract) | stuck)
    log.loc[open_, "responded"] = np.datetime64("NaT")
    log.loc[open_, ["delay_reason", "outcome"]] = ""
    # An open case past its due date has had an extension agreed now and then.
    log.loc[open_, "extended"] = np.where(
        (log.loc[open_, "days"] > log.loc[open_, "target"]).to_numpy()
        & (due_dates(received[open_], log.loc[open_, "target"].to_numpy(dtype=np.int64)) < extract)
        & (rng.random(int(open_.sum())) < 0.2), "yes", "no")
    ack = log["acknowledged"].to_numpy(dtype="datetime64[D]")
    log.loc[ack > extract, "acknowledged"] = np.datetime64("NaT")

    log = log.sort_values(["received", "case_ref", "stage"], kind="stable").reset_index(drop=True)
    # One invented complainant per case, numbered in order of first appearance.
    log["person"] = pd.factorize(log["case_ref"])[0] + 1
    return log


def generate(seed: int = SEED, optional: bool = True) -> pd.DataFrame:
    """The synthetic case log: a DataFrame of text in the export's columns and order.

    ``optional=False`` gives the log as it was before the optional columns (subject, remedy,
    compensation, refused_reason, ombudsman, complainant) and the refused rows were added:
    the same rows and values, which the log with them keeps apart from the housing cases' service
    and team."""
    log = _log(np.random.default_rng(seed))
    if optional:
        log = _optional(log, np.random.default_rng(seed + 1))
        log = _law(log, np.random.default_rng(seed + 2))
    person = pd.Series(log["person"]).astype(int).astype(str).str.zfill(5)
    out = pd.DataFrame({
        "case_ref": log["case_ref"],
        "kind": log["kind"],
        "procedure": log["procedure"],
        "stage": log["stage"].astype(int).astype(str).replace("0", ""),
        "received": _uk(log["received"]),
        "acknowledged": _uk(log["acknowledged"]),
        "responded": _uk(log["responded"]),
        "team": log["team"],
        "service": log["service"],
        "delay_reason": log["delay_reason"].fillna(""),
        "outcome": log["outcome"].fillna(""),
        "extended": log["extended"].fillna(""),
        "complainant_name": "Person " + person,
        "contact_email": "person" + person + "@example.org",
    })
    if not optional:
        return out[BASE_COLUMNS]
    log["panel_date"] = _uk(log["panel_date"])
    for col in OPTIONAL_COLUMNS:
        out[col] = log[col].fillna("")
    return out[COLUMNS]


def write(path: Path | str = DEFAULT_PATH, seed: int = SEED) -> int:
    """Write the sample CSV (UTF-8 without BOM, ``\\n`` line endings); returns the number of rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    log = generate(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        log.to_csv(f, index=False, lineterminator="\n")
    return len(log)
