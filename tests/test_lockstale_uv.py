"""Stale uv.lock files, decided offline by comparing the root package's locked metadata.

The locks were written by uv 0.13.9 (`uv lock`) for the manifest beside them. Every "stale" row
is an edit `uv lock --check` refused, every fresh one an edit it accepted; rows this check does
not model answer None (one of them, a new marker, is a known miss: uv refuses it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dockergen.errors import NotPep440Error
from dockergen.installers.uv import UV
from dockergen.installers.uvlock import python_bounds
from dockergen.project import ProjectDir
from tests.helpers import make_tree

U1 = '[project]\nname = "u1"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = ["six>=1.16", "idna"]\n'
U1_LOCK = 'version = 1\nrevision = 5\nrequires-python = ">=3.11"\n\n[[package]]\nname = "u1"\nversion = "0.1.0"\nsource = { virtual = "." }\ndependencies = [{ name = "idna" }, { name = "six" }]\n\n[package.metadata]\nrequires-dist = [{ name = "idna" }, { name = "six", specifier = ">=1.16" }]\n'
U2 = '[project]\nname = "u2"\nversion = "1.0"\nrequires-python = "~=3.11"\ndependencies = ["certifi==2024.8.30; python_version >= \'3.8\'"]\n[project.optional-dependencies]\nx = ["six"]\n[dependency-groups]\ndev = ["idna>=3"]\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
U2_LOCK = 'version = 1\nrevision = 5\nrequires-python = ">=3.11, <4"\n\n[[package]]\nname = "u2"\nversion = "1.0"\nsource = { editable = "." }\n\n[package.metadata]\nrequires-dist = [\n    { name = "certifi", marker = "python_full_version >= \'3.8\'", specifier = "==2024.8.30" },\n    { name = "six", marker = "extra == \'x\'" },\n]\nprovides-extras = ["x"]\n\n[package.metadata.requires-dev]\ndev = [{ name = "idna", specifier = ">=3" }]\n'
U4 = '[project]\nname = "u4"\ndynamic = ["version"]\nrequires-python = ">=3.10, <4"\ndependencies = ["six"]\n'
U4_LOCK = 'version = 1\nrevision = 5\nrequires-python = ">=3.10, <4"\n\n[[package]]\nname = "u4"\nsource = { editable = "." }\n\n[package.metadata]\nrequires-dist = [{ name = "six" }]\n'
DIST = "[project] dependencies differ from the locked requires-dist"
GROUPS = "[dependency-groups] differ from the locked requires-dev"

UV_CASES = [
    # (id, pyproject.toml, uv.lock, what stale_lock says)
    ("virtual-fresh", U1, U1_LOCK, None),
    ("editable-extras-groups-fresh", U2, U2_LOCK, None),
    ("dynamic-version-fresh", U4, U4_LOCK, None),
    (
        "case-spacing-equivalent-specifiers",
        "# c\n" + U1.replace('"six>=1.16", "idna"', '"IDNA", "six >= 1.16.0"'),
        U1_LOCK,
        None,
    ),
    ("requires-python-space", U1.replace('">=3.11"', '">= 3.11"'), U1_LOCK, None),
    ("requires-python-same-range", U2.replace('"~=3.11"', '">=3.11,<4"'), U2_LOCK, None),
    (
        "known-miss-new-marker",
        U1.replace('"six>=1.16"', "\"six>=1.16; sys_platform == 'linux'\""),
        U1_LOCK,
        None,
    ),
    ("new-dependency", U1.replace('"idna"]', '"idna", "certifi"]'), U1_LOCK, DIST),
    ("removed-dependency", U1.replace(', "idna"]', "]"), U1_LOCK, DIST),
    ("changed-specifier", U1.replace("six>=1.16", "six>=1.15"), U1_LOCK, DIST),
    (
        "version",
        U1.replace('"0.1.0"', '"0.1.1"'),
        U1_LOCK,
        "pyproject.toml has version 0.1.1, the lock 0.1.0",
    ),
    (
        "requires-python-lower",
        U1.replace('">=3.11"', '">=3.9"'),
        U1_LOCK,
        "pyproject.toml has requires-python >=3.9, the lock >=3.11",
    ),
    (
        "requires-python-upper",
        U2.replace('"~=3.11"', '">=3.11,<3.14"'),
        U2_LOCK,
        "pyproject.toml has requires-python >=3.11,<3.14, the lock >=3.11, <4",
    ),
    ("new-extra", U2.replace('x = ["six"]', 'x = ["six"]\ny = ["idna"]'), U2_LOCK, DIST),
    (
        "group-dependency",
        U2.replace('dev = ["idna>=3"]', 'dev = ["idna>=3", "six"]'),
        U2_LOCK,
        "dependency group dev differs from the locked requires-dev",
    ),
    ("new-group", U1 + '\n[dependency-groups]\nlint = ["six"]\n', U1_LOCK, GROUPS),
    ("new-group-dynamic-version", U4 + '\n[dependency-groups]\nlint = ["six"]\n', U4_LOCK, GROUPS),
    # tool.uv.dev-dependencies is the group "dev" (not among the edits uv was asked about)
    ("legacy-dev-dependencies", U1 + '\n[tool.uv]\ndev-dependencies = ["six"]\n', U1_LOCK, GROUPS),
]
UNDECIDED = [
    (
        "workspace-requires-python",
        U1.replace('">=3.11"', '">=3.9"') + "\n[tool.uv.workspace]\nmembers = []\n",
        U1_LOCK,
    ),
    (
        "dynamic-dependencies",
        U1.replace('dependencies = ["six>=1.16", "idna"]', 'dynamic = ["dependencies"]'),
        U1_LOCK,
    ),
    ("no-name", U1.replace('name = "u1"\n', ""), U1_LOCK),
    ("no-root-package", U1.replace('"u1"', '"other"'), U1_LOCK),
    ("unmodelled-requires-python", U1.replace('">=3.11"', '">3.10"'), U1_LOCK),
    (
        "source-specifier",
        U1.replace("six>=1.16", "six>=1.15") + '[tool.uv.sources]\nsix = { path = "six" }\n',
        U1_LOCK,
    ),
    (
        "include-group",
        U2.replace('dev = ["idna>=3"]', 'dev = ["idna>=3"]\nall = [{ include-group = "dev" }]'),
        U2_LOCK,
    ),
    ("group-not-an-array", U2.replace('dev = ["idna>=3"]', 'dev = "idna"'), U2_LOCK),
    ("dependency-not-a-string", U1.replace('"idna"]', "1]"), U1_LOCK),
    ("no-lock", U1, None),
]


BIG = "1" * 5000  # packaging raises a bare ValueError for it, not InvalidVersion


def cut(text: str) -> str:
    return text[:120] + "..."


LOCK_FIX = "regenerate it with `uv lock`"
# What uv refuses to read is an error at file:line, never "undecided" nor a traceback.
UNPARSABLE = [
    (
        "requires-python",
        U1.replace('">=3.11"', '">=three"'),
        U1_LOCK,
        "pyproject.toml:4: requires-python '>=three' is not a valid version specifier "
        "(PEP 440); fix it",
    ),
    (
        "requires-python-thousands-of-digits",
        U1.replace('">=3.11"', f'">={BIG}"'),
        U1_LOCK,
        f"pyproject.toml:4: requires-python '{cut('>=' + BIG)}' is not a valid version specifier "
        "(PEP 440); fix it",
    ),
    (
        "locked-requires-python-thousands-of-digits",
        U1,
        U1_LOCK.replace('">=3.11"', f'">={BIG}"'),
        f"uv.lock:3: requires-python '{cut('>=' + BIG)}' is not a valid version specifier (PEP 440); "
        + LOCK_FIX,
    ),
    (
        "version",
        U1.replace('"0.1.0"', '"one"'),
        U1_LOCK,
        "pyproject.toml:3: version 'one' is not a valid version (PEP 440); fix it",
    ),
    (
        "version-thousands-of-digits",
        U1.replace('"0.1.0"', f'"{BIG}"'),
        U1_LOCK,
        f"pyproject.toml:3: version '{cut(BIG)}' is not a valid version (PEP 440); fix it",
    ),
    (
        "locked-version-thousands-of-digits",
        U1,
        U1_LOCK.replace('"0.1.0"', f'"1.{BIG}"'),
        f"uv.lock:7: version '{cut('1.' + BIG)}' is not a valid version (PEP 440); " + LOCK_FIX,
    ),
    (
        "requirement",
        U1.replace('"idna"', '"idna >>> 1"'),
        U1_LOCK,
        "pyproject.toml:5: the dependency 'idna >>> 1' is not a valid requirement (PEP 508); "
        "fix it",
    ),
    (
        "requirement-thousands-of-digits",
        U1.replace('"idna"', f'"idna>={BIG}"'),
        U1_LOCK,
        f"pyproject.toml:5: the dependency '{cut('idna>=' + BIG)}' is not a valid requirement "
        "(PEP 508); fix it",
    ),
    (
        "locked-specifier",
        U1,
        U1_LOCK.replace('">=1.16"', '">>1"'),
        "uv.lock:12: the specifier of six '>>1' is not a valid version specifier (PEP 440); "
        + LOCK_FIX,
    ),
    (
        "locked-specifier-thousands-of-digits",
        U1,
        U1_LOCK.replace('">=1.16"', f'">={BIG}"'),
        f"uv.lock:12: the specifier of six '{cut('>=' + BIG)}' is not a valid version specifier "
        "(PEP 440); " + LOCK_FIX,
    ),
]


@pytest.mark.parametrize(
    ("pyproject", "lock", "message"), [c[1:] for c in UNPARSABLE], ids=[c[0] for c in UNPARSABLE]
)
def test_uv_unparsable(tmp_path: Path, pyproject: str, lock: str, message: str) -> None:
    root = make_tree(tmp_path, {"pyproject.toml": pyproject, "uv.lock": lock})
    with pytest.raises(NotPep440Error) as caught:
        UV.stale_lock(ProjectDir(root))
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("pyproject", "lock", "said"), [c[1:] for c in UV_CASES], ids=[c[0] for c in UV_CASES]
)
def test_uv(tmp_path: Path, pyproject: str, lock: str, said: str | None) -> None:
    root = make_tree(tmp_path, {"pyproject.toml": pyproject, "uv.lock": lock})
    assert UV.stale_lock(ProjectDir(root)) == said


@pytest.mark.parametrize(
    ("pyproject", "lock"), [c[1:] for c in UNDECIDED], ids=[c[0] for c in UNDECIDED]
)
def test_uv_undecided(tmp_path: Path, pyproject: str, lock: str | None) -> None:
    files = {"pyproject.toml": pyproject, **({"uv.lock": lock} if lock else {})}
    assert UV.stale_lock(ProjectDir(make_tree(tmp_path, files))) is None


@pytest.mark.parametrize(
    ("spec", "bounds"),
    [
        (">=3.11", ("3.11", "99999")),
        ("~=3.11", ("3.11", "4")),
        ("==3.12.*", ("3.12", "3.13")),
        (">=3.10, <4", ("3.10", "4")),
        ("~=3.11.2", ("3.11.2", "3.12")),
        (">3.10", None),
        ("!=3.12.0,>=3.11", None),
        ("<=3.12", None),
        (">=three", None),
        (f">={'1' * 5000}", None),
    ],
)
def test_python_bounds(spec: str, bounds: tuple[str, str] | None) -> None:
    got = python_bounds(spec)
    assert (None if got is None else (str(got[0]), str(got[1]))) == bounds
