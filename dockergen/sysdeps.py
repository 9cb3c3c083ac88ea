"""Debian packages a project's Python dependencies need: to build them, and to run them.

One table, from dependency name to packages, split by stage: the builder gets compilers and
headers, the final image only the shared libraries. Packages that publish wheels for every
current Python (lxml, Pillow) need nothing unless the lock file shows there is no wheel for
the chosen Python; any locked package with no usable wheel at all needs a compiler.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from dockergen.installers import locked_packages
from dockergen.names import normalize
from dockergen.project import ProjectDir


@dataclass(frozen=True, slots=True)
class Needs:
    build: tuple[str, ...] = ()
    run: tuple[str, ...] = ()
    only_without_wheel: bool = False  # wheels bundle the libraries; only an sdist needs these


COMPILER: Final = ("build-essential",)  # gcc, g++, make and libc headers
# The table below names trixie's packages (dockergen.debian.DEFAULT); older releases call
# some of them differently. Checked with `apt-cache policy` in each release's python image.
# (The t64 renames, e.g. libssl3 -> libssl3t64, touch none of the packages named here.)
OLDER_NAMES: Final = {
    "bookworm": {"libldap2": "libldap-2.5-0"},
}
SYSTEM_PACKAGES: Final = {
    "psycopg2": Needs(build=(*COMPILER, "libpq-dev"), run=("libpq5",)),
    "mysqlclient": Needs(
        build=(*COMPILER, "pkg-config", "default-libmysqlclient-dev"), run=("libmariadb3",)
    ),
    "python-ldap": Needs(build=(*COMPILER, "libldap2-dev", "libsasl2-dev"), run=("libldap2",)),
    "pycairo": Needs(build=(*COMPILER, "pkg-config", "libcairo2-dev"), run=("libcairo2",)),
    "pdf2image": Needs(run=("poppler-utils",)),
    "pydub": Needs(run=("ffmpeg",)),
    "lxml": Needs(
        build=(*COMPILER, "libxml2-dev", "libxslt1-dev"),
        run=("libxml2", "libxslt1.1"),
        only_without_wheel=True,
    ),
    "pillow": Needs(
        build=(*COMPILER, "libjpeg62-turbo-dev", "zlib1g-dev"),
        run=("libjpeg62-turbo", "zlib1g"),
        only_without_wheel=True,
    ),
}


@dataclass(frozen=True, slots=True)
class SystemNeeds:
    build: tuple[str, ...]
    run: tuple[str, ...]
    reasons: tuple[str, ...]  # one per dependency that asked for something


def system_needs(
    project: ProjectDir, dependencies: Iterable[str], python: str, debian: str
) -> SystemNeeds:
    """What `dependencies` need on Debian `debian` (a release dockergen.debian knows)."""
    renamed = OLDER_NAMES.get(debian, {})
    without_wheel = locked_without_wheel(project, python)
    build: list[str] = []
    run: list[str] = []
    reasons: list[str] = []
    for name in sorted(dependencies):
        needs = SYSTEM_PACKAGES.get(name)
        if needs is None or (needs.only_without_wheel and name not in without_wheel):
            continue
        wanted_build = [renamed.get(p, p) for p in needs.build]
        wanted_run = [renamed.get(p, p) for p in needs.run]
        build += wanted_build
        run += wanted_run
        reasons.append(
            f"{name}: build {' '.join(wanted_build) or '-'}, run {' '.join(wanted_run) or '-'}"
        )
    for name in sorted(without_wheel - SYSTEM_PACKAGES.keys()):
        build += COMPILER
        reasons.append(
            f"{name}: no wheel for CPython {python} on Linux in the lock file, so it compiles"
        )
    return SystemNeeds(tuple(dict.fromkeys(build)), tuple(dict.fromkeys(run)), tuple(reasons))


def locked_without_wheel(project: ProjectDir, python: str) -> set[str]:
    """Locked packages the image installs (not a dev-only group) whose files include an sdist
    but no wheel this image can install."""
    tag = "cp" + "".join(python.split(".")[:2])
    return {
        normalize(package.name)
        for package in locked_packages(project)
        if package.default and package.files and not _installable(package.files, tag)
    }


def _installable(filenames: tuple[str, ...], tag: str) -> bool:
    """A pure wheel, or wheels for this CPython on both glibc x86_64 and aarch64."""
    arches: set[str] = set()
    for name in filenames:
        if not name.endswith(".whl") or name.count("-") < 4:
            continue
        _, _, pythons, abi, platform = name[:-4].rsplit("-", 4)
        if not any(p.startswith(("py3", tag)) or abi == "abi3" for p in pythons.split(".")):
            continue
        if platform == "any":
            return True
        if "manylinux" in platform:
            arches.update(a for a in ("x86_64", "aarch64") if a in platform)
    return arches == {"x86_64", "aarch64"}
