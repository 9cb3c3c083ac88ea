"""A GitLab CI pipeline: `dockergen check`, BuildKit's checks, a build cached in the registry.

The layer cache goes to the project's own container registry (`type=registry`, mode=max), the
one cache every GitLab runner can reach. Cache mounts (`RUN --mount=type=cache`) live in the
job's BuildKit container and end with it: the registry cache keeps the layers they produced,
so downloads repeat only when a manifest changes, and then in full.

With runner tags for amd64 and arm64 (dockergen.runners), each architecture builds in a job
on its own runners, with a registry cache of its own, pushes by digest (passed on as a dotenv
artifact), and a merge job tags one multi-platform image.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from dockergen.errors import GitlabImageError
from dockergen.model import ProjectSpec, RenderedFile
from dockergen.render import render_template
from dockergen.runners import GITLAB_COM_TAGS, BuildJob, CiChoices, gitlab_jobs
from dockergen.version import __version__

TEMPLATE: Final = "ci/gitlab-ci.yml.j2"
OUTPUT: Final = ".gitlab-ci.yml"
# GitLab's predefined variables: the project's registry path and its build cache tag.
IMAGE: Final = "$CI_REGISTRY_IMAGE"
CACHE_REF: Final = f"{IMAGE}:buildcache"
# Docker's CLI image (with buildx) and its daemon, as a service; both the same major release.
DOCKER_IMAGE: Final = "docker:28"
PYTHON_IMAGE: Final = "python:3.13-slim"


@dataclass(frozen=True, slots=True)
class ArchBuild:
    """One architecture's build job, with its own registry cache."""

    job: BuildJob
    cache_ref: str
    cache_from: str
    cache_to: str


def pipeline_context(spec: ProjectSpec, ci: CiChoices | None = None) -> dict[str, object]:
    """The names ci/gitlab-ci.yml.j2 sees; a documented contract (docs/templates.md)."""
    ci = ci or CiChoices()
    return {
        "spec": spec,
        "image": IMAGE,
        "cache_ref": CACHE_REF,
        "cache_from": _cache_from(CACHE_REF),
        "cache_to": _cache_to(CACHE_REF),
        "builds": tuple(_build(job) for job in gitlab_jobs(ci)),
        "amd64_tag": dict(ci.runner_tags).get("amd64"),
        "gitlab_com_tags": GITLAB_COM_TAGS,
        "docker_image": DOCKER_IMAGE,
        "python_image": PYTHON_IMAGE,
        "dockergen_requirement": f"dockergen-cli=={__version__}",
    }


def _cache_from(ref: str) -> str:
    return f"type=registry,ref={ref}"


def _cache_to(ref: str) -> str:
    return f"type=registry,ref={ref},mode=max"


def _build(job: BuildJob) -> ArchBuild:
    ref = f"{CACHE_REF}-{job.key}"  # the two builds run at once: each keeps its own cache
    return ArchBuild(job, ref, _cache_from(ref), _cache_to(ref))


def render_pipeline(
    spec: ProjectSpec,
    *,
    image: str | None = None,
    ci: CiChoices | None = None,
    template_dir: Path | None = None,
) -> RenderedFile:
    """.gitlab-ci.yml for `spec`; `template_dir` may override ci/gitlab-ci.yml.j2."""
    if image is not None:
        raise GitlabImageError
    context = pipeline_context(spec, ci)
    return RenderedFile(OUTPUT, render_template(TEMPLATE, context, template_dir))
