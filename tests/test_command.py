from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from dockergen.detect import detect_project
from dockergen.model import Decided, Overrides
from dockergen.project import ProjectDir
from dockergen.settings import resolve_settings
from dockergen.start_command import NO_COMMAND_WARNING, choose_command
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
GUNICORN_DJANGO = ("gunicorn", "--bind", "0.0.0.0:8000", "shop.wsgi:application")
DJANGO_DETAIL = "Django project, shop/wsgi.py served by gunicorn"
SHELL_WARNING = (
    "Procfile web line uses shell syntax, so CMD runs it with sh -c and sh, not the server, "
    "receives docker stop's SIGTERM; start the server with `exec`, or pass --command"
)


def _port_note(port: int, why: str) -> str:
    return (
        f"Procfile web line reads $PORT, which a container does not set; it serves {port} "
        f"instead ({why}); pass --command to choose another"
    )


def _loopback(source: str, server: str, fix: str = "--bind 0.0.0.0:PORT") -> str:
    return (
        f"{source}: {server} listens on 127.0.0.1 unless told otherwise, which nothing outside "
        f"the container can reach; add {fix} to the command"
    )


def _cannot_start(what: str, missing: str) -> str:
    return (
        f"{what} cannot be started without {missing}, so the Dockerfile has no CMD; add what is "
        "missing, or pass --command '...'"
    )


def _procfile(line: str) -> Files:
    return {"Procfile": f"release: ./manage.py migrate\nweb: {line}\nworker: celery worker\n"}


def _web(argv: tuple[str, ...], line: str, overridden: tuple[str, ...] = ()) -> Decided[Any]:
    return Decided(argv, "Procfile", f"Procfile web: {line}", overridden)


def _port(port: int, source: str, detail: str, overridden: tuple[str, ...] = ()) -> Decided[Any]:
    return Decided(port, source, detail, overridden)


