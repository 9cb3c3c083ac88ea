"""Each reader of the start command on the shapes real files take: the authors' Dockerfile,
compose and platform files, task runners, the code scan, the server table. Table cases, one
per shape, each asserting the command (and port) that comes out."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockergen.detect import detect_project
from dockergen.project import ProjectDir
from dockergen.start import authored, tasks
from dockergen.start.candidate import without_runner
from dockergen.start.code import find_apps
from dockergen.start.servers import (
    command_port,
    listening_everywhere,
    loopback_warning,
    server_of,
    without_dev_flags,
)
from dockergen.start.shell import argv_of, exec_form
from tests.helpers import make_tree

Files = dict[str, str]
FLASK = "from flask import Flask\n\napp = Flask(__name__)\n"
FASTAPI = "from fastapi import FastAPI\n\napp = FastAPI()\n"
GUNICORN = {"requirements.txt": "gunicorn\nflask\nuvicorn\nfastapi\n"}


def _command(tmp_path: Path, files: Files) -> tuple[tuple[str, ...] | None, int | None]:
    spec = detect_project(make_tree(tmp_path, files), allow_stale_lock=True)
    return (spec.command.value if spec.command else None, spec.port.value if spec.port else None)


SHAPES = [
    # ---- compose ------------------------------------------------------------------------
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "docker-compose.yml": "services:\n  web:\n    build:\n"
            "      context: .\n    command: ['gunicorn', 'app:app', '-b', '0.0.0.0:7000']\n"
            "    ports:\n      - '127.0.0.1:7000:7000/tcp'\n",
        },
        ("gunicorn", "app:app", "-b", "0.0.0.0:7000"),
        7000,
        id="compose-list-and-long-port",
    ),
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "compose.yml": "services:\n  api:\n    build: .\n"
            "    ports:\n      - target: 9100\n        published: 80\n",
            "Procfile": "web: gunicorn app:app\n",
        },
        ("gunicorn", "app:app", "--bind", "0.0.0.0:9100"),
        9100,
        id="compose-port-only-is-a-hint",
    ),
    pytest.param(
        {**GUNICORN, "app.py": FLASK, "compose.yaml": "services: [not, a, table]\n"},
        ("gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
        8000,
        id="compose-malformed-ignored",
    ),
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "compose.yaml": "services:\n  web:\n    build: ./other\n"
            "    command: gunicorn other:app\n",
        },
        ("gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
        8000,
        id="compose-other-context",
    ),
    pytest.param(
        {**GUNICORN, "app.py": FLASK, "compose.yaml": "services:\n  web: {build: .\n"},
        ("gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
        8000,
        id="compose-not-yaml",
    ),
    # ---- platform files ---------------------------------------------------------------------
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "fly.toml": "[[services]]\ninternal_port = 8081\n",
            "Dockerfile": 'FROM python:3.12\nCMD ["gunicorn", "app:app"]\n',
        },
        ("gunicorn", "app:app", "--bind", "0.0.0.0:8081"),
        8081,
        id="fly-port-for-the-dockerfile-cmd",
    ),
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "railway.toml": '[deploy]\nstartCommand = "gunicorn app:app -b 0.0.0.0:5001"\n',
        },
        ("gunicorn", "app:app", "-b", "0.0.0.0:5001"),
        5001,
        id="railway-toml",
    ),
    pytest.param(
        {**GUNICORN, "app.py": FLASK, "railway.json": "{not json"},
        ("gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
        8000,
        id="railway-json-broken",
    ),
    pytest.param(
        {**GUNICORN, "app.py": FLASK, "app.yaml": "runtime: nodejs20\nentrypoint: node app.js\n"},
        ("gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
        8000,
        id="app-yaml-of-another-runtime",
    ),
    pytest.param(
        {**GUNICORN, "app.py": FLASK, "render.yaml": "services:\n  - type: web\n    name: x\n"},
        ("gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
        8000,
        id="render-without-start",
    ),
    # ---- the authors' Dockerfile ------------------------------------------------------------
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "Dockerfile": "FROM python:3.12\nWORKDIR /srv/app\n"
            "COPY . .\nENTRYPOINT gunicorn app:app --bind 0.0.0.0:8500\nCMD ['ignored']\n",
        },
        ("gunicorn", "app:app", "--bind", "0.0.0.0:8500"),
        8500,
        id="dockerfile-shell-entrypoint",
    ),
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "run.sh": "exec gunicorn app:app\n",
            "Dockerfile": "FROM python:3.12\nWORKDIR /srv\nCOPY . /srv/\n"
            'CMD ["sh", "-c", "/srv/run.sh --x $HOME"]\n',
        },
        ("sh", "-c", "/app/run.sh --x $HOME"),
        None,
        id="dockerfile-sh-line-paths-mapped",
    ),
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "bin/a.sh": "",
            "bin/b.sh": "exec gunicorn app:app\n",
            "Dockerfile": 'FROM python:3.12\nCOPY bin/a.sh bin/b.sh /opt/\nCMD ["/opt/b.sh"]\n',
        },
        ("/app/bin/b.sh",),
        None,
        id="dockerfile-copy-of-several-files",
    ),
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "dev.Dockerfile": 'FROM python:3.12\nCMD ["flask", "run"]\n',
            "docker/prod.Dockerfile": 'FROM python:3.12\nCMD ["gunicorn", "-b", ":8000", "app:app"]\n',
        },
        ("gunicorn", "-b", ":8000", "app:app"),
        8000,
        id="production-dockerfile-first",
    ),
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "Dockerfile": 'FROM python:3.12\nCMD ["/usr/local/bin/start.py"]\n',
        },
        ("gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
        8000,
        id="dockerfile-script-not-in-project",
    ),
    # ---- task runners -------------------------------------------------------------------------
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "pyproject.toml": '[tool.poe.tasks.serve]\nshell = "gunicorn app:app -b 0.0.0.0:6001"\n',
        },
        ("gunicorn", "app:app", "-b", "0.0.0.0:6001"),
        6001,
        id="poe-shell-task",
    ),
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "pyproject.toml": '[tool.rye.scripts]\nserve = {cmd = ["gunicorn", "app:app", "-b", ":6002"]}\n',
        },
        ("gunicorn", "app:app", "-b", ":6002"),
        6002,
        id="rye-cmd-list",
    ),
    pytest.param(
        {
            **GUNICORN,
            "app.py": FLASK,
            "pyproject.toml": '[tool.hatch.envs.prod.scripts]\nstart = ["gunicorn app:app -b :6003"]\n',
        },
        ("gunicorn", "app:app", "-b", ":6003"),
        6003,
        id="hatch-env-script-list",
    ),
    pytest.param(
        {**GUNICORN, "app.py": FLASK, "pyproject.toml": "[tool.taskipy.tasks]\nstart = 3\n"},
        ("gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
        8000,
        id="task-of-another-type",
    ),
    pytest.param(
        {
            **GUNICORN,
            "main.py": FASTAPI,
            "makefile": "run: deps\n\t$(VENV)/bin/uvicorn main:app --port 7100\n"
            "deps:\n\tpip install -r requirements.txt\nVENV := .venv\n",
        },
        ("uvicorn", "main:app", "--port", "7100", "--host", "0.0.0.0"),
        7100,
        id="makefile-venv-variable",
    ),
    # ---- the code -------------------------------------------------------------------------------
    pytest.param(
        {
            **GUNICORN,
            "site/api.py": "import starlette.applications as sa\n\napi = sa.Starlette()\n",
        },
        ("uvicorn", "site.api:api", "--host", "0.0.0.0", "--port", "8000"),
        8000,
        id="module-attribute-class",
    ),
    pytest.param(
        {
            **GUNICORN,
            "web/factory.py": "from fastapi import FastAPI\n\n\ndef build():\n    return FastAPI()\n",
        },
        ("uvicorn", "--factory", "web.factory:build", "--host", "0.0.0.0", "--port", "8000"),
        8000,
        id="factory-returning-the-call",
    ),
    pytest.param(
        {
            "requirements.txt": "fastapi\nhypercorn\n",
            "main.py": "from fastapi import FastAPI\n\n\ndef create_app():\n    app = FastAPI()\n    return app\n",
        },
        ("hypercorn", "main:create_app()", "--bind", "0.0.0.0:8000"),
        8000,
        id="hypercorn-factory",
    ),
    pytest.param(
        {"requirements.txt": "fastapi\ngranian\n", "main.py": FASTAPI},
        ("granian", "--interface", "asgi", "--host", "0.0.0.0", "main:app"),
        8000,
        id="granian",
    ),
    pytest.param(
        {"requirements.txt": "falcon\n", "app.py": "import falcon\n\napp = falcon.App()\n"},
        None,
        None,
        id="wsgi-app-without-a-server",
    ),
    pytest.param(
        {
            "requirements.txt": "dash\ngunicorn\n",
            "app.py": "from dash import Dash\n\napp = Dash(__name__)\n",
        },
        ("gunicorn", "--bind", "0.0.0.0:8000", "app:app.server"),
        8000,
        id="dash-served-through-its-flask",
    ),
    pytest.param(
        {
            "requirements.txt": "huey\n",
            "jobs.py": "from huey import RedisHuey\n\nhuey = RedisHuey('x')\n",
        },
        ("huey_consumer", "jobs.huey"),
        None,
        id="huey-worker",
    ),
    pytest.param(
        {
            "requirements.txt": "uvicorn\n",
            "serve.py": "import uvicorn\n\nif __name__ == '__main__':\n"
            "    uvicorn.run('x:app', host='127.0.0.1', port=9001)\n",
        },
        ("python", "serve.py"),
        9001,
        id="script-on-a-literal-loopback",
    ),
    pytest.param(
        {
            "requirements.txt": "bottle\n",
            "serve.py": "import os\nimport bottle\n\nif __name__ == '__main__':\n"
            "    bottle.run(host='0.0.0.0', port=os.environ['PORT'])\n",
        },
        ("python", "serve.py"),
        8000,
        id="script-port-from-a-required-variable",
    ),
]


@pytest.mark.parametrize(("files", "command", "port"), SHAPES)
def test_shapes(
    tmp_path: Path, files: Files, command: tuple[str, ...] | None, port: int | None
) -> None:
    assert _command(tmp_path, files) == (command, port)


def test_a_release_step_from_fly_and_render(tmp_path: Path) -> None:
    fly = make_tree(
        tmp_path / "fly",
        {**GUNICORN, "fly.toml": '[deploy]\nrelease_command = "flask db upgrade"\n'},
    )
    render = make_tree(
        tmp_path / "render",
        {
            **GUNICORN,
            "render.yaml": "services:\n  - type: web\n    preDeployCommand: python manage.py migrate\n",
        },
    )
    assert detect_project(fly).release is not None
    assert detect_project(fly).release.value == ("flask", "db", "upgrade")  # type: ignore[union-attr]
    found = detect_project(render).release
    assert found is not None and found.value == ("python", "manage.py", "migrate")
    assert authored.release_command(ProjectDir(make_tree(tmp_path / "none", GUNICORN))) is None


def test_unreadable_authored_files_are_skipped(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {**GUNICORN, "app.py": FLASK})
    (root / "Procfile").mkdir()  # a folder where a file goes: not evidence, not an error
    (root / "fly.toml").write_bytes(b"\xff\xfe")
    assert _command(root, {})[0] == ("gunicorn", "--bind", "0.0.0.0:8000", "app:app")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("uv", "run", "--env-file", ".env", "--", "gunicorn", "x"), ("gunicorn", "x")),
        (("poetry", "run", "python", "x.py"), ("python", "x.py")),
        (("uv", "run"), ("uv", "run")),
        (("pdm", "install"), ("pdm", "install")),
    ],
)
def test_tool_runners_are_removed(words: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert without_runner(words)[0] == expected


@pytest.mark.parametrize(
    ("argv", "added"),
    [
        (("sh", "-c", "migrate && exec gunicorn x:app"), "--bind 0.0.0.0:8000"),
        (
            ("streamlit", "run", "a.py", "--", "--flag"),
            "--server.address 0.0.0.0 --server.headless true",
        ),
        (("celery", "-A", "x", "worker"), None),
        (("fastapi", "run", "main.py"), None),
        (("python", "-m", "http.server"), None),
    ],
)
def test_listening_everywhere(argv: tuple[str, ...], added: str | None) -> None:
    result, said = listening_everywhere(argv, 8000)
    assert said == added
    if argv[0] == "streamlit":
        assert result[-2:] == ("--", "--flag")


def test_development_flags_are_left_out() -> None:
    argv = ("uvicorn", "m:app", "--reload", "--reload-dir", "src", "--reload-include=*.py")
    assert without_dev_flags(argv) == (
        ("uvicorn", "m:app"),
        ("--reload", "--reload-dir", "src", "--reload-include=*.py"),
    )
    assert without_dev_flags(("sh", "-c", "uvicorn m:app --reload")) == (
        ("sh", "-c", "uvicorn m:app --reload"),
        (),
    )


@pytest.mark.parametrize(
    ("words", "server"),
    [
        (("python3", "-m", "uvicorn.main", "x"), "uvicorn"),
        (("celery", "-A", "x", "flower"), "flower"),
        (("celery", "-A", "x", "inspect"), None),
        (("jupyter-lab",), None),
        (("jupyter", "lab"), "jupyter"),
        (("pyuwsgi", "--http", ":8000"), "uwsgi"),
        (("./manage.py", "migrate"), None),
    ],
)
def test_servers_are_named(words: tuple[str, ...], server: str | None) -> None:
    found = server_of(words)
    assert (found.name if found else None) == server


def test_ports_named_by_servers() -> None:
    assert command_port(("python", "manage.py", "runserver", "0.0.0.0:9100")) == (
        9100,
        "0.0.0.0:9100 in the command",
    )
    assert command_port(("python", "manage.py", "runserver")) == (8000, "runserver's default port")
    assert command_port(("streamlit", "run", "a.py", "--server.port=9200")) == (
        9200,
        "--server.port 9200 in the command",
    )
    assert command_port(("mytool", "--bind", "0.0.0.0:99999")) is None
    assert loopback_warning(("python", "manage.py", "runserver", "9000"), "x") is not None


def test_shell_lines() -> None:
    assert exec_form("gunicorn 'unclosed") is None
    assert exec_form("A=1 gunicorn x") is None
    assert exec_form("exec") is None
    assert argv_of("  gunicorn x  ") == ("gunicorn", "x")


def test_the_code_scan_reads_what_each_file_names(tmp_path: Path) -> None:
    files = {
        "a.py": "import os\nfrom aiohttp import web\n\nif __name__ == '__main__':\n"
        "    web.run_app(make(), '0.0.0.0')\n",
        "b.py": "import flask\n\n\ndef make_app():\n    return flask.Flask(__name__)\n\n\n"
        "app = make_app()\n",
        "c.py": "if __name__ == '__main__':\n    print('hi')\n",
        "broken.py": "def (:\n",
        "d.py": "from celery import Celery\nworker: Celery = Celery('d')\n",
    }
    found = {(f.file, f.kind, f.attr) for f in find_apps(ProjectDir(make_tree(tmp_path, files)))}
    assert ("a.py", "script", "") in found
    assert ("b.py", "factory-wsgi", "make_app") in found
    assert ("b.py", "wsgi", "app") in found
    assert ("c.py", "main", "") in found
    assert ("d.py", "worker", "worker") in found
    assert not any(file == "broken.py" for file, _, _ in found)


def test_task_runners_without_a_table_are_nothing(tmp_path: Path) -> None:
    project = ProjectDir(make_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n'}))
    assert list(tasks.task_runners(project)) == []
    assert list(tasks.makefile(project)) == []


DJANGO = {
    "requirements.txt": "django\nuvicorn\n",
    "backend/manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'conf.settings')\n",
    "backend/conf/__init__.py": "",
    "backend/conf/settings.py": "ASGI_APPLICATION = 'conf.asgi.application'\n"
    "DEBUG = os.environ['DJANGO_DEBUG'] == '1'\n",
    "backend/conf/asgi.py": "",
}


def test_django_asgi_one_folder_down(tmp_path: Path) -> None:
    spec = detect_project(make_tree(tmp_path, DJANGO))
    assert spec.command is not None
    assert spec.command.value == (
        "uvicorn", "conf.asgi:application", "--host", "0.0.0.0", "--port", "8000",
        "--app-dir", "backend",
    )  # fmt: skip
    assert [e.value for e in spec.environment] == [("DJANGO_DEBUG", "False")]


def test_django_files_that_do_not_parse_are_no_evidence(tmp_path: Path) -> None:
    files = {
        **DJANGO,
        "backend/manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'conf.settings')\nsys.path.insert(0, (\n",
        "backend/conf/settings.py": "DEBUG = (\n",
    }
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.command is not None and "conf.asgi:application" in spec.command.value


def test_the_dockerfile_reader_on_odd_lines() -> None:
    from dockergen.start import dockerfile as df

    text = (
        "FROM python:3.12\nRUN apt-get update \\\n# a comment in the middle\n    && echo hi\n"
        'ENV BROKEN "unclosed\nCOPY ["a b.txt", "/x/"]\nCOPY "unclosed /y\nADD --from=x /a /b\n'
        'VOLUME ["unclosed\nCMD [not json\n'
    )
    final = df.stages(text)[-1]
    assert final.all("RUN")[0].text == "apt-get update && echo hi"
    assert df.environment(final) == {}
    assert df.copies(final) == [(("a b.txt",), "/x/")]
    assert df.volumes(final) == ()
    cmd = final.last("CMD")
    assert cmd is not None and df.argv(cmd) == ("sh", "-c", "[not json")
    assert df.stages("RUN x\n") == []


def test_dramatiq_actors_and_streamlit_only_at_module_level(tmp_path: Path) -> None:
    files = {
        "jobs.py": "import dramatiq\n\n\n@dramatiq.actor(max_retries=3)\ndef crawl(url):\n    pass\n",
        "lib.py": "import streamlit as st\n\n\ndef widget():\n    st.write('x')\n",
    }
    found = {
        (f.file, f.kind, f.framework) for f in find_apps(ProjectDir(make_tree(tmp_path, files)))
    }
    assert found == {("jobs.py", "worker", "Dramatiq")}


@pytest.mark.parametrize(
    ("code", "folder"),
    [
        ('from pathlib import Path\nDATA_DIR = Path("data")\n', "/app/data"),
        ('import os\nMEDIA_ROOT = os.environ.get("MEDIA_ROOT", default="media")\n', "/app/media"),
        ('UPLOAD_FOLDER = "/var/uploads"\n', None),  # absolute: outside /app, not ours to guess
        ('DATA_PATH = "data.json"\n', None),  # a file, not a folder
        ("import os\nDATA_DIR = os.path.join(ROOT, 'data')\n", None),
    ],
)
def test_declared_data_folders(tmp_path: Path, code: str, folder: str | None) -> None:
    spec = detect_project(make_tree(tmp_path, {"app.py": code, "requirements.txt": "six\n"}))
    assert [str(w.value) for w in spec.writable] == ([folder] if folder else [])


@pytest.mark.parametrize(
    ("task", "command"),
    [
        ('start = "app.py --port 7300"', ("python", "app.py", "--port", "7300")),
        ('serve = "python manage.py migrate"', None),  # no server started: not the way to start
    ],
)
def test_shortcuts_that_run_a_project_script(
    tmp_path: Path, task: str, command: tuple[str, ...] | None
) -> None:
    files = {
        "pyproject.toml": f'[project]\nname = "x"\ndependencies = ["six"]\n[tool.pdm.scripts]\n{task}\n',
        "app.py": "print('serving')\n",
    }
    got, _ = _command(tmp_path, files)
    assert got == (command or ("python", "app.py"))


def test_the_walk_skips_what_it_cannot_read(tmp_path: Path) -> None:
    from dockergen.start import scan

    root = make_tree(tmp_path / "p", {"main.py": FASTAPI, "bad.py": "from fastapi import (\n"})
    (root / "big.py").write_text("# FastAPI\n" + "x = 1\n" * 100_000)
    (root / "outside.py").symlink_to(make_tree(tmp_path / "o", {"o.py": FASTAPI}) / "o.py")
    (root / "noperm").mkdir()
    (root / "noperm" / "app.py").write_text(FASTAPI)
    names = [s.name for s in scan.sources(ProjectDir(root))]
    assert "main.py" in names and "noperm/app.py" in names
    assert not {"bad.py", "big.py", "outside.py"} & set(names)
