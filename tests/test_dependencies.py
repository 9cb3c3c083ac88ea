from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from dockergen.dependencies import dependency_names
from dockergen.project import ProjectDir
from tests.helpers import make_tree


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {
                "requirements.txt": """\
                    -r requirements/base.txt
                    -e .
                    Django_Rest.Framework==3.15 ; python_version >= "3.10"  # markers
                    gunicorn==23.0.0 \\
                        --hash=sha256:0000
                    git+https://example.invalid/x.git#egg=x
                    --index-url https://example.invalid/simple
                    """,
                "requirements/base.txt": "fastapi[standard]>=0.110\n",
            },
            {"django-rest-framework", "gunicorn", "fastapi", "uvicorn", "fastapi-cli"},
            id="requirements-tree",
        ),
        pytest.param(
            {
                "Pipfile": """\
                    [packages]
                    django = "*"
                    fastapi = {version = "*", extras = ["all"]}
                    [dev-packages]
                    pytest = "*"
                    """
            },
            {"django", "fastapi", "uvicorn", "fastapi-cli"},
            id="pipfile-packages-only",
        ),
        pytest.param(
            {
                "pyproject.toml": """\
                    [project]
                    name = "x"
                    dependencies = ["Flask>=3", "not a requirement !!"]
                    [tool.poetry.dependencies]
                    python = "^3.12"
                    Gunicorn = "*"
                    sentry-sdk = {version = "*", optional = true}
                    """
            },
            {"flask", "gunicorn"},
            id="pyproject-project-and-poetry",
        ),
        pytest.param(
            {
                "Pipfile.lock": '{"default": {"gunicorn": {}}, "develop": {"pytest": {}}}',
                "poetry.lock": """\
                    [[package]]
                    name = "Django"
                    groups = ["main"]
                    [[package]]
                    name = "ruff"
                    groups = ["dev"]
                    [[package]]
                    name = "mypy"
                    category = "dev"
                    [[package]]
                    name = "asgiref"
                    category = "main"
                    """,
                "pdm.lock": """\
                    [[package]]
                    name = "uvicorn"
                    groups = ["default", "dev"]
                    [[package]]
                    name = "pytest"
                    groups = ["test"]
                    """,
            },
            {"gunicorn", "django", "asgiref", "uvicorn"},
            id="lock-files-default-groups",
        ),
        pytest.param({"setup.py": "setup()\n"}, set(), id="nothing-known"),
    ],
)
def test_dependency_names(tmp_path: Path, files: Mapping[str, str], expected: set[str]) -> None:
    assert dependency_names(ProjectDir(make_tree(tmp_path, files))) == expected
