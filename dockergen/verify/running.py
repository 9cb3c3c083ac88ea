"""One production-like run of the built image, probed the way its config calls for."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Final

from dockergen.verify.diagnose import UNREACHABLE, Context, diagnose
from dockergen.verify.image import ImageConfig, Mode, choose_mode, help_command
from dockergen.verify.options import VerifyOptions
from dockergen.verify.probe import ProbeResult, probe_command, probe_server
from dockergen.verify.run import RunOptions, container, host_port, logs


@dataclass(frozen=True)
class Outcome:
    """What running the image showed: the probe's result and the container's output."""

    probe: ProbeResult
    output: str  # the container's stdout and stderr
    port: int | None = None
    host_port: int | None = None


def run_and_probe(tag: str, config: ImageConfig, options: VerifyOptions, ctx: Context) -> Outcome:
    # --path asks for an HTTP page: a server, whatever the image EXPOSEs.
    forced = Mode.SERVER if options.http_path and options.mode is Mode.AUTO else options.mode
    mode = choose_mode(config, forced)
    base = RunOptions(
        env=options.env,
        env_files=tuple(str(p) for p in options.env_files),
        read_only=options.read_only,
    )
    if mode is Mode.SERVER:
        return _server(tag, config, options, base, ctx)
    # The image's own CMD first, as production runs it; `--help` only when that CMD stops at
    # once asking for arguments (a CLI image is run with them), and the report says so.
    shown = "its CMD `" + " ".join((*config.entrypoint, *config.cmd)) + "`"
    first = _command(tag, base, (), mode, options, shown)
    if (
        mode is Mode.CLI
        and not first.probe.ok
        and first.probe.exited
        and _asks_for_arguments(first.output)
    ):
        helped = _command(tag, base, help_command(config), mode, options, f"{shown} --help")
        if helped.probe.ok:
            detail = (
                f"{shown} wants arguments or input (it exited {first.probe.exited.exit_code} "
                f"asking for them); {helped.probe.detail}"
            )
            return Outcome(dataclasses.replace(helped.probe, detail=detail), helped.output)
    return first


def _command(
    tag: str,
    base: RunOptions,
    command: tuple[str, ...],
    mode: Mode,
    options: VerifyOptions,
    shown: str,
) -> Outcome:
    with container(tag, dataclasses.replace(base, command=command)) as name:
        probe = probe_command(
            name,
            mode,
            timeout=options.timeout,
            worker_seconds=options.worker_seconds,
            auto=options.mode is Mode.AUTO,
            ran=shown,
        )
        return Outcome(probe, logs(name))


# What a command-line tool prints when it wants arguments (argparse, click, typer, docopt),
# or input it prompts for on a terminal the container does not have (EOF at its prompt).
_USAGE: Final = re.compile(
    r"^\s*usage:|the following arguments are required|Missing (?:argument|command|option)|"
    r"Try '.+ --help'|No such command|requires at least|no command given|--help for more|"
    r"EOFError|EOF when reading a line|^Aborted!$",
    re.IGNORECASE | re.MULTILINE,
)


def _asks_for_arguments(output: str) -> bool:
    return bool(_USAGE.search(output))


def _server(
    tag: str, config: ImageConfig, options: VerifyOptions, base: RunOptions, ctx: Context
) -> Outcome:
    if not config.ports:
        detail = (
            "a server was asked for (--mode server or --path), but the image EXPOSEs no port; "
            "add EXPOSE (dockergen --port)"
        )
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
