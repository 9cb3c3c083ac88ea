"""What a command would write, decided before anything is written: one plan for `init`,
`update`, `check`, `diff`, `compose`, `ci` and every `--dry-run`.

dockergen records what it rendered last in `.dockergen/` (committed with the project, so it
survives a clone). With that as the common base, a file the user edited is three-way merged
with the new render. The plan lists every file to write — outputs, the record, the answers
file, backups of conflicting files — and refuses (raising, so nothing is written) where
writing would overwrite a user's file without consent. write.py carries it out.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from dockergen.answers import with_answers
from dockergen.bounds import check_lines
from dockergen.decisions import changes, plan_dict
from dockergen.detect import detect
from dockergen.errors import InvalidProjectFileError, OutputExistsError
from dockergen.journal import JOURNAL, UNFINISHED
from dockergen.model import Overrides, ProjectSpec, RenderedFile
from dockergen.project import ProjectDir
from dockergen.record import (
    BACKUPS,
    RECORD,
    read_record,
    record_files,
    recorded_plan,
)
from dockergen.render import render_files
from dockergen.settings import Settings, resolve_settings

if TYPE_CHECKING:
    from dockergen.merge import Conflict

Action = Literal["create", "unchanged", "regenerate", "merge", "conflict", "replace"]
Mode = Literal["init", "update", "extras"]
# Renders one more output (compose.yaml, a CI workflow) for a spec and the user's settings
# (a team's templates, the CI choices).
Extra = Callable[[ProjectSpec, Settings], RenderedFile]


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What happens to one output file, and what it will hold."""

    name: str
    action: Action
    content: str  # what the file will hold
    current: str | None  # what it holds now
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a command would write, and what to report."""

    spec: ProjectSpec
    settings: Settings
    files: tuple[FileOutcome, ...]  # the outputs, in the order they are reported
    writes: tuple[RenderedFile, ...]  # every file to write: record, answers, backups included
    reasons: tuple[str, ...]  # why the files on disk are stale; empty when they are not
    warnings: tuple[str, ...] = ()  # about the record, for every command to print

    @property
    def conflicts(self) -> tuple[FileOutcome, ...]:
        return tuple(f for f in self.files if f.action == "conflict")


def plan(
    root: Path,
    flags: Overrides | None = None,
    *,
    mode: Mode = "update",
    force: bool = False,
    extras: Sequence[Extra] = (),
    strict: bool = False,
    allow_stale_lock: bool = False,
) -> Plan:
    """What the command would write. `init` refuses to adopt existing files unless `force`;
    `extras` mode plans only the extra outputs (`dockergen compose`, `dockergen ci`)."""
    settings = resolve_settings(root, flags)
    # compose.yaml and CI files do not depend on the lock: a stale one stops only the Dockerfile.
    allow_stale_lock = allow_stale_lock or mode == "extras"
    spec = detect(root, settings, strict=strict, allow_stale_lock=allow_stale_lock)
    project = ProjectDir(root)
    extra_files = [e(spec, settings) for e in extras]
    check_lines(extra_files)
    outcomes = [_extra(project, f, force=force) for f in extra_files]
    backups: list[RenderedFile] = []
    warnings: list[str] = []
    late: list[RenderedFile] = []  # the answers, then the record: written last
    reasons: list[str] = []
    if mode == "extras":  # `dockergen ci --arm-runner ...` remembers its flags too
        late = _answers_file(project, settings)
    else:
        rendered = render_files(spec, settings.template_dir)
        check_lines(rendered)
        record = read_record(project)
        if mode == "init" and not force:
            _refuse_existing(project, rendered, regenerate=bool(record))
        merged = [_outcome(project, f, record.get(f.name), force=force) for f in rendered]
        outcomes = [*merged, *outcomes]
        backups = _backups(merged)
        late = _answers_file(project, settings)
        decisions = plan_dict(spec)
        late += record_files(project, rendered, decisions)
        old_plan, warnings = recorded_plan(record.get("plan.json"))
        reasons = _reasons(merged, old_plan, decisions, backups + late)
    if project.kind(JOURNAL) is not None:  # an interrupted run: never called up to date
        reasons.insert(0, UNFINISHED)
    changed = [RenderedFile(o.name, o.content) for o in outcomes if o.content != o.current]
    writes = (*backups, *changed, *late)
    return Plan(spec, settings, tuple(outcomes), writes, tuple(reasons), tuple(warnings))


def _refuse_existing(
    project: ProjectDir, rendered: Sequence[RenderedFile], *, regenerate: bool
) -> None:
    existing = [str(project.root / f.name) for f in rendered if project.is_file(f.name)]
    if existing:
        raise OutputExistsError(existing, regenerate=regenerate)


def _extra(project: ProjectDir, new: RenderedFile, *, force: bool) -> FileOutcome:
    """compose.yaml and CI files are written once; replacing them needs --force."""
    if not project.path(new.name).exists():
        return FileOutcome(new.name, "create", new.content, None)
    current = project.read_text(new.name)
    if lf(current) == new.content:
        return FileOutcome(new.name, "unchanged", current, current)
    if not force:
        raise OutputExistsError([str(project.root / new.name)])
    return FileOutcome(new.name, "replace", new.content, current)


def _outcome(
    project: ProjectDir, new: RenderedFile, last: str | None, *, force: bool
) -> FileOutcome:
    """Compared and merged with LF line endings; written back in the file's own (a checkout
    with core.autocrlf=true has CRLF files and record)."""
    if not project.is_file(new.name):
        return FileOutcome(new.name, "create", new.content, None)
    raw = project.read_text(new.name)
    found = _merged(new, lf(raw), lf(last) if last is not None else None, force=force)
    if found.action == "unchanged":
        return dataclasses.replace(found, content=raw, current=raw)
    content = found.content.replace("\n", "\r\n") if "\r\n" in raw else found.content
    return dataclasses.replace(found, content=content, current=raw)


def lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def _merged(new: RenderedFile, current: str, last: str | None, *, force: bool) -> FileOutcome:
    if line := _marker_line(current):
        raise InvalidProjectFileError(
            f"{new.name}:{line}",
            "has unresolved conflict markers from `dockergen update`",
            "resolve them (keep what you want, delete the marker lines), then run it again",
        )
    if current == new.content:
        return FileOutcome(new.name, "unchanged", current, current)
    if force:
        return FileOutcome(new.name, "replace", new.content, current)
    if last is None:
        raise InvalidProjectFileError(
            new.name,
            f"was not made by dockergen (no record in {RECORD}/), so its edits cannot be merged",
            "pass --force to replace it, or move it away first",
        )
    if current == last:
        return FileOutcome(new.name, "regenerate", new.content, current)
    from dockergen.merge import merge3  # only an edited file needs the merge

    merged = merge3(last, current, new.content)
    action: Action = "merge" if merged.clean else "conflict"
    if merged.text == current:
        action = "unchanged"
    return FileOutcome(new.name, action, merged.text, current, merged.conflicts)


def _marker_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"(<{7}|>{7})( |$)", line):  # with a label or without
            return number
    return None


def _answers_file(project: ProjectDir, settings: Settings) -> list[RenderedFile]:
    """The answers file, when choices made now change what is recorded."""
    if not settings.changed:
        return []
    name = settings.answers_file
    current = project.read_text(name) if project.is_file(name) else ""
    return [RenderedFile(name, with_answers(current, settings.choices, name=name))]


def _backups(outcomes: Sequence[FileOutcome]) -> list[RenderedFile]:
    """The user's file as it was, beside a merge that left conflict markers in it."""
    return [
        RenderedFile(f"{BACKUPS}/{o.name}", o.current or "")
        for o in outcomes
        if o.action == "conflict"
    ]


