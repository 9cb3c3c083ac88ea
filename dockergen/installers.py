"""Installer knowledge that is data: lock files and the pinned tool each builder installs.

The commands themselves live in templates/installers/<installer>.j2, so the Dockerfile a
reviewer reads is written as a Dockerfile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from dockergen.model import Installer


@dataclass(frozen=True, slots=True)
class InstallerTool:
    # The lock file this installer writes and enforces, if it has one.
    lockfile: str | None
    # What `pip install` puts into the builder stage (never into the final image); pinned so
    # that a rebuild next year resolves the same way. Empty: the image's own pip is enough.
    requirements: tuple[str, ...]


INSTALLERS: Final[Mapping[Installer, InstallerTool]] = MappingProxyType(
    {
        Installer.PIP: InstallerTool(lockfile=None, requirements=()),
        Installer.PEP621: InstallerTool(lockfile=None, requirements=()),
        Installer.PIPENV: InstallerTool(
            lockfile="Pipfile.lock", requirements=("pipenv==2026.10.3",)
        ),
        Installer.POETRY: InstallerTool(lockfile="poetry.lock", requirements=("poetry==2.5.1",)),
        Installer.UV: InstallerTool(lockfile="uv.lock", requirements=("uv==0.13.9",)),
        # pdm's own [locked] extra pins the HTTP stack it was released with: the newest hishel
        # (2.x) and unearth (0.19) break pdm 2.29 at start-up.
        Installer.PDM: InstallerTool(lockfile="pdm.lock", requirements=("pdm[locked]==2.29.3",)),
    }
)

LOCKFILES: Final[Mapping[str, Installer]] = MappingProxyType(
    {tool.lockfile: installer for installer, tool in INSTALLERS.items() if tool.lockfile}
)
