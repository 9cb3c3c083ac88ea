"""The command-line options shared by dockergen's commands, and the Overrides they make.

A flag that only switches something on is named once (`--no-input`, `--dry-run`), never with
a `--no-` twin; only remembered answers that can be switched back off have one (`--dev/--no-dev`).

Part of the CLI (it uses typer); the library never sees these.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dockergen.errors import DockergenError
from dockergen.model import Installer, Overrides
from dockergen.prompts import split_command
from dockergen.text import shown


class CiProvider(StrEnum):
    GITHUB = "github"
    GITLAB = "gitlab"


PathArg = Annotated[
    Path, typer.Argument(exists=True, file_okay=False, help="The project directory.")
]
InstallerOpt = Annotated[
    Installer | None, typer.Option(help="Skip detection and use this installer.")
]
PythonOpt = Annotated[
    str | None, typer.Option(help="Python version for the image, e.g. 3.12 or 3.12.4.")
]
DebianOpt = Annotated[
    str | None,
    typer.Option(help="Debian release of the python image: bookworm or trixie (remembered)."),
]
CommandOpt = Annotated[
    str | None, typer.Option(help="Start command, e.g. 'gunicorn app:app'; becomes CMD.")
]
PortOpt = Annotated[int | None, typer.Option(help="Port the app listens on; becomes EXPOSE.")]
HealthcheckOpt = Annotated[
    str | None,
    typer.Option(help="URL path for a Dockerfile HEALTHCHECK, e.g. /health (remembered)."),
]
AptOpt = Annotated[
    list[str] | None, typer.Option(help="Debian package for the final image (repeatable).")
]
AptBuildOpt = Annotated[
    list[str] | None,
    typer.Option(help="Debian package needed only to build dependencies (repeatable)."),
]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        exists=True,
        file_okay=False,
        help="A team's template directory overriding built-in templates by name (remembered).",
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]
StrictOpt = Annotated[
    bool,
    typer.Option("--strict", help="Make contradicting Python versions an error, not a warning."),
]
DevOpt = Annotated[
    bool | None,
    typer.Option(
        "--dev/--no-dev",
        help="Also render a `dev` target (dev dependencies, the project editable, reload) and "
        "point compose.yaml at it (remembered).",
    ),
]
DevcontainerOpt = Annotated[
    bool,
    typer.Option(
        "--devcontainer", help="Also write .devcontainer/devcontainer.json (implies --dev)."
    ),
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Print the files instead of writing them.")
]
AllowStaleLockOpt = Annotated[
    bool,
    typer.Option(
        "--allow-stale-lock",
        help="Warn about a lock file out of date with its manifest instead of refusing it "
        "(this run only; the image build itself still refuses such a lock).",
    ),
]


def flags(
    root: Path,
    installer: Installer | None = None,
    python: str | None = None,
    command: str | None = None,
    port: int | None = None,
    apt: list[str] | None = None,
    apt_build: list[str] | None = None,
    templates: Path | None = None,
    healthcheck: str | None = None,
    dev: bool | None = None,
    debian: str | None = None,
) -> Overrides:
    return Overrides(
        installer=installer,
        python=python,
        command=None if command is None else split_command(command),
        port=port,
        apt_run=tuple(apt or ()),
        apt_build=tuple(apt_build or ()),
        templates=relative_folder(templates, root) if templates else None,
        healthcheck=healthcheck,
        dev=dev,
        debian=debian,
    )


def relative_folder(folder: Path, root: Path) -> str:
    """Recorded relative to the project, so the answer works in any clone."""
    try:
        return folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise DockergenError(
            f"--templates: {shown(str(folder))} is outside the project; put the template folder "
            "inside the project, so the remembered answer works in every clone"
        ) from None


# init's own options.
ComposeOpt = Annotated[bool, typer.Option("--compose", help="Also write compose.yaml.")]
CiOpt = Annotated[
    CiProvider | None, typer.Option(help="Also write a CI workflow that keeps the caches.")
]
InitForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace an existing Dockerfile/.dockerignore.")
]
NoInputOpt = Annotated[
    bool, typer.Option("--no-input", help="Never prompt; take the detected values.")
]
