"""Live progress: one rewritten line on a terminal, plain lines otherwise (CI logs)."""

from __future__ import annotations

import shutil
import threading
import time
from typing import TextIO

from dockergen.verify.buildlog import any_header

TICK_SECONDS = 0.5


class Progress:
    """Shows the phase, the build step running and the elapsed time, on `stream`."""

    def __init__(self, stream: TextIO, *, live: bool) -> None:
        self.stream = stream
        self.live = live
        self.phase = ""
        self.step = ""
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def start(self, phase: str) -> None:
        self.phase, self.step, self.started = phase, "", time.monotonic()
        if not self.live:
            self._print(f"{phase}: ...")
            return
        self._stop.clear()
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()

    def on_line(self, line: str) -> None:
        step = any_header(line)
        if step is None or step.label == self.step:
            return
        self.step = step.label
        if not self.live:
            self._print(f"{self.phase}: {self.step}")

    def done(self) -> None:
        if self._ticker is not None:
            self._stop.set()
            self._ticker.join()
            self._ticker = None
            with self._lock:
                self.stream.write("\r\x1b[K")
                self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            elapsed = time.monotonic() - self.started
            width = shutil.get_terminal_size().columns
            text = f"{self.phase} {elapsed:5.0f}s {self.step}"[: width - 1]
            with self._lock:
                self.stream.write(f"\r\x1b[K{text}")
                self.stream.flush()

    def _print(self, text: str) -> None:
        elapsed = time.monotonic() - self.started
        self.stream.write(f"[{elapsed:5.1f}s] {text}\n")
        self.stream.flush()
