"""A GitLab CI pipeline: `dockergen check`, BuildKit's checks, a build cached in the registry.

The layer cache goes to the project's own container registry (`type=registry`, mode=max), the
one cache every GitLab runner can reach. Cache mounts (`RUN --mount=type=cache`) live in the
job's BuildKit container and end with it: the registry cache keeps the layers they produced,
so downloads repeat only when a manifest changes, and then in full.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from dockergen.errors import GitlabImageError
from dockergen.model import ProjectSpec, RenderedFile
from dockergen.render import render_template
from dockergen.version import __version__

TEMPLATE: Final = "ci/gitlab-ci.yml.j2"
OUTPUT: Final = ".gitlab-ci.yml"
# GitLab's predefined variables: the project's registry path and its build cache tag.
IMAGE: Final = "$CI_REGISTRY_IMAGE"
CACHE_REF: Final = f"{IMAGE}:buildcache"
# Docker's CLI image (with buildx) and its daemon, as a service; both the same major release.
DOCKER_IMAGE: Final = "docker:28"
PYTHON_IMAGE: Final = "python:3.13-slim"


def pipeline_context(spec: ProjectSpec) -> dict[str, object]:
    """The names ci/gitlab-ci.yml.j2 sees; a documented contract (templates/README.md)."""
    return {
        "spec": spec,
        "image": IMAGE,
        "cache_ref": CACHE_REF,
        "cache_from": f"type=registry,ref={CACHE_REF}",
        "cache_to": f"type=registry,ref={CACHE_REF},mode=max",
        "docker_image": DOCKER_IMAGE,
        "python_image": PYTHON_IMAGE,
        "dockergen_requirement": f"dockergen-cli=={__version__}",
    }


def render_pipeline(
    spec: ProjectSpec, *, image: str | None = None, template_dir: Path | None = None
) -> RenderedFile:
    """.gitlab-ci.yml for `spec`; `template_dir` may override ci/gitlab-ci.yml.j2."""
    if image is not None:
        raise GitlabImageError
    return RenderedFile(OUTPUT, render_template(TEMPLATE, pipeline_context(spec), template_dir))
