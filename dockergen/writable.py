"""Directories an app writes into at run time, found in its framework's settings.

The source in /app is root-owned so the app cannot change its own code; but Django's default
SQLite database lives in the project directory, and Flask keeps `instance/` there. Only those
directories (never the files in them) are given to the app's user, and `plan` says so: under
a read-only root filesystem they need a volume instead.
"""

from __future__ import annotations

import ast
import re
from typing import Final

from dockergen.model import Decided
from dockergen.project import ProjectDir
from dockergen.start.django import manage_py_folder, settings_files
from dockergen.start.scan import read_source

_SQLITE_IN_BASE_DIR: Final = r"(?m)django\.db\.backends\.sqlite3[\s\S]{0,300}?BASE_DIR"
_INSTANCE: Final = r"instance_relative_config\s*=\s*True|\.instance_path\b"
_FLASK_FILES: Final = ("app.py", "app/__init__.py", "wsgi.py")
# Settings whose value is a place the app writes: uploads, data, caches, logs, databases.
_WRITES: Final = r"(?i)MEDIA_ROOT|UPLOAD|DATA|CACHE|LOG|_FOLDER$|^NAME$|filename"
_NEVER_WRITTEN: Final = r"(?i)STATIC|TEMPLATE|LOCALE|FIXTURE"


_STAR: Final = r"(?m)^\s*from\s+\.?([\w.]*?)\.?(\w+)\s+import\s+\*"


def _with_star_imports(project: ProjectDir, settings: str, depth: int = 0) -> str:
    """A settings file's text and, two levels deep, the sibling modules it star-imports
    (`from .base import *`): where split settings keep their paths."""
    text = read_source(project, settings) or ""
    if depth >= 2:
        return text
    folder = settings.rsplit("/", 1)[0] if "/" in settings else ""
    for found in re.finditer(_STAR, text):
        sibling = f"{folder}/{found.group(2)}.py" if folder else f"{found.group(2)}.py"
        if sibling != settings:
            text += "\n" + _with_star_imports(project, sibling, depth + 1)
    return text


def _folders_under_base_dir(text: str) -> list[tuple[str, str]]:
    """(first folder under BASE_DIR, setting) for each writable setting that names a path
    there: `MEDIA_ROOT = BASE_DIR / "media"`, `"NAME": os.path.join(BASE_DIR, "data",
    "db.sqlite3")`; a file directly in BASE_DIR is left to the SQLite rule."""
    import ast

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        pairs: list[tuple[str, ast.AST]] = []
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            pairs.append((node.targets[0].id, node.value))
        elif isinstance(node, ast.Dict):
            pairs += [
                (k.value, v)
                for k, v in zip(node.keys, node.values, strict=False)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            ]
        for name, value in pairs:
            if not re.search(_WRITES, name) or re.search(_NEVER_WRITTEN, name):
                continue
            parts = _path_under_base(value)
            if len(parts) >= 2 or (parts and "." not in parts[0]):
                found.setdefault(parts[0], name)
    return list(found.items())


def _path_under_base(node: ast.AST) -> list[str]:
    """The literal parts of `os.path.join(BASE_DIR, "a", "b")` or `BASE_DIR / "a" / "b"`."""
    import ast

    parts: list[str] = []
    if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("path.join") and node.args:
        if ast.unparse(node.args[0]) != "BASE_DIR":
            return []
        rest = node.args[1:]
        parts = [a.value for a in rest if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        return parts if len(parts) == len(rest) else []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        if not (isinstance(node.right, ast.Constant) and isinstance(node.right.value, str)):
            return []
        parts.insert(0, node.right.value)
        node = node.left
    return parts if isinstance(node, ast.Name) and node.id == "BASE_DIR" else []


# A setting whose name says the app writes there: data_folder, UPLOAD_DIR, media_root.
_DATA_NAME: Final = (
    r"(?i)^\w*?(data|upload|uploads|media|storage)_?(dir|folder|path|root|directory)$"
)
_DATA_WORDS: Final = re.compile(r"(?i)(data|upload|media|storage)_?(dir|folder|path|root)")
_RELATIVE: Final = r"^(?:\./)?([A-Za-z0-9_][\w.-]*)(?:/[\w.-]+)*/?$"


def _declared_data_folders(project: ProjectDir) -> list[tuple[str, str, str]]:
    """(folder under /app, file, setting) for settings in the code whose name says data and
    whose default is a folder relative to the working directory: `data_folder: str =
    Field(default="./data")`, `UPLOAD_DIR = os.getenv("UPLOAD_DIR", "uploads")`."""
    from dockergen.start.scan import parsed

    found: dict[str, tuple[str, str, str]] = {}
    for source in parsed(project, _DATA_WORDS):
        for node in ast.walk(source.tree):
            target, value = None, None
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                target, value = node.target.id, node.value
            elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                target, value = node.targets[0].id, node.value
            if target is None or value is None or not re.match(_DATA_NAME, target):
                continue
            default = _default_string(value)
            match = re.match(_RELATIVE, default or "")
            if match and "." not in match.group(1) and match.group(1) not in found:
                found[match.group(1)] = (match.group(1), source.name, target)
    return list(found.values())


def _default_string(node: ast.expr) -> str | None:
    """The literal a setting falls back to: itself, a `default=`, a getenv's second argument,
    a Field's or a Path's first (`os.getenv("X", "data")`, `Field("./data")`, `Path("data")`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.Call):
        return None
    for keyword in node.keywords:
        if keyword.arg == "default":
            return _default_string(keyword.value)
    name = ast.unparse(node.func)
    if name.endswith(("getenv", "environ.get")) and len(node.args) >= 2:
        return _default_string(node.args[1])
    if name.endswith(("Field", "Path")) and node.args:
        return _default_string(node.args[0])
    return None


def _static_folders(project: ProjectDir, package: str) -> list[str]:
    """A Flask app's static folder: `static/` beside its package or at the root."""
    for folder in (f"{package}/static" if package else "", "app/static", "static"):
        if folder and project.is_dir(folder):
            return [folder]
    return []


def writable_dirs(
    project: ProjectDir, dependencies: frozenset[str], package: str
) -> tuple[Decided[str], ...]:
    found: list[Decided[str]] = []
    if "django" in dependencies and (folder := manage_py_folder(project)) is not None:
        for settings in settings_files(project, folder):
            text = _with_star_imports(project, settings)
            for sub, setting in _folders_under_base_dir(text):
                target = f"/app/{folder}/{sub}".replace("//", "/").rstrip("/")
                why = f"Django's {setting} is under {target} ({settings})"
                found.append(Decided(target, settings, why))
            if not found and re.search(_SQLITE_IN_BASE_DIR, text):
                target = f"/app/{folder}".rstrip("/")
                why = f"Django keeps its SQLite database in the project directory ({settings})"
                found.append(Decided(target, settings, why))
            if found:
                break
    for folder, file, name in _declared_data_folders(project):
        why = f"{file} declares {name}, a folder the app writes ({folder})"
        found.append(Decided(f"/app/{folder}", file, why))
    if {"flask-assets", "webassets"} & dependencies:
        for static in _static_folders(project, package):
            why = f"webassets keeps its cache and built bundles in {static} (Flask-Assets)"
            found.append(Decided(f"/app/{static}", static, why))
    if "flask" in dependencies:
        files = (*_FLASK_FILES, f"{package}/__init__.py") if package else _FLASK_FILES
        for file in files:
            if re.search(_INSTANCE, read_source(project, file) or ""):
                why = f"Flask keeps its instance folder beside the app ({file})"
                found.append(Decided("/app/instance", file, why))
                break
    return tuple(found)
