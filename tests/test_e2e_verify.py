"""`dockergen verify` against a real engine: every fixture passes, every broken project fails
naming its cause, and nothing is left behind (no container, no image, no file in the project).
On Podman (`--engine podman`): one fixture per installer passes, and every broken project
fails with the same diagnosis as on Docker.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.detect import detect_project
from dockergen.render import render_files
from dockergen.verify.engine import PREFIX
from dockergen.write import write_files
from tests.docker import DOCKER, PODMAN, Engine, require_engine
from tests.helpers import FIXTURES
from tests.locker import build_locker, relock
from tests.test_e2e import CASES
from tests.test_e2e_podman import PODMAN_CASES

ON_PODMAN = pytest.mark.podman

pytestmark = pytest.mark.docker
BROKEN = Path(__file__).parent / "broken"

# broken project -> the diagnosis verify must give first (tests/broken/<name>/README.md says why)
EXPECTED = {
    "loopback": "loopback",
    "port-mismatch": "port-mismatch",
    "missing-module": "missing-module",
    "marker-excluded": "module-excluded-by-marker",
    "missing-env": "missing-env",
    "missing-settings": "missing-settings",
    "write-app": "read-only-app",
    "missing-lib": "missing-library",
    "sdist-compile": "sdist-build-failed",
    "stale-poetry-lock": "stale-poetry.lock",
    "exits-at-once": "missing-env",
    "command-missing": "command-not-found",
    "no-cmd": "no-command",
    "no-migrations": "no-migrations",
    "disallowed-host": "disallowed-host",
    "nothing-to-run": "no-start-command",
}


@pytest.fixture(scope="module")
def locks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_engine()
    build_locker(tmp_path_factory.mktemp("locker"))
    return tmp_path_factory.mktemp("locks")


def _snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _ours(kind: str, engine: Engine = DOCKER) -> list[str]:
    if kind == "container":
        args = ["ps", "--all", "--filter", f"name={PREFIX}-", "--format", "{{.Names}}"]
    else:
        args = ["images", "--filter", f"reference={PREFIX}-*", "--format", "{{.Repository}}"]
    return engine.run(*args).stdout.split()


def _existing(engine: Engine) -> set[str]:
    return set(_ours("container", engine)) | set(_ours("image", engine))


def _left(before: set[str], engine: Engine = DOCKER) -> set[str]:
    """Containers and images of verify's that were not there before this test ran it."""
    return _existing(engine) - before


def _verify(root: Path, *args: str, engine: Engine = DOCKER) -> tuple[int, dict[str, object], str]:
    result = CliRunner().invoke(
        app, ["verify", str(root), "--json", "--engine", engine.name, *args]
    )
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert report["schema"] == 1
    assert report["engine_name"] == engine.name
    return result.exit_code, report, result.output


def test_every_broken_project_has_an_expectation() -> None:
    assert sorted(EXPECTED) == sorted(d.name for d in BROKEN.iterdir() if d.is_dir())


ENGINE_CASES = [
    *(pytest.param(DOCKER, case, id=case) for case in sorted(CASES)),
    *(
        pytest.param(PODMAN, case, id=f"podman-{case}", marks=ON_PODMAN)
        for case in sorted(PODMAN_CASES.values())
    ),
]


@pytest.mark.parametrize(("engine", "case"), ENGINE_CASES)
def test_fixture_verifies(case: str, tmp_path: Path, locks: Path, engine: Engine) -> None:
    engine.require()
    root = Path(shutil.copytree(FIXTURES / case, tmp_path / case))
    if (installer := CASES[case].relock) is not None:
        relock(root, installer, locks)
    write_files(render_files(detect_project(root)), root, force=False)  # init --no-input
    before = _snapshot(root)
    cache = ("--cache",) if case in ("pip-requirements", "flask") or engine is PODMAN else ()
    # The default, a cache of the project's own, starts cold each time (tmp_path is new):
    # one fixture proves it; the others share the engine's cache, as their builds in
    # tests/test_e2e.py do, to keep the suite's time.
    shared = () if case == "pip-requirements" else ("--shared-cache",)

    existing = _existing(engine)
    code, report, output = _verify(root, *cache, *shared, engine=engine)

    assert code == 0, output
    assert report["ok"] is True
    run = report["run"]
    assert isinstance(run, dict)
    assert run["mode"] == ("server" if CASES[case].http_port else "cli"), run
    if cache:
        rebuild = report["rebuild"]
        assert isinstance(rebuild, dict)
        assert (rebuild["ok"], rebuild["not_cached"]) == (True, []), rebuild
    assert _snapshot(root) == before, "verify wrote into the project"
    assert _left(existing, engine) == set()


