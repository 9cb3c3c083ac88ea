"""Web frameworks recognised from a few known files, and the server command each one needs.

Detection reads a bounded list of likely entry files and never walks the tree: an app
object defined anywhere else is not found (pass --command, or set [tool.dockergen] command).
Every generated command listens on 0.0.0.0 and names its port. One module per framework;
RULES is their order of precedence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from dockergen.frameworks.asgi import asgi_app
from dockergen.frameworks.base import Command, Context, Detection
from dockergen.frameworks.django import django, django_build_steps
from dockergen.frameworks.flask import flask_app

RULES: Final[tuple[Callable[[Context], Detection | None], ...]] = (django, asgi_app, flask_app)

__all__ = ["RULES", "Command", "Context", "Detection", "django_build_steps"]
