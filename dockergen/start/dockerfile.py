"""The authors' own Dockerfile, read as instructions: what its final stage runs and exposes.

A small reader, not a full parser: line continuations (with the `# escape=` directive),
comments, stages (`FROM`), and the exec or shell form of `CMD` / `ENTRYPOINT`. Heredocs and
variable expansion are not interpreted; an instruction that uses them is taken as written.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Final

from dockergen.start.shell import port_number

_DIRECTIVE: Final = r"(?i)^#\s*escape\s*=\s*(\S)\s*$"
_INSTRUCTION: Final = r"(?s)^\s*([A-Za-z]+)(?:\s+(.*))?$"


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction of an authored Dockerfile."""

    keyword: str  # upper case
    text: str  # the arguments, continuation lines joined with a space
    line: int  # 1-based line of the keyword


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of an authored Dockerfile: its FROM and its instructions."""

    base: str  # the image FROM names
    name: str  # after AS, "" without one
    line: int
    instructions: tuple[Instruction, ...] = field(default=())

    def last(self, keyword: str) -> Instruction | None:
        found = [i for i in self.instructions if i.keyword == keyword]
        return found[-1] if found else None

    def all(self, keyword: str) -> tuple[Instruction, ...]:
        return tuple(i for i in self.instructions if i.keyword == keyword)


def instructions(text: str) -> list[Instruction]:
    """Every instruction, continuation lines joined, comments and blank lines dropped."""
    lines = text.splitlines()
    escape = "\\"
    if lines and (directive := re.match(_DIRECTIVE, lines[0])):
        escape = directive.group(1)
    found: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if not pending:
            start = number
        continued = raw.rstrip().endswith(escape)
        pending.append(raw.rstrip()[:-1] if continued else raw)
        if continued:
            continue
        joined = " ".join(part.strip() for part in pending if part.strip())
        pending = []
        if match := re.match(_INSTRUCTION, joined):
            found.append(Instruction(match.group(1).upper(), (match.group(2) or "").strip(), start))
    return found


def stages(text: str) -> list[Stage]:
    """The stages in order; instructions before the first FROM (ARG) are dropped."""
    found: list[Stage] = []
    current: list[Instruction] = []
    for instruction in instructions(text):
        if instruction.keyword == "FROM":
            if found:
                found[-1] = Stage(found[-1].base, found[-1].name, found[-1].line, tuple(current))
            words = [w for w in instruction.text.split() if not w.startswith("--")]
            base = words[0] if words else ""
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else ""
            found.append(Stage(base, name, instruction.line))
            current = []
        elif found:
            current.append(instruction)
    if found:
        found[-1] = Stage(found[-1].base, found[-1].name, found[-1].line, tuple(current))
    return found


def argv(instruction: Instruction) -> tuple[str, ...] | None:
    """CMD/ENTRYPOINT arguments: the exec form's list, or the shell form run by `sh -c`."""
    text = instruction.text
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
    return ("sh", "-c", text) if text else None


def exposed(stage: Stage) -> tuple[int, ...]:
    """The TCP ports EXPOSEd (variables and ranges are skipped)."""
    ports: list[int] = []
    for instruction in stage.all("EXPOSE"):
        for word in instruction.text.split():
            number, _, protocol = word.partition("/")
            if (port := port_number(number)) and protocol in ("", "tcp"):
                ports.append(port)
    return tuple(dict.fromkeys(ports))


def environment(stage: Stage) -> dict[str, str]:
    """ENV of the stage (`ENV A=1 B=2` and the old `ENV A 1`), later values winning."""
    values: dict[str, str] = {}
    for instruction in stage.all("ENV"):
        try:
            words = shlex.split(instruction.text)
        except ValueError:
            continue
        if words and "=" not in words[0]:
            values[words[0]] = " ".join(words[1:])
            continue
        for word in words:
            name, equals, value = word.partition("=")
            if equals and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                values[name] = value
    return values


def workdir(stage: Stage) -> str:
    """The final WORKDIR ("/" without one); relative ones are joined as Docker does."""
    current = "/"
    for instruction in stage.all("WORKDIR"):
        path = instruction.text.strip().strip("\"'")
        current = path if path.startswith("/") else f"{current.rstrip('/')}/{path}"
    return current


def copies(stage: Stage) -> list[tuple[tuple[str, ...], str]]:
    """(sources, destination) of each COPY/ADD from the build context (not --from)."""
    found = []
    for instruction in (*stage.all("COPY"), *stage.all("ADD")):
        text = instruction.text
        if text.startswith("["):
            try:
                words = json.loads(text)
            except ValueError:
                continue
        else:
            try:
                words = shlex.split(text)
            except ValueError:
                continue
        if any(w.startswith("--from") for w in words):
            continue
        words = [w for w in words if not w.startswith("--")]
        if len(words) >= 2:
            found.append((tuple(words[:-1]), words[-1]))
    return found


def volumes(stage: Stage) -> tuple[str, ...]:
    """Absolute folders the stage declares as VOLUMEs (JSON or plain form)."""
    found: list[str] = []
    for instruction in stage.all("VOLUME"):
        text = instruction.text
        try:
            words = json.loads(text) if text.startswith("[") else text.split()
        except ValueError:
            continue
        found += [w for w in words if isinstance(w, str) and re.fullmatch(r"/[\w./-]+", w)]
    return tuple(dict.fromkeys(found))
