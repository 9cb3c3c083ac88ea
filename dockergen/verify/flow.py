"""`dockergen verify`: build, run, probe, diagnose, optionally rebuild; always clean up."""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import re
import shutil
import signal
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Final, TypeVar

from dockergen.errors import DockergenError, VerifyUsageError
from dockergen.start.dockerfile import stages as dockerfile_stages
from dockergen.verify.build import BuildResult, build_image
from dockergen.verify.buildlog import failed_step
from dockergen.verify.declared import declared_dependencies
from dockergen.verify.diagnose import Context, Diagnosis, diagnose, server_error
from dockergen.verify.engine import PREFIX, EngineChoice, docker, find_engine, using
from dockergen.verify.image import Mode, choose_mode, inspect_image
from dockergen.verify.options import VerifyOptions
from dockergen.verify.probe import ProbeResult
from dockergen.verify.progress import Progress
from dockergen.verify.rebuild import copy_context, rebuild_check
from dockergen.verify.report import Report
from dockergen.verify.run import ContainerExitedError
from dockergen.verify.running import Outcome, run_and_probe

TAIL_LINES = 20
_ENV_ITEM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON_ARG = re.compile(r"^ARG PYTHON_VERSION=(\d+\.\d+(?:\.\d+)?)\s*$", re.MULTILINE)


_Choice = TypeVar("_Choice", bound=enum.StrEnum)


def parse_engine(text: str) -> EngineChoice:
    return _choice(EngineChoice, "--engine", text)


def parse_mode(text: str) -> Mode:
    return _choice(Mode, "--mode", text)


def _choice(kind: type[_Choice], flag: str, text: str) -> _Choice:
    try:
        return kind(text)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise VerifyUsageError(f"{flag} {text!r}: choose one of {choices}") from None


def check_options(options: VerifyOptions) -> Path:
    """The Dockerfile to build; VerifyUsageError or DockergenError when unusable."""
    for item in options.env:
        if not _ENV_ITEM.match(item):
            raise VerifyUsageError(f"--env {item!r}: expected KEY=VALUE; e.g. --env DEBUG=0")
    for path in options.env_files:
        if not path.is_file():
            raise VerifyUsageError(f"--env-file {path}: no such file; pass an existing file")
    if options.http_path is not None and not options.http_path.startswith("/"):
        raise VerifyUsageError(f"--path {options.http_path!r}: must start with /, e.g. /health")
    dockerfile = options.dockerfile or options.path / "Dockerfile"
    if not dockerfile.is_file():
        raise DockergenError(
            f"{dockerfile}: no such file; run `dockergen init` first, or pass --file"
        )
    return dockerfile


def verify(options: VerifyOptions, progress: Progress) -> Report:
    """Everything `dockergen verify` does; raises DockergenError only for unusable input."""
    dockerfile = check_options(options)
    engine = find_engine(options.engine)
    report = Report(project=str(options.path), engine=engine.version, engine_name=engine.name)
    workdir = Path(tempfile.mkdtemp(prefix=f"{PREFIX}-"))
    text = dockerfile.read_text(encoding="utf-8", errors="replace")
    report.cache = "shared" if options.shared_cache else "own"
    if not options.shared_cache:
        dockerfile = own_cache(text, options.path, workdir)
    tag = f"{PREFIX}-{uuid.uuid4().hex[:12]}"
    tags = [tag]
    with _sigterm_as_interrupt(), using(engine):
        try:
            first = _build(options, dockerfile, tag, workdir, progress, report)
            if first.ok and (missing := _no_command(text)):
                report.run = missing
                report.diagnoses = [NO_CMD]
            elif first.ok:
                _run(options, tag, report, progress)
            if first.ok and options.cache:
                tags.append(f"{tag}-rebuild")
                _rebuild(options, dockerfile, first, tags[-1], workdir, progress, report)
        finally:
            progress.done()
            shutil.rmtree(workdir / "context", ignore_errors=True)
            if not options.keep_image:
                docker("rmi", "--force", *tags, check=False, timeout=120)
    report.image = tag if options.keep_image else None
    if report.ok:  # the logs are kept for failures only, where the report points to them
        shutil.rmtree(workdir, ignore_errors=True)
        report.log = None
        if report.rebuild is not None:
            report.rebuild = dataclasses.replace(report.rebuild, log=None)
    return report


def _build(
    options: VerifyOptions,
    dockerfile: Path,
    tag: str,
    workdir: Path,
    progress: Progress,
    report: Report,
) -> BuildResult:
    progress.start("build")
    result = build_image(
        options.path,
        dockerfile,
        tag,
        workdir / "build.log",
        timeout=options.build_timeout,
        on_line=progress.on_line,
    )
    progress.done()
    report.build_ok, report.build_seconds, report.log = result.ok, result.seconds, result.log_path
    if result.ok:
        report.image_size = inspect_image(tag).size
        return result
    step = failed_step(result.steps)
    report.failed_step = step.label if step else None
    tail = step.output if step else result.text.splitlines()
    report.output_tail = tail[-TAIL_LINES:]
    report.diagnoses = diagnose(result.text, _build_context(options, dockerfile))
    return result


