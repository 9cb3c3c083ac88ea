from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from dockergen.buildplan import plan_build
from dockergen.ci import (
    ACTIONS,
    CACHE_DIR,
    hash_files,
    registry_of,
    render_ci,
    render_dependabot,
    render_workflow,
)
from dockergen.detect import detect_project
from dockergen.errors import InvalidImageError
from dockergen.model import Overrides, ProjectSpec
from dockergen.mounts import CacheMount
from dockergen.render import render_files
from dockergen.steps import cache_mounts
from dockergen.version import __version__
from tests.conftest import Golden
from tests.helpers import CASES, FIXTURES
from tests.schemas import load_yaml, schema_errors

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
            assert set(options) <= {"target", "sharing", "id"}, flag
            mounts.add(
                CacheMount(options["target"], options.get("sharing", "shared"), options.get("id"))
            )
    return mounts


def _workflow(spec: ProjectSpec, image: str | None = None) -> dict[Any, Any]:
    document = yaml.safe_load(render_workflow(spec, image=image).content)
    assert isinstance(document, dict)
    return document


def _steps(document: dict[Any, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = document["jobs"]["build"]["steps"]
    return steps


def _uses(document: dict[Any, Any], role: str) -> list[dict[str, Any]]:
    prefix = ACTIONS[role].repo + "@"
    return [step for step in _steps(document) if step.get("uses", "").startswith(prefix)]


def _step(document: dict[Any, Any], role: str) -> dict[str, Any]:
    """The one step using the action of `role`; for build_push, the build (not the check)."""
    steps = [step for step in _uses(document, role) if "call" not in step.get("with", {})]
    (step,) = steps
    return step


def _cache_map_mounts(document: dict[Any, Any]) -> set[CacheMount]:
    cache_map = json.loads(_step(document, "cache_dance")["with"]["cache-map"])
    assert all(directory.startswith(CACHE_DIR + "/") for directory in cache_map)
    return {
        CacheMount(o["target"], o.get("sharing", "shared"), o.get("id")) for o in cache_map.values()
    }


# ---- one source of truth: the Dockerfiles' cache mounts are dockergen.mounts' table ----


@pytest.mark.parametrize("variant", APT_VARIANTS)
@pytest.mark.parametrize("case", CASES)
def test_dockerfile_cache_mounts_are_the_table(case: str, variant: str) -> None:
    spec = detect_project(FIXTURES / case, APT_VARIANTS[variant])
    dockerfile = render_files(spec)[0].content
    assert _dockerfile_mounts(dockerfile) == set(cache_mounts(plan_build(spec)))


@pytest.mark.parametrize("variant", APT_VARIANTS)
@pytest.mark.parametrize("case", CASES)
def test_workflow_caches_exactly_the_dockerfile_mounts(case: str, variant: str) -> None:
    spec = detect_project(FIXTURES / case, APT_VARIANTS[variant])
    dockerfile = render_files(spec)[0].content
    assert _cache_map_mounts(_workflow(spec)) == _dockerfile_mounts(dockerfile)


# ---- the workflow's shape ----


def _order(document: dict[Any, Any]) -> list[str]:
    """Each step as the role of its action, or its name when it runs a command."""
    by_repo = {action.repo: role for role, action in ACTIONS.items()}
    return [
        by_repo[step["uses"].split("@")[0]] if "uses" in step else step["name"]
        for step in _steps(document)
    ]


def test_steps_in_order() -> None:
    spec = detect_project(FIXTURES / "uv")
    checks = ["checkout", "dockergen check", "setup_buildx", "build_push"]
    build = ["cache", "cache_dance", "build_push"]
    assert _order(_workflow(spec)) == checks + build
    pushing = ["checkout", "dockergen check", "setup_qemu", *checks[2:], "metadata", "login"]
    assert _order(_workflow(spec, "ghcr.io/acme/app")) == pushing + build


USES = re.compile(r"^ +(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$", re.M)


@pytest.mark.parametrize("image", [None, "ghcr.io/acme/app"])
def test_every_action_is_pinned_to_a_commit_with_its_release(image: str | None) -> None:
    text = render_workflow(detect_project(FIXTURES / "uv"), image=image).content
    pins = USES.findall(text)
    assert (
        len(pins)
        == text.count("uses:")
        == len(_steps(_workflow(detect_project(FIXTURES / "uv"), image))) - 1
    )
    table = {(a.repo, a.sha, a.tag) for a in ACTIONS.values()}
    assert set(pins) <= table
    if image:
        assert set(pins) == table


def test_the_action_table_holds_full_shas_and_exact_releases() -> None:
    for action in ACTIONS.values():
        assert re.fullmatch(r"v\d+\.\d+\.\d+", action.tag), action
        assert re.fullmatch(r"[0-9a-f]{40}", action.sha), action


# The inputs each pinned release declares in its action.yml (read at the pinned tag): the
# workflow may set only these. A new pin with renamed inputs fails here, not on a runner.
ACTION_INPUTS = {
    "checkout": {"persist-credentials"},
    "setup_qemu": {"cache-image", "image", "platforms", "reset"},
    "setup_buildx": set(),
    "metadata": {"images", "tags", "labels", "flavor", "annotations", "context"},
    "login": {"registry", "username", "password", "ecr", "logout", "scope"},
    "cache": {"path", "key", "restore-keys", "lookup-only", "fail-on-cache-miss"},
    "cache_dance": {"builder", "cache-map", "scratch-dir", "skip-extraction", "dockerfile"},
    "build_push": {
        "context",
        "call",
        "cache-from",
        "cache-to",
        "platforms",
        "push",
        "tags",
        "labels",
        "sbom",
        "provenance",
        "builder",
        "file",
        "secrets",
        "outputs",
        "load",
    },
}


@pytest.mark.parametrize("image", [None, "ghcr.io/acme/app", "acme/app"])
def test_steps_set_only_inputs_their_action_declares(image: str | None) -> None:
    document = _workflow(detect_project(FIXTURES / "pip-psycopg2"), image)
    for role in ACTIONS:
        for step in _uses(document, role):
            assert set(step.get("with", {})) <= ACTION_INPUTS[role], (role, step)


# ---- what the workflow guards before it builds ----


def test_dockergen_check_runs_first_with_the_version_that_wrote_it() -> None:
    steps = _steps(_workflow(detect_project(FIXTURES / "uv"), "ghcr.io/acme/app"))
    assert steps[1] == {
        "name": "dockergen check",
        "run": f"pipx run --spec dockergen-cli=={__version__} dockergen check",
    }
    assert all("run" not in step for step in steps[2:])  # nothing else runs a shell


@pytest.mark.parametrize("image", [None, "acme/app"])
def test_buildkit_checks_run_before_the_build(image: str | None) -> None:
    document = _workflow(detect_project(FIXTURES / "uv"), image)
    check, build = _uses(document, "build_push")
    assert check == {
        "name": "buildkit checks",
        "uses": f"docker/build-push-action@{ACTIONS['build_push'].sha}",
        "with": {"context": ".", "call": "check"},
    }
    assert build is _step(document, "build_push")
    steps = _steps(document)
    assert steps.index(check) < steps.index(_step(document, "cache"))


def test_pushed_images_are_multi_platform_with_attestations() -> None:
    document = _workflow(detect_project(FIXTURES / "uv"), "ghcr.io/acme/app")
    build = _step(document, "build_push")["with"]
    assert build["platforms"] == "linux/amd64,linux/arm64"
    assert (build["sbom"], build["provenance"]) == (True, "mode=max")
    qemu = _step(document, "setup_qemu")
    assert qemu["with"] == {"platforms": "arm64"}
    steps = _steps(document)
    assert steps.index(qemu) < steps.index(_step(document, "setup_buildx"))


@pytest.mark.parametrize("case", ["uv", "pip-psycopg2"])
def test_one_cache_directory_per_mount_serves_every_platform(case: str) -> None:
    """BuildKit finds a cache mount by its id, not by platform: the amd64 and arm64 builds
    share each mount, so the cache-map is the same with and without multi-platform builds,
    and the workflow says why."""
    spec = detect_project(FIXTURES / case)
    single, multi = _workflow(spec), _workflow(spec, "ghcr.io/acme/app")
    assert _step(single, "cache_dance") == _step(multi, "cache_dance")
    text = render_workflow(spec, image="ghcr.io/acme/app").content
    assert (
        "BuildKit finds a cache mount by its id\n      # (id=, else its target), not by platform"
        in text
    )


def test_build_only_workflows_are_single_platform_without_attestations() -> None:
    document = _workflow(detect_project(FIXTURES / "uv"))
    assert not _uses(document, "setup_qemu")
    assert {"platforms", "sbom", "provenance"}.isdisjoint(_step(document, "build_push")["with"])


# ---- schemas: GitHub's and Dependabot's, from check-jsonschema's vendored copies ----


@pytest.mark.parametrize("image", [None, "ghcr.io/acme/app", "acme/app"])
@pytest.mark.parametrize("case", CASES)
def test_workflow_validates_against_the_github_workflow_schema(
    case: str, image: str | None
) -> None:
    content = render_workflow(detect_project(FIXTURES / case), image=image).content
    assert schema_errors("github-workflows", content) == []


def test_the_schema_check_catches_a_broken_workflow() -> None:
    content = render_workflow(detect_project(FIXTURES / "uv")).content
    assert schema_errors("github-workflows", content.replace("runs-on:", "runs_on:"))
    assert schema_errors("github-workflows", content.replace("\non:\n", "\nwhen:\n"))


def test_github_also_writes_dependabot_for_actions_and_docker() -> None:
    workflow, dependabot = render_ci("github", detect_project(FIXTURES / "uv"))
    assert workflow.name == ".github/workflows/docker.yml"
    assert dependabot.name == ".github/dependabot.yml"
    assert schema_errors("dependabot", dependabot.content) == []
    assert schema_errors("dependabot", dependabot.content.replace("weekly", "sometimes"))
    updates = load_yaml(dependabot.content)["updates"]
    assert [(u["package-ecosystem"], u["directory"]) for u in updates] == [
        ("github-actions", "/"),
        ("docker", "/"),
    ]


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
        "uses": f"docker/metadata-action@{ACTIONS['metadata'].sha}",
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


# ---- the whole files, as goldens (pytest --update-golden rewrites them) ----

WORKFLOW = ".github/workflows/docker.yml"


@pytest.mark.parametrize("case", CASES)
def test_workflow_matches_golden(case: str, golden: Golden) -> None:
    workflow = render_workflow(detect_project(FIXTURES / case))
    golden.check(f"{case}/{WORKFLOW}", workflow.content)


def test_dependabot_matches_golden(golden: Golden) -> None:
    """The same for every project: one golden."""
    golden.check("uv/.github/dependabot.yml", render_dependabot().content)


@pytest.mark.parametrize(
    ("case", "image"), [("uv", "ghcr.io/acme/app"), ("pip-psycopg2", "acme/app")]
)
def test_pushing_workflow_matches_golden(case: str, image: str, golden: Golden) -> None:
    workflow = render_workflow(detect_project(FIXTURES / case), image=image)
    golden.check(f"{case}/push/{WORKFLOW}", workflow.content)
