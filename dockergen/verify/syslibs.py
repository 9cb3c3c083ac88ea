"""Shared libraries Python packages load at run time, and the Debian package shipping each.

Only names that are the same on Debian 12 and 13 (the t64 renames left these alone).
"""

from __future__ import annotations

import re
from typing import Final

# soname stem (before ".so") -> Debian package for the final image
DEBIAN_PACKAGES: Final = {
    "libpq": "libpq5",
    "libmariadb": "libmariadb3",
    "libGL": "libgl1",
    "libgomp": "libgomp1",
    "libxslt": "libxslt1.1",
    "libsndfile": "libsndfile1",
    "libjpeg": "libjpeg62-turbo",
    "libzbar": "libzbar0",
    "libgeos_c": "libgeos-c1v5",
}


def debian_package(library: str) -> str | None:
    """`libpq.so.5` -> `libpq5`; None when the table does not know it."""
    stem = re.sub(r"\.so(\.\d+)*$", "", library)
    return DEBIAN_PACKAGES.get(stem)
