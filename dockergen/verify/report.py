"""What `dockergen verify` found, for people and for CI (`--json`).

JSON schema 1 (`dockergen verify --json`); keys are always present, `null` when a phase
did not run. Times are seconds (floats, one decimal), sizes bytes:

    {
      "schema": 1,
      "ok": true,                       # exit code 0 exactly when true
      "project": "path/as/given",
      "engine": "20.10.24",             # the engine's version (Docker's server, or Podman)
      "engine_name": "docker" | "podman",  # which engine built and ran it (added in schema 1:
                                        # readers must allow it missing)
      "build": {"ok": true, "seconds": 4.9, "log": null | "$TMPDIR/dockergen-verify-.../build.log",
                "image": null | "dockergen-verify-...", "image_size": 182000000,
                "failed_step": null | "[builder 5/5] RUN ...",
                "cache": "own" | "shared"},   # added in schema 1: readers allow it missing
      "run": {"mode": "server" | "cli" | "worker", "ok": true, "seconds": 1.2,
              "detail": "answered HTTP 200", "port": 8000, "host_port": 49153,
              "http_status": 200, "exit_code": null} | null,
      "rebuild": {"ok": true, "seconds": 0.4, "first_seconds": 4.9,
                  "changed_file": "app.py", "dependency_steps": 3,
                  "not_cached": [],
                  "log": null | "$TMPDIR/dockergen-verify-.../rebuild.log"} | null,
      "diagnoses": [{"pattern": "loopback", "cause": "...", "fix": "..."}],
      "output_tail": ["last lines of the container's output or the failed step"]
    }

Logs are kept (in a temporary directory, never in the project) only when verify fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockergen.text import printable
from dockergen.verify.diagnose import Diagnosis
from dockergen.verify.probe import ProbeResult

SCHEMA = 1


@dataclass(frozen=True)
class RebuildSummary:
    """The code-only rebuild check (`--cache`): which steps ran again."""

    ok: bool
    seconds: float
    first_seconds: float
    changed_file: str | None
    dependency_steps: int
    not_cached: tuple[str, ...]
    log: Path | None
    detail: str = ""


@dataclass
class Report:
    """Everything `dockergen verify` found, as printed and as JSON."""

    project: str
    engine: str | None = None  # its version
    engine_name: str | None = None  # docker | podman
    build_ok: bool = False
    build_seconds: float = 0.0
    log: Path | None = None  # kept only when verify fails
    image: str | None = None  # the tag, when --keep-image kept it
    image_size: int | None = None
    failed_step: str | None = None
    run: ProbeResult | None = None
    port: int | None = None
    host_port: int | None = None
    rebuild: RebuildSummary | None = None
    diagnoses: list[Diagnosis] = field(default_factory=list)
    output_tail: list[str] = field(default_factory=list)
    # "own": the build used cache mounts of this project's own; "shared": the Dockerfile's.
    cache: str = "own"

    @property
    def ok(self) -> bool:
        run_ok = self.run is not None and self.run.ok
        return self.build_ok and run_ok and (self.rebuild is None or self.rebuild.ok)


def to_json(report: Report) -> dict[str, Any]:
    build = {
        "ok": report.build_ok,
        "seconds": round(report.build_seconds, 1),
        "log": str(report.log) if report.log else None,
        "image": report.image,
        "image_size": report.image_size,
        "failed_step": report.failed_step,
        "cache": report.cache,
    }
    return {
        "schema": SCHEMA,
        "ok": report.ok,
        "project": report.project,
        "engine": report.engine,
        "engine_name": report.engine_name,
        "build": build,
        "run": _run_json(report),
        "rebuild": _rebuild_json(report.rebuild),
        "diagnoses": [
            {"pattern": d.pattern, "cause": d.cause, "fix": d.fix} for d in report.diagnoses
        ],
        "output_tail": report.output_tail,
    }


def _run_json(report: Report) -> dict[str, Any] | None:
    run = report.run
    if run is None:
        return None
    return {
        "mode": str(run.mode),
        "ok": run.ok,
        "seconds": round(run.seconds, 1),
        "detail": run.detail,
        "port": report.port,
        "host_port": report.host_port,
        "http_status": run.status,
        "exit_code": run.exited.exit_code if run.exited else None,
    }


def _rebuild_json(rebuild: RebuildSummary | None) -> dict[str, Any] | None:
    if rebuild is None:
        return None
    return {
        "ok": rebuild.ok,
        "seconds": round(rebuild.seconds, 1),
        "first_seconds": round(rebuild.first_seconds, 1),
        "changed_file": rebuild.changed_file,
        "dependency_steps": rebuild.dependency_steps,
        "not_cached": list(rebuild.not_cached),
        "log": str(rebuild.log) if rebuild.log else None,
    }


def human_lines(report: Report) -> list[str]:
    """The short summary printed on a terminal."""
    lines = [f"engine: {report.engine_name} {report.engine}"] if report.engine_name else []
    lines.append(_build_line(report))
    if report.run is not None:
        lines.append(_run_line(report, report.run))
    if report.rebuild is not None:
        lines.append(_rebuild_line(report.rebuild))
    if not report.ok and report.output_tail:
        lines.append("output (last lines):")
        lines += [f"  | {line}" for line in report.output_tail]
    for diagnosis in report.diagnoses:
        lines += [f"cause: {diagnosis.cause}", f"fix: {diagnosis.fix}"]
    if not report.ok and not report.diagnoses:
        lines.append("cause: not recognised; read the output above and the build log")
    lines.append("verify: OK" if report.ok else "verify: FAILED")
    # The container's output is the app's: it must not drive the terminal.
    return [printable(line) for line in lines]


def _build_line(report: Report) -> str:
    if not report.build_ok:
        step = f" at {report.failed_step}" if report.failed_step else ""
        return f"build: FAILED after {report.build_seconds:.1f} s{step}; log: {report.log}"
    size = f", image {report.image_size / 1e6:.0f} MB" if report.image_size else ""
    kept = f", kept as {report.image}" if report.image else ""
    cache = (
        "with cache mounts of this project's own"
        if report.cache == "own"
        else "with the engine's shared cache mounts (--shared-cache)"
    )
    return f"build: built in {report.build_seconds:.1f} s{size}{kept}, {cache}"


def _run_line(report: Report, run: ProbeResult) -> str:
    verdict = "ok" if run.ok else "FAILED"
    if run.mode == "server" and report.host_port is not None:
        where = f"127.0.0.1:{report.host_port} (container port {report.port})"
        return f"run: server {verdict}: {run.detail} on {where} after {run.seconds:.1f} s"
    return f"run: {run.mode} {verdict}: {run.detail}"


def _rebuild_line(rebuild: RebuildSummary) -> str:
    if rebuild.detail:
        return f"rebuild: FAILED: {rebuild.detail}"
    cached = rebuild.dependency_steps - len(rebuild.not_cached)
    head = "rebuild: ok" if rebuild.ok else "rebuild: FAILED"
    line = (
        f"{head}: code-only change to {rebuild.changed_file} rebuilt in {rebuild.seconds:.1f} s "
        f"(first build {rebuild.first_seconds:.1f} s); {cached}/{rebuild.dependency_steps} "
        "dependency steps CACHED"
    )
    if rebuild.not_cached:
        line += "; re-ran: " + ", ".join(rebuild.not_cached)
    return line
