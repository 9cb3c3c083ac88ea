"""What the container runs, and the port it serves: read where the authors wrote it first.

Every source proposes candidates (`Candidate`), strongest first:

1. the user's command (`--command`, `[tool.dockergen] command`);
2. the authors' production files: Procfile, platform files (fly.toml, render.yaml, railway,
   App Engine's app.yaml, nixpacks.toml), their own Dockerfile, a compose file, supervisord,
   a gunicorn.conf.py naming its app (`dockergen.start.authored`);
3. the authors' shortcuts: task runners in pyproject.toml, Makefile targets (`tasks`);
4. the code: Django's settings, app objects and factories, scripts that start a server,
   Streamlit scripts, task workers (`code`, `serve`, `django`);
5. the project's entry points: a single console script, `python -m pkg`, main.py.

Within a rank, a server beats a worker, and a worker a plain command. A command only a
developer runs (a reload flag, Flask's or Django's own server) is turned into its production
form when a production server is installed, or else loses to one that is. A command that
cannot run in the image (a server that is not a dependency, a script that is not in the
project) loses too. `plan` lists every candidate with its file and line, and why it lost.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from dockergen.errors import DockergenError
from dockergen.installers import REGISTRY
from dockergen.model import Decided
from dockergen.names import import_name, normalize
from dockergen.project import ProjectDir
from dockergen.safety import check_command, check_port
from dockergen.setupcfg import setup_cfg
from dockergen.start import authored, tasks
from dockergen.start.candidate import Candidate, Origin, Role
from dockergen.start.code import find_apps
from dockergen.start.django import django_candidates, without_build_steps
from dockergen.start.serve import code_candidates
from dockergen.start.servers import (
    Server,
    command_port,
    config_files,
    default_port,
    development_server,
    listening_everywhere,
    loopback_warning,
    named_port_in,
    role_of,
    servers_in,
    without_dev_flags,
)
from dockergen.start.shell import argv_of, reads_port, stated_port, with_port

if TYPE_CHECKING:
    from dockergen.settings import Settings

NO_COMMAND_WARNING: Final = (
    "no start command found, so the image's CMD stops with a message saying so; pass "
    "--command '...' to set one"
)
# Distributions that install each server's program.
PROVIDED_BY: Final = {
    "gunicorn": "gunicorn",
    "uvicorn": "uvicorn",
    "hypercorn": "hypercorn",
    "daphne": "daphne",
    "granian": "granian",
    "waitress-serve": "waitress",
    "streamlit": "streamlit",
    "panel": "panel",
    "bokeh": "bokeh",
    "datasette": "datasette",
    "celery": "celery",
    "rq": "rq",
    "dramatiq": "dramatiq",
    "huey_consumer": "huey",
    "uwsgi": "uwsgi",
    "litestar": "litestar",
    "fastapi": "fastapi-cli",
    "flask": "flask",
    "sanic": "sanic",
}
# What brings a program in besides its own distribution (fastapi[standard] brings the CLI).
_ALSO_PROVIDED: Final = {"uwsgi": ("pyuwsgi",)}


@dataclass(frozen=True, slots=True)
class StartCommand:
    """How the app starts: the command, its port and environment, and what to warn about."""

    command: Decided[tuple[str, ...]] | None
    port: Decided[int] | None  # when known
    environment: tuple[Decided[tuple[str, str]], ...]  # ENV lines the command needs
    warnings: tuple[str, ...]
    # Folders outside /app the command writes (the authors' VOLUMEs): the app's user owns them.
    writable: tuple[Decided[str], ...] = ()


def choose_command(
    project: ProjectDir,
    settings: Settings,
    dependencies: frozenset[str],
    *,
    installs_project: bool,
) -> StartCommand:
    """The start command, the port it serves (when known), its environment, and warnings;
    `dependencies` are the project's (dependencies.dependency_names)."""
    if installs_project and (own := project_name(project)):  # its own console scripts
        dependencies = dependencies | {normalize(own)}
    found = [_normalized(c) for c in _candidates(project, dependencies, installs_project)]
    hints = [c for c in found if not c.argv and c.port]
    usable: list[Candidate] = []
    lost: list[str] = []
    for candidate in (c for c in found if c.argv):
        assessed, why = _assess(project, candidate, dependencies, found)
        if why:
            lost.append(f"{_shown(candidate)}: {why}")
        else:
            usable.append(assessed)
    if (chosen_command := settings.choices.command) is not None:
        usable.insert(0, Candidate(chosen_command, settings.label, settings.label, Origin.USER))
    usable.sort(key=lambda c: (c.origin, _ROLE_RANK[c.role]))
    unique: dict[tuple[str, ...], Candidate] = {}
    for candidate in usable:  # one command proposed by two sources: the stronger one counts
        unique.setdefault(candidate.argv, candidate)
    usable = list(unique.values())
    if not usable:
        said = next((c.warnings for c in found if not c.argv and c.warnings), ())
        return StartCommand(None, _user_port(settings), (), said or (NO_COMMAND_WARNING,))
    chosen, losers = usable[0], usable[1:]
    losers_text = tuple(f"{_shown(c)}: {_why_lost(c, chosen)}" for c in losers) + tuple(lost)
    return _finish(project, settings, chosen, hints, losers_text)