# (files, expected command, expected port, expected warnings); nothing is installed.
CASES = [
    pytest.param(
        {**DJANGO, **_procfile("gunicorn --bind 0.0.0.0:5000 shop.wsgi")},
        _web(
            ("gunicorn", "--bind", "0.0.0.0:5000", "shop.wsgi"),
            "gunicorn --bind 0.0.0.0:5000 shop.wsgi",
            (f"{DJANGO_DETAIL} (manage.py)",),
        ),
        _port(5000, "Procfile", "--bind 0.0.0.0:5000 in the command"),
        [],
        id="procfile-plain-beats-django",
    ),
    pytest.param(
        _procfile("gunicorn -b 0.0.0.0:$PORT --workers 2 app:app"),
        _web(
            ("gunicorn", "-b", "0.0.0.0:8000", "--workers", "2", "app:app"),
            "gunicorn -b 0.0.0.0:$PORT --workers 2 app:app",
        ),
        _port(8000, "Procfile", "-b 0.0.0.0:8000 in the command"),
        [_port_note(8000, "gunicorn's default port")],
        id="procfile-port-gunicorn",
    ),
    pytest.param(
        _procfile("flask run --host=0.0.0.0 --port=${PORT}"),
        _web(
            ("flask", "run", "--host=0.0.0.0", "--port=5000"),
            "flask run --host=0.0.0.0 --port=${PORT}",
        ),
        _port(5000, "Procfile", "--port 5000 in the command"),
        [_port_note(5000, "flask's default port")],
        id="procfile-port-flask",
    ),
    pytest.param(
        _procfile("uvicorn main:app --host 0.0.0.0 --port ${PORT:-3000}"),
        _web(
            ("uvicorn", "main:app", "--host", "0.0.0.0", "--port", "3000"),
            "uvicorn main:app --host 0.0.0.0 --port ${PORT:-3000}",
        ),
        _port(3000, "Procfile", "--port 3000 in the command"),
        [_port_note(3000, "the fallback the line states")],
        id="procfile-port-fallback",
    ),
    pytest.param(
        _procfile("python server.py --port $PORT"),
        _web(("python", "server.py", "--port", "8000"), "python server.py --port $PORT"),
        _port(8000, "Procfile", "--port 8000 in the command"),
        [_port_note(8000, "no known server in the command, so 8000")],
        id="procfile-port-unknown-server",
    ),
    pytest.param(
        _procfile("flask db upgrade; flask translate compile; gunicorn microblog:app"),
        Decided(
            (
                "sh",
                "-c",
                "flask db upgrade; flask translate compile; "
                "gunicorn microblog:app --bind 0.0.0.0:8000",
            ),
            "Procfile",
            "Procfile web: flask db upgrade; flask translate compile; gunicorn microblog:app "
            "(--bind 0.0.0.0:8000 added: listen beyond the container)",
        ),
        _port(8000, "Procfile", "gunicorn's default port"),
        [SHELL_WARNING],
        id="procfile-shell-operators",
    ),
    pytest.param(
        _procfile("WEB_CONCURRENCY=2 gunicorn --bind 0.0.0.0:8000 app:app"),
        _web(
            ("sh", "-c", "WEB_CONCURRENCY=2 gunicorn --bind 0.0.0.0:8000 app:app"),
            "WEB_CONCURRENCY=2 gunicorn --bind 0.0.0.0:8000 app:app",
        ),
        _port(8000, "Procfile", "--bind 0.0.0.0:8000 in the command"),
        [SHELL_WARNING],
        id="procfile-env-assignment",
    ),
    pytest.param(
        _procfile("gunicorn 'app:create_app()' --bind 0.0.0.0:8000"),
        _web(
            ("gunicorn", "app:create_app()", "--bind", "0.0.0.0:8000"),
            "gunicorn 'app:create_app()' --bind 0.0.0.0:8000",
        ),
        _port(8000, "Procfile", "--bind 0.0.0.0:8000 in the command"),
        [],
        id="procfile-single-quotes-are-safe",
    ),
    pytest.param(
        _procfile("exec uvicorn main:app --host 0.0.0.0"),
        _web(("uvicorn", "main:app", "--host", "0.0.0.0"), "exec uvicorn main:app --host 0.0.0.0"),
        _port(8000, "Procfile", "uvicorn's default port"),
        [],
        id="procfile-exec-dropped",
    ),
    pytest.param(
        {**_procfile("gunicorn shop.wsgi"), "gunicorn.conf.py": "bind = '0.0.0.0:8000'\n"},
        _web(("gunicorn", "shop.wsgi"), "gunicorn shop.wsgi"),
        _port(8000, "Procfile", "gunicorn's default port"),
        [],
        id="procfile-gunicorn-conf-binds",
    ),
    pytest.param(
        {"Procfile": "worker: celery -A shop worker\n", "main.py": ""},
        Decided(("python", "main.py"), "main.py", "python main.py"),
        None,
        [],
        id="procfile-without-web",
    ),
    pytest.param(
        {**DJANGO, "main.py": ""},
        Decided(GUNICORN_DJANGO, "manage.py", DJANGO_DETAIL, ("python main.py (main.py)",)),
        _port(8000, "manage.py", "--bind 0.0.0.0:8000 in the command"),
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
            ("gunicorn", "--bind", "0.0.0.0:8000", "config.wsgi:application"),
            "manage.py",
            "Django project, config/wsgi.py served by gunicorn",
        ),
        _port(8000, "manage.py", "--bind 0.0.0.0:8000 in the command"),
        [],
        id="django-settings-package-pipfile",
    ),
    pytest.param(
        {**DJANGO, "requirements.txt": "django\n", "main.py": ""},
        Decided(
            ("python", "manage.py", "runserver", "0.0.0.0:8000"),
            "manage.py",
            "Django project, Django's development server",
            ("python main.py (main.py)",),
        ),
        _port(8000, "manage.py", "0.0.0.0:8000 in the command"),
        [
            "manage.py: neither gunicorn nor an ASGI server is a dependency, so Django's "
            "development server runs it; add gunicorn for production"
        ],
        id="django-without-gunicorn",
    ),
    pytest.param(
        {**DJANGO, "manage.py": "import django\n"},
        None,
        None,
        [
            _cannot_start(
                "the Django project (manage.py)",
                "a wsgi.py next to the settings module named in manage.py",
            )
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
        [NO_COMMAND_WARNING],
        id="manage-py-without-django",
    ),
    pytest.param(
        {
            "app/__init__.py": "",
            "app/main.py": FASTAPI_MAIN,
            "requirements.txt": "fastapi[standard]==0.115.0\n",
        },
        Decided(
            ("uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"),
            "app/main.py",
            "FastAPI app app.main:app, served by uvicorn",
        ),
        _port(8000, "app/main.py", "--port 8000 in the command"),
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
            ("uvicorn", "main:application", "--host", "0.0.0.0", "--port", "8000"),
            "main.py",
            "Starlette app main:application, served by uvicorn",
            ("python main.py (main.py)",),
        ),
        _port(8000, "main.py", "--port 8000 in the command"),
        [],
        id="starlette-annotated",
    ),
    pytest.param(
        {"main.py": FASTAPI_MAIN, "requirements.txt": "fastapi\n"},
        None,
        None,
        [
            _cannot_start(
                "the FastAPI app in main.py",
                "an ASGI server (uvicorn, hypercorn, granian) among the dependencies",
            )
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
            ("uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"),
            "main.py",
            "FastAPI app main:app, served by uvicorn",
            (
                "Flask app app:app, served by gunicorn (app.py)",
                "python main.py (main.py)",
                "python app.py (app.py)",
            ),
        ),
        _port(8000, "main.py", "--port 8000 in the command"),
        [],
        id="fastapi-beats-flask",
    ),
    pytest.param(
        {"services/api/server/main.py": FASTAPI_MAIN, "requirements.txt": "fastapi\nuvicorn\n"},
        None,
        None,
        [NO_COMMAND_WARNING],
        id="bounded-deep-app-not-found",
    ),
    pytest.param(
        {"app.py": FLASK_APP, "requirements.txt": "Flask==3.1\ngunicorn\n"},
        Decided(
            ("gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
            "app.py",
            "Flask app app:app, served by gunicorn",
            ("python app.py (app.py)",),
        ),
        _port(8000, "app.py", "--bind 0.0.0.0:8000 in the command"),
        [],
        id="flask-gunicorn",
    ),
    pytest.param(
        {
            "wsgi.py": "import flask\n\napplication = flask.Flask(__name__)\n",
            "requirements.txt": "flask\n",
        },
        Decided(
            ("flask", "run", "--host", "0.0.0.0", "--port", "5000"),
            "wsgi.py",
            "Flask app wsgi:application, Flask's own server",
        ),
        _port(5000, "wsgi.py", "--port 5000 in the command"),
        [
            "wsgi.py defines a Flask app and gunicorn is not a dependency, so Flask's "
            "development server runs it; add gunicorn for production"
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
            ("flask", "run", "--host", "0.0.0.0", "--port", "5000"),
            "shop/__init__.py",
            "Flask app shop:app, Flask's own server",
        ),
        _port(5000, "shop/__init__.py", "--port 5000 in the command"),
        [
            "shop/__init__.py defines a Flask app and gunicorn is not a dependency, so Flask's "
            "development server runs it; add gunicorn for production"
        ],
        id="flask-in-package-optional-gunicorn",
    ),
    pytest.param(
        {
            "app.py": "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n",
            "requirements.txt": "flask\ngunicorn\n",
        },
        Decided(
            ("gunicorn", "--bind", "0.0.0.0:8000", "app:create_app()"),
            "app.py",
            "Flask app app:create_app(), served by gunicorn",
            ("python app.py (app.py)",),
        ),
        _port(8000, "app.py", "--bind 0.0.0.0:8000 in the command"),
        [],
        id="flask-factory",
    ),
    pytest.param({"requirements.txt": "six\n"}, None, None, [NO_COMMAND_WARNING], id="nothing"),
]


