"""uv: pyproject.toml enforced by uv.lock (`uv sync --locked`), workspaces included."""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
from collections.abc import Iterator
from typing import Any, Final

from dockergen.errors import InvalidProjectFileError, WorkspaceMemberError
from dockergen.installers.base import (
    BaseInstaller,
    Evidence,
    Index,
    LockedPackage,
    PythonConstraint,
    Strength,
)
from dockergen.installers.recipes import EDITABLE, listed, lock_note, tool_release
from dockergen.installers.tables import (
    file_names,
    group_names,
    lock_tool_facts,
    pick_release,
    source_tables,
    tool_table,
)
from dockergen.model import Decided, DevTarget, Installer, InstallFacts, ProjectSpec
from dockergen.pep440 import line_of, specifiers
from dockergen.project import ProjectDir
from dockergen.safety import CheckedPath, check_path
from dockergen.steps import Recipe, command, install
from dockergen.text import shown

_SHAPES: Final = (
    (("tool", "uv", "workspace"), dict),
    (("tool", "uv", "workspace", "members"), list),
)
_LOCK_SHAPES: Final = ((("requires-python",), str),)
# uv releases dockergen knows, newest first; the first is the pin. [tool.uv] required-version
# (PEP 440; a bare version means ==) picks the newest one it allows. The newest patch of each
# minor; an older uv gets a cache directory of its own (recipe): 0.12 changed the cache
# format without a new bucket version (astral-sh/uv#20949).
RELEASES: Final = ("0.13.9", "0.12.24", "0.11.33")


class Uv(BaseInstaller):
    installer = Installer.UV
    lockfile = "uv.lock"
    lock_command = "uv lock"
    stale_lock_output: str | None = r"The lockfile at `uv\.lock` needs to be updated"
    requirements = (f"uv=={RELEASES[0]}",)

    def evidence(self, project: ProjectDir) -> tuple[Evidence, ...]:
        return (Evidence(Strength.LOCK, "uv.lock"),) if project.is_file("uv.lock") else ()

    def facts(self, project: ProjectDir, python: str) -> InstallFacts:
        facts = lock_tool_facts(self, project, packaged=_packaged(project))
        facts = dataclasses.replace(facts, tool_requirements=_release(project))
        workspace = _uv(project).get("workspace", {})
        members = _members(project, workspace.get("members", ()))
        if not members:
            return facts
        return dataclasses.replace(
            facts,
            manifests=(*facts.manifests, *_member_manifests(members)),
            workspace_members=members,
            installs_project=True,  # members are installed after the source copy
        )

    def locked(self, project: ProjectDir) -> Iterator[LockedPackage]:
        packages = self.lock_packages(project)
        # uv.lock does not mark groups on each package: what `uv sync --no-dev` installs is
        # what the project's own packages depend on, followed through the lock.
        installed = _reachable(packages)
        for package in packages:
            if isinstance(name := package.get("name"), str):
                files = file_names(package, ("wheels", "sdist"))
                yield LockedPackage(name, files, default=name in installed)

    def python_constraints(self, project: ProjectDir) -> Iterator[PythonConstraint]:
        value = self.read_lock(project, _LOCK_SHAPES).get("requires-python")
        if value:
            yield PythonConstraint((str(value),), "uv.lock", str(value), "requires-python")

    def indexes(self, project: ProjectDir, manifests: tuple[str, ...]) -> Iterator[Index]:
        """[[tool.uv.index]]; uv 0.13.9 reads the credentials from ~/.netrc, asking without them
        first and again with them after a 401."""
        yield from source_tables(
            _uv(project).get("index"), "pyproject.toml [[tool.uv.index]]", frozenset({"pypi"})
        )

    def stale_lock(self, project: ProjectDir) -> str | None:
        if not project.is_file("uv.lock"):
            return None
        # Imported here: packaging's requirement parser costs start-up time that projects
        # without a uv.lock should not pay.
        from dockergen.installers.uvlock import difference

        lock = self.read_lock(project, _LOCK_SHAPES)
        return difference(project.pyproject(), lock, functools.partial(line_of, project))

    def dev_target(self, project: ProjectDir) -> DevTarget:
        """`uv sync` installs the default groups (dev, unless tool.uv.default-groups says)."""
        legacy = {"dev": 1} if "dev-dependencies" in _uv(project) else {}
        return DevTarget(groups=group_names(project.pyproject().get("dependency-groups"), legacy))

    def recipe(self, spec: ProjectSpec) -> Recipe:
        facts = spec.install
        tool, why = tool_release(facts, self.requirements)
        sync = ("uv", "sync", *(("--locked",) if facts.locked else ()))
        every = ("--all-packages",) if facts.workspace_members else ()
        members = ("--no-install-workspace",) if every else ("--no-install-project",)
        groups = f"With the default groups ({listed(spec.dev.groups if spec.dev else ())})"
        return Recipe(
            env=(
                *_ENV,
                *((("UV_CACHE_DIR", f"/root/.cache/{tool[0].replace('==', '-')}"),) if why else ()),
            ),
            tool=tool,
            tool_note=why,
            dependencies=install(
                (command(*sync, "--no-dev", *every, *members),), notes=_notes(facts)
            ),
            project_stub=install((command(*sync, "--no-dev"),)),
            project=install((command(*sync, "--no-dev", *every, "--no-editable"),)),
            dev_dependencies=install(
                (command(*sync, *every, *members),),
                notes=(f"{groups}: uv sync installs them unless told --no-dev.",),
            ),
            dev_project=install((command(*sync, *every),), notes=(EDITABLE,)),
        )

    def check_location(self, project: ProjectDir) -> None:
        """A workspace member is built from the workspace root, which holds the lock."""
        if lock := _workspace_lock(project):
            raise WorkspaceMemberError(str(project.root), lock)


