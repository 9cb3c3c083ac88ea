"""A GitHub Actions workflow that guards what dockergen guarantees and keeps every BuildKit cache.

Before building, the workflow runs `dockergen check` (the Dockerfile is still what dockergen
would write) and BuildKit's own Dockerfile checks; with an image name it pushes a
multi-platform image with SBOM and provenance attestations.

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
from typing import Final

from dockergen.buildplan import plan_build
from dockergen.errors import InvalidImageError
from dockergen.gitlab import render_pipeline
from dockergen.model import ProjectSpec, RenderedFile
from dockergen.render import render_template
from dockergen.steps import cache_mounts
from dockergen.version import __version__

# Renders one CI file for a spec and a team's template folder (regenerate.Extra).
CiExtra = Callable[[ProjectSpec, Path | None], RenderedFile]

TEMPLATE: Final = "ci/github.yml.j2"
OUTPUT: Final = ".github/workflows/docker.yml"
DEPENDABOT_TEMPLATE: Final = "ci/dependabot.yml.j2"
DEPENDABOT_OUTPUT: Final = ".github/dependabot.yml"
# Pushed images are built for both; QEMU emulates arm64 on the amd64 runner.
PLATFORMS: Final = ("linux/amd64", "linux/arm64")
# The dockergen that wrote the workflow checks it: a newer one could render differently.
CHECK_COMMAND: Final = f"pipx run --spec dockergen-cli=={__version__} dockergen check"
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
        "platforms": PLATFORMS if image else (),
        "check_command": CHECK_COMMAND,
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


def ci_extras(provider: str, image: str | None = None) -> list[CiExtra]:
    """The files `dockergen ci PROVIDER` writes, each one output of a regeneration plan:
    github, the workflow and .github/dependabot.yml; gitlab, .gitlab-ci.yml."""
    if provider == "gitlab":
        return [lambda spec, folder: render_pipeline(spec, image=image, template_dir=folder)]
    if provider == "github":
        return [
            lambda spec, folder: render_workflow(spec, image=image, template_dir=folder),
            lambda _spec, folder: render_dependabot(folder),
        ]
    raise ValueError(f"unknown CI provider {provider!r}")


def render_ci(
    provider: str, spec: ProjectSpec, *, image: str | None = None, template_dir: Path | None = None
) -> tuple[RenderedFile, ...]:
    """Every file `dockergen ci PROVIDER` writes, rendered for `spec`."""
    return tuple(extra(spec, template_dir) for extra in ci_extras(provider, image))


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
