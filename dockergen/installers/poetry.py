"""Poetry: `[tool.poetry]` (Poetry 1) or `[project]` (Poetry 2), enforced by poetry.lock."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, Final

from dockergen.installers.base import (
    BaseInstaller,
    Evidence,
    Index,
    LockedPackage,
    PythonConstraint,
    Strength,
)
from dockergen.installers.poetryfiles import alternatives, difference
from dockergen.installers.recipes import listed, lock_note, pip_install, tool_release
from dockergen.installers.tables import (
    file_names,
    group_names,
    legacy_files,
    lock_tool_facts,
    metadata_files,
    pick_release,
    source_tables,
    table_entries,
    tool_table,
)
from dockergen.model import Decided, DevTarget, Installer, InstallFacts, ProjectSpec
from dockergen.names import import_name
from dockergen.pep440 import checked_specifiers, line_of
from dockergen.project import ProjectDir
from dockergen.safety import CheckedPath, check_path
from dockergen.steps import Install, Recipe, command, install
from dockergen.versioning import POETRY_DYNAMIC

_SHAPES: Final = (
    (("tool", "poetry", "dependencies"), dict),
    (("tool", "poetry", "scripts"), dict),
    (("tool", "poetry", "packages"), list),
)

# Poetry releases dockergen knows, newest first; the first is the pin. [tool.poetry]
# requires-poetry (Poetry's constraint syntax) picks the newest one it allows. 2.x only: the
# recipe runs `poetry sync`, which Poetry 1 does not have.
RELEASES: Final = ("2.5.1", "2.4.3", "2.3.4", "2.2.1", "2.1.4", "2.0.1")


class Poetry(BaseInstaller):
    installer = Installer.POETRY
    lockfile = "poetry.lock"
    lock_command = "poetry lock"
    stale_lock_output: str | None = (
        r"pyproject\.toml changed significantly since poetry\.lock was last generated"
    )
    requirements = (f"poetry=={RELEASES[0]}",)

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
        facts = lock_tool_facts(self, project, packaged=_packaged(project), declared=declared)
        facts = dataclasses.replace(facts, tool_requirements=_release(project))
        return dataclasses.replace(facts, manifests=(*facts.manifests, *_license_file(project)))

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
                alternatives(python, where=line_of(project, "pyproject.toml", python)),
                "pyproject.toml",
                python,
                "[tool.poetry] python",
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

    def stale_lock(self, project: ProjectDir) -> str | None:
        lock = self.read_lock(project)
        return difference(project.pyproject(), lock, lambda: project.read_text("poetry.lock"))

    def dev_target(self, project: ProjectDir) -> DevTarget:
        """Every group: `poetry sync --with` names them, optional ones included."""
        poetry = _poetry(project)
        legacy = {"dev": 1} if "dev-dependencies" in poetry else {}
        return DevTarget(groups=group_names(poetry.get("group"), legacy))

    def recipe(self, spec: ProjectSpec) -> Recipe:
        facts = spec.install
        tool, why = tool_release(facts, self.requirements)
        # --no-directory would skip the path dependencies copied with the manifests.
        no_directory = () if facts.local_dependencies else ("--no-directory",)
        main = ("--only", "main", "--no-root", *(no_directory if facts.deps_before_source else ()))
        groups = spec.dev.groups if spec.dev else ()
        with_groups = ("--with", ",".join(groups)) if groups else ()
        return Recipe(
            env=_ENV,
            tool=tool,
            tool_note=why,
            dependencies=install(
                (command(*_POETRY, "sync", *main, "--compile"),),
                notes=(lock_note(facts, "poetry.lock", _ENFORCED), *_FLAGS),
            ),
            project_stub=install((command(*_POETRY, "install", "--only-root", "--compile"),)),
            project=_from_source(spec),
            dev_dependencies=install(
                (command(*_POETRY, "sync", "--no-root", *no_directory, *with_groups),),
                notes=(f"Every dependency group ({listed(groups)}) too.",),
            ),
            dev_project=install(
                (command(*_POETRY, "install", "--only-root"),),
                notes=("The project itself, editable: a .pth pointing at /app, where edits land.",),
            ),
        )


# Every command runs without plugins: the project's [tool.poetry.requires-plugins] never resolve.
_POETRY: Final = ("poetry", "--no-plugins")
_ENV: Final = (
    ("POETRY_NO_INTERACTION", "1"),
    ("POETRY_VIRTUALENVS_IN_PROJECT", "true"),
    ("POETRY_VIRTUALENVS_OPTIONS_NO_PIP", "true"),
)
_ENFORCED: Final = "Main dependencies only, exactly as locked: poetry refuses a stale poetry.lock."
_FLAGS: Final = (
    "--no-plugins: neither the project's [tool.poetry.requires-plugins] nor any other plugin "
    "runs here.",
    "--compile: poetry writes no bytecode otherwise, and every start would compile it again.",
)


def _from_source(spec: ProjectSpec) -> Install:
    """The project after its source. poetry-dynamic-versioning needs its plugin inside poetry,
    which runs without plugins: its own build backend, run by pip, builds the project instead
    (and takes the version from the bypass variable)."""
    if spec.version_from_git and spec.version_from_git.value == POETRY_DYNAMIC:
        why = "built by its own backend (poetry-dynamic-versioning), without dependencies"
        return pip_install("--no-deps", ".", notes=(f"The project itself, {why}.",))
    why = "as an editable .pth into /app (the final stage copies /app too)"
    return install(
        (command(*_POETRY, "install", "--only-root", "--compile"),),
        notes=(f"The project itself, {why}.",),
    )


def _poetry(project: ProjectDir) -> dict[str, Any]:
    return tool_table(project, "poetry", _SHAPES)


def _license_file(project: ProjectDir) -> tuple[CheckedPath, ...]:
    """Poetry 2 reads `[project] license = {file = ...}` whenever it loads the project, even
    for `sync --no-root --no-directory`: the file must come in with the manifests. (Readme,
    license-files globs and packages are read only when the project itself is installed.)"""
    license_ = project.pyproject().get("project", {}).get("license")
    name = license_.get("file") if isinstance(license_, dict) else None
    if not (isinstance(name, str) and name and project.is_file(name)):
        return ()
    return (check_path(name, "pyproject.toml", "license file"),)


def _release(project: ProjectDir) -> Decided[tuple[str, ...]] | None:
    wanted = _poetry(project).get("requires-poetry")
    if not isinstance(wanted, str):
        return None
    what = "[tool.poetry] requires-poetry"
    where = line_of(project, "pyproject.toml", wanted)
    sets = [checked_specifiers(a, where, what, "fix it") for a in alternatives(wanted, what, where)]
    return pick_release(
        "poetry", RELEASES, what, wanted, lambda v: any(s.contains(v) for s in sets)
    )


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


POETRY: Final = Poetry()
