"""What each installer needs from the project: manifests to copy, whether a lock is enforced,
whether the project itself is installed, and what the builder needs (git for VCS sources).

Each function returns keyword arguments for ProjectSpec, plus `warnings` and `apt_build`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Any, Final

from dockergen.errors import InvalidProjectFileError, NoManifestError
from dockergen.model import Installer
from dockergen.project import Project
from dockergen.requirements import CANDIDATES, find_requirements, read_tree
from dockergen.safety import shown


def _pip_facts(project: Project, python: str) -> dict[str, Any]:
    top = find_requirements(project)
    if top is None:
        raise NoManifestError(str(project.root), CANDIDATES)
    tree = read_tree(project, top)
    warnings = []
    if tree.local_paths:
        warnings.append(
            f"{top} installs local paths ({', '.join(tree.local_paths)}), so dependencies are "
            "installed after the source is copied: a code change reinstalls them (from cache)"
        )
    return {
        "manifests": tree.files,
        "requirements": top,
        "locked": False,
        "installs_project": False,
        "deps_before_source": not tree.local_paths,
        "apt_build": ("git",) if tree.needs_git else (),
        "warnings": warnings,
    }


def _pipenv_facts(project: Project, python: str) -> dict[str, Any]:
    locked = project.is_file("Pipfile.lock")
    warnings = (
        []
        if locked
        else [
            "Pipfile has no Pipfile.lock: the build resolves versions afresh and is not "
            "reproducible; run `pipenv lock` and commit Pipfile.lock"
        ]
    )
    packages = project.read_toml("Pipfile").get("packages", {})
    local = tuple(str(name) for name, v in packages.items() if isinstance(v, dict) and "path" in v)
    return {
        "manifests": ("Pipfile", "Pipfile.lock") if locked else ("Pipfile",),
        "locked": locked,
        "installs_project": False,
        "apt_build": _git_if_any(packages.values()),
        "warnings": [*warnings, *_local_warning(local)],
        "deps_before_source": not local,
        "local_dependencies": local,
    }


def _locked_tool_facts(
    lockfile: str, packaged: Callable[[Project], bool]
) -> Callable[..., dict[str, Any]]:
    def facts(project: Project, python: str) -> dict[str, Any]:
        locked = project.is_file(lockfile)
        warnings = (
            []
            if locked
            else [
                f"no {lockfile}: the build resolves versions afresh and is not reproducible; "
                f"create and commit {lockfile}"
            ]
        )
        pyproject = project.pyproject()
        declared = pyproject.get("tool", {}).get("poetry", {}).get("dependencies", {})
        packages = _lock_packages(project, lockfile)  # pdm.lock marks VCS packages with git =
        sources = [*packages, *(p.get("source", {}) for p in packages)]
        local = _local_dependencies(declared, packages)
        return {
            "manifests": ("pyproject.toml", lockfile) if locked else ("pyproject.toml",),
            "locked": locked,
            "installs_project": packaged(project),
            "apt_build": _git_if_any([*declared.values(), *sources]),
            "warnings": [*warnings, *_local_warning(local)],
            "deps_before_source": not local,
            "local_dependencies": local,
        }

    return facts


def _local_dependencies(declared: Any, packages: list[dict[str, Any]]) -> tuple[str, ...]:
    """Dependencies installed from a directory or file of the project (not the project itself,
    nor uv workspace members, which are installed after the source copy anyway)."""
    names = [str(n) for n, v in declared.items() if isinstance(v, dict) and "path" in v]
    for package in packages:
        source = package.get("source")
        kind = source.get("type") if isinstance(source, dict) else None  # poetry.lock
        keys = set(source) if isinstance(source, dict) else set()  # uv.lock
        if kind in ("directory", "file") or keys & {"directory", "path"} or "path" in package:
            names.append(str(package.get("name", "")))
    return tuple(dict.fromkeys(n for n in names if n))


def _local_warning(local: tuple[str, ...]) -> list[str]:
    if not local:
        return []
    return [
        f"local path dependencies ({', '.join(local)}) need the source before the install, so "
        "a code change reinstalls dependencies (from the cache, without downloads)"
    ]


def _lock_packages(project: Project, lockfile: str) -> list[dict[str, Any]]:
    if not project.is_file(lockfile):
        return []
    packages = project.read_toml(lockfile).get("package", [])
    return [p for p in packages if isinstance(p, dict)]


def _git_if_any(requirements: Any) -> tuple[str, ...]:
    """Pipfile/poetry tables ({git = ...}) and lock sources of VCS type need git in the builder."""
    for value in requirements:
        if isinstance(value, dict) and ("git" in value or value.get("type") == "git"):
            return ("git",)
    return ()


_uv_facts = _locked_tool_facts("uv.lock", lambda project: _uv_packaged(project))


def _uv_workspace(project: Project, facts: dict[str, Any]) -> dict[str, Any]:
    """A uv workspace root: every member's pyproject.toml is a manifest too."""
    workspace = project.pyproject().get("tool", {}).get("uv", {}).get("workspace", {})
    members = _workspace_members(project, workspace.get("members", ()))
    if not members:
        return facts
    facts["manifests"] = (*facts["manifests"], *(f"{m}/pyproject.toml" for m in members))
    facts["workspace_members"] = members
    facts["installs_project"] = True  # members are installed after the source copy
    return facts


