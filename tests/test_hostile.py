"""Hostile and broken input: every case is one exact message, exit 1, and nothing written.

Each case builds a project in tmp_path, runs `dockergen init` through the CLI and checks that
it fails with `dockergen: error: <file>[:line]: <problem>; <fix>` on stderr, no traceback,
nothing on stdout, and the project tree byte-for-byte as it was. Inputs that are odd but
valid (pip options, markers, hashes, VCS and URL requirements) are in a table of their own
and must work.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.detect import detect_project
from dockergen.errors import InvalidProjectFileError
from dockergen.installers.requirements import MAX_INCLUDE_DEPTH, MAX_LINES
from dockergen.project import MAX_FILE_BYTES
from dockergen.render import render_files
from tests.helpers import make_tree, tree_snapshot

runner = CliRunner()
PEP621 = '[project]\nname = "svc"\nversion = "0"\n[build-system]\nrequires = ["hatchling"]\n'
UV_LOCK_FIX = "regenerate it with `uv lock`"
PDM_LOCK_FIX = "regenerate it with `pdm lock`"
POETRY_LOCK_FIX = "regenerate it with `poetry lock`"
PIPFILE_LOCK_FIX = "regenerate it with `pipenv lock`"


def _init_fails(root: Path, snapshot: Callable[[Path], object] = tree_snapshot) -> str:
    """Run `dockergen init root`; assert a clean failure that wrote nothing; return stderr."""
    before = snapshot(root)
    result = runner.invoke(app, ["init", str(root), "--no-input"])
    # CliRunner turns an uncaught exception into exit code 1 too: only SystemExit is clean.
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before
    return result.stderr


def _listing(root: Path) -> list[tuple[str, int, int]]:
    """Names, sizes and modification times: a snapshot that reads no file (some can't be)."""
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            info = (Path(folder) / name).lstat()
            found.append(
                (str(Path(folder, name).relative_to(root)), info.st_size, info.st_mtime_ns)
            )
    return sorted(found)


# (files, message). The message is what follows `dockergen: error: `.
MALFORMED = [
    pytest.param(
        {"pyproject.toml": "[project\nname = 1"},
        "pyproject.toml: is not valid TOML (Expected ']' at the end of a table declaration "
        "(at line 1, column 9)); fix it",
        id="pyproject-bad-toml",
    ),
    pytest.param(
        {"Pipfile": "[packages\n"},
        "Pipfile: is not valid TOML (Expected ']' at the end of a table declaration "
        "(at line 1, column 10)); fix it",
        id="pipfile-bad-toml",
    ),
    pytest.param(
        {"pyproject.toml": PEP621, "poetry.lock": "[[package]\n"},
        "poetry.lock: is not valid TOML (Expected ']]' at the end of an array declaration "
        f"(at line 1, column 10)); {POETRY_LOCK_FIX}",
        id="poetry-lock-bad-toml",
    ),
    pytest.param(
        {"pyproject.toml": PEP621, "uv.lock": "version = \n"},
        f"uv.lock: is not valid TOML (Invalid value (at line 1, column 11)); {UV_LOCK_FIX}",
        id="uv-lock-bad-toml",
    ),
    pytest.param(
        {"pyproject.toml": PEP621, "pdm.lock": "[metadata]\nx = 'a\n"},
        f'pdm.lock: is not valid TOML (Expected "\'" (at end of document)); {PDM_LOCK_FIX}',
        id="pdm-lock-bad-toml",
    ),
    pytest.param(
        {"requirements.txt": "six\n", ".dockergen.toml": "apt = [\n"},
        ".dockergen.toml: is not valid TOML (Invalid value (at end of document)); fix it",
        id="answers-bad-toml",
    ),
    pytest.param(
        {"pyproject.toml": "x = " + "[" * 1000 + "]" * 1000 + "\n"},
        "pyproject.toml: is nested too deeply; fix it",
        id="pyproject-nested-too-deeply",
    ),
    pytest.param(
        {"Pipfile": "[packages]\n", "Pipfile.lock": "{not json"},
        "Pipfile.lock: is not valid JSON (line 1: Expecting property name enclosed in double "
        f"quotes); {PIPFILE_LOCK_FIX}",
        id="pipfile-lock-not-json",
    ),
    pytest.param(
        {"Pipfile": "[packages]\n", "Pipfile.lock": "[1, 2]"},
        f"Pipfile.lock: is an array, not a JSON object; {PIPFILE_LOCK_FIX}",
        id="pipfile-lock-json-array",
    ),
    pytest.param(
        {"pyproject.toml": PEP621, "uv.lock": "version = 1\nrequires-python = 3\n"},
        f"uv.lock: requires-python is an integer, not a string; {UV_LOCK_FIX}",
        id="uv-lock-requires-python-int",
    ),
    pytest.param(
        {"pyproject.toml": PEP621, "uv.lock": 'version = 1\npackage = "six"\n'},
        f"uv.lock: package is a string, not an array; {UV_LOCK_FIX}",
        id="uv-lock-package-string",
    ),
    pytest.param(
        {"pyproject.toml": PEP621, "pdm.lock": 'metadata = "x"\n'},
        f"pdm.lock: metadata is a string, not a table; {PDM_LOCK_FIX}",
        id="pdm-lock-metadata-string",
    ),
    pytest.param(
        {"pyproject.toml": PEP621, "pdm.lock": "[metadata]\ntargets = 1\n"},
        f"pdm.lock: metadata.targets is an integer, not an array; {PDM_LOCK_FIX}",
        id="pdm-lock-targets-int",
    ),
    pytest.param(
        {"pyproject.toml": PEP621, "pdm.lock": "[metadata]\nrequires_python = 3.1\n"},
        f"pdm.lock: metadata.requires_python is a float, not a string; {PDM_LOCK_FIX}",
        id="pdm-lock-requires-python-float",
    ),
    pytest.param(
        {"pyproject.toml": PEP621, "poetry.lock": "package = true\n"},
        f"poetry.lock: package is a boolean, not an array; {POETRY_LOCK_FIX}",
        id="poetry-lock-package-bool",
    ),
    pytest.param(
        {"pyproject.toml": 'project = "svc"\n'},
        "pyproject.toml: project is a string, not a table; fix it",
        id="pyproject-project-string",
    ),
    pytest.param(
        {"pyproject.toml": "tool = [1]\n", "requirements.txt": "six\n"},
        "pyproject.toml: tool is an array, not a table; fix it",
        id="pyproject-tool-array",
    ),
    pytest.param(
        {"pyproject.toml": "[tool]\npoetry = 1\n"},
        "pyproject.toml: tool.poetry is an integer, not a table; fix it",
        id="pyproject-tool-poetry-int",
    ),
    pytest.param(
        {"pyproject.toml": "[tool.poetry]\ndependencies = ['six']\n"},
        "pyproject.toml: tool.poetry.dependencies is an array, not a table; fix it",
        id="poetry-dependencies-array",
    ),
    pytest.param(
        {"pyproject.toml": PEP621.replace('"0"\n', '"0"\nrequires-python = 3.11\n')},
        "pyproject.toml: project.requires-python is a float, not a string; fix it",
        id="requires-python-float",
    ),
    pytest.param(
        {"pyproject.toml": PEP621.replace('"0"\n', '"0"\ndynamic = "dependencies"\n')},
        "pyproject.toml: project.dynamic is a string, not an array; fix it",
        id="project-dynamic-string",
    ),
    pytest.param(
        {"pyproject.toml": "[build-system]\nbuild-backend = 1\n"},
        "pyproject.toml: build-system.build-backend is an integer, not a string; fix it",
        id="build-backend-int",
    ),
    pytest.param(
        {"pyproject.toml": "[tool.uv.workspace]\nmembers = 'x'\n", "requirements.txt": "six\n"},
        "pyproject.toml: tool.uv.workspace.members is a string, not an array; fix it",
        id="uv-workspace-members-string",
    ),
    pytest.param(
        {"pyproject.toml": '[tool.uv.workspace]\nmembers = ["../*"]\n', "uv.lock": ""},
        "pyproject.toml: [tool.uv.workspace] members names ../*, outside the workspace; "
        "list members inside the workspace root",
        id="uv-workspace-member-outside",
    ),
    pytest.param(
        {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.x"\n'},
        "pyproject.toml:2: python = '^3.x' is not a valid Poetry constraint; fix it",
        id="poetry-python-not-a-number",
    ),
    pytest.param(
        {
            "pyproject.toml": f'[project]\nname = "svc"\nrequires-python = ">=3.11{"x" * 5000}"\n',
            "requirements.txt": "six\n",
        },
        "pyproject.toml:3: [project] requires-python '>=3.11"
        + "x" * 114
        + "...' is not a valid version specifier (PEP 440); fix it",
        id="requires-python-long-and-invalid",
    ),
    pytest.param(
        {"Pipfile": "packages = ['six']\n"},
        "Pipfile: packages is an array, not a table; fix it",
        id="pipfile-packages-array",
    ),
    pytest.param(
        {"Pipfile": 'requires = "3.11"\n'},
        "Pipfile: requires is a string, not a table; fix it",
        id="pipfile-requires-string",
    ),
    pytest.param(
        {"requirements.txt": b"six\n\xff\xfe\n"},
        "requirements.txt: is not UTF-8 text (byte 4); save it as UTF-8",
        id="requirements-not-utf8",
    ),
    pytest.param(
        {"requirements.txt": "-r base.txt\n", "base.txt": b"\xc3(\n"},
        "base.txt: is not UTF-8 text (byte 0); save it as UTF-8",
        id="include-not-utf8",
    ),
    pytest.param(
        {"requirements.txt": "-r a.txt\n", "a.txt": "-r requirements.txt\n"},
        "a.txt: includes itself (requirements.txt -> a.txt -> requirements.txt); break the loop",
        id="include-loop",
    ),
    pytest.param(
        {"requirements.txt": "-r requirements.txt\n"},
        "requirements.txt: includes itself (requirements.txt -> requirements.txt); break the loop",
        id="include-self",
    ),
    pytest.param(
        {"requirements.txt": "six\n-c /etc/passwd\n"},
        "requirements.txt:2: refers to the absolute path /etc/passwd; use a path relative to "
        "the project",
        id="include-absolute",
    ),
    pytest.param(
        {"requirements.txt": "-r file:///etc/passwd\n"},
        "requirements.txt:1: refers to the absolute path /etc/passwd; use a path relative to "
        "the project",
        id="include-file-url",
    ),
    pytest.param(
        {"requirements.txt": "-r ../../outside.txt\n"},
        "requirements.txt:1: refers to ../../outside.txt, which is outside the project (Docker "
        "cannot copy it); move the file into the project or vendor it",
        id="include-dotdot",
    ),
    pytest.param(
        {"requirements.txt": "-r sub\n", "sub/x.txt": ""},
        "requirements.txt:1: includes sub, which is a directory; name a requirements file",
        id="include-directory",
    ),
    pytest.param(
        {"requirements.txt": "# pinned\n-r missing.txt\n"},
        "requirements.txt:2: refers to missing.txt, which does not exist; fix it",
        id="include-missing",
    ),
    pytest.param(
        {"requirements.txt": "-r a\x00b.txt\n"},
        "requirements.txt:1: refers to 'a\\x00b.txt', which is not a usable file name; rename it",
        id="include-nul-byte",
    ),
    pytest.param(
        {"requirements.txt": "-r " + "a" * 300 + ".txt\n"},
        "requirements.txt:1: refers to " + "a" * 120 + "..., which is not a usable file name; "
        "rename it",
        id="include-name-too-long",
    ),
    pytest.param(
        {"requirements.txt": "-r \x1b[31mred.txt\n"},
        "requirements.txt:1: refers to '\\x1b[31mred.txt', which is not a usable file name; "
        "rename it",
        id="include-escape-sequence",
    ),
    pytest.param(
        {"requirements.txt": "-r $(id).txt\n", "$(id).txt": "six\n"},
        "requirements.txt:1: file name '$(id).txt' cannot go into a Dockerfile safely; rename "
        "it to letters, digits and ._-@+ only",
        id="include-shell-name",
    ),
    pytest.param(
        {"requirements.txt": "-e /opt/lib\n"},
        "requirements.txt:1: refers to the absolute path /opt/lib; use a path relative to the "
        "project",
        id="editable-absolute",
    ),
    pytest.param(
        {
            "Pipfile": '[requires]\npython_version = "3.12"\n',
            ".dockergen.toml": 'python = "3.12\\n"\n',
        },
        ".dockergen.toml: Python version '3.12\\n' cannot go into a Dockerfile safely; use X.Y "
        "or X.Y.Z",
        id="answer-python-newline",
    ),
    pytest.param(
        {"requirements.txt": "gunicorn\n", "Procfile": "web: gunicorn " + "x" * 20_000 + "\n"},
        "Procfile:1: command 'gunicorn " + "x" * 111 + "...' cannot go into a Dockerfile safely; "
        "shorten it to under 16384 characters, or move it into a script",
        id="procfile-line-too-long",
    ),
]


@pytest.mark.parametrize(("files", "message"), MALFORMED)
def test_malformed_input_is_one_clear_error(
    tmp_path: Path, files: dict[str, str | bytes], message: str
) -> None:
    root = _make(tmp_path / "p", files)
    assert _init_fails(root) == f"dockergen: error: {message}\n"


def _make(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    text = {name: data for name, data in files.items() if isinstance(data, str)}
    make_tree(root, text)
    for name, data in files.items():
        if isinstance(data, bytes):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
    return root


# ---- the file system itself: links, directories, FIFOs, permissions ----------------------


def _symlink_escape(root: Path) -> None:
    (root.parent / "outside.txt").write_text("six\n")
    (root / "requirements.txt").write_text("-r link.txt\n")
    (root / "link.txt").symlink_to("../outside.txt")


def _top_level_symlink_escape(root: Path) -> None:
    (root.parent / "outside.txt").write_text("six\n")
    (root / "requirements.txt").symlink_to(root.parent / "outside.txt")


def _symlink_loop(root: Path) -> None:
    (root / "requirements.txt").write_text("six\n-r loop.txt\n")
    (root / "loop.txt").symlink_to("loop.txt")


def _directory(name: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        (root / name).mkdir()
        (root / name / "x.txt").write_text("six\n")

    return make


def _fifo(root: Path) -> None:
    (root / "requirements.txt").write_text("-r pipe.txt\n")
    os.mkfifo(root / "pipe.txt")


def _deep_includes(root: Path) -> None:
    (root / "requirements.txt").write_text("-r r0.txt\n")
    for level in range(MAX_INCLUDE_DEPTH + 5):
        (root / f"r{level}.txt").write_text(f"-r r{level + 1}.txt\n")
    (root / f"r{MAX_INCLUDE_DEPTH + 5}.txt").write_text("six\n")


def _many_includes(root: Path) -> None:
    names = [f"{'r' * 100}{i}.txt" for i in range(200)]
    (root / "requirements.txt").write_text("".join(f"-r {name}\n" for name in names))
    for name in names:
        (root / name).write_text("six\n")


FILE_SYSTEM = [
    pytest.param(
        _symlink_escape,
        "requirements.txt:1: refers to link.txt, which is outside the project (Docker cannot "
        "copy it); move the file into the project or vendor it",
        id="include-symlink-escapes",
    ),
    pytest.param(
        _top_level_symlink_escape,
        "requirements.txt: is a symlink to a file outside the project; copy the file in instead",
        id="requirements-symlink-escapes",
    ),
    pytest.param(
        _symlink_loop,
        "loop.txt: is a symlink loop; point the symlink at a file",
        id="include-symlink-loop",
    ),
    pytest.param(
        _directory("requirements.txt"),
        "requirements.txt: is a directory; replace it with a file",
        id="requirements-is-a-directory",
    ),
    pytest.param(
        _directory("pyproject.toml"),
        "pyproject.toml: is a directory; replace it with a file",
        id="pyproject-is-a-directory",
    ),
    pytest.param(
        _directory("uv.lock"),
        "uv.lock: is a directory; replace it with a file",
        id="lock-is-a-directory",
    ),
    pytest.param(
        _fifo,
        "requirements.txt:1: includes pipe.txt, which is not a regular file; name a "
        "requirements file",
        id="include-fifo-does-not-hang",
    ),
    pytest.param(
        _deep_includes,
        f"r{MAX_INCLUDE_DEPTH - 2}.txt: includes are nested more than {MAX_INCLUDE_DEPTH} files "
        "deep; include fewer levels of files",
        id="includes-too-deep",
    ),
    pytest.param(
        _many_includes,
        "requirements.txt: list of files '"
        + ("requirements.txt " + "r" * 100 + "0.txt")[:120]
        + "...' cannot go into a Dockerfile safely; include fewer files: their names add up to "
        "more than 16384 characters",
        id="includes-too-many-for-one-copy",
    ),
]


@pytest.mark.parametrize(("setup", "message"), FILE_SYSTEM)
def test_file_system_oddities_are_one_clear_error(
    tmp_path: Path, setup: Callable[[Path], None], message: str
) -> None:
    root = tmp_path / "p"
    root.mkdir()
    setup(root)
    assert _init_fails(root) == f"dockergen: error: {message}\n"


def _mode_is_enforced(tmp_path: Path) -> bool:
    """False for root with CAP_DAC_OVERRIDE, which reads files whatever their mode. (To run
    these tests as root anyway: setpriv --bounding-set=-dac_override,-dac_read_search ...)"""
    probe = tmp_path / "probe"
    probe.write_text("")
    probe.chmod(0)
    try:
        probe.read_text()
    except PermissionError:
        return True
    finally:
        probe.chmod(0o644)
    return False


@pytest.mark.parametrize("name", ["requirements.txt", "pyproject.toml"])
def test_unreadable_file_is_one_clear_error(tmp_path: Path, name: str) -> None:
    if not _mode_is_enforced(tmp_path):
        pytest.skip("this user reads files whatever their mode (root)")
    root = make_tree(tmp_path / "p", {"requirements.txt": "six\n", "pyproject.toml": PEP621})
    (root / name).chmod(0)
    try:
        assert _init_fails(root, _listing) == (
            f"dockergen: error: {name}: cannot be read (Permission denied); make it readable "
            "by the user running dockergen\n"
        )
    finally:
        (root / name).chmod(0o644)


def test_unsearchable_directory_is_one_clear_error(tmp_path: Path) -> None:
    if not _mode_is_enforced(tmp_path):
        pytest.skip("this user reads files whatever their mode (root)")
    root = make_tree(tmp_path / "p", {"requirements/prod.txt": "six\n"})
    (root / "requirements").chmod(0)
    try:
        assert _init_fails(root, _listing) == (
            "dockergen: error: requirements/prod.txt: cannot be read (Permission denied); "
            "make it readable by the user running dockergen\n"
        )
    finally:
        (root / "requirements").chmod(0o755)


# ---- size: a 50 MB file neither hangs nor fills memory ------------------------------------


def _write_big(path: Path, line: bytes, size: int) -> None:
    """`size` bytes of `line`, written a chunk at a time so the test itself stays small."""
    chunk = line * (2**20 // len(line))
    with path.open("wb") as handle:
        for _ in range(size // len(chunk)):
            handle.write(chunk)


@pytest.mark.parametrize(
    ("name", "line", "files"),
    [
        ("requirements.txt", b"six==1.17.0 --hash=sha256:" + b"0" * 64 + b"\n", {}),
        ("uv.lock", b'[[package]]\nname = "six"\nversion = "1.17.0"\n', {"pyproject.toml": PEP621}),
        ("Pipfile.lock", b'{"default": {}}\n', {"Pipfile": "[packages]\n"}),
    ],
    ids=["requirements", "uv-lock", "pipfile-lock"],
)
def test_fifty_megabyte_file_is_refused_quickly(
    tmp_path: Path, name: str, line: bytes, files: dict[str, str]
) -> None:
    root = make_tree(tmp_path / "p", files)
    root.mkdir(exist_ok=True)
    _write_big(root / name, line, 50 * 2**20)
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(InvalidProjectFileError) as error:
            detect_project(root)
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(error.value) == (
        f"{name}: is larger than {MAX_FILE_BYTES // 2**20} MiB, more than any real manifest; "
        "check the file"
    )
    assert elapsed < 2
    assert peak < 8 * 2**20  # the file is never read


def test_file_of_many_short_lines_is_refused_quickly(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    _write_big(root / "requirements.txt", b"a\n", 8 * 2**20)  # 4 million lines, under the cap
    started = time.monotonic()
    assert _init_fails(root) == (
        f"dockergen: error: requirements.txt: has more than {MAX_LINES} lines, more than any "
        "real requirements file; check the file\n"
    )
    assert time.monotonic() - started < 5


def test_biggest_allowed_lock_file_is_read_in_seconds(tmp_path: Path) -> None:
    """Just under the cap, a valid uv.lock is parsed: a big real project is not refused."""
    root = make_tree(tmp_path / "p", {"pyproject.toml": PEP621})
    entry = b'[[package]]\nname = "six"\nversion = "1.17.0"\nsource = { registry = "x" }\n\n'
    with (root / "uv.lock").open("wb") as handle:
        handle.write(b'version = 1\nrequires-python = ">=3.11"\n\n')
        for _ in range((MAX_FILE_BYTES - 2**20) // len(entry)):
            handle.write(entry)
    started = time.monotonic()
    spec = detect_project(root)
    assert spec.installer.value == "uv"
    assert time.monotonic() - started < 10


# ---- odd but valid requirements: each works, with the documented effect -------------------

ODD_REQUIREMENTS = [
    pytest.param("--requirement=base.txt\n--constraint=c.txt\n", False, False, id="options-with-="),
    pytest.param(
        "requests[socks]>=2; python_version < \"3.13\" and sys_platform == 'linux'\n",
        False,
        False,
        id="markers-with-quotes",
    ),
    pytest.param(
        "six==1.17.0 \\\n    --hash=sha256:" + "a" * 64 + " \\\n    --hash=sha256:" + "b" * 64,
        False,
        False,
        id="hashes",
    ),
    pytest.param(
        "--index-url https://pypi.example.invalid/simple\n"
        "--extra-index-url=https://other.example.invalid/simple\nsix\n",
        False,
        False,
        id="index-url-lines",
    ),
    pytest.param("-e git+https://example.invalid/x.git#egg=x\n", False, True, id="editable-vcs"),
    pytest.param("x @ git+https://example.invalid/x.git@v1\n", False, True, id="pep508-vcs-url"),
    pytest.param(
        "https://example.invalid/x-1.0-py3-none-any.whl\n"
        "x @ https://example.invalid/x-1.0.tar.gz\n",
        False,
        False,
        id="url-requirements",
    ),
    pytest.param("-e .\n" * 1000, True, False, id="editable-dot-a-thousand-times"),
    # Local paths other than the project itself are copied with the manifests.
    pytest.param("./vendor/x-1.0-py3-none-any.whl\n", False, False, id="local-wheel"),
    pytest.param("-e file:vendor\n", False, False, id="editable-file-url"),
    pytest.param("\ufeffsix\r\n# comment\r\n", False, False, id="bom-and-crlf"),
]


@pytest.mark.parametrize(("requirements", "source_first", "needs_git"), ODD_REQUIREMENTS)
def test_odd_but_valid_requirements_work(
    tmp_path: Path, requirements: str, source_first: bool, needs_git: bool
) -> None:
    root = make_tree(
        tmp_path / "p",
        {
            "requirements.txt": requirements,
            "base.txt": "six\n",
            "c.txt": "six==1.17.0\n",
            "vendor/x-1.0-py3-none-any.whl": "",
        },
    )
    spec = detect_project(root)
    assert spec.install.deps_before_source is not source_first
    assert ("git" in spec.apt.build) is needs_git
    result = runner.invoke(app, ["init", str(root), "--no-input"])
    assert result.exit_code == 0, result.output
    assert (root / "Dockerfile").is_file()


# ---- Python pins: junk is ignored (documented), never written into the Dockerfile ---------

JUNK_PINS = [
    pytest.param({".python-version": "pypy3.10\n"}, id="python-version-pypy"),
    pytest.param({".python-version": "3.12 && id\n"}, id="python-version-shell"),
    pytest.param({".python-version": "\u0663.\u0661\u0662\n"}, id="python-version-arabic-digits"),
    pytest.param({"runtime.txt": "python 3.12\n"}, id="runtime-txt-no-dash"),
    pytest.param({"runtime.txt": "python-3.12\nRUN id\n"}, id="runtime-txt-second-line"),
    pytest.param({".tool-versions": "python ref:v3.12.0\n"}, id="tool-versions-ref"),
    pytest.param(
        {"Pipfile": '[requires]\npython_version = "3.12\\n"\n'}, id="pipfile-trailing-newline"
    ),
]


@pytest.mark.parametrize("files", JUNK_PINS)
def test_junk_python_pins_are_ignored(tmp_path: Path, files: dict[str, str]) -> None:
    """A pin that is not X.Y or X.Y.Z is ignored, as if the file were absent: the default
    (or a constraint) decides, and the pin's text never reaches ARG PYTHON_VERSION."""
    root = make_tree(tmp_path / "p", {"requirements.txt": "six\n", **files})
    spec = detect_project(root)
    assert (spec.python.value, spec.python.source) == ("3.13", "default")


def test_long_build_backend_still_gives_a_parseable_dockerfile(tmp_path: Path) -> None:
    backend = "poetry.core" + "x" * 70_000
    pyproject = f'[project]\nname = "svc"\n[build-system]\nbuild-backend = "{backend}"\n'
    root = make_tree(tmp_path / "p", {"pyproject.toml": pyproject})
    dockerfile = render_files(detect_project(root))[0].content
    assert max(len(line) for line in dockerfile.splitlines()) < 65_535


def test_malformed_index_url_is_one_clear_error(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "p", {"requirements.txt": "--index-url http://[oops/simple\nsix\n"})
    assert _init_fails(root).startswith("dockergen: error: requirements.txt:1: ")


def test_long_answer_gives_a_short_message(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path / "p",
        {"requirements.txt": "six\n", ".dockergen.toml": f"command = '{'x' * 70_000} \"'\n"},
    )
    assert len(_init_fails(root)) < 1000


def test_unlistable_workspace_member_pattern_is_one_clear_error(tmp_path: Path) -> None:
    pyproject = f'[tool.uv.workspace]\nmembers = ["{"x" * 300}/*"]\n'
    root = make_tree(tmp_path / "p", {"pyproject.toml": pyproject, "uv.lock": "version = 1\n"})
    message = _init_fails(root)
    assert message.startswith("dockergen: error: ")
    assert message.endswith(": is too long a file name; shorten it\n")


@pytest.mark.parametrize(
    "apt",
    [["x" * 65_489], [f"pkg{i:05}" for i in range(3_000)]],
    ids=["one-huge-name", "too-many-names"],
)
def test_apt_lists_that_cannot_fit_one_line_are_refused(tmp_path: Path, apt: list[str]) -> None:
    import json

    root = make_tree(
        tmp_path / "p",
        {"requirements.txt": "six\n", ".dockergen.toml": f"apt = {json.dumps(apt)}\n"},
    )
    message = _init_fails(root)
    assert message.startswith("dockergen: error: .dockergen.toml: apt ")
    assert len(message) < 400


# ---- Numbers with thousands of digits: packaging raises a bare ValueError for them ----------

BIG = "1" * 5000


def _cut(value: str) -> str:
    return value[:120] + "..."


SPECIFIER = "is not a valid version specifier (PEP 440)"
THOUSANDS_OF_DIGITS = [
    pytest.param(
        {
            "pyproject.toml": f'[project]\nname = "svc"\nrequires-python = ">={BIG}"\n',
            "requirements.txt": "six\n",
        },
        f"pyproject.toml:3: [project] requires-python '{_cut('>=' + BIG)}' {SPECIFIER}; fix it",
        id="requires-python",
    ),
    pytest.param(
        {"setup.cfg": f"[options]\npython_requires = >={BIG}\n", "requirements.txt": "six\n"},
        f"setup.cfg:2: [options] python_requires '{_cut('>=' + BIG)}' {SPECIFIER}; fix it",
        id="setup-cfg-python-requires",
    ),
    pytest.param(
        {"pyproject.toml": f'[tool.poetry.dependencies]\npython = ">={BIG}"\n'},
        f"pyproject.toml:2: python = '{_cut('>=' + BIG)}' is not a valid Poetry constraint; fix it",
        id="poetry-python",
    ),
    pytest.param(
        {
            "pyproject.toml": f'[tool.poetry]\nrequires-poetry = ">={BIG}"\n'
            '[tool.poetry.dependencies]\npython = "^3.11"\n'
        },
        f"pyproject.toml:2: [tool.poetry] requires-poetry = '{_cut('>=' + BIG)}' is not a "
        "valid Poetry constraint; fix it",
        id="requires-poetry",
    ),
    pytest.param(
        {
            "pyproject.toml": f'{PEP621}[tool.uv]\nrequired-version = "{BIG}"\n',
            "uv.lock": "version = 1\n",
        },
        f"pyproject.toml:7: [tool.uv] required-version = '{_cut(BIG)}' is not a PEP 440 "
        "specifier (uv then ignores every [tool.uv] setting, with a warning); write it as uv "
        "reads it, e.g. '>=0.13'",
        id="uv-required-version",
    ),
    pytest.param(
        {"pyproject.toml": PEP621, "uv.lock": f'version = 1\nrequires-python = ">={BIG}"\n'},
        f"uv.lock:2: requires-python '{_cut('>=' + BIG)}' {SPECIFIER}; {UV_LOCK_FIX}",
        id="uv-lock-requires-python",
    ),
    pytest.param(
        {
            "pyproject.toml": f"{PEP621}[tool.pdm]\n",
            "pdm.lock": f'[metadata]\nrequires_python = ">={BIG}"\n',
        },
        f"pdm.lock:2: requires-python '{_cut('>=' + BIG)}' {SPECIFIER}; {PDM_LOCK_FIX}",
        id="pdm-lock-requires-python",
    ),
    pytest.param(
        {
            "pyproject.toml": PEP621.replace('version = "0"', f'version = "{BIG}"'),
            "uv.lock": 'version = 1\n[[package]]\nname = "svc"\nversion = "0"\n'
            'source = { editable = "." }\n',
        },
        f"pyproject.toml:3: version '{_cut(BIG)}' is not a valid version (PEP 440); fix it",
        id="uv-lock-freshness-version",
    ),
]


@pytest.mark.parametrize(("files", "message"), THOUSANDS_OF_DIGITS)
def test_a_number_packaging_cannot_parse_is_one_line(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    root = make_tree(tmp_path / "p", files)
    assert _init_fails(root) == f"dockergen: error: {message}\n"


def test_a_poetry_lock_generated_by_an_unreadable_release_is_stale(tmp_path: Path) -> None:
    """The generator line is a comment Poetry never reads: unreadable counts as stale."""
    lock = (
        f"# This file is automatically @generated by Poetry {BIG} and should not be changed "
        'by hand.\npackage = []\n\n[metadata]\nlock-version = "2.1"\ncontent-hash = "0"\n'
    )
    root = make_tree(tmp_path / "p", {"pyproject.toml": PEP621, "poetry.lock": lock})
    assert _init_fails(root) == (
        "dockergen: error: poetry.lock is out of date: its content-hash does not match "
        "pyproject.toml; run `poetry lock` and commit poetry.lock, or pass --allow-stale-lock "
        "to build anyway\n"
    )


@pytest.mark.parametrize(
    ("files", "flags"),
    [
        pytest.param(
            {"requirements.txt": "flask\n", "app.py": ""},
            ["--command", f"gunicorn --bind 0.0.0.0:{BIG[:4000]} app:app"],
            id="command-bind-port",
        ),
        pytest.param(
            {"requirements.txt": "django\n", "manage.py": ""},
            ["--command", f"python manage.py runserver 0.0.0.0:{BIG[:4000]}"],
            id="runserver-port",
        ),
        pytest.param(
            {
                "requirements.txt": "gunicorn\n",
                "app.py": "",
                "Procfile": f"web: gunicorn -b :${{PORT:-{BIG}}} app:app\n",
            },
            [],
            id="procfile-port-fallback",
        ),
        pytest.param(
            {
                "pyproject.toml": '[project]\nname = "svc"\nversion = "0"\n[build-system]\n'
                f'requires = ["setuptools>={BIG}"]\nbuild-backend = "setuptools.build_meta"\n',
                "svc.py": "",
            },
            [],
            id="setuptools-build-requires",
        ),
        pytest.param(
            {"requirements.txt": "six\n", ".python-version": f"3.{BIG}\n"},
            [],
            id="python-version-pin",
        ),
        pytest.param(
            {"Pipfile": f'[packages]\n[requires]\npython_version = "3.{BIG}"\n'},
            [],
            id="pipfile-python-version",
        ),
    ],
)
def test_a_number_that_is_no_port_or_pin_is_not_used(
    tmp_path: Path, files: dict[str, str], flags: list[str]
) -> None:
    """Not errors: the number is not used (the server's default port, the default Python, the
    stub refused), and it never reaches int() or packaging unguarded."""
    root = make_tree(tmp_path / "p", files)
    result = runner.invoke(app, ["init", str(root), "--no-input", "--dry-run", *flags])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 0, result.output
    assert BIG[:200] not in result.stderr
    dockerfile = result.stdout.split("--- Dockerfile ---\n")[1]
    assert "EXPOSE 8000\n" in dockerfile or "EXPOSE" not in dockerfile
    assert f"ARG PYTHON_VERSION=3.{BIG[:4]}" not in dockerfile


def test_ctrl_c_during_the_imports_exits_130_in_one_line(tmp_path: Path) -> None:
    """SIGINT arrives while the entry point imports Typer (start-up, before any work)."""
    import subprocess
    import sys

    make_tree(tmp_path, {"requirements.txt": "six\n"})
    child = (
        "import os, signal, sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'typer':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        f"sys.argv = ['dockergen', 'init', '--no-input', {str(tmp_path)!r}]\n"
        "from dockergen.__main__ import main\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, check=False, timeout=60
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        130,
        "",
        "dockergen: error: interrupted before it changed anything\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["requirements.txt"]


# ---- Values longer than the bound: one short line naming where the value came from ---------

LONG = "a" * 70_000
TOO_LONG = "characters long, more than dockergen writes into a generated file (4,096); shorten it"
FLASK_APP = {
    "requirements.txt": "flask\n",
    "app.py": "from flask import Flask\napp = Flask(__name__)\n",
}
LONG_VALUES = [
    pytest.param(
        FLASK_APP,
        ["--port", "8000", "--healthcheck", f"/{LONG}"],
        f"--healthcheck: healthcheck '{_cut('/' + LONG)}' is 70,001 {TOO_LONG}",
        id="healthcheck-flag",
    ),
    pytest.param(
        FLASK_APP,
        ["--debian", "b" * 100_000],
        f"--debian: debian '{_cut('b' * 100_000)}' is 100,000 {TOO_LONG}",
        id="debian-flag",
    ),
    pytest.param(
        FLASK_APP,
        ["--command", f"gunicorn {LONG}"],
        f"--command: command '{_cut(LONG)}' is 70,000 {TOO_LONG}",
        id="command-flag",
    ),
    pytest.param(
        FLASK_APP,
        ["--python", f"3.{'1' * 70_000}"],
        f"--python: python '{_cut('3.' + '1' * 70_000)}' is 70,002 {TOO_LONG}",
        id="python-flag",
    ),
    pytest.param(
        {**FLASK_APP, ".dockergen.toml": f'healthcheck = "/{LONG}"\nport = 8000\n'},
        [],
        f".dockergen.toml: healthcheck '{_cut('/' + LONG)}' is 70,001 {TOO_LONG}",
        id="healthcheck-answer",
    ),
    pytest.param(
        {
            **FLASK_APP,
            "pyproject.toml": f'{PEP621}[dependency-groups]\n{LONG} = ["pytest"]\n',
            "uv.lock": "version = 1\n",
        },
        ["--dev", "--allow-stale-lock"],
        f"pyproject.toml: dev.groups '{_cut(LONG)}' is 70,000 {TOO_LONG}",
        id="dev-group-name",
    ),
    pytest.param(
        {
            **FLASK_APP,
            "requirements.txt": "flask\ngunicorn\n",
            "Procfile": f"web: gunicorn {LONG}:app\n",
        },
        [],
        f"Procfile:1: command '{_cut('gunicorn ' + LONG)}' cannot go into a Dockerfile safely; "
        "shorten it to under 16384 characters, or move it into a script",
        id="procfile-web-line",
    ),
]


@pytest.mark.parametrize(("files", "flags", "message"), LONG_VALUES)
def test_a_value_longer_than_the_bound_is_one_short_line(
    tmp_path: Path, files: dict[str, str], flags: list[str], message: str
) -> None:
    root = make_tree(tmp_path / "p", files)
    before = tree_snapshot(root)
    result = runner.invoke(app, ["init", str(root), "--no-input", *flags])
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"dockergen: error: {message}\n",
    )
    assert tree_snapshot(root) == before


def test_a_team_template_cannot_write_a_line_buildkit_refuses(tmp_path: Path) -> None:
    template = 'FROM python:3.12-slim\nLABEL x="{% for i in range(7000) %}0123456789{% endfor %}"\n'
    root = make_tree(
        tmp_path / "p",
        {
            **FLASK_APP,
            ".dockergen.toml": 'templates = "team"\n',
            "team/Dockerfile.j2": template,
        },
    )
    line = 'LABEL x="' + "0123456789" * 7000 + '"'
    assert _init_fails(root) == (
        f"dockergen: error: Dockerfile:2: the generated line '{_cut(line)}' "
        "is 70,010 bytes long, and dockergen writes none longer than BuildKit reads (65,535); "
        "shorten the values on it\n"
    )


def test_a_long_value_a_flag_does_not_remember_is_caught_by_the_line_bound(
    tmp_path: Path,
) -> None:
    """`ci --image` is not an answer: the bound on generated lines stops it, naming the line."""
    root = make_tree(tmp_path / "p", FLASK_APP)
    image = "ghcr.io/x/" + "a" * 70_000
    result = runner.invoke(app, ["ci", "github", str(root), "--image", image])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("dockergen: error: .github/workflows/docker.yml:")
    assert ": the generated line '          images: ghcr.io/x/aaa" in result.stderr
    assert result.stderr.endswith("shorten the values on it\n")
    assert len(result.stderr) < 400
    assert sorted(p.name for p in root.iterdir()) == ["app.py", "requirements.txt"]


def test_a_usage_error_quotes_the_value_cut_short() -> None:
    """Typer's own errors (a flag's type, an unknown option) go through the same cut."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "dockergen", "init", "--port", "1" * 100_000],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        "Usage: dockergen init [OPTIONS] [path]",
        "Try 'dockergen init --help' for help.",
    ]
    assert lines[-1].startswith("Error: Invalid value for '--port': '111")
    assert lines[-1].endswith("111' is not a valid int.")
    assert "[... 98,0" in lines[-1]
    assert max(map(len, lines)) < 2100
