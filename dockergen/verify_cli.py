"""`dockergen verify`: registered on the app by dockergen.cli; the work is dockergen.verify's."""

# Annotations are objects, not strings: Typer reads them at each start (see dockergen/cli.py).

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from dockergen.console import user_errors
from dockergen.options import PathArg


def verify_command(
    path: PathArg = Path(),
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Dockerfile to build.")] = None,
    mode: Annotated[str, typer.Option(help="auto | server | cli | worker.")] = "auto",
    http_path: Annotated[str | None, typer.Option("--path", help="Must answer 2xx/3xx.")] = None,
    env: Annotated[list[str] | None, typer.Option(help="KEY=VALUE (repeatable).")] = None,
    env_file: Annotated[list[Path] | None, typer.Option(help="An env file.")] = None,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="--read-only, tmpfs /tmp.")
    ] = False,
    cache: Annotated[bool, typer.Option("--cache", help="Check a code-only rebuild.")] = False,
    keep_image: Annotated[bool, typer.Option("--keep-image", help="Keep the built image.")] = False,
    shared_cache: Annotated[
        bool,
        typer.Option(
            "--shared-cache",
            help="Build with the engine's shared cache mounts (faster, less proof).",
        ),
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to answer or exit.")] = 60.0,
    worker_seconds: Annotated[float, typer.Option(help="A worker runs this long.")] = 5.0,
    engine: Annotated[
        str, typer.Option(help="docker | podman | auto: Docker when it answers, else Podman.")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="JSON report (schema 1).")] = False,
) -> None:
    """Build the Dockerfile, run the image as production would, probe it, explain failures.

    Exit 0 when it works, 1 when not (with the cause and the fix). Example: dockergen verify
    --cache --path /health
    """
    from dockergen import verify as v

    with user_errors():
        try:
            options = v.VerifyOptions(
                path, file, v.parse_mode(mode), http_path, tuple(env or ()),
                tuple(env_file or ()), read_only, cache, keep_image, timeout, worker_seconds,
                shared_cache=shared_cache,
                engine=v.parse_engine(engine),
            )  # fmt: skip
            report = v.verify(options, v.Progress(sys.stderr, live=sys.stderr.isatty()))
        except v.VerifyUsageError as exc:
            typer.echo(f"dockergen: error: {exc}", err=True)
            raise typer.Exit(code=2) from None
        except KeyboardInterrupt:  # verify removed what it started before this
            typer.echo(
                "dockergen: error: interrupted; its container and image are removed", err=True
            )
            raise typer.Exit(code=130) from None
    lines = [json.dumps(v.to_json(report), indent=2)] if as_json else v.human_lines(report)
    typer.echo("\n".join(lines))
    raise typer.Exit(code=0 if report.ok else 1)
