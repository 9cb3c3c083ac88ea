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
from dockergen.runners import CiChoices
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


def _workflow(
    spec: ProjectSpec, image: str | None = None, ci: CiChoices | None = None
) -> dict[Any, Any]:
    document = yaml.safe_load(render_workflow(spec, image=image, ci=ci).content)
    assert isinstance(document, dict)
    return document


QEMU = CiChoices(qemu=True)


def _steps(document: dict[Any, Any], job: str = "build") -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = document["jobs"][job]["steps"]
    return steps


def _all_steps(document: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in document["jobs"] for step in _steps(document, job)]


def _uses(document: dict[Any, Any], role: str, job: str = "build") -> list[dict[str, Any]]:
    prefix = ACTIONS[role].repo + "@"
    return [step for step in _steps(document, job) if step.get("uses", "").startswith(prefix)]


def _step(document: dict[Any, Any], role: str, job: str = "build") -> dict[str, Any]:
    """The one step using the action of `role`; for build_push, the build (not the check)."""
    steps = [step for step in _uses(document, role, job) if "call" not in step.get("with", {})]
    (step,) = steps
    return step


def _cache_map_mounts(document: dict[Any, Any], job: str = "build") -> set[CacheMount]:
    cache_map = json.loads(_step(document, "cache_dance", job)["with"]["cache-map"])
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
    mounts = _dockerfile_mounts(render_files(spec)[0].content)
    assert _cache_map_mounts(_workflow(spec)) == mounts
    native = _workflow(spec, "ghcr.io/acme/app")
    for job in ("build-amd64", "build-arm64"):  # each platform carries every mount
        assert _cache_map_mounts(native, job) == mounts


# ---- the workflow's shape ----


def _order(document: dict[Any, Any], job: str = "build") -> list[str]:
    """Each step as the role of its action, or its name when it runs a command."""
    by_repo = {action.repo: role for role, action in ACTIONS.items()}
    return [
        by_repo[step["uses"].split("@")[0]] if "uses" in step else step["name"]
        for step in _steps(document, job)
    ]


def _needs(document: dict[Any, Any]) -> dict[str, set[str]]:
    """The job graph: each job and the jobs it waits for."""
    graph = {}
    for name, job in document["jobs"].items():
        needs = job.get("needs", [])
        graph[name] = {needs} if isinstance(needs, str) else set(needs)
    return graph


CHECKS = ["checkout", "dockergen check", "setup_buildx", "build_push"]
CACHED_BUILD = ["cache", "cache_dance", "build_push"]


def test_steps_in_order() -> None:
    spec = detect_project(FIXTURES / "uv")
    assert _order(_workflow(spec)) == CHECKS + CACHED_BUILD
    pushing = ["checkout", "dockergen check", "setup_qemu", *CHECKS[2:], "metadata", "login"]
    assert _order(_workflow(spec, "ghcr.io/acme/app", QEMU)) == pushing + CACHED_BUILD
    native = _workflow(spec, "ghcr.io/acme/app")
    assert _order(native, "check") == CHECKS
    platform = ["checkout", "setup_buildx", "metadata", "login", *CACHED_BUILD]
    assert _order(native, "build-amd64") == _order(native, "build-arm64") == platform
    merge = ["setup_buildx", "metadata", "login", "merge into one multi-platform image"]
    assert _order(native, "merge") == merge


def test_the_job_graph() -> None:
    """Checks first, then one build per platform side by side, then the merge of their digests;
    without an image, or in the QEMU layout, one job does everything."""
    spec = detect_project(FIXTURES / "uv")
    assert _needs(_workflow(spec, "ghcr.io/acme/app")) == {
        "check": set(),
        "build-amd64": {"check"},
        "build-arm64": {"check"},
        "merge": {"build-amd64", "build-arm64"},
    }
    three = CiChoices(platforms=("linux/amd64", "linux/arm64", "linux/arm/v7"))
    assert _needs(_workflow(spec, "ghcr.io/acme/app", three)) == {
        "check": set(),
        "build-amd64": {"check"},
        "build-arm64": {"check"},
        "build-arm-v7": {"check"},
        "merge": {"build-amd64", "build-arm64", "build-arm-v7"},
    }
    assert (
        _needs(_workflow(spec))
        == _needs(_workflow(spec, "ghcr.io/acme/app", QEMU))
        == {"build": set()}
    )


