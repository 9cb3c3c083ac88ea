"""Web frameworks recognised from a few known files, and the server command each one needs.

Detection reads a bounded list of likely entry files and never walks the tree: an app
object defined anywhere else is not found (pass --command, or set [tool.dockergen] command).
Every generated command listens on 0.0.0.0 and names its port.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from dockergen.dependencies import dependency_names
from dockergen.errors import InvalidProjectFileError
from dockergen.model import Decided
from dockergen.project import ProjectDir

Command = Decided[tuple[str, ...]]
BIND: Final = "0.0.0.0"
# Likely entry files, best first; {pkg} is the project's import name.
ENTRY_FILES: Final = (
    "main.py",
    "app.py",
    "api.py",
    "asgi.py",
    "wsgi.py",
    "server.py",
    "application.py",
    "app/__init__.py",
    "app/main.py",
    "app/app.py",
    "{pkg}/__init__.py",
    "{pkg}/main.py",
    "{pkg}/app.py",
    "{pkg}/api.py",
    "src/{pkg}/__init__.py",
    "src/{pkg}/main.py",
    "src/{pkg}/app.py",
)
_ASGI_APP: Final = re.compile(
    r"^([A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*(?:fastapi\.|starlette\.applications\.)?"
    r"(FastAPI|Starlette)\(",
    re.MULTILINE,
)
_FLASK_APP: Final = re.compile(
    r"^([A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*(?:flask\.)?(Flask)\(", re.MULTILINE
)
_SETTINGS: Final = re.compile(r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]""")


@dataclass(frozen=True, slots=True)
class Detection:
    """What a rule found: a command, or (command None) an app that cannot start as it is."""

    command: Command | None
    warnings: tuple[str, ...] = ()


@dataclass
class Context:
    project: ProjectDir
    package: str  # the project's import name, "" when unknown
    installs_project: bool  # src/ layouts are importable only when the project is installed
    _dependencies: frozenset[str] | None = field(default=None, repr=False)

    def dependencies(self) -> frozenset[str]:
        if self._dependencies is None:
            self._dependencies = dependency_names(self.project)
        return self._dependencies


def django(context: Context) -> Detection | None:
    """manage.py plus django among the dependencies: gunicorn serves the WSGI module."""
    if not context.project.is_file("manage.py") or "django" not in context.dependencies():
        return None
    wsgi = _django_wsgi(context.project)
    missing = [] if wsgi else ["a wsgi.py next to the settings module named in manage.py"]
    if "gunicorn" not in context.dependencies():
        missing.append("gunicorn among the dependencies")
    if missing or wsgi is None:
        return Detection(None, (_cannot_start("the Django project (manage.py)", missing),))
    argv = ("gunicorn", "--bind", f"{BIND}:8000", f"{wsgi}:application")
    detail = f"Django project, {wsgi.replace('.', '/')}.py served by gunicorn"
    return Detection(Decided(argv, "manage.py", detail))


def asgi_app(context: Context) -> Detection | None:
    """A FastAPI or Starlette app object: uvicorn serves it."""
    found = _find_app(context, _ASGI_APP)
    if found is None:
        return None
    file, target, framework = found
    if "uvicorn" not in context.dependencies():
        what = f"the {framework} app in {file}"
        return Detection(None, (_cannot_start(what, ["uvicorn among the dependencies"]),))
    argv = ("uvicorn", target, "--host", BIND, "--port", "8000")
    return Detection(Decided(argv, file, f"{framework} app {target}, served by uvicorn"))


def flask_app(context: Context) -> Detection | None:
    """A Flask app object: gunicorn serves it when installed, else Flask's own server."""
    found = _find_app(context, _FLASK_APP)
    if found is None:
        return None
    file, target, _ = found
    if "gunicorn" in context.dependencies():
        argv: tuple[str, ...] = ("gunicorn", "--bind", f"{BIND}:8000", target)
        return Detection(Decided(argv, file, f"Flask app {target}, served by gunicorn"))
    argv = ("flask", "--app", target, "run", "--host", BIND, "--port", "5000")
    note = f"{file} defines a Flask app and gunicorn is not a dependency, so Flask's development "
    note += "server runs it; add gunicorn for production"
    return Detection(Decided(argv, file, f"Flask app {target}, Flask's own server"), (note,))


RULES: Final[tuple[Callable[[Context], Detection | None], ...]] = (django, asgi_app, flask_app)


def _cannot_start(what: str, missing: list[str]) -> str:
    return (
        f"{what} cannot be started without {' and '.join(missing)}, so the Dockerfile has no "
        "CMD; add what is missing, or pass --command '...'"
    )


def _django_wsgi(project: ProjectDir) -> str | None:
    """The WSGI module beside the settings module manage.py names (a.settings -> a.wsgi;
    a.settings.prod -> a.settings.wsgi or a.wsgi)."""
    found = _SETTINGS.search(_source(project, "manage.py") or "")
    parts = found.group(1).split(".") if found else []
    for depth in range(len(parts) - 1, 0, -1):
        package = parts[:depth]
        if project.is_file("/".join(package) + "/wsgi.py"):
            return ".".join((*package, "wsgi"))
    return None


def _find_app(context: Context, pattern: re.Pattern[str]) -> tuple[str, str, str] | None:
    """(file, module:name, framework) of the first entry file defining an app object."""
    for template in ENTRY_FILES:
        if "{pkg}" in template and not context.package:
            continue
        file = template.format(pkg=context.package)
        if file.startswith("src/") and not context.installs_project:
            continue
        source = _source(context.project, file)
        if source and (match := pattern.search(source)):
            module = file.removeprefix("src/").removesuffix(".py").removesuffix("/__init__")
            return file, f"{module.replace('/', '.')}:{match.group(1)}", match.group(2)
    return None


def _source(project: ProjectDir, name: str) -> str | None:
    """A source file's text; None when it is missing or unreadable (the rules only guess)."""
    if not project.is_file(name):
        return None
    try:
        return project.read_text(name)
    except InvalidProjectFileError:
        return None


_STATIC_ROOT: Final = re.compile(r"^STATIC_ROOT\s*[:=]", re.MULTILINE)


def django_build_steps(
    project: ProjectDir, dependencies: frozenset[str]
) -> tuple[Decided[tuple[str, ...]], ...]:
    """`collectstatic` at build time, when the Django settings configure STATIC_ROOT."""
    if not project.is_file("manage.py") or "django" not in dependencies:
        return ()
    found = _SETTINGS.search(_source(project, "manage.py") or "")
    module = found.group(1).replace(".", "/") if found else ""
    for settings in (f"{module}.py", f"{module}/__init__.py") if module else ():
        if _STATIC_ROOT.search(_source(project, settings) or ""):
            argv = ("python", "manage.py", "collectstatic", "--noinput")
            detail = f"Django: collect static files into STATIC_ROOT (set in {settings})"
            return (Decided(argv, settings, detail),)
    return ()
