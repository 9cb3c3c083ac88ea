"""What every installer module provides, and the defaults most of them share.

An installer module holds everything dockergen knows about one tool: the evidence that
selects it, the files its install step reads, its lock file and how it is regenerated, the
Python versions and package indexes its files state, the dependencies they declare and lock,
and the tool version the builder installs. The commands themselves live in the template
partial `templates/installers/<name>.j2`. Stage modules (detect, pyversion, dependencies,
sysdeps, indexes) loop over the registry in `dockergen.installers` and never name a tool.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from dockergen.model import Decided, Installer
from dockergen.project import ProjectDir, check_shape

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
    strength: Strength
    text: str  # the file, or the file and the table in it ("pyproject.toml [tool.poetry]")
    why: str = ""  # said when this evidence wins over weaker evidence for another installer

    @property
    def file(self) -> str:
        return self.text.split(" ")[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class InstallFacts:
    """How the chosen installer installs this project; copied into the ProjectSpec."""

    # Files copied into the builder before the dependency install, in copy order.
    manifests: tuple[str, ...]
    requirements: str | None = None  # pip only: the file handed to `pip install -r`
    locked: bool = False  # a lock file is present and the install refuses to deviate from it
    installs_project: bool = False  # the project itself is installed after the source copy
    deps_before_source: bool = True  # false when dependencies need the source to install
    local_dependencies: tuple[str, ...] = ()  # installed from paths inside the project
    workspace_members: tuple[str, ...] = ()  # uv workspaces
    apt_build: tuple[str, ...] = ()  # git, for VCS dependencies
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PythonConstraint:
    """A range of Python versions a file states, as PEP 440 specifier sets (any may match)."""

    alternatives: tuple[str, ...]
    source: str  # the file
    text: str  # as the file writes it
    what: str  # what in the file ("requires-python")


@dataclass(frozen=True, slots=True)
class Index:
    url: str
    source: str  # the file (and table) that declares it


@dataclass(frozen=True, slots=True)
class LockedPackage:
    name: str
    files: tuple[str, ...]  # distribution file names the lock lists (may be empty)
    default: bool  # installed by the production install (not a dev-only group)


class InstallerModule(Protocol):
    """The contract of one installer module (see the module docstring)."""

    installer: Installer  # its value names the template partial
    lockfile: str | None  # the lock file it writes and enforces
    lock_command: str | None  # the command that regenerates the lock file
    # What `pip install` puts into the builder, pinned; () uses the image's pip.
    requirements: tuple[str, ...]

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


class BaseInstaller:
    """Defaults: an installer states nothing beyond its evidence and facts."""

    lockfile: str | None = None
    lock_command: str | None = None
    requirements: tuple[str, ...] = ()

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


def tool_table(project: ProjectDir, tool: str, shapes: Shapes = ()) -> dict[str, Any]:
    """`[tool.<tool>]` of pyproject.toml, with the shapes its readers rely on checked."""
    table = project.pyproject().get("tool", {}).get(tool, {})
    check_shape(
        "pyproject.toml", {"tool": {tool: table}}, ((("tool", tool), dict), *shapes), "fix it"
    )
    return table if isinstance(table, dict) else {}


def lock_tool_facts(
    module: BaseInstaller, project: ProjectDir, *, packaged: bool, declared: Any = None
) -> InstallFacts:
    """Facts of a tool that installs from pyproject.toml and its own lock (poetry, uv, pdm).
    `declared` is the tool's own dependency table, when it has one."""
    lockfile = str(module.lockfile)
    locked = project.is_file(lockfile)
    warnings = (
        ()
        if locked
        else (
            f"no {lockfile}: the build resolves versions afresh and is not reproducible; "
            f"create and commit {lockfile}",
        )
    )
    packages = module.lock_packages(project)  # pdm.lock marks VCS packages with git =
    sources = [*packages, *(p.get("source", {}) for p in packages)]
    declared_values = list(declared.values()) if isinstance(declared, dict) else []
    local = tuple(
        dict.fromkeys(n for n in (*path_dependencies(declared), *locked_local(packages)) if n)
    )
    return InstallFacts(
        manifests=("pyproject.toml", lockfile) if locked else ("pyproject.toml",),
        locked=locked,
        installs_project=packaged,
        apt_build=git_if_any([*declared_values, *sources]),
        warnings=(*warnings, *local_warning(local)),
        deps_before_source=not local,
        local_dependencies=local,
    )


