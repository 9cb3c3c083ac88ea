"""Directories an app writes into at run time, found in its framework's settings.

The source in /app is root-owned so the app cannot change its own code; but Django's default
SQLite database lives in the project directory, and Flask keeps `instance/` there. Only those
directories (never the files in them) are given to the app's user, and `plan` says so: under
a read-only root filesystem they need a volume instead.
"""

from __future__ import annotations

import re
from typing import Final

from dockergen.frameworks.base import read_source
from dockergen.frameworks.django import manage_py_folder, settings_files
from dockergen.model import Decided
from dockergen.project import ProjectDir
from dockergen.safety import AppPath, check_path

_SQLITE_IN_BASE_DIR: Final = re.compile(
    r"django\.db\.backends\.sqlite3[\s\S]{0,300}?BASE_DIR", re.MULTILINE
)
_INSTANCE: Final = re.compile(r"instance_relative_config\s*=\s*True|\.instance_path\b")
_FLASK_FILES: Final = ("app.py", "app/__init__.py", "wsgi.py")


def writable_dirs(
    project: ProjectDir, dependencies: frozenset[str], package: str
) -> tuple[Decided[AppPath], ...]:
    """The folders the app's user owns, each checked (a folder named `a;b`, `x\\` or with a
    line break reaches a RUN line only quoted, or not at all) with the file that decided it."""
    found: list[Decided[AppPath]] = []
    if "django" in dependencies and (folder := manage_py_folder(project)) is not None:
        for settings in settings_files(project, folder):
            if _SQLITE_IN_BASE_DIR.search(read_source(project, settings) or ""):
                target = AppPath(check_path(folder, settings, "folder") if folder else None)
                why = f"Django keeps its SQLite database in the project directory ({settings})"
                found.append(Decided(target, settings, why))
                break
    if "flask" in dependencies:
        files = (*_FLASK_FILES, f"{package}/__init__.py") if package else _FLASK_FILES
        for file in files:
            if _INSTANCE.search(read_source(project, file) or ""):
                why = f"Flask keeps its instance folder beside the app ({file})"
                found.append(Decided(AppPath(check_path("instance", file)), file, why))
                break
    return tuple(found)
