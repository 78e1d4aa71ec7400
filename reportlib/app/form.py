"""The meeting's details as a form, made from a report's params model, and back again.

:func:`controls` turns a report's pydantic model (the same declaration the params check, ``reportlib
describe`` and the kernel read) into :class:`Control` s, one per key, each with its label, help,
type words, default and required mark, filled from a params mapping. :func:`read` turns what the
browser sent back into a params mapping the params check takes; :func:`place_error` puts a
ParamsError beside the control of the key it names. Nothing here knows any report's keys by name:
a new report, built in or declared in a notebook's parameters cell, gets its form the same way.

How a key's type becomes a control:

- text, a financial year, a number, a date: a text box (each is checked by the params check, so a
  wrong one gets the command line's message; a date shows as 20/07/2021 and may be written so or as
  2021-07-20); yes/no and a choice of words: a select; a list of words to choose from (``scope``): check boxes;
- a list of text or dates (``recommendations``, ``closure_days``): a text area, one item a line;
  paragraphs: a text area, paragraphs separated by a blank line;
- a list of items with keys of their own (``contact``, ``benchmarks``, ``action_plan``): one group
  of boxes per item, and a button that adds an empty one; an item left empty is dropped;
- a set of keys (``implications``) or a mapping from a choice of words (``stage2_timescales``):
  a group with a box per key;
- anything else (``columns``, ``values``, nested mappings): a text area holding it as a params file
  writes it (YAML), read back with the params file's own reader.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Annotated, Literal, Mapping

import yaml
from pydantic import BaseModel

from .. import describe, paramfile, params as params_mod
from ..errors import ParamsError
from ..formats import DEFAULT_FORMATS, FORMATS

#: The form's own name for the formats to make: not a key of the model (a setting of the render, see
#: ``CommonParams.formats``), but a key of the params file.
FORMATS_KEY = "formats"
#: Keys the page fills in itself: the report (the select above the form) and the case log (its own step).
OWN_STEPS = ("notebook", "data")


@dataclass
class Control:
    """One box (or group of boxes) of the form: a key of the params, or an item or part of one."""

    name: str  # the form field's name: contact.0.email
    label: str
    kind: str  # text, number, date, select, checkboxes, lines, paragraphs, yaml, group, fields
    help: str = ""
    type_words: str = ""
    required: bool = False
    default: Any = None  # as JSON values; None: no default
    options: tuple[str, ...] = ()
    value: Any = ""  # text for a box; a list of texts for check boxes
    parts: list["Control"] = field(default_factory=list)  # fields: its keys; group: one "fields" per item
    item: type[BaseModel] | None = None  # group: the model of one item
    error: str | None = None
    common: bool = False
    always: bool = False  # shown even when it holds nothing but its default

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-")

    @property
    def given(self) -> bool:
        """Whether it holds anything but its default (or an error): the form shows it; the others wait behind
        "More details"."""
        if self.always or self.required or any(part.error for part in self.walk()):
            return True
        if self.kind == "group":
            return bool(self.parts)
        if self.kind == "fields":
            return any(part.given for part in self.parts)
        if self.kind == "checkboxes":
            return list(self.value) != [_text(v) for v in (self.default or [])]
        return self.value not in ("", _shown(self.kind, self.default))

    def walk(self) -> typing.Iterator["Control"]:
        yield self
        for part in self.parts:
            yield from part.walk()


def words(name: str) -> str:
    """``meeting_date`` -> ``Meeting date``."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


# --- types ------------------------------------------------------------------------------------------------------

