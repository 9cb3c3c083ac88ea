"""A private index end to end, for every installer: credentials reach the tool as a netrc build
secret and no image layer.

The test serves a tiny simple index on loopback that demands HTTP basic auth. Each installer's
project names it in its own table; where the tool locks, the real tool writes the lock at test
time (tests/locker.py, with --network host and the netrc as its ~/.netrc), so the lock points at
this run's index. The build uses `--network host` to reach it; then the saved image and its
history are searched for the password. pip, pipenv, poetry 2.5.1, uv 0.13.9 and pdm 2.29.3 all
read ~/.netrc: the build without the secret is refused by the index, the one with it installs.
Every installer is proven on Docker (BuildKit) and on Podman (Buildah), whose secret mount
is a read-only file at the target for that one step.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import secrets
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockergen.detect import detect_project
from dockergen.model import Installer
from dockergen.render import render_files
from dockergen.write import write_files
from tests.docker import DOCKER, PODMAN, Engine, require_engine
from tests.locker import build_locker, relock
from tests.test_e2e import RUN_ID

pytestmark = pytest.mark.docker
USER = "dockergen"
PACKAGE = f"dgprivate{RUN_ID[:8]}"  # new each run: never in the engine's caches


def _wheel() -> tuple[str, bytes]:
    name = f"{PACKAGE}-1.0-py3-none-any.whl"
    files = {
        f"{PACKAGE}.py": "GREETING = 'private ok'\n",
        f"{PACKAGE}-1.0.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: 1.0\n",
        f"{PACKAGE}-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{path},,\n" for path in files) + f"{PACKAGE}-1.0.dist-info/RECORD,,\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in {**files, f"{PACKAGE}-1.0.dist-info/RECORD": record}.items():
            archive.writestr(path, text)
    return name, buffer.getvalue()


class _Index(http.server.BaseHTTPRequestHandler):
    password = ""
    wheel: tuple[str, bytes] = ("", b"")
    authorized: list[str] = []  # noqa: RUF012 - one server per test, reset in the fixture

    def do_HEAD(self) -> None:  # uv asks for a wheel's size before it downloads it
        self.do_GET(body=False)

    def do_GET(self, body: bool = True) -> None:
        expected = base64.b64encode(f"{USER}:{self.password}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="private"')
            self.end_headers()
            return
        self.authorized.append(self.path)
        name, data = self.wheel
        digest = hashlib.sha256(data).hexdigest()
        if self.path.rstrip("/") == f"/simple/{PACKAGE}":
            content, kind = (
                f'<a href="/files/{name}#sha256={digest}">{name}</a>'.encode(),
                "text/html",
            )
        elif self.path == f"/files/{name}":
            content, kind = data, "application/octet-stream"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def index() -> Iterator[tuple[int, str]]:
    _Index.password = secrets.token_hex(16)
    _Index.wheel = _wheel()
    _Index.authorized = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Index)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], _Index.password
    finally:
        server.shutdown()


_PYPROJECT = f"""[project]
name = "private-app"
version = "1.0"
requires-python = ">=3.12,<3.13"
dependencies = ["{PACKAGE}==1.0"]
"""
# Each installer's project names the index (formatted in as {url}) in its own table.
PROJECTS = {
    Installer.PIP: {
        "requirements.txt": f"--extra-index-url {{url}}\n--trusted-host 127.0.0.1\n{PACKAGE}==1.0\n"
    },
    Installer.PIPENV: {
        "Pipfile": '[[source]]\nname = "private"\nurl = "{url}"\nverify_ssl = false\n\n'
        f'[packages]\n{PACKAGE} = "==1.0"\n\n[requires]\npython_version = "3.12"\n'
    },
    Installer.POETRY: {
        "pyproject.toml": _PYPROJECT + "\n[tool.poetry]\npackage-mode = false\n\n"
        '[[tool.poetry.source]]\nname = "private"\nurl = "{url}"\npriority = "primary"\n'
    },
    Installer.UV: {
        "pyproject.toml": _PYPROJECT + '\n[[tool.uv.index]]\nname = "private"\nurl = "{url}"\n'
    },
    Installer.PDM: {
        "pyproject.toml": _PYPROJECT + "\n[tool.pdm]\ndistribution = false\n\n"
        '[[tool.pdm.source]]\nname = "private"\nurl = "{url}"\nverify_ssl = false\n'
    },
}


@pytest.fixture(scope="module")
def lock_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_engine()
    build_locker(tmp_path_factory.mktemp("locker"))
    return tmp_path_factory.mktemp("locks")


def _project(root: Path, installer: Installer, url: str, netrc: Path, locks: Path) -> None:
    root.mkdir()
    for name, text in PROJECTS[installer].items():
        (root / name).write_text(text.replace("{url}", url))
    (root / "app.py").write_text(f"import {PACKAGE}\nprint({PACKAGE}.GREETING)\n")
    if installer is not Installer.PIP:  # the real tool locks against this run's index
        relock(root, installer, locks, netrc)
    write_files(render_files(detect_project(root)), root, force=False)


@pytest.mark.parametrize(
    "engine",
    [DOCKER, pytest.param(PODMAN, marks=pytest.mark.podman)],
    ids=lambda engine: str(engine.name),
)
@pytest.mark.parametrize("installer", list(PROJECTS), ids=str)
def test_private_index_credentials_stay_out_of_the_image(
    tmp_path: Path, index: tuple[int, str], installer: Installer, lock_cache: Path, engine: Engine
) -> None:
    engine.require()
    port, password = index
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {password}\n")
    netrc.chmod(0o600)  # Python's netrc reader refuses a readable ~/.netrc of its owner
    root = tmp_path / "private"
    _project(root, installer, f"http://127.0.0.1:{port}/simple/", netrc, lock_cache)
    assert "--mount=type=secret,id=netrc,target=/root/.netrc" in (root / "Dockerfile").read_text()
    tag = f"dockergen-e2e-private-{installer}"
    build = [*engine.build_args(), "--network", "host", "-t", tag]
    _Index.authorized.clear()  # locking asked too; from here on only the builds count

    # Without the secret the index refuses: the build fails (so the server really checks).
    refused = engine.run(*build, str(root), timeout=600, check=False)
    assert refused.returncode != 0
    assert _Index.authorized == []

    engine.run(*build, "--secret", f"id=netrc,src={netrc}", str(root), timeout=900)
    assert f"/files/{_Index.wheel[0]}" in _Index.authorized
    assert engine.run("run", "--rm", tag).stdout == "private ok\n"

    history = engine.run("history", "--no-trunc", tag).stdout
    saved = tmp_path / "image.tar"
    engine.run("save", "-o", str(saved), tag)
    assert password not in history
    assert password.encode() not in saved.read_bytes()
