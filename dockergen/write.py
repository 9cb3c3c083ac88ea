"""The only code that writes to disk: all-or-nothing, never over a user's file unasked."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

from dockergen.errors import OutputExistsError
from dockergen.model import RenderedFile


def write_files(files: Sequence[RenderedFile], dest: Path, *, force: bool) -> list[Path]:
    """Write every file atomically; refuse (writing nothing) if any exists and not `force`."""
    targets = [dest / f.name for f in files]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise OutputExistsError(existing)
    for file, target in zip(files, targets, strict=True):
        write_atomic(target, file.content)
    return targets


def write_atomic(target: Path, content: str) -> None:
    """Write to a temporary file beside `target`, then rename it over `target`.

    A crash or Ctrl-C at any point leaves either the old file or the new one, never a mix.
    The old file's permission bits are kept.
    """
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(mode)
        Path(tmp).replace(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise


def write_planned(files: Sequence[RenderedFile], dest: Path) -> list[Path]:
    """Write files whose overwriting was already decided (by update.plan_update)."""
    written = []
    for file in files:
        target = dest / file.name
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, file.content)
        written.append(target)
    return written
