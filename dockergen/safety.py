"""Validation of every value that ends up inside a Dockerfile.

Values come from project metadata and flags. Validating them here, before rendering, keeps
them from starting a new instruction, breaking out of a JSON array or smuggling a `--mount`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Final

from dockergen.errors import UnsafeValueError
from dockergen.text import shorten, shown

# Debian package names (policy 5.6.1), optionally pinned with =version.
_APT: Final = re.compile(r"^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+:~-]+)?$")
# Paths COPY can take without quoting: no spaces, globs, variables or leading dashes.
_PATH: Final = re.compile(r"^(?!-)[A-Za-z0-9_.@+-]+(/[A-Za-z0-9_.@+-]+)*$")
# A URL path (and query) without quotes, spaces or `$` (compose would expand it).
_URL_PATH: Final = re.compile(r"/[A-Za-z0-9._~!&()*+,;=:@%/?-]*")
# Anything that ends a line for Docker, a shell, or a Unicode-aware reader.
_LINE_BREAKS: Final = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
# BuildKit refuses a Dockerfile line longer than 65 535 bytes. One CMD, or the COPY of all
# manifests, stays well below it; real ones are a few hundred characters.
MAX_LINE_CHARS: Final = 16 * 1024


# Debian's longest package names are under 70 characters.
MAX_APT_NAME: Final = 128


def check_apt_packages(packages: Sequence[str], source: str) -> tuple[str, ...]:
    for package in packages:
        if len(package) > MAX_APT_NAME or not _APT.fullmatch(package):
            raise UnsafeValueError(
                "apt package", shorten(package), source, "use a Debian package name such as libpq5"
            )
    if sum(len(p) + 1 for p in packages) > MAX_LINE_CHARS:  # one apt-get line holds them all
        raise UnsafeValueError(
            "apt package list", shorten(" ".join(packages)), source, "list fewer packages"
        )
    return tuple(packages)


def check_paths(paths: Sequence[str]) -> tuple[str, ...]:
    for path in paths:
        if not _PATH.fullmatch(path) or ".." in path.split("/"):
            raise UnsafeValueError(
                "file name",
                shorten(path),
                shown(path),
                "rename it to letters, digits and ._-@+ only",
            )
    if sum(len(path) + 1 for path in paths) > MAX_LINE_CHARS:
        raise UnsafeValueError(
            "list of files",
            shorten(" ".join(paths)),
            shown(paths[0]),
            f"include fewer files: their names add up to more than {MAX_LINE_CHARS} characters",
        )
    return tuple(paths)


def check_command(argv: Sequence[str], source: str) -> tuple[str, ...]:
    if not argv:
        raise UnsafeValueError("command", "", source, "give a non-empty command")
    for arg in argv:
        if _LINE_BREAKS.search(arg):
            raise UnsafeValueError(
                "command argument",
                shorten(arg),
                source,
                "remove the line break or control character",
            )
    if len(json.dumps(list(argv))) > MAX_LINE_CHARS:
        raise UnsafeValueError(
            "command",
            shorten(" ".join(argv)),
            source,
            f"shorten it to under {MAX_LINE_CHARS} characters, or move it into a script",
        )
    return tuple(argv)


def check_url_path(path: str, source: str) -> str:
    if not _URL_PATH.fullmatch(path):
        raise UnsafeValueError("healthcheck", path, source, "give a URL path such as /health")
    return path


def check_port(port: int, source: str) -> int:
    if not 0 < port < 65536:
        raise UnsafeValueError("port", str(port), source, "use a TCP port between 1 and 65535")
    return port
