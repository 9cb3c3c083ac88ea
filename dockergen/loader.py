"""Where templates come from: the built-in set, optionally under a team's own directory.

A name found in the team's directory replaces the built-in one of that name; every other name
falls back to the built-in set, which also stays reachable as `builtin/<name>`, so a team
template can `{% extends "builtin/Dockerfile.j2" %}` and change one block. Both sources refuse
names that could leave their directory. This module does the reading, so rendering stays pure.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

import jinja2

from dockergen.errors import TemplateError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

BUILTIN: Final = "builtin"
CONTRACT: Final = "docs/templates.md"
# Failures that come from template code (a user's, or a built-in one a user override broke):
# each becomes a TemplateError naming the template file and line. Anything else is a bug.
TEMPLATE_FAULTS: Final = (
    jinja2.TemplateError,
    RecursionError,
    TypeError,
    ValueError,
    LookupError,
    ArithmeticError,
)

Source = tuple[str, str, Callable[[], bool] | None]


class UnsafeTemplateNameError(jinja2.TemplateError):
    """A template name that could read outside its directory (a Jinja error, so it carries
    the location of the `{% extends %}` or `{% include %}` that asked for it)."""


def template_root() -> Traversable:
    """The templates: packaged in a wheel, or top-level templates/ in a source checkout.
    importlib.resources (which imports zipfile) only for a package that is not a folder on
    disk, one imported from a zip file: a folder is read as it is, at no start-up cost."""
    here = Path(__file__)
    for folder in (here.parent / "templates", here.resolve().parent.parent / "templates"):
        if folder.is_dir():
            return folder
    from importlib import resources

    return resources.files("dockergen") / "templates"


def safe_parts(name: str) -> tuple[str, ...]:
    """The path segments of a template name; refuses absolute names, `..` and backslashes."""
    if name.startswith("/") or "\\" in name or re.match(r"[A-Za-z]:", name):
        raise UnsafeTemplateNameError(f"template name {name!r} is absolute")
    parts = tuple(part for part in name.split("/") if part not in ("", "."))
    if ".." in parts or not parts:
        raise UnsafeTemplateNameError(f"template name {name!r} leaves the template directory")
    return parts


class Loader(jinja2.BaseLoader):
    """`builtin/NAME` -> built-in NAME; NAME -> the team's NAME if it exists, else built-in."""

    def __init__(self, user_dir: Path | None) -> None:
        self.user_dir = user_dir
        # Every filename handed to Jinja: frames of these files in a traceback are template code.
        self.filenames: set[str] = set()

    def get_source(self, environment: jinja2.Environment, template: str) -> Source:
        parts = safe_parts(template)
        if parts[0] == BUILTIN:
            found = self._builtin(parts[1:])
        else:
            found = self._user(parts) or self._fallback(parts)
        if found is None:
            raise jinja2.TemplateNotFound(template)
        self.filenames.add(found[1])
        return found

    def _fallback(self, parts: tuple[str, ...]) -> Source | None:
        """The built-in template, until the team adds its own of that name."""
        found = self._builtin(parts)
        if found is None or self.user_dir is None:
            return found
        override = self.user_dir.joinpath(*parts)
        return found[0], found[1], lambda: not override.exists()

    def _builtin(self, parts: tuple[str, ...]) -> Source | None:
        entry = template_root().joinpath(*parts) if parts else None
        if entry is None or not entry.is_file():
            return None
        # Built-in templates never change while the process runs: always up to date.
        return entry.read_text(encoding="utf-8"), "/".join((BUILTIN, *parts)), None

    def _user(self, parts: tuple[str, ...]) -> Source | None:
        if self.user_dir is None:
            return None
        if not self.user_dir.is_dir():
            raise TemplateError(
                str(self.user_dir), "no such template directory", "pass an existing directory"
            )
        path = self.user_dir.joinpath(*parts)
        if not path.is_file():
            return None
        # A symlink may point anywhere: only its final target decides whether it is inside.
        if not path.resolve().is_relative_to(self.user_dir.resolve()):
            raise UnsafeTemplateNameError(f"{path} resolves outside {self.user_dir}")
        mtime = path.stat().st_mtime_ns
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise TemplateError(
                str(path), f"is not UTF-8 text (byte {exc.start})", "save it as UTF-8"
            ) from exc
        return text, str(path), lambda: _unchanged(path, mtime)


def _unchanged(path: Path, mtime: int) -> bool:
    try:
        return path.stat().st_mtime_ns == mtime
    except OSError:
        return False


def template_error(exc: BaseException, loader: Loader) -> TemplateError | None:
    """The user-facing form of a failure while rendering; None when it is dockergen's bug."""
    if loader.user_dir is None:
        return None  # only built-in templates took part: whatever failed is dockergen's bug
    where = _location(exc, loader)
    if where is None and not isinstance(exc, jinja2.TemplateError | RecursionError):
        return None  # raised in dockergen's own Python code, not by a template
    return TemplateError(where or str(loader.user_dir), *_problem_and_fix(exc))


def _location(exc: BaseException, loader: Loader) -> str | None:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"{exc.filename or exc.name}:{exc.lineno}"
    # Jinja rewrites tracebacks so that template code shows as frames of the template file.
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in loader.filenames]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else None


def _problem_and_fix(exc: BaseException) -> tuple[str, str]:
    listed = f"the blocks, names and filters a template may use are listed in {CONTRACT}"
    if isinstance(exc, RecursionError):
        return (
            "templates extend or include each other in a loop",
            f'a template that replaces a built-in one extends it as "{BUILTIN}/NAME"',
        )
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return (
            f"refused by the sandbox: {str(exc).rstrip('.')}",
            f"use only documented names; {listed}",
        )
    if isinstance(exc, UnsafeTemplateNameError):
        return str(exc), "name templates relative to the template directory and keep them in it"
    if isinstance(exc, jinja2.TemplateNotFound):
        return (
            f"template {exc.name!r} not found",
            f'name a file in the template directory, or a built-in template as "{BUILTIN}/NAME"',
        )
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"syntax error: {exc.message}", f"fix the template; {listed}"
    if isinstance(exc, jinja2.UndefinedError):
        return str(exc.message), f"use a documented name; {listed}"
    return f"{type(exc).__name__}: {exc}", f"fix the template; {listed}"
