"""The Debian release: named in FROM, chosen by --debian (remembered), checked against Python."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen import debian
from dockergen.cli import app
from dockergen.detect import detect_project
from dockergen.errors import DockergenError, UnsupportedCombinationError
from dockergen.model import Overrides
from dockergen.project import ProjectDir
from dockergen.pyversion import SUPPORTED
from dockergen.render import render_files
from dockergen.sysdeps import system_needs
from tests.helpers import FIXTURES, hadolint_findings, make_tree

runner = CliRunner()


def _copy(tmp_path: Path, fixture: str) -> Path:
    return Path(shutil.copytree(FIXTURES / fixture, tmp_path / fixture))


def test_the_table_knows_every_supported_python_on_the_default_release() -> None:
    assert debian.RELEASES[debian.DEFAULT] == SUPPORTED
    assert "3.14" not in debian.RELEASES["bookworm"]


@pytest.mark.parametrize("release", sorted(debian.RELEASES))
def test_from_names_the_release(release: str, tmp_path: Path) -> None:
    spec = detect_project(FIXTURES / "pip-psycopg2", Overrides(debian=release))
    text = render_files(spec)[0].content
    assert f"FROM python:${{PYTHON_VERSION}}-slim-{release} AS builder\n" in text
    assert f"FROM python:${{PYTHON_VERSION}}-slim-{release}\n" in text
    assert "-slim\n" not in text and "-slim AS" not in text
    assert hadolint_findings(text, tmp_path) == []


def test_default_is_recorded_in_the_plan() -> None:
    spec = detect_project(FIXTURES / "poetry")
    assert (spec.debian.value, spec.debian.source) == (debian.DEFAULT, "default")


def test_system_packages_follow_the_release() -> None:
    root = FIXTURES / "pip-psycopg2"
    assert "libldap2" not in detect_project(root).apt.run  # psycopg2 only: same on both
    for release, library in (("trixie", "libldap2"), ("bookworm", "libldap-2.5-0")):
        needs = debian_needs(root, release)
        assert library in needs, (release, needs)


def debian_needs(root: Path, release: str) -> tuple[str, ...]:
    return system_needs(ProjectDir(root), ["python-ldap"], "3.12", release).run


def test_bookworm_with_python_314_names_the_fix(tmp_path: Path) -> None:
    root = _copy(tmp_path, "pip-requirements")
    result = runner.invoke(app, ["init", str(root), "--python", "3.14", "--debian", "bookworm"])
    assert result.exit_code == 1
    assert "python:3.14-slim-bookworm" in result.output
    assert "--debian trixie" in result.output and "--python 3.13" in result.output
    assert not (root / "Dockerfile").exists()


def test_an_unknown_release_is_an_error() -> None:
    with pytest.raises(DockergenError, match="--debian: Debian release 'buster' is unknown"):
        detect_project(FIXTURES / "pip-requirements", Overrides(debian="buster"))


def test_the_answer_is_remembered_and_check_warns_about_the_newer_default(tmp_path: Path) -> None:
    root = _copy(tmp_path, "pip-requirements")
    assert runner.invoke(app, ["init", str(root), "--debian", "bookworm"]).exit_code == 0
    assert 'debian = "bookworm"' in (root / ".dockergen.toml").read_text()
    assert "-slim-bookworm AS builder" in (root / "Dockerfile").read_text()
    check = runner.invoke(app, ["check", str(root)])
    assert check.exit_code == 0, check.output  # a warning, not staleness
    assert "trixie is now the default" in check.stderr
    assert "dockergen update --debian trixie" in check.stderr
    moved = runner.invoke(app, ["update", str(root), "--debian", "trixie"])
    assert moved.exit_code == 0, moved.output
    assert "-slim-trixie AS builder" in (root / "Dockerfile").read_text()
    assert "now the default" not in runner.invoke(app, ["check", str(root)]).stderr


def test_a_changed_release_is_a_stale_reason(tmp_path: Path) -> None:
    root = _copy(tmp_path, "pip-requirements")
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    (root / ".dockergen.toml").write_text('debian = "bookworm"\n')
    check = runner.invoke(app, ["check", str(root)])
    assert check.exit_code == 1
    assert "debian is now bookworm" in check.stderr and "was trixie" in check.stderr


@pytest.mark.parametrize(
    ("files", "flags", "python", "warning"),
    [
        pytest.param(
            {"runtime.txt": "python-3.11.9\n"},
            Overrides(),
            "3.11",
            "runtime.txt pins Python 3.11.9, but python:3.11.9-slim-trixie does not exist (trixie "
            "images of 3.11 start at 3.11.13); the image uses 3.11, its newest patch release",
            id="patch-older-than-the-release-images",
        ),
        pytest.param(
            {".python-version": "3.11.9\n"},
            Overrides(debian="bookworm"),
            "3.11.9",
            None,
            id="the-same-patch-exists-on-bookworm",
        ),
        pytest.param(
            {".python-version": "3.13.6\n"}, Overrides(), "3.13.6", None, id="first-trixie-patch"
        ),
    ],
)
def test_a_pinned_patch_release_needs_an_image(
    tmp_path: Path, files: dict[str, str], flags: Overrides, python: str, warning: str | None
) -> None:
    spec = detect_project(make_tree(tmp_path, {"requirements.txt": "six\n", **files}), flags)
    assert spec.python.value == python
    missing = [w for w in spec.warnings if "does not exist" in w]
    assert missing == ([warning] if warning else [])


def test_asking_for_a_patch_release_with_no_image_is_an_error(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {"requirements.txt": "six\n"})
    with pytest.raises(UnsupportedCombinationError) as raised:
        detect_project(root, Overrides(python="3.10.2"))
    assert str(raised.value) == (
        "--python: python:3.10.2-slim-trixie does not exist (trixie images of 3.10 start at "
        "3.10.18); pass --python 3.10, or --python 3.10.18 or newer"
    )
