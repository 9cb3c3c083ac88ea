"""Where a project states its Python: pins (one version), constraints (ranges), and hints
(the authors' own Dockerfile). Read here; pyversion.py decides."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from dockergen.errors import InvalidProjectFileError, NotPep440Error
from dockergen.installers import REGISTRY
from dockergen.installers.base import PythonConstraint
from dockergen.model import Decided
from dockergen.pep440 import SPECIFIER, line_of, specifiers
from dockergen.project import ProjectDir
from dockergen.setupcfg import SETUP_CFG, setup_cfg
from dockergen.text import shorten

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

# Compared against constraints as the newest patch of a minor (what `X.Y-slim` ships).
_NEWEST_PATCH: Final = 99
# ASCII digits only, and the whole value: a trailing newline or an Arabic-Indic digit in a
# pin must not reach `ARG PYTHON_VERSION=`; a few digits each, never a number int() refuses.
VERSION: Final = re.compile(r"(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?", re.ASCII)


@dataclass(frozen=True, slots=True)
class Constraint:
    """A Python version range one file declares."""

    alternatives: tuple[SpecifierSet, ...]  # satisfied when any alternative is (poetry's ||)
    source: str
    text: str

    def allows(self, version: str) -> bool:
        candidate = version if version.count(".") == 2 else f"{version}.{_NEWEST_PATCH}"
        return any(spec.contains(candidate, prereleases=True) for spec in self.alternatives)


# ---- pins: files that name one version -------------------------------------------------


def pins(project: ProjectDir) -> Iterator[Decided[str]]:
    readers: tuple[tuple[str, Callable[[str], str | None]], ...] = (
        (".python-version", _python_version_file),
        ("runtime.txt", _runtime_txt),
        (".tool-versions", _tool_versions),
    )
    for name, read in readers:
        if project.is_file(name) and (value := read(project.read_text(name))):
            yield Decided(value, name, f"{name}: {value}")
    for module in REGISTRY:
        yield from module.python_pins(project)


def ignored_pins(project: ProjectDir, pins: list[Decided[str]]) -> list[str]:
    used = {pin.source for pin in pins}
    return [
        f"{name} does not name a CPython version (X.Y or X.Y.Z), so it is ignored"
        for name in (".python-version", "runtime.txt")
        if name not in used and project.is_file(name)
    ]


def _python_version_file(text: str) -> str | None:
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:  # the first version listed is the one pyenv and uv use
            return line if VERSION.fullmatch(line) else None
    return None


def _runtime_txt(text: str) -> str | None:
    match = re.fullmatch(r"\s*python-(\d{1,4}\.\d{1,4})(?:\.(\d{1,4}|x))?\s*", text, re.ASCII)
    if not match:
        return None
    patch = match.group(2)
    return match.group(1) if patch in (None, "x") else f"{match.group(1)}.{patch}"


def _tool_versions(text: str) -> str | None:
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and fields[0] == "python" and VERSION.fullmatch(fields[1]):
            return fields[1]
    return None


# ---- constraints: ranges stated by the project ------------------------------------------


def constraints(project: ProjectDir) -> Iterator[Constraint]:
    if text := setup_cfg(project).python_requires:
        yield _parsed(
            project, PythonConstraint((text,), SETUP_CFG, text, "[options] python_requires")
        )
    if text := project.pyproject().get("project", {}).get("requires-python"):
        yield _parsed(
            project,
            PythonConstraint(
                (str(text),), "pyproject.toml", str(text), "[project] requires-python"
            ),
        )
    for module in REGISTRY:
        for constraint in module.python_constraints(project):
            yield _parsed(project, constraint)


def _parsed(project: ProjectDir, constraint: PythonConstraint) -> Constraint:
    where = line_of(project, constraint.source, constraint.text)
    locks = {m.lockfile: m.lock_command for m in REGISTRY}
    fix = (
        f"regenerate it with `{locks[constraint.source]}`"
        if constraint.source in locks
        else "fix it"
    )
    sets = [specifiers(a) for a in constraint.alternatives]
    if None in sets:
        raise NotPep440Error(where, constraint.what, constraint.text, SPECIFIER, fix)
    return Constraint(tuple(s for s in sets if s), constraint.source, constraint.text)


def quoted(text: str) -> str:
    """A constraint as messages and the Dockerfile's comment quote it: a literal, cut short
    (BuildKit refuses lines over 64 KiB)."""
    return repr(shorten(text))


# The authors' own image: `FROM python:3.10-slim` in their Dockerfile, `image:` in compose.
_BASE_IMAGE: Final = re.compile(
    r"^\s*(?:FROM|image:)\s+(?:--platform=\S+\s+)?['\"]?(?:docker\.io/)?(?:library/)?"
    r"python:(\d+\.\d+(?:\.\d+)?)\b",
    re.MULTILINE | re.IGNORECASE,
)
_AUTHORS_FILES: Final = (
    "Dockerfile",
    "docker/Dockerfile",
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
)


def hints(project: ProjectDir) -> Iterator[Decided[str]]:
    """Versions the authors run in their own images: weaker than a pin, and used only where
    every constraint allows them. dockergen's own Dockerfile is no hint (it would never move)."""
    for name in _AUTHORS_FILES:
        try:
            text = project.read_text(name) if project.is_file(name) else ""
        except InvalidProjectFileError:
            continue
        if "# Generated by dockergen" in text:
            continue
        if found := _BASE_IMAGE.search(text):
            # The minor only: an old image's patch release is not one to keep building on.
            version = ".".join(found.group(1).split(".")[:2])
            yield Decided(
                version, name, f"{name}: the authors' own image is python:{found.group(1)}"
            )
