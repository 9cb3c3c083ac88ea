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
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.startup import cold_start, floor, upstream_like  # noqa: E402
from tests.docker import docker, image_size  # noqa: E402
from tests.helpers import FIXTURES  # noqa: E402
from tests.test_e2e import CASES, READ_ONLY, _make_unique  # noqa: E402

# What each fixture's first request or first line imports, timed inside the container.
IMPORTS = {
    "poetry": "import inventory.__main__",
    "django": "import django, gunicorn.app.wsgiapp; import mysite.wsgi",
    "fastapi": "import app.main",
    "pdm": "import pdmapp.__main__",
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


def _import_time(tag: str, statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    result = docker("run", "--rm", *READ_ONLY, "--entrypoint", "python", tag, "-c", code)
    return float(result.stdout.split()[-1])


def _build(project: Path, tag: str) -> float:
    start = time.perf_counter()
    dockerfile = str(project / "Dockerfile.bench")
    docker("build", "--progress=plain", "-f", dockerfile, "-t", tag, str(project), timeout=1800)
    return time.perf_counter() - start


def measure(case: str, source: Path, work: Path, side: str, runs: int) -> dict[str, float]:
    project = Path(shutil.copytree(FIXTURES / case, work / side / case))
    _make_unique(project)
    _render(source, project)
    dockerfile = (project / "Dockerfile").read_text()
    (project / "Dockerfile.bench").write_text(upstream_like(dockerfile))
    tag = f"dockergen-bench-cold-{case}-{side}"
    _build(project, tag)
    start = cold_start(tag, CASES[case].http_port, runs)
    imports = [_import_time(tag, IMPORTS[case]) for _ in range(runs)]
    edited = project / CASES[case].source_file
    rebuilds = []
    for n in range(3):
        edited.write_text(edited.read_text() + f"\n# code-only change {n}\n")
        rebuilds.append(_build(project, tag))
    return {
        "start": start,
        "import": statistics.median(imports),
        "size": image_size(tag) / 1e6,
        "rebuild": statistics.median(rebuilds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", required=True, help="git ref of the dockergen to compare")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "COLDSTART.md")
    parser.add_argument("fixtures", nargs="*", default=["poetry", "django"])
    args = parser.parse_args()
    lines = [
        "# Cold start: before and after bytecode",
        "",
        f"`python benchmarks/coldstart.py --before {args.before} --runs {args.runs} "
        f"{' '.join(args.fixtures)}`, on {platform.machine()} with {os.cpu_count()} cores. "
        "Both sides are built FROM their bases as upstream ships them (no standard-library "
        "bytecode; benchmarks/startup.py). Cold start: median of --runs; import: the app's main "
        "module in a fresh container, timed inside it; code-only rebuild: median of 3 edits.",
        "",
        f"`docker run` of a container that runs only `true`: {floor():.2f} s (in every start).",
        "",
        "| fixture | cold start before -> after | import | image MB | code-only rebuild s |",
        "|---|---|---|---|---|",
    ]
    print(*lines, sep="\n", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        before_src = _checkout(args.before, work / "before-src")
        for case in args.fixtures:
            b = measure(case, before_src, work, "before", args.runs)
            a = measure(case, ROOT, work, "after", args.runs)
            lines.append(_row(case, b, a))
            print(lines[-1], flush=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _row(case: str, b: dict[str, float], a: dict[str, float]) -> str:
    growth = (a["size"] / b["size"] - 1) * 100
    return (
        f"| {case} | {b['start']:.2f} s -> {a['start']:.2f} s = "
        f"**{b['start'] / a['start']:.2f}x** faster "
        f"| {b['import']:.3f} s -> {a['import']:.3f} s = {b['import'] / a['import']:.1f}x "
        f"| {b['size']:.0f} -> {a['size']:.0f} ({growth:+.1f} %) "
        f"| {b['rebuild']:.1f} -> {a['rebuild']:.1f} |"
    )


if __name__ == "__main__":
    main()
