"""The `dockergen` command: parse, call the library, print, map errors to exit codes."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dockergen import __version__
from dockergen.console import (
    carry_out,
    extras_for,
    locked,
    print_decisions,
    print_files,
    print_warnings,
    user_errors,
    write_extras,
)
from dockergen.decisions import explain_lines, plan_dict
from dockergen.detect import detect_project
from dockergen.extras_cli import compose_command, devcontainer_command
from dockergen.options import (
    AllowStaleLockOpt,
    AptBuildOpt,
    AptOpt,
    CommandOpt,
    DevcontainerOpt,
    DevOpt,
    DryRunOpt,
    ForceOpt,
    HealthcheckOpt,
    InstallerOpt,
    PathArg,
    PortOpt,
    PythonOpt,
    StrictOpt,
    TemplatesOpt,
    flags,
)

app = typer.Typer(
    name="dockergen",
    help="Generate a production-grade BuildKit Dockerfile from a Python project's metadata.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
    rich_markup_mode=None,
)
app.command("compose")(compose_command)
app.command("devcontainer")(devcontainer_command)


class CiProvider(StrEnum):
    GITHUB = "github"
    GITLAB = "gitlab"


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
    compose: Annotated[bool, typer.Option(help="Also write compose.yaml.")] = False,
    devcontainer: DevcontainerOpt = False,
    ci: Annotated[
        CiProvider | None, typer.Option(help="Also write a CI workflow that keeps the caches.")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Replace an existing Dockerfile/.dockerignore.")
    ] = False,
    dry_run: DryRunOpt = False,
    no_input: Annotated[bool, typer.Option(help="Never prompt; take the detected values.")] = False,
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
        if not dry_run and not no_input and _stdin_is_tty():
            from dockergen.prompts import ask

            given = ask(detect_project(path, given, allow_stale_lock=allow_stale_lock), given)
            compose = compose or typer.confirm("Also write compose.yaml", default=False)
        extras = extras_for(compose=compose, ci=ci, devcontainer=devcontainer)
        from dockergen.regenerate import plan

        checks = {"strict": strict, "allow_stale_lock": allow_stale_lock}
        if dry_run:  # what init would write, even over existing files
            planned = plan(path, given, mode="init", force=True, extras=extras, **checks)
            print_decisions(planned.spec)
            print_files(planned)
            return
        with locked(path):
            planned = plan(path, given, mode="init", force=force, extras=extras, **checks)
            print_decisions(planned.spec)
            carry_out(planned, path, report="written")


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
    force: Annotated[
        bool, typer.Option(help="Replace edited files with the new render (shows what is lost).")
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
        with locked(path):
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


@app.command("ci")
def ci_command(
    provider: Annotated[CiProvider, typer.Argument(help="The CI service.")],
    path: PathArg = Path(),
    image: Annotated[
        str | None, typer.Option(help="Push to this image, e.g. ghcr.io/OWNER/APP (not on PRs).")
    ] = None,
    force: ForceOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Write CI that runs `dockergen check` and BuildKit's checks, then builds with the caches.

    github: .github/workflows/docker.yml (layer cache type=gha, cache mounts carried by
    buildkit-cache-dance) and .github/dependabot.yml. gitlab: .gitlab-ci.yml (layer cache in
    the project's registry). Example: dockergen ci github
    """
    extras = extras_for(compose=False, ci=provider, image=image)
    write_extras(path, extras, force=force, dry_run=dry_run)


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
        for line in lines:
            typer.echo(line)


def main() -> None:
    app(prog_name="dockergen")


@app.command("verify")
def verify_command(
    path: PathArg = Path(),
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Dockerfile to build.")] = None,
    mode: Annotated[str, typer.Option(help="auto | server | cli | worker.")] = "auto",
    http_path: Annotated[str | None, typer.Option("--path", help="Must answer 2xx/3xx.")] = None,
    env: Annotated[list[str] | None, typer.Option(help="KEY=VALUE (repeatable).")] = None,
    env_file: Annotated[list[Path] | None, typer.Option(help="An env file.")] = None,
    read_only: Annotated[bool, typer.Option(help="--read-only, tmpfs /tmp.")] = False,
    cache: Annotated[bool, typer.Option(help="Check a code-only rebuild.")] = False,
    keep_image: Annotated[bool, typer.Option(help="Keep the built image.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to answer or exit.")] = 60.0,
    worker_seconds: Annotated[float, typer.Option(help="A worker runs this long.")] = 5.0,
    as_json: Annotated[bool, typer.Option("--json", help="JSON report (schema 1).")] = False,
) -> None:
    """Build the Dockerfile, run the image as production would, probe it, explain failures.

    Exit 0 when it works, 1 when not (with the cause and the fix). Example: dockergen verify
    --cache --path /health
    """
    from dockergen import verify as v

    with user_errors():
        try:
            options = v.VerifyOptions(
                path, file, v.parse_mode(mode), http_path, tuple(env or ()),
                tuple(env_file or ()), read_only, cache, keep_image, timeout, worker_seconds,
            )  # fmt: skip
            report = v.verify(options, v.Progress(sys.stderr, live=sys.stderr.isatty()))
        except v.VerifyUsageError as exc:
            typer.echo(f"dockergen: error: {exc}", err=True)
            raise typer.Exit(code=2) from None
        except KeyboardInterrupt:  # verify removed what it started before this
            typer.echo(
                "dockergen: error: interrupted; its container and image are removed", err=True
            )
            raise typer.Exit(code=130) from None
    lines = [json.dumps(v.to_json(report), indent=2)] if as_json else v.human_lines(report)
    typer.echo("\n".join(lines))
    raise typer.Exit(code=0 if report.ok else 1)
