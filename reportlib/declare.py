"""A report's own keys, declared once: in its notebook's parameters cell.

Every report, built-in or the project's own, declares the keys it takes beyond the common ones
(:class:`reportlib.params.CommonParams`) in its notebook's parameters cell, one key a line::

    notebook = "childrens_response_times"
    # The timescale in working days, e.g. 20: a response is within it when sent within this many.
    target_working_days: "Required[WorkingDays]" = 20
    stage: "Stage" = 1  # The complaint stage reported.

The type comes from :data:`reportlib.params.TYPES` (with ``list[...]``, ``dict[..., ...]``, ``Optional[...]``,
``Literal[...]`` around them); ``Required[...]`` around it makes every params file give the key (its value here
is an example), otherwise the value is the default. The help is the comment at the end of the line, or the
comment lines just above it. :func:`declared_model` turns the cell into the report's params model, on the base of
its rules (:mod:`reportlib.rules`: cross-key checks, the periods it selects, its cut-off date), so the cell, the
params check, ``reportlib describe``, ``reportlib new``, the docs and the officer's form never disagree. The keys
every report takes are not in the cell: a params file gives them, and the notebook run on its own takes them from
its sample params file (``params/sample_<report>.yaml``).
"""

from __future__ import annotations

import ast
import difflib
import io
import re
import tokenize
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError, create_model

from . import periods
from .errors import ParamsError, shown
from .params import _PLAIN, TYPES, CommonParams, financial_year

_GENERICS = ("list[...]", "dict[..., ...]", "Optional[...]", "Literal[...]", "Required[...]")
# What Papermill's parameter inspection reads as a type (papermill.translators.PythonTranslator): a type it cannot
# read would hide the key from it.
_PAPERMILL_TYPE = re.compile(r"^\w[\w\[\],\s]*$")


class DeclaredParams(CommonParams):
    """The base of a model built from a notebook's parameters cell (:func:`declared_model`): a report with no rules
    of its own selects the financial years its keys name (each must be one the case log covers)."""

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
    return financial_year in _validators(field.annotation, field.metadata)


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


def _comments(source: str) -> dict[int, str]:
    """Line number -> the text of the comment on it (a whole-line comment or one ending the line)."""
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, SyntaxError):
        pass
    return comments


def _help(stmt: ast.stmt, lines: list[str], comments: dict[int, str]) -> str | None:
    """A key's help: the comment ending its line, else the comment lines just above it."""
    if stmt.end_lineno in comments and not lines[stmt.end_lineno - 1].lstrip().startswith("#"):
        return comments[stmt.end_lineno]
    above, line = [], stmt.lineno - 1
    while line >= 1 and lines[line - 1].lstrip().startswith("#"):
        above.insert(0, comments.get(line, ""))
        line -= 1
    return " ".join(" ".join(above).split()) or None


def _statement(stmt: ast.stmt, here: str) -> tuple[str, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id, None
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        return stmt.target.id, stmt.annotation
    raise ParamsError(f"{here}: a parameters cell holds only 'name: \"type\" = value' lines, one for each key of the "
                      "report's own, and notebook = \"its name\"")


def _own_key(stmt, name: str, annotation, cell: str, here: str) -> tuple[Any, Any]:
    """The field (type, Field) a ``name: "type" = value`` line declares."""
    lines = cell.splitlines()
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
    help_text = _help(stmt, lines, _comments(cell))
    return tp, (Field(description=help_text, examples=[sample]) if required else
                Field(value, description=help_text, validate_default=True))


def declared_model(notebook: str, cell: str, where: str = "", base: type[CommonParams] | None = None,
                   description: str = "") -> type[CommonParams]:
    """The params model of report ``notebook`` from its parameters cell: the keys every report takes, and the
    report's own as the cell declares them (see the module's docstring), on ``base`` (its rules; default
    :class:`DeclaredParams`). ``description`` says what the report is. A ParamsError names ``where``, the line and
    what to write instead."""
    where = where or f"notebooks/{notebook}.ipynb: parameters cell"
    try:
        tree = ast.parse(cell)
    except SyntaxError as e:
        raise ParamsError(f"{where}, line {e.lineno}: {e.msg}") from None
    seen: dict[str, int] = {}
    fields: dict[str, Any] = {}
    for stmt in tree.body:
        here = f"{where}, line {stmt.lineno}"
        name, annotation = _statement(stmt, here)
        if name in seen:
            raise ParamsError(f"{here}: key '{name}' is given twice (lines {seen[name]} and {stmt.lineno}); keep one")
        seen[name] = stmt.lineno
        if name == "notebook":
            if not (isinstance(stmt.value, ast.Constant) and stmt.value.value == notebook):
                raise ParamsError(f"{here}: write notebook = \"{notebook}\", the notebook's own name")
        elif name in CommonParams.model_fields:
            raise ParamsError(f"{here}: key '{name}' is one every report takes: it goes in the params file "
                              f"(params/sample_{notebook}.yaml for the notebook run on its own), not in the "
                              "parameters cell")
        else:
            fields[name] = _own_key(stmt, name, annotation, cell, here)
    if "notebook" not in seen:
        raise ParamsError(f"{where}: add the line notebook = \"{notebook}\", the notebook's own name")
    title = "".join(part.capitalize() for part in notebook.split("_")) or "Report"
    doc = f"``{notebook}``: {description or 'a report of this project'}."
    return create_model(f"{title}Params", __base__=base or DeclaredParams, __module__=__name__, __doc__=doc, **fields)


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
        return st.st_mtime_ns, st.st_size
    except OSError:
        return None, None


_CELLS: dict[Path, tuple[tuple, tuple[str, str, str] | None]] = {}


def parameters_cell(notebook: Path) -> tuple[str, str, str] | None:
    """The parameters cell of a notebook (either file of its pair, as of its latest save), where it is (e.g.
    ``notebooks/my_report.md: parameters cell``) and what the report is (the notebook's first heading); None when
    it has none (it is no report)."""
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
    heading = next((m.group(1) for c in nb.cells if c.cell_type == "markdown"
                    for m in [re.search(r"^#\s+(.+)$", c.source, re.M)] if m), "")
    found = next(((c.source, f"{source.parent.name}/{source.name}: parameters cell", heading.strip())
                  for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])), None)
    _CELLS[pair.ipynb] = (stamp, found)
    return found