def _workspace_members(project: Project, patterns: Any) -> tuple[str, ...]:
    found: list[str] = []
    for pattern in patterns if isinstance(patterns, list) else ():
        member = str(pattern).rstrip("/")
        if member.startswith("/") or ".." in member.split("/"):
            raise InvalidProjectFileError(
                "pyproject.toml",
                f"[tool.uv.workspace] members names {shown(member)}, outside the workspace",
                "list members inside the workspace root",
            )
        found += _expand(project, member)
    return tuple(m for m in dict.fromkeys(found) if project.is_file(f"{m}/pyproject.toml"))


def _expand(project: Project, member: str) -> list[str]:
    parent, _, leaf = member.rpartition("/")
    if "*" in parent or not any(c in leaf for c in "*?["):
        return [member]
    # One directory listing, bounded by the pattern: never a walk of the tree.
    try:
        folder = project.path(parent) if parent else project.root
        names = sorted(p.name for p in folder.iterdir()) if project.is_dir(parent or ".") else []
    except OSError as exc:
        raise InvalidProjectFileError(
            "pyproject.toml",
            f"[tool.uv.workspace] members {shown(member)} cannot be listed ({exc.strerror})",
            "fix the pattern",
        ) from exc
    return [f"{parent}/{n}".lstrip("/") for n in names if fnmatch.fnmatch(n, leaf)]


def _poetry_packaged(project: Project) -> bool:
    poetry = project.pyproject().get("tool", {}).get("poetry", {})
    if poetry.get("package-mode") is False:
        return False
    # Poetry refuses to install a root package whose code it cannot find; apps often have none.
    name = project.pyproject().get("project", {}).get("name") or poetry.get("name") or ""
    return bool(poetry.get("packages")) or _has_package_dir(project, str(name))


def _uv_packaged(project: Project) -> bool:
    pyproject = project.pyproject()
    explicit = pyproject.get("tool", {}).get("uv", {}).get("package")
    return bool(explicit) if explicit is not None else "build-system" in pyproject


def _pdm_packaged(project: Project) -> bool:
    pyproject = project.pyproject()
    explicit = pyproject.get("tool", {}).get("pdm", {}).get("distribution")
    return bool(explicit) if explicit is not None else "build-system" in pyproject


def _pep621_facts(project: Project, python: str) -> dict[str, Any]:
    table = project.pyproject().get("project", {})
    dynamic = "dependencies" in table.get("dynamic", ())
    # The builder reads [project].dependencies with tomllib, new in Python 3.11.
    old_python = tuple(int(p) for p in python.split(".")[:2]) < (3, 11)
    warnings = []
    if dynamic:
        warnings.append(
            "pyproject.toml declares dependencies as dynamic, so they are installed with the "
            "project after the source is copied: a code change reinstalls them (from cache)"
        )
    return {
        "manifests": ("pyproject.toml",),
        "locked": False,
        "installs_project": True,
        "deps_before_source": not (dynamic or old_python),
        "warnings": warnings,
    }


def _has_package_dir(project: Project, name: str) -> bool:
    module = re.sub(r"[-_.]+", "_", name).lower()
    return bool(module) and any(
        project.is_dir(d) or project.is_file(f"{d}.py") for d in (module, f"src/{module}")
    )


INSTALLER_FACTS: Final[dict[str, Callable[[Project, str], dict[str, Any]]]] = {
    Installer.PIP: _pip_facts,
    Installer.PIPENV: _pipenv_facts,
    Installer.POETRY: _locked_tool_facts("poetry.lock", _poetry_packaged),
    Installer.UV: lambda project, python: _uv_workspace(project, _uv_facts(project, python)),
    Installer.PDM: _locked_tool_facts("pdm.lock", _pdm_packaged),
    Installer.PEP621: _pep621_facts,
}
