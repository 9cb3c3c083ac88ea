"""Which port a start command serves, and whether it listens beyond the container.

A command names its port (`--bind 0.0.0.0:8000`, `-b :8000`, `--port 8000`, `-p 8000`), or
its server has a default one. `sh -c` lines are read one simple command at a time.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable, Sequence
from typing import Final

from dockergen.text import shorten

# Servers a start command may run, with the port each serves when not told.
DEFAULT_PORTS: Final = {
    "gunicorn": 8000,
    "uvicorn": 8000,
    "hypercorn": 8000,
    "daphne": 8000,
    "granian": 8000,
    "flask": 5000,
    "runserver": 8000,  # python manage.py runserver (Django's development server)
}
# Every one of them listens on 127.0.0.1 unless one of these flags says otherwise.
_HOST_FLAGS: Final = {
    "gunicorn": ("--bind", "-b"),
    "uvicorn": ("--host", "--uds", "--fd"),
    "hypercorn": ("--bind", "-b", "--config", "-c"),  # a TOML config: not read
    "daphne": ("--bind", "-b", "--unix-socket", "-u", "--endpoint", "-e", "--fd"),
    "flask": ("--host", "-h"),
    "granian": ("--host", "--uds"),
    "runserver": (),  # the address is a positional argument: see _ADDRPORT
}
# runserver's optional positional `addr:port` (or a bare port, which stays on 127.0.0.1).
_ADDRPORT: Final = re.compile(r"^(?:(\S+):)?(\d+)$")
_BIND_FLAGS: Final = ("--bind", "-b")
_PORT_FLAGS: Final = ("--port", "-p")
_SHELLS: Final = ("sh", "/bin/sh", "bash", "/bin/bash")
_OPERATORS: Final = re.compile(r"&&|\|\||[;|&]")
_PYTHON: Final = re.compile(r"python(\d+(\.\d+)?)?")


def simple_commands(argv: Sequence[str]) -> list[tuple[str, ...]]:
    """The commands `argv` runs: itself, or each part of an `sh -c` line."""
    if len(argv) != 3 or argv[0] not in _SHELLS or argv[1] != "-c":
        return [tuple(argv)]
    found = []
    for part in _OPERATORS.split(argv[2]):
        try:
            words = shlex.split(part)
        except ValueError:
            continue
        if words and words[0] == "exec":
            words = words[1:]
        if words:
            found.append(tuple(words))
    return found


def server_of(words: Sequence[str]) -> str | None:
    """The server a simple command starts: `gunicorn ...`, `python -m uvicorn ...`,
    `flask ... run ...`; None for anything else."""
    if not words:
        return None
    program = posixpath.basename(words[0])
    if _PYTHON.fullmatch(program) and len(words) > 2 and words[1] == "-m":
        program = words[2].split(".")[0]
    if program == "flask" and "run" not in words:
        return None
    if _PYTHON.fullmatch(program) and len(words) > 2 and words[1].endswith("manage.py"):
        program = words[2]
    return program if program in DEFAULT_PORTS else None


def command_port(argv: Sequence[str]) -> tuple[int, str] | None:
    """(port, how it is known) for a start command, or None when it cannot be told."""
    commands = simple_commands(argv)
    for words in commands:
        if named := _named_port(words):
            return named
    for words in reversed(commands):
        if server := server_of(words):
            return DEFAULT_PORTS[server], f"{server}'s default port"
    return None


def default_port(argv: Sequence[str]) -> tuple[int, str]:
    """The port the command's server serves by default; 8000 when no known server runs."""
    for words in reversed(simple_commands(argv)):
        if server := server_of(words):
            return DEFAULT_PORTS[server], f"{server}'s default port"
    return 8000, "no known server in the command, so 8000"


