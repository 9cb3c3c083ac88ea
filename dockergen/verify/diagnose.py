"""From a failed build log or a container's output to a cause and a fix.

PATTERNS is the one table of known failures; tests/test_diagnose.py checks each entry
against captured output, and tests/broken/ holds a project that really fails that way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from packaging.markers import InvalidMarker, Marker

from dockergen.installers import REGISTRY, InstallerModule
from dockergen.names import DISTRIBUTION_OF, normalize
from dockergen.sysdeps import library_packages

BIND_FIX: Final = (
    "bind it to 0.0.0.0 (gunicorn --bind 0.0.0.0:PORT, uvicorn --host 0.0.0.0, "
    "flask run --host 0.0.0.0), e.g. with `dockergen update --command '...'`"
)
# Patterns that mean no request can reach the server: waiting longer cannot help.
UNREACHABLE: Final = frozenset({"loopback", "port-mismatch"})


@dataclass(frozen=True)
class Context:
    """What the patterns may need besides the text."""

    ports: tuple[int, ...] = ()  # EXPOSEd
    python: str | None = None  # the image's Python, e.g. "3.12.1"
    # Normalized distribution name -> its environment marker ("" when none).
    declared: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Diagnosis:
    pattern: str
    cause: str
    fix: str

    def __str__(self) -> str:
        return f"{self.cause}; {self.fix}"


Explain = Callable[[re.Match[str], Context], Diagnosis | None]


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: re.Pattern[str]
    explain: Explain


def _loopback(found: re.Match[str], ctx: Context) -> Diagnosis:
    cause = (
        f"the server binds to loopback: it listens on {found['host']}:{found['port']} inside "
        "the container, which nothing outside the container can reach"
    )
    return Diagnosis("loopback", cause, BIND_FIX)


def _port_mismatch(found: re.Match[str], ctx: Context) -> Diagnosis | None:
    port = int(found["port"])
    if not ctx.ports or port in ctx.ports:
        return None
    exposed = ", ".join(str(p) for p in ctx.ports)
    cause = f"port mismatch: the app listens on port {port}, but the image EXPOSEs {exposed}"
    fix = (
        f"start it on port {ctx.ports[0]} (e.g. --bind 0.0.0.0:{ctx.ports[0]}), "
        f"or EXPOSE {port} (`dockergen update --port {port}`)"
    )
    return Diagnosis("port-mismatch", cause, fix)


def _missing_module(found: re.Match[str], ctx: Context) -> Diagnosis:
    module = found["module"].split(".")[0]
    dist = normalize(DISTRIBUTION_OF.get(module, module))
    if dist not in ctx.declared:
        cause = f"ModuleNotFoundError: {module} is imported, but no dependency declares it"
        fix = f"add {dist} to the project's dependencies, re-lock if you use a lock, and rebuild"
        return Diagnosis("missing-module", cause, fix)
    marker = ctx.declared[dist]
    if marker and ctx.python and not _marker_holds(marker, ctx.python):
        cause = (
            f"ModuleNotFoundError: {module}: {dist} is declared only where `{marker}`, which "
            f"excludes this image's Python {ctx.python}, so it was not installed"
        )
        fix = (
            "the lock was resolved for another Python: build for a Python the marker "
            "includes (`dockergen update --python X.Y`), or widen the marker and re-lock"
        )
        return Diagnosis("module-excluded-by-marker", cause, fix)
    cause = f"ModuleNotFoundError: {module} is declared ({dist}) but not installed in the image"
    fix = f"check that {dist} is in the installed group (not dev-only or an extra), then re-lock"
    return Diagnosis("module-not-installed", cause, fix)


def _marker_holds(marker: str, python: str) -> bool:
    major_minor = ".".join(python.split(".")[:2])
    try:
        env = {"python_version": major_minor, "python_full_version": python}
        return Marker(marker).evaluate(env)
    except InvalidMarker:
        return True  # unreadable: not evidence that it excludes this Python


def _env_var(found: re.Match[str], ctx: Context) -> Diagnosis:
    name = found["name"] or found["name2"]
    cause = f"the environment variable {name} is not set ({found['error'].strip()[:120]})"
    fix = f"pass it with --env {name}=VALUE or --env-file FILE (in production: the deployment's)"
    return Diagnosis("missing-env", cause, fix)


def _stale_lock(module: InstallerModule) -> Explain:
    def explain(found: re.Match[str], ctx: Context) -> Diagnosis:
        cause = f"the lock is stale: {module.lockfile} no longer matches {module.lock_manifest}"
        fix = f"run `{module.lock_command}`, commit {module.lockfile}, and rebuild"
        return Diagnosis(f"stale-{module.lockfile}", cause, fix)

    return explain


def _missing_library(found: re.Match[str], ctx: Context) -> Diagnosis:
    library = found["lib"]
    cause = f"the system library {library} is missing from the image"
    # The package by release (sysdeps.LIBRARIES); the release is named only where they differ.
    commands = {f"`dockergen update --apt {p}`": r for r, p in library_packages(library).items()}
    if not commands:
        fix = (
            "add the Debian package that ships it to the final image (`dockergen update --apt PKG`)"
        )
    elif len(commands) == 1:
        fix = f"install its Debian package in the final image: {next(iter(commands))}"
    else:
        each = " or ".join(f"{command} ({release})" for command, release in commands.items())
        fix = f"install its Debian package in the final image: {each}"
    return Diagnosis("missing-library", cause, fix)


def _read_only(found: re.Match[str], ctx: Context) -> Diagnosis:
    cause = (
        f"the app writes to {found['path']}, and the image is read-only there by design "
        "(root owns /app; the app runs as a non-root user)"
    )
    fix = "write to /tmp or to a mounted volume (e.g. -v data:/data), chosen by an env variable"
    return Diagnosis("read-only-app", cause, fix)


def _sdist(found: re.Match[str], ctx: Context) -> Diagnosis:
    package = found["pkg"]
    python = f"Python {ctx.python}" if ctx.python else "this Python"
    cause = f"{package} has no wheel for {python} on this platform, and compiling its sdist failed"
    fix = (
        f"use a Python that {package} publishes wheels for (`dockergen update --python X.Y`), a "
        f"{package} version with wheels, or a compiler in the builder "
        "(`dockergen update --apt-build build-essential` plus the -dev headers it needs)"
    )
    return Diagnosis("sdist-build-failed", cause, fix)


def _p(name: str, regex: str, explain: Explain) -> Pattern:
    return Pattern(name, re.compile(regex, re.MULTILINE), explain)


_LISTEN = r"(?:Listening at:?|[Rr]unning on)\s+(?:https?://)?"


def _index_unreachable(found: re.Match[str], ctx: Context) -> Diagnosis:
    host = found["host"]
    cause = f"the build cannot reach the package index {host}: its name does not resolve"
    fix = (
        f"check the index URL that names {host} (requirements options, Pipfile [[source]], "
        "[[tool.*.source]] or [[tool.uv.index]]) and the build's network; an old PyPI address "
        "may need the current one"
    )
    return Diagnosis("index-unreachable", cause, fix)


PATTERNS: Final = (
    _p("loopback", _LISTEN + r"(?P<host>127\.0\.0\.1|localhost|\[::1\]):(?P<port>\d+)", _loopback),
    _p("port-mismatch", _LISTEN + r"(?:0\.0\.0\.0|\[::\]|\*):(?P<port>\d+)", _port_mismatch),
    _p(
        "missing-module",
        r"ModuleNotFoundError: No module named '(?P<module>[\w.]+)'",
        _missing_module,
    ),
    _p(
        "missing-env",
        r"(?P<error>KeyError: '(?P<name>[A-Z][A-Z0-9_]+)'|ImproperlyConfigured: [^\n]*?"
        r"\b(?P<name2>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b[^\n]*)",
        _env_var,
    ),
    # A stale lock, in each installer's words (the installer module knows them).
    *(
        _p(f"stale-{m.lockfile}", m.stale_lock_output, _stale_lock(m))
        for m in REGISTRY
        if m.lockfile and m.lock_command and m.stale_lock_output
    ),
    _p(
        "missing-library",
        r"(?P<lib>lib[\w+.-]*?\.so(?:\.\d+)*): cannot open shared object file",
        _missing_library,
    ),
    _p(
        "read-only-app",
        r"(?:Permission denied|Read-only file system): '(?P<path>/app(?:/[^']*)?)'",
        _read_only,
    ),
    _p(
        "sdist-build-failed",
        r"(?:Failed building wheel for|Failed to build(?! installable))"
        r" `?(?P<pkg>[A-Za-z0-9][\w.-]*)",
        _sdist,
    ),
    _p(
        "index-unreachable",
        r"(?:Failed to resolve|NameResolutionError\(.*?host=)'(?P<host>[A-Za-z0-9.-]+)'",
        _index_unreachable,
    ),
)


def diagnose(text: str, ctx: Context) -> list[Diagnosis]:
    """Every known cause found in `text`, once each, in table order."""
    found: list[Diagnosis] = []
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(text):
            diagnosis = pattern.explain(match, ctx)
            if diagnosis is not None and diagnosis not in found:
                found.append(diagnosis)
                break
    return found
