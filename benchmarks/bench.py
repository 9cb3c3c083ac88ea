"""Measure what dockergen's Dockerfiles save, against the Dockerfiles people write by hand.

For each fixture, three Dockerfiles are built side by side in one run, on the same engine:
  dockergen    what `dockergen init` writes;
  naive        `COPY . .` then install, no cache mount (the "before" in the docs people copy);
  docker-init  single stage, manifests bind-mounted, a cache mount (docker init's pip
               template; for poetry, uv and pipenv the same shape with their own install).
Each gets a cold build (build cache and cache mounts emptied first), code-only rebuilds (seven
edits, their median) and a dependency-added rebuild; we record seconds, distributions
downloaded (files written into a download cache during that build), the final image size and
the cold start: `docker run --read-only` to the first HTTP answer (web) or the first line
printed (CLI), median of --starts. Every Dockerfile is built FROM its base as upstream ships it
(benchmarks/startup.py). The floor is a Dockerfile that only copies the source (`FROM python`,
`COPY . .`): its code-only rebuild is what any Dockerfile pays at least; its edits alternate
with dockergen's. Fixtures without a hand-written equivalent (pdm, pip-pyproject, uv-package,
django) get dockergen's file only.

It also times the generator itself. Needs the test extras and a Docker engine with BuildKit:
    pip install -e '.[test]' && python benchmarks/bench.py --runs 3
WARNING: it empties the engine's build cache (`docker builder prune -af`) before cold builds.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.startup import cold_start, floor, upstream_like  # noqa: E402
from dockergen.debian import DEFAULT  # noqa: E402
from dockergen.installers import installer_module  # noqa: E402
from dockergen.model import Installer, Overrides  # noqa: E402
from tests.docker import (  # noqa: E402
    DEPENDENCY_CACHE,
    docker,
    image_size,
    installed_distributions,
    probe_cache,
    probe_image,
)
from tests.helpers import FIXTURES  # noqa: E402
from tests.locker import build_locker, relock  # noqa: E402
from tests.test_e2e import BUNDLED, CASES, _generate, _make_unique  # noqa: E402

VARIANTS = ("dockergen", "naive", "docker-init")
PYTHON = "3.12"
DEBIAN = DEFAULT  # the release dockergen names in FROM, for all three Dockerfiles
BENCH_FIXTURES = (
    "pip-requirements",
    "poetry",
    "uv",
    "pipenv",
    "pdm",
    "pip-pyproject",
    "uv-package",
    "django",
)
# Fixtures with a naive and a docker-init-style equivalent; the others get dockergen's only.
COMPARED = ("pip-requirements", "poetry", "uv", "pipenv")
EDITS = 7  # code-only rebuilds per measurement, one edit each; the median is reported
FLOOR = f"FROM python:{PYTHON}-slim-{DEBIAN}\nWORKDIR /app\nCOPY . .\n"


def _pin(installer: Installer) -> str:
    return " ".join(installer_module(installer).requirements)


def naive_dockerfile(case: str, cmd: str) -> str:
    install = {
        "pip-requirements": "pip install -r requirements.txt",
        "poetry": f"pip install {_pin(Installer.POETRY)} && poetry config virtualenvs.create false"
        " && poetry install --only main",
        "uv": f"pip install {_pin(Installer.UV)} && uv sync --locked --no-dev",
        "pipenv": f"pip install {_pin(Installer.PIPENV)} && pipenv install --system --deploy",
    }[case]
    return (
        f"FROM python:{PYTHON}-slim-{DEBIAN}\nWORKDIR /app\nCOPY . .\nRUN {install}\n"
        f"ENV PATH=/app/.venv/bin:$PATH\nCMD {cmd}\n"
    )


def docker_init_dockerfile(case: str, cmd: str) -> tuple[str, str]:
    """(Dockerfile, cache mount target): docker init's Python template, per installer."""
    binds = {
        "pip-requirements": ("requirements.txt",),
        "poetry": ("pyproject.toml", "poetry.lock"),
        "uv": ("pyproject.toml", "uv.lock"),
        "pipenv": ("Pipfile", "Pipfile.lock"),
    }[case]
    install = {
        "pip-requirements": "python -m pip install -r requirements.txt",
        "poetry": f"pip install {_pin(Installer.POETRY)} && poetry config virtualenvs.create false"
        " && poetry install --only main --no-root",
        "uv": f"pip install {_pin(Installer.UV)} && uv sync --locked --no-dev --no-install-project",
        "pipenv": f"pip install {_pin(Installer.PIPENV)} && pipenv install --system --deploy",
    }[case]
    target = "/root/.cache/pip" if case == "pip-requirements" else "/root/.cache"
    mounts = " ".join(f"--mount=type=bind,source={b},target={b}" for b in binds)
    text = (
        f"FROM python:{PYTHON}-slim-{DEBIAN}\n"
        "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_LINK_MODE=copy "
        "UV_PROJECT_ENVIRONMENT=/usr/local\n"
        "WORKDIR /app\nARG UID=10001\n"
        # docker init writes `adduser --disabled-password ...`; trixie's slim images have no
        # adduser (bookworm's do), so that line fails there. The same user, made with useradd,
        # which both releases have:
        'RUN useradd --home-dir "/nonexistent" --shell "/sbin/nologin" --no-create-home '
        '--uid "${UID}" appuser\n'
        f"RUN --mount=type=cache,target={target} {mounts} {install}\n"
        f"USER appuser\nCOPY . .\nCMD {cmd}\n"
    )
    return text, target


