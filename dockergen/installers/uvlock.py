"""Whether uv.lock is out of date with pyproject.toml (part of the uv installer module).

uv.lock stores no hash of its inputs: uv re-reads the root package's metadata and compares it
with what the lock recorded. This compares only what uv always refuses — the requires-python
range, a static version, the names and specifiers of the dependencies, extras and dependency
groups — and answers None for everything it does not model (markers, constraints, overrides,
indexes, workspace members, dynamic metadata), so it never reports a fresh lock as stale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from packaging.utils import canonicalize_name
from packaging.version import Version

from dockergen.errors import NotPep440Error
from dockergen.installers.lockhash import Data, table
from dockergen.pep440 import (
    REQUIREMENT,
    checked_specifiers,
    checked_version,
    requirement,
    specifiers,
)
from dockergen.text import shown

Names = dict[str, set[str]]  # canonical name -> the specifiers it is required with
# (file, a value in it) -> "file:line", for messages.
Where = Callable[[str, str], str]
FIX: Final = {"pyproject.toml": "fix it", "uv.lock": "regenerate it with `uv lock`"}


def difference(pyproject: Data, lock: Data, where: Where) -> str | None:
    """What in pyproject.toml the lock disagrees with, in a few words; None when it agrees or
    when that cannot be decided. A value packaging cannot parse is an error: uv refuses it."""
    project, uv = table(pyproject, "project"), table(pyproject, "tool", "uv")
    name = project.get("name")
    dynamic = {d for d in project.get("dynamic", ()) if isinstance(d, str)}
    if not isinstance(name, str):
        return None
    # In a workspace the lock holds the intersection of every member's requires-python.
    found = None if "workspace" in uv else _requires_python(project, lock, where)
    root = _root(lock, name)
    if found or root is None:
        return found
    if "version" not in dynamic and (found := _version(project, root, where)):
        return found
    metadata = dict(table(root, "metadata"))
    if "metadata" in root and "revision" in lock:  # recent uv leaves empty tables out
        metadata.setdefault("requires-dist", [])
        metadata.setdefault("requires-dev", {})
    skip: set[str] = {canonicalize_name(k) for k in table(uv, "sources")}  # specifiers uv rewrites
    if "requires-dist" in metadata and not dynamic & {"dependencies", "optional-dependencies"}:
        extras = table(project, "optional-dependencies").values()
        declared = _names(where, project.get("dependencies"), *extras)
        locked_dist = _locked_names(metadata["requires-dist"], where)
        if not _same(declared, locked_dist, skip):
            return "[project] dependencies differ from the locked requires-dist"
    if "requires-dev" in metadata:
        return _requires_dev(pyproject, table(metadata, "requires-dev"), skip, where)
    return None


def _requires_python(project: Data, lock: Data, where: Where) -> str | None:
    """uv compares requires-python as a range: `~=3.11` and `>=3.11, <4` are the same."""
    declared, locked = project.get("requires-python"), lock.get("requires-python")
    if not isinstance(declared, str) or not isinstance(locked, str):
        return None
    for file, text in (("pyproject.toml", declared), ("uv.lock", locked)):
        checked_specifiers(text, where(file, text), "requires-python", FIX[file])
    ours, theirs = python_bounds(declared), python_bounds(locked)
    if ours is None or theirs is None or ours == theirs:
        return None
    return f"pyproject.toml has requires-python {shown(declared)}, the lock {shown(locked)}"


def _root(lock: Data, name: str) -> Data | None:
    """The lock's entry for the project itself: the one package with its name at `.`."""
    at_root = []  # the cheap test first: a lock can hold thousands of packages
    for package in lock.get("package", ()):
        source = package.get("source") if isinstance(package, dict) else None
        if isinstance(source, dict) and "." in (source.get("editable"), source.get("virtual")):
            at_root.append(package)
    roots = [p for p in at_root if canonicalize_name(str(p.get("name"))) == canonicalize_name(name)]
    return roots[0] if len(roots) == 1 else None


