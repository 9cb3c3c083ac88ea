"""What the container runs, and the port it serves.

Strongest evidence first: the user's command (--command or `[tool.dockergen] command`, both
in the resolved settings); the Procfile's web process; a web framework (Django,
FastAPI/Starlette, Flask: frameworks.py); a single console script; `python -m pkg` for a
package with __main__.py; `python main.py` / `python app.py`.
Weaker evidence that found a command too is recorded in `overridden`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dockergen.errors import DockergenError
from dockergen.frameworks import RULES, Command, Context, Detection
from dockergen.installers import REGISTRY
from dockergen.model import Decided
from dockergen.names import import_name
from dockergen.ports import (
    command_port,
    default_port,
    gunicorn_config_binds,
    listening_everywhere,
    loopback_warning,
)
from dockergen.procfile import PROCFILE, web_process
from dockergen.project import ProjectDir
from dockergen.safety import check_command, check_port
from dockergen.setupcfg import setup_cfg

if TYPE_CHECKING:
    from dockergen.settings import Settings

NO_COMMAND_WARNING = (
    "no start command found, so the Dockerfile has no CMD; pass --command '...' to set one"
)


@dataclass(frozen=True, slots=True)
class StartCommand:
    command: Decided[tuple[str, ...]] | None
    port: Decided[int] | None  # when known
    environment: tuple[Decided[tuple[str, str]], ...]  # ENV lines the command needs
    warnings: tuple[str, ...]


def choose_command(
    project: ProjectDir, settings: Settings, *, installs_project: bool
) -> StartCommand:
    """The start command, the port it serves (when known), its environment, and warnings."""
    found = list(_detections(project, installs_project))
    if (chosen_command := settings.choices.command) is not None:
        found.insert(0, Detection(Decided(chosen_command, settings.label, settings.label)))
    if not found or found[0].command is None:  # an app that cannot start: say what it lacks
        said = found[0].warnings if found else (NO_COMMAND_WARNING,)
        return StartCommand(None, _port(None, settings), (), said)
    chosen, losers = found[0], found[1:]
    command, configured = _listening(project, settings, chosen, losers)
    port = _port(chosen.command, settings)
    warnings = list(chosen.warnings)
    if loopback := loopback_warning(command.value, command.source, configured=configured):
        warnings.append(loopback)
    why = f"{command.source}: how the command finds the app"
    needed = tuple(Decided(pair, command.source, why) for pair in chosen.environment)
    return StartCommand(command, port, (*needed, *_port_env(command, port)), tuple(warnings))


def _listening(
    project: ProjectDir, settings: Settings, chosen: Detection, losers: list[Detection]
) -> tuple[Decided[tuple[str, ...]], frozenset[str]]:
    """The chosen command, made to listen on every interface unless the user wrote it."""
    assert chosen.command is not None
    source = chosen.command.source
    argv = check_command(
        chosen.command.value, settings.origin("command") if source == settings.label else source
    )
    port = _port(chosen.command, settings)
    configured, added = _configured(project, argv), None
    if source != settings.label:  # the user's own command is taken as it is
        serves = port.value if port else default_port(argv)[0]
        argv, added = listening_everywhere(argv, serves, configured)
    detail = chosen.command.detail
    detail += f" ({added} added: listen beyond the container)" if added else ""
    lost = tuple(f"{c.detail} ({c.source})" for loser in losers if (c := loser.command))
    return Decided(argv, source, detail, lost), configured


def _port_env(
    command: Decided[tuple[str, ...]], port: Decided[int] | None
) -> tuple[Decided[tuple[str, str]], ...]:
    """`PORT` for commands written for a platform that sets it (a Procfile, a script): many
    servers and scripts read it, and gunicorn binds 0.0.0.0:$PORT when it is set."""
    if port is None:
        return ()
    argv = command.value
    runs_script = argv[0] in ("sh", "bash", "/bin/sh", "/bin/bash") or argv[0].endswith(".sh")
    if command.source != PROCFILE and not runs_script:
        return ()
    why = f"{command.source} may read $PORT, which platforms set and containers do not"
    return (Decided(("PORT", str(port.value)), command.source, why),)


def _configured(project: ProjectDir, argv: tuple[str, ...]) -> frozenset[str]:
    """Servers whose config file really sets the address (read, not assumed)."""
    named = [argv[i + 1] for i, word in enumerate(argv[:-1]) if word in ("-c", "--config")]
    for config in (*named, "gunicorn.conf.py"):
        if _readable(project, config) and gunicorn_config_binds(project.read_text(config)):
            return frozenset({"gunicorn"})
    return frozenset()


def _readable(project: ProjectDir, name: str) -> bool:
    try:
        return project.is_file(name) and project.inside(name)
    except DockergenError:
        return False


def _port(command: Command | None, settings: Settings) -> Decided[int] | None:
    """--port, else the port the command names, else its server's default; None if unknown."""
    named = command_port(command.value) if command else None
    from_command = Decided(named[0], command.source, named[1]) if named and command else None
    override = settings.choices.port
    if override is not None:
        losers = (
            (f"{from_command.value}: {from_command.detail} ({from_command.source})",)
            if from_command and from_command.value != override
            else ()
        )
        port = check_port(override, settings.origin("port"))
        return Decided(port, settings.label, settings.label, losers)
    return from_command


def _detections(project: ProjectDir, installs_project: bool) -> Iterator[Detection]:
    if web := web_process(project):
        yield Detection(Decided(web.argv, PROCFILE, f"{PROCFILE} web: {web.line}"), web.warnings)
    context = Context(project, project_name(project), installs_project)
    for rule in RULES:
        if detection := rule(context):
            yield detection
    yield from _entry_points(project, context.package, installs_project)


def project_name(project: ProjectDir) -> str:
    """The project's import name, from [project].name or its installer's table; "" if none."""
    name = project.pyproject().get("project", {}).get("name")
    names = (name, *(module.project_name(project) for module in REGISTRY), setup_cfg(project).name)
    return import_name(str(next((n for n in names if n), "")))


def _entry_points(project: ProjectDir, module: str, installs_project: bool) -> Iterator[Detection]:
    pyproject = project.pyproject()
    if installs_project:
        # A single console script is the project's declared way to run it.
        tables = [(pyproject.get("project", {}).get("scripts", {}), "[project.scripts]")]
        tables += [found for module in REGISTRY for found in module.scripts(project)]
        scripts = dict.fromkeys(setup_cfg(project).console_scripts, "")
        tables.append((scripts, "setup.cfg [options.entry_points] console_scripts"))
        for table, where in tables:
            if isinstance(table, dict) and len(table) == 1:
                name = next(iter(table))
                yield Detection(Decided((name,), "pyproject.toml", f"{where} {name}"))
    # src/ layouts are importable only once the project is installed.
    for base in (module, f"src/{module}") if installs_project else (module,):
        if module and project.is_file(f"{base}/__main__.py"):
            yield Detection(
                Decided(("python", "-m", module), f"{base}/__main__.py", f"python -m {module}")
            )
    for script in ("main.py", "app.py"):
        if project.is_file(script):
            yield Detection(Decided(("python", script), script, f"python {script}"))
