"""The per-meeting params file: parsed, typed, frozen; unknown keys refused.

One model per report notebook (``REPORTS``): the shipped reports' are written out
here; a report made with ``reportlib new`` declares its own keys in its notebook's
parameters cell, and its model is built from that cell (``declared_model``). The
same models check the YAML file before anything runs (``load``) and, inside the
notebook, the values Papermill injected (``from_namespace``), so both paths agree on
every rule; ``reportlib describe`` lists them (``describe``).
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import io
import re
import tokenize
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping

import yaml
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError,
                      create_model, field_validator, model_validator)

from . import periods
from .errors import LIMIT, ParamsError, cut, shown
from .formats import DEFAULT_FORMATS, check_formats
from .project import project_root, root_for  # noqa: F401 - part of this module's API
from .regions import DEFAULT_REGION, REGIONS

CANONICAL_COLUMNS = (
    "case_ref", "kind", "procedure", "stage", "received", "acknowledged", "responded",
    "team", "service", "delay_reason", "outcome", "extended",
    "subject", "remedy", "compensation", "refused_reason", "ombudsman", "complainant",
    "ombudsman_body", "panel_date", "advocacy",
)
Canonical = Literal[
    "case_ref", "kind", "procedure", "stage", "received", "acknowledged", "responded",
    "team", "service", "delay_reason", "outcome", "extended",
    "subject", "remedy", "compensation", "refused_reason", "ombudsman", "complainant",
    "ombudsman_body", "panel_date", "advocacy",
]
Procedure = Literal["childrens", "adults", "corporate"]
IMPLICATIONS = ("finance", "law", "equality", "human_resources", "commercial", "health_and_wellbeing")


def parse_date(value: Any) -> dt.date:
    """ISO ``2020-08-18`` or UK day-first ``18/08/2020`` (never month-first)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"{shown(text)} is not a date: write it as 2020-08-18 or 18/08/2020")


def _fy(value: Any) -> str:
    return periods.fy_label(periods.parse_fy(value))


def _text(value: Any) -> Any:
    return value if not isinstance(value, (int, float)) or isinstance(value, bool) else str(value)


