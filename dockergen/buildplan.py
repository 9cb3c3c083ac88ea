"""The build plan: which steps, in which order, decided once for every installer.

Pure: a ProjectSpec in, a BuildPlan of typed steps out. The installer's recipe (spec.recipe)
says what its tool runs; this module decides the layout around it, the same way for all of
them: what is copied before what, which step installs the dependencies and which the project,
where the stand-ins are created, which step reads the version argument, and the dev stage.
The skeleton template writes the plan (templates/Dockerfile.j2); `plan` reads it too.
"""

from __future__ import annotations

from typing import Final

from dockergen.buildcontext import VERSION_ARG, header, kept_files, unique
from dockergen.fixedsteps import (
    after_source,
    apt_install_uncached,
    apt_lists_removed,
    apt_steps,
    compile_step,
    dev_runtime,
    runtime,
)
from dockergen.model import Decided, InstallFacts, ProjectSpec
from dockergen.mounts import NETRC, PIP_CACHE_LINT, CacheMount, dependencies
from dockergen.safety import CheckedPath
from dockergen.steps import (
    Arg,
    BuildPlan,
    Comment,
    Copy,
    CopySource,
    Env,
    Install,
    Line,
    Paragraph,
    Raw,
    Run,
    Stage,
    command,
    comment,
    copy_files,
    paragraphs,
)
from dockergen.text import one_line

_BASE_ENV: Final = (("PIP_DISABLE_PIP_VERSION_CHECK", "1"), ("PYTHONUNBUFFERED", "1"))
_DEV_SOURCE: Final = "The source, owned by the app's user, so edits can be synced into /app."
_BUILDER_TOOL: Final = "The installer lives in this stage only; the final image never sees it."
_DEV_TOOL: Final = (
    "The installer stays in the dev image: add a dependency inside it, then update the lock."
)


def plan_build(spec: ProjectSpec) -> BuildPlan:
    cache = dependencies(spec.debian.value)
    layout = _Layout(spec, cache)
    project = None
    if spec.install.installs_project:
        project = "stand-ins" if spec.stub.packages else "source"
    return BuildPlan(
        header=header(spec),
        cache=cache,
        builder=Stage(
            env=Env((*_BASE_ENV, *spec.recipe.env)),
            apt=apt_steps(spec.apt.build),
            steps=layout.builder(),
        ),
        dev=layout.dev() if spec.dev else None,
        final=Stage(apt=apt_steps(spec.apt.run), steps=after_source(spec), runtime=runtime(spec)),
        keep=kept_files(spec),
        project=project,
        compile_step=compile_step(spec),
    )


