"""The intent record of a run that writes: what every file held before, and will hold.

Part of the write stage. write.py writes `.dockergen/journal.json` before the first file and
deletes it after the last, so one sentence holds after any interruption (kill -9, Ctrl-C, a
full disk): while the journal is there, `check` reports the project as not up to date, and the
next command that writes finishes the interrupted run first. Finishing is safe because each
file is known by its content before and after: one that holds neither was changed by someone
since, and is never overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final, Literal

from dockergen.errors import DamagedJournalError
from dockergen.model import RenderedFile

JOURNAL: Final = ".dockergen/journal.json"
UNFINISHED: Final = (
    f"an interrupted dockergen run left its change half-written ({JOURNAL}); "
    "`dockergen update` finishes it"
)
State = Literal["done", "pending", "changed"]
# Where dockergen writes (its outputs, answers and record). A journal is a file in the project,
# so a hostile repository could ship one: finishing it may write nowhere else (never into
# .git/ or a virtualenv, which no repository's content reaches).
WRITES_TOP: Final = frozenset(
    {"Dockerfile", ".dockerignore", "pyproject.toml", ".dockergen.toml", "compose.yaml"}
    | {".gitlab-ci.yml"}
)
WRITES_UNDER: Final = (".dockergen/", ".github/", ".devcontainer/")


def may_write(name: str) -> bool:
    """Whether `name` is a place dockergen writes (tests/test_trust.py checks every output)."""
    parts = PurePosixPath(name).parts
    if not parts or ".." in parts or PurePosixPath(name).is_absolute():
        return False
    return name in WRITES_TOP or (len(parts) > 1 and name.startswith(WRITES_UNDER))


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of an unfinished write, as the journal records it."""

    name: str  # project-relative
    before: str | None  # sha256 of what it held before the run; None: it did not exist
    content: str  # what the run writes


def digest(data: bytes | None) -> str | None:
    import hashlib  # only a run that writes, or finds a journal, hashes anything

    return None if data is None else hashlib.sha256(data).hexdigest()


def intent(files: Sequence[RenderedFile], before: Sequence[bytes | None]) -> str:
    """The journal's text for writing `files` over what they hold now (`before`)."""
    entries = [
        {"name": f.name, "before": digest(old), "content": f.content}
        for f, old in zip(files, before, strict=True)
    ]
    return json.dumps({"journal": 1, "files": entries}, indent=1) + "\n"


def parse(text: str) -> list[Entry]:
    """The entries of a journal's text; DamagedJournalError when it is not one dockergen wrote
    (a merge conflict in it, an edit by hand)."""
    try:
        data = json.loads(text)
        entries = [Entry(e["name"], e["before"], e["content"]) for e in data["files"]]
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise DamagedJournalError(JOURNAL, "is not a journal dockergen wrote") from exc
    if not all(
        isinstance(e.name, str)
        and isinstance(e.content, str)
        and isinstance(e.before, str | None)
        and may_write(e.name)
        for e in entries
    ):
        raise DamagedJournalError(JOURNAL, "names a file dockergen does not write")
    return entries


def state(entry: Entry, current: bytes | None) -> State:
    """done: it holds the new content; pending: still the old; changed: neither."""
    if current is not None and current == entry.content.encode("utf-8", "surrogatepass"):
        return "done"
    return "pending" if digest(current) == entry.before else "changed"
