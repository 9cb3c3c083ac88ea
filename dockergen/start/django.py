"""Django: followed from manage.py, as Django itself is.

manage.py names the settings module (`DJANGO_SETTINGS_MODULE`) and may put a folder on
`sys.path` first (`sys.path.insert(0, "src")`); the settings name the WSGI and ASGI
applications (`WSGI_APPLICATION = "shop.wsgi.application"`). Those are read, in that order,
before falling back to a `wsgi.py` beside the settings.
"""

from __future__ import annotations

import ast
import dataclasses
import posixpath
import re
from collections.abc import Iterator
from typing import Final

from dockergen.errors import DockergenError
from dockergen.model import Decided
from dockergen.project import ProjectDir
from dockergen.start.candidate import Candidate, Origin, Role
from dockergen.start.scan import read_source
from dockergen.start.serve import ASGI_SERVERS
from dockergen.start.servers import BIND

_SETTINGS: Final = r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]"""
_SETTINGS_NAMED: Final = r"""['"](\w+(?:\.\w+)*\.settings(?:\.\w+)*)['"]"""
_STATIC_ROOT: Final = r"(?m)^STATIC_ROOT\s*[:=]"
_APPLICATION: Final = r"""(?m)^(WSGI|ASGI)_APPLICATION\s*=\s*['"]([\w.]+)\.(\w+)['"]"""


def django_candidates(project: ProjectDir, dependencies: frozenset[str]) -> Iterator[Candidate]:
    folder = manage_py_folder(project)
    if folder is None or "django" not in dependencies:
        return
    manage = f"{folder}/manage.py" if folder else "manage.py"
    text = read_source(project, manage) or ""
    roots = [folder, *_path_insertions(text, folder)]
    settings = _settings_module(text)
    apps = _applications(project, roots, settings)
    wsgi, asgi = apps.get("WSGI"), apps.get("ASGI")
    where = Candidate((), manage, "", Origin.CODE, role=Role.SERVER)
    if wsgi and "gunicorn" in dependencies:
        root, module, attr = wsgi
        chdir = ("--chdir", root) if root else ()
        argv = ("gunicorn", *chdir, "--bind", f"{BIND}:8000", f"{module}:{attr}")
        what = f"Django project, {_path(root, module)} served by gunicorn"
        yield dataclasses.replace(
            where, argv=argv, what=what, line=_line(text, "DJANGO_SETTINGS_MODULE")
        )
        return
    server = next((s for s in ASGI_SERVERS if s in dependencies), None)
    if asgi and server:
        root, module, attr = asgi
        argv = ASGI_SERVERS[server](f"{module}:{attr}", False)
        if root:
            argv = (*argv, "--app-dir", root) if server == "uvicorn" else argv
        if not root or server == "uvicorn":
            what = f"Django project, {_path(root, module)} served by {server}"
            yield dataclasses.replace(where, argv=argv, what=what)
            return
    if not wsgi:
        yield dataclasses.replace(
            where,
            argv=(),
            what=f"the Django project ({manage})",
            warnings=(
                f"the Django project ({manage}) cannot be started without a wsgi.py next to the "
                "settings module named in manage.py, so no CMD was found; add what is missing, "
                "or pass --command '...'",
            ),
        )
        return
    argv = ("python", manage, "runserver", f"{BIND}:8000")
    note = (
        f"{manage}: neither gunicorn nor an ASGI server is a dependency, so Django's "
        "development server runs it; add gunicorn for production"
    )
    yield dataclasses.replace(
        where, argv=argv, what="Django project, Django's development server", warnings=(note,)
    )


def _line(text: str, needle: str) -> int:
    return next((n for n, row in enumerate(text.splitlines(), 1) if needle in row), 0)


def _path(root: str, module: str) -> str:
    return posixpath.join(root, module.replace(".", "/") + ".py")


def _settings_module(text: str) -> list[str]:
    found = re.search(_SETTINGS, text) or re.search(_SETTINGS_NAMED, text)
    return found.group(1).split(".") if found else []


def _path_insertions(text: str, folder: str) -> list[str]:
    """Folders manage.py puts on sys.path: `sys.path.insert(0, "src")`, or a join of its own
    folder and a name (`os.path.join(BASE_DIR, "apps")`, `BASE / "src"`)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ("insert", "append") or ast.unparse(node.func.value) != "sys.path":
            continue
        value = node.args[-1] if node.args else None
        names = (
            [
                n.value
                for n in ast.walk(value)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
            if value is not None
            else []
        )
        for name in names:
            if re.fullmatch(r"[\w.-]+(/[\w.-]+)*", name) and name not in (".", ".."):
                found.append(posixpath.join(folder, name) if folder else name)
    return found


def _applications(
    project: ProjectDir, roots: list[str], settings: list[str]
) -> dict[str, tuple[str, str, str]]:
    """kind -> (import root, module, attribute) of the WSGI/ASGI applications."""
    found: dict[str, tuple[str, str, str]] = {}
    for root in roots:
        prefix = f"{root}/" if root else ""
        module = "/".join(settings)
        for file in (f"{prefix}{module}.py", f"{prefix}{module}/__init__.py"):
            for match in re.finditer(
                _APPLICATION, read_source(project, file) or "" if module else ""
            ):
                target = match.group(2)
                if _exists(project, prefix, target):
                    found.setdefault(match.group(1), (root, target, match.group(3)))
    if not found:  # a wsgi.py/asgi.py beside the settings module
        for root in roots:
            prefix = f"{root}/" if root else ""
            for kind in ("WSGI", "ASGI"):
                for depth in range(len(settings) - 1, 0, -1):
                    module = ".".join((*settings[:depth], kind.lower()))
                    if _exists(project, prefix, module):
                        found.setdefault(kind, (root, module, "application"))
                        break
    return found


def _exists(project: ProjectDir, prefix: str, module: str) -> bool:
    path = prefix + module.replace(".", "/")
    try:
        return project.is_file(f"{path}.py") or project.is_file(f"{path}/__init__.py")
    except DockergenError:  # a guess: an odd file where a module goes is no application
        return False


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
    return _settings_module(read_source(project, manage) or "")


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
        if re.search(_STATIC_ROOT, read_source(project, settings) or ""):
            argv = ("python", f"{prefix}manage.py", "collectstatic", "--noinput")
            detail = f"Django: collect static files into STATIC_ROOT (set in {settings})"
            return (Decided(argv, settings, detail),)
    return ()


def debug_off(
    project: ProjectDir, dependencies: frozenset[str]
) -> tuple[tuple[Decided[tuple[str, str]], ...], tuple[str, ...]]:
    """Django's production mode, explicitly: the environment variable the settings read DEBUG
    from, set to a value they read as false; a DEBUG that is True in the code is warned about
    (it serves Django's debug pages, settings included, to anyone)."""
    folder = manage_py_folder(project)
    if folder is None or "django" not in dependencies:
        return (), ()
    for settings in settings_files(project, folder):
        text = read_source(project, settings)
        if text is None:
            continue
        for file, node in _debug_assignments(project, settings):
            value = node.value
            read = _env_variable(value)
            if read:
                off = _false_value(value)
                why = f"{file}: DEBUG reads {read}; the image sets production mode explicitly"
                return (Decided((read, off), file, why),), ()
            if isinstance(value, ast.Constant) and value.value is True:
                warning = (
                    f"{file}:{node.lineno}: DEBUG = True, so the image serves Django's debug "
                    "pages (settings and tracebacks) to anyone; read it from the environment, "
                    "e.g. DEBUG = os.environ.get('DEBUG') == '1'"
                )
                return (), (warning,)
        return (), ()
    return (), ()


def _debug_assignments(project: ProjectDir, settings: str) -> Iterator[tuple[str, ast.Assign]]:
    """`DEBUG = ...` in the settings file and the modules it star-imports, last one first."""
    files = [settings]
    folder = posixpath.dirname(settings)
    text = read_source(project, settings) or ""
    for found in re.finditer(r"^\s*from\s+\.(\w+)\s+import\s+\*", text, re.MULTILINE):
        files.append(posixpath.join(folder, f"{found.group(1)}.py"))
    for file in files:
        try:
            tree = ast.parse(read_source(project, file) or "")
        except (SyntaxError, ValueError, RecursionError):
            continue
        for node in reversed(tree.body):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "DEBUG"
            ):
                yield file, node
                break


def _env_variable(node: ast.expr) -> str:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Subscript) and ast.unparse(inner.value).endswith("environ"):
            key = inner.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return key.value
        if isinstance(inner, ast.Call) and inner.args and isinstance(inner.args[0], ast.Constant):
            func = ast.unparse(inner.func).lower()
            name = func.rsplit(".", 1)[-1]
            if isinstance(inner.args[0].value, str) and (
                "env" in func or name in ("get", "config")
            ):
                return inner.args[0].value
    return ""


