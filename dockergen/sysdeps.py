"""Debian packages a project's Python dependencies need: to build them, and to run them.

SYSTEM_PACKAGES maps a dependency to packages, split by stage: the builder gets compilers and
headers, the final image only the shared libraries. Packages that publish wheels for every
current Python (lxml, Pillow) need nothing unless the lock file shows there is no wheel for
the chosen Python; any locked package with no usable wheel at all needs a compiler.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from dockergen.installers import locked_packages
from dockergen.names import normalize
from dockergen.project import ProjectDir


@dataclass(frozen=True, slots=True)
class Needs:
    """The Debian packages one Python dependency needs to build or to run."""

    build: tuple[str, ...] = ()  # packages for the builder: compilers, headers
    libraries: tuple[str, ...] = ()  # shared libraries loaded at run time (LIBRARIES keys)
    run: tuple[str, ...] = ()  # other packages for the final image: programs
    only_without_wheel: bool = False  # wheels bundle the libraries; only an sdist needs these


COMPILER: Final = ("build-essential",)  # gcc, g++, make and libc headers
_TRIXIE: Final = {
    "libpq": "libpq5",
    "libmariadb": "libmariadb3",
    "libldap": "libldap2",
    "libcairo": "libcairo2",
    "libxml2": "libxml2",
    "libxslt": "libxslt1.1",
    "libjpeg": "libjpeg62-turbo",
    "libz": "zlib1g",
    "libGL": "libgl1",
    "libgomp": "libgomp1",
    "libsndfile": "libsndfile1",
    "libzbar": "libzbar0",
    "libgeos_c": "libgeos-c1v5",
    "libmemcached": "libmemcached11t64",
}
# The one table of Debian packages by release: shared libraries Python packages load at run
# time, by soname stem (libpq.so.5 -> libpq), and the package that ships each. Read by
# system_needs below and by verify's missing-library diagnosis. Checked with `apt-cache policy`
# in each release's python image; the t64 renames (libssl3 -> libssl3t64) touch none of them.
LIBRARIES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "trixie": MappingProxyType(_TRIXIE),
        "bookworm": MappingProxyType(
            {**_TRIXIE, "libldap": "libldap-2.5-0", "libmemcached": "libmemcached11"}
        ),
    }
)
SYSTEM_PACKAGES: Final = {
    "psycopg2": Needs(build=(*COMPILER, "libpq-dev"), libraries=("libpq",)),
    "mysqlclient": Needs(
        build=(*COMPILER, "pkg-config", "default-libmysqlclient-dev"), libraries=("libmariadb",)
    ),
    "python-ldap": Needs(build=(*COMPILER, "libldap2-dev", "libsasl2-dev"), libraries=("libldap",)),
    "pycairo": Needs(build=(*COMPILER, "pkg-config", "libcairo2-dev"), libraries=("libcairo",)),
    "pdf2image": Needs(run=("poppler-utils",)),
    "pydub": Needs(run=("ffmpeg",)),
    "lxml": Needs(
        build=(*COMPILER, "libxml2-dev", "libxslt1-dev"),
        libraries=("libxml2", "libxslt"),
        only_without_wheel=True,
    ),
    "pillow": Needs(
        build=(*COMPILER, "libjpeg62-turbo-dev", "zlib1g-dev"),
        libraries=("libjpeg", "libz"),
        only_without_wheel=True,
    ),
    # Its sdist builds psycopg2 against the system's libpq, like psycopg2's.
    "psycopg2-binary": Needs(
        build=(*COMPILER, "libpq-dev"), libraries=("libpq",), only_without_wheel=True
    ),
    "pylibmc": Needs(
        build=(*COMPILER, "libmemcached-dev", "zlib1g-dev"),
        libraries=("libmemcached",),
        only_without_wheel=True,
    ),
}


def on_demand(dependencies: Iterable[str]) -> tuple[str, ...]:
    """For an install with no lock: the compiler, and the headers the dependencies the table
    knows would need if they built from source (used only when a wheel is missing)."""
    headers = [
        package
        for name in sorted(dependencies)
        for package in SYSTEM_PACKAGES.get(name, Needs()).build
    ]
    return tuple(dict.fromkeys((*COMPILER, *headers)))


def library_packages(library: str) -> dict[str, str]:
    """`libpq.so.5` -> the package that ships it in each release ({} when none is known)."""
    stem = re.sub(r"\.so(\.\d+)*$", "", library)
    return {release: names[stem] for release, names in LIBRARIES.items() if stem in names}


@dataclass(frozen=True, slots=True)
class SystemNeeds:
    """The Debian packages a project's dependencies need, and why."""

    build: tuple[str, ...]
    run: tuple[str, ...]
    reasons: tuple[str, ...]  # one per dependency that asked for something


def system_needs(
    project: ProjectDir, dependencies: Iterable[str], python: str, debian: str
) -> SystemNeeds:
    """What `dependencies` need on Debian `debian` (a release dockergen.debian knows)."""
    libraries = LIBRARIES[debian]
    without_wheel = locked_without_wheel(project, python)
    build: list[str] = []
    run: list[str] = []
    reasons: list[str] = []
    for name in sorted(dependencies):
        needs = SYSTEM_PACKAGES.get(name)
        if needs is None or (needs.only_without_wheel and name not in without_wheel):
            continue
        wanted_build = list(needs.build)
        wanted_run = [*(libraries[lib] for lib in needs.libraries), *needs.run]
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