def local_warning(local: tuple[str, ...]) -> tuple[str, ...]:
    if not local:
        return ()
    return (
        f"local path dependencies ({', '.join(local)}) need the source before the install, so "
        "a code change reinstalls dependencies (from the cache, without downloads)",
    )


def git_if_any(requirements: Any) -> tuple[str, ...]:
    """Tables ({git = ...}) and lock sources of VCS type need git in the builder."""
    for value in requirements:
        if isinstance(value, dict) and ("git" in value or value.get("type") == "git"):
            return ("git",)
    return ()


def path_dependencies(declared: Any) -> list[str]:
    """Names in a Pipfile/poetry table declared as `name = {path = "..."}`."""
    if not isinstance(declared, dict):
        return []
    return [str(n) for n, v in declared.items() if isinstance(v, dict) and "path" in v]


def locked_local(packages: list[dict[str, Any]]) -> list[str]:
    """Locked packages installed from a directory or file of the project (poetry, uv, pdm)."""
    names = []
    for package in packages:
        source = package.get("source")
        kind = source.get("type") if isinstance(source, dict) else None  # poetry.lock
        keys = set(source) if isinstance(source, dict) else set()  # uv.lock
        if kind in ("directory", "file") or keys & {"directory", "path"} or "path" in package:
            names.append(str(package.get("name", "")))
    return names


def file_names(package: dict[str, Any], keys: tuple[str, ...] = ("files",)) -> tuple[str, ...]:
    """Distribution file names in a lock entry's `files` (poetry, pdm) or URLs (uv)."""
    entries: list[object] = []
    for key in keys:
        value = package.get(key)
        entries += value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    names = []
    for entry in entries:
        if isinstance(entry, dict):
            raw = entry.get("file") or entry.get("url") or ""
            names.append(str(raw).rsplit("/", 1)[-1])
    return tuple(n for n in names if n)


def table_entries(
    table: Any, skip: frozenset[str] = frozenset()
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Pipfile/Poetry tables: name = "spec" or name = {version = ..., extras = [...]}."""
    if not isinstance(table, dict):
        return
    for name, spec in table.items():
        if name in skip or (isinstance(spec, dict) and spec.get("optional") is True):
            continue
        extras = spec.get("extras", ()) if isinstance(spec, dict) else ()
        yield str(name), tuple(e for e in extras if isinstance(e, str))


def source_tables(entries: Any, where: str, default_names: frozenset[str]) -> Iterator[Index]:
    """Index entries of a `[[source]]`-style array: every one but the default index."""
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            continue
        if str(entry.get("name", "")).lower() not in default_names:
            yield Index(entry["url"], where)


def metadata_files(table: Any) -> tuple[str, ...]:
    """Files a metadata table names: readme, license file, license-files globs."""
    if not isinstance(table, dict):
        return ()
    found: list[str] = []
    readme, license_ = table.get("readme"), table.get("license")
    readmes = readme if isinstance(readme, list) else [readme]  # poetry allows a list
    found.extend(r for r in readmes if isinstance(r, str))
    for value in (readme, license_):  # {file = "..."}; a license string is an SPDX id
        if isinstance(value, dict) and isinstance(value.get("file"), str):
            found.append(value["file"])
    globs = table.get("license-files")
    if isinstance(globs, list):
        found.extend(g for g in globs if isinstance(g, str))
    return tuple(f for f in found if f and "\n" not in f)