_ROLE_RANK: Final = {Role.SERVER: 0, Role.WORKER: 1, Role.COMMAND: 2}


def _candidates(
    project: ProjectDir, dependencies: frozenset[str], installs_project: bool
) -> Iterator[Candidate]:
    yield from authored.procfile(project)
    yield from authored.platforms(project)
    yield from authored.dockerfile(project)
    yield from authored.compose(project)
    yield from tasks.task_runners(project)
    yield from tasks.makefile(project)
    yield from django_candidates(project, dependencies)
    yield from code_candidates(project, dependencies, installs_project=installs_project)
    yield from _entry_points(project, installs_project)


_VENV_BIN: Final = re.compile(r"^(?:\.?/?[\w./-]*/)?(?:\.venv|venv|env|\.env)/bin/([\w.-]+)$")
_OPT_BIN: Final = re.compile(
    r"^/(?:app/\.venv|opt/venv|venv|usr/local|opt/[\w.-]+/venv)/bin/([\w.-]+)$"
)
_RUNNER_IN_LINE: Final = (
    r"(^|&&|\|\||;|\|)(\s*)(?:exec\s+)?(?:poetry|uv|pdm|pipenv|hatch|rye)\s+run\s+(?:--?[\w-]+\s+)*"
)


def _normalized(candidate: Candidate) -> Candidate:
    """The command as it runs in the image: the environment's bin/ is on PATH (no tool runner,
    no venv path), and a Python file runs with python."""
    argv = candidate.argv
    if not argv:
        return candidate
    if argv[:2] in (("sh", "-c"), ("/bin/sh", "-c"), ("bash", "-c")) and len(argv) == 3:
        line = re.sub(_RUNNER_IN_LINE, lambda m: m.group(1) + m.group(2), argv[2]).strip()
        text = re.sub(_RUNNER_IN_LINE, lambda m: m.group(1) + m.group(2), candidate.text).strip()
        return dataclasses.replace(candidate, argv=(*argv[:2], line), text=text)
    program = _VENV_BIN.match(argv[0]) or _OPT_BIN.match(argv[0])
    if program:
        argv = (program.group(1), *argv[1:])
    if argv[0].endswith(".py") and not argv[0].startswith("/"):
        argv = ("python", argv[0].removeprefix("./"), *argv[1:])
    return dataclasses.replace(candidate, argv=argv)


def _shown(candidate: Candidate) -> str:
    command = shlex.join(candidate.argv) if candidate.argv else "(no command)"
    label = _label(candidate)
    joint = ": " if candidate.origin is Origin.ENTRY else " "
    return f"{candidate.where}{joint}{label}" + ("" if command in label else f": {command}")


def _label(candidate: Candidate) -> str:
    return candidate.what.removeprefix(candidate.source).strip() or candidate.what


def _why_lost(loser: Candidate, chosen: Candidate) -> str:
    if loser.origin > chosen.origin:
        return f"{chosen.origin.words} over {loser.origin.words}"
    if _ROLE_RANK[loser.role] > _ROLE_RANK[chosen.role]:
        return f"a {loser.role.value}; the image serves the app"
    return f"{chosen.where} comes first"


