"""The Podman path: one fixture per installer is built by Podman (Buildah), run, rebuilt after a
code-only change and after a new dependency, with exactly the checks test_e2e.py makes on
Docker (`build_run_and_rebuild`), from the same generated Dockerfile.

What this proves about Buildah (Podman 4.3's, 1.28): `RUN --mount=type=cache,id=...` shares
one directory per id across builds (kept under /var/tmp/buildah-cache, owned by root, mode
755, with a `buildah-cache-lockfile` that `sharing=locked` takes), so a new dependency
downloads only itself; `--> Using cache` marks every dependency step of a code-only rebuild;
`# syntax=` is a comment to it. One fixture per installer keeps CI's time in bounds; every
fixture is proven on Docker. The one difference a user sees: Buildah writes OCI images by
default, which have no HEALTHCHECK; `podman build --format docker` keeps it (the Dockerfile
says so beside the instruction).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dockergen.detect import detect_project
from dockergen.health import dockerfile_healthcheck
from dockergen.model import Installer, Overrides
from dockergen.render import render_files
from dockergen.write import write_files
from tests.docker import PODMAN
from tests.helpers import FIXTURES
from tests.locker import build_locker
from tests.test_e2e import (
    CASES,
    IMAGE_SIZES,
    apt_from_the_cache,
    build_run_and_rebuild,
    fresh_download_is_seen,
)

pytestmark = [pytest.mark.docker, pytest.mark.podman]

# One fixture per installer (pep621: pip-pyproject).
PODMAN_CASES = {
    Installer.PIP: "pip-requirements",
    Installer.PIPENV: "pipenv",
    Installer.POETRY: "poetry",
    Installer.UV: "uv",
    Installer.PDM: "pdm",
    Installer.PEP621: "pip-pyproject",
}


def test_every_installer_has_a_podman_case() -> None:
    assert set(PODMAN_CASES) == set(Installer)
    assert set(PODMAN_CASES.values()) <= set(CASES)


@pytest.fixture(scope="module")
def lock_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Locks are written by the real tools in a container on Docker (tests/locker.py)."""
    PODMAN.require()
    build_locker(tmp_path_factory.mktemp("locker"))
    return tmp_path_factory.mktemp("locks")


@pytest.mark.parametrize("case", sorted(PODMAN_CASES.values()))
def test_podman_build_run_and_rebuild(
    case: str, tmp_path: Path, lock_cache: Path, request: pytest.FixtureRequest
) -> None:
    size = build_run_and_rebuild(case, tmp_path, lock_cache, PODMAN)
    request.config.stash.setdefault(IMAGE_SIZES, {})[f"{case} (podman)"] = size


def test_podman_apt_packages_come_from_the_cache(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """apt's cache mounts (/var/cache/apt; /var/lib/apt, sharing=locked) work on Buildah too."""
    PODMAN.require()
    size = apt_from_the_cache(tmp_path, PODMAN)
    request.config.stash.setdefault(IMAGE_SIZES, {})["apt (podman)"] = size


def test_podman_probe_sees_a_fresh_download(tmp_path: Path) -> None:
    """The download check reads Buildah's cache directory for the same id, and is not blind."""
    PODMAN.require()
    fresh_download_is_seen(tmp_path, PODMAN)


def test_podman_keeps_the_healthcheck_only_in_docker_format(tmp_path: Path) -> None:
    PODMAN.require()
    root = Path(shutil.copytree(FIXTURES / "flask", tmp_path / "flask"))
    spec = detect_project(root, Overrides(healthcheck="/"))
    write_files(render_files(spec), root, force=False)
    assert "`podman build --format docker` (OCI has none)" in (root / "Dockerfile").read_text()
    tag = "dockergen-e2e-healthcheck-podman"

    def healthcheck() -> object:
        found = PODMAN.run("image", "inspect", "--format", "{{json .Config.Healthcheck}}", tag)
        return json.loads(found.stdout)

    PODMAN.build(root, tag)  # OCI, the default: dropped, with a warning
    assert healthcheck() is None
    PODMAN.build(root, tag, extra=("--format", "docker"))
    found = healthcheck()
    assert isinstance(found, dict)
    assert found["Test"] == ["CMD", *(dockerfile_healthcheck(spec) or ())]


def test_podman_builds_apt_in_both_stages(tmp_path: Path) -> None:
    """pip-psycopg2 runs apt in the builder (build-essential, libpq-dev) and in the final
    stage (libpq5), on the same cache mounts. Buildah 1.28 releases only the last cache a RUN
    locks, so with both apt caches locked the second stage's apt waited forever: one locked
    mount per RUN (mounts.APT) is what lets this build finish."""
    PODMAN.require()
    root = Path(shutil.copytree(FIXTURES / "pip-psycopg2", tmp_path / "pip-psycopg2"))
    write_files(render_files(detect_project(root)), root, force=False)
    text = (root / "Dockerfile").read_text()
    for run in text.split("\nRUN ")[1:]:
        assert run.split("\n\n")[0].count("sharing=locked") <= 1, run
    tag = "dockergen-e2e-apt-both-podman"
    PODMAN.build(root, tag)
    ran = PODMAN.run("run", "--rm", tag)
    assert ran.stdout.startswith("pip-psycopg2 ok:"), ran.stdout + ran.stderr
