"""Validation of every value that ends up inside a Dockerfile.

Values come from project metadata and flags. Validating them here, before rendering, keeps
them from starting a new instruction, breaking out of a JSON array or smuggling a `--mount`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from dockergen.errors import UnsafeValueError

# Debian package names (policy 5.6.1), optionally pinned with =version.
_APT: Final = re.compile(r"^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+:~-]+)?$")
# Paths COPY can take without quoting: no spaces, globs, variables or leading dashes.
_PATH: Final = re.compile(r"^(?!-)[A-Za-z0-9_.@+-]+(/[A-Za-z0-9_.@+-]+)*$")
# Anything that ends a line for Docker, a shell, or a Unicode-aware reader.
_LINE_BREAKS: Final = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")


def check_apt_packages(packages: Sequence[str], source: str) -> tuple[str, ...]:
    for package in packages:
        if not _APT.match(package):
            raise UnsafeValueError(
                "apt package", package, source, "use a Debian package name such as libpq5"
            )
    return tuple(packages)


def check_paths(paths: Sequence[str]) -> tuple[str, ...]:
    for path in paths:
        if not _PATH.match(path) or ".." in path.split("/"):
            raise UnsafeValueError(
                "file name", path, path, "rename it to letters, digits and ._-@+ only"
            )
    return tuple(paths)


def check_command(argv: Sequence[str], source: str) -> tuple[str, ...]:
    if not argv:
        raise UnsafeValueError("command", "", source, "give a non-empty command")
    for arg in argv:
        if _LINE_BREAKS.search(arg):
            raise UnsafeValueError(
                "command argument", arg, source, "remove the line break or control character"
            )
    return tuple(argv)


def check_port(port: int, source: str) -> int:
    if not 0 < port < 65536:
        raise UnsafeValueError("port", str(port), source, "use a TCP port between 1 and 65535")
    return port
