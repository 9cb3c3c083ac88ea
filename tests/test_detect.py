from __future__ import annotations

from pathlib import Path

import pytest

from dockergen.detect import detect_project
from dockergen.errors import (
    ConflictingLockfilesError,
    InvalidProjectFileError,
    NoManifestError,
    UnsafeValueError,
)
from dockergen.model import Installer, Overrides
from dockergen.render import render_files
from tests.helpers import make_tree

POETRY1 = """\
    [tool.poetry]
    name = "svc"
    version = "0"
    [tool.poetry.dependencies]
    python = "^3.11"
    """
POETRY2 = """\
    [project]
    name = "svc"
    version = "0"
    requires-python = ">=3.11"
    [build-system]
    requires = ["poetry-core>=2"]
    build-backend = "poetry.core.masonry.api"
    """
PEP621 = """\
    [project]
    name = "svc"
    version = "0"
    dependencies = ["six"]
    [build-system]
    requires = ["hatchling"]
    build-backend = "hatchling.build"
    """
PDM_BACKEND_ONLY = (
    PEP621.replace("hatchling.build", "pdm.backend").replace('"hatchling"', '"pdm-backend"')
    + "[tool.pdm.build]\nincludes = ['svc']\n"
)
UV_NO_LOCK = PEP621 + "[tool.uv]\npackage = true\n"
TOOL_CONFIG_ONLY = (
    '[project]\nname = "svc"\ndynamic = ["version"]\n[tool.ruff]\nline-length = 100\n'
)

DETECTION = [
    # (files, installer, source, manifests)
    ({"requirements.txt": "six\n"}, Installer.PIP, "requirements.txt", ("requirements.txt",)),
    (
        {"requirements/base.txt": "six\n", "requirements/prod.txt": "-r base.txt\n"},
        Installer.PIP,
        "requirements/prod.txt",
        ("requirements/prod.txt", "requirements/base.txt"),
    ),
    (
        {"requirements/base.txt": "six\n", "requirements/dev.txt": "-r base.txt\npytest\n"},
        Installer.PIP,
        "requirements/base.txt",
        ("requirements/base.txt",),
    ),
    ({"Pipfile": "[packages]\n"}, Installer.PIPENV, "Pipfile", ("Pipfile",)),
    (
        {"Pipfile": "[packages]\n", "Pipfile.lock": "{}", "requirements.txt": "six\n"},
        Installer.PIPENV,
        "Pipfile.lock",
        ("Pipfile", "Pipfile.lock"),
    ),
    ({"pyproject.toml": POETRY1}, Installer.POETRY, "pyproject.toml", ("pyproject.toml",)),
    ({"pyproject.toml": POETRY2}, Installer.POETRY, "pyproject.toml", ("pyproject.toml",)),
    (
        {"pyproject.toml": POETRY2, "poetry.lock": "", "requirements.txt": "six\n"},
        Installer.POETRY,
        "poetry.lock",
        ("pyproject.toml", "poetry.lock"),
    ),
    (
        {"pyproject.toml": PEP621, "uv.lock": "version = 1\n"},
        Installer.UV,
        "uv.lock",
        ("pyproject.toml", "uv.lock"),
    ),
    (
        {"pyproject.toml": PEP621, "pdm.lock": ""},
        Installer.PDM,
        "pdm.lock",
        ("pyproject.toml", "pdm.lock"),
    ),
    (
        {"pyproject.toml": PEP621 + "[tool.pdm]\ndistribution = false\n"},
        Installer.PDM,
        "pyproject.toml",
        ("pyproject.toml",),
    ),
    ({"pyproject.toml": PEP621}, Installer.PEP621, "pyproject.toml", ("pyproject.toml",)),
    # A pdm-backend build section or a [tool.uv] table without a lock is still plain PEP 621.
    ({"pyproject.toml": PDM_BACKEND_ONLY}, Installer.PEP621, "pyproject.toml", ("pyproject.toml",)),
    ({"pyproject.toml": UV_NO_LOCK}, Installer.PEP621, "pyproject.toml", ("pyproject.toml",)),
    # Requirements beat bare PEP 621 metadata; [project] with only a name is tool config.
    (
        {"pyproject.toml": PEP621, "requirements.txt": "six\n"},
        Installer.PIP,
        "requirements.txt",
        ("requirements.txt",),
    ),
    (
        {"pyproject.toml": TOOL_CONFIG_ONLY, "requirements.txt": "six\n"},
        Installer.PIP,
        "requirements.txt",
        ("requirements.txt",),
    ),
]