def _version(project: Data, root: Data, where: Where) -> str | None:
    """uv checks a static version even for a virtual root (`package = false`)."""
    declared, locked = project.get("version"), root.get("version")
    if not isinstance(declared, str) or not isinstance(locked, str):
        return None
    ours = checked_version(declared, where("pyproject.toml", declared), "version", "fix it")
    theirs = checked_version(locked, where("uv.lock", locked), "version", FIX["uv.lock"])
    if ours == theirs:  # 1.0 is 1.0.0
        return None
    return f"pyproject.toml has version {shown(declared)}, the lock {shown(locked)}"


def _requires_dev(pyproject: Data, locked: Data, skip: set[str], where: Where) -> str | None:
    groups: dict[str, list[Any]] = {}
    for group, deps in table(pyproject, "dependency-groups").items():
        if not isinstance(deps, list):
            return None  # uv refuses such a file: nothing to compare
        groups[canonicalize_name(group)] = list(deps)
    legacy = table(pyproject, "tool", "uv").get("dev-dependencies")
    if isinstance(legacy, list):  # tool.uv.dev-dependencies is the group "dev"
        groups.setdefault("dev", []).extend(legacy)
    # uv expands {include-group = "..."} entries before it compares: not modelled.
    if not all(isinstance(d, str) for deps in groups.values() for d in deps):
        return None
    locked_groups: dict[str, Any] = {canonicalize_name(k): v for k, v in locked.items()}
    if set(groups) != set(locked_groups):
        return "[dependency-groups] differ from the locked requires-dev"
    for group, deps in groups.items():
        if not _same(_names(where, deps), _locked_names(locked_groups[group], where), skip):
            return f"dependency group {shown(group)} differs from the locked requires-dev"
    return None


def python_bounds(spec: str) -> tuple[Version, Version] | None:
    """(lowest allowed, first excluded) Python of a requires-python; None when `spec` uses
    an operator this does not model (>, <=, !=, ===, an exact ==)."""
    lows, highs = [Version("0")], [Version("99999")]
    for specifier in specifiers(spec) or [None]:
        if specifier is None:  # not a specifier set
            return None
        operator, text = specifier.operator, specifier.version
        if operator not in (">=", "<", "~=") and not (operator == "==" and text.endswith(".*")):
            return None
        base = Version(text.removesuffix(".*"))  # it parses: specifiers() checked it
        (highs if operator == "<" else lows).append(base)
        if operator != ">=" and operator != "<":  # ~=X.Y[.Z] and ==X.Y.* cap the range too
            cap = base.release[:-1] if operator == "~=" else base.release
            highs.append(Version(".".join(map(str, (*cap[:-1], cap[-1] + 1)))))
    return max(lows), min(highs)


def _names(where: Where, *lists: object) -> Names | None:
    """The names and specifiers of PEP 508 strings; None when one is not a string."""
    found: Names = {}
    for requirements in lists:
        for text in requirements if isinstance(requirements, list) else ():
            if not isinstance(text, str):
                return None
            parsed = requirement(text)
            if parsed is None:
                at = where("pyproject.toml", text)
                raise NotPep440Error(at, "the dependency", text, REQUIREMENT, "fix it")
            name = canonicalize_name(parsed.name)
            found.setdefault(name, set()).add(str(parsed.specifier))
    return found


def _locked_names(entries: object, where: Where) -> Names:
    """The names and specifiers of a requires-dist / requires-dev array in uv.lock."""
    found: Names = {}
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            name = canonicalize_name(entry["name"])
            text = str(entry.get("specifier", ""))
            what = f"the specifier of {shown(name)}"
            checked_specifiers(text, where("uv.lock", text), what, FIX["uv.lock"])
            found.setdefault(name, set()).add(text)
    return found


def _same(declared: Names | None, locked: Names, skip: set[str]) -> bool:
    """The same names, and the same specifiers for each name without a [tool.uv.sources]
    entry (uv records those as the source states them). Undecidable counts as the same."""
    if declared is None:
        return True
    if set(declared) != set(locked):
        return False
    return all(
        {specifiers(s) for s in wanted} == {specifiers(s) for s in locked[name]}
        for name, wanted in declared.items()
        if name not in skip
    )