def _run(options: VerifyOptions, tag: str, report: Report, progress: Progress) -> None:
    config = inspect_image(tag)
    ctx = Context(config.ports, config.python, declared_dependencies(options.path))
    progress.start("run")
    started = time.monotonic()
    try:
        outcome = run_and_probe(tag, config, options, ctx)
    except ContainerExitedError as stopped:  # before it could be probed: the app's doing
        mode = choose_mode(config, options.mode)
        detail = f"exited at once with code {stopped.exited.exit_code}, before it could be probed"
        elapsed = time.monotonic() - started
        probe = ProbeResult(False, mode, elapsed, detail, exited=stopped.exited)
        outcome = Outcome(probe, stopped.output)
    progress.done()
    report.run, report.port, report.host_port = outcome.probe, outcome.port, outcome.host_port
    if not outcome.probe.ok:
        report.output_tail = outcome.output.splitlines()[-TAIL_LINES:]
        said = f"{outcome.output}\n{outcome.probe.body}"
        report.diagnoses = diagnose(said, ctx) or server_error(outcome)


def _rebuild(
    options: VerifyOptions,
    dockerfile: Path,
    first: BuildResult,
    tag: str,
    workdir: Path,
    progress: Progress,
    report: Report,
) -> None:
    copy = copy_context(options.path, workdir / "context")
    inside = dockerfile.resolve().is_relative_to(options.path.resolve())
    copied = (
        copy / dockerfile.resolve().relative_to(options.path.resolve()) if inside else dockerfile
    )
    progress.start("rebuild")
    report.rebuild = rebuild_check(
        first, copy, copied, tag, timeout=options.build_timeout, on_line=progress.on_line
    )
    progress.done()


_CACHE_MOUNT: Final = re.compile(r"--mount=type=cache(?P<options>[^\s\\]*)")


def own_cache(text: str, project: Path, workdir: Path) -> Path:
    """A copy of the Dockerfile whose cache mounts are this project's own: every `id=` gets
    a suffix from the project's path (a mount without one gets an id from its target), so a
    wheel another project compiled into the shared cache cannot make this build pass. The
    suffix is stable, so a second verify of the same project finds its downloads again."""
    suffix = hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:10]

    def scoped(found: re.Match[str]) -> str:
        options = found["options"]
        if "id=" in options:
            options = re.sub(r"id=([^,\s]+)", rf"id=\1-verify-{suffix}", options)
        elif target := re.search(r"target=([^,\s]+)", options):
            name = re.sub(r"[^\w.-]+", "-", target.group(1)).strip("-")
            options += f",id={name}-verify-{suffix}"
        return f"--mount=type=cache{options}"

    copy = workdir / "Dockerfile"
    copy.write_text(_CACHE_MOUNT.sub(scoped, text), encoding="utf-8")
    ignore = project / ".dockerignore"
    if ignore.is_file():  # BuildKit reads <Dockerfile>.dockerignore beside a Dockerfile first
        shutil.copyfile(ignore, workdir / "Dockerfile.dockerignore")
    return copy


NO_CMD: Final = Diagnosis(
    "no-command",
    "the Dockerfile sets no CMD or ENTRYPOINT, so the image runs its base image's (python3, "
    "which exits at once): it starts nothing",
    "set the start command: `dockergen update --command '...'`, or a CMD line",
)


def _no_command(text: str) -> ProbeResult | None:
    """The final stage of an official python or debian image with no CMD or ENTRYPOINT of its
    own: its base's command runs, which is never the app."""
    stages = dockerfile_stages(text)
    if not stages:
        return None
    final = stages[-1]
    base = final.base.split("/")[-1]
    if final.last("CMD") or final.last("ENTRYPOINT") or not base.startswith(("python:", "debian:")):
        return None
    detail = f"no CMD or ENTRYPOINT in the final stage: the image runs {final.base}'s own command"
    return ProbeResult(False, Mode.AUTO, 0.0, detail)


def _build_context(options: VerifyOptions, dockerfile: Path) -> Context:
    """For build failures: the Python comes from the Dockerfile's ARG, when it has one."""
    found = _PYTHON_ARG.search(dockerfile.read_text(encoding="utf-8", errors="replace"))
    python = found.group(1) if found else None
    return Context(python=python, declared=declared_dependencies(options.path))


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI cancel) cleans up like Ctrl-C does."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
