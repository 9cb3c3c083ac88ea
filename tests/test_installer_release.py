"""Installer versions the project asks for: uv's required-version, poetry's requires-poetry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.detect import detect_project
from dockergen.errors import InvalidProjectFileError
from dockergen.installers import poetry, uv
from dockergen.render import render_files
from tests.helpers import FIXTURES, hadolint_findings


def _with(tmp_path: Path, fixture: str, table: str, line: str) -> Path:
    root = Path(shutil.copytree(FIXTURES / fixture, tmp_path / fixture))
    path = root / "pyproject.toml"
    text = path.read_text()
    if f"[{table}]\n" in text:
        text = text.replace(f"[{table}]\n", f"[{table}]\n{line}\n", 1)
    else:
        text += f"\n[{table}]\n{line}\n"
    path.write_text(text)
    return root


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('required-version = ">=0.13"', None),  # the pin satisfies it: nothing changes
        ('required-version = "0.13.9"', None),
        ('required-version = "<0.13"', "uv==0.12.24"),
        ('required-version = "0.11.33"', "uv==0.11.33"),  # a bare version means ==
        ('required-version = "~=0.12.0"', "uv==0.12.24"),
    ],
)
def test_uv_required_version(line: str, expected: str | None, tmp_path: Path) -> None:
    release = detect_project(_with(tmp_path, "uv", "tool.uv", line)).install.tool_requirements
    assert (release.value[0] if release else None) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('requires-poetry = ">=2.0"', None),
        ('requires-poetry = "^2.5"', None),
        ('requires-poetry = "~2.4"', "poetry==2.4.3"),
        ('requires-poetry = ">=2.1,<2.3"', "poetry==2.2.1"),
        ('requires-poetry = "2.0.1"', "poetry==2.0.1"),
    ],
)
def test_poetry_requires_poetry(line: str, expected: str | None, tmp_path: Path) -> None:
    release = detect_project(
        _with(tmp_path, "poetry", "tool.poetry", line)
    ).install.tool_requirements
    assert (release.value[0] if release else None) == expected


def test_the_release_is_installed_and_explained(tmp_path: Path) -> None:
    root = _with(tmp_path, "uv", "tool.uv", 'required-version = "<0.13"')
    text = render_files(detect_project(root))[0].content
    assert "pip install uv==0.12.24\n" in text and f"uv=={uv.RELEASES[0]}" not in text
    assert "UV_CACHE_DIR=/root/.cache/uv-0.12.24" in text  # never shares 0.13's cache format
    assert (
        "# [tool.uv] required-version '<0.13' excludes the pin, 0.13.9; newest known it allows\n"
        in text
    )
    assert hadolint_findings(text, tmp_path) == []
    plan = CliRunner().invoke(app, ["plan", str(root)]).stdout
    assert "installer release: uv==0.12.24 ([tool.uv] required-version '<0.13'" in plan


def test_the_pin_is_used_when_it_satisfies(tmp_path: Path) -> None:
    root = _with(tmp_path, "poetry", "tool.poetry", 'requires-poetry = ">=2.0"')
    text = render_files(detect_project(root))[0].content
    assert f"pip install poetry=={poetry.RELEASES[0]}\n" in text


@pytest.mark.parametrize(
    ("fixture", "table", "line", "message"),
    [
        ("uv", "tool.uv", 'required-version = ">=9"', "widen it so that uv 0.13.9 satisfies it"),
        ("uv", "tool.uv", 'required-version = "^0.5"', "is not a PEP 440 specifier"),
        (
            "poetry",
            "tool.poetry",
            'requires-poetry = "^1.8"',
            "allows none of the poetry releases dockergen knows",
        ),
        ("poetry", "tool.poetry", 'requires-poetry = "bogus"', "not a valid Poetry constraint"),
    ],
)
def test_an_unsatisfiable_request_names_the_fix(
    fixture: str, table: str, line: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(InvalidProjectFileError, match=message):
        detect_project(_with(tmp_path, fixture, table, line))
