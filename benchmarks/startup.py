"""What the benchmarks share about starting containers: bases as the official images ship
them, and the time from `docker run` to the app answering.

The sandbox's look-alike images keep some of the standard library's bytecode (its ensurepip
run writes it); the official images delete all of it (`find /usr/local ... -name '*.pyc'
-exec rm`, with PYTHONDONTWRITEBYTECODE=1 for the rest of their build). Cold starts measured
on the look-alikes would hide what compiling the standard library saves, so every benchmark
Dockerfile is built FROM a copy of its base with that bytecode removed, as upstream ships it.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.docker import docker  # noqa: E402
from tests.test_e2e import READ_ONLY  # noqa: E402

_FROM = re.compile(r"^FROM python:(\S+)", re.MULTILINE)
_ARG = re.compile(r"^ARG PYTHON_VERSION=(\S+)", re.MULTILINE)
FAITHFUL = "dockergen-bench/python"
_STRIP = "RUN find /usr/local/lib -depth -name __pycache__ -exec rm -rf {} +\n"


def upstream_like(dockerfile: str) -> str:
    """`dockerfile` with each `FROM python:TAG` built on TAG as upstream ships it (no stdlib
    bytecode); the bases are built here, once per tag."""
    version = m.group(1) if (m := _ARG.search(dockerfile)) else ""
    for tag in {t.replace("${PYTHON_VERSION}", version) for t in _FROM.findall(dockerfile)}:
        with tempfile.TemporaryDirectory() as context:
            (Path(context) / "Dockerfile").write_text(f"FROM python:{tag}\n{_STRIP}")
            docker("build", "-q", "-t", f"{FAITHFUL}:{tag}", context)
    return _FROM.sub(lambda m: f"FROM {FAITHFUL}:{m.group(1)}", dockerfile)


def first_line(tag: str) -> float:
    """Seconds from `docker run` to the container's exit after printing (a CLI)."""
    start = time.perf_counter()
    docker("run", "--rm", *READ_ONLY, tag)
    return time.perf_counter() - start


def first_answer(tag: str, port: int) -> float:
    """Seconds from `docker run` to the first HTTP answer on `port` (a web app)."""
    start = time.perf_counter()
    container = docker("run", "-d", *READ_ONLY, "-p", f"127.0.0.1::{port}", tag).stdout.strip()
    try:
        published = docker("port", container, f"{port}/tcp").stdout.splitlines()[0]
        url = f"http://127.0.0.1:{published.rsplit(':', 1)[1]}/"
        while time.perf_counter() - start < 60:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return time.perf_counter() - start
            except OSError:
                time.sleep(0.01)
        raise AssertionError(f"{tag}: no answer in 60 s")
    finally:
        docker("rm", "-f", container, check=False)


def floor() -> float:
    """Seconds `docker run` itself takes here: a container that starts `true` and exits."""
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        docker("run", "--rm", *READ_ONLY, "--entrypoint", "true", "python:3.12-slim-trixie")
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def cold_start(tag: str, port: int | None, runs: int) -> float:
    """Median seconds to the first answer (web) or the first line and exit (CLI)."""
    return statistics.median(
        first_answer(tag, port) if port else first_line(tag) for _ in range(runs)
    )
