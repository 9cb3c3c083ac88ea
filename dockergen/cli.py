"""The `dockergen` command: parse, call the library, print, map errors to exit codes."""

# No `from __future__ import annotations` in the modules that declare commands (this one,
# extras_cli, verify_cli): Typer reads every command's signature at each start, and would
# evaluate string annotations again, twice per command, on every run.

import dataclasses
import io
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from dockergen.console import (
    ask_on_terminal,
    carry_out,
    extras_for,
    locked,
    print_decisions,
    print_warnings,
    run_init,
    user_errors,
)
from dockergen.debian import newer_default
from dockergen.decisions import explain_lines, plan_dict
from dockergen.detect import detect_project
from dockergen.extras_cli import ci_command, compose_command, devcontainer_command
from dockergen.options import (
    AllowStaleLockOpt,
    AptBuildOpt,
    AptOpt,
    CiOpt,
    CommandOpt,
    ComposeOpt,
    DebianOpt,
    DevcontainerOpt,
    DevOpt,
    DryRunOpt,
    HealthcheckOpt,
    InitForceOpt,
    InstallerOpt,
    NoInputOpt,
    PathArg,
    PortOpt,
    PythonOpt,
    StrictOpt,
    TemplatesOpt,
    flags,
)
from dockergen.text import printable
from dockergen.verify_cli import verify_command
from dockergen.version import __version__

app = typer.Typer(
    name="dockergen",
    help="Generate a production-grade BuildKit Dockerfile from a Python project's metadata.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"dockergen {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Generate a production-grade BuildKit Dockerfile from a Python project's metadata."""


@app.command()
def init(
    path: PathArg = Path(),
    installer: InstallerOpt = None,
    python: PythonOpt = None,
    command: CommandOpt = None,
    port: PortOpt = None,
    apt: AptOpt = None,
    apt_build: AptBuildOpt = None,
    templates: TemplatesOpt = None,
    healthcheck: HealthcheckOpt = None,
    dev: DevOpt = None,
    debian: DebianOpt = None,
    compose: ComposeOpt = False,
    devcontainer: DevcontainerOpt = False,
    ci: CiOpt = None,
    force: InitForceOpt = False,
    dry_run: DryRunOpt = False,
    no_input: NoInputOpt = False,
    strict: StrictOpt = False,
    allow_stale_lock: AllowStaleLockOpt = False,
) -> None:
    """Write a Dockerfile and .dockerignore for the project at PATH.

    Flags are remembered (in pyproject.toml [tool.dockergen], else .dockergen.toml), so
    `dockergen update` reproduces them. Example: dockergen init . --python 3.12 --apt libpq5
    """
    with user_errors():
        dev = True if devcontainer else dev  # a dev container builds the dev target
        given = flags(
            path, installer, python, command, port, apt, apt_build, templates, healthcheck, dev
        )
        given = dataclasses.replace(given, debian=debian)
        checks = {"strict": strict, "allow_stale_lock": allow_stale_lock}
        if not dry_run and not no_input and _stdin_is_tty():
            given, compose = ask_on_terminal(path, given, compose, checks)
        extras = extras_for(compose=compose, ci=ci, devcontainer=devcontainer)
        run_init(path, given, extras, checks, force=force, dry_run=dry_run)


@app.command()
def update(
    path: PathArg = Path(),
    installer: InstallerOpt = None,
    python: PythonOpt = None,
    command: CommandOpt = None,
    port: PortOpt = None,
    apt: AptOpt = None,
    apt_build: AptBuildOpt = None,
    templates: TemplatesOpt = None,
    healthcheck: HealthcheckOpt = None,
    dev: DevOpt = None,
    debian: DebianOpt = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace edited files with the new render (shows what is lost)."
        ),
    ] = False,
    allow_stale_lock: AllowStaleLockOpt = False,
) -> None:
    """Regenerate after dependencies change, keeping your edits to the Dockerfile.

    Files you have not edited are replaced; edited ones are three-way merged with the new
    render. On a conflict, standard markers are written and the exit code is 1.
    Example: dockergen update --python 3.13
    """
    from dockergen.regenerate import plan

    with user_errors():
        given = flags(
            path, installer, python, command, port, apt, apt_build, templates, healthcheck, dev
        )
        given = dataclasses.replace(given, debian=debian)
        with locked(path, force=force):
            planned = plan(
                path, given, mode="update", force=force, allow_stale_lock=allow_stale_lock
            )
            print_decisions(planned.spec, planned.warnings)
            carry_out(planned, path, report="outcomes")


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


