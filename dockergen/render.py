"""Turn a ProjectSpec into file texts. Pure: no disk (dockergen.loader reads the templates),
no clock, no environment."""

from __future__ import annotations

import fnmatch
import functools
import json
import posixpath
import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final, cast

import jinja2
import jinja2.sandbox

from dockergen.health import dockerfile_healthcheck
from dockergen.installers import installer_module
from dockergen.loader import TEMPLATE_FAULTS, Loader, template_error, template_root
from dockergen.model import ProjectSpec, RenderedFile
from dockergen.mounts import APT, dependencies
from dockergen.text import shorten

__all__ = [
    "OUTPUTS",
    "copy_groups",
    "dockerfile_context",
    "render_files",
    "render_template",
    "template_root",
]

# Output file -> template. The Dockerfile template is chosen by installer, so installer
# differences live in one partial each instead of conditionals in a shared template.
OUTPUTS: Final = (
    ("Dockerfile", "installers/{installer}.j2"),
    (".dockerignore", "dockerignore.j2"),
)


def render_files(spec: ProjectSpec, template_dir: Path | None = None) -> tuple[RenderedFile, ...]:
    """The Dockerfile and .dockerignore. `template_dir` holds a team's templates, each
    replacing the built-in one of the same name (see templates/README.md)."""
    context = dockerfile_context(spec)
    return tuple(
        RenderedFile(
            name,
            render_template(template.format(installer=spec.installer.value), context, template_dir),
        )
        for name, template in OUTPUTS
    )


def dockerfile_context(spec: ProjectSpec) -> dict[str, object]:
    """The names the Dockerfile and .dockerignore templates see; a documented contract."""
    return {
        "spec": spec,
        "tool": installer_module(spec.installer.value),
        "copy_manifests": copy_lines(spec),
        "copy_dev_manifests": _copy_lines(spec.dev.manifests if spec.dev else ()),
        "healthcheck": dockerfile_healthcheck(spec),
        "mounts": {"dependencies": dependencies(spec.debian.value), "apt": APT},
        "keep": kept_files(spec),
        "copy_stub_files": _copy_lines(spec.stub.files),
        "stub_command": stub_command(spec.stub.packages.value if spec.stub.packages else ()),
    }


def stub_command(paths: Sequence[str]) -> str:
    """The shell words that create the stub packages: empty `__init__.py` files (`dir/`),
    modules (`name.py`), or folders without either (`dir`)."""
    folders = [posixpath.dirname(p) if p.endswith(".py") else p.rstrip("/") for p in paths]
    files = [f"{p}__init__.py" if p.endswith("/") else p for p in paths if p.endswith(("/", ".py"))]
    made = " ".join(dict.fromkeys(f for f in folders if f))
    return " && ".join([*([f"mkdir -p {made}"] if made else []), f"touch {' '.join(files)}"])


# What .dockerignore always excludes last; a keep line never names one of them.
NEVER_SENT: Final = (".git", ".hg", ".svn", ".env", ".env.*", ".netrc", ".pypirc")


def kept_files(spec: ProjectSpec) -> tuple[str, ...]:
    """The manifests, local path dependencies and the files the metadata refers to, less any
    secret or VCS folder: the `!` lines of .dockerignore."""
    found = []
    local = (path.rstrip("/") for path in spec.install.local_paths)
    for name in dict.fromkeys((*spec.manifests, *local, *spec.keep_files)):
        parts = posixpath.normpath(name).split("/")
        if not any(fnmatch.fnmatchcase(part, p) for part in parts for p in NEVER_SENT):
            found.append(name)
    return tuple(found)


def _copy_lines(paths: Sequence[str]) -> str:
    return "\n".join(f"COPY {' '.join(sources)} {dest}" for sources, dest in copy_groups(paths))


def render_template(
    name: str, context: Mapping[str, object], template_dir: Path | None = None
) -> str:
    """Render one template; a broken one raises TemplateError naming its file and line."""
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


def copy_lines(spec: ProjectSpec) -> str:
    """The manifests, then the files and directories local path dependencies install from."""
    files = [p for p in spec.install.local_paths if not p.endswith("/")]
    lines = [f"COPY {' '.join(s)} {d}" for s, d in copy_groups((*spec.manifests, *files))]
    lines += [f"COPY {p} ./{p}" for p in spec.install.local_paths if p.endswith("/")]
    return "\n".join(lines)


def copy_groups(paths: Sequence[str]) -> tuple[tuple[tuple[str, ...], str], ...]:
    """COPY instructions that keep each file's directory: ((sources), destination) pairs."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(posixpath.dirname(path), []).append(path)
    return tuple(
        (tuple(files), f"./{folder}/" if folder else "./") for folder, files in groups.items()
    )


def _one_line(value: object) -> str:
    """For comments: a metadata value can never end the comment and start an instruction,
    nor make a line longer than BuildKit reads."""
    return shorten(re.sub(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+", " ", str(value)))


def _shell_word(word: str) -> str:
    """Quote for sh only when needed, so `pip install poetry==2.5.1` stays readable."""
    return word if re.fullmatch(r"[A-Za-z0-9_.=<>,+/:@%-]+", word) else shlex.quote(word)


def _exec_form(argv: Sequence[str]) -> str:
    # JSON with ASCII escapes: quotes, backslashes and Unicode line breaks stay inside strings.
    # A backslash is written \u005c: hadolint misreads a string that ends in `\\"`.
    return json.dumps(list(argv), ensure_ascii=True).replace("\\\\", "\\u005c")


def _quoted(value: object) -> str:
    """A JSON string, which is also a YAML double-quoted scalar: safe for any file name."""
    return json.dumps(str(value), ensure_ascii=True)


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
    env.filters["one_line"] = _one_line
    env.filters["exec_form"] = _exec_form
    env.filters["shell_word"] = _shell_word
    env.filters["quoted"] = _quoted
    return env
