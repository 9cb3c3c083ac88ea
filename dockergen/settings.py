"""The user's choices, resolved once: flags given now over answers recorded earlier.

Every command starts here, so detection, rendering and regeneration all see the same values.
A choice is always credited to the answers file, because that is where it lives after this
run: `init --python 3.12` and a later `check` then describe it in the same words, which
keeps a fresh render and the record of it identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from dockergen.answers import answers_file, answers_label, read_answers, remember, template_dir
from dockergen.bounds import check_choices
from dockergen.model import Overrides
from dockergen.project import ProjectDir

# Overrides field -> the flag that sets it.
FLAGS: Final = {
    "installer": "--installer",
    "python": "--python",
    "debian": "--debian",
    "command": "--command",
    "port": "--port",
    "healthcheck": "--healthcheck",
    "apt_run": "--apt",
    "apt_build": "--apt-build",
    "templates": "--templates",
    "dev": "--dev",
    "platforms": "--platform",
    "arm_runner": "--arm-runner",
    "qemu": "--qemu",
    "runner_tags": "--runner-tag",
}


@dataclass(frozen=True, slots=True)
class Settings:
    """The user's choices: flags given now over the recorded answers."""

    flags: Overrides  # given on the command line now
    recorded: Overrides  # in the answers file before this run
    choices: Overrides  # what counts now, and what the answers file holds after this run
    answers_file: str  # pyproject.toml or .dockergen.toml
    label: str  # how output names where answers live ("pyproject.toml [tool.dockergen]")
    template_dir: Path | None  # a team's template folder, inside the project

    def detail(self, key: str, value: object) -> str:
        """How a decision made by the user is explained: `<label>: python = '3.12'`."""
        shown = value.value if hasattr(value, "value") else value
        return f"{self.label}: {key} = {shown!r}"

    def origin(self, field: str) -> str:
        """Where a value came from, for an error about it: the flag, or the answers file."""
        return _origin(self.flags, field, self.label)

    @property
    def changed(self) -> bool:
        """True when this run records something new."""
        return self.choices != self.recorded


def resolve_settings(root: Path, flags: Overrides | None = None) -> Settings:
    project = ProjectDir(root)
    flags = flags or Overrides()
    recorded = read_answers(project)
    choices = remember(recorded, flags)
    label = answers_label(project)
    check_choices(choices, {field: _origin(flags, field, label) for field in FLAGS})
    return Settings(
        flags=flags,
        recorded=recorded,
        choices=choices,
        answers_file=answers_file(project),
        label=label,
        template_dir=template_dir(root, choices),
    )


def _origin(flags: Overrides, field: str, label: str) -> str:
    return FLAGS[field] if getattr(flags, field) not in (None, ()) else label
