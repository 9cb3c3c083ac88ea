"""One quoting rule for each place a word lands in generated text. Values are checked before
(safety.py); these make what passed the checks inert where it is written."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from dockergen.errors import UnsafeValueError
from dockergen.text import shorten

if TYPE_CHECKING:
    from dockergen.safety import CheckedPath

# What COPY takes as it is: no spaces, quotes, `$`, wildcards or backslashes, no leading dash.
_COPY_SOURCE: Final = re.compile(r"(?!-)[A-Za-z0-9_.@+-]+(/[A-Za-z0-9_.@+-]+)*/?")
# One COPY line holds all the manifests; BuildKit refuses a line longer than 65 535 bytes.
MAX_COPY_CHARS: Final = 16 * 1024
# Characters that end a line for Docker, a shell, or a Unicode-aware reader.
_LINE_BREAKS: Final = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_PLAIN_WORD: Final = re.compile(r"[A-Za-z0-9_.=,+/:@%-]+")


def shell_word(word: str) -> str:
    """A word on a RUN line: quoted for sh only when needed, so `pip install uv==0.13.9`
    stays readable."""
    return word if _PLAIN_WORD.fullmatch(word) else shlex.quote(word)


def exec_form(argv: Sequence[str]) -> str:
    """An argument list of CMD, HEALTHCHECK or compose's `test:`: JSON with ASCII escapes, so
    quotes, backslashes and Unicode line breaks stay inside strings. A backslash is written
    \\u005c: hadolint misreads a string that ends in `\\\\"`."""
    return json.dumps(list(argv), ensure_ascii=True).replace("\\\\", "\\u005c")


def quoted(value: object) -> str:
    """A JSON string, which is also a YAML double-quoted scalar: safe for any file name."""
    return json.dumps(str(value), ensure_ascii=True)


def copy_sources(paths: Sequence[CheckedPath]) -> tuple[CheckedPath, ...]:
    """COPY sources as COPY writes them: plain names only. A name with a space, a quote, `$`
    or a wildcard is refused (COPY would expand or split it), naming the file that asked."""
    for path in paths:
        if not _COPY_SOURCE.fullmatch(path):
            fix = "rename it to letters, digits and ._-@+ only"
            raise UnsafeValueError("file name", shorten(path), path.source, fix)
    if sum(len(path) + 1 for path in paths) > MAX_COPY_CHARS:
        fix = f"include fewer files: their names add up to more than {MAX_COPY_CHARS} characters"
        raise UnsafeValueError("list of files", shorten(" ".join(paths)), paths[0].source, fix)
    return tuple(paths)


def comment(line: str) -> str:
    """A comment line's text: a line break in it could end the comment and start an
    instruction, so each becomes a space."""
    return _LINE_BREAKS.sub(" ", line)
