"""The project installed before its source (a stub of its packages), or why not."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockergen.detect import detect_project
from dockergen.model import Installer, Overrides
from dockergen.render import render_files, stub_command
from tests.helpers import FIXTURES, make_tree

HATCH = '[build-system]\nbuild-backend = "hatchling.build"\n'
PDM = '[build-system]\nbuild-backend = "pdm.backend"\n'
UV_BUILD = '[build-system]\nbuild-backend = "uv_build"\n'
POETRY_CORE = '[build-system]\nbuild-backend = "poetry.core.masonry.api"\n'
PROJECT = '[project]\nname = "my-app"\nversion = "1.0"\ndependencies = ["six"]\n'
POETRY1 = '[tool.poetry]\nname = "my-app"\nversion = "1.0"\n[tool.poetry.dependencies]\npython = "^3.11"\n'
SRC = {"src/my_app/__init__.py": "", "src/my_app/sub/__init__.py": ""}
FLAT = {"my_app/__init__.py": ""}


@pytest.mark.parametrize(
    ("files", "stub", "detail"),
    (
        pytest.param(
            {"pyproject.toml": PROJECT + HATCH, **SRC},
            ("src/my_app/",),
            "the package named after the project, my-app",
            id="hatchling-src",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + HATCH, **FLAT}, ("my_app/",), "", id="hatchling-flat"
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + HATCH, "my_app.py": ""}, ("my_app.py",), "", id="module"
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + PDM, "src/my_app.py": ""},
            ("src/my_app.py",),
            "",
            id="pdm-src-module",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + HATCH
                + '[tool.hatch.build.targets.wheel]\npackages = ["src/one", "two"]\n',
                "src/one/__init__.py": "",
                "two/__init__.py": "",
            },
            ("src/one/", "two/"),
            "[tool.hatch.build.targets.wheel] packages",
            id="hatch-packages",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + UV_BUILD, **SRC},
            ("src/my_app/",),
            "uv_build's default, src/<name>",
            id="uv-build",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + UV_BUILD
                + '[tool.uv.build-backend]\nmodule-name = "core"\nmodule-root = ""\n',
                "core/__init__.py": "",
            },
            ("core/",),
            "[tool.uv.build-backend]",
            id="uv-build-configured",
        ),
        pytest.param(
            {
                "pyproject.toml": POETRY1
                + '[[tool.poetry.packages]]\ninclude = "core"\nfrom = "lib"\n'
                + '[[tool.poetry.packages]]\ninclude = "tool.py"\n',
                "lib/core/__init__.py": "",
                "tool.py": "",
            },
            ("lib/core/", "tool.py"),
            "[tool.poetry] packages",
            id="poetry-packages",
        ),
        pytest.param(
            {"pyproject.toml": POETRY1, **FLAT},
            ("my_app/",),
            "",
            id="poetry1-without-build-system",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT.replace('version = "1.0"', 'dynamic = ["version"]')
                + HATCH
                + '[tool.hatch.version]\nsource = "vcs"\n',
                **SRC,
            },
            ("src/my_app/",),
            "",
            id="version-from-git",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT.replace('version = "1.0"', 'dynamic = ["version"]')
                + POETRY_CORE
                + '[tool.poetry]\nversion = "1.0"\n',
                **FLAT,
            },
            ("my_app/",),
            "",
            id="poetry-dynamic-from-its-table",
        ),
    ),
)
def test_the_stub_and_what_decided_it(
    tmp_path: Path, files: dict[str, str], stub: tuple[str, ...], detail: str
) -> None:
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.stub is not None, spec.stub_refused
    assert (spec.stub.value, spec.stub.source, spec.stub_refused) == (stub, "pyproject.toml", None)
    assert detail in spec.stub.detail


@pytest.mark.parametrize(
    ("files", "reason"),
    (
        pytest.param({"pyproject.toml": PROJECT, **SRC}, "no [build-system]", id="no-backend"),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + '[build-system]\nbuild-backend = "setuptools.build_meta"\n'
            },
            "setuptools finds the packages by scanning the source",
            id="setuptools",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + '[build-system]\nbuild-backend = "flit_core.buildapi"\n'},
            "flit_core reads the version",
            id="flit",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + '[build-system]\nbuild-backend = "maturin"\n', **SRC},
            "'maturin': not one known",
            id="unknown-backend",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT.replace('version = "1.0"', 'dynamic = ["version"]')
                + HATCH
                + '[tool.hatch.version]\npath = "src/my_app/__init__.py"\n',
                **SRC,
            },
            "[project] dynamic = ['version']",
            id="version-from-the-source",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT.replace('version = "1.0"', 'dynamic = ["version"]')
                + PDM
                + '[tool.pdm.version]\nsource = "file"\npath = "src/my_app/__init__.py"\n',
                **SRC,
            },
            "[project] dynamic = ['version']",
            id="pdm-version-from-file",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + HATCH + "[tool.hatch.build.hooks.custom]\n", **SRC},
            "build code runs from the source",
            id="hatch-hook",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + HATCH
                + '[tool.hatch.build.targets.wheel]\nsources = ["x"]\n',
                **SRC,
            },
            "build code runs from the source",
            id="hatch-wheel-config",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + PDM, "pdm_build.py": "", **SRC},
            "pdm_build.py",
            id="pdm-build-script",
        ),
        pytest.param(
            {
                "pyproject.toml": POETRY1 + POETRY_CORE + '[tool.poetry.build]\nscript = "b.py"\n',
                **FLAT,
            },
            "[tool.poetry.build]",
            id="poetry-build-script",
        ),
        pytest.param(
            {
                "pyproject.toml": POETRY1
                + POETRY_CORE
                + "[tool.poetry-dynamic-versioning]\nenable = true\n",
                **FLAT,
            },
            "poetry-dynamic-versioning",
            id="poetry-dynamic-versioning",
        ),
        pytest.param(
            {"pyproject.toml": POETRY1 + '[[tool.poetry.packages]]\ninclude = "app*"\n', **FLAT},
            "app*/ is not a plain package",
            id="poetry-glob",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + HATCH, "app/__init__.py": ""},
            "no package or module named after the project (my_app)",
            id="not-found",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + HATCH, "my_app/x.py": ""},
            "no package or module named after the project",
            id="namespace-package",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + UV_BUILD
                + '[tool.uv.build-backend]\nmodule-name = "a.b"\n',
                "src/a/b/__init__.py": "",
            },
            "src/a.b/ is not a plain package",
            id="uv-build-namespace",
        ),
    ),
)
def test_why_the_project_installs_from_its_source(
    tmp_path: Path, files: dict[str, str], reason: str
) -> None:
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.installs_project and spec.stub is None and spec.stub_refused is not None
    assert reason in spec.stub_refused.value
    assert spec.stub_refused.source == "pyproject.toml"
    dockerfile = render_files(spec)[0].content
    assert f"# The project itself, from its source ({spec.stub_refused.value}" in dockerfile


@pytest.mark.parametrize(
    ("fixture", "reason"),
    (
        ("uv-workspace", "a uv workspace: its members are built from their source"),
        ("pip-pyproject", ""),
        ("poetry-license", ""),
    ),
)
def test_fixtures(fixture: str, reason: str) -> None:
    spec = detect_project(FIXTURES / fixture)
    assert (spec.stub_refused.value if spec.stub_refused else "") == reason


def test_local_path_dependencies_install_from_the_source(tmp_path: Path) -> None:
    pyproject = PROJECT + HATCH + '[tool.uv.sources]\nlib = { path = "." }\n'
    lock = '[[package]]\nname = "my-app"\nsource = { editable = "." }\n'
    lock += '[[package]]\nname = "lib"\nsource = { directory = "." }\n'
    root = make_tree(tmp_path, {"pyproject.toml": pyproject, "uv.lock": lock, **SRC})
    spec = detect_project(root, Overrides(installer=Installer.UV), allow_stale_lock=True)
    assert spec.stub_refused is not None
    assert spec.stub_refused.value == "the dependencies install with the project's source"


def test_metadata_files_come_before_the_stub(tmp_path: Path) -> None:
    pyproject = PROJECT.replace(
        "[project]\n", '[project]\nreadme = "docs/README.md"\nlicense = {file = "COPYING"}\n'
    )
    root = make_tree(
        tmp_path,
        {"pyproject.toml": pyproject + HATCH, "docs/README.md": "", "COPYING": "", **SRC},
    )
    spec = detect_project(root)
    assert spec.stub_files == ("docs/README.md", "COPYING")
    dockerfile = render_files(spec)[0].content
    assert "COPY COPYING ./\nCOPY docs/README.md ./docs/\n" in dockerfile.replace(
        "COPY docs/README.md ./docs/\nCOPY COPYING ./",
        "COPY COPYING ./\nCOPY docs/README.md ./docs/",
    )


def test_projects_not_installed_have_no_stub_fact() -> None:
    spec = detect_project(FIXTURES / "poetry-nonpackage")
    assert (spec.stub, spec.stub_refused, spec.stub_files) == (None, None, ())


@pytest.mark.parametrize(
    ("paths", "command"),
    (
        (("app/",), "mkdir -p app && touch app/__init__.py"),
        (
            ("src/a/", "src/b.py", "c.py"),
            "mkdir -p src/a src && touch src/a/__init__.py src/b.py c.py",
        ),
    ),
)
def test_stub_command(paths: tuple[str, ...], command: str) -> None:
    assert stub_command(paths) == command
