"""pdm: pyproject.toml enforced by pdm.lock (`pdm install --check`)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any, Final

from dockergen.installers import lockhash
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
    legacy_files,
    lock_tool_facts,
    source_tables,
    tool_table,
)
from dockergen.model import Decided, DevTarget, Installer, InstallFacts, ProjectSpec
from dockergen.project import ProjectDir
from dockergen.steps import Recipe, command, install

_LOCK_SHAPES: Final = (
    (("metadata",), dict),
    (("metadata", "targets"), list),
    (("metadata", "requires_python"), str),
)
# [tool.pdm.build] and [tool.pdm.version] only configure the pdm-backend build backend.
_BACKEND_ONLY: Final = frozenset({"build", "version"})
_GROUP_SEPARATORS: Final = r"[^A-Za-z0-9]+"
# The newest pdm that computes pdm.lock's content_hash the old way (before 2.16), with the
# HTTP stack it was released with: newer unearth, hishel and httpx break it at its first
# request (checked: it locks and installs with these, and crashes with the newest ones).
LAST_OLD_HASH_RELEASE: Final[tuple[str, ...]] = (
    "pdm==2.15.4", "unearth==0.15.5", "hishel==0.0.30", "httpx==0.27.0"
)  # fmt: skip


class Pdm(BaseInstaller):
    installer = Installer.PDM
    lockfile = "pdm.lock"
    lock_command = "pdm lock"
    stale_lock_output: str | None = r"(?i)Lock ?file hash doesn't match|lock file is not up to date"
    # pdm's own [locked] extra pins the HTTP stack it was released with: the newest hishel
    # (2.x) and unearth (0.19) break pdm 2.29 at start-up.
    # No setting in [tool.pdm] asks for a pdm release (checked in pdm itself), so the pin
    # is the only one; uv's required-version and poetry's requires-poetry have no pdm twin.
    requirements = ("pdm[locked]==2.29.3",)

    def evidence(self, project: ProjectDir) -> tuple[Evidence, ...]:
        found = []
        if project.is_file("pdm.lock"):
            found.append(Evidence(Strength.LOCK, "pdm.lock"))
        if set(_pdm(project)) - _BACKEND_ONLY:
            found.append(Evidence(Strength.TOOL, "pyproject.toml [tool.pdm]"))
        return tuple(found)

    def facts(self, project: ProjectDir, python: str) -> InstallFacts:
        facts = lock_tool_facts(self, project, packaged=_packaged(project))
        if self._hashed_before_2_16(project):
            release = Decided(
                LAST_OLD_HASH_RELEASE,
                "pdm.lock",
                "pdm.lock's content_hash is the one pdm 2.15 and older compute (pdm 2.16 hashes "
                "the whole [tool.pdm.resolution] table and refuses this lock), so the builder "
                f"installs {LAST_OLD_HASH_RELEASE[0]}",
            )
            facts = dataclasses.replace(facts, tool_requirements=release)
        return facts

    def _hashed_before_2_16(self, project: ProjectDir) -> bool:
        """The lock matches pyproject.toml the way pdm 2.15 and older hash it, not as now."""
        metadata = lockhash.table(self.read_lock(project), "metadata")
        algorithm, _, stored = str(metadata.get("content_hash", "")).partition(":")
        if algorithm != "sha256" or "lock_inputs" in metadata:
            return False
        pyproject = project.pyproject()
        return stored != content_hash(pyproject) and stored == content_hash_before_2_16(pyproject)

    def locked(self, project: ProjectDir) -> Iterator[LockedPackage]:
        # Lock format 4.0 lists files in [metadata.files], keyed by "name version".
        legacy = legacy_files(self.read_lock(project))
        for package in self.lock_packages(project):
            if isinstance(name := package.get("name"), str):
                groups = package.get("groups") or ["default"]
                key = f"{name} {package.get('version', '')}"
                files = file_names(package) or file_names({"files": legacy.get(key)})
                yield LockedPackage(name, files, default="default" in groups)

    def python_constraints(self, project: ProjectDir) -> Iterator[PythonConstraint]:
        metadata = self.read_lock(project, _LOCK_SHAPES).get("metadata", {})
        # Lock format 4.5+ records targets; older locks keep requires_python in [metadata].
        targets = [t for t in metadata.get("targets", []) if isinstance(t, dict)]
        value = targets[0].get("requires_python") if targets else metadata.get("requires_python")
        if value:
            yield PythonConstraint((str(value),), "pdm.lock", str(value), "requires-python")

    def indexes(self, project: ProjectDir, manifests: tuple[str, ...]) -> Iterator[Index]:
        """[[tool.pdm.source]]; pdm 2.29.3 reads the credentials from ~/.netrc."""
        yield from source_tables(
            _pdm(project).get("source"), "pyproject.toml [[tool.pdm.source]]", frozenset({"pypi"})
        )

    def stale_lock(self, project: ProjectDir) -> str | None:
        metadata = lockhash.table(self.read_lock(project), "metadata")
        algorithm, _, stored = str(metadata.get("content_hash", "")).partition(":")
        pdm = _pdm(project)
        # Not modelled, so undecided: the newer "lock inputs" freshness model, and workspaces
        # (where the root's hash is hashed again together with every member's).
        if "lock_inputs" in metadata or lockhash.table(pdm, "resolution").get("lock_inputs"):
            return None
        if algorithm != "sha256" or lockhash.table(pdm, "workspace").get("members"):
            return None
        computed = content_hash(project.pyproject())
        if computed is None or stored == computed or self._hashed_before_2_16(project):
            return None
        return "its content_hash does not match pyproject.toml"

    def dev_target(self, project: ProjectDir) -> DevTarget:
        """`pdm install` installs every dev group ([dependency-groups], the older table)."""
        groups = project.pyproject().get("dependency-groups")
        return DevTarget(groups=group_names(groups, _pdm(project).get("dev-dependencies")))

    def recipe(self, spec: ProjectSpec) -> Recipe:
        facts = spec.install
        tool, why = tool_release(facts, self.requirements)
        pdm = ("pdm", "install", *(("--check",) if facts.locked else ()))
        enforced = "Production dependencies exactly as locked: --check refuses a stale pdm.lock."
        groups = f"With the dev groups ({listed(spec.dev.groups if spec.dev else ())})"
        return Recipe(
            env=(("PDM_CHECK_UPDATE", "false"),),
            tool=tool,
            tool_note=why,
            dependencies=install(
                (command(*pdm, "--prod", "--no-self"), _COMPILE),
                notes=(lock_note(facts, "pdm.lock", enforced), _NO_BYTECODE),
            ),
            project_stub=install((command(*pdm, "--prod"), _COMPILE)),
            project=install((command(*pdm, "--prod", "--no-editable"), _COMPILE)),
            dev_dependencies=install(
                (command(*pdm, "--no-self"),),
                notes=(f"{groups}: pdm installs them unless told --prod.",),
            ),
            dev_project=install((command(*pdm),), notes=(EDITABLE,)),
        )


# pdm writes no bytecode of its own: every start would compile the dependencies again.
_NO_BYTECODE: Final = (
    "pdm has no option to write bytecode: compileall does, or every start would compile again."
)
_COMPILE: Final = command("python", "-m", "compileall", "-q", "-j", "0", "/app/.venv/lib")


def content_hash(pyproject: dict[str, Any]) -> str | None:
    """The hex digest in pdm.lock's `[metadata] content_hash = "sha256:..."`."""
    project, pdm = lockhash.table(pyproject, "project"), lockhash.table(pyproject, "tool", "pdm")
    groups: dict[str, list[Any]] = {}
    for tables in (lockhash.table(pyproject, "dependency-groups"), pdm.get("dev-dependencies")):
        for name, deps in tables.items() if isinstance(tables, dict) else ():
            if not isinstance(deps, list):
                return None  # pdm refuses such a file: nothing to compare
            # pdm's group-name normalisation ("Test_Group" is "test-group").
            groups.setdefault(re.sub(_GROUP_SEPARATORS, "-", name).lower(), []).extend(deps)
    return lockhash.sha256_json(
        {
            "sources": pdm.get("source", []),
            "dependencies": project.get("dependencies", []),
            "dev-dependencies": groups,
            "optional-dependencies": project.get("optional-dependencies", {}),
            "requires-python": project.get("requires-python", ""),
            "resolution": pdm.get("resolution", {}),
        }
    )


def content_hash_before_2_16(pyproject: dict[str, Any]) -> str | None:
    """The content_hash of pdm 2.15 and older: the raw dev-dependencies table and the
    resolution overrides only (pdm 2.16 hashes the whole resolution table instead)."""
    project, pdm = lockhash.table(pyproject, "project"), lockhash.table(pyproject, "tool", "pdm")
    return lockhash.sha256_json(
        {
            "sources": pdm.get("source", []),
            "dependencies": project.get("dependencies", []),
            "dev-dependencies": pdm.get("dev-dependencies", {}),
            "optional-dependencies": project.get("optional-dependencies", {}),
            "requires-python": project.get("requires-python", ""),
            "overrides": lockhash.table(pdm, "resolution").get("overrides", {}),
        }
    )


def _pdm(project: ProjectDir) -> dict[str, Any]:
    return tool_table(project, "pdm")


def _packaged(project: ProjectDir) -> bool:
    explicit = _pdm(project).get("distribution")
    return bool(explicit) if explicit is not None else "build-system" in project.pyproject()


PDM: Final = Pdm()
