"""A GitHub Actions workflow that guards what dockergen guarantees and keeps every BuildKit cache.

Before building, the workflow runs `dockergen check` (the Dockerfile is still what dockergen
would write) and BuildKit's own Dockerfile checks; with an image name it pushes a
multi-platform image with SBOM and provenance attestations: each platform built in a job of
its own on a runner of its architecture and pushed by digest, then merged into one image
(dockergen.runners decides where each platform builds; `qemu = true` keeps the older layout,
one job emulating the other platforms).

Layers go to the GitHub Actions cache (`type=gha`). Cache mounts (`RUN --mount=type=cache`:
dependency downloads, apt) are not part of any layer cache export, so the workflow saves their
contents with actions/cache and moves them in and out of BuildKit with buildkit-cache-dance.
Which mounts exist comes from the build plan, the same steps the Dockerfile is written from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from dockergen.buildplan import plan_build
from dockergen.errors import InvalidImageError
from dockergen.gitlab import render_pipeline
from dockergen.model import ProjectSpec, RenderedFile
from dockergen.render import render_template
from dockergen.runners import (
    AMD64_RUNNER,
    DEFAULT_ARM_RUNNER,
    BuildJob,
    CiChoices,
    ci_choices,
    emulated,
    github_jobs,
)
from dockergen.steps import cache_mounts
from dockergen.version import __version__

if TYPE_CHECKING:
    from dockergen.settings import Settings

# Renders one CI file for a spec and the user's settings (regenerate.Extra).
CiExtra = Callable[[ProjectSpec, "Settings"], RenderedFile]

TEMPLATE: Final = "ci/github.yml.j2"
OUTPUT: Final = ".github/workflows/docker.yml"
DEPENDABOT_TEMPLATE: Final = "ci/dependabot.yml.j2"
DEPENDABOT_OUTPUT: Final = ".github/dependabot.yml"
# The dockergen that wrote the workflow checks it: a newer one could render differently.
CHECK_COMMAND: Final = f"pipx run --spec dockergen-cli=={__version__} dockergen check"
# Outside the workspace: anything in it would be in the build context and, through
# `COPY . .`, in the image.
CACHE_DIR: Final = "${{ runner.temp }}/buildkit-cache"
CACHE_KEY_PREFIX: Final = "buildkit-cache-mounts-${{ runner.os }}-"
PLATFORM_KEY_PREFIX: Final = "buildkit-cache-mounts-"  # + the platform's key (amd64, arm-v7)
# Registries where the workflow's own GITHUB_TOKEN can push; others need two secrets.
TOKEN_REGISTRIES: Final = frozenset({"ghcr.io"})
_IMAGE: Final = re.compile(
    r"(?:[a-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*"
)


@dataclass(frozen=True, slots=True)
class Action:
    """A GitHub Action pinned by commit SHA, with the release it was read from."""

    repo: str
    tag: str  # the exact release the SHA was read from, kept as the comment after the pin
    sha: str  # `git rev-parse TAG^{commit}` in the action's own repository


# Every action the workflow uses, pinned in one place to the commit of a release: a tag can be
# moved, a commit cannot. Dependabot (.github/dependabot.yml) bumps SHA and comment together.
ACTIONS: Final[Mapping[str, Action]] = MappingProxyType(
    {
        "checkout": Action(
            "actions/checkout", "v7.0.1", "3d3c42e5aac5ba805825da76410c181273ba90b1"
        ),
        "setup_buildx": Action(
            "docker/setup-buildx-action", "v4.3.0", "37fe631027851001ddb9b187196cc803df7f5f0e"
        ),
        "setup_qemu": Action(
            "docker/setup-qemu-action", "v4.2.0", "96fe6ef7f33517b61c61be40b68a1882f3264fb8"
        ),
        "metadata": Action(
            "docker/metadata-action", "v6.2.0", "dc802804100637a589fabce1cb79ff13a1411302"
        ),
        "login": Action(
            "docker/login-action", "v4.1.0", "4907a6ddec9925e35a0a9e82d7399ccc52663121"
        ),
        "cache": Action("actions/cache", "v5.0.5", "27d5ce7f107fe9357f9df03efb73ab90386fccae"),
        # v3.2.0 has both things used here: cache-map objects (target plus mount options)
        # and the `builder` input. Its tag is annotated: the SHA is the commit it points to.
        "cache_dance": Action(
            "reproducible-containers/buildkit-cache-dance",
            "v3.2.0",
            "653a570f730e3b9460adc576db523788ba59a0d7",
        ),
        "build_push": Action(
            "docker/build-push-action", "v7.3.0", "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a"
        ),
    }
)


@dataclass(frozen=True, slots=True)
class PlatformBuild:
    """One platform's build job, with the caches that are its own."""

    job: BuildJob
    cache_key: str  # actions/cache key of its cache mounts' contents
    cache_restore_key: str
    scope: str  # its layer cache's scope in the GitHub Actions cache


