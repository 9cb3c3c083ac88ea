"""Read a project's metadata and decide how to build it: files in, a frozen ProjectSpec out."""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

from dockergen.answers import answers_label, read_answers, remember
from dockergen.command import choose_command
from dockergen.dependencies import dependency_names
from dockergen.errors import ConflictingLockfilesError, NoManifestError, WorkspaceMemberError
from dockergen.facts import INSTALLER_FACTS
from dockergen.frameworks import django_build_steps
from dockergen.indexes import find_indexes
from dockergen.installers import LOCKFILES
from dockergen.model import Decided, Installer, Overrides, ProjectSpec
from dockergen.project import Project
from dockergen.pyversion import choose_python
from dockergen.requirements import CANDIDATES, find_requirements
from dockergen.safety import check_apt_packages, check_paths
from dockergen.sysdeps import locked_without_wheel, system_needs

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Rule:
    installer: Installer
    # Returns the evidence (a file, or a file and the table in it) when the rule matches.
    evidence: Callable[[Project], str | None]


def _file(name: str) -> Callable[[Project], str | None]:
    return lambda project: name if project.is_file(name) else None


def _tool_table(tool: str, ignore: frozenset[str] = frozenset()) -> Callable[[Project], str | None]:
    def match(project: Project) -> str | None:
        table = project.pyproject().get("tool", {}).get(tool)
        if isinstance(table, dict) and set(table) - ignore:
            return f"pyproject.toml [tool.{tool}]"
        return None

    return match


def _build_backend(prefix: str) -> Callable[[Project], str | None]:
    def match(project: Project) -> str | None:
        backend = str(project.pyproject().get("build-system", {}).get("build-backend", ""))
        return f"pyproject.toml build-backend {backend}" if backend.startswith(prefix) else None

    return match


def _requirements(project: Project) -> str | None:
    return find_requirements(project)


def _pep621(project: Project) -> str | None:
    pyproject = project.pyproject()
    table = pyproject.get("project")
    # A [project] table holding only a name (tool config) is not an installable project.
    if isinstance(table, dict) and ("build-system" in pyproject or table.get("dependencies")):
        return "pyproject.toml [project]"
    return None


# Strongest evidence first. Lock files say how the authors really install; a tool table says
# which tool manages the project; requirements files and bare [project] metadata come last.
# [tool.pdm.build] alone only configures the pdm-backend build backend, and neither
# [tool.uv] nor a pdm.backend backend without a lock file makes a project uv- or pdm-managed.
RULES: Final = (
    *(_Rule(installer, _file(lock)) for lock, installer in LOCKFILES.items()),
    _Rule(Installer.POETRY, _tool_table("poetry")),
    _Rule(Installer.POETRY, _build_backend("poetry.core")),
    _Rule(Installer.PDM, _tool_table("pdm", ignore=frozenset({"build", "version"}))),
    _Rule(Installer.PIPENV, _file("Pipfile")),
    _Rule(Installer.PIP, _requirements),
    _Rule(Installer.PEP621, _pep621),
)
LOOKED_FOR: Final = (*LOCKFILES, "Pipfile", *CANDIDATES, "pyproject.toml")


