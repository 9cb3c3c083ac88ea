from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from dockergen.ci import (
    ACTIONS,
    CACHE_DIR,
    InvalidImageError,
    hash_files,
    registry_of,
    render_workflow,
)
from dockergen.detect import detect_project
from dockergen.model import Overrides, ProjectSpec, RenderedFile
from dockergen.mounts import CacheMount, cache_mounts
from dockergen.render import render_files
from tests.helpers import CASES, FIXTURES

APT_VARIANTS = {
    "no-apt": Overrides(),
    "apt-run": Overrides(apt_run=("libpq5",)),
    "apt-build": Overrides(apt_build=("gcc",)),
    "apt-both": Overrides(apt_run=("libpq5",), apt_build=("libpq-dev", "gcc")),
}


def _dockerfile_mounts(dockerfile: str) -> set[CacheMount]:
    """Every `--mount=type=cache` of a Dockerfile, as (target, sharing)."""
    mounts = set()
    for flag in re.findall(r"--mount=(\S+)", dockerfile):
        options = dict(option.split("=", 1) for option in flag.split(","))
        if options.pop("type") == "cache":
            assert set(options) <= {"target", "sharing"}, flag  # an id= would need the dance too
            mounts.add(CacheMount(options["target"], options.get("sharing", "shared")))
    return mounts


def _workflow(spec: ProjectSpec, image: str | None = None) -> dict[Any, Any]:
    document = yaml.safe_load(render_workflow(spec, image=image).content)
    assert isinstance(document, dict)
    return document


