"""The start command, read where the authors wrote it and from the code: one case per class of
project the unseen-apps trial found (benchmarks/trials/FIRST-RUN.md), none named after an app."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dockergen.detect import detect_project
from dockergen.project import ProjectDir
from dockergen.start import dockerfile as df
from dockergen.start.scan import MAX_ENTRIES, MAX_FILES, python_files
from tests.helpers import make_tree

Files = dict[str, str]
FASTAPI = "from fastapi import FastAPI\n\napp = FastAPI()\n"
FLASK = "from flask import Flask\n\napp = Flask(__name__)\n"


def _start(
    tmp_path: Path, files: Files
) -> tuple[tuple[str, ...] | None, int | None, dict[str, str]]:
    spec = detect_project(make_tree(tmp_path, files), allow_stale_lock=True)
    env = dict(e.value for e in spec.environment)
    return (
        spec.command.value if spec.command else None,
        spec.port.value if spec.port else None,
        env,
    )


# (files, command, port, environment the image sets); each case is one class of project.
CASES = [
    # ---- the authors' production files -----------------------------------------------------
    pytest.param(
        {
            "requirements.txt": "gunicorn\nflask\n",
            "app.py": FLASK,
            "Dockerfile": "FROM python:3.12\nWORKDIR /code\nCOPY . .\nEXPOSE 5000\n"
            'CMD ["gunicorn", "-b", "0.0.0.0:5000", "app:app"]\n',
        },
        ("gunicorn", "-b", "0.0.0.0:5000", "app:app"),
        5000,
        {},
        id="dockerfile-cmd-exec-form",
    ),
    pytest.param(
        {
            "requirements.txt": "uvicorn\nfastapi\n",
            "main.py": FASTAPI,
            "Dockerfile": "FROM python:3.12 AS build\nCMD ignored\nFROM python:3.12\n"
            "ENV APP_MODE=prod PYTHONUNBUFFERED=1\nCMD uvicorn main:app --host 0.0.0.0 \\\n"
            "    --port 7000\n",
        },
        ("uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7000"),
        7000,
        {"APP_MODE": "prod"},
        id="dockerfile-final-stage-shell-form-continued-env",
    ),
    pytest.param(
        {
            "requirements.txt": "requests\n",
            "serve.py": "if __name__ == '__main__':\n    main()\n",
            "entry.sh": '#!/bin/sh\nchown -R app /data\nexec gosu app "$@"\n',
            "Dockerfile": "FROM python:3.12\nWORKDIR /srv\nCOPY . /srv\nVOLUME /data\n"
            'ENTRYPOINT ["./entry.sh"]\nCMD ["python", "serve.py", "--data", "/data"]\n'
            "EXPOSE 8181\n",
        },
        ("python", "serve.py", "--data", "/data"),
        8181,
        {},
        id="dockerfile-root-entrypoint-dropped-cmd-kept",
    ),
    pytest.param(
        {
            "requirements.txt": "gunicorn\n",
            "docker/start.sh": "#!/bin/sh\nexec gunicorn -b 0.0.0.0:8000 app:app\n",
            "app.py": FLASK,
            "docker/Dockerfile": "FROM python:3.12\nCOPY docker/start.sh /start.sh\n"
            'CMD ["/start.sh"]\n',
        },
        ("/app/docker/start.sh",),
        None,
        {},
        id="dockerfile-in-docker-folder-copied-script-mapped",
    ),
    pytest.param(
        {
            "requirements.txt": "gunicorn\nflask\n",
            "app.py": FLASK,
            "compose.yaml": "services:\n  db:\n    image: postgres\n  web:\n    build: .\n"
            "    command: gunicorn app:app --bind 0.0.0.0:9000\n    ports:\n      - '9000:9000'\n",
        },
        ("gunicorn", "app:app", "--bind", "0.0.0.0:9000"),
        9000,
        {},
        id="compose-service-built-here",
    ),
    pytest.param(
        {
            "requirements.txt": "uvicorn\nfastapi\n",
            "main.py": FASTAPI,
            "render.yaml": "services:\n  - type: web\n    name: api\n"
            "    startCommand: uvicorn main:app --host 0.0.0.0 --port $PORT\n",
        },
        ("uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"),
        8000,
        {"PORT": "8000"},
        id="render-start-command-reads-port",
    ),
    pytest.param(
        {
            "requirements.txt": "hypercorn\nfastapi\n",
            "main.py": FASTAPI,
            "railway.json": '{"deploy": {"startCommand": "hypercorn main:app --bind 0.0.0.0:$PORT"}}',
        },
        ("hypercorn", "main:app", "--bind", "0.0.0.0:8000"),
        8000,
        {"PORT": "8000"},
        id="railway-json",
    ),
    pytest.param(
        {
            "requirements.txt": "gunicorn\nflask\n",
            "main.py": FLASK,
            "app.yaml": "runtime: python312\nentrypoint: gunicorn -b :$PORT main:app\n",
        },
        ("gunicorn", "-b", ":8080", "main:app"),
        8080,
        {"PORT": "8080"},
        id="app-engine-entrypoint",
    ),
    pytest.param(
        {
            "requirements.txt": "gunicorn\nflask\n",
            "app.py": FLASK,
            "fly.toml": '[http_service]\ninternal_port = 8080\n[processes]\napp = "gunicorn app:app"\n',
        },
        ("gunicorn", "app:app", "--bind", "0.0.0.0:8080"),
        8080,
        {"PORT": "8080"},
        id="fly-processes-internal-port",
    ),
    pytest.param(
        {
            "requirements.txt": "gunicorn\nflask\n",
            "app.py": FLASK,
            "nixpacks.toml": '[start]\ncmd = "gunicorn app:app --workers 2"\n',
        },
        ("gunicorn", "app:app", "--workers", "2", "--bind", "0.0.0.0:8000"),
        8000,
        {"PORT": "8000"},
        id="nixpacks-start",
    ),
    pytest.param(
        {
            "requirements.txt": "gunicorn\nflask\n",
            "app.py": FLASK,
            "supervisord.conf": "[program:nginx]\ncommand=nginx -g 'daemon off;'\n"
            "[program:web]\ncommand=gunicorn --bind 0.0.0.0:8000 app:app\n",
        },
        ("gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
        8000,
        {},
        id="supervisord-program",
    ),
    pytest.param(
        {
            "requirements.txt": "gunicorn\nflask\n",
            "app.py": FLASK,
            "gunicorn.conf.py": "wsgi_app = 'app:app'\nbind = '0.0.0.0:8000'\n",
        },
        ("gunicorn", "--config", "gunicorn.conf.py"),
        8000,
        {},
        id="gunicorn-conf-wsgi-app",
    ),
    pytest.param(
        {
            "requirements.txt": "gunicorn\nflask\n",
            "app.py": FLASK,
            "Procfile": "web: poetry run gunicorn app:app --bind 0.0.0.0:5000\n",
        },
        ("gunicorn", "app:app", "--bind", "0.0.0.0:5000"),
        5000,
        {"PORT": "5000"},
        id="procfile-tool-runner-removed",
    ),
    pytest.param(
        {
            "requirements.txt": "gunicorn\nflask\n",
            "app.py": FLASK,
            "Procfile": "web: .venv/bin/gunicorn app:app -b 0.0.0.0:5000\n",
        },
        ("gunicorn", "app:app", "-b", "0.0.0.0:5000"),
        5000,
        {"PORT": "5000"},
        id="procfile-venv-path-removed",
    ),
    # ---- shortcuts: task runners and Makefiles; development forms made production -----------
    pytest.param(
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi", "uvicorn"]\n'
            '[tool.poe.tasks]\ntest = "pytest"\nserve = "uvicorn x.api:app --reload --port 7001"\n',
            "x/__init__.py": "",
            "x/api.py": FASTAPI,
        },
        ("uvicorn", "x.api:app", "--port", "7001", "--host", "0.0.0.0"),
        7001,
        {},
        id="poe-task-reload-dropped",
    ),
    pytest.param(
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi[standard]"]\n'
            '[tool.pdm.scripts]\ndev = {cmd = "fastapi dev main.py"}\n',
            "main.py": FASTAPI,
        },
        ("fastapi", "run", "main.py"),
        8000,
        {},
        id="pdm-script-fastapi-dev-becomes-run",
    ),
    pytest.param(
        {
            "requirements.txt": "uvicorn\nfastapi\n",
            "main.py": FASTAPI,
            "Makefile": "PY = .venv/bin/python\n\nrun:\n\t@$(PY) -m uvicorn main:app --port 8080\n",
        },
        ("python", "-m", "uvicorn", "main:app", "--port", "8080", "--host", "0.0.0.0"),
        8080,
        {},
        id="makefile-run-target-variables-expanded",
    ),
    pytest.param(
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["django", "gunicorn"]\n'
            '[tool.taskipy.tasks]\nstart = "python manage.py runserver"\n',
            "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n",
            "site1/__init__.py": "",
            "site1/settings.py": "WSGI_APPLICATION = 'site1.wsgi.application'\n",
            "site1/wsgi.py": "application = get_wsgi_application()\n",
        },
        ("gunicorn", "--bind", "0.0.0.0:8000", "site1.wsgi:application"),
        8000,
        {},
        id="runserver-shortcut-loses-to-gunicorn",
    ),
    pytest.param(
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["pytest"]\n'
            '[tool.hatch.envs.hatch-test.scripts]\nrun = "pytest {args}"\n',
            "main.py": "print('hi')\n",
        },
        ("python", "main.py"),
        None,
        {},
        id="test-shortcut-is-no-way-to-start",
    ),
    # ---- the code, wherever it is -------------------------------------------------------------
    pytest.param(
        {"requirements.txt": "fastapi\nuvicorn\n", "svc/__init__.py": "", "svc/main.py": FASTAPI},
        ("uvicorn", "svc.main:app", "--host", "0.0.0.0", "--port", "8000"),
        8000,
        {},
        id="fastapi-in-a-package-of-any-name",
    ),
    pytest.param(
        {
            "requirements.txt": "fastapi\nuvicorn\n",
            "backend/routes.py": "ROUTES = []\n",
            "backend/server.py": "import routes\nfrom fastapi import FastAPI as F\n\napi = F()\n",
        },
        ("uvicorn", "server:api", "--host", "0.0.0.0", "--port", "8000", "--app-dir", "backend"),
        8000,
        {},
        id="app-that-imports-its-siblings-runs-from-its-folder",
    ),
    pytest.param(
        {
            "requirements.txt": "flask\ngunicorn\n",
            "blog/__init__.py": "from flask import Flask\n\n\ndef make_app(config=None):\n"
            "    application = Flask(__name__)\n    return application\n",
        },
        ("gunicorn", "--bind", "0.0.0.0:8000", "blog:make_app()"),
        8000,
        {},
        id="flask-factory-in-any-package",
    ),
    pytest.param(
        {
            "requirements.txt": "litestar\nuvicorn\n",
            "app.py": "from litestar import Litestar\n\napp = Litestar(route_handlers=[])\n",
        },
        ("uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"),
        8000,
        {},
        id="litestar",
    ),
    pytest.param(
        {"requirements.txt": "streamlit\n", "Home.py": "import streamlit as st\n\nst.title('x')\n"},
        (
            *("streamlit", "run", "Home.py", "--server.port", "8501"),
            *("--server.address", "0.0.0.0", "--server.headless", "true"),
        ),
        8501,
        {},
        id="streamlit-script",
    ),
    pytest.param(
        {
            "requirements.txt": "gradio\n",
            "run.py": "import gradio as gr\n\ndemo = gr.Interface(fn=str, inputs='text', "
            "outputs='text')\n\nif __name__ == '__main__':\n    demo.launch()\n",
        },
        ("python", "run.py"),
        7860,
        {"GRADIO_SERVER_NAME": "0.0.0.0", "GRADIO_SERVER_PORT": "7860"},
        id="gradio-launch",
    ),
    pytest.param(
        {
            "requirements.txt": "aiohttp\n",
            "server.py": "import os\nfrom aiohttp import web\n\n\ndef main():\n"
            "    web.run_app(make(), host=os.environ.get('HOST', '127.0.0.1'),\n"
            "                port=int(os.getenv('PORT', 8081)))\n\n\n"
            "if __name__ == '__main__':\n    main()\n",
        },
        ("python", "server.py"),
        8081,
        {"HOST": "0.0.0.0", "PORT": "8081"},
        id="script-server-host-and-port-from-environment",
    ),
    pytest.param(
        {
            "requirements.txt": "celery\n",
            "tasks.py": "from celery import Celery\n\napp = Celery('t')\n",
        },
        ("celery", "-A", "tasks:app", "worker", "--loglevel", "INFO"),
        None,
        {},
        id="celery-worker",
    ),
    pytest.param(
        {
            "requirements.txt": "django\ngunicorn\n",
            "manage.py": "import os, sys\nsys.path.insert(0, 'src')\n"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'conf.settings')\n",
            "src/conf/__init__.py": "",
            "src/conf/settings.py": "WSGI_APPLICATION = 'conf.wsgi.application'\n",
            "src/conf/wsgi.py": "",
        },
        ("gunicorn", "--chdir", "src", "--bind", "0.0.0.0:8000", "conf.wsgi:application"),
        8000,
        {},
        id="django-manage-py-puts-src-on-the-path",
    ),
    pytest.param(
        {
            "requirements.txt": "flask\n",
            "app.py": FLASK + "\nif __name__ == '__main__':\n    app.run()\n",
        },
        ("flask", "run", "--host", "0.0.0.0", "--port", "5000"),
        5000,
        {"FLASK_APP": "app:app", "FLASK_DEBUG": "0"},
        id="flask-dev-server-in-production-mode-over-app-run",
    ),
    # ---- commands that cannot run in the image lose -------------------------------------------
    pytest.param(
        {
            "requirements.txt": "flask\nwaitress\n",
            "app.py": FLASK,
            "Procfile": "web: gunicorn app:app\n",
        },
        ("waitress-serve", "--listen", "*:8080", "app:app"),
        8080,
        {},
        id="server-that-is-not-a-dependency-loses",
    ),
    pytest.param(
        {
            "requirements.txt": "flask\ngunicorn\n",
            "app.py": FLASK,
            "Procfile": "web: ./bin/boot.sh\n",
        },
        ("gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
        8000,
        {},
        id="script-that-is-not-in-the-project-loses",
    ),
]


@pytest.mark.parametrize(("files", "command", "port", "environment"), CASES)
def test_start_command(
    tmp_path: Path,
    files: Files,
    command: tuple[str, ...],
    port: int | None,
    environment: dict[str, str],
) -> None:
    got_command, got_port, got_env = _start(tmp_path, files)
    assert (got_command, got_port) == (command, port)
    assert {k: got_env[k] for k in environment if k in got_env} == environment


def test_the_losers_are_listed_with_file_and_line(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "gunicorn\nflask\n",
        "app.py": FLASK,
        "Procfile": "release: flask db upgrade\nweb: gunicorn app:app --bind 0.0.0.0:5000\n",
        "Dockerfile": 'FROM python:3.12\nCMD ["flask", "run"]\n',
    }
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.command is not None
    assert spec.command.detail == "Procfile:2 web: gunicorn app:app --bind 0.0.0.0:5000"
    assert spec.command.overridden == (
        "app.py:3 Flask app app:app, served by gunicorn: gunicorn --bind 0.0.0.0:8000 app:app: "
        "the authors' production files over what the code shows",
        "Dockerfile:2 CMD: flask run: flask is a development server, and app.py:3 can be served "
        "in production (gunicorn --bind 0.0.0.0:8000 app:app)",
    )


def test_a_dockerfile_dockergen_wrote_is_no_evidence(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "gunicorn\nflask\n",
        "app.py": FLASK,
        "Dockerfile": "# syntax=docker/dockerfile:1\n# Generated by dockergen from x.\n"
        'FROM python:3.12\nCMD ["gunicorn", "old:app"]\n',
    }
    command, _, _ = _start(tmp_path, files)
    assert command == ("gunicorn", "--bind", "0.0.0.0:8000", "app:app")


def test_nothing_usable_says_why_each_source_lost(tmp_path: Path) -> None:
    files = {"requirements.txt": "flask\n", "Procfile": "web: gunicorn app:app\n"}
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.command is None
    assert any("no start command found" in w for w in spec.warnings)


def test_a_data_folder_the_command_names_is_the_apps(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "requests\n",
        "serve.py": "if __name__ == '__main__':\n    main()\n",
        "Dockerfile": 'FROM python:3.12\nCMD ["python", "serve.py", "-d", "/datastore"]\n',
    }
    spec = detect_project(make_tree(tmp_path, files))
    assert [str(w.value) for w in spec.writable] == ["/datastore"]


# ---- the Dockerfile reader ------------------------------------------------------------------


def test_dockerfile_reader_joins_lines_and_keeps_stages() -> None:
    text = textwrap.dedent(
        """\
        # escape=`
        ARG V=3
        FROM python:3.12 AS build
        RUN pip install `
            x
        FROM python:3.12-slim
        # a comment
        ENV A=1 B="two words"
        ENV OLD style value
        WORKDIR /srv
        WORKDIR app
        COPY --chown=1:1 a.sh b.sh /opt/
        COPY --from=build /x /y
        EXPOSE 8000/tcp 53/udp ${PORT}
        VOLUME ["/data", "/cache"]
        ENTRYPOINT ["/opt/a.sh"]
        CMD python serve.py
        """
    )
    stages = df.stages(text)
    assert [(s.base, s.name) for s in stages] == [
        ("python:3.12", "build"),
        ("python:3.12-slim", ""),
    ]
    final = stages[-1]
    assert df.environment(final) == {"A": "1", "B": "two words", "OLD": "style value"}
    assert df.workdir(final) == "/srv/app"
    assert df.copies(final) == [(("a.sh", "b.sh"), "/opt/")]
    assert df.exposed(final) == (8000,)
    assert df.volumes(final) == ("/data", "/cache")
    entry, cmd = final.last("ENTRYPOINT"), final.last("CMD")
    assert entry is not None and cmd is not None
    assert df.argv(entry) == ("/opt/a.sh",)
    assert df.argv(cmd) == ("sh", "-c", "python serve.py")
    assert stages[0].all("RUN")[0].text == "pip install x"


# ---- the walk is bounded ----------------------------------------------------------------------


def test_the_walk_lists_a_bounded_number_of_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in range(30):
        target = tmp_path / "pkg" / f"d{folder:02}"
        target.mkdir(parents=True)
        for file in range(1000):
            (target / f"m{file}.py").touch()
    listed: list[int] = []
    original = ProjectDir.names

    def counting(self: ProjectDir, name: str) -> tuple[str, ...]:
        found = original(self, name)
        listed.append(len(found))
        return found

    monkeypatch.setattr(ProjectDir, "names", counting)
    found = python_files(ProjectDir(tmp_path))
    assert len(found) == MAX_FILES
    assert sum(listed) <= MAX_ENTRIES + 1000  # one folder past the bound at most


def test_the_walk_skips_environments_tests_and_hidden_folders(tmp_path: Path) -> None:
    for name in (".venv/lib/app.py", "node_modules/x/app.py", "tests/app.py", "app/main.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(FASTAPI)
    assert python_files(ProjectDir(tmp_path)) == ("app/main.py",)


def test_several_locks_the_authors_dockerfile_installs_with_one(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = []\n',
        "poetry.lock": "# This file is automatically @generated by Poetry 2.2.1\n",
        "uv.lock": 'version = 1\nrequires-python = ">=3.12"\n',
        "Dockerfile": "FROM python:3.12\nRUN pip install uv\nCOPY . .\nRUN uv sync --locked\n",
    }
    spec = detect_project(make_tree(tmp_path, files), allow_stale_lock=True)
    assert (spec.installer.value, spec.installer.source, spec.installer.detail) == (
        "uv",
        "uv.lock",
        "Dockerfile:4 installs with uv",
    )
    assert spec.installer.overridden == ("poetry.lock (poetry)",)


def test_several_locks_and_nothing_to_tell_them_apart_is_an_error(tmp_path: Path) -> None:
    from dockergen.errors import ConflictingLockfilesError

    files = {
        "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = []\n',
        "poetry.lock": "# This file is automatically @generated by Poetry 2.2.1\n",
        "uv.lock": 'version = 1\nrequires-python = ">=3.12"\n',
    }
    with pytest.raises(ConflictingLockfilesError):
        detect_project(make_tree(tmp_path, files), allow_stale_lock=True)


def test_an_app_in_a_folder_of_its_own_is_named_with_the_command_that_builds_it(
    tmp_path: Path,
) -> None:
    from dockergen.errors import NoManifestError

    files = {
        "pyproject.toml": "[tool.ruff]\nline-length = 100\n",
        "src/requirements.txt": "flask\n",
        "src/app.py": FLASK,
        "docs/index.md": "",
        "compose.yaml": "services:\n  web:\n    build: ./src\n",
    }
    with pytest.raises(NoManifestError) as raised:
        detect_project(make_tree(tmp_path, files))
    assert str(raised.value).endswith(
        "src/ has requirements.txt (compose.yaml service web builds from ./src): run "
        "`dockergen init src` to build the app from there, or pass --installer to build from here"
    )


DJANGO_PROJECT: Files = {
    "requirements.txt": "django\ngunicorn\n",
    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n",
    "site1/__init__.py": "",
    "site1/wsgi.py": "",
}


@pytest.mark.parametrize(
    ("debug", "environment", "warned"),
    [
        pytest.param('os.getenv("DEBUG", "False") == "True"', {"DEBUG": "False"}, False, id="eq"),
        pytest.param(
            'bool(int(os.environ.get("DJ_DEBUG", 1)))', {"DJ_DEBUG": "0"}, False, id="int"
        ),
        pytest.param('bool(os.environ.get("DEBUG_ON"))', {"DEBUG_ON": ""}, False, id="truthy"),
        pytest.param(
            'env.bool("DJANGO_DEBUG", default=True)', {"DJANGO_DEBUG": "False"}, False, id="environ"
        ),
        pytest.param("True", {}, True, id="hard-coded"),
        pytest.param("False", {}, False, id="off"),
    ],
)
def test_django_runs_in_production_mode(
    tmp_path: Path, debug: str, environment: dict[str, str], warned: bool
) -> None:
    files = {**DJANGO_PROJECT, "site1/settings.py": f"import os\nDEBUG = {debug}\n"}
    spec = detect_project(make_tree(tmp_path, files))
    env = {e.value[0]: e.value[1] for e in spec.environment}
    assert {k: v for k, v in env.items() if "DEBUG" in k} == environment
    assert any("DEBUG = True" in w for w in spec.warnings) == warned


def test_django_debug_in_split_settings_is_found(tmp_path: Path) -> None:
    files = {
        **DJANGO_PROJECT,
        "site1/settings/__init__.py": "from .base import *\n",
        "site1/settings/base.py": "import os\nDEBUG = os.environ.get('DEBUG', '0') == '1'\n",
    }
    spec = detect_project(make_tree(tmp_path, files))
    assert [e.value for e in spec.environment] == [("DEBUG", "False")]


def test_collectstatic_in_the_start_line_runs_at_build_time_instead(tmp_path: Path) -> None:
    files = {
        **DJANGO_PROJECT,
        "site1/settings.py": "STATIC_ROOT = BASE_DIR / 'staticfiles'\n",
        "Procfile": "web: python manage.py migrate && python manage.py collectstatic "
        "--no-input && gunicorn site1.wsgi\n",
    }
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.command is not None
    assert spec.command.value == (
        "sh", "-c", "python manage.py migrate && gunicorn site1.wsgi --bind 0.0.0.0:8000"
    )  # fmt: skip
    assert [s.value[2] for s in spec.build_steps] == ["collectstatic"]
