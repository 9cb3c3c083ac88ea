"""A thin driver for a real engine — Docker with BuildKit, or Podman with Buildah — and a
reader for their build logs.

Only `docker` (or `podman`) on PATH is needed. Tests marked `docker` skip when no engine
answers, and fail instead when DOCKERGEN_E2E=1 (CI), so a broken engine can never pass as a
skipped suite. `DOCKER` and `PODMAN` drive one engine each with the same calls; the module
functions (`docker`, `build`, ...) are Docker's.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dockergen.debian import DEFAULT
from dockergen.mounts import dependencies
from dockergen.verify.buildlog import parse_buildah_steps

BUILD_TIMEOUT = 900
# The id of the generated Dockerfiles' dependency cache on the default Debian release.
DEPENDENCY_CACHE = dependencies(DEFAULT).id or ""
RUN_TIMEOUT = 120


def _env() -> dict[str, str]:
    return {**os.environ, "DOCKER_BUILDKIT": "1", "BUILDKIT_PROGRESS": "plain"}


def _problem(args: Sequence[str], timeout: float) -> str | None:
    """None when the command answers, else why not."""
    if not shutil.which(args[0]):
        return f"no {args[0]} command on PATH"
    try:
        result = subprocess.run(
            list(args), capture_output=True, text=True, timeout=timeout, env=_env()
        )
    except subprocess.TimeoutExpired:
        return f"{args[0]} {args[1]} timed out"
    if result.returncode != 0:
        return f"no {args[0]} engine answers: {result.stderr.strip()[:200]}"
    return None


@functools.cache
def engine_problem() -> str | None:
    """None when a BuildKit-capable engine answers, else why not."""
    return _problem(["docker", "version", "--format", "{{.Server.Version}}"], 30)


@functools.cache
def podman_problem() -> str | None:
    """None when Podman answers (`podman info`), else why not."""
    return _problem(["podman", "info", "--format", "{{.Version.Version}}"], 60)


def require_engine(name: str = "docker") -> None:
    problem = engine_problem() if name == "docker" else podman_problem()
    if problem is None:
        return
    if os.environ.get("DOCKERGEN_E2E") == "1":
        pytest.fail(f"DOCKERGEN_E2E=1 but {problem}")
    pytest.skip(problem)


def docker(
    *args: str, timeout: float = RUN_TIMEOUT, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, env=_env()
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"docker {' '.join(args)} exited {result.returncode}:\n{result.stdout[-4000:]}\n"
            f"{result.stderr[-8000:]}"
        )
    return result


@dataclass
class Step:
    id: str
    stage: str
    instruction: str
    cached: bool = False
    position: int = 0  # N of `[stage N/M]`: the instruction's place in its stage
    output: list[str] = field(default_factory=list)


_HEADER = re.compile(r"^#(\d+) \[(?:(\S+) )?\s*(\d+)/\d+\] (.*)$")
_CACHED = re.compile(r"^#(\d+) CACHED$")
_OUTPUT = re.compile(r"^#(\d+) \d+\.\d+ (.*)$")


@dataclass
class BuildLog:
    text: str
    steps: list[Step]

    @classmethod
    def parse(cls, text: str) -> BuildLog:
        by_id: dict[str, Step] = {}
        for line in text.splitlines():
            if header := _HEADER.match(line):
                step_id, stage, position, instruction = header.groups()
                stage = "builder" if stage == "builder" else "final"  # the final stage is unnamed
                text = " ".join(instruction.split())
                by_id.setdefault(step_id, Step(step_id, stage, text, position=int(position)))
            elif cached := _CACHED.match(line):
                if cached.group(1) in by_id:
                    by_id[cached.group(1)].cached = True
            elif (output := _OUTPUT.match(line)) and output.group(1) in by_id:
                by_id[output.group(1)].output.append(output.group(2))
        return cls(text, list(by_id.values()))

    def step(self, stage: str, fragment: str) -> Step:
        matches = [s for s in self.steps if s.stage == stage and fragment in s.instruction]
        assert len(matches) == 1, (stage, fragment, [s.instruction for s in self.steps])
        return matches[0]

    def rerun(self) -> set[tuple[str, str]]:
        """(stage, instruction) of every step that ran instead of coming from the cache."""
        return {
            (s.stage, s.instruction)
            for s in self.steps
            if not s.cached and not s.instruction.startswith("FROM")
        }

    def from_source_copy(self, stage: str) -> set[tuple[str, str]]:
        """The stage's `COPY . .` and every step after it: what a code change must re-run."""
        steps = [s for s in self.steps if s.stage == stage]
        copies = [s.position for s in steps if s.instruction == "COPY . ."]
        return {(s.stage, s.instruction) for s in steps if copies and s.position >= copies[0]}

    def dependency_steps(self) -> list[Step]:
        """Builder RUN steps before the source copy, and the final stage's apt step."""
        builder = [s for s in self.steps if s.stage == "builder"]
        before_source: list[Step] = []
        for step in builder:
            if step.instruction.startswith("COPY . ."):
                break
            if step.instruction.startswith("RUN"):
                before_source.append(step)
        apt = [s for s in self.steps if s.stage != "builder" and "apt-get install" in s.instruction]
        return before_source + apt

    @classmethod
    def parse_buildah(cls, text: str) -> BuildLog:
        """Buildah's log (`podman build`), read by dockergen verify's reader, as the same steps:
        the stage named `builder` is the builder, every other one the final stage."""
        steps = [
            Step(
                step.id,
                "builder" if step.stage == "builder" else "final",
                step.instruction,
                cached=step.cached,
                position=step.index,
                output=step.output,
            )
            for step in parse_buildah_steps(text)
        ]
        return cls(text, steps)


