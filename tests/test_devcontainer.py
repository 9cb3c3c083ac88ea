"""`.devcontainer/devcontainer.json` (`dockergen devcontainer`, `init --devcontainer`).

No Dev Containers JSON schema is available offline here (the npm package @devcontainers/cli
bundles its code without the schema files, and check-jsonschema vendors none), so the file is
checked as parsed JSON: every key is one the Dev Containers specification defines, with the
type it defines, and the values dockergen means."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.detect import detect_project
from dockergen.devcontainer import render_devcontainer
from dockergen.errors import DockergenError
from dockergen.model import Overrides
from tests.helpers import CASES, FIXTURES

runner = CliRunner()
# Top-level keys of the specification's image/Dockerfile form used here, and their JSON types.
SPEC_KEYS = {
    "name": str,
    "build": dict,
    "workspaceFolder": str,
    "workspaceMount": str,
    "mounts": list,
    "forwardPorts": list,
    "overrideCommand": bool,
    "containerUser": str,
    "remoteUser": str,
    "containerEnv": dict,
    "customizations": dict,
}
BUILD_KEYS = {"dockerfile", "context", "target", "args", "options", "cacheFrom"}


def _document(case: str) -> dict[str, Any]:
    spec = detect_project(FIXTURES / case, Overrides(dev=True))
    document = json.loads(render_devcontainer(spec).content)
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize("case", CASES)
def test_keys_are_the_specifications(case: str) -> None:
    document = _document(case)
    for key, value in document.items():
        assert isinstance(value, SPEC_KEYS[key]), key
    assert set(document["build"]) <= BUILD_KEYS
    assert all(isinstance(m, str) for m in document["mounts"])
    assert all(isinstance(p, int) for p in document.get("forwardPorts", []))


def test_builds_the_dev_target_as_the_app_user() -> None:
    document = _document("flask")
    assert document["build"] == {"dockerfile": "../Dockerfile", "context": "..", "target": "dev"}
    assert document["name"] == "Python 3.14, dockergen dev target"
    assert document["forwardPorts"] == [8000]
    assert document["overrideCommand"] is False  # the server (with reload) is the command
    assert (document["remoteUser"], document["containerUser"]) == ("app", "app")
    assert document["workspaceFolder"] == "/app"
    assert document["mounts"] == ["target=/app/.venv,type=volume"]
    settings = document["customizations"]["vscode"]["settings"]
    assert settings["python.defaultInterpreterPath"] == "/app/.venv/bin/python"


def test_without_a_port_the_container_keeps_its_default_command() -> None:
    document = _document("pip-requirements")
    assert "forwardPorts" not in document and "overrideCommand" not in document


def test_needs_the_dev_target() -> None:
    with pytest.raises(DockergenError, match="update --dev"):
        render_devcontainer(detect_project(FIXTURES / "flask"))


@pytest.fixture
def flask(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "flask", tmp_path / "flask"))


def test_init_devcontainer_implies_dev(flask: Path) -> None:
    result = runner.invoke(app, ["init", str(flask), "--devcontainer", "--no-input"])
    assert result.exit_code == 0, result.output
    assert "AS dev" in (flask / "Dockerfile").read_text()
    assert (flask / ".dockergen.toml").read_text().endswith("dev = true\n")
    assert json.loads((flask / ".devcontainer/devcontainer.json").read_text())["remoteUser"]


def test_devcontainer_command(flask: Path) -> None:
    result = runner.invoke(app, ["devcontainer", str(flask)])
    assert result.exit_code == 1
    assert "dockergen update --dev" in result.stderr
    assert runner.invoke(app, ["init", str(flask), "--dev", "--no-input"]).exit_code == 0
    result = runner.invoke(app, ["devcontainer", str(flask), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("--- .devcontainer/devcontainer.json ---\n{")
    assert runner.invoke(app, ["devcontainer", str(flask)]).exit_code == 0
    assert (flask / ".devcontainer/devcontainer.json").is_file()
