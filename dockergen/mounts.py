"""The BuildKit cache mounts a generated Dockerfile uses: one table, read by every renderer.

The CI workflow must save and restore exactly these directories (a mount it does not know
about starts cold on every runner), so it reads them from here; tests/test_ci.py parses every
rendered Dockerfile and checks that its `--mount=type=cache` flags are this table, no more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from dockergen.model import ProjectSpec


@dataclass(frozen=True, slots=True)
class CacheMount:
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


APT: Final = (CacheMount("/var/cache/apt", "locked"), CacheMount("/var/lib/apt", "locked"))


def cache_mounts(spec: ProjectSpec) -> tuple[CacheMount, ...]:
    """The cache mounts in the Dockerfile rendered for `spec`, in a stable order."""
    mounts = (dependencies(spec.debian.value),)
    return (*mounts, *(APT if spec.apt.build or spec.apt.run else ()))