def _unwrap(annotation: Any, metadata: list) -> tuple[Any, list, bool]:
    """The annotation without Annotated and ``| None`` (its metadata gathered), and whether None is allowed."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation, *inner = typing.get_args(annotation)
            metadata = [*inner, *metadata]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            if len(args) != 1:
                return annotation, metadata, optional
            annotation = args[0]
        else:
            return annotation, metadata, optional


def _validator_funcs(metadata: list) -> set:
    return {getattr(m, "func", None) for m in metadata} - {None}


def _is_model(annotation) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _scalar_kind(annotation, metadata: list) -> tuple[str, tuple[str, ...]]:
    """The box for a single value: (kind, options)."""
    funcs = _validator_funcs(metadata)
    if params_mod.parse_date in funcs or annotation is dt.date:
        return "date", ()
    if params_mod.paragraphs in funcs:
        return "paragraphs", ()
    if typing.get_origin(annotation) is Literal:
        return "select", tuple(str(a) for a in typing.get_args(annotation))
    if annotation is bool:
        return "select", ("yes", "no")
    if annotation in (int, float):
        return "number", ()
    return "text", ()


def _is_scalar(annotation) -> bool:
    return typing.get_origin(annotation) in (None, Literal) and not _is_model(annotation)


def _kind(annotation, metadata: list) -> tuple[str, tuple[str, ...], Any]:
    """(kind, options, the item or part type) for a field's annotation (already unwrapped)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if params_mod.paragraphs in _validator_funcs(metadata):
        return "paragraphs", (), None
    if origin in (typing.Union, types.UnionType):  # text or a number (an Excel sheet): a text box
        if all(_is_scalar(_unwrap(a, [])[0]) for a in args):
            return "text", (), None
        return "yaml", (), None
    if _is_model(annotation):
        return "fields", (), annotation
    if origin in (tuple, list) and args:
        inner, inner_meta, _ = _unwrap(args[0], [])
        if _is_model(inner):
            return "group", (), inner
        kind, options = _scalar_kind(inner, inner_meta)
        if kind == "select" and typing.get_origin(inner) is Literal:
            return "checkboxes", options, inner
        if kind in ("text", "date", "number"):
            return "lines", (), inner
        return "yaml", (), None
    if origin is dict and args:
        key, _, _ = _unwrap(args[0], [])
        value, value_meta, _ = _unwrap(args[1], [])
        if typing.get_origin(key) is Literal and _is_scalar(value) and _scalar_kind(value, value_meta)[0] in (
                "text", "number"):
            return "fields", tuple(str(a) for a in typing.get_args(key)), value
        return "yaml", (), None
    if not _is_scalar(annotation):
        return "yaml", (), None
    kind, options = _scalar_kind(annotation, metadata)
    return kind, options, annotation


# --- values as the form shows them -----------------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value:%d/%m/%Y}"  # as a British officer writes a date; the params check reads it, as ISO too
    return str(value)


def _yaml_text(value: Any) -> str:
    if value in (None, {}, [], ()):
        return ""
    return yaml.safe_dump(params_mod.to_jsonable(value), sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=1000).strip()


def _as_date(value: Any) -> Any:
    """A date written either way in a params file, as a date (anything else as it was)."""
    try:
        return params_mod.parse_date(value) if value is not None else None
    except ValueError:
        return value


def _shown(kind: str, value: Any) -> Any:
    """A params value as the form shows it."""
    if kind == "date":
        return _text(_as_date(value))
    if kind == "checkboxes":
        return [_text(v) for v in (value if isinstance(value, (list, tuple)) else [value])] if value is not None else []
    if kind == "lines":
        items = value if isinstance(value, (list, tuple)) else ([] if value is None else [value])
        return "\n".join(_text(v) for v in items)
    if kind == "paragraphs":
        items = value if isinstance(value, (list, tuple)) else ([] if value is None else [value])
        return "\n\n".join(_text(v) for v in items)
    if kind == "yaml":
        return _yaml_text(value)
    return _text(value)


def _default(field_info) -> Any:
    if field_info.is_required():
        return None
    return params_mod.to_jsonable(field_info.get_default(call_default_factory=True))


# --- the controls ---------------------------------------------------------------------------------------------

