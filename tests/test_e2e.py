"""Real builds: every fixture's generated Dockerfile is built, run, and rebuilt twice.

1. builds; 2. runs as the non-root UID on a read-only root filesystem and imports its
dependencies; 3. a code-only change leaves every dependency step CACHED; 4. an added dependency (re-locked with the real tool)
re-runs the install without downloading any earlier distribution again; 5. the final image
holds no installer and no compiler. Run the fast loop without them: pytest -m "not docker".
"""

from __future__ import annotations

import http.client
import re
import shutil
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dockergen.detect import detect_project
from dockergen.model import Installer, Overrides
from dockergen.render import render_files
from dockergen.write import write_files
from tests.docker import (
    DEPENDENCY_CACHE,
    DOCKER,
    Engine,
    build,
    docker,
    image_size,
    installed_distributions,
    probe_cache,
    require_engine,
    uncompiled_modules,
)
from tests.helpers import FIXTURES
from tests.locker import build_locker, relock

pytestmark = pytest.mark.docker
IMAGE_SIZES = pytest.StashKey[dict[str, int]]()

NEW_DEPENDENCY = "tabulate"  # used by no fixture, so its download is the only expected one
UID = "10001"
# Every image runs with a read-only root filesystem, as hardened deployments run it; /tmp
# stays writable (gunicorn's heartbeat files, tempfile).
READ_ONLY = ("--read-only", "--tmpfs", "/tmp")
FORBIDDEN_IN_FINAL = ("poetry", "pdm", "pipenv", "uv", "gcc", "cc", "make")


