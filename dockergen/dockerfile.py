"""Dockerfile text of the build plan's steps: one writer for every step, one quoting rule for
each place a word lands (quoting.py). The skeleton template calls it as the `steps` filter."""

from __future__ import annotations

from collections.abc import Sequence

from dockergen.quoting import comment, exec_form, shell_word
from dockergen.steps import (
    Arg,
    Cmd,
    Command,
    Comment,
    Copy,
    CopySource,
    Env,
    Expose,
    Healthcheck,
    Line,
    Paragraph,
    Raw,
    Run,
    Step,
    User,
    Word,
)


def steps_text(steps: Step | Sequence[Paragraph] | None) -> str:
    """A step, or paragraphs of steps separated by a blank line; "" for none."""
    if steps is None:
        return ""
    if not isinstance(steps, Sequence):
        return instruction(steps)
    return "\n\n".join("\n".join(map(instruction, p)) for p in steps if p)


def instruction(step: Step) -> str:
    """One step as Dockerfile text (comment lines included)."""
    match step:
        case Comment(lines):
            return "\n".join(f"# {comment(line)}" for line in lines)
        case Copy(sources, dest):
            return f"COPY {' '.join(sources)} {dest}"
        case CopySource(chown):
            return "COPY --chown=10001:10001 . ." if chown else "COPY . ."
        case Run():
            return _run(step)
        case Arg(name, default):
            return f"ARG {name}={default}"
        case Env(pairs):
            return "ENV " + " \\\n    ".join(f"{name}={word(value)}" for name, value in pairs)
        case User(user):
            return f"USER {user}"
        case Expose(port):
            return f"EXPOSE {port}"
        case Cmd(argv):
            return f"CMD {exec_form(argv)}"
        case Healthcheck(argv):
            options = "--interval=30s --timeout=5s --start-period=10s --retries=3"
            return f"HEALTHCHECK {options} \\\n    CMD {exec_form(argv)}"
    raise AssertionError(step)


def _run(run: Run) -> str:
    """RUN: the mounts, each on a line of its own, then the command lines, joined by &&."""
    texts = [line_text(line) for line in run.lines]
    if run.grouped:
        texts[0] = "{ " + texts[0]
        texts[-1] += "; }"
    first, *rest = texts
    flags = [*(m.flag for m in run.mounts), *(s.flag for s in run.secrets)]
    text = "RUN " + " \\\n    ".join((*flags, first))
    text += "".join(f" \\\n && {line}" for line in rest)
    if run.otherwise:
        head, *more = (line_text(line) for line in run.otherwise)
        text += f" \\\n || {{ {head}" + "".join(f" \\\n    && {line}" for line in more) + "; }"
    return _waivers(run) + text


def _waivers(run: Run) -> str:
    """A word from the project quoted whole (`'/app/$(id)'`) is what we mean: shellcheck's
    notes on `$` or a backslash inside single quotes do not apply."""
    quoted = [
        word(w)
        for line in (*run.lines, *run.otherwise)
        for c in line
        for w in c.words
        if not isinstance(w, Raw)
    ]
    codes = [
        code
        for code, found in (
            ("SC1003", any(q.endswith("\\'") for q in quoted)),
            ("SC2016", any(q.startswith("'") and ("$" in q or "`" in q) for q in quoted)),
        )
        if found
    ]
    return f"# hadolint ignore={','.join(codes)}\n" if codes else ""


def line_text(line: Line) -> str:
    return " && ".join(map(_command, line))


def _command(command: Command) -> str:
    text = " ".join(map(word, command.words))
    return f"{text} \\\n        > {command.stdout}" if command.stdout else text


def word(value: Word) -> str:
    """A shell word: dockergen's own syntax as it is, anything else quoted when it needs it."""
    return value.text if isinstance(value, Raw) else shell_word(str(value))
