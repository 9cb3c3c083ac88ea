"""Read-only access to the project directory: the only place detection touches the disk.

Detection asks for known paths, lists the root and src/ only for setuptools' discovery, and
walks no tree but a setuptools package's own folders (at most 2000), so a repository with
100 000 files costs the same as a small one. Whatever is wrong with a file (a directory or a
FIFO in its place, no permission, a symlink loop, too big, not UTF-8, not TOML, a table that
is a string) becomes an InvalidProjectFileError naming it, never an OSError or a TypeError.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, Final, TypeVar

import tomli

from dockergen.errors import InvalidProjectFileError
from dockergen.text import shown

T = TypeVar("T")

# Several times the biggest lock file in the corpus (1.2 MiB), and small enough that reading
# and parsing a file this size takes about a second. Bigger files are refused unread.
MAX_FILE_BYTES: Final = 16 * 1024 * 1024

# The tables and arrays every reader of pyproject.toml relies on. A value of another type is
# the file's mistake: it is reported here, once, instead of as a TypeError in whichever rule
# reads it. Installer modules check their own tables and lock files the same way.
PYPROJECT_SHAPES: Final[tuple[tuple[tuple[str, ...], type], ...]] = (
    (("project",), dict),
    (("project", "requires-python"), str),
    (("project", "dependencies"), list),
    (("project", "dynamic"), list),
    (("project", "scripts"), dict),
    (("project", "license-files"), list),
    (("build-system",), dict),
    (("build-system", "build-backend"), str),
    (("tool",), dict),
    (("tool", "dockergen"), dict),
)
_TYPE_NAMES: Final = {
    dict: "a table",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a float",
}


class ProjectDir:
    """A project directory, read through project-relative POSIX names."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._cache: dict[str, Any] = {}
        self._derived: dict[str, Any] = {}

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """A value derived from the files, computed once per ProjectDir (files are read once)."""
        if key not in self._derived:
            self._derived[key] = compute()
        value: T = self._derived[key]
        return value

    def path(self, name: str) -> Path:
        """The file `name` names; an absolute name or one that climbs out with .. is refused,
        so no name taken from metadata can make dockergen look outside the project."""
        parts = PurePosixPath(name).parts
        if parts[:1] == ("/",) or ".." in parts:
            raise InvalidProjectFileError(
                shown(name), "is outside the project", "name a file inside the project"
            )
        return self.root.joinpath(*parts)

    def is_file(self, name: str) -> bool:
        """True for a file (or a symlink to one), False when nothing is there.

        Something else where dockergen looks for a file (a directory named requirements.txt,
        a FIFO) is an error rather than a miss: ignoring it would only confuse.
        """
        kind = self.kind(name)
        if kind in (None, "file"):
            return kind == "file"
        raise InvalidProjectFileError(shown(name), f"is {kind}", "replace it with a file")

    def is_dir(self, name: str) -> bool:
        return self.kind(name) == "a directory"

    def kind(self, name: str) -> str | None:
        """What is at `name` (symlinks followed): "file", "a directory", "not a regular file"
        (a FIFO, a socket, a device), or None when nothing is there."""
        try:
            mode = self.path(name).stat().st_mode
        except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL byte
            return None
        except OSError as exc:
            raise _unreadable(name, exc) from exc
        if stat.S_ISREG(mode):
            return "file"
        return "a directory" if stat.S_ISDIR(mode) else "not a regular file"

    def names(self, name: str) -> tuple[str, ...]:
        """The entries of the folder `name` (sorted, one level), or () when it is none."""
        if not self.is_dir(name) or not self.inside(name):
            return ()
        try:
            return tuple(sorted(entry.name for entry in os.scandir(self.path(name))))
        except OSError as exc:
            raise _unreadable(name, exc) from exc

    def inside(self, name: str) -> bool:
        """True when `name` (after following symlinks) stays inside the project."""
        try:
            resolved = self.path(name).resolve()
        except RuntimeError as exc:  # Python 3.11 reports a symlink loop this way
            raise InvalidProjectFileError(
                shown(name), "is a symlink loop", "point the symlink at a file"
            ) from exc
        except (OSError, ValueError) as exc:
            raise _unreadable(name, exc) from exc
        return resolved.is_relative_to(self.root)

    def read_text(self, name: str) -> str:
        key = f"text:{name}"
        if key not in self._cache:
            data = self._read_bytes(name)
            try:
                self._cache[key] = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise InvalidProjectFileError(
                    shown(name), f"is not UTF-8 text (byte {exc.start})", "save it as UTF-8"
                ) from exc
        text: str = self._cache[key]
        return text

    def read_toml(self, name: str, *, fix: str = "fix it") -> dict[str, Any]:
        """A TOML file; `fix` ends the error when it cannot be parsed (lock files are
        regenerated, not edited)."""
        key = f"toml:{name}"
        if key not in self._cache:
            try:
                data = tomli.loads(self.read_text(name))
            except tomli.TOMLDecodeError as exc:
                raise InvalidProjectFileError(name, f"is not valid TOML ({exc})", fix) from exc
            except RecursionError as exc:  # tomli refuses more than 400 nested levels
                raise InvalidProjectFileError(name, "is nested too deeply", fix) from exc
            if name == "pyproject.toml":
                check_shape(name, data, PYPROJECT_SHAPES, fix)
            self._cache[key] = data
        toml: dict[str, Any] = self._cache[key]
        return toml

    def read_json(self, name: str, *, fix: str = "fix it") -> dict[str, Any]:
        """A JSON file whose top level is an object (Pipfile.lock)."""
        try:
            data = json.loads(self.read_text(name))
        except json.JSONDecodeError as exc:
            raise InvalidProjectFileError(
                name, f"is not valid JSON (line {exc.lineno}: {exc.msg})", fix
            ) from exc
        except RecursionError as exc:
            raise InvalidProjectFileError(name, "is nested too deeply", fix) from exc
        if not isinstance(data, dict):
            raise InvalidProjectFileError(name, f"is {_type_name(data)}, not a JSON object", fix)
        return data

    def pyproject(self) -> dict[str, Any]:
        """The parsed pyproject.toml, or an empty table when there is none."""
        return self.read_toml("pyproject.toml") if self.is_file("pyproject.toml") else {}

    def _read_bytes(self, name: str) -> bytes:
        if not self.is_file(name):
            raise InvalidProjectFileError(shown(name), "does not exist", "create it")
        if not self.inside(name):
            raise InvalidProjectFileError(
                shown(name),
                "is a symlink to a file outside the project",
                "copy the file in instead",
            )
        too_big = InvalidProjectFileError(
            shown(name),
            f"is larger than {MAX_FILE_BYTES // 2**20} MiB, more than any real manifest",
            "check the file",
        )
        try:
            size = self.path(name).stat().st_size
            if size > MAX_FILE_BYTES:
                raise too_big
            with self.path(name).open("rb") as handle:
                # read(n) allocates n bytes up front: ask for the size, plus one byte that
                # tells whether the file grew since, and then read on only up to the cap.
                data = handle.read(size + 1)
                if len(data) > size:
                    data += handle.read(MAX_FILE_BYTES + 1 - len(data))
        except OSError as exc:
            raise _unreadable(name, exc) from exc
        if len(data) > MAX_FILE_BYTES:
            raise too_big
        return data


