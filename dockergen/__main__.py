"""The `dockergen` command and `python -m dockergen`: Ctrl-C is handled before anything else.

Until a command starts its work, Ctrl-C ends the process at once with exit 130 and one line:
nothing has been written then, and the imports that follow (Typer, Jinja, packaging) take
most of a run's start-up, so a traceback from inside one of them is all Python would show.
The command then takes Ctrl-C back as KeyboardInterrupt (console.user_errors), so that what
it started (a temporary file, a container) is cleaned up on the way out.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing's: importing typing would delay the handler
if TYPE_CHECKING:
    from types import FrameType

# The C module under `signal`: importing `signal` itself imports enum and functools first, a
# good part of start-up during which Ctrl-C would still end in a traceback.
_signal = __import__("_signal")

STOPPED = b"dockergen: error: interrupted before it changed anything\n"


def stop_at_once(signum: int, frame: FrameType | None) -> None:
    """SIGINT while nothing is being changed: exit 130 now, with no traceback."""
    import contextlib  # here, not above: every import before main() delays the handler

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # closed, or interrupted mid-write: exit anyway
            stream.flush()  # what was printed before stays printed
    os.write(2, STOPPED)
    os._exit(130)


def main() -> None:
    _signal.signal(_signal.SIGINT, stop_at_once)
    from dockergen.cli import main as run  # the heavy imports

    run()


if __name__ == "__main__":
    main()