def workflow_context(
    spec: ProjectSpec, image: str | None = None, ci: CiChoices | None = None
) -> dict[str, object]:
    """The names ci/github.yml.j2 sees; a documented contract (docs/templates.md)."""
    if image is not None and not _IMAGE.fullmatch(image):
        raise InvalidImageError(image)
    ci = ci or CiChoices()
    registry = registry_of(image) if image else None
    hashed = hash_files(("Dockerfile", *spec.manifests))
    native = bool(image) and not ci.qemu
    return {
        "spec": spec,
        "actions": ACTIONS,
        "image": image,
        "registry": registry,
        "token_login": registry in TOKEN_REGISTRIES,
        "runner": AMD64_RUNNER,
        "platforms": ci.platforms if image else (),
        "emulated": emulated(ci) if image and ci.qemu else (),
        "builds": tuple(_build(job, hashed) for job in github_jobs(ci)) if native else (),
        "arm_runner": ci.arm_runner,
        "arm_runner_is_default": ci.arm_runner == DEFAULT_ARM_RUNNER,
        "check_command": CHECK_COMMAND,
        "cache_dir": CACHE_DIR,
        "cache_map": cache_map(spec),
        "cache_key": CACHE_KEY_PREFIX + hashed,
        "cache_restore_key": CACHE_KEY_PREFIX,
    }


def _build(job: BuildJob, hashed: str) -> PlatformBuild:
    """Each platform's cache mounts under a key of their own: the two builds run at once,
    and each would otherwise save over the other's."""
    prefix = f"{PLATFORM_KEY_PREFIX}{job.key}-"
    return PlatformBuild(job, prefix + hashed, prefix, job.key)


def render_workflow(
    spec: ProjectSpec,
    *,
    image: str | None = None,
    ci: CiChoices | None = None,
    template_dir: Path | None = None,
) -> RenderedFile:
    """.github/workflows/docker.yml; with `image`, also tags and pushes (not on pull requests)."""
    context = workflow_context(spec, image, ci)
    return RenderedFile(OUTPUT, render_template(TEMPLATE, context, template_dir))


def ci_extras(provider: str, image: str | None = None) -> list[CiExtra]:
    """The files `dockergen ci PROVIDER` writes, each one output of a regeneration plan:
    github, the workflow and .github/dependabot.yml; gitlab, .gitlab-ci.yml."""
    if provider == "gitlab":
        return [
            lambda spec, settings: render_pipeline(
                spec, image=image, ci=ci_choices(settings), template_dir=settings.template_dir
            )
        ]
    if provider == "github":
        return [
            lambda spec, settings: render_workflow(
                spec, image=image, ci=ci_choices(settings), template_dir=settings.template_dir
            ),
            lambda _spec, settings: render_dependabot(settings.template_dir),
        ]
    raise ValueError(f"unknown CI provider {provider!r}")


def render_ci(
    provider: str,
    spec: ProjectSpec,
    *,
    image: str | None = None,
    ci: CiChoices | None = None,
    template_dir: Path | None = None,
) -> tuple[RenderedFile, ...]:
    """Every file `dockergen ci PROVIDER` writes, rendered for `spec`."""
    if provider == "gitlab":
        return (render_pipeline(spec, image=image, ci=ci, template_dir=template_dir),)
    if provider == "github":
        return (
            render_workflow(spec, image=image, ci=ci, template_dir=template_dir),
            render_dependabot(template_dir),
        )
    raise ValueError(f"unknown CI provider {provider!r}")


def render_dependabot(template_dir: Path | None = None) -> RenderedFile:
    """.github/dependabot.yml: weekly bumps of the pinned actions and the Dockerfile's images."""
    return RenderedFile(DEPENDABOT_OUTPUT, render_template(DEPENDABOT_TEMPLATE, {}, template_dir))


def cache_map(spec: ProjectSpec) -> str:
    """buildkit-cache-dance's cache-map: runner directory -> the Dockerfile's mount options."""
    entries = {}
    for mount in cache_mounts(plan_build(spec)):
        options = {"target": mount.target}
        if mount.id:
            options["id"] = mount.id
        if mount.sharing != "shared":  # written only when the Dockerfile writes it too
            options["sharing"] = mount.sharing
        entries[f"{CACHE_DIR}/{mount.host_dir}"] = options
    return json.dumps(entries, indent=2)


def hash_files(paths: tuple[str, ...]) -> str:
    """A GitHub expression hashing `paths`. Besides the manifests, the Dockerfile: a new apt
    package or installer version changes what the caches hold, so it gets a new key too."""
    quoted = ", ".join("'" + path.replace("'", "''") + "'" for path in paths)
    return "${{ hashFiles(" + quoted + ") }}"


def registry_of(image: str) -> str:
    """The registry part of an image name, as `docker login` wants it (Docker Hub's default)."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first
    return "docker.io"
