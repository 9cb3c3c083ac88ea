"""Versions a build backend reads from git, and the variable that supplies one instead.

`.dockerignore` keeps `.git` out of the build context (and the images have no git), so a
backend that computes the version from git fails, or silently writes a placeholder, when the
project itself is installed. Each backend takes the version from an environment variable
instead; the build plan sets it from its build argument (buildcontext.VERSION_ARG) on the one
step that builds the project.
"""

from __future__ import annotations

import re
from typing import Any, Final

from dockergen.model import Decided
from dockergen.project import ProjectDir

# Checked by running each backend without .git (setuptools-scm 10, hatch-vcs 0.5, pdm-backend
# 2.5, poetry-dynamic-versioning 1.10). hatch-vcs reads only the un-suffixed setuptools-scm
# variable, and pdm-backend only its own.
SETUPTOOLS_SCM: Final = "SETUPTOOLS_SCM_PRETEND_VERSION"
PDM_BACKEND: Final = "PDM_BUILD_SCM_VERSION"
POETRY_DYNAMIC: Final = "POETRY_DYNAMIC_VERSIONING_BYPASS"
PDV_BACKEND: Final = "poetry_dynamic_versioning.backend"


def version_from_git(project: ProjectDir, builds_project: bool) -> Decided[str] | None:
    """The variable that gives the backend its version (value), with what in pyproject.toml
    shows the version comes from git (detail); None when it does not, or when no step builds
    the project (`builds_project`: the project install, or requirements naming `-e .`)."""
    if not builds_project:
        return None
    pyproject = project.pyproject()
    tool = pyproject.get("tool", {})
    found = _dynamic_versioning(tool) or _vcs_source(tool) or _setuptools_scm(pyproject, tool)
    if found is None:
        return None
    variable, detail = found
    return Decided(variable, "pyproject.toml", detail)


def pdv_warnings(project: ProjectDir, version: Decided[str] | None) -> tuple[str, ...]:
    """poetry-dynamic-versioning reaches the build only through its own build backend."""
    if version is None or version.value != POETRY_DYNAMIC:
        return ()
    backend = project.pyproject().get("build-system", {}).get("build-backend")
    if backend == PDV_BACKEND:
        return ()
    return (
        "[tool.poetry-dynamic-versioning] is enabled but build-backend is not "
        f"{PDV_BACKEND!r}: the image gets the placeholder version; set it (and add "
        "poetry-dynamic-versioning to [build-system] requires)",
    )


def _table(tool: dict[str, Any], *keys: str) -> dict[str, Any]:
    value: Any = tool
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def _dynamic_versioning(tool: dict[str, Any]) -> tuple[str, str] | None:
    if _table(tool, "poetry-dynamic-versioning").get("enable") is True:
        detail = "poetry-dynamic-versioning: [tool.poetry-dynamic-versioning] enable = true"
        return POETRY_DYNAMIC, detail
    return None


def _vcs_source(tool: dict[str, Any]) -> tuple[str, str] | None:
    if _table(tool, "hatch", "version").get("source") == "vcs":
        return SETUPTOOLS_SCM, 'hatch-vcs: [tool.hatch.version] source = "vcs"'
    if _table(tool, "pdm", "version").get("source") == "scm":
        return PDM_BACKEND, 'pdm-backend: [tool.pdm.version] source = "scm"'
    return None


def _setuptools_scm(pyproject: dict[str, Any], tool: dict[str, Any]) -> tuple[str, str] | None:
    if isinstance(tool.get("setuptools_scm"), dict):
        return SETUPTOOLS_SCM, "setuptools-scm: [tool.setuptools_scm]"
    requires = pyproject.get("build-system", {}).get("requires")
    names = {_name(r) for r in requires if isinstance(r, str)} if isinstance(requires, list) else ()
    dynamic = pyproject.get("project", {}).get("dynamic", ())
    if "setuptools-scm" in names and "version" in dynamic:
        return SETUPTOOLS_SCM, "setuptools-scm: in [build-system] requires, version dynamic"
    return None


def _name(requirement: str) -> str:
    head = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return re.sub(r"[-_.]+", "-", head.group(1)).lower() if head else ""
