"""`dockergen compose`, `devcontainer` and `ci`: the extra files, registered by dockergen.cli."""

# Annotations are objects, not strings: Typer reads them at each start (see dockergen/cli.py).

from pathlib import Path
from typing import Annotated

import typer

from dockergen.console import extras_for, write_extras
from dockergen.model import Overrides
from dockergen.options import CiProvider, DryRunOpt, ForceOpt, PathArg


def compose_command(
    path: PathArg = Path(), force: ForceOpt = False, dry_run: DryRunOpt = False
) -> None:
    """Write compose.yaml: the app's port, a healthcheck, `docker compose up --watch`.

    With the dev target (`--dev`), compose runs it and syncs code edits into the container.
    Example: dockergen compose . && docker compose up --watch
    """
    write_extras(path, extras_for(compose=True, ci=None), force=force, dry_run=dry_run)


def devcontainer_command(
    path: PathArg = Path(), force: ForceOpt = False, dry_run: DryRunOpt = False
) -> None:
    """Write .devcontainer/devcontainer.json: the Dockerfile's `dev` target as a dev container.

    Needs the dev target (`dockergen update --dev`). Example: dockergen devcontainer .
    """
    extras = extras_for(compose=False, ci=None, devcontainer=True)
    write_extras(path, extras, force=force, dry_run=dry_run)


def ci_command(
    provider: Annotated[CiProvider, typer.Argument(help="The CI service.")],
    path: PathArg = Path(),
    image: Annotated[
        str | None, typer.Option(help="Push to this image, e.g. ghcr.io/OWNER/APP (not on PRs).")
    ] = None,
    platform: Annotated[
        list[str] | None,
        typer.Option(
            help="A platform of the pushed image (repeatable; default linux/amd64 "
            "and linux/arm64; remembered)."
        ),
    ] = None,
    arm_runner: Annotated[
        str | None,
        typer.Option(
            help="github: the runner label that builds linux/arm64 (default "
            "ubuntu-24.04-arm, free for public repositories only; remembered)."
        ),
    ] = None,
    qemu: Annotated[
        bool | None,
        typer.Option(
            "--qemu/--no-qemu",
            help="github: build every platform in one job on the "
            "amd64 runner, emulated by QEMU, instead of one native job each (remembered).",
        ),
    ] = None,
    runner_tag: Annotated[
        list[str] | None,
        typer.Option(
            help="gitlab: ARCH=TAG, the runner tag of the amd64 or arm64 build; with "
            "both, each architecture builds on its own runners (repeatable; remembered)."
        ),
    ] = None,
    force: ForceOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Write CI that runs `dockergen check` and BuildKit's checks, then builds with the caches.

    github: .github/workflows/docker.yml (layer cache type=gha, cache mounts carried by
    buildkit-cache-dance; with --image, each platform on a runner of its architecture, then
    one multi-platform image) and .github/dependabot.yml. gitlab: .gitlab-ci.yml (layer cache
    in the project's registry). Example: dockergen ci github --image ghcr.io/OWNER/APP
    """
    flags = Overrides(
        platforms=tuple(platform or ()),
        arm_runner=arm_runner,
        qemu=qemu,
        runner_tags=tuple(runner_tag or ()),
    )
    extras = extras_for(compose=False, ci=provider, image=image)
    write_extras(path, extras, force=force, dry_run=dry_run, flags=flags)