@dataclass(frozen=True)
class Engine:
    """One engine's command; `build` returns its log read into the same BuildLog."""

    name: str  # docker | podman

    def run(
        self, *args: str, timeout: float = RUN_TIMEOUT, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [self.name, *args], capture_output=True, text=True, timeout=timeout, env=_env()
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{self.name} {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
            )
        return result

    def build_args(self) -> list[str]:
        """`build` and the flags every test build passes: BuildKit's plain log; Buildah's
        output is plain already, and its layer cache is on by default."""
        return ["build", "--progress=plain"] if self.name == "docker" else ["build"]

    def build(
        self, context: Path, tag: str, *, build_args: Sequence[str] = (), extra: Sequence[str] = ()
    ) -> BuildLog:
        args = [*self.build_args(), "-t", tag, *extra]
        for arg in build_args:
            args += ["--build-arg", arg]
        result = self.run(*args, str(context), timeout=BUILD_TIMEOUT)
        text = result.stderr + result.stdout
        return BuildLog.parse(text) if self.name == "docker" else BuildLog.parse_buildah(text)

    def require(self) -> None:
        require_engine(self.name)


DOCKER = Engine("docker")
PODMAN = Engine("podman")


def build(context: Path, tag: str, *, build_args: Sequence[str] = ()) -> BuildLog:
    return DOCKER.build(context, tag, build_args=build_args)


def image_size(tag: str, engine: Engine = DOCKER) -> int:
    return int(engine.run("image", "inspect", "--format", "{{.Size}}", tag).stdout.strip())


# ---- what the shared /root/.cache mount holds, and what a build added to it ----------------

PROBE_SCRIPT = r'''
import json, os, re, sys, zipfile

def dist_name(path):
    """The distribution a cache file belongs to, when the file tells."""
    base = os.path.basename(path)
    found = re.match(r"([A-Za-z0-9_.]+?)-\d[^/]*\.(?:whl|tar\.gz|zip)$", base)
    found = found or re.search(r"/([A-Za-z0-9_.]+?)-\d[^/]*\.dist-info/", path)
    if found:
        return found.group(1)
    if "/http" in path and zipfile.is_zipfile(path):  # pip's HTTP cache: the wheel itself
        with zipfile.ZipFile(path) as wheel:
            for name in wheel.namelist():
                info = re.match(r"([A-Za-z0-9_.]+?)-\d[^/]*\.dist-info/METADATA$", name)
                if info:
                    return info.group(1)
    return None

since, root = float(sys.argv[1]), sys.argv[2]
cached, added = set(), set()
for folder, _, files in os.walk(root):
    for file in files:
        path = os.path.join(folder, file)
        try:
            name = dist_name(path)
            # ctime, not mtime: unpacked wheels keep the archive's old mtimes.
            created = os.stat(path).st_ctime
        except (OSError, zipfile.BadZipFile):
            continue
        if name:
            name = re.sub(r"[-_.]+", "-", name).lower()
            cached.add(name)
            if created > since:
                added.add(name)
print("PROBE " + json.dumps({"cached": sorted(cached), "added": sorted(added)}))
'''


def probe_cache(
    workdir: Path,
    since: float,
    target: str = "/root/.cache",
    mount_id: str = DEPENDENCY_CACHE,
    engine: Engine = DOCKER,
) -> tuple[set[str], set[str]]:
    """(distributions in the cache mount `mount_id` at `target`, those written after `since`);
    an empty `mount_id` means the engine's default, the target."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "probe.py").write_text(PROBE_SCRIPT, encoding="utf-8")
    (workdir / "Dockerfile").write_text(
        "FROM python:3.12-slim\nCOPY probe.py /probe.py\nARG SINCE\n"
        f"RUN --mount=type=cache{f',id={mount_id}' if mount_id else ''},target={target} "
        f'python /probe.py "$SINCE" {target}\n',
        encoding="utf-8",
    )
    log = engine.build(workdir, "dockergen-e2e-probe", build_args=(f"SINCE={since}",))
    lines = [line for step in log.steps for line in step.output if line.startswith("PROBE ")]
    assert len(lines) == 1, log.text[-3000:]
    return _probe_report(lines[0])


def probe_image(workdir: Path, tag: str, since: float) -> tuple[set[str], set[str]]:
    """The same report for caches an image keeps in its own layers (no cache mount)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "probe.py").write_text(PROBE_SCRIPT, encoding="utf-8")
    result = docker(
        "run", "--rm", "--user", "0", "-v", f"{workdir.resolve()}/probe.py:/probe.py:ro",
        "--entrypoint", "python", tag, "/probe.py", str(since), "/root/.cache",
    )  # fmt: skip
    return _probe_report(result.stdout.strip().splitlines()[-1])


