"""The BuildKit mounts a generated Dockerfile uses: one table, read by every renderer.

The CI workflow must save and restore exactly these cache directories (a mount it does not
know about starts cold on every runner), so it reads them from the build plan, which takes
them from here (buildplan.cache_mounts); tests/test_ci.py parses every rendered Dockerfile and
checks that its `--mount=type=cache` flags are those, no more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class CacheMount:
    """A BuildKit cache mount (`--mount=type=cache`) of a RUN step."""

    target: str
    # BuildKit's default is "shared" (concurrent writers). "locked" makes a second build wait
    # for the mount: apt takes its own lock files, and poetry's HTTP cache and pip's builds of
    # the same sdist race when two builds write at once (python-poetry/poetry#11048,
    # pypa/pip#9034); uv and pdm would be safe, but they share the one mount.
    sharing: str = "shared"
    # BuildKit's default id is the target. The dependency cache has one per Debian release:
    # a wheel built from an sdist on trixie carries the same tags as one built on bookworm but
    # links trixie's glibc, and pip and poetry would hand it to a bookworm build.
    id: str | None = None

    @property
    def flag(self) -> str:
        """The `RUN --mount` flag, exactly as the Dockerfile writes it."""
        mount_id = f",id={self.id}" if self.id else ""
        sharing = "" if self.sharing == "shared" else f",sharing={self.sharing}"
        return f"--mount=type=cache{mount_id},target={self.target}{sharing}"

    @property
    def host_dir(self) -> str:
        """A directory name for this cache on a CI runner: /var/cache/apt -> var-cache-apt;
        the id when there is one (root-cache-trixie)."""
        if self.id:
            return self.id
        return "-".join(part.lstrip(".") for part in self.target.strip("/").split("/"))


def dependencies(debian: str) -> CacheMount:
    """pip, pipenv, poetry, pdm and uv all keep their downloads under /root/.cache."""
    return CacheMount("/root/.cache", "locked", f"root-cache-{debian}")


# One locked mount per RUN: Buildah 1.28 (Podman 4.3) releases only the last cache a RUN
# locks, so a build that used apt in two stages hung at the second. Every apt step mounts both
# caches, so locking /var/lib/apt alone makes a second build's apt wait on BuildKit all the same.
APT: Final = (CacheMount("/var/cache/apt"), CacheMount("/var/lib/apt", "locked"))
# hadolint's DL3042 wants --no-cache-dir unless the mount is /root/.cache/pip exactly: the
# comment every `pip install` on the dependency mount carries.
PIP_CACHE_LINT: Final = (
    "/root/.cache is a cache mount, so pip's cache never reaches a layer (DL3042).",
    "hadolint ignore=DL3042",
)


@dataclass(frozen=True, slots=True)
class Secret:
    """A build secret mounted for one RUN: never in an ARG, ENV or layer."""

    id: str
    target: str

    @property
    def flag(self) -> str:
        return f"--mount=type=secret,id={self.id},target={self.target},required=false"


# Package index credentials, a line per host (machine HOST login USER password TOKEN), where
# pip, pipenv, poetry, pdm and uv read them.
NETRC: Final = Secret("netrc", "/root/.netrc")
