"""Whether the project itself can be installed before its source arrives.

The builder installs the project editable against a stub of its top-level packages (empty
`__init__.py` files, or an empty module): the install writes a .pth or finder pointing at
/app or /app/src, and its console scripts. The final stage copies only the environment from
the builder, then the real source to where the install points, so a code change re-runs
nothing in the builder. That is right only when the build backend reads nothing from the code:
each refusal below names what in the project would make the stub's install differ from the
real one, and the project is then installed after the source copy, as before.
"""

from __future__ import annotations

import re
from typing import Any, Final

from dockergen.model import Decided, Installer, InstallFacts, Stub
from dockergen.names import import_name
from dockergen.project import ProjectDir
from dockergen.safety import CheckedPath, check_path
from dockergen.setuptools_stub import SETUPTOOLS, license_files, packages, refusal
from dockergen.versioning import POETRY_DYNAMIC

POETRY_CORE: Final = "poetry.core.masonry.api"
# Backends whose editable install reads only pyproject.toml, the metadata files and the
# location of the top-level packages (checked by building each against a stub).
KNOWN: Final = (POETRY_CORE, "hatchling.build", "pdm.backend", "uv_build", SETUPTOOLS)
_SCANNING: Final = {
    "setuptools.build_meta:__legacy__": "the legacy backend was not checked against a stub",
    "flit_core.buildapi": "flit_core reads the version and description from the module",
}
# A path the stub may create: plain names only, so the RUN line needs no quoting.
_PATH: Final = re.compile(r"(?:[A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z_][A-Za-z0-9_]*(?:/|\.py)")
_SOURCE: Final = "pyproject.toml"


def project_stub(
    project: ProjectDir,
    installer: Installer,
    facts: InstallFacts,
    version: Decided[str] | None,
    keep: tuple[CheckedPath, ...],
) -> Stub:
    """Stand-ins for the project's packages, or why it installs from its source."""
    if not facts.installs_project:
        return Stub()
    refused = _refusal(project, installer, facts, version)
    if isinstance(refused, Decided):
        return Stub(refused=refused)
    paths, detail = refused
    backend = project.pyproject().get("build-system", {}).get("build-backend")
    named = license_files(project) if backend == SETUPTOOLS else ()
    keep += tuple(check_path(f, _SOURCE, "license file") for f in named)
    files = tuple(f for f in dict.fromkeys(keep) if f not in facts.manifests and project.is_file(f))
    stand_ins = tuple(check_path(p, _SOURCE, "package") for p in paths)
    return Stub(packages=Decided(stand_ins, _SOURCE, detail), files=files)


def _refusal(
    project: ProjectDir, installer: Installer, facts: InstallFacts, version: Decided[str] | None
) -> Decided[str] | tuple[tuple[str, ...], str]:
    """Why no stub will do (a Decided reason), else the stub's paths and what decided them."""
    if facts.workspace_members:
        return Decided("a uv workspace: its members are built from their source", _SOURCE)
    if not facts.deps_before_source:
        why = "the dependencies install with the project's source"
        return Decided(why, _SOURCE)
    if version and version.value == POETRY_DYNAMIC:
        return Decided("poetry-dynamic-versioning builds through its own backend", _SOURCE)
    pyproject = project.pyproject()
    backend = pyproject.get("build-system", {}).get("build-backend")
    if backend is None and installer is Installer.POETRY and "build-system" not in pyproject:
        backend = POETRY_CORE  # poetry installs a Poetry 1 project with poetry-core anyway
    if backend not in KNOWN:
        return Decided(_unknown(backend), _SOURCE)
    if installer is Installer.POETRY and backend != POETRY_CORE:
        return Decided(
            f"build-backend {backend}: poetry installs it editable with poetry-core", _SOURCE
        )
    reason = _reads_code(project, str(backend), version)
    if reason:
        return Decided(reason, _SOURCE)
    return _packages(project, str(backend))


def _unknown(backend: object) -> str:
    if backend is None:
        return (
            "no [build-system] build-backend: pip builds it with setuptools, which scans the source"
        )
    if backend in _SCANNING:
        return f"build-backend {backend}: {_SCANNING[str(backend)]}"
    return f"build-backend {str(backend)!r}: not one known to build from pyproject.toml alone"


