"""Command lines as the authors write them (a shell line), turned into exec-form argv.

A line that uses no shell syntax is split like a shell would and run directly; anything else
runs through `sh -c`. `$PORT`, which platforms set and a plain container does not, becomes a
port number (and the image sets PORT too, see dockergen.start).
"""

from __future__ import annotations

import re
import shlex
from typing import Final

# ${PORT}, ${PORT:-5000}, ${PORT-5000} and $PORT; the group holds a stated fallback.
PORT_VARIABLE: Final = re.compile(r"\$\{PORT(?::?-(\d+))?\}|\$PORT(?![A-Za-z0-9_])")
_SINGLE_QUOTED: Final = r"'[^']*'"
# Operators, expansions, redirects, globs, comments and escapes: only a shell knows them.
_SHELL_SYNTAX: Final = r"[;&|<>()`$*?\[\]{}~#\\!]"
_ASSIGNMENT: Final = r"^[A-Za-z_][A-Za-z0-9_]*="
SHELLS: Final = ("sh", "/bin/sh", "bash", "/bin/bash")


def exec_form(line: str) -> tuple[str, ...] | None:
    """The line split into arguments, or None when only a shell can run it faithfully."""
    if re.search(_SHELL_SYNTAX, re.sub(_SINGLE_QUOTED, "''", line)):
        return None
    try:
        words = shlex.split(line)
    except ValueError:
        return None
    if words and words[0] == "exec":
        words = words[1:]
    if not words or re.match(_ASSIGNMENT, words[0]):
        return None
    return tuple(words)


def argv_of(line: str) -> tuple[str, ...]:
    """Exec form where possible, else `sh -c LINE`."""
    line = line.strip()
    return exec_form(line) or ("sh", "-c", line)


def stated_port(line: str) -> int | None:
    """The fallback a `${PORT:-5000}` states, if any (and if it is a port)."""
    fallbacks = (port_number(m.group(1)) for m in PORT_VARIABLE.finditer(line) if m.group(1))
    return next((port for port in fallbacks if port), None)


def port_number(digits: str) -> int | None:
    """A TCP port written in ASCII digits (1-65535), else None: never int() of a number with
    thousands of digits, which Python refuses with a ValueError."""
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 5:
        return None
    port = int(digits)
    return port if 0 < port < 65536 else None


def reads_port(argv: tuple[str, ...]) -> bool:
    return any(PORT_VARIABLE.search(word) for word in argv)


def with_port(argv: tuple[str, ...], port: int) -> tuple[str, ...]:
    """$PORT replaced by `port` in every word."""
    return tuple(PORT_VARIABLE.sub(str(port), word) for word in argv)
