"""Read a project's metadata and decide how to build it: files in, a frozen ProjectSpec out."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from dockergen.bounds import check_spec
from dockergen.debian import choose_debian, newer_default, with_image
from dockergen.dependencies import dependency_names
from dockergen.dev import dev_target
from dockergen.errors import (
    ConflictingLockfilesError,
    HealthcheckPortError,
    InvalidProjectFileError,
    NoManifestError,
    StaleLockError,
)
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
from dockergen.start import choose_command, choose_release, project_name
from dockergen.start.django import debug_off, django_build_steps
from dockergen.sysdeps import SystemNeeds, locked_without_wheel, on_demand, system_needs
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
    python, missing = with_image(python, debian, settings)
    warnings = [*warnings, *missing]
    facts = _members_inside(project, module.facts(project, python.value))
    # A requirements file that installs `.` installs the project (and its scripts) too.
    installed = facts.installs_project or "." in facts.local_dependencies
    dependencies = dependency_names(project)
    start = choose_command(project, settings, dependencies, installs_project=installed)
    debug_env, debug_warnings = debug_off(project, dependencies)
    found = (*writable_dirs(project, dependencies, project_name(project)), *start.writable)
    writable = tuple(map(_writable, found))
    needs = system_needs(project, dependencies, python.value, debian.value)
    version = version_from_git(project, installed or not facts.deps_before_source)
    notes = (*map(_volume_note, writable), *pdv_warnings(project, version), *newer_default(debian))
    keep = _keep_files(project)
    spec = ProjectSpec(
        installer=installer,
        python=python,
        debian=debian,
        install=facts,
        apt=_apt(settings, facts, needs, dependencies),
        command=start.command,
        port=start.port,
        environment=(*start.environment, *debug_env),
        release=choose_release(project),
        healthcheck=_healthcheck(settings, start.port),
        build_steps=_checked_steps(django_build_steps(project, dependencies)),
        writable=writable,
        indexes=tuple(Decided(i.url, i.source) for i in find_indexes(project, facts.manifests)),
        keep_files=keep,
        dev=dev_target(project, installer.value, start.command) if settings.choices.dev else None,
        version_from_git=version,
        stub=_stub(project, installer.value, facts, version, keep),
        warnings=(
            *lock_warnings,
            *warnings,
            *facts.warnings,
            *start.warnings,
            *debug_warnings,
            *notes,
        ),
    )
    # What the installer runs, once every fact it reads is decided.
    return check_spec(dataclasses.replace(spec, recipe=module.recipe(spec)))


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


def _apt(
    settings: Settings, facts: InstallFacts, needs: SystemNeeds, dependencies: frozenset[str]
) -> Apt:
    """The Debian packages of both stages: the user's, the installer's, the dependencies';
    and, with no lock and no compiler in the builder already, the compiler it installs on
    demand."""
    build = tuple(dict.fromkeys((*settings.choices.apt_build, *facts.apt_build, *needs.build)))
    run = (*settings.choices.apt_run, *needs.run)
    later = () if facts.locked or "build-essential" in build else on_demand(dependencies)
    return Apt(
        build=check_apt_packages(build, settings.origin("apt_build")),
        run=check_apt_packages(tuple(dict.fromkeys(run)), settings.origin("apt_run")),
        reasons=needs.reasons,
        on_demand=later,
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


def _writable(folder: Decided[str]) -> Decided[AppPath]:
    """A folder the app's user will own (`/app/x`, or `/data` outside /app), checked like
    every path the plan names: it reaches `RUN mkdir -p ... && chown ...` as one quoted word."""
    value, source = folder.value.rstrip("/"), folder.source
    if value in ("/app", ""):
        path = None
    elif value.startswith("/app/"):
        path = check_path(value.removeprefix("/app/"), source, "folder")
    else:
        path = check_path(value, source, "folder", absolute=True)
    return Decided(AppPath(path), source, folder.detail, folder.overridden)


def _checked_steps(
    steps: tuple[Decided[tuple[str, ...]], ...],
) -> tuple[Decided[tuple[str, ...]], ...]:
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
        if settled := _settle_locks(project, locks):
            return settled
        raise ConflictingLockfilesError(str(project.root), locks)
    if not locks:
        for module in REGISTRY:
            module.check_location(project)
    if not found:
        raise NoManifestError(str(project.root), LOOKED_FOR, _app_folder(project))
    module, evidence = found[0]
    losers = tuple(f"{ev.text} ({m.installer})" for m, ev in found[1:] if m is not module)
    detail = f"{evidence.text}: {evidence.why}" if evidence.why and losers else evidence.text
    return Decided(module.installer, evidence.file, detail, losers)


def _app_folder(project: ProjectDir) -> str:
    """Where the app is when it is not at the root: a folder the authors build from (a
    compose `build:` context), else the only folder one level down with a manifest."""
    from dockergen.start.authored import build_contexts

    candidates = [
        name
        for name in project.names(".")
        if not name.startswith(".") and project.is_dir(name) and _has_manifest(project, name)
    ]
    said = [(c, why) for c, why in build_contexts(project) if c in candidates]
    folder, why = said[0] if said else (candidates[0], "") if len(candidates) == 1 else ("", "")
    if not folder:
        return ""
    found = next(n for n in LOOKED_FOR if project.is_file(f"{folder}/{n}"))
    because = f" ({why})" if why else ""
    return (
        f"{folder}/ has {found}{because}: run `dockergen init {folder}` to build the app "
        "from there, or pass --installer to build from here"
    )


def _has_manifest(project: ProjectDir, folder: str) -> bool:
    try:
        return any(project.is_file(f"{folder}/{name}") for name in LOOKED_FOR)
    except InvalidProjectFileError:
        return False


def _settle_locks(project: ProjectDir, locks: list[str]) -> Decided[Installer] | None:
    """Several lock files: the one the authors' own Dockerfile installs with, else the only
    one still fresh; None when neither tells."""
    from dockergen.start.authored import installs_with

    modules = [m for m in REGISTRY if m.lockfile in locks]
    losers = tuple(f"{m.lockfile} ({m.installer})" for m in modules)
    if said := installs_with(project, [m.installer.value for m in modules]):
        tool, where = said
        chosen = next(m for m in modules if m.installer.value == tool)
        rest = tuple(x for x in losers if not x.startswith(f"{chosen.lockfile} "))
        return Decided(
            chosen.installer, chosen.lockfile or "", f"{where} installs with {tool}", rest
        )
    fresh = [m for m in modules if m.stale_lock(project) is None]
    if len(fresh) == 1:
        chosen = fresh[0]
        rest = tuple(x for x in losers if not x.startswith(f"{chosen.lockfile} "))
        stale = ", ".join(m.lockfile or "" for m in modules if m is not chosen)
        detail = f"{chosen.lockfile}; {stale} is out of date with pyproject.toml"
        return Decided(chosen.installer, chosen.lockfile or "", detail, rest)
    return None


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
