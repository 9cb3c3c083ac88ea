"""Crash consistency of `dockergen update`: kill -9 and Ctrl-C at random points of it.

    python benchmarks/crash.py [--runs 200] [--interrupts 50] [--seed 1] [--fixture uv]

The promise (docs/security.md): after any interruption, either the next run finishes the
change, or `dockergen check` reports the state as not up to date; never a mixed state called
clean. Each run copies a project on which `init --python 3.11` ran, starts
`update --python 3.12` (the real entry point, in its own process) and stops it:

- at a file-system step: just before the k-th open, fsync, chmod, rename, unlink, mkdir or
  rmdir the run makes, k uniform over every such step of an uninterrupted run; or
- at a moment: a uniform random delay over an uninterrupted run's duration (start-up included).

Then, on the state left behind, it records whether the Dockerfile's Python and the answers'
Python agree and what `check` says; runs plain `update` (no flags) and `check` again, and
counts what is left: temporary files, the journal, a disagreement. Ctrl-C runs (SIGINT) also
count tracebacks and exit codes other than 0 or 130. Exits 1 when any run breaks the promise.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tomli

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import FIXTURES  # noqa: E402

# Runs the real entry point; with a step number, sends itself `sig` just before that step.
CHILD = """
import os, sys
step, sig = int(sys.argv[1]), int(sys.argv[2])
if step >= 0:
    count = [0]
    def hooked(real):
        def call(*args, **kwargs):
            count[0] += 1
            if count[0] == step:
                os.kill(os.getpid(), sig)
            return real(*args, **kwargs)
        return call
    for name in ("open", "fsync", "chmod", "replace", "rename", "unlink", "mkdir", "rmdir"):
        setattr(os, name, hooked(getattr(os, name)))
    if step == 0:
        import atexit
        atexit.register(lambda: os.write(2, f"steps: {count[0]}\\n".encode()))
