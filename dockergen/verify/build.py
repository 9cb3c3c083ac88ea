"""`docker build` (or `podman build`) as the user would run it, with the full log kept in a file."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from dockergen.verify.buildlog import Step, parse_steps
from dockergen.verify.engine import current, docker_env

OnLine = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    """How an image build went: its log and the steps read from it."""

    ok: bool
    seconds: float
    log_path: Path
    text: str
    steps: list[Step]
    timed_out: bool = False


def build_image(
    context: Path,
    dockerfile: Path,
    tag: str,
    log_path: Path,
    *,
    timeout: float,
    on_line: OnLine | None = None,
) -> BuildResult:
    """Build `tag`; every log line goes to `log_path` and, as it arrives, to `on_line`."""
    args = current().build_args(context, dockerfile, tag)
    started = time.monotonic()
    with (
        log_path.open("w", encoding="utf-8") as log,
        subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            env=docker_env(),
        ) as process,
    ):
        # A build that hangs (a prompt, a stuck download) is killed at the deadline.
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            lines = _pump(process, log, on_line)
            code = process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:  # Ctrl-C while building: stop the client too
                process.kill()
    seconds = time.monotonic() - started
    text = "".join(lines)
    timed_out = code != 0 and seconds >= timeout
    return BuildResult(code == 0, seconds, log_path, text, parse_steps(text), timed_out)


def _pump(process: subprocess.Popen[str], log: TextIO, on_line: OnLine | None) -> list[str]:
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line)
        log.write(line)
        if on_line is not None:
            on_line(line)
    return lines
