"""dockergen's record of its last render, `.dockergen/`: read it, and what to write to it.

The record is the common base of `update`'s three-way merge. A damaged plan.json (git
conflict markers, cut short, hand-edited) is ignored with a warning, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

from dockergen.model import RenderedFile
from dockergen.project import ProjectDir
from dockergen.text import shown

RECORD: Final = ".dockergen"
BACKUPS: Final = f"{RECORD}/before-update"
PLAN: Final = f"{RECORD}/plan.json"
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


def read_record(project: ProjectDir) -> dict[str, str]:
    found = {}
    for output, recorded in (*RECORDED_AS.items(), ("plan.json", "plan.json")):
        if project.is_file(f"{RECORD}/{recorded}"):
            found[output] = project.read_text(f"{RECORD}/{recorded}").replace("\r\n", "\n")
    return found


def record_files(
    project: ProjectDir, rendered: Sequence[RenderedFile], decisions: dict[str, Any]
) -> list[RenderedFile]:
    wanted = [RenderedFile(f"{RECORD}/README.md", RECORD_README)]
    wanted += [RenderedFile(f"{RECORD}/{RECORDED_AS[f.name]}", f.content) for f in rendered]
    wanted.append(RenderedFile(f"{RECORD}/plan.json", json.dumps(decisions, indent=2) + "\n"))
    return [
        f
        for f in wanted
        if not project.is_file(f.name)
        or project.read_text(f.name).replace("\r\n", "\n") != f.content
    ]


def recorded_plan(text: str | None) -> tuple[dict[str, Any] | str, list[str]]:
    """The recorded decisions, or why there are none ("no record ..."), and a warning when
    the file is there but unusable (git conflict markers, cut short, not what dockergen wrote)."""
    if text is None:
        return "no record of an earlier render", []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        why, data = f"not JSON: {exc.msg} at line {exc.lineno}", None
    except RecursionError:
        why, data = "nested too deeply", None
    else:
        why = "not the decisions dockergen records"
    if isinstance(data, dict) and all(
        isinstance(data.get(key), dict | None) and "value" in (data.get(key) or {"value": 0})
        for key in ("installer", "python", "command", "port")
    ):
        return data, []
    warning = (
        f"{PLAN} is damaged ({shown(why)}) and ignored; regenerate it with "
        f"`dockergen update --force`, or delete {PLAN}"
    )
    return f"no usable record of an earlier render ({PLAN} is damaged)", [warning]
