"""Expected failures. Each message names the file involved and ends with the fix."""

from __future__ import annotations

from collections.abc import Sequence


class DockergenError(Exception):
    """An expected failure: the CLI prints the message without a traceback and exits 1."""


class NoManifestError(DockergenError):
    def __init__(self, root: str, looked_for: Sequence[str]) -> None:
        super().__init__(
            f"no dependency manifest in {root} (looked for {', '.join(looked_for)}); "
            "add one, or pass --installer to choose how dependencies are installed"
        )


class ConflictingLockfilesError(DockergenError):
    def __init__(self, root: str, lockfiles: Sequence[str]) -> None:
        super().__init__(
            f"{root} has lock files of several installers ({', '.join(lockfiles)}); "
            "delete the stale one, or pass --installer to choose"
        )


class InvalidProjectFileError(DockergenError):
    def __init__(self, path: str, problem: str, fix: str) -> None:
        super().__init__(f"{path}: {problem}; {fix}")


class UnsafeValueError(DockergenError):
    """A value from metadata or a flag that cannot be written into a Dockerfile safely."""

    def __init__(self, what: str, value: str, source: str, fix: str) -> None:
        super().__init__(f"{source}: {what} {value!r} cannot go into a Dockerfile safely; {fix}")


class OutputExistsError(DockergenError):
    def __init__(self, paths: Sequence[str]) -> None:
        files = ", ".join(paths)
        super().__init__(
            f"{files} already exist{'s' if len(paths) == 1 else ''} and dockergen would "
            "overwrite it; pass --force to replace it, or --dry-run to see the output"
        )


class WorkspaceMemberError(DockergenError):
    def __init__(self, member: str, lockfile: str) -> None:
        super().__init__(
            f"{member} is a member of the uv workspace locked by {lockfile}; a Dockerfile for one "
            "workspace member needs the workspace root as its build context, which dockergen does "
            "not generate yet; run dockergen in a project with its own lock file"
        )
