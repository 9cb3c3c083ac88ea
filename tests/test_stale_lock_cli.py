"""A stale lock file stops init, update, check and plan before anything is written; the
one-off --allow-stale-lock turns the error into a warning and is never remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.detect import detect_project
from dockergen.errors import StaleLockError
from dockergen.model import Installer, Overrides
from tests.helpers import tree_snapshot

runner = CliRunner()
STALE = (
    "uv.lock is out of date: pyproject.toml has version 0.2.0, the lock 0.1.0; run `uv lock` "
    "and commit uv.lock, or pass --allow-stale-lock to build anyway"
)
WARNING = (
    "dockergen: warning: uv.lock is out of date: pyproject.toml has version 0.2.0, the lock "
    "0.1.0; the image build refuses it until you run `uv lock` and commit uv.lock\n"
)


def _bump_version(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"0.1.0"', '"0.2.0"'))


@pytest.mark.parametrize("project", ["uv"], indirect=True)
def test_detection_refuses_a_stale_lock(project: Path) -> None:
    _bump_version(project)
    with pytest.raises(StaleLockError) as raised:
        detect_project(project)
    assert str(raised.value) == STALE
    spec = detect_project(project, allow_stale_lock=True)
    assert spec.warnings[0] == WARNING.removeprefix("dockergen: warning: ").rstrip("\n")


@pytest.mark.parametrize("project", ["uv"], indirect=True)
def test_only_the_chosen_installers_lock_is_checked(project: Path) -> None:
    _bump_version(project)
    spec = detect_project(project, Overrides(installer=Installer.PEP621))
    assert spec.installer.value == Installer.PEP621


@pytest.mark.parametrize("project", ["uv"], indirect=True)
@pytest.mark.parametrize(
    "command",
    [
        ["init"],
        ["init", "--dry-run"],
        ["update"],
        ["check"],
        ["diff"],
        ["plan"],
        ["plan", "--json"],
    ],
    ids=" ".join,
)
def test_stale_lock_is_exit_1_and_writes_nothing(project: Path, command: list[str]) -> None:
    if command != ["init"]:
        assert runner.invoke(app, ["init", str(project), "--no-input"]).exit_code == 0
    _bump_version(project)
    before = tree_snapshot(project)
    result = runner.invoke(app, [*command, str(project)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"dockergen: error: {STALE}\n"
    assert tree_snapshot(project) == before


@pytest.mark.parametrize("project", ["uv"], indirect=True)
def test_allow_stale_lock_warns_and_is_not_remembered(project: Path) -> None:
    _bump_version(project)
    result = runner.invoke(app, ["init", str(project), "--no-input", "--allow-stale-lock"])
    assert result.exit_code == 0, result.output
    assert result.stderr == WARNING
    assert (project / "Dockerfile").is_file()
    assert "allow" not in (project / "pyproject.toml").read_text()
    assert not (project / ".dockergen.toml").exists()
    for command in ("update", "plan"):
        result = runner.invoke(app, [command, str(project), "--allow-stale-lock"])
        assert result.exit_code == 0, (command, result.output)
        assert WARNING.removeprefix("dockergen: ") in result.output
    result = runner.invoke(app, ["check", str(project), "--allow-stale-lock"])
    assert (result.exit_code, result.stdout) == (0, "dockergen: up to date\n")
    result = runner.invoke(app, ["diff", str(project), "--allow-stale-lock"])
    assert (result.exit_code, result.stdout) == (0, "")
    result = runner.invoke(app, ["check", str(project)])  # the flag was a one-off
    assert (result.exit_code, result.stderr) == (1, f"dockergen: error: {STALE}\n")


@pytest.mark.parametrize("project", ["uv"], indirect=True)
@pytest.mark.parametrize(
    ("command", "written"),
    [(["compose"], "compose.yaml"), (["ci", "github"], ".github/workflows/docker.yml")],
    ids=["compose", "ci"],
)
def test_compose_and_ci_do_not_depend_on_the_lock(
    project: Path, command: list[str], written: str
) -> None:
    _bump_version(project)
    result = runner.invoke(app, [*command, str(project)])
    assert result.exit_code == 0, result.output
    assert (project / written).is_file()
