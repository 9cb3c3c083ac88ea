"""Real builds of the `dev` target (`init --dev`).

1. For one fixture of every installer, `docker build --target dev` builds, runs as UID 10001,
   imports a dev-only dependency, and imports the project from /app (editable), not from a
   copy in the environment.
2. A plain `docker build` of the same Dockerfile still builds production: no dev dependency.
3. The dev loop without Compose (not installed here): the dev image runs with the project
   copy bind-mounted on /app (what compose's `develop.watch` sync keeps up to date), an edit
   to that copy is served by the running container, without a rebuild.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from dockergen.detect import detect_project
from dockergen.model import Installer, Overrides
from dockergen.render import render_files
from dockergen.write import write_files
from tests.docker import docker, require_engine
from tests.helpers import FIXTURES
from tests.locker import build_locker, relock
from tests.test_e2e import HTTP_WAIT, UID, _first_answer

pytestmark = pytest.mark.docker

DEV_ONLY = "pytest"  # in every case's dev group, extra or file; never in production
# Committed uv.lock and Pipfile.lock are hand-written (the real ones name an index host):
# these fixtures are re-locked by the real tool first, as tests/test_e2e.py does.
RELOCK = {"uv": Installer.UV, "uv-workspace": Installer.UV, "pipenv": Installer.PIPENV}
# Fixture -> the module the project installs (None: the project is not a package).
CASES = {
    "uv": None,
    "uv-workspace": "greet",
    "poetry": "inventory",
    "pdm": "pdmapp",
    "pipenv": None,
    "flask": None,  # pip: requirements-dev.txt
    "pip-pyproject": "greeter",  # pep621: [project.optional-dependencies] test
}


def _generate(root: Path) -> str:
    files = render_files(detect_project(root, Overrides(dev=True)))
    write_files(files, root, force=True)
    return files[0].content


def _build(root: Path, tag: str, *target: str) -> None:
    docker("build", "--progress=plain", *target, "-t", tag, str(root), timeout=900)


def _python(tag: str, code: str) -> str:
    return docker("run", "--rm", "--entrypoint", "python", tag, "-c", code).stdout.strip()


@pytest.fixture(autouse=True)
def _engine() -> None:
    require_engine()


@pytest.fixture(scope="session")
def locks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_engine()
    build_locker(tmp_path_factory.mktemp("locker"))
    return tmp_path_factory.mktemp("locks")


@pytest.mark.parametrize("case", sorted(CASES))
def test_dev_target_builds_with_dev_dependencies(case: str, tmp_path: Path, locks: Path) -> None:
    root = Path(shutil.copytree(FIXTURES / case, tmp_path / case))
    if case in RELOCK:
        relock(root, RELOCK[case], locks)
    dockerfile = _generate(root)
    assert "FROM python:${PYTHON_VERSION}-slim-trixie AS dev" in dockerfile
    tag = f"dockergen-e2e-dev-{case}"
    _build(root, tag, "--target", "dev")
    try:
        assert docker("run", "--rm", "--entrypoint", "id", tag, "-u").stdout.strip() == UID
        module = CASES[case]
        code = f"import {DEV_ONLY}; print({DEV_ONLY}.__file__)"
        if module:
            code += f"; import {module}; print({module}.__file__)"
        files = _python(tag, code).splitlines()
        assert files[0].startswith("/app/.venv/"), files
        if module:  # editable: the code is read where the source is, not from a copy
            assert files[1].startswith("/app/") and "/.venv/" not in files[1], files
    finally:
        docker("rmi", "-f", tag, check=False)


def test_plain_build_is_still_production(tmp_path: Path) -> None:
    root = Path(shutil.copytree(FIXTURES / "flask", tmp_path / "flask"))
    _generate(root)
    tag = "dockergen-e2e-dev-default"
    _build(root, tag)
    try:
        found = _python(tag, f"import importlib.util as u; print(u.find_spec({DEV_ONLY!r}))")
        assert found == "None"
        command = docker("image", "inspect", "--format", "{{json .Config.Cmd}}", tag).stdout
        assert "--reload" not in command, command
    finally:
        docker("rmi", "-f", tag, check=False)


def test_an_edit_is_served_without_a_rebuild(tmp_path: Path) -> None:
    """What `docker compose up --watch` does, with docker run: the running dev container
    sees the edited source (here a bind mount of the copy, as sync would copy it in), and
    the server's reload serves it. The image's environment stays in an anonymous volume."""
    root = Path(shutil.copytree(FIXTURES / "flask", tmp_path / "flask"))
    _generate(root)
    tag = "dockergen-e2e-dev-reload"
    _build(root, tag, "--target", "dev")
    mounts = ["-v", f"{root}:/app", "-v", "/app/.venv"]
    container = docker("run", "-d", *mounts, "-p", "127.0.0.1::8000", tag).stdout.strip()
    try:
        published = docker("port", container, "8000/tcp").stdout.splitlines()[0]
        url = f"http://127.0.0.1:{published.rsplit(':', 1)[1]}/"
        assert "flask ok" in (_first_answer(url) or ""), docker("logs", container).stderr
        app = root / "app.py"
        app.write_text(app.read_text().replace("flask ok", "flask edited"))
        assert _answer_changes(url, "flask edited"), docker("logs", container).stderr[-4000:]
    finally:
        docker("rm", "-f", "-v", container, check=False)
        docker("rmi", "-f", tag, check=False)


def _answer_changes(url: str, expected: str) -> bool:
    deadline = time.monotonic() + HTTP_WAIT
    while time.monotonic() < deadline:
        if expected in (_first_answer(url) or ""):
            return True
        time.sleep(0.5)
    return False
