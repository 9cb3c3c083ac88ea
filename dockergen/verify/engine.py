"""The local Docker engine, reached the way the user reaches it: `docker` on PATH.

`DOCKER_HOST`, `DOCKER_CONTEXT` and the rest of the environment pass through untouched;
only BuildKit is switched on, as `docker build` does by default on current engines.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Final

from dockergen.errors import DockerCommandError, NoEngineError

DOCKER: Final = "docker"
ENGINE_TIMEOUT: Final = 20.0
# Names of what verify creates, so a leftover is recognisable as ours.
PREFIX: Final = "dockergen-verify"


def docker_env() -> dict[str, str]:
    return {**os.environ, "DOCKER_BUILDKIT": "1"}


def docker(
    *args: str, timeout: float = ENGINE_TIMEOUT, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run one short docker command; raise DockerCommandError when `check` and it fails."""
    try:
        result = subprocess.run(
            [DOCKER, *args],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=docker_env(),
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise DockerCommandError(args, f"no answer within {timeout:.0f} s") from exc
    if check and result.returncode != 0:
        raise DockerCommandError(args, result.stderr or result.stdout)
    return result


def engine_version() -> str:
    """The server's version; NoEngineError when no engine answers."""
    if shutil.which(DOCKER) is None:
        raise NoEngineError("no `docker` command on PATH")
    try:
        result = docker("version", "--format", "{{.Server.Version}}", check=False)
    except DockerCommandError as exc:
        raise NoEngineError(
            f"`docker version` gave no answer within {ENGINE_TIMEOUT:.0f} s"
        ) from exc
    if result.returncode != 0 or not result.stdout.strip():
        detail = (result.stderr.strip().splitlines() or ["`docker version` failed"])[-1]
        raise NoEngineError(detail[:200])
    return result.stdout.strip()
