"""pip with requirements files: `pip install -r`, includes followed, nothing locked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from dockergen.errors import DockergenError, NoManifestError
from dockergen.installers.base import BaseInstaller, Evidence, Index, InstallFacts, Strength
from dockergen.installers.requirements import (
    CANDIDATES,
    find_requirements,
    index_options,
    read_tree,
    requirement_lines,
)
from dockergen.model import Installer
from dockergen.names import requirement_heads
from dockergen.project import ProjectDir

# name==version (exact, not a wildcard), optionally [extras] and a marker: a pin.
_PINNED: Final = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*===?\s*[^*,\s;]+\s*(;.*)?$"
)


class Pip(BaseInstaller):
    installer = Installer.PIP

    def evidence(self, project: ProjectDir) -> tuple[Evidence, ...]:
        top = find_requirements(project)
        if top is None:
            return ()
        if _fully_pinned(project, top):
            # A file where every line is `==` is a lock in all but name (often exported
            # from Pipfile or poetry): reproducible, unlike a manifest without its lock.
            why = "every requirement is pinned with ==, so the build is reproducible"
            return (Evidence(Strength.PINNED, top, why),)
        return (Evidence(Strength.REQUIREMENTS, top),)

    def facts(self, project: ProjectDir, python: str) -> InstallFacts:
        top = find_requirements(project)
        if top is None:
            raise NoManifestError(str(project.root), CANDIDATES)
        tree = read_tree(project, top)
        warnings: tuple[str, ...] = ()
        if tree.local_paths:
            warnings = (
                f"{top} installs local paths ({', '.join(tree.local_paths)}), so dependencies "
                "are installed after the source is copied: a code change reinstalls them "
                "(from cache)",
            )
        return InstallFacts(
            manifests=tree.files,
            requirements=top,
            deps_before_source=not tree.local_paths,
            apt_build=("git",) if tree.needs_git else (),
            warnings=warnings,
        )

    def declared(self, project: ProjectDir) -> Iterator[tuple[str, tuple[str, ...]]]:
        for file in _tree_files(project):
            yield from requirement_heads(requirement_lines(project.read_text(file)))

    def indexes(self, project: ProjectDir, manifests: tuple[str, ...]) -> Iterator[Index]:
        for name in manifests:
            if name.endswith(".txt"):
                for where, url in index_options(project, name):
                    yield Index(url, where)


def _tree_files(project: ProjectDir) -> tuple[str, ...]:
    top = find_requirements(project)
    if top is None:
        return ()
    try:
        return read_tree(project, top).files
    except DockergenError:  # a pip project reports it; for others these files are stale
        return ()


def _fully_pinned(project: ProjectDir, top: str) -> bool:
    """Every requirement in the file and its includes is pinned to one version."""
    try:
        tree = read_tree(project, top)
    except DockergenError:
        return False
    if tree.local_paths or tree.needs_git:
        return False
    lines = [line for file in tree.files for line in requirement_lines(project.read_text(file))]
    return bool(lines) and all(_PINNED.match(line) for line in lines)


PIP: Final = Pip()