def _reasons(
    outcomes: Sequence[FileOutcome],
    old_plan: dict[str, Any] | str,
    new_plan: dict[str, Any],
    writes: list[RenderedFile],
) -> list[str]:
    if not writes and all(o.action == "unchanged" for o in outcomes):
        return []
    reasons = changes(old_plan, new_plan) if isinstance(old_plan, dict) else [old_plan]
    for o in outcomes:
        if o.action != "unchanged":
            reasons.append(f"{o.name}: would be {ACTION_WORDS[o.action]}")
    return reasons or [f"{RECORD}/ or the answers are out of date"]


# What happens to an output, in words: `update` reports "Dockerfile: <words>" and `check`
# "Dockerfile: would be <words>". One list, so the two never describe an action differently.
ACTION_WORDS: Final[dict[Action, str]] = {
    "create": "created",
    "unchanged": "up to date",
    "regenerate": "regenerated",
    "merge": "regenerated, your edits merged in",
    "conflict": "merged, with conflicts to resolve",
    "replace": "replaced (your edits are lost)",
}


def unified_diff(outcome: FileOutcome) -> str:
    return "".join(
        difflib.unified_diff(
            (outcome.current or "").splitlines(keepends=True),
            outcome.content.splitlines(keepends=True),
            fromfile=f"a/{outcome.name}",
            tofile=f"b/{outcome.name}",
        )
    )
