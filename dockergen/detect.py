"""Read a project's metadata and decide how to build it: files in, a frozen ProjectSpec out."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from dockergen.debian import choose_debian, newer_default
from dockergen.dependencies import dependency_names
from dockergen.dev import dev_target
from dockergen.errors import (
    ConflictingLockfilesError,
    HealthcheckPortError,
    InvalidProjectFileError,
    NoManifestError,
    StaleLockError,
)
from dockergen.frameworks import Command, django_build_steps
from dockergen.indexes import find_indexes
from dockergen.installers import LOCKFILES, REGISTRY, installer_module
from dockergen.installers.base import Evidence, InstallerModule
from dockergen.installers.requirements import CANDIDATES
from dockergen.installers.tables import metadata_files
from dockergen.model import Apt, Decided, Installer, InstallFacts, Overrides, ProjectSpec, Stub
from dockergen.project import ProjectDir
from dockergen.pyversion import choose_python
from dockergen.safety import (
    AppPath,
    CheckedPath,
    check_apt_packages,
    check_command,
    check_path,
    check_url_path,
)
from dockergen.settings import Settings, resolve_settings
from dockergen.start_command import choose_command, project_name
from dockergen.sysdeps import SystemNeeds, locked_without_wheel, system_needs
from dockergen.text import shown
from dockergen.versioning import pdv_warnings, version_from_git
from dockergen.writable import writable_dirs

LOOKED_FOR = (*LOCKFILES, "Pipfile", *CANDIDATES, "pyproject.toml")


def detect_project(
    root: Path,
    flags: Overrides | None = None,
    *,
    strict: bool = False,
    allow_stale_lock: bool = False,
) -> ProjectSpec:
    """Decide how `root` is built, with `flags` over the recorded answers."""
    settings = resolve_settings(root, flags)
    return detect(root, settings, strict=strict, allow_stale_lock=allow_stale_lock)


def detect(
    root: Path, settings: Settings, *, strict: bool = False, allow_stale_lock: bool = False
) -> ProjectSpec:
    """Decide how `root` is built. Reads only known paths; raises DockergenError subclasses."""
    project = ProjectDir(root)
    installer = choose_installer(project, settings)
    module = installer_module(installer.value)
    lock_warnings = check_lock(project, module, allow_stale=allow_stale_lock)
    python, warnings = choose_python(project, settings, strict=strict, compiles=_compiles(project))
    debian = choose_debian(settings, python)
    facts = _members_inside(project, module.facts(project, python.value))
    # A requirements file that installs `.` installs the project (and its scripts) too.
    installed = facts.installs_project or "." in facts.local_dependencies
    start = choose_command(project, settings, installs_project=installed)
    dependencies = dependency_names(project)
    writable = writable_dirs(project, dependencies, project_name(project))
    needs = system_needs(project, dependencies, python.value, debian.value)
    version = version_from_git(project, installed or not facts.deps_before_source)
    notes = (*map(_volume_note, writable), *pdv_warnings(project, version), *newer_default(debian))
    keep = _keep_files(project)
    spec = ProjectSpec(
        installer=installer,
        python=python,
        debian=debian,
        install=facts,
        apt=_apt(settings, facts, needs),
        command=start.command,
        port=start.port,
        environment=start.environment,
        healthcheck=_healthcheck(settings, start.port),
        build_steps=_checked_steps(django_build_steps(project, dependencies)),
        writable=writable,
        indexes=tuple(Decided(i.url, i.source) for i in find_indexes(project, facts.manifests)),
        keep_files=keep,
        dev=dev_target(project, installer.value, start.command) if settings.choices.dev else None,
        version_from_git=version,
        stub=_stub(project, installer.value, facts, version, keep),
        warnings=(*lock_warnings, *warnings, *facts.warnings, *start.warnings, *notes),
    )
    # What the installer runs, once every fact it reads is decided.
    return dataclasses.replace(spec, recipe=module.recipe(spec))


def _stub(
    project: ProjectDir,
    installer: Installer,
    facts: InstallFacts,
    version: Decided[str] | None,
    keep: tuple[CheckedPath, ...],
) -> Stub:
    """The stub of a packaged project; the stub modules load only for one (start-up)."""
    if not facts.installs_project:
        return Stub()
    from dockergen.stub import project_stub

    return project_stub(project, installer, facts, version, keep)


def check_lock(
    project: ProjectDir, module: InstallerModule, *, allow_stale: bool
) -> tuple[str, ...]:
    """Refuse a lock file that the build's locked install would refuse (an error before the
    build instead of one in the middle of it); with `allow_stale`, only warn."""
    difference = module.stale_lock(project)
    if difference is None or not module.lockfile or not module.lock_command:
        return ()
    if not allow_stale:
        raise StaleLockError(module.lockfile, difference, module.lock_command)
    return (
        f"{module.lockfile} is out of date: {difference}; the image build refuses it until you "
        f"run `{module.lock_command}` and commit {module.lockfile}",
    )


def _compiles(project: ProjectDir) -> Callable[[str], int]:
    """How many locked packages have no wheel for a Python minor version (built from source)."""
    return lambda minor: len(locked_without_wheel(project, minor))


def _apt(settings: Settings, facts: InstallFacts, needs: SystemNeeds) -> Apt:
    """The Debian packages of both stages: the user's, the installer's, the dependencies'."""
    build = (*settings.choices.apt_build, *facts.apt_build, *needs.build)
    run = (*settings.choices.apt_run, *needs.run)
    return Apt(
        build=check_apt_packages(tuple(dict.fromkeys(build)), settings.origin("apt_build")),
        run=check_apt_packages(tuple(dict.fromkeys(run)), settings.origin("apt_run")),
        reasons=needs.reasons,
    )


