"""`dockergen verify` finds the engine that is there — Docker, else Podman — or the one asked
for (`--engine`), names it in its report, and reads Podman's build log: all against fake
`docker` and `podman` commands (tests/fake_docker.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.errors import NoEngineError, NoPodmanError
from dockergen.verify import probe, run
from dockergen.verify.engine import (
    Engine,
    EngineChoice,
    current,
    find_engine,
    using,
)
from tests.fake_docker import calls, use
from tests.test_buildah_log import REBUILD

FIRST = REBUILD.replace("--> Using cache ", "--> built ")  # nothing came from the cache
TOOL = {"Size": 187_000_000, "Config": {"Cmd": ["python", "app.py"], "User": "10001:10001"}}


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "POLL_SECONDS", 0.02)
    monkeypatch.setattr(probe, "POLL_SECONDS", 0.02)
    monkeypatch.delenv("DOCKER_HOST", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "Dockerfile").write_text('FROM python:3.12-slim\nCMD ["python", "app.py"]\n')
    (root / "app.py").write_text("print('ok')\n")
    return root


def _fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **scenario: Any) -> Path:
    scenario.setdefault("build_log", FIRST)
    scenario.setdefault("rebuild_log", REBUILD)
    scenario.setdefault("inspect", TOOL)
    return use(tmp_path / "bin", scenario, monkeypatch)


@pytest.mark.parametrize(
    ("engines", "choice", "found"),
    [
        (["docker", "podman"], EngineChoice.AUTO, Engine("docker", "20.10.24-fake")),
        (["podman"], EngineChoice.AUTO, Engine("podman", "4.3.1-fake")),
        (["docker", "podman"], EngineChoice.PODMAN, Engine("podman", "4.3.1-fake")),
        (["docker"], EngineChoice.DOCKER, Engine("docker", "20.10.24-fake")),
    ],
)
def test_the_engine_found(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    engines: list[str],
    choice: EngineChoice,
    found: Engine,
) -> None:
    _fake(tmp_path, monkeypatch, engines=engines)
    assert find_engine(choice) == found


def test_asked_for_docker_podman_is_never_tried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = _fake(tmp_path, monkeypatch, engines=["podman"])
    with pytest.raises(NoEngineError) as info:
        find_engine(EngineChoice.DOCKER)
    assert str(info.value) == (
        "no Docker engine answers at the default socket (Cannot connect to the Docker daemon. "
        "Is the docker daemon running?); start Docker, or set DOCKER_HOST to an engine that runs"
    )
    assert calls(scenario, "podman") == []
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")  # DOCKER_HOST asks for Docker too
    with pytest.raises(NoEngineError, match=r"at tcp://127\.0\.0\.1:9 "):
        find_engine()
    assert calls(scenario, "podman") == []


def test_neither_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(tmp_path, monkeypatch, no_engine=True)
    with pytest.raises(NoEngineError) as info:
        find_engine()
    assert str(info.value) == (
        "no Docker engine answers at the default socket (Cannot connect to the Docker daemon. "
        "Is the docker daemon running?); Podman does not answer either (Error: unable to "
        "connect to Podman socket); start Docker, or set DOCKER_HOST to an engine that runs, "
        "or start Podman"
    )
    with pytest.raises(NoPodmanError) as asked:
        find_engine(EngineChoice.PODMAN)
    assert str(asked.value) == (
        "Podman does not answer (Error: unable to connect to Podman socket); install or start "
        "Podman (`podman info` must work), or leave out --engine podman"
    )


def test_the_engine_is_current_only_inside_using() -> None:
    assert current() == Engine("docker")
    with using(Engine("podman", "4.3.1")) as engine:
        assert current() is engine
    assert current() == Engine("docker")


def test_build_and_remove_arguments_per_engine(tmp_path: Path) -> None:
    docker, podman = Engine("docker"), Engine("podman")
    args = (tmp_path, tmp_path / "Dockerfile", "t")
    assert docker.build_args(*args) == [
        "docker", "build", "--progress=plain", "-f", f"{tmp_path}/Dockerfile", "-t", "t", str(tmp_path)
    ]  # fmt: skip
    assert podman.build_args(*args) == [
        "podman", "build", "-f", f"{tmp_path}/Dockerfile", "-t", "t", str(tmp_path)
    ]  # fmt: skip
    assert docker.remove_args("c") == ["rm", "--force", "--volumes", "c"]
    assert podman.remove_args("c") == ["rm", "--force", "--volumes", "--time", "0", "c"]


def test_verify_on_podman_names_it_and_reads_its_log(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = _fake(tmp_path, monkeypatch, engines=["podman"])
    result = CliRunner().invoke(app, ["verify", str(project), "--cache", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["engine_name"], report["engine"]) == ("podman", "4.3.1-fake")
    assert report["rebuild"]["dependency_steps"] == 4
    assert report["rebuild"]["not_cached"] == []
    made = calls(scenario, "podman")
    builds = [c for c in made if c[0] == "build"]
    assert len(builds) == 2 and all("--progress=plain" not in c for c in builds)
    assert next(c for c in made if c[0] == "rm")[:5] == [
        "rm",
        "--force",
        "--volumes",
        "--time",
        "0",
    ]
    assert [c[0] for c in calls(scenario)] == ["version"]  # docker was asked once, and no more


def test_verify_on_podman_sees_a_step_that_re_ran(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilt = REBUILD.replace(
        "--> Using cache 7435b08bde0bd13031368e7c5b13b386bce32035e969af167a36e29543e0a2e0\n", ""
    )
    _fake(tmp_path, monkeypatch, engines=["podman"], rebuild_log=rebuilt)
    result = CliRunner().invoke(app, ["verify", str(project), "--cache", "--engine", "podman"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "engine: podman 4.3.1-fake"
    assert lines[3].endswith(
        "3/4 dependency steps CACHED; re-ran: [builder 5/6] COPY requirements.txt ./"
    )


def test_an_unknown_engine_is_a_usage_error(project: Path) -> None:
    result = CliRunner().invoke(app, ["verify", str(project), "--engine", "lxc"])
    assert result.exit_code == 2
    assert "dockergen: error: --engine 'lxc': choose one of auto, docker, podman" in result.output
