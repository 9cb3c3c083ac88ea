"""What the container runs: the user's command, else the project's own entry point."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockergen.model import Decided
from dockergen.project import Project
from dockergen.safety import check_command, check_port

NO_COMMAND_WARNING = (
    "no start command found, so the Dockerfile has no CMD; pass --command '...' to set one"
)


def choose_command(
    project: Project,
    *,
    override: tuple[str, ...] | None,
    port_override: int | None,
    installs_project: bool,
) -> tuple[Decided[tuple[str, ...]] | None, Decided[int] | None, list[str]]:
    """The start command, the port it serves (when known), and warnings."""
    port = (
        Decided(check_port(port_override, "--port"), "--port", "--port") if port_override else None
    )
    if override is not None:
        return Decided(check_command(override, "--command"), "--command", "--command"), port, []
    found = list(_candidates(project, installs_project))
    if not found:
        return None, port, [NO_COMMAND_WARNING]
    chosen = found[0]
    overridden = tuple(f"{c.detail} ({c.source})" for c in found[1:])
    command = check_command(chosen.value, chosen.source)
    return Decided(command, chosen.source, chosen.detail, overridden), port, []


def _candidates(project: Project, installs_project: bool) -> Iterator[Decided[tuple[str, ...]]]:
    pyproject = project.pyproject()
    if installs_project:
        # A single console script is the project's declared way to run it.
        for table, where in (
            (pyproject.get("project", {}).get("scripts", {}), "[project.scripts]"),
            (
                pyproject.get("tool", {}).get("poetry", {}).get("scripts", {}),
                "[tool.poetry.scripts]",
            ),
        ):
            if isinstance(table, dict) and len(table) == 1:
                name = next(iter(table))
                yield Decided((name,), "pyproject.toml", f"{where} {name}")
    name = pyproject.get("project", {}).get("name") or ""
    module = re.sub(r"[-_.]+", "_", str(name)).lower()
    if module and re.fullmatch(r"[a-z_][a-z0-9_]*", module):
        # src/ layouts are importable only once the project is installed.
        for base in (module, f"src/{module}") if installs_project else (module,):
            if project.is_file(f"{base}/__main__.py"):
                yield Decided(
                    ("python", "-m", module), f"{base}/__main__.py", f"python -m {module}"
                )
    for script in ("main.py", "app.py"):
        if project.is_file(script):
            yield Decided(("python", script), script, f"python {script}")
