"""The `dev` target (`init --dev`): the installer's dev dependencies, and a start command that
reloads the app when a file changes, so an edit synced into the container is served at once."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from typing import Final

from dockergen.installers import installer_module
from dockergen.model import Decided, DevTarget, Installer
from dockergen.project import ProjectDir

_PLAIN: Final = r"[A-Za-z0-9][A-Za-z0-9._/:-]*"

# Server -> how its reload is asked for: (the word after which the flag goes, the flag).
# None appends the flag at the end.
RELOAD: Final = {
    "gunicorn": (None, "--reload"),
    "uvicorn": (None, "--reload"),
    "hypercorn": (None, "--reload"),
    "flask": ("run", "--reload"),
}


def dev_target(
    project: ProjectDir, installer: Installer, command: Decided[tuple[str, ...]] | None
) -> DevTarget:
    """What the installer says about dev dependencies, with the reloading command."""
    found = installer_module(installer).dev_target(project)
    argv = command.value if command else None
    return dataclasses.replace(
        found,
        manifests=found.manifests,
        # Names from the project's files reach a RUN line: only plain ones do.
        groups=tuple(g for g in found.groups if re.fullmatch(_PLAIN, g)),
        command=reload_command(argv) if argv else None,
    )


def reload_command(argv: tuple[str, ...]) -> tuple[str, ...]:
    """`argv` with its server's reload flag; unchanged when the server has none (Django's
    runserver reloads by itself) or the flag is there already."""
    at = _server_at(argv)
    if at is None or "--reload" in argv:
        return argv
    after, flag = RELOAD[posixpath.basename(argv[at])]
    if after is None:
        return (*argv, flag)
    if after not in argv[at:]:
        return argv
    place = argv.index(after, at) + 1
    return (*argv[:place], flag, *argv[place:])


def _server_at(argv: tuple[str, ...]) -> int | None:
    """Where the server's name is: the program, or the module after `python -m`."""
    if argv and posixpath.basename(argv[0]) in RELOAD:
        return 0
    if len(argv) > 2 and argv[1] == "-m" and argv[2] in RELOAD:
        return 2
    return None
