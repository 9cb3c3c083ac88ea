"""Read-only access to the project directory: the only place detection touches the disk.

Detection asks for known paths only and never walks the tree, so a repository with
100 000 files costs the same as a small one.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

import tomli

from dockergen.errors import InvalidProjectFileError

# Bigger than any real manifest or lock file; stops a stray multi-GB file from exhausting memory.
MAX_FILE_BYTES = 64 * 1024 * 1024


class Project:
    """A project directory, read through project-relative POSIX names."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._cache: dict[str, Any] = {}

    def path(self, name: str) -> Path:
        return self.root.joinpath(*PurePosixPath(name).parts)

    def is_file(self, name: str) -> bool:
        return self.path(name).is_file()

    def is_dir(self, name: str) -> bool:
        return self.path(name).is_dir()

    def inside(self, name: str) -> bool:
        """True when `name` (after following symlinks) stays inside the project."""
        return self.path(name).resolve().is_relative_to(self.root)

    def read_text(self, name: str) -> str:
        key = f"text:{name}"
        if key not in self._cache:
            path = self.path(name)
            if not self.inside(name):
                raise InvalidProjectFileError(
                    name, "is a symlink to a file outside the project", "copy the file in instead"
                )
            if path.stat().st_size > MAX_FILE_BYTES:
                raise InvalidProjectFileError(
                    name, f"is larger than {MAX_FILE_BYTES // 2**20} MiB", "check the file"
                )
            data = path.read_bytes()
            try:
                self._cache[key] = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise InvalidProjectFileError(
                    name, f"is not UTF-8 text (byte {exc.start})", "save it as UTF-8"
                ) from exc
        text: str = self._cache[key]
        return text

    def read_toml(self, name: str) -> dict[str, Any]:
        key = f"toml:{name}"
        if key not in self._cache:
            try:
                self._cache[key] = tomli.loads(self.read_text(name))
            except tomli.TOMLDecodeError as exc:
                raise InvalidProjectFileError(name, f"is not valid TOML ({exc})", "fix it") from exc
        data: dict[str, Any] = self._cache[key]
        return data

    def read_json(self, name: str) -> Any:
        try:
            return json.loads(self.read_text(name))
        except json.JSONDecodeError as exc:
            raise InvalidProjectFileError(
                name, f"is not valid JSON (line {exc.lineno}: {exc.msg})", "regenerate it"
            ) from exc

    def pyproject(self) -> dict[str, Any]:
        """The parsed pyproject.toml, or an empty table when there is none."""
        return self.read_toml("pyproject.toml") if self.is_file("pyproject.toml") else {}
