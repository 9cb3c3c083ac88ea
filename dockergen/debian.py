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

if TYPE_CHECKING:
    from dockergen.settings import Settings

# Release -> the CPython minors with `python:X.Y-slim-<release>` images, oldest release first.
# Source: the official image's tags (docker-library/python): 3.14 was never built on bookworm.
RELEASES: Final = {
    "bookworm": ("3.10", "3.11", "3.12", "3.13"),
    "trixie": ("3.10", "3.11", "3.12", "3.13", "3.14"),
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
            f"{settings.origin('debian')}: Debian release {decided.value!r} is unknown; "
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


def newer_default(debian: Decided[str]) -> tuple[str, ...]:
    """A warning when the user keeps an older release than the one dockergen now defaults to."""
    order = list(RELEASES)
    if debian.source == "default" or order.index(debian.value) >= order.index(DEFAULT):
        return ()
    return (
        f"Debian {debian.value} is chosen in {debian.source}, but {DEFAULT} is now the default; "
        f"to move, check any --apt packages and run `dockergen update --debian {DEFAULT}`",
    )
