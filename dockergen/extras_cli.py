"""`dockergen compose` and `dockergen devcontainer`: registered on the app by dockergen.cli."""

from __future__ import annotations

from pathlib import Path

from dockergen.console import extras_for, write_extras
from dockergen.options import DryRunOpt, ForceOpt, PathArg


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
