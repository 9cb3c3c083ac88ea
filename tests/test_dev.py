"""The `dev` target (`init --dev`) without an engine: what each installer installs, the
reloading command, the rendered stage (lint, order, production untouched), compose.yaml and
the remembered answer. Real builds: tests/test_e2e_dev.py."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.compose import render_compose
from dockergen.detect import detect_project
from dockergen.dev import reload_command
from dockergen.model import Installer, Overrides, ProjectSpec
from dockergen.render import render_files
from tests.conftest import Golden
from tests.helpers import CASES, FIXTURES, buildkit_instructions, hadolint_findings, make_tree
from tests.schemas import schema_errors

DEV = Overrides(dev=True)
runner = CliRunner()


def _dev(root: Path) -> ProjectSpec:
    return detect_project(root, DEV)


def _dockerfile(spec: ProjectSpec) -> str:
    return render_files(spec)[0].content


# ---- the stage ----


@pytest.mark.parametrize("case", CASES)
def test_dev_render_matches_golden(case: str, golden: Golden) -> None:
    golden.check(f"{case}/Dockerfile.dev", _dockerfile(_dev(FIXTURES / case)))


@pytest.mark.parametrize("case", CASES)
def test_dev_stage_lints_clean_and_leaves_production_last(case: str, tmp_path: Path) -> None:
    dockerfile = _dockerfile(_dev(FIXTURES / case))
    assert hadolint_findings(dockerfile, tmp_path) == []
    instructions = buildkit_instructions(dockerfile)
    assert instructions.count("FROM") == 3
    froms = re.findall(r"^FROM .*$", dockerfile, re.MULTILINE)
    # The last stage is the default target: production, never the dev stage.
    assert froms[1].endswith(" AS dev") and " AS " not in froms[2]
    assert "USER 10001:10001" in dockerfile.split(froms[1])[1].split(froms[2])[0]


@pytest.mark.parametrize("case", CASES)
def test_production_stages_are_unchanged(case: str) -> None:
    production = _dockerfile(detect_project(FIXTURES / case))
    dev = _dockerfile(_dev(FIXTURES / case))
    start = dev.index("# ---- dev:")
    end = dev.index("# ---- final:")
    assert dev[:start] + dev[end:] == production


def test_dev_manifests_are_copied_before_the_source(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "requirements.txt": "flask\n",
            "requirements/dev.txt": "-r ../requirements.txt\n-c constraints.txt\npytest\n",
            "requirements/constraints.txt": "pytest<10\n",
            "app.py": "",
        },
    )
    spec = _dev(root)
    assert spec.dev is not None
    assert spec.dev.groups == ("requirements/dev.txt",)
    assert spec.dev.manifests == ("requirements/dev.txt", "requirements/constraints.txt")
    stage = _dockerfile(spec).split("AS dev")[1]
    copy = stage.index("COPY requirements/dev.txt requirements/constraints.txt ./requirements/")
    install = stage.index("install -r requirements.txt -r requirements/dev.txt")
    assert copy < install < stage.index("COPY --chown=10001:10001 . .")


@pytest.mark.parametrize(
    ("case", "install"),
    [
        ("uv", "uv sync --locked --no-install-project\n"),
        ("uv-workspace", "uv sync --locked --all-packages\n"),
        ("poetry", "poetry --no-plugins sync --no-root --no-directory --with dev\n"),
        ("pdm", "pdm install --check --no-self\n"),
        ("pipenv", "pipenv install --dev --deploy\n"),
        ("pipenv-nolock", "pipenv install --dev \\\n || {"),  # then with a compiler
        ("pip-pyproject", "install --no-deps -e .\n"),
    ],
)
def test_each_installer_installs_dev_dependencies_its_own_way(case: str, install: str) -> None:
    stage = _dockerfile(_dev(FIXTURES / case)).split("AS dev")[1].split("# ---- final")[0]
    assert install in stage


def test_pep621_dev_extras_and_group(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "pyproject.toml": """\
                [project]
                name = "app"
                version = "1"
                requires-python = ">=3.12"
                dependencies = ["flask"]
                [project.optional-dependencies]
                dev = ["ruff"]
                test = ["pytest"]
                docs = ["sphinx"]
                [dependency-groups]
                dev = ["mypy", {include-group = "x"}]
                [build-system]
                requires = ["hatchling"]
                build-backend = "hatchling.build"
            """,
        },
    )
    spec = _dev(root)
    assert spec.dev is not None and spec.dev.groups == ("dev", "test", "group:dev")
    stage = _dockerfile(spec).split("AS dev")[1]
    assert 'for e in ["dev", "test"] for r in extras[e]]' in stage
    assert 'data["dependency-groups"]["dev"] if isinstance(r, str)' in stage


def test_pep621_dynamic_dependencies_install_with_the_extras(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "pyproject.toml": """\
                [project]
                name = "app"
                version = "1"
                requires-python = ">=3.12"
                dynamic = ["dependencies"]
                [project.optional-dependencies]
                test = ["pytest"]
            """,
        },
    )
    spec = detect_project(root, Overrides(installer=Installer.PEP621, dev=True))
    stage = _dockerfile(spec).split("AS dev")[1]
    assert "install -e '.[test]'" in stage


def test_group_names_that_are_not_plain_never_reach_a_run_line(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "pyproject.toml": """\
                [tool.poetry]
                name = "app"
                version = "1"
                [tool.poetry.dependencies]
                python = "^3.12"
                [tool.poetry.group."x; touch /pwned".dependencies]
                a = "*"
                [tool.poetry.dev-dependencies]
                pytest = "*"
            """,
        },
    )
    spec = _dev(root)
    assert spec.dev is not None and spec.dev.groups == ("dev",)
    assert "pwned" not in _dockerfile(spec)


# ---- the command ----


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("gunicorn", "app:app"), ("gunicorn", "app:app", "--reload")),
        (("uvicorn", "a:b", "--port", "80"), ("uvicorn", "a:b", "--port", "80", "--reload")),
        (("python", "-m", "uvicorn", "a:b"), ("python", "-m", "uvicorn", "a:b", "--reload")),
        (("/usr/bin/hypercorn", "a:b"), ("/usr/bin/hypercorn", "a:b", "--reload")),
        (
            ("flask", "--app", "a", "run", "-p", "80"),
            ("flask", "--app", "a", "run", "--reload", "-p", "80"),
        ),
        (("flask", "routes"), ("flask", "routes")),
        (("gunicorn", "--reload", "app:app"), ("gunicorn", "--reload", "app:app")),
        (("python", "manage.py", "runserver"), ("python", "manage.py", "runserver")),
        (("python", "-m", "app"), ("python", "-m", "app")),
    ],
)
def test_reload_command(argv: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert reload_command(argv) == expected


def test_the_dev_stage_runs_the_server_with_reload() -> None:
    dockerfile = _dockerfile(_dev(FIXTURES / "flask"))
    stage = dockerfile.split("AS dev")[1].split("# ---- final")[0]
    assert 'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app", "--reload"]' in stage
    assert dockerfile.rstrip().endswith('CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]')


# ---- compose.yaml ----


def _compose(spec: ProjectSpec) -> dict[str, Any]:
    text = render_compose(spec).content
    assert schema_errors("compose-spec", text) == []
    document = yaml.safe_load(text)
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize("case", CASES)
def test_compose_runs_the_dev_target_and_syncs_code(case: str) -> None:
    spec = _dev(FIXTURES / case)
    assert spec.dev is not None
    services = _compose(spec)["services"]
    app, prod = services["app"], services["prod"]
    assert app["build"] == {"context": ".", "target": "dev"}
    manifests = [*spec.manifests, *spec.dev.manifests]
    assert app["develop"]["watch"] == [
        {"action": "sync", "path": ".", "target": "/app", "ignore": [".venv/", *manifests]},
        *({"action": "rebuild", "path": m} for m in manifests),
    ]
    assert prod["profiles"] == ["prod"]
    assert prod["build"] == {"context": "."}
    assert {k: v for k, v in app.items() if k not in ("build", "develop")} == {
        k: v for k, v in prod.items() if k not in ("build", "profiles")
    }


def test_compose_without_dev_is_valid_too() -> None:
    assert "prod" not in _compose(detect_project(FIXTURES / "flask"))["services"]


# ---- the flag and the answer ----


@pytest.fixture
def flask(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "flask", tmp_path / "flask"))


def test_init_dev_is_remembered_and_update_keeps_it(flask: Path) -> None:
    result = runner.invoke(app, ["init", str(flask), "--dev", "--compose", "--no-input"])
    assert result.exit_code == 0, result.output
    assert (flask / ".dockergen.toml").read_text().endswith("dev = true\n")
    assert "AS dev" in (flask / "Dockerfile").read_text()
    assert "target: dev" in (flask / "compose.yaml").read_text()
    assert runner.invoke(app, ["check", str(flask)]).exit_code == 0
    result = runner.invoke(app, ["update", str(flask)])
    assert result.exit_code == 0, result.output
    assert "AS dev" in (flask / "Dockerfile").read_text()
    result = runner.invoke(app, ["update", str(flask), "--no-dev"])
    assert result.exit_code == 0, result.output
    assert "AS dev" not in (flask / "Dockerfile").read_text()
    assert (flask / ".dockergen.toml").read_text().endswith("dev = false\n")


def test_dev_answer_must_be_a_boolean(flask: Path) -> None:
    (flask / ".dockergen.toml").write_text('dev = "yes"\n')
    result = runner.invoke(app, ["plan", str(flask)])
    assert result.exit_code == 1
    assert "dev = 'yes' has the wrong type" in result.stderr
