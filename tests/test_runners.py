"""Where `dockergen ci` builds each platform (dockergen.runners): pure, table-driven."""

from __future__ import annotations

import pytest

from dockergen.runners import BuildJob, CiChoices, emulated, github_jobs, gitlab_jobs, plan_lines

THREE = ("linux/amd64", "linux/arm64", "linux/arm/v7")


@pytest.mark.parametrize(
    ("choices", "jobs"),
    [
        pytest.param(
            CiChoices(),
            [BuildJob("linux/amd64", "ubuntu-24.04"), BuildJob("linux/arm64", "ubuntu-24.04-arm")],
            id="default",
        ),
        pytest.param(
            CiChoices(platforms=THREE, arm_runner="arm64-big"),
            [
                BuildJob("linux/amd64", "ubuntu-24.04"),
                BuildJob("linux/arm64", "arm64-big"),
                BuildJob("linux/arm/v7", "ubuntu-24.04", "arm"),
            ],
            id="own-runner-and-an-emulated-platform",
        ),
        pytest.param(
            CiChoices(platforms=("linux/s390x",)),
            [BuildJob("linux/s390x", "ubuntu-24.04", "s390x")],
            id="emulated-only",
        ),
    ],
)
def test_github_jobs(choices: CiChoices, jobs: list[BuildJob]) -> None:
    assert list(github_jobs(choices)) == jobs


def test_a_job_is_named_after_its_platform() -> None:
    job = BuildJob("linux/arm/v7", "ubuntu-24.04", "arm")
    assert (job.key, job.id, job.digest_variable) == ("arm-v7", "build-arm-v7", "DIGEST_ARM_V7")


def test_the_qemu_layout_emulates_every_platform_but_amd64() -> None:
    assert emulated(CiChoices(platforms=THREE, qemu=True)) == ("arm64", "arm")
    assert emulated(CiChoices(platforms=("linux/amd64",), qemu=True)) == ()


def test_gitlab_splits_only_with_an_arm64_tag() -> None:
    assert gitlab_jobs(CiChoices()) == ()
    assert gitlab_jobs(CiChoices(runner_tags=(("amd64", "x86"),))) == ()
    tagged = CiChoices(runner_tags=(("amd64", "x86"), ("arm64", "arm")))
    assert gitlab_jobs(tagged) == (BuildJob("linux/amd64", "x86"), BuildJob("linux/arm64", "arm"))


@pytest.mark.parametrize(
    ("choices", "first"),
    [
        (
            CiChoices(platforms=THREE, qemu=True, source="pyproject.toml [tool.dockergen]"),
            "ci github: linux/amd64, linux/arm64, linux/arm/v7 in one job on ubuntu-24.04, "
            "arm64, arm emulated by QEMU (pyproject.toml [tool.dockergen])",
        ),
        (
            CiChoices(platforms=("linux/amd64",), qemu=True),
            "ci github: linux/amd64 in one job on ubuntu-24.04, nothing emulated by QEMU (default)",
        ),
        (
            CiChoices(platforms=THREE),
            "ci github (with --image): linux/amd64 on ubuntu-24.04, linux/arm64 on "
            "ubuntu-24.04-arm, linux/arm/v7 on ubuntu-24.04 under QEMU, one job each, merged "
            "into one image (default)",
        ),
    ],
)
def test_plan_lines(choices: CiChoices, first: str) -> None:
    lines = plan_lines(choices)
    assert lines[0] == first
    limits = [line for line in lines if "public repositories" in line]
    assert len(limits) == (0 if choices.qemu else 1)
