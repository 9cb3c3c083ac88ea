"""The authors' shortcuts for starting the app: task runners in pyproject.toml and Makefile
targets, when they are named like a way to start it (start, serve, run, web, prod, server).

They are conveniences, often for development: weaker than a production file, and a command
that only a developer runs (a reload flag, Django's own server) is turned into its production
form or passed over when a production server is installed (dockergen.start.servers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from dockergen.errors import DockergenError
from dockergen.project import ProjectDir
from dockergen.start.candidate import Candidate, Origin, Role, without_runner
from dockergen.start.shell import argv_of

# Task names that start the app, best first.
NAMES: Final = ("prod", "production", "start", "serve", "server", "web", "run", "runserver", "dev")
_TARGET: Final = r"^([A-Za-z0-9_.-]+)\s*:(?!=)"
_VARIABLE: Final = r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::=|\?=|=)\s*(.*?)\s*$"
_REFERENCE: Final = r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}"


def task_runners(project: ProjectDir) -> Iterator[Candidate]:
    tool = project.pyproject().get("tool", {})  # a table: pyproject.toml's shape is checked
    tables: list[tuple[str, Any]] = [
        ("[tool.pdm.scripts]", _get(tool, "pdm", "scripts")),
        ("[tool.poe.tasks]", _get(tool, "poe", "tasks")),
        ("[tool.taskipy.tasks]", _get(tool, "taskipy", "tasks")),
        ("[tool.rye.scripts]", _get(tool, "rye", "scripts")),
    ]
    envs = _get(tool, "hatch", "envs")
    for env in ("default", "prod", "production", *(envs if isinstance(envs, dict) else ())):
        tables.append(
            (f"[tool.hatch.envs.{env}.scripts]", _get(tool, "hatch", "envs", env, "scripts"))
        )
    seen: set[str] = set()
    for table, tasks in tables:
        if not isinstance(tasks, dict) or table in seen or re.search(_NOT_SERVING, table):
            continue
        seen.add(table)
        for name in NAMES:
            line = _command(tasks.get(name))
            if line and _starts_app(line):
                yield _shortcut(project, "pyproject.toml", f"{table} {name}", line, name)
                break


# Environments and targets for tests, docs, linting: never how the app is started.
_NOT_SERVING: Final = r"test|lint|doc|type|check|fmt|format|cov|bench|release"


def _starts_app(line: str) -> bool:
    """A shortcut counts when it starts a server dockergen knows, or a project script:
    `run = "pytest"` is no way to start the app."""
    from dockergen.start.servers import servers_in

    argv, _ = without_runner(argv_of(line))
    if argv and argv[0].endswith(".py"):
        argv = ("python", *argv)
    if any(server.role is Role.SERVER for _, server in servers_in(argv)):
        return True
    words = [w for w in argv if not w.startswith("-")]
    return (
        len(words) >= 2
        and words[0] in ("python", "python3")
        and words[1].endswith(".py")
        and (words[1] != "manage.py" or "runserver" in words)
    )


def _get(table: Any, *keys: str) -> Any:
    for key in keys:
        table = table.get(key) if isinstance(table, dict) else None
    return table


def _command(task: Any) -> str | None:
    """The shell line a task runs: a string, `{cmd = ...}`/`{shell = ...}`, or a one-line list."""
    if isinstance(task, str):
        return task
    if isinstance(task, list) and len(task) == 1 and isinstance(task[0], str):
        return task[0]
    if isinstance(task, dict):
        for key in ("cmd", "shell"):
            value = task.get(key)
            if isinstance(value, str):
                return value
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return " ".join(value)
    return None


def _shortcut(project: ProjectDir, source: str, what: str, line: str, name: str) -> Candidate:
    argv, _ = without_runner(argv_of(line))
    number = 0
    try:
        text = project.read_text(source)
        number = next(
            (n for n, row in enumerate(text.splitlines(), 1) if row.strip().startswith(name)), 0
        )
    except DockergenError:
        pass
    return Candidate(
        argv,
        source=source,
        what=what,
        origin=Origin.CONVENIENCE,
        line=number,
        role=Role.SERVER,
        text=line if argv[:2] == ("sh", "-c") else "",
    )


def makefile(project: ProjectDir) -> Iterator[Candidate]:
    for name in ("Makefile", "makefile", "GNUmakefile"):
        try:
            if not project.is_file(name) or not project.inside(name):
                continue
            text = project.read_text(name)
        except DockergenError:
            continue
        targets = _targets(text)
        for target in NAMES:
            if target in targets and _starts_app(targets[target][1]):
                number, recipe = targets[target]
                yield _shortcut_make(name, target, number, recipe)
                return
        return


def _targets(text: str) -> dict[str, tuple[int, str]]:
    """target -> (line, its last recipe line with variables expanded). Make expands a
    recipe when it runs, so every variable the file sets counts, wherever it is set."""
    lines = text.splitlines()
    variables = {
        m.group(1): m.group(2) for line in lines if (m := re.match(_VARIABLE, line))
    }  # fmt: skip
    found: dict[str, tuple[int, str]] = {}
    current, line_of, recipe = "", 0, []
    for number, line in enumerate([*lines, ""], start=1):
        if line.startswith("\t") and current:
            step = line.strip().lstrip("@-+").strip()
            if step and not step.startswith("#"):
                recipe.append(step)
            continue
        if current and recipe:
            found.setdefault(current, (line_of, _expand(recipe[-1], variables)))
        current, recipe = "", []
        if not re.match(_VARIABLE, line) and (match := re.match(_TARGET, line)):
            current, line_of = match.group(1), number
    return found


def _expand(line: str, variables: dict[str, str]) -> str:
    for _ in range(5):  # a variable may name another
        line = re.sub(_REFERENCE, lambda m: variables.get(m.group(1) or m.group(2), ""), line)
    return line.replace("$$", "$").strip()


def _shortcut_make(name: str, target: str, number: int, recipe: str) -> Candidate:
    argv, _ = without_runner(argv_of(recipe))
    return Candidate(
        argv,
        source=name,
        what=f"{name} target {target}",
        origin=Origin.CONVENIENCE,
        line=number,
        role=Role.SERVER,
        text=recipe if argv[:2] == ("sh", "-c") else "",
    )