sys.argv = ["dockergen", *sys.argv[3:]]
from dockergen.__main__ import main
main()
"""
_ARG = re.compile(r"^ARG PYTHON_VERSION=(\S+)$", re.MULTILINE)


@dataclass(frozen=True)
class Run:
    how: str  # "step 7", "after 0.123 s"
    sig: str  # KILL or INT
    exit_code: int
    traceback: bool  # from dockergen's own code, after its entry point handles Ctrl-C
    startup_traceback: bool  # from Python's start-up, before the entry point's first line ran
    split: bool  # the Dockerfile and the answers name different Pythons
    check_passed: bool  # `check` right after the interruption
    journal: bool  # the journal was there after the interruption
    next_ok: bool  # the next plain `update` exited 0 and `check` passed after it
    split_after: bool  # still split after the next run
    temporaries_after: int  # *.tmp files after the next run
    journal_after: bool
    python_after: str  # 3.11: the change never began; 3.12: finished

    @property
    def broken(self) -> bool:
        """The promise: never split while `check` passes; the next run leaves it whole."""
        return (
            (self.split and self.check_passed)
            or not self.next_ok
            or self.split_after
            or self.temporaries_after > 0
            or self.journal_after
            or self.traceback
            # -2, -9: died of the signal itself; 1: Python's own exit after a start-up traceback
            or (self.exit_code not in (0, 130, -2, -9) and not self.startup_traceback)
        )


def dockergen(project: Path, *args: str, step: int = -1, sig: int = 0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(step), str(sig), *args, str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = process.communicate(timeout=120)
    return process.returncode, err


def pythons(project: Path) -> tuple[str, str]:
    """(the Dockerfile's Python, the answers' Python)."""
    found = _ARG.search((project / "Dockerfile").read_text())
    if (project / "pyproject.toml").is_file() and "[tool.dockergen]" in (
        project / "pyproject.toml"
    ).read_text():
        answers = tomli.loads((project / "pyproject.toml").read_text())["tool"]["dockergen"]
    else:
        answers = tomli.loads((project / ".dockergen.toml").read_text())
    return (found.group(1) if found else "?"), str(answers.get("python"))


def prepared(fixture: str, where: Path) -> Path:
    """A copy of `fixture` after `init --python 3.11`."""
    base = where / "base"
    shutil.copytree(FIXTURES / fixture, base)
    code, err = finished(dockergen(base, "init", "--no-input", "--python", "3.11"))
    assert code == 0, err
    assert finished(dockergen(base, "check"))[0] == 0
    return base


def measure(base: Path, where: Path) -> tuple[int, float]:
    """File-system steps and seconds of an uninterrupted `update --python 3.12`."""
    project = where / "measure"
    shutil.copytree(base, project)
    started = time.monotonic()
    code, err = finished(dockergen(project, "update", "--python", "3.12", step=0))
    seconds = time.monotonic() - started
    assert code == 0, err
    steps = int(re.findall(r"steps: (\d+)", err)[-1])
    shutil.rmtree(project)
    return steps, seconds


def interrupted(
    base: Path, where: Path, sig: signal.Signals, *, step: int = -1, delay: float = 0.0
) -> Run:
    project = where / "run"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(base, project)
    process = dockergen(project, "update", "--python", "3.12", step=step, sig=int(sig))
    if step < 0:
        time.sleep(delay)
        process.send_signal(sig)
    code, err = finished(process)
    dockerfile, answers = pythons(project)
    journal = (project / ".dockergen/journal.json").exists()
    check_passed = finished(dockergen(project, "check"))[0] == 0
    next_code, _ = finished(dockergen(project, "update"))
    check_after = finished(dockergen(project, "check"))[0] == 0
    dockerfile_after, answers_after = pythons(project)
    return Run(
        how=f"step {step}" if step >= 0 else f"after {delay:.3f} s",
        sig=sig.name.removeprefix("SIG"),
        exit_code=code,
        traceback="Traceback" in err and not _before_the_handler(err),
        startup_traceback="Traceback" in err and _before_the_handler(err),
        split=dockerfile != answers,
        check_passed=check_passed,
        journal=journal,
        next_ok=next_code == 0 and check_after,
        split_after=dockerfile_after != answers_after,
        temporaries_after=len(list(project.rglob(".*.tmp"))),
        journal_after=(project / ".dockergen/journal.json").exists(),
        python_after=dockerfile_after,
    )


def _before_the_handler(err: str) -> bool:
    """A traceback with no frame in dockergen but the package's and the entry point's own
    module lines: Ctrl-C came while Python started (site, the console script's imports)."""
    files = re.findall(r'File "([^"]+)"', err)
    ours = [f for f in files if "/dockergen/" in f]
    return all(f.endswith(("/dockergen/__init__.py", "/dockergen/__main__.py")) for f in ours)


def campaign(
    fixture: str, runs: int, sig: signal.Signals, seed: int, *, steps_only: bool = False
) -> list[Run]:
    """`runs` interruptions: half at a random step, half at a random moment (all at a step
    spread evenly over the run with `steps_only`, for a quick deterministic test)."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        base = prepared(fixture, where)
        steps, seconds = measure(base, where)
        results = []
        for index in range(runs):
            if steps_only:
                step = 1 + (index * steps) // runs
                results.append(interrupted(base, where, sig, step=step))
            elif index % 2 == 0:
                results.append(interrupted(base, where, sig, step=rng.randint(1, steps)))
            else:
                results.append(interrupted(base, where, sig, delay=rng.uniform(0, seconds)))
        return results


def summary(runs: list[Run], title: str) -> list[str]:
    def count(predicate: Callable[[Run], bool]) -> int:
        return sum(1 for r in runs if predicate(r))

    return [
        f"## {title}: {len(runs)} runs",
        "",
        "| what | runs |",
        "| --- | --- |",
        f"| stopped at a file-system step | {count(lambda r: r.how.startswith('step'))} |",
        f"| stopped at a random moment | {count(lambda r: r.how.startswith('after'))} |",
        f"| left the Dockerfile and the answers split | {count(lambda r: r.split)} |",
        "| ... of which `check` called up to date | "
        f"{count(lambda r: r.split and r.check_passed)} |",
        f"| left a journal (so `check` fails) | {count(lambda r: r.journal)} |",
        f"| next `update` + `check` not clean | {count(lambda r: not r.next_ok)} |",
        f"| split after the next run | {count(lambda r: r.split_after)} |",
        f"| temporary files after the next run | {sum(r.temporaries_after for r in runs)} |",
        f"| journal after the next run | {count(lambda r: r.journal_after)} |",
        f"| tracebacks from dockergen's code | {count(lambda r: r.traceback)} |",
        "| tracebacks from Python's start-up, before dockergen's entry point ran | "
        f"{count(lambda r: r.startup_traceback)} |",
        f"| exit codes | {dict(sorted(Counter(r.exit_code for r in runs).items()))} |",
        "| ended on 3.12 (change finished) / 3.11 (never began) | "
        f"{count(lambda r: r.python_after == '3.12')} / "
        f"{count(lambda r: r.python_after == '3.11')} |",
        f"| **broke the promise** | **{count(lambda r: r.broken)}** |",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="kill -9 runs")
    parser.add_argument("--interrupts", type=int, default=50, help="Ctrl-C (SIGINT) runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fixture", default="uv")
    options = parser.parse_args()
    kills = campaign(options.fixture, options.runs, signal.SIGKILL, options.seed)
    interrupts = campaign(options.fixture, options.interrupts, signal.SIGINT, options.seed + 1)
    for line in summary(kills, f"kill -9, fixture {options.fixture}"):
        print(line)
    for line in summary(interrupts, f"Ctrl-C, fixture {options.fixture}"):
        print(line)
    broken = [r for r in (*kills, *interrupts) if r.broken]
    for run in broken:
        print(f"broken: {run}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
