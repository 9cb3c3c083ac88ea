"""The names of a project's runtime dependencies, read from the files that declare them.

Start-command rules ask "is gunicorn a dependency?". Every known manifest adds what it
declares (requirements files and their includes, Pipfile [packages], [project].dependencies,
[tool.poetry.dependencies]); lock files add what they resolve for the default group, which
also covers servers pulled in through extras. Dev-only groups are left out: they are not in
the image.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, Final

from dockergen.errors import DockergenError
from dockergen.project import Project
from dockergen.requirements import find_requirements, read_tree

# Extras that are well known to bring a server along (fastapi[standard] installs uvicorn).
IMPLIED_BY_EXTRAS: Final = {
    ("fastapi", "standard"): ("uvicorn",),
    ("fastapi", "all"): ("uvicorn",),
}
_CONTINUATION: Final = re.compile(r"\\\r?\n")
_COMMENT: Final = re.compile(r"(^|\s)#.*$")
# A name, optional [extras], then the end, a version, a marker or a URL: nothing else.
_PEP508_HEAD: Final = re.compile(
    r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(?:$|[;@(<>=!~])"
)
_OPTIONS: Final = re.compile(r"\s+--?[A-Za-z].*$")  # --hash=..., trailing pip options


def normalize(name: str) -> str:
    """PEP 503: case-insensitive, runs of -_. are one dash."""
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_names(project: Project) -> frozenset[str]:
    """Normalized names of everything the project installs at run time (best effort)."""
    names: set[str] = set()
    for name, extras in _declared(project):
        names.add(normalize(name))
        for extra in extras:
            names.update(IMPLIED_BY_EXTRAS.get((normalize(name), extra.lower()), ()))
    names.update(normalize(name) for name in _locked(project))
    return frozenset(names)


def _declared(project: Project) -> Iterator[tuple[str, Iterable[str]]]:
    if top := find_requirements(project):
        try:
            files = read_tree(project, top).files
        except DockergenError:  # a pip project reports it; for others these files are stale
            files = ()
        for file in files:
            yield from _parsed(_requirement_lines(project.read_text(file)))
    if project.is_file("Pipfile"):
        yield from _table(project.read_toml("Pipfile").get("packages"))
    pyproject = project.pyproject()
    dependencies = pyproject.get("project", {}).get("dependencies", ())
    if isinstance(dependencies, list):
        yield from _parsed(d for d in dependencies if isinstance(d, str))
    poetry = pyproject.get("tool", {}).get("poetry", {}).get("dependencies")
    yield from _table(poetry, skip=frozenset({"python"}))


def _requirement_lines(text: str) -> Iterator[str]:
    for raw in _CONTINUATION.sub(" ", text).splitlines():
        line = _OPTIONS.sub("", _COMMENT.sub("", raw)).strip()
        if line and not line.startswith("-"):
            yield line


def _parsed(lines: Iterable[str]) -> Iterator[tuple[str, Iterable[str]]]:
    """Name and extras of each PEP 508 line; URLs and paths are not dependencies by name.

    A regular expression, not packaging.requirements: that parser costs more start-up time
    than everything else dockergen does, and only the name and extras matter here.
    """
    for line in lines:
        if match := _PEP508_HEAD.match(line):
            yield (
                match.group(1),
                [e.strip() for e in (match.group(2) or "").split(",") if e.strip()],
            )


def _table(table: Any, skip: frozenset[str] = frozenset()) -> Iterator[tuple[str, Iterable[str]]]:
    """Pipfile/Poetry tables: name = "spec" or name = {version = ..., extras = [...]}."""
    if not isinstance(table, dict):
        return
    for name, spec in table.items():
        if name in skip or (isinstance(spec, dict) and spec.get("optional") is True):
            continue
        extras = spec.get("extras", ()) if isinstance(spec, dict) else ()
        yield name, [e for e in extras if isinstance(e, str)]


def _locked(project: Project) -> Iterator[str]:
    if project.is_file("Pipfile.lock"):
        lock = project.read_json("Pipfile.lock")
        default = lock.get("default") if isinstance(lock, dict) else None
        yield from default if isinstance(default, dict) else ()
    for lockfile, default_group in (("poetry.lock", "main"), ("pdm.lock", "default")):
        if project.is_file(lockfile):
            yield from _lock_packages(project.read_toml(lockfile), default_group)


def _lock_packages(lock: dict[str, Any], default_group: str) -> Iterator[str]:
    """Packages of the default group: poetry marks them with category (1.x) or groups (2.x),
    pdm with groups; a lock that does not say lists them all."""
    for package in lock.get("package", ()):
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            continue
        groups = package.get("groups") or [package.get("category", default_group)]
        if default_group in groups:
            yield package["name"]
