"""What the build plan replaced in the template contract: a team template written for the old
installer partials gets an error naming what replaced the part it uses, never a Dockerfile
that silently lost its change.

Until dockergen 0.1 a Dockerfile was an installer partial (installers/<installer>.j2) filling
the blocks builder_env, install and dev_install of Dockerfile.j2 with macros.j2; a team could
replace any of them. The layout is now decided once in Python (dockergen.buildplan) and one
skeleton writes its steps; its blocks are header, builder, dev and final (docs/templates.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

import jinja2
from jinja2 import nodes

from dockergen.errors import TemplateError

CONTRACT: Final = "docs/templates.md"
_SKELETON: Final = "the skeleton Dockerfile.j2, whose blocks are header, builder, dev and final"
REPLACED: Final = {
    "installers/": f"{_SKELETON}: extend builtin/Dockerfile.j2 and override a block",
    "macros.j2": "the build plan's steps, which the `steps` filter writes "
    "({{ plan.builder.steps | steps }})",
    "builder_env": "the block builder, whose ENV is plan.builder.env",
    "install": "the block builder (plan.builder.steps)",
    "dev_install": "the block dev (plan.dev.steps)",
    "tool": "spec.recipe (what the installer runs) and spec.install.lockfile",
    "copy_manifests": "the Copy steps of plan.builder.steps",
    "copy_dev_manifests": "the Copy steps of plan.dev.steps",
    "copy_stub_files": "the Copy steps of plan.builder.steps",
    "stub_command": "the stand-ins' Run step in plan.builder.steps",
    "mounts": "plan.cache, and the mounts of each Run step",
    "keep": "plan.keep",
    "healthcheck": "the Healthcheck step of plan.final.runtime",
}
# The installer's facts moved under spec.install, apt under spec.apt, the stub under spec.stub.
MOVED: Final = {
    **{
        name: f"spec.install.{name}"
        for name in (
            "requirements",
            "locked",
            "installs_project",
            "deps_before_source",
            "local_dependencies",
            "local_paths",
            "workspace_members",
            "tool_requirements",
        )
    },
    "apt_build": "spec.apt.build",
    "apt_run": "spec.apt.run",
    "apt_reasons": "spec.apt.reasons",
    "stub_files": "spec.stub.files",
    "stub_refused": "spec.stub.refused",
}
# Names only the Dockerfile's templates lost (compose.yaml.j2 still has `healthcheck`).
_DOCKERFILE_TEMPLATES: Final = ("Dockerfile.j2", "dockerignore.j2")


def check_team_templates(template_dir: Path) -> None:
    """Raise TemplateError at the first use of something the build plan replaced."""
    if not template_dir.is_dir():
        return  # the loader reports a missing directory
    for path in sorted(template_dir.rglob("*.j2")):
        name = path.relative_to(template_dir).as_posix()
        if name.startswith("builtin/"):
            continue
        for old in ("installers/", "macros.j2"):
            if name.startswith(old):
                _refuse(str(path), f"{name} is no longer a template", old)
        _check_source(path, name)


def _check_source(path: Path, name: str) -> None:
    try:
        tree = jinja2.Environment().parse(path.read_text(encoding="utf-8"))
    except (jinja2.TemplateSyntaxError, OSError, UnicodeDecodeError):
        return  # the render reports it, with its line
    for line, problem, old in _uses(tree, dockerfile=name in _DOCKERFILE_TEMPLATES):
        _refuse(f"{path}:{line}", problem, old)


def _uses(tree: nodes.Template, *, dockerfile: bool) -> Iterator[tuple[int, str, str]]:
    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        template = getattr(node, "template", None)
        target = template.value if isinstance(template, nodes.Const) else None
        for old in ("installers/", "macros.j2"):
            if isinstance(target, str) and old in target:
                yield node.lineno, f"uses {target}, which is no longer a template", old
    for block in tree.find_all(nodes.Block):
        if block.name in ("builder_env", "install", "dev_install"):
            yield block.lineno, f"fills the block {block.name}, which is gone", block.name
    for found in tree.find_all(nodes.Name):
        if dockerfile and found.ctx == "load" and found.name in REPLACED:
            yield found.lineno, f"reads `{found.name}`, which is no longer passed", found.name
    for attr in tree.find_all(nodes.Getattr):
        if _is_spec(attr.node) and attr.attr in MOVED:
            yield attr.lineno, f"reads spec.{attr.attr}, now {MOVED[attr.attr]}", ""
        # spec.stub was the stand-ins (a Decided); it is now a Stub, whose .packages they are.
        inner = attr.node
        old_stub = (
            isinstance(inner, nodes.Getattr) and inner.attr == "stub" and _is_spec(inner.node)
        )
        if old_stub and attr.attr in ("value", "detail", "source"):
            new = f"spec.stub.packages.{attr.attr}"
            yield attr.lineno, f"reads spec.stub.{attr.attr}, now {new}", ""


def _is_spec(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Name) and node.name == "spec"


def _refuse(where: str, problem: str, old: str) -> None:
    replaced = f"it was replaced by {REPLACED[old]}; " if old else ""
    raise TemplateError(where, problem, f"{replaced}see {CONTRACT}")
