"""The rebuild check: after a code-only change, every dependency step must be CACHED.

The change is made in a temporary copy of the build context, never in the user's tree.
"""

from __future__ import annotations

import fnmatch
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from dockergen.verify.build import BuildResult, OnLine, build_image
from dockergen.verify.buildlog import dependency_steps
from dockergen.verify.report import RebuildSummary

# Never part of a real build context, and possibly huge: not copied.
JUNK: Final = (
    ".git", ".hg", ".venv", "venv", "node_modules", "__pycache__",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox",
)  # fmt: skip
MAX_DEPTH: Final = 4  # where a changed .py file is looked for


def copy_context(context: Path, dest: Path) -> Path:
    shutil.copytree(context, dest, symlinks=True, ignore=shutil.ignore_patterns(*JUNK))
    return dest


def source_file(root: Path) -> str | None:
    """A .py file the build copies (not excluded by .dockerignore), shallowest first."""
    ignored = _ignore_patterns(root)
    for relative in sorted(_python_files(root, root, 0), key=lambda p: (p.count("/"), p)):
        if not any(_matches(relative, pattern) for pattern in ignored):
            return relative
    return None


def _python_files(root: Path, folder: Path, depth: int) -> Iterator[str]:
    if depth > MAX_DEPTH:
        return
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink() or entry.name in JUNK:
            continue
        if entry.is_dir():
            yield from _python_files(root, entry, depth + 1)
        elif entry.suffix == ".py":
            yield entry.relative_to(root).as_posix()


def _ignore_patterns(root: Path) -> list[str]:
    path = root / ".dockerignore"
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line.strip("/") for line in lines if line and not line.startswith(("#", "!"))]


def _matches(relative: str, pattern: str) -> bool:
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatch(p, pattern.removeprefix("**/")) for p in prefixes)


def rebuild_check(
    first: BuildResult, copy: Path, dockerfile: Path, tag: str, *, timeout: float, on_line: OnLine
) -> RebuildSummary:
    """Append a comment to a copied .py file, rebuild the copy, read which steps re-ran."""
    changed = source_file(copy)
    if changed is None:
        return RebuildSummary(False, 0.0, first.seconds, None, 0, (), None, "no .py file to change")
    with (copy / changed).open("a", encoding="utf-8") as file:
        file.write("\n# dockergen verify: a code-only change\n")
    log = copy.parent / "rebuild.log"
    second = build_image(copy, dockerfile, tag, log, timeout=timeout, on_line=on_line)
    if not second.ok:
        detail = f"the rebuild failed; log: {log}"
        return RebuildSummary(False, second.seconds, first.seconds, changed, 0, (), log, detail)
    steps = dependency_steps(second.steps)
    not_cached = tuple(s.label for s in steps if not s.cached)
    return RebuildSummary(
        not not_cached, second.seconds, first.seconds, changed, len(steps), not_cached, log
    )
