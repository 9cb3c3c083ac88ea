"""The `dockergen` command: parse, call the library, print, map errors to exit codes."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import shlex
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dockergen import __version__
from dockergen.answers import read_choices, remember, template_dir
from dockergen.detect import detect_project
from dockergen.errors import DockergenError, OutputExistsError, UnsafeValueError
from dockergen.model import Installer, Overrides, ProjectSpec, RenderedFile
from dockergen.plan import explain_lines, plan_dict, summary_lines
from dockergen.render import render_files
from dockergen.write import write_planned

app = typer.Typer(
    name="dockergen",
    help="Generate a production-grade BuildKit Dockerfile from a Python project's metadata.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
    rich_markup_mode=None,
)


class CiProvider(StrEnum):
    GITHUB = "github"


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


PathArg = Annotated[
    Path, typer.Argument(exists=True, file_okay=False, help="The project directory.")
]
InstallerOpt = Annotated[
    Installer | None, typer.Option(help="Skip detection and use this installer.")
]
PythonOpt = Annotated[
    str | None, typer.Option(help="Python version for the image, e.g. 3.12 or 3.12.4.")
]
CommandOpt = Annotated[
    str | None, typer.Option(help="Start command, e.g. 'gunicorn app:app'; becomes CMD.")
]
PortOpt = Annotated[int | None, typer.Option(help="Port the app listens on; becomes EXPOSE.")]
AptOpt = Annotated[
    list[str] | None, typer.Option(help="Debian package for the final image (repeatable).")
]
AptBuildOpt = Annotated[
    list[str] | None,
    typer.Option(help="Debian package needed only to build dependencies (repeatable)."),
]
NoInputOpt = Annotated[bool, typer.Option(help="Never prompt; take the detected values.")]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        exists=True,
        file_okay=False,
        help="A team's template directory overriding built-in templates by name (remembered).",
    ),
]
ForceOpt = Annotated[bool, typer.Option(help="Replace the file if it exists.")]
StrictOpt = Annotated[
    bool, typer.Option(help="Make contradicting Python versions an error, not a warning.")
]
DryRunOpt = Annotated[bool, typer.Option(help="Print the file instead of writing it.")]


def _overrides(
    installer: Installer | None,
    python: str | None,
    command: str | None,
    port: int | None,
    apt: list[str] | None,
    apt_build: list[str] | None,
    templates: Path | None = None,
    *,
    root: Path = Path(),
) -> Overrides:
    return Overrides(
        installer=installer,
        python=python,
        command=_split_command(command),
        port=port,
        apt_run=tuple(apt or ()),
        apt_build=tuple(apt_build or ()),
        templates=_relative(templates, root) if templates else None,
    )


def _relative(folder: Path, root: Path) -> str:
    """Recorded relative to the project, so the answer works in any clone."""
    try:
        return folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise DockergenError(
            f"--templates: {folder} is outside the project; put the template folder inside the "
            "project, so the remembered answer works in every clone"
        ) from None


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
    compose: Annotated[bool, typer.Option(help="Also write compose.yaml.")] = False,
    ci: Annotated[
        CiProvider | None, typer.Option(help="Also write a CI workflow that keeps the caches.")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Replace an existing Dockerfile/.dockerignore.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Print the files instead of writing them.")] = False,
    no_input: NoInputOpt = False,
    strict: StrictOpt = False,
) -> None:
    """Write a Dockerfile and .dockerignore for the project at PATH.

    Flags are remembered (in pyproject.toml [tool.dockergen], else .dockergen.toml), so
    `dockergen update` reproduces them. Example: dockergen init . --python 3.12 --apt libpq5
    """
    with _user_errors():
        flags = _overrides(installer, python, command, port, apt, apt_build, templates, root=path)
        if dry_run:
            spec = detect_project(path, flags, strict=strict)
            _print_decisions(spec)
            _print_files(
                render_files(spec, template_dir(path, remember(read_choices(path), flags)))
            )
            return
        if not no_input and _stdin_is_tty():
            flags = _ask(detect_project(path, flags), flags)
            compose = compose or typer.confirm("Also write compose.yaml", default=False)
        from dockergen.update import plan_update  # merging is for writing only: keep --dry-run fast

        update = plan_update(path, flags, force=force, fresh=True, strict=strict)
        extras = _extra_files(update.spec, path, compose=compose, ci=ci, templates=templates)
        _refuse_existing(extras, path, force=force)
        _print_decisions(update.spec)
        _report_writes(write_planned((*update.writes, *extras), path), path)


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
    force: Annotated[
        bool, typer.Option(help="Replace edited files with the new render (shows what is lost).")
    ] = False,
    no_input: NoInputOpt = False,
) -> None:
    """Regenerate after dependencies change, keeping your edits to the Dockerfile.

    Files you have not edited are replaced; edited ones are three-way merged with the new
    render. On a conflict, standard markers are written and the exit code is 1.
    Example: dockergen update --python 3.13
    """
    from dockergen.update import RECORD, plan_update, unified_diff

    with _user_errors():
        plan = plan_update(
            path,
            _overrides(installer, python, command, port, apt, apt_build, templates, root=path),
            force=force,
            fresh=False,
        )
        _print_decisions(plan.spec)
        for outcome in plan.files:
            if outcome.action == "replace":
                typer.echo(f"{outcome.name}: replaced; these edits of yours are gone:")
                typer.echo(unified_diff(outcome), nl=False)
            else:
                typer.echo(f"{outcome.name}: {_OUTCOME_WORDS[outcome.action]}")
        backups = [
            RenderedFile(f"{RECORD}/before-update/{o.name}", o.current or "")
            for o in plan.conflicts
        ]
        write_planned((*plan.writes, *backups), path)
        if plan.conflicts:
            for outcome in plan.conflicts:
                lines = ", ".join(str(c.line) for c in outcome.conflicts)
                typer.echo(
                    f"dockergen: error: {outcome.name} has {len(outcome.conflicts)} conflict(s) "
                    f"at line(s) {lines}; your previous file is in "
                    f"{RECORD}/before-update/{outcome.name}; resolve the markers, then run "
                    "`dockergen check`",
                    err=True,
                )
            raise typer.Exit(code=1)


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _ask(spec: ProjectSpec, flags: Overrides) -> Overrides:
    """Cookiecutter-style: each value pre-filled with what was detected and where; Enter keeps it.

    Only changed values become answers, so an accepted default keeps following the project.
    """
    python = spec.python
    asked_python = typer.prompt(f"Python version ({python.detail})", default=python.value)
    command = shlex.join(spec.command.value) if spec.command else ""
    where = spec.command.detail if spec.command else "none found"
    asked_command = typer.prompt(
        f"Start command ({where})", default=command, show_default=bool(command)
    )
    port = str(spec.port.value) if spec.port else ""
    asked_port = typer.prompt("Port to EXPOSE (empty: none)", default=port, show_default=bool(port))
    apt = " ".join(spec.apt_run)
    asked_apt = typer.prompt(
        "Extra Debian packages for the image", default=apt, show_default=bool(apt)
    )
    changes: dict[str, object] = {}
    if asked_python != python.value:
        changes["python"] = asked_python
    if asked_command != command:
        changes["command"] = _split_command(asked_command) or None
    if asked_port != port:
        if not asked_port.isdigit():
            raise UnsafeValueError("port", asked_port, "prompt", "give a number such as 8000")
        changes["port"] = int(asked_port)
    if asked_apt != apt:
        changes["apt_run"] = tuple(asked_apt.replace(",", " ").split())
    return dataclasses.replace(flags, **changes)


def _report_writes(written: list[Path], root: Path, *, quiet_outputs: bool = False) -> None:
    """One line per file written; dockergen's own record summed up in one."""
    from dockergen.update import RECORD

    record = [p for p in written if p.relative_to(root).parts[0] == RECORD]
    answers = ("pyproject.toml", ".dockergen.toml")
    for target in written:
        if target not in record and (not quiet_outputs or target.name in answers):
            typer.echo(f"wrote {target}")
    if record:
        typer.echo(
            f"recorded this render in {root / RECORD} (commit it; `update` merges against it)"
        )


