"""A report's keys in words: what ``reportlib describe`` prints, the docs' params tables and the officer's form
read, all from the one declaration (:mod:`reportlib.declare`, :class:`reportlib.params.CommonParams`)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Mapping

from pydantic import BaseModel

from .errors import ParamsError
from .params import CommonParams, _model_in, as_text, financial_year, paragraphs, parse_date, stage_number
from .vocabulary import Canonical, Procedure

_SCALAR_WORDS = {str: "text", int: "whole number", float: "number", bool: "yes or no", dt.date: "date"}
_PLURALS = {"whole number": "whole numbers", "number": "numbers", "date": "dates", "yes or no": "yes or no values",
            "financial year e.g. 2020/21": "financial years e.g. 2020/21"}
_VALIDATOR_WORDS = {parse_date: "date", financial_year: "financial year e.g. 2020/21", as_text: "text",
                    paragraphs: "text, or a list of paragraphs", stage_number: "stage (1, 2 or 3)"}


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
    example: str | None = None  # a required key's example value, as its declaration gives it


def keys_of(model: type[BaseModel]) -> list[Key]:
    """The keys of a params model (or of one of its parts), in the order a params file lists them."""
    found = []
    for name, field in model.model_fields.items():
        required = field.is_required()
        default = None if required else default_words(field.get_default(call_default_factory=True))
        example = field.examples[0] if required and field.examples else None
        part = _model_in(field.annotation)
        found.append(Key(name, type_words(field.annotation, field.metadata), required, default,
                         " ".join((field.description or "").split()),
                         common=name in CommonParams.model_fields and model is not CommonParams,
                         parts=tuple(keys_of(part)) if part is not None else (),
                         example=default_words(example) if example is not None else None))
    return found


def describe(notebook: str, reports: Mapping[str, type[CommonParams]] | None = None) -> tuple[str, list[Key]]:
    """What a report is (its model's first docstring line) and its keys, from the model the params check uses.

    ``reports`` defaults to the current project's. An unknown ``notebook`` raises ParamsError naming the closest
    report names."""
    if reports is None:
        from .reports import REPORTS as reports
    model = reports.get(notebook)
    if model is None:
        known = list(reports)
        close = difflib.get_close_matches(notebook, known, n=3, cutoff=0.5)
        hint = f"did you mean {join_words(close)}?" if close else f"use one of: {', '.join(known)}"
        raise ParamsError(f"unknown notebook '{notebook}': {hint}")
    summary = re.sub(r"``([^`]*)``", r"\1", " ".join((model.__doc__ or notebook).split()))
    return summary, [*keys_of(model), FORMATS_KEY]


#: ``formats``: a setting of the render, not of the notebook (no model field), listed with the keys every report takes.
FORMATS_KEY = Key("formats", "list of html, pdf, docx or xlsx", False, "[html, pdf]",
                  "Which files to make: html and pdf (the committee paper), docx (report.docx, for editing in Word), "
                  "xlsx (tables.xlsx: every table, charts' data included, as a statistics workbook); "
                  "reportlib render --format docx,xlsx overrides it. report.ipynb, figures.json, data_quality.csv "
                  "and manifest.json are always written.", common=True)


def params_table(keys: list[Key]) -> str:
    """A Markdown table of ``keys`` (key, type, required or default, what it is), each item's keys of a list or
    mapping of them below it (``benchmarks[].period``): docs/params.md's tables."""
    rows = ["| key | type | required or default | what it is |", "|---|---|---|---|"]

    def add(key: Key, name: str) -> None:
        given = "required" if key.required else f"default `{key.default}`"
        rows.append(f"| `{name}` | {key.type} | {given} | {key.help.replace('|', chr(92) + '|')} |")
        for part in key.parts:
            add(part, f"{name}[].{part.name}" if key.type.startswith("list") else f"{name}.{part.name}")
    for key in keys:
        add(key, key.name)
    return "\n".join(rows)


def docs_tables(text: str, reports: Mapping[str, type[CommonParams]]) -> str:
    """docs/params.md with each table between ``<!-- keys: NAME -->`` and ``<!-- /keys -->`` made again from the
    declarations: ``common`` for the keys every report takes, a report's name for its own keys."""
    def table(match) -> str:
        name = match.group(1)
        if name == "common":
            keys = [k for k in describe(next(iter(reports)), reports)[1] if k.common]
        else:
            keys = [k for k in keys_of(reports[name]) if not k.common]
        return f"<!-- keys: {name} -->\n{params_table(keys)}\n<!-- /keys -->"
    return re.sub(r"<!-- keys: (\w+) -->.*?<!-- /keys -->", table, text, flags=re.S)


def main() -> int:
    """``python -m reportlib.describe docs/params.md``: make the file's params tables again (``./dev docs``)."""
    import sys
    from pathlib import Path

    from .reports import REPORTS

    for path in map(Path, sys.argv[1:]):
        text = path.read_text(encoding="utf-8")
        fresh = docs_tables(text, REPORTS)
        if fresh != text:
            path.write_text(fresh, encoding="utf-8")
            print(f"{path}: params tables made again from the reports' declarations")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
