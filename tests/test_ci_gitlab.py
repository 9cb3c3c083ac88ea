"""`dockergen ci gitlab`: .gitlab-ci.yml, checked against GitLab's schema and as parsed YAML."""

from __future__ import annotations

from typing import Any

import pytest

from dockergen.ci import render_ci
from dockergen.detect import detect_project
from dockergen.errors import GitlabImageError
from dockergen.gitlab import CACHE_REF, render_pipeline
from dockergen.version import __version__
from tests.conftest import Golden
from tests.helpers import CASES, FIXTURES
from tests.schemas import load_yaml, schema_errors

CACHE = "type=registry,ref=$CI_REGISTRY_IMAGE:buildcache"


def _pipeline(case: str = "uv") -> dict[str, Any]:
    document = load_yaml(render_pipeline(detect_project(FIXTURES / case)).content)
    assert isinstance(document, dict)
    return document


def _build_command(document: dict[str, Any]) -> list[str]:
    """The build line's arguments (a folded scalar: one line for the shell)."""
    return str(document["docker-build"]["script"][-1]).split()


@pytest.mark.parametrize("case", CASES)
def test_pipeline_matches_golden(case: str, golden: Golden) -> None:
    golden.check(f"{case}/.gitlab-ci.yml", render_pipeline(detect_project(FIXTURES / case)).content)


@pytest.mark.parametrize("case", CASES)
def test_pipeline_validates_against_the_gitlab_ci_schema(case: str) -> None:
    assert (
        schema_errors("gitlab-ci", render_pipeline(detect_project(FIXTURES / case)).content) == []
    )


def test_the_schema_check_catches_a_broken_pipeline() -> None:
    content = render_pipeline(detect_project(FIXTURES / "uv")).content
    assert schema_errors("gitlab-ci", content.replace("before_script:", "before_scripts:"))
    assert schema_errors("gitlab-ci", content.replace("when: never", "when: sometimes"))


def test_dockergen_check_runs_in_the_first_stage_at_this_version() -> None:
    document = _pipeline()
    assert document["stages"] == ["check", "build"]
    check = document["dockergen-check"]
    assert check["stage"] == "check"
    assert check["script"] == [
        f"pip install --no-cache-dir --root-user-action=ignore dockergen-cli=={__version__}",
        "dockergen check",
    ]
    assert document["docker-build"]["stage"] == "build"


def test_build_uses_buildkit_with_the_registry_as_layer_cache() -> None:
    build = _pipeline()["docker-build"]
    assert build["image"] == "docker:28"
    assert build["services"] == ["docker:28-dind"]
    assert build["before_script"][-1] == "docker buildx create --use --driver docker-container"
    assert build["script"][0] == "docker buildx build --check ."
    command = _build_command(_pipeline())
    assert command[:3] == ["docker", "buildx", "build"]
    assert command[command.index("--cache-from") + 1] == CACHE
    assert command[command.index("--cache-to") + 1] == f"{CACHE},mode=max"
    assert CACHE.endswith(CACHE_REF)
    assert command[-1] == "."


def test_merge_requests_build_without_pushing() -> None:
    build = _pipeline()["docker-build"]
    assert build["variables"]["PUSH"] == "true"
    merge_request, default = build["rules"]
    assert merge_request == {
        "if": '$CI_PIPELINE_SOURCE == "merge_request_event"',
        "variables": {"PUSH": "false"},
    }
    assert default == {"when": "on_success"}
    output = _build_command(_pipeline())[-2]
    assert output == '"type=image,name=$CI_REGISTRY_IMAGE:$CI_COMMIT_REF_SLUG,push=$PUSH"'


def test_logs_in_to_the_project_registry_with_the_job_credentials() -> None:
    login = _pipeline()["docker-build"]["before_script"][0]
    assert login == (
        'echo "$CI_REGISTRY_PASSWORD" | docker login --username "$CI_REGISTRY_USER" '
        '--password-stdin "$CI_REGISTRY"'
    )


def test_gitlab_is_one_file_and_refuses_an_image_name() -> None:
    spec = detect_project(FIXTURES / "uv")
    (pipeline,) = render_ci("gitlab", spec)
    assert pipeline.name == ".gitlab-ci.yml"
    with pytest.raises(GitlabImageError) as info:
        render_ci("gitlab", spec, image="ghcr.io/acme/app")
    assert "leave --image out" in str(info.value)
