"""Which Python the image runs: a pin wins over a constraint, a constraint over the default."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from dockergen.errors import InvalidProjectFileError, UnsafeValueError
from dockergen.installers import REGISTRY
from dockergen.installers.base import PythonConstraint
from dockergen.model import Decided
from dockergen.project import ProjectDir
from dockergen.safety import shorten

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from dockergen.settings import Settings

# CPython minors with official `python:X.Y-slim` images that still get releases, oldest first.
# The one table to edit when a Python is released or reaches end of life.
SUPPORTED: Final = ("3.10", "3.11", "3.12", "3.13", "3.14")
# For projects that state nothing: the newest minor that most wheels have caught up with.
DEFAULT: Final = "3.13"
# Compared against constraints as the newest patch of a minor (what `X.Y-slim` ships).
_NEWEST_PATCH: Final = 99

# ASCII digits only, and the whole value: a trailing newline or an Arabic-Indic digit in a
# pin must not reach `ARG PYTHON_VERSION=`.
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?", re.ASCII)


@dataclass(frozen=True, slots=True)
class _Constraint:
    alternatives: tuple[SpecifierSet, ...]  # satisfied when any alternative is (poetry's ||)
    source: str
    text: str

    def allows(self, version: str) -> bool:
        candidate = version if version.count(".") == 2 else f"{version}.{_NEWEST_PATCH}"
        return any(spec.contains(candidate, prereleases=True) for spec in self.alternatives)


def choose_python(
    project: ProjectDir,
    settings: Settings,
    *,
    strict: bool = False,
    compiles: Callable[[str], int] | None = None,
) -> tuple[Decided[str], list[str]]:
    """The Python version for the image, and warnings about contradictions or old versions.

    With `strict`, sources that contradict each other are an error instead of a warning.
    """
    override = settings.choices.python
    constraints = list(_constraints(project))
    warnings: list[str] = []
    contradictions: list[str] = []
    pins = [] if override else list(_pins(project))
    if not override:
        warnings += _ignored_pins(project, pins)
    if override:
        if not _VERSION.fullmatch(override):
            raise UnsafeValueError(
                "Python version", shorten(override), settings.origin("python"), "use X.Y or X.Y.Z"
            )
        decided = Decided(override, settings.label, settings.detail("python", override))
    elif pins:
        decided = pins[0]
        others = [
            f"{p.detail} ({p.source})" for p in pins[1:] if _minor(p.value) != _minor(decided.value)
        ]
        if others:
            contradictions.append(
                f"{decided.source} pins Python {decided.value}, but {', '.join(others)}"
            )
    elif constraints:
        decided = _newest_allowed(constraints, compiles)
    else:
        decided = Decided(DEFAULT, "default", f"no Python version stated; using {DEFAULT}")
    for constraint in constraints:
        if decided.source != constraint.source and not constraint.allows(decided.value):
            contradictions.append(
                f"Python {decided.value} ({decided.source}) does not satisfy {constraint.source} "
                f"{_quoted(constraint.text)}"
            )
    if strict and contradictions:
        raise InvalidProjectFileError(
            decided.source, "; ".join(contradictions), "make them agree, or pass --python"
        )
    warnings += contradictions
    if _minor(decided.value) not in SUPPORTED:
        warnings.append(
            f"Python {decided.value} ({decided.source}) is not a supported CPython "
            f"({', '.join(SUPPORTED)}); its images get no security fixes"
        )
    overridden = tuple(f"{p.detail} ({p.source})" for p in pins if p is not decided)
    return Decided(decided.value, decided.source, decided.detail, overridden), warnings


def _quoted(text: str) -> str:
    """A constraint as messages and the Dockerfile's comment quote it: a literal, cut short
    (BuildKit refuses lines over 64 KiB)."""
    return repr(shorten(text))


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _newest_allowed(
    constraints: list[_Constraint], compiles: Callable[[str], int] | None
) -> Decided[str]:
    """The newest supported minor within every constraint; with `compiles` (how many locked
    packages would build from source on a minor), the newest one that compiles the fewest."""
    described = "; ".join(f"{c.source} {_quoted(c.text)}" for c in constraints)
    allowed = [m for m in reversed(SUPPORTED) if all(c.allows(m) for c in constraints)]
    if allowed:
        detail = f"newest supported Python within {described}"
        if compiles is None:
            return Decided(allowed[0], constraints[0].source, detail)
        costs = {minor: compiles(minor) for minor in allowed}
        best = min(allowed, key=lambda m: costs[m])  # min() keeps the first, i.e. newest
        if best != allowed[0]:
            detail += (
                f" that the lock file has wheels for ({allowed[0]} would compile "
                f"{costs[allowed[0]]} packages from source, {best} {costs[best]})"
            )
        return Decided(best, constraints[0].source, detail)
    raise InvalidProjectFileError(
        constraints[0].source,
        f"no supported Python ({', '.join(SUPPORTED)}) satisfies {described}",
        "widen the constraint, or pass --python",
    )


# ---- pins: files that name one version -------------------------------------------------


def _pins(project: ProjectDir) -> Iterator[Decided[str]]:
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


def _ignored_pins(project: ProjectDir, pins: list[Decided[str]]) -> list[str]:
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
            return line if _VERSION.fullmatch(line) else None
    return None


def _runtime_txt(text: str) -> str | None:
    match = re.fullmatch(r"\s*python-(\d+\.\d+)(?:\.(\d+|x))?\s*", text, re.ASCII)
    if not match:
        return None
    patch = match.group(2)
    return match.group(1) if patch in (None, "x") else f"{match.group(1)}.{patch}"


def _tool_versions(text: str) -> str | None:
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and fields[0] == "python" and _VERSION.fullmatch(fields[1]):
            return fields[1]
    return None


# ---- constraints: ranges stated by the project ------------------------------------------


def _constraints(project: ProjectDir) -> Iterator[_Constraint]:
    if text := project.pyproject().get("project", {}).get("requires-python"):
        yield _parsed(
            PythonConstraint((str(text),), "pyproject.toml", str(text), "[project] requires-python")
        )
    for module in REGISTRY:
        for constraint in module.python_constraints(project):
            yield _parsed(constraint)


def _parsed(constraint: PythonConstraint) -> _Constraint:
    # Imported here: packaging's specifier regexes cost start-up time most projects don't need.
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        sets = tuple(SpecifierSet(a) for a in constraint.alternatives)
    except InvalidSpecifier as exc:
        raise InvalidProjectFileError(
            constraint.source,
            f"{constraint.what} {_quoted(constraint.text)} is not a valid version specifier",
            "fix it (PEP 440)",
        ) from exc
    return _Constraint(sets, constraint.source, constraint.text)
