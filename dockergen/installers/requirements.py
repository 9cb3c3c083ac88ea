"""pip requirements files: which one to install, and every file it pulls in.

pip reads `-r`/`-c` includes relative to the including file, so each of them must be in
the builder before `pip install` runs. Local-path requirements need the source itself.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from dockergen.errors import InvalidProjectFileError
from dockergen.project import ProjectDir
from dockergen.safety import CheckedPath, check_path
from dockergen.text import shown

# Where projects keep their requirements, best first. A root requirements.txt wins; otherwise
# the production file of a requirements/ layout (base.txt is what prod builds on).
CANDIDATES: Final = (
    "requirements.txt",
    "requirements/prod.txt",
    "requirements/production.txt",
    "requirements/main.txt",
    "requirements/base.txt",
    "requirements/requirements.txt",
    "requirements-prod.txt",
)

_INCLUDE = r"^(-r|-c|--requirement|--constraint)(?:=|\s*)(\S+)"
_BARE_INCLUDE = r"(-r|-c|--requirement|--constraint)=?\s*"
_EDITABLE = r"^(-e|--editable)(?:=|\s+)(\S+)"
_VCS = r"(?i)(^|@\s*)(git|hg|svn|bzr)\+"
_URL = r"(?i)^[a-z][a-z0-9+.-]*://"
_COMMENT = r"(^|\s)#.*$"
# Where str.splitlines() ends a line.
_LINE_END = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CHUNK_CHARS = 1 << 16
# A line can include a file, name a path or a VCS URL only if it holds one of these.
_MAY_MATTER = r"^[-./]|[@+/]"
# pip follows includes by recursion too; a chain this long is a mistake or an attack.
MAX_INCLUDE_DEPTH: Final = 100
# pip-compile output with hashes for a large project is about 20 000 lines. The bound keeps
# every reader of these files (dependencies.py parses each line) to a second or so.
MAX_LINES: Final = 100_000


@dataclass(frozen=True, slots=True)
class RequirementsTree:
    """A requirements file and everything it includes: what the image must copy and have."""

    files: tuple[CheckedPath, ...]  # the chosen file first, then its includes in reading order
    local_paths: tuple[CheckedPath, ...]  # requirements naming a directory or file of the project
    needs_git: bool  # a VCS requirement (git+https://...) makes pip run git


def find_requirements(project: ProjectDir) -> str | None:
    return next((name for name in CANDIDATES if project.is_file(name)), None)


def read_tree(project: ProjectDir, top: str) -> RequirementsTree:
    reader = _TreeReader(project)
    reader.visit(check_path(top, top), ())
    return RequirementsTree(
        files=tuple(reader.files), local_paths=tuple(reader.local), needs_git=reader.needs_git
    )


class _TreeReader:
    """Follows includes depth first, as pip does, collecting files, local paths and VCS use."""

    def __init__(self, project: ProjectDir) -> None:
        self.project = project
        self.files: list[CheckedPath] = []
        # An ordered set: `-e .` on a thousand lines is one path.
        self.local: dict[CheckedPath, None] = {}
        self.needs_git = False
        self._resolved: dict[tuple[str, str, bool], CheckedPath] = {}

    def visit(self, name: CheckedPath, chain: tuple[str, ...]) -> None:
        _check_chain(name, chain)
        if name in self.files:
            return
        self.files.append(name)
        for lineno, line in _logical_lines(self.project.read_text(name)):
            if lineno > MAX_LINES:
                raise InvalidProjectFileError(
                    shown(name),
                    f"has more than {MAX_LINES} lines, more than any real requirements file",
                    "check the file",
                )
            if re.search(_MAY_MATTER, line):  # most lines, a plain `name==version`, do not
                self._line(name, line, f"{shown(name)}:{lineno}", chain)

    def _line(self, name: str, line: str, where: str, chain: tuple[str, ...]) -> None:
        if bare := re.fullmatch(_BARE_INCLUDE, line):
            raise InvalidProjectFileError(
                where, f"{bare.group(1)} names no file", "name the file, or delete the line"
            )
        if include := re.match(_INCLUDE, line):
            target = include.group(2)
            if not re.match(_URL, target) or target.startswith("file:"):
                self.visit(self._resolve(name, target, where, include=True), (*chain, name))
        elif editable := re.match(_EDITABLE, line):
            target = editable.group(2)
            if re.search(_VCS, target):
                self.needs_git = True
            elif not re.match(_URL, target) or target.startswith("file:"):
                self.local[self._resolve(name, target, where, include=False)] = None
        elif re.search(_VCS, line):
            self.needs_git = True
        elif target := _local_target(line):
            self.local[self._resolve(name, target, where, include=False)] = None

    def _resolve(self, including: str, target: str, where: str, *, include: bool) -> CheckedPath:
        key = (posixpath.dirname(including), target, include)
        if key not in self._resolved:
            self._resolved[key] = _resolve(self.project, including, target, where, include=include)
        return self._resolved[key]


def _check_chain(name: str, chain: tuple[str, ...]) -> None:
    if name in chain:
        loop = " -> ".join((*chain[chain.index(name) :], name))
        raise InvalidProjectFileError(
            shown(chain[-1]), f"includes itself ({shown(loop)})", "break the loop"
        )
    if len(chain) >= MAX_INCLUDE_DEPTH:
        raise InvalidProjectFileError(
            shown(chain[-1]),
            f"includes are nested more than {MAX_INCLUDE_DEPTH} files deep",
            "include fewer levels of files",
        )


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Lines as pip sees them: comments removed, backslash continuations joined.

    A generator over a line iterator, so a file of a million short lines is never a list of
    a million strings.
    """
    pending, start = "", 0
    for number, raw in enumerate(_split_lines(text), start=1):
        line = (re.sub(_COMMENT, "", raw) if "#" in raw else raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined = (pending + line).strip()
        pending = ""
        if joined:
            yield start, joined
    if pending.strip():
        yield start, pending.strip()


def _split_lines(text: str) -> Iterator[str]:
    """What text.splitlines() returns (pip splits the same way), a chunk at a time."""
    start = 0
    while start < len(text):
        end = _LINE_END.search(text, start + _CHUNK_CHARS)
        stop = end.end() if end else len(text)
        yield from text[start:stop].splitlines()
        start = stop


def _local_target(line: str) -> str | None:
    """The path of a requirement that names a local directory or archive, else None."""
    first = line.split()[0]
    if "@" in line and not first.startswith((".", "/")):
        url = line.split("@", 1)[1].split(";")[0].strip()  # PEP 508: name @ url
        return url if url.startswith(("file:", ".", "/")) else None
    if first.startswith("-") or re.match(_URL, first):
        return None
    return first if first.startswith((".", "/")) or "/" in first else None


def _resolve(
    project: ProjectDir, including: str, target: str, where: str, *, include: bool
) -> CheckedPath:
    # file:///abs, file://localhost/abs and file:rel are paths to pip; drop [extras] too.
    target = re.sub(r"^file:(//(localhost)?(?=/))?", "", target)
    target = re.sub(r"\[[^\]]*\]$", "", target)
    if not _usable_name(target):
        raise InvalidProjectFileError(
            where, f"refers to {shown(target)}, which is not a usable file name", "rename it"
        )
    if posixpath.isabs(target):
        raise InvalidProjectFileError(
            where,
            f"refers to the absolute path {shown(target)}",
            "use a path relative to the project",
        )
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(including), target))
    if joined == ".." or joined.startswith("../") or not project.inside(joined):
        raise InvalidProjectFileError(
            where,
            f"refers to {shown(target)}, which is outside the project (Docker cannot copy it)",
            "move the file into the project or vendor it",
        )
    kind = project.kind(joined)
    if kind is None:
        raise InvalidProjectFileError(
            where, f"refers to {shown(target)}, which does not exist", "fix it"
        )
    if include and kind != "file":
        raise InvalidProjectFileError(
            where, f"includes {shown(target)}, which is {kind}", "name a requirements file"
        )
    # Never a secret or local state (`-r .env`, `-e .venv/x`): not copied, not sent.
    return check_path(joined, where, "include" if include else "local path")


