from __future__ import annotations

from pathlib import Path

import pytest

from dockergen.errors import OutputExistsError
from dockergen.model import RenderedFile
from dockergen.write import write_atomic, write_files


def test_write_files_creates_both(tmp_path: Path) -> None:
    files = (RenderedFile("Dockerfile", "FROM a\n"), RenderedFile(".dockerignore", ".git\n"))
    assert write_files(files, tmp_path, force=False) == [
        tmp_path / "Dockerfile",
        tmp_path / ".dockerignore",
    ]
    assert (tmp_path / "Dockerfile").read_text() == "FROM a\n"
    assert (tmp_path / ".dockerignore").read_text() == ".git\n"


def test_existing_file_refuses_everything(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("mine\n")
    files = (RenderedFile("Dockerfile", "FROM a\n"), RenderedFile(".dockerignore", ".git\n"))
    with pytest.raises(OutputExistsError):
        write_files(files, tmp_path, force=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dockerignore"]
    assert (tmp_path / ".dockerignore").read_text() == "mine\n"


def test_failure_between_write_and_rename_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "Dockerfile"
    target.write_text("FROM old\n")

    def crash(self: Path, other: Path) -> Path:
        raise KeyboardInterrupt  # Ctrl-C after the temporary file is complete

    monkeypatch.setattr(Path, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "FROM new\n")
    assert target.read_text() == "FROM old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"]  # temp file removed


def test_written_files_use_unix_newlines(tmp_path: Path) -> None:
    write_atomic(tmp_path / "f", "a\nb\n")
    assert (tmp_path / "f").read_bytes() == b"a\nb\n"


def test_a_target_that_cannot_be_read_is_refused_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal records what each target held, so an unreadable one stops the run."""
    from dockergen.errors import UnwritableError

    (tmp_path / "Dockerfile").write_text("FROM old\n")
    real = Path.read_bytes

    def unreadable(self: Path) -> bytes:
        if self.name == "Dockerfile":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", unreadable)
    with pytest.raises(UnwritableError) as refused:
        write_files([RenderedFile("Dockerfile", "FROM new\n")], tmp_path, force=True)
    assert str(refused.value) == (
        f"{tmp_path}/Dockerfile: cannot be read (Permission denied); make it readable, then run "
        "it again"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"]


def test_a_journal_is_written_first_and_removed_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dockergen.write

    seen: list[str] = []
    real = dockergen.write.write_atomic

    def watching(target: Path, content: str) -> None:
        seen.append(str(target.relative_to(tmp_path)))
        real(target, content)

    monkeypatch.setattr(dockergen.write, "write_atomic", watching)
    files = (RenderedFile("Dockerfile", "FROM a\n"), RenderedFile(".dockerignore", ".git\n"))
    write_files(files, tmp_path, force=False)
    assert seen == [".dockergen/journal.json", "Dockerfile", ".dockerignore"]
    # The record folder made only for the journal is gone again with it.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dockerignore", "Dockerfile"]