def test_each_platform_builds_on_a_runner_of_its_architecture() -> None:
    jobs = _workflow(detect_project(FIXTURES / "uv"), "ghcr.io/acme/app")["jobs"]
    runners = {name: job["runs-on"] for name, job in jobs.items()}
    assert runners == {
        "check": "ubuntu-24.04",
        "build-amd64": "ubuntu-24.04",
        "build-arm64": "ubuntu-24.04-arm",
        "merge": "ubuntu-24.04",
    }
    for name, platform in (("build-amd64", "linux/amd64"), ("build-arm64", "linux/arm64")):
        build = _step({"jobs": jobs}, "build_push", name)
        assert build["id"] == "build"
        assert build["with"]["platforms"] == platform
        assert not _uses({"jobs": jobs}, "setup_qemu", name)  # native: no emulation


def test_qemu_only_for_a_platform_without_a_native_runner() -> None:
    three = CiChoices(platforms=("linux/amd64", "linux/arm64", "linux/arm/v7"))
    document = _workflow(detect_project(FIXTURES / "uv"), "ghcr.io/acme/app", three)
    emulating = [job for job in document["jobs"] if _uses(document, "setup_qemu", job)]
    assert emulating == ["build-arm-v7"]
    job = document["jobs"]["build-arm-v7"]
    assert job["runs-on"] == "ubuntu-24.04"
    assert _step(document, "setup_qemu", "build-arm-v7")["with"] == {"platforms": "arm"}
    assert _step(document, "build_push", "build-arm-v7")["with"]["platforms"] == "linux/arm/v7"
    text = render_workflow(detect_project(FIXTURES / "uv"), image="acme/app", ci=three).content
    assert "#   linux/arm/v7 on ubuntu-24.04, emulated by QEMU (GitHub has no runner" in text


def test_platform_builds_push_by_digest_with_attestations_and_caches_of_their_own() -> None:
    spec = detect_project(FIXTURES / "uv")
    document = _workflow(spec, "ghcr.io/acme/app")
    keys = set()
    for key in ("amd64", "arm64"):
        job = document["jobs"][f"build-{key}"]
        assert job["outputs"] == {"digest": "${{ steps.build.outputs.digest }}"}
        build = _step(document, "build_push", f"build-{key}")["with"]
        assert build["outputs"] == (
            "type=image,name=ghcr.io/acme/app,push-by-digest=true,name-canonical=true,"
            "push=${{ github.event_name != 'pull_request' }}"
        )
        assert {"push", "tags"}.isdisjoint(build)  # the merge job tags
        assert (build["sbom"], build["provenance"]) == (True, "mode=max")
        assert build["labels"] == "${{ steps.meta.outputs.labels }}"
        # Side by side, each platform reads and writes its own layer cache and mount cache.
        assert build["cache-from"] == f"type=gha,scope={key}"
        assert build["cache-to"] == f"type=gha,scope={key},mode=max"
        cache = _step(document, "cache", f"build-{key}")["with"]
        assert cache["restore-keys"] == f"buildkit-cache-mounts-{key}-"
        assert cache["key"] == cache["restore-keys"] + hash_files(("Dockerfile", *spec.manifests))
        keys.add(cache["key"])
    assert len(keys) == 2


