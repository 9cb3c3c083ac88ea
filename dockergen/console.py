"""How the CLI talks: errors as one line, warnings, decisions, and carrying out a plan.

Part of the command-line side (it prints with typer); the library never imports it.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from dockergen.decisions import summary_lines
from dockergen.errors import DockergenError
from dockergen.model import Overrides, ProjectSpec
from dockergen.text import printable

if TYPE_CHECKING:
    from dockergen.regenerate import Extra, Plan


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """A command's work: expected failures as one line, exit 1; Ctrl-C as one line, exit 130,
    raised as KeyboardInterrupt in here so that what the work started is cleaned up."""
    with _interruptible():
        try:
            yield
        except DockergenError as exc:
            typer.echo(f"dockergen: error: {printable(str(exc))}", err=True)
            raise typer.Exit(code=1) from None
        except KeyboardInterrupt:
            typer.echo(f"dockergen: error: {INTERRUPTED}", err=True)
            raise typer.Exit(code=130) from None


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt in here, whatever the entry point (__main__) set for
    start-up, and gets its earlier handler back after."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set a handler (and receives the signal)
        return
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if before is None else before)


INTERRUPTED = (
    "interrupted; every file is either as it was or complete, and until the change is whole "
    "`dockergen check` says so: run the command again to finish"
)


@contextlib.contextmanager
def locked(path: Path, *, force: bool = False) -> Iterator[None]:
    """One writing dockergen at a time per project, from planning to the last write; a run
    that was interrupted is finished first (with `force`, given up if it cannot be)."""
    from dockergen.write import finish_interrupted, project_lock

    with project_lock(path):
        if finished := finish_interrupted(path, force=force):
            typer.echo(printable(f"finished an interrupted run: wrote {', '.join(finished)}"))
        yield


def carry_out(planned: Plan, root: Path, *, report: str) -> None:
    """Write the plan, then say what happened; conflicts exit 1."""
    from dockergen.outcome import report_lines
    from dockergen.write import write_planned

    written = write_planned(planned.writes, root)
    for line, to_stderr in report_lines(planned, written, root, style=report):
        typer.echo(line, err=to_stderr, nl=not line.endswith("\n"))
    if planned.conflicts:
        raise typer.Exit(code=1)


def print_decisions(spec: ProjectSpec, more: Sequence[str] = ()) -> None:
    for line in summary_lines(spec):
        typer.echo(line)
    print_warnings((*spec.warnings, *more))


def print_warnings(warnings: Sequence[str]) -> None:
    for warning in warnings:
        typer.echo(f"dockergen: warning: {printable(warning)}", err=True)


def write_extras(
    path: Path,
    extras: Sequence[Extra],
    *,
    force: bool,
    dry_run: bool,
    flags: Overrides | None = None,
) -> None:
    """Write extra files; `flags` (dockergen ci's choices) are remembered in the answers."""
    from dockergen.regenerate import plan

    with user_errors():
        if dry_run:
            print_files(plan(path, flags, mode="extras", force=True, extras=extras))
            return
        with locked(path, force=force):
            planned = plan(path, flags, mode="extras", force=force, extras=extras)
            carry_out(planned, path, report="written")


def extras_for(
    *, compose: bool, ci: str | None, image: str | None = None, devcontainer: bool = False
) -> list[Extra]:
    # Each renderer is imported only when asked for: plain `init` stays fast.
    found: list[Extra] = []
    if compose:
        from dockergen.compose import render_compose

        found.append(lambda spec, settings: render_compose(spec, settings.template_dir))
    if devcontainer:
        from dockergen.devcontainer import render_devcontainer

        found.append(lambda spec, settings: render_devcontainer(spec, settings.template_dir))
    if ci:
        from dockergen.ci import ci_extras

        found.extend(ci_extras(ci, image))
    return found


def print_files(planned: Plan) -> None:
    """--dry-run: each file as it would be written."""
    for outcome in planned.files:
        typer.echo(f"--- {outcome.name} ---")
        typer.echo(outcome.content, nl=False)


def ask_on_terminal(
    path: Path, given: Overrides, compose: bool, checks: dict[str, bool]
) -> tuple[Overrides, bool]:
    """init's questions, each pre-filled with what was detected."""
    from dockergen.detect import detect_project
    from dockergen.prompts import ask

    given = ask(detect_project(path, given, allow_stale_lock=checks["allow_stale_lock"]), given)
    return given, compose or typer.confirm("Also write compose.yaml", default=False)


def run_init(
    path: Path,
    given: Overrides,
    extras: Sequence[Extra],
    checks: dict[str, bool],
    *,
    force: bool,
    dry_run: bool,
) -> None:
    """Plan init's files; print them (--dry-run, even over existing files) or write them."""
    from dockergen.regenerate import plan

    if dry_run:
        planned = plan(path, given, mode="init", force=True, extras=extras, **checks)
        print_decisions(planned.spec)
        print_files(planned)
        return
    with locked(path, force=force):
        planned = plan(path, given, mode="init", force=force, extras=extras, **checks)
        print_decisions(planned.spec)
        carry_out(planned, path, report="written")