def _healthcheck(settings: Settings, port: Decided[int] | None) -> Decided[str] | None:
    """The path the Dockerfile's HEALTHCHECK asks for; only when one was chosen (flag, answer)."""
    path = settings.choices.healthcheck
    if path is None:
        return None
    source = settings.origin("healthcheck")
    check_url_path(path, source)
    if port is None:
        raise HealthcheckPortError(path, source)
    return Decided(path, settings.label, settings.detail("healthcheck", path))


def _checked_steps(steps: tuple[Command, ...]) -> tuple[Command, ...]:
    """Build steps reach a RUN line as shell words: no line break in any (a folder name)."""
    for step in steps:
        check_command(step.value, step.source)
    return steps


def _volume_note(folder: Decided[AppPath]) -> str:
    return (
        f"{folder.detail}, so the app writes to {folder.value}: with a read-only root filesystem "
        f"(docker run --read-only, Kubernetes readOnlyRootFilesystem) mount a volume there"
    )


def choose_installer(project: ProjectDir, settings: Settings) -> Decided[Installer]:
    """The user's choice, else the strongest evidence (registry order breaks ties)."""
    found = _evidence(project)
    chosen = settings.choices.installer
    if chosen:
        losers = tuple(f"{ev.text} ({m.installer})" for m, ev in found if m.installer != chosen)
        return Decided(chosen, settings.label, settings.detail("installer", chosen), losers)
    locks = [lock for lock in LOCKFILES if project.is_file(lock)]
    if len(locks) > 1:
        raise ConflictingLockfilesError(str(project.root), locks)
    if not locks:
        for module in REGISTRY:
            module.check_location(project)
    if not found:
        raise NoManifestError(str(project.root), LOOKED_FOR)
    module, evidence = found[0]
    losers = tuple(f"{ev.text} ({m.installer})" for m, ev in found[1:] if m is not module)
    detail = f"{evidence.text}: {evidence.why}" if evidence.why and losers else evidence.text
    return Decided(module.installer, evidence.file, detail, losers)


def _evidence(project: ProjectDir) -> list[tuple[InstallerModule, Evidence]]:
    found = [(module, ev) for module in REGISTRY for ev in module.evidence(project)]
    order = {id(module): rank for rank, module in enumerate(REGISTRY)}
    return sorted(found, key=lambda pair: (pair[1].strength, order[id(pair[0])]))


def _members_inside(project: ProjectDir, facts: InstallFacts) -> InstallFacts:
    """A workspace member is copied into the image: one linked out of the project is not."""
    for member in facts.workspace_members:
        if not project.inside(member):
            raise InvalidProjectFileError(
                shown(member),
                "is a uv workspace member that is a symlink out of the project",
                "move the member into the workspace",
            )
    return facts


def _keep_files(project: ProjectDir) -> tuple[CheckedPath, ...]:
    """Files the metadata makes the build read (readme, licenses): .dockerignore keeps them.
    Never a secret or local state, nor a pattern that could bring one back (`*`)."""
    found = [*metadata_files(project.pyproject().get("project", {}))]
    for module in REGISTRY:
        found += module.metadata_files(project)
    named = "readme or license file"
    return tuple(check_path(f, "pyproject.toml", named, pattern=True) for f in dict.fromkeys(found))
