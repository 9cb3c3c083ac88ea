"""From a failed build log or a container's output to a cause and a fix.

PATTERNS is the one table of known failures; tests/test_diagnose.py checks each entry
against captured output, and tests/broken/ holds a project that really fails that way.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from packaging.markers import Marker

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
    """A known failure: what caused it and the fix."""

    pattern: str
    cause: str
    fix: str

    def __str__(self) -> str:
        return f"{self.cause}; {self.fix}"


Explain = Callable[[re.Match[str], Context], Diagnosis | None]


@dataclass(frozen=True)
class Pattern:
    """How a known failure shows in a log, and what explains it."""

    name: str
    regex: re.Pattern[str]
    explain: Explain


def _loopback(found: re.Match[str], ctx: Context) -> Diagnosis | None:
    # Werkzeug on 0.0.0.0 prints "Running on all addresses" and then 127.0.0.1 among the
    # addresses it listens on: a server on every interface is not bound to loopback.
    if re.search(_LISTEN + r"(?:0\.0\.0\.0|\[::\]|\*)[:\s]|Running on all addresses", found.string):
        return None
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


# Standard-library modules a Python release removed (PEP 594, PEP 632, imp), and which.
_REMOVED_3_12: Final = ("distutils", "imp", "asynchat", "asyncore", "smtpd")
_REMOVED_3_13: Final = (
    *("aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib"),
    *("nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu"),
    *("xdrlib", "lib2to3"),
)
REMOVED_FROM_STDLIB: Final = {
    **dict.fromkeys(_REMOVED_3_12, "3.12"),
    **dict.fromkeys(_REMOVED_3_13, "3.13"),
}


def _missing_module(found: re.Match[str], ctx: Context) -> Diagnosis:
    module = found["module"].split(".")[0]
    if module in REMOVED_FROM_STDLIB:
        release = REMOVED_FROM_STDLIB[module]
        older = f"3.{int(release.split('.')[1]) - 1}"
        cause = (
            f"ModuleNotFoundError: {module} was removed from the standard library in Python "
            f"{release}; the code that imports it (a pinned dependency, or its setup.py) was "
            f"written for Python {older} or older"
        )
        fix = (
            f"build for Python {older} (`dockergen update --python {older}`, and state it in "
            ".python-version), or upgrade the dependency that imports it"
        )
        return Diagnosis("removed-from-stdlib", cause, fix)
    if module == "pkg_resources":
        cause = (
            "ModuleNotFoundError: pkg_resources: setuptools 82 removed it, and a dependency "
            "still imports it (the traceback shows which)"
        )
        fix = (
            "add `setuptools<82` to the project's dependencies (re-lock if you use a lock), or "
            "upgrade the dependency that imports pkg_resources"
        )
        return Diagnosis("pkg-resources-removed", cause, fix)
    # `encodings` at start-up: Python cannot find its own library (not a module newer than
    # the image's Python, such as tomllib on 3.10, which fails later and not fatally).
    if module in sys.stdlib_module_names and "Fatal Python error" in found.string:
        cause = (
            f"ModuleNotFoundError: {module} is part of the standard library: the interpreter "
            "does not find its own standard library"
        )
        fix = (
            "a PYTHONHOME, or a server's home/virtualenv setting (uWSGI's `virtualenv = "
            "$(VIRTUAL_ENV)` with VIRTUAL_ENV unset), points it elsewhere: point it at "
            "/app/.venv or remove it"
        )
        return Diagnosis("no-standard-library", cause, fix)
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
    except ValueError:  # InvalidMarker, or a version with thousands of digits
        return True  # unreadable: not evidence that it excludes this Python


def _env_var(found: re.Match[str], ctx: Context) -> Diagnosis:
    name = found["name"] or found["name2"]
    cause = f"the environment variable {name} is not set ({found['error'].strip()[:120]})"
    fix = f"pass it with --env {name}=VALUE or --env-file FILE (in production: the deployment's)"
    return Diagnosis("missing-env", cause, fix)


def _settings(found: re.Match[str], ctx: Context) -> Diagnosis:
    names = [n.upper() for n in re.findall(r"^(\w+)\n  [Ff]ield required", found["fields"], re.M)]
    listed = ", ".join(names[:8])
    cause = (
        f"the app's settings ({found['model']}) require {listed}, which the environment does "
        "not set (pydantic: field required)"
    )
    fix = (
        f"pass them with --env {names[0]}=VALUE ... or --env-file FILE (in production: the "
        "deployment's; an env_prefix in the settings class goes before each name)"
    )
    return Diagnosis("missing-settings", cause, fix)


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
    path = found["path"]
    where = path if path.startswith("/") else f"{path} (under /app, the working directory)"
    cause = (
        f"the app writes to {where}, and the image is read-only there by design "
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


def _no_such_table(found: re.Match[str], ctx: Context) -> Diagnosis:
    cause = (
        f"the database has no table {found['table']!r}: the app's migrations (or its database "
        "set-up command) never ran"
    )
    fix = (
        "run them before the server starts (Django: python manage.py migrate; Flask-Migrate: "
        "flask db upgrade; or the project's own init command), e.g. in the start command or a "
        "one-off compose service; `verify --env` points the app at a database"
    )
    return Diagnosis("no-migrations", cause, fix)


def _disallowed_host(found: re.Match[str], ctx: Context) -> Diagnosis:
    host = f" {found['host']!r}" if found["host"] else ""
    cause = (
        f"Django refused the request's Host header{host}: it is not in ALLOWED_HOSTS "
        "(DisallowedHost, answered 400)"
    )
    fix = (
        "list the hosts the app is served as in ALLOWED_HOSTS (or the variable the settings "
        "read it from; pass it with --env to verify)"
    )
    return Diagnosis("disallowed-host", cause, fix)


def _csrf(found: re.Match[str], ctx: Context) -> Diagnosis:
    cause = "Django refused the request: CSRF verification failed (the origin is not trusted)"
    fix = "add the site's origin to CSRF_TRUSTED_ORIGINS (or the variable the settings read)"
    return Diagnosis("csrf", cause, fix)


def _python_too_new(found: re.Match[str], ctx: Context) -> Diagnosis:
    python = f"Python {ctx.python}" if ctx.python else "the image's Python"
    cause = (
        f"no release of {found['requirement']} installs on {python}: the pins were made for an "
        "older Python, which the project does not state"
    )
    fix = (
        "build for the Python the pins were made for (`dockergen update --python X.Y`, and state "
        "it in .python-version or runtime.txt), or update the pins"
    )
    return Diagnosis("python-too-new", cause, fix)


_SERVICES: Final = {
    "5432": "a PostgreSQL",
    "3306": "a MySQL",
    "6379": "a Redis",
    "27017": "a MongoDB",
    "5672": "a RabbitMQ",
    "11211": "a memcached",
}


def _service(found: re.Match[str], ctx: Context) -> Diagnosis:
    service = _SERVICES.get(found["port"], "a service")
    cause = (
        f"the app needs {service} server at start (port {found['port']} refused the "
        "connection), and none runs beside the container"
    )
    fix = (
        f"run {service.removeprefix('a ')} beside it (compose) and pass its address with --env "
        "(the variable the settings read, e.g. DATABASE_URL, REDIS_URL)"
    )
    return Diagnosis("needs-service", cause, fix)


def _no_start_command(found: re.Match[str], ctx: Context) -> Diagnosis:
    cause = "dockergen found no start command, so the image's CMD only says so and exits"
    fix = "set one: `dockergen update --command '...'` (and --port for a server)"
    return Diagnosis("no-start-command", cause, fix)


def _p(name: str, regex: str, explain: Explain) -> Pattern:
    return Pattern(name, re.compile(regex, re.MULTILINE), explain)


_LISTEN = r"(?:Listening at:?|[Rr]unning on)\s+(?:https?://)?"


def _index_unreachable(found: re.Match[str], ctx: Context) -> Diagnosis:
    host = found["host"] or found["host2"]
    cause = f"the build cannot reach the package index {host}: its name does not resolve"
    fix = (
        f"check the index URL that names {host} (requirements options, Pipfile [[source]], "
        "[[tool.*.source]] or [[tool.uv.index]]) and the build's network; an old PyPI address "
        "may need the current one"
    )
    return Diagnosis("index-unreachable", cause, fix)


def _command_not_found(found: re.Match[str], ctx: Context) -> Diagnosis:
    command = found["command"]
    cause = f"the image's command {command} is not in the image, so the container cannot start"
    fix = (
        f"add the package that installs {command} to the project's dependencies and "
        "rebuild, or change the start command (`dockergen update --command '...'`)"
    )
    return Diagnosis("command-not-found", cause, fix)


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
    _p(
        "missing-settings",
        r"validation errors? for (?P<model>\w*(?:Settings|Config)\w*)\n"
        r"(?P<fields>(?:\w+\n  [Ff]ield required[^\n]*(?:\n|$))+)",
        _settings,
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
        r"(?:Permission denied|Read-only file system): '(?P<path>/app(?:/[^']*)?|(?![/~])[^']+)'",
        _read_only,
    ),
    _p(
        "sdist-build-failed",
        r"(?:Failed building wheel for|Failed to build(?! installable))"
        r" `?(?P<pkg>[A-Za-z0-9][\w.-]*)",
        _sdist,
    ),
    _p("no-start-command", r"dockergen: no start command was found", _no_start_command),
    _p(
        "no-migrations",
        r"(?:no such table|relation \"?(?=\w)(?=[^\n]*does not exist)|Table '[\w.]+' doesn't exist)"
        r":? ?\"?'?(?P<table>[\w.]+)",
        _no_such_table,
    ),
    _p(
        "disallowed-host",
        r"Invalid HTTP_HOST header: '(?P<host>[^']*)'|<h1>Bad Request \(400\)</h1>",
        _disallowed_host,
    ),
    _p("csrf", r"CSRF verification failed|Forbidden \(Origin checking failed", _csrf),
    _p(
        "python-too-new",
        r"that require a different python version[\s\S]*?No matching distribution found for "
        r"(?P<requirement>[A-Za-z0-9][\w.-]*==[\w.!+-]+)",
        _python_too_new,
    ),
    _p(
        "needs-service",
        r"^(?=[^\n]*(?:[Rr]efused|[Cc]ould not connect|[Ff]ailed to connect|[Cc]onnect call "
        r"failed|Error 111))[^\n]*?(?:,? port |:|', )(?P<port>5432|3306|6379|27017|5672|11211)\b",
        _service,
    ),
    _p(
        "command-not-found",
        r'exec: "(?P<command>[^"\n]+)": executable file not found',
        _command_not_found,
    ),
    _p(
        "index-unreachable",
        r"(?:Failed to resolve|NameResolutionError\(.*?host=)'(?P<host>[A-Za-z0-9.-]+)'"
        r"|Looking in indexes: https?://(?:[^@/\s]*@)?(?P<host2>[A-Za-z0-9.-]+)[^\n]*\n"
        r"(?:[^\n]*\n){0,40}?[^\n]*(?:Name or service not known|Temporary failure in name "
        r"resolution)",
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


_EXCEPTION: Final = re.compile(
    r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Warning|Interrupt|Failure)): (?P<msg>.*)$",
    re.MULTILINE,
)
_FRAME: Final = re.compile(r'^\s*File "(?P<file>[^"]+)", line \d+', re.MULTILINE)


def server_error(outcome: object) -> list[Diagnosis]:
    """When nothing in the table matched a failed request: the last exception the app logged,
    and whether it was raised inside a dependency (an unpinned one may have moved on)."""
    output = str(getattr(outcome, "output", ""))
    probe = getattr(outcome, "probe", None)
    status = getattr(probe, "status", None)
    exceptions = list(_EXCEPTION.finditer(output))
    if status is None or status < 500 or not exceptions:
        return []
    last = exceptions[-1]
    frames = [f["file"] for f in _FRAME.finditer(output[: last.start()])]
    where = frames[-1] if frames else ""
    inside = re.search(r"site-packages/([\w.-]+)/", where)
    cause = f"the app failed the request with {last['type']}: {last['msg'][:200]}"
    if inside:
        package = inside.group(1)
        cause += f" (raised inside {package}, a dependency)"
        fix = (
            f"if {package}'s version is not pinned, the build installed its newest release, "
            "which may no longer fit the code: pin the versions the app was written against "
            "(a lock file); else fix the call in the app"
        )
    else:
        fix = f"fix the error in {where or 'the app'} (the output above shows the traceback)"
    return [Diagnosis("server-error", cause, fix)]
