"""Every entry of verify's failure table, on output captured from real failures."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dockergen.sysdeps import LIBRARIES, library_packages
from dockergen.verify.diagnose import PATTERNS, Context, Diagnosis, diagnose

WEB = Context(ports=(8000,), python="3.12.1")
BIND_FIX = (
    "bind it to 0.0.0.0 (gunicorn --bind 0.0.0.0:PORT, uvicorn --host 0.0.0.0, flask run "
    "--host 0.0.0.0), e.g. with `dockergen update --command '...'`"
)
REBUILD = "and rebuild"


@dataclass(frozen=True)
class Case:
    text: str
    ctx: Context
    expected: tuple[str, str, str]  # pattern, cause, fix


def _stale(lock: str, manifest: str, tool: str) -> tuple[str, str, str]:
    return (
        f"stale-{lock}",
        f"the lock is stale: {lock} no longer matches {manifest}",
        f"run `{tool}`, commit {lock}, {REBUILD}",
    )


CASES = {
    "gunicorn-loopback": Case(
        "[2026-11-27 07:02:03 +0000] [1] [INFO] Starting gunicorn 27.0.1\n"
        "[2026-11-27 07:02:03 +0000] [1] [INFO] Listening at: http://127.0.0.1:8000 (1)\n",
        WEB,
        (
            "loopback",
            "the server binds to loopback: it listens on 127.0.0.1:8000 inside the container, "
            "which nothing outside the container can reach",
            BIND_FIX,
        ),
    ),
    "uvicorn-loopback": Case(
        "INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)\n",
        WEB,
        (
            "loopback",
            "the server binds to loopback: it listens on 127.0.0.1:8000 inside the container, "
            "which nothing outside the container can reach",
            BIND_FIX,
        ),
    ),
    "flask-loopback": Case(
        " * Running on http://127.0.0.1:5000\n",
        WEB,
        (
            "loopback",
            "the server binds to loopback: it listens on 127.0.0.1:5000 inside the container, "
            "which nothing outside the container can reach",
            BIND_FIX,
        ),
    ),
    "port-mismatch": Case(
        "[2026-11-27 07:02:42 +0000] [1] [INFO] Listening at: http://0.0.0.0:5000 (1)\n",
        WEB,
        (
            "port-mismatch",
            "port mismatch: the app listens on port 5000, but the image EXPOSEs 8000",
            "start it on port 8000 (e.g. --bind 0.0.0.0:8000), or EXPOSE 5000 "
            "(`dockergen update --port 5000`)",
        ),
    ),
    "module-declared-nowhere": Case(
        "Traceback (most recent call last):\n"
        '  File "/app/app.py", line 3, in <module>\n'
        "    import tabulate\n"
        "ModuleNotFoundError: No module named 'tabulate'\n",
        Context(python="3.12.1", declared={"six": ""}),
        (
            "missing-module",
            "ModuleNotFoundError: tabulate is imported, but no dependency declares it",
            "add tabulate to the project's dependencies, re-lock if you use a lock, and rebuild",
        ),
    ),
    "module-alias-declared-nowhere": Case(
        "ModuleNotFoundError: No module named 'yaml'\n",
        Context(python="3.12.1"),
        (
            "missing-module",
            "ModuleNotFoundError: yaml is imported, but no dependency declares it",
            "add pyyaml to the project's dependencies, re-lock if you use a lock, and rebuild",
        ),
    ),
    "pkg-resources-removed-from-setuptools": Case(
        "ModuleNotFoundError: No module named 'pkg_resources'\n",
        Context(python="3.10.13"),
        (
            "pkg-resources-removed",
            "ModuleNotFoundError: pkg_resources: setuptools 82 removed it, and a dependency still "
            "imports it (the traceback shows which)",
            "add `setuptools<82` to the project's dependencies (re-lock if you use a lock), or "
            "upgrade the dependency that imports pkg_resources",
        ),
    ),
    "stdlib-module-removed": Case(
        "  File \"<string>\", line 22, in <module>\nModuleNotFoundError: No module named 'imp'\n",
        Context(python="3.13.0"),
        (
            "removed-from-stdlib",
            "ModuleNotFoundError: imp was removed from the standard library in Python 3.12; the "
            "code that imports it (a pinned dependency, or its setup.py) was written for Python "
            "3.11 or older",
            "build for Python 3.11 (`dockergen update --python 3.11`, and state it in "
            ".python-version), or upgrade the dependency that imports it",
        ),
    ),
    "never-migrated": Case(
        "sqlite3.OperationalError: no such table: post\n",
        Context(),
        (
            "no-migrations",
            "the database has no table 'post': the app's migrations (or its database set-up "
            "command) never ran",
            "run them before the server starts (Django: python manage.py migrate; Flask-Migrate: "
            "flask db upgrade; or the project's own init command), e.g. in the start command or "
            "a one-off compose service; `verify --env` points the app at a database",
        ),
    ),
    "postgres-relation-missing": Case(
        'psycopg2.errors.UndefinedTable: relation "auth_user" does not exist\n',
        Context(),
        (
            "no-migrations",
            "the database has no table 'auth_user': the app's migrations (or its database set-up "
            "command) never ran",
            "run them before the server starts (Django: python manage.py migrate; Flask-Migrate: "
            "flask db upgrade; or the project's own init command), e.g. in the start command or "
            "a one-off compose service; `verify --env` points the app at a database",
        ),
    ),
    "disallowed-host": Case(
        "Invalid HTTP_HOST header: '127.0.0.1:8000'. You may need to add '127.0.0.1' to "
        "ALLOWED_HOSTS.\n",
        Context(),
        (
            "disallowed-host",
            "Django refused the request's Host header '127.0.0.1:8000': it is not in "
            "ALLOWED_HOSTS (DisallowedHost, answered 400)",
            "list the hosts the app is served as in ALLOWED_HOSTS (or the variable the settings "
            "read it from; pass it with --env to verify)",
        ),
    ),
    "csrf": Case(
        "Forbidden (Origin checking failed - http://x does not match any trusted origins.)\n",
        Context(),
        (
            "csrf",
            "Django refused the request: CSRF verification failed (the origin is not trusted)",
            "add the site's origin to CSRF_TRUSTED_ORIGINS (or the variable the settings read)",
        ),
    ),
    "pins-older-than-the-python": Case(
        "ERROR: Ignored the following versions that require a different python version: 4.4.7 "
        "Requires-Python >=2.7,<3.9\nERROR: No matching distribution found for celery==4.4.1\n",
        Context(python="3.13"),
        (
            "python-too-new",
            "no release of celery==4.4.1 installs on Python 3.13: the pins were made for an older "
            "Python, which the project does not state",
            "build for the Python the pins were made for (`dockergen update --python X.Y`, and "
            "state it in .python-version or runtime.txt), or update the pins",
        ),
    ),
    "index-host-does-not-resolve-old-pip": Case(
        "Looking in indexes: https://pypi.example.invalid/simple\n"
        "WARNING: Retrying (Retry(total=4)) after connection broken by 'NewConnectionError('<x>: "
        "Failed to establish a new connection: [Errno -2] Name or service not known')': "
        "/simple/six/\nERROR: No matching distribution found for six==1.16.0\n",
        Context(python="3.11"),
        (
            "index-unreachable",
            "the build cannot reach the package index pypi.example.invalid: its name does not "
            "resolve",
            "check the index URL that names pypi.example.invalid (requirements options, Pipfile "
            "[[source]], [[tool.*.source]] or [[tool.uv.index]]) and the build's network; an old "
            "PyPI address may need the current one",
        ),
    ),
    "writes-a-relative-folder": Case(
        "PermissionError: [Errno 13] Permission denied: './data'\n",
        Context(),
        (
            "read-only-app",
            "the app writes to ./data (under /app, the working directory), and the image is "
            "read-only there by design (root owns /app; the app runs as a non-root user)",
            "write to /tmp or to a mounted volume (e.g. -v data:/data), chosen by an env variable",
        ),
    ),
    "postgres-not-running": Case(
        'psycopg2.OperationalError: connection to server at "localhost" (127.0.0.1), port 5432 '
        "failed: Connection refused\n",
        Context(),
        (
            "needs-service",
            "the app needs a PostgreSQL server at start (port 5432 refused the connection), and "
            "none runs beside the container",
            "run PostgreSQL beside it (compose) and pass its address with --env (the variable the "
            "settings read, e.g. DATABASE_URL, REDIS_URL)",
        ),
    ),
    "no-start-command": Case(
        "dockergen: no start command was found for this image; set one with `dockergen update "
        "--command '...'`\n",
        Context(),
        (
            "no-start-command",
            "dockergen found no start command, so the image's CMD only says so and exits",
            "set one: `dockergen update --command '...'` (and --port for a server)",
        ),
    ),
    "index-host-does-not-resolve": Case(
        "#11 9.518 WARNING: Retrying ... 'NameResolutionError(\"HTTPSConnection(host='pypi.example.invalid', "
        "port=443): Failed to resolve 'pypi.example.invalid' ([Errno -2] Name or service not known)\")'\n",
        Context(),
        (
            "index-unreachable",
            "the build cannot reach the package index pypi.example.invalid: its name does not resolve",
            "check the index URL that names pypi.example.invalid (requirements options, Pipfile "
            "[[source]], [[tool.*.source]] or [[tool.uv.index]]) and the build's network; an old "
            "PyPI address may need the current one",
        ),
    ),
    "module-excluded-by-marker": Case(
        "ModuleNotFoundError: No module named 'six'\n",
        Context(python="3.12.1", declared={"six": 'python_version < "3.11"'}),
        (
            "module-excluded-by-marker",
            'ModuleNotFoundError: six: six is declared only where `python_version < "3.11"`, '
            "which excludes this image's Python 3.12.1, so it was not installed",
            "the lock was resolved for another Python: build for a Python the marker includes "
            "(`dockergen update --python X.Y`), or widen the marker and re-lock",
        ),
    ),
    "module-declared-not-installed": Case(
        "ModuleNotFoundError: No module named 'six.moves'\n",
        Context(python="3.12.1", declared={"six": 'python_version >= "3.8"'}),
        (
            "module-not-installed",
            "ModuleNotFoundError: six is declared (six) but not installed in the image",
            "check that six is in the installed group (not dev-only or an extra), then re-lock",
        ),
    ),
    "env-keyerror": Case(
        "  File \"<frozen os>\", line 685, in __getitem__\nKeyError: 'DATABASE_URL'\n",
        Context(),
        (
            "missing-env",
            "the environment variable DATABASE_URL is not set (KeyError: 'DATABASE_URL')",
            "pass it with --env DATABASE_URL=VALUE or --env-file FILE (in production: the "
            "deployment's)",
        ),
    ),
    "env-improperly-configured": Case(
        "django.core.exceptions.ImproperlyConfigured: Set the SECRET_KEY environment variable\n",
        Context(),
        (
            "missing-env",
            "the environment variable SECRET_KEY is not set (ImproperlyConfigured: Set the "
            "SECRET_KEY environment variable)",
            "pass it with --env SECRET_KEY=VALUE or --env-file FILE (in production: the "
            "deployment's)",
        ),
    ),
    "settings-pydantic-v1": Case(
        "pydantic.error_wrappers.ValidationError: 2 validation errors for ProdAppSettings\n"
        "database_url\n  field required (type=value_error.missing)\n"
        "secret_key\n  field required (type=value_error.missing)\n",
        Context(),
        (
            "missing-settings",
            "the app's settings (ProdAppSettings) require DATABASE_URL, SECRET_KEY, which the "
            "environment does not set (pydantic: field required)",
            "pass them with --env DATABASE_URL=VALUE ... or --env-file FILE (in production: the "
            "deployment's; an env_prefix in the settings class goes before each name)",
        ),
    ),
    "settings-pydantic-v2": Case(
        "pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings\n"
        "openai_api_key\n  Field required [type=missing, input_value={}, input_type=dict]\n",
        Context(),
        (
            "missing-settings",
            "the app's settings (Settings) require OPENAI_API_KEY, which the environment does "
            "not set (pydantic: field required)",
            "pass them with --env OPENAI_API_KEY=VALUE ... or --env-file FILE (in production: "
            "the deployment's; an env_prefix in the settings class goes before each name)",
        ),
    ),
    "no-standard-library": Case(
        "Fatal Python error: init_fs_encoding: failed to get the Python codec of the filesystem "
        "encoding\nModuleNotFoundError: No module named 'encodings'\n",
        Context(),
        (
            "no-standard-library",
            "ModuleNotFoundError: encodings is part of the standard library: the interpreter "
            "does not find its own standard library",
            "a PYTHONHOME, or a server's home/virtualenv setting (uWSGI's `virtualenv = "
            "$(VIRTUAL_ENV)` with VIRTUAL_ENV unset), points it elsewhere: point it at "
            "/app/.venv or remove it",
        ),
    ),
    "stale-uv": Case(
        "error: The lockfile at `uv.lock` needs to be updated, but `--locked` was provided. "
        "To update the lockfile, run `uv lock`.\n",
        Context(),
        _stale("uv.lock", "pyproject.toml", "uv lock"),
    ),
    "stale-poetry": Case(
        "pyproject.toml changed significantly since poetry.lock was last generated. "
        "Run `poetry lock` to fix the lock file.\n",
        Context(),
        _stale("poetry.lock", "pyproject.toml", "poetry lock"),
    ),
    "stale-pipenv": Case(
        "Your Pipfile.lock (3d8a1f) is out of date. Expected: (9c0b2e).\n"
        "ERROR:: Aborting deploy\n"
        "Pipfile.lock (3d8a1f) out of date: run `pipenv lock` to update to (9c0b2e)...\n",
        Context(),
        _stale("Pipfile.lock", "Pipfile", "pipenv lock"),
    ),
    "stale-pdm-hash": Case(
        "[PdmUsageError]: Lockfile hash doesn't match pyproject.toml, packages may be outdated\n",
        Context(),
        _stale("pdm.lock", "pyproject.toml", "pdm lock"),
    ),
    "stale-pdm-check": Case(
        "[PdmUsageError]: The lock file is not up to date with pyproject.toml\n",
        Context(),
        _stale("pdm.lock", "pyproject.toml", "pdm lock"),
    ),
    "missing-library-known": Case(
        "OSError: libpq.so.5: cannot open shared object file: No such file or directory\n",
        Context(),
        (
            "missing-library",
            "the system library libpq.so.5 is missing from the image",
            "install its Debian package in the final image: `dockergen update --apt libpq5`",
        ),
    ),
    "missing-library-unknown": Case(
        "ImportError: libfoo-3.so.1: cannot open shared object file: No such file or directory\n",
        Context(),
        (
            "missing-library",
            "the system library libfoo-3.so.1 is missing from the image",
            "add the Debian package that ships it to the final image "
            "(`dockergen update --apt PKG`)",
        ),
    ),
    "write-under-app": Case(
        "PermissionError: [Errno 13] Permission denied: '/app/state.json'\n",
        Context(),
        (
            "read-only-app",
            "the app writes to /app/state.json, and the image is read-only there by design "
            "(root owns /app; the app runs as a non-root user)",
            "write to /tmp or to a mounted volume (e.g. -v data:/data), chosen by an env variable",
        ),
    ),
    "read-only-filesystem": Case(
        "OSError: [Errno 30] Read-only file system: '/app/cache'\n",
        Context(),
        (
            "read-only-app",
            "the app writes to /app/cache, and the image is read-only there by design "
            "(root owns /app; the app runs as a non-root user)",
            "write to /tmp or to a mounted volume (e.g. -v data:/data), chosen by an env variable",
        ),
    ),
    "sdist-pip": Case(
        "#11 31.2   error: [Errno 2] No such file or directory: 'gcc'\n"
        "#11 31.3   ERROR: Failed building wheel for cext\n"
        "#11 31.3 Failed to build cext\n"
        "#11 31.3 ERROR: Could not build wheels for cext\n",
        Context(python="3.12"),
        (
            "sdist-build-failed",
            "cext has no wheel for Python 3.12 on this platform, and compiling its sdist failed",
            "use a Python that cext publishes wheels for (`dockergen update --python X.Y`), a "
            "cext version with wheels, or a compiler in the builder (`dockergen update "
            "--apt-build build-essential` plus the -dev headers it needs)",
        ),
    ),
    "sdist-uv": Case(
        "  \u00d7 Failed to build `psycopg2==2.9.10`\n  ├─▶ The build backend returned an error\n",
        Context(),
        (
            "sdist-build-failed",
            "psycopg2 has no wheel for this Python on this platform, and compiling its sdist "
            "failed",
            "use a Python that psycopg2 publishes wheels for (`dockergen update --python X.Y`), "
            "a psycopg2 version with wheels, or a compiler in the builder (`dockergen update "
            "--apt-build build-essential` plus the -dev headers it needs)",
        ),
    ),
    "command-not-found-docker": Case(
        "docker: Error response from daemon: failed to create shim task: OCI runtime create "
        'failed: runc create failed: unable to start container process: exec: "gunicorn": '
        "executable file not found in $PATH: unknown.\n",
        WEB,
        (
            "command-not-found",
            "the image's command gunicorn is not in the image, so the container cannot start",
            "add the package that installs gunicorn to the project's dependencies and "
            "rebuild, or change the start command (`dockergen update --command '...'`)",
        ),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_pattern(name: str) -> None:
    case = CASES[name]
    assert diagnose(case.text, case.ctx) == [Diagnosis(*case.expected)]


def test_every_pattern_has_a_case() -> None:
    covered = {case.expected[0] for case in CASES.values()}
    # The ModuleNotFoundError entry answers in several ways, each with its own name.
    covered |= {"missing-module"}
    assert {pattern.name for pattern in PATTERNS} <= covered


@pytest.mark.parametrize(
    "text",
    [
        "[INFO] Listening at: http://0.0.0.0:8000 (1)\n",  # the EXPOSEd port: fine
        # flask run --host 0.0.0.0 lists loopback among all the addresses it listens on.
        " * Running on all addresses (0.0.0.0)\n * Running on http://127.0.0.1:5000\n"
        " * Running on http://172.17.0.2:5000\n",
        "Successfully installed six-1.17.0\n",
        "KeyError: 'name'\n",  # a dict key, not an environment variable
        # A request body that fails validation is the client's error, not the app's settings.
        "ValidationError: 1 validation error for Item\nprice\n  Field required [type=missing]\n",
        "PermissionError: [Errno 13] Permission denied: '/data/x'\n",  # not the image's /app
    ],
)
def test_healthy_output_is_not_diagnosed(text: str) -> None:
    assert diagnose(text, WEB) == []


def test_port_mismatch_needs_an_exposed_port() -> None:
    assert diagnose("Listening at: http://0.0.0.0:5000 (1)\n", Context()) == []


def test_each_cause_is_reported_once() -> None:
    text = "ModuleNotFoundError: No module named 'x'\n" * 3
    assert len(diagnose(text, Context())) == 1


@pytest.mark.parametrize(
    ("library", "package"),
    [("libpq.so.5", "libpq5"), ("libGL.so.1", "libgl1"), ("libgomp.so", "libgomp1")],
)
def test_library_packages(library: str, package: str) -> None:
    assert library_packages(library) == {"trixie": package, "bookworm": package}


def test_a_library_named_differently_by_release_gets_both_names() -> None:
    assert LIBRARIES["bookworm"]["libldap"] != LIBRARIES["trixie"]["libldap"]
    [found] = diagnose("ImportError: libldap.so.2: cannot open shared object file\n", Context())
    assert found.fix == (
        "install its Debian package in the final image: `dockergen update --apt libldap2` "
        "(trixie) or `dockergen update --apt libldap-2.5-0` (bookworm)"
    )


def test_every_release_names_every_library() -> None:
    assert len({frozenset(names) for names in LIBRARIES.values()}) == 1
