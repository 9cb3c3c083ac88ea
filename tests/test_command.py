from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from dockergen.dependencies import dependency_names
from dockergen.detect import detect_project
from dockergen.model import Decided, Overrides
from dockergen.project import ProjectDir
from dockergen.settings import resolve_settings
from dockergen.start import choose_command
from tests.helpers import make_tree

Files = Mapping[str, str]


def _manage(settings: str) -> str:
    return f"""\
        import os
        import sys

        if __name__ == "__main__":
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{settings}")
            from django.core.management import execute_from_command_line
            execute_from_command_line(sys.argv)
        """


DJANGO: Files = {
    "manage.py": _manage("shop.settings"),
    "shop/__init__.py": "",
    "shop/settings.py": "ALLOWED_HOSTS = ['*']\n",
    "shop/wsgi.py": "application = get_wsgi_application()\n",
    "requirements.txt": "Django==5.2  # the framework\ngunicorn==23.0.0\n",
}
FASTAPI_MAIN = "from fastapi import FastAPI\n\napp = FastAPI(title='shop')\n"
FLASK_APP = "from flask import Flask\n\napp = Flask(__name__)\n"


def _loopback(source: str, server: str, fix: str = "--bind 0.0.0.0:PORT") -> str:
    return (
        f"{source}: {server} listens on 127.0.0.1 unless told otherwise, which nothing outside "
        f"the container can reach; add {fix} to the command"
    )


def _procfile(line: str) -> Files:
    return {"Procfile": f"release: ./manage.py migrate\nweb: {line}\nworker: celery worker\n"}