def _append(name: str, line: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / name
        path.write_text(path.read_text() + line + "\n")

    return edit


def _after_header(name: str, header: str, line: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / name
        text = path.read_text()
        assert header in text, (name, header)
        path.write_text(text.replace(header + "\n", f"{header}\n{line}\n", 1))

    return edit


def _project_dependency(spec: str, where: str = "pyproject.toml") -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / where
        text = path.read_text()
        assert "dependencies = [" in text
        path.write_text(text.replace("dependencies = [", f'dependencies = ["{spec}", ', 1))

    return edit


@dataclass(frozen=True)
class Case:
    source_file: str  # edited for the code-only rebuild
    output: str  # what the smoke run prints first
    add_dependency: Callable[[Path], None]
    relock: Installer | None = None  # the real tool that re-locks the temporary copy
    # pdm fetches through an HTTP cache (hishel) keyed by response headers, not into files
    # named after distributions, so its cache cannot be read back; its steps are still
    # checked for CACHED and its install for running again.
    cache_is_readable: bool = True
    image_check: str = ""  # a shell test the final image must pass
    # A web app: instead of printing `output`, it serves a page holding it at / on this port.
    http_port: int | None = None


CASES = {
    "hatch-vcs": Case(
        "src/stamp/__main__.py", "hatch-vcs ok: stamp 0.0.0,", _project_dependency("tabulate>=0.9")
    ),
    "pip-requirements": Case(
        "app.py", "pip-requirements ok:", _append("requirements.txt", "tabulate==0.9.0")
    ),
    "pip-includes": Case(
        "main.py", "pip-includes ok:", _append("requirements/base.txt", "tabulate==0.9.0")
    ),
    "pip-pyproject": Case(
        "src/greeter/__main__.py", "pip-pyproject ok:", _project_dependency("tabulate>=0.9")
    ),
    "pipenv": Case(
        "app.py",
        "pipenv ok:",
        _after_header("Pipfile", "[packages]", 'tabulate = "*"'),
        Installer.PIPENV,
    ),
    "pipenv-nolock": Case(
        "main.py", "pipenv-nolock ok:", _after_header("Pipfile", "[packages]", 'tabulate = "*"')
    ),
    "poetry": Case(
        "inventory/__main__.py",
        "poetry ok:",
        _after_header("pyproject.toml", "[tool.poetry.dependencies]", 'tabulate = ">=0.9"'),
        Installer.POETRY,
    ),
    "poetry-v2": Case(
        "notes/__main__.py", "poetry-v2 ok:", _project_dependency("tabulate>=0.9"), Installer.POETRY
    ),
    "poetry-license": Case(
        "ledger/__main__.py",
        "poetry-license ok:",
        _project_dependency("tabulate>=0.9"),
        Installer.POETRY,
    ),
    "poetry-nonpackage": Case(
        "main.py",
        "poetry-nonpackage ok:",
        _after_header("pyproject.toml", "[tool.poetry.dependencies]", 'tabulate = ">=0.9"'),
        Installer.POETRY,
    ),
    "uv": Case("main.py", "uv ok:", _project_dependency("tabulate>=0.9"), Installer.UV),
    # A package (hatchling, src layout): installed editable before its source arrives.
    "uv-package": Case(
        "src/uvpkg/greet/__init__.py",
        "uv-package ok:",
        _project_dependency("tabulate>=0.9"),
        Installer.UV,
    ),
    # setuptools, flat layout (a subpackage, a data folder): installed editable before its source.
    "pep621-setuptools": Case(
        "tally/report/__init__.py",
        "pep621-setuptools ok: counted,",
        _project_dependency("tabulate>=0.9"),
    ),
    # uv with setuptools as the backend (src layout, a module beside the package).
    "uv-setuptools": Case(
        "src/ledgerline/fmt/__init__.py",
        "uv-setuptools ok: lines,",
        _project_dependency("tabulate>=0.9"),
        Installer.UV,
    ),
    "pdm": Case(
        "src/pdmapp/__main__.py",
        "pdm ok:",
        _project_dependency("tabulate>=0.9"),
        Installer.PDM,
        cache_is_readable=False,
    ),
    "django": Case(
        "mysite/urls.py",
        "django ok",
        _append("requirements.txt", "tabulate==0.9.0"),
        http_port=8000,
        image_check="test -s /app/staticfiles/hello.txt",  # collectstatic ran at build time
    ),
    "fastapi": Case(
        "app/main.py",
        "fastapi ok",
        _append("requirements.txt", "tabulate==0.9.0"),
        http_port=8000,
    ),
    "flask": Case(
        "app.py", "flask ok", _append("requirements.txt", "tabulate==0.9.0"), http_port=8000
    ),
    "poetry-pathdep": Case(
        "main.py",
        "poetry-pathdep ok:",
        _after_header("pyproject.toml", "[tool.poetry.dependencies]", 'tabulate = ">=0.9"'),
        Installer.POETRY,
    ),
    "pip-psycopg2": Case(
        "app.py", "pip-psycopg2 ok:", _append("requirements.txt", "tabulate==0.9.0")
    ),
    "uv-workspace": Case(
        "packages/greet/src/greet/__init__.py",
        "uv-workspace ok:",
        _project_dependency("tabulate>=0.9", "packages/greet/pyproject.toml"),
        Installer.UV,
    ),
}


def test_every_fixture_has_an_e2e_case() -> None:
    assert sorted(CASES) == sorted(d.name for d in FIXTURES.iterdir() if d.is_dir())


@pytest.fixture(scope="session")
def lock_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_engine()
    build_locker(tmp_path_factory.mktemp("locker"))
    return tmp_path_factory.mktemp("locks")


@pytest.fixture(scope="session")
def sizes(request: pytest.FixtureRequest) -> dict[str, int]:
    """Final image sizes, printed at the end of the run."""
    recorded: dict[str, int] = {}
    request.config.stash[IMAGE_SIZES] = recorded
    return recorded


def _generate(root: Path, *, force: bool, overrides: Overrides | None = None) -> str:
    files = render_files(detect_project(root, overrides))
    write_files(files, root, force=force)
    return files[0].content


# Distributions a venv gets from the interpreter's bundled wheels, never downloaded.
BUNDLED = {"pip", "setuptools", "wheel"}


def _own_distributions(root: Path) -> set[str]:
    """The project itself (and workspace members): built from source, never downloaded."""
    project = detect_project(root)
    names = {re.sub(r"[-_.]+", "-", n).lower() for n in project.install.local_dependencies}
    if not project.install.installs_project:
        return names
    for folder in ("", *(f"{m}/" for m in project.install.workspace_members)):
        text = (root / f"{folder}pyproject.toml").read_text()
        if name := re.search(r'^name = "([^"]+)"', text, re.MULTILINE):
            names.add(re.sub(r"[-_.]+", "-", name.group(1)).lower())
    return names


RUN_ID = uuid.uuid4().hex


def _make_unique(root: Path) -> None:
    """A comment naming this run in the manifest: the engine keeps layers between runs, and
    an earlier run's identical layers would make every build here a cache hit."""
    for name in ("requirements.txt", "Pipfile", "pyproject.toml"):
        if (root / name).is_file():
            path = root / name
            path.write_text(path.read_text() + f"\n# dockergen e2e run {RUN_ID}\n")
            return
    raise AssertionError(f"no manifest to mark in {root}")


def _which(*commands: str) -> str:
    """A shell loop: dash's `command -v a b` reports only the first command."""
    return f"for c in {' '.join(commands)}; do command -v $c; done; true"


def _tag(case: str) -> str:
    return f"dockergen-e2e-{case}"


HTTP_WAIT = 30.0  # seconds a web app may take to answer its first request


def _check_serves(tag: str, port: int, expected: str, engine: Engine = DOCKER) -> None:
    """Run the image detached with `port` published on loopback; / must answer `expected`."""
    container = engine.run("run", "-d", *READ_ONLY, "-p", f"127.0.0.1::{port}", tag).stdout.strip()
    try:
        published = engine.run("port", container, f"{port}/tcp").stdout.splitlines()[0]
        url = f"http://127.0.0.1:{published.rsplit(':', 1)[1]}/"
        body = _first_answer(url)
        if body is None:
            logs = engine.run("logs", container, check=False)
            raise AssertionError(f"{url} gave no answer in {HTTP_WAIT} s:\n{logs.stderr[-4000:]}")
        assert expected in body, body
    finally:
        engine.run("rm", "-f", container, check=False)


def _first_answer(url: str) -> str | None:
    deadline = time.monotonic() + HTTP_WAIT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return str(response.read().decode("utf-8"))
        except (OSError, http.client.HTTPException):
            time.sleep(0.5)
    return None


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_run_and_rebuild(
    case: str, tmp_path: Path, lock_cache: Path, sizes: dict[str, int]
) -> None:
    sizes[case] = build_run_and_rebuild(case, tmp_path, lock_cache, DOCKER)


def build_run_and_rebuild(case: str, tmp_path: Path, lock_cache: Path, engine: Engine) -> int:
    """Steps 1-6 of the module docstring for one fixture on `engine`; the final image's size."""
    spec = CASES[case]
    root = Path(shutil.copytree(FIXTURES / case, tmp_path / case))
    _make_unique(root)
    if spec.relock:
        relock(root, spec.relock, lock_cache)
    _generate(root, force=False)
    tag = _tag(case) if engine is DOCKER else f"{_tag(case)}-{engine.name}"

    # 1. builds
    engine.build(root, tag)

    # 2. runs as the numeric non-root user, imports its dependencies (a web app: serves /)
    if spec.http_port:
        _check_serves(tag, spec.http_port, spec.output, engine)
    else:
        run = engine.run("run", "--rm", *READ_ONLY, tag)
        assert run.stdout.startswith(spec.output), run.stdout + run.stderr
    identity = engine.run(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        tag,
        "-c",
        'id -u; id -g; touch "$HOME/.w" && echo "$HOME"; . /etc/os-release; echo "$VERSION_CODENAME"',
    )
    assert identity.stdout.split() == [UID, UID, "/home/app", "trixie"]

    if spec.image_check:
        engine.run("run", "--rm", "--entrypoint", "sh", tag, "-c", spec.image_check)

    # 5. the final image holds no installer and no compiler
    found = engine.run(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        tag,
        "-c",
        _which(*FORBIDDEN_IN_FINAL),
        check=False,
    )
    assert found.stdout.strip() == "", found.stdout

    # 6. a start compiles nothing of the standard library or the dependencies
    assert uncompiled_modules(tag, engine=engine) == []

    # 3. code-only change: every dependency step is CACHED, and exactly the final stage's
    # source copy and the steps after it (bytecode, collectstatic) run again; where the project
    # installs from its source (a stated fallback), the builder's from its source copy on too.
    source = root / spec.source_file
    source.write_text(source.read_text() + "\n# a code-only change\n")
    second = engine.build(root, tag)
    dependency_steps = second.dependency_steps()
    assert dependency_steps, second.text
    assert [s.instruction for s in dependency_steps if not s.cached] == []
    expected = second.from_source_copy("final")
    assert expected, second.text
    current = detect_project(root)
    if current.install.installs_project and current.stub.packages is None:
        assert current.stub.refused, "a project installed from its source says why"
        expected |= second.from_source_copy("builder")
        # Equal venv content keeps COPY --from cached; a rebuilt wheel may differ.
        expected |= second.rerun() & {("final", "COPY --from=builder /app/.venv /app/.venv")}
    assert second.rerun() == expected, second.text

    # 4. dependency added: the install runs again, and no earlier download is repeated
    old = installed_distributions(tag, engine=engine) - BUNDLED - _own_distributions(root)
    spec.add_dependency(root)
    if spec.relock:
        relock(root, spec.relock, lock_cache)
    _generate(root, force=True)
    since = time.time()
    third = engine.build(root, tag)
    # Local path dependencies put the install after the source copy: look there too.
    candidates = (
        third.dependency_steps()
        if detect_project(root).install.deps_before_source
        else [s for s in third.steps if s.stage == "builder" and s.instruction.startswith("RUN")]
    )
    assert [s for s in candidates if not s.cached], "the install did not run again"
    assert NEW_DEPENDENCY in installed_distributions(tag, engine=engine)
    if spec.cache_is_readable:
        cached, added = probe_cache(tmp_path / "probe", since, engine=engine)
        assert old <= cached, f"the cache does not show {old - cached}, so the check below is blind"
        assert added & old == set(), f"downloaded again: {sorted(added & old)}"
    return image_size(tag, engine)


_APT_DOWNLOAD = re.compile(r"^Get:\d+ \S+ \S+ \S+ (\S+) \S+ \S+ \[")


def test_apt_packages_come_from_the_cache_on_rebuild(tmp_path: Path, sizes: dict[str, int]) -> None:
    """6. --apt: adding a second package re-runs apt, but the first .deb is not fetched again."""
    require_engine()
    sizes["apt (pip-requirements + tini, less)"] = apt_from_the_cache(tmp_path, DOCKER)


def apt_from_the_cache(tmp_path: Path, engine: Engine) -> int:
    """The apt check on `engine`; the final image's size."""
    root = Path(shutil.copytree(FIXTURES / "pip-requirements", tmp_path / "apt"))
    _make_unique(root)
    tag = _tag("apt") if engine is DOCKER else f"{_tag('apt')}-{engine.name}"
    # The engine keeps layers between runs; a build arg naming this run keeps the apt step
    # from being an earlier run's cache hit.
    unique = (f"E2E_RUN={RUN_ID}",)
    _generate(root, force=False, overrides=Overrides(apt_run=("tini",)))
    _declare_run_arg(root)
    engine.build(root, tag, build_args=unique)
    _generate(root, force=True, overrides=Overrides(apt_run=("tini", "less")))
    _declare_run_arg(root)
    second = engine.build(root, tag, build_args=unique)
    apt = second.step("final", "apt-get install")
    assert not apt.cached
    fetched = {m.group(1) for line in apt.output if (m := _APT_DOWNLOAD.match(line))}
    assert "tini" not in fetched, apt.output
    assert any(line.startswith("Need to get") for line in apt.output) or not fetched
    installed = engine.run("run", "--rm", "--entrypoint", "sh", tag, "-c", _which("tini", "less"))
    assert installed.stdout.split() == ["/usr/bin/tini", "/usr/bin/less"]
    return image_size(tag, engine)


def _declare_run_arg(root: Path) -> None:
    dockerfile = root / "Dockerfile"
    final = "FROM python:${PYTHON_VERSION}-slim-trixie\n"
    text = dockerfile.read_text()
    assert text.count(final) == 1
    dockerfile.write_text(text.replace(final, final + "ARG E2E_RUN\n"))


def test_bookworm_variant_builds_and_runs(tmp_path: Path, sizes: dict[str, int]) -> None:
    """--debian bookworm: the release's own package names install (psycopg2 compiles against
    libpq), and groupadd/useradd make the same numeric user there as on trixie."""
    require_engine()
    root = Path(shutil.copytree(FIXTURES / "pip-psycopg2", tmp_path / "bookworm"))
    _make_unique(root)
    text = _generate(root, force=False, overrides=Overrides(debian="bookworm"))
    assert "FROM python:${PYTHON_VERSION}-slim-bookworm\n" in text
    tag = _tag("bookworm")
    build(root, tag)
    run = docker("run", "--rm", *READ_ONLY, tag)
    assert run.stdout.startswith("pip-psycopg2 ok:"), run.stdout + run.stderr
    release = docker(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        tag,
        "-c",
        '. /etc/os-release; id -u; id -g; echo "$VERSION_CODENAME"',
    )
    assert release.stdout.split() == [UID, UID, "bookworm"]
    sizes["pip-psycopg2 on bookworm"] = image_size(tag)


def test_probe_sees_a_fresh_download(tmp_path: Path) -> None:
    """The download check is not blind: a distribution written into the cache shows up."""
    require_engine()
    fresh_download_is_seen(tmp_path, DOCKER)


def fresh_download_is_seen(tmp_path: Path, engine: Engine) -> None:
    context = tmp_path / "fresh"
    context.mkdir()
    name = f"dgprobe{RUN_ID[:8]}"
    (context / "Dockerfile").write_text(
        "FROM python:3.12-slim\n"
        f"RUN --mount=type=cache,id={DEPENDENCY_CACHE},target=/root/.cache "
        "mkdir -p /root/.cache/dockergen-test "
        f"&& touch /root/.cache/dockergen-test/{name}-1.0-py3-none-any.whl\n"
    )
    since = time.time()
    engine.build(context, "dockergen-e2e-fresh")
    cached, added = probe_cache(tmp_path / "probe", since, engine=engine)
    assert name in added
    assert name in cached


def test_an_unlocked_sdist_compiles_in_the_builder_only(tmp_path: Path) -> None:
    """No lock: a C extension published only as an sdist (misaka 2.1.1) fails the first install,
    which then installs the compiler and tries again; the final image has no compiler."""
    require_engine()
    root = tmp_path / "sdist"
    root.mkdir()
    (root / "requirements.txt").write_text("misaka==2.1.1\n")
    (root / "main.py").write_text('import misaka\n\nprint(misaka.html("# ok"))\n')
    _make_unique(root)
    text = _generate(root, force=False)
    assert "|| { apt-get update" in text
    tag = _tag("sdist")
    log = build(root, tag)
    install = log.step("builder", "pip --python")
    # Compiled here now, or by an earlier run: pip's cache mount keeps the wheel it built
    # (linux_x86_64, not manylinux: no index publishes it).
    compiled = [
        line for line in install.output if "build-essential" in line or "misaka-2.1.1-cp" in line
    ]
    assert compiled, install.output[-20:]
    assert docker("run", "--rm", *READ_ONLY, tag).stdout == "<h1>ok</h1>\n\n"
    found = docker("run", "--rm", "--entrypoint", "sh", tag, "-c", _which("gcc", "cc"))
    assert found.stdout == "", found.stdout