def _control(name: str, key: str, field_info, value: Any, present: bool, common: bool = False) -> Control:
    annotation, metadata, _ = _unwrap(field_info.annotation, list(field_info.metadata))
    kind, options, part = _kind(annotation, metadata)
    default = _default(field_info)
    if not present:
        value = default
    c = Control(name=name, label=words(key), kind=kind, help=" ".join((field_info.description or "").split()),
                type_words=describe.type_words(field_info.annotation, field_info.metadata),
                required=field_info.is_required(), default=default, options=options, common=common)
    if kind == "group":
        items = [value] if isinstance(value, Mapping) else list(value or [])
        c.item = part
        c.parts = [_fields(f"{name}.{i}", f"{c.label} {i + 1}", part, item) for i, item in enumerate(items)]
    elif kind == "fields" and _is_model(part):
        c.parts = _fields(name, c.label, part, value).parts
    elif kind == "fields":  # a mapping from a choice of words: a box per word
        value = value if isinstance(value, Mapping) else {}
        c.parts = [Control(f"{name}.{option}", words(option), _scalar_kind(part, [])[0],
                           type_words=describe.type_words(part), value=_text(value.get(option)))
                   for option in options]
    else:
        if kind == "select" and not c.required and (default is None or value is None):
            c.options = ("", *options)  # "not given" is a choice too
        c.value = _shown(kind, value)
    return c


def _fields(name: str, label: str, model: type[BaseModel], value: Any) -> Control:
    """A group of boxes, one per key of ``model``, filled from ``value`` (a mapping, or none)."""
    value = value if isinstance(value, Mapping) else (value.model_dump() if isinstance(value, BaseModel) else {})
    parts = [_control(f"{name}.{key}", key, info, value.get(key), key in value)
             for key, info in model.model_fields.items()]
    return Control(name=name, label=label, kind="fields", parts=parts,
                   help=" ".join((model.__doc__ or "").split()))


def controls(model: type[BaseModel], values: Mapping[str, Any] | None = None) -> list[Control]:
    """One control per key of a report's params model, filled from ``values`` (a params mapping; keys it lacks
    show their default), without the report and the case log, which the page asks for in steps of their own;
    then the formats to make."""
    values = values or {}
    common = params_mod.CommonParams.model_fields
    found = [_control(key, key, info, values.get(key), key in values, common=key in common)
             for key, info in model.model_fields.items() if key not in OWN_STEPS]
    chosen = values.get(FORMATS_KEY, list(DEFAULT_FORMATS))
    found.append(Control(FORMATS_KEY, "Files to make", "checkboxes", common=True, always=True, options=FORMATS,
                         help="The committee paper as a web page (html), PDF, Word (docx) and a workbook of its "
                              "tables (xlsx). The audit files are always made.",
                         default=list(DEFAULT_FORMATS), value=_shown("checkboxes", chosen)))
    return found


def add_item(found: list[Control], name: str) -> bool:
    """Add an empty item to the group ``name`` (the form's "Add another" button); False when there is none."""
    for c in found:
        for part in c.walk():
            if part.kind == "group" and part.name == name:
                i = len(part.parts)
                part.parts.append(_fields(f"{name}.{i}", f"{part.label} {i + 1}", part.item, {}))
                return True
    return False


# --- reading the form back -----------------------------------------------------------------------------------

def _number(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text.replace(",", "")) if text.replace(",", "").strip() else None
        except ValueError:
            pass
    return text  # the params check names the key and says it should be a number


def _date(text: str) -> Any:
    try:
        return params_mod.parse_date(text)  # 20/07/2021 or 2021-07-20, as in a params file
    except ValueError:
        return text  # the params check says how to write a date


def _option(text: str, options: tuple[str, ...], annotation_kind: str) -> Any:
    if text == "":
        return None
    if options[-2:] == ("yes", "no") and annotation_kind == "bool":
        return text == "yes"
    return int(text) if text.isdigit() else text


def _chosen(form: Mapping[str, Any], name: str) -> list[str]:
    """The boxes ticked in a group of check boxes (a browser sends one value, several, or none)."""
    value = form.get(name, [])
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