@pytest.mark.parametrize(
    ("files", "installer", "source", "manifests"),
    DETECTION,
    ids=[
        "requirements",
        "requirements-dir-prod",
        "requirements-dir-base",
        "pipfile",
        "pipfile-lock-beats-requirements",
        "poetry1-no-lock",
        "poetry2-backend",
        "poetry-lock-beats-requirements",
        "uv-lock",
        "pdm-lock",
        "tool-pdm",
        "pep621",
        "pdm-backend-is-not-pdm",
        "tool-uv-without-lock-is-not-uv",
        "requirements-beat-pep621",
        "name-only-project-is-not-pep621",
    ],
)
def test_detect_installer(
    tmp_path: Path,
    files: dict[str, str],
    installer: Installer,
    source: str,
    manifests: tuple[str, ...],
) -> None:
    spec = detect_project(make_tree(tmp_path, files))
    assert (spec.installer.value, spec.installer.source, spec.manifests) == (
        installer,
        source,
        manifests,
    )


def test_detect_records_what_the_winner_overrode(tmp_path: Path) -> None:
    files = {"pyproject.toml": POETRY2, "poetry.lock": "", "requirements.txt": "six\n"}
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.installer.overridden == (
        "requirements.txt (pip)",
        "pyproject.toml [project] (pep621)",
    )


def test_installer_flag_always_wins(tmp_path: Path) -> None:
    files = {"pyproject.toml": PEP621, "uv.lock": "", "poetry.lock": "", "requirements.txt": "x\n"}
    spec = detect_project(make_tree(tmp_path, files), Overrides(installer=Installer.PIP))
    assert spec.installer.value == Installer.PIP
    # Credited to where the choice is remembered, as every later render will credit it.
    assert spec.installer.source == "pyproject.toml [tool.dockergen]"
    assert spec.manifests == ("requirements.txt",)


def test_lock_files_of_several_installers_are_an_error(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {"pyproject.toml": PEP621, "uv.lock": "", "poetry.lock": ""})
    with pytest.raises(ConflictingLockfilesError) as error:
        detect_project(root)
    assert str(error.value) == (
        f"{root} has lock files of several installers (poetry.lock, uv.lock); "
        "delete the stale one, or pass --installer to choose"
    )


def test_no_manifest_lists_what_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(NoManifestError) as error:
        detect_project(make_tree(tmp_path, {"README.md": "hi"}))
    assert str(error.value) == (
        f"no dependency manifest in {tmp_path} (looked for Pipfile.lock, poetry.lock, uv.lock, "
        "pdm.lock, Pipfile, requirements.txt, requirements/prod.txt, requirements/production.txt, "
        "requirements/main.txt, requirements/base.txt, requirements/requirements.txt, "
        "requirements-prod.txt, pyproject.toml); add one, or pass --installer to choose how "
        "dependencies are installed"
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"pyproject.toml": "[project\nname = 1"},
            "pyproject.toml: is not valid TOML (Expected ']' at the end of a table declaration "
            "(at line 1, column 9)); fix it",
        ),
        (
            {"requirements.txt": "-r ../outside.txt\n"},
            "requirements.txt:1: refers to ../outside.txt, which is outside the project (Docker "
            "cannot copy it); move the file into the project or vendor it",
        ),
        (
            {"requirements.txt": "-r missing.txt\n"},
            "requirements.txt:1: refers to missing.txt, which does not exist; fix it",
        ),
        (
            {"requirements.txt": "-r a.txt\n", "a.txt": "-r requirements.txt\n"},
            "a.txt: includes itself (requirements.txt -> a.txt -> requirements.txt); "
            "break the loop",
        ),
        (
            {"requirements.txt": "-e /abs/path\n"},
            "requirements.txt:1: refers to the absolute path /abs/path; use a path relative to "
            "the project",
        ),
        (
            {
                "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.99"\n'
                '[build-system]\nrequires = ["hatchling"]\n'
            },
            "pyproject.toml: no supported Python (3.10, 3.11, 3.12, 3.13, 3.14) satisfies "
            "pyproject.toml '>=3.99'; widen the constraint, or pass --python",
        ),
    ],
    ids=["bad-toml", "include-outside", "include-missing", "include-loop", "absolute", "no-python"],
)
def test_bad_input_is_a_clear_error(tmp_path: Path, files: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidProjectFileError) as error:
        detect_project(make_tree(tmp_path, files))
    assert str(error.value) == message


