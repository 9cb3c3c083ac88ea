"""Package indexes other than the default one, and the rule that keeps their credentials safe.

Credentials never belong in a project file, an ARG, an ENV or a layer. The generated install
steps read them from a BuildKit secret mount of a netrc file at /root/.netrc, where pip, pipenv,
poetry, uv and pdm (the pinned versions) all look for HTTP basic auth, as
tests/test_e2e_private_index.py proves with real builds for each; it is passed at build time with
`docker build --secret id=netrc,src=$HOME/.netrc .`. A password written into an index URL
in the project is refused.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from dockergen.errors import InvalidProjectFileError
from dockergen.installers import REGISTRY
from dockergen.installers.base import Index
from dockergen.project import ProjectDir
from dockergen.text import shown


def find_indexes(project: ProjectDir, manifests: tuple[str, ...]) -> tuple[Index, ...]:
    """Every index besides the default one that the project's files name."""
    found = [index for module in REGISTRY for index in module.indexes(project, manifests)]
    for index in found:
        _refuse_inline_credentials(index)
    return tuple(dict.fromkeys(found))


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
