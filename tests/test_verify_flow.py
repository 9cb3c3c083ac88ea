"""`dockergen verify` from end to end against a fake `docker` (tests/fake_docker.py): the
phases, the exit codes, the JSON report, and the clean-up, in well under a second each."""

from __future__ import annotations

import http.server
import io
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.errors import DockerCommandError, DockergenError
from dockergen.verify import Mode, Progress, VerifyOptions, flow, probe, progress, run, verify
from dockergen.verify.build import build_image
from dockergen.verify.engine import docker
from tests.fake_docker import calls, use

BUILD_LOG = """\
#4 [builder 1/3] FROM docker.io/library/python:3.12-slim
#4 DONE 0.0s

#5 [builder 2/3] COPY requirements.txt ./
#5 DONE 0.0s

#6 [builder 3/3] RUN pip install -r requirements.txt
#6 1.0 Successfully installed six-1.17.0
#6 DONE 1.1s

#7 [stage-1 2/2] COPY . .
#7 DONE 0.0s
"""
REBUILD_LOG = BUILD_LOG.replace("#5 DONE 0.0s", "#5 CACHED").replace("#6 DONE 1.1s", "#6 CACHED")
SERVER = {"Size": 181_000_000, "Config": {"ExposedPorts": {"8000/tcp": {}}, "Cmd": ["gunicorn"]}}
TOOL = {
    "Size": 175_000_000,
    "Config": {"Cmd": ["python", "app.py"], "Env": ["PYTHON_VERSION=3.12.1"]},
}


class _Handler(http.server.BaseHTTPRequestHandler):
    # The status / answers with; tests set it (an app that fails, refuses the host, has no /).
    root = 404

    def do_GET(self) -> None:
        self.send_response(
            200 if self.path == "/health" else self.root if self.path == "/" else 404
        )
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def http_port() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Failed runs keep their logs in a temporary directory: this test's, not the machine's.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(run, "POLL_SECONDS", 0.02)
    monkeypatch.setattr(probe, "POLL_SECONDS", 0.02)
    monkeypatch.setattr(probe, "GRACE_SECONDS", 0.1)
    monkeypatch.setattr(progress, "TICK_SECONDS", 0.01)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "Dockerfile").write_text(
        'ARG PYTHON_VERSION=3.12\nFROM python:3.12-slim\nCMD ["python", "app.py"]\n'
    )
    (root / "requirements.txt").write_text("six==1.17.0\n")
    (root / "app.py").write_text("print('ok')\n")
    return root


def _fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **scenario: Any) -> Path:
    scenario.setdefault("build_log", BUILD_LOG)
    scenario.setdefault("rebuild_log", REBUILD_LOG)
    return use(tmp_path / "bin", scenario, monkeypatch)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["verify", *args])
    return result.exit_code, result.stdout


def _json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out = _cli(*args, "--json")
    return code, json.loads(out)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _cleaned_up(scenario: Path, *, images: int = 1) -> None:
    made = calls(scenario)
    names = [c[c.index("--name") + 1] for c in made if c[0] == "run"]
    removed = [c[-1] for c in made if c[:2] == ["rm", "--force"]]
    assert names and removed == names
    assert (
        next(c for c in made if c[0] == "rmi")[2:]
        == [c[c.index("-t") + 1] for c in made if c[0] == "build"][:images]
    )


def test_server_with_cache(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, http_port: int
) -> None:
    scenario = _fake(tmp_path, monkeypatch, inspect=SERVER, state="true 0", port=http_port)
    before = _tree(project)
    code, report = _json(str(project), "--cache")
    assert code == 0, report
    assert report["run"]["mode"] == "server" and report["run"]["http_status"] == 404
    assert (report["run"]["port"], report["run"]["host_port"]) == (8000, http_port)
    assert report["rebuild"]["ok"] and report["rebuild"]["dependency_steps"] == 2
    assert report["rebuild"]["changed_file"] == "app.py"
    assert report["build"]["log"] is None  # kept only for failures
    assert _tree(project) == before
    _cleaned_up(scenario, images=2)
    run_call = next(c for c in calls(scenario) if c[0] == "run")
    assert "127.0.0.1::8000" in run_call


