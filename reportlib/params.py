"""The per-meeting params file: parsed, typed, frozen; unknown keys refused.

One model per report notebook (``REPORTS``). The same models check the YAML
file before anything runs (``load``) and, inside the notebook, the values
Papermill injected (``from_namespace``), so both paths agree on every rule.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping

import yaml
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, field_validator,
                      model_validator)

from . import periods
from .errors import ParamsError
from .formats import DEFAULT_FORMATS, check_formats
from .project import project_root, root_for  # noqa: F401 - part of this module's API
from .regions import DEFAULT_REGION, REGIONS

CANONICAL_COLUMNS = (
    "case_ref", "kind", "procedure", "stage", "received", "acknowledged", "responded",
    "team", "service", "delay_reason", "outcome", "extended",
    "subject", "remedy", "compensation", "refused_reason", "ombudsman", "complainant",
)
Canonical = Literal[
    "case_ref", "kind", "procedure", "stage", "received", "acknowledged", "responded",
    "team", "service", "delay_reason", "outcome", "extended",
    "subject", "remedy", "compensation", "refused_reason", "ombudsman", "complainant",
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
    raise ValueError(f"{text!r} is not a date: write it as 2020-08-18 or 18/08/2020")


def _fy(value: Any) -> str:
    return periods.fy_label(periods.parse_fy(value))


Date = Annotated[dt.date, BeforeValidator(parse_date)]
FinancialYear = Annotated[str, BeforeValidator(_fy)]
Text = Annotated[str, BeforeValidator(lambda v: v if not isinstance(v, (int, float)) or isinstance(v, bool) else str(v))]
Paragraphs = Annotated[tuple[str, ...], BeforeValidator(lambda v: (v,) if isinstance(v, str) else v)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Contact(Model):
    name: str
    role: str | None = None
    phone: Text | None = None
    email: str | None = None


class Benchmark(Model):
    authority: str
    value: float = Field(ge=0, le=100)
    measure: Procedure | None = None
    period: Text | None = None


class Action(Model):
    action: str
    progress: str = ""
    result: str = ""


class Implications(Model):
    finance: Paragraphs | None = None
    law: Paragraphs | None = None
    equality: Paragraphs | None = None
    human_resources: Paragraphs | None = None
    commercial: Paragraphs | None = None
    health_and_wellbeing: Paragraphs | None = None


class CommonParams(Model):
    """Keys every report takes (SPEC "Input 2")."""

    notebook: str
    council: str
    committee: str
    meeting_date: Date
    title: str
    report_of: str
    author: str | None = None
    contact: tuple[Contact, ...] = ()
    agenda_item: Text | None = None
    data: str
    columns: dict[Canonical, str] = Field(default_factory=dict)
    values: dict[Canonical, dict[Text, Text]] = Field(default_factory=dict)
    sheet: Text | int | None = None
    table: str | None = None
    query: str | None = None
    region: Literal[tuple(REGIONS)] = DEFAULT_REGION  # type: ignore[valid-type]
    closure_days: tuple[Date, ...] = ()
    clock_start: Literal["received", "acknowledged"] = "received"
    recommendations: tuple[str, ...] = ()
    benchmarks: tuple[Benchmark, ...] = ()
    action_plan: tuple[Action, ...] = ()
    implications: Implications = Implications()
    suppress_below: int | None = Field(default=None, ge=1)
    background_papers: tuple[str, ...] = ()

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

    service: str | None = None
    stage: Literal[1, 2, 3] = 1
    target_working_days: int = Field(gt=0, le=250)
    baseline_year: FinancialYear
    change_date: Date
    period_start: Date
    period_end: Date

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

    year: FinancialYear
    stage2_timescales: dict[Procedure, Annotated[int, Field(gt=0, le=250)]] = Field(
        default_factory=lambda: {"childrens": 65, "corporate": 25})
    quarters: int = Field(default=8, ge=1, le=40)
    trend_years: int = Field(default=6, ge=2, le=20)

    @property
    def cut_off(self) -> dt.date:
        return periods.fy_end(periods.parse_fy(self.year))

    def selections(self) -> list:
        from .selection import PeriodFilter

        fy = periods.parse_fy(self.year)
        return [PeriodFilter("year", self.year, periods.fy_start(fy), periods.fy_end(fy))]


Days = Annotated[int, Field(gt=0, le=250)]
# A stage as a key: YAML gives 1, JSON (Papermill's trip into the kernel) gives "1".
Stage = Annotated[Literal[1, 2, 3], BeforeValidator(lambda v: int(v) if isinstance(v, str) and v.strip().isdigit()
                                                    else v)]

#: The annual report's default timescales and extensions, in working days (SPEC "The annual report").
DEFAULT_TIMESCALES: dict[str, dict[int, int]] = {"corporate": {1: 10, 2: 20}, "childrens": {1: 10, 2: 25, 3: 30},
                                                 "adults": {}}
DEFAULT_EXTENSIONS: dict[str, dict[int, int]] = {"corporate": {1: 10, 2: 20}, "childrens": {1: 10, 2: 40},
                                                 "adults": {}}


class OmbudsmanLetter(Model):
    """The Ombudsman's annual letter, as published for the council (and the average of similar authorities)."""

    decided: int = Field(ge=0)
    investigated: int = Field(ge=0)
    upheld_pct: float = Field(ge=0, le=100)
    average_upheld_pct: float | None = Field(default=None, ge=0, le=100)
    compliance_pct: float | None = Field(default=None, ge=0, le=100)
    satisfactory_remedy_pct: float | None = Field(default=None, ge=0, le=100)


