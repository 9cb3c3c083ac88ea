"""One quoting rule for each place a word lands in generated text. Values are checked before
(safety.py); these make what passed the checks inert where it is written."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from typing import Final

# Characters that end a line for Docker, a shell, or a Unicode-aware reader.
_LINE_BREAKS: Final = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_PLAIN_WORD: Final = re.compile(r"[A-Za-z0-9_.=<>,+/:@%-]+")


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


def comment(line: str) -> str:
    """A comment line's text: a line break in it could end the comment and start an
    instruction, so each becomes a space."""
    return _LINE_BREAKS.sub(" ", line)