def loopback_warning(
    argv: Sequence[str], source: str, *, configured: frozenset[str] = frozenset()
) -> str | None:
    """A warning when a server in the command would listen on 127.0.0.1 only; servers in
    `configured` read their address from a config file (gunicorn.conf.py) and are trusted."""
    for words in simple_commands(argv):
        server = server_of(words)
        if server and server not in configured and not _listens_beyond(server, words):
            fix = " ".join(_LISTEN_EVERYWHERE[server](DEFAULT_PORTS[server]))
            return (
                f"{source}: {server} listens on 127.0.0.1 unless told otherwise, which nothing "
                f"outside the container can reach; add {fix} to the command"
            )
    return None


def port_number(digits: str) -> int | None:
    """A TCP port written in ASCII digits (1-65535), else None; never int() of a number with
    thousands of digits, which Python refuses with a ValueError."""
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 5:
        return None
    port = int(digits)
    return port if 0 < port < 65536 else None


def _named_port(words: Sequence[str]) -> tuple[int, str] | None:
    if server_of(words) == "runserver":
        found = [m for w in words[3:] if (m := _ADDRPORT.match(w))]
        port = port_number(found[0].group(2)) if found else None
        return (port, f"{found[0].group(0)} in the command") if port else None
    for index, word in enumerate(words):
        flag, equals, value = word.partition("=")
        if not equals:
            value = words[index + 1] if index + 1 < len(words) else ""
        port = None
        if flag in _BIND_FLAGS and (match := re.search(r":(\d+)$", value)):
            port = port_number(match.group(1))
        elif flag in _PORT_FLAGS:
            port = port_number(value)
        if port:
            return port, f"{flag} {shorten(value)} in the command"
    return None


# What makes each server listen on every interface, given the port to serve.
_LISTEN_EVERYWHERE: Final[dict[str, Callable[[int], tuple[str, ...]]]] = {
    "gunicorn": lambda port: ("--bind", f"0.0.0.0:{port}"),
    "hypercorn": lambda port: ("--bind", f"0.0.0.0:{port}"),
    "uvicorn": lambda port: ("--host", "0.0.0.0"),
    "daphne": lambda port: ("--bind", "0.0.0.0"),
    "flask": lambda port: ("--host", "0.0.0.0"),
    "granian": lambda port: ("--host", "0.0.0.0"),
    "runserver": lambda port: (f"0.0.0.0:{port}",),
}
_GUNICORN_BIND: Final = re.compile(r"^\s*bind\s*=", re.MULTILINE)


def listening_everywhere(
    argv: Sequence[str], port: int, configured: frozenset[str] = frozenset()
) -> tuple[tuple[str, ...], str | None]:
    """The command with the flags that make its server listen on 0.0.0.0 added where they are
    missing, and what was added (None when nothing was). Servers in `configured` read their
    address from a config file that sets it."""
    if len(argv) == 3 and argv[0] in _SHELLS and argv[1] == "-c":
        line, added = _line_everywhere(argv[2], port, configured)
        return (*argv[:2], line), added
    flags = _missing_flags(argv, port, configured)
    if not flags:
        return tuple(argv), None
    return (*argv, *flags), " ".join(flags)


def _missing_flags(words: Sequence[str], port: int, configured: frozenset[str]) -> tuple[str, ...]:
    server = server_of(words)
    if server is None or server in configured or _listens_beyond(server, words):
        return ()
    return _LISTEN_EVERYWHERE[server](port)


def _listens_beyond(server: str, words: Sequence[str]) -> bool:
    """The command already says where to listen (any address but the default loopback)."""
    if server == "runserver":
        return any((m := _ADDRPORT.match(w)) and m.group(1) for w in words[3:])
    return bool({word.partition("=")[0] for word in words}.intersection(_HOST_FLAGS[server]))


def _line_everywhere(line: str, port: int, configured: frozenset[str]) -> tuple[str, str | None]:
    """The same for each simple command of an `sh -c` line, keeping its operators."""
    parts = re.split(f"({_OPERATORS.pattern})", line)
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


def gunicorn_config_binds(text: str) -> bool:
    """True when a gunicorn config file sets `bind` (then the command needs no --bind)."""
    return bool(_GUNICORN_BIND.search(text))
