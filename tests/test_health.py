"""HEALTHCHECK: one probe for the Dockerfile and compose.yaml, chosen with --healthcheck PATH."""

from __future__ import annotations

import contextlib
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.compose import healthcheck, render_compose
from dockergen.detect import detect_project
from dockergen.errors import HealthcheckPortError, UnsafeValueError
from dockergen.health import dockerfile_healthcheck, probe_command
from dockergen.model import Overrides
from dockergen.render import render_files
from tests.conftest import Golden
from tests.helpers import FIXTURES, buildkit_instructions, hadolint_findings

runner = CliRunner()
HEALTH = Overrides(healthcheck="/health")
HEALTHCHECK_LINE = re.compile(
    r"^HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \\\n    CMD (.*)$",
    re.M,
)


def _dockerfile(case: str, overrides: Overrides = HEALTH) -> str:
    return render_files(detect_project(FIXTURES / case, overrides))[0].content


def test_the_dockerfile_and_compose_run_the_same_probe() -> None:
    spec = detect_project(FIXTURES / "flask", HEALTH)
    probe = probe_command(8000, "/health")
    assert dockerfile_healthcheck(spec) == probe
    assert healthcheck(spec) == ("CMD", *probe)
    (command,) = HEALTHCHECK_LINE.findall(_dockerfile("flask"))
    assert tuple(json.loads(command)) == probe
    assert f"test: {json.dumps(['CMD', *probe])}\n" in render_compose(spec).content


def test_exec_form_with_the_images_own_python() -> None:
    assert probe_command(8000, "/health") == (
        "python",
        "-c",
        "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)",
    )


def test_no_healthcheck_unless_a_path_is_chosen() -> None:
    assert "HEALTHCHECK" not in _dockerfile("flask", Overrides())
    spec = detect_project(FIXTURES / "flask")
    assert dockerfile_healthcheck(spec) is None
    assert healthcheck(spec) == ("CMD", *probe_command(8000, "/"))  # compose still probes /


@pytest.mark.parametrize("case", ["flask", "fastapi", "django"])
def test_healthcheck_dockerfiles_lint_clean_and_parse(case: str, tmp_path: Path) -> None:
    dockerfile = _dockerfile(case)
    assert hadolint_findings(dockerfile, tmp_path) == []
    instructions = buildkit_instructions(dockerfile)
    assert instructions.count("HEALTHCHECK") == 1
    assert instructions.index("HEALTHCHECK") < instructions.index("USER")


def test_healthcheck_dockerfile_matches_golden(golden: Golden) -> None:
    golden.check("flask/healthcheck/Dockerfile", _dockerfile("flask"))


@pytest.mark.parametrize("path", ["health", "/a b", "/x'y", "/$HOME", '/"', "/\n", ""])
def test_a_path_that_is_not_a_url_path_is_refused(path: str) -> None:
    with pytest.raises(UnsafeValueError) as info:
        detect_project(FIXTURES / "flask", Overrides(healthcheck=path))
    assert str(info.value).endswith("give a URL path such as /health")


def test_a_healthcheck_needs_a_port() -> None:
    with pytest.raises(HealthcheckPortError) as info:
        detect_project(FIXTURES / "pip-requirements", HEALTH)
    assert str(info.value) == (
        "--healthcheck: /health needs the port the app listens on, and none was found; pass --port"
    )


def test_remembered_as_an_answer_and_kept_by_update(tmp_path: Path) -> None:
    project = Path(shutil.copytree(FIXTURES / "flask", tmp_path / "flask"))
    result = runner.invoke(app, ["init", str(project), "--healthcheck", "/health"])
    assert result.exit_code == 0, result.output
    assert 'healthcheck = "/health"\n' in (project / ".dockergen.toml").read_text()
    (project / ".python-version").write_text("3.13\n")
    assert runner.invoke(app, ["update", str(project)]).exit_code == 0
    text = (project / "Dockerfile").read_text()
    assert "ARG PYTHON_VERSION=3.13\n" in text
    assert "urlopen('http://127.0.0.1:8000/health', timeout=4)" in text
    assert runner.invoke(app, ["check", str(project)]).exit_code == 0


# ---- the probe asks the chosen path ----


@contextlib.contextmanager
def _serving_only(path: str) -> Iterator[int]:
    """An HTTP server on 127.0.0.1: 200 for `path`, 404 for everything else."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == path else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(("path", "exit_code"), [("/health", 0), ("/", 1), ("/healthz", 1)])
def test_the_probe_asks_the_chosen_path(path: str, exit_code: int) -> None:
    with _serving_only("/health") as port:
        argv = probe_command(port, path)
        assert argv[0] == "python"  # the image's python; here the one running the tests
        result = subprocess.run([sys.executable, *argv[1:]], capture_output=True, timeout=30)
    assert result.returncode == exit_code