# (files, expected command, expected port, expected warnings); nothing is installed.
CASES = [
    pytest.param(
        {**DJANGO, **_procfile("gunicorn --bind 0.0.0.0:5000 shop.wsgi")},
        Decided(
            value=("gunicorn", "--bind", "0.0.0.0:5000", "shop.wsgi"),
            source="Procfile",
            detail="Procfile:2 web: gunicorn --bind 0.0.0.0:5000 shop.wsgi",
            overridden=(
                "manage.py:5 Django project, shop/wsgi.py served by gunicorn: gunicorn --bind 0.0.0.0:8000 shop.wsgi:application: the authors' production files over what the code shows",
                "Procfile:3 worker: celery worker: celery is not among the dependencies",
            ),
        ),
        Decided(
            value=5000,
            source="Procfile",
            detail="--bind 0.0.0.0:5000 in the command",
            overridden=(),
        ),
        [],
        id="procfile-plain-beats-django",
    ),
    pytest.param(
        _procfile("gunicorn -b 0.0.0.0:$PORT --workers 2 app:app"),
        Decided(
            value=("gunicorn", "-b", "0.0.0.0:8000", "--workers", "2", "app:app"),
            source="Procfile",
            detail="Procfile:2 web: gunicorn -b 0.0.0.0:$PORT --workers 2 app:app",
            overridden=("Procfile:3 worker: celery worker: a worker; the image serves the app",),
        ),
        Decided(
            value=8000, source="Procfile", detail="-b 0.0.0.0:8000 in the command", overridden=()
        ),
        [
            "Procfile:2 reads $PORT, which a container does not set; it serves 8000 instead (gunicorn's default port), and the image sets PORT=8000; pass --command to choose another"
        ],
        id="procfile-port-gunicorn",
    ),
    pytest.param(
        _procfile("flask run --host=0.0.0.0 --port=${PORT}"),
        Decided(
            value=("flask", "run", "--host=0.0.0.0", "--port=5000"),
            source="Procfile",
            detail="Procfile:2 web: flask run --host=0.0.0.0 --port=${PORT}",
            overridden=("Procfile:3 worker: celery worker: a worker; the image serves the app",),
        ),
        Decided(value=5000, source="Procfile", detail="--port 5000 in the command", overridden=()),
        [
            "Procfile:2 reads $PORT, which a container does not set; it serves 5000 instead (flask's default port), and the image sets PORT=5000; pass --command to choose another"
        ],
        id="procfile-port-flask",
    ),
    pytest.param(
        _procfile("uvicorn main:app --host 0.0.0.0 --port ${PORT:-3000}"),
        Decided(
            value=("uvicorn", "main:app", "--host", "0.0.0.0", "--port", "3000"),
            source="Procfile",
            detail="Procfile:2 web: uvicorn main:app --host 0.0.0.0 --port ${PORT:-3000}",
            overridden=("Procfile:3 worker: celery worker: a worker; the image serves the app",),
        ),
        Decided(value=3000, source="Procfile", detail="--port 3000 in the command", overridden=()),
        [
            "Procfile:2 reads $PORT, which a container does not set; it serves 3000 instead (the fallback the line states), and the image sets PORT=3000; pass --command to choose another"
        ],
        id="procfile-port-fallback",
    ),
    pytest.param(
        _procfile("python server.py --port $PORT"),
        Decided(
            value=("python", "server.py", "--port", "8000"),
            source="Procfile",
            detail="Procfile:2 web: python server.py --port $PORT",
            overridden=("Procfile:3 worker: celery worker: a worker; the image serves the app",),
        ),
        Decided(value=8000, source="Procfile", detail="--port 8000 in the command", overridden=()),
        [
            "Procfile:2 reads $PORT, which a container does not set; it serves 8000 instead (no known server in the command, so 8000), and the image sets PORT=8000; pass --command to choose another"
        ],
        id="procfile-port-unknown-server",
    ),
    pytest.param(
        _procfile("flask db upgrade; flask translate compile; gunicorn microblog:app"),
        Decided(
            value=(
                "sh",
                "-c",
                "flask db upgrade; flask translate compile; gunicorn microblog:app --bind 0.0.0.0:8000",
            ),
            source="Procfile",
            detail="Procfile:2 web: flask db upgrade; flask translate compile; gunicorn microblog:app (--bind 0.0.0.0:8000 added: listen beyond the container)",
            overridden=("Procfile:3 worker: celery worker: a worker; the image serves the app",),
        ),
        Decided(value=8000, source="Procfile", detail="gunicorn's default port", overridden=()),
        [
            "Procfile:2: the command uses shell syntax, so CMD runs it with sh -c and sh, not the server, receives docker stop's SIGTERM; start the server with `exec`, or pass --command"
        ],
        id="procfile-shell-operators",
    ),
    pytest.param(
        _procfile("WEB_CONCURRENCY=2 gunicorn --bind 0.0.0.0:8000 app:app"),
        Decided(
            value=("sh", "-c", "WEB_CONCURRENCY=2 gunicorn --bind 0.0.0.0:8000 app:app"),
            source="Procfile",
            detail="Procfile:2 web: WEB_CONCURRENCY=2 gunicorn --bind 0.0.0.0:8000 app:app",
            overridden=("Procfile:3 worker: celery worker: a worker; the image serves the app",),
        ),
        Decided(
            value=8000,
            source="Procfile",
            detail="--bind 0.0.0.0:8000 in the command",
            overridden=(),
        ),
        [
            "Procfile:2: the command uses shell syntax, so CMD runs it with sh -c and sh, not the server, receives docker stop's SIGTERM; start the server with `exec`, or pass --command"
        ],
        id="procfile-env-assignment",
    ),
    pytest.param(
        _procfile("gunicorn 'app:create_app()' --bind 0.0.0.0:8000"),
        Decided(
            value=("gunicorn", "app:create_app()", "--bind", "0.0.0.0:8000"),
            source="Procfile",
            detail="Procfile:2 web: gunicorn 'app:create_app()' --bind 0.0.0.0:8000",
            overridden=("Procfile:3 worker: celery worker: a worker; the image serves the app",),
        ),
        Decided(
            value=8000,
            source="Procfile",
            detail="--bind 0.0.0.0:8000 in the command",
            overridden=(),
        ),
        [],
        id="procfile-single-quotes-are-safe",
    ),
    pytest.param(
        _procfile("exec uvicorn main:app --host 0.0.0.0"),
        Decided(
            value=("uvicorn", "main:app", "--host", "0.0.0.0"),
            source="Procfile",
            detail="Procfile:2 web: exec uvicorn main:app --host 0.0.0.0",
            overridden=("Procfile:3 worker: celery worker: a worker; the image serves the app",),
        ),
        Decided(value=8000, source="Procfile", detail="uvicorn's default port", overridden=()),
        [],
        id="procfile-exec-dropped",
    ),
    pytest.param(
        {**_procfile("gunicorn shop.wsgi"), "gunicorn.conf.py": "bind = '0.0.0.0:8000'\n"},
        Decided(
            value=("gunicorn", "shop.wsgi"),
            source="Procfile",
            detail="Procfile:2 web: gunicorn shop.wsgi",
            overridden=("Procfile:3 worker: celery worker: a worker; the image serves the app",),
        ),
        Decided(value=8000, source="Procfile", detail="gunicorn's default port", overridden=()),
        [],
        id="procfile-gunicorn-conf-binds",
    ),
    pytest.param(
        {
            **_procfile("uwsgi ./etc/uwsgi.ini"),
            "etc/uwsgi.ini": "[uwsgi]\nhttp-socket=:$(PORT)\nwsgi-file=shop/wsgi.py\n",
        },
        Decided(
            value=("uwsgi", "./etc/uwsgi.ini"),
            source="Procfile",
            detail="Procfile:2 web: uwsgi ./etc/uwsgi.ini",
            overridden=("Procfile:3 worker: celery worker: a worker; the image serves the app",),
        ),
        Decided(value=8000, source="Procfile", detail="uwsgi's default port", overridden=()),
        [],
        id="procfile-uwsgi-ini-binds",  # a second --http would bind the port twice
    ),
    pytest.param(
        {
            **_procfile("uwsgi --ini etc/uwsgi.ini"),
            "etc/uwsgi.ini": "[uwsgi]\nwsgi-file=shop/wsgi.py\n",
        },
        Decided(
            value=("uwsgi", "--ini", "etc/uwsgi.ini", "--http", "0.0.0.0:8000"),
            source="Procfile",
            detail="Procfile:2 web: uwsgi --ini etc/uwsgi.ini (--http 0.0.0.0:8000 added: "
            "listen beyond the container)",
            overridden=("Procfile:3 worker: celery worker: a worker; the image serves the app",),
        ),
        Decided(value=8000, source="Procfile", detail="uwsgi's default port", overridden=()),
        [],
        id="procfile-uwsgi-ini-without-socket",
    ),
    pytest.param(
        {"Procfile": "worker: celery -A shop worker\n", "main.py": ""},
        Decided(
            value=("celery", "-A", "shop", "worker"),
            source="Procfile",
            detail="Procfile:1 worker: celery -A shop worker",
            overridden=(
                "main.py: python main.py: the authors' production files over the project's entry points",
            ),
        ),
        None,
        [],
        id="procfile-without-web",
    ),
    pytest.param(
        {**DJANGO, "main.py": ""},
        Decided(
            value=("gunicorn", "--bind", "0.0.0.0:8000", "shop.wsgi:application"),
            source="manage.py",
            detail="manage.py:5 Django project, shop/wsgi.py served by gunicorn",
            overridden=(
                "main.py: python main.py: what the code shows over the project's entry points",
            ),
        ),
        Decided(
            value=8000,
            source="manage.py",
            detail="--bind 0.0.0.0:8000 in the command",
            overridden=(),
        ),
        [],
        id="django-gunicorn",
    ),
    pytest.param(
        {
            "manage.py": _manage("config.settings.production"),
            "config/settings/production.py": "",
            "config/wsgi.py": "",
            "Pipfile": "[packages]\ndjango = '*'\ngunicorn = {version = '*'}\n",
        },
        Decided(
            value=("gunicorn", "--bind", "0.0.0.0:8000", "config.wsgi:application"),
            source="manage.py",
            detail="manage.py:5 Django project, config/wsgi.py served by gunicorn",
            overridden=(),
        ),
        Decided(
            value=8000,
            source="manage.py",
            detail="--bind 0.0.0.0:8000 in the command",
            overridden=(),
        ),
        [],
        id="django-settings-package-pipfile",
    ),
    pytest.param(
        {**DJANGO, "requirements.txt": "django\n", "main.py": ""},
        Decided(
            value=("python", "manage.py", "runserver", "0.0.0.0:8000"),
            source="manage.py",
            detail="manage.py Django project, Django's development server",
            overridden=(
                "main.py: python main.py: what the code shows over the project's entry points",
            ),
        ),
        Decided(
            value=8000, source="manage.py", detail="0.0.0.0:8000 in the command", overridden=()
        ),
        [
            "manage.py: neither gunicorn nor an ASGI server is a dependency, so Django's development server runs it; add gunicorn for production"
        ],
        id="django-without-gunicorn",
    ),
    pytest.param(
        {**DJANGO, "manage.py": "import django\n"},
        None,
        None,
        [
            "the Django project (manage.py) cannot be started without a wsgi.py next to the settings module named in manage.py, so no CMD was found; add what is missing, or pass --command '...'"
        ],
        id="django-without-wsgi",
    ),
    pytest.param(
        {
            "manage.py": "from redash.cli import manager\n\nmanager()\n",
            "redash/__init__.py": "def create_app():\n    app = Flask(__name__)\n    return app\n",
            "redash/wsgi.py": "app = create_app()\n",
            "pyproject.toml": '[project]\nname = "redash"\ndependencies = ["flask", "gunicorn"]\n',
        },
        None,
        None,
        [
            "no start command found, so the image's CMD stops with a message saying so; pass --command '...' to set one"
        ],
        id="manage-py-without-django",
    ),
    pytest.param(
        {
            "app/__init__.py": "",
            "app/main.py": FASTAPI_MAIN,
            "requirements.txt": "fastapi[standard]==0.115.0\n",
        },
        Decided(
            value=("uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"),
            source="app/main.py",
            detail="app/main.py:3 FastAPI app app.main:app, served by uvicorn",
            overridden=(),
        ),
        Decided(
            value=8000, source="app/main.py", detail="--port 8000 in the command", overridden=()
        ),
        [],
        id="fastapi-app-main-standard-extra",
    ),
    pytest.param(
        {
            "main.py": "from starlette.applications import Starlette\n\n"
            "application: Starlette = Starlette(routes=[])\n",
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["starlette", "Uvicorn"]\n',
        },
        Decided(
            value=("uvicorn", "main:application", "--host", "0.0.0.0", "--port", "8000"),
            source="main.py",
            detail="main.py:3 Starlette app main:application, served by uvicorn",
            overridden=(),
        ),
        Decided(value=8000, source="main.py", detail="--port 8000 in the command", overridden=()),
        [],
        id="starlette-annotated",
    ),
    pytest.param(
        {"main.py": FASTAPI_MAIN, "requirements.txt": "fastapi\n"},
        None,
        None,
        [
            "main.py: the FastAPI app main:app needs an ASGI server (uvicorn, hypercorn, granian) among the dependencies; add one, or pass --command '...'"
        ],
        id="fastapi-without-uvicorn",
    ),
    pytest.param(
        {
            "main.py": FASTAPI_MAIN,
            "app.py": FLASK_APP,
            "requirements.txt": "fastapi\nuvicorn\nflask\ngunicorn\n",
        },
        Decided(
            value=("uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"),
            source="main.py",
            detail="main.py:3 FastAPI app main:app, served by uvicorn",
            overridden=(
                "app.py:3 Flask app app:app, served by gunicorn: gunicorn --bind 0.0.0.0:8000 app:app: main.py:3 comes first",
            ),
        ),
        Decided(value=8000, source="main.py", detail="--port 8000 in the command", overridden=()),
        [],
        id="fastapi-beats-flask",
    ),
    pytest.param(
        {"services/api/server/main.py": FASTAPI_MAIN, "requirements.txt": "fastapi\nuvicorn\n"},
        Decided(
            value=(
                "uvicorn",
                "services.api.server.main:app",
                "--host",
                "0.0.0.0",
                "--port",
                "8000",
            ),
            source="services/api/server/main.py",
            detail="services/api/server/main.py:3 FastAPI app services.api.server.main:app, served by uvicorn",
            overridden=(),
        ),
        Decided(
            value=8000,
            source="services/api/server/main.py",
            detail="--port 8000 in the command",
            overridden=(),
        ),
        [],
        id="bounded-deep-app-not-found",
    ),
    pytest.param(
        {"app.py": FLASK_APP, "requirements.txt": "Flask==3.1\ngunicorn\n"},
        Decided(
            value=("gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
            source="app.py",
            detail="app.py:3 Flask app app:app, served by gunicorn",
            overridden=(),
        ),
        Decided(
            value=8000, source="app.py", detail="--bind 0.0.0.0:8000 in the command", overridden=()
        ),
        [],
        id="flask-gunicorn",
    ),
    pytest.param(
        {
            "wsgi.py": "import flask\n\napplication = flask.Flask(__name__)\n",
            "requirements.txt": "flask\n",
        },
        Decided(
            value=("flask", "run", "--host", "0.0.0.0", "--port", "5000"),
            source="wsgi.py",
            detail="wsgi.py:3 Flask app wsgi:application, Flask's own server",
            overridden=(),
        ),
        Decided(value=5000, source="wsgi.py", detail="--port 5000 in the command", overridden=()),
        [
            "wsgi.py defines a Flask app and gunicorn is not a dependency, so Flask's development server runs it; add gunicorn for production"
        ],
        id="flask-without-gunicorn",
    ),
    pytest.param(
        {
            "shop/__init__.py": FLASK_APP,
            "pyproject.toml": '[tool.poetry]\nname = "shop"\n'
            '[tool.poetry.dependencies]\npython = "^3.12"\nflask = "*"\n'
            'gunicorn = {version = "*", optional = true}\n',
        },
        Decided(
            value=("flask", "run", "--host", "0.0.0.0", "--port", "5000"),
            source="shop/__init__.py",
            detail="shop/__init__.py:3 Flask app shop:app, Flask's own server",
            overridden=(),
        ),
        Decided(
            value=5000,
            source="shop/__init__.py",
            detail="--port 5000 in the command",
            overridden=(),
        ),
        [
            "shop/__init__.py defines a Flask app and gunicorn is not a dependency, so Flask's development server runs it; add gunicorn for production"
        ],
        id="flask-in-package-optional-gunicorn",
    ),
    pytest.param(
        {
            "app.py": "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n",
            "requirements.txt": "flask\ngunicorn\n",
        },
        Decided(
            value=("gunicorn", "--bind", "0.0.0.0:8000", "app:create_app()"),
            source="app.py",
            detail="app.py:3 Flask app app:create_app(), served by gunicorn",
            overridden=(),
        ),
        Decided(
            value=8000, source="app.py", detail="--bind 0.0.0.0:8000 in the command", overridden=()
        ),
        [],
        id="flask-factory",
    ),
    pytest.param(
        {"requirements.txt": "six\n"},
        None,
        None,
        [
            "no start command found, so the image's CMD stops with a message saying so; pass --command '...' to set one"
        ],
        id="nothing",
    ),
]


def _choose(
    root: Path,
    *,
    override: tuple[str, ...] | None = None,
    port: int | None = None,
    installs_project: bool = False,
) -> tuple[Decided[Any] | None, Decided[Any] | None, list[str]]:
    settings = resolve_settings(root, Overrides(command=override, port=port))
    project = ProjectDir(root)
    start = choose_command(
        project, settings, dependency_names(project), installs_project=installs_project
    )
    return start.command, start.port, list(start.warnings)


@pytest.mark.parametrize(("files", "command", "port", "warnings"), CASES)
def test_command_and_port(
    tmp_path: Path,
    files: Files,
    command: Decided[Any] | None,
    port: Decided[Any] | None,
    warnings: list[str],
) -> None:
    assert _choose(make_tree(tmp_path, files)) == (command, port, warnings)


PACKAGED: Files = {
    "pyproject.toml": """\
        [project]
        name = "shop-api"
        dependencies = ["fastapi", "uvicorn[standard]"]
        [project.scripts]
        shop = "shop_api.cli:main"
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"
        """,
    "src/shop_api/__init__.py": "",
    "src/shop_api/__main__.py": "",
    "src/shop_api/main.py": FASTAPI_MAIN,
}


def test_src_layout_app_is_found_when_the_project_is_installed(tmp_path: Path) -> None:
    command, port, warnings = _choose(make_tree(tmp_path, PACKAGED), installs_project=True)
    assert command == Decided(
        ("uvicorn", "shop_api.main:app", "--host", "0.0.0.0", "--port", "8000"),
        "src/shop_api/main.py",
        "src/shop_api/main.py:3 FastAPI app shop_api.main:app, served by uvicorn",
        (
            "pyproject.toml: [project.scripts] shop: what the code shows over the project's "
            "entry points",
            "src/shop_api/__main__.py: python -m shop_api: what the code shows over the "
            "project's entry points",
        ),
    )
    assert port == Decided(8000, "src/shop_api/main.py", "--port 8000 in the command")
    assert warnings == []


def test_src_layout_app_is_served_from_src_when_the_project_is_not_installed(
    tmp_path: Path,
) -> None:
    command, _, _ = _choose(make_tree(tmp_path, PACKAGED))
    assert command is not None
    assert command.value == (
        *("uvicorn", "shop_api.main:app", "--host", "0.0.0.0", "--port", "8000"),
        *("--app-dir", "src"),
    )


def test_single_script_then_main_module_then_main_py(tmp_path: Path) -> None:
    files = {**PACKAGED, "src/shop_api/main.py": "", "main.py": ""}
    command, port, _ = _choose(make_tree(tmp_path, files), installs_project=True)
    assert command == Decided(
        ("shop",),
        "pyproject.toml",
        "pyproject.toml: [project.scripts] shop",
        (
            "src/shop_api/__main__.py: python -m shop_api: pyproject.toml comes first",
            "main.py: python main.py: pyproject.toml comes first",
        ),
    )
    assert port is None


# A choice is credited to where it is remembered, whether given now or earlier.
ANSWERS = ".dockergen.toml"
PORT = ANSWERS


def test_flag_beats_everything_and_records_the_losers(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {**DJANGO, **_procfile("gunicorn shop.wsgi")})
    command, port, warnings = _choose(root, override=("uvicorn", "shop.asgi:application"))
    assert command == Decided(
        ("uvicorn", "shop.asgi:application"),
        ANSWERS,
        ANSWERS,
        (
            "Procfile:2 web: gunicorn shop.wsgi: your choice over the authors' production files",
            "manage.py:5 Django project, shop/wsgi.py served by gunicorn: gunicorn --bind "
            "0.0.0.0:8000 shop.wsgi:application: your choice over what the code shows",
            "Procfile:3 worker: celery worker: celery is not among the dependencies",
        ),
    )
    assert port == Decided(8000, ANSWERS, "uvicorn's default port")
    assert warnings == [_loopback(ANSWERS, "uvicorn", "--host 0.0.0.0")]


def test_flag_beats_an_app_that_cannot_start(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {**DJANGO, "requirements.txt": "django\n"})
    (root / "shop" / "wsgi.py").unlink()  # without it, Django cannot start
    command, port, warnings = _choose(root, override=("python", "manage.py", "runserver"))
    assert command == Decided(("python", "manage.py", "runserver"), ANSWERS, ANSWERS)
    assert port == Decided(8000, ANSWERS, "runserver's default port")
    # The user's own command is taken as it is, with a warning.
    assert warnings == [_loopback(ANSWERS, "runserver", "0.0.0.0:8000")]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            DJANGO,
            Decided(9000, ANSWERS, PORT, ("8000: --bind 0.0.0.0:8000 in the command (manage.py)",)),
            id="port-flag-beats-command",
        ),
        pytest.param(
            _procfile("gunicorn --bind 0.0.0.0:9000 app:app"),
            Decided(9000, ANSWERS, PORT),
            id="port-flag-agrees",
        ),
        pytest.param({"requirements.txt": ""}, Decided(9000, ANSWERS, PORT), id="no-command"),
    ],
)
def test_port_flag_wins(tmp_path: Path, files: Files, expected: Decided[Any]) -> None:
    assert _choose(make_tree(tmp_path, files), port=9000)[1] == expected


