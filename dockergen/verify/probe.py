"""Does the running container work? One probe per mode, each bounded in time."""

from __future__ import annotations

import dataclasses
import http.client
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from dockergen.verify.image import Mode
from dockergen.verify.run import POLL_SECONDS, State, state, wait_exit

GRACE_SECONDS: Final = 5.0
BODY_BYTES: Final = 4096


@dataclass(frozen=True)
class ProbeResult:
    """Whether the running container did what its mode expects, and what it said."""

    ok: bool
    mode: Mode
    seconds: float
    detail: str  # what happened, one line
    status: int | None = None  # the HTTP status, for servers
    exited: State | None = None  # set when the container stopped
    body: str = ""  # the start of an answer that failed: what the app said, for the diagnosis


def http_status(port: int, path: str, timeout: float = 2.0) -> int | None:
    """The status of one GET on loopback; None when nothing answers HTTP (yet)."""
    answer = http_answer(port, path, timeout)
    return answer[0] if answer else None


def http_answer(port: int, path: str, timeout: float = 2.0) -> tuple[int, str] | None:
    """The status and the start of the body of one GET on loopback; None without an answer.

    Asked as a browser on this machine asks, for localhost; an app that refuses that host
    (400: Django's ALLOWED_HOSTS) is asked once more for 127.0.0.1, the other local name."""
    answer = _get(port, path, "localhost", timeout)
    if answer is not None and answer[0] == 400:
        return _get(port, path, "127.0.0.1", timeout) or answer
    return answer


def _get(port: int, path: str, host: str, timeout: float) -> tuple[int, str] | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"User-Agent": "dockergen-verify", "Host": f"{host}:{port}"}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read(BODY_BYTES) if response.status >= 400 else b""
        return response.status, body.decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        # Refused, reset (Docker's proxy accepts, then drops), or not HTTP.
        return None
    finally:
        connection.close()


def probe_server(
    name: str, port: int, path: str | None, timeout: float, hopeless: Callable[[], bool]
) -> ProbeResult:
    """Any HTTP answer proves the server is up (a 404 too); --path must answer 2xx/3xx.

    After GRACE_SECONDS without an answer, `hopeless()` may end the wait early (the log
    already says the server listens where no request can reach it).
    """
    started = time.monotonic()
    while True:
        elapsed = time.monotonic() - started
        answer = http_answer(port, path or "/")
        if answer is not None:
            return dataclasses.replace(_judge(answer[0], path, elapsed), body=answer[1])
        current = state(name)
        if not current.running:
            detail = f"the server exited with code {current.exit_code} before answering"
            return ProbeResult(False, Mode.SERVER, elapsed, detail, exited=current)
        if elapsed >= timeout or (elapsed >= GRACE_SECONDS and hopeless()):
            detail = "no HTTP answer"
            return ProbeResult(False, Mode.SERVER, elapsed, detail)
        time.sleep(POLL_SECONDS)


# Answers that show the server up and the app working, though / is no page of its own: an API
# with no root route (404), one behind a login (401, 403), a form that wants a query (405, 422).
_UP_WITHOUT_A_PAGE: Final = frozenset({401, 403, 404, 405, 422})


def _judge(status: int, path: str | None, elapsed: float) -> ProbeResult:
    """2xx/3xx works. Without --path, / may be no page: 401/403/404/405/422 prove the app up
    and answering (said, and passed); 400 and 5xx are the app failing the request."""
    if 200 <= status < 400:
        return ProbeResult(True, Mode.SERVER, elapsed, f"answered HTTP {status}", status)
    if path is None and status in _UP_WITHOUT_A_PAGE:
        detail = (
            f"answered HTTP {status} on / (the app is up, and / is no page of its own; "
            "--path /some/page probes one)"
        )
        return ProbeResult(True, Mode.SERVER, elapsed, detail, status)
    detail = f"GET {path or '/'} answered HTTP {status}, not 2xx/3xx"
    return ProbeResult(False, Mode.SERVER, elapsed, detail, status)


def probe_command(
    name: str,
    mode: Mode,
    *,
    timeout: float,
    worker_seconds: float,
    auto: bool,
    ran: str = "--help",
) -> ProbeResult:
    """CLI: exits 0 in time. Worker: still running after `worker_seconds`.

    When the mode was not forced (`auto`), a CLI still running after `worker_seconds` is
    taken for a worker, and that is success: the image config cannot tell the two apart.
    """
    started = time.monotonic()
    wait = worker_seconds if mode is Mode.WORKER or auto else timeout
    current = wait_exit(name, wait)
    elapsed = time.monotonic() - started
    if current.running:
        if mode is Mode.CLI and not auto:
            return ProbeResult(False, mode, elapsed, f"did not exit within {timeout:.0f} s")
        return ProbeResult(True, Mode.WORKER, elapsed, f"still running after {elapsed:.0f} s")
    if mode is Mode.WORKER:
        detail = f"the worker exited with code {current.exit_code} after {elapsed:.1f} s"
        return ProbeResult(False, mode, elapsed, detail, exited=current)
    if current.exit_code == 0:
        return ProbeResult(True, mode, elapsed, f"ran {ran} and exited 0", exited=current)
    detail = f"exited with code {current.exit_code}"
    return ProbeResult(False, mode, elapsed, detail, exited=current)
