"""`.devcontainer/devcontainer.json`: VS Code and the Dev Containers CLI build the Dockerfile's
`dev` target (`init --dev`), with the project mounted where the dev stage keeps its source."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from dockergen.errors import DockergenError
from dockergen.model import ProjectSpec, RenderedFile
from dockergen.render import render_template

TEMPLATE: Final = "devcontainer.json.j2"
OUTPUT: Final = ".devcontainer/devcontainer.json"
# The dev stage's environment: the editor's interpreter, and what PATH starts with.
INTERPRETER: Final = "/app/.venv/bin/python"


def devcontainer_context(spec: ProjectSpec) -> dict[str, object]:
    """The names devcontainer.json.j2 sees; a documented contract (docs/templates.md)."""
    return {"spec": spec, "interpreter": INTERPRETER}


def render_devcontainer(spec: ProjectSpec, template_dir: Path | None = None) -> RenderedFile:
    """devcontainer.json for `spec`, whose Dockerfile must have the `dev` target."""
    if spec.dev is None:
        raise DockergenError(
            "devcontainer.json builds the Dockerfile's `dev` target, which this project's "
            "Dockerfile does not have; run `dockergen update --dev` first (it is remembered), "
            "or `dockergen init --dev --devcontainer`"
        )
    context = devcontainer_context(spec)
    return RenderedFile(OUTPUT, render_template(TEMPLATE, context, template_dir))
