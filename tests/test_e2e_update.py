"""Real build of an edited Dockerfile after `dockergen update` merged a dependency change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from tests.docker import build, docker, require_engine
from tests.helpers import FIXTURES
from tests.test_e2e import _make_unique

pytestmark = pytest.mark.docker
runner = CliRunner()


def test_edited_dockerfile_survives_update_and_builds(tmp_path: Path) -> None:
    require_engine()
    root = Path(shutil.copytree(FIXTURES / "pip-requirements", tmp_path / "edited"))
    _make_unique(root)
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    dockerfile = root / "Dockerfile"
    edits = 'LABEL org.opencontainers.image.title="edited"\nENV APP_GREETING=hello\n'
    dockerfile.write_text(dockerfile.read_text().replace("USER 10001", edits + "USER 10001"))
    tag = "dockergen-e2e-edited"
    build(root, tag)

    (root / "requirements.txt").write_text(
        (root / "requirements.txt").read_text() + "tabulate==0.9.0\n"
    )
    result = runner.invoke(app, ["update", str(root)])
    assert result.exit_code == 0, result.output
    assert "Dockerfile: up to date\n" in result.stdout  # the manifests are copied, not listed
    (root / ".python-version").write_text("3.13\n")  # a change the Dockerfile must show
    result = runner.invoke(app, ["update", str(root)])
    assert "Dockerfile: regenerated, your edits merged in\n" in result.stdout
    assert edits in dockerfile.read_text()

    build(root, tag)
    check = docker(
        "run", "--rm", "--entrypoint", "python", tag, "-c",
        "import os, sys, tabulate; print(os.environ['APP_GREETING'], sys.version_info[:2])",
    )  # fmt: skip
    assert check.stdout.strip() == "hello (3, 13)"
    label = docker(
        "image",
        "inspect",
        "--format",
        '{{index .Config.Labels "org.opencontainers.image.title"}}',
        tag,
    )
    assert label.stdout.strip() == "edited"