_OUTCOME_WORDS = {
    "create": "created",
    "unchanged": "up to date",
    "regenerate": "regenerated",
    "merge": "regenerated, your edits merged in",
    "conflict": "CONFLICT",
}


@app.command()
def check(path: PathArg = Path()) -> None:
    """Exit 0 if the generated files are what `update` would write, else 1 with reasons.

    For CI and pre-commit. Example: dockergen check .
    """
    from dockergen.update import plan_update

    with _user_errors():
        plan = plan_update(path, Overrides(), force=False, fresh=False)
        if not plan.reasons:
            typer.echo("dockergen: up to date")
            return
        for reason in plan.reasons:
            typer.echo(f"dockergen: stale: {reason}", err=True)
        typer.echo("dockergen: run `dockergen update` to regenerate", err=True)
        raise typer.Exit(code=1)


@app.command()
def diff(path: PathArg = Path()) -> None:
    """Show the unified diff `dockergen update` would apply. Example: dockergen diff"""
    from dockergen.update import plan_update, unified_diff

    with _user_errors():
        plan = plan_update(path, Overrides(), force=False, fresh=False)
        colour = sys.stdout.isatty()
        for outcome in plan.files:
            for line in unified_diff(outcome).splitlines(keepends=True):
                typer.echo(_coloured(line) if colour else line, nl=False)


