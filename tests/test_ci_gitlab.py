"""`dockergen ci gitlab`: .gitlab-ci.yml, checked against GitLab's schema and as parsed YAML."""

from __future__ import annotations

from typing import Any

import pytest

from dockergen.ci import render_ci
from dockergen.detect import detect_project
from dockergen.errors import GitlabImageError
from dockergen.gitlab import CACHE_REF, render_pipeline
from dockergen.runners import CiChoices
from dockergen.version import __version__
from tests.conftest import Golden
from tests.helpers import CASES, FIXTURES
from tests.schemas import load_yaml, schema_errors

CACHE = "type=registry,ref=$CI_REGISTRY_IMAGE:buildcache"


TAGGED = CiChoices(runner_tags=(("amd64", "saas-linux-small-amd64"), ("arm64", "arm-big")))


def _pipeline(case: str = "uv", ci: CiChoices | None = None) -> dict[str, Any]:
    document = load_yaml(render_pipeline(detect_project(FIXTURES / case), ci=ci).content)
    assert isinstance(document, dict)
    return document


def _build_command(document: dict[str, Any]) -> list[str]:
    """The build line's arguments (a folded scalar: one line for the shell)."""
    return str(document["docker-build"]["script"][-1]).split()


@pytest.mark.parametrize("case", CASES)
def test_pipeline_matches_golden(case: str, golden: Golden) -> None:
    golden.check(f"{case}/.gitlab-ci.yml", render_pipeline(detect_project(FIXTURES / case)).content)


@pytest.mark.parametrize("ci", [None, TAGGED, CiChoices(runner_tags=(("amd64", "x86"),))])
@pytest.mark.parametrize("case", CASES)
def test_pipeline_validates_against_the_gitlab_ci_schema(case: str, ci: CiChoices | None) -> None:
    content = render_pipeline(detect_project(FIXTURES / case), ci=ci).content
    assert schema_errors("gitlab-ci", content) == []


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


# ---- one job per architecture, on the runners the user tagged ----


def _jobs(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if isinstance(v, dict) and "stage" in v}


def test_the_job_graph_with_runner_tags() -> None:
    """Each architecture on its own runners, side by side, then the merge of their digests."""
    document = _pipeline(ci=TAGGED)
    assert document["stages"] == ["check", "build", "merge"]
    jobs = _jobs(document)
    assert {
        name: (job["stage"], job.get("tags"), job.get("needs")) for name, job in jobs.items()
    } == {
        "dockergen-check": ("check", None, None),
        "build-amd64": ("build", ["saas-linux-small-amd64"], None),
        "build-arm64": ("build", ["arm-big"], None),
        "docker-merge": ("merge", None, ["build-amd64", "build-arm64"]),
    }


@pytest.mark.parametrize(
    ("arch", "tag"), [("amd64", "saas-linux-small-amd64"), ("arm64", "arm-big")]
)
def test_each_architecture_pushes_its_digest_with_a_cache_of_its_own(arch: str, tag: str) -> None:
    job = _pipeline(ci=TAGGED)[f"build-{arch}"]
    build, digest = job["script"][1], job["script"][2]
    command = str(build).split()
    assert command[command.index("--platform") + 1] == f"linux/{arch}"
    assert command[command.index("--cache-from") + 1] == f"{CACHE}-{arch}"
    assert command[command.index("--cache-to") + 1] == f"{CACHE}-{arch},mode=max"
    assert command[command.index("--output") + 1] == (
        '"type=image,name=$CI_REGISTRY_IMAGE,push-by-digest=true,name-canonical=true,push=$PUSH"'
    )
    assert command[command.index("--metadata-file") + 1] == "build.json"
    variable = f"DIGEST_{arch.upper()}"
    assert digest.endswith(f'echo "{variable}=$digest" > digest.env\n')
    assert job["artifacts"] == {"reports": {"dotenv": "digest.env"}}
    assert job["variables"]["PUSH"] == "true"  # merge requests: "false", as for one build


def test_the_digest_is_read_from_buildx_metadata(tmp_path: Any) -> None:
    """The sed line of the pipeline, run on a metadata file as buildx writes it."""
    import subprocess

    script = _pipeline(ci=TAGGED)["build-arm64"]["script"][2]
    (tmp_path / "build.json").write_text(
        '{\n  "buildx.build.ref": "builder/builder0/x",\n  "containerimage.config.digest": '
        '"sha256:1111",\n  "containerimage.descriptor": {\n    "mediaType": "application/'
        'vnd.oci.image.index.v1+json",\n    "digest": "sha256:2222"\n  },\n  '
        '"containerimage.digest": "sha256:2222"\n}\n'
    )
    subprocess.run(["sh", "-c", script], cwd=tmp_path, check=True)
    assert (tmp_path / "digest.env").read_text() == "DIGEST_ARM64=sha256:2222\n"


def test_the_merge_tags_one_image_and_skips_merge_requests() -> None:
    merge = _pipeline(ci=TAGGED)["docker-merge"]
    assert merge["rules"] == [
        {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"', "when": "never"},
        {"when": "on_success"},
    ]
    assert str(merge["script"][0]).split() == [
        "docker", "buildx", "imagetools", "create",
        "--tag", '"$CI_REGISTRY_IMAGE:$CI_COMMIT_REF_SLUG"',
        '"$CI_REGISTRY_IMAGE@$DIGEST_AMD64"', '"$CI_REGISTRY_IMAGE@$DIGEST_ARM64"',
    ]  # fmt: skip


def test_without_an_arm64_tag_one_build_names_how_to_split() -> None:
    document = _pipeline()
    assert set(_jobs(document)) == {"dockergen-check", "docker-build"}
    assert "tags" not in document["docker-build"]
    text = render_pipeline(detect_project(FIXTURES / "uv")).content
    assert "# One linux/amd64 image, on any runner." in text
    assert "--runner-tag amd64=TAG --runner-tag arm64=TAG`" in text
    assert "Cache mounts (RUN\n# --mount=type=cache) end with the job's BuildKit container" in text
    amd64_only = CiChoices(runner_tags=(("amd64", "x86"),))
    assert _pipeline(ci=amd64_only)["docker-build"]["tags"] == ["x86"]


def test_the_cache_mount_limitation_is_stated_for_split_builds_too() -> None:
    text = render_pipeline(detect_project(FIXTURES / "uv"), ci=TAGGED).content
    assert "Cache mounts (RUN\n# --mount=type=cache) end with the job's BuildKit container" in text
    assert (
        "#   $CI_REGISTRY_IMAGE:buildcache-amd64\n#   $CI_REGISTRY_IMAGE:buildcache-arm64\n" in text
    )


def test_runner_tags_are_yaml_strings() -> None:
    odd = CiChoices(runner_tags=(("amd64", "true"), ("arm64", "1234")))
    document = _pipeline(ci=odd)
    assert (document["build-amd64"]["tags"], document["build-arm64"]["tags"]) == (
        ["true"],
        ["1234"],
    )


def test_split_pipeline_matches_golden(golden: Golden) -> None:
    content = render_pipeline(detect_project(FIXTURES / "uv"), ci=TAGGED).content
    golden.check("uv/runner-tags/.gitlab-ci.yml", content)