def _choose(
    root: Path,
    *,
    override: tuple[str, ...] | None = None,
    port: int | None = None,
    installs_project: bool = False,
) -> tuple[Decided[Any] | None, Decided[Any] | None, list[str]]:
    settings = resolve_settings(root, Overrides(command=override, port=port))
    start = choose_command(ProjectDir(root), settings, installs_project=installs_project)
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
        "FastAPI app shop_api.main:app, served by uvicorn",
        (
            "[project.scripts] shop (pyproject.toml)",
            "python -m shop_api (src/shop_api/__main__.py)",
        ),
    )
    assert port == Decided(8000, "src/shop_api/main.py", "--port 8000 in the command")
    assert warnings == []


def test_src_layout_app_needs_the_project_installed(tmp_path: Path) -> None:
    assert _choose(make_tree(tmp_path, PACKAGED)) == (None, None, [NO_COMMAND_WARNING])


def test_single_script_then_main_module_then_main_py(tmp_path: Path) -> None:
    files = {**PACKAGED, "src/shop_api/main.py": "", "main.py": ""}
    command, port, _ = _choose(make_tree(tmp_path, files), installs_project=True)
    assert command == Decided(
        ("shop",),
        "pyproject.toml",
        "[project.scripts] shop",
        ("python -m shop_api (src/shop_api/__main__.py)", "python main.py (main.py)"),
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
        ("Procfile web: gunicorn shop.wsgi (Procfile)", f"{DJANGO_DETAIL} (manage.py)"),
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
        ("Procfile web: gunicorn app:app (Procfile)", "python main.py (main.py)"),
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
