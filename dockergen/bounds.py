"""One bound for every value that reaches generated text, and one for every line of it.

A value from a flag, an answer or the project's metadata (a path, a command argument, a
healthcheck path, a dev group, an index URL) is at most MAX_VALUE_CHARS long: the longest
path Linux accepts, and far beyond any real one. Messages quote at most 120 characters of a
value (text.shown) and print at most text.MAX_MESSAGE_CHARS per line. A generated line that
is still longer than BuildKit reads (many values on one line, a team's template) is refused
naming the file and line, before anything is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Final

from dockergen.answers import KEYS
from dockergen.errors import LineTooLongError, TooLongError
from dockergen.model import Decided, Overrides, ProjectSpec, RenderedFile

MAX_VALUE_CHARS: Final = 4096
# BuildKit's Dockerfile parser reads lines of up to 64 KiB.
MAX_LINE_BYTES: Final = 65535


def check_choices(choices: Overrides, origin: dict[str, str]) -> None:
    """The user's choices (flags and answers); `origin` names where each came from."""
    for key, field in KEYS.items():
        for value in _strings(getattr(choices, field)):
            if len(value) > MAX_VALUE_CHARS:
                raise TooLongError(origin[field], key, value, MAX_VALUE_CHARS)


def check_spec(spec: ProjectSpec) -> ProjectSpec:
    """Every value the spec holds, blamed on the file that decided it (else on the main
    manifest, which names the rest)."""
    for what, value, source in _values(spec, "", spec.manifests[0] if spec.manifests else "."):
        if len(value) > MAX_VALUE_CHARS:
            raise TooLongError(source, what, value, MAX_VALUE_CHARS)
    return spec


def check_lines(files: Sequence[RenderedFile]) -> None:
    for file in files:
        if len(file.content) <= MAX_LINE_BYTES:  # the common case: no line to measure
            continue
        for number, line in enumerate(file.content.split("\n"), start=1):
            if (size := len(line.encode("utf-8", "surrogatepass"))) > MAX_LINE_BYTES:
                raise LineTooLongError(file.name, number, line, size, MAX_LINE_BYTES)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _strings(item)


def _values(node: object, what: str, source: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(node, Decided):
        yield from _values(node.value, what, node.source)
    elif isinstance(node, str):
        yield what, node, source
    elif isinstance(node, tuple):
        for item in node:
            yield from _values(item, what, source)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            if field.name != "warnings":  # messages: printed bounded, never generated text
                name = f"{what}.{field.name}" if what else field.name
                yield from _values(getattr(node, field.name), name.replace("_", "-"), source)