def _paragraphs(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


Date = Annotated[dt.date, BeforeValidator(parse_date)]
FinancialYear = Annotated[str, BeforeValidator(_fy)]
Text = Annotated[str, BeforeValidator(_text)]
Paragraphs = Annotated[tuple[str, ...], BeforeValidator(_paragraphs)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


#: An email address as the HTML standard defines a valid one (what a browser's email field accepts): the report
#: links it (mailto:) in the HTML, the PDF, Word and the workbook's cover, so nothing else may share the value.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")


class Contact(Model):
    """A contact officer named at the end of the report."""

    name: str = Field(description="The officer's name.")
    role: str | None = Field(None, description="Their job title, e.g. Complaints Manager.")
    phone: Text | None = Field(None, description="Their phone number, e.g. 01632 960 001 (text as written, "
                                                 "opening hours and all).")
    email: str | None = Field(None, description="Their email address, alone, e.g. complaints@council.gov.uk.")

    @field_validator("email")
    @classmethod
    def _one_address(cls, v: str | None):
        if v is not None and not _EMAIL.fullmatch(v):
            raise ValueError("should be one email address and nothing else, e.g. complaints@council.gov.uk (put "
                             "opening hours and the like under phone:)")
        return v


class Benchmark(Model):
    """Another council's figure to compare with."""

    authority: str = Field(description="The other council, e.g. Northam Borough Council.")
    value: float = Field(ge=0, le=100, description="Its figure, a percentage (73 means 73%).")
    measure: Procedure | None = Field(None, description="In complaints_performance: the Stage 2 indicator it "
                                                        "compares with, childrens or corporate.")
    period: Text | None = Field(None, description="The period the figure covers: a financial year (2020/21), a "
                                                  "quarter (Q3 2020/21) or two dates (2020-04-01 to 2021-03-31). "
                                                  "The council's own figure beside it is for the same period; "
                                                  "without one the report says 'period not given'.")

    @field_validator("period")
    @classmethod
    def _a_period(cls, v: str | None) -> str | None:
        return None if v is None or not v.strip() else periods.parse_period(v).label


class Action(Model):
    """One row of the action plan appendix."""

    action: str = Field(description="What is being done.")
    progress: str = Field("", description="Progress so far.")
    result: str = Field("", description="The result, or the result expected.")


class Implications(Model):
    """The params file's own text for the standard implication sections (a string or a list of paragraphs)."""

    finance: Paragraphs | None = Field(None, description="The Finance section.")
    law: Paragraphs | None = Field(None, description="The Law section.")
    equality: Paragraphs | None = Field(None, description="The Equality Impact section.")
    human_resources: Paragraphs | None = Field(None, description="The Human Resources/Organisational Development "
                                                                 "section.")
    commercial: Paragraphs | None = Field(None, description="The Commercial/Procurement section.")
    health_and_wellbeing: Paragraphs | None = Field(None, description="The Health and Wellbeing section.")


class CommonParams(Model):
    """Keys every report takes (SPEC "Input 2")."""

    #: The procedures a report covers, whose laws its Law section names (AnnualParams: its ``scope``).
    PROCEDURES: typing.ClassVar[tuple[str, ...]] = ("childrens", "adults", "corporate")

    notebook: str = Field(description="Which report: the name of a notebook in notebooks/ without .ipynb, e.g. "
                                      "childrens_response_times.")
    council: str = Field(description="The council, for the title block.")
    committee: str = Field(description="The committee the report goes to.")
    meeting_date: Date = Field(description="The date of the meeting.")
    title: str = Field(description="The report's title.")
    report_of: str = Field(description='Whose report it is: written "Report of the ...", e.g. Director of '
                                       "Children's Services.")
    author: str | None = Field(None, description="The name signed above report_of.")
    contact: tuple[Contact, ...] = Field((), description="The contact officer: {name, role, phone, email}, or a "
                                                         "list of them.")
    agenda_item: Text | None = Field(None, description="The agenda item, shown in the title block.")
    data: str = Field(description="The case log: a path (relative to the project folder) or a database URL, "
                                  "never with a password in it.")
    columns: dict[Canonical, str] = Field(default_factory=dict, description="Canonical column -> your export's "
                                                                             "header, e.g. received: Date Received.")
    values: dict[Canonical, dict[Text, Text]] = Field(
        default_factory=dict, description="Per canonical column, your code -> canonical value, e.g. kind: "
                                          "{Complaint: complaint}.")
    sheet: Text | int | None = Field(None, description="The Excel sheet (its name, or its number from 0); default "
                                                       "the one visible sheet holding anything (a hidden sheet is "
                                                       "read only when named here).")
    table: str | None = Field(None, description="With a database: the table holding the case log.")
    query: str | None = Field(None, description="With a database: an SQL query giving the case log, instead of "
                                                "table.")
    region: Literal[tuple(REGIONS)] = Field(DEFAULT_REGION,  # type: ignore[valid-type]
                                            description="Whose bank holidays are not working days.")
    closure_days: tuple[Date, ...] = Field((), description="Extra non-working dates, e.g. a Christmas shutdown.")
    clock_start: Literal["received", "acknowledged"] = Field(
        "received", description="Where the working-day clock starts (rows with no acknowledgement date count from "
                                "received, and the report says how many).")
    recommendations: tuple[str, ...] = Field((), description="The recommendation paragraphs.")
    benchmarks: tuple[Benchmark, ...] = Field((), description="Other councils' figures to compare with; value is a "
                                                              "percentage (73 means 73%).")
    action_plan: tuple[Action, ...] = Field((), description="The action plan, an appendix table.")
    implications: Implications = Field(Implications(), description="Your own text for the standard Finance, Law, "
                                                                   "Equality Impact, Human Resources, "
                                                                   "Commercial/Procurement and Health and Wellbeing "
                                                                   "sections, instead of the standard paragraphs.")
    suppress_below: int | None = Field(default=None, ge=1, description="Counts below this are published as [c], "
                                                                       "with secondary suppression so a total "
                                                                       "cannot give them away.")
    background_papers: tuple[str, ...] = Field((), description="The background papers, listed after the contact "
                                                               "details.")
    min_base_for_percent: int = Field(default=10, ge=1, le=1000,
                                      description='Below this many cases a share is written "3 of 5", never as a '
                                                  "percentage, in text and tables (GSS guidance on small "
                                                  "denominators).")
    preliminary: bool = Field(default=False, description="Whether the figures are provisional: yes, and the paper says "
                                                         "so; no (the default), and it never calls them preliminary.")
    # Which files the render makes (``formats:``; ``render --format`` overrides). A setting of the render, not of the
    # notebook: it is no model field, so it is never injected into the kernel and needs no parameters-cell line.
    _formats: tuple[str, ...] = PrivateAttr(default=DEFAULT_FORMATS)

    @model_validator(mode="wrap")
    @classmethod
    def _render_formats(cls, data, handler):
        formats = None
        if isinstance(data, Mapping) and "formats" in data:
            data = dict(data)
            try:
                formats = check_formats(data.pop("formats"))
            except ValueError as e:
                raise ValueError(f"key 'formats': {e}") from None
        model = handler(data)
        if formats is not None:
            model._formats = formats
        return model

    @property
    def formats(self) -> tuple[str, ...]:
        """The formats to make, from ``reportlib.formats.FORMATS`` (default html and pdf)."""
        return self._formats

    @field_validator("contact", mode="before")
    @classmethod
    def _one_or_many(cls, v):
        return [v] if isinstance(v, Mapping) else v

    @field_validator("data")
    @classmethod
    def _no_password(cls, v: str):
        m = re.match(r"^[a-z0-9+]+://[^/@:]*:([^/@]*)@", v)
        if m and m.group(1) and not m.group(1).startswith("${"):
            raise ValueError("contains a password: leave it out and set PGPASSWORD (or ~/.pgpass) in the environment, "
                             "or write ${VARIABLE} to take it from the environment")
        return v

    @model_validator(mode="after")
    def _one_sql_source(self):
        if self.table and self.query:
            raise ValueError("give either table: or query:, not both")
        return self

    @property
    def cut_off(self) -> dt.date:
        """The date the figures are as at (open cases, overdue counts)."""
        return self.meeting_date

    def selections(self) -> list:
        """The filters and periods that must each select some case (see :mod:`reportlib.selection`)."""
        return []


class ChildrensParams(CommonParams):
    """``childrens_response_times``: the Children's Services response-times report."""

    PROCEDURES: typing.ClassVar[tuple[str, ...]] = ("childrens",)

    service: str | None = Field(None, description="Only rows whose service is this (case and spacing ignored); "
                                                  "default every service.")
    stage: Literal[1, 2, 3] = Field(1, description="The complaint stage reported.")
    target_working_days: int = Field(gt=0, le=250, description="The timescale in working days, e.g. 20: a response "
                                                               "is within it when sent within this many.")
    baseline_year: FinancialYear = Field(description="The year compared with, e.g. 2019/20.")
    change_date: Date = Field(description="When the revised process started.")
    period_start: Date = Field(description="The first day of the window for the overdue reasons.")
    period_end: Date = Field(description="The last day of that window; the data cut-off.")

    @model_validator(mode="after")
    def _order(self):
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        if self.period_end > self.meeting_date:
            raise ValueError("period_end is after meeting_date")
        return self

    @property
    def cut_off(self) -> dt.date:
        return self.period_end

    def selections(self) -> list:
        from .selection import PeriodFilter, TextFilter

        fy = periods.parse_fy(self.baseline_year)
        found = [TextFilter("service", self.service, "service")] if self.service else []
        return found + [
            PeriodFilter("baseline_year", self.baseline_year, periods.fy_start(fy), periods.fy_end(fy)),
            PeriodFilter("period_start..period_end", f"{self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d}",
                         self.period_start, self.period_end),
        ]


class PerformanceParams(CommonParams):
    """``complaints_performance``: the Stage 2 performance report for an O&S panel."""

    year: FinancialYear = Field(description="The year reported, e.g. 2020/21, compared with the year before.")
    stage2_timescales: dict[Procedure, Annotated[int, Field(gt=0, le=250)]] = Field(
        default_factory=lambda: {"childrens": 65, "corporate": 25},
        description="Working days for a Stage 2 response, per procedure: childrens and corporate (each has its "
                    "section), adults if wanted.")
    quarters: int = Field(default=8, ge=1, le=40, description="Quarters of indicators shown, ending with Q4 of year.")
    trend_years: int = Field(default=6, ge=2, le=20, description="Years in the compliments trend.")

    @field_validator("stage2_timescales")
    @classmethod
    def _both_sections(cls, v: dict) -> dict:
        missing = [proc for proc in ("childrens", "corporate") if proc not in v]
        if missing:
            raise ValueError(f"give {' and '.join(missing)} too: the report has a Stage 2 section for children's "
                             "social care and one for corporate complaints (e.g. {childrens: 65, corporate: 25})")
        return v

    @property
    def cut_off(self) -> dt.date:
        return periods.fy_end(periods.parse_fy(self.year))

    def selections(self) -> list:
        from .selection import PeriodFilter

        fy = periods.parse_fy(self.year)
        return [PeriodFilter("year", self.year, periods.fy_start(fy), periods.fy_end(fy))]


Days = Annotated[int, Field(gt=0, le=250)]
# A stage as a key: YAML gives 1, JSON (Papermill's trip into the kernel) gives "1".
def _stage_key(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.strip().isdigit() else value


Stage = Annotated[Literal[1, 2, 3], BeforeValidator(_stage_key)]

#: The annual report's default timescales and extensions, in working days (SPEC "The annual report").
DEFAULT_TIMESCALES: dict[str, dict[int, int]] = {"corporate": {1: 10, 2: 20}, "childrens": {1: 10, 2: 25, 3: 30},
                                                 "adults": {}}
DEFAULT_EXTENSIONS: dict[str, dict[int, int]] = {"corporate": {1: 10, 2: 20}, "childrens": {1: 10, 2: 40},
                                                 "adults": {}}


class OmbudsmanLetter(Model):
    """The Ombudsman's annual letter, as published for the council (and the average of similar authorities)."""

    decided: int = Field(ge=0, description="Complaints and enquiries the Ombudsman decided.")
    investigated: int = Field(ge=0, description="How many of them it investigated in detail.")
    upheld_pct: float = Field(ge=0, le=100, description="The share of investigations upheld, a percentage.")
    average_upheld_pct: float | None = Field(default=None, ge=0, le=100,
                                             description="The average upheld share of similar authorities.")
    compliance_pct: float | None = Field(default=None, ge=0, le=100,
                                         description="The share of its recommendations the council complied with.")
    satisfactory_remedy_pct: float | None = Field(default=None, ge=0, le=100,
                                                  description="The share of upheld cases where the council had "
                                                              "already offered a satisfactory remedy.")


class Assessment(Model):
    """One requirement of the Complaint Handling Code and how the council meets it."""

    section: Text = Field(description="The section of the Code, e.g. 5.")
    requirement: str = Field(description="What the Code requires.")
    status: Literal["compliant", "partly", "not compliant"] = Field(description="How far the council meets it.")
    evidence: str = Field("", description="The evidence that it does.")
    action: str = Field("", description="What the council will do where it does not yet.")


class Improvement(Model):
    """What a complaint taught a service, and what it changed."""

    service: str = Field(description="The service.")
    learning: str = Field(description="What complaints taught it.")
    action: str = Field(description="What it changed.")


class OmbudsmanReport(Model):
    """An Ombudsman report on the council other than the annual letter (the Code's paragraph 8.1)."""

    title: str = Field(description="Its title, e.g. a public interest report's.")
    date: Date = Field(description="When the Ombudsman published it.")
    summary: str = Field("", description="What it found, and what the council did about it.")


class AnnualParams(CommonParams):
    """``annual_report``: the annual complaints performance and service improvement report (the Code's, and the
    statutory adults' and children's reports by ``scope``)."""

    year: FinancialYear = Field(description="The year reported, e.g. 2025/26, compared with the year before.")
    scope: tuple[Procedure, ...] = Field(("corporate", "adults", "childrens"),
                                         description="The procedures covered: one gives a single statutory annual "
                                                     "report, e.g. [adults].")
    trend_years: int = Field(default=3, ge=2, le=20, description="Years in the trend of complaints received (only "
                                                                 "years the case log covers are shown).")
    timescales: dict[Procedure, dict[Stage, Days]] = Field(
        default_factory=dict, description="The statutory working days per procedure and stage, over the defaults "
                                          "(corporate: the Code's), e.g. {childrens: {1: 10}}; adult social care has "
                                          "none (its target goes under council_targets).")
    extensions: dict[Procedure, dict[Stage, Annotated[int, Field(ge=0, le=250)]]] = Field(
        default_factory=dict, description="Extra working days allowed when extended is yes, per procedure and "
                                          "stage, over the defaults.")
    council_targets: dict[Procedure, dict[Stage, Days]] = Field(
        default_factory=dict, description="The Council's own timescales, working days per procedure and stage, "
                                          "reported beside the statutory ones and timed from clock_start, e.g. "
                                          "{childrens: {2: 65}, corporate: {2: 25}} (a committee paper's "
                                          "stage2_timescales); adult social care's only timescale.")
    local_stage3: bool = Field(False, description="Whether the Council runs a third stage for corporate complaints "
                                                  "(the Code has two): without yes, a corporate stage 3 row is a bad "
                                                  "row.")
    acknowledge_within: Days = Field(5, description="Working days to acknowledge a corporate complaint (the Code's "
                                                    "five); children's complaints are reported against it too. Adult "
                                                    "social care complaints are acknowledged within 3 (regulation "
                                                    "13(2)).")
    homes: int | None = Field(default=None, gt=0, description="Homes the council lets: with it, the report gives the "
                                                              "Tenant Satisfaction Measures CH01 and CH02.")
    housing_services: tuple[str, ...] = Field((), description="With homes: the service values whose complaints are "
                                                              "about the council's homes.")
    ombudsman_letter: OmbudsmanLetter | None = Field(None, description="The figures of the Local Government and "
                                                                      "Social Care Ombudsman's annual letter.")
    self_assessment: tuple[Assessment, ...] = Field((), description="The self-assessment against the Complaint "
                                                                    "Handling Code, an appendix with a count by "
                                                                    "status.")
    service_improvements: tuple[Improvement, ...] = Field((), description="Learning and service improvements, an "
                                                                          "appendix.")
    governing_body_response: Paragraphs | None = Field(None, description="The committee's response; without it the "
                                                                         "report says the response follows the "
                                                                         "meeting.")
    code_findings: tuple[str, ...] = Field((), description="Findings of non-compliance with the Complaint Handling "
                                                           "Code in the year (the Ombudsman's or the Council's own), "
                                                           "one paragraph each.")
    ombudsman_reports: tuple[OmbudsmanReport, ...] = Field((), description="Other Ombudsman reports on the Council "
                                                                          "in the year: {title, date, summary}.")
    general_matters: Paragraphs | None = Field(None, description="Regulation 18 (adult social care): the matters of "
                                                                 "general importance the complaints raised.")
    procedure_review: Paragraphs | None = Field(None, description="Regulation 13(3) (children's social care): how "
                                                                  "well the representations procedure worked.")

    @field_validator("scope", mode="before")
    @classmethod
    def _one_or_many_procedures(cls, v):
        return [v] if isinstance(v, str) else v

    @field_validator("scope")
    @classmethod
    def _scope_once_each(cls, v):
        if not v:
            raise ValueError("should name at least one procedure: corporate, adults or childrens")
        return tuple(dict.fromkeys(v))

    @model_validator(mode="after")
    def _as_the_law_has_it(self):
        if "adults" in self.timescales:
            raise ValueError("timescales: adult social care has no statutory timescale (only the six months of "
                             "regulation 14): give the Council's own target under council_targets instead (e.g. "
                             "council_targets: {adults: {1: 25}})")
        for key, table in (("timescales", self.timescales), ("extensions", self.extensions)):
            if 3 in table.get("corporate", {}):
                raise ValueError(f"{key}: the Code has two stages, so corporate stage 3 has no Code timescale: give "
                                 "a local third stage's own timescale under council_targets (with local_stage3: yes)")
        if self.extensions.get("childrens", {}).get(3):
            raise ValueError("extensions: the children's stage 3 review panel has no extension (regulation 19)")
        if 3 in self.council_targets.get("corporate", {}) and not self.local_stage3:
            raise ValueError("council_targets: corporate stage 3 is given, but the Code has two stages: add "
                             "local_stage3: yes if the Council runs a third stage")
        return self

    @model_validator(mode="after")
    def _housing(self):
        if self.homes and not self.housing_services:
            raise ValueError("homes is given without housing_services: list the services whose complaints are "
                             "about the council's homes (e.g. housing_services: [Housing Repairs])")
        return self

    @property
    def cut_off(self) -> dt.date:
        return periods.fy_end(periods.parse_fy(self.year))

    def timescale_table(self) -> dict[str, dict[int, int]]:
        """Working days per procedure and stage: the defaults, with the params' own over them."""
        return {proc: {**DEFAULT_TIMESCALES[proc], **self.timescales.get(proc, {})} for proc in DEFAULT_TIMESCALES}

    def extension_table(self) -> dict[str, dict[int, int]]:
        """Extra working days allowed when ``extended`` is yes, per procedure and stage."""
        return {proc: {**DEFAULT_EXTENSIONS[proc], **self.extensions.get(proc, {})} for proc in DEFAULT_EXTENSIONS}

    def selections(self) -> list:
        from .selection import PeriodFilter, TextFilter

        fy = periods.parse_fy(self.year)
        found = [PeriodFilter("year", self.year, periods.fy_start(fy), periods.fy_end(fy))]
        found += [TextFilter("scope", proc, "procedure") for proc in self.scope]
        if self.homes:
            found += [TextFilter("housing_services", service, "service") for service in self.housing_services]
        return found


#: The reports reportlib ships, each with its params model written out above.
BUILT_IN: dict[str, type[CommonParams]] = {
    "childrens_response_times": ChildrensParams,
    "complaints_performance": PerformanceParams,
    "annual_report": AnnualParams,
}


# --- a report of the project's own: its keys declared in its notebook's parameters cell ---------------------------
#
# A report made with ``reportlib new`` has no model above: its notebook's parameters cell is the declaration. The
# keys every report takes are written without a type (CommonParams declares them); each key of the report's own is
# written ``name: "type" = sample value  # help``, and ``Required[...]`` around the type makes a params file give it.
# The model is built from that cell (``declared_model``), so the cell, the params check, ``reportlib describe`` and
# Papermill's view of the parameters can never disagree.

#: The types a report's own key may have, by the name its parameters cell gives them. With ``list[...]``,
#: ``dict[..., ...]``, ``Optional[...]``, ``Literal[...]`` and ``Required[...]`` around them.
TYPES: dict[str, Any] = {
    "str": Text,
    "int": int,
    "float": float,
    "bool": bool,
    "date": Date,
    "FinancialYear": FinancialYear,
    "Procedure": Procedure,
    "WorkingDays": Days,
    "Percentage": Annotated[float, Field(ge=0, le=100)],
    "Paragraphs": Paragraphs,
}
_GENERICS = ("list[...]", "dict[..., ...]", "Optional[...]", "Literal[...]", "Required[...]")
# What Papermill's parameter inspection reads as a type (papermill.translators.PythonTranslator): a type it cannot
# read would hide the key from it.
_PAPERMILL_TYPE = re.compile(r"^\w[\w\[\],\s]*$")


class DeclaredParams(CommonParams):
    """The base of a model built from a notebook's parameters cell (:func:`declared_model`)."""

    def selections(self) -> list:
        """Each financial year the report's own keys name must be one the case log covers."""
        from .selection import PeriodFilter

        found = []
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if name not in CommonParams.model_fields and value is not None and _is_financial_year(field):
                fy = periods.parse_fy(value)
                found.append(PeriodFilter(name, value, periods.fy_start(fy), periods.fy_end(fy)))
        return found


def _validators(annotation: Any, metadata: typing.Iterable = ()) -> set:
    """The BeforeValidator functions on a type (through ``| None``)."""
    found = {getattr(m, "func", None) for m in metadata}
    if typing.get_origin(annotation) is Annotated:
        found |= _validators(typing.get_args(annotation)[0], typing.get_args(annotation)[1:])
    elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found |= _validators(arg)
    return found - {None}


def _is_financial_year(field) -> bool:
    return _fy in _validators(field.annotation, field.metadata)


def _type_of(node: ast.expr, text: str, where: str) -> Any:
    """The type an annotation (parsed) names, from :data:`TYPES` and the generics."""
    def bad(why: str) -> ParamsError:
        return ParamsError(f"{where}: type '{text}' {why}; use {', '.join(TYPES)}, or "
                           f"{', '.join(_GENERICS)} around them")
    if isinstance(node, ast.Name):
        if node.id in TYPES:
            return TYPES[node.id]
        if node.id in ("list", "dict", "Optional", "Literal", "Required"):
            raise bad(f"needs what {node.id} holds, e.g. {node.id}[...]")
        close = difflib.get_close_matches(node.id, list(TYPES), n=1)
        raise bad(f"has the unknown type '{node.id}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        kind = node.value.id
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if kind == "list" and len(args) == 1:
            return tuple[_type_of(args[0], text, where), ...]
        if kind == "dict" and len(args) == 2:
            return dict[_type_of(args[0], text, where), _type_of(args[1], text, where)]
        if kind == "Optional" and len(args) == 1:
            return typing.Optional[_type_of(args[0], text, where)]
        if kind == "Literal":
            # Papermill reads no quotes inside a type: Literal[received, acknowledged] names text values.
            values = [a.id if isinstance(a, ast.Name) else a.value for a in args
                      if isinstance(a, ast.Name) or (isinstance(a, ast.Constant) and isinstance(a.value, int))]
            if len(values) != len(args):
                raise bad("has a Literal value that is neither a word nor a whole number")
            return Literal[tuple(values)]
        if kind == "Required":
            raise bad("has Required[...] inside it: it goes around the whole type")
    raise bad("is not one reportlib reads")


def _parse_type(text: str, where: str) -> tuple[Any, bool]:
    """``"Required[FinancialYear]"`` -> (the type, whether the key is required)."""
    text = " ".join(text.split())
    if not _PAPERMILL_TYPE.match(text):
        hint = " (write Optional[X] for X | None)" if "|" in text else ""
        raise ParamsError(f"{where}: type '{text}' has characters Papermill cannot read{hint}; use letters, digits, "
                          "_, [ ] and commas only (Literal[received, acknowledged] for text values)")
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        raise ParamsError(f"{where}: type '{text}' is not a type (check its brackets)") from None
    required = isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Required"
    if required:
        node = node.slice
    return _type_of(node, text, where), required


def _trailing_comments(source: str) -> dict[int, str]:
    """Line number -> the text of the comment that ends it."""
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, SyntaxError):
        pass
    return comments


def declared_model(notebook: str, cell: str, where: str = "") -> type[CommonParams]:
    """The params model of a report whose notebook declares its own keys in its parameters cell.

    ``cell`` is the parameters cell's source: one ``name = value`` line per key every report takes, then one
    ``name: "type" = sample value  # help`` line per key of the report's own (the type from :data:`TYPES`,
    ``Required[...]`` around it for a key every params file must give; otherwise the sample value is the default).
    A ParamsError names ``where``, the line and what to write instead.
    """
    where = where or f"notebooks/{notebook}.ipynb: parameters cell"
    try:
        tree = ast.parse(cell)
    except SyntaxError as e:
        raise ParamsError(f"{where}, line {e.lineno}: {e.msg}") from None
    lines = cell.splitlines()
    comments = _trailing_comments(cell)
    common = CommonParams.model_fields
    seen: dict[str, int] = {}
    fields: dict[str, Any] = {}
    for stmt in tree.body:
        here = f"{where}, line {stmt.lineno}"
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, annotation = stmt.targets[0].id, None
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            name, annotation = stmt.target.id, stmt.annotation
        else:
            raise ParamsError(f"{here}: a parameters cell holds only 'name = value' lines (and 'name: \"type\" = "
                              "value' for the report's own keys)")
        if name in seen:
            raise ParamsError(f"{here}: key '{name}' is given twice (lines {seen[name]} and {stmt.lineno}); keep one")
        seen[name] = stmt.lineno
        if name in common:
            if annotation is not None:
                raise ParamsError(f"{here}: key '{name}' is one every report takes (reportlib.params.CommonParams "
                                  "gives its type): write it without one")
            continue
        statement = lines[stmt.lineno - 1:stmt.end_lineno]
        if statement[0].count("=") != 1 or any("=" in line for line in statement[1:]):
            raise ParamsError(f"{here}: key '{name}': Papermill reads a parameter only from a line with one '=' "
                              "(none in its help text or its value)")
        if name.startswith("_") or hasattr(CommonParams, name):
            raise ParamsError(f"{here}: key '{name}' is a name reportlib uses itself; choose another")
        if annotation is None:
            raise ParamsError(f"{here}: key '{name}' has no type: write it as {name}: \"int\" = "
                              f"{ast.get_source_segment(cell, stmt.value)}  # what it is (types: {', '.join(TYPES)})")
        text = annotation.value if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str) \
            else ast.get_source_segment(cell, annotation) or ""
        tp, required = _parse_type(text, f"{here}: key '{name}'")
        try:
            sample = ast.literal_eval(stmt.value)
        except (ValueError, SyntaxError):
            raise ParamsError(f"{here}: key '{name}': write its value out (a number, text in quotes, a list or a "
                              "mapping), not an expression") from None
        try:
            value = TypeAdapter(tp).validate_python(sample)
        except ValidationError as e:
            err = e.errors()[0]
            msg = _PLAIN.get(err["type"]) or re.sub(r"^Input should be", "should be",
                                                    re.sub(r"^Value error, ", "", err["msg"]))
            raise ParamsError(f"{here}: key '{name}': the value {shown(sample)} does not fit its type '{text}': {msg}") \
                from None
        help_text = comments.get(stmt.end_lineno) or None
        fields[name] = (tp, Field(description=help_text) if required else
                        Field(value, description=help_text, validate_default=True))
    missing = [key for key in common if key not in seen]
    if missing:
        raise ParamsError(f"{where}: the keys every report takes are missing: {', '.join(missing)}; add them as "
                          "'name = value' lines (a notebook made by reportlib new has them all)")
    title = "".join(part.capitalize() for part in notebook.split("_")) or "Report"
    return create_model(f"{title}Params", __base__=DeclaredParams, __module__=__name__,
                        __doc__=f"``{notebook}``: a report of this project, whose own keys its notebook's "
                                "parameters cell declares.", **fields)


def _plain_name(name: Any) -> bool:
    return isinstance(name, str) and bool(name) and not name.startswith(".") and Path(name).name == name


_CELLS: dict[Path, tuple[tuple, tuple[str, str] | None]] = {}
_MODELS: dict[tuple[str, str], type[CommonParams]] = {}


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
        return st.st_mtime_ns, st.st_size
    except OSError:
        return None, None


def parameters_cell(notebook: Path) -> tuple[str, str] | None:
    """The parameters cell of a notebook (either file of its pair, as of its latest save) and where it is,
    e.g. ``notebooks/my_report.md: parameters cell``; None when it has none (it is no report)."""
    from .notebooks import Pair, load as load_notebook

    pair = Pair.of(notebook)
    stamp = (_stamp(pair.ipynb), _stamp(pair.md))
    cached = _CELLS.get(pair.ipynb)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        nb, source = load_notebook(pair.ipynb)
    except Exception as e:  # noqa: BLE001 - a notebook that cannot be read is no report, and says why
        raise ParamsError(f"{pair.ipynb.parent.name}/{pair.newer.name}: cannot be read as a notebook "
                          f"({type(e).__name__}: {e})") from None
    found = next(((c.source, f"{source.parent.name}/{source.name}: parameters cell") for c in nb.cells
                  if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])), None)
    _CELLS[pair.ipynb] = (stamp, found)
    return found


