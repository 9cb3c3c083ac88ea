"""The build plan's vocabulary: typed, frozen steps, plain data with no text of their own.

An installer module says what its tool runs (`Recipe`: commands, environment, and the comments
that justify them); dockergen.buildplan lays those out in stages of steps, the same way for
every installer; dockergen.dockerfile writes each step as Dockerfile text. The shape follows
railpack's core/plan/step.go: a step is data, and one writer turns every step into text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dockergen.mounts import CacheMount, Secret
from dockergen.quoting import copy_sources
from dockergen.safety import AppPath, CheckedPath


@dataclass(frozen=True, slots=True)
class Raw:
    """Shell syntax written as it is: an operator (`||`) or an expansion (`$APP_VERSION`).
    Only dockergen's own text is Raw; every other word is quoted when it needs it."""

    text: str


# A word from metadata is a str (a CheckedPath when it names a file): quoted as a shell word.
Word = str | Raw | AppPath


@dataclass(frozen=True, slots=True)
class Command:
    """One simple command: its words, and a file its output goes to (on a line of its own)."""

    words: tuple[Word, ...]
    stdout: str | None = None


# Commands on one line, joined with `&&`; the lines of a RUN are joined with ` \` and `&&`.
Line = tuple[Command, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Install:
    """One install as its tool runs it, with why: what an installer module contributes."""

    lines: tuple[Line, ...]
    notes: tuple[str, ...] = ()  # comment lines: what the command does and why
    lint: tuple[str, ...] = ()  # comment lines right above the RUN (hadolint waivers)
    cached: bool = True  # on the dependency cache mount (and the index credentials)


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipe:
    """Everything one installer runs for one project; dockergen.buildplan decides where.

    None for an install means the tool has no such step: `dependencies` None installs them
    only together with the project (`project` then installs both)."""

    env: tuple[tuple[str, str], ...] = ()  # the builder's ENV, after the base variables
    tool: tuple[str, ...] = ()  # what `pip install` puts into the builder and the dev image
    tool_note: str = ""  # why that release, when it is not the pin
    prepare: Install | None = None  # before the manifests (pip's empty environment)
    source_first: str = ""  # why the source must come before the dependencies
    dependencies: Install | None = None  # production dependencies, not the project
    project_stub: Install | None = None  # the project, editable, against its stand-ins
    project: Install | None = None  # the project from its source, in production
    dev_dependencies: Install | None = None  # with the dev groups, not the project
    dev_project: Install | None = None  # the project, editable, in the dev stage


@dataclass(frozen=True, slots=True)
class Comment:
    """Comment lines, each written with a leading `# `."""

    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Copy:
    """Files and directories from the build context, into one destination folder: checked
    paths only (safety.check_path), and only names COPY takes as they are."""

    sources: tuple[CheckedPath, ...]
    dest: str

    def __post_init__(self) -> None:
        if not all(isinstance(path, CheckedPath) for path in self.sources):
            raise TypeError(f"COPY sources must be checked paths: {self.sources!r}")
        copy_sources(self.sources)


@dataclass(frozen=True, slots=True)
class CopySource:
    """The whole build context (`COPY . .`); owned by the app's user in the dev stage."""

    chown: bool = False


@dataclass(frozen=True, slots=True)
class Run:
    """A RUN: its lines of commands, with the cache mounts and secrets it uses."""

    lines: tuple[Line, ...]
    mounts: tuple[CacheMount, ...] = ()
    secrets: tuple[Secret, ...] = ()
    # Run only when `lines` fail (`|| { ...; }`): what makes them work, then them again.
    otherwise: tuple[Line, ...] = ()

    @property
    def grouped(self) -> bool:
        """`lines` go in `{ ...; }` before `||`: `a && b || c` is not if-then-else (SC2015)."""
        return bool(self.otherwise) and sum(map(len, self.lines)) > 1


@dataclass(frozen=True, slots=True)
class Arg:
    """An ARG with its default value."""

    name: str
    default: str


@dataclass(frozen=True, slots=True)
class Env:
    """An ENV of name and value pairs."""

    pairs: tuple[tuple[str, Word], ...]


@dataclass(frozen=True, slots=True)
class User:
    """A USER: who the following steps and the container run as."""

    user: str


@dataclass(frozen=True, slots=True)
class Expose:
    """An EXPOSE of the port the app listens on."""

    port: int


@dataclass(frozen=True, slots=True)
class Cmd:
    """The CMD, in exec form."""

    argv: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Healthcheck:
    """A HEALTHCHECK command, in exec form."""

    argv: tuple[str, ...]


Step = Comment | Copy | CopySource | Run | Arg | Env | User | Expose | Cmd | Healthcheck
# Steps written one after the other; paragraphs are separated by a blank line.
Paragraph = tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage's steps after its FROM, in paragraphs."""

    env: Env | None = None
    apt: tuple[Paragraph, ...] = ()  # Debian packages, before anything else of the stage
    steps: tuple[Paragraph, ...] = ()
    runtime: tuple[Paragraph, ...] = ()  # HEALTHCHECK, USER, ENV, EXPOSE, CMD


@dataclass(frozen=True, slots=True)
class BuildPlan:
    """The whole build: the stages in order, and what the Dockerfile and .dockerignore need."""

    header: tuple[str, ...]  # comment lines: the version argument, indexes, the build command
    cache: CacheMount  # the dependency cache every install step shares
    builder: Stage
    dev: Stage | None  # only with `init --dev`
    final: Stage
    keep: tuple[str, ...]  # what .dockerignore must never ignore (its `!` lines)
    # Where the project itself installs: "stand-ins" (before its source), "source", or None.
    project: str | None
    # The final stage's build step that also compiles the app's own modules (collectstatic).
    compile_step: tuple[str, ...] | None


def command(*words: Word, stdout: str | None = None) -> Command:
    return Command(words, stdout)


def install(*lines: Line, notes: tuple[str, ...] = (), lint: tuple[str, ...] = ()) -> Install:
    return Install(lines=lines, notes=notes, lint=lint)


def paragraphs(*paragraphs: Paragraph) -> tuple[Paragraph, ...]:
    return tuple(p for p in paragraphs if p)


def comment(lines: tuple[str, ...]) -> Paragraph:
    return (Comment(lines),) if lines else ()


def copy_files(paths: Sequence[CheckedPath]) -> Paragraph:
    """COPY steps that keep each file's directory: one per folder."""
    groups: dict[str, list[CheckedPath]] = {}
    for path in paths:
        groups.setdefault(path.rpartition("/")[0], []).append(path)
    return tuple(Copy(tuple(files), f"./{d}/" if d else "./") for d, files in groups.items())


def cache_mounts(plan: BuildPlan) -> tuple[CacheMount, ...]:
    """Every cache mount the plan's RUN steps use, in a stable order (the CI caches them)."""
    stages = (plan.builder, plan.final, *((plan.dev,) if plan.dev else ()))
    runs = [s for st in stages for p in (*st.apt, *st.steps) for s in p if isinstance(s, Run)]
    return tuple(sorted({m for run in runs for m in run.mounts}, key=lambda m: m.target))


def outline(plan: BuildPlan) -> str:
    """The plan as a review reads it: a line per step (comments left out: the Dockerfile has
    them), a blank line between paragraphs, the stages in Dockerfile order."""
    stages = (("builder", plan.builder), ("dev", plan.dev), ("final", plan.final))
    lines = []
    for name, stage in stages:
        if stage is None:
            continue
        parts = (*(((stage.env,),) if stage.env else ()), *stage.apt, *stage.steps, *stage.runtime)
        paragraphs = [[_outline(s) for s in p if not isinstance(s, Comment)] for p in parts]
        body = "\n\n".join("\n".join(f"  {line}" for line in p) for p in paragraphs if p)
        lines.append(f"{name}:\n{body}")
    lines.append("keep: " + " ".join(plan.keep))
    return "\n\n".join(lines) + "\n"


def _outline(step: Step) -> str:
    match step:
        case Copy(sources, dest):
            return f"copy {' '.join(sources)} -> {dest}"
        case CopySource(chown):
            return "copy the source" + (" (owned by the app's user)" if chown else "")
        case Run(lines, mounts, secrets, otherwise):
            used = ", ".join([*(m.id or m.target for m in mounts), *(s.id for s in secrets)])
            commands = " && ".join(_shell(c) for line in lines for c in line)
            if otherwise:
                commands = f"{{ {commands}; }}" if step.grouped else commands
                again = " && ".join(_shell(c) for line in otherwise for c in line)
                commands += f" || {{ {again}; }}"
            return f"run [{used}] {commands}" if used else f"run {commands}"
        case Env(pairs):
            return "env " + " ".join(f"{k}={_word(v)}" for k, v in pairs)
        case Arg(name, default):
            return f"arg {name}={default}"
        case User(user):
            return f"user {user}"
        case Expose(port):
            return f"expose {port}"
        case Cmd(argv) | Healthcheck(argv):
            return f"{type(step).__name__.lower()} {' '.join(argv)}"
    raise AssertionError(step)


def _word(word: Word) -> str:
    return word.text if isinstance(word, Raw) else str(word)


def _shell(command: Command) -> str:
    words = " ".join(map(_word, command.words))
    return f"{words} > {command.stdout}" if command.stdout else words