@dataclass
class Sample:
    cold: list[float] = field(default_factory=list)
    code: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)  # the floor's code-only rebuild
    start: list[float] = field(default_factory=list)
    dep: list[float] = field(default_factory=list)
    downloaded: list[int] = field(default_factory=list)
    redownloaded: list[int] = field(default_factory=list)
    old: list[int] = field(default_factory=list)
    size: list[int] = field(default_factory=list)


def _timed_build(context: Path, dockerfile: str, tag: str) -> float:
    start = time.perf_counter()
    docker("build", "--progress=plain", "-f", dockerfile, "-t", tag, str(context), timeout=1800)
    return time.perf_counter() - start


def _prepare(case: str, workdir: Path, lock_cache: Path) -> Path:
    root = Path(shutil.copytree(FIXTURES / case, workdir / case))
    _make_unique(root)
    if (tool := CASES[case].relock) is not None:
        relock(root, tool, lock_cache)
    _generate(root, force=False, overrides=Overrides(python=PYTHON))
    return root


def _code_only(root: Path, case: str, builds: list[tuple[str, str]]) -> list[float]:
    """Each (Dockerfile, tag)'s median code-only rebuild over EDITS edits. The builds take
    turns, a comment appended to the source before each, so a drift of the machine's speed
    weighs on all of them alike."""
    source = root / CASES[case].source_file
    times: list[list[float]] = [[] for _ in builds]
    for n in range(EDITS):
        for (dockerfile, tag), samples in zip(builds, times, strict=True):
            source.write_text(source.read_text() + f"\n# code-only change {n} ({tag})\n")
            samples.append(_timed_build(root, dockerfile, tag))
    return [statistics.median(samples) for samples in times]


def _floor(root: Path, case: str) -> tuple[str, str]:
    """A Dockerfile that only copies the source, built once: (its path, its tag)."""
    (root / "Dockerfile.floor").write_text(upstream_like(FLOOR))
    floor = (str(root / "Dockerfile.floor"), f"dockergen-bench-{case}-floor")
    _timed_build(root, *floor)
    return floor


