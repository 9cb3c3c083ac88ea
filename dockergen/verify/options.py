"""What `dockergen verify` was asked to do: read by the flow and by every phase it drives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dockergen.verify.engine import EngineChoice
from dockergen.verify.image import Mode


@dataclass(frozen=True)
class VerifyOptions:
    """What `dockergen verify` was asked to do."""

    path: Path
    dockerfile: Path | None = None  # default: PATH/Dockerfile
    mode: Mode = Mode.AUTO
    http_path: str | None = None  # must answer 2xx/3xx
    env: tuple[str, ...] = ()  # KEY=VALUE
    env_files: tuple[Path, ...] = ()
    read_only: bool = False
    cache: bool = False  # the code-only rebuild check
    keep_image: bool = False
    timeout: float = 60.0  # for the server to answer, or the CLI to exit
    worker_seconds: float = 5.0
    build_timeout: float = 1800.0
    # Build with the Dockerfile's own cache mounts, shared with every other build on the
    # engine, instead of a cache of this project's own (see own_cache).
    shared_cache: bool = False
    engine: EngineChoice = EngineChoice.AUTO  # docker | podman | the first that answers