def _unreadable(name: str, exc: OSError | ValueError) -> InvalidProjectFileError:
    if isinstance(exc, ValueError):
        return InvalidProjectFileError(shown(name), "is not a usable file name", "rename it")
    if exc.errno == errno.ELOOP:
        return InvalidProjectFileError(
            shown(name), "is a symlink loop", "point the symlink at a file"
        )
    if exc.errno == errno.ENAMETOOLONG:
        return InvalidProjectFileError(shown(name), "is too long a file name", "shorten it")
    reason = exc.strerror or os.strerror(exc.errno or 0)
    return InvalidProjectFileError(
        shown(name),
        f"cannot be read ({reason})",
        "make it readable by the user running dockergen",
    )


def check_shape(
    name: str, data: dict[str, Any], shapes: tuple[tuple[tuple[str, ...], type], ...], fix: str
) -> None:
    """Raise when a table or array that `shapes` names has another type in `data`."""
    for path, expected in shapes:
        value: Any = data
        for key in path:
            if not isinstance(value, dict) or key not in value:
                break
            value = value[key]
        else:
            if not isinstance(value, expected):
                raise InvalidProjectFileError(
                    name,
                    f"{'.'.join(path)} is {_type_name(value)}, not {_TYPE_NAMES[expected]}",
                    fix,
                )


def _type_name(value: object) -> str:
    for kind, text in _TYPE_NAMES.items():  # bool before int: True is an int too
        if isinstance(value, kind):
            return text
    return "null" if value is None else f"a {type(value).__name__}"
