"""Steps of the build plan no installer changes: apt (in any stage), what the final stage runs
after its source arrives, and how the app runs (the dev stage ends the same way)."""

from __future__ import annotations

from typing import Final

from dockergen.health import dockerfile_healthcheck
from dockergen.model import ProjectSpec
from dockergen.mounts import APT
from dockergen.steps import (
    Cmd,
    Comment,
    Env,
    Expose,
    Healthcheck,
    Line,
    Paragraph,
    Raw,
    Run,
    Step,
    User,
    command,
)
from dockergen.text import one_line

# The app's user: a fixed numeric UID, so Kubernetes' runAsNonRoot can check it.
APP_USER: Final = "10001:10001"
_APT_NOTES: Final = (
    "apt's downloads and lists live in cache mounts: a rebuild fetches no .deb twice.",
    "Versions come from the Debian release the base image pins (DL3008).",
    "hadolint ignore=DL3008",
)
_COMPILE_NOTES: Final = (
    "Compiles the app's own modules first: this step re-runs after every code change anyway, so",
    "their bytecode costs no extra step (a file that does not compile is reported, not fatal).",
)
_NO_COMPILE_NOTES: Final = (
    "The app's own modules are compiled when first imported, in each new container: a compile",
    "step here would re-run after every code change, and the slow part of a start, the standard",
    "library and the dependencies, is compiled already.",
)


def apt_steps(packages: tuple[str, ...]) -> tuple[Paragraph, ...]:
    """One apt-get install of `packages`, with apt's cache mounts; nothing without any."""
    if not packages:
        return ()
    return ((Comment(_APT_NOTES), Run(apt_install(packages), APT)),)


def apt_install_uncached(packages: tuple[str, ...]) -> tuple[Line, ...]:
    """The same with no cache mounts, for a RUN whose one locked mount is another (Buildah
    1.28 releases only the last cache a RUN locks); `apt_lists_removed` ends it."""
    return (
        (command("apt-get", "update"),),
        (command("apt-get", "install", "-y", "--no-install-recommends", *packages),),
    )


def apt_lists_removed() -> Line:
    """apt's package lists, downloaded into the layer when no cache mount holds them (DL3009)."""
    return (command("rm", "-rf", Raw("/var/lib/apt/lists/*")),)


def apt_install(packages: tuple[str, ...]) -> tuple[Line, ...]:
    """The commands that install `packages` from Debian, on apt's cache mounts."""
    return (
        (command("rm", "-f", "/etc/apt/apt.conf.d/docker-clean"),),
        (command("apt-get", "update"),),
        (command("apt-get", "install", "-y", "--no-install-recommends", *packages),),
    )


def compile_step(spec: ProjectSpec) -> tuple[str, ...] | None:
    """The build step that compiles the app's own modules first: it re-runs after every code
    change anyway. Without one they compile at first import (a step of its own would re-run
    after every code change too)."""
    return spec.build_steps[0].value if spec.build_steps else None


def after_source(spec: ProjectSpec) -> tuple[Paragraph, ...]:
    """After the final stage's source copy: the build steps (Django's collectstatic), the
    first compiling the app's own modules (compile_step), and the folders the app's user
    owns."""
    steps: list[Step] = []
    for number, step in enumerate(spec.build_steps):
        steps.append(Comment((one_line(step.detail),)))
        run = (command(*step.value),)
        if number == 0:  # compile_step
            compile_ = command("python", "-m", "compileall", "-q", "-x", "/app/\\.venv/", "/app")
            compile_ = command(*compile_.words, Raw("||"), "true")
            steps += [Comment(_COMPILE_NOTES), Run(((compile_,), run))]
        else:
            steps.append(Run((run,)))
    if not spec.build_steps:
        steps.append(Comment(_NO_COMPILE_NOTES))
    for folder in spec.writable:
        why = f"{one_line(folder.detail)}: the app's user owns the folder, not the code in it."
        own = (command("mkdir", "-p", folder.value), command("chown", APP_USER, folder.value))
        steps += [Comment((why,)), Run((own,))]
    return (tuple(steps),)


def runtime(spec: ProjectSpec) -> tuple[Paragraph, ...]:
    """How the final image runs: its healthcheck, its user, environment, port and command."""
    probe = dockerfile_healthcheck(spec)
    health: Paragraph = ()
    if probe and spec.healthcheck:
        asks = (
            f"Asks the app for {spec.healthcheck.value} with the image's own python (there is "
            "no curl)."
        )
        podman = (
            "Podman keeps it only in Docker's image format: `podman build --format docker` (OCI "
            "has none)."
        )
        health = (Comment((asks, podman)), Healthcheck(probe))
    command_ = (Cmd(spec.command.value),) if spec.command else _NO_COMMAND
    return tuple(p for p in (health, (*_running(spec), *command_)) if p)


# No start command was found: the image says so and stops, instead of running its base
# image's python3, which exits 0 and would look healthy (to `docker run` and to verify).
NO_COMMAND_MESSAGE: Final = (
    "dockergen: no start command was found for this image; set one with "
    "`dockergen update --command '...'`"
)
_NO_COMMAND: Final = (
    Comment(
        (
            "No start command was found (see `dockergen plan`): this CMD says so and stops, so a",
            "container never looks healthy while running nothing. Set one with --command.",
        )
    ),
    Cmd(("python", "-c", f"import sys; sys.exit({NO_COMMAND_MESSAGE!r})")),
)


def dev_runtime(spec: ProjectSpec) -> tuple[Paragraph, ...]:
    """How the dev image runs: as production, with the server's reload when it has one."""
    dev_command: Paragraph = ()
    if spec.dev and spec.dev.command:
        reloads = spec.command is None or spec.dev.command != spec.command.value
        why = (
            "The start command, with the server's reload: an edit synced into /app restarts the "
            "app."
        )
        dev_command = (*((Comment((why,)),) if reloads else ()), Cmd(spec.dev.command))
    return ((*_running(spec), *dev_command),)


def _running(spec: ProjectSpec) -> Paragraph:
    environment = [
        step
        for env in spec.environment
        for step in (Comment((one_line(env.detail),)), Env((env.value,)))
    ]
    expose = (Expose(spec.port.value),) if spec.port else ()
    return (User(APP_USER), *environment, *expose)
