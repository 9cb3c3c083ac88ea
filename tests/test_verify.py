"""The parts of `dockergen verify` that need no engine: logs, image config, options, report."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.errors import DockergenError
from dockergen.verify import Mode, Report, VerifyOptions, VerifyUsageError, human_lines, to_json
from dockergen.verify.buildlog import dependency_steps, failed_step, parse_steps, step_header
from dockergen.verify.declared import declared_dependencies
from dockergen.verify.diagnose import Diagnosis
from dockergen.verify.flow import check_options
from dockergen.verify.image import ImageConfig, choose_mode, help_command, image_config
from dockergen.verify.probe import ProbeResult
from dockergen.verify.rebuild import copy_context, source_file
from dockergen.verify.report import RebuildSummary
from dockergen.verify.run import RunOptions, run_args

BROKEN = Path(__file__).parent / "broken"

# A rebuild after a code-only change, as BuildKit 20.10 prints it (abridged).
REBUILD_LOG = """\
#4 [builder 1/5] FROM docker.io/library/python:3.12-slim
#4 DONE 0.0s

#7 [builder 2/5] WORKDIR /app
#7 CACHED

#8 [builder 3/5] RUN python -m venv --without-pip /app/.venv
#8 CACHED

#10 [builder 4/5] COPY requirements.txt ./
#10 CACHED

#11 [builder 5/5] RUN --mount=type=cache,target=/root/.cache     pip install -r requirements.txt
#11 CACHED

#5 [stage-1 2/6] RUN groupadd --system --gid 10001 app
#5 CACHED

#12 [stage-1 4/6] COPY --from=builder /app/.venv /app/.venv
#12 CACHED

#13 [stage-1 5/6] COPY . .
#13 DONE 0.0s

