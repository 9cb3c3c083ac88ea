"""One production-like run of the built image, probed the way its config calls for."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from dockergen.verify.diagnose import UNREACHABLE, Context, diagnose
from dockergen.verify.image import ImageConfig, Mode, choose_mode, help_command
from dockergen.verify.options import VerifyOptions
from dockergen.verify.probe import ProbeResult, probe_command, probe_server
from dockergen.verify.run import RunOptions, container, host_port, logs


@dataclass(frozen=True)
class Outcome:
    probe: ProbeResult
    output: str  # the container's stdout and stderr
    port: int | None = None
    host_port: int | None = None


def run_and_probe(tag: str, config: ImageConfig, options: VerifyOptions, ctx: Context) -> Outcome:
    mode = choose_mode(config, options.mode)
    base = RunOptions(
        env=options.env,
        env_files=tuple(str(p) for p in options.env_files),
        read_only=options.read_only,
    )
    if mode is Mode.SERVER:
        return _server(tag, config, options, base, ctx)
    command = help_command(config) if mode is Mode.CLI else ()
    with container(tag, dataclasses.replace(base, command=command)) as name:
        probe = probe_command(
            name,
            mode,
            timeout=options.timeout,
            worker_seconds=options.worker_seconds,
            auto=options.mode is Mode.AUTO,
        )
        return Outcome(probe, logs(name))


def _server(
    tag: str, config: ImageConfig, options: VerifyOptions, base: RunOptions, ctx: Context
) -> Outcome:
    if not config.ports:
        detail = "--mode server, but the image EXPOSEs no port; add EXPOSE (dockergen --port)"
        return Outcome(ProbeResult(False, Mode.SERVER, 0.0, detail), "")
    port = config.ports[0]
    with container(tag, dataclasses.replace(base, port=port)) as name:
        published = host_port(name, port)
        probe = probe_server(
            name, published, options.http_path, options.timeout, lambda: _unreachable(name, ctx)
        )
        return Outcome(probe, logs(name), port, published)


def _unreachable(name: str, ctx: Context) -> bool:
    """The output already shows the server listening where the published port is not."""
    found = diagnose(logs(name), ctx)
    return any(d.pattern in UNREACHABLE for d in found)
