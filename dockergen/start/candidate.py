"""A start command some source proposes, and how strong that source is."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final


class Origin(enum.IntEnum):
    """Where a command comes from; lower wins."""

    USER = 0  # --command, [tool.dockergen] command
    PRODUCTION = 1  # the authors' production files: Procfile, Dockerfile, compose, platforms
    CONVENIENCE = 2  # the authors' shortcuts: task runners, Makefile targets
    CODE = 3  # read from the code: an app object, a factory, a script that starts a server
    ENTRY = 4  # a console script, `python -m pkg`, a main.py

    @property
    def words(self) -> str:
        return _ORIGIN_WORDS[self]


_ORIGIN_WORDS: Final = {
    Origin.USER: "your choice",
    Origin.PRODUCTION: "the authors' production files",
    Origin.CONVENIENCE: "the authors' task shortcuts",
    Origin.CODE: "what the code shows",
    Origin.ENTRY: "the project's entry points",
}


class Role(enum.StrEnum):
    SERVER = "server"  # answers HTTP on a port
    WORKER = "worker"  # consumes a queue, no port
    COMMAND = "command"  # runs and exits (a CLI), or unknown


@dataclass(frozen=True, slots=True)
class Candidate:
    """One proposal. `what` says which entry of the file proposed it ("Procfile web",
    "Dockerfile CMD", "[tool.poe.tasks] serve"); `line` is 1-based, 0 when unknown."""

    argv: tuple[str, ...]
    source: str
    what: str
    origin: Origin
    line: int = 0
    role: Role = Role.COMMAND
    port: int | None = None  # a port the same source states (EXPOSE, compose ports, fly.toml)
    port_why: str = ""
    environment: tuple[tuple[str, str], ...] = ()  # ENV the command needs (FLASK_APP)
    warnings: tuple[str, ...] = ()
    # The command only a developer runs (a reload flag, Django's or Flask's own server).
    dev_only: str = ""
    # The shell line as the authors wrote it (Procfile, platform files), when argv came from
    # one: a `$PORT` in it is replaced once the port is known.
    text: str = ""
    # Folders outside /app the command writes (the authors' VOLUMEs it uses): the app's
    # user must own them.
    writable: tuple[str, ...] = ()
    # Why the command cannot run in the image at all (it needs root); "" when it can.
    unusable: str = ""

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


# Runners that start a command inside the tool's environment; the image has no tool, and its
# environment's bin/ is on PATH, so the command runs as it is.
_RUNNERS: Final = {
    "poetry": ("run",),
    "uv": ("run",),
    "pdm": ("run",),
    "pipenv": ("run",),
    "hatch": ("run",),
    "rye": ("run",),
}
# Options of those runners that take a value (`uv run --env-file .env X`).
_RUNNER_VALUE_OPTIONS: Final = frozenset(
    {
        "--env-file",
        "--with",
        "--extra",
        "--group",
        "--package",
        "--python",
        "-p",
        "--project",
        "--directory",
        "-C",
        "--env",
        "-e",
        "--only-group",
        "--index",
    }
)
_ASSIGNMENT: Final = r"^[A-Za-z_][A-Za-z0-9_]*="


def without_runner(words: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """`poetry run gunicorn app:app` -> `gunicorn app:app`, and the runner removed."""
    if len(words) < 3 or words[0] not in _RUNNERS or words[1] not in _RUNNERS[words[0]]:
        return words, None
    rest = list(words[2:])
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        if option in _RUNNER_VALUE_OPTIONS and "=" not in option and rest:
            rest.pop(0)
    if rest and rest[0] == "--":
        rest.pop(0)
    return (tuple(rest), f"{words[0]} {words[1]}") if rest else (words, None)
