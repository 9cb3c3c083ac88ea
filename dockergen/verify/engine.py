"""The local container engine, reached the way the user reaches it: `docker` or `podman` on PATH.

`DOCKER_HOST`, `DOCKER_CONTEXT`, `CONTAINER_HOST` and the rest of the environment pass through
untouched; only BuildKit is switched on for Docker, as `docker build` does by default on
current engines. Podman builds with Buildah, its own builder, from the same Dockerfile.

Which engine: `--engine docker|podman`, or the first that answers, Docker first (its daemon
is what a `docker` command and DOCKER_HOST point at; Podman needs none). The chosen engine is
current for the duration of a `verify` run (`using`), so every module's `docker(...)` call
reaches it without passing it through each function.
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from dockergen.errors import DockerCommandError, NoEngineError, NoPodmanError

DOCKER: Final = "docker"
PODMAN: Final = "podman"
ENGINE_TIMEOUT: Final = 20.0
# Names of what verify creates, so a leftover is recognisable as ours.
PREFIX: Final = "dockergen-verify"


class EngineChoice(enum.StrEnum):
    AUTO = "auto"
    DOCKER = DOCKER
    PODMAN = PODMAN


@dataclass(frozen=True, slots=True)
class Engine:
    """The container engine verify drives (Docker or Podman), and its version."""

    name: str  # docker | podman: also the command
    version: str = ""  # the server's (Docker) or Podman's version

    def build_args(self, context: Path, dockerfile: Path, tag: str) -> list[str]:
        """The build as the user would type it. BuildKit's plain progress is the log verify
        reads; Buildah's output is plain already (its layer cache is on by default)."""
        progress = ["--progress=plain"] if self.name == DOCKER else []
        return [self.name, "build", *progress, "-f", str(dockerfile), "-t", tag, str(context)]

    def remove_args(self, name: str) -> list[str]:
        """Remove a container now: Docker's `rm --force` kills it, Podman's first waits 10 s
        for SIGTERM, which a server running as PID 1 often ignores."""
        wait = ["--time", "0"] if self.name == PODMAN else []
        return ["rm", "--force", "--volumes", *wait, name]


_CURRENT: contextvars.ContextVar[Engine | None] = contextvars.ContextVar("engine", default=None)


def current() -> Engine:
    """The engine of the `verify` run in progress; outside one, Docker."""
    return _CURRENT.get() or Engine(DOCKER)


@contextlib.contextmanager
def using(engine: Engine) -> Iterator[Engine]:
    """Make `engine` the one `docker(...)` and the build reach, until the block ends."""
    token = _CURRENT.set(engine)
    try:
        yield engine
    finally:
        _CURRENT.reset(token)


def docker_env() -> dict[str, str]:
    return {**os.environ, "DOCKER_BUILDKIT": "1"}


def docker(
    *args: str, timeout: float = ENGINE_TIMEOUT, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run one short command of the current engine (docker or podman: the same arguments);
    raise DockerCommandError when `check` and it fails."""
    return _run(current().name, args, timeout=timeout, check=check)


def _run(
    command: str, args: Sequence[str], *, timeout: float, check: bool
) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            [command, *args],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=docker_env(),
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise DockerCommandError(args, f"no answer within {timeout:.0f} s", command) from exc
    if check and result.returncode != 0:
        raise DockerCommandError(args, result.stderr or result.stdout, command)
    return result


def find_engine(choice: EngineChoice = EngineChoice.AUTO) -> Engine:
    """The engine to use: the one asked for, or Docker when it answers, else Podman.

    NoEngineError / NoPodmanError when none answers. DOCKER_HOST means Docker is wanted: with
    it set, Podman is never tried.
    """
    if choice is EngineChoice.PODMAN:
        version, problem = _podman_version()
        if version is None:
            raise NoPodmanError(problem)
        return Engine(PODMAN, version)
    version, problem = _docker_version()
    if version is not None:
        return Engine(DOCKER, version)
    if choice is EngineChoice.DOCKER or os.environ.get("DOCKER_HOST"):
        raise NoEngineError(problem)
    if shutil.which(PODMAN) is None:  # no Podman here: the message is about Docker alone
        raise NoEngineError(problem)
    podman_version, podman_problem = _podman_version()
    if podman_version is None:
        raise NoEngineError(problem, podman_problem)
    return Engine(PODMAN, podman_version)


def _docker_version() -> tuple[str | None, str]:
    """(the server's version, "") when a Docker engine answers, else (None, why not)."""
    if shutil.which(DOCKER) is None:
        return None, "no `docker` command on PATH"
    return _version(DOCKER, ("version", "--format", "{{.Server.Version}}"))


def _podman_version() -> tuple[str | None, str]:
    """`podman info` reaches the engine (a Podman machine or service, where there is one)."""
    if shutil.which(PODMAN) is None:
        return None, "no `podman` command on PATH"
    return _version(PODMAN, ("info", "--format", "{{.Version.Version}}"))


def _version(command: str, args: Sequence[str]) -> tuple[str | None, str]:
    try:
        result = _run(command, args, timeout=ENGINE_TIMEOUT, check=False)
    except DockerCommandError:
        return None, f"`{command} {args[0]}` gave no answer within {ENGINE_TIMEOUT:.0f} s"
    if result.returncode != 0 or not result.stdout.strip():
        detail = (result.stderr.strip().splitlines() or [f"`{command} {args[0]}` failed"])[-1]
        return None, detail[:200]
    return result.stdout.strip(), ""


def engine_version() -> str:
    """Docker's server version; NoEngineError when no Docker engine answers."""
    return find_engine(EngineChoice.DOCKER).version
