"""What dockergen knows about the programs a start command may run: the port each serves
when not told, how to make it listen on every interface, which of its flags only a developer
wants, and whether it serves HTTP or consumes a queue.

A command names its port (`--bind 0.0.0.0:8000`, `--port 8000`, `--server.port 8501`), or its
server has a default one. `sh -c` lines are read one simple command at a time.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from dockergen.start.candidate import Role
from dockergen.start.shell import SHELLS, port_number
from dockergen.text import shorten

BIND: Final = "0.0.0.0"


@dataclass(frozen=True, slots=True)
class Server:
    """An app server dockergen knows: its default port and the flags that say where it listens."""

    name: str
    port: int  # served when the command does not say
    # Flags that set where it listens (any of them: the command chose its address).
    host_flags: tuple[str, ...]
    # The flags that make it listen on every interface, given the port.
    everywhere: Callable[[int], tuple[str, ...]]
    # Flags whose value is `host:port` or a port.
    bind_flags: tuple[str, ...] = ("--bind", "-b")
    port_flags: tuple[str, ...] = ("--port", "-p")
    # Flags only development wants (reloading, debuggers): without / with a value.
    dev_flags: frozenset[str] = frozenset()
    dev_valued: frozenset[str] = frozenset()
    # The server itself is only for development (Flask's and Django's own servers).
    development: bool = False
    listens_everywhere_by_default: bool = False
    role: Role = Role.SERVER
    reads_port_variable: bool = False  # binds 0.0.0.0:$PORT when PORT is set (gunicorn)
    environment: tuple[tuple[str, str], ...] = field(default=())


def _flags(*words: str) -> Callable[[int], tuple[str, ...]]:
    return lambda port: tuple(w.replace("{port}", str(port)) for w in words)


_RELOAD: Final = frozenset({"--reload", "--debug"})
_RELOAD_VALUED: Final = frozenset(
    {
        "--reload-dir",
        "--reload-include",
        "--reload-exclude",
        "--reload-delay",
        "--reload-extra-file",
        "--reload-engine",
    }
)
SERVERS: Final = {
    s.name: s
    for s in (
        Server(
            "gunicorn",
            8000,
            ("--bind", "-b"),
            _flags("--bind", f"{BIND}:{{port}}"),
            dev_flags=_RELOAD,
            dev_valued=frozenset({"--reload-extra-file", "--reload-engine"}),
            reads_port_variable=True,
        ),
        Server(
            "uvicorn",
            8000,
            ("--host", "--uds", "--fd"),
            _flags("--host", BIND),
            dev_flags=_RELOAD,
            dev_valued=_RELOAD_VALUED,
        ),
        Server(
            "hypercorn",
            8000,
            ("--bind", "-b", "--config", "-c"),
            _flags("--bind", f"{BIND}:{{port}}"),
            dev_flags=_RELOAD,
        ),
        Server(
            "daphne",
            8000,
            ("--bind", "-b", "--unix-socket", "-u", "--endpoint", "-e", "--fd"),
            _flags("--bind", BIND),
        ),
        Server("granian", 8000, ("--host", "--uds"), _flags("--host", BIND), dev_flags=_RELOAD),
        Server(
            "fastapi",
            8000,
            ("--host",),
            _flags("--host", BIND),
            dev_flags=_RELOAD,
            listens_everywhere_by_default=True,
        ),
        Server(
            "litestar",
            8000,
            ("--host", "-H"),
            _flags("--host", BIND),
            dev_flags=_RELOAD | {"-r", "--debug", "-d"},
            dev_valued=_RELOAD_VALUED,
        ),
        Server(
            "sanic",
            8000,
            ("--host", "-H"),
            _flags("--host", BIND),
            dev_flags=_RELOAD | {"--dev", "-d", "-r", "--auto-reload"},
        ),
        Server(
            "flask",
            5000,
            ("--host", "-h"),
            _flags("--host", BIND),
            dev_flags=_RELOAD | {"--debugger"},
            development=True,
            environment=(("FLASK_DEBUG", "0"),),
        ),
        Server("runserver", 8000, (), _flags(f"{BIND}:{{port}}"), development=True),
        Server(
            "waitress-serve",
            8080,
            ("--host", "--listen", "--unix-socket"),
            _flags("--listen", "*:{port}"),
        ),
        Server(
            "streamlit",
            8501,
            ("--server.address",),
            _flags("--server.address", BIND, "--server.headless", "true"),
            bind_flags=(),
            port_flags=("--server.port",),
            dev_flags=frozenset({"--server.runOnSave"}),
        ),
        Server(
            "panel",
            5006,
            ("--address",),
            _flags("--address", BIND, "--allow-websocket-origin", "*"),
            bind_flags=(),
            port_flags=("--port",),
            dev_flags=frozenset({"--autoreload", "--dev"}),
        ),
        Server(
            "bokeh",
            5006,
            ("--address",),
            _flags("--address", BIND, "--allow-websocket-origin", "*"),
            bind_flags=(),
            port_flags=("--port",),
            dev_flags=frozenset({"--dev"}),
        ),
        Server(
            "datasette",
            8001,
            ("--host", "-h", "--uds"),
            _flags("--host", BIND),
            bind_flags=(),
            port_flags=("--port", "-p"),
            dev_flags=_RELOAD,
        ),
        Server(
            "jupyter",
            8888,
            ("--ip",),
            _flags("--ip", BIND, "--no-browser"),
            bind_flags=(),
            port_flags=("--port",),
        ),
        Server(
            "voila",
            8866,
            ("--Voila.ip",),
            _flags(f"--Voila.ip={BIND}", "--no-browser"),
            bind_flags=(),
            port_flags=("--port",),
        ),
        Server("shiny", 8000, ("--host", "-h"), _flags("--host", BIND), dev_flags=_RELOAD),
        Server("mlflow", 5000, ("--host", "-h"), _flags("--host", BIND)),
        Server(
            "http.server",
            8000,
            ("--bind", "-b"),
            _flags(),
            bind_flags=(),
            port_flags=(),
            listens_everywhere_by_default=True,
        ),
        Server(
            "uwsgi",
            8000,
            ("--http", "--http-socket", "--socket", "-s"),  # an ini file is read: config_files
            _flags("--http", f"{BIND}:{{port}}"),
            bind_flags=("--http", "--http-socket"),
            port_flags=(),
        ),
        Server("celery", 0, (), _flags(), bind_flags=(), port_flags=(), role=Role.WORKER),
        Server("rq", 0, (), _flags(), bind_flags=(), port_flags=(), role=Role.WORKER),
        Server("dramatiq", 0, (), _flags(), bind_flags=(), port_flags=(), role=Role.WORKER),
        Server("huey_consumer", 0, (), _flags(), bind_flags=(), port_flags=(), role=Role.WORKER),
    )
}
# Any other program: the flags most servers and scripts use for their address.
_ANY: Final = Server("", 0, (), _flags())
# Programs known under another name.
_ALIASES: Final = {
    "huey_consumer.py": "huey_consumer",
    "jupyter-lab": "jupyter",
    "jupyter-notebook": "jupyter",
    "pyuwsgi": "uwsgi",
}
# Subcommands that start the server; without one the program does something else.
_SUBCOMMAND: Final = {
    "flask": ("run",),
    "fastapi": ("run", "dev"),
    "streamlit": ("run",),
    "panel": ("serve",),
    "bokeh": ("serve",),
    "jupyter": ("lab", "notebook", "server"),
    "litestar": ("run",),
    "shiny": ("run",),
    "mlflow": ("server", "ui"),
    "celery": ("worker", "beat"),
    "rq": ("worker",),
}
_ADDRPORT: Final = r"^(?:(\S+):)?(\d+)$"
_OPERATORS: Final = r"&&|\|\||[;|&]"
_PYTHON: Final = re.compile(r"python(\d+(\.\d+)?)?")


def simple_commands(argv: Sequence[str]) -> list[tuple[str, ...]]:
    """The commands `argv` runs: itself, or each part of an `sh -c` line."""
    if len(argv) != 3 or argv[0] not in SHELLS or argv[1] != "-c":
        return [tuple(argv)]
    found = []
    for part in re.split(_OPERATORS, argv[2]):
        try:
            words = shlex.split(part)
        except ValueError:
            continue
        if words and words[0] == "exec":
            words = words[1:]
        if words:
            found.append(tuple(words))
    return found


def server_of(words: Sequence[str]) -> Server | None:
    """The server a simple command starts: `gunicorn ...`, `python -m uvicorn ...`,
    `flask ... run ...`, `python manage.py runserver`; None for anything else."""
    if not words:
        return None
    program = posixpath.basename(words[0])
    if _PYTHON.fullmatch(program) and len(words) > 2 and words[1] == "-m":
        program = words[2] if words[2] == "http.server" else words[2].split(".")[0]
    if _PYTHON.fullmatch(program) and len(words) > 2 and words[1].endswith("manage.py"):
        program = words[2]
    program = _ALIASES.get(program, program)
    server = SERVERS.get(program)
    if server is None:
        return None
    if program in _SUBCOMMAND and not set(_SUBCOMMAND[program]) & set(words[1:]):
        if program == "celery" and "flower" in words:
            return Server(
                "flower",
                5555,
                ("--address",),
                _flags("--address", BIND),
                bind_flags=(),
                port_flags=("--port",),
            )
        return None
    if program == "fastapi" and "dev" in words:
        return Server(
            "fastapi",
            8000,
            ("--host",),
            _flags("--host", BIND),
            dev_flags=_RELOAD,
            development=True,
        )
    return server


def servers_in(argv: Sequence[str]) -> list[tuple[tuple[str, ...], Server]]:
    return [(words, server) for words in simple_commands(argv) if (server := server_of(words))]


def command_port(argv: Sequence[str]) -> tuple[int, str] | None:
    """(port, how it is known) for a start command, or None when it cannot be told."""
    found = servers_in(argv)
    for words, server in found:
        if named := named_port(words, server):
            return named
    for _, server in reversed(found):
        if server.port:
            return server.port, f"{server.name}'s default port"
    for words in simple_commands(argv):  # a script with the usual flags (`--port 8000`)
        if named := named_port(words, _ANY):
            return named
    return None


def named_port_in(argv: Sequence[str]) -> tuple[int, str] | None:
    """The port the command names with a flag or an address (not a server's default)."""
    for words in simple_commands(argv):
        if named := named_port(words, server_of(words) or _ANY):
            return named
    return None


def default_port(argv: Sequence[str]) -> tuple[int, str]:
    """The port the command's server serves by default; 8000 when no known server runs."""
    for _, server in reversed(servers_in(argv)):
        if server.port:
            return server.port, f"{server.name}'s default port"
    return 8000, "no known server in the command, so 8000"


def role_of(argv: Sequence[str]) -> Role | None:
    found = servers_in(argv)
    return found[-1][1].role if found else None


def named_port(words: Sequence[str], server: Server) -> tuple[int, str] | None:
    if server.name == "runserver":
        found = [m for w in words[3:] if (m := re.match(_ADDRPORT, w))]
        port = port_number(found[0].group(2)) if found else None
        return (port, f"{shorten(found[0].group(0))} in the command") if port else None
    for index, word in enumerate(words):
        flag, equals, value = word.partition("=")
        if not equals:
            value = words[index + 1] if index + 1 < len(words) else ""
        port = None
        if flag in server.bind_flags and (match := re.search(r":(\d+)$", value)):
            port = port_number(match.group(1))
        elif flag in server.port_flags:
            port = port_number(value)
        if port:
            return port, f"{flag} {shorten(value)} in the command"
    return None


def loopback_warning(
    argv: Sequence[str], source: str, *, configured: frozenset[str] = frozenset()
) -> str | None:
    """A warning when a server in the command would listen on 127.0.0.1 only; servers in
    `configured` read their address from a config file (gunicorn.conf.py) and are trusted."""
    for words, server in servers_in(argv):
        if server.name in configured or _listens_beyond(server, words) or not server.port:
            continue
        fix = " ".join(server.everywhere(server.port))
        return (
            f"{source}: {server.name} listens on 127.0.0.1 unless told otherwise, which nothing "
            f"outside the container can reach; add {fix} to the command"
        )
    return None


def _listens_beyond(server: Server, words: Sequence[str]) -> bool:
    """The command already says where to listen (any address but the default loopback)."""
    if server.listens_everywhere_by_default or server.role is not Role.SERVER:
        return True
    if server.name == "runserver":
        return any((m := re.match(_ADDRPORT, w)) and m.group(1) for w in words[3:])
    return bool({word.partition("=")[0] for word in words}.intersection(server.host_flags))


def listening_everywhere(
    argv: Sequence[str], port: int, configured: frozenset[str] = frozenset()
) -> tuple[tuple[str, ...], str | None]:
    """The command with the flags that make its server listen on 0.0.0.0 added where they are
    missing, and what was added (None when nothing was)."""
    if len(argv) == 3 and argv[0] in SHELLS and argv[1] == "-c":
        line, added = _line_everywhere(argv[2], port, configured)
        return (*argv[:2], line), added
    flags = _missing_flags(argv, port, configured)
    if not flags:
        return tuple(argv), None
    return _insert(tuple(argv), flags), " ".join(flags)


def _insert(words: tuple[str, ...], flags: tuple[str, ...]) -> tuple[str, ...]:
    """Flags go before a `--` that ends the server's options (streamlit's script arguments)."""
    if "--" in words:
        at = words.index("--")
        return (*words[:at], *flags, *words[at:])
    return (*words, *flags)


def _missing_flags(words: Sequence[str], port: int, configured: frozenset[str]) -> tuple[str, ...]:
    server = server_of(words)
    if server is None or server.name in configured or _listens_beyond(server, words):
        return ()
    return server.everywhere(port)


def _line_everywhere(line: str, port: int, configured: frozenset[str]) -> tuple[str, str | None]:
    """The same for each simple command of an `sh -c` line, keeping its operators."""
    parts = re.split(f"({_OPERATORS})", line)
    added = []
    for index in range(0, len(parts), 2):
        try:
            words = shlex.split(parts[index])
        except ValueError:
            continue
        flags = _missing_flags(words[1:] if words[:1] == ["exec"] else words, port, configured)
        if flags:
            parts[index] = parts[index].rstrip() + " " + shlex.join(flags) + " "
            added.append(" ".join(flags))
    return "".join(parts).rstrip(), ("; ".join(added) or None)


def without_dev_flags(argv: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The command without its servers' development flags (`--reload`, `--reload-dir x`),
    and the flags removed. `sh -c` lines are left as they are."""
    found = servers_in(argv)
    if len(found) != 1 or (len(argv) == 3 and argv[0] in SHELLS):
        return tuple(argv), ()
    server = found[0][1]
    kept: list[str] = []
    dropped: list[str] = []
    words = list(argv)
    while words:
        word = words.pop(0)
        flag = word.partition("=")[0]
        if flag in server.dev_flags:
            dropped.append(word)
        elif flag in server.dev_valued:
            dropped.append(word)
            if "=" not in word and words:
                dropped.append(words.pop(0))
        else:
            kept.append(word)
    if server.name == "fastapi" and "dev" in kept:  # fastapi dev: reload, loopback
        kept[kept.index("dev")] = "run"
        dropped.append("dev")
    return tuple(kept), tuple(dropped)


def development_server(argv: Sequence[str]) -> Server | None:
    """The server when it is only for development (Flask's, Django's own)."""
    for _, server in servers_in(argv):
        if server.development:
            return server
    return None


def gunicorn_config_binds(text: str) -> bool:
    """True when a gunicorn config file sets `bind` (then the command needs no --bind)."""
    return bool(re.search(r"^\s*bind\s*=", text, re.MULTILINE))


def uwsgi_config_binds(text: str) -> bool:
    """True when a uWSGI ini file sets a socket it serves on (`http-socket = :$(PORT)`)."""
    option = r"(?:https?|http-socket|http11-socket|https-socket|socket|uwsgi-socket)"
    return bool(re.search(rf"^\s*{option}\s*=", text, re.MULTILINE))


# Servers that read where to listen from a config file: the flags that name one, whether a
# plain argument ending in .ini names one, the file read when none is named, and what in its
# text sets the address.
_CONFIG_FILES: Final = {
    "gunicorn": (("-c", "--config"), False, ("gunicorn.conf.py",), gunicorn_config_binds),
    "uwsgi": (("--ini",), True, (), uwsgi_config_binds),
}


def config_files(
    server: str, words: Sequence[str]
) -> tuple[tuple[str, ...], Callable[[str], bool] | None]:
    """The config files a server's command reads (named, else its default), and the test that
    one sets the address; ((), None) for servers with no such file."""
    if server not in _CONFIG_FILES:
        return (), None
    flags, positional, default, binds = _CONFIG_FILES[server]
    named: list[str] = []
    for index, word in enumerate(words[1:], start=1):
        flag, equals, value = word.partition("=")
        if flag in flags:
            value = value if equals else (words[index + 1] if index + 1 < len(words) else "")
            named.append(value)
        elif positional and word.endswith(".ini") and words[index - 1] not in flags:
            named.append(word)
    return tuple(posixpath.normpath(n) for n in named if n) or default, binds
