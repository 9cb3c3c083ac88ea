"""Plain PEP 621: `[project]` metadata and a build backend, installed with `pip install .`."""

from __future__ import annotations

import dataclasses
import json
from typing import Final

from dockergen.installers.base import BaseInstaller, Evidence, Strength
from dockergen.installers.recipes import EDITABLE, EMPTY_VENV, listed, pip_install
from dockergen.model import DevTarget, Installer, InstallFacts, ProjectSpec
from dockergen.project import ProjectDir
from dockergen.safety import checked
from dockergen.steps import Install, Recipe, command


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
            manifests=checked("pyproject.toml"),
            installs_project=True,
            deps_before_source=not (dynamic or old_python),
            warnings=warnings,
        )

    def dev_target(self, project: ProjectDir) -> DevTarget:
        """Extras named dev or test, and [dependency-groups] dev: the dev stage installs them."""
        pyproject = project.pyproject()
        extras = pyproject.get("project", {}).get("optional-dependencies", {})
        groups = [e for e in DEV_EXTRAS if isinstance(extras, dict) and e in extras]
        if "dev" in (pyproject.get("dependency-groups") or {}):
            groups.append("group:dev")
        return DevTarget(groups=tuple(groups))

    def recipe(self, spec: ProjectSpec) -> Recipe:
        """pip of the image installs into an empty environment: [project].dependencies first,
        read with tomllib, unless they are dynamic; then the project, without them."""
        dev = spec.dev.groups if spec.dev else ()
        extras = tuple(g for g in dev if g != "group:dev")
        separate = spec.install.deps_before_source
        dev_deps = f"[project].dependencies with the dev extras ({listed(extras, 'none')})"
        group = " and [dependency-groups] dev" if "group:dev" in dev else ""
        editable = ".[" + ",".join(extras) + "]" if extras else "."
        return Recipe(
            prepare=EMPTY_VENV,
            source_first="Dependencies are dynamic (or this Python has no tomllib): install with "
            "the project.",
            dependencies=_from_pyproject(_PRODUCTION, _FIRST) if separate else None,
            project_stub=pip_install("--no-deps", "-e", "."),
            project=pip_install("--no-deps", ".") if separate else pip_install("."),
            dev_dependencies=(
                _from_pyproject(_with_dev(extras, group), f"{dev_deps}{group}.")
                if separate
                else None
            ),
            dev_project=(
                pip_install("--no-deps", "-e", ".", notes=(EDITABLE,))
                if separate
                else pip_install("-e", editable)
            ),
        )


# [project.optional-dependencies] a dev target installs.
DEV_EXTRAS: Final = ("dev", "test")
_FIRST: Final = (
    "Dependencies from [project].dependencies first, so they stay cached while code changes."
)
_LOAD: Final = 'import tomllib; data = tomllib.load(open("pyproject.toml", "rb")); '
_PRODUCTION: Final = (
    'import tomllib; project = tomllib.load(open("pyproject.toml", "rb"))["project"]; '
    'print(*project.get("dependencies", []), sep="\\n")'
)


def _with_dev(extras: tuple[str, ...], group: str) -> str:
    """The script that lists [project].dependencies, the dev extras and the dev group."""
    extra = f"*[r for e in {json.dumps(list(extras))} for r in extras[e]]"
    dev_group = ', *[r for r in data["dependency-groups"]["dev"] if isinstance(r, str)]'
    return (
        f'{_LOAD}project = data["project"]; extras = project.get("optional-dependencies", {{}}); '
        f'print(*project.get("dependencies", []), {extra}{dev_group if group else ""}, sep="\\n")'
    )


def _from_pyproject(script: str, note: str) -> Install:
    """The requirements the script prints, installed before the project."""
    read = command("python", "-c", script, stdout="/tmp/requirements.txt")
    installed = pip_install("-r", "/tmp/requirements.txt", notes=(note,))
    return dataclasses.replace(installed, lines=((read,), *installed.lines))


PEP621: Final = Pep621()
