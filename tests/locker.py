"""Real lock files, made at test time by the real tools, pinned as the generated builders pin them.

Committed fixtures carry small hand-written locks where the real format would record an index
host (uv.lock, Pipfile.lock). The e2e suite re-locks a temporary copy with the real tool,
running inside a container built from the same base image, so any engine can run it.
Results are cached per test run, keyed by the manifest contents.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Final

from dockergen.installers import installer_module
from dockergen.model import Installer
from tests.docker import docker

LOCKER_TAG: Final = "dockergen-e2e-locker"
LOCK_COMMANDS: Final = {
    Installer.PIPENV: ("pipenv", "lock"),
    Installer.POETRY: ("poetry", "lock"),
    Installer.UV: ("uv", "lock"),
    Installer.PDM: ("pdm", "lock", "--update-reuse"),
}
_MANIFESTS: Final = ("pyproject.toml", "Pipfile")


def locker_dockerfile() -> str:
    lines = ["FROM python:3.12-slim", "ENV PIP_DISABLE_PIP_VERSION_CHECK=1"]
    for installer in LOCK_COMMANDS:
        tool = installer_module(installer)
        # One venv per tool keeps their dependencies apart; system site-packages keep the
        # base image's sitecustomize (it matters only on networks that need it).
        venv = f"/tools/{installer}"
        lines.append(
            f"RUN --mount=type=cache,target=/root/.cache python -m venv --system-site-packages "
            f"{venv} && {venv}/bin/pip install {' '.join(tool.requirements)} "
            f"&& ln -s {venv}/bin/{installer} /usr/local/bin/{installer}"
        )
    return "\n".join(lines) + "\n"


def build_locker(workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "Dockerfile").write_text(locker_dockerfile(), encoding="utf-8")
    docker("build", "--progress=plain", "-t", LOCKER_TAG, str(workdir), timeout=900)


def relock(project: Path, installer: Installer, cache: Path, netrc: Path | None = None) -> None:
    """Write a real lock file for `project` with the real `installer`, reusing earlier results.
    With `netrc`, the tool reads it as ~/.netrc and reaches loopback (a private test index)."""
    lockfile = installer_module(installer).lockfile
    assert lockfile, installer
    digest = hashlib.sha256(installer.encode())
    # Workspace members have manifests of their own: every one of them keys the lock.
    for path in sorted(p for name in _MANIFESTS for p in project.rglob(name)):
        digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    cached = cache / f"{digest.hexdigest()}-{lockfile}"
    if not cached.is_file():
        (project / lockfile).unlink(missing_ok=True)  # hand-written locks are not real ones
        root = os.getuid() == 0
        args = [] if root else ["--user", f"{os.getuid()}:{os.getgid()}", "-e", "HOME=/tmp"]
        if netrc:
            home = "/root" if root else "/tmp"
            args += ["--network", "host", "-v", f"{netrc.resolve()}:{home}/.netrc:ro"]
        docker(
            "run", "--rm", *args,
            "-e", "PIPENV_VENV_IN_PROJECT=1", "-e", "PIPENV_NOSPIN=1",
            "-v", f"{project.resolve()}:/project", "-w", "/project",
            LOCKER_TAG, *LOCK_COMMANDS[installer],
            timeout=600,
        )  # fmt: skip
        cache.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project / lockfile, cached)
        shutil.rmtree(project / ".venv", ignore_errors=True)  # made by pipenv and pdm
        (project / ".pdm-python").unlink(missing_ok=True)
    shutil.copyfile(cached, project / lockfile)
