"""The project installed before its source (a stub of its packages), or why not."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockergen.buildplan import stand_ins
from dockergen.detect import detect_project
from dockergen.dockerfile import line_text
from dockergen.model import Installer, Overrides
from dockergen.render import render_files
from dockergen.safety import check_path
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
    assert spec.stub.packages is not None, spec.stub.refused
    assert (spec.stub.packages.value, spec.stub.packages.source, spec.stub.refused) == (
        stub,
        "pyproject.toml",
        None,
    )
    assert detail in spec.stub.packages.detail


@pytest.mark.parametrize(
    ("files", "reason"),
    (
        pytest.param({"pyproject.toml": PROJECT, **SRC}, "no [build-system]", id="no-backend"),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + '[build-system]\nbuild-backend = "setuptools.build_meta:__legacy__"\n',
                **SRC,
            },
            "the legacy backend was not checked against a stub",
            id="setuptools-legacy",
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
    assert (
        spec.install.installs_project
        and spec.stub.packages is None
        and spec.stub.refused is not None
    )
    assert reason in spec.stub.refused.value
    assert spec.stub.refused.source == "pyproject.toml"
    dockerfile = render_files(spec)[0].content
    assert f"# The project itself, from its source ({spec.stub.refused.value}" in dockerfile


@pytest.mark.parametrize(
    ("fixture", "reason"),
    (
        ("uv-workspace", "a uv workspace: its members are built from their source"),
        ("pip-pyproject", ""),
        ("poetry-license", ""),
        ("pep621-setuptools", ""),
        ("uv-setuptools", ""),
    ),
)
def test_fixtures(fixture: str, reason: str) -> None:
    spec = detect_project(FIXTURES / fixture)
    assert (spec.stub.refused.value if spec.stub.refused else "") == reason


def test_local_path_dependencies_install_from_the_source(tmp_path: Path) -> None:
    pyproject = PROJECT + HATCH + '[tool.uv.sources]\nlib = { path = "." }\n'
    lock = '[[package]]\nname = "my-app"\nsource = { editable = "." }\n'
    lock += '[[package]]\nname = "lib"\nsource = { directory = "." }\n'
    root = make_tree(tmp_path, {"pyproject.toml": pyproject, "uv.lock": lock, **SRC})
    spec = detect_project(root, Overrides(installer=Installer.UV), allow_stale_lock=True)
    assert spec.stub.refused is not None
    assert spec.stub.refused.value == "the dependencies install with the project's source"


def test_metadata_files_come_before_the_stub(tmp_path: Path) -> None:
    pyproject = PROJECT.replace(
        "[project]\n", '[project]\nreadme = "docs/README.md"\nlicense = {file = "COPYING"}\n'
    )
    root = make_tree(
        tmp_path,
        {"pyproject.toml": pyproject + HATCH, "docs/README.md": "", "COPYING": "", **SRC},
    )
    spec = detect_project(root)
    assert spec.stub.files == ("docs/README.md", "COPYING")
    dockerfile = render_files(spec)[0].content
    assert "COPY COPYING ./\nCOPY docs/README.md ./docs/\n" in dockerfile.replace(
        "COPY docs/README.md ./docs/\nCOPY COPYING ./",
        "COPY COPYING ./\nCOPY docs/README.md ./docs/",
    )


def test_projects_not_installed_have_no_stub_fact() -> None:
    spec = detect_project(FIXTURES / "poetry-nonpackage")
    assert (spec.stub.packages, spec.stub.refused, spec.stub.files) == (None, None, ())


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
    assert line_text(stand_ins(tuple(check_path(p, "pyproject.toml") for p in paths))) == command


SETUPTOOLS = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
)
TOOL = "[tool.setuptools]\n"
SCM = PROJECT.replace('version = "1.0"', 'dynamic = ["version"]') + SETUPTOOLS.replace(
    '"setuptools>=61"', '"setuptools>=64", "setuptools-scm>=8"'
)


@pytest.mark.parametrize(
    ("files", "stub", "detail"),
    (
        pytest.param(
            {
                "pyproject.toml": PROJECT + SETUPTOOLS,
                **SRC,
                "src/helper.py": "",
                "src/data/x.json": "",
                "src/not-a-name/x.py": "",
            },
            ("src/data", "src/helper.py", "src/my_app/"),
            "src layout (setuptools' discovery)",
            id="src-layout-everything-on-the-pth",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT + SETUPTOOLS,
                **FLAT,
                "my_app/sub/__init__.py": "",
                "my_app/templates/index.html": "",
                "my_app/templates/parts/x.html": "",
                "tests/__init__.py": "",
                "docs/conf.py": "",
                "main.py": "",
            },
            ("my_app/", "my_app/templates", "my_app/templates/parts"),
            "flat layout (setuptools' discovery)",
            id="flat-layout-one-package-and-its-namespace-folders",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT + SETUPTOOLS,
                "my_app.py": "",
                "conftest.py": "",
                "noxfile.py": "",
                "_private.py": "",
            },
            ("my_app.py",),
            "flat layout (setuptools' discovery)",
            id="flat-layout-one-module",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + SETUPTOOLS
                + TOOL
                + 'packages = ["my_app", "my_app.sub"]\npy-modules = ["tool"]\n',
                **SRC,
                "src/my_app/x.py": "",
                "my_app/__init__.py": "",
                "my_app/sub/__init__.py": "",
                "tool.py": "",
            },
            ("my_app/", "my_app/sub/", "tool.py"),
            "[tool.setuptools] packages and py-modules",
            id="packages-listed-with-their-subpackages",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + SETUPTOOLS
                + '[tool.setuptools.packages.find]\nwhere = ["lib"]\n',
                "lib/my_app/__init__.py": "",
                "lib/tool.py": "",
            },
            ("lib/my_app/",),
            "[tool.setuptools.packages.find] where",
            id="packages-find-where",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + SETUPTOOLS
                + '[tool.setuptools.packages.find]\nwhere = ["lib"]\nnamespaces = false\n',
                "lib/my_app/__init__.py": "",
                "lib/data/x.json": "",
            },
            ("lib/my_app/",),
            "[tool.setuptools.packages.find] where",
            id="packages-find-without-namespaces",
        ),
        pytest.param(
            {"pyproject.toml": SCM + "[tool.setuptools_scm]\n", **SRC},
            ("src/my_app/",),
            "src layout (setuptools' discovery)",
            id="version-from-git-setuptools-scm",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT + SETUPTOOLS,
                "setup.cfg": "[flake8]\nmax-line-length = 99\n",
                **SRC,
            },
            ("src/my_app/",),
            "src layout (setuptools' discovery)",
            id="setup-cfg-without-setuptools-sections",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + SETUPTOOLS
                + '[tool.setuptools.package-data]\nmy_app = ["data/*.txt"]\n'
                + '[tool.setuptools.exclude-package-data]\nmy_app = ["data/x.txt"]\n',
                **SRC,
                "src/my_app/data/x.txt": "",
            },
            ("src/my_app/",),
            "src layout (setuptools' discovery)",
            id="package-data-is-read-in-place",
        ),
    ),
)
def test_setuptools_stub(
    tmp_path: Path, files: dict[str, str], stub: tuple[str, ...], detail: str
) -> None:
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.stub.packages is not None, spec.stub.refused
    assert (spec.stub.packages.value, spec.stub.packages.detail, spec.stub.refused) == (
        stub,
        detail,
        None,
    )


def test_setuptools_under_uv_and_pdm(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {"pyproject.toml": PROJECT + SETUPTOOLS, **SRC})
    for installer in (Installer.UV, Installer.PDM):
        spec = detect_project(root, Overrides(installer=installer), allow_stale_lock=True)
        assert spec.stub.packages is not None and spec.stub.packages.value == ("src/my_app/",), (
            spec.stub.refused
        )


def test_setuptools_copies_its_default_license_files_first(tmp_path: Path) -> None:
    files = {"LICENSE.txt": "", "AUTHORS": "", "NOTICE.d/x": "", "README.md": "", **SRC}
    pyproject = PROJECT.replace("[project]\n", '[project]\nreadme = "README.md"\n')
    spec = detect_project(make_tree(tmp_path, {"pyproject.toml": pyproject + SETUPTOOLS, **files}))
    assert spec.stub.files == ("README.md", "AUTHORS", "LICENSE.txt")


def test_setuptools_license_file_named_replaces_the_defaults(tmp_path: Path) -> None:
    pyproject = PROJECT.replace("[project]\n", '[project]\nlicense = {file = "COPYING"}\n')
    files = {"pyproject.toml": pyproject + SETUPTOOLS, "COPYING": "", "LICENSE": "", **SRC}
    assert detect_project(make_tree(tmp_path, files)).stub.files == ("COPYING",)


@pytest.mark.parametrize(
    ("files", "reason"),
    (
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS, "setup.py": "", **SRC},
            "setup.py: setuptools runs it, and it may read the source",
            id="setup-py",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT + SETUPTOOLS,
                "setup.cfg": "[options]\npackages = find:\n",
                **SRC,
            },
            "setup.cfg [options]: setuptools reads it as well",
            id="setup-cfg-options",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS, "setup.cfg": "[metadata\n", **SRC},
            "setup.cfg [unreadable]",
            id="setup-cfg-unreadable",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + SETUPTOOLS.replace('"setuptools>=61"', '"setuptools", "cython"'),
                **SRC,
            },
            "[build-system] requires cython: a setuptools plugin may read the source",
            id="build-plugin",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS.replace(">=61", "<64"), **SRC},
            "[build-system] requires setuptools<64: not the setuptools checked (84.2.1)",
            id="old-setuptools",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + SETUPTOOLS.replace('"setuptools>=61"', '"setuptools>="'),
                **SRC,
            },
            "[build-system] requires 'setuptools>=': not a requirement",
            id="bad-requirement",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS + TOOL + 'package-dir = {"" = "lib"}\n', **SRC},
            "[tool.setuptools] package-dir: not checked against a stub",
            id="package-dir",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + SETUPTOOLS
                + '[[tool.setuptools.ext-modules]]\nname = "x"\n',
                **SRC,
            },
            "[tool.setuptools] ext-modules: not checked against a stub",
            id="ext-modules",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT + SETUPTOOLS + TOOL + 'data-files = {"share" = ["x"]}\n',
                **SRC,
            },
            "[tool.setuptools] data-files",
            id="data-files",
        ),
        pytest.param(
            {"pyproject.toml": 'tool.setuptools = "x"\n' + PROJECT + SETUPTOOLS, **SRC},
            "[tool.setuptools] is not a table",
            id="tool-not-a-table",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT.replace('version = "1.0"', 'dynamic = ["version"]')
                + SETUPTOOLS
                + '[tool.setuptools.dynamic]\nversion = {attr = "my_app.__version__"}\n',
                **SRC,
            },
            "[project] dynamic = ['version']: the build backend reads them from the source",
            id="version-from-an-attribute",
        ),
        pytest.param(
            {
                "pyproject.toml": SCM
                + '[tool.setuptools_scm]\nversion_file = "src/my_app/_v.py"\n',
                **SRC,
            },
            "[tool.setuptools_scm] version_file: the build writes it into the source",
            id="scm-version-file",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT.replace(
                    "[project]\n", '[project]\nlicense-files = ["LICEN*"]\n'
                )
                + SETUPTOOLS,
                **SRC,
            },
            "[project] license-files globs",
            id="license-globs",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS, **FLAT, "other/__init__.py": ""},
            "setuptools finds several top-level packages (my_app, other)",
            id="flat-several-packages",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS, **FLAT, "static/site.css": ""},
            "several top-level packages (my_app, static)",
            id="flat-a-data-folder-counts",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS, "a.py": "", "b.py": ""},
            "several top-level modules (a.py, b.py)",
            id="flat-several-modules",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS, "my_app/x.py": ""},
            "my_app/ is not a package with __init__.py",
            id="flat-namespace-package",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS, "tests/test_x.py": ""},
            "flat layout (setuptools' discovery): setuptools finds no package",
            id="flat-nothing",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS, "src/README.md": ""},
            "src layout (setuptools' discovery): setuptools finds no package in src/",
            id="src-nothing",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + SETUPTOOLS
                + TOOL
                + 'packages = ["my_app", "my_app.sub"]\n',
                **FLAT,
            },
            "my_app/sub/ is not a package with __init__.py or a module",
            id="listed-subpackage-missing",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS + TOOL + 'py-modules = ["a.b"]\n', **FLAT},
            "an entry that is not a plain name",
            id="dotted-module",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS + TOOL + "packages = []\n", **FLAT},
            "empty, or an entry",
            id="packages-empty",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS + TOOL + 'packages = "my_app"\n', **FLAT},
            "not arrays",
            id="packages-not-an-array",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + SETUPTOOLS
                + '[tool.setuptools.packages.find]\nwhere = ["src"]\ninclude = ["my_app*"]\n',
                **SRC,
            },
            "[tool.setuptools.packages]: only find with one where was checked",
            id="find-include",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + SETUPTOOLS + "[tool.setuptools.packages.find]\n", **SRC},
            "[tool.setuptools.packages.find]: only one where was checked",
            id="find-default-where",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + SETUPTOOLS
                + '[tool.setuptools.packages.find]\nwhere = ["."]\n',
                **FLAT,
            },
            "where = ['.']: not a subfolder",
            id="find-where-root",
        ),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + SETUPTOOLS
                + '[tool.setuptools.packages.find]\nwhere = ["my lib"]\n',
                "my lib/my_app/__init__.py": "",
            },
            "my lib/my_app/ is not a path the stub can create",
            id="unquotable-path",
        ),
        pytest.param(
            {"pyproject.toml": POETRY1 + SETUPTOOLS, **FLAT},
            "build-backend setuptools.build_meta: poetry installs it editable with poetry-core",
            id="poetry-with-setuptools",
        ),
    ),
)
def test_why_setuptools_installs_from_its_source(
    tmp_path: Path, files: dict[str, str], reason: str
) -> None:
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.stub.packages is None and spec.stub.refused is not None
    assert reason in spec.stub.refused.value
    assert spec.stub.refused.source == "pyproject.toml"


def test_too_many_folders_to_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dockergen.setuptools_stub.MAX_FOLDERS", 2)
    files = {"pyproject.toml": PROJECT + SETUPTOOLS, **FLAT, "my_app/a/x": "", "my_app/b/x": ""}
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.stub.refused is not None
    assert spec.stub.refused.value.endswith("my_app/ has more than 2 folders, or a loop")


def test_stub_command_makes_bare_folders() -> None:
    paths = ("app/", "app/templates", "app/templates/y")
    assert line_text(stand_ins(tuple(check_path(p, "pyproject.toml") for p in paths))) == (
        "mkdir -p app app/templates app/templates/y && touch app/__init__.py"
    )


def test_setuptools_never_follows_a_symlink_out_of_the_project(tmp_path: Path) -> None:
    outside = make_tree(tmp_path / "outside", {"my_app/__init__.py": "", "lib/x/__init__.py": ""})
    root = make_tree(tmp_path / "project", {"pyproject.toml": PROJECT + SETUPTOOLS})
    (root / "my_app").symlink_to(outside / "my_app")
    spec = detect_project(root)
    assert spec.stub.refused is not None
    assert spec.stub.refused.value.endswith("my_app/ is not a package with __init__.py")
    (root / "my_app").unlink()
    (root / "src").symlink_to(outside / "lib")
    spec = detect_project(root)
    assert spec.stub.refused is not None
    assert spec.stub.refused.value.endswith("setuptools finds no package in src/")


def test_a_symlink_loop_in_a_package_is_walked_no_further_than_the_cap(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {"pyproject.toml": PROJECT + SETUPTOOLS, **FLAT})
    (root / "my_app" / "loop").symlink_to(root / "my_app")
    spec = detect_project(root)
    assert spec.stub.refused is not None
    assert spec.stub.refused.value.endswith("my_app/ has more than 2000 folders, or a loop")