def _declared(notebook: Path) -> type[CommonParams] | None:
    found = parameters_cell(notebook)
    if found is None:
        return None
    cell, where = found
    key = (notebook.stem, cell)
    if key not in _MODELS:  # the same cell gives the same class (a warm kernel checks params many times)
        _MODELS[key] = declared_model(notebook.stem, cell, where)
    return _MODELS[key]


class Reports(Mapping):
    """Report name -> params model: the built-in reports (:data:`BUILT_IN`), then every other notebook with a
    parameters cell in the project's ``notebooks/`` folder, whose model is built from that cell.

    ``root`` is the project folder; None means the one at or above the current directory, found at each use (a
    report's kernel runs in ``notebooks/``). A notebook whose declaration is wrong raises ParamsError saying so.
    """

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else None

    def folder(self) -> Path | None:
        """The ``notebooks/`` folder whose reports are listed (None: no project folder here)."""
        if self.root is None:
            try:
                root = project_root()
            except ParamsError:
                return None
        else:
            root = self.root
        folder = root / "notebooks"
        return folder if folder.is_dir() else None

    def _notebook(self, name: Any) -> Path | None:
        folder = self.folder()
        if folder is None or not _plain_name(name) or name in BUILT_IN:
            return None
        path = folder / f"{name}.ipynb"
        return path if path.is_file() or path.with_suffix(".md").is_file() else None

    def __getitem__(self, name: str) -> type[CommonParams]:
        if name in BUILT_IN:
            return BUILT_IN[name]
        notebook = self._notebook(name)
        model = _declared(notebook) if notebook is not None else None
        if model is None:
            raise KeyError(name)
        return model

    def __contains__(self, name: object) -> bool:
        if name in BUILT_IN:
            return True
        notebook = self._notebook(name)
        return notebook is not None and parameters_cell(notebook) is not None

    def __iter__(self) -> typing.Iterator[str]:
        yield from BUILT_IN
        folder = self.folder()
        if folder is None:
            return
        names = sorted({p.stem for p in folder.glob("*.ipynb")} | {p.stem for p in folder.glob("*.md")})
        for name in names:
            if name in BUILT_IN or not _plain_name(name):
                continue
            try:
                found = parameters_cell(folder / f"{name}.ipynb")
            except ParamsError:  # unreadable: no report to list (asking for it by name says why)
                continue
            if found is not None:
                yield name

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"Reports({list(self)!r})"


