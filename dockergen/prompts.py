"""The questions `dockergen init` asks on a terminal (part of the CLI: it uses typer).

Cookiecutter-style: each value pre-filled with what was detected and where; Enter keeps it.
Only changed values become answers, so an accepted default keeps following the project.
"""

from __future__ import annotations

import dataclasses
import shlex

import typer

from dockergen.errors import UnsafeValueError
from dockergen.model import Overrides, ProjectSpec


def ask(spec: ProjectSpec, given: Overrides) -> Overrides:
    """`given` with the values the user changed at the prompts."""
    python = spec.python
    asked_python = typer.prompt(f"Python version ({python.detail})", default=python.value)
    command = shlex.join(spec.command.value) if spec.command else ""
    where = spec.command.detail if spec.command else "none found"
    asked_command = typer.prompt(
        f"Start command ({where})", default=command, show_default=bool(command)
    )
    port = str(spec.port.value) if spec.port else ""
    asked_port = typer.prompt("Port to EXPOSE (empty: none)", default=port, show_default=bool(port))
    apt = " ".join(spec.apt.run)
    asked_apt = typer.prompt(
        "Extra Debian packages for the image", default=apt, show_default=bool(apt)
    )
    if asked_python != python.value:
        given = dataclasses.replace(given, python=asked_python)
    if asked_command != command:
        given = dataclasses.replace(given, command=split_command(asked_command, "prompt") or None)
    if asked_port != port:
        if not asked_port.isdigit():
            raise UnsafeValueError("port", asked_port, "prompt", "give a number such as 8000")
        given = dataclasses.replace(given, port=int(asked_port))
    if asked_apt != apt:
        given = dataclasses.replace(given, apt_run=tuple(asked_apt.replace(",", " ").split()))
    return given


def split_command(command: str, source: str = "--command") -> tuple[str, ...]:
    """A command line split like a shell would; an empty one is refused."""
    try:
        argv = tuple(shlex.split(command))
    except ValueError as exc:
        raise UnsafeValueError("command", command, source, f"fix the quoting ({exc})") from exc
    if not argv and source == "--command":
        raise UnsafeValueError("command", command, source, "give a non-empty command")
    return argv
