"""Plain PEP 621: `[project]` metadata and a build backend, installed with `pip install .`."""

from __future__ import annotations

from typing import Final

from dockergen.installers.base import BaseInstaller, Evidence, Strength
from dockergen.model import DevTarget, Installer, InstallFacts
from dockergen.project import ProjectDir


class Pep621(BaseInstaller):
    installer = Installer.PEP621

    def evidence(self, project: ProjectDir) -> tuple[Evidence, ...]:
        pyproject = project.pyproject()
        table = pyproject.get("project")
        # A [project] table holding only a name (tool config) is not an installable project.
        if isinstance(table, dict) and ("build-system" in pyproject or table.get("dependencies")):
            return (Evidence(Strength.METADATA, "pyproject.toml [project]"),)
        return ()

    def facts(self, project: ProjectDir, python: str) -> InstallFacts:
        table = project.pyproject().get("project", {})
        dynamic = "dependencies" in table.get("dynamic", ())
        # The builder reads [project].dependencies with tomllib, new in Python 3.11.
        old_python = tuple(int(p) for p in python.split(".")[:2]) < (3, 11)
        warnings: tuple[str, ...] = ()
        if dynamic:
            warnings = (
                "pyproject.toml declares dependencies as dynamic, so they are installed with "
                "the project after the source is copied: a code change reinstalls them "
                "(from cache)",
            )
        return InstallFacts(
            manifests=("pyproject.toml",),
            installs_project=True,
            deps_before_source=not (dynamic or old_python),
            warnings=warnings,
        )

    def dev_target(self, project: ProjectDir) -> DevTarget:
        """Extras named dev or test, and [dependency-groups] dev: the partial installs them."""
        pyproject = project.pyproject()
        extras = pyproject.get("project", {}).get("optional-dependencies", {})
        groups = [e for e in DEV_EXTRAS if isinstance(extras, dict) and e in extras]
        if "dev" in (pyproject.get("dependency-groups") or {}):
            groups.append("group:dev")
        return DevTarget(groups=tuple(groups))


# [project.optional-dependencies] a dev target installs.
DEV_EXTRAS: Final = ("dev", "test")

PEP621: Final = Pep621()
