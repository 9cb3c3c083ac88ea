"""Which distributions the project declares, with their environment markers.

Diagnosis needs to tell "declared nowhere" from "declared for another Python"; the
marker is what excludes a dependency from one Python and not from another.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from packaging.requirements import Requirement

from dockergen.dependencies import dependency_names
from dockergen.errors import DockergenError
from dockergen.installers.requirements import find_requirements, read_tree
from dockergen.names import normalize
from dockergen.pep440 import requirement
from dockergen.project import ProjectDir


def declared_dependencies(root: Path) -> dict[str, str]:
    """Normalized name -> marker ("" when it has none), best effort: never raises."""
    project = ProjectDir(root)
    declared: dict[str, str] = {}
    try:
        declared.update(dict.fromkeys(dependency_names(project), ""))
        for requirement in _requirements(_declared_lines(project)):
            marker = str(requirement.marker) if requirement.marker else ""
            declared[normalize(requirement.name)] = marker
    except DockergenError:
        pass  # a broken manifest is reported by the build, not here
    return declared


def _declared_lines(project: ProjectDir) -> Iterator[str]:
    if top := find_requirements(project):
        for file in read_tree(project, top).files:
            yield from project.read_text(file).splitlines()
    dependencies = project.pyproject().get("project", {}).get("dependencies", ())
    if isinstance(dependencies, list):
        yield from (d for d in dependencies if isinstance(d, str))


def _requirements(lines: Iterable[str]) -> Iterator[Requirement]:
    for raw in lines:
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("-", "#")):
            continue
        if parsed := requirement(line):  # else a URL, a path or pip syntax: nothing to learn
            yield parsed
