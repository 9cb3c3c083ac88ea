"""A bounded walk over the project's Python files: which ones may define or start an app.

The walk lists folders breadth first from the root, skips what never holds the app (hidden
folders, environments, tests, docs, static files, migrations), and stops after a fixed number
of folder entries and files: a project with 100 000 files costs the same as one with 100, and
the result depends only on the files, never on the clock. A file is parsed only when its text
mentions something the readers in `dockergen.start.code` look for.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from dockergen.errors import InvalidProjectFileError
from dockergen.project import ProjectDir

MAX_ENTRIES: Final = 20_000  # folder entries listed, in all
MAX_DEPTH: Final = 4  # root = 0: app/api/v1/main.py is at depth 3
MAX_FILES: Final = 400  # Python files read
MAX_BYTES: Final = 512 * 1024  # a bigger .py file is generated, not an app's entry point
SKIPPED: Final = frozenset(
    {
        "node_modules",
        "venv",
        "env",
        "site-packages",
        "dist",
        "build",
        "tests",
        "test",
        "testing",
        "docs",
        "doc",
        "migrations",
        "alembic",
        "static",
        "templates",
        "assets",
        "media",
        "locale",
        "locales",
        "fixtures",
        "__pycache__",
        "htmlcov",
        "benchmarks",
        "vendor",
        "third_party",
        "examples",
        "example",
        "samples",
        "notebooks",
        "data",
    }
)
# Words worth parsing a file for: app classes, factories, servers, workers, __main__ blocks.
TRIGGER: Final = re.compile(
    r"FastAPI|Starlette|Litestar|Flask|Quart|Sanic|Bottle|Dash\b|falcon|aiohttp|"
    r"get_wsgi_application|get_asgi_application|create_app|make_app|Celery|dramatiq|Huey|"
    r"streamlit|gradio|panel|__main__|uvicorn|waitress|cherrypy|tornado"
)


@dataclass(frozen=True, slots=True)
class Source:
    """A Python file of the project, read and parsed."""

    name: str  # project-relative POSIX path
    text: str
    tree: ast.Module


def python_files(project: ProjectDir) -> tuple[str, ...]:
    """Python files breadth first (a folder's files in name order), within the bounds."""
    found: list[str] = []
    queue: deque[tuple[str, int]] = deque([("", 0)])
    listed = 0
    while queue and listed < MAX_ENTRIES and len(found) < MAX_FILES:
        folder, depth = queue.popleft()
        try:
            names = project.names(folder or ".")
        except InvalidProjectFileError:
            continue
        listed += len(names)
        for name in names[: max(0, MAX_ENTRIES - listed + len(names))]:
            path = f"{folder}/{name}" if folder else name
            if name.endswith(".py"):
                found.append(path)
            elif depth < MAX_DEPTH and _walkable(name) and project.kind(path) == "a directory":
                queue.append((path, depth + 1))
    return tuple(found[:MAX_FILES])


def _walkable(name: str) -> bool:
    return not name.startswith((".", "_")) and name.lower() not in SKIPPED and "." not in name


def sources(project: ProjectDir) -> Iterator[Source]:
    """The parsed files that mention something worth reading (cached per project)."""
    return iter(project.cached("scan:sources", lambda: tuple(_parse_all(project))))


def parsed(project: ProjectDir, words: re.Pattern[str]) -> Iterator[Source]:
    """The walk's files that mention `words`, parsed (the same bounds as `sources`)."""
    return iter(project.cached(f"scan:{words.pattern}", lambda: tuple(_parse_all(project, words))))


def _parse_all(project: ProjectDir, trigger: re.Pattern[str] = TRIGGER) -> Iterator[Source]:
    for name in python_files(project):
        try:
            if not project.inside(name) or project.path(name).stat().st_size > MAX_BYTES:
                continue
            text = project.read_text(name)
        except (InvalidProjectFileError, OSError):
            continue
        if not trigger.search(text):
            continue
        try:
            tree = ast.parse(text, filename=name)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        yield Source(name, text, tree)


def read_source(project: ProjectDir, name: str) -> str | None:
    """A source file's text with its line ends as Python reads them (CRLF and a lone CR are
    line ends too, so `^` in a rule's pattern finds every line); None when it is missing or
    unreadable (the rules only guess)."""
    try:
        if not project.is_file(name) or not project.inside(name):
            return None
        return project.read_text(name).replace("\r\n", "\n").replace("\r", "\n")
    except InvalidProjectFileError:
        return None
