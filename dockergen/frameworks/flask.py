"""Flask: an app object or a `create_app()` factory, served by gunicorn or Flask's own server."""

from __future__ import annotations

import re
from typing import Final

from dockergen.frameworks.base import BIND, Context, Detection, find_app, read_source
from dockergen.model import Decided

_APP_OBJECT: Final = re.compile(
    r"^([A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*(?:flask\.)?(Flask)\(", re.MULTILINE
)
# A factory counts only in a file that imports Flask (create_app is a common name).
_FACTORY: Final = re.compile(
    r"^(?:from flask import|import flask)\b[\s\S]*?^def (create_app|make_app)\s*\(()", re.MULTILINE
)
# .flaskenv is Flask's own file for `flask run` settings: FLASK_APP names the app's module.
_FLASK_APP: Final = re.compile(r"^\s*(?:export\s+)?FLASK_APP\s*=\s*['\"]?([\w./]+)", re.MULTILINE)


def flask_app(context: Context) -> Detection | None:
    """A Flask app: gunicorn serves it when installed, else Flask's own server."""
    named = _named_by_flaskenv(context)
    found = find_app(context, _APP_OBJECT, named)
    if found is None and (factory := find_app(context, _FACTORY, named)):
        found = factory[0], factory[1] + "()", "Flask"
    if found is None:
        return None
    file, target, _ = found
    if "gunicorn" in context.dependencies():
        served = ("gunicorn", "--bind", f"{BIND}:8000", target)
        return Detection(Decided(served, file, f"Flask app {target}, served by gunicorn"))
    # FLASK_APP, not --app: Flask 1.x, still in many locks, has no --app.
    argv: tuple[str, ...] = ("flask", "run", "--host", BIND, "--port", "5000")
    note = f"{file} defines a Flask app and gunicorn is not a dependency, so Flask's development "
    note += "server runs it; add gunicorn for production"
    command = Decided(argv, file, f"Flask app {target}, Flask's own server")
    return Detection(command, (note,), (("FLASK_APP", target),))


def _named_by_flaskenv(context: Context) -> tuple[str, ...]:
    """The files FLASK_APP in .flaskenv points at (`shop`, `shop.app`, `wsgi.py`)."""
    found = _FLASK_APP.search(read_source(context.project, ".flaskenv") or "")
    if not found:
        return ()
    path = found.group(1).removesuffix(".py").replace(".", "/").strip("/")
    if not path or ".." in path.split("/"):
        return ()
    return (f"{path}.py", f"{path}/__init__.py", f"{path}/app.py")
