"""The `dockergen` command: parse, call the library, print, map errors to exit codes."""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from dockergen import __version__
from dockergen.detect import detect_project
from dockergen.errors import DockergenError, UnsafeValueError
from dockergen.model import Decided, Installer, Overrides, ProjectSpec
from dockergen.render import render_files
from dockergen.write import write_files

app = typer.Typer(
    name="dockergen",
    help="Generate a production-grade BuildKit Dockerfile from a Python project's metadata.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except DockergenError as exc:
        typer.echo(f"dockergen: error: {exc}", err=True)
        raise typer.Exit(code=1) from None


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
    path: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="The project directory.")
    ] = Path(),
    installer: Annotated[
        Installer | None, typer.Option(help="Skip detection and use this installer.")
    ] = None,
    python: Annotated[
        str | None, typer.Option(help="Python version for the image, e.g. 3.12 or 3.12.4.")
    ] = None,
    command: Annotated[
        str | None, typer.Option(help="Start command, e.g. 'gunicorn app:app'; becomes CMD.")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port the app listens on; becomes EXPOSE.")
    ] = None,
    apt: Annotated[
        list[str] | None, typer.Option(help="Debian package for the final image (repeatable).")
    ] = None,
    apt_build: Annotated[
        list[str] | None,
        typer.Option(help="Debian package needed only to build dependencies (repeatable)."),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Overwrite an existing Dockerfile/.dockerignore.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Print the files instead of writing them.")] = False,
    no_input: Annotated[bool, typer.Option(help="Never prompt; take the detected values.")] = False,
) -> None:
    """Write a Dockerfile and .dockerignore for the project at PATH.

    Example: dockergen init . --python 3.12 --apt libpq5
    """
    with _user_errors():
        overrides = Overrides(
            installer=installer,
            python=python,
            command=_split_command(command),
            port=port,
            apt_run=tuple(apt or ()),
            apt_build=tuple(apt_build or ()),
        )
        spec = detect_project(path, overrides)
        _print_decisions(spec)
        files = render_files(spec)
        if dry_run:
            for file in files:
                typer.echo(f"--- {file.name} ---")
                typer.echo(file.content, nl=False)
            return
        for written in write_files(files, path, force=force):
            typer.echo(f"wrote {written}")


def _split_command(command: str | None) -> tuple[str, ...] | None:
    if command is None:
        return None
    try:
        return tuple(shlex.split(command))
    except ValueError as exc:
        raise UnsafeValueError("command", command, "--command", f"fix the quoting ({exc})") from exc


def _describe(what: str, decided: Decided[str] | None) -> str:
    if decided is None:
        return f"{what}: none"
    return f"{what}: {decided.value} ({decided.detail})"


def _print_decisions(spec: ProjectSpec) -> None:
    command = spec.command
    typer.echo(
        _describe("installer", Decided(spec.installer.value.value, "", spec.installer.detail))
    )
    typer.echo(_describe("python", spec.python))
    typer.echo(
        _describe(
            "command", Decided(shlex.join(command.value), "", command.detail) if command else None
        )
    )
    for warning in spec.warnings:
        typer.echo(f"dockergen: warning: {warning}", err=True)


def main() -> None:
    app(prog_name="dockergen")