def _assess(
    project: ProjectDir, candidate: Candidate, dependencies: frozenset[str], found: list[Candidate]
) -> tuple[Candidate, str]:
    """The candidate as it would run in production, or why it cannot run in the image."""
    argv = candidate.argv
    if candidate.unusable:
        return candidate, candidate.unusable
    for words, runs in servers_in(argv):
        program = PROVIDED_BY.get(runs.name)
        if (
            program
            and dependencies  # nothing declared: the project's dependencies are unknown
            and not _installed(program, dependencies)
            and candidate.origin is not Origin.CODE
        ):
            return candidate, f"{words[0]} is not among the dependencies"
    if missing := _missing_file(project, argv):
        return candidate, f"{missing} is not in the project"
    role = role_of(argv) or candidate.role
    candidate = dataclasses.replace(candidate, role=role)
    cleaned, dropped = without_dev_flags(argv)
    if dropped:
        note = (
            f"{candidate.where}: `{shlex.join(argv)}` is how a developer runs it; the image runs "
            f"`{shlex.join(cleaned)}` ({' '.join(dropped)} left out)"
        )
        return dataclasses.replace(
            candidate, argv=cleaned, warnings=(*candidate.warnings, note), text=""
        ), ""
    server: Server | None = development_server(argv)
    if server is None and not candidate.dev_only:
        return candidate, ""
    production = [
        c
        for c in found
        if c.origin is Origin.CODE
        and c.argv
        and c.role is Role.SERVER
        and not c.dev_only
        and development_server(c.argv) is None
    ]
    if production:
        why = candidate.dev_only or f"{server.name if server else 'it'} is a development server"
        return candidate, (
            f"{why}, and {production[0].where} can be served in production "
            f"({shlex.join(production[0].argv)})"
        )
    return candidate, ""


def _installed(program: str, dependencies: frozenset[str]) -> bool:
    return program in dependencies or any(
        d in dependencies for d in _ALSO_PROVIDED.get(program, ())
    )


def _missing_file(project: ProjectDir, argv: tuple[str, ...]) -> str | None:
    """A script the command runs that is not in the project (`python run.py`, `./boot.sh`)."""
    words = list(argv)
    if words[:1] in (["python"], ["python3"], ["sh"], ["bash"]) and len(words) > 1:
        words = words[1:]
        if words[0] in ("-c", "-m"):
            return None
    elif not (words[0].startswith(("./", "/app/")) or words[0].endswith((".sh", ".py"))):
        return None
    name = words[0].removeprefix("/app/").removeprefix("./")
    if name.startswith("/") or (not name.endswith((".py", ".sh")) and "/" not in words[0]):
        return None
    try:
        return None if project.kind(name) else words[0]
    except DockergenError:
        return words[0]


def _finish(
    project: ProjectDir,
    settings: Settings,
    chosen: Candidate,
    hints: list[Candidate],
    losers: tuple[str, ...],
) -> StartCommand:
    argv, port_note = _with_port(chosen, hints)
    argv, moved = without_build_steps(project, argv)
    origin = settings.origin("command") if chosen.origin is Origin.USER else chosen.where
    argv = check_command(argv, origin)
    port = _port(chosen, argv, hints, settings)
    configured, added = _configured(project, argv), None
    if chosen.origin is not Origin.USER and chosen.role is Role.SERVER:
        serves = port.value if port else default_port(argv)[0]
        argv, added = listening_everywhere(argv, serves, configured)
    detail = chosen.what if chosen.origin is Origin.USER else _detail(chosen)
    detail += f" ({added} added: listen beyond the container)" if added else ""
    command = Decided(argv, chosen.source, detail, losers)
    warnings = [*chosen.warnings, *([port_note] if port_note else []), *moved]
    if (
        chosen.origin is not Origin.USER
        and argv[:2] == ("sh", "-c")
        and not argv[2].startswith("exec ")
    ):
        warnings.append(
            f"{chosen.where}: the command uses shell syntax, so CMD runs it with sh -c and sh, "
            "not the server, receives docker stop's SIGTERM; start the server with `exec`, or "
            "pass --command"
        )
    if loopback := loopback_warning(argv, chosen.where, configured=configured):
        warnings.append(loopback)
    why = f"{chosen.where}: how the command finds the app"
    environment = [Decided(pair, chosen.source, why) for pair in chosen.environment]
    environment += _port_env(chosen, argv, port)
    environment += _production_mode(argv, chosen, environment)
    writable = tuple(
        Decided(folder, chosen.source, f"{chosen.where} names {folder} for the app's data")
        for folder in chosen.writable
    )
    return StartCommand(
        command, port, _unique(environment), tuple(dict.fromkeys(warnings)), writable
    )


