"""init on a terminal asks, pre-filled with what it detected; --no-input and pipes never ask."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen import cli
from tests.helpers import FIXTURES

runner = CliRunner()


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_stdin_is_tty", lambda: True)


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "pip-requirements", tmp_path / "p"))


@pytest.mark.usefixtures("terminal")
def test_enter_accepts_every_detected_value(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    result = runner.invoke(cli.app, ["init", str(root)], input="\n\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Python version (.python-version: 3.12) [3.12]: \n"
        "Start command (app.py: python app.py) [python app.py]: \n"
        "Port to EXPOSE (empty: none): \n"
        "Extra Debian packages for the image: \n"
        "Also write compose.yaml [y/N]: \n"
        "installer: pip (requirements.txt)\n"
    )
    assert not (root / ".dockergen.toml").exists()  # nothing changed, nothing to remember
    assert not (root / "compose.yaml").exists()


@pytest.mark.usefixtures("terminal")
def test_changed_answers_are_used_and_remembered(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    answers = "3.13\ngunicorn -b 0.0.0.0:8000 app:app\n8000\nlibpq5, curl\ny\n"
    result = runner.invoke(cli.app, ["init", str(root)], input=answers)
    assert result.exit_code == 0, result.output
    dockerfile = (root / "Dockerfile").read_text()
    assert "ARG PYTHON_VERSION=3.13\n" in dockerfile
    assert 'CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n' in dockerfile
    assert "EXPOSE 8000\n" in dockerfile
    assert (root / "compose.yaml").is_file()
    assert "apt-get install -y --no-install-recommends libpq5 curl\n" in dockerfile
    assert (root / ".dockergen.toml").read_text() == (
        "# dockergen answers: see `dockergen init --help`\n"
        'python = "3.13"\ncommand = ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n'
        'port = 8000\napt = ["libpq5", "curl"]\n'
    )


@pytest.mark.usefixtures("terminal")
def test_no_input_never_asks(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    result = runner.invoke(cli.app, ["init", str(root), "--no-input"], input="")
    assert result.exit_code == 0
    assert result.stdout.startswith("installer: pip (requirements.txt)\n")


def test_a_pipe_is_not_a_terminal(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    result = runner.invoke(cli.app, ["init", str(root)], input="3.13\n")
    assert result.exit_code == 0
    assert "ARG PYTHON_VERSION=3.12\n" in (root / "Dockerfile").read_text()
