"""The only code that writes to disk: all-or-nothing, never over a user's file unasked.

Every target is checked before the first file is written: its real folder (symlinks
followed) must be inside the project, no two targets may be one file, and nothing that is
not a regular file may stand where a file or a folder goes. A failure while writing
(read-only, disk full) is a one-line error naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from dockergen.errors import OutputExistsError, UnwritableError
from dockergen.model import RenderedFile
from dockergen.text import shown

# dockergen's record (record.RECORD): always a real folder of the project.
RECORD_DIR = ".dockergen"


def write_files(files: Sequence[RenderedFile], dest: Path, *, force: bool) -> list[Path]:
    """Write every file atomically; refuse (writing nothing) if any exists and not `force`."""
    targets = [dest / f.name for f in files]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise OutputExistsError(existing)
    return write_planned(files, dest)


def write_atomic(target: Path, content: str) -> None:
    """Write to a temporary file beside `target`, then rename it over `target`.

    A crash or Ctrl-C at any point leaves either the old file or the new one, never a mix,
    and no temporary file. The old file's permission bits are kept.
    """
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(mode)
        Path(tmp).replace(target)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                Path(tmp).unlink()
        raise


def write_planned(files: Sequence[RenderedFile], dest: Path) -> list[Path]:
    """Write files whose overwriting was already decided (by regenerate.plan), in order.
    Returns their paths as the project names them."""
    root = dest.resolve()
    targets = [_target(root, dest, f.name) for f in files]
    _refuse_aliases(files, targets, dest)
    written = []
    for file, target in zip(files, targets, strict=True):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            for stale in target.parent.glob(f".{target.name}.*.tmp"):  # left by a killed run
                stale.unlink(missing_ok=True)
            write_atomic(target, file.content)
        except OSError as exc:
            raise _failed(dest / file.name, exc) from exc
        written.append(dest / file.name)
    return written


def _target(root: Path, dest: Path, name: str) -> Path:
    """The real path `name` is written to, or an error if writing it is unsafe."""
    shown_as = dest / name
    parts = PurePosixPath(name).parts
    lexical = root.joinpath(*parts)
    folder = lexical.parent
    while not os.path.lexists(folder):
        folder = folder.parent
    if not folder.is_dir():
        where = dest / folder.relative_to(root)
        raise UnwritableError(where, "is not a directory", f"move it away so {name} can be written")
    real = _resolved(lexical, shown_as)
    linked = real.parent != lexical.parent  # a folder on the way is a symlink
    if linked and (parts[0] == RECORD_DIR or real.parent == root):
        raise UnwritableError(
            shown_as,
            "is in a folder that is a symlink to the project or its record",
            f"make {shown(parts[0])} a real folder",
        )
    if not real.parent.is_relative_to(root):
        raise UnwritableError(
            shown_as,
            "would be written outside the project through a symlink",
            "replace the symlink with a real folder or file",
        )
    if os.path.lexists(real) and not real.is_file():
        raise UnwritableError(shown_as, "is not a regular file", "move it away")
    if not os.access(real if real.exists() else folder, os.W_OK):
        raise UnwritableError(shown_as, "is read-only", "make it writable, then run it again")
    return real


def _resolved(lexical: Path, shown_as: Path) -> Path:
    """`lexical` with its folders' symlinks followed, and its own if it is one (a Dockerfile
    that links to a file in the project is written through, and stays a link)."""
    try:
        real = lexical.parent.resolve() / lexical.name
        return real.resolve() if real.is_symlink() else real
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop on Python 3.11
        raise UnwritableError(shown_as, "is a symlink loop", "remove the symlink") from exc


def _refuse_aliases(files: Sequence[RenderedFile], targets: Sequence[Path], dest: Path) -> None:
    seen: dict[Path, str] = {}
    for file, target in zip(files, targets, strict=True):
        if target in seen:
            raise UnwritableError(
                dest / file.name,
                f"is the same file as {shown(seen[target])} (a symlink joins them)",
                "replace the symlink with a real folder or file",
            )
        seen[target] = file.name


def _failed(path: Path, exc: OSError) -> UnwritableError:
    if exc.errno == errno.ENOSPC:
        return UnwritableError(path, "cannot be written (no space left on device)", "free space")
    reason = exc.strerror or str(exc)
    return UnwritableError(
        path, f"cannot be written ({reason})", "make it writable, then run it again"
    )


@contextlib.contextmanager
def project_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on the project directory while a command plans and writes."""
    import fcntl  # POSIX only; only commands that write need it

    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield  # no such directory: planning says so, and nothing is written
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UnwritableError(
                root,
                "another dockergen is running in this project",
                "wait for it to finish, then run this again",
            ) from None
        yield
    finally:
        os.close(fd)
