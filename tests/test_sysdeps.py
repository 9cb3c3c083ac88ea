from __future__ import annotations

from pathlib import Path

import pytest

from dockergen.detect import detect_project
from tests.helpers import make_tree

POETRY = '[tool.poetry]\npackage-mode = false\n[tool.poetry.dependencies]\npython = ">=3.12,<3.13"\n{deps}'


def _lock(name: str, *files: str) -> str:
    entries = ", ".join(f'{{file = "{f}", hash = "sha256:00"}}' for f in files)
    return f'[[package]]\nname = "{name}"\nversion = "1.0"\nfiles = [{entries}]\n'


CASES = [
    # (files, apt_build, apt_run)
    ({"requirements.txt": "psycopg2==2.9.10\n"}, ("build-essential", "libpq-dev"), ("libpq5",)),
    ({"requirements.txt": "psycopg2-binary==2.9.10\n"}, (), ()),
    ({"requirements.txt": "pdf2image\npydub\n"}, (), ("poppler-utils", "ffmpeg")),
    # lxml ships wheels for every current Python: nothing unless the lock says otherwise.
    ({"requirements.txt": "lxml\n"}, (), ()),
    (
        {
            "pyproject.toml": POETRY.format(deps='lxml = "*"\n'),
            "poetry.lock": _lock(
                "lxml", "lxml-1.0.tar.gz", "lxml-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"
            ),
        },
        ("build-essential", "libxml2-dev", "libxslt1-dev"),
        ("libxml2", "libxslt1.1"),
    ),
    (
        {
            "pyproject.toml": POETRY.format(deps='lxml = "*"\n'),
            "poetry.lock": _lock(
                "lxml",
                "lxml-1.0.tar.gz",
                "lxml-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                "lxml-1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
            ),
        },
        (),
        (),
    ),
    # An sdist-only package compiles; a pure wheel or abi3 wheels for both arches do not.
    (
        {
            "pyproject.toml": POETRY.format(deps='x = "*"\n'),
            "poetry.lock": _lock("x", "x-1.0.tar.gz"),
        },
        ("build-essential",),
        (),
    ),
    (
        {
            "pyproject.toml": POETRY.format(deps='x = "*"\n'),
            "poetry.lock": _lock("x", "x-1.0.tar.gz", "x-1.0-py3-none-any.whl"),
        },
        (),
        (),
    ),
    # An sdist-only package in a dev group is never installed in the image: no compiler.
    (
        {
            "pyproject.toml": POETRY.format(deps='x = "*"\n'),
            "poetry.lock": _lock("x", "x-1.0-py3-none-any.whl")
            + _lock("devtool", "devtool-1.0.tar.gz").replace(
                'version = "1.0"', 'version = "1.0"\ngroups = ["dev"]'
            ),
        },
        (),
        (),
    ),
    (
        {
            "pyproject.toml": POETRY.format(deps='x = "*"\n'),
            "poetry.lock": _lock(
                "x",
                "x-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
                "x-1.0-cp38-abi3-musllinux_1_2_aarch64.whl",
            ),
        },
        ("build-essential",),  # no glibc aarch64 wheel: arm64 builds compile
        (),
    ),
]


@pytest.mark.parametrize(
    ("files", "build", "run"),
    CASES,
    ids=[
        "psycopg2",
        "psycopg2-binary",
        "runtime-tools",
        "lxml-unlocked",
        "lxml-no-wheel-for-312",
        "lxml-wheels",
        "sdist-only",
        "pure-wheel",
        "sdist-only-in-a-dev-group",
        "one-arch-only",
    ],
)
def test_system_packages(
    tmp_path: Path, files: dict[str, str], build: tuple[str, ...], run: tuple[str, ...]
) -> None:
    spec = detect_project(make_tree(tmp_path, files))
    assert (spec.apt.build, spec.apt.run) == (build, run)


