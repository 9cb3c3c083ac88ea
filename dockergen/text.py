"""Values from metadata as messages may quote them: bounded, on one line, inert."""

from __future__ import annotations

import re
from typing import Final

# Longest metadata value quoted whole in a message; longer ones are cut, so a 10 MB line in a
# requirements file cannot become a 10 MB error message.
_SHOWN_CHARS: Final = 120


def shown(value: str) -> str:
    """A metadata value as a message may quote it: printable, on one line, of bounded length.

    Plain values appear as they are (`requirements.txt:3: refers to x.txt`); anything holding a
    control character or line break appears as a Python literal, so a hostile file name can
    neither add lines to the output nor send escape sequences to the terminal.
    """
    cut = shorten(value)
    return cut if cut.isprintable() else repr(cut)


# Longest line dockergen prints. Values in it are cut by shown() already; this is the last
# guard, for a value that reaches a message some other way (a usage error quoting a flag).
MAX_MESSAGE_CHARS: Final = 2000


def printable(line: str) -> str:
    """A printed line with every control character escaped (`\\x1b`), so an index URL or a
    name from metadata cannot drive the terminal or add a line, and cut to about
    MAX_MESSAGE_CHARS in the middle, so that its start and the fix it ends with
    stay."""
    if not line.isprintable():
        line = "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)
    if len(line) <= MAX_MESSAGE_CHARS:
        return line
    cut = len(line) - MAX_MESSAGE_CHARS
    head = MAX_MESSAGE_CHARS * 2 // 3
    return f"{line[:head]}[... {cut:,} characters ...]{line[head + cut :]}"


def shorten(value: str) -> str:
    """`value`, cut to a length a message can quote (UnsafeValueError adds the quotes)."""
    return value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS] + "..."


def one_line(value: object) -> str:
    """A metadata value inside a comment: it can never end the comment and start an
    instruction, nor make a line longer than BuildKit reads."""
    return shorten(re.sub(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+", " ", str(value)))
