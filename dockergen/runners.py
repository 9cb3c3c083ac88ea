"""Where the CI files build each platform of a pushed image: on a runner of its own
architecture, or emulated by QEMU on the amd64 runner. Pure: the user's answers in, the
build jobs out; the templates only write them down.

GitHub: linux/amd64 on `ubuntu-24.04`, linux/arm64 on the arm runner the user chose (default
`ubuntu-24.04-arm`, GitHub's free arm64 runner, which serves public repositories only), any
other platform under QEMU on the amd64 runner. `qemu = true` keeps the older layout: every
platform in one job on the amd64 runner. GitLab: one job per architecture on the runner tags
the user names (`runner-tags = ["amd64=TAG", "arm64=TAG"]`), else one amd64 build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from dockergen.errors import InvalidProjectFileError
from dockergen.text import shown

if TYPE_CHECKING:
    from dockergen.settings import Settings

AMD64_RUNNER: Final = "ubuntu-24.04"
DEFAULT_ARM_RUNNER: Final = "ubuntu-24.04-arm"
DEFAULT_PLATFORMS: Final = ("linux/amd64", "linux/arm64")
# Platforms BuildKit builds and QEMU emulates; a native runner exists for the first two.
PLATFORMS: Final = (
    "linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5",
    "linux/386", "linux/ppc64le", "linux/s390x", "linux/riscv64",
)  # fmt: skip
# GitLab.com's smallest hosted Linux runners, named as examples (a self-managed GitLab has
# the tags its administrators chose).
GITLAB_COM_TAGS: Final = {"amd64": "saas-linux-small-amd64", "arm64": "saas-linux-small-arm64"}
GITLAB_ARCHES: Final = ("amd64", "arm64")
# Runner labels and tags: plain words, so they are the same in YAML, in a shell and in a
# message (GitHub and GitLab allow more, which no runner needs).
_LABEL: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True, slots=True)
class CiChoices:
    """What the user chose for the CI files (flags, remembered in the answers)."""

    platforms: tuple[str, ...] = DEFAULT_PLATFORMS
    arm_runner: str = DEFAULT_ARM_RUNNER
    qemu: bool = False  # every platform in one job on the amd64 runner, emulated
    runner_tags: tuple[tuple[str, str], ...] = ()  # GitLab: (architecture, tag)
    source: str = "default"  # where the choices are written down, for `plan`


@dataclass(frozen=True, slots=True)
class BuildJob:
    """One platform's build job."""

    platform: str  # linux/arm/v7
    runner: str  # GitHub's runs-on label, GitLab's tag ("" for an untagged GitLab job)
    qemu: str = ""  # the architecture QEMU emulates (arm), empty on a native runner

    @property
    def key(self) -> str:
        """arm-v7: names the job (build-arm-v7), its cache scope and its digest variable."""
        return self.platform.removeprefix("linux/").replace("/", "-")

    @property
    def id(self) -> str:
        return f"build-{self.key}"

    @property
    def digest_variable(self) -> str:
        return "DIGEST_" + self.key.upper().replace("-", "_")


def ci_choices(settings: Settings) -> CiChoices:
    """The CI choices in `settings`, checked; an error names the flag or answer to fix."""
    choices = settings.choices
    platforms = tuple(choices.platforms) or DEFAULT_PLATFORMS
    for platform in platforms:
        if platform not in PLATFORMS:
            raise InvalidProjectFileError(
                settings.origin("platforms"),
                f"platform {shown(repr(platform))} is not one BuildKit builds here",
                f"use one of {', '.join(PLATFORMS)}",
            )
    if len(set(platforms)) != len(platforms):
        raise InvalidProjectFileError(
            settings.origin("platforms"), "names a platform twice", "name each one once"
        )
    arm_runner = choices.arm_runner or DEFAULT_ARM_RUNNER
    _check_label(arm_runner, settings.origin("arm_runner"), "runner label")
    tags = _runner_tags(choices.runner_tags, settings.origin("runner_tags"))
    recorded = any(
        getattr(choices, f) not in (None, ()) for f in ("platforms", "arm_runner", "qemu")
    )
    return CiChoices(
        platforms, arm_runner, bool(choices.qemu), tags, settings.label if recorded else "default"
    )


