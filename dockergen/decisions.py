"""Every decision in a ProjectSpec as plain data: for `dockergen plan --json`, for the record
`update` keeps, and for the reasons `check` gives when files are stale.

The JSON is a stable contract (bump SCHEMA on any incompatible change):

    {"schema": 1,
     "installer": Decision, "python": Decision, "debian": Decision,
     "command": Decision | null, "port": Decision | null, "installer_release": Decision | null,
     "release": Decision | null,  (the one-off pre-deploy command; added in schema 1)
     "lock": {"file": str | null, "enforced": bool},
     "manifests": [str], "installs_project": bool, "deps_before_source": bool,
     "apt": {"build": [str], "run": [str], "reasons": [str]},
     "build_steps": [Decision], "indexes": [{"url": str, "source": str}], "warnings": [str],
     "dev": {"manifests": [str], "groups": [str], "command": [str] | null},  (dev: only with --dev)
     "version_from_git": Decision | null,
     "stub": Decision | null, "stub_refused": Decision | null}
    version_from_git.value names the variable the build backend reads its version from, set
    from the APP_VERSION build argument (added in schema 1: readers must allow it missing).
    stub.value lists the stand-ins for the project's packages its install runs against, before
    the source; stub_refused.value says why the project installs from its source instead (both
    added in schema 1, null when the project itself is not installed).
    Decision = {"value": str | int | [str], "source": str, "detail": str, "overridden": [str]}
"""

from __future__ import annotations

import shlex
from typing import Any, Final

from dockergen.buildcontext import VERSION_ARG
from dockergen.buildplan import plan_build
from dockergen.model import Decided, ProjectSpec
from dockergen.steps import BuildPlan
from dockergen.text import printable, shown

SCHEMA: Final = 1
NO_LOCK: Final = "lock: none (versions resolved at build time)"


def _decision(decided: Decided[Any] | None) -> dict[str, Any] | None:
    if decided is None:
        return None
    value = list(decided.value) if isinstance(decided.value, tuple) else decided.value
    return {
        "value": str(value) if hasattr(value, "value") else value,
        "source": decided.source,
        "detail": decided.detail,
        "overridden": list(decided.overridden),
    }


def plan_dict(spec: ProjectSpec) -> dict[str, Any]:
    lockfile = spec.install.lockfile
    return {
        "schema": SCHEMA,
        "installer": _decision(spec.installer),
        "python": _decision(spec.python),
        "debian": _decision(spec.debian),
        "command": _decision(spec.command),
        "release": _decision(spec.release),
        "port": _decision(spec.port),
        "installer_release": _decision(spec.install.tool_requirements),
        "lock": {"file": lockfile, "enforced": spec.install.locked},
        "manifests": list(spec.manifests),
        "installs_project": spec.install.installs_project,
        "deps_before_source": spec.install.deps_before_source,
        "apt": {
            "build": list(spec.apt.build),
            "run": list(spec.apt.run),
            "reasons": list(spec.apt.reasons),
        },
        "build_steps": [_decision(step) for step in spec.build_steps],
        "indexes": [{"url": i.value, "source": i.source} for i in spec.indexes],
        "warnings": list(spec.warnings),
        **({"dev": _dev(spec)} if spec.dev else {}),
        "version_from_git": _decision(spec.version_from_git),
        "stub": _decision(spec.stub.packages),
        "stub_refused": _decision(spec.stub.refused),
    }


def _dev(spec: ProjectSpec) -> dict[str, Any]:
    dev = spec.dev
    assert dev is not None
    command = list(dev.command) if dev.command else None
    return {"manifests": list(dev.manifests), "groups": list(dev.groups), "command": command}


def summary_lines(spec: ProjectSpec, plan: BuildPlan | None = None) -> list[str]:
    """One line per decision, with the source that decided it."""
    plan = plan or plan_build(spec)

    def line(name: str, decided: Decided[Any] | None, shown: str | None = None) -> str:
        if decided is None:
            return f"{name}: none"
        return f"{name}: {shown or decided.value} ({decided.detail})"

    command = spec.command
    shown_command = shlex.join(command.value) if command else None
    lines = [
        line("installer", spec.installer, str(spec.installer.value)),
        line("python", spec.python),
        line("debian", spec.debian),
        line("command", command, shown_command),
    ]
    if spec.port:
        lines.append(line("port", spec.port))
    if version := spec.version_from_git:
        lines.append(
            f"version: from git, so from --build-arg {VERSION_ARG}=... as {version.value} "
            f"({version.source} {version.detail})"
        )
    if project := _project_line(spec, plan):
        lines.append(project)
    if spec.indexes:
        urls = ", ".join(f"{i.value} ({i.source})" for i in spec.indexes)
        lines.append(f"indexes: {urls}; credentials: --secret id=netrc")
    if spec.apt.build or spec.apt.run:
        build, run = " ".join(spec.apt.build) or "-", " ".join(spec.apt.run) or "-"
        lines.append(f"apt: build {build}; run {run}")
    if spec.dev:
        groups = ", ".join(spec.dev.groups) or "none declared"
        lines.append(f"dev: target `dev` (dev dependencies: {groups})")
    return [printable(line) for line in lines]