def _false_value(node: ast.expr) -> str:
    """What the expression reads as false: "0" through int(), "" through a bare bool() of the
    string, else "False" (==/in comparisons, strtobool, env.bool, decouple's cast=bool)."""
    text = ast.unparse(node)
    if "int(" in text:
        return "0"
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "bool" and node.args:
        inner = node.args[0]
        if isinstance(inner, ast.Call) and "strtobool" not in ast.unparse(inner.func):
            return ""
    return "False"


_COLLECTSTATIC: Final = (
    r"(?:^|(?<=&&)|(?<=;))\s*(?:python3?\s+)?(?:\./)?[\w/]*manage\.py\s+collectstatic\b[^;&|]*"
    r"(?:&&|;)\s*"
)


def without_build_steps(
    project: ProjectDir, argv: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A start line that runs `manage.py collectstatic` first: the image runs it at build time
    (STATIC_ROOT is root-owned at run time), so the start command skips it; said once."""
    if len(argv) != 3 or argv[:2] != ("sh", "-c") or "collectstatic" not in argv[2]:
        return argv, ()
    if not django_build_steps(project, frozenset({"django"})):
        return argv, ()
    line = re.sub(_COLLECTSTATIC, " ", argv[2]).strip()
    if line == argv[2].strip():
        return argv, ()
    note = (
        "the start command's collectstatic is left out: the image collects the static files "
        "at build time, and their folder is not writable at run time"
    )
    return ("sh", "-c", line), (note,)
