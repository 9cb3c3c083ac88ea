"""The shape of the package: where error classes live, and which module may import which."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dockergen
from dockergen.errors import DockergenError

MODULES = sorted(m.name for m in pkgutil.walk_packages(dockergen.__path__, "dockergen."))


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    sub: type
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_expected_failure_is_defined_in_errors() -> None:
    for name in MODULES:
        importlib.import_module(name)
    outside = [
        f"{c.__module__}.{c.__qualname__}"
        for c in _subclasses(DockergenError)
        if c.__module__.startswith("dockergen.") and c.__module__ != "dockergen.errors"
    ]
    assert outside == [], "a DockergenError subclass belongs in dockergen/errors.py"


# ---- the import graph, read from the source (every import, a lazy one in a function too) ----

PACKAGE = Path(dockergen.__file__).parent
# What renders text: it reads the spec and the templates, never the project's files.
RENDERING = (
    "dockergen.render",
    "dockergen.buildplan",
    "dockergen.dockerfile",
    "dockergen.decisions",
    "dockergen.compose",
    "dockergen.devcontainer",
    "dockergen.ci",
    "dockergen.gitlab",
)
# Reading the project goes through ProjectDir; the settings read the answers file.
READERS = ("dockergen.project", "dockergen.detect", "dockergen.settings", "dockergen.installers")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str], *, typing: bool = True) -> set[str]:
    """The package's modules `path` imports; `from a import b` is module a.b if there is one.
    Without `typing`, imports under `if TYPE_CHECKING:` (never run) are left out."""
    found: set[str] = set()
    for node in _nodes(ast.parse(path.read_text(encoding="utf-8")), typing=typing):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
            found.update(n for n in names if n in modules)
            if any(n not in modules for n in names):
                found.add(node.module)
    return found & modules


def _nodes(tree: ast.AST, *, typing: bool) -> Iterator[ast.AST]:
    for node in ast.iter_child_nodes(tree):
        if not typing and isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            continue
        yield node
        yield from _nodes(node, typing=typing)


def _graph(*, typing: bool = True) -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: _imports(p, set(paths), typing=typing) - {name} for name, p in paths.items()}


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for name in graph[todo.pop()] - seen:
            seen.add(name)
            todo.append(name)
    return seen


def test_the_import_graph_has_no_circles() -> None:
    graph = _graph()
    circles = sorted(
        f"{name} -> {other}"
        for name in graph
        for other in graph[name]
        if name in _reachable(graph, other)
    )
    assert circles == []


def test_rendering_imports_nothing_that_reads_the_project() -> None:
    graph = _graph(typing=False)
    for module in RENDERING:
        reached = _reachable(graph, module)
        assert [r for r in reached if r.startswith(READERS)] == [], module


def test_rendering_loads_nothing_that_reads_the_project() -> None:
    """The same, in a fresh interpreter: what importing the renderers really loads."""
    code = (
        f"import sys; import {', '.join(RENDERING)}; "
        f"print(sorted(m for m in sys.modules if m.startswith({READERS!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


# ---- start-up: what every run pays for before it starts work (benchmarks/startup_ratio.py) ----

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Modules `init` never needs on a project without a setup.cfg: other commands' (verify's
# package, the merge, tomlkit to write answers, yaml), or a package read from a folder
# (importlib.resources). Each is a prefix of module names.
NOT_FOR_INIT = (
    "dockergen.verify.",
    "dockergen.merge",
    "dockergen.start.dockerfile",  # parses the authors' Dockerfile; the fixture has none
    "tomlkit",
    "yaml",
    "configparser",
    "importlib.resources",
    "zipfile",
)


def test_init_dry_run_loads_only_what_it_uses() -> None:
    code = (
        "import sys\n"
        "from dockergen.cli import main\n"
        f"sys.argv = ['dockergen', 'init', {str(FIXTURES / 'poetry')!r}, '--dry-run', '--no-input']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if m.startswith({NOT_FOR_INIT!r})), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "FROM python:" in done.stdout  # it did render the Dockerfile
    assert done.stderr.splitlines()[-1] == "[]"


def test_every_dataclass_has_a_docstring() -> None:
    """Without one, dataclasses builds it from inspect.signature when the module is imported."""
    missing = [
        f"{name}.{value.__qualname__}"
        for name in MODULES
        for value in vars(importlib.import_module(name)).values()
        if isinstance(value, type)
        and value.__module__ == name
        and dataclasses.is_dataclass(value)
        and "__doc__" in vars(value)
        and (value.__doc__ or "").startswith(f"{value.__name__}(")
    ]
    assert missing == []
