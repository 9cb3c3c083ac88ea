"""Validation of every value that ends up inside a Dockerfile.

Values come from project metadata and flags. Validating them here, before rendering, keeps
them from starting a new instruction, breaking out of a JSON array or smuggling a `--mount`.

Paths get a type of their own: a CheckedPath is made only by check_path, which refuses what no
build may name, and the build plan's steps that name a path (COPY sources, the folders the
app's user owns, the stand-ins, files given to commands) take nothing else. quoting.py then
writes each where it lands.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from dockergen.errors import UnsafePathError, UnsafeValueError
from dockergen.text import shorten, shown

# Debian package names (policy 5.6.1), optionally pinned with =version.
_APT: Final = r"^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+:~-]+)?$"
# Paths COPY can take without quoting: no spaces, globs, variables or leading dashes.
_PATH: Final = r"^(?!-)[A-Za-z0-9_.@+-]+(/[A-Za-z0-9_.@+-]+)*$"
# A URL path (and query) without quotes, spaces or `$` (compose would expand it).
_URL_PATH: Final = r"/[A-Za-z0-9._~!&()*+,;=:@%/?-]*"
# Anything that ends a line for Docker, a shell, or a Unicode-aware reader.
_LINE_BREAKS: Final = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
# BuildKit refuses a Dockerfile line longer than 65 535 bytes. One CMD, or the COPY of all
# manifests, stays well below it; real ones are a few hundred characters.
MAX_LINE_CHARS: Final = 16 * 1024


# Debian's longest package names are under 70 characters.
MAX_APT_NAME: Final = 128


# Secrets and local state: never a COPY source, never a `!` line of .dockerignore, whatever
# the metadata says (the host's virtualenv copied over the image's, dockergen's record, VCS).
# .dockerignore excludes each; a `!` line for a path dependency would bring it back.
PROTECTED: Final = (
    ".env*",
    ".netrc",
    ".pypirc",
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".dockergen",
)
# Longer paths are no real project's; Linux allows 255 bytes a name.
MAX_PATH_CHARS: Final = 1024
_GLOB: Final = re.compile(r"[*?\[]")
_KEY: Final = object()


class CheckedPath(str):
    """A project-relative path check_path accepted: no `..`, not absolute, printable, of
    bounded length, no secret or local state. `source` is the file that named it. A directory
    ends with `/`."""

    source: str

    def __new__(cls, value: str, source: str, key: object = None) -> CheckedPath:
        if key is not _KEY:
            raise TypeError("a CheckedPath is made by dockergen.safety.check_path")
        path = super().__new__(cls, value)
        path.source = source
        return path

    def __reduce__(self) -> tuple[object, ...]:
        return (check_path, (str(self), self.source))

    def child(self, name: str) -> CheckedPath:
        """A path inside this directory (`pkg/` + `__init__.py`), checked again."""
        return check_path(f"{self.rstrip('/')}/{name}", self.source)

    @property
    def folder(self) -> CheckedPath | None:
        """The directory holding this file (or this directory itself), None for the root."""
        parent = self.rstrip("/") if self.endswith("/") else posixpath.dirname(self)
        return check_path(parent, self.source) if parent else None


@dataclass(frozen=True, slots=True)
class AppPath:
    """A folder as the image sees it: a checked project path under /app (None: /app itself),
    or a checked absolute folder outside it (a VOLUME the authors declare)."""

    path: CheckedPath | None = None

    def __str__(self) -> str:
        if self.path is None:
            return "/app"
        folder = self.path.rstrip("/")
        return folder if folder.startswith("/") else f"/app/{folder}"


def check_path(
    value: str, source: str, what: str = "file", *, pattern: bool = False, absolute: bool = False
) -> CheckedPath:
    """`value` as a path a build may name, or UnsafePathError naming `source`, the file that
    asked for it. A `pattern` (.dockerignore's license-files globs) may hold wildcards, but
    none that could bring back local state excluded before it. An `absolute` path is a folder
    of the image outside /app (not of the project): the same rules for what follows its `/`."""
    if absolute:
        problem = _problem(value[1:], pattern=pattern) if value[:1] == "/" else _NOT_ABSOLUTE
    else:
        problem = _problem(value, pattern=pattern)
    if problem:
        raise UnsafePathError(source, what, value, *problem)
    return CheckedPath(value, source, _KEY)


_NOT_ABSOLUTE: Final = ("is not an absolute folder of the image", "name it from /")


def checked(*names: str) -> tuple[CheckedPath, ...]:
    """Files that name themselves (pyproject.toml, a lock file): their own source."""
    return tuple(check_path(name, name) for name in names)


def _problem(value: str, *, pattern: bool) -> tuple[str, str] | None:
    inside = "name a path inside the project"
    parts = value.rstrip("/").split("/")
    if not value or _LINE_BREAKS.search(value):
        return "is empty or holds a line break or control character", "rename it"
    if len(value) > MAX_PATH_CHARS or any(len(p.encode("utf-8", "replace")) > 255 for p in parts):
        return f"is longer than a path can be ({MAX_PATH_CHARS} characters)", "shorten it"
    if value.startswith("/") or re.match(r"[A-Za-z]:", value):
        return "is absolute: a build reads only the project", inside
    if ".." in parts:
        return "leaves the project (..)", inside
    never = "a secret or local state, which dockergen never sends to a build"
    if found := next((p for p in parts if _protected(p)), None):
        return f"names {found}, {never}", "point it at another file"
    if pattern and _GLOB.search(parts[0]) and any(fnmatch.fnmatchcase(p, parts[0]) for p in _STATE):
        return f"could bring back {', '.join(_STATE)}, {never}", "list the files it means"
    return None


# Excluded by .dockerignore before its `!` lines: a wildcard first part could bring them back.
_STATE: Final = (".venv", "venv", ".dockergen", ".git", ".env")


def _protected(part: str) -> bool:
    return any(fnmatch.fnmatchcase(part, name) for name in PROTECTED)


def check_apt_packages(packages: Sequence[str], source: str) -> tuple[str, ...]:
    for package in packages:
        if len(package) > MAX_APT_NAME or not re.fullmatch(_APT, package):
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
        if not re.fullmatch(_PATH, path) or ".." in path.split("/"):
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
    if not re.fullmatch(_URL_PATH, path):
        raise UnsafeValueError("healthcheck", path, source, "give a URL path such as /health")
    return path


def check_port(port: int, source: str) -> int:
    if not 0 < port < 65536:
        raise UnsafeValueError("port", str(port), source, "use a TCP port between 1 and 65535")
    return port
