"""The facts dockergen works from: plain, frozen values with no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from dockergen.safety import AppPath, CheckedPath
from dockergen.steps import Recipe

T = TypeVar("T")


class Installer(enum.StrEnum):
    """How the project's dependencies are installed; the value names its module in installers/."""

    PIP = "pip"
    PIPENV = "pipenv"
    POETRY = "poetry"
    UV = "uv"
    PDM = "pdm"
    PEP621 = "pep621"


@dataclass(frozen=True, slots=True)
class Decided(Generic[T]):
    """A decision and where it came from.

    `source` is a project-relative file (`poetry.lock`), a flag (`--python`) or `default`;
    `detail` quotes what in that source decided it; `overridden` lists weaker evidence that
    pointed elsewhere, so `plan`-style output can say what lost and why.
    """

    value: T
    source: str
    detail: str = ""
    overridden: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DevTarget:
    """The `dev` stage: what the installer adds for development, and how the app runs there."""

    # Files the dev install reads besides the production manifests (requirements-dev.txt).
    manifests: tuple[CheckedPath, ...] = ()
    # The dev dependency groups, extras or requirement files, in the installer's own terms.
    groups: tuple[str, ...] = ()
    # The start command with the server's reload flag, when the server has one.
    command: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InstallFacts:
    """How the chosen installer installs this project, as its module (dockergen.installers)
    found it. Paths are project-relative POSIX strings."""

    # Files copied into the builder before the dependency install, in copy order.
    manifests: tuple[CheckedPath, ...]
    requirements: CheckedPath | None = None  # pip only: the file handed to `pip install -r`
    locked: bool = False  # a lock file is present and the install refuses to deviate from it
    lockfile: str | None = None  # that lock file, when `locked`
    installs_project: bool = False  # the project itself is installed on top of its dependencies
    # Dependencies can be installed before the source is copied (false when a requirements
    # file points at local paths, or PEP 621 dependencies are dynamic).
    deps_before_source: bool = True
    local_dependencies: tuple[str, ...] = ()  # installed from paths inside the project
    # Their files and directories (ending in /), copied with the manifests before the install;
    # empty when they need the whole source first (deps_before_source is false then).
    local_paths: tuple[CheckedPath, ...] = ()
    workspace_members: tuple[str, ...] = ()  # uv workspace root: member directories
    apt_build: tuple[str, ...] = ()  # what the installer needs in the builder (git, for VCS)
    # The installer release the builder installs when the project asks for one the pin does
    # not satisfy (`required-version`, `requires-poetry`); None: the pin.
    tool_requirements: Decided[tuple[str, ...]] | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Apt:
    """Debian packages for the builder and for the final image, each only once."""

    build: tuple[str, ...] = ()
    run: tuple[str, ...] = ()
    # Why dependencies asked for them ("psycopg2: build ..., run libpq5").
    reasons: tuple[str, ...] = ()
    # Without a lock, which packages build from source is known only when the build runs: the
    # compiler and headers the builder installs if, and only if, the install fails without.
    on_demand: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Stub:
    """Whether the project itself installs before its source, against stand-ins for its
    packages (dockergen.stub), or from its source, and why. Both none: it is not installed."""

    # The stand-ins: `.value` lists them (`pkg/`, `src/pkg/` or `module.py`), `.detail` says
    # what decided them. The final stage's source copy puts the real code where the install
    # points, so a code change re-runs nothing in the builder.
    packages: Decided[tuple[CheckedPath, ...]] | None = None
    # Files the project's metadata reads (readme, license), copied before that install.
    files: tuple[CheckedPath, ...] = ()
    # Why the project is installed from its source instead (`.source`: the file that says so).
    refused: Decided[str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectSpec:
    """Everything a render needs, as facts. Paths are project-relative POSIX strings."""

    installer: Decided[Installer]
    python: Decided[str]
    # The Debian release the python image is built on (dockergen.debian).
    debian: Decided[str]
    install: InstallFacts
    # What the installer runs, with why (its module's `recipe`); dockergen.buildplan lays it out.
    recipe: Recipe = field(default_factory=Recipe)
    apt: Apt = Apt()
    command: Decided[tuple[str, ...]] | None = None
    port: Decided[int] | None = None  # EXPOSEd only when known
    # The URL path the Dockerfile's HEALTHCHECK asks for; only when the user chose one.
    healthcheck: Decided[str] | None = None
    # A one-off command the authors run before each deploy (Procfile `release:`, fly.toml
    # release_command, render.yaml preDeployCommand): compose runs it before the app.
    release: Decided[tuple[str, ...]] | None = None
    # ENV lines of the final stage: (name, value), each with why (PORT for Procfile commands).
    environment: tuple[Decided[tuple[str, str]], ...] = ()
    # Directories the app writes into (Django's SQLite database, Flask's instance folder): the
    # app's user owns these directories, never the source files in them.
    writable: tuple[Decided[AppPath], ...] = ()
    # Commands the final stage runs after the source copy (Django's collectstatic).
    build_steps: tuple[Decided[tuple[str, ...]], ...] = ()
    # Package indexes besides the default one: install steps get a netrc secret mount.
    indexes: tuple[Decided[str], ...] = ()
    # Files the build reads besides the manifests (readme, license files, license-files
    # patterns): never ignored.
    keep_files: tuple[CheckedPath, ...] = ()
    # The `dev` target (`init --dev`); None renders the production stages only.
    dev: DevTarget | None = None
    # The build backend takes the version from git, absent from the context: `.value` names the
    # variable that supplies it instead (from the version build argument) on the step that
    # installs the project; `.detail` says what in pyproject.toml shows it.
    version_from_git: Decided[str] | None = None
    stub: Stub = Stub()
    warnings: tuple[str, ...] = field(default=())

    @property
    def manifests(self) -> tuple[CheckedPath, ...]:
        """The files the dependency install reads (`install.manifests`)."""
        return self.install.manifests


@dataclass(frozen=True, slots=True)
class RenderedFile:
    """One output file: its project-relative name and full text."""

    name: str
    content: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Overrides:
    """What the user decided (flags, later answers); each beats detection."""

    installer: Installer | None = None
    python: str | None = None
    debian: str | None = None  # a Debian release: bookworm, trixie
    command: tuple[str, ...] | None = None
    port: int | None = None
    healthcheck: str | None = None  # a URL path such as /health
    apt_run: tuple[str, ...] = ()
    apt_build: tuple[str, ...] = ()
    templates: str | None = None  # a team's template directory, relative to the project
    dev: bool | None = None  # render the `dev` target too
    # `dockergen ci` (dockergen.runners): the pushed image's platforms, GitHub's arm64 runner,
    # the one-job QEMU layout, GitLab's runner tags per architecture ("arm64=TAG").
    platforms: tuple[str, ...] = ()
    arm_runner: str | None = None
    qemu: bool | None = None
    runner_tags: tuple[str, ...] = ()
