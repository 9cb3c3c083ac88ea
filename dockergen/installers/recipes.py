"""What installer recipes share: pip into the image's environment, and the lock notes."""

from __future__ import annotations

from typing import Final

from dockergen.model import Decided, InstallFacts
from dockergen.mounts import PIP_CACHE_LINT
from dockergen.steps import Install, Word, command, install
from dockergen.text import one_line

VENV: Final = "/app/.venv"
# The dev stage's project install: editable, reading the source where compose syncs edits.
EDITABLE: Final = "The project itself, editable: its code is read from /app, where edits land."
# pip of the image, installing into the project's environment.
VENV_PIP: Final = ("pip", "--python", f"{VENV}/bin/python", "install")
EMPTY_VENV: Final = Install(
    lines=((command("python", "-m", "venv", "--without-pip", VENV),),),
    notes=("No pip inside the environment: the image's own pip installs into it (--python).",),
    cached=False,
)


def pip_install(*words: Word, notes: tuple[str, ...] = ()) -> Install:
    """`pip --python /app/.venv/bin/python install WORDS`, with the note pip's cache needs."""
    return install((command(*VENV_PIP, *words),), notes=notes, lint=PIP_CACHE_LINT)


def lock_note(facts: InstallFacts, lockfile: str, enforced: str) -> str:
    """The comment above the dependency install: what the lock enforces, or that there is
    none."""
    if facts.locked:
        return enforced
    return f"No {lockfile}: versions are resolved at build time, so builds are not reproducible."


def tool_release(facts: InstallFacts, pin: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """What `pip install` puts into the builder: the release the project asks for, or the
    pin; and why, when it is not the pin."""
    release: Decided[tuple[str, ...]] | None = facts.tool_requirements
    return (release.value, one_line(release.detail)) if release else (pin, "")


def listed(names: tuple[str, ...], empty: str = "none declared") -> str:
    """Names from the project's files, as a comment may quote them."""
    return one_line(", ".join(names)) or empty