def test_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"six\n\xff\xfe\n")
    with pytest.raises(InvalidProjectFileError, match=r"^requirements.txt: is not UTF-8 text"):
        detect_project(tmp_path)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (Overrides(python="3.12\nRUN x"), "--python: Python version '3.12\\nRUN x' cannot"),
        (Overrides(apt_run=("curl && rm",)), "--apt: apt package 'curl && rm' cannot"),
        (Overrides(command=("a\nRUN b",)), "--command: command argument 'a\\nRUN b' cannot"),
        (Overrides(command=("a\u2028b",)), "--command: command argument 'a\\u2028b' cannot"),
    ],
    ids=["python", "apt", "command-newline", "command-line-separator"],
)
def test_unsafe_values_are_refused(tmp_path: Path, overrides: Overrides, message: str) -> None:
    root = make_tree(tmp_path, {"requirements.txt": "six\n"})
    with pytest.raises(UnsafeValueError) as error:
        detect_project(root, overrides)
    assert str(error.value).startswith(message)


def test_unsafe_manifest_name_is_refused_where_it_would_be_copied(tmp_path: Path) -> None:
    """COPY takes plain names only: the build plan refuses another as a COPY source, naming
    the file and line that asked for it."""
    root = make_tree(tmp_path, {"requirements.txt": "-r $(x).txt\n", "$(x).txt": "six\n"})
    with pytest.raises(UnsafeValueError) as error:
        render_files(detect_project(root))
    assert str(error.value) == (
        "requirements.txt:1: file name '$(x).txt' cannot go into a Dockerfile safely; "
        "rename it to letters, digits and ._-@+ only"
    )


def test_requirements_includes_are_followed_in_order(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "requirements.txt": "-r req/base.txt \\\n  # comment\n--constraint=req/c.txt\nsix\n",
            "req/base.txt": "-c c.txt\n-rcommon.txt\n",
            "req/common.txt": "idna  # pinned elsewhere\n",
            "req/c.txt": "six==1.17.0\n",
        },
    )
    spec = detect_project(root)
    assert spec.manifests == ("requirements.txt", "req/base.txt", "req/c.txt", "req/common.txt")
    assert spec.install.deps_before_source


def test_local_paths_and_vcs_requirements(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "requirements.txt": "-e .\n./libs/x[extra]\nlib @ git+https://example.invalid/x\n",
            "libs/x/setup.py": "",
        },
    )
    spec = detect_project(root)
    assert not spec.install.deps_before_source
    assert spec.apt.build == ("git",)
    assert "installs local paths (., libs/x)" in spec.warnings[0]