def test_the_merge_job_tags_one_image_from_every_digest() -> None:
    document = _workflow(detect_project(FIXTURES / "uv"), "ghcr.io/acme/app")
    merge = document["jobs"]["merge"]
    assert merge["if"] == "github.event_name != 'pull_request'"
    (step,) = [s for s in merge["steps"] if "run" in s]
    assert step["env"] == {
        "IMAGE": "ghcr.io/acme/app",
        "TAGS": "${{ steps.meta.outputs.tags }}",
        "DIGEST_AMD64": "${{ needs.build-amd64.outputs.digest }}",
        "DIGEST_ARM64": "${{ needs.build-arm64.outputs.digest }}",
    }
    assert step["run"] == (
        "docker buildx imagetools create $(printf -- '--tag %s ' $TAGS) \\\n"
        '  "$IMAGE@$DIGEST_AMD64" \\\n'
        '  "$IMAGE@$DIGEST_ARM64"\n'
    )
    assert "${{" not in step["run"]  # values reach the shell as variables, never as code
    assert _step(document, "login", "merge")["with"]["registry"] == "ghcr.io"
    assert "if" not in _step(document, "login", "merge")  # the whole job skips pull requests


def test_pull_requests_build_every_platform_and_push_nothing() -> None:
    document = _workflow(detect_project(FIXTURES / "uv"), "ghcr.io/acme/app")
    for job in ("check", "build-amd64", "build-arm64"):
        assert "if" not in document["jobs"][job]
    for job in ("build-amd64", "build-arm64"):
        assert _step(document, "login", job)["if"] == "github.event_name != 'pull_request'"
        assert _step(document, "build_push", job)["with"]["outputs"].endswith(
            ",push=${{ github.event_name != 'pull_request' }}"
        )


def test_the_header_states_the_arm_runner_and_its_limits() -> None:
    spec = detect_project(FIXTURES / "uv")
    text = render_workflow(spec, image="ghcr.io/acme/app").content
    header = text[: text.index("\nname: docker\n")]
    assert "#   linux/amd64 on ubuntu-24.04\n#   linux/arm64 on ubuntu-24.04-arm\n" in header
    assert "ubuntu-24.04-arm is GitHub's free arm64 runner for public repositories" in header
    assert '"not supported yet for private repositories"' in header
    assert "`dockergen ci github --force --arm-runner LABEL`" in header
    assert "`--qemu`" in header
    chosen = render_workflow(spec, image="acme/app", ci=CiChoices(arm_runner="arm64-large"))
    document = yaml.safe_load(chosen.content)
    assert document["jobs"]["build-arm64"]["runs-on"] == "arm64-large"
    assert "# linux/arm64 runs on arm64-large, your choice (--arm-runner" in chosen.content
    assert "public repositories" not in chosen.content


def test_runner_labels_are_yaml_strings() -> None:
    """A label YAML would read as something else (a number, a boolean) stays a string."""
    spec = detect_project(FIXTURES / "uv")
    for label in ("true", "1234", "null"):
        document = _workflow(spec, "acme/app", CiChoices(arm_runner=label))
        assert document["jobs"]["build-arm64"]["runs-on"] == label


USES = re.compile(r"^ +(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$", re.M)
LAYOUTS = [(None, None), ("ghcr.io/acme/app", QEMU), ("ghcr.io/acme/app", None)]


@pytest.mark.parametrize(("image", "ci"), LAYOUTS)
def test_every_action_is_pinned_to_a_commit_with_its_release(
    image: str | None, ci: CiChoices | None
) -> None:
    text = render_workflow(detect_project(FIXTURES / "uv"), image=image, ci=ci).content
    pins = USES.findall(text)
    steps = _all_steps(_workflow(detect_project(FIXTURES / "uv"), image, ci))
    assert len(pins) == text.count("uses:") == len([s for s in steps if "uses" in s])
    table = {(a.repo, a.sha, a.tag) for a in ACTIONS.values()}
    assert set(pins) <= table
    if image and ci:  # the QEMU layout uses every action
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
IMAGES = [(None, None), ("ghcr.io/acme/app", None), ("acme/app", None), ("acme/app", QEMU)]