class Assessment(Model):
    """One requirement of the Complaint Handling Code and how the council meets it."""

    section: Text
    requirement: str
    status: Literal["compliant", "partly", "not compliant"]
    evidence: str = ""
    action: str = ""


class Improvement(Model):
    """What a complaint taught a service, and what it changed."""

    service: str
    learning: str
    action: str


class AnnualParams(CommonParams):
    """``annual_report``: the annual complaints performance and service improvement report (the Code's, and the
    statutory adults' and children's reports by ``scope``)."""

    year: FinancialYear
    scope: tuple[Procedure, ...] = ("corporate", "adults", "childrens")
    trend_years: int = Field(default=3, ge=2, le=20)
    timescales: dict[Procedure, dict[Stage, Days]] = Field(default_factory=dict)
    extensions: dict[Procedure, dict[Stage, Annotated[int, Field(ge=0, le=250)]]] = Field(default_factory=dict)
    acknowledge_within: Days = 5
    homes: int | None = Field(default=None, gt=0)
    housing_services: tuple[str, ...] = ()
    ombudsman_letter: OmbudsmanLetter | None = None
    self_assessment: tuple[Assessment, ...] = ()
    service_improvements: tuple[Improvement, ...] = ()
    governing_body_response: Paragraphs | None = None

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


REPORTS: dict[str, type[CommonParams]] = {
    "childrens_response_times": ChildrensParams,
    "complaints_performance": PerformanceParams,
    "annual_report": AnnualParams,
}

AnyParams = ChildrensParams | PerformanceParams | AnnualParams


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
    loc = "".join(f"[{p + 1}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(err["loc"]))
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
    shown = (f" (got {got!r})" if got is not None and not secret and not isinstance(got, (dict, list))
             and repr(got) not in msg else "")
    if not loc:  # a rule about several keys (table: and query:, period_start and period_end)
        return f"{msg}{shown}"
    return f"key '{loc}': {msg}{shown}"


def validate(raw: Mapping[str, Any], where: str) -> AnyParams:
    """Check a params mapping against its notebook's model; ParamsError naming ``where`` and the key."""
    if not isinstance(raw, Mapping):
        raise ParamsError(f"{where}: expected key: value pairs (a YAML mapping) at the top level")
    notebook = raw.get("notebook")
    if notebook is None:
        raise ParamsError(f"{where}: missing required key 'notebook' (one of: {', '.join(REPORTS)})")
    model = REPORTS.get(str(notebook))
    if model is None:
        raise ParamsError(f"{where}: key 'notebook': unknown notebook '{notebook}'; use one of: {', '.join(REPORTS)}")
    try:
        return model.model_validate(dict(raw))
    except ValidationError as e:
        errors = e.errors()
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ParamsError(f"{where}: {_describe(errors[0], model)}{more}") from None


class _Loader(yaml.SafeLoader):
    """YAML as people write it: a number with a leading zero (a phone number, 01384 ...) stays text."""


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
    except _DuplicateKey as e:
        raise ParamsError(f"{path}: key '{e.key}' is given twice (lines {e.first.line + 1} and {e.second.line + 1}); "
                          "keep one") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ParamsError(f"{path}: YAML error{where}: {problem}; check the indentation and quotes there") from None
    if raw is None:
        raise ParamsError(f"{path}: params file is empty")
    return validate(raw, str(path))


def from_namespace(namespace: Mapping[str, Any]) -> AnyParams:
    """Inside a notebook: the params from the parameters cell (plus what Papermill injected)."""
    notebook = namespace.get("notebook")
    model = REPORTS.get(str(notebook))
    if model is None:
        raise ParamsError(f"notebook parameter 'notebook' is {notebook!r}: use one of: {', '.join(REPORTS)}")
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