@app.command()
def check(path: PathArg = Path(), allow_stale_lock: AllowStaleLockOpt = False) -> None:
    """Exit 0 if the generated files are what `update` would write, else 1 with reasons.

    For CI and pre-commit. Example: dockergen check .
    """
    from dockergen.regenerate import plan

    with user_errors():
        planned = plan(path, allow_stale_lock=allow_stale_lock)
        print_warnings(planned.warnings)
        print_warnings(newer_default(planned.spec.debian))  # moving is the user's call
        if not planned.reasons:
            typer.echo("dockergen: up to date")
            return
        for reason in planned.reasons:
            typer.echo(f"dockergen: stale: {reason}", err=True)
        typer.echo("dockergen: run `dockergen update` to regenerate", err=True)
        raise typer.Exit(code=1)


@app.command()
def diff(path: PathArg = Path(), allow_stale_lock: AllowStaleLockOpt = False) -> None:
    """Show the unified diff `dockergen update` would apply. Example: dockergen diff"""
    from dockergen.outcome import coloured
    from dockergen.regenerate import plan, unified_diff

    with user_errors():
        colour = sys.stdout.isatty()
        planned = plan(path, allow_stale_lock=allow_stale_lock)
        print_warnings(planned.warnings)
        for outcome in planned.files:
            for line in unified_diff(outcome).splitlines(keepends=True):
                fg, bold = coloured(line)
                typer.echo(typer.style(line, fg=fg, bold=bold) if colour else line, nl=False)


@app.command()
def plan(
    path: PathArg = Path(),
    as_json: Annotated[bool, typer.Option("--json", help="Print the stable JSON form.")] = False,
    strict: StrictOpt = False,
    allow_stale_lock: AllowStaleLockOpt = False,
) -> None:
    """Print every decision and the source that decided it. Example: dockergen plan --json"""
    with user_errors():
        spec = detect_project(path, strict=strict, allow_stale_lock=allow_stale_lock)
        lines = [json.dumps(plan_dict(spec), indent=2)] if as_json else explain_lines(spec)
        if not as_json:  # where `dockergen ci` builds each platform, and the default's limits
            from dockergen.runners import ci_choices, plan_lines
            from dockergen.settings import resolve_settings

            lines += plan_lines(ci_choices(resolve_settings(path)))
        for line in lines:
            typer.echo(line)


# After init, update, check, diff and plan (defined above, in the order --help lists them).
app.command("verify")(verify_command)
app.command("compose")(compose_command)
app.command("devcontainer")(devcontainer_command)
app.command("ci")(ci_command)


def main() -> None:
    """Run the command line; Typer's own usage errors are printed with values cut short."""
    try:
        code = app(prog_name="dockergen", standalone_mode=False)
    except typer.Abort:  # a prompt answered with Ctrl-D
        typer.echo("Aborted!", err=True)
        sys.exit(1)
    except typer.TyperException as exc:  # a usage error, which quotes the value given
        shown = io.StringIO()
        show = getattr(exc, "show", None)  # Typer's click exceptions print usage and a hint
        if show is None:
            shown.write(f"Error: {exc.format_message()}\n")
        else:
            show(file=shown)
        for line in shown.getvalue().splitlines():
            typer.echo(printable(line), err=True)
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
