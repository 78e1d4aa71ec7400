"""The helpers notebooks call read like a library: every public function has a typed signature and a docstring,
and docs/api/ (generated from them by pdoc, ``./dev docs``) is up to date with the code."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import re
import shutil
import subprocess

import pytest

from factory import REPO

API = REPO / "docs" / "api"


def api_modules() -> list[str]:
    """The modules docs/api/ documents: the dev script's list (one list for ./dev docs and this test)."""
    found = re.search(r'^API_MODULES="([^"]*)"', (REPO / "dev").read_text(), re.M)
    assert found, "dev has no API_MODULES list"
    return [m for m in found.group(1).split() if not m.startswith("!")]  # "!module": a submodule left out


def _callables(module):
    """(qualified name, function) for each public function of ``module`` and each public method or property of its
    public classes; names another module defines are that module's."""
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                elif isinstance(member, property):
                    member = member.fget
                if inspect.isfunction(member):
                    yield f"{name}.{attr}", member


def gaps() -> set[str]:
    """What a public function lacks: ``module.name: docstring``, ``module.name: type of x``, ``module.name: return
    type``."""
    found = set()
    for modname in api_modules():
        module = importlib.import_module(modname)
        short = modname.removeprefix("reportlib.")
        for name, fn in _callables(module):
            where = f"{short}.{name}"
            if not (fn.__doc__ or "").strip():
                found.add(f"{where}: docstring")
            signature = inspect.signature(fn)
            for param in signature.parameters.values():
                if param.name in ("self", "cls") or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                    continue
                if param.annotation is inspect.Parameter.empty:
                    found.add(f"{where}: type of {param.name}")
            if signature.return_annotation is inspect.Signature.empty:
                found.add(f"{where}: return type")
    return found


# What the functions lacked when this test was written, in modules maintained elsewhere. The list may only shrink:
# give the function its docstring or types, then delete its line here (the test says which).
KNOWN_GAPS: set[str] = set()  # every public helper has its docstring and types: keep it so


def test_every_public_function_has_a_docstring_and_types():
    found = gaps()
    new = sorted(found - KNOWN_GAPS)
    assert not new, f"public functions without a docstring or types (add them): {new}"
    fixed = sorted(KNOWN_GAPS - found)
    assert not fixed, f"fixed, so delete from KNOWN_GAPS in {__file__}: {fixed}"


def test_help_shows_the_real_signature():
    from reportlib import charts

    text = inspect.signature(charts.bar)
    assert "title: 'str'" in str(text) or "title: str" in str(text)
    assert charts.bar.__doc__


def _pinned(name: str) -> str | None:
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if line.lower().startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    return None


# pdoc writes its own version into each page; nothing else in them changes from one run to the next.
_VOLATILE = re.compile(r'<meta name="generator" content="pdoc [^"]*"/>')


def _pages(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _VOLATILE.sub("", p.read_text(encoding="utf-8"))
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX sh for ./dev")
def test_committed_api_docs_are_up_to_date(tmp_path):
    try:
        installed = importlib.metadata.version("pdoc")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("pdoc is not installed: ./dev setup installs it (the 'dev' extra)")
    if installed != _pinned("pdoc"):
        pytest.skip(f"pdoc {installed} is installed but requirements.lock pins {_pinned('pdoc')}: its pages would "
                    "differ by pdoc's own changes")
    out = tmp_path / "api"
    proc = subprocess.run(["sh", str(REPO / "dev"), "docs", str(out)], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    fresh, committed = _pages(out), _pages(API)
    assert set(fresh) == set(committed), "docs/api/ lists other modules than ./dev docs makes: run ./dev docs"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"docs/api/ is out of date for {stale}: run ./dev docs and commit docs/api/"


def test_api_docs_document_each_module():
    pages = {p.relative_to(API).as_posix() for p in API.rglob("*.html")}
    assert pages == {"index.html", *(m.replace(".", "/") + ".html" for m in api_modules())}
    bar = (API / "reportlib" / "charts.html").read_text(encoding="utf-8")
    assert 'id="bar"' in bar and "Vertical bars, each labelled with its value" in bar
