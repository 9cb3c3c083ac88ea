"""Which Debian release the image is built on: the one table to edit when Debian releases.

The official `python:X.Y-slim` tags follow Debian's newest stable release, so an unsuffixed
tag silently moves a project to another Debian, where system packages have other names (the
t64 renames, `libldap2`) and apt lines stop working. The generated FROM therefore names the
release (`python:3.13-slim-trixie`), and moving to a newer one stays the user's choice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from dockergen.errors import DockergenError, UnsupportedCombinationError
from dockergen.model import Decided
from dockergen.text import shown

if TYPE_CHECKING:
    from dockergen.settings import Settings

# Release -> the CPython minors with `python:X.Y-slim-<release>` images, oldest release first.
# Source: the official image's tags (docker-library/python): 3.14 was never built on bookworm.
RELEASES: Final = {
    "bookworm": ("3.10", "3.11", "3.12", "3.13"),
    "trixie": ("3.10", "3.11", "3.12", "3.13", "3.14"),
}
# Release -> minor -> the first patch release built on it: the official images start a
# release's tags at the CPython releases current when they add it (bookworm in June 2023,
# trixie in August 2025), so `python:3.11.9-slim-trixie` was never built.
FIRST_PATCH: Final = {
    "bookworm": {"3.10": 12, "3.11": 4, "3.12": 0, "3.13": 0},
    "trixie": {"3.10": 18, "3.11": 13, "3.12": 11, "3.13": 6, "3.14": 0},
}
# What a project that says nothing gets: Debian's current stable release.
DEFAULT: Final = "trixie"


def choose_debian(settings: Settings, python: Decided[str]) -> Decided[str]:
    """The Debian release: the user's choice (flag or answer), else the default."""
    chosen = settings.choices.debian
    if chosen:
        decided = Decided(chosen, settings.label, settings.detail("debian", chosen))
    else:
        decided = Decided(DEFAULT, "default", "Debian's current stable release")
    if decided.value not in RELEASES:
        raise DockergenError(
            f"{settings.origin('debian')}: Debian release {shown(decided.value)!r} is unknown; "
            f"use one of {', '.join(RELEASES)}"
        )
    minor = ".".join(python.value.split(".")[:2])
    pythons = RELEASES[decided.value]
    if minor not in pythons and minor in RELEASES[DEFAULT]:
        releases = [r for r, minors in RELEASES.items() if minor in minors]
        raise UnsupportedCombinationError(
            f"{decided.source}: Python {python.value} ({python.source}) has no "
            f"python:{minor}-slim-{decided.value} image (that release has "
            f"{', '.join(pythons)}); pass --debian {releases[-1]}, or a Python that "
            f"{decided.value} has (--python {pythons[-1]})"
        )
    return decided


def with_image(
    python: Decided[str], debian: Decided[str], settings: Settings
) -> tuple[Decided[str], tuple[str, ...]]:
    """A patch release the release has no image for: the minor's newest patch instead, with a
    warning, when a file pinned it; an error when the user asked for it."""
    parts = python.value.split(".")
    if len(parts) != 3:
        return python, ()
    minor, patch = ".".join(parts[:2]), int(parts[2])
    first = FIRST_PATCH.get(debian.value, {}).get(minor)
    if first is None or patch >= first:
        return python, ()
    missing = (
        f"python:{python.value}-slim-{debian.value} does not exist ({debian.value} images of "
        f"{minor} start at {minor}.{first})"
    )
    if python.source == settings.label:
        raise UnsupportedCombinationError(
            f"{settings.origin('python')}: {missing}; pass --python {minor}, or "
            f"--python {minor}.{first} or newer"
        )
    warning = (
        f"{python.source} pins Python {python.value}, but {missing}; the image uses "
        f"{minor}, its newest patch release"
    )
    detail = f"{python.detail}; {minor}.{first}+ on {debian.value}, so {minor}"
    return Decided(minor, python.source, detail, python.overridden), (warning,)


def newer_default(debian: Decided[str]) -> tuple[str, ...]:
    """A warning when the user keeps an older release than the one dockergen now defaults to."""
    order = list(RELEASES)
    if debian.source == "default" or order.index(debian.value) >= order.index(DEFAULT):
        return ()
    return (
        f"Debian {debian.value} is chosen in {debian.source}, but {DEFAULT} is now the default; "
        f"to move, check any --apt packages and run `dockergen update --debian {DEFAULT}`",
    )