#: Every report of the current project: the built-in ones and the project's own (see :class:`Reports`).
REPORTS = Reports()

AnyParams = ChildrensParams | PerformanceParams | AnnualParams


# --- describing a report's keys (``reportlib describe``) ----------------------------------------------------------

_SCALAR_WORDS = {str: "text", int: "whole number", float: "number", bool: "yes or no", dt.date: "date"}
_PLURALS = {"whole number": "whole numbers", "number": "numbers", "date": "dates", "yes or no": "yes or no values",
            "financial year e.g. 2020/21": "financial years e.g. 2020/21"}
_VALIDATOR_WORDS = {parse_date: "date", _fy: "financial year e.g. 2020/21", _text: "text",
                    _paragraphs: "text, or a list of paragraphs", _stage_key: "stage (1, 2 or 3)"}


def _bounds(metadata: typing.Iterable, whole: bool) -> str:
    """``Field(gt=0, le=250)`` on a whole number -> ``" from 1 to 250"``."""
    low = high = None
    for m in metadata:
        for item in getattr(m, "metadata", None) or [m]:  # a Field(...) inside Annotated holds its own bounds
            if getattr(item, "ge", None) is not None:
                low = item.ge
            elif getattr(item, "gt", None) is not None:
                low = item.gt + 1 if whole else f"more than {item.gt}"
            if getattr(item, "le", None) is not None:
                high = item.le
            elif getattr(item, "lt", None) is not None:
                high = item.lt - 1 if whole else f"less than {item.lt}"
    if low is not None and high is not None:
        return f" from {low} to {high}" if not isinstance(low, str) else f", {low} and up to {high}"
    if low is not None:
        return f", {low} or more" if not isinstance(low, str) else f", {low}"
    if high is not None:
        return f", at most {high}"
    return ""