def _usable_name(path: str) -> bool:
    """Printable, and within Linux's limits (255 bytes a name, 4096 a path)."""
    encoded = path.encode("utf-8", "surrogateescape")
    return (
        path.isprintable()
        and len(encoded) < 4096
        and all(len(part) <= 255 for part in encoded.split(b"/"))
    )


# Requirements-file options that name where packages come from.
_INDEX_OPTION: Final = r"^(?:-i|--index-url|--extra-index-url|-f|--find-links)(?:\s*=\s*|\s+)(\S+)"
_CONTINUATION: Final = r"\\\r?\n"
_OPTIONS: Final = r"\s+--?[A-Za-z].*$"  # --hash=..., trailing pip options


def index_options(project: ProjectDir, name: str) -> Iterator[tuple[str, str]]:
    """(file:line, url) of every index option in one requirements file."""
    for number, line in enumerate(project.read_text(name).splitlines(), start=1):
        if match := re.match(_INDEX_OPTION, line.strip()):
            yield f"{name}:{number}", match.group(1)


def requirement_lines(text: str) -> Iterator[str]:
    """The requirement lines of a file, without comments, options and continuations."""
    for raw in re.sub(_CONTINUATION, " ", text).splitlines():
        line = re.sub(_OPTIONS, "", re.sub(_COMMENT, "", raw)).strip()
        if line and not line.startswith("-"):
            yield line