#14 [stage-1 6/6] RUN python manage.py collectstatic --noinput
#14 0.512 120 static files copied
#14 DONE 0.6s
"""

FAILED_LOG = """\
#11 [builder 5/5] RUN pip install -r requirements.txt
#11 1.2 ERROR: No matching distribution found for nope==9
#11 ERROR: executor failed running [/bin/sh -c pip install -r requirements.txt]: exit code: 1
"""


def test_steps_and_cached() -> None:
    steps = parse_steps(REBUILD_LOG)
    assert [s.label for s in steps][:2] == [
        "[builder 1/5] FROM docker.io/library/python:3.12-slim",
        "[builder 2/5] WORKDIR /app",
    ]
    assert [s.cached for s in steps] == [False, True, True, True, True, True, True, False, False]
    assert steps[-1].output == ["120 static files copied"]


def test_dependency_steps_stop_at_the_source_copy() -> None:
    labels = [s.label for s in dependency_steps(parse_steps(REBUILD_LOG))]
    assert labels == [
        "[builder 3/5] RUN python -m venv --without-pip /app/.venv",
        "[builder 4/5] COPY requirements.txt ./",
        "[builder 5/5] RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt",
        "[stage-1 2/6] RUN groupadd --system --gid 10001 app",
    ]


def test_dependency_step_not_cached_is_seen() -> None:
    log = REBUILD_LOG.replace("#10 CACHED", "#10 DONE 0.1s")
    not_cached = [s.label for s in dependency_steps(parse_steps(log)) if not s.cached]
    assert not_cached == ["[builder 4/5] COPY requirements.txt ./"]


def test_failed_step() -> None:
    step = failed_step(parse_steps(FAILED_LOG))
    assert step is not None
    assert step.label == "[builder 5/5] RUN pip install -r requirements.txt"
    assert step.output == ["ERROR: No matching distribution found for nope==9"]


def test_step_header_ignores_other_lines() -> None:
    assert step_header("#1 [internal] load build definition from Dockerfile") is None
    assert step_header("#11 1.2 Collecting six") is None


def _inspected(**config: object) -> dict[str, object]:
    return {"Size": 1234, "Config": config}


def test_image_config_and_mode() -> None:
    config = image_config(
        _inspected(
            ExposedPorts={"8000/tcp": {}, "53/udp": {}, "443/tcp": {}},
            Cmd=["gunicorn", "app:app"],
            Entrypoint=None,
            User="10001:10001",
            Env=["PATH=/usr/bin", "PYTHON_VERSION=3.12.1"],
        )
    )
    assert config == ImageConfig(
        (443, 8000), ("gunicorn", "app:app"), (), "10001:10001", "3.12.1", 1234
    )
    assert choose_mode(config) is Mode.SERVER
    assert choose_mode(config, Mode.WORKER) is Mode.WORKER


def test_no_expose_is_a_command() -> None:
    config = image_config(_inspected(Cmd=["inventory"], Entrypoint=["tini", "--"]))
    assert config.ports == ()
    assert choose_mode(config) is Mode.CLI
    assert help_command(config) == ("inventory", "--help")


def test_run_args_production_shape() -> None:
    options = RunOptions(env=("A=1",), env_files=("prod.env",), read_only=True, port=8000)
    assert run_args("img", "c1", options) == [
        "run", "--detach", "--name", "c1", "--label", "dockergen-verify=1",
        "--read-only", "--tmpfs", "/tmp", "--publish", "127.0.0.1::8000",
        "--env", "A=1", "--env-file", "prod.env", "img",
    ]  # fmt: skip


def test_source_file_respects_dockerignore(tmp_path: Path) -> None:
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "a.py").write_text("")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "conf.py").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "main.py").write_text("")
    (tmp_path / ".dockerignore").write_text("# docs are not shipped\ndocs/\n")
    assert source_file(tmp_path) == "pkg/main.py"
    (tmp_path / "app.py").write_text("")
    assert source_file(tmp_path) == "app.py"


def test_copy_context_leaves_junk(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / ".git").mkdir(parents=True)
    (project / "app.py").write_text("print(1)\n")
    copy = copy_context(project, tmp_path / "copy")
    assert sorted(p.name for p in copy.iterdir()) == ["app.py"]


def test_check_options(tmp_path: Path) -> None:
    with pytest.raises(DockergenError, match=r"Dockerfile: no such file; run `dockergen init`"):
        check_options(VerifyOptions(tmp_path))
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    assert check_options(VerifyOptions(tmp_path)) == tmp_path / "Dockerfile"
    with pytest.raises(VerifyUsageError, match="expected KEY=VALUE"):
        check_options(VerifyOptions(tmp_path, env=("NOPE",)))
    with pytest.raises(VerifyUsageError, match="must start with /"):
        check_options(VerifyOptions(tmp_path, http_path="health"))


def test_declared_dependencies_keep_markers() -> None:
    assert declared_dependencies(BROKEN / "marker-excluded") == {"six": 'python_version < "3.11"'}
    assert declared_dependencies(BROKEN / "missing-module") == {"six": ""}


def _report() -> Report:
    probe = ProbeResult(True, Mode.SERVER, 1.23, "answered HTTP 404", status=404)
    rebuild = RebuildSummary(True, 0.42, 4.9, "app.py", 3, (), Path("r.log"))
    return Report(
        project="proj",
        engine="20.10.24",
        engine_name="docker",
        build_ok=True,
        build_seconds=4.91,
        log=Path("b.log"),
        image_size=181_000_000,
        run=probe,
        port=8000,
        host_port=49153,
        rebuild=rebuild,
    )


def test_json_schema() -> None:
    data = json.loads(json.dumps(to_json(_report())))
    assert data == {
        "schema": 1,
        "ok": True,
        "project": "proj",
        "engine": "20.10.24",
        "engine_name": "docker",
        "build": {
            "ok": True,
            "seconds": 4.9,
            "log": "b.log",
            "image": None,
            "image_size": 181000000,
            "failed_step": None,
            "cache": "own",
        },
        "run": {
            "mode": "server",
            "ok": True,
            "seconds": 1.2,
            "detail": "answered HTTP 404",
            "port": 8000,
            "host_port": 49153,
            "http_status": 404,
            "exit_code": None,
        },
        "rebuild": {
            "ok": True,
            "seconds": 0.4,
            "first_seconds": 4.9,
            "changed_file": "app.py",
            "dependency_steps": 3,
            "not_cached": [],
            "log": "r.log",
        },
        "diagnoses": [],
        "output_tail": [],
    }


def test_human_summary() -> None:
    assert human_lines(_report()) == [
        "engine: docker 20.10.24",
        "build: built in 4.9 s, image 181 MB, with cache mounts of this project's own",
        "run: server ok: answered HTTP 404 on 127.0.0.1:49153 (container port 8000) after 1.2 s",
        "rebuild: ok: code-only change to app.py rebuilt in 0.4 s (first build 4.9 s); "
        "3/3 dependency steps CACHED",
        "verify: OK",
    ]


def test_failure_summary_names_cause_and_fix() -> None:
    report = _report()
    report.run = ProbeResult(False, Mode.CLI, 0.5, "exited with code 1")
    report.output_tail = ["KeyError: 'X'"]
    report.diagnoses = [Diagnosis("missing-env", "X is not set", "pass --env X=...")]
    lines = human_lines(report)
    assert lines[-4:] == [
        "  | KeyError: 'X'",
        "cause: X is not set",
        "fix: pass --env X=...",
        "verify: FAILED",
    ]
    assert to_json(report)["ok"] is False


def test_cli_bad_usage_exits_2(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    result = CliRunner().invoke(app, ["verify", str(tmp_path), "--env", "NOPE"])
    assert result.exit_code == 2, result.output
    assert "dockergen: error: --env 'NOPE': expected KEY=VALUE" in result.output
    assert CliRunner().invoke(app, ["verify", str(tmp_path), "--mode", "x"]).exit_code == 2


def test_cli_no_engine(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    fake = tmp_path / "bin" / "docker"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\necho 'Cannot connect to the Docker daemon. Is it running?' >&2\nexit 1\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {
        "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}",
        "DOCKER_HOST": "tcp://127.0.0.1:9",
    }
    result = CliRunner().invoke(app, ["verify", str(tmp_path)], env=env)
    assert result.exit_code == 1
    assert result.output.strip() == (
        "dockergen: error: no Docker engine answers at tcp://127.0.0.1:9 (Cannot connect to the "
        "Docker daemon. Is it running?); start Docker, or set DOCKER_HOST to an engine that runs"
    )


def test_declared_dependencies_from_pyproject_and_broken_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["attrs>=23; python_version >= \'3.13\'", "./vendored"]\n'
    )
    assert declared_dependencies(tmp_path)["attrs"] == 'python_version >= "3.13"'
    (tmp_path / "pyproject.toml").write_text("[project\n")  # not TOML: the build reports it
    assert declared_dependencies(tmp_path) == {}
