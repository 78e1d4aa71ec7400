"""Reading a params file: YAML as people write it, and nothing YAML could do to the machine.

A number with a leading zero (a phone number) stays text; an impossible date (2021-02-30) stays text for the
params check to name; a key given twice is refused (YAML would keep the last); aliases that would repeat more
than :data:`MAX_ALIASED` values, or an alias inside what it repeats, are refused before anything is built. Only
YAML's safe constructors are used: no tag makes an object of any class.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import LIMIT, ParamsError, cut


#: How many values YAML aliases (``*name``, repeating what ``&name`` marked) may stand for in one params file. A
#: params file uses a few, if any; a file of 3 KB whose aliases repeat aliases eight deep stands for 43 million
#: values, and would take minutes and gigabytes to check.
MAX_ALIASED = 10_000


class _Aliases(yaml.composer.ComposerError):
    """Aliases that stand for too many values, or for the value they are inside."""

    def __init__(self, mark, recursive: bool):
        super().__init__(None, None, "an alias inside the value it repeats" if recursive else "too many aliases", mark)
        self.recursive = recursive


class Loader(yaml.SafeLoader):
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


Loader.add_constructor("tag:yaml.org,2002:int", _int_or_text)
Loader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)
Loader.construct_mapping = _mapping_without_duplicates


def parse(text: str, where: str) -> Any:
    """The YAML ``text`` (from ``where``, for messages) as plain values; ParamsError for what cannot be read."""
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except _Aliases as e:
        at = f"YAML error at line {e.problem_mark.line + 1}, column {e.problem_mark.column + 1}"
        if e.recursive:
            raise ParamsError(f"{where}: {at}: the alias (*name) is inside the value it repeats; write the value "
                              "out instead") from None
        raise ParamsError(f"{where}: {at}: the aliases (*name) repeat more than {MAX_ALIASED:,} values in all; "
                          "write the values out instead of repeating them with aliases") from None
    except _DuplicateKey as e:
        raise ParamsError(f"{where}: key '{cut(e.key)}' is given twice (lines {e.first.line + 1} and "
                          f"{e.second.line + 1}); keep one", key=(str(e.key),)) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = cut(getattr(e, "problem", None) or str(e).splitlines()[0], 2 * LIMIT)
        raise ParamsError(f"{where}: YAML error{at}: {problem}; check the indentation and quotes there") from None


def read(path: Path | str) -> Any:
    """The params file at ``path`` as plain values (a mapping, if it is a params file at all)."""
    path = Path(path)
    if path.is_dir():
        raise ParamsError(f"{path}: is a folder; give the params .yaml file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ParamsError(f"{path}: params file not found") from None
    except UnicodeDecodeError:
        raise ParamsError(f"{path}: not UTF-8 text; save the params file as UTF-8") from None
    raw = parse(text, str(path))
    if raw is None:
        raise ParamsError(f"{path}: params file is empty")
    return raw