def _probe_report(line: str) -> tuple[set[str], set[str]]:
    report = json.loads(line.removeprefix("PROBE "))
    return set(report["cached"]), set(report["added"])


def installed_distributions(
    tag: str, python: str = "/app/.venv/bin/python", engine: Engine = DOCKER
) -> set[str]:
    script = (
        "import importlib.metadata as m, re; "
        "print(*sorted({re.sub(r'[-_.]+', '-', d.metadata['Name']).lower() "
        "for d in m.distributions()}))"
    )
    result = engine.run("run", "--rm", "--entrypoint", python, tag, "-c", script)
    return set(result.stdout.split())


# Lists the .py files of the standard library (less what the Dockerfile leaves out) and of
# the venv that have no .pyc beside them although they compile: each one is compiled again at
# every container start.
_UNCOMPILED = """
import importlib.util, pathlib, re, sys, sysconfig
left_out = re.compile(r"/(site-packages|idlelib|tkinter|turtledemo|ensurepip|pydoc_data|lib2to3)/")
roots = [(pathlib.Path(sysconfig.get_path("stdlib")), left_out), (pathlib.Path(sys.prefix) / "lib", None)]
for root, skip in roots:
    for py in sorted(root.rglob("*.py")):
        if (skip and skip.search(str(py))) or pathlib.Path(importlib.util.cache_from_source(str(py))).exists():
            continue
        try:
            compile(py.read_bytes(), str(py), "exec")
        except (SyntaxError, ValueError):
            continue
        print(py)
"""


def uncompiled_modules(
    tag: str, python: str = "/app/.venv/bin/python", engine: Engine = DOCKER
) -> list[str]:
    """Modules of `tag` a read-only container would compile at every start (see _UNCOMPILED)."""
    result = engine.run(
        "run", "--rm", "--read-only", "--entrypoint", python, tag, "-c", _UNCOMPILED
    )
    return result.stdout.split()
