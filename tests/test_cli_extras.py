"""compose, ci and team templates from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dockergen.cli import app
from tests.helpers import DEFAULT_CI_PLAN, FIXTURES

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


# ---- the CI choices: flags, remembered as answers, shown by `plan` ----


def test_ci_runner_choices_are_remembered_and_reused(flask: Path) -> None:
    image = ("--image", "ghcr.io/acme/app")
    result = runner.invoke(app, ["ci", "github", str(flask), *image, "--arm-runner", "arm64-big"])
    assert result.exit_code == 0, result.output
    workflow = yaml.safe_load((flask / ".github/workflows/docker.yml").read_text())
    assert workflow["jobs"]["build-arm64"]["runs-on"] == "arm64-big"
    assert (flask / ".dockergen.toml").read_text() == (
        '# dockergen answers: see `dockergen init --help`\narm-runner = "arm64-big"\n'
    )
    plan = runner.invoke(app, ["plan", str(flask)])
    assert (
        "ci github (with --image): linux/amd64 on ubuntu-24.04, linux/arm64 on arm64-big, one "
        "job each, merged into one image (.dockergen.toml)\n" in plan.stdout
    )
    assert "free arm64 runner" not in plan.stdout
    # Later runs keep the choice; --qemu switches the layout and is remembered beside it.
    again = runner.invoke(app, ["ci", "github", str(flask), *image, "--dry-run"])
    assert 'runs-on: "arm64-big"' in again.stdout
    qemu = runner.invoke(app, ["ci", "github", str(flask), *image, "--qemu", "--force"])
    assert qemu.exit_code == 0, qemu.output
    workflow = yaml.safe_load((flask / ".github/workflows/docker.yml").read_text())
    assert list(workflow["jobs"]) == ["build"]
    assert "qemu = true\n" in (flask / ".dockergen.toml").read_text()


def test_plan_states_the_default_arm_runner_and_its_limits(flask: Path) -> None:
    plan = runner.invoke(app, ["plan", str(flask)]).stdout
    assert plan.endswith(DEFAULT_CI_PLAN)
    assert "ubuntu-24.04-arm is GitHub's free arm64 runner for public repositories" in plan


def test_gitlab_runner_tags_are_remembered(flask: Path) -> None:
    tags = ["--runner-tag", "amd64=saas-linux-small-amd64", "--runner-tag", "arm64=arm-big"]
    result = runner.invoke(app, ["ci", "gitlab", str(flask), *tags])
    assert result.exit_code == 0, result.output
    pipeline = yaml.safe_load((flask / ".gitlab-ci.yml").read_text())
    assert pipeline["build-arm64"]["tags"] == ["arm-big"]
    assert (
        'runner-tags = ["amd64=saas-linux-small-amd64", "arm64=arm-big"]\n'
        in (flask / ".dockergen.toml").read_text()
    )
    plan = runner.invoke(app, ["plan", str(flask)]).stdout
    assert plan.endswith(
        "ci gitlab: linux/amd64 on saas-linux-small-amd64, linux/arm64 on arm-big\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["github", "--arm-runner", "my runner"],
            "--arm-runner: runner label 'my runner' is not a plain name; use letters, digits, "
            "'.', '_' and '-', e.g. ubuntu-24.04-arm",
        ),
        (
            ["github", "--platform", "linux/mips"],
            "--platform: platform 'linux/mips' is not one BuildKit builds here; use one of "
            "linux/amd64, linux/arm64, linux/arm/v7, linux/arm/v6, linux/arm/v5, linux/386, "
            "linux/ppc64le, linux/s390x, linux/riscv64",
        ),
        (
            ["github", "--platform", "linux/arm64", "--platform", "linux/arm64"],
            "--platform: names a platform twice; name each one once",
        ),
        (
            ["gitlab", "--runner-tag", "arm64=big"],
            "--runner-tag: names a runner tag for arm64 but not for amd64, so the amd64 build "
            "could land on an arm64 runner; add --runner-tag amd64=TAG (GitLab.com: "
            "saas-linux-small-amd64)",
        ),
        (
            ["gitlab", "--runner-tag", "s390x=z"],
            "--runner-tag: runner tag 's390x=z' is not ARCH=TAG for amd64 or arm64 (once "
            "each); pass e.g. --runner-tag amd64=saas-linux-small-amd64 --runner-tag "
            "arm64=saas-linux-small-arm64",
        ),
    ],
)
def test_bad_ci_choices_are_refused_and_nothing_is_written(
    flask: Path, args: list[str], message: str
) -> None:
    before = sorted(p.name for p in flask.iterdir())
    result = runner.invoke(app, ["ci", args[0], str(flask), *args[1:]])
    assert result.exit_code == 1
    assert result.stderr == f"dockergen: error: {message}\n"
    assert sorted(p.name for p in flask.iterdir()) == before


def test_a_bad_remembered_choice_names_the_answers_file(flask: Path) -> None:
    (flask / ".dockergen.toml").write_text('arm-runner = "a;b"\n')
    result = runner.invoke(app, ["ci", "github", str(flask), "--dry-run"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "dockergen: error: .dockergen.toml: runner label 'a;b' is not a plain name"
    )