def _coloured(line: str) -> str:
    if line.startswith(("+++", "---")):
        return typer.style(line, bold=True)
    colour = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1])
    return typer.style(line, fg=colour) if colour else line


def _extra_files(
    spec: ProjectSpec, root: Path, *, compose: bool, ci: CiProvider | None, templates: Path | None
) -> tuple[RenderedFile, ...]:
    from dockergen.ci import render_workflow
    from dockergen.compose import render_compose

    folder = _team_templates(root, templates)
    files = [render_compose(spec, folder)] if compose else []
    if ci:
        files.append(render_workflow(spec, template_dir=folder))
    return tuple(files)


def _team_templates(root: Path, flag: Path | None) -> Path | None:
    """The team's template folder: the flag given now, else the recorded answer."""
    given = Overrides(templates=_relative(flag, root) if flag else None)
    return template_dir(root, remember(read_choices(root), given))


def _refuse_existing(files: tuple[RenderedFile, ...], root: Path, *, force: bool) -> None:
    existing = [str(root / f.name) for f in files if (root / f.name).exists()]
    if existing and not force:
        raise OutputExistsError(existing)


def _print_files(files: tuple[RenderedFile, ...]) -> None:
    for file in files:
        typer.echo(f"--- {file.name} ---")
        typer.echo(file.content, nl=False)


def _write_one(file: RenderedFile, root: Path, *, force: bool, dry_run: bool) -> None:
    if dry_run:
        _print_files((file,))
        return
    _refuse_existing((file,), root, force=force)
    for written in write_planned((file,), root):
        typer.echo(f"wrote {written}")


@app.command("compose")
def compose_command(
    path: PathArg = Path(),
    templates: TemplatesOpt = None,
    force: ForceOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Write compose.yaml: the app's port, a healthcheck, `docker compose up --watch`.

    Example: dockergen compose . && docker compose up --watch
    """
    from dockergen.compose import render_compose

    with _user_errors():
        spec = detect_project(path, Overrides())
        folder = _team_templates(path, templates)
        _write_one(render_compose(spec, folder), path, force=force, dry_run=dry_run)


@app.command("ci")
def ci_command(
    provider: Annotated[CiProvider, typer.Argument(help="The CI service.")],
    path: PathArg = Path(),
    image: Annotated[
        str | None, typer.Option(help="Push to this image, e.g. ghcr.io/OWNER/APP (not on PRs).")
    ] = None,
    templates: TemplatesOpt = None,
    force: ForceOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Write a CI workflow that builds the image and keeps BOTH caches between runs.

    The layer cache goes to the CI cache (type=gha, mode=max); the cache mounts (/root/.cache,
    apt) are carried across runs by buildkit-cache-dance. Example: dockergen ci github
    """
    from dockergen.ci import render_workflow

    with _user_errors():
        spec = detect_project(path, Overrides())
        folder = _team_templates(path, templates)
        _write_one(
            render_workflow(spec, image=image, template_dir=folder),
            path,
            force=force,
            dry_run=dry_run,
        )


@app.command()
def plan(
    path: PathArg = Path(),
    as_json: Annotated[bool, typer.Option("--json", help="Print the stable JSON form.")] = False,
    strict: StrictOpt = False,
) -> None:
    """Print every decision and the source that decided it. Example: dockergen plan --json"""
    with _user_errors():
        spec = detect_project(path, Overrides(), strict=strict)
        if as_json:
            typer.echo(json.dumps(plan_dict(spec), indent=2))
            return
        for line in explain_lines(spec):
            typer.echo(line)


def _split_command(command: str | None) -> tuple[str, ...] | None:
    if command is None:
        return None
    try:
        return tuple(shlex.split(command))
    except ValueError as exc:
        raise UnsafeValueError("command", command, "--command", f"fix the quoting ({exc})") from exc


def _print_decisions(spec: ProjectSpec) -> None:
    for line in summary_lines(spec):
        typer.echo(line)
    for warning in spec.warnings:
        typer.echo(f"dockergen: warning: {warning}", err=True)


def main() -> None:
    app(prog_name="dockergen")
