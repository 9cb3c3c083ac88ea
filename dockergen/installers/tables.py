"""Readers shared by installer modules: tool tables, lock entries, and the facts common to
tools that install from pyproject.toml and a lock file of their own."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from typing import Any

from dockergen.errors import InvalidProjectFileError
from dockergen.installers.base import BaseInstaller, Index, Shapes
from dockergen.model import Decided, InstallFacts
from dockergen.project import ProjectDir, check_shape
from dockergen.safety import CheckedPath, check_path, checked


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
    nothing = ships_nothing(project) if packaged else None
    if nothing:
        packaged = False
        warnings = (*warnings, nothing)
    packages = module.lock_packages(project)  # pdm.lock marks VCS packages with git =
    sources = [*packages, *(p.get("source", {}) for p in packages)]
    declared_values = list(declared.values()) if isinstance(declared, dict) else []
    named = [(*pair, "pyproject.toml") for pair in path_dependencies(declared)]
    named += [(*pair, lockfile) for pair in locked_local(packages)]
    local = tuple(dict.fromkeys(name for name, _, _ in named if name))
    copies = local_copies(project, [(path, source) for _, path, source in named])
    return InstallFacts(
        manifests=checked("pyproject.toml", lockfile) if locked else checked("pyproject.toml"),
        locked=locked,
        lockfile=lockfile if locked else None,
        installs_project=packaged,
        apt_build=git_if_any([*declared_values, *sources]),
        warnings=(*warnings, *local_warning(local if copies is None else ())),
        deps_before_source=copies is not None,
        local_dependencies=local,
        local_paths=copies or (),
    )


def group_names(*tables: Any) -> tuple[str, ...]:
    """The keys of the tables that are tables ([dependency-groups], poetry's groups)."""
    names = [k for t in tables if isinstance(t, dict) for k in t if isinstance(k, str)]
    return tuple(dict.fromkeys(names))


def local_warning(local: tuple[str, ...]) -> tuple[str, ...]:
    if not local:
        return ()
    return (
        f"local path dependencies ({', '.join(local)}) need the source before the install, so "
        "a code change reinstalls dependencies (from the cache, without downloads)",
    )


def local_copies(
    project: ProjectDir, paths: list[tuple[str, str]]
) -> tuple[CheckedPath, ...] | None:
    """What to copy before the install so local path dependencies can install without the
    rest of the source: their files and directories (ending in /), project-relative, each
    with the file that named it. None when one of them cannot be copied on its own: the
    project itself (`-e .`), a path outside the project or one that is not there; then the
    whole source comes first. A path inside the project that names a secret or local state
    (.env, .venv, .dockergen) is refused, naming that file: it is never copied."""
    inside = [(_local(raw), source) for raw, source in paths]
    named = [check_path(p, s, "path dependency") for p, s in inside if not _outside(p)]
    if len(named) < len(inside):
        return None
    found: list[CheckedPath] = []
    for path in named:
        kind = project.kind(path)
        if kind not in ("file", "a directory") or not project.inside(path):
            return None
        found.append(path.child("") if kind == "a directory" else path)
    return tuple(dict.fromkeys(found))


def _local(raw: str) -> str:
    """file:///abs, file://localhost/abs and file:rel are paths; as the install resolves them."""
    return posixpath.normpath(re.sub(r"^file:(//(localhost)?(?=/))?", "", raw))


def _outside(path: str) -> bool:
    return path in (".", "..") or path.startswith(("/", "../"))


def git_if_any(requirements: Any) -> tuple[str, ...]:
    """Tables ({git = ...}) and lock sources of VCS type need git in the builder."""
    for value in requirements:
        if isinstance(value, dict) and ("git" in value or value.get("type") == "git"):
            return ("git",)
    return ()


def path_dependencies(declared: Any) -> list[tuple[str, str]]:
    """(name, path) of a Pipfile/poetry table's `name = {path = "..."}` entries."""
    if not isinstance(declared, dict):
        return []
    return [
        (str(n), str(v["path"])) for n, v in declared.items() if isinstance(v, dict) and "path" in v
    ]


def locked_local(packages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(name, path) of locked packages installed from a directory or file of the project:
    poetry.lock `source = {type = "directory", url}`, uv.lock `source = {directory}` or
    `{path}`, pdm.lock `path`."""
    found = []
    for package in packages:
        source = package.get("source")
        source = source if isinstance(source, dict) else {}
        if source.get("type") in ("directory", "file"):
            path = source.get("url")
        else:
            path = source.get("directory", source.get("path", package.get("path")))
        if path is not None:
            found.append((str(package.get("name", "")), str(path)))
    return found


def file_names(package: dict[str, Any], keys: tuple[str, ...] = ("files",)) -> tuple[str, ...]:
    """Distribution file names in a lock entry's `files` (poetry, pdm) or URLs (uv)."""
    if not any(key in package for key in keys):  # most entries of a large lock: cheap
        return ()
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


def legacy_files(lock: dict[str, Any]) -> dict[str, Any]:
    """[metadata.files] of older lock formats (poetry 1.x, pdm 4.0): file lists by package."""
    metadata = lock.get("metadata")
    files = metadata.get("files") if isinstance(metadata, dict) else None
    return files if isinstance(files, dict) else {}


def pick_release(
    tool: str, releases: tuple[str, ...], what: str, text: str, allows: Callable[[str], bool]
) -> Decided[tuple[str, ...]] | None:
    """The release of `tool` for a project whose `what` (in pyproject.toml) says `text`:
    None when the pin (`releases[0]`) satisfies it, else the newest known release that does."""
    if allows(releases[0]):
        return None
    for release in releases[1:]:
        if allows(release):
            detail = f"{what} {text!r} excludes the pin, {releases[0]}; newest known it allows"
            return Decided((f"{tool}=={release}",), "pyproject.toml", detail)
    raise InvalidProjectFileError(
        "pyproject.toml",
        f"{what} {text!r} allows none of the {tool} releases dockergen knows "
        f"({', '.join(releases)})",
        f"widen it so that {tool} {releases[0]} satisfies it",
    )


def ships_nothing(project: ProjectDir) -> str | None:
    """Why the project's build backend would find no package to put in its wheel (an app laid
    out as modules beside pyproject.toml, with hatchling's default file selection), so the
    image installs its dependencies only; None when it would find one, or cannot be told."""
    pyproject = project.pyproject()
    if pyproject.get("build-system", {}).get("build-backend") != "hatchling.build":
        return None
    hatch = pyproject.get("tool", {}).get("hatch", {})
    wheel = hatch.get("build", {}) if isinstance(hatch, dict) else {}
    if not isinstance(wheel, dict) or wheel:  # any build configuration: trust it
        return None
    name = str(pyproject.get("project", {}).get("name", ""))
    module = re.sub(r"[-.]+", "_", name).lower()
    if not module:
        return None
    found = (f"{module}/__init__.py", f"src/{module}/__init__.py", f"{module}.py")
    if any(project.is_file(path) for path in found) or project.is_dir(module):
        return None
    return (
        f"pyproject.toml: hatchling finds no package to ship for {name!r} (no {module}/, "
        f"src/{module}/ or {module}.py), so the image installs the dependencies only, not the "
        "project; say so with [tool.uv] package = false or [tool.pdm] distribution = false"
    )
