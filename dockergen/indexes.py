"""Package indexes other than the default one, and the rule that keeps their credentials safe.

Credentials never belong in a project file, an ARG, an ENV or a layer. The generated install
steps read them from a BuildKit secret mount of a netrc file (~/.netrc, where pip looks for HTTP
basic auth; the e2e suite proves it for pip only), passed at build time with
`docker build --secret id=netrc,src=$HOME/.netrc .`. A password written into an index URL
in the project is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from dockergen.errors import InvalidProjectFileError
from dockergen.project import Project
from dockergen.safety import shown

# Requirements-file options that name where packages come from.
_OPTION: Final = re.compile(
    r"^(?:-i|--index-url|--extra-index-url|-f|--find-links)(?:\s*=\s*|\s+)(\S+)"
)
# The name Pipfile and poetry give the default index; it needs no credentials.
_DEFAULT_NAMES: Final = frozenset({"pypi"})


@dataclass(frozen=True, slots=True)
class Index:
    url: str
    source: str  # the file (and table) that declares it


def find_indexes(project: Project, requirement_files: tuple[str, ...]) -> tuple[Index, ...]:
    found = [*_from_requirements(project, requirement_files), *_from_tables(project)]
    for index in found:
        _refuse_inline_credentials(index)
    return tuple(dict.fromkeys(found))


def _from_requirements(project: Project, files: tuple[str, ...]) -> Iterator[Index]:
    for name in files:
        for number, line in enumerate(project.read_text(name).splitlines(), start=1):
            if match := _OPTION.match(line.strip()):
                yield Index(match.group(1), f"{name}:{number}")


def _from_tables(project: Project) -> Iterator[Index]:
    tables: list[tuple[str, Any]] = []
    if project.is_file("Pipfile"):
        tables.append(("Pipfile [[source]]", project.read_toml("Pipfile").get("source")))
    tool = project.pyproject().get("tool", {})
    tables += [
        ("pyproject.toml [[tool.poetry.source]]", tool.get("poetry", {}).get("source")),
        ("pyproject.toml [[tool.uv.index]]", tool.get("uv", {}).get("index")),
        ("pyproject.toml [[tool.pdm.source]]", tool.get("pdm", {}).get("source")),
    ]
    for where, entries in tables:
        for entry in entries if isinstance(entries, list) else ():
            if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
                continue
            if str(entry.get("name", "")).lower() not in _DEFAULT_NAMES:
                yield Index(entry["url"], where)


def _refuse_inline_credentials(index: Index) -> None:
    try:
        password = urlsplit(index.url).password
    except ValueError as exc:
        raise InvalidProjectFileError(
            index.source, f"the index URL {shown(index.url)} is malformed ({exc})", "fix it"
        ) from exc
    # ${VAR} placeholders are expanded by the installer from the environment: not a secret.
    if password and not re.fullmatch(r"\$\{?\w+\}?", password):
        raise InvalidProjectFileError(
            index.source,
            f"the index URL for {urlsplit(index.url).hostname} contains a password, which would "
            "end up in the image and in version control",
            "remove it from the URL, put it in a netrc file, and build with "
            "`docker build --secret id=netrc,src=$HOME/.netrc .`",
        )
