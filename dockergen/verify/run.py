"""Running the image as production would: its own CMD and USER, a loopback-only port.

Every container is started detached under a name of ours and removed in `finally`, so an
error, a timeout or Ctrl-C never leaves one behind.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from dockergen.errors import DockerCommandError
from dockergen.verify.engine import PREFIX, current, docker

POLL_SECONDS = 0.25


@dataclass(frozen=True)
class RunOptions:
    """How a container is started."""

    env: tuple[str, ...] = ()  # KEY=VALUE
    env_files: tuple[str, ...] = ()
    read_only: bool = False  # --read-only with a tmpfs /tmp
    port: int | None = None  # container port to publish on 127.0.0.1
    command: Sequence[str] = field(default=())  # replaces CMD when given


@dataclass(frozen=True)
class State:
    """Whether a container runs, and its exit code once it stopped."""

    running: bool
    exit_code: int


def run_args(image: str, name: str, options: RunOptions) -> list[str]:
    """The `docker run` arguments (pure, so the production shape is unit-tested)."""
    args = ["run", "--detach", "--name", name, "--label", f"{PREFIX}=1"]
    if options.read_only:
        args += ["--read-only", "--tmpfs", "/tmp"]
    if options.port is not None:
        args += ["--publish", f"127.0.0.1::{options.port}"]
    for item in options.env:
        args += ["--env", item]
    for path in options.env_files:
        args += ["--env-file", path]
    return [*args, image, *options.command]


class ContainerExitedError(Exception):
    """The container stopped before verify could reach it: the app, or its command, failed at
    once. Not the engine's fault, so never a DockerCommandError."""

    def __init__(self, exited: State, output: str) -> None:
        super().__init__(f"the container exited at once with code {exited.exit_code}")
        self.exited = exited
        self.output = output  # the engine's words, then the container's own output


@contextlib.contextmanager
def container(image: str, options: RunOptions) -> Iterator[str]:
    """Start the image detached; yield the container's name; always remove it."""
    name = f"{PREFIX}-{uuid.uuid4().hex[:12]}"
    try:
        args = run_args(image, name, options)
        started = docker(*args, timeout=60, check=False)
        if started.returncode != 0:  # created, but its command may not have started
            _raise_if_exited(name, started.stderr)
            raise DockerCommandError(args, started.stderr or started.stdout, current().name)
        yield name
    finally:
        # -f also stops it; a failed `run` may still have created it.
        docker(*current().remove_args(name), check=False, timeout=60)


def _raise_if_exited(name: str, said: str = "") -> None:
    """ContainerExitedError when `name` exists and has stopped; else nothing."""
    result = docker(
        "inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", name, check=False
    )
    if result.returncode == 0 and result.stdout.split()[:1] == ["false"]:
        exited = State(False, int(result.stdout.split()[1]))
        raise ContainerExitedError(exited, said + logs(name))


def state(name: str) -> State:
    result = docker("inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", name)
    running, code = result.stdout.split()
    return State(running == "true", int(code))


def wait_exit(name: str, seconds: float) -> State:
    """Poll until the container stops or `seconds` pass; its last state."""
    deadline = time.monotonic() + seconds
    current = state(name)
    while current.running and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        current = state(name)
    return current


def host_port(name: str, port: int) -> int:
    """The random loopback port Docker published `port` on; a container that has already
    stopped has none (ContainerExitedError)."""
    args = ("port", name, f"{port}/tcp")
    result = docker(*args, check=False)
    if result.returncode != 0 or not result.stdout.strip():
        _raise_if_exited(name)
        raise DockerCommandError(args, result.stderr or result.stdout, current().name)
    first = result.stdout.strip().splitlines()[0]
    return int(first.rsplit(":", 1)[1])


def logs(name: str) -> str:
    """The container's stdout and stderr, interleaved as the engine kept them."""
    result = docker("logs", name, check=False, timeout=30)
    return result.stdout + result.stderr
