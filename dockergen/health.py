"""The healthcheck probe: one command for the Dockerfile's HEALTHCHECK and for compose.yaml.

Rendering only: which path is asked (a user's choice, checked in safety.py) is decided in
detect.py, so this module reads nothing of the project.

The final image has python (it is the app's runtime) but no curl or wget, so the probe is a
urllib one-liner run by the image's own python. urlopen raises, so the exit code is non-zero,
on a refused connection, a timeout and any HTTP status >= 400.
"""

from __future__ import annotations

from typing import Final

from dockergen.model import ProjectSpec

PROBE: Final = "import urllib.request; urllib.request.urlopen({url!r}, timeout=4)"


def probe_command(port: int, path: str = "/") -> tuple[str, ...]:
    """The probe, exec form: python asks http://127.0.0.1:PORT/PATH inside the container."""
    return ("python", "-c", PROBE.format(url=f"http://127.0.0.1:{port}{path}"))


def dockerfile_healthcheck(spec: ProjectSpec) -> tuple[str, ...] | None:
    """The HEALTHCHECK command of the Dockerfile: only for a path the user chose."""
    if spec.healthcheck is None or spec.port is None:
        return None
    return probe_command(spec.port.value, spec.healthcheck.value)


def compose_healthcheck(spec: ProjectSpec) -> tuple[str, ...] | None:
    """compose.yaml's `test:`: the same probe, of the chosen path or else `/`, with a port."""
    if spec.port is None:
        return None
    path = spec.healthcheck.value if spec.healthcheck else "/"
    return ("CMD", *probe_command(spec.port.value, path))