@pytest.mark.parametrize(
    ("pyproject", "files", "installs_project"),
    [
        (POETRY1, {"svc/__init__.py": ""}, True),
        (POETRY1, {"src/svc/__init__.py": ""}, True),
        (POETRY1, {"main.py": ""}, False),  # nothing to install: poetry would fail on the root
        (
            POETRY1.replace("[tool.poetry]\n", "[tool.poetry]\npackage-mode = false\n"),
            {"svc/a.py": ""},
            False,
        ),
        (PEP621 + "[tool.uv]\npackage = false\n", {"uv.lock": ""}, False),
        (PEP621, {"uv.lock": "", "svc/__init__.py": ""}, True),
        (PEP621.split("[build-system]")[0], {"uv.lock": ""}, False),
        (PEP621 + "[tool.pdm]\ndistribution = false\n", {"pdm.lock": ""}, False),
        (PEP621, {"pdm.lock": "", "svc/__init__.py": ""}, True),
        # hatchling would find nothing to ship (no svc/, src/svc/ or svc.py): an app.
        (PEP621, {"uv.lock": "", "app.py": ""}, False),
        (PEP621, {"pdm.lock": "", "app.py": ""}, False),
    ],
    ids=[
        "poetry-package",
        "poetry-src-package",
        "poetry-app-without-package",
        "poetry-package-mode-false",
        "uv-package-false",
        "uv-build-system",
        "uv-virtual",
        "pdm-distribution-false",
        "pdm-build-system",
        "uv-hatchling-finds-no-package",
        "pdm-hatchling-finds-no-package",
    ],
)
def test_whether_the_project_itself_is_installed(
    tmp_path: Path, pyproject: str, files: dict[str, str], installs_project: bool
) -> None:
    spec = detect_project(make_tree(tmp_path, {"pyproject.toml": pyproject, **files}))
    assert spec.install.installs_project is installs_project


def test_missing_lock_warns_build_is_not_reproducible(tmp_path: Path) -> None:
    spec = detect_project(make_tree(tmp_path, {"Pipfile": "[packages]\nsix = '*'\n"}))
    assert spec.install.locked is False
    assert spec.warnings[0] == (
        "Pipfile has no Pipfile.lock: the build resolves versions afresh and is not "
        "reproducible; run `pipenv lock` and commit Pipfile.lock"
    )


def test_readme_and_license_files_are_kept(tmp_path: Path) -> None:
    pyproject = PEP621.replace(
        'version = "0"',
        'version = "0"\nreadme = "docs/README.rst"\nlicense-files = ["LICEN[CS]E*"]',
    )
    spec = detect_project(make_tree(tmp_path, {"pyproject.toml": pyproject}))
    assert spec.keep_files == ("docs/README.rst", "LICEN[CS]E*")


@pytest.mark.parametrize(
    ("license_", "manifests"),
    [
        ('{file = "LICENSE"}', ("pyproject.toml", "poetry.lock", "LICENSE")),
        ('"MIT"', ("pyproject.toml", "poetry.lock")),  # an SPDX id names no file
        ('{file = "GONE"}', ("pyproject.toml", "poetry.lock")),  # poetry's own error, later
    ],
)
def test_poetry_copies_the_license_file_with_the_manifests(
    tmp_path: Path, license_: str, manifests: tuple[str, ...]
) -> None:
    """Poetry 2 reads [project] license = {file} even for `sync --no-root --no-directory`."""
    pyproject = (
        '[project]\nname = "app"\nversion = "1"\nreadme = "docs/README.md"\n'
        f"license = {license_}\n[tool.poetry]\n"
    )
    files = {"pyproject.toml": pyproject, "poetry.lock": "", "LICENSE": "MIT", "docs/README.md": ""}
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.manifests == manifests  # the readme is read only when the project installs


LOCAL_PATH_PROJECTS = {
    "poetry": {"pyproject.toml": POETRY1 + 'lib = {path = "libs/lib"}\n'},
    "poetry-lock": {
        "pyproject.toml": POETRY2,
        "poetry.lock": '[[package]]\nname = "lib"\nversion = "1"\n'
        '[package.source]\ntype = "directory"\nurl = "libs/lib"\n',
    },
    "uv": {
        "pyproject.toml": PEP621,
        "uv.lock": '[[package]]\nname = "lib"\nversion = "1"\nsource = { directory = "libs/lib" }\n',
    },
    "pdm": {
        "pyproject.toml": PEP621,
        "pdm.lock": '[[package]]\nname = "lib"\nversion = "1"\npath = "./libs/lib"\n',
    },
    "pipenv": {"Pipfile": '[packages]\nlib = {path = "./libs/lib"}\n'},
}


