"""compose, ci and team templates from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dockergen.cli import app
from tests.helpers import FIXTURES

runner = CliRunner()


@pytest.fixture
def flask(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "flask", tmp_path / "flask"))


def test_init_writes_compose_and_workflow(flask: Path) -> None:
    result = runner.invoke(app, ["init", str(flask), "--compose", "--ci", "github"])
    assert result.exit_code == 0, result.output
    assert f"wrote {flask / 'compose.yaml'}\n" in result.stdout
    assert f"wrote {flask / '.github/workflows/docker.yml'}\n" in result.stdout
    compose = yaml.safe_load((flask / "compose.yaml").read_text())
    assert compose["services"]["app"]["ports"] == ["8000:8000"]
    workflow = yaml.safe_load((flask / ".github/workflows/docker.yml").read_text())
    assert "jobs" in workflow


def test_init_refuses_an_existing_compose_file_and_writes_nothing(flask: Path) -> None:
    (flask / "compose.yaml").write_text("services: {}\n")
    result = runner.invoke(app, ["init", str(flask), "--compose"])
    assert result.exit_code == 1
    assert "compose.yaml already exists" in result.stderr
    assert not (flask / "Dockerfile").exists()
    assert (flask / "compose.yaml").read_text() == "services: {}\n"


def test_ci_dry_run_prints_the_workflow(flask: Path) -> None:
    result = runner.invoke(app, ["ci", "github", str(flask), "--dry-run"])
    assert result.exit_code == 0
    assert result.stdout.startswith("--- .github/workflows/docker.yml ---\n")
    assert not (flask / ".github").exists()


def test_team_templates_are_used_and_remembered(flask: Path, tmp_path: Path) -> None:
    team = flask / "docker-templates"
    team.mkdir()
    (team / "Dockerfile.j2").write_text(
        '{% extends "builtin/Dockerfile.j2" %}{% block final %}LABEL team="payments"{% endblock %}'
    )
    result = runner.invoke(app, ["init", str(flask), "--templates", str(team)])
    assert result.exit_code == 0, result.output
    assert 'LABEL team="payments"\n' in (flask / "Dockerfile").read_text()
    assert 'templates = "docker-templates"\n' in (flask / ".dockergen.toml").read_text()
    (flask / ".python-version").write_text("3.13\n")
    assert runner.invoke(app, ["update", str(flask)]).exit_code == 0
    text = (flask / "Dockerfile").read_text()
    assert 'LABEL team="payments"\n' in text
    assert "ARG PYTHON_VERSION=3.13\n" in text


def test_a_broken_team_template_is_a_clear_error(flask: Path) -> None:
    team = flask / "t"
    team.mkdir()
    (team / "Dockerfile.j2").write_text(
        "{% block header %}\n{{ spec.nonexistent }}{% endblock %}\n"
    )
    result = runner.invoke(app, ["init", str(flask), "--templates", str(team), "--dry-run"])
    assert result.exit_code == 1
    assert result.stderr.startswith("dockergen: error: ")
    assert "Dockerfile.j2:2" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            'templates = "../elsewhere"\n',
            "dockergen: error: templates = ../elsewhere: is not a folder inside the project; "
            "point it at a template folder in the project\n",
        ),
        (
            'templates = "nothere"\n',
            "dockergen: error: templates = nothere: is not a directory; "
            "point it at a template folder in the project\n",
        ),
    ],
    ids=["outside", "missing"],
)
def test_recorded_template_folder_must_be_in_the_project(
    flask: Path, answers: str, message: str
) -> None:
    (flask / ".dockergen.toml").write_text(answers)
    result = runner.invoke(app, ["init", str(flask), "--dry-run"])
    assert (result.exit_code, result.stderr) == (1, message)


def test_templates_flag_outside_the_project_is_refused(flask: Path, tmp_path: Path) -> None:
    outside = tmp_path / "team"
    outside.mkdir()
    result = runner.invoke(app, ["init", str(flask), "--templates", str(outside)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"dockergen: error: --templates: {outside} is outside the project; put the template "
        "folder inside the project, so the remembered answer works in every clone\n"
    )


def test_ci_github_writes_the_workflow_and_dependabot(flask: Path) -> None:
    result = runner.invoke(app, ["ci", "github", str(flask)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"wrote {flask / '.github/workflows/docker.yml'}\nwrote {flask / '.github/dependabot.yml'}\n"
    )


def test_ci_github_refuses_an_existing_dependabot_file_and_writes_nothing(flask: Path) -> None:
    (flask / ".github").mkdir()
    (flask / ".github/dependabot.yml").write_text("version: 2\n")
    result = runner.invoke(app, ["ci", "github", str(flask)])
    assert result.exit_code == 1
    assert ".github/dependabot.yml already exists" in result.stderr
    assert not (flask / ".github/workflows").exists()
    assert (flask / ".github/dependabot.yml").read_text() == "version: 2\n"


def test_ci_gitlab_dry_run_prints_the_pipeline(flask: Path) -> None:
    result = runner.invoke(app, ["ci", "gitlab", str(flask), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("--- .gitlab-ci.yml ---\n# Generated by dockergen")
    assert not (flask / ".gitlab-ci.yml").exists()


def test_ci_gitlab_with_an_image_is_a_clear_error(flask: Path) -> None:
    result = runner.invoke(app, ["ci", "gitlab", str(flask), "--image", "ghcr.io/acme/app"])
    assert result.exit_code == 1
    assert result.stderr.startswith("dockergen: error: --image is for `dockergen ci github`")
