"""Behaviour that once changed without any test noticing: each test here fails when the
behaviour it names is removed (checked by breaking the code on purpose)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.detect import detect_project
from dockergen.render import render_files
from tests.helpers import DEFAULT_CI_PLAN, FIXTURES, GOLDEN, ROOT, make_tree

runner = CliRunner()

FLASK_APP = "from flask import Flask\napp = Flask(__name__)\n"
CONTESTED = {
    "requirements.txt": "flask\ngunicorn\n",
    "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["flask"]\n'
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
    "Procfile": "web: gunicorn --bind 0.0.0.0:5000 app:app\n",
    "app.py": FLASK_APP,
    ".python-version": "3.12\n",
}


def test_plan_names_what_each_decision_won_over(tmp_path: Path) -> None:
    root = make_tree(tmp_path, CONTESTED)
    result = runner.invoke(app, ["plan", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "installer: pip (requirements.txt)\n"
        "  instead of: pyproject.toml [project] (pep621)\n"
        "python: 3.12 (.python-version: 3.12)\n"
        "debian: trixie (Debian's current stable release)\n"
        "command: gunicorn --bind 0.0.0.0:5000 app:app "
        "(Procfile:1 web: gunicorn --bind 0.0.0.0:5000 app:app)\n"
        "  instead of: app.py:2 Flask app app:app, served by gunicorn: gunicorn --bind "
        "0.0.0.0:8000 app:app: the authors' production files over what the code shows\n"
        "port: 5000 (--bind 0.0.0.0:5000 in the command)\n"
        "lock: none (versions resolved at build time)\n"
        "apt: build -; run -\n"
        "bytecode: standard library and dependencies compiled in the image; the app's own "
        "source compiled at first import in each container (a compile step of its own would "
        "re-run after every code change)\n" + DEFAULT_CI_PLAN
    )


def test_a_remembered_port_names_the_answers_file(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {**CONTESTED, "pyproject.toml": "[tool.dockergen]\nport = 9000\n"})
    spec = detect_project(root)
    assert spec.port is not None
    assert (spec.port.value, spec.port.source) == (9000, "pyproject.toml [tool.dockergen]")
    assert spec.port.overridden == ("5000: --bind 0.0.0.0:5000 in the command (Procfile)",)


@pytest.mark.parametrize("port", ["0", "65536", "-1"])
def test_ports_outside_the_tcp_range_are_refused(tmp_path: Path, port: str) -> None:
    root = make_tree(tmp_path, CONTESTED)
    result = runner.invoke(app, ["init", str(root), "--no-input", "--port", port])
    assert result.exit_code == 1
    assert result.stderr == (
        f"dockergen: error: --port: port '{port}' cannot go into a Dockerfile safely; "
        "use a TCP port between 1 and 65535\n"
    )
    assert not (root / "Dockerfile").exists()


def test_check_is_stale_when_only_the_record_is_incomplete(tmp_path: Path) -> None:
    root = make_tree(tmp_path, CONTESTED)
    assert runner.invoke(app, ["init", str(root), "--no-input"]).exit_code == 0
    (root / ".dockergen" / "README.md").unlink()
    result = runner.invoke(app, ["check", str(root)])
    assert result.exit_code == 1
    assert result.stderr == (
        "dockergen: stale: .dockergen/ or the answers are out of date\n"
        "dockergen: run `dockergen update` to regenerate\n"
    )


def test_render_is_the_same_in_another_process_seed_and_directory(tmp_path: Path) -> None:
    """String hashing (set and dict order of str keys) changes with PYTHONHASHSEED; the
    output must not."""
    code = (
        "import sys; from pathlib import Path; from dockergen.detect import detect_project; "
        "from dockergen.render import render_files; "
        "print(render_files(detect_project(Path(sys.argv[1])))[0].content, end='')"
    )
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-c", code, str(FIXTURES / "uv-workspace")],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout == (GOLDEN / "uv-workspace" / "Dockerfile").read_text()
    assert render_files(detect_project(FIXTURES / "uv-workspace"))[0].content == result.stdout


def test_compose_writes_the_file_and_refuses_to_overwrite_it(tmp_path: Path) -> None:
    root = make_tree(tmp_path, CONTESTED)
    result = runner.invoke(app, ["compose", str(root)])
    assert (result.exit_code, result.stdout) == (0, f"wrote {root / 'compose.yaml'}\n")
    assert "5000:5000" in (root / "compose.yaml").read_text()
    (root / "compose.yaml").write_text("services: {}\n")
    again = runner.invoke(app, ["compose", str(root)])
    assert again.exit_code == 1
    assert (root / "compose.yaml").read_text() == "services: {}\n"
    forced = runner.invoke(app, ["compose", str(root), "--force"])
    assert forced.exit_code == 0
    assert "5000:5000" in (root / "compose.yaml").read_text()


def test_init_writes_compose_and_workflow_with_the_dockerfile(tmp_path: Path) -> None:
    root = make_tree(tmp_path, CONTESTED)
    result = runner.invoke(app, ["init", str(root), "--no-input", "--compose", "--ci", "github"])
    assert result.exit_code == 0, result.output
    written = [
        line.removeprefix("wrote ") for line in result.stdout.splitlines() if "wrote" in line
    ]
    assert [Path(p).relative_to(root).as_posix() for p in written] == [
        "Dockerfile",
        ".dockerignore",
        "compose.yaml",
        ".github/workflows/docker.yml",
        ".github/dependabot.yml",
    ]