def _check_label(label: str, origin: str, what: str) -> None:
    if not _LABEL.fullmatch(label):
        raise InvalidProjectFileError(
            origin,
            f"{what} {shown(repr(label))} is not a plain name",
            "use letters, digits, '.', '_' and '-', e.g. ubuntu-24.04-arm",
        )


def _runner_tags(items: tuple[str, ...], origin: str) -> tuple[tuple[str, str], ...]:
    tags: dict[str, str] = {}
    for item in items:
        arch, sep, tag = item.partition("=")
        if not sep or arch not in GITLAB_ARCHES or arch in tags:
            raise InvalidProjectFileError(
                origin,
                f"runner tag {shown(repr(item))} is not ARCH=TAG for amd64 or arm64 (once each)",
                "pass e.g. --runner-tag amd64=saas-linux-small-amd64 "
                "--runner-tag arm64=saas-linux-small-arm64",
            )
        _check_label(tag, origin, "runner tag")
        tags[arch] = tag
    if "arm64" in tags and "amd64" not in tags:
        raise InvalidProjectFileError(
            origin,
            "names a runner tag for arm64 but not for amd64, so the amd64 build could land on "
            "an arm64 runner",
            f"add --runner-tag amd64=TAG (GitLab.com: {GITLAB_COM_TAGS['amd64']})",
        )
    return tuple((arch, tags[arch]) for arch in GITLAB_ARCHES if arch in tags)


def github_jobs(choices: CiChoices) -> tuple[BuildJob, ...]:
    """One job per platform: native where GitHub has a runner of its architecture."""
    native = {"linux/amd64": AMD64_RUNNER, "linux/arm64": choices.arm_runner}
    return tuple(
        BuildJob(p, native[p]) if p in native else BuildJob(p, AMD64_RUNNER, qemu_arch(p))
        for p in choices.platforms
    )


def qemu_arch(platform: str) -> str:
    """What docker/setup-qemu-action installs for `platform`: linux/arm/v7 -> arm."""
    return platform.split("/")[1]


def emulated(choices: CiChoices) -> tuple[str, ...]:
    """The QEMU layout's emulated architectures: every platform but amd64."""
    return tuple(dict.fromkeys(qemu_arch(p) for p in choices.platforms if p != "linux/amd64"))


def gitlab_jobs(choices: CiChoices) -> tuple[BuildJob, ...]:
    """A job per tagged architecture when arm64 has a tag; else none (one untagged build)."""
    tags = dict(choices.runner_tags)
    if "arm64" not in tags:
        return ()
    return tuple(BuildJob(f"linux/{arch}", tags[arch]) for arch in GITLAB_ARCHES)


def plan_lines(choices: CiChoices) -> list[str]:
    """`dockergen plan`: where `dockergen ci` builds each platform, and the default's limits."""
    source = f"({choices.source})"
    if choices.qemu:
        lines = [
            f"ci github: {', '.join(choices.platforms)} in one job on {AMD64_RUNNER}, "
            f"{', '.join(emulated(choices)) or 'nothing'} emulated by QEMU {source}"
        ]
    else:
        where = ", ".join(
            f"{job.platform} on {job.runner}" + (" under QEMU" if job.qemu else "")
            for job in github_jobs(choices)
        )
        lines = [f"ci github (with --image): {where}, one job each, merged into one image {source}"]
        if "linux/arm64" in choices.platforms and choices.arm_runner == DEFAULT_ARM_RUNNER:
            lines.append(
                f"  {DEFAULT_ARM_RUNNER} is GitHub's free arm64 runner for public repositories; "
                "private ones have been refused it: `dockergen ci github --arm-runner LABEL` (a "
                "larger or self-hosted arm64 runner) or `--qemu`"
            )
    tags = dict(choices.runner_tags)
    if gitlab_jobs(choices):
        lines.append(f"ci gitlab: linux/amd64 on {tags['amd64']}, linux/arm64 on {tags['arm64']}")
    else:
        on = f"runners tagged {tags['amd64']}" if tags else "any runner"
        lines.append(
            f"ci gitlab: linux/amd64 only, on {on}; --runner-tag amd64=TAG --runner-tag "
            "arm64=TAG builds each architecture on its own runners (GitLab.com: "
            f"{GITLAB_COM_TAGS['amd64']}, {GITLAB_COM_TAGS['arm64']})"
        )
    return lines
