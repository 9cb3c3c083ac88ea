"""Turn a ProjectSpec into file texts. Pure: no disk, no clock, no environment."""

from __future__ import annotations

import functools
import json
import posixpath
import re
import shlex
from collections.abc import Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

import jinja2

from dockergen.installers import INSTALLERS
from dockergen.model import ProjectSpec, RenderedFile

# Output file -> template. The Dockerfile template is chosen by installer, so installer
# differences live in one partial each instead of conditionals in a shared template.
OUTPUTS: Final = (
    ("Dockerfile", "installers/{installer}.j2"),
    (".dockerignore", "dockerignore.j2"),
)


def template_root() -> Traversable:
    """The templates: packaged in a wheel, or top-level templates/ in a source checkout."""
    packaged = resources.files("dockergen") / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def render_files(spec: ProjectSpec) -> tuple[RenderedFile, ...]:
    env = _environment()
    context = {
        "spec": spec,
        "tool": INSTALLERS[spec.installer.value],
        "copy_manifests": "\n".join(
            f"COPY {' '.join(sources)} {dest}" for sources, dest in copy_groups(spec.manifests)
        ),
    }
    return tuple(
        RenderedFile(
            name,
            _tidy(
                env.get_template(template.format(installer=spec.installer.value)).render(context)
            ),
        )
        for name, template in OUTPUTS
    )


def _tidy(text: str) -> str:
    """At most one blank line in a row, so templates can space blocks without counting."""
    return re.sub(r"\n{3,}", "\n\n", text)


def copy_groups(paths: Sequence[str]) -> tuple[tuple[tuple[str, ...], str], ...]:
    """COPY instructions that keep each file's directory: ((sources), destination) pairs."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(posixpath.dirname(path), []).append(path)
    return tuple(
        (tuple(files), f"./{folder}/" if folder else "./") for folder, files in groups.items()
    )


def _load(name: str) -> str | None:
    entry = template_root().joinpath(*name.split("/"))
    return entry.read_text(encoding="utf-8") if entry.is_file() else None


def _one_line(value: object) -> str:
    """For comments: a metadata value can never end the comment and start an instruction."""
    return re.sub(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+", " ", str(value))


def _shell_word(word: str) -> str:
    """Quote for sh only when needed, so `pip install poetry==2.5.1` stays readable."""
    return word if re.fullmatch(r"[A-Za-z0-9_.=<>,+/:@%-]+", word) else shlex.quote(word)


def _exec_form(argv: Sequence[str]) -> str:
    # JSON with ASCII escapes: quotes, backslashes and Unicode line breaks stay inside strings.
    return json.dumps(list(argv), ensure_ascii=True)


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Dockerfiles are not HTML
    )
    env.filters["one_line"] = _one_line
    env.filters["exec_form"] = _exec_form
    env.filters["shell_word"] = _shell_word
    return env
