"""The words the case log, the params files and the renderer share: canonical columns, procedures, the standard
implication sections and the output formats. No imports of reportlib's own but the errors: every layer may use
these."""

from __future__ import annotations

import typing
from typing import Any, Literal

from .errors import cut

#: The case log's canonical columns (SPEC "Input 1"), in the order a params file's ``columns:`` lists them.
CANONICAL_COLUMNS = (
    "case_ref", "kind", "procedure", "stage", "received", "acknowledged", "responded",
    "team", "service", "delay_reason", "outcome", "extended",
    "subject", "remedy", "compensation", "refused_reason", "ombudsman", "complainant",
    "ombudsman_body", "panel_date", "advocacy",
)
Canonical = Literal[CANONICAL_COLUMNS]  # type: ignore[valid-type]
Procedure = Literal["childrens", "adults", "corporate"]
#: The procedures, as a report's scope lists them by default.
PROCEDURES: tuple[str, ...] = typing.get_args(Procedure)
#: The standard implication sections of a committee paper, in their order.
IMPLICATIONS = ("finance", "law", "equality", "human_resources", "commercial", "health_and_wellbeing")

#: Every format reportlib makes, in the order they are made, and the file each writes in a report folder (named here,
#: not only in its module, so that naming a report folder's files loads no renderer).
FORMAT_FILES = {"html": "report.html", "pdf": "report.pdf", "docx": "report.docx", "xlsx": "tables.xlsx"}
FORMATS = tuple(FORMAT_FILES)
#: Formats a project added (``reportlib.formats.register``), made after those.
_ADDED: list[str] = []


def known_formats() -> tuple[str, ...]:
    """Every format a render can make: reportlib's own, then any a project registered."""
    return FORMATS + tuple(_ADDED)
#: What a render makes when the params file does not say (``formats:``).
DEFAULT_FORMATS = ("html", "pdf")


def check_formats(value: Any) -> tuple[str, ...]:
    """``[docx, xlsx]`` (or ``"docx,xlsx"``) as the formats to make, in :data:`FORMATS` order; an unknown one is
    refused (ValueError) with the valid ones listed."""
    known = known_formats()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ValueError(f"should be a list of formats from {', '.join(known)}, e.g. [html, pdf, docx]")
    names = [str(item).strip().lower() for item in items if str(item).strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown format '{cut(unknown[0])}': use {', '.join(known[:-1])} or {known[-1]}")
    if not names:
        raise ValueError(f"should name at least one format: {', '.join(known[:-1])} or {known[-1]}")
    return tuple(f for f in known if f in names)
