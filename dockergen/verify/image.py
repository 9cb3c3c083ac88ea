"""What the built image says about itself (`docker image inspect`), and what to probe.

Read from the image, not from dockergen's plan, so a hand-edited Dockerfile is verified as
it really is: EXPOSE makes a server, no EXPOSE a command-line tool or a worker.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from dockergen.verify.engine import docker


class Mode(enum.StrEnum):
    AUTO = "auto"
    SERVER = "server"  # some HTTP answer on the EXPOSEd port
    CLI = "cli"  # the entry point runs with --help and exits 0
    WORKER = "worker"  # still running after a few seconds


@dataclass(frozen=True)
class ImageConfig:
    """What verify reads from a built image's configuration."""

    ports: tuple[int, ...]  # EXPOSEd TCP ports, ascending
    cmd: tuple[str, ...]
    entrypoint: tuple[str, ...]
    user: str
    python: str | None  # PYTHON_VERSION from the official images' environment
    size: int


def image_config(inspected: dict[str, Any]) -> ImageConfig:
    """The parts of one `docker image inspect` object that verify uses."""
    config = inspected.get("Config") or {}
    ports = sorted(
        int(key.split("/")[0])
        for key in (config.get("ExposedPorts") or {})
        if key.endswith("/tcp") and key.split("/")[0].isdigit()
    )
    env = dict(item.split("=", 1) for item in config.get("Env") or () if "=" in item)
    return ImageConfig(
        ports=tuple(ports),
        cmd=tuple(config.get("Cmd") or ()),
        entrypoint=tuple(config.get("Entrypoint") or ()),
        user=str(config.get("User") or ""),
        python=env.get("PYTHON_VERSION"),
        size=int(inspected.get("Size") or 0),
    )


def inspect_image(tag: str) -> ImageConfig:
    result = docker("image", "inspect", tag)
    return image_config(json.loads(result.stdout)[0])


def choose_mode(config: ImageConfig, forced: Mode = Mode.AUTO) -> Mode:
    """The probe for this image: the forced one, else server when a port is EXPOSEd.

    Without EXPOSE, CLI is tried first; a process still running at the deadline is then
    taken for a worker (see run.py), because the image config cannot tell the two apart.
    """
    if forced is not Mode.AUTO:
        return forced
    return Mode.SERVER if config.ports else Mode.CLI


def help_command(config: ImageConfig) -> tuple[str, ...]:
    """The CMD that asks the entry point for --help (ENTRYPOINT, if any, is kept)."""
    return (*config.cmd, "--help")