def type_words(annotation: Any, metadata: typing.Iterable = (), plural: bool = False) -> str:
    """A type as ``reportlib describe`` says it: ``date``, ``list of {authority, value, measure?, period?}``,
    ``financial year e.g. 2020/21``, ``whole number from 1 to 250`` (``plural``: as the items of a list)."""
    metadata = list(metadata)
    if typing.get_origin(annotation) is Annotated:
        base, *inner = typing.get_args(annotation)
        return type_words(base, [*inner, *metadata], plural)
    for m in metadata:
        if getattr(m, "func", None) in _VALIDATOR_WORDS:
            words = _VALIDATOR_WORDS[m.func]
            return _PLURALS.get(words, words) if plural else words
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        kinds = [type_words(a, metadata, plural) for a in args if a is not type(None)]
        return " or ".join(dict.fromkeys(kinds))
    if origin is Literal:
        if annotation == Canonical:
            return "canonical column names" if plural else "canonical column name"
        if annotation == Procedure:
            return f"procedure{'s' if plural else ''} (childrens, adults or corporate)"
        return join_words(str(a) for a in args)
    if origin in (tuple, list):
        return f"list of {type_words(args[0], plural=True)}" if args else "list"
    if origin is dict:
        return f"{{{type_words(args[0])}: {type_words(args[1])}}}" if args else "mapping"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "{" + ", ".join(name + ("" if field.is_required() else "?")
                               for name, field in annotation.model_fields.items()) + "}"
    words = _SCALAR_WORDS.get(annotation, getattr(annotation, "__name__", str(annotation)))
    words = _PLURALS.get(words, words) if plural else words
    return words + _bounds(metadata, whole=annotation is int) if annotation in (int, float) else words