# The builder's environment; an older uv (tool_release) also gets a cache directory of its own.
_ENV: Final = (
    ("UV_COMPILE_BYTECODE", "1"),
    ("UV_LINK_MODE", "copy"),
    ("UV_PYTHON_DOWNLOADS", "never"),
)


def _notes(facts: InstallFacts) -> tuple[str, ...]:
    enforced = "Exactly as locked, without dev groups: --locked refuses a stale uv.lock."
    notes: tuple[str, ...] = (lock_note(facts, "uv.lock", enforced),)
    if members := facts.workspace_members:
        every = f"every member ({listed(members)})"
        notes += (f"A workspace: the dependencies of {every}, then the members.",)
    return notes


def _member_manifests(members: tuple[str, ...]) -> tuple[CheckedPath, ...]:
    where = "pyproject.toml [tool.uv.workspace]"
    return tuple(check_path(f"{m}/pyproject.toml", where, "member") for m in members)


def _reachable(packages: list[dict[str, Any]]) -> set[str]:
    """Names the workspace's own packages (a `virtual`, `editable` or `directory` source)
    depend on, directly or through other locked packages; dev groups and extras left out."""
    by_name = {p["name"]: p for p in packages if isinstance(p.get("name"), str)}
    roots = [
        p for p in by_name.values()
        if isinstance(p.get("source"), dict)
        and ({"virtual", "editable", "directory"} & set(p["source"]))
    ]  # fmt: skip
    seen = {str(p["name"]) for p in roots}
    stack = list(roots)
    while stack:
        for dependency in stack.pop().get("dependencies", []):
            name = dependency.get("name") if isinstance(dependency, dict) else None
            if isinstance(name, str) and name not in seen and name in by_name:
                seen.add(name)
                stack.append(by_name[name])
    return seen


def _uv(project: ProjectDir) -> dict[str, Any]:
    return tool_table(project, "uv", _SHAPES)


def _release(project: ProjectDir) -> Decided[tuple[str, ...]] | None:
    wanted = _uv(project).get("required-version")
    if not isinstance(wanted, str):
        return None
    allowed = specifiers(wanted if wanted.lstrip()[:1] in "<>=!~" else f"=={wanted}")
    if allowed is None:
        raise InvalidProjectFileError(
            line_of(project, "pyproject.toml", wanted),
            f"[tool.uv] required-version = {shown(wanted)!r} is not a PEP 440 specifier "
            "(uv then ignores every [tool.uv] setting, with a warning)",
            "write it as uv reads it, e.g. '>=0.13'",
        )
    return pick_release("uv", RELEASES, "[tool.uv] required-version", wanted, allowed.contains)


def _packaged(project: ProjectDir) -> bool:
    explicit = _uv(project).get("package")
    return bool(explicit) if explicit is not None else "build-system" in project.pyproject()


def _workspace_lock(project: ProjectDir) -> str | None:
    """The uv.lock of a uv workspace that lists `project` as a member, if any."""
    for depth, parent in enumerate(project.root.parents[:3], start=1):
        workspace = ProjectDir(parent)
        if workspace.is_file("uv.lock") and workspace.is_file("pyproject.toml"):
            members = _uv(workspace).get("workspace", {})
            relative = project.root.relative_to(parent).as_posix()
            if any(fnmatch.fnmatch(relative, str(m)) for m in members.get("members", ())):
                return "../" * depth + "uv.lock"
        if workspace.is_dir(".git"):  # never look past the repository
            return None
    return None


def _members(project: ProjectDir, patterns: Any) -> tuple[str, ...]:
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


def _expand(project: ProjectDir, member: str) -> list[str]:
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


UV: Final = Uv()
