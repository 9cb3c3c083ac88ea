"""What the framework rules share: the entry files they read and the values they return."""

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
    "app/__main__.py",
    "{pkg}/__init__.py",
    "{pkg}/main.py",
    "{pkg}/app.py",
    "{pkg}/api.py",
    "{pkg}/__main__.py",
    "src/{pkg}/__init__.py",
    "src/{pkg}/main.py",
    "src/{pkg}/app.py",
)


@dataclass(frozen=True, slots=True)
class Detection:
    """What a rule found: a command, or (command None) an app that cannot start as it is."""

    command: Command | None
    warnings: tuple[str, ...] = ()
    environment: tuple[tuple[str, str], ...] = ()  # ENV the command needs (FLASK_APP)


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

    def entry_files(self, extra: tuple[str, ...] = ()) -> list[str]:
        """The entry files to read, in order; `extra` ones (named by the project) first."""
        files = [*extra]
        for template in ENTRY_FILES:
            if "{pkg}" in template and not self.package:
                continue
            file = template.format(pkg=self.package)
            if not file.startswith("src/") or self.installs_project:
                files.append(file)
        return list(dict.fromkeys(files))


def find_app(
    context: Context, pattern: re.Pattern[str], extra: tuple[str, ...] = ()
) -> tuple[str, str, str] | None:
    """(file, module:name, what) of the first entry file where `pattern` matches: group 1
    names the object (or factory call), group 2 says what it is."""
    for file in context.entry_files(extra):
        source = read_source(context.project, file)
        if source and (match := pattern.search(source)):
            return file, f"{module_of(file)}:{match.group(1)}", match.group(2)
    return None


def module_of(file: str) -> str:
    """The module a file is imported as: src/shop/__init__.py -> shop."""
    module = file.removeprefix("src/").removesuffix(".py").removesuffix("/__init__")
    return module.replace("/", ".")


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


def cannot_start(what: str, missing: list[str]) -> str:
    return (
        f"{what} cannot be started without {' and '.join(missing)}, so the Dockerfile has no "
        "CMD; add what is missing, or pass --command '...'"
    )


# ASGI servers, best first, and how each serves `target` on every interface.
ASGI_SERVERS: Final[dict[str, Callable[[str], tuple[str, ...]]]] = {
    "uvicorn": lambda target: ("uvicorn", target, "--host", BIND, "--port", "8000"),
    "hypercorn": lambda target: ("hypercorn", target, "--bind", f"{BIND}:8000"),
    "granian": lambda target: ("granian", "--interface", "asgi", "--host", BIND, target),
    "daphne": lambda target: ("daphne", "--bind", BIND, "--port", "8000", target),
}


def asgi_server(context: Context) -> str | None:
    """The best ASGI server among the dependencies."""
    return next((s for s in ASGI_SERVERS if s in context.dependencies()), None)
