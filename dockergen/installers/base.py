"""What every installer module provides, and the defaults most of them share.

An installer module holds everything dockergen knows about one tool: the evidence that
selects it, the files its install step reads, its lock file, how it is regenerated and how
to tell offline that it is out of date, the Python versions and package indexes its files
state, the dependencies they declare and lock, and the tool version the builder installs.
It also says what its tool runs (`recipe`: the commands, environment and tool install, with
the comments that justify them), as data; dockergen.buildplan decides where each goes, the
same way for every installer. Stage modules (detect, pyversion, dependencies, sysdeps,
indexes) loop over the registry in `dockergen.installers` and never name a tool.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from dockergen.model import Decided, DevTarget, Installer, InstallFacts, ProjectSpec
from dockergen.project import ProjectDir, check_shape
from dockergen.steps import Recipe

Shapes = tuple[tuple[tuple[str, ...], type], ...]


class Strength(enum.IntEnum):
    """How strongly a file says which installer the authors use; lower wins."""

    LOCK = 0  # a lock file: how the authors really install
    TOOL = 1  # a tool's own table or build backend in pyproject.toml
    PINNED = 2  # a requirements file that pins every dependency: a lock in all but name
    MANIFEST = 3  # a tool's manifest without its lock (Pipfile)
    REQUIREMENTS = 4  # a requirements file
    METADATA = 5  # bare PEP 621 metadata


@dataclass(frozen=True, slots=True)
class Evidence:
    """A file (or a table in one) that says a project uses an installer, and how strongly."""

    strength: Strength
    text: str  # the file, or the file and the table in it ("pyproject.toml [tool.poetry]")
    why: str = ""  # said when this evidence wins over weaker evidence for another installer

    @property
    def file(self) -> str:
        return self.text.split(" ")[0]


@dataclass(frozen=True, slots=True)
class PythonConstraint:
    """A range of Python versions a file states, as PEP 440 specifier sets (any may match)."""

    alternatives: tuple[str, ...]
    source: str  # the file
    text: str  # as the file writes it
    what: str  # what in the file ("requires-python")


@dataclass(frozen=True, slots=True)
class Index:
    """A package index a project's files declare."""

    url: str
    source: str  # the file (and table) that declares it


@dataclass(frozen=True, slots=True)
class LockedPackage:
    """A package a lock file lists, with the distribution files it names."""

    name: str
    files: tuple[str, ...]  # distribution file names the lock lists (may be empty)
    default: bool  # installed by the production install (not a dev-only group)


class InstallerModule(Protocol):
    """The contract of one installer module (see the module docstring)."""

    @property
    def installer(self) -> Installer:
        """Which installer."""

    @property
    def lockfile(self) -> str | None:
        """The lock file it writes and enforces."""

    @property
    def lock_command(self) -> str | None:
        """The command that regenerates the lock file."""

    @property
    def requirements(self) -> tuple[str, ...]:
        """What `pip install` puts into the builder, pinned; () uses the image's pip."""

    # The file the lock file is made from (pyproject.toml, Pipfile).
    lock_manifest: str
    # A regex matching what the tool prints when its locked install refuses a stale lock
    # (verify's diagnosis table reads it).
    stale_lock_output: str | None

    def evidence(self, project: ProjectDir) -> tuple[Evidence, ...]: ...
    def facts(self, project: ProjectDir, python: str) -> InstallFacts: ...
    def declared(self, project: ProjectDir) -> Iterator[tuple[str, tuple[str, ...]]]: ...
    def locked(self, project: ProjectDir) -> Iterator[LockedPackage]: ...
    def python_pins(self, project: ProjectDir) -> Iterator[Decided[str]]: ...
    def python_constraints(self, project: ProjectDir) -> Iterator[PythonConstraint]: ...
    def indexes(self, project: ProjectDir, manifests: tuple[str, ...]) -> Iterator[Index]: ...
    def project_name(self, project: ProjectDir) -> str | None: ...
    def scripts(self, project: ProjectDir) -> Iterator[tuple[dict[str, Any], str]]: ...
    def check_location(self, project: ProjectDir) -> None: ...
    def metadata_files(self, project: ProjectDir) -> tuple[str, ...]: ...
    def stale_lock(self, project: ProjectDir) -> str | None:
        """What makes the lock file out of date with its manifest, in a few words; None when
        it is fresh, absent, or its freshness cannot be decided offline."""

    def dev_target(self, project: ProjectDir) -> DevTarget:
        """The dev dependencies (groups, extras, files) the dev stage installs."""

    def recipe(self, spec: ProjectSpec) -> Recipe:
        """What the tool runs for `spec` (everything but the recipe decided), with why."""


class BaseInstaller:
    """Defaults: an installer states nothing beyond its evidence and facts."""

    lockfile: str | None = None
    lock_command: str | None = None
    requirements: tuple[str, ...] = ()
    lock_manifest: str = "pyproject.toml"
    stale_lock_output: str | None = None

    def declared(self, project: ProjectDir) -> Iterator[tuple[str, tuple[str, ...]]]:
        return iter(())

    def locked(self, project: ProjectDir) -> Iterator[LockedPackage]:
        return iter(())

    def python_pins(self, project: ProjectDir) -> Iterator[Decided[str]]:
        return iter(())

    def python_constraints(self, project: ProjectDir) -> Iterator[PythonConstraint]:
        return iter(())

    def indexes(self, project: ProjectDir, manifests: tuple[str, ...]) -> Iterator[Index]:
        return iter(())

    def project_name(self, project: ProjectDir) -> str | None:
        return None

    def scripts(self, project: ProjectDir) -> Iterator[tuple[dict[str, Any], str]]:
        return iter(())

    def metadata_files(self, project: ProjectDir) -> tuple[str, ...]:
        """Files the tool's own metadata names (readme, license) beyond [project]'s."""
        return ()

    def stale_lock(self, project: ProjectDir) -> str | None:
        return None

    def dev_target(self, project: ProjectDir) -> DevTarget:
        return DevTarget()

    def check_location(self, project: ProjectDir) -> None:
        """Raise when the project cannot be built from this directory (uv workspaces)."""

    def read_lock(self, project: ProjectDir, shapes: Shapes = ()) -> dict[str, Any]:
        """The parsed lock file ({} when there is none); a broken one names its fix."""
        if not self.lockfile or not project.is_file(self.lockfile):
            return {}
        fix = f"regenerate it with `{self.lock_command}`"
        data = project.read_toml(self.lockfile, fix=fix)
        check_shape(self.lockfile, data, (*_LOCK_SHAPES, *shapes), fix)
        return data

    def lock_packages(self, project: ProjectDir) -> list[dict[str, Any]]:
        packages = self.read_lock(project).get("package", [])
        return [p for p in packages if isinstance(p, dict)]


_LOCK_SHAPES: Shapes = ((("package",), list),)
