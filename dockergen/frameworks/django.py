"""Django: manage.py (at the root or one folder down) and the settings module it names."""

from __future__ import annotations

import re
from typing import Final

from dockergen.frameworks.base import (
    ASGI_SERVERS,
    BIND,
    Context,
    Detection,
    asgi_server,
    cannot_start,
    read_source,
)
from dockergen.model import Decided
from dockergen.project import ProjectDir

_SETTINGS: Final = re.compile(r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]""")
# manage.py that picks its settings in a variable first: any quoted `pkg.settings[.x]`.
_SETTINGS_NAMED: Final = re.compile(r"""['"](\w+(?:\.\w+)*\.settings(?:\.\w+)*)['"]""")
_STATIC_ROOT: Final = re.compile(r"^STATIC_ROOT\s*[:=]", re.MULTILINE)


def django(context: Context) -> Detection | None:
    """gunicorn on the WSGI module; else an ASGI server on the ASGI module; else Django's own
    server, with a warning, as for Flask."""
    folder = manage_py_folder(context.project)
    if folder is None or "django" not in context.dependencies():
        return None
    manage = f"{folder}/manage.py" if folder else "manage.py"
    wsgi, asgi = (_beside_settings(context.project, folder, name) for name in ("wsgi", "asgi"))
    if wsgi and "gunicorn" in context.dependencies():
        chdir = ("--chdir", folder) if folder else ()
        argv = ("gunicorn", *chdir, "--bind", f"{BIND}:8000", f"{wsgi}:application")
        return Detection(Decided(argv, manage, f"Django project, {_path(wsgi)} served by gunicorn"))
    server = asgi_server(context)
    if asgi and server and (not folder or server == "uvicorn"):
        argv = ASGI_SERVERS[server](f"{asgi}:application")
        argv = (*argv, "--app-dir", folder) if folder else argv
        return Detection(Decided(argv, manage, f"Django project, {_path(asgi)} served by {server}"))
    if not wsgi:
        what = f"the Django project ({manage})"
        missing = ["a wsgi.py next to the settings module named in manage.py"]
        return Detection(None, (cannot_start(what, missing),))
    argv = ("python", manage, "runserver", f"{BIND}:8000")
    note = (
        f"{manage}: neither gunicorn nor an ASGI server is a dependency, so Django's "
        "development server runs it; add gunicorn for production"
    )
    return Detection(Decided(argv, manage, "Django project, Django's development server"), (note,))


def manage_py_folder(project: ProjectDir) -> str | None:
    """ "" for manage.py at the root, the folder for one a level down (when exactly one
    folder has it: one directory listing, never a walk), else None."""
    if project.is_file("manage.py"):
        return ""
    try:
        folders = sorted(p.name for p in project.root.iterdir() if p.is_dir())
    except OSError:
        return None
    found = [f for f in folders if not f.startswith(".") and project.is_file(f"{f}/manage.py")]
    return found[0] if len(found) == 1 else None


def _settings(project: ProjectDir, folder: str) -> list[str]:
    manage = f"{folder}/manage.py" if folder else "manage.py"
    text = read_source(project, manage) or ""
    found = _SETTINGS.search(text) or _SETTINGS_NAMED.search(text)
    return found.group(1).split(".") if found else []


def _beside_settings(project: ProjectDir, folder: str, name: str) -> str | None:
    """The module `name` (wsgi, asgi) beside the settings module manage.py names (a.settings ->
    a.wsgi; a.settings.prod -> a.settings.wsgi or a.wsgi)."""
    parts = _settings(project, folder)
    prefix = f"{folder}/" if folder else ""
    for depth in range(len(parts) - 1, 0, -1):
        package = parts[:depth]
        if project.is_file(prefix + "/".join(package) + f"/{name}.py"):
            return ".".join((*package, name))
    return None


def _path(module: str) -> str:
    return module.replace(".", "/") + ".py"


def settings_files(project: ProjectDir, folder: str) -> tuple[str, ...]:
    """The settings module manage.py names, as the files it may be."""
    prefix = f"{folder}/" if folder else ""
    module = "/".join(_settings(project, folder))
    return (f"{prefix}{module}.py", f"{prefix}{module}/__init__.py") if module else ()


def django_build_steps(
    project: ProjectDir, dependencies: frozenset[str]
) -> tuple[Decided[tuple[str, ...]], ...]:
    """`collectstatic` at build time, when the Django settings configure STATIC_ROOT."""
    folder = manage_py_folder(project)
    if folder is None or "django" not in dependencies:
        return ()
    prefix = f"{folder}/" if folder else ""
    for settings in settings_files(project, folder):
        if _STATIC_ROOT.search(read_source(project, settings) or ""):
            argv = ("python", f"{prefix}manage.py", "collectstatic", "--noinput")
            detail = f"Django: collect static files into STATIC_ROOT (set in {settings})"
            return (Decided(argv, settings, detail),)
    return ()
