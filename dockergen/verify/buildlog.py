"""Reading a build log: BuildKit's plain progress (`docker build --progress=plain`) or
Buildah's output (`podman build`). Pure, no I/O; the format is told by the log itself.

BuildKit: a step starts with `#N [stage i/n] INSTRUCTION`, its output lines are
`#N 1.234 text`, and it ends with `#N CACHED`, `#N DONE 1.2s` or `#N ERROR: ...`. Unnamed
stages are `stage-K`.

Buildah: a step starts with `[s/S] STEP i/n: INSTRUCTION` (`STEP i/n: ...` in a one-stage
build); its output follows unprefixed; a step taken from the layer cache prints
`--> Using cache <id>` before the next step starts, any step ends with `--> <id>`; a failure
ends the build with `Error: building at STEP "INSTRUCTION": ...`. Stages are named here as
BuildKit names them: the `AS` name of their FROM, else `stage-K`.
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
    """One build step as BuildKit's plain progress log shows it."""

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


_BUILDAH_HEADER: Final = re.compile(r"^(?:\[(\d+)/\d+\] )?STEP (\d+)/(\d+): (.*)$")
_BUILDAH_CACHED: Final = re.compile(r"^--> Using cache [0-9a-f]{12,}")
_BUILDAH_LAYER: Final = re.compile(r"^--> [0-9a-f]{6,}$")
_BUILDAH_ERROR: Final = re.compile(r'^Error: building at STEP "(.*?)": (.*)$')
# Writing the image: what follows belongs to no step.
_BUILDAH_COMMIT: Final = re.compile(r"^(?:\[\d+/\d+\] )?COMMIT(?: |$)")
_FROM_AS: Final = re.compile(r"^FROM\s.*\sAS\s+(\S+)\s*$", re.IGNORECASE)


def parse_steps(text: str) -> list[Step]:
    """Every numbered step of the log, in order of first appearance."""
    if not any(_HEADER.match(line) for line in text.splitlines()) and any(
        _BUILDAH_HEADER.match(line) for line in text.splitlines()
    ):
        return parse_buildah_steps(text)
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


def buildah_header(line: str) -> tuple[int, Step] | None:
    """The step a line of Buildah's output starts, with its stage's number (1, 2, ...)."""
    header = _BUILDAH_HEADER.match(line.rstrip("\n"))
    if header is None:
        return None
    stage, index, total, instruction = header.groups()
    number = int(stage or 1)
    text = " ".join(instruction.split())
    return number, Step(f"{number}.{index}", f"stage-{number - 1}", int(index), int(total), text)


def parse_buildah_steps(text: str) -> list[Step]:
    """Buildah's steps, as BuildKit's would be read: a step is `cached` when Buildah took
    its layer from the cache, and the step the build failed at carries the error."""
    steps: list[Step] = []
    names: dict[int, str] = {}
    step: Step | None = None
    for line in text.splitlines():
        if (found := buildah_header(line)) is not None:
            number, step = found
            if step.index == 1 and (named := _FROM_AS.match(step.instruction)):
                names[number] = named.group(1)
            step.stage = names.get(number, step.stage)
            steps.append(step)
        elif step is None:
            continue
        elif _BUILDAH_COMMIT.match(line):
            step = None
        elif _BUILDAH_CACHED.match(line):
            step.cached = True
        elif error := _BUILDAH_ERROR.match(line):
            step.error = error.group(2)
        elif not _BUILDAH_LAYER.match(line) and not line.startswith("--> "):
            step.output.append(line)
    return steps


def any_header(line: str) -> Step | None:
    """The step a line of either log starts (for live progress; Buildah's stages by number)."""
    if (step := step_header(line)) is not None:
        return step
    found = buildah_header(line)
    return found[1] if found else None


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
