"""The only code that writes to disk: all-or-nothing, never over a user's file unasked.

Every target is checked before the first file is written: its real folder (symlinks
followed) must be inside the project, no two targets may be one file, and nothing that is
not a regular file may stand where a file or a folder goes. A failure while writing
(read-only, disk full) is a one-line error naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from dockergen.errors import (
    ChangedSinceError,
    DamagedJournalError,
    OutputExistsError,
    UnwritableError,
)
from dockergen.journal import JOURNAL, intent, parse, state
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
    """Write files whose overwriting was already decided (by regenerate.plan), in order, under
    a journal (journal.py). Returns their paths as the project names them."""
    root = dest.resolve()
    targets = [_target(root, dest, f.name) for f in files]  # every check before any write
    _refuse_aliases(files, targets, dest)
    if not files:
        return []
    journal = _target(root, dest, JOURNAL)
    new_record = not journal.parent.exists()
    _clear_temporaries([*targets, journal])
    before = [_read(t, dest / f.name) for f, t in zip(files, targets, strict=True)]
    try:
        _write(journal, intent(files, before), dest / JOURNAL)
    except BaseException:  # nothing written yet: leave no empty record folder either
        if new_record:
            with contextlib.suppress(OSError):
                journal.parent.rmdir()
        raise
    written = []
    for file, target in zip(files, targets, strict=True):
        _write(target, file.content, dest / file.name)
        written.append(dest / file.name)
    _close(journal, new_record)
    return written


def finish_interrupted(dest: Path, *, force: bool = False) -> tuple[str, ...]:
    """Finish the run a journal describes, before a command plans anything; the names of the
    files it wrote. With `force`, a run that cannot be finished is given up instead (the
    command then regenerates every file)."""
    root = dest.resolve()
    journal = root / JOURNAL
    if not os.path.lexists(journal):
        if journal.parent.is_dir() and not journal.parent.is_symlink():
            _clear_temporaries([journal])  # a run killed while writing its journal
        return ()
    journal = _target(root, dest, JOURNAL)
    try:
        entries = parse((_read(journal, dest / JOURNAL) or b"").decode("utf-8", "replace"))
        targets = [_target(root, dest, e.name) for e in entries]
        states = [state(e, _read(t, dest / e.name)) for e, t in zip(entries, targets, strict=True)]
        if changed := [e.name for e, s in zip(entries, states, strict=True) if s == "changed"]:
            raise ChangedSinceError(JOURNAL, changed)
    except (DamagedJournalError, ChangedSinceError, UnwritableError):
        if not force:
            raise
        journal.unlink()
        return ()
    _clear_temporaries([*targets, journal])
    pending = [(e, t) for e, t, s in zip(entries, targets, states, strict=True) if s == "pending"]
    for entry, target in pending:
        _write(target, entry.content, dest / entry.name)
    _close(journal, new_record=False)
    return tuple(e.name for e, _ in pending)


def _read(target: Path, shown_as: Path) -> bytes | None:
    try:
        return target.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnwritableError(
            shown_as, f"cannot be read ({exc.strerror})", "make it readable, then run it again"
        ) from exc


def _write(target: Path, content: str, shown_as: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, content)
    except OSError as exc:
        raise _failed(shown_as, exc) from exc


def _clear_temporaries(targets: Sequence[Path]) -> None:
    """Temporary files a killed run left beside its targets (write_atomic's names)."""
    for target in targets:
        if target.parent.is_dir():
            for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
                with contextlib.suppress(OSError):
                    stale.unlink()


def _close(journal: Path, new_record: bool) -> None:
    """The run is complete: the journal goes, and the record folder it made if it holds
    nothing else (a run that writes only compose.yaml leaves no empty .dockergen/)."""
    journal.unlink()
    if new_record:
        with contextlib.suppress(OSError):  # not empty: it holds the record
            journal.parent.rmdir()


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
    fix = "make it writable, then run it again"
    if real.exists() and not os.access(real, os.W_OK):
        raise UnwritableError(shown_as, "is read-only", fix)
    # The temporary file and the rename need the folder it is written in.
    where = real.parent if real.parent.exists() else folder
    if not os.access(where, os.W_OK | os.X_OK):
        shown_where = dest / where.relative_to(root) if where.is_relative_to(root) else where
        raise UnwritableError(shown_as, f"is in a read-only folder ({shown_where})", fix)
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
    """A write failed part way: the journal is there, so running again finishes the change."""
    if exc.errno == errno.ENOSPC:
        return UnwritableError(
            path, "cannot be written (no space left on device)", "free space, then run it again"
        )
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
