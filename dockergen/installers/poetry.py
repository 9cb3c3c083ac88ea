"""Poetry: `[tool.poetry]` (Poetry 1) or `[project]` (Poetry 2), enforced by poetry.lock."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from dockergen.errors import InvalidProjectFileError
from dockergen.installers.base import (
    BaseInstaller,
    Evidence,
    Index,
    InstallFacts,
    LockedPackage,
    PythonConstraint,
    Strength,
)
from dockergen.installers.tables import (
    file_names,
    legacy_files,
    lock_tool_facts,
    metadata_files,
    source_tables,
    table_entries,
    tool_table,
)
from dockergen.model import Installer
from dockergen.names import import_name
from dockergen.project import ProjectDir
from dockergen.text import shorten

_SHAPES: Final = (
    (("tool", "poetry", "dependencies"), dict),
    (("tool", "poetry", "scripts"), dict),
    (("tool", "poetry", "packages"), list),
)


class Poetry(BaseInstaller):
    installer = Installer.POETRY
    lockfile = "poetry.lock"
    lock_command = "poetry lock"
    requirements = ("poetry==2.5.1",)

    def evidence(self, project: ProjectDir) -> tuple[Evidence, ...]:
        found = []
        if project.is_file("poetry.lock"):
            found.append(Evidence(Strength.LOCK, "poetry.lock"))
        if _poetry(project):
            found.append(Evidence(Strength.TOOL, "pyproject.toml [tool.poetry]"))
        backend = str(project.pyproject().get("build-system", {}).get("build-backend", ""))
        if backend.startswith("poetry.core"):
            found.append(Evidence(Strength.TOOL, f"pyproject.toml build-backend {backend}"))
        return tuple(found)

    def facts(self, project: ProjectDir, python: str) -> InstallFacts:
        declared = _poetry(project).get("dependencies", {})
        return lock_tool_facts(self, project, packaged=_packaged(project), declared=declared)

    def declared(self, project: ProjectDir) -> Iterator[tuple[str, tuple[str, ...]]]:
        yield from table_entries(_poetry(project).get("dependencies"), frozenset({"python"}))

    def locked(self, project: ProjectDir) -> Iterator[LockedPackage]:
        # Lock format 1.x lists file names in [metadata.files], keyed by name.
        legacy = legacy_files(self.read_lock(project))
        for package in self.lock_packages(project):
            if isinstance(name := package.get("name"), str):
                # Poetry 1.x marks the group with category, 2.x with groups.
                groups = package.get("groups") or [package.get("category", "main")]
                files = file_names(package) or file_names({"files": legacy.get(name)})
                yield LockedPackage(name, files, default="main" in groups)

    def python_constraints(self, project: ProjectDir) -> Iterator[PythonConstraint]:
        python = _poetry(project).get("dependencies", {}).get("python")
        if isinstance(python, str):
            yield PythonConstraint(
                _alternatives(python), "pyproject.toml", python, "[tool.poetry] python"
            )

    def indexes(self, project: ProjectDir, manifests: tuple[str, ...]) -> Iterator[Index]:
        """[[tool.poetry.source]]; poetry 2.5.1 reads the credentials from ~/.netrc."""
        yield from source_tables(
            _poetry(project).get("source"),
            "pyproject.toml [[tool.poetry.source]]",
            frozenset({"pypi"}),
        )

    def project_name(self, project: ProjectDir) -> str | None:
        name = _poetry(project).get("name")
        return name if isinstance(name, str) else None

    def metadata_files(self, project: ProjectDir) -> tuple[str, ...]:
        return metadata_files(_poetry(project))

    def scripts(self, project: ProjectDir) -> Iterator[tuple[dict[str, Any], str]]:
        yield _poetry(project).get("scripts", {}), "[tool.poetry.scripts]"


def _poetry(project: ProjectDir) -> dict[str, Any]:
    return tool_table(project, "poetry", _SHAPES)


def _packaged(project: ProjectDir) -> bool:
    poetry = _poetry(project)
    if poetry.get("package-mode") is False:
        return False
    # Poetry refuses to install a root package whose code it cannot find; apps often have none.
    name = project.pyproject().get("project", {}).get("name") or poetry.get("name") or ""
    module = import_name(str(name))
    has_code = bool(module) and any(
        project.is_dir(d) or project.is_file(f"{d}.py") for d in (module, f"src/{module}")
    )
    return bool(poetry.get("packages")) or has_code


def _alternatives(text: str) -> tuple[str, ...]:
    """Poetry's constraint syntax (^, ~, wildcards, ||) as PEP 440 specifier strings."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    alternatives = []
    for alternative in re.split(r"\s*\|\|?\s*", text.strip()):
        terms = [t for t in re.split(r"[,\s]+(?=[<>=!~^*\d])", alternative) if t.strip()]
        try:
            converted = ",".join(filter(None, (_term(t.strip()) for t in terms)))
            alternatives.append(str(SpecifierSet(converted)))
        except (InvalidSpecifier, ValueError) as exc:  # ValueError: int() of "^3.x"
            raise InvalidProjectFileError(
                "pyproject.toml",
                f"python = {shorten(text)!r} is not a valid Poetry constraint",
                "fix it",
            ) from exc
    return tuple(alternatives)


def _term(term: str) -> str:
    term = term.replace(" ", "")
    if term in ("*", ""):
        return ""
    if term.startswith("^"):
        numbers = [int(p) for p in term[1:].split(".")]
        first_nonzero = next((i for i, n in enumerate(numbers) if n), len(numbers) - 1)
        caret = [*numbers[:first_nonzero], numbers[first_nonzero] + 1]
        return f">={term[1:]},<{'.'.join(map(str, caret))}"
    if term.startswith("~") and not term.startswith("~="):
        parts = term[1:].split(".")
        upper = [parts[0], str(int(parts[1]) + 1)] if len(parts) > 1 else [str(int(parts[0]) + 1)]
        return f">={term[1:]},<{'.'.join(upper)}"
    if term[0].isdigit():
        return f"=={term}" if "*" in term or term.count(".") == 2 else f"=={term}.*"
    return term


POETRY: Final = Poetry()
