"""pip requirements files: which one to install, and every file it pulls in.

pip reads `-r`/`-c` includes relative to the including file, so each of them must be in
the builder before `pip install` runs. Local-path requirements need the source itself.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Final

from dockergen.errors import InvalidProjectFileError
from dockergen.project import Project

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

_INCLUDE = re.compile(r"^(-r|-c|--requirement|--constraint)(?:=|\s*)(\S+)")
_EDITABLE = re.compile(r"^(-e|--editable)(?:=|\s+)(\S+)")
_VCS = re.compile(r"(^|@\s*)(git|hg|svn|bzr)\+", re.IGNORECASE)
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RequirementsTree:
    files: tuple[str, ...]  # the chosen file first, then its includes in reading order
    local_paths: tuple[str, ...]  # requirements that name a directory or file of the project
    needs_git: bool  # a VCS requirement (git+https://...) makes pip run git


def find_requirements(project: Project) -> str | None:
    return next((name for name in CANDIDATES if project.is_file(name)), None)


def read_tree(project: Project, top: str) -> RequirementsTree:
    files: list[str] = []
    local: list[str] = []
    needs_git = False

    def visit(name: str, chain: tuple[str, ...]) -> None:
        nonlocal needs_git
        if name in chain:
            loop = " -> ".join((*chain[chain.index(name) :], name))
            raise InvalidProjectFileError(chain[-1], f"includes itself ({loop})", "break the loop")
        if name in files:
            return
        files.append(name)
        for lineno, line in _logical_lines(project.read_text(name)):
            where = f"{name}:{lineno}"
            if include := _INCLUDE.match(line):
                target = include.group(2)
                if not _URL.match(target):
                    visit(_resolve(project, name, target, where), (*chain, name))
            elif editable := _EDITABLE.match(line):
                target = editable.group(2)
                if _VCS.search(target):
                    needs_git = True
                elif not _URL.match(target):
                    local.append(_resolve(project, name, target, where))
            elif _VCS.search(line):
                needs_git = True
            elif target := _local_target(line):
                local.append(_resolve(project, name, target, where))

    visit(top, ())
    return RequirementsTree(files=tuple(files), local_paths=tuple(local), needs_git=needs_git)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines as pip sees them: comments removed, backslash continuations joined."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined = (pending + line).strip()
        pending = ""
        if joined:
            out.append((start, joined))
    if pending.strip():
        out.append((start, pending.strip()))
    return out


def _local_target(line: str) -> str | None:
    """The path of a requirement that names a local directory or archive, else None."""
    first = line.split()[0]
    if "@" in line and not first.startswith((".", "/")):
        url = line.split("@", 1)[1].split(";")[0].strip()  # PEP 508: name @ url
        return url if url.startswith(("file:", ".", "/")) else None
    if first.startswith("-") or _URL.match(first):
        return None
    return first if first.startswith((".", "/")) or "/" in first else None


def _resolve(project: Project, including: str, target: str, where: str) -> str:
    target = re.sub(r"\[[^\]]*\]$", "", target.removeprefix("file:"))  # drop [extras]
    if posixpath.isabs(target):
        raise InvalidProjectFileError(
            where, f"refers to the absolute path {target}", "use a path relative to the project"
        )
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(including), target))
    if joined == ".." or joined.startswith("../") or not project.inside(joined):
        raise InvalidProjectFileError(
            where,
            f"refers to {target}, which is outside the project (Docker cannot copy it)",
            "move the file into the project or vendor it",
        )
    if not project.path(joined).exists():
        raise InvalidProjectFileError(where, f"refers to {target}, which does not exist", "fix it")
    return joined