@pytest.mark.parametrize(("image", "ci"), IMAGES)
def test_steps_set_only_inputs_their_action_declares(
    image: str | None, ci: CiChoices | None
) -> None:
    document = _workflow(detect_project(FIXTURES / "pip-psycopg2"), image, ci)
    for role in ACTIONS:
        for job in document["jobs"]:
            for step in _uses(document, role, job):
                assert set(step.get("with", {})) <= ACTION_INPUTS[role], (role, step)


# ---- what the workflow guards before it builds ----


@pytest.mark.parametrize(
    ("image", "ci", "job"), [(None, None, "build"), ("acme/app", None, "check")]
)
def test_dockergen_check_runs_first_with_the_version_that_wrote_it(
    image: str | None, ci: CiChoices | None, job: str
) -> None:
    document = _workflow(detect_project(FIXTURES / "uv"), image, ci)
    steps = _steps(document, job)
    assert steps[1] == {
        "name": "dockergen check",
        "run": f"pipx run --spec dockergen-cli=={__version__} dockergen check",
    }
    # Nothing else runs a shell but the merge of the pushed digests.
    shells = [step["name"] for step in _all_steps(document) if "run" in step]
    assert shells == ["dockergen check"] + (
        ["merge into one multi-platform image"] if image else []
    )


@pytest.mark.parametrize(
    ("image", "ci", "job"),
    [(None, None, "build"), ("acme/app", QEMU, "build"), ("acme/app", None, "check")],
)
def test_buildkit_checks_run_before_the_build(
    image: str | None, ci: CiChoices | None, job: str
) -> None:
    document = _workflow(detect_project(FIXTURES / "uv"), image, ci)
    (check,) = [s for s in _uses(document, "build_push", job) if "call" in s.get("with", {})]
    assert check == {
        "name": "buildkit checks",
        "uses": f"docker/build-push-action@{ACTIONS['build_push'].sha}",
        "with": {"context": ".", "call": "check"},
    }
    steps = _steps(document, job)
    if job == "build":
        assert steps.index(check) < steps.index(_step(document, "cache"))
    else:  # every build job waits for the check job
        assert all(
            "check" in _needs(document)[j] for j in document["jobs"] if j.startswith("build")
        )


def test_the_qemu_layout_pushes_one_multi_platform_build_with_attestations() -> None:
    document = _workflow(detect_project(FIXTURES / "uv"), "ghcr.io/acme/app", QEMU)
    build = _step(document, "build_push")["with"]
    assert build["platforms"] == "linux/amd64,linux/arm64"
    assert (build["sbom"], build["provenance"]) == (True, "mode=max")
    qemu = _step(document, "setup_qemu")
    assert qemu["with"] == {"platforms": "arm64"}
    steps = _steps(document)
    assert steps.index(qemu) < steps.index(_step(document, "setup_buildx"))
    three = CiChoices(platforms=("linux/amd64", "linux/arm64", "linux/arm/v7"), qemu=True)
    document = _workflow(detect_project(FIXTURES / "uv"), "ghcr.io/acme/app", three)
    assert _step(document, "setup_qemu")["with"] == {"platforms": "arm64,arm"}


@pytest.mark.parametrize("case", ["uv", "pip-psycopg2"])
def test_one_cache_directory_per_mount_serves_every_platform_of_one_job(case: str) -> None:
    """BuildKit finds a cache mount by its id, not by platform: in the QEMU layout the amd64
    and arm64 builds share each mount, so the cache-map is the same with and without
    multi-platform builds, and the workflow says why."""
    spec = detect_project(FIXTURES / case)
    single, multi = _workflow(spec), _workflow(spec, "ghcr.io/acme/app", QEMU)
    assert _step(single, "cache_dance") == _step(multi, "cache_dance")
    text = render_workflow(spec, image="ghcr.io/acme/app", ci=QEMU).content
    assert (
        "BuildKit finds a cache mount by its id\n      # (id=, else its target), not by platform"
        in text
    )


