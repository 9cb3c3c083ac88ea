"""Regeneration keeps the user's edits: init, edit, change dependencies, update, check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dockergen.cli import app
from tests.helpers import FIXTURES, make_tree, tree_snapshot

runner = CliRunner()
LABEL = 'LABEL org.opencontainers.image.source="https://example.invalid/app"\n'
HEALTH = "HEALTHCHECK CMD python -c 'import sys; sys.exit(0)'\n"


def dockergen(*args: str) -> Result:
    return runner.invoke(app, list(args))


def _copy(tmp_path: Path, fixture: str) -> Path:
    return Path(shutil.copytree(FIXTURES / fixture, tmp_path / fixture))


def _init_and_edit(root: Path, *flags: str) -> str:
    """init, then the kind of edits users make: a label and a healthcheck in the final stage."""
    assert dockergen("init", str(root), *flags).exit_code == 0
    dockerfile = root / "Dockerfile"
    text = dockerfile.read_text().replace(
        "USER 10001:10001\n", f"{LABEL}USER 10001:10001\n{HEALTH}"
    )
    dockerfile.write_text(text)
    assert dockergen("check", str(root)).exit_code == 0  # edits alone are not staleness
    return text


def _update_keeps_edits(root: Path, *args: str) -> str:
    result = dockergen("update", str(root), *args)
    assert result.exit_code == 0, result.output
    assert "Dockerfile: regenerated, your edits merged in\n" in result.stdout
    text = (root / "Dockerfile").read_text()
    assert LABEL in text
    assert HEALTH in text
    assert "<<<<<<<" not in text
    assert dockergen("check", str(root)).exit_code == 0
    return text


POETRY = """\
    [tool.poetry]
    package-mode = false
    [tool.poetry.dependencies]
    python = ">=3.11,<3.13"
    six = "*"
    """


def test_pip_project_moves_to_poetry(tmp_path: Path) -> None:
    root = _copy(tmp_path, "pip-requirements")
    _init_and_edit(root)
    make_tree(root, {"pyproject.toml": POETRY, "poetry.lock": "# hand-written\n"})
    (root / "requirements.txt").unlink()
    check = dockergen("check", str(root))
    assert check.exit_code == 1
    assert check.stderr.splitlines()[0] == (
        "dockergen: stale: installer is now poetry (poetry.lock), was pip"
    )
    text = _update_keeps_edits(root)
    assert "poetry --no-plugins sync --only main --no-root --no-directory" in text
    assert "COPY pyproject.toml poetry.lock ./\n" in text


def test_pipenv_gains_a_lock(tmp_path: Path) -> None:
    root = _copy(tmp_path, "pipenv-nolock")
    _init_and_edit(root)
    (root / "Pipfile.lock").write_text('{"_meta": {}, "default": {}, "develop": {}}\n')
    text = _update_keeps_edits(root)
    assert "pipenv install --deploy" in text
    assert "COPY Pipfile Pipfile.lock ./\n" in text


def test_new_apt_package_is_remembered(tmp_path: Path) -> None:
    root = _copy(tmp_path, "poetry")
    _init_and_edit(root)
    text = _update_keeps_edits(root, "--apt", "libpq5")
    assert "apt-get install -y --no-install-recommends libpq5\n" in text
    assert (root / "pyproject.toml").read_text().endswith('\n[tool.dockergen]\napt = ["libpq5"]\n')
    # Remembered: a later update without the flag keeps the package.
    result = dockergen("update", str(root))
    assert result.exit_code == 0
    assert "Dockerfile: up to date\n" in result.stdout


def test_answers_without_pyproject_go_to_dockergen_toml(tmp_path: Path) -> None:
    root = _copy(tmp_path, "pip-requirements")
    assert dockergen("init", str(root), "--python", "3.11", "--port", "8000").exit_code == 0
    assert (root / ".dockergen.toml").read_text() == (
        '# dockergen answers: see `dockergen init --help`\npython = "3.11"\nport = 8000\n'
    )
    plan = dockergen("plan", str(root))
    assert plan.stdout.splitlines()[1] == "python: 3.11 (.dockergen.toml: python = '3.11')"
    # A flag beats the recorded answer, and is remembered in its place.
    assert dockergen("update", str(root), "--python", "3.12").exit_code == 0
    assert 'python = "3.12"' in (root / ".dockergen.toml").read_text()


def test_new_python_version(tmp_path: Path) -> None:
    root = _copy(tmp_path, "pip-requirements")
    _init_and_edit(root)
    (root / ".python-version").write_text("3.13\n")
    assert "ARG PYTHON_VERSION=3.13\n" in _update_keeps_edits(root)


def test_conflict_writes_markers_exits_1_and_keeps_the_old_file(tmp_path: Path) -> None:
    root = _copy(tmp_path, "pip-requirements")
    edited = _init_and_edit(root).replace(
        "ARG PYTHON_VERSION=3.12\n", "ARG PYTHON_VERSION=3.12.7\n"
    )
    (root / "Dockerfile").write_text(edited)
    (root / ".python-version").write_text("3.13\n")
    # `check` and `update` describe the conflict in the same words (regenerate.ACTION_WORDS).
    stale = dockergen("check", str(root))
    assert "Dockerfile: would be merged, with conflicts to resolve\n" in stale.stderr
    result = dockergen("update", str(root))
    assert result.exit_code == 1
    assert "Dockerfile: merged, with conflicts to resolve\n" in result.stdout
    text = (root / "Dockerfile").read_text()
    assert (
        "<<<<<<< yours\nARG PYTHON_VERSION=3.12.7\n||||||| last generated\n"
        "ARG PYTHON_VERSION=3.12\n=======\nARG PYTHON_VERSION=3.13\n>>>>>>> dockergen\n"
    ) in text
    assert LABEL in text
    line = text.splitlines().index("<<<<<<< yours") + 1
    assert result.stderr.endswith(
        f"dockergen: error: Dockerfile has 1 conflict(s) at line(s) {line}; your previous file "
        "is in .dockergen/before-update/Dockerfile; resolve the markers, then run "
        "`dockergen check`\n"
    )
    assert (root / ".dockergen" / "before-update" / "Dockerfile").read_text() == edited
    check = dockergen("check", str(root))  # markers are still there
    assert check.exit_code == 1
    assert check.stderr == (
        f"dockergen: error: Dockerfile:{line}: has unresolved conflict markers from `dockergen "
        "update`; resolve them (keep what you want, delete the marker lines), then run it again\n"
    )


def test_force_replaces_and_says_what_is_lost(tmp_path: Path) -> None:
    root = _copy(tmp_path, "uv")
    _init_and_edit(root)
    (root / ".python-version").write_text("3.13\n")
    result = dockergen("update", str(root), "--force")
    assert result.exit_code == 0
    assert "Dockerfile: replaced; these edits of yours are gone:\n" in result.stdout
    assert f"-{LABEL}" in result.stdout
    assert LABEL not in (root / "Dockerfile").read_text()


def test_update_refuses_a_dockerfile_it_did_not_write(tmp_path: Path) -> None:
    root = _copy(tmp_path, "uv")
    (root / "Dockerfile").write_text("FROM python:3.12-slim\n")
    before = tree_snapshot(root)
    result = dockergen("update", str(root))
    assert result.exit_code == 1
    assert result.stderr == (
        "dockergen: error: Dockerfile: was not made by dockergen (no record in .dockergen/), so "
        "its edits cannot be merged; pass --force to replace it, or move it away first\n"
    )
    assert tree_snapshot(root) == before


def test_init_on_a_dockergen_project_points_to_update(tmp_path: Path) -> None:
    root = _copy(tmp_path, "uv")
    assert dockergen("init", str(root)).exit_code == 0
    result = dockergen("init", str(root))
    assert result.exit_code == 1
    assert result.stderr == (
        f"dockergen: error: {root / 'Dockerfile'}, {root / '.dockerignore'} already exist "
        "(generated by dockergen); run `dockergen update` to regenerate keeping your edits, "
        "or pass --force\n"
    )


def test_check_and_diff_on_a_stale_project(tmp_path: Path) -> None:
    root = _copy(tmp_path, "pip-requirements")
    assert dockergen("init", str(root)).exit_code == 0
    assert dockergen("check", str(root)).stdout == "dockergen: up to date\n"
    (root / ".python-version").write_text("3.13\n")
    diff = dockergen("diff", str(root))
    assert diff.exit_code == 0
    assert "-ARG PYTHON_VERSION=3.12\n+ARG PYTHON_VERSION=3.13\n" in diff.stdout
    check = dockergen("check", str(root))
    assert check.exit_code == 1
    assert check.stderr == (
        "dockergen: stale: python is now 3.13 (.python-version: 3.13), was 3.12\n"
        "dockergen: stale: Dockerfile: would be regenerated\n"
        "dockergen: run `dockergen update` to regenerate\n"
    )


def test_bad_answers_are_a_clear_error(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {"requirements.txt": "six\n", ".dockergen.toml": "colour = 1\n"})
    result = dockergen("init", str(root))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "dockergen: error: .dockergen.toml: unknown answer 'colour'; use one of installer"
    )


@pytest.mark.parametrize(
    ("pyproject", "expected_tail"),
    [
        ('[project]\nname = "x"\n', '[project]\nname = "x"\n\n[tool.dockergen]\npython = "3.12"\n'),
        (
            '[tool.dockergen]\npython = "3.11"\n\n[tool.ruff]\nline-length = 99\n',
            '[tool.dockergen]\npython = "3.12"\n\n[tool.ruff]\nline-length = 99\n',
        ),
    ],
    ids=["append", "replace-in-place"],
)
def test_answers_table_in_pyproject(tmp_path: Path, pyproject: str, expected_tail: str) -> None:
    root = make_tree(tmp_path, {"requirements.txt": "six\n", "pyproject.toml": pyproject})
    assert dockergen("init", str(root), "--python", "3.12").exit_code == 0
    assert (root / "pyproject.toml").read_text() == expected_tail
