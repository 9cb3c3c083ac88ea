"""Every installer dockergen knows, one module each, in precedence order.

Adding an installer: a member of `Installer` (model.py), a module here implementing
`InstallerModule` (base.py: its evidence, its facts, and its recipe, the commands it runs), its
entry in REGISTRY, and a fixture with its golden files (docs/build-plan.md shows the diff). The
layout around its commands is dockergen.buildplan's, the same for every installer.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from dockergen.installers.base import InstallerModule, LockedPackage
from dockergen.installers.pdm import PDM
from dockergen.installers.pep621 import PEP621
from dockergen.installers.pip import PIP
from dockergen.installers.pipenv import PIPENV
from dockergen.installers.poetry import POETRY
from dockergen.installers.uv import UV
from dockergen.model import Installer
from dockergen.project import ProjectDir

# Evidence of equal strength is decided by this order (see base.Strength).
REGISTRY: Final[tuple[InstallerModule, ...]] = (PIPENV, POETRY, UV, PDM, PIP, PEP621)
BY_NAME: Final[Mapping[Installer, InstallerModule]] = MappingProxyType(
    {module.installer: module for module in REGISTRY}
)
LOCKFILES: Final[Mapping[str, Installer]] = MappingProxyType(
    {module.lockfile: module.installer for module in REGISTRY if module.lockfile}
)


def installer_module(installer: Installer) -> InstallerModule:
    return BY_NAME[installer]


def locked_packages(project: ProjectDir) -> tuple[LockedPackage, ...]:
    """Every package every lock file of the project lists (read once: locks can be large)."""
    return project.cached(
        "locked", lambda: tuple(p for module in REGISTRY for p in module.locked(project))
    )


__all__ = [
    "BY_NAME",
    "LOCKFILES",
    "REGISTRY",
    "InstallerModule",
    "installer_module",
    "locked_packages",
]