def test_build_only_workflows_are_single_platform_without_attestations() -> None:
    document = _workflow(detect_project(FIXTURES / "uv"), ci=CiChoices(qemu=False))
    assert not _uses(document, "setup_qemu")
    assert {"platforms", "sbom", "provenance"}.isdisjoint(_step(document, "build_push")["with"])


# ---- schemas: GitHub's and Dependabot's, from check-jsonschema's vendored copies ----


SCHEMA_LAYOUTS = {
    "build-only": (None, None),
    "native-ghcr": ("ghcr.io/acme/app", None),
    "native-hub": ("acme/app", None),
    "qemu": ("acme/app", QEMU),
    "three-platforms": (
        "acme/app",
        CiChoices(platforms=("linux/amd64", "linux/arm64", "linux/s390x")),
    ),
    "own-arm-runner": ("acme/app", CiChoices(arm_runner="arm64-8core")),
}


@pytest.mark.parametrize("layout", SCHEMA_LAYOUTS)
@pytest.mark.parametrize("case", CASES)
def test_workflow_validates_against_the_github_workflow_schema(case: str, layout: str) -> None:
    image, ci = SCHEMA_LAYOUTS[layout]
    content = render_workflow(detect_project(FIXTURES / case), image=image, ci=ci).content
    assert schema_errors("github-workflows", content) == []


def test_the_schema_check_catches_a_broken_workflow() -> None:
    content = render_workflow(detect_project(FIXTURES / "uv")).content
    assert schema_errors("github-workflows", content.replace("runs-on:", "runs_on:"))
    assert schema_errors("github-workflows", content.replace("\non:\n", "\nwhen:\n"))
    native = render_workflow(detect_project(FIXTURES / "uv"), image="acme/app").content
    assert schema_errors("github-workflows", native.replace("    needs: check", "    needs: 7"))


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


@pytest.mark.parametrize(("image", "ci"), IMAGES)
def test_step_and_job_references_point_at_earlier_ones(
    image: str | None, ci: CiChoices | None
) -> None:
    document = _workflow(detect_project(FIXTURES / "uv"), image, ci)
    graph = _needs(document)
    for name, job in document["jobs"].items():
        steps = _steps(document, name)
        for index, step in enumerate(steps):
            earlier = {s["id"] for s in steps[:index] if "id" in s}
            text = json.dumps(step)
            assert set(re.findall(r"steps\.([\w-]+)\.outputs", text)) <= earlier, step
            assert set(re.findall(r"needs\.([\w-]+)\.outputs", text)) <= graph[name], step
        outputs = json.dumps(job.get("outputs", {}))
        assert set(re.findall(r"steps\.([\w-]+)\.outputs", outputs)) <= {
            s["id"] for s in steps if "id" in s
        }


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
    document = _workflow(detect_project(FIXTURES / "uv"), "ghcr.io/acme/app", QEMU)
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


@pytest.mark.parametrize("job", ["build-amd64", "build-arm64", "merge"])
def test_other_registries_log_in_with_secrets(job: str) -> None:
    document = _workflow(detect_project(FIXTURES / "uv"), "acme/app")
    assert document["permissions"] == {"contents": "read"}
    assert _step(document, "login", job)["with"] == {
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


PUSHING = {
    "push": CiChoices(),  # the native layout, by default
    "push-qemu": QEMU,  # the older one-job layout, byte for byte what it was
    "push-arm-v7": CiChoices(platforms=("linux/amd64", "linux/arm64", "linux/arm/v7")),
}


@pytest.mark.parametrize("layout", PUSHING)
@pytest.mark.parametrize(
    ("case", "image"), [("uv", "ghcr.io/acme/app"), ("pip-psycopg2", "acme/app")]
)
def test_pushing_workflow_matches_golden(
    case: str, image: str, layout: str, golden: Golden
) -> None:
    workflow = render_workflow(detect_project(FIXTURES / case), image=image, ci=PUSHING[layout])
    golden.check(f"{case}/{layout}/{WORKFLOW}", workflow.content)
