"""Container cold start with and without bytecode: this checkout's Dockerfile against the one an
earlier dockergen (a git ref) renders, for the same fixture, built on the same engine.

    python benchmarks/coldstart.py --before REF [--runs 5] [fixture ...]

Per fixture and side: the image size; the code-only rebuild (one comment added to a source
file); the cold start, `docker run --read-only --tmpfs /tmp` to the first line printed (a CLI)
or the first HTTP answer (a web app), median of --runs; and the import of the app's main module
timed inside a fresh container (no container start-up in it). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.docker import docker, image_size  # noqa: E402
from tests.helpers import FIXTURES  # noqa: E402
from tests.test_e2e import CASES, READ_ONLY, _make_unique  # noqa: E402

# What each fixture's first request or first line imports, timed inside the container.
IMPORTS = {
    "poetry": "import inventory.__main__",
    "django": "import django, gunicorn.app.wsgiapp; import mysite.wsgi",
    "fastapi": "import app.main",
}


def _render(source: Path, project: Path) -> None:
    """`dockergen init` of `source` (a dockergen checkout) for `project`."""
    subprocess.run(
        [sys.executable, "-m", "dockergen", "init", str(project), "--no-input", "--force"],
        cwd=source,
        env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )


def _checkout(ref: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True)
    into.mkdir(parents=True)
    archive_path = into.with_suffix(".tar")
    archive_path.write_bytes(archive.stdout)
    with tarfile.open(archive_path) as tar:
        tar.extractall(into, filter="data")
    return into


def _first_line(tag: str) -> float:
    start = time.perf_counter()
    docker("run", "--rm", *READ_ONLY, tag)
    return time.perf_counter() - start


def _first_answer(tag: str, port: int) -> float:
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
                time.sleep(0.02)
        raise AssertionError(f"{tag}: no answer in 60 s")
    finally:
        docker("rm", "-f", container, check=False)


def _import_time(tag: str, statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    result = docker("run", "--rm", *READ_ONLY, "--entrypoint", "python", tag, "-c", code)
    return float(result.stdout.split()[-1])


def _build(project: Path, tag: str) -> float:
    start = time.perf_counter()
    docker("build", "--progress=plain", "-t", tag, str(project), timeout=1800)
    return time.perf_counter() - start


def measure(case: str, source: Path, work: Path, side: str, runs: int) -> dict[str, float]:
    project = Path(shutil.copytree(FIXTURES / case, work / side / case))
    _make_unique(project)
    _render(source, project)
    tag = f"dockergen-bench-cold-{case}-{side}"
    _build(project, tag)
    port = CASES[case].http_port
    starts = [_first_answer(tag, port) if port else _first_line(tag) for _ in range(runs)]
    imports = [_import_time(tag, IMPORTS[case]) for _ in range(runs)]
    edited = project / CASES[case].source_file
    edited.write_text(edited.read_text() + "\n# a code-only change\n")
    rebuild = _build(project, tag)
    return {
        "start": statistics.median(starts),
        "import": statistics.median(imports),
        "size": image_size(tag) / 1e6,
        "rebuild": rebuild,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", required=True, help="git ref of the dockergen to compare")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("fixtures", nargs="*", default=["poetry", "django"])
    args = parser.parse_args()
    print("| fixture | cold start before -> after | import | image MB | code-only rebuild s |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        before_src = _checkout(args.before, work / "before-src")
        for case in args.fixtures:
            b = measure(case, before_src, work, "before", args.runs)
            a = measure(case, ROOT, work, "after", args.runs)
            growth = (a["size"] / b["size"] - 1) * 100
            print(
                f"| {case} | {b['start']:.2f} s -> {a['start']:.2f} s = "
                f"**{b['start'] / a['start']:.2f}x** faster "
                f"| {b['import']:.3f} s -> {a['import']:.3f} s = {b['import'] / a['import']:.1f}x "
                f"| {b['size']:.0f} -> {a['size']:.0f} ({growth:+.1f} %) "
                f"| {b['rebuild']:.1f} -> {a['rebuild']:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