def _steps(document: dict[Any, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = document["jobs"]["build"]["steps"]
    return steps


def _step(document: dict[Any, Any], role: str) -> dict[str, Any]:
    (step,) = (s for s in _steps(document) if s["uses"].startswith(ACTIONS[role].repo + "@"))
    return step


def _cache_map_mounts(document: dict[Any, Any]) -> set[CacheMount]:
    cache_map = json.loads(_step(document, "cache_dance")["with"]["cache-map"])
    assert all(directory.startswith(CACHE_DIR + "/") for directory in cache_map)
    return {CacheMount(o["target"], o.get("sharing", "shared")) for o in cache_map.values()}


# ---- one source of truth: the Dockerfiles' cache mounts are dockergen.mounts' table ----


@pytest.mark.parametrize("variant", APT_VARIANTS)
@pytest.mark.parametrize("case", CASES)
def test_dockerfile_cache_mounts_are_the_table(case: str, variant: str) -> None:
    spec = detect_project(FIXTURES / case, APT_VARIANTS[variant])
    dockerfile = render_files(spec)[0].content
    assert _dockerfile_mounts(dockerfile) == set(cache_mounts(spec))


@pytest.mark.parametrize("variant", APT_VARIANTS)
@pytest.mark.parametrize("case", CASES)
def test_workflow_caches_exactly_the_dockerfile_mounts(case: str, variant: str) -> None:
    spec = detect_project(FIXTURES / case, APT_VARIANTS[variant])
    dockerfile = render_files(spec)[0].content
    assert _cache_map_mounts(_workflow(spec)) == _dockerfile_mounts(dockerfile)


# ---- the workflow's shape ----


def test_steps_in_order_and_pinned() -> None:
    spec = detect_project(FIXTURES / "uv")
    uses = [step["uses"] for step in _steps(_workflow(spec))]
    roles = ["checkout", "setup_buildx", "cache", "cache_dance", "build_push"]
    assert uses == [f"{ACTIONS[r].repo}@{ACTIONS[r].tag}" for r in roles]
    with_image = [step["uses"] for step in _steps(_workflow(spec, "ghcr.io/acme/app"))]
    roles[2:2] = ["metadata", "login"]
    assert with_image == [f"{ACTIONS[r].repo}@{ACTIONS[r].tag}" for r in roles]


def test_every_action_is_pinned_to_an_exact_release() -> None:
    for action in ACTIONS.values():
        assert re.fullmatch(r"v\d+\.\d+\.\d+", action.tag), action
        assert action.sha is None or re.fullmatch(r"[0-9a-f]{40}", action.sha), action


@pytest.mark.parametrize("case", CASES)
def test_cache_steps(case: str) -> None:
    spec = detect_project(FIXTURES / case)
    document = _workflow(spec)
    cache = _step(document, "cache")
    assert cache["id"] == "cache"
    assert cache["with"]["path"] == CACHE_DIR
    key, restore = cache["with"]["key"], cache["with"]["restore-keys"]
    assert key == restore + hash_files(("Dockerfile", *spec.manifests))
    hashed = re.fullmatch(r".*\$\{\{ hashFiles\((.*)\) \}\}", key)
    assert hashed is not None
    assert re.findall(r"'((?:[^']|'')*)'", hashed[1]) == ["Dockerfile", *spec.manifests]
    dance = _step(document, "cache_dance")["with"]
    assert dance["builder"] == "${{ steps.buildx.outputs.name }}"
    assert dance["skip-extraction"] == "${{ steps.cache.outputs.cache-hit }}"
    assert dance["scratch-dir"].startswith("${{ runner.temp }}/")  # not in the build context


def test_build_push_uses_the_gha_layer_cache() -> None:
    build = _step(_workflow(detect_project(FIXTURES / "poetry")), "build_push")["with"]
    assert build == {
        "context": ".",
        "cache-from": "type=gha",
        "cache-to": "type=gha,mode=max",
        "push": False,
    }


@pytest.mark.parametrize("image", [None, "ghcr.io/acme/app", "acme/app"])
def test_step_references_point_at_earlier_steps(image: str | None) -> None:
    steps = _steps(_workflow(detect_project(FIXTURES / "uv"), image))
    for index, step in enumerate(steps):
        earlier = {s["id"] for s in steps[:index] if "id" in s}
        text = json.dumps(step)
        assert set(re.findall(r"steps\.([\w-]+)\.outputs", text)) <= earlier, step


def test_triggers_and_permissions() -> None:
    document = _workflow(detect_project(FIXTURES / "uv"))
    # PyYAML reads YAML 1.1, where the key `on` is the boolean true; GitHub reads it as "on".
    assert document[True] == {
        "push": {"branches": ["main"], "tags": ["v*"]},
        "pull_request": None,
    }
    assert document["permissions"] == {"contents": "read"}
    assert document["jobs"]["build"]["runs-on"] == "ubuntu-24.04"


def test_ghcr_image_pushes_with_the_workflow_token() -> None:
    document = _workflow(detect_project(FIXTURES / "uv"), "ghcr.io/acme/app")
    assert document["permissions"] == {"contents": "read", "packages": "write"}
    assert _step(document, "metadata") == {
        "id": "meta",
        "uses": f"docker/metadata-action@{ACTIONS['metadata'].tag}",
        "with": {"images": "ghcr.io/acme/app"},
    }
    login = _step(document, "login")
    assert login["if"] == "github.event_name != 'pull_request'"
    assert login["with"] == {
        "registry": "ghcr.io",
        "username": "${{ github.actor }}",
        "password": "${{ secrets.GITHUB_TOKEN }}",
    }
    build = _step(document, "build_push")["with"]
    assert build["push"] == "${{ github.event_name != 'pull_request' }}"
    assert build["tags"] == "${{ steps.meta.outputs.tags }}"
    assert build["labels"] == "${{ steps.meta.outputs.labels }}"


def test_other_registries_log_in_with_secrets() -> None:
    document = _workflow(detect_project(FIXTURES / "uv"), "acme/app")
    assert document["permissions"] == {"contents": "read"}
    assert _step(document, "login")["with"] == {
        "registry": "docker.io",
        "username": "${{ secrets.REGISTRY_USERNAME }}",
        "password": "${{ secrets.REGISTRY_PASSWORD }}",
    }


@pytest.mark.parametrize(
    ("image", "registry"),
    [
        ("ghcr.io/acme/app", "ghcr.io"),
        ("acme/app", "docker.io"),
        ("app", "docker.io"),
        ("localhost:5000/app", "localhost:5000"),
        ("localhost/app", "localhost"),
        ("registry.example.com:443/team/app", "registry.example.com:443"),
    ],
)
def test_registry_of(image: str, registry: str) -> None:
    assert registry_of(image) == registry


@pytest.mark.parametrize(
    "image", ["ghcr.io/acme/app:latest", "Acme/App", "ghcr.io/acme app", "a\nb", "app#x", ""]
)
def test_invalid_image_is_refused(image: str) -> None:
    with pytest.raises(InvalidImageError) as info:
        render_workflow(detect_project(FIXTURES / "uv"), image=image)
    assert str(info.value) == (
        f"--image {image!r} is not an image name (lowercase, registry and path, no tag); "
        "pass one like ghcr.io/OWNER/APP"
    )


def test_hash_files_quotes_for_github_expressions() -> None:
    assert hash_files(("Dockerfile", "it's.txt")) == "${{ hashFiles('Dockerfile', 'it''s.txt') }}"


UV = """\
# Generated by dockergen: builds the Dockerfile on every push and pull request, and keeps
# BuildKit's layer cache and its cache mounts (the dependency downloads) between runs.
# Actions are pinned to exact release tags, not commit SHAs: pin SHAs with `pinact run` or
# Dependabot once this file is in your repository.
name: docker

on:
  push:
    branches: [main]
    tags: ["v*"]
  pull_request:

permissions:
  contents: read

jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@{checkout}

      - id: buildx
        uses: docker/setup-buildx-action@{setup_buildx}

      # The cache mounts' contents, outside the workspace so they never enter the build
      # context. A changed manifest restores the previous cache (restore-keys) and saves a
      # new one, so a new dependency downloads only itself.
      - id: cache
        uses: actions/cache@{cache}
        with:
          path: ${{ runner.temp }}/buildkit-cache
          key: "buildkit-cache-mounts-${{ runner.os }}-${{ hashFiles('Dockerfile', 'pyproject.toml', 'uv.lock') }}"
          restore-keys: "buildkit-cache-mounts-${{ runner.os }}-"

      # Moves those directories into BuildKit's cache mounts now and back out after the job;
      # the way out is skipped when the key matched exactly (nothing new to save).
      - uses: reproducible-containers/buildkit-cache-dance@{cache_dance}
        with:
          builder: ${{ steps.buildx.outputs.name }}
          cache-map: |
            {
              "${{ runner.temp }}/buildkit-cache/root-cache": {
                "target": "/root/.cache"
              }
            }
          scratch-dir: ${{ runner.temp }}/buildkit-cache-dance
          skip-extraction: ${{ steps.cache.outputs.cache-hit }}

      - uses: docker/build-push-action@{build_push}
        with:
          context: .
          cache-from: type=gha
          cache-to: type=gha,mode=max
          # Build only (the result stays in the cache); tags and push need an image name.
          push: false
"""


def test_workflow_exact_output() -> None:
    expected = UV
    for role, action in ACTIONS.items():
        expected = expected.replace(f"@{{{role}}}", f"@{action.tag}")
    rendered = render_workflow(detect_project(FIXTURES / "uv"))
    assert rendered == RenderedFile(".github/workflows/docker.yml", expected)
