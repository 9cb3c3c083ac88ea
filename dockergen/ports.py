"""Which port a start command serves, and whether it listens beyond the container.

A command names its port (`--bind 0.0.0.0:8000`, `-b :8000`, `--port 8000`, `-p 8000`), or
its server has a default one. `sh -c` lines are read one simple command at a time.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Sequence
from typing import Final

# Servers a start command may run, with the port each serves when not told.
DEFAULT_PORTS: Final = {
    "gunicorn": 8000,
    "uvicorn": 8000,
    "hypercorn": 8000,
    "daphne": 8000,
    "flask": 5000,
}
# Every one of them listens on 127.0.0.1 unless one of these flags says otherwise.
_HOST_FLAGS: Final = {
    "gunicorn": ("--bind", "-b", "--config", "-c"),
    "uvicorn": ("--host", "--uds", "--fd"),
    "hypercorn": ("--bind", "-b", "--config", "-c"),
    "daphne": ("--bind", "-b", "--unix-socket", "-u", "--endpoint", "-e", "--fd"),
    "flask": ("--host", "-h"),
}
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
        flags = {word.partition("=")[0] for word in words}
        if server and server not in configured and not flags.intersection(_HOST_FLAGS[server]):
            fix = "--host 0.0.0.0" if "--host" in _HOST_FLAGS[server] else "--bind 0.0.0.0:PORT"
            return (
                f"{source}: {server} listens on 127.0.0.1 unless told otherwise, which nothing "
                f"outside the container can reach; add {fix} to the command"
            )
    return None


def _named_port(words: Sequence[str]) -> tuple[int, str] | None:
    for index, word in enumerate(words):
        flag, equals, value = word.partition("=")
        if not equals:
            value = words[index + 1] if index + 1 < len(words) else ""
        port = None
        if flag in _BIND_FLAGS and (match := re.search(r":(\d+)$", value)):
            port = int(match.group(1))
        elif flag in _PORT_FLAGS and value.isdigit():
            port = int(value)
        if port and 0 < port < 65536:
            return port, f"{flag} {value} in the command"
    return None
