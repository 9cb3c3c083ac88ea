"""Three-way merge of a Dockerfile, so `dockergen update` keeps the user's own edits.

BASE is what dockergen rendered last time, YOURS the file as the user has it now, THEIRS
the new render. Classic diff3, as `git merge-file --diff3` does it: lines all three share
are stable; between them a chunk changed on one side takes that side, one changed alike on
both is taken once, and anything else is a conflict with diff3 markers. Pure, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import Match, SequenceMatcher
from typing import Final, NamedTuple

LABELS: Final = ("yours", "last generated", "dockergen")
# Split on "\n" only: "\r\n" stays one ending, and a lone "\r" or form feed stays content
# (str.splitlines would break there, and git does not).
_LINE: Final = re.compile(r"[^\n]*\n|[^\n]+")


@dataclass(frozen=True, slots=True)
class Conflict:
    """A region both sides changed differently; the tuples hold source lines with endings."""

    line: int  # 1-based line of the "<<<<<<<" marker in the merged text
    yours: tuple[str, ...]
    base: tuple[str, ...]
    theirs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The merged text (with markers when not clean) and every conflict in it, in order."""

    text: str
    conflicts: tuple[Conflict, ...]

    @property
    def clean(self) -> bool:
        return not self.conflicts


class _Sync(NamedTuple):
    """A stable run: base[base:base+size] == yours[yours:...] == theirs[theirs:...]."""

    base: int
    yours: int
    theirs: int
    size: int


def merge3(
    base: str, yours: str, theirs: str, *, labels: tuple[str, str, str] = LABELS
) -> MergeResult:
    """Merge the user's edits (`yours`) and the new render (`theirs`) made since `base`."""
    # The common cases, up front; the chunk loop below gives the same answers.
    if base == yours or yours == theirs:
        return MergeResult(theirs, ())
    if base == theirs:
        return MergeResult(yours, ())
    eol = _eol(yours, theirs, base)
    out: list[str] = []
    conflicts: list[Conflict] = []
    for z, a, b in _chunks(_LINE.findall(base), _LINE.findall(yours), _LINE.findall(theirs)):
        picked = _pick(z, a, b)
        if picked is None:
            conflicts.append(Conflict(len(out) + 1, tuple(a), tuple(z), tuple(b)))
            out.extend(_markers(a, z, b, labels, eol))
        else:
            out.extend(picked)
    return MergeResult("".join(out), tuple(conflicts))


def _eol(*texts: str) -> str:
    """The line ending of the first text that has one, so markers match a CRLF file."""
    for text in texts:
        end = text.find("\n")
        if end >= 0:
            return "\r\n" if text[end - 1 : end] == "\r" else "\n"
    return "\n"


def _chunks(
    base: list[str], yours: list[str], theirs: list[str]
) -> Iterator[tuple[list[str], list[str], list[str]]]:
    """Alternate (base, yours, theirs) chunks: the unstable gap, then the stable run."""
    z = a = b = 0
    for sync in _sync_regions(base, yours, theirs):
        yield base[z : sync.base], yours[a : sync.yours], theirs[b : sync.theirs]
        z, a, b = sync.base + sync.size, sync.yours + sync.size, sync.theirs + sync.size
        yield base[sync.base : z], yours[sync.yours : a], theirs[sync.theirs : b]


def _sync_regions(base: list[str], yours: list[str], theirs: list[str]) -> list[_Sync]:
    """Base ranges matched on both sides, ending with an empty run at the three ends."""
    mine, new = _matches(base, yours), _matches(base, theirs)
    regions: list[_Sync] = []
    i = j = 0
    while i < len(mine) and j < len(new):
        (mz, ma, mn), (nz, nb, nn) = mine[i], new[j]
        lo, hi = max(mz, nz), min(mz + mn, nz + nn)
        if lo < hi:
            regions.append(_Sync(lo, ma + lo - mz, nb + lo - nz, hi - lo))
        # Step past whichever block ends first; the other may overlap the next one too.
        if mz + mn < nz + nn:
            i += 1
        else:
            j += 1
    regions.append(_Sync(len(base), len(yours), len(theirs), 0))
    return regions


def _matches(base: list[str], other: list[str]) -> list[Match]:
    # autojunk skips lines that recur in 200+ line texts (blank lines, `WORKDIR /app`),
    # which would misalign the match.
    return SequenceMatcher(None, base, other, autojunk=False).get_matching_blocks()


def _pick(base: list[str], yours: list[str], theirs: list[str]) -> list[str] | None:
    """The lines to keep for one chunk, or None when both sides changed it differently."""
    if yours == theirs or theirs == base:
        return yours
    if yours == base:
        return theirs
    return None


def _markers(
    yours: Sequence[str],
    base: Sequence[str],
    theirs: Sequence[str],
    labels: tuple[str, str, str],
    eol: str,
) -> list[str]:
    mine, old, new = labels  # rstrip: an empty label leaves no trailing space
    return [
        f"<<<<<<< {mine}".rstrip() + eol,
        *_closed(yours, eol),
        f"||||||| {old}".rstrip() + eol,
        *_closed(base, eol),
        "=======" + eol,
        *_closed(theirs, eol),
        f">>>>>>> {new}".rstrip() + eol,
    ]


def _closed(lines: Sequence[str], eol: str) -> list[str]:
    """`lines` with an ending on the last one, so the next marker starts its own line."""
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + eol]
    return list(lines)
