"""Versions, specifiers and requirements from metadata, parsed through one door.

packaging raises InvalidVersion (and friends) for bad syntax, but a bare ValueError for a
number with thousands of digits (Python's limit on converting long digit strings), and a
SpecifierSet or Requirement parses its versions only when first compared. So every parse here
is eager and every failure is one kind: the plain parsers answer None, the checked ones raise
NotPep440Error, a one-line error naming the file and line. packaging is imported only when a
value is parsed (its regexes cost start-up time that most projects never need).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dockergen.errors import NotPep440Error

if TYPE_CHECKING:
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    from dockergen.project import ProjectDir


def version(text: str) -> Version | None:
    from packaging.version import Version

    try:
        return Version(text)
    except ValueError:  # InvalidVersion is one too
        return None


def specifiers(text: str) -> SpecifierSet | None:
    from packaging.specifiers import SpecifierSet

    try:
        parsed = SpecifierSet(text)
    except ValueError:
        return None
    return parsed if _versions_parse(parsed) else None


def requirement(text: str) -> Requirement | None:
    from packaging.requirements import Requirement

    try:
        parsed = Requirement(text)
    except ValueError:
        return None
    return parsed if _versions_parse(parsed.specifier) else None


def _versions_parse(parsed: SpecifierSet) -> bool:
    """Whether every version a specifier set compares against can be parsed (`===` compares
    strings, and `==1.*` a prefix: both parse what they hold when they are used)."""
    return all(
        s.operator == "===" or version(s.version.removesuffix(".*")) is not None for s in parsed
    )


VERSION = "version (PEP 440)"
SPECIFIER = "version specifier (PEP 440)"
REQUIREMENT = "requirement (PEP 508)"


def checked_version(text: str, where: str, what: str, fix: str) -> Version:
    parsed = version(text)
    if parsed is None:
        raise NotPep440Error(where, what, text, VERSION, fix)
    return parsed


def checked_specifiers(text: str, where: str, what: str, fix: str) -> SpecifierSet:
    parsed = specifiers(text)
    if parsed is None:
        raise NotPep440Error(where, what, text, SPECIFIER, fix)
    return parsed


def line_of(project: ProjectDir, name: str, value: str) -> str:
    """`name:line` of the first line of `name` holding `value` as written (in quotes, or
    after `=` or a space), else `name`: messages point at the line where they can."""
    first = value.strip().splitlines()[0] if value.strip() else ""
    if not first or not project.is_file(name):
        return name
    pattern = re.compile(rf"""(^|["'=\s]){re.escape(first)}""")
    for number, line in enumerate(project.read_text(name).splitlines(), start=1):
        if first in line and pattern.search(line):
            return f"{name}:{number}"
    return name