def detect_project(
    root: Path, overrides: Overrides | None = None, *, strict: bool = False
) -> ProjectSpec:
    """Decide how `root` is built. Reads only known paths; raises DockergenError subclasses."""
    project = Project(root)
    flags = overrides or Overrides()
    answers = read_answers(project)
    overrides = remember(answers, flags)
    # Where each override came from: a flag now, or an answer recorded earlier.
    origin = {
        f.name: answers_label(project)
        for f in dataclasses.fields(flags)
        if getattr(flags, f.name) in (None, ()) and getattr(answers, f.name) not in (None, ())
    }
    installer = _choose_installer(project, overrides.installer, origin.get("installer"))
    python, warnings = choose_python(
        project,
        override=overrides.python,
        override_source=origin.get("python", "--python"),
        strict=strict,
        compiles=lambda minor: len(locked_without_wheel(project, minor)),
    )
    facts = INSTALLER_FACTS[installer.value](project, python.value)
    warnings += facts.pop("warnings", [])
    command, port, command_warnings = choose_command(
        project,
        override=overrides.command,
        override_source=origin.get("command", "--command"),
        port_override=overrides.port,
        installs_project=facts["installs_project"],
    )
    port = _relabel(port, origin.get("port"))  # choose_command labels the command itself
    check_paths(facts["manifests"])
    requirement_files = tuple(m for m in facts["manifests"] if m.endswith(".txt"))
    indexes = tuple(Decided(i.url, i.source) for i in find_indexes(project, requirement_files))
    dependencies = dependency_names(project)
    needs = system_needs(project, dependencies, python.value)
    apt_build = (*overrides.apt_build, *facts.pop("apt_build", ()), *needs.build)
    apt_run = (*overrides.apt_run, *needs.run)
    return ProjectSpec(
        installer=installer,
        python=python,
        command=command,
        port=port,
        build_steps=django_build_steps(project, dependencies),
        apt_build=check_apt_packages(
            tuple(dict.fromkeys(apt_build)), origin.get("apt_build", "--apt-build")
        ),
        apt_run=check_apt_packages(tuple(dict.fromkeys(apt_run)), origin.get("apt_run", "--apt")),
        apt_reasons=needs.reasons,
        indexes=indexes,
        keep_files=_keep_files(project),
        warnings=(*warnings, *command_warnings),
        **facts,
    )


def _relabel(decided: Decided[T] | None, source: str | None) -> Decided[T] | None:
    """A port that came from recorded answers says so, instead of naming --port."""
    if decided is None or source is None:
        return decided
    return dataclasses.replace(decided, source=source, detail=source)


def _choose_installer(
    project: Project, override: Installer | None, answer_source: str | None = None
) -> Decided[Installer]:
    locks = [lock for lock in LOCKFILES if project.is_file(lock)]
    matches = [(rule.installer, ev) for rule in RULES if (ev := rule.evidence(project))]
    if override:
        others = tuple(f"{ev} ({inst})" for inst, ev in matches if inst != override)
        source = answer_source or "--installer"
        detail = (
            f"{answer_source}: installer = {override!r}"
            if answer_source
            else f"--installer {override}"
        )
        return Decided(override, source, detail, others)
    if len(locks) > 1:
        raise ConflictingLockfilesError(str(project.root), locks)
    if not locks and (workspace_lock := _uv_workspace_lock(project)):
        raise WorkspaceMemberError(str(project.root), workspace_lock)
    if not matches:
        raise NoManifestError(str(project.root), LOOKED_FOR)
    installer, evidence = matches[0]
    others = tuple(f"{ev} ({inst})" for inst, ev in matches[1:] if inst != installer)
    return Decided(installer, evidence.split(" ")[0], evidence, others)


def _uv_workspace_lock(project: Project) -> str | None:
    """The uv.lock of a uv workspace that lists `project` as a member, if any."""
    for depth, parent in enumerate(project.root.parents[:3], start=1):
        workspace = Project(parent)
        if workspace.is_file("uv.lock") and workspace.is_file("pyproject.toml"):
            members = workspace.pyproject().get("tool", {}).get("uv", {}).get("workspace", {})
            relative = project.root.relative_to(parent).as_posix()
            if any(fnmatch.fnmatch(relative, str(m)) for m in members.get("members", ())):
                return "../" * depth + "uv.lock"
        if workspace.is_dir(".git"):  # never look past the repository
            return None
    return None


def _keep_files(project: Project) -> tuple[str, ...]:
    """Files pyproject.toml makes the build read (readme, licenses): .dockerignore keeps them."""
    pyproject = project.pyproject()
    found: list[str] = []
    for table in (pyproject.get("project", {}), pyproject.get("tool", {}).get("poetry", {})):
        readme, license_ = table.get("readme"), table.get("license")
        readmes = readme if isinstance(readme, list) else [readme]  # poetry allows a list
        found.extend(r for r in readmes if isinstance(r, str))
        for value in (readme, license_):  # {file = "..."}; a license string is an SPDX id
            if isinstance(value, dict) and isinstance(value.get("file"), str):
                found.append(value["file"])
        found.extend(glob for glob in table.get("license-files", ()) if isinstance(glob, str))
    return tuple(dict.fromkeys(f for f in found if f and "\n" not in f))
