"""The rules of the reports reportlib ships, beyond what their keys' types check: the order of their dates, the
sections they must have, the law's own limits, the periods and filters they select and the date their figures are
as at. Each is the base of its report's params model (:func:`reportlib.declare.declared_model`); the keys
themselves are declared in the report's notebook, never here.
"""

from __future__ import annotations

import datetime as dt

from pydantic import field_validator, model_validator

from . import periods
from .declare import DeclaredParams

#: The annual report's statutory timescales and extensions, in working days (SPEC "The annual report").
DEFAULT_TIMESCALES: dict[str, dict[int, int]] = {"corporate": {1: 10, 2: 20}, "childrens": {1: 10, 2: 25, 3: 30},
                                                 "adults": {}}
DEFAULT_EXTENSIONS: dict[str, dict[int, int]] = {"corporate": {1: 10, 2: 20}, "childrens": {1: 10, 2: 40},
                                                 "adults": {}}


def _year(key: str, label: str):
    from .selection import PeriodFilter

    fy = periods.parse_fy(label)
    return PeriodFilter(key, label, periods.fy_start(fy), periods.fy_end(fy))


class ChildrensRules(DeclaredParams):
    """``childrens_response_times``: its window runs forward and ends by the meeting; its figures are as at the
    window's end; it covers children's social care."""

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

    @property
    def procedures(self) -> tuple[str, ...]:
        return ("childrens",)

    def selections(self) -> list:
        from .selection import PeriodFilter, TextFilter

        found = [TextFilter("service", self.service, "service")] if self.service else []
        return found + [
            _year("baseline_year", self.baseline_year),
            PeriodFilter("period_start..period_end", f"{self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d}",
                         self.period_start, self.period_end),
        ]


class PerformanceRules(DeclaredParams):
    """``complaints_performance``: it has a Stage 2 section for children's and one for corporate complaints; its
    figures are as at the end of its year."""

    @field_validator("stage2_timescales", check_fields=False)
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
        return [_year("year", self.year)]


class AnnualRules(DeclaredParams):
    """``annual_report``: timescales as the law has them, homes with the services that are about them; its figures
    are as at the end of its year; it covers its ``scope``."""

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

    @property
    def procedures(self) -> tuple[str, ...]:
        return tuple(self.scope)

    def timescale_table(self) -> dict[str, dict[int, int]]:
        """Working days per procedure and stage: the defaults, with the params' own over them."""
        return {proc: {**DEFAULT_TIMESCALES[proc], **self.timescales.get(proc, {})} for proc in DEFAULT_TIMESCALES}

    def extension_table(self) -> dict[str, dict[int, int]]:
        """Extra working days allowed when ``extended`` is yes, per procedure and stage."""
        return {proc: {**DEFAULT_EXTENSIONS[proc], **self.extensions.get(proc, {})} for proc in DEFAULT_EXTENSIONS}

    def selections(self) -> list:
        from .selection import TextFilter

        found = [_year("year", self.year)]
        found += [TextFilter("scope", proc, "procedure") for proc in self.scope]
        if self.homes:
            found += [TextFilter("housing_services", service, "service") for service in self.housing_services]
        return found


#: Report name -> the rules its params model is built on (a report of the project's own has none of its own).
RULES: dict[str, type[DeclaredParams]] = {
    "childrens_response_times": ChildrensRules,
    "complaints_performance": PerformanceRules,
    "annual_report": AnnualRules,
}