@pytest.mark.parametrize("files", LOCAL_PATH_PROJECTS.values(), ids=LOCAL_PATH_PROJECTS)
def test_local_path_dependencies_are_copied_before_the_install(
    tmp_path: Path, files: dict[str, str]
) -> None:
    spec = detect_project(make_tree(tmp_path, {**files, "libs/lib/pyproject.toml": ""}))
    assert spec.install.local_dependencies == ("lib",)
    assert spec.install.local_paths == ("libs/lib/",)
    assert spec.install.deps_before_source
    assert not any("local path" in w for w in spec.warnings)
    from dockergen.render import render_files

    dockerfile = render_files(spec)[0].content
    copied = dockerfile.index("COPY libs/lib/ ./libs/lib/\n")
    install = dockerfile.index(
        "RUN --mount=type=cache,id=root-cache-trixie,target=/root/.cache", copied
    )
    assert "COPY . ." not in dockerfile[:install]
    assert " --no-directory" not in dockerfile  # poetry would skip the directory


@pytest.mark.parametrize("files", LOCAL_PATH_PROJECTS.values(), ids=LOCAL_PATH_PROJECTS)
def test_local_path_dependencies_not_there_need_the_source_first(
    tmp_path: Path, files: dict[str, str]
) -> None:
    spec = detect_project(make_tree(tmp_path, files))  # libs/lib is missing
    assert spec.install.local_dependencies == ("lib",)
    assert spec.install.local_paths == ()
    assert not spec.install.deps_before_source
    assert any(w.startswith("local path dependencies (lib) need the source") for w in spec.warnings)
    from dockergen.render import render_files

    dockerfile = render_files(spec)[0].content
    assert "# Local path dependencies (lib) need the source first.\nCOPY . .\n" in dockerfile


@pytest.mark.parametrize(
    ("requirements", "local_paths"),
    [
        ("-e ./libs/x\n", ("libs/x/",)),
        ("./libs/x[extra]\n-e file:libs/y\n", ("libs/x/", "libs/y/")),
        ("vendor/z-1.0-py3-none-any.whl\n", ("vendor/z-1.0-py3-none-any.whl",)),
    ],
)
def test_pip_local_paths_are_copied_with_the_requirements(
    tmp_path: Path, requirements: str, local_paths: tuple[str, ...]
) -> None:
    files = {
        "requirements.txt": requirements,
        "libs/x/setup.py": "",
        "libs/y/setup.py": "",
        "vendor/z-1.0-py3-none-any.whl": "",
    }
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.install.local_paths == local_paths
    assert spec.install.deps_before_source
    from dockergen.render import render_files

    dockerfile = render_files(spec)[0].content
    before_install = dockerfile.split("pip --python /app/.venv/bin/python install -r")[0]
    for path in local_paths:
        assert f" {path} ./" in before_install
    assert "COPY . ." not in before_install


def test_uv_workspace_members_are_not_local_dependencies(tmp_path: Path) -> None:
    lock = '[[package]]\nname = "m"\nversion = "1"\nsource = { editable = "packages/m" }\n'
    spec = detect_project(make_tree(tmp_path, {"pyproject.toml": PEP621, "uv.lock": lock}))
    assert spec.install.local_dependencies == ()
    assert spec.install.deps_before_source


@pytest.mark.parametrize("path", ["../shared/lib", ".", "/opt/lib"])
def test_a_path_dependency_that_cannot_be_copied_alone_keeps_the_source_first(
    tmp_path: Path, path: str
) -> None:
    pyproject = POETRY1 + f'lib = {{path = "{path}"}}\n'
    spec = detect_project(make_tree(tmp_path / "p", {"pyproject.toml": pyproject}))
    assert (spec.install.local_paths, spec.install.deps_before_source) == ((), False)