def test_unreadable_entry_file_is_skipped(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app.py": FLASK_APP, "requirements.txt": "flask\ngunicorn\n"})
    (tmp_path / "main.py").write_bytes(b"app = FastAPI()  # \xff\n")
    command, _, _ = _choose(tmp_path)
    assert command is not None
    assert command.value == ("gunicorn", "--bind", "0.0.0.0:8000", "app:app")


@pytest.mark.parametrize(
    "configured",
    ["\"gunicorn -b :9000 'app:make()'\"", '["gunicorn", "-b", ":9000", "app:make()"]'],
    ids=["string", "list"],
)
def test_tool_dockergen_command_beats_procfile(tmp_path: Path, configured: str) -> None:
    files = {
        "pyproject.toml": f"[tool.dockergen]\ncommand = {configured}\n",
        "requirements.txt": "gunicorn\n",
        **_procfile("gunicorn app:app"),
        "main.py": "",
    }
    spec = detect_project(make_tree(tmp_path, files))
    where = "pyproject.toml [tool.dockergen]"
    assert spec.command == Decided(
        ("gunicorn", "-b", ":9000", "app:make()"),
        where,
        where,
        (
            "Procfile:2 web: gunicorn app:app: your choice over the authors' production files",
            "main.py: python main.py: your choice over the project's entry points",
            "Procfile:3 worker: celery worker: celery is not among the dependencies",
        ),
    )
    assert spec.port == Decided(9000, where, "-b :9000 in the command")


@pytest.mark.parametrize(
    ("settings", "steps"),
    [
        ('STATIC_URL = "static/"\nSTATIC_ROOT = BASE_DIR / "static"\n', 1),
        ('STATIC_URL = "static/"\n# STATIC_ROOT = "x"\n', 0),
    ],
    ids=["static-root", "commented-out"],
)
def test_django_collectstatic_at_build_time(tmp_path: Path, settings: str, steps: int) -> None:
    files = {
        "requirements.txt": "django\ngunicorn\n",
        "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n",
        "site/settings.py": settings,
        "site/wsgi.py": "",
    }
    spec = detect_project(make_tree(tmp_path, files))
    assert [s.value for s in spec.build_steps] == [
        ("python", "manage.py", "collectstatic", "--noinput")
    ] * steps
