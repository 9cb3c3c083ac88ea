"""What real projects taught (benchmarks/trials): each case broke a first run before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.detect import detect_project
from tests.helpers import make_tree

runner = CliRunner()
Files = dict[str, str]
GUNICORN = {"requirements.txt": "django\ngunicorn\n"}
DJANGO_MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n"


def _command(files: Files) -> tuple[tuple[str, ...] | None, int | None, tuple[str, ...]]:
    spec = detect_project(make_tree(Path(files.pop("__root__")), files))
    env = tuple(f"{e.value[0]}={e.value[1]}" for e in spec.environment)
    return (
        spec.command.value if spec.command else None,
        spec.port.value if spec.port else None,
        env,
    )


LISTEN = [
    pytest.param(
        {"Procfile": "web: gunicorn config.wsgi:application --log-file -\n", **GUNICORN},
        ("gunicorn", "config.wsgi:application", "--log-file", "-", "--bind", "0.0.0.0:8000"),
        8000,
        ("PORT=8000",),
        id="procfile-gunicorn-without-bind",
    ),
    pytest.param(
        {
            "Procfile": "web: gunicorn app:app\n",
            "gunicorn.conf.py": "accesslog = '-'\n",
            **GUNICORN,
        },
        ("gunicorn", "app:app", "--bind", "0.0.0.0:8000"),
        8000,
        ("PORT=8000",),
        id="gunicorn-config-without-bind-is-not-trusted",
    ),
    pytest.param(
        {
            "Procfile": "web: gunicorn -c conf/g.py app:app\n",
            "conf/g.py": "bind = '0.0.0.0:8000'\n",
            **GUNICORN,
        },
        ("gunicorn", "-c", "conf/g.py", "app:app"),
        8000,
        ("PORT=8000",),
        id="gunicorn-config-that-binds-is-read",
    ),
    pytest.param(
        {"Procfile": "web: bash Procfile.sh\n", "Procfile.sh": "gunicorn app:app\n", **GUNICORN},
        ("bash", "Procfile.sh"),
        None,
        (),
        id="procfile-script-port-unknown",
    ),
    pytest.param(
        {"Procfile": "web: uvicorn main:app\n", "requirements.txt": "fastapi\nuvicorn\n"},
        ("uvicorn", "main:app", "--host", "0.0.0.0"),
        8000,
        ("PORT=8000",),
        id="procfile-uvicorn-without-host",
    ),
    pytest.param(
        {"Procfile": "web: flask run\n", "requirements.txt": "flask\n"},
        ("flask", "run", "--host", "0.0.0.0"),
        5000,
        ("PORT=5000", "FLASK_DEBUG=0"),
        id="procfile-flask-run",
    ),
]


@pytest.mark.parametrize(("files", "command", "port", "env"), LISTEN)
def test_every_server_listens_beyond_the_container(
    tmp_path: Path, files: Files, command: tuple[str, ...], port: int | None, env: tuple[str, ...]
) -> None:
    assert _command({"__root__": str(tmp_path), **files}) == (command, port, env)


STARTS = [
    pytest.param(
        {
            "manage.py": "import os\nname = 'site1.production' if 'X' in os.environ "
            "else 'site1.settings'\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', name)\n",
            "site1/settings.py": "",
            "site1/wsgi.py": "",
            "requirements.txt": "Django\nwhitenoise\n",
        },
        ("python", "manage.py", "runserver", "0.0.0.0:8000"),
        id="django-settings-chosen-in-a-variable-without-gunicorn",
    ),
    pytest.param(
        {
            "site1/manage.py": DJANGO_MANAGE,
            "site1/site1/settings.py": "",
            "site1/site1/wsgi.py": "",
            **GUNICORN,
        },
        ("gunicorn", "--chdir", "site1", "--bind", "0.0.0.0:8000", "site1.wsgi:application"),
        id="django-one-folder-down",
    ),
    pytest.param(
        {
            "manage.py": DJANGO_MANAGE,
            "site1/settings.py": "",
            "site1/asgi.py": "",
            "site1/wsgi.py": "",
            "requirements.txt": "django\nuvicorn\n",
        },
        ("uvicorn", "site1.asgi:application", "--host", "0.0.0.0", "--port", "8000"),
        id="django-over-asgi",
    ),
    pytest.param(
        {
            "app/__init__.py": "",
            "app/main.py": "from fastapi import FastAPI\n\ndef get_application():\n"
            "    return FastAPI()\n\napp = get_application()\n",
            "requirements.txt": "fastapi\nhypercorn\n",
        },
        ("hypercorn", "app.main:app", "--bind", "0.0.0.0:8000"),
        id="fastapi-factory-hypercorn",
    ),
    pytest.param(
        {
            "app/__init__.py": "",
            "app/__main__.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "requirements.txt": "fastapi\nuvicorn\n",
        },
        ("uvicorn", "app.__main__:app", "--host", "0.0.0.0", "--port", "8000"),
        id="fastapi-in-main-module",
    ),
    pytest.param(
        {
            ".flaskenv": "FLASK_APP=sayhello\n",
            "sayhello/__init__.py": "from flask import Flask\napp = Flask('sayhello')\n",
            "Pipfile": "[packages]\nflask = '*'\n",
        },
        ("flask", "run", "--host", "0.0.0.0", "--port", "5000"),
        id="flaskenv-names-the-app",
    ),
    pytest.param(
        {
            "setup.cfg": "[metadata]\nname = tool\n[options.entry_points]\n"
            "console_scripts =\n    tool = tool.cli:main\n",
            "requirements.txt": "-e .\n",
        },
        ("tool",),
        id="setup-cfg-console-script",
    ),
]


def test_flask_finds_its_app_through_flask_app_which_every_flask_reads(tmp_path: Path) -> None:
    files = {
        ".flaskenv": "FLASK_APP=sayhello\n",
        "sayhello/__init__.py": "from flask import Flask\napp = Flask('sayhello')\n",
        "Pipfile": "[packages]\nflask = '*'\n",
    }
    spec = detect_project(make_tree(tmp_path, files))
    assert [e.value for e in spec.environment] == [
        ("FLASK_APP", "sayhello:app"),
        ("FLASK_DEBUG", "0"),
    ]


@pytest.mark.parametrize(("files", "command"), STARTS)
def test_start_command_is_found(tmp_path: Path, files: Files, command: tuple[str, ...]) -> None:
    assert _command({"__root__": str(tmp_path), **files})[0] == command


PYTHONS = [
    pytest.param(
        {
            "requirements.txt": "# This file is autogenerated by pip-compile with Python 3.12\n"
            "#    by the following command:\nflask==3.0.0\n"
        },
        ("3.12", "requirements.txt"),
        id="pip-compile-header",
    ),
    pytest.param(
        {"setup.cfg": "[options]\npython_requires = >=3.8,<3.12\n", "requirements.txt": "x\n"},
        ("3.11", "setup.cfg"),
        id="setup-cfg-python-requires",
    ),
    pytest.param(
        {
            "Dockerfile": "FROM python:3.10-slim\nCOPY . .\n",
            "setup.cfg": "[options]\npython_requires = >=3.8\n",
            "requirements.txt": "x\n",
        },
        ("3.10", "Dockerfile"),
        id="authors-dockerfile",
    ),
    pytest.param(
        {
            "Dockerfile": "FROM python:3.10-slim\n",
            "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.12"\n'
            'dependencies = ["x"]\n',
        },
        ("3.14", "pyproject.toml"),
        id="authors-image-outside-the-range-is-ignored",
    ),
    pytest.param(
        {
            "Dockerfile": "# Generated by dockergen from requirements.txt.\nARG PYTHON_VERSION=3.11\n"
            "FROM python:3.11-slim\n",
            "requirements.txt": "x\n",
        },
        ("3.13", "default"),
        id="own-dockerfile-is-no-hint",
    ),
]


@pytest.mark.parametrize(("files", "python"), PYTHONS)
def test_python_from_weaker_sources(tmp_path: Path, files: Files, python: tuple[str, str]) -> None:
    spec = detect_project(make_tree(tmp_path, files))
    assert (spec.python.value, spec.python.source) == python


LEGACY_POETRY_LOCK = """\
[[package]]
name = "greenlet"
version = "1.1.2"
category = "main"