class _Layout:
    """The builder and dev stages of one spec: its recipe's installs, in their places."""

    def __init__(self, spec: ProjectSpec, cache: CacheMount) -> None:
        self.spec, self.cache, self.recipe = spec, cache, spec.recipe
        self.source_first = not spec.install.deps_before_source

    def builder(self) -> tuple[Paragraph, ...]:
        """The installer; the manifests (or the source, when the dependencies need it) and
        the dependencies; then the project. Without a separate dependency install (dynamic
        PEP 621 dependencies) the project install takes its place, and installs both."""
        recipe = self.recipe
        tool = self._tool(_BUILDER_TOOL)
        if self.source_first:
            first: Paragraph = (Comment((self._source_first(),)), CopySource())
        else:
            first = (*self._local_note(), *_copies(self.spec.install))
        if recipe.dependencies is None:
            return paragraphs(
                tool, self._prepare(), (*first, *self._from_source(copy=False, resolves=True))
            )
        deps = self.install(
            recipe.dependencies, builds=not self.spec.install.installs_project, resolves=True
        )
        return paragraphs(tool, self._prepare(), (*first, *deps), self._project())

    def dev(self) -> Stage:
        """Like the builder, with the dev dependencies; the source (owned by the app's user,
        for compose's watch) comes before the project, which installs editable."""
        spec, recipe = self.spec, self.recipe
        tool = self._tool(_DEV_TOOL)
        source = (Comment((_DEV_SOURCE,)), CopySource(chown=True))
        project: Paragraph = ()
        if recipe.dev_dependencies is None:
            deps = self.install(recipe.dev_project, builds=True, resolves=True)
        else:
            deps = self.install(
                recipe.dev_dependencies, builds=not spec.install.installs_project, resolves=True
            )
            if spec.install.installs_project:
                project = self.install(recipe.dev_project, builds=True)
        if self.source_first:
            first = (Comment((self._source_first(),)), *source, *deps)
            steps = paragraphs(tool, self._prepare(), first, project)
        else:
            copies = (*_copies(spec.install), *copy_files(spec.dev.manifests if spec.dev else ()))
            steps = paragraphs(tool, self._prepare(), copies, deps, source, project)
        path = ("PATH", Raw("/app/.venv/bin:$PATH"))
        env = Env((*_BASE_ENV, *recipe.env, path, ("PYTHONDONTWRITEBYTECODE", "1")))
        apt = apt_steps(unique((*spec.apt.build, *spec.apt.run)))
        return Stage(env=env, apt=apt, steps=steps, runtime=dev_runtime(spec))

    def install(
        self,
        install: Install | None,
        *,
        builds: bool,
        between: tuple[str, ...] = (),
        first: Line | None = None,
        resolves: bool = False,
    ) -> Paragraph:
        """An install's notes; the version argument when the step builds the project; the
        layout's comment lines (`between`); lint waivers; the RUN, after `first` if any. An
        install that `resolves` the dependencies with no lock gets the compiler on demand."""
        if install is None:
            return ()
        version = self.spec.version_from_git if builds else None
        lines = _versioned(install.lines, version) if version else install.lines
        lines = (first, *lines) if first else lines
        compiler = self.spec.apt.on_demand if resolves and install.cached else ()
        lint = _with_apt_lint(install.lint) if compiler else install.lint
        return (
            *comment(install.notes),
            *_version_arg(version),
            *comment(between),
            *comment(_on_demand_notes(compiler)),
            *comment(lint),
            self._run(lines, cached=install.cached, compiler=compiler),
        )

    def _run(self, lines: tuple[Line, ...], *, cached: bool, compiler: tuple[str, ...] = ()) -> Run:
        if not cached:
            return Run(lines)
        secrets = (NETRC,) if self.spec.indexes else ()
        if not compiler:
            return Run(lines, (self.cache,), secrets)
        # No apt cache mounts here: the dependency cache is this RUN's one locked mount, and a
        # second would never be released on Buildah 1.28 (the next RUN using it would hang).
        again = (*apt_install_uncached(compiler), *lines, apt_lists_removed())
        return Run(lines, (self.cache,), secrets, otherwise=again)

    def _tool(self, why: str) -> Paragraph:
        """The installer itself, installed by the image's pip: why it is there, and why this
        release when it is not the pin."""
        if not self.recipe.tool:
            return ()
        run = self._run(((command("pip", "install", *self.recipe.tool),),), cached=True)
        notes = (why, *filter(None, (self.recipe.tool_note,)))
        return (Comment(notes), Comment(PIP_CACHE_LINT), run)

    def _prepare(self) -> Paragraph:
        prepare = self.recipe.prepare
        return self.install(prepare, builds=False) if prepare else ()

    def _project(self) -> Paragraph:
        """The project itself, after its dependencies: editable against empty stand-ins for
        its packages, before the source; else from its source."""
        spec = self.spec
        if not spec.install.installs_project:
            return ()
        if stub := spec.stub.packages:
            install = self.install(
                self.recipe.project_stub,
                builds=True,
                between=_stub_note(stub),
                first=stand_ins(stub.value),
            )
            return (*copy_files(spec.stub.files), *install)
        return self._from_source(copy=not self.source_first)

    def _from_source(self, *, copy: bool, resolves: bool = False) -> Paragraph:
        """Why the project installs from its source, the source (unless it came first), the
        install."""
        refused = self.spec.stub.refused
        why = (
            (
                f"The project itself, from its source ({one_line(refused.value)}): a code change "
                "re-runs this install.",
            )
            if refused
            else ()
        )
        return (
            *comment(why),
            *((CopySource(),) if copy else ()),
            *self.install(self.recipe.project, builds=True, resolves=resolves),
        )

    def _source_first(self) -> str:
        return self.recipe.source_first or f"{self._local()} need the source first."

    def _local_note(self) -> Paragraph:
        later = "come in with the manifests; the rest of the source later."
        return (Comment((f"{self._local()} {later}",)),) if self.spec.install.local_paths else ()

    def _local(self) -> str:
        return (
            f"Local path dependencies ({one_line(', '.join(self.spec.install.local_dependencies))})"
        )