BROKEN_CASES = [
    *(pytest.param(DOCKER, name, id=name) for name in sorted(EXPECTED)),
    *(
        pytest.param(PODMAN, name, id=f"podman-{name}", marks=ON_PODMAN)
        for name in sorted(EXPECTED)
    ),
]


@pytest.mark.parametrize(("engine", "name"), BROKEN_CASES)
def test_broken_project_names_the_cause(name: str, tmp_path: Path, engine: Engine) -> None:
    require_engine()
    engine.require()
    root = Path(shutil.copytree(BROKEN / name, tmp_path / name))
    if not (root / "Dockerfile").is_file():
        # stale-poetry-lock is stale on purpose: init refuses it unless told to go ahead.
        spec = detect_project(root, allow_stale_lock=True)
        write_files(render_files(spec), root, force=False)

    existing = _existing(engine)
    code, report, output = _verify(root, "--timeout", "30", engine=engine)

    build = report["build"]
    assert isinstance(build, dict) and build["log"], output  # kept, since verify failed
    shutil.rmtree(Path(build["log"]).parent)
    assert code == 1, output
    diagnoses = report["diagnoses"]
    assert isinstance(diagnoses, list) and diagnoses, output
    assert diagnoses[0]["pattern"] == EXPECTED[name], output
    assert _left(existing, engine) == set()


def test_a_build_that_passes_only_on_the_shared_cache_fails(tmp_path: Path) -> None:
    """Another project left something in the engine's shared cache mount that this build
    needs (in real life: a wheel it compiled with a compiler this project lacks): verify's own
    cache fails the build, as a clean machine would; --shared-cache shows the difference."""
    require_engine()
    mount = "--mount=type=cache,id=dockergen-e2e-shared,target=/root/.cache"
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "Dockerfile").write_text(
        f"FROM python:3.13-slim\nRUN {mount} touch /root/.cache/compiled-elsewhere\n"
    )
    DOCKER.run("build", "-q", "-t", f"{PREFIX}-seed", str(seed))
    DOCKER.run("rmi", "--force", f"{PREFIX}-seed")
    root = tmp_path / "needs"
    root.mkdir()
    (root / "Dockerfile").write_text(
        f"FROM python:3.13-slim\nRUN {mount} test -f /root/.cache/compiled-elsewhere\n"
        'CMD ["python", "-c", "print(1)"]\n'
    )
    code, report, output = _verify(root, "--shared-cache")
    assert code == 0, output
    code, report, output = _verify(root)
    assert code == 1, output
    build = report["build"]
    assert isinstance(build, dict) and build["ok"] is False and build["cache"] == "own"
    shutil.rmtree(Path(str(build["log"])).parent)


def test_the_suggested_fix_works(tmp_path: Path) -> None:
    """missing-env passes once the variable is given, as the diagnosis says."""
    require_engine()
    root = Path(shutil.copytree(BROKEN / "missing-env", tmp_path / "missing-env"))
    write_files(render_files(detect_project(root)), root, force=False)
    code, report, output = _verify(root, "--env", "DATABASE_URL=postgres://app@db/app")
    assert code == 0, output
    assert report["diagnoses"] == []


@pytest.mark.parametrize(
    ("name", "exit_code", "details"),
    [
        # At once (no published port left to read), or a moment later (while probing).
        (
            "exits-at-once",
            1,
            (
                "exited at once with code 1, before it could be probed",
                "the server exited with code 1 before answering",
            ),
        ),
        # `docker run` itself fails: the command cannot start.
        ("command-missing", 127, ("exited at once with code 127, before it could be probed",)),
    ],
)
def test_an_app_that_exits_at_once_is_reported_not_the_engine(
    name: str, exit_code: int, details: tuple[str, ...], tmp_path: Path
) -> None:
    """Its exit code, its last lines and the cause, never "check that the engine is healthy"."""
    require_engine()
    root = Path(shutil.copytree(BROKEN / name, tmp_path / name))
    code, report, output = _verify(root, "--timeout", "30")
    build = report["build"]
    assert isinstance(build, dict) and build["log"], output
    shutil.rmtree(Path(build["log"]).parent)
    run = report["run"]
    assert isinstance(run, dict), output
    assert (code, run["mode"], run["ok"], run["exit_code"]) == (1, "server", False, exit_code)
    assert run["detail"] in details, output
    assert report["output_tail"], output
    assert "engine is healthy" not in output