def _detail(chosen: Candidate) -> str:
    if chosen.origin is Origin.CODE:
        return f"{chosen.where} {chosen.what}"
    if chosen.origin is Origin.ENTRY:
        return f"{chosen.where}: {_label(chosen)}"
    return f"{chosen.where} {_label(chosen)}: {chosen.text or shlex.join(chosen.argv)}"


def _with_port(chosen: Candidate, hints: list[Candidate]) -> tuple[tuple[str, ...], str | None]:
    """A `$PORT` in the authors' line becomes the port: the line's fallback, the port the same
    file states, the authors' other files (EXPOSE, compose ports, fly.toml), else the
    server's default."""
    text = chosen.text or (chosen.argv[2] if chosen.argv[:2] == ("sh", "-c") else "")
    if not (text and reads_port((text,))) and not reads_port(chosen.argv):
        return chosen.argv, None
    if fallback := stated_port(text or " ".join(chosen.argv)):
        port, why = fallback, "the fallback the line states"
    elif chosen.port:
        port, why = chosen.port, chosen.port_why
    elif hints:
        port, why = hints[0].port or 8000, hints[0].port_why
    else:
        port, why = default_port(argv_of(with_port((text,), 8000)[0]) if text else chosen.argv)
    argv = argv_of(with_port((text,), port)[0]) if text else with_port(chosen.argv, port)
    note = (
        f"{chosen.where} reads $PORT, which a container does not set; it serves {port} "
        f"instead ({why}), and the image sets PORT={port}; pass --command to choose another"
    )
    return argv, note


def _port(
    chosen: Candidate, argv: tuple[str, ...], hints: list[Candidate], settings: Settings
) -> Decided[int] | None:
    """--port, else the port the command names, the source states (EXPOSE, internal_port),
    the authors' other files state, or the command's server serves by default."""
    where = chosen.source
    named = named_port_in(argv)
    found = Decided(named[0], where, named[1]) if named else None
    if found is None and chosen.port:
        found = Decided(chosen.port, where, chosen.port_why)
    if found is None and chosen.role is Role.SERVER and hints:
        found = Decided(hints[0].port or 0, hints[0].source, hints[0].port_why)
    if found is None and (default := command_port(argv)):
        found = Decided(default[0], where, default[1])
    if chosen.role is not Role.SERVER and chosen.origin is not Origin.USER:
        found = None
    override = settings.choices.port
    if override is not None:
        losers = (
            (f"{found.value}: {found.detail} ({found.source})",)
            if found and found.value != override
            else ()
        )
        port = check_port(override, settings.origin("port"))
        return Decided(port, settings.label, settings.label, losers)
    return found


def _user_port(settings: Settings) -> Decided[int] | None:
    if settings.choices.port is None:
        return None
    port = check_port(settings.choices.port, settings.origin("port"))
    return Decided(port, settings.label, settings.label)


def _port_env(
    chosen: Candidate, argv: tuple[str, ...], port: Decided[int] | None
) -> list[Decided[tuple[str, str]]]:
    """`PORT` for commands written for a platform that sets it (a Procfile, platform files, a
    script): many servers and scripts read it, and gunicorn binds 0.0.0.0:$PORT when set."""
    if port is None or chosen.origin not in (Origin.PRODUCTION, Origin.CONVENIENCE):
        return []
    runs_script = argv[0] in ("sh", "bash", "/bin/sh", "/bin/bash") or argv[0].endswith(".sh")
    platform = chosen.source in (
        "Procfile",
        "app.yaml",
        "render.yaml",
        "railway.json",
        "railway.toml",
        "nixpacks.toml",
        "fly.toml",
    )
    if not (platform or runs_script or reads_port(chosen.argv) or reads_port((chosen.text,))):
        return []
    why = f"{chosen.where} may read $PORT, which platforms set and containers do not"
    return [Decided(("PORT", str(port.value)), chosen.source, why)]


