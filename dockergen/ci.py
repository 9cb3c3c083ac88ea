"""A GitHub Actions workflow that builds the image with every BuildKit cache kept between runs.

Layers go to the GitHub Actions cache (`type=gha`). Cache mounts (`RUN --mount=type=cache`:
dependency downloads, apt) are not part of any layer cache export, so the workflow saves their
contents with actions/cache and moves them in and out of BuildKit with buildkit-cache-dance.
Which mounts exist comes from dockergen.mounts, the table the Dockerfile is checked against.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from dockergen.errors import DockergenError
from dockergen.model import ProjectSpec, RenderedFile
from dockergen.mounts import cache_mounts
from dockergen.render import render_template

TEMPLATE: Final = "ci/github.yml.j2"
OUTPUT: Final = ".github/workflows/docker.yml"
# Outside the workspace: anything in it would be in the build context and, through
# `COPY . .`, in the image.
CACHE_DIR: Final = "${{ runner.temp }}/buildkit-cache"
CACHE_KEY_PREFIX: Final = "buildkit-cache-mounts-${{ runner.os }}-"
# Registries where the workflow's own GITHUB_TOKEN can push; others need two secrets.
TOKEN_REGISTRIES: Final = frozenset({"ghcr.io"})
_IMAGE: Final = re.compile(
    r"(?:[a-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*"
)


@dataclass(frozen=True, slots=True)
class Action:
    repo: str
    tag: str  # an exact release, never a moving major tag such as v4
    # The tag's commit, once verified against the action's repository; until then the tag is
    # the pin. dockergen is built offline, where no SHA can be checked: run `pinact run` or
    # let Dependabot rewrite the pins to SHAs in the repository that uses the workflow.
    sha: str | None = None


# Every action the workflow uses, pinned in one place.
ACTIONS: Final[Mapping[str, Action]] = MappingProxyType(
    {
        "checkout": Action("actions/checkout", "v5.0.0"),
        "setup_buildx": Action("docker/setup-buildx-action", "v4.2.0"),
        "metadata": Action("docker/metadata-action", "v6.2.0"),
        "login": Action("docker/login-action", "v4.6.0"),
        "cache": Action("actions/cache", "v5.0.3"),
        # v3.4.0: cache-map objects (target plus mount options) and the `builder` input.
        "cache_dance": Action("reproducible-containers/buildkit-cache-dance", "v3.4.0"),
        "build_push": Action("docker/build-push-action", "v7.3.0"),
    }
)


class InvalidImageError(DockergenError):
    def __init__(self, image: str) -> None:
        super().__init__(
            f"--image {image!r} is not an image name (lowercase, registry and path, no tag); "
            "pass one like ghcr.io/OWNER/APP"
        )


def workflow_context(spec: ProjectSpec, image: str | None = None) -> dict[str, object]:
    """The names ci/github.yml.j2 sees; a documented contract (templates/README.md)."""
    if image is not None and not _IMAGE.fullmatch(image):
        raise InvalidImageError(image)
    registry = registry_of(image) if image else None
    return {
        "spec": spec,
        "actions": ACTIONS,
        "image": image,
        "registry": registry,
        "token_login": registry in TOKEN_REGISTRIES,
        "cache_dir": CACHE_DIR,
        "cache_map": cache_map(spec),
        "cache_key": CACHE_KEY_PREFIX + hash_files(("Dockerfile", *spec.manifests)),
        "cache_restore_key": CACHE_KEY_PREFIX,
    }


def render_workflow(
    spec: ProjectSpec, *, image: str | None = None, template_dir: Path | None = None
) -> RenderedFile:
    """.github/workflows/docker.yml; with `image`, also tags and pushes (not on pull requests)."""
    context = workflow_context(spec, image)
    return RenderedFile(OUTPUT, render_template(TEMPLATE, context, template_dir))


def workflow_extra(image: str | None) -> Callable[[ProjectSpec, Path | None], RenderedFile]:
    """The workflow as one more output of a regeneration plan."""
    return lambda spec, template_dir: render_workflow(spec, image=image, template_dir=template_dir)


def cache_map(spec: ProjectSpec) -> str:
    """buildkit-cache-dance's cache-map: runner directory -> the Dockerfile's mount options."""
    entries = {}
    for mount in cache_mounts(spec):
        options = {"target": mount.target}
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
