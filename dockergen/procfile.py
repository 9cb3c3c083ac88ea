"""The `web:` process of a Procfile, as an exec-form command.

A Procfile line is run by a shell. Lines that use no shell syntax are split like a shell
would and run directly; `$PORT` (set by the platform, unset in a plain container) becomes
the port the server serves by default; anything else runs through `sh -c`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Final

from dockergen.ports import default_port, port_number
from dockergen.project import ProjectDir

PROCFILE: Final = "Procfile"
_WEB: Final = re.compile(r"^web[ \t]*:[ \t]*(.*?)[ \t]*$")
# ${PORT}, ${PORT:-5000}, ${PORT-5000} and $PORT; the group holds a stated fallback.
_PORT: Final = re.compile(r"\$\{PORT(?::?-(\d+))?\}|\$PORT(?![A-Za-z0-9_])")
_SINGLE_QUOTED: Final = re.compile(r"'[^']*'")
# Operators, expansions, redirects, globs, comments and escapes: only a shell knows them.
_SHELL_SYNTAX: Final = re.compile(r"[;&|<>()`$*?\[\]{}~#\\!]")
_ASSIGNMENT: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True, slots=True)
class WebProcess:
    line: str  # as the Procfile has it
    argv: tuple[str, ...]
    warnings: tuple[str, ...]


def web_process(project: ProjectDir) -> WebProcess | None:
    if not project.is_file(PROCFILE):
        return None
    # splitlines: a Procfile saved with CR-only line ends still has one process per line.
    lines = project.read_text(PROCFILE).splitlines()
    found = next((m for m in map(_WEB.match, lines) if m), None)
    if not found or not found.group(1):
        return None
    line = found.group(1)
    warnings = []
    if _PORT.search(line):
        line, note = _replace_port(line)
        warnings.append(note)
    argv = _exec_form(line)
    if argv is None:
        argv = ("sh", "-c", line)
        warnings.append(
            f"{PROCFILE} web line uses shell syntax, so CMD runs it with sh -c and sh, not the "
            "server, receives docker stop's SIGTERM; start the server with `exec`, or pass "
            "--command"
        )
    return WebProcess(found.group(1), argv, tuple(warnings))


def _replace_port(line: str) -> tuple[str, str]:
    fallbacks = (port_number(m.group(1)) for m in _PORT.finditer(line) if m.group(1))
    if fallback := next((p for p in fallbacks if p), None):
        port, why = fallback, "the fallback the line states"
    else:
        port, why = default_port(("sh", "-c", _PORT.sub("8000", line)))
    replaced = _PORT.sub(str(port), line)
    note = (
        f"{PROCFILE} web line reads $PORT, which a container does not set; it serves {port} "
        f"instead ({why}); pass --command to choose another"
    )
    return replaced, note


def _exec_form(line: str) -> tuple[str, ...] | None:
    """The line split into arguments, or None when only a shell can run it faithfully."""
    if _SHELL_SYNTAX.search(_SINGLE_QUOTED.sub("''", line)):
        return None
    try:
        words = shlex.split(line)
    except ValueError:
        return None
    if words and words[0] == "exec":
        words = words[1:]
    if not words or _ASSIGNMENT.match(words[0]):
        return None
    return tuple(words)
