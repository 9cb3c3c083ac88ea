"""FastAPI and Starlette: an app object (or one a factory returns) served by an ASGI server."""

from __future__ import annotations

import re
from typing import Final

from dockergen.frameworks.base import (
    ASGI_SERVERS,
    Context,
    Detection,
    asgi_server,
    cannot_start,
    find_app,
    read_source,
)
from dockergen.model import Decided

_APP_OBJECT: Final = re.compile(
    r"^([A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*(?:fastapi\.|starlette\.applications\.)?"
    r"(FastAPI|Starlette)\(",
    re.MULTILINE,
)
_IMPORTS: Final = re.compile(r"^\s*(?:from|import)\s+(fastapi|starlette)\b", re.MULTILINE)
# `app = get_application()`: a factory called at module level, in a file importing the framework.
_APP_FROM_FACTORY: Final = re.compile(
    r"^(app)\s*(?::[^=\n]+)?=\s*[A-Za-z_][\w.]*\(()", re.MULTILINE
)


def asgi_app(context: Context) -> Detection | None:
    """A FastAPI or Starlette app: the best ASGI server among the dependencies serves it."""
    found = find_app(context, _APP_OBJECT) or _from_factory(context)
    if found is None:
        return None
    file, target, framework = found
    server = asgi_server(context)
    if server is None:
        what = f"the {framework} app in {file}"
        needed = "an ASGI server (uvicorn, hypercorn, granian) among the dependencies"
        return Detection(None, (cannot_start(what, [needed]),))
    argv = ASGI_SERVERS[server](target)
    return Detection(Decided(argv, file, f"{framework} app {target}, served by {server}"))


def _from_factory(context: Context) -> tuple[str, str, str] | None:
    for file in context.entry_files():
        source = read_source(context.project, file) or ""
        if (imports := _IMPORTS.search(source)) and _APP_FROM_FACTORY.search(source):
            found = find_app(context, _APP_FROM_FACTORY, (file,))
            if found:
                framework = "FastAPI" if imports.group(1) == "fastapi" else "Starlette"
                return found[0], found[1], framework
    return None