def _production_mode(
    argv: tuple[str, ...], chosen: Candidate, environment: list[Decided[tuple[str, str]]]
) -> list[Decided[tuple[str, str]]]:
    """The framework's production mode, set explicitly: a dev file (.flaskenv, .env) that
    turns debugging on must not turn it on in the image."""
    named = {e.value[0] for e in environment}
    found: list[Decided[tuple[str, str]]] = []
    for _, server in servers_in(argv):
        for name, value in server.environment:
            if name not in named:
                why = f"{server.name}: production mode, whatever a dev file (.flaskenv) says"
                found.append(Decided((name, value), chosen.source, why))
    return found


def _unique(
    environment: list[Decided[tuple[str, str]]],
) -> tuple[Decided[tuple[str, str]], ...]:
    seen: dict[str, Decided[tuple[str, str]]] = {}
    for item in environment:
        seen.setdefault(item.value[0], item)
    return tuple(seen.values())


def _configured(project: ProjectDir, argv: tuple[str, ...]) -> frozenset[str]:
    """Servers whose config file really sets the address (read, not assumed): adding a bind
    flag to those would make them listen twice."""
    found = set()
    for words, server in servers_in(argv):
        files, binds = config_files(server.name, words)
        for config in files:
            try:
                readable = project.is_file(config) and project.inside(config)
                if binds and readable and binds(project.read_text(config)):
                    found.add(server.name)
            except DockergenError:
                continue
    return frozenset(found)


def project_name(project: ProjectDir) -> str:
    """The project's import name, from [project].name or its installer's table; "" if none."""
    name = project.pyproject().get("project", {}).get("name")
    names = (name, *(module.project_name(project) for module in REGISTRY), setup_cfg(project).name)
    return import_name(str(next((n for n in names if n), "")))


def choose_release(project: ProjectDir) -> Decided[tuple[str, ...]] | None:
    """The authors' one-off pre-deploy command (migrations), as it runs in the image."""
    found = authored.release_command(project)
    if found is None:
        return None
    found = _normalized(found)
    argv = check_command(found.argv, found.where)
    return Decided(argv, found.source, f"{found.where} {_label(found)}: {found.text}")


def _entry_points(project: ProjectDir, installs_project: bool) -> Iterator[Candidate]:
    pyproject = project.pyproject()
    module = project_name(project)
    if installs_project:
        # A single console script is the project's declared way to run it.
        tables = [(pyproject.get("project", {}).get("scripts", {}), "[project.scripts]")]
        tables += [found for m in REGISTRY for found in m.scripts(project)]
        scripts = dict.fromkeys(setup_cfg(project).console_scripts, "")
        tables.append((scripts, "setup.cfg [options.entry_points] console_scripts"))
        for table, where in tables:
            if isinstance(table, dict) and len(table) == 1:
                name = next(iter(table))
                file = "setup.cfg" if where.startswith("setup.cfg") else "pyproject.toml"
                yield Candidate((name,), file, f"{where} {name}", Origin.ENTRY)
    # src/ layouts are importable only once the project is installed.
    for base in (module, f"src/{module}") if installs_project else (module,):
        if module and project.is_file(f"{base}/__main__.py"):
            file = f"{base}/__main__.py"
            yield Candidate(("python", "-m", module), file, f"python -m {module}", Origin.ENTRY)
    apps = find_apps(project)
    for script in ("main.py", "app.py"):
        found = [f for f in apps if f.file == script]
        # A file that only defines an app does nothing when run: a server must import it.
        defines_only = found and all(f.kind not in ("main", "script") for f in found)
        if project.is_file(script) and not defines_only:
            yield Candidate(("python", script), script, f"python {script}", Origin.ENTRY)
