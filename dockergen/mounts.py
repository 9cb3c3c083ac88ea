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
    # The mount's target is also its id (BuildKit's default when no id= is given), which is
    # how the CI cache dance finds the same cache again.
    target: str
    # BuildKit's default is "shared"; apt needs "locked" because it takes its own lock files.
    sharing: str = "shared"

    @property
    def flag(self) -> str:
        """The `RUN --mount` flag, exactly as the Dockerfile writes it."""
        sharing = "" if self.sharing == "shared" else f",sharing={self.sharing}"
        return f"--mount=type=cache,target={self.target}{sharing}"

    @property
    def host_dir(self) -> str:
        """A directory name for this cache on a CI runner: /var/cache/apt -> var-cache-apt."""
        return "-".join(part.lstrip(".") for part in self.target.strip("/").split("/"))


# pip, pipenv, poetry, pdm and uv all keep their downloads under /root/.cache.
DEPENDENCIES: Final = CacheMount("/root/.cache")
APT: Final = (CacheMount("/var/cache/apt", "locked"), CacheMount("/var/lib/apt", "locked"))


def cache_mounts(spec: ProjectSpec) -> tuple[CacheMount, ...]:
    """The cache mounts in the Dockerfile rendered for `spec`, in a stable order."""
    return (DEPENDENCIES, *(APT if spec.apt_build or spec.apt_run else ()))
