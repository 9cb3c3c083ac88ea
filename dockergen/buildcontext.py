"""What the plan says about building the image from outside the Dockerfile: the command (its
build argument and secret) for the header, and what the build context must keep."""

from __future__ import annotations

import fnmatch
import posixpath
from typing import Final

from dockergen.model import ProjectSpec
from dockergen.text import one_line

# The build argument the version comes from when the backend reads it from git.
VERSION_ARG: Final = "APP_VERSION"
# What .dockerignore always excludes last; a keep line never names one of them.
NEVER_SENT: Final = (".git", ".hg", ".svn", ".env", ".env.*", ".netrc", ".pypirc")


def unique(names: tuple[str, ...]) -> tuple[str, ...]:
    """Each name once (as Jinja's unique did: ignoring case), in order."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.lower(), name)
    return tuple(seen.values())


def header(spec: ProjectSpec) -> tuple[str, ...]:
    """The header's lines about building: the version argument, the index credentials, and
    the command that passes them."""
    lines = []
    version = spec.version_from_git
    passed = f"--build-arg {VERSION_ARG}=$(git describe --tags) " if version else ""
    if version:
        lines.append(
            f"The version comes from git ({one_line(version.detail)}), not in the context: "
            f"pass {VERSION_ARG}."
        )
    if not spec.indexes:
        return (*lines, f"Build: docker build {passed}-t app .")
    sources = one_line(", ".join(unique(tuple(i.source for i in spec.indexes))))
    return (
        *lines,
        f"Uses package indexes besides the default ({sources}).",
        "Their credentials come from a netrc file (a line per index host: machine HOST login USER",
        "password TOKEN), mounted as a build secret at /root/.netrc, where the installer reads it;",
        "never from an ARG, ENV or layer.",
        f"Build: docker build --secret id=netrc,src=$HOME/.netrc {passed}-t app .",
    )


def kept_files(spec: ProjectSpec) -> tuple[str, ...]:
    """The manifests, local path dependencies and the files the metadata refers to, less any
    secret or VCS folder: the `!` lines of .dockerignore."""
    found = []
    local = (path.rstrip("/") for path in spec.install.local_paths)
    for name in dict.fromkeys((*spec.manifests, *local, *spec.keep_files)):
        parts = posixpath.normpath(name).split("/")
        if not any(fnmatch.fnmatchcase(part, p) for part in parts for p in NEVER_SENT):
            found.append(name)
    return tuple(found)
