"""An interrupted `update` is finished by the next run, or `check` says it is not up to date.

Each case runs the real entry point in its own process and stops it (kill -9, or Ctrl-C)
just before a file-system step, the steps spread evenly over an uninterrupted run.
benchmarks/crash.py runs the same at random steps and moments, 200 times and more.
"""

from __future__ import annotations

import signal

import pytest

from benchmarks.crash import campaign


@pytest.mark.parametrize(
    ("sig", "runs"), [(signal.SIGKILL, 8), (signal.SIGINT, 4)], ids=["kill-9", "ctrl-c"]
)
def test_an_interrupted_update_is_never_called_up_to_date(sig: signal.Signals, runs: int) -> None:
    results = campaign("flask", runs, sig, seed=0, steps_only=True)
    assert [r for r in results if r.broken] == []
    # The spread reached the writes: some runs were stopped with a change half-made.
    assert any(r.journal for r in results)
    assert {r.python_after for r in results} == {"3.11", "3.12"}
