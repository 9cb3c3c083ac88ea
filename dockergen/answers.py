"""Answers: the choices a user made (flags, later prompts), remembered for regeneration.

They live in `[tool.dockergen]` of pyproject.toml when the project has one, otherwise in
`.dockergen.toml`. Both hold the same keys:

    installer = "poetry"            # pip | pipenv | poetry | uv | pdm | pep621
    python = "3.12"
    debian = "trixie"               # bookworm | trixie
    command = ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
    port = 8000
    healthcheck = "/health"         # HEALTHCHECK asks this path
    apt = ["libpq5"]                # final image
    apt-build = ["libpq-dev"]       # builder stage only
    templates = "docker/templates"  # a team's template overrides (see docs/templates.md)
    dev = true                      # also render the `dev` target (init --dev)
    platforms = ["linux/amd64", "linux/arm64"]   # dockergen ci: the pushed image's platforms
    arm-runner = "ubuntu-24.04-arm"  # dockergen ci github: the runner of the arm64 build
    qemu = true                     # dockergen ci github: every platform in one QEMU job
    runner-tags = ["amd64=saas-linux-small-amd64", "arm64=saas-linux-small-arm64"]  # gitlab
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, Final

import tomli

from dockergen.errors import DockergenError, InvalidProjectFileError
from dockergen.model import Installer, Overrides
from dockergen.project import ProjectDir
from dockergen.text import shown

STANDALONE: Final = ".dockergen.toml"
# Answer key -> Overrides field.
KEYS: Final = {
    "installer": "installer",
    "python": "python",
    "debian": "debian",
    "command": "command",
    "port": "port",
    "healthcheck": "healthcheck",
    "apt": "apt_run",
    "apt-build": "apt_build",
    "templates": "templates",
    "dev": "dev",
    "platforms": "platforms",
    "arm-runner": "arm_runner",
    "qemu": "qemu",
    "runner-tags": "runner_tags",
}


def answers_file(project: ProjectDir) -> str:
    """Where answers are kept: pyproject.toml if the project has one."""
    return "pyproject.toml" if project.is_file("pyproject.toml") else STANDALONE


def answers_label(project: ProjectDir) -> str:
    name = answers_file(project)
    return "pyproject.toml [tool.dockergen]" if name == "pyproject.toml" else name


def read_answers(project: ProjectDir) -> Overrides:
    name = answers_file(project)
    if not project.is_file(name):
        return Overrides()
    data = project.read_toml(name)
    table = data.get("tool", {}).get("dockergen", {}) if name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise InvalidProjectFileError(name, "[tool.dockergen] is not a table", "fix it")
    return _overrides(table, answers_label(project))


def _overrides(table: dict[str, Any], where: str) -> Overrides:
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise InvalidProjectFileError(
                where, f"unknown answer {shown(repr(key))}", f"use one of {', '.join(KEYS)}"
            )
        values[KEYS[key]] = _check(key, value, where)
    return Overrides(**values)


# Answers whose value is read as it is, and its type.
_SCALARS: Final[dict[str, type]] = {
    "python": str,
    "debian": str,
    "templates": str,
    "healthcheck": str,
    "dev": bool,
    "arm-runner": str,
    "qemu": bool,
}


def _check(key: str, value: Any, where: str) -> Any:
    wrong = InvalidProjectFileError(
        where, f"{key} = {shown(repr(value))} has the wrong type", "fix it"
    )
    if key in _SCALARS:
        if not isinstance(value, _SCALARS[key]):
            raise wrong
        return value
    if key == "installer":
        if not isinstance(value, str) or value not in {i.value for i in Installer}:
            raise InvalidProjectFileError(
                where,
                f"installer = {shown(repr(value))} is unknown",
                f"use one of {', '.join(Installer)}",
            )
        return Installer(value)
    if key == "port":
        if not isinstance(value, int) or isinstance(value, bool):
            raise wrong
        return value
    if key == "command" and value in ("", []):
        raise InvalidProjectFileError(
            where, "command is empty", "give the command, or delete the line to detect it"
        )
    if key == "command" and isinstance(value, str):
        import shlex  # only commands written as one string need splitting

        try:
            return tuple(shlex.split(value))
        except ValueError as exc:
            raise InvalidProjectFileError(
                where,
                f"command = {shown(repr(value))} cannot be split like a shell would ({exc})",
                "fix the quoting",
            ) from exc
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise wrong
    return tuple(value)


def remember(old: Overrides, flags: Overrides) -> Overrides:
    """What to record: earlier answers, with every flag given now taking their place."""
    changes = {
        f.name: getattr(flags, f.name)
        for f in dataclasses.fields(flags)
        if getattr(flags, f.name) not in (None, ())
    }
    return dataclasses.replace(old, **changes)


STANDALONE_HEADER: Final = "# dockergen answers: see `dockergen init --help`\n"


def with_answers(text: str, answers: Overrides, *, name: str) -> str:
    """The answers file's new text: pyproject.toml with [tool.dockergen] edited in place (or
    added), or .dockergen.toml; comments, order and line endings of the rest are kept."""
    import tomlkit  # only a run that records answers needs it

    doc = tomlkit.parse(text or (STANDALONE_HEADER if name == STANDALONE else ""))
    table: Any = doc
    if name != STANDALONE:
        if "dockergen" not in doc.get("tool", {}):  # a new table goes at the end
            newline = "\r\n" if "\r\n" in text else "\n"
            ends = text[len(text.rstrip("\r\n")) :].count("\n")
            gap = newline * max(0, 2 - ends) if text else ""
            doc = tomlkit.parse(f"{text}{gap}[tool.dockergen]{newline}")
        table = doc["tool"]["dockergen"]
    for key, field_name in KEYS.items():
        value = _plain(getattr(answers, field_name))
        if value is None and key in table:
            del table[key]
        elif value is not None and table.get(key) != value:
            table[key] = value
    result = tomlkit.dumps(doc)
    if "\r\n" in text:
        result = re.sub(r"\r?\n", "\r\n", result)
    _reread(result, answers, name)
    return result


def _plain(value: object) -> object:
    if value in (None, ()):
        return None
    if isinstance(value, tuple):
        return list(value)
    return value.value if isinstance(value, Installer) else value


def _reread(text: str, answers: Overrides, name: str) -> None:
    """Refuse to write an answers file that would not read back as these answers."""
    try:
        data = tomli.loads(text)
        table = data if name == STANDALONE else data["tool"]["dockergen"]
        same = _overrides(table, name) == answers
    except (tomli.TOMLDecodeError, LookupError, TypeError, DockergenError):
        same = False
    if not same:
        raise InvalidProjectFileError(
            name,
            "cannot be updated with the answers without changing their meaning",
            "add them to the dockergen table by hand, or pass them as flags each time",
        )


def template_dir(root: Path, choices: Overrides) -> Path | None:
    """The team's template directory: a folder inside the project, so it works in any clone."""
    if not choices.templates:
        return None
    name = choices.templates
    project = ProjectDir(root)
    problem = None
    if name.startswith("/") or ".." in name.split("/"):
        problem = "is not a folder inside the project"
    else:
        try:
            if not project.is_dir(name):
                problem = "is not a directory"
            elif not project.inside(name):
                problem = "is a symlink to a folder outside the project"
        except (OSError, DockergenError) as exc:
            problem = f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    if problem:
        raise InvalidProjectFileError(
            f"templates = {shown(name)}", problem, "point it at a template folder in the project"
        )
    return root / name
