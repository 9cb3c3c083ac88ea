"""What the CLI says after carrying out a plan: one line per file, conflicts on stderr.

Pure text, no typer: the CLI prints these lines as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from dockergen.record import BACKUPS, RECORD
from dockergen.regenerate import ACTION_WORDS, Plan, unified_diff
from dockergen.text import printable

_COLOURS: Final = {"+": "green", "-": "red", "@": "cyan"}


def report_lines(
    plan: Plan, written: Sequence[Path], root: Path, *, style: str
) -> list[tuple[str, bool]]:
    """(line, to stderr) pairs. `written` style names each file written (init, compose, ci);
    `outcomes` style says what happened to each output (update)."""
    lines = _written(written, root) if style == "written" else _outcomes(plan)
    for outcome in plan.conflicts:
        at = ", ".join(str(c.line) for c in outcome.conflicts)
        lines.append(
            (
                f"dockergen: error: {outcome.name} has {len(outcome.conflicts)} conflict(s) at "
                f"line(s) {at}; your previous file is in {BACKUPS}/{outcome.name}; resolve the "
                "markers, then run `dockergen check`",
                True,
            )
        )
    return lines


def _written(written: Sequence[Path], root: Path) -> list[tuple[str, bool]]:
    record = [p for p in written if p.relative_to(root).parts[0] == RECORD]
    lines = [(printable(f"wrote {p}"), False) for p in written if p not in record]
    if record:
        lines.append(
            (
                printable(
                    f"recorded this render in {root / RECORD} (commit it; `update` merges "
                    "against it)"
                ),
                False,
            )
        )
    return lines


def _outcomes(plan: Plan) -> list[tuple[str, bool]]:
    lines: list[tuple[str, bool]] = []
    for outcome in plan.files:
        if outcome.action == "replace":
            lines.append((f"{outcome.name}: replaced; these edits of yours are gone:", False))
            lines.append((unified_diff(outcome), False))
        else:
            lines.append((f"{outcome.name}: {ACTION_WORDS[outcome.action]}", False))
    return lines


def coloured(line: str) -> tuple[str | None, bool]:
    """(colour, bold) for one line of a unified diff."""
    if line.startswith(("+++", "---")):
        return None, True
    return _COLOURS.get(line[:1]), False
