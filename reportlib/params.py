"""The keys every report takes, the types a report's own keys may have, and the check of a params file's values.

Each report's parameters are declared once: the keys every report takes here (:class:`CommonParams`), the
report's own keys in its notebook's parameters cell (:mod:`reportlib.declare`, with the types of :data:`TYPES`).
From that one declaration come the params check (:func:`validate`), ``reportlib describe``
(:mod:`reportlib.describe`), ``reportlib new``, the docs' params tables and the officer's page's form.
A params file is read by :mod:`reportlib.paramfile`; the reports a project has, by :mod:`reportlib.reports`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import typing
from typing import Annotated, Any, Literal, Mapping

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, field_validator,
                      model_validator)

from . import periods
from .errors import ParamsError, cut, shown
from .project import project_root, root_for  # noqa: F401 - part of this module's API
from .regions import DEFAULT_REGION, REGIONS
from .vocabulary import (  # noqa: F401 - part of this module's API
    CANONICAL_COLUMNS, DEFAULT_FORMATS, IMPLICATIONS, PROCEDURES, Canonical, Procedure, check_formats,
)


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


def financial_year(value: Any) -> str:
    """``2020/21``, ``2020-21`` or ``2020/2021`` as ``2020/21``; ValueError for anything else."""
    return periods.fy_label(periods.parse_fy(value))


def as_text(value: Any) -> Any:
    """A number given where text is meant (a phone number, an agenda item) as the text it was written as."""
    return value if not isinstance(value, (int, float)) or isinstance(value, bool) else str(value)


def paragraphs(value: Any) -> Any:
    """One paragraph given as a string, or a list of them: always a list."""
    return (value,) if isinstance(value, str) else value


def stage_number(value: Any) -> Any:
    """A stage as a key: YAML gives 1, JSON (Papermill's trip into the kernel) gives "1"."""
    return int(value) if isinstance(value, str) and value.strip().isdigit() else value


def _procedures(value: Any) -> Any:
    """A scope: one procedure or a list of them, each once, at least one."""
    value = [value] if isinstance(value, str) else value
    if isinstance(value, (list, tuple)):
        if not value:
            raise ValueError("should name at least one procedure: corporate, adults or childrens")
        return tuple(dict.fromkeys(value))
    return value


Date = Annotated[dt.date, BeforeValidator(parse_date)]
FinancialYear = Annotated[str, BeforeValidator(financial_year)]
Text = Annotated[str, BeforeValidator(as_text)]
Paragraphs = Annotated[tuple[str, ...], BeforeValidator(paragraphs)]
Days = Annotated[int, Field(gt=0, le=250)]
ExtraDays = Annotated[int, Field(ge=0, le=250)]
Stage = Annotated[Literal[1, 2, 3], BeforeValidator(stage_number)]
Percentage = Annotated[float, Field(ge=0, le=100)]
Procedures = Annotated[tuple[Procedure, ...], BeforeValidator(_procedures)]


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
                                                  "percentage, in text and tables, as GSS guidance on small "
                                                  "denominators advises (in tables.xlsx its percentage cell is "
                                                  "[u]).")
    preliminary: bool = Field(default=False, description="Whether the figures are provisional: yes, and the paper says "
                                                         "so (\"Preliminary analysis of the figures...\", and a line "
                                                         "in About the figures); no, and it never calls them "
                                                         "preliminary.")
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

    @property
    def procedures(self) -> tuple[str, ...]:
        """The procedures the report covers, whose laws its Law section names (all three unless its rules say)."""
        return PROCEDURES


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


#: The types a report's own key may have, by the name its parameters cell gives them (:mod:`reportlib.declare`),
#: with ``list[...]``, ``dict[..., ...]``, ``Optional[...]``, ``Literal[...]`` and ``Required[...]`` around them.
TYPES: dict[str, Any] = {
    "str": Text,
    "int": int,
    "float": float,
    "bool": bool,
    "date": Date,
    "FinancialYear": FinancialYear,
    "Procedure": Procedure,
    "Procedures": Procedures,
    "Stage": Stage,
    "WorkingDays": Days,
    "ExtraWorkingDays": ExtraDays,
    "Count": Annotated[int, Field(gt=0)],
    "Quarters": Annotated[int, Field(ge=1, le=40)],
    "Years": Annotated[int, Field(ge=2, le=20)],
    "Percentage": Percentage,
    "Paragraphs": Paragraphs,
    "Contact": Contact,
    "Benchmark": Benchmark,
    "Action": Action,
    "OmbudsmanLetter": OmbudsmanLetter,
    "Assessment": Assessment,
    "Improvement": Improvement,
    "OmbudsmanReport": OmbudsmanReport,
}


# --- checking a params mapping -------------------------------------------------------------------------------------

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


def validate(raw: Mapping[str, Any], where: str, reports: Mapping[str, type[CommonParams]]) -> CommonParams:
    """Check a params mapping against its report's model; ParamsError naming ``where`` and the key.

    ``reports`` maps report names to their models (:class:`reportlib.reports.Reports`, the project's)."""
    if not isinstance(raw, Mapping):
        raise ParamsError(f"{where}: expected key: value pairs (a YAML mapping) at the top level")
    notebook = raw.get("notebook")
    if notebook is None:
        raise ParamsError(f"{where}: missing required key 'notebook' (one of: {', '.join(reports)})",
                          key=("notebook",))
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