[metadata]
lock-version = "1.1"
python-versions = "^3.9"
content-hash = "x"

[metadata.files]
greenlet = [
    {file = "greenlet-1.1.2-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "sha256:0"},
    {file = "greenlet-1.1.2-cp310-cp310-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", hash = "sha256:1"},
    {file = "greenlet-1.1.2.tar.gz", hash = "sha256:2"},
]
"""


def test_legacy_poetry_lock_files_choose_a_python_with_wheels(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\n'
            'python = "^3.9"\ngreenlet = "1.1.2"\n',
            "poetry.lock": LEGACY_POETRY_LOCK,
        },
    )
    spec = detect_project(root, allow_stale_lock=True)  # the lock's content-hash is a stand-in
    assert spec.python.value == "3.10"
    assert "build-essential" not in spec.apt.build


def test_pinned_requirements_beat_an_unlocked_pipfile(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "Pipfile": "[packages]\nflask = '*'\n",
            "requirements.txt": "# generated by pipenv\nflask==3.0.0\nwerkzeug==3.0.1 ; python_version >= '3.8'\n",
        },
    )
    result = runner.invoke(app, ["plan", str(root), "--json"])
    installer: dict[str, Any] = json.loads(result.stdout)["installer"]
    assert installer == {
        "value": "pip",
        "source": "requirements.txt",
        "detail": "requirements.txt: every requirement is pinned with ==, so the build is "
        "reproducible",
        "overridden": ["Pipfile (pipenv)"],
    }


def test_pipfile_lock_without_a_python_says_so(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {"Pipfile": "[packages]\nflask = '*'\n", "Pipfile.lock": '{"_meta": {"requires": {}}}\n'},
    )
    assert detect_project(root).warnings[0] == (
        "neither Pipfile nor Pipfile.lock names a Python version, so the lock was resolved for "
        "an interpreter dockergen cannot know; if the build or the app fails on this Python, "
        "pass --python with the one the lock was made with"
    )


def test_plan_shows_a_remembered_installer_by_name(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path, {"requirements.txt": "x\n", ".dockergen.toml": 'installer = "pip"\n'}
    )
    result = runner.invoke(app, ["plan", str(root)])
    assert result.stdout.splitlines()[0] == "installer: pip (.dockergen.toml: installer = 'pip')"


WRITERS = [
    pytest.param(
        {
            "manage.py": DJANGO_MANAGE,
            "site1/settings.py": "DATABASES = {'default': {\n"
            "    'ENGINE': 'django.db.backends.sqlite3',\n    'NAME': BASE_DIR / 'db.sqlite3',\n}}\n",
            "site1/wsgi.py": "",
            **GUNICORN,
        },
        ("/app", "site1/settings.py"),
        id="django-sqlite-in-base-dir",
    ),
    pytest.param(
        {
            "flaskr/__init__.py": "from flask import Flask\n\ndef create_app():\n"
            "    app = Flask(__name__, instance_relative_config=True)\n    return app\n",
            "pyproject.toml": '[project]\nname = "flaskr"\ndependencies = ["flask"]\n'
            '[build-system]\nrequires = ["flit_core"]\nbuild-backend = "flit_core.buildapi"\n',
        },
        ("/app/instance", "flaskr/__init__.py"),
        id="flask-instance-folder",
    ),
    pytest.param(
        {
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n",
            "site1/settings/__init__.py": "try:\n    from .dev import *\nexcept ImportError:\n"
            "    from .base import *\n",
            "site1/settings/dev.py": "from .base import *\nDEBUG = True\n",
            "site1/settings/base.py": "import os\nDATABASES = {'default': {\n"
            "    'ENGINE': 'django.db.backends.sqlite3',\n"
            "    'NAME': os.path.join(BASE_DIR, 'data', 'db.sqlite3'),\n}}\n"
            "STATIC_ROOT = os.path.join(BASE_DIR, 'static')\n",
            "site1/wsgi.py": "",
            **GUNICORN,
        },
        ("/app/data", "site1/settings/__init__.py"),
        id="django-data-folder-in-split-settings",
    ),
    pytest.param(
        {
            "manage.py": DJANGO_MANAGE,
            "site1/settings.py": "MEDIA_ROOT = BASE_DIR / 'uploads'\nSTATIC_ROOT = BASE_DIR / 'static'\n",
            "site1/wsgi.py": "",
            **GUNICORN,
        },
        ("/app/uploads", "site1/settings.py"),
        id="django-media-root",
    ),
    pytest.param(
        {
            "shop/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "shop/static/site.css": "",
            "requirements.txt": "flask\nflask-assets\ngunicorn\n",
            "pyproject.toml": '[project]\nname = "shop"\ndependencies = []\n',
        },
        ("/app/shop/static", "shop/static"),
        id="webassets-writes-into-static",
    ),
    pytest.param(
        {
            "svc/settings.py": "from pydantic import Field\nfrom pydantic_settings import "
            "BaseSettings\n\n\nclass Settings(BaseSettings):\n"
            '    data_folder: str = Field(default="./data")\n'
            '    log_level: str = "info"\n',
            "requirements.txt": "pydantic-settings\n",
        },
        ("/app/data", "svc/settings.py"),
        id="a-settings-field-names-a-data-folder",
    ),
    pytest.param(
        {
            "app.py": 'import os\nUPLOAD_DIR = os.getenv("UPLOAD_DIR", "uploads")\n',
            "requirements.txt": "six\n",
        },
        ("/app/uploads", "app.py"),
        id="an-upload-folder-from-the-environment",
    ),
]


@pytest.mark.parametrize(("files", "writable"), WRITERS)
def test_folders_the_app_writes_are_its_own(
    tmp_path: Path, files: Files, writable: tuple[str, str]
) -> None:
    from dockergen.render import render_files

    spec = detect_project(make_tree(tmp_path, files))
    assert [(str(w.value), w.source) for w in spec.writable] == [writable]
    assert f"RUN mkdir -p {writable[0]} && chown 10001:10001 {writable[0]}\n" in (
        render_files(spec)[0].content
    )
    assert any("mount a volume there" in w and writable[0] in w for w in spec.warnings)
