"""Turn a ProjectSpec into file texts. Pure: no disk (dockergen.loader reads the templates),
no clock, no environment, and no decisions: the build plan (dockergen.buildplan) has them."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final, cast

import jinja2
import jinja2.sandbox

from dockergen.buildplan import plan_build
from dockergen.dockerfile import steps_text
from dockergen.loader import TEMPLATE_FAULTS, Loader, template_error
from dockergen.model import ProjectSpec, RenderedFile
from dockergen.quoting import exec_form, quoted, shell_word
from dockergen.replaced import check_team_templates
from dockergen.steps import BuildPlan
from dockergen.text import one_line

__all__ = [
    "OUTPUTS",
    "dockerfile_context",
    "render_files",
    "render_template",
]

# Output file -> template: one skeleton renders the Dockerfile of every installer.
OUTPUTS: Final = (
    ("Dockerfile", "Dockerfile.j2"),
    (".dockerignore", "dockerignore.j2"),
)


def render_files(spec: ProjectSpec, template_dir: Path | None = None) -> tuple[RenderedFile, ...]:
    """The Dockerfile and .dockerignore. `template_dir` holds a team's templates, each
    replacing the built-in one of the same name (see docs/templates.md)."""
    context = dockerfile_context(spec)
    return tuple(
        RenderedFile(name, render_template(template, context, template_dir))
        for name, template in OUTPUTS
    )


def dockerfile_context(spec: ProjectSpec, plan: BuildPlan | None = None) -> dict[str, object]:
    """The names the Dockerfile and .dockerignore templates see; a documented contract."""
    return {"spec": spec, "plan": plan or plan_build(spec)}


def render_template(
    name: str, context: Mapping[str, object], template_dir: Path | None = None
) -> str:
    """Render one template; a broken one raises TemplateError naming its file and line."""
    if template_dir is not None:
        check_team_templates(template_dir)
    env = _environment(template_dir)
    try:
        return _tidy(env.get_template(name).render(context))
    except TEMPLATE_FAULTS as exc:
        error = template_error(exc, cast(Loader, env.loader))
        if error is None:
            raise
        raise error from exc


def _tidy(text: str) -> str:
    """At most one blank line in a row, so templates can space blocks without counting."""
    return re.sub(r"\n{3,}", "\n\n", text)


@functools.cache
def _environment(template_dir: Path | None) -> jinja2.Environment:
    # One environment per template directory: Jinja caches compiled templates in it and
    # re-reads a team template when its mtime changes. Sandboxed: a template recorded in
    # pyproject.toml is someone else's code, and may reach no Python internals.
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=Loader(template_dir),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Dockerfiles are not HTML
    )
    env.filters["one_line"] = one_line
    env.filters["exec_form"] = exec_form
    env.filters["shell_word"] = shell_word
    env.filters["quoted"] = quoted
    env.filters["steps"] = steps_text
    return env
