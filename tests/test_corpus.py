"""Detection against real projects: ../shared/corpus holds their metadata and the answer a
careful reader gives (expected.toml). Every entry must agree on installer and Python.

Two corpus locks are genuinely out of date (their tools refuse them too): detection here
allows stale locks, and test_stale_locks_are_exactly_the_known_ones says which they are."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import tomli
from packaging.specifiers import SpecifierSet

from dockergen.detect import detect_project
from dockergen.errors import StaleLockError, WorkspaceMemberError
from dockergen.installers import REGISTRY
from dockergen.installers.poetryfiles import alternatives as poetry_alternatives
from dockergen.project import ProjectDir
from dockergen.pyversion import choose_python
from dockergen.render import render_files
from dockergen.settings import resolve_settings
from tests.helpers import CORPUS, buildkit_instructions, hadolint_findings

ENTRIES = sorted(d.name for d in CORPUS.iterdir() if d.is_dir()) if CORPUS.is_dir() else []
pytestmark = pytest.mark.skipif(not ENTRIES, reason=f"corpus not found at {CORPUS}")


def _expected(entry: str) -> tuple[Path, dict[str, Any]]:
    expected = tomli.loads((CORPUS / entry / "expected.toml").read_text(encoding="utf-8"))
    return CORPUS / entry / expected["subdir"], expected


def _allows(constraint: str, version: str) -> bool:
    if re.fullmatch(r"\d+\.\d+(\.\d+)?", constraint):  # a pin: same version
        return version == constraint
    candidate = version if version.count(".") == 2 else f"{version}.99"
    texts = poetry_alternatives(constraint) if "^" in constraint else (constraint,)
    sets = [SpecifierSet(text) for text in texts]
    return any(s.contains(candidate) for s in sets)


def test_corpus_is_complete() -> None:
    assert len(ENTRIES) == 24


# Checked with the real tools: `pdm lock --check` and `uv lock --check` refuse these two locks.
# The three Pipfile.locks are undecidable as shipped (their default source was removed).
STALE_LOCKS = {
    "LlmKira__Openaibot": "pdm.lock is out of date: its content_hash does not match "
    "pyproject.toml; run `pdm lock` and commit pdm.lock, or pass --allow-stale-lock to build "
    "anyway",
    "getredash__redash": "uv.lock is out of date: pyproject.toml has version 26.08.0-dev, the "
    "lock 26.7.0.dev0; run `uv lock` and commit uv.lock, or pass --allow-stale-lock to build "
    "anyway",
}


@pytest.mark.parametrize("entry", ENTRIES)
def test_stale_locks_are_exactly_the_known_ones(entry: str) -> None:
    root, _ = _expected(entry)
    found = [m.lockfile for m in REGISTRY if m.stale_lock(ProjectDir(root))]
    assert found == ([STALE_LOCKS[entry].split()[0]] if entry in STALE_LOCKS else [])
    if entry in STALE_LOCKS:
        with pytest.raises(StaleLockError) as raised:
            detect_project(root)
        assert str(raised.value) == STALE_LOCKS[entry]


@pytest.mark.parametrize("entry", ENTRIES)
def test_installer_agrees_with_a_careful_reader(entry: str) -> None:
    root, expected = _expected(entry)
    acceptable = {expected["installer"], *expected.get("acceptable_installers", ())}
    subdir = f"{expected['subdir']}/" if expected["subdir"] else ""
    decided_files = {d.split()[0].removeprefix(subdir) for d in expected["decided_by"]}
    if any("(repo root)" in d for d in expected["decided_by"]):
        # A uv workspace member: the lock lives at the workspace root.
        with pytest.raises(WorkspaceMemberError, match=r"uv workspace locked by \.\./uv\.lock"):
            detect_project(root, allow_stale_lock=True)
        assert "uv" in acceptable
        return
    spec = detect_project(root, allow_stale_lock=True)
    assert spec.installer.value in acceptable
    assert spec.installer.source in decided_files


@pytest.mark.parametrize("entry", ENTRIES)
def test_python_agrees_with_a_careful_reader(entry: str) -> None:
    root, expected = _expected(entry)
    python, _ = choose_python(ProjectDir(root), resolve_settings(root))
    if not expected["python"]:
        assert python.source == "default"
    else:
        assert _allows(expected["python"], python.value), (python, expected["python"])
        # Decided by the file the reader names, or by a pin the reader lists as agreeing.
        stated_in = expected["python_source"].split()[0].removeprefix(f"{expected['subdir']}/")
        others = {o.split(":")[0].split()[0] for o in expected.get("python_other", ())}
        assert python.source in {stated_in} | others, (python.source, stated_in, others)


@pytest.mark.parametrize("entry", ENTRIES)
def test_corpus_output_lints_clean_and_parses(entry: str, tmp_path: Path) -> None:
    root, _ = _expected(entry)
    try:
        spec = detect_project(root, allow_stale_lock=True)
    except WorkspaceMemberError:  # generated at the workspace root instead, every member in it
        spec = detect_project(CORPUS / entry, allow_stale_lock=True)
        assert spec.install.workspace_members == (root.name,)
    dockerfile = render_files(spec)[0].content
    assert hadolint_findings(dockerfile, tmp_path) == []
    assert buildkit_instructions(dockerfile).count("FROM") == 2


STATED_COMMANDS = [e for e in ENTRIES if _expected(e)[1].get("procfile_web")]


def _with_tree(entry: str, tmp_path: Path) -> Path:
    """A copy of the entry with an empty stand-in for every file its repository has (tree.txt
    lists them; the corpus keeps metadata only): a command that runs `bin/run.sh` is judged
    against the real repository, where that script exists."""
    copy = Path(shutil.copytree(CORPUS / entry, tmp_path / entry))
    for name in (CORPUS / entry / "tree.txt").read_text(encoding="utf-8").splitlines():
        path = copy / name
        if name and not path.exists() and not name.endswith(".py"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
    return copy / str(_expected(entry)[1]["subdir"])


@pytest.mark.parametrize("entry", STATED_COMMANDS)
def test_start_command_agrees_where_the_authors_state_one(entry: str, tmp_path: Path) -> None:
    """A Procfile web line is the authors' own start command: ours is that line, in exec
    form when it has no shell syntax, else run by sh -c, plus what makes its server listen
    beyond the container when the line leaves the address to the platform."""
    root, expected = _with_tree(entry, tmp_path), _expected(entry)[1]
    stated = expected["procfile_web"]
    spec = detect_project(root, allow_stale_lock=True)
    assert spec.command is not None
    assert spec.command.source == "Procfile"
    value = spec.command.value
    if "added: listen beyond the container" in spec.command.detail:
        added = spec.command.detail.rsplit("(", 1)[1].split(" added")[0]
        value = (*value[:2], value[2].removesuffix(" " + added)) if value[0] == "sh" else value
        value = value[: -len(added.split())] if value[0] != "sh" else value
    assert value in (tuple(shlex.split(stated)), ("sh", "-c", stated))
