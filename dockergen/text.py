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


def printable(line: str) -> str:
    """A printed line with every control character escaped (`\\x1b`), at any length: an
    index URL or a name from metadata cannot drive the terminal or add a line."""
    if line.isprintable():
        return line
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def shorten(value: str) -> str:
    """`value`, cut to a length a message can quote (UnsafeValueError adds the quotes)."""
    return value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS] + "..."


def one_line(value: object) -> str:
    """A metadata value inside a comment: it can never end the comment and start an
    instruction, nor make a line longer than BuildKit reads."""
    return shorten(re.sub(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+", " ", str(value)))
