"""Reading BuildKit's plain progress log (`docker build --progress=plain`): pure, no I/O.

A step starts with `#N [stage i/n] INSTRUCTION`, its output lines are `#N 1.234 text`, and it
ends with `#N CACHED`, `#N DONE 1.2s` or `#N ERROR: ...`. Unnamed stages are `stage-K`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

_HEADER: Final = re.compile(r"^#(\d+) \[(?:(\S+) )?\s*(\d+)/(\d+)\] (.*)$")
_CACHED: Final = re.compile(r"^#(\d+) CACHED$")
_ERROR: Final = re.compile(r"^#(\d+) ERROR: (.*)$")
_OUTPUT: Final = re.compile(r"^#(\d+) \d+\.\d+ (.*)$")
# The copy of the whole build context: everything after it re-runs on a code change.
_SOURCE_COPY: Final = re.compile(r"^(?:COPY|ADD)\s+(?:--\S+\s+)*\.{1,2}/?\s")


@dataclass
class Step:
    id: str
    stage: str
    index: int
    total: int
    instruction: str
    cached: bool = False
    error: str | None = None
    output: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"[{self.stage} {self.index}/{self.total}] {self.instruction}"


def step_header(line: str) -> Step | None:
    """The step a log line starts, if it starts one (used for live progress)."""
    header = _HEADER.match(line.rstrip("\n"))
    if header is None:
        return None
    step_id, stage, index, total, instruction = header.groups()
    return Step(step_id, stage or "", int(index), int(total), " ".join(instruction.split()))


def parse_steps(text: str) -> list[Step]:
    """Every numbered step of the log, in order of first appearance."""
    by_id: dict[str, Step] = {}
    for line in text.splitlines():
        if (step := step_header(line)) is not None:
            by_id.setdefault(step.id, step)
        elif (cached := _CACHED.match(line)) and cached.group(1) in by_id:
            by_id[cached.group(1)].cached = True
        elif (error := _ERROR.match(line)) and error.group(1) in by_id:
            by_id[error.group(1)].error = error.group(2)
        elif (output := _OUTPUT.match(line)) and output.group(1) in by_id:
            by_id[output.group(1)].output.append(output.group(2))
    return list(by_id.values())


def is_source_copy(instruction: str) -> bool:
    return bool(_SOURCE_COPY.match(instruction + " "))


def dependency_steps(steps: list[Step]) -> list[Step]:
    """Per stage, the RUN/COPY steps before its copy of the whole context.

    These must be CACHED after a code-only change. `COPY --from` is left out: it follows
    another stage, which may itself copy the source (a project installed into its venv).
    """
    source_at: dict[str, int] = {}
    for step in steps:
        if is_source_copy(step.instruction):
            source_at[step.stage] = min(step.index, source_at.get(step.stage, step.index))
    chosen = []
    for step in sorted(steps, key=lambda s: (s.stage, s.index)):
        if not step.instruction.startswith(("RUN", "COPY", "ADD")):
            continue
        if step.instruction.startswith("COPY") and "--from=" in step.instruction:
            continue
        if step.index < source_at.get(step.stage, step.total + 1):
            chosen.append(step)
    return chosen


def failed_step(steps: list[Step]) -> Step | None:
    return next((s for s in steps if s.error is not None), None)
