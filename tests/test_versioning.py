"""Versions from git: detected from pyproject.toml, passed in as a build argument, read only by
the step that installs the project."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dockergen.decisions import explain_lines
from dockergen.detect import detect_project
from dockergen.model import Installer, Overrides
from dockergen.render import render_files
from tests.helpers import buildkit_instructions, hadolint_findings, make_tree

PROJECT = '[project]\nname = "app"\ndynamic = ["version"]\ndependencies = ["six"]\n'
HATCH = '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"\n'
SETUPTOOLS = (
    '[build-system]\nrequires = ["setuptools>=64", "setuptools_scm[toml]>=8"]\n'
    'build-backend = "setuptools.build_meta"\n'
)
PDM = '[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n'
PDV = (
    '[build-system]\nrequires = ["poetry-core>=2", "poetry-dynamic-versioning>=1,<2"]\n'
    'build-backend = "poetry_dynamic_versioning.backend"\n'
)

DETECTED = {
    "hatch-vcs": (
        HATCH + '[tool.hatch.version]\nsource = "vcs"\n',
        "SETUPTOOLS_SCM_PRETEND_VERSION",
        'hatch-vcs: [tool.hatch.version] source = "vcs"',
    ),
    "setuptools-scm-table": (
        SETUPTOOLS + "[tool.setuptools_scm]\n",
        "SETUPTOOLS_SCM_PRETEND_VERSION",
        "setuptools-scm: [tool.setuptools_scm]",
    ),
    "setuptools-scm-requires": (
        SETUPTOOLS,
        "SETUPTOOLS_SCM_PRETEND_VERSION",
        "setuptools-scm: in [build-system] requires, version dynamic",
    ),
    "pdm-scm": (
        PDM + '[tool.pdm.version]\nsource = "scm"\n',
        "PDM_BUILD_SCM_VERSION",
        'pdm-backend: [tool.pdm.version] source = "scm"',
    ),
    "poetry-dynamic-versioning": (
        PDV + '[tool.poetry]\nversion = "0.0.0"\n[tool.poetry-dynamic-versioning]\nenable = true\n',
        "POETRY_DYNAMIC_VERSIONING_BYPASS",
        "poetry-dynamic-versioning: [tool.poetry-dynamic-versioning] enable = true",
    ),
}


@pytest.mark.parametrize(("extra", "variable", "detail"), DETECTED.values(), ids=DETECTED)
def test_git_versions_are_detected(tmp_path: Path, extra: str, variable: str, detail: str) -> None:
    files = {"pyproject.toml": PROJECT + extra, "app/__init__.py": ""}
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.version_from_git is not None
    assert (spec.version_from_git.value, spec.version_from_git.source) == (
        variable,
        "pyproject.toml",
    )
    assert spec.version_from_git.detail == detail
    assert f"as {variable} (pyproject.toml {detail})" in "\n".join(explain_lines(spec))


@pytest.mark.parametrize(
    "extra",
    [
        HATCH + '[tool.hatch.version]\npath = "app/__init__.py"\n',  # a version from a file
        PDM + '[tool.pdm.version]\nsource = "file"\npath = "app.py"\n',
        SETUPTOOLS.replace('"setuptools_scm[toml]>=8"', '"wheel"'),
        PDV + "[tool.poetry-dynamic-versioning]\nenable = false\n",
    ],
)
def test_other_versions_are_not_from_git(tmp_path: Path, extra: str) -> None:
    spec = detect_project(make_tree(tmp_path, {"pyproject.toml": PROJECT + extra}))
    assert spec.version_from_git is None
    assert "APP_VERSION" not in render_files(spec)[0].content


def test_a_project_that_is_not_installed_needs_no_version(tmp_path: Path) -> None:
    pyproject = PROJECT + HATCH + '[tool.hatch.version]\nsource = "vcs"\n'
    files = {"pyproject.toml": pyproject, "requirements.txt": "six\n"}  # pip: no -e .
    spec = detect_project(make_tree(tmp_path, files))
    assert spec.version_from_git is None


INSTALLERS = {
    Installer.PEP621: ({}, "pip --python /app/.venv/bin/python install --no-deps ."),
    # A package to ship (hatchling finds app/), installed against its stand-in.
    Installer.UV: ({"uv.lock": "", "app/__init__.py": ""}, "uv sync --locked --no-dev"),
    Installer.PDM: ({"pdm.lock": "", "app/__init__.py": ""}, "pdm install --check --prod"),
    Installer.POETRY: (
        {"poetry.lock": "", "app/__init__.py": ""},
        "poetry --no-plugins install --only-root",
    ),
    Installer.PIP: ({"requirements.txt": "-e .\n"}, "pip --python /app/.venv/bin/python install"),
    Installer.PIPENV: (
        {"Pipfile": '[packages]\napp = {path = ".", editable = true}\n'},
        "pipenv install",
    ),
}


@pytest.mark.parametrize("installer", INSTALLERS)
def test_only_the_project_install_reads_the_version(tmp_path: Path, installer: Installer) -> None:
    files, command = INSTALLERS[installer]
    pyproject = PROJECT + HATCH + '[tool.hatch.version]\nsource = "vcs"\n'
    root = make_tree(tmp_path / "p", {"pyproject.toml": pyproject, **files})
    spec = detect_project(root, Overrides(installer=installer))
    dockerfile = render_files(spec)[0].content
    assert "# Build: docker build --build-arg APP_VERSION=$(git describe --tags) -t app .\n" in (
        dockerfile
    )
    runs = re.findall(r"^RUN .*?(?<!\\)$", dockerfile, re.M | re.S)
    reading = [r for r in runs if "APP_VERSION" in r]
    assert len(reading) == 1, runs
    assert f"SETUPTOOLS_SCM_PRETEND_VERSION=$APP_VERSION {command}" in reading[0]
    # Declared once, in the builder, after everything that must stay cached across versions.
    assert dockerfile.count("ARG APP_VERSION=0.0.0\n") == 1
    builder = dockerfile.split("# ---- final")[0]
    assert builder.index("ARG APP_VERSION") > builder.rindex("COPY ")
    assert hadolint_findings(dockerfile, tmp_path) == []
    assert "ARG" in buildkit_instructions(dockerfile)


def test_poetry_dynamic_versioning_builds_with_its_backend(tmp_path: Path) -> None:
    """Poetry runs without plugins, so its own install would write the placeholder version:
    the project is built by the PEP 517 backend, which reads the bypass variable."""
    pyproject = PROJECT + DETECTED["poetry-dynamic-versioning"][0]
    root = make_tree(
        tmp_path / "p", {"pyproject.toml": pyproject, "poetry.lock": "", "app/x.py": ""}
    )
    spec = detect_project(root)
    dockerfile = render_files(spec)[0].content
    assert (
        "POETRY_DYNAMIC_VERSIONING_BYPASS=$APP_VERSION pip --python /app/.venv/bin/python install --no-deps .\n"
        in dockerfile
    )
    assert "install --only-root" not in dockerfile
    assert hadolint_findings(dockerfile, tmp_path) == []
    assert not spec.warnings or all("dynamic-versioning" not in w for w in spec.warnings)


def test_poetry_dynamic_versioning_without_its_backend_warns(tmp_path: Path) -> None:
    pyproject = (
        PROJECT
        + '[build-system]\nrequires = ["poetry-core>=2"]\nbuild-backend = "poetry.core.masonry.api"\n'
        + "[tool.poetry-dynamic-versioning]\nenable = true\n"
    )
    root = make_tree(
        tmp_path / "p", {"pyproject.toml": pyproject, "poetry.lock": "", "app/x.py": ""}
    )
    spec = detect_project(root)
    assert any("placeholder version" in w for w in spec.warnings)