def test_health_path(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, http_port: int
) -> None:
    _fake(tmp_path, monkeypatch, inspect=SERVER, state="true 0", port=http_port)
    assert _cli(str(project), "--path", "/health")[0] == 0
    code, report = _json(str(project), "--path", "/nope")
    assert code == 1
    assert report["run"]["detail"] == "GET /nope answered HTTP 404, not 2xx/3xx"


def test_no_page_at_the_root_is_a_server_up(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, http_port: int
) -> None:
    _fake(tmp_path, monkeypatch, inspect=SERVER, state="true 0", port=http_port)
    code, report = _json(str(project))
    assert code == 0
    assert report["run"]["detail"] == (
        "answered HTTP 404 on / (the app is up, and / is no page of its own; --path /some/page "
        "probes one)"
    )


@pytest.mark.parametrize(
    ("status", "logs", "pattern"),
    [
        pytest.param(
            500,
            "Traceback (most recent call last):\n"
            '  File "/app/flaskr/blog.py", line 20, in index\n'
            "sqlite3.OperationalError: no such table: post\n",
            "no-migrations",
            id="never-migrated",
        ),
        pytest.param(
            500,
            "Traceback (most recent call last):\n"
            '  File "/app/.venv/lib/python3.13/site-packages/starlette/templating.py", line 9\n'
            "TypeError: unhashable type: 'dict'\n",
            "server-error",
            id="error-inside-a-dependency",
        ),
        pytest.param(
            400,
            "django.core.exceptions.DisallowedHost: Invalid HTTP_HOST header: '127.0.0.1:8000'. "
            "You may need to add '127.0.0.1' to ALLOWED_HOSTS.\n",
            "disallowed-host",
            id="disallowed-host",
        ),
    ],
)
def test_a_server_that_fails_the_request_fails_with_the_cause(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    http_port: int,
    status: int,
    logs: str,
    pattern: str,
) -> None:
    monkeypatch.setattr(_Handler, "root", status)
    _fake(tmp_path, monkeypatch, inspect=SERVER, state="true 0", port=http_port, logs=logs)
    code, report = _json(str(project))
    assert code == 1
    assert report["run"]["detail"] == f"GET / answered HTTP {status}, not 2xx/3xx"
    assert [d["pattern"] for d in report["diagnoses"]] == [pattern]