def join_words(items: typing.Iterable[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def default_words(value: Any) -> str:
    """A default as a params file would write it: ``none``, ``[]``, ``{childrens: 65, corporate: 25}``."""
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_defaults=True)
    if value is None:
        return "none"
    if value == "":
        return '""'
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{default_words(k)}: {default_words(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(default_words(v) for v in value) + "]"
    return str(value)


@dataclass(frozen=True)
class Key:
    """One key of a report's params, as ``reportlib describe`` lists it."""

    name: str
    type: str
    required: bool
    default: str | None  # None when required
    help: str
    common: bool = False  # a key every report takes
    parts: tuple["Key", ...] = ()  # the keys of each item, for a mapping or a list of them


def keys_of(model: type[BaseModel]) -> list[Key]:
    """The keys of a params model (or of one of its parts), in the order a params file lists them."""
    found = []
    for name, field in model.model_fields.items():
        required = field.is_required()
        default = None if required else default_words(field.get_default(call_default_factory=True))
        part = _model_in(field.annotation)
        found.append(Key(name, type_words(field.annotation, field.metadata), required, default,
                         " ".join((field.description or "").split()),
                         common=name in CommonParams.model_fields and model is not CommonParams,
                         parts=tuple(keys_of(part)) if part is not None else ()))
    return found


def describe(notebook: str, reports: Mapping[str, type[CommonParams]] | None = None) -> tuple[str, list[Key]]:
    """What a report is (its model's first docstring line) and its keys, from the model the params check uses.

    An unknown ``notebook`` raises ParamsError naming the closest report names."""
    reports = REPORTS if reports is None else reports
    model = reports.get(notebook)
    if model is None:
        known = list(reports)
        close = difflib.get_close_matches(notebook, known, n=3, cutoff=0.5)
        hint = f"did you mean {join_words(close)}?" if close else f"use one of: {', '.join(known)}"
        raise ParamsError(f"unknown notebook '{notebook}': {hint}")
    summary = re.sub(r"``([^`]*)``", r"\1", " ".join((model.__doc__ or notebook).split()))
    return summary, keys_of(model)


# --- reading -----------------------------------------------------------------

_PLAIN = {
    "int_parsing": "should be a whole number, written in figures",
    "int_from_float": "should be a whole number",
    "float_parsing": "should be a number, written in figures",
    "bool_parsing": "should be yes or no",
    "date_from_datetime_parsing": "should be a date like 2020-08-18",
    "dict_type": "should be a set of key: value lines",
    "list_type": "should be a list (lines starting with '- ')",
    "string_type": "should be text",
}


def _model_in(annotation) -> type[BaseModel] | None:
    """The params model inside a field's type (``tuple[Contact, ...]`` -> Contact), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _describe(err: dict, model: type[BaseModel]) -> str:
    # contact[1].email: list items counted from 1, as a person counts them
    loc = cut("".join(f"[{p + 1}]" if isinstance(p, int) else (f".{p}" if i else str(p))
                      for i, p in enumerate(err["loc"])))
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        parent = model
        for part in err["loc"][:-1]:
            if parent is not None and not isinstance(part, int):
                field = parent.model_fields.get(str(part))
                parent = _model_in(field.annotation) if field else None
        known = list(parent.model_fields) if parent is not None else []
        close = difflib.get_close_matches(str(err["loc"][-1]), known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "remove it or check its spelling"
        return f"unknown key '{loc}': {hint}"
    if err["type"] == "missing":
        return f"missing required key '{loc}': add it (see docs/params.md)"
    msg = _PLAIN.get(err["type"]) or re.sub(r"^Input should be", "should be", re.sub(r"^Value error, ", "", msg))
    got = err.get("input")
    secret = loc == "data"  # may hold credentials: never echoed
    echo = (f" (got {shown(got)})" if got is not None and not secret and not isinstance(got, (dict, list))
            and shown(got) not in msg else "")
    if not loc:  # a rule about several keys (table: and query:, period_start and period_end)
        return f"{msg}{echo}"
    return f"key '{loc}': {msg}{echo}"


def validate(raw: Mapping[str, Any], where: str, reports: Mapping[str, type[CommonParams]] | None = None) -> AnyParams:
    """Check a params mapping against its notebook's model; ParamsError naming ``where`` and the key.

    ``reports`` (default :data:`REPORTS`, the current project's) maps notebook names to their models."""
    reports = REPORTS if reports is None else reports
    if not isinstance(raw, Mapping):
        raise ParamsError(f"{where}: expected key: value pairs (a YAML mapping) at the top level")
    notebook = raw.get("notebook")
    if notebook is None:
        raise ParamsError(f"{where}: missing required key 'notebook' (one of: {', '.join(reports)})")
    model = reports.get(str(notebook))
    if model is None:
        raise ParamsError(f"{where}: key 'notebook': unknown notebook '{cut(notebook)}'; use one of: "
                          f"{', '.join(reports)}", key=("notebook",))
    try:
        return model.model_validate(dict(raw))
    except ValidationError as e:
        errors = e.errors()
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ParamsError(f"{where}: {_describe(errors[0], model)}{more}", key=errors[0]["loc"]) from None


#: How many values YAML aliases (``*name``, repeating what ``&name`` marked) may stand for in one params file. A
#: params file uses a few, if any; a file of 3 KB whose aliases repeat aliases eight deep stands for 43 million
#: values, and would take minutes and gigabytes to check.
MAX_ALIASED = 10_000


class _Aliases(yaml.composer.ComposerError):
    """Aliases that stand for too many values, or for the value they are inside."""

    def __init__(self, mark, recursive: bool):
        super().__init__(None, None, "an alias inside the value it repeats" if recursive else "too many aliases", mark)
        self.recursive = recursive


class _Loader(yaml.SafeLoader):
    """YAML as people write it: a number with a leading zero (a phone number, 01384 ...) stays text.

    Aliases are counted as the file is composed, before any value is made: each stands for as many values as
    the one it repeats (aliases inside that counted too), and past :data:`MAX_ALIASED` in all, or an alias inside
    the value it repeats, the file is refused at that alias (:class:`_Aliases`)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._values: dict[int, int] = {}  # id(node) -> how many values it stands for, aliases expanded
        self._aliased = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            node = super().compose_node(parent, index)
            values = self._values.get(id(node))
            if values is None:  # its anchor is still being read: the alias is inside what it repeats
                raise _Aliases(mark, recursive=True)
            self._aliased += values
            if self._aliased > MAX_ALIASED:
                raise _Aliases(mark, recursive=False)
            return node
        node = super().compose_node(parent, index)
        if isinstance(node, yaml.SequenceNode):
            inner = sum(self._values[id(n)] for n in node.value)
        elif isinstance(node, yaml.MappingNode):
            inner = sum(self._values[id(k)] + self._values[id(v)] for k, v in node.value)
        else:
            inner = 0
        self._values[id(node)] = 1 + inner
        return node


def _int_or_text(loader, node):
    text = loader.construct_scalar(node)
    if len(text) > 1 and text.startswith("0") and text.replace("_", "").isdigit():
        return text
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _date_or_text(loader, node):
    """An impossible date (2021-02-30) stays text, so the params check names the key instead of crashing."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


class _DuplicateKey(yaml.constructor.ConstructorError):
    def __init__(self, key, first, second):
        super().__init__(None, None, f"key '{key}' is given twice", second)
        self.key, self.first, self.second = key, first, second


def _mapping_without_duplicates(loader, node, deep=False):
    """A key given twice is refused: YAML would silently keep only the last one."""
    seen = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in seen:
                raise _DuplicateKey(key_node.value, seen[key_node.value], key_node.start_mark)
            seen[key_node.value] = key_node.start_mark
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor("tag:yaml.org,2002:int", _int_or_text)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)
_Loader.construct_mapping = _mapping_without_duplicates


def load(path: Path | str) -> AnyParams:
    """Read and check a params YAML file."""
    path = Path(path)
    if path.is_dir():
        raise ParamsError(f"{path}: is a folder; give the params .yaml file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ParamsError(f"{path}: params file not found") from None
    except UnicodeDecodeError:
        raise ParamsError(f"{path}: not UTF-8 text; save the params file as UTF-8") from None
    try:
        raw = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except _Aliases as e:
        where = f"YAML error at line {e.problem_mark.line + 1}, column {e.problem_mark.column + 1}"
        if e.recursive:
            raise ParamsError(f"{path}: {where}: the alias (*name) is inside the value it repeats; write the value "
                              "out instead") from None
        raise ParamsError(f"{path}: {where}: the aliases (*name) repeat more than {MAX_ALIASED:,} values in all; "
                          "write the values out instead of repeating them with aliases") from None
    except _DuplicateKey as e:
        raise ParamsError(f"{path}: key '{cut(e.key)}' is given twice (lines {e.first.line + 1} and {e.second.line + 1}); "
                          "keep one") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = cut(getattr(e, "problem", None) or str(e).splitlines()[0], 2 * LIMIT)
        raise ParamsError(f"{path}: YAML error{where}: {problem}; check the indentation and quotes there") from None
    if raw is None:
        raise ParamsError(f"{path}: params file is empty")
    return validate(raw, str(path), reports_for(path))


def reports_for(params_file: Path | str) -> Reports:
    """The reports a params file can name: those of its project folder (see :func:`root_for`)."""
    try:
        return Reports(root_for(params_file))
    except ParamsError:  # no project folder: the built-in reports only
        return REPORTS


def from_namespace(namespace: Mapping[str, Any]) -> AnyParams:
    """Inside a notebook: the params from the parameters cell (plus what Papermill injected)."""
    notebook = namespace.get("notebook")
    model = REPORTS.get(str(notebook))
    if model is None:
        raise ParamsError(f"notebook parameter 'notebook' is {shown(notebook)}: use one of: {', '.join(REPORTS)}")
    raw = {k: namespace[k] for k in model.model_fields if k in namespace}
    return validate(raw, f"notebooks/{notebook}.ipynb parameters")


def to_jsonable(value: Any) -> Any:
    """Params as plain JSON values (dates as ISO strings) for Papermill and the manifest."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def notebook_parameters(p: AnyParams, explicit: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The values to inject into the notebook: every key the params file set."""
    keys = explicit.keys() if explicit is not None else p.model_fields_set
    dumped = to_jsonable(p)
    return {k: dumped[k] for k in type(p).model_fields if k in keys}