def _reads_code(project: ProjectDir, backend: str, version: Decided[str] | None) -> str:
    """What makes the backend read the source for metadata or files; "" when nothing does."""
    pyproject = project.pyproject()
    dynamic = pyproject.get("project", {}).get("dynamic", [])
    dynamic = [str(d) for d in dynamic] if isinstance(dynamic, list) else []
    allowed = {"version"} if version else set()
    if backend == POETRY_CORE:
        allowed = set(dynamic)  # poetry-core fills [project] dynamic from [tool.poetry]
    if left := [d for d in dynamic if d not in allowed]:
        return f"[project] dynamic = {left}: the build backend reads them from the source"
    if backend == SETUPTOOLS:
        return refusal(project)
    tool = pyproject.get("tool", {})
    tool = tool if isinstance(tool, dict) else {}
    hooks = {
        POETRY_CORE: ("[tool.poetry.build]", _get(tool, "poetry", "build")),
        "hatchling.build": ("[tool.hatch] build or metadata hooks", _hatch_hooks(tool)),
        "pdm.backend": ("pdm_build.py", project.is_file("pdm_build.py")),
        "uv_build": ("", False),
    }
    what, found = hooks[backend]
    return f"{what}: build code runs from the source" if found else ""


def _hatch_hooks(tool: dict[str, Any]) -> bool:
    wheel = _get(tool, "hatch", "build", "targets", "wheel")
    extra = set(wheel) - {"packages"} if isinstance(wheel, dict) else set()
    return bool(
        extra or _get(tool, "hatch", "build", "hooks") or _get(tool, "hatch", "metadata", "hooks")
    )


def _get(table: Any, *keys: str) -> Any:
    for key in keys:
        table = table.get(key) if isinstance(table, dict) else None
    return table


def _packages(project: ProjectDir, backend: str) -> Decided[str] | tuple[tuple[str, ...], str]:
    """The top-level packages the backend would find, as stub paths."""
    if backend == SETUPTOOLS:
        return packages(project)
    pyproject = project.pyproject()
    tool = pyproject.get("tool", {})
    name = str(pyproject.get("project", {}).get("name") or _get(tool, "poetry", "name") or "")
    if backend == POETRY_CORE and (listed := _get(tool, "poetry", "packages")):
        paths = [_poetry_entry(entry) for entry in (listed if isinstance(listed, list) else [0])]
        return _existing(project, paths, "[tool.poetry] packages")
    listed = _get(tool, "hatch", "build", "targets", "wheel", "packages")
    if backend == "hatchling.build" and listed is not None:
        listed = listed if isinstance(listed, list) else [None]
        paths = [f"{p.strip('/')}/" if isinstance(p, str) else "" for p in listed]
        return _existing(project, paths, "[tool.hatch.build.targets.wheel] packages")
    if backend == "uv_build":
        config = _get(tool, "uv", "build-backend") or {}
        module = str(config.get("module-name") or import_name(name))
        root = str(config.get("module-root", "src")).strip("/")
        where = "[tool.uv.build-backend]" if config else "uv_build's default, src/<name>"
        return _existing(project, [f"{root}/{module}/" if root else f"{module}/"], where)
    module = import_name(name)
    for path in (f"{module}/", f"src/{module}/", f"{module}.py", f"src/{module}.py"):
        if module and _is_code(project, path):
            return (path,), f"the package named after the project, {name}"
    why = f"no package or module named after the project ({module or name}) in . or src/"
    return Decided(why, _SOURCE)


def _poetry_entry(entry: Any) -> str:
    if not isinstance(entry, dict) or not isinstance(entry.get("include"), str):
        return ""
    if "format" in entry and entry["format"] not in ("wheel", ["wheel"], ["sdist", "wheel"]):
        return ""
    include = entry["include"].strip("/")
    base = str(entry.get("from", "")).strip("/")
    path = f"{base}/{include}" if base else include
    return path if path.endswith(".py") else f"{path}/"


def _existing(
    project: ProjectDir, paths: list[str], where: str
) -> Decided[str] | tuple[tuple[str, ...], str]:
    for path in paths:
        if not _is_code(project, path):
            shown = path or "an entry"
            return Decided(f"{where}: {shown} is not a plain package or module", _SOURCE)
    return tuple(paths), where


def _is_code(project: ProjectDir, path: str) -> bool:
    """A regular package (with __init__.py) or a module, at a path the stub can create."""
    if not _PATH.fullmatch(path) or not project.inside(path.rstrip("/")):
        return False
    return project.is_file(f"{path}__init__.py" if path.endswith("/") else path)
