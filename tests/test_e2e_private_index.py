"""A private index end to end: credentials reach pip as a build secret and no image layer.

The test serves a tiny simple index on loopback that demands HTTP basic auth, builds with
`--network host` so the build can reach it, and then searches the saved image for the password.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import secrets
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockergen.detect import detect_project
from dockergen.render import render_files
from dockergen.write import write_files
from tests.docker import docker, require_engine
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

    def do_GET(self) -> None:
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
            body, kind = f'<a href="/files/{name}#sha256={digest}">{name}</a>'.encode(), "text/html"
        elif self.path == f"/files/{name}":
            body, kind = data, "application/octet-stream"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

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


def test_private_index_credentials_stay_out_of_the_image(
    tmp_path: Path, index: tuple[int, str]
) -> None:
    require_engine()
    port, password = index
    root = tmp_path / "private"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "pip-requirements", root)
    (root / "requirements.txt").write_text(
        f"--extra-index-url http://127.0.0.1:{port}/simple/\n--trusted-host 127.0.0.1\n{PACKAGE}==1.0\n"
    )
    (root / "app.py").write_text(f"import {PACKAGE}\nprint({PACKAGE}.GREETING)\n")
    write_files(render_files(detect_project(root)), root, force=False)
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {password}\n")
    tag = "dockergen-e2e-private"
    build = ["build", "--progress=plain", "--network", "host", "-t", tag]

    # Without the secret the index refuses: the build fails (so the server really checks).
    refused = docker(*build, str(root), timeout=600, check=False)
    assert refused.returncode != 0
    assert _Index.authorized == []

    docker(*build, "--secret", f"id=netrc,src={netrc}", str(root), timeout=600)
    assert f"/files/{_Index.wheel[0]}" in _Index.authorized
    assert docker("run", "--rm", tag).stdout == "private ok\n"

    history = docker("history", "--no-trunc", tag).stdout
    saved = tmp_path / "image.tar"
    docker("save", "-o", str(saved), tag)
    assert password not in history
    assert password.encode() not in saved.read_bytes()
