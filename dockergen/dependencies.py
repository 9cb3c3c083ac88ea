"""The names of a project's runtime dependencies, read from the files that declare them.

Start-command rules ask "is gunicorn a dependency?". Every known manifest adds what it
declares ([project].dependencies here; requirements files, Pipfile and Poetry tables through
their installer modules); lock files add what they resolve for the default group, which also
covers servers pulled in through extras. Dev-only groups are left out: they are not in the
image.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from dockergen.installers import REGISTRY, locked_packages
from dockergen.names import normalize, requirement_heads
from dockergen.project import ProjectDir

# Extras that are well known to bring a server along (fastapi[standard] installs uvicorn).
IMPLIED_BY_EXTRAS: Final = {
    ("fastapi", "standard"): ("uvicorn", "fastapi-cli"),
    ("fastapi", "all"): ("uvicorn", "fastapi-cli"),
}


def dependency_names(project: ProjectDir) -> frozenset[str]:
    """Normalized names of everything the project installs at run time (best effort)."""
    names: set[str] = set()
    for name, extras in _declared(project):
        names.add(normalize(name))
        for extra in extras:
            names.update(IMPLIED_BY_EXTRAS.get((normalize(name), extra.lower()), ()))
    names.update(normalize(p.name) for p in locked_packages(project) if p.default)
    return frozenset(names)


def _declared(project: ProjectDir) -> Iterator[tuple[str, tuple[str, ...]]]:
    dependencies = project.pyproject().get("project", {}).get("dependencies", ())
    for module in REGISTRY:
        yield from module.declared(project)
    if isinstance(dependencies, list):
        yield from requirement_heads(d for d in dependencies if isinstance(d, str))
