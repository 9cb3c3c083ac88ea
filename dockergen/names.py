"""Names of distributions and modules, as packaging standards define them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Final

# A name, optional [extras], then the end, a version, a marker or a URL: nothing else.
_PEP508_HEAD: Final = (
    r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(?:$|[;@(<>=!~])"
)

# Import names that differ from the distribution that provides them.
DISTRIBUTION_OF: Final = {
    "yaml": "pyyaml",
    "PIL": "pillow",
    "cv2": "opencv-python",
    "bs4": "beautifulsoup4",
    "dotenv": "python-dotenv",
    "dateutil": "python-dateutil",
    "jwt": "pyjwt",
    "sklearn": "scikit-learn",
    "pkg_resources": "setuptools",  # no longer in every environment: a dependency must say so
}


def normalize(name: str) -> str:
    """PEP 503: case-insensitive, runs of -_. are one dash."""
    return re.sub(r"[-_.]+", "-", name).lower()


def import_name(distribution: str) -> str:
    """The module a distribution is usually imported as (`my-app` -> `my_app`); "" when the
    name cannot be a module."""
    module = re.sub(r"[-_.]+", "_", distribution).lower()
    return module if re.fullmatch(r"[a-z_][a-z0-9_]*", module) else ""


def requirement_heads(lines: Iterable[str]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Name and extras of each PEP 508 line; URLs and paths are not dependencies by name.

    A regular expression, not packaging.requirements: that parser costs more start-up time
    than everything else dockergen does, and only the name and extras matter here.
    """
    for line in lines:
        if match := re.match(_PEP508_HEAD, line):
            extras = (match.group(2) or "").split(",")
            yield match.group(1), tuple(e.strip() for e in extras if e.strip())
