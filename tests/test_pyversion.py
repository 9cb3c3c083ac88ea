from __future__ import annotations

from pathlib import Path

import pytest

from dockergen.model import Overrides
from dockergen.project import ProjectDir
from dockergen.pyversion import DEFAULT, choose_python
from dockergen.settings import resolve_settings
from tests.helpers import make_tree

PYPROJECT = '[project]\nname = "x"\nrequires-python = "{}"\n'
POETRY = '[tool.poetry.dependencies]\npython = "{}"\n'

CASES = [
    # (files, version, source)
    ({}, DEFAULT, "default"),
    ({".python-version": "3.12.4\n"}, "3.12.4", ".python-version"),
    ({".python-version": "# comment first\n\n3.11\n"}, "3.11", ".python-version"),
    ({"runtime.txt": "python-3.10.x"}, "3.10", "runtime.txt"),
    ({"runtime.txt": "python-3.11.9\n"}, "3.11.9", "runtime.txt"),
    ({".tool-versions": "nodejs 20.1.0\npython 3.12.1 3.11.0\n"}, "3.12.1", ".tool-versions"),
    ({"Pipfile": '[requires]\npython_version = "3.11"\n'}, "3.11", "Pipfile"),
    (
        {"Pipfile": '[requires]\npython_full_version = "3.11.4"\npython_version = "3.11"\n'},
        "3.11.4",
        "Pipfile",
    ),
    ({"pyproject.toml": PYPROJECT.format(">=3.11")}, "3.14", "pyproject.toml"),
    ({"pyproject.toml": PYPROJECT.format("<3.12,>=3.9")}, "3.11", "pyproject.toml"),
    ({"pyproject.toml": PYPROJECT.format(">=3.11,!=3.14.*")}, "3.13", "pyproject.toml"),
    ({"pyproject.toml": POETRY.format("^3.10")}, "3.14", "pyproject.toml"),
    ({"pyproject.toml": POETRY.format("~3.11")}, "3.11", "pyproject.toml"),
    ({"pyproject.toml": POETRY.format("3.12.*")}, "3.12", "pyproject.toml"),
    ({"pyproject.toml": POETRY.format(">=3.9 <3.12")}, "3.11", "pyproject.toml"),
    ({"pyproject.toml": POETRY.format("~3.10 || ~3.12")}, "3.12", "pyproject.toml"),
    ({"pyproject.toml": POETRY.format("^3.12,<3.14")}, "3.13", "pyproject.toml"),
    ({"uv.lock": 'version = 1\nrequires-python = "==3.11.*"\n'}, "3.11", "uv.lock"),
    (
        {"pdm.lock": '[metadata]\n[[metadata.targets]]\nrequires_python = ">=3.9,<3.13"\n'},
        "3.12",
        "pdm.lock",
    ),
    # Every constraint must hold at once.
    (
        {"pyproject.toml": PYPROJECT.format(">=3.10"), "uv.lock": 'requires-python = "<3.13"\n'},
        "3.12",
        "pyproject.toml",
    ),
    # A pin beats a constraint.
    (
        {".python-version": "3.11\n", "pyproject.toml": PYPROJECT.format(">=3.10")},
        "3.11",
        ".python-version",
    ),
]


@pytest.mark.parametrize(("files", "version", "source"), CASES)
def test_choose_python(tmp_path: Path, files: dict[str, str], version: str, source: str) -> None:
    decided, warnings = choose_python(
        ProjectDir(make_tree(tmp_path, files)), resolve_settings(make_tree(tmp_path, files))
    )
    assert (decided.value, decided.source) == (version, source)
    assert warnings == []


def test_flag_wins_over_everything(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {".python-version": "3.11\n"})
    decided, _ = choose_python(ProjectDir(root), resolve_settings(root, Overrides(python="3.13")))
    assert (decided.value, decided.source, decided.overridden) == ("3.13", ".dockergen.toml", ())


def test_pin_outside_constraint_warns(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path, {".python-version": "3.10\n", "pyproject.toml": PYPROJECT.format(">=3.11")}
    )
    decided, warnings = choose_python(ProjectDir(root), resolve_settings(root))
    assert decided.value == "3.10"
    assert warnings == ["Python 3.10 (.python-version) does not satisfy pyproject.toml '>=3.11'"]


def test_disagreeing_pins_warn_and_record_the_loser(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {".python-version": "3.12\n", "runtime.txt": "python-3.11.2"})
    decided, warnings = choose_python(ProjectDir(root), resolve_settings(root))
    assert decided.overridden == ("runtime.txt: 3.11.2 (runtime.txt)",)
    assert warnings == [".python-version pins Python 3.12, but runtime.txt: 3.11.2 (runtime.txt)"]


def test_end_of_life_python_is_honoured_with_a_warning(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {"runtime.txt": "python-3.6.5"})
    decided, warnings = choose_python(ProjectDir(root), resolve_settings(root))
    assert decided.value == "3.6.5"
    assert warnings == [
        "Python 3.6.5 (runtime.txt) is not a supported CPython (3.10, 3.11, 3.12, 3.13, 3.14); "
        "its images get no security fixes"
    ]


@pytest.mark.parametrize("files", [{".python-version": "pypy3.10\n"}, {"runtime.txt": "python3\n"}])
def test_unusable_pin_is_ignored_with_a_warning(tmp_path: Path, files: dict[str, str]) -> None:
    decided, warnings = choose_python(
        ProjectDir(make_tree(tmp_path, files)), resolve_settings(make_tree(tmp_path, files))
    )
    assert (decided.value, decided.source) == (DEFAULT, "default")
    name = next(iter(files))
    assert warnings == [f"{name} does not name a CPython version (X.Y or X.Y.Z), so it is ignored"]


def test_strict_makes_a_contradiction_an_error(tmp_path: Path) -> None:
    from dockergen.errors import InvalidProjectFileError

    root = make_tree(
        tmp_path, {".python-version": "3.10\n", "pyproject.toml": PYPROJECT.format(">=3.11")}
    )
    with pytest.raises(InvalidProjectFileError) as error:
        choose_python(ProjectDir(root), resolve_settings(root), strict=True)
    assert str(error.value) == (
        ".python-version: Python 3.10 (.python-version) does not satisfy pyproject.toml '>=3.11'; "
        "make them agree, or pass --python"
    )