def run_variant(
    case: str, variant: str, workdir: Path, lock_cache: Path, sample: Sample, starts: int
) -> None:
    root = _prepare(case, workdir, lock_cache)
    cmd = (root / "Dockerfile").read_text().rsplit("CMD ", 1)[1].strip()
    target, python = "/root/.cache", "/app/.venv/bin/python"
    if variant == "naive":
        (root / "Dockerfile.bench").write_text(naive_dockerfile(case, cmd))
        python = "python" if case != "uv" else python
    elif variant == "docker-init":
        # docker init's poetry shape installs no root package, so no console script: run the
        # module the script names instead.
        cmd = '["python", "-m", "inventory"]' if case == "poetry" else cmd
        text, target = docker_init_dockerfile(case, cmd)
        (root / "Dockerfile.bench").write_text(text)
        python = "python"
    else:
        (root / "Dockerfile.bench").write_text((root / "Dockerfile").read_text())
    bench = root / "Dockerfile.bench"
    bench.write_text(upstream_like(bench.read_text()))
    tag = f"dockergen-bench-{case}-{variant}"
    dockerfile = str(bench)

    docker("builder", "prune", "-af", timeout=600)  # cold: no layers, empty cache mounts
    sample.cold.append(_timed_build(root, dockerfile, tag))
    builds = [(dockerfile, tag)] + ([_floor(root, case)] if variant == "dockergen" else [])
    code = _code_only(root, case, builds)
    sample.code.append(code[0])
    sample.floor += code[1:]
    sample.start.append(cold_start(tag, CASES[case].http_port, starts))
    old = installed_distributions(tag, python) - BUNDLED

    CASES[case].add_dependency(root)
    if (tool := CASES[case].relock) is not None:
        relock(root, tool, lock_cache)
    if variant == "dockergen":
        _generate(root, force=True, overrides=Overrides(python=PYTHON))
        bench.write_text(upstream_like((root / "Dockerfile").read_text()))
    since = time.time()
    sample.dep.append(_timed_build(root, dockerfile, tag))
    if variant == "naive":
        _, added = probe_image(workdir / "probe", tag, since)
    else:
        # docker init's mount has no id= (BuildKit's default: the target); dockergen's does.
        mount_id = "" if variant == "docker-init" else DEPENDENCY_CACHE
        _, added = probe_cache(workdir / "probe", since, target, mount_id)
    sample.downloaded.append(len(added))
    sample.redownloaded.append(len(added & old))
    sample.old.append(len(old))
    sample.size.append(image_size(tag))


def generator_timings(repeats: int) -> dict[str, float]:
    exe = Path(sys.executable)
    dockergen = [str(exe), "-m", "dockergen", "init", "--dry-run", "--no-input"]
    baseline = [str(exe), "-c", "import typer, jinja2, tomli, packaging"]

    def median(cmd: list[str]) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big"
        shutil.copytree(FIXTURES / "pip-requirements", big)
        for d in range(100):
            folder = big / "data" / f"d{d:03}"
            folder.mkdir(parents=True)
            for f in range(1000):
                (folder / f"f{f:04}.txt").write_text("x")
        small = str(FIXTURES / "pip-requirements")
        return {
            "import baseline": median(baseline),
            "init --dry-run (small project)": median([*dockergen, small]),
            "init --dry-run (100 000 files)": median([*dockergen, str(big)]),
        }


def _fmt(values: list[float], unit: str = "s") -> str:
    return f"{statistics.median(values):.1f} {unit}" if values else "-"


MEASURED_NOTE = (
    "What is compared, every Dockerfile built FROM its base as upstream ships it",
    "(benchmarks/startup.py): `dockergen` is what `dockergen init` writes; `naive` copies the",
    "whole source, then installs, with no cache mount; `docker-init` is docker init's",
    "single-stage template (manifests bind-mounted, a cache mount). The floor only copies the",
    "source (`FROM python`, `COPY . .`): the least any Dockerfile pays for a code-only rebuild.",
    "For these fixtures dockergen's code-only rebuild re-runs only the final `COPY . .`",
    "(tests/test_e2e.py asserts it), so what it pays over the floor is its larger build graph,",
    "whose other steps BuildKit reports CACHED; Django's collectstatic follows the source and",
    "re-runs too. dockergen's images hold the standard library's bytecode, which the official",
    "images delete: COLDSTART.md measures what it adds to the image and saves at start.",
)
BASELINE_NOTE = (
    "The docker-init-style Dockerfile is docker init's Python template with one change: docker",
    "init writes `adduser --disabled-password ...`, and trixie's slim images, the default",
    "`python:X.Y-slim` since August 2025, have no `adduser`, so that line fails there; the same",
    "user is made with `useradd`. Cold start before and after dockergen compiled the standard",
    "library: COLDSTART.md (`benchmarks/coldstart.py`).",
)


