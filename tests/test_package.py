"""The installed wheel, not the checkout: templates ship inside it and the command runs."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, GOLDEN, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
    )
    return next(out.glob("dockergen_cli-*.whl"))


def test_wheel_ships_the_templates(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    templates = sorted(n for n in names if n.startswith("dockergen/templates/"))
    expected = sorted(
        f"dockergen/templates/{p.relative_to(ROOT / 'templates').as_posix()}"
        for p in (ROOT / "templates").rglob("*")
        if p.is_file()
    )
    assert templates == expected


def test_installed_wheel_runs_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    pip = env_dir / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(wheel)], check=True)
    result = subprocess.run(
        [str(env_dir / "bin" / "dockergen"), "init", str(FIXTURES / "uv"), "--dry-run"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert (GOLDEN / "uv" / "Dockerfile").read_text() in result.stdout
