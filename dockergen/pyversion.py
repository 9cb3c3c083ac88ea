"""Which Python the image runs: the user's choice, else a pin, else the authors' own image
(a hint that must fit the constraints), else the newest supported minor within the
constraints, else the default. pysources.py reads the files."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from dockergen.errors import InvalidProjectFileError, UnsafeValueError
from dockergen.model import Decided
from dockergen.project import ProjectDir
from dockergen.pysources import VERSION, Constraint, constraints, hints, ignored_pins, pins, quoted
from dockergen.text import shorten

if TYPE_CHECKING:
    from dockergen.settings import Settings

# CPython minors with official `python:X.Y-slim` images that still get releases, oldest first.
# The one table to edit when a Python is released or reaches end of life.
SUPPORTED: Final = ("3.10", "3.11", "3.12", "3.13", "3.14")
# For projects that state nothing: the newest minor that most wheels have caught up with.
DEFAULT: Final = "3.13"


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
    ranges = list(constraints(project))
    found = [] if settings.choices.python else list(pins(project))
    warnings = [] if settings.choices.python else ignored_pins(project, found)
    decided, contradictions = _decide(project, settings, found, ranges, compiles)
    contradictions += [
        f"Python {decided.value} ({decided.source}) does not satisfy {c.source} {quoted(c.text)}"
        for c in ranges
        if decided.source != c.source and not c.allows(decided.value)
    ]
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
    overridden = tuple(f"{p.detail} ({p.source})" for p in found if p is not decided)
    return Decided(decided.value, decided.source, decided.detail, overridden), warnings


def _decide(
    project: ProjectDir,
    settings: Settings,
    found: list[Decided[str]],
    ranges: list[Constraint],
    compiles: Callable[[str], int] | None,
) -> tuple[Decided[str], list[str]]:
    """The version, and contradictions among the pins."""
    chosen = settings.choices.python
    if chosen:
        if not VERSION.fullmatch(chosen):
            raise UnsafeValueError(
                "Python version", shorten(chosen), settings.origin("python"), "use X.Y or X.Y.Z"
            )
        return Decided(chosen, settings.label, settings.detail("python", chosen)), []
    if found:
        first = found[0]
        others = [
            f"{p.detail} ({p.source})" for p in found[1:] if _minor(p.value) != _minor(first.value)
        ]
        said = [f"{first.source} pins Python {first.value}, but {', '.join(others)}"]
        return first, said if others else []
    fitting = [h for h in hints(project) if all(c.allows(h.value) for c in ranges)]
    if fitting and _minor(fitting[0].value) in SUPPORTED:
        return fitting[0], []
    if ranges:
        return _newest_allowed(ranges, compiles), []
    return Decided(DEFAULT, "default", f"no Python version stated; using {DEFAULT}"), []


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _newest_allowed(
    constraints: list[Constraint], compiles: Callable[[str], int] | None
) -> Decided[str]:
    """The newest supported minor within every constraint; with `compiles` (how many locked
    packages would build from source on a minor), the newest one that compiles the fewest."""
    described = "; ".join(f"{c.source} {quoted(c.text)}" for c in constraints)
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
