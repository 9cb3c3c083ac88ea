from __future__ import annotations

from pathlib import Path

import pytest

from dockergen.detect import detect_project
from dockergen.errors import InvalidProjectFileError
from dockergen.render import render_files
from tests.helpers import buildkit_instructions, hadolint_findings, make_tree

PEP621 = '[project]\nname = "x"\nversion = "0"\ndependencies = ["six"]\n'
SECRET_MOUNT = "--mount=type=secret,id=netrc,target=/root/.netrc,required=false"

CASES = [
    (
        {"requirements.txt": "--extra-index-url https://pkgs.example.invalid/simple\nsix\n"},
        ("https://pkgs.example.invalid/simple", "requirements.txt:1"),
    ),
    (
        {
            "requirements.txt": "-r base.txt\n",
            "base.txt": "-i https://mirror.example.invalid/simple\n",
        },
        ("https://mirror.example.invalid/simple", "base.txt:1"),
    ),
    (
        {
            "Pipfile": '[[source]]\nname = "pypi"\nurl = "https://default.example.invalid/simple"\n'
            '[[source]]\nname = "corp"\nurl = "https://corp.example.invalid/simple"\n[packages]\n'
        },
        ("https://corp.example.invalid/simple", "Pipfile [[source]]"),
    ),
    (
        {
            "pyproject.toml": "[tool.poetry]\npackage-mode = false\n[[tool.poetry.source]]\n"
            'name = "corp"\nurl = "https://corp.example.invalid/simple"\npriority = "supplemental"\n'
        },
        ("https://corp.example.invalid/simple", "pyproject.toml [[tool.poetry.source]]"),
    ),
    (
        {
            "pyproject.toml": PEP621
            + '[[tool.uv.index]]\nname = "corp"\nurl = "https://corp.example.invalid/simple"\n',
            "uv.lock": "version = 1\n",
        },
        ("https://corp.example.invalid/simple", "pyproject.toml [[tool.uv.index]]"),
    ),
    (
        {
            "pyproject.toml": PEP621
            + '[[tool.pdm.source]]\nname = "corp"\nurl = "https://corp.example.invalid/simple"\n',
            "pdm.lock": "",
        },
        ("https://corp.example.invalid/simple", "pyproject.toml [[tool.pdm.source]]"),
    ),
]


@pytest.mark.parametrize(
    ("files", "expected"), CASES, ids=["requirements", "include", "pipfile", "poetry", "uv", "pdm"]
)
def test_private_indexes_get_a_netrc_secret_mount(
    tmp_path: Path, files: dict[str, str], expected: tuple[str, str]
) -> None:
    spec = detect_project(make_tree(tmp_path / "p", files))
    assert [(i.value, i.source) for i in spec.indexes] == [expected]
    dockerfile = render_files(spec)[0].content
    assert SECRET_MOUNT in dockerfile
    assert "# Build: docker build --secret id=netrc,src=$HOME/.netrc -t app .\n" in dockerfile
    assert "(a line per index host: machine HOST login USER\n# password TOKEN)" in dockerfile
    assert "ARG " not in dockerfile.replace("ARG PYTHON_VERSION", "")
    assert hadolint_findings(dockerfile, tmp_path) == []
    assert "RUN" in buildkit_instructions(dockerfile)


def test_default_index_only_needs_no_secret(tmp_path: Path) -> None:
    spec = detect_project(make_tree(tmp_path, {"requirements.txt": "six\n"}))
    assert spec.indexes == ()
    assert "type=secret" not in render_files(spec)[0].content


@pytest.mark.parametrize(
    "files",
    [
        {"requirements.txt": "--index-url https://me:hunter2@pkgs.example.invalid/simple\nsix\n"},
        {
            "Pipfile": '[[source]]\nname = "corp"\nurl = "https://me:hunter2@corp.example.invalid/s"\n'
        },
        *(
            {
                "pyproject.toml": f"{PEP621}[tool.{tool}]\n{extra}[[tool.{tool}.{table}]]\n"
                'name = "corp"\nurl = "https://me:hunter2@corp.example.invalid/s"\n',
                **({lock: ""} if lock else {}),
            }
            for tool, table, extra, lock in (
                ("poetry", "source", "package-mode = false\n", ""),
                ("uv", "index", "", "uv.lock"),
                ("pdm", "source", "", "pdm.lock"),
            )
        ),
    ],
    ids=["requirements", "pipfile", "poetry", "uv", "pdm"],
)
def test_inline_password_is_refused(tmp_path: Path, files: dict[str, str]) -> None:
    with pytest.raises(InvalidProjectFileError) as error:
        detect_project(make_tree(tmp_path, files))
    assert "contains a password, which would end up in the image and in version control" in str(
        error.value
    )
    assert str(error.value).endswith(
        "put it in a netrc file, and build with `docker build --secret id=netrc,src=$HOME/.netrc .`"
    )
    assert "hunter2" not in str(error.value)


def test_environment_placeholders_are_not_secrets(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "--extra-index-url https://${USER}:${TOKEN}@pkgs.example.invalid/s\nsix\n"
    }
    spec = detect_project(make_tree(tmp_path, files))
    assert len(spec.indexes) == 1