def _on_demand_notes(compiler: tuple[str, ...]) -> tuple[str, ...]:
    """Why an unlocked install may install a compiler: which packages lack a wheel is known
    only when the installer resolves."""
    if not compiler:
        return ()
    return (
        "Without a lock file, which packages must be compiled is known only as they install:",
        f"if it fails, {one_line(', '.join(compiler))} is installed and the install tried again",
        "(`dockergen update --apt-build build-essential` installs it up front, from apt's cache).",
    )


def _with_apt_lint(lint: tuple[str, ...]) -> tuple[str, ...]:
    """hadolint reads only the waiver right above an instruction: apt's (DL3008) joins it."""
    waiver = "hadolint ignore="
    if not any(line.startswith(waiver) for line in lint):
        return (*lint, f"{waiver}DL3008")
    return tuple(line + ",DL3008" if line.startswith(waiver) else line for line in lint)


def _version_arg(version: Decided[str] | None) -> Paragraph:
    """The version a git-reading build backend would compute: a build argument, declared
    right before the one step that builds the project."""
    if version is None:
        return ()
    why = (
        "The version comes from git, which is not in the context: a build argument, read by "
        "this step only."
    )
    return (Comment((why,)), Arg(VERSION_ARG, "0.0.0"))


def _versioned(lines: tuple[Line, ...], version: Decided[str]) -> tuple[Line, ...]:
    """The backend's variable, set from the build argument, on the install's first command."""
    head, *rest = lines[0]
    prefixed = command(Raw(f"{version.value}=${VERSION_ARG}"), *head.words, stdout=head.stdout)
    return ((prefixed, *rest), *lines[1:])


def stand_ins(paths: tuple[CheckedPath, ...]) -> Line:
    """The commands that create the stand-ins: empty `__init__.py` files (`dir/`), modules
    (`name.py`), or folders without either (`dir`)."""
    folders = [p.folder if p.endswith(("/", ".py")) else p for p in paths]
    files = [
        p.child("__init__.py") if p.endswith("/") else p for p in paths if p.endswith(("/", ".py"))
    ]
    made = tuple(dict.fromkeys(f for f in folders if f))
    mkdir = (command("mkdir", "-p", *made),) if made else ()
    return (*mkdir, command("touch", *files))


def _stub_note(packages: Decided[tuple[CheckedPath, ...]]) -> tuple[str, ...]:
    which = f"({one_line(', '.join(packages.value))}; {one_line(packages.detail)})"
    return (
        "The project itself, editable, before its source: empty stand-ins for its packages",
        f"{which} are enough to install it. The final",
        "stage copies the real source to where the install points, so a code change re-runs "
        "nothing here.",
    )


def _copies(facts: InstallFacts) -> Paragraph:
    """The manifests, then the files and directories local path dependencies install from."""
    files = [p for p in facts.local_paths if not p.endswith("/")]
    dirs = [p for p in facts.local_paths if p.endswith("/")]
    return (*copy_files((*facts.manifests, *files)), *(Copy((p,), f"./{p}") for p in dirs))