def _project_line(spec: ProjectSpec, plan: BuildPlan) -> str | None:
    """Where the build plan installs the project (before its source, against stand-ins, or
    from it), and why."""
    if plan.project == "stand-ins" and spec.stub.packages:
        packages = ", ".join(spec.stub.packages.value)
        return (
            f"project: installed before its source, against stand-ins for {packages} "
            f"({spec.stub.packages.detail}): a code change re-runs nothing in the builder"
        )
    if plan.project == "source" and spec.stub.refused:
        return (
            f"project: installed from its source ({spec.stub.refused.value}): "
            "a code change re-runs its install"
        )
    return None


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why a new render differs, in words: 'installer is now poetry (poetry.lock), was pip'."""
    reasons = []
    for key in ("installer", "python", "debian", "command", "port"):
        before, after = old.get(key), new.get(key)
        if (before or {}).get("value") != (after or {}).get("value"):
            was = f", was {_shown(before)}" if before else ""
            now = f"{_shown(after)} ({after['detail']})" if after else "none"
            reasons.append(f"{key} is now {now}{was}")
    for key in ("manifests", "apt", "lock", "installs_project", "dev", "installer_release"):
        if old.get(key) != new.get(key):
            reasons.append(f"{key.replace('_', ' ')} changed: {old.get(key)} -> {new.get(key)}")
    return reasons


def _shown(decision: dict[str, Any] | None) -> str:
    if decision is None:
        return "none"
    value = decision["value"]
    return shown(" ".join(map(str, value)) if isinstance(value, list) else str(value))


def explain_lines(spec: ProjectSpec) -> list[str]:
    """`dockergen plan`: every decision, its source, and what it won over."""
    lines: list[str] = []
    decisions = (
        ("installer", spec.installer),
        ("python", spec.python),
        ("debian", spec.debian),
        ("command", spec.command),
        ("port", spec.port),
    )
    plan = plan_build(spec)
    summary = {line.split(":", 1)[0]: line for line in summary_lines(spec, plan)}
    for name, decided in decisions:
        lines.append(summary.get(name, f"{name}: none"))
        lines += [f"  instead of: {loser}" for loser in (decided.overridden if decided else ())]
    if spec.release:
        lines.append(f"release: {shlex.join(spec.release.value)} ({spec.release.detail})")
    lines += [line for line in summary.values() if line.startswith(("version:", "project:"))]
    if release := spec.install.tool_requirements:
        lines.append(f"installer release: {' '.join(release.value)} ({release.detail})")
    lockfile = spec.install.lockfile
    lines.append(f"lock: {lockfile}, enforced" if lockfile else NO_LOCK)
    build, run = " ".join(spec.apt.build) or "-", " ".join(spec.apt.run) or "-"
    lines.append(f"apt: build {build}; run {run}")
    lines += [f"  {reason}" for reason in spec.apt.reasons]
    lines += [f"build step: {' '.join(s.value)} ({s.detail})" for s in spec.build_steps]
    lines.append(_bytecode_line(plan))
    lines += [
        f"index: {i.value} ({i.source}); credentials: --secret id=netrc" for i in spec.indexes
    ]
    lines += [line for line in summary.values() if line.startswith("dev:")]
    lines += [f"warning: {warning}" for warning in spec.warnings]
    return [printable(line) for line in lines]


def _bytecode_line(plan: BuildPlan) -> str:
    """Where each part of the image's Python gets its bytecode (the plan's final stage)."""
    when = (
        f"compiled in the `{' '.join(plan.compile_step)}` step, which re-runs after a "
        "code change anyway"
        if plan.compile_step
        else "compiled at first import in each container (a compile step of its own would "
        "re-run after every code change)"
    )
    stdlib = "standard library and dependencies compiled in the image"
    return f"bytecode: {stdlib}; the app's own source {when}"