def report(results: dict[tuple[str, str], Sample], gen: dict[str, float], runs: int) -> str:
    engine = docker("version", "--format", "{{.Server.Version}}").stdout.strip()
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}; Docker engine {engine} (BuildKit); Python {PYTHON} base images; "
        f"median of {runs} run(s). Produced by `python benchmarks/bench.py --runs {runs}`.",
        f"`docker run` itself (a container that runs `true`) takes {floor():.2f} s here; "
        "every cold start below includes it.",
        "",
        *MEASURED_NOTE,
        "",
        *BASELINE_NOTE,
        "",
        "| fixture | Dockerfile | cold build | code-only rebuild | dependency-added rebuild "
        "| downloaded (old re-downloaded / old) | image size | cold start |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (case, variant), s in results.items():
        lines.append(
            f"| {case} | {variant} | {_fmt(s.cold)} | {_fmt(s.code)} | {_fmt(s.dep)} | "
            f"{statistics.median(s.downloaded):.0f} ({statistics.median(s.redownloaded):.0f} / "
            f"{statistics.median(s.old):.0f}) | {statistics.median(s.size) / 1e6:.1f} MB "
            f"| {statistics.median(s.start):.2f} s |"
        )
    lines += [
        "",
        "Code-only rebuild against the floor (a Dockerfile that only copies the source):",
        "",
    ]
    for (case, variant), s in results.items():
        if variant == "dockergen":
            rebuild, least = statistics.median(s.code), statistics.median(s.floor)
            lines.append(
                f"- {case}: {rebuild:.2f} s against {least:.2f} s "
                f"= {rebuild / least:.2f}x the floor"
            )
    lines += ["", "Ratios (same run):", ""]
    for case in dict.fromkeys(c for c, _ in results):
        ours, naive, init = (results.get((case, v)) for v in VARIANTS)
        if ours and naive and init:
            code_ratio = statistics.median(ours.code) / statistics.median(naive.code)
            size_ratio = statistics.median(ours.size) / statistics.median(init.size)
            start_ratio = statistics.median(init.start) / statistics.median(ours.start)
            lines.append(
                f"- {case}: code-only rebuild {code_ratio:.2f}x the naive one; image "
                f"{size_ratio:.2f}x the docker-init-style one; cold start {start_ratio:.2f}x "
                f"faster than the docker-init-style one; old distributions re-downloaded "
                f"after adding one: {statistics.median(ours.redownloaded):.0f} (naive "
                f"{statistics.median(naive.redownloaded):.0f})"
            )
    base = gen["import baseline"]
    lines += ["", "Generator (median wall time):", ""]
    for name, seconds in gen.items():
        lines.append(
            f"- {name}: {seconds * 1000:.0f} ms ({seconds / base:.2f}x the import baseline)"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fixtures", nargs="*", default=list(BENCH_FIXTURES))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--generator-repeats", type=int, default=15)
    parser.add_argument("--starts", type=int, default=5, help="cold starts per image")
    args = parser.parse_args()
    results: dict[tuple[str, str], Sample] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        build_locker(work / "locker")
        for run in range(args.runs):
            for case in args.fixtures:
                for variant in VARIANTS if case in COMPARED else VARIANTS[:1]:
                    sample = results.setdefault((case, variant), Sample())
                    workdir = work / f"r{run}-{variant}"
                    run_variant(case, variant, workdir, work / "locks", sample, args.starts)
                    print(
                        f"run {run + 1}: {case} {variant}: cold {sample.cold[-1]:.1f}s, "
                        f"code {sample.code[-1]:.1f}s, dep {sample.dep[-1]:.1f}s, "
                        f"start {sample.start[-1]:.2f}s",
                        flush=True,
                    )
    gen = generator_timings(args.generator_repeats)
    text = report(results, gen, args.runs)
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
