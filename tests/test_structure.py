"""The house reads one way: no import circles, no import that runs back up a layer, no module over about 500
lines, no function over about 60 (docs/architecture.md draws the layers)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reportlib"

#: The layers, bottom up: a module imports only from its own layer or below (docs/architecture.md).
LAYERS = [
    # the vocabulary, the errors and the workarounds: no reportlib imports at all, or only each other
    {"errors", "vocabulary", "regions", "project", "hosts", "compat", "private"},
    # the pure layer: cases in, figures and words out
    {"workdays", "periods", "words", "figures", "narrative", "selection", "tables", "stats", "annual",
     "annual_timeliness", "annual_services", "charts", "colours"},
    # the edges that read: sources, rows, params and the report declarations
    {"caselog", "columns", "rows", "sources", "casedata", "params", "paramfile", "notebooks", "reports", "declare", "describe", "rules"},
    # the edges that run and write
    {"handover", "kernel", "outputs", "render", "layout", "pages", "formats", "vcs", "session", "sample"},
    # the one path
    {"pipeline"},
    # the front ends
    {"cli", "preview", "app", "authoring"},
]
MAX_MODULE_LINES = 520
MAX_FUNCTION_LINES = 62


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(p for p in parts if p != "__init__") or "reportlib"] = path
    return found


def _layer(module: str) -> int:
    top = module.split(".")[0]
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"reportlib.{module} is in no layer of tests/test_structure.py: add it to one")


def _imports(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The reportlib modules ``module`` imports, at the top or inside functions alike."""
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - node.level + 1] if node.level > 1 else package
            target = [*base, *(node.module.split(".") if node.module else [])]
            for alias in node.names:
                for name in (".".join([*target, alias.name]), ".".join(target)):
                    if name in modules and name != module:
                        found.add(name)
                        break
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reportlib"):
            name = node.module.removeprefix("reportlib").lstrip(".")
            if name in modules and name != module:
                found.add(name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name.removeprefix("reportlib").lstrip(".")
                if alias.name.startswith("reportlib.") and name in modules and name != module:
                    found.add(name)
    return {m for m in found if m}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = {m: p for m, p in _modules().items() if m != "reportlib"}
    return {m: _imports(m, p, modules) for m, p in modules.items()}


def test_no_import_circles(graph):
    seen: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(module: str, path: list[str]) -> None:
        seen[module] = 1
        for target in sorted(graph.get(module, ())):
            if target.split(".")[0] == module.split(".")[0]:
                continue  # a package and its own modules (formats and formats.pdf) are one room
            if seen.get(target) == 1:
                raise AssertionError("import circle: " + " -> ".join([*path, module, target]))
            if target not in seen:
                visit(target, [*path, module])
        seen[module] = 2
    for module in sorted(graph):
        if module not in seen:
            visit(module, [])


def test_no_import_runs_back_up(graph):
    upward = [f"{m} -> {t}" for m, targets in sorted(graph.items()) for t in sorted(targets)
              if _layer(t) > _layer(m)]
    assert not upward, "imports that run back up a layer: " + ", ".join(upward)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_are_small(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path.name} has {len(text.splitlines())} lines"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{path.name}: functions over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"