ON_DEMAND = [
    # (files, compiler and headers installed only if the unlocked install fails)
    ({"requirements.txt": "six\n"}, ("build-essential",)),
    (
        {"requirements.txt": "pylibmc\npsycopg2-binary\n"},
        ("build-essential", "libpq-dev", "libmemcached-dev", "zlib1g-dev"),
    ),
    # The builder has the compiler already (psycopg2 has no wheel): nothing more on demand.
    ({"requirements.txt": "psycopg2\n"}, ()),
    # A lock says which packages compile: decided, never on demand.
    (
        {
            "pyproject.toml": POETRY.format(deps='x = "*"\n'),
            "poetry.lock": _lock("x", "x-1.0.tar.gz"),
        },
        (),
    ),
    (
        {
            "pyproject.toml": POETRY.format(deps='x = "*"\n'),
            "poetry.lock": _lock("x", "x-1.0-py3-none-any.whl"),
        },
        (),
    ),
    ({"pyproject.toml": POETRY.format(deps='x = "*"\n')}, ("build-essential",)),
]


@pytest.mark.parametrize(
    ("files", "on_demand"),
    ON_DEMAND,
    ids=[
        "unlocked",
        "known-headers",
        "compiler-already",
        "lock-sdist",
        "lock-wheel",
        "poetry-no-lock",
    ],
)
def test_an_unlocked_install_gets_its_compiler_on_demand(
    tmp_path: Path, files: dict[str, str], on_demand: tuple[str, ...]
) -> None:
    assert detect_project(make_tree(tmp_path, files)).apt.on_demand == on_demand


def test_reasons_name_the_dependency(tmp_path: Path) -> None:
    spec = detect_project(make_tree(tmp_path, {"requirements.txt": "psycopg2\n"}))
    assert spec.apt.reasons == ("psycopg2: build build-essential libpq-dev, run libpq5",)


def test_flags_and_detected_packages_are_merged_without_duplicates(tmp_path: Path) -> None:
    from dockergen.model import Overrides

    spec = detect_project(
        make_tree(tmp_path, {"requirements.txt": "psycopg2\n"}),
        Overrides(apt_run=("libpq5", "curl")),
    )
    assert spec.apt.run == ("libpq5", "curl")


def test_python_prefers_the_newest_minor_the_lock_has_wheels_for(tmp_path: Path) -> None:
    lock = _lock(
        "x",
        "x-1.0.tar.gz",
        "x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        "x-1.0-cp312-cp312-manylinux_2_17_aarch64.whl",
    )
    pyproject = POETRY.format(deps='x = "*"\n').replace(">=3.12,<3.13", ">=3.11,<3.14")
    spec = detect_project(make_tree(tmp_path, {"pyproject.toml": pyproject, "poetry.lock": lock}))
    assert spec.python.value == "3.12"
    assert spec.python.detail == (
        "newest supported Python within pyproject.toml '>=3.11,<3.14' that the lock file has "
        "wheels for (3.13 would compile 1 packages from source, 3.12 0)"
    )
    assert spec.apt.build == ()


UV_PYPROJECT = (
    '[project]\nname = "app"\nversion = "1"\nrequires-python = ">=3.12"\ndependencies = ["x"]\n'
)


def _uv_lock(x_files: str) -> str:
    return (
        'version = 1\nrequires-python = ">=3.12"\n\n'
        '[[package]]\nname = "app"\nversion = "1"\nsource = { virtual = "." }\n'
        'dependencies = [{ name = "x" }]\n\n'
        '[package.dev-dependencies]\ndev = [{ name = "devtool" }]\n\n'
        f'[[package]]\nname = "x"\nversion = "1.0"\n{x_files}\ndependencies = [{{ name = "y" }}]\n\n'
        '[[package]]\nname = "y"\nversion = "1.0"\n'
        'wheels = [{ url = "https://example.invalid/y-1.0-py3-none-any.whl" }]\n\n'
        '[[package]]\nname = "devtool"\nversion = "1.0"\n'
        'sdist = { url = "https://example.invalid/devtool-1.0.tar.gz" }\n'
    )


@pytest.mark.parametrize(
    ("x_files", "build"),
    [
        ('wheels = [{ url = "https://example.invalid/x-1.0-py3-none-any.whl" }]', ()),
        ('sdist = { url = "https://example.invalid/x-1.0.tar.gz" }', ("build-essential",)),
    ],
    ids=["only-a-dev-tool-compiles", "a-dependency-compiles"],
)
def test_uv_compiles_only_what_the_image_installs(
    tmp_path: Path, x_files: str, build: tuple[str, ...]
) -> None:
    files = {"pyproject.toml": UV_PYPROJECT, "uv.lock": _uv_lock(x_files)}
    spec = detect_project(make_tree(tmp_path, files), allow_stale_lock=True)
    assert spec.apt.build == build