def test_an_image_without_a_cmd_of_its_own_fails(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY . .\n")
    scenario = _fake(tmp_path, monkeypatch, inspect=TOOL, state="false 0")
    code, report = _json(str(project))
    assert code == 1
    assert report["run"]["detail"] == (
        "no CMD or ENTRYPOINT in the final stage: the image runs python:3.12-slim's own command"
    )
    assert [d["pattern"] for d in report["diagnoses"]] == ["no-command"]
    assert not any(c[0] == "run" for c in calls(scenario))


def test_the_build_uses_a_cache_of_the_projects_own(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "Dockerfile").write_text(
        "FROM python:3.12-slim\nRUN --mount=type=cache,id=root-cache-trixie,target=/root/.cache "
        '\\\n    --mount=type=cache,target=/var/cache/apt pip install six\nCMD ["python"]\n'
    )
    seen: list[str] = []
    real = flow.build_image  # type: ignore[attr-defined]  # the name flow calls

    def spy(context: Path, dockerfile: Path, *args: Any, **kwargs: Any) -> Any:
        seen.append(dockerfile.read_text())
        return real(context, dockerfile, *args, **kwargs)

    monkeypatch.setattr(flow, "build_image", spy)
    _fake(tmp_path, monkeypatch, inspect=TOOL, state="false 0")
    code, report = _json(str(project))
    assert (code, report["build"]["cache"]) == (0, "own")
    assert "id=root-cache-trixie-verify-" in seen[0]
    assert "target=/var/cache/apt,id=var-cache-apt-verify-" in seen[0]
    code, report = _json(str(project), "--shared-cache")
    assert (code, report["build"]["cache"]) == (0, "shared")
    assert seen[1] == (project / "Dockerfile").read_text()


def test_loopback_server_gives_up_early(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = "[INFO] Listening at: http://127.0.0.1:8000 (1)\n"
    _fake(tmp_path, monkeypatch, inspect=SERVER, state="true 0", port=9, logs=logs)
    code, out = _cli(str(project), "--timeout", "30")
    assert code == 1
    assert "cause: the server binds to loopback" in out
    assert out.rstrip().endswith("verify: FAILED")


def test_server_that_exits(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logs = "ModuleNotFoundError: No module named 'gunicorn'\n"
    _fake(tmp_path, monkeypatch, inspect=SERVER, state="false 3", port=9, logs=logs)
    code, report = _json(str(project))
    assert code == 1
    assert report["run"]["exit_code"] == 3
    assert report["diagnoses"][0]["pattern"] == "missing-module"


NO_PORT = "Error: No public port '8000/tcp' published for dockergen-verify-0123\n"
EXITED_AT_ONCE = (
    "Traceback (most recent call last):\n"
    '  File "/app/app.py", line 5, in <module>\n'
    '    SECRET_KEY = os.environ["SECRET_KEY"]\n'
    "KeyError: 'SECRET_KEY'\n"
)


def test_a_server_that_exits_before_its_port_is_read(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`docker port` fails for a stopped container: the app's exit, not the engine's fault."""
    scenario = _fake(
        tmp_path,
        monkeypatch,
        inspect=SERVER,
        state="false 1",
        port_error=NO_PORT,
        logs=EXITED_AT_ONCE,
    )
    code, out = _cli(str(project))
    assert code == 1
    lines = out.splitlines()
    run = next(i for i, line in enumerate(lines) if line.startswith("run: "))
    assert lines[run : run + 7] == [
        "run: server FAILED: exited at once with code 1, before it could be probed",
        "output (last lines):",
        *(f"  | {line}" for line in EXITED_AT_ONCE.splitlines()),
        "cause: the environment variable SECRET_KEY is not set (KeyError: 'SECRET_KEY')",
    ]
    assert "engine is healthy" not in out
    _cleaned_up(scenario)
    code, report = _json(str(project))
    assert (code, report["run"]["exit_code"], report["run"]["ok"]) == (1, 1, False)
    assert report["output_tail"][-1] == "KeyError: 'SECRET_KEY'"


def test_a_command_missing_from_the_image_is_not_blamed_on_the_engine(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = (
        "docker: Error response from daemon: failed to create shim task: OCI runtime create "
        'failed: runc create failed: unable to start container process: exec: "gunicorn": '
        "executable file not found in $PATH: unknown.\n"
    )
    scenario = _fake(
        tmp_path, monkeypatch, inspect=SERVER, state="false 127", run_error=said, run_code=127
    )
    code, report = _json(str(project))
    assert code == 1
    assert report["run"]["exit_code"] == 127
    assert report["output_tail"] == [said.strip()]
    assert report["diagnoses"][0]["pattern"] == "command-not-found"
    _cleaned_up(scenario)


def test_a_run_the_engine_refuses_without_a_stopped_container_is_the_engines(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = "docker: Error response from daemon: no space left on device.\n"
    _fake(tmp_path, monkeypatch, inspect=SERVER, state="true 0", run_error=said, run_code=125)
    result = CliRunner().invoke(app, ["verify", str(project)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].endswith(
        "failed: docker: Error response from daemon: no space left on device.; check that the "
        "engine is healthy (`docker info`) and try again"
    )


def test_a_port_the_engine_cannot_tell_while_running_is_the_engines(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake(tmp_path, monkeypatch, inspect=SERVER, state="true 0", port_error="Error: boom\n")
    result = CliRunner().invoke(app, ["verify", str(project)])
    assert result.exit_code == 1
    error = result.stderr.splitlines()[-1]
    name = error.split()[4]
    assert name.startswith("dockergen-verify-")
    assert error == (
        f"dockergen: error: `docker port {name} 8000/tcp` failed: Error: boom; check that the "
        "engine is healthy (`docker info`) and try again"
    )


def test_server_without_expose(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake(tmp_path, monkeypatch, inspect=TOOL)
    code, report = _json(str(project), "--mode", "server")
    assert code == 1
    assert report["run"]["detail"].startswith("a server was asked for (--mode server or --path)")


def test_cli_failure_is_diagnosed(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = _fake(
        tmp_path, monkeypatch, inspect=TOOL, state="false 1", logs="KeyError: 'API_KEY'\n"
    )
    code, out = _cli(str(project), "--env", "DEBUG=1", "--read-only")
    assert code == 1
    assert "run: cli FAILED: exited with code 1" in out
    assert "fix: pass it with --env API_KEY=VALUE" in out
    runs = [c for c in calls(scenario) if c[0] == "run"]
    assert len(runs) == 1  # its own CMD, as production runs it: no --help
    assert runs[0][-1].startswith("dockergen-verify-")
    assert {"--read-only", "DEBUG=1"} <= set(runs[0])
    _cleaned_up(scenario)


def test_a_cli_that_wants_arguments_is_asked_for_help(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usage = "usage: app.py [-h] URL\napp.py: error: the following arguments are required: URL\n"
    runs = [{"state": "false 2", "logs": usage}, {"state": "false 0", "logs": "usage: ...\n"}]
    scenario = _fake(tmp_path, monkeypatch, inspect=TOOL, runs=runs)
    code, report = _json(str(project))
    assert code == 0
    assert report["run"]["detail"] == (
        "its CMD `python app.py` wants arguments or input (it exited 2 asking for them); ran its "
        "CMD `python app.py` --help and exited 0"
    )
    made = [c for c in calls(scenario) if c[0] == "run"]
    assert [c[-1] for c in made][1:] == ["--help"] and made[0][-1].startswith("dockergen-")


def test_a_cli_that_fails_without_asking_for_arguments_fails(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = [{"state": "false 1", "logs": "Traceback...\nValueError: boom\n"}]
    scenario = _fake(tmp_path, monkeypatch, inspect=TOOL, runs=runs)
    code, report = _json(str(project))
    assert (code, report["run"]["detail"]) == (1, "exited with code 1")
    assert len([c for c in calls(scenario) if c[0] == "run"]) == 1


def test_cli_ok_and_worker(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(tmp_path, monkeypatch, inspect=TOOL, state="false 0")
    assert _json(str(project))[1]["run"]["detail"] == "ran its CMD `python app.py` and exited 0"
    _fake(tmp_path, monkeypatch, inspect=TOOL, state="true 0")
    code, report = _json(str(project), "--worker-seconds", "0.1")
    assert (code, report["run"]["mode"]) == (0, "worker")
    code, report = _json(str(project), "--mode", "cli", "--timeout", "0.1")
    assert (code, report["run"]["detail"]) == (1, "did not exit within 0 s")
    _fake(tmp_path, monkeypatch, inspect=TOOL, state="false 0")
    code, report = _json(str(project), "--mode", "worker", "--worker-seconds", "0.1")
    assert code == 1
    assert report["run"]["detail"].startswith("the worker exited with code 0")


def test_build_failure_keeps_the_log(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = (
        "#6 [builder 3/3] RUN uv sync --locked\n"
        "#6 0.5 error: The lockfile at `uv.lock` needs to be updated, but `--locked` was provided.\n"
        "#6 ERROR: executor failed running: exit code: 2\n"
    )
    scenario = _fake(tmp_path, monkeypatch, inspect=TOOL, build_log=log, build_code=1)
    code, report = _json(str(project), "--cache")
    assert code == 1
    assert report["build"]["failed_step"] == "[builder 3/3] RUN uv sync --locked"
    assert Path(report["build"]["log"]).read_text() == log
    assert report["diagnoses"][0]["pattern"] == "stale-uv.lock"
    assert report["run"] is None and report["rebuild"] is None
    assert not any(c[0] == "run" for c in calls(scenario))
    shutil.rmtree(Path(report["build"]["log"]).parent)


def test_rebuild_that_reinstalls(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake(tmp_path, monkeypatch, inspect=TOOL, rebuild_log=BUILD_LOG)
    code, out = _cli(str(project), "--cache")
    assert code == 1
    assert "0/2 dependency steps CACHED; re-ran: [builder 2/3] COPY requirements.txt ./" in out
    _fake(tmp_path, monkeypatch, inspect=TOOL, rebuild_code=1)
    code, report = _json(str(project), "--cache")
    assert code == 1
    assert report["rebuild"]["ok"] is False
    (project / "app.py").unlink()
    _fake(tmp_path, monkeypatch, inspect=TOOL)
    code, out = _cli(str(project), "--cache")
    assert (code, "rebuild: FAILED: no .py file to change" in out) == (1, True)


def test_keep_image(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = _fake(tmp_path, monkeypatch, inspect=TOOL)
    code, out = _cli(str(project), "--keep-image")
    assert code == 0
    assert ", kept as dockergen-verify-" in out
    assert not any(c[0] == "rmi" for c in calls(scenario))


def test_no_engine(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    _fake(tmp_path, monkeypatch, no_engine=True)
    result = CliRunner().invoke(app, ["verify", str(project)])
    assert result.exit_code == 1
    assert "no Docker engine answers at the default socket (Cannot connect" in result.output


def test_interrupt_removes_what_it_started(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = _fake(tmp_path, monkeypatch, inspect=TOOL)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("dockergen.verify.running.probe_command", interrupted)
    with pytest.raises(KeyboardInterrupt):
        verify(VerifyOptions(project), Progress(io.StringIO(), live=False))
    _cleaned_up(scenario)


def test_sigterm_is_an_interrupt() -> None:
    with pytest.raises(KeyboardInterrupt), flow._sigterm_as_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
        threading.Event().wait(5)  # the handler runs in the main thread, at once


def test_build_timeout(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(tmp_path, monkeypatch, build_sleep=5)
    result = build_image(project, project / "Dockerfile", "t", tmp_path / "b.log", timeout=0.3)
    assert (result.ok, result.timed_out) == (False, True)


def test_docker_command_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(tmp_path, monkeypatch, no_engine=True)
    with pytest.raises(DockerCommandError, match="`docker version` failed: Cannot connect"):
        docker("version")
    with pytest.raises(DockerCommandError, match="no answer within 0 s"):
        _fake(tmp_path, monkeypatch, build_sleep=5)
        docker("build", "-t", "x", ".", timeout=0.2)


def test_live_progress() -> None:
    stream = io.StringIO()
    shown = Progress(stream, live=True)
    shown.start("build")
    shown.on_line("#6 [builder 3/3] RUN pip install -r requirements.txt\n")
    threading.Event().wait(0.1)
    shown.done()
    assert "\r\x1b[Kbuild" in stream.getvalue()
    assert "[builder 3/3] RUN pip install" in stream.getvalue()
    plain = io.StringIO()
    lines = Progress(plain, live=False)
    lines.start("build")
    lines.on_line("#6 [builder 3/3] RUN pip install\n")
    lines.on_line("#6 [builder 3/3] RUN pip install\n")  # the same step again: one line
    assert plain.getvalue().count("build: [builder 3/3]") == 1


def test_unusable_options(project: Path) -> None:
    with pytest.raises(DockergenError, match=r"--env-file nope\.env: no such file"):
        flow.check_options(VerifyOptions(project, env_files=(Path("nope.env"),)))
    assert flow.parse_mode("worker") is Mode.WORKER


def test_ctrl_c_exits_130_after_cleaning_up(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = _fake(tmp_path, monkeypatch, inspect=TOOL)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("dockergen.verify.running.probe_command", interrupted)
    result = CliRunner().invoke(app, ["verify", str(project)])
    assert result.exit_code == 130
    assert "interrupted; its container and image are removed" in result.output
    _cleaned_up(scenario)


def test_app_output_cannot_drive_the_terminal(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake(tmp_path, monkeypatch, inspect=TOOL, state="false 1", logs="\x1b[31mboom\x1b[0m\n")
    code, out = _cli(str(project))
    assert code == 1
    assert "  | \\x1b[31mboom\\x1b[0m" in out
    assert "\x1b" not in out


def test_a_path_means_a_server(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--path asks for a page: an image that EXPOSEs nothing fails as a server would, instead
    of passing as a CLI whose --help exits 0."""
    _fake(tmp_path, monkeypatch, inspect=TOOL, state="false 0")
    code, report = _json(str(project), "--path", "/health")
    assert (code, report["run"]["mode"]) == (1, "server")
    assert (
        report["run"]["detail"]
        == "a server was asked for (--mode server or --path), but the image EXPOSEs no port; "
        "add EXPOSE (dockergen --port)"
    )
