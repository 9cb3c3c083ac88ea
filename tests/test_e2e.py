"""Real builds: every fixture's generated Dockerfile is built, run, and rebuilt twice.

1. builds; 2. runs as the non-root UID and imports its dependencies; 3. a code-only change
leaves every dependency step CACHED; 4. an added dependency (re-locked with the real tool)
re-runs the install without downloading any earlier distribution again; 5. the final image
holds no installer and no compiler. Run the fast loop without them: pytest -m "not docker".
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dockergen.detect import detect_project
from dockergen.model import Installer, Overrides
from dockergen.render import render_files
from dockergen.write import write_files
from tests.docker import BuildLog, build, docker, image_size, require_engine
from tests.helpers import FIXTURES
from tests.locker import build_locker, relock

pytestmark = pytest.mark.docker

NEW_DEPENDENCY = "tabulate"  # used by no fixture, so its download is the only expected one
UID = "10001"
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


def _project_dependency(spec: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / "pyproject.toml"
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


CASES = {
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
    "poetry-nonpackage": Case(
        "main.py",
        "poetry-nonpackage ok:",
        _after_header("pyproject.toml", "[tool.poetry.dependencies]", 'tabulate = ">=0.9"'),
        Installer.POETRY,
    ),
    "uv": Case("main.py", "uv ok:", _project_dependency("tabulate>=0.9"), Installer.UV),
    "pdm": Case(
        "src/pdmapp/__main__.py", "pdm ok:", _project_dependency("tabulate>=0.9"), Installer.PDM
    ),
}


def test_every_fixture_has_an_e2e_case() -> None:
    assert sorted(CASES) == sorted(d.name for d in FIXTURES.iterdir() if d.is_dir())


@pytest.fixture(scope="session")
def lock_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_engine()
    build_locker(tmp_path_factory.mktemp("locker"))
    return tmp_path_factory.mktemp("locks")


def _generate(root: Path, *, force: bool, overrides: Overrides | None = None) -> str:
    files = render_files(detect_project(root, overrides))
    write_files(files, root, force=force)
    return files[0].content


# ---- what the installers print: downloads vs cache hits ---------------------------------

_PIP_DOWNLOAD = re.compile(r"^\s*Downloading (\S+?)-\d[^\s]*\.(?:whl|tar\.gz|zip)\b")
_UV_PREPARED = re.compile(r"^Prepared (\d+) packages?")


def downloaded(step_output: list[str]) -> set[str]:
    """Distribution names the install step downloaded (not taken from the cache)."""
    names = set()
    for line in step_output:
        if match := _PIP_DOWNLOAD.match(line):
            names.add(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return names


def _tag(case: str) -> str:
    return f"dockergen-e2e-{case}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_run_and_rebuild(case: str, tmp_path: Path, lock_cache: Path) -> None:
    spec = CASES[case]
    root = Path(shutil.copytree(FIXTURES / case, tmp_path / case))
    if spec.relock:
        relock(root, spec.relock, lock_cache)
    _generate(root, force=False)
    tag = _tag(case)

    # 1. builds
    first = build(root, tag)

    # 2. runs as the numeric non-root user, imports its dependencies
    run = docker("run", "--rm", tag)
    assert run.stdout.startswith(spec.output), run.stdout + run.stderr
    identity = docker(
        "run", "--rm", "--entrypoint", "sh", tag, "-c", 'id -u; touch "$HOME/.w" && echo "$HOME"'
    )
    assert identity.stdout.split() == [UID, "/home/app"]

    # 5. the final image holds no installer and no compiler
    found = docker(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        tag,
        "-c",
        f"command -v {' '.join(FORBIDDEN_IN_FINAL)}",
        check=False,
    )
    assert found.stdout.strip() == "", found.stdout

    # 3. code-only change: every dependency step is CACHED
    source = root / spec.source_file
    source.write_text(source.read_text() + "\n# a code-only change\n")
    second = build(root, tag)
    dependency_steps = second.dependency_steps()
    assert dependency_steps, second.text
    assert [s.instruction for s in dependency_steps if not s.cached] == []

    # 4. dependency added: the install runs again, earlier downloads come from the cache
    spec.add_dependency(root)
    if spec.relock:
        relock(root, spec.relock, lock_cache)
    _generate(root, force=True)
    third = build(root, tag)
    install = [s for s in third.dependency_steps() if not s.cached]
    assert install, "the dependency install did not run again"
    assert downloaded([line for s in install for line in s.output]) <= {NEW_DEPENDENCY}
    run = docker("run", "--rm", "--entrypoint", "python", tag, "-c", f"import {NEW_DEPENDENCY}")
    print(f"{case}: image {image_size(tag) / 1e6:.1f} MB; first build steps {len(first.steps)}")
