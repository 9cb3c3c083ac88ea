"""Regeneration that keeps the user's edits: what `init`, `update`, `check` and `diff` would do.

dockergen records what it rendered last in `.dockergen/` (committed with the project, so it
survives a clone). With that as the common base, a file the user edited is three-way merged
with the new render. This module decides; write.py writes.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from dockergen.answers import (
    STANDALONE,
    answers_file,
    read_answers,
    remember,
    table_text,
    template_dir,
    with_answers,
)
from dockergen.detect import detect_project
from dockergen.errors import InvalidProjectFileError, OutputExistsError
from dockergen.merge import Conflict, merge3
from dockergen.model import Overrides, ProjectSpec, RenderedFile
from dockergen.plan import changes, plan_dict
from dockergen.project import Project
from dockergen.render import render_files

RECORD: Final = ".dockergen"
RECORD_README: Final = """\
# .dockergen

dockergen keeps here what it generated last, so that `dockergen update` can merge your own
edits of the Dockerfile and .dockerignore with a new render (a three-way merge, like git's).
Commit this directory with the project. Don't edit these files; edit the real ones.

- Dockerfile, dockerignore: the files exactly as dockergen last rendered them
- plan.json: the decisions behind them (`dockergen plan --json` prints the current ones)
"""
# Output file -> its copy in the record (no leading dot, so it is easy to see).
RECORDED_AS: Final = {"Dockerfile": "Dockerfile", ".dockerignore": "dockerignore"}

Action = Literal["create", "unchanged", "regenerate", "merge", "conflict", "replace"]


@dataclass(frozen=True, slots=True)
class FileOutcome:
    name: str
    action: Action
    content: str  # what the file will hold
    current: str | None  # what it holds now
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True, slots=True)
class Update:
    spec: ProjectSpec
    files: tuple[FileOutcome, ...]
    writes: tuple[RenderedFile, ...]  # every file to write, record and answers included
    reasons: tuple[str, ...]  # why the files on disk are stale; empty when they are not

    @property
    def conflicts(self) -> tuple[FileOutcome, ...]:
        return tuple(f for f in self.files if f.action == "conflict")


def plan_update(
    root: Path, flags: Overrides, *, force: bool, fresh: bool, strict: bool = False
) -> Update:
    """What regenerating `root` would write. `fresh` is `init`: refuse to adopt existing files."""
    spec = detect_project(root, flags, strict=strict)
    project = Project(root)
    rendered = render_files(spec, template_dir(root, remember(read_answers(project), flags)))
    record = _read_record(project)
    if fresh and not force:
        existing = [str(root / f.name) for f in rendered if project.is_file(f.name)]
        if existing:
            raise OutputExistsError(existing, regenerate=bool(record))
    outcomes = tuple(_outcome(project, f, record.get(f.name), force=force) for f in rendered)
    new_plan = plan_dict(spec)
    writes = [RenderedFile(o.name, o.content) for o in outcomes if o.content != o.current]
    writes += _record_files(project, rendered, new_plan, record)
    writes += _answers_file(project, flags)
    reasons = _reasons(outcomes, record.get("plan.json"), new_plan, writes)
    return Update(spec, outcomes, tuple(writes), tuple(reasons))


def _outcome(project: Project, new: RenderedFile, last: str | None, *, force: bool) -> FileOutcome:
    current = project.read_text(new.name) if project.is_file(new.name) else None
    if current is not None and (line := _marker_line(current)):
        raise InvalidProjectFileError(
            f"{new.name}:{line}",
            "has unresolved conflict markers from `dockergen update`",
            "resolve them (keep what you want, delete the marker lines), then run it again",
        )
    if current is None:
        return FileOutcome(new.name, "create", new.content, None)
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
    merged = merge3(last, current, new.content)
    action: Action = "merge" if merged.clean else "conflict"
    if merged.text == current:
        action = "unchanged"
    return FileOutcome(new.name, action, merged.text, current, merged.conflicts)


def _marker_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(("<<<<<<< ", ">>>>>>> ")):
            return number
    return None


def _read_record(project: Project) -> dict[str, str]:
    found = {}
    for output, recorded in RECORDED_AS.items():
        if project.is_file(f"{RECORD}/{recorded}"):
            found[output] = project.read_text(f"{RECORD}/{recorded}")
    if project.is_file(f"{RECORD}/plan.json"):
        found["plan.json"] = project.read_text(f"{RECORD}/plan.json")
    return found


def _record_files(
    project: Project,
    rendered: tuple[RenderedFile, ...],
    plan: dict[str, Any],
    record: dict[str, str],
) -> list[RenderedFile]:
    wanted = [RenderedFile(f"{RECORD}/README.md", RECORD_README)]
    wanted += [RenderedFile(f"{RECORD}/{RECORDED_AS[f.name]}", f.content) for f in rendered]
    wanted.append(RenderedFile(f"{RECORD}/plan.json", json.dumps(plan, indent=2) + "\n"))
    return [
        f for f in wanted if not project.is_file(f.name) or project.read_text(f.name) != f.content
    ]


def _answers_file(project: Project, flags: Overrides) -> list[RenderedFile]:
    """The answers file, when flags given now change what is recorded."""
    old = read_answers(project)
    new = remember(old, flags)
    if new == old:
        return []
    name = answers_file(project)
    if name == STANDALONE:
        return [
            RenderedFile(
                name,
                "# dockergen answers: see `dockergen init --help`\n" + table_text(new, header=None),
            )
        ]
    return [RenderedFile(name, with_answers(project.read_text(name), new))]


def _reasons(
    outcomes: tuple[FileOutcome, ...],
    old_plan: str | None,
    new_plan: dict[str, Any],
    writes: list[RenderedFile],
) -> list[str]:
    if not writes:
        return []
    reasons = (
        changes(json.loads(old_plan), new_plan) if old_plan else ["no record of an earlier render"]
    )
    for o in outcomes:
        if o.action != "unchanged":
            reasons.append(f"{o.name}: would be {_VERBS[o.action]}")
    return reasons or [f"{RECORD}/ or the answers are out of date"]


_VERBS: Final = {
    "create": "created",
    "regenerate": "regenerated",
    "merge": "regenerated with your edits merged in",
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
