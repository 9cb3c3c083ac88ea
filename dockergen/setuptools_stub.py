"""setuptools: the packages its discovery finds, as stub paths, and what keeps a stub from them.

Checked by installing each layout editable with setuptools 84.2.1 (pip's isolated build),
once from a real tree and once from its stub, and comparing what each wrote. A src layout, or
`packages.find` with one `where`, writes a .pth naming that folder; a flat layout and the
`packages` and `py-modules` lists write a finder mapping each top-level name to its path, plus
the namespace folders found under it. Either way subpackages and modules added later resolve
from the real source. Anything else here is refused: it was not checked.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Final

from dockergen.errors import InvalidProjectFileError
from dockergen.model import Decided
from dockergen.pep440 import requirement as parse_requirement
from dockergen.project import ProjectDir
from dockergen.text import shorten

SETUPTOOLS: Final = "setuptools.build_meta"
VERIFIED: Final = "84.2.1"  # the setuptools the layouts above were checked with
_BUILD_REQUIRES: Final = {"setuptools", "setuptools-scm", "wheel"}
_DATA: Final = {"package-data", "exclude-package-data"}  # the editable install reads it in place
_TOOL_KEYS: Final = {"packages", "py-modules", "zip-safe", "include-package-data", *_DATA}
LICENSES: Final = ("LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*")  # setuptools' defaults
# The flat layout's reserved names (setuptools/discovery.py), top-level folders and modules.
_FLAT_PACKAGES: Final = (
    *("ci", "bin", "debian", "doc", "docs", "documentation", "manpages", "news"),
    *("newsfragments", "changelog", "test", "tests", "unit_test", "unit_tests", "example"),
    *("examples", "scripts", "tools", "util", "utils", "python", "build", "dist", "venv"),
    *("env", "requirements", "tasks", "fabfile", "site_scons", "benchmark", "benchmarks"),
    *("exercise", "exercises", "htmlcov", "[._]*", "ez_setup"),
)
_FLAT_MODULES: Final = (
    *("setup", "conftest", "test", "tests", "example", "examples", "build", "toxfile"),
    *("noxfile", "pavement", "dodo", "tasks", "fabfile", "[Ss][Cc]onstruct", "conanfile"),
    *("manage", "benchmark", "benchmarks", "exercise", "exercises", "[._]*"),
)
# A path the stub may create: plain names only, so the RUN line needs no quoting.
_PATH: Final = r"(?:[A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z_][A-Za-z0-9_]*(?:/|\.py)?"
MAX_FOLDERS: Final = 2000  # a package with more folders than this is refused, not walked

Stub = Decided[str] | tuple[tuple[str, ...], str]


def refusal(project: ProjectDir) -> str:
    """What makes setuptools read more than pyproject.toml and the package folders; ""."""
    if project.is_file("setup.py"):
        return "setup.py: setuptools runs it, and it may read the source"
    if section := _setup_cfg(project):
        return f"setup.cfg [{section}]: setuptools reads it as well"
    pyproject = project.pyproject()
    if why := _requires(pyproject.get("build-system", {}).get("requires", [])):
        return why
    tool = _get(pyproject, "tool", "setuptools")
    if tool is not None and not isinstance(tool, dict):
        return "[tool.setuptools] is not a table"
    if extra := sorted(set(tool or {}) - _TOOL_KEYS):
        return f"[tool.setuptools] {extra[0]}: not checked against a stub"
    scm = _get(pyproject, "tool", "setuptools_scm")
    if isinstance(scm, dict) and {"version_file", "write_to"} & set(scm):
        return "[tool.setuptools_scm] version_file: the build writes it into the source"
    globs = pyproject.get("project", {}).get("license-files", [])
    if any(not isinstance(g, str) or set(g) & set("*?[") for g in globs):
        return "[project] license-files globs: not checked against a stub"
    return ""


def license_files(project: ProjectDir) -> tuple[str, ...]:
    """The files setuptools adds to the dist-info when the metadata names no license file."""
    table = project.pyproject().get("project", {})
    license_ = table.get("license")
    if "license-files" in table or (isinstance(license_, dict) and "file" in license_):
        return ()
    return tuple(
        name
        for name in project.names(".")
        if any(fnmatch.fnmatchcase(name, p) for p in LICENSES)
        and not name.endswith("~")
        and project.kind(name) == "file"
    )


def packages(project: ProjectDir) -> Stub:
    """The stub paths that make setuptools find what it finds in the real tree: `dir/` a
    package (an empty __init__.py), `dir` a folder without one, `name.py` a module."""
    found = _packages(project)
    if isinstance(found, Decided) or not (
        odd := [p for p in found[0] if not re.fullmatch(_PATH, p)]
    ):
        return found
    return _refused(f"{found[1]}: {odd[0]} is not a path the stub can create")


def _packages(project: ProjectDir) -> Stub:
    tool = _get(project.pyproject(), "tool", "setuptools") or {}
    listed, modules = tool.get("packages"), tool.get("py-modules")
    if isinstance(listed, dict):
        return _find(project, listed, modules)
    if listed is not None or modules is not None:
        return _listed(project, listed or [], modules or [])
    if project.is_dir("src"):
        return _folder(project, "src", modules=True, where="src layout (setuptools' discovery)")
    return _flat(project)


def _listed(project: ProjectDir, listed: Any, modules: Any) -> Stub:
    where = "[tool.setuptools] packages and py-modules"
    if not isinstance(listed, list) or not isinstance(modules, list):
        return _refused(f"{where}: not arrays")
    paths = [f"{p.replace('.', '/')}/" for p in listed if isinstance(p, str)]
    paths += [f"{m}.py" for m in modules if isinstance(m, str) and "." not in m]
    if not paths or len(paths) != len(listed) + len(modules):
        return _refused(f"{where}: empty, or an entry that is not a plain name")
    for path in paths:
        if not _regular(project, path):
            return _refused(f"{where}: {path} is not a package with __init__.py or a module")
    return tuple(paths), where


def _find(project: ProjectDir, table: dict[str, Any], modules: Any) -> Stub:
    find = table.get("find") if set(table) == {"find"} else None
    if not isinstance(find, dict) or modules is not None or set(find) - {"where", "namespaces"}:
        return _refused("[tool.setuptools.packages]: only find with one where was checked")
    where = find.get("where")
    if not isinstance(where, list) or len(where) != 1:
        return _refused("[tool.setuptools.packages.find]: only one where was checked")
    folder = str(where[0]).strip("/")
    if folder in ("", ".") or not project.is_dir(folder) or not project.inside(folder):
        return _refused(f"[tool.setuptools.packages.find] where = {where}: not a subfolder")
    namespaces = find.get("namespaces", True) is not False
    detail = "[tool.setuptools.packages.find] where"
    return _folder(project, folder, modules=False, where=detail, namespaces=namespaces)


def _folder(
    project: ProjectDir, folder: str, *, modules: bool, where: str, namespaces: bool = True
) -> Stub:
    """Every top-level package (and, with `modules`, module) in a folder on the .pth."""
    paths = []
    for name in project.names(folder):
        path = f"{folder}/{name}"
        if project.is_dir(path) and name.isidentifier() and not _always_excluded(name):
            if project.is_file(f"{path}/__init__.py"):
                paths.append(f"{path}/")
            elif namespaces:
                paths.append(path)
        elif modules and name.endswith(".py") and name[:-3].isidentifier():
            paths.append(path)
    if not paths:
        return _refused(f"{where}: setuptools finds no package in {folder}/")
    return tuple(paths), where


def _flat(project: ProjectDir) -> Stub:
    """One top-level package (with its namespace folders), else one module, as setuptools'
    flat-layout discovery finds them; it refuses several of either."""
    names = project.names(".")
    found = [n for n in names if project.is_dir(n) and _flat_package(n)]
    kind = "packages"
    if not found:
        found = [n for n in names if n.endswith(".py") and _flat_module(n[:-3])]
        kind = "modules"
    where = "flat layout (setuptools' discovery)"
    if len(found) != 1:
        many = f"several top-level {kind} ({', '.join(found)})" if found else "no package"
        return _refused(f"{where}: setuptools finds {many}")
    path = f"{found[0]}/" if kind == "packages" else found[0]
    if not _regular(project, path):
        return _refused(f"{where}: {path} is not a package with __init__.py")
    folders = _namespaces(project, found[0]) if kind == "packages" else ()
    if folders is None:
        return _refused(f"{where}: {path} has more than {MAX_FOLDERS} folders, or a loop")
    return (path, *folders), where


def _flat_package(name: str) -> bool:
    valid = (name.isidentifier() or name.endswith("-stubs")) and "." not in name  # PEP 561
    return valid and not any(fnmatch.fnmatchcase(name, p) for p in _FLAT_PACKAGES)


def _always_excluded(name: str) -> bool:  # setuptools' PackageFinder.ALWAYS_EXCLUDE
    return name == "ez_setup" or name.endswith("__pycache__")


def _flat_module(name: str) -> bool:
    return name.isidentifier() and not any(fnmatch.fnmatchcase(name, p) for p in _FLAT_MODULES)


def _namespaces(project: ProjectDir, package: str) -> tuple[str, ...] | None:
    """The folders under `package` without __init__.py (the finder's NAMESPACES); None when
    there are too many to walk, or a symlink loops."""
    found: list[str] = []
    pending = [package]
    try:
        while pending:
            folder = pending.pop()
            for name in project.names(folder):
                path = f"{folder}/{name}"
                if name.isidentifier() and project.is_dir(path) and project.inside(path):
                    pending.append(path)
                    if not _always_excluded(name) and not project.is_file(f"{path}/__init__.py"):
                        found.append(path)
            if len(pending) + len(found) > MAX_FOLDERS:
                return None
    except InvalidProjectFileError:  # a symlink loop, deeper than the system follows
        return None
    return tuple(sorted(found))


def _regular(project: ProjectDir, path: str) -> bool:
    inner = f"{path}__init__.py" if path.endswith("/") else path
    return project.inside(path.rstrip("/")) and project.is_file(inner)


def _setup_cfg(project: ProjectDir) -> str:
    if not project.is_file("setup.cfg"):
        return ""
    import configparser  # here: only a project with a setup.cfg pays for importing it

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(project.read_text("setup.cfg"))
    except configparser.Error:
        return "unreadable"
    return next((s for s in parser.sections() if s == "metadata" or s.startswith("options")), "")


def _requires(requires: Any) -> str:
    for text in requires if isinstance(requires, list) else [requires]:
        requirement = parse_requirement(str(text))  # packaging's parser costs 25 ms: only here
        if requirement is None:
            return f"[build-system] requires {shorten(str(text))!r}: not a requirement"
        name = requirement.name.lower().replace("_", "-")
        if name not in _BUILD_REQUIRES:
            return f"[build-system] requires {name}: a setuptools plugin may read the source"
        if name == "setuptools" and not requirement.specifier.contains(VERIFIED, prereleases=True):
            checked = f"not the setuptools checked ({VERIFIED})"
            return f"[build-system] requires {shorten(str(text))}: {checked}"
    return ""


def _refused(why: str) -> Decided[str]:
    return Decided(why, "pyproject.toml")


def _get(table: Any, *keys: str) -> Any:
    for key in keys:
        table = table.get(key) if isinstance(table, dict) else None
    return table
