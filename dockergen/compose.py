"""compose.yaml: run the image locally with `docker compose up --watch`."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from dockergen.health import compose_healthcheck
from dockergen.model import ProjectSpec, RenderedFile
from dockergen.render import render_template

TEMPLATE: Final = "compose.yaml.j2"
OUTPUT: Final = "compose.yaml"
# Never synced into the container: the image builds its own environment. Compose applies
# .dockerignore to watch as well; this keeps the rule when a team edits .dockerignore.
WATCH_IGNORE: Final = (".venv/",)


def compose_context(spec: ProjectSpec) -> dict[str, object]:
    """The names compose.yaml.j2 sees; a documented contract (docs/templates.md)."""
    return {"spec": spec, "healthcheck": healthcheck(spec), "watch_ignore": WATCH_IGNORE}


def healthcheck(spec: ProjectSpec) -> tuple[str, ...] | None:
    """The healthcheck command, exec form; None without a known port (nothing to ask).

    The probe is dockergen.health's, the same the Dockerfile's HEALTHCHECK runs."""
    return compose_healthcheck(spec)


def render_compose(spec: ProjectSpec, template_dir: Path | None = None) -> RenderedFile:
    """compose.yaml for `spec`; `template_dir` may override compose.yaml.j2 like any template."""
    return RenderedFile(OUTPUT, render_template(TEMPLATE, compose_context(spec), template_dir))