class FormError(ParamsError):
    """What the form holds cannot be a params value (a text area that is not YAML); ``key`` names the box."""


def _read_one(c: Control, form: Mapping[str, Any]) -> Any:
    """The params value of control ``c`` from the submitted ``form`` (None: not given)."""
    if c.kind == "group":
        items = []
        for part in c.parts:
            item = _read_one(part, form)
            if item:
                items.append(item)
        return items or None
    if c.kind == "fields":
        found = {p.name.rsplit(".", 1)[1]: v for p in c.parts if (v := _read_one(p, form)) is not None}
        return found or None
    if c.kind == "checkboxes":
        chosen = [v for v in _chosen(form, c.name) if v in c.options]
        return [int(v) if v.isdigit() else v for v in chosen]
    text = str(form.get(c.name, "")).replace("\r\n", "\n").strip()
    if c.kind == "lines":
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        return [_date(line) if "date" in c.type_words else line for line in lines] or None
    if c.kind == "paragraphs":
        paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
        return (paragraphs[0] if len(paragraphs) == 1 else paragraphs) or None
    if c.kind == "yaml":
        return _yaml(c, text)
    if not text:
        return None
    if c.kind == "number":
        return _number(text)
    if c.kind == "date":
        return _date(text)
    if c.kind == "select":
        return _option(text, c.options, "bool" if c.type_words == "yes or no" else "")
    return text


def _yaml(c: Control, text: str) -> Any:
    if not text:
        return None
    try:
        return yaml.load(text, Loader=paramfile.Loader)  # noqa: S506 - the params file's safe reader
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise FormError(f"key '{c.name}': not written as a params file writes it{where}: check the indentation "
                        "and the colons", key=tuple(c.name.split("."))) from None


def read(found: list[Control], form: Mapping[str, Any]) -> dict:
    """The params mapping the form gives: each control's value read back, keys left empty or at their default left
    out (a required key is always written). ``form`` maps a field name to its text, or to a list of texts for
    check boxes."""
    mapping = {}
    for c in found:
        value = _read_one(c, form)
        if c.name == FORMATS_KEY:
            if list(value or []) != list(DEFAULT_FORMATS):
                mapping[c.name] = value
            continue
        if value is None or (not c.required and params_mod.to_jsonable(value) == c.default):
            continue
        mapping[c.name] = value
    return mapping


def refill(found: list[Control], form: Mapping[str, Any]) -> list[Control]:
    """The same controls showing what the browser sent (after an error, or "Add another": nothing is lost);
    a group gets as many items as the form sent."""
    for c in found:
        for part in list(c.walk()):
            if part.kind == "group":
                sent = {int(name.split(".")[len(part.name.split("."))]) for name in form
                        if name.startswith(part.name + ".") and name.split(".")[len(part.name.split("."))].isdigit()}
                while len(part.parts) < (max(sent) + 1 if sent else 0):
                    i = len(part.parts)
                    part.parts.append(_fields(f"{part.name}.{i}", f"{part.label} {i + 1}", part.item, {}))
    for c in found:
        for part in c.walk():
            if part.kind in ("group", "fields"):
                continue
            part.value = _chosen(form, part.name) if part.kind == "checkboxes" else str(form.get(part.name, ""))
    return found


def place_error(found: list[Control], key: tuple | None, message: str) -> Control | None:
    """Put ``message`` beside the control of ``key`` (the longest part of it that names one); None when no control
    shows that key (the message then stands above the form)."""
    if not key:
        return None
    names = {part.name: part for c in found for part in c.walk()}
    parts = [str(k) for k in key]
    for n in range(len(parts), 0, -1):
        control = names.get(".".join(parts[:n]))
        if control is not None:
            control.error = message
            return control
    return None


def errors(found: list[Control]) -> list[Control]:
    """The controls showing an error, in the order of the form."""
    return [part for c in found for part in c.walk() if part.error]
