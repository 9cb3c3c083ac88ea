"""Property-based tests: mutated real manifests never crash dockergen or inject instructions.

Seeds are the metadata files of every fixture and corpus project. Hypothesis mutates them
(byte flips, truncation, duplicated and deleted lines, hostile snippets inside values and on
lines of their own, invalid UTF-8, very long lines, odd include targets, symlink loops,
directories where files belong), writes the tree to a temporary directory and runs
detect_project and render_files. The property: a DockergenError (one line, no traceback), or
a Dockerfile that BuildKit's parser reads into exactly the instructions of a neutral twin,
the same spec with every metadata value swapped for a plain placeholder. So no value from
metadata adds, removes or reshapes an instruction (a flag, a heredoc, a JSON form).

Profiles, chosen by HYPOTHESIS_PROFILE: "dev" (the default: about 200 examples in all, a few
seconds) and "ci" (about 17 000 examples in all, two and a half minutes). hadolint runs on a
tenth of the examples of one test, because it is a subprocess.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
import posixpath
import re
import shlex
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import dockerfile
import pytest
import tomli
from hypothesis import HealthCheck, assume, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from dockergen.bounds import MAX_LINE_BYTES
from dockergen.detect import detect_project
from dockergen.errors import DockergenError
from dockergen.installers import installer_module
from dockergen.model import Apt, Decided, Overrides, ProjectSpec, RenderedFile
from dockergen.render import render_files
from dockergen.safety import PROTECTED, AppPath, CheckedPath, check_path
from dockergen.text import MAX_MESSAGE_CHARS
from tests.helpers import CASES, CORPUS, FIXTURES, hadolint_findings

SUPPRESSED: Final = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "dev",
    max_examples=40,
    deadline=None,
    suppress_health_check=SUPPRESSED,
)
settings.register_profile(
    "ci",
    max_examples=3400,
    deadline=None,
    print_blob=True,
    suppress_health_check=SUPPRESSED,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
EXAMPLES: Final = settings().max_examples

# Bugs these tests found in modules owned by others, reported with the input that triggers
# them; test_hostile.py keeps each as a strict xfail. (module, exception) -> what it is.
# Delete an entry once it is fixed: the property then holds it to the same standard.
KNOWN_BUGS: Final[dict[tuple[str, type[BaseException]], str]] = {}
# Every instruction the templates write; anything else came from metadata.
VOCABULARY: Final = {"FROM", "ARG", "ENV", "WORKDIR", "RUN", "COPY", "USER", "CMD", "EXPOSE"}
METADATA: Final = (
    "requirements*.txt",
    "requirements/*.txt",
    "Pipfile",
    "Pipfile.lock",
    "pyproject.toml",
    "poetry.lock",
    "uv.lock",
    "pdm.lock",
    ".python-version",
    "runtime.txt",
    ".tool-versions",
    "Procfile",
)
# Lock files are cut at a [[package]] boundary: examples stay fast and the TOML stays valid.
SEED_BYTES: Final = 48 * 1024


def _seed(directory: Path) -> dict[str, bytes]:
    files = {}
    for pattern in METADATA:
        for path in sorted(directory.glob(pattern)):
            if path.is_file():
                data = path.read_bytes()
                if len(data) > SEED_BYTES and path.suffix == ".lock":
                    data = data[: data.rfind(b"\n[[package]]", 0, SEED_BYTES) + 1]
                files[path.relative_to(directory).as_posix()] = data
    return files


def _seeds() -> dict[str, dict[str, bytes]]:
    roots = [*FIXTURES.iterdir()]
    if CORPUS.is_dir():
        roots += [
            d for entry in CORPUS.iterdir() if entry.is_dir() for d in (entry, *entry.iterdir())
        ]
    seeds = {}
    for root in sorted(r for r in roots if r.is_dir()):
        if files := _seed(root):
            seeds[root.relative_to(root.parent.parent).as_posix()] = files
    return seeds


SEEDS: Final = _seeds()

HOSTILE: Final = (
    "\r",
    "\n",
    "\r\n",
    "\u2028",
    "\u2029",
    "\x85",
    "\x00",
    "\x0b",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    '"',
    "'",
    "\\",
    "\\\n",
    "$(id)",
    "`id`",
    "${HOME}",
    "$PORT",
    "&&",
    "; rm -rf /",
    "|| true",
    "<<EOF\nRUN id\nEOF",
    "<<EOF",
    "--mount=type=bind,source=/,target=/host",
    "\nRUN id\n",
    "\nFROM scratch\n",
    "\\\nRUN id",
    "# syntax=evil/frontend",
    "# escape=`",
    "[",
    "]]",
    "{",
    "=",
    "..",
    "../../etc/passwd",
    "/etc/passwd",
    "-r ",
    "-c ",
    "-e ",
    "--hash=sha256:" + "0" * 64,
    "--index-url https://user:pass@example.invalid/simple",
    "-i http://[",
    "git+https://example.invalid/x.git",
    "@",
    "3.12",
    "python-3.12.x",
    "^3.11",
    ">=3.99",
    "٣.١٢",
    "é🐍",
    "*",
    "~",
    "web: gunicorn app:app",
)
# Past BuildKit's 64 KiB line limit; built lazily so failure reports stay readable.
long_text = st.sampled_from(["x", "a ", "\\", "é"]).flatmap(
    lambda unit: st.integers(1_000, 70_000).map(lambda count: unit * count)
)
payloads = st.one_of(
    st.sampled_from(HOSTILE),
    long_text,
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=4).map("".join),
    st.text(max_size=30),
    st.text(st.characters(codec="ascii"), max_size=30),
)
# File names an include or a new file may have: anything a POSIX file system accepts.
file_names = st.one_of(
    st.sampled_from(["$(id).txt", "a b.txt", "-rf.txt", "x\\y.txt", "é.txt", "'.txt", "a\rb"]),
    st.text(st.characters(exclude_characters="/\x00"), min_size=1, max_size=40).filter(
        lambda n: n not in (".", "..")
    ),
)
ENTRY_FILES: Final = {
    "main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
    "app.py": "from flask import Flask\napp = Flask(__name__)\n",
    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n",
    "site/wsgi.py": "application = None\n",
    "gunicorn.conf.py": "bind = '0.0.0.0:8000'\n",
}


# ---- mutations: each takes the tree (name -> bytes, None for a directory) and a draw -----


def _pick(draw: Any, tree: dict[str, bytes | None]) -> str | None:
    names = sorted(n for n, data in tree.items() if data is not None)
    return draw(st.sampled_from(names)) if names else None


def _at(draw: st.DrawFn, data: bytes) -> int:
    return draw(st.integers(0, len(data)))


def _flip(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return data
    index = draw(st.integers(0, len(data) - 1))
    return data[:index] + bytes([data[index] ^ draw(st.integers(1, 255))]) + data[index + 1 :]


def _truncate(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: _at(draw, data)]


def _lines(draw: st.DrawFn, data: bytes, edit: Callable[[list[bytes], int], object]) -> bytes:
    lines = data.splitlines(keepends=True)
    if lines:
        edit(lines, draw(st.integers(0, len(lines) - 1)))
    return b"".join(lines)


def _duplicate_line(draw: st.DrawFn, data: bytes) -> bytes:
    return _lines(draw, data, lambda lines, i: lines.insert(i, lines[i]))


def _delete_line(draw: st.DrawFn, data: bytes) -> bytes:
    return _lines(draw, data, lambda lines, i: lines.pop(i))


def _insert_raw(draw: st.DrawFn, data: bytes) -> bytes:
    at = _at(draw, data)
    return data[:at] + draw(payloads).encode("utf-8", "surrogatepass") + data[at:]


def _insert_line(draw: st.DrawFn, data: bytes) -> bytes:
    line = draw(payloads).encode("utf-8", "surrogatepass") + b"\n"
    return _lines(draw, data + b"\n", lambda lines, i: lines.insert(i, line))


def _inside_string(draw: st.DrawFn, data: bytes) -> bytes:
    """A payload escaped into an existing TOML or JSON string: the file still parses, so the
    payload reaches the parsed values."""
    quotes = [m.end() for m in re.finditer(rb'(=|:) ?"', data)]
    if not quotes:
        return _insert_raw(draw, data)
    at = draw(st.sampled_from(quotes))
    escaped = json.dumps(draw(payloads), ensure_ascii=False)[1:-1].replace("\\/", "/")
    return data[:at] + escaped.encode("utf-8", "surrogatepass") + data[at:]


def _invalid_utf8(draw: st.DrawFn, data: bytes) -> bytes:
    at = _at(draw, data)
    junk = draw(
        st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xfe\xff"])
    )
    return data[:at] + junk + data[at:]


def _long_line(draw: st.DrawFn, data: bytes) -> bytes:
    at = _at(draw, data)
    return data[:at] + draw(st.sampled_from([b"x", b"a ", b"\\", b"["])) * 70_000 + data[at:]


def _replace(draw: st.DrawFn, data: bytes) -> bytes:
    return draw(payloads).encode("utf-8", "surrogatepass")


EDITS: Final = (
    _flip,
    _truncate,
    _duplicate_line,
    _delete_line,
    _insert_raw,
    _insert_line,
    _inside_string,
    _inside_string,
    _invalid_utf8,
    _long_line,
    _replace,
)


def _edit_file(draw: Any, tree: dict[str, bytes | None]) -> None:
    if name := _pick(draw, tree):
        edit = draw(st.sampled_from(EDITS))
        tree[name] = edit(draw, tree[name] or b"")


def _add_include(draw: Any, tree: dict[str, bytes | None]) -> None:
    target = draw(file_names)
    option = draw(st.sampled_from(["-r ", "-c ", "--requirement=", "-e ", "-r", "", "pkg @ file:"]))
    top = next((n for n in sorted(tree) if n.startswith("requirements")), "requirements.txt")
    tree[top] = (tree.get(top) or b"") + f"\n{option}{target}\n".encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        tree[target] = draw(payloads).encode("utf-8", "surrogatepass")


def _add_metadata_file(draw: Any, tree: dict[str, bytes | None]) -> None:
    name = draw(st.sampled_from([p.replace("*", "") for p in METADATA] + [".dockergen.toml"]))
    tree[name] = draw(payloads).encode("utf-8", "surrogatepass")


def _add_entry_file(draw: Any, tree: dict[str, bytes | None]) -> None:
    name = draw(st.sampled_from(sorted(ENTRY_FILES)))
    tree[name] = ENTRY_FILES[name].encode()


def _remove_file(draw: Any, tree: dict[str, bytes | None]) -> None:
    if name := _pick(draw, tree):
        del tree[name]


def _make_directory(draw: Any, tree: dict[str, bytes | None]) -> None:
    if name := _pick(draw, tree):
        tree[name] = None


TREE_EDITS: Final = (
    _edit_file,
    _edit_file,
    _edit_file,
    _edit_file,
    _add_include,
    _add_metadata_file,
    _add_entry_file,
    _remove_file,
    _make_directory,
)


@st.composite
def mutated_trees(draw: Any, max_edits: int = 4) -> dict[str, bytes | None]:
    tree: dict[str, bytes | None] = dict(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(1, max_edits))):
        draw(st.sampled_from(TREE_EDITS))(draw, tree)
    return tree


def _write(root: Path, tree: dict[str, bytes | None]) -> None:
    for name, data in tree.items():
        path = root / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if data is None:
                path.mkdir(exist_ok=True)
            else:
                path.write_bytes(data)
        except (OSError, ValueError):  # a name the file system refuses: too long, a lone
            continue  # surrogate, a file where a parent directory should be


# ---- the property ----------------------------------------------------------------------


def _neutral(spec: ProjectSpec) -> ProjectSpec:
    """The spec with every value that came from metadata replaced by a plain placeholder, and
    the installer's recipe made again from it. Paths keep their directory grouping (it decides
    how many COPY lines there are) and whether they name a directory."""
    folders: dict[str, str] = {}
    names: dict[str, CheckedPath] = {}

    def path(name: str) -> CheckedPath:
        folder = posixpath.dirname(name.rstrip("/"))
        folders.setdefault(folder, f"d{len(folders)}/" if folder else "")
        suffix = "/" if name.endswith("/") else ".txt"
        return names.setdefault(name, check_path(f"{folders[folder]}f{len(names)}{suffix}", "x"))

    def paths(found: tuple[str, ...]) -> tuple[CheckedPath, ...]:
        return tuple(map(path, found))

    def plain(value: Any) -> Decided[Any]:
        return Decided(value, "source", "detail")

    install = dataclasses.replace(
        spec.install,
        manifests=paths(spec.manifests),
        requirements=path(spec.install.requirements) if spec.install.requirements else None,
        local_paths=paths(spec.install.local_paths),
        workspace_members=tuple(f"member{i}" for i, _ in enumerate(spec.install.workspace_members)),
    )
    apt = Apt(
        build=tuple(f"pkg{i}" for i, _ in enumerate(spec.apt.build)),
        run=tuple(f"pkg{i}" for i, _ in enumerate(spec.apt.run)),
        reasons=tuple("reason" for _ in spec.apt.reasons),
        on_demand=tuple(f"pkg{i}" for i, _ in enumerate(spec.apt.on_demand)),
    )
    # The stand-ins themselves stay: only plain identifiers get that far (stub._PATH), and
    # their folders decide how many words the RUN that creates them has.
    stub = dataclasses.replace(spec.stub, files=paths(spec.stub.files))
    dev = spec.dev and dataclasses.replace(spec.dev, manifests=paths(spec.dev.manifests))
    neutral = dataclasses.replace(
        spec,
        installer=plain(spec.installer.value),
        python=plain("3.13"),
        install=install,
        command=plain(("cmd",) * len(spec.command.value)) if spec.command else None,
        port=plain(8000) if spec.port else None,
        build_steps=tuple(plain(("step",) * len(step.value)) for step in spec.build_steps),
        writable=tuple(
            plain(AppPath(check_path(f"w{i}", "x"))) for i, _ in enumerate(spec.writable)
        ),
        apt=apt,
        indexes=tuple(plain("https://index.invalid/simple") for _ in spec.indexes),
        keep_files=tuple(check_path(f"keep{i}", "x") for i, _ in enumerate(spec.keep_files)),
        dev=dev,
        stub=stub,
        warnings=tuple("warning" for _ in spec.warnings),
    )
    return dataclasses.replace(
        neutral, recipe=installer_module(spec.installer.value).recipe(neutral)
    )


def _shape(text: str) -> list[tuple[Any, ...]]:
    return [
        (c.cmd.upper(), c.sub_cmd, c.json, c.flags, len(c.value), c.heredocs)
        for c in dockerfile.parse_string(text)
    ]


def _shell_shape(text: str) -> list[list[str]]:
    """What sh makes of each RUN line: its operators, and a mark for each word."""
    shapes = []
    for c in dockerfile.parse_string(text):
        if c.cmd.upper() == "RUN" and not c.json:
            lexer = shlex.shlex(c.value[0], posix=True, punctuation_chars=True)
            lexer.whitespace_split = True  # words end at blanks and operators only, as in sh
            shapes.append([t if set(t) <= set("();<>|&") else "w" for t in lexer])
    return shapes


def _by_name(files: tuple[RenderedFile, ...]) -> dict[str, str]:
    return {f.name: f.content for f in files}


def _event(text: str) -> None:
    """Outcome statistics for --hypothesis-show-statistics; no-op outside a Hypothesis test."""
    if currently_in_test_context():
        event(text)


def _known_bug(exc: Exception) -> str | None:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/dockergen/" in f.filename]
    module = Path(frames[-1].filename).name if frames else ""
    return next(
        (
            bug
            for (where, kind), bug in KNOWN_BUGS.items()
            if where == module and isinstance(exc, kind)
        ),
        None,
    )


def _check(root: Path, flags: Overrides | None = None) -> str | None:
    """The Dockerfile for `root`, or None after a clean DockergenError."""
    try:
        # A mutated manifest usually outdates its lock: the check still runs (and must not
        # crash), but warns, so that the mutated values still reach the render.
        spec = detect_project(root, flags, allow_stale_lock=True)
        files = _by_name(render_files(spec))
    except Exception as exc:
        if not isinstance(exc, DockergenError):
            if bug := _known_bug(exc):
                _event(f"known bug: {bug}")
                return None
            raise
        _event(f"error: {type(exc).__name__}")
        message = str(exc)
        # One line (metadata cannot forge output lines), of bounded length: values are quoted
        # cut short (text.shown), so the printing guard (text.printable) never has to cut.
        assert message
        assert not re.search(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", message), message
        assert len(message) <= MAX_MESSAGE_CHARS, message[:300]
        return None
    _event(f"rendered: {spec.installer.value.value}")
    # Every generated line is one BuildKit reads (bounds.py refuses longer ones before writing).
    for text in files.values():
        assert max(len(line.encode("utf-8", "surrogatepass")) for line in text.split("\n")) <= (
            MAX_LINE_BYTES
        )
    neutral = _by_name(render_files(_neutral(spec)))
    instructions = _shape(files["Dockerfile"])
    assert {i[0] for i in instructions} <= VOCABULARY
    # A metadata value never flags, heredocs, JSON-forms, or adds an instruction; flags are
    # compared with their values, since --mount=... carries only template text.
    assert instructions == _shape(neutral["Dockerfile"])
    # ... nor adds a shell operator (`;`, `>`, `&&`, `|`) or a word to a RUN line.
    assert _shell_shape(files["Dockerfile"]) == _shell_shape(neutral["Dockerfile"])
    # ... and never adds a .dockerignore line.
    assert len(files[".dockerignore"].splitlines()) <= len(neutral[".dockerignore"].splitlines())
    _never_root_nor_a_secret(files)
    return files["Dockerfile"]


def _never_root_nor_a_secret(files: dict[str, str]) -> None:
    """Whatever the metadata: the final stage ends as the app's user (nothing swallowed its
    USER), no COPY source and no `!` line of .dockerignore is a secret or local state."""
    parsed = dockerfile.parse_string(files["Dockerfile"])
    final = parsed[max(i for i, c in enumerate(parsed) if c.cmd.upper() == "FROM") :]
    users = [i for i, c in enumerate(final) if c.cmd.upper() == "USER"]
    assert users and final[users[-1]].value == ("10001:10001",)
    assert not any(c.cmd.upper() == "RUN" for c in final[users[-1] :])
    context = [c for c in parsed if c.cmd.upper() == "COPY" and "--from=builder" not in c.flags]
    copied = [v for c in context for v in c.value[:-1]]
    assert not [v for v in copied if _names_protected(v)], copied
    kept = [line[1:] for line in files[".dockerignore"].splitlines() if line.startswith("!")]
    # The template's own `!.env.example`: an example, never a secret.
    assert [k for k in kept if _names_protected(k)] == [".env.example"]


# Concrete names a wildcard could bring back; PROTECTED's patterns match path parts.
_STATE: Final = (".venv", "venv", ".dockergen", ".git", ".env", ".netrc", ".pypirc")


def _names_protected(path: str) -> bool:
    parts = path.rstrip("/").split("/")
    could = any(fnmatch.fnmatchcase(name, parts[0]) for name in _STATE)
    return could or any(fnmatch.fnmatchcase(p, name) for p in parts for name in PROTECTED)


def _run(tree: dict[str, bytes | None], flags: Overrides | None = None) -> str | None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        _write(root, tree)
        return _check(root, flags)


def test_seeds_are_real_projects() -> None:
    assert len(SEEDS) >= len(CASES)
    # Every seed renders unmutated, or fails cleanly (a workspace member, say).
    for tree in SEEDS.values():
        _run(dict(tree))


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
def test_corpus_seeds_are_in_and_cut_at_a_package() -> None:
    assert len(SEEDS) >= len(CASES) + 24
    lock = SEEDS["corpus/All-Hands-AI__OpenHands"]["poetry.lock"]
    assert len(lock) <= SEED_BYTES
    assert tomli.loads(lock.decode())["package"]


@given(mutated_trees())
def test_mutated_manifests_never_crash_or_inject(tree: dict[str, bytes | None]) -> None:
    _run(tree)


@given(mutated_trees(max_edits=2), st.data())
def test_hostile_values_in_parseable_manifests(tree: dict[str, bytes | None], data: Any) -> None:
    """Payloads escaped into strings keep the files parseable, so they reach the spec."""
    for name in sorted(n for n, b in tree.items() if b is not None):
        if data.draw(st.booleans()):
            tree[name] = _inside_string(data.draw, tree[name] or b"")
    _run(tree)


requirement_lines = st.lists(
    st.one_of(
        payloads,
        st.sampled_from(
            [
                "six==1.17.0 \\",
                "    --hash=sha256:" + "a" * 64,
                "-e .",
                "-e git+https://example.invalid/x.git#egg=x",
                "./vendor/x.whl",
                "x @ file:./vendor",
                "x @ https://example.invalid/x.whl",
                '-i https://example.invalid/simple --extra-index-url="https://a.invalid"',
                "--index-url http://[::1/simple",
                "--extra-index-url https://u:${TOKEN}@example.invalid:99999/simple",
                "requests; python_version < \"3.12\" and sys_platform == 'linux'",
                "-r base.txt",
                "-c constraints.txt",
                "--requirement=base.txt",
                "-rbase.txt",
                "# comment \\",
                "\\",
            ]
        ),
    ),
    max_size=12,
)


@given(requirement_lines, st.sampled_from(["", "six\n", "-r requirements.txt\n"]))
def test_requirements_files_never_crash(lines: list[str], base: str) -> None:
    tree: dict[str, bytes | None] = {
        "requirements.txt": "\n".join(lines).encode("utf-8", "surrogatepass"),
        "base.txt": base.encode(),
        "constraints.txt": b"six==1.17.0\n",
        "vendor/x.whl": b"",
    }
    _run(tree)


# ---- whole documents built from hostile values: every value reaches the spec ---------------


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml_value, value)) + "]"
    pairs = (f"{_toml_string(k)} = {_toml_value(v)}" for k, v in value.items())
    return "{" + ", ".join(pairs) + "}"


def _toml(document: dict[str, Any]) -> bytes:
    lines = (f"{_toml_string(k)} = {_toml_value(v)}" for k, v in document.items())
    return "\n".join(lines).encode() + b"\n"


values = st.one_of(payloads, st.sampled_from(["app", "svc", "app:main", "3.12", ">=3.11", "x.md"]))
apt_names = st.one_of(
    st.sampled_from(["libpq5", "git=1:2.39.5-0+deb12u2", "x\n", "run", "id", "a b", "-y", "Ä"]),
    values,
)
commands = st.one_of(values, st.lists(values, max_size=4))
project_tables = st.fixed_dictionaries(
    {"name": values},
    optional={
        "version": values,
        "requires-python": values,
        "dependencies": st.lists(st.one_of(values, st.sampled_from(["gunicorn", "django"]))),
        "scripts": st.dictionaries(values, values, max_size=2),
        "readme": st.one_of(values, st.fixed_dictionaries({"file": values})),
        "license-files": st.lists(values, max_size=2),
        "dynamic": st.lists(st.sampled_from(["dependencies", "version"]), max_size=2),
    },
)
tool_tables = st.fixed_dictionaries(
    {},
    optional={
        "dockergen": st.fixed_dictionaries(
            {},
            optional={
                "command": commands,
                "python": values,
                "port": st.integers(-1, 70_000),
                "apt": st.lists(apt_names, max_size=3),
                "apt-build": st.lists(apt_names, max_size=3),
                "installer": st.sampled_from(["pip", "uv", "poetry", "pdm", "pipenv", "pep621"]),
            },
        ),
        "poetry": st.fixed_dictionaries(
            {},
            optional={
                "name": values,
                "dependencies": st.dictionaries(
                    st.sampled_from(["python", "gunicorn", "x"]), values, max_size=2
                ),
                "scripts": st.dictionaries(values, values, max_size=2),
                "package-mode": st.booleans(),
            },
        ),
        "uv": st.fixed_dictionaries({}, optional={"package": st.booleans()}),
        "pdm": st.fixed_dictionaries({}, optional={"distribution": st.booleans()}),
    },
)
pyprojects = st.fixed_dictionaries(
    {"project": project_tables},
    optional={
        "build-system": st.fixed_dictionaries(
            {"build-backend": st.one_of(values, values.map("poetry.core.masonry.api".__add__))}
        ),
        "tool": tool_tables,
    },
)


@st.composite
def hostile_projects(draw: Any) -> dict[str, bytes | None]:
    tree: dict[str, bytes | None] = {"pyproject.toml": _toml(draw(pyprojects))}
    optional = {
        "requirements.txt": requirement_lines.map("\n".join),
        "Procfile": values.map(lambda line: f"web: {line}\n"),
        ".python-version": values,
        "runtime.txt": values.map("python-".__add__),
        ".tool-versions": values.map("python ".__add__),
        "uv.lock": st.fixed_dictionaries({"requires-python": values}).map(_toml),
        "Pipfile": st.fixed_dictionaries(
            {"requires": st.fixed_dictionaries({"python_version": values})}
        ).map(_toml),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            data = draw(strategy)
            tree[name] = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    for name in draw(st.lists(st.sampled_from(sorted(ENTRY_FILES)), max_size=2)):
        tree[name] = ENTRY_FILES[name].encode()
    return tree


@given(hostile_projects())
def test_hostile_values_in_valid_documents(tree: dict[str, bytes | None]) -> None:
    _run(tree)


line_breaking = st.lists(
    st.sampled_from(
        ["libpq5", "curl\n", "curl\r", "curl\u2028", "run", "id", "from", "x\\", "--mount=x"]
    ),
    max_size=4,
)
answers = st.fixed_dictionaries(
    {"apt": st.one_of(line_breaking, st.lists(apt_names, max_size=3))},
    optional={
        "apt-build": st.one_of(line_breaking, st.lists(apt_names, max_size=3)),
        "command": st.one_of(commands, line_breaking),
        "python": st.one_of(values, st.sampled_from(["3.12\n", "3.12\nRUN id", "3.12 "])),
        "port": st.integers(-1, 70_000),
    },
)


@given(answers, st.booleans())
def test_hostile_answers(table: dict[str, Any], in_pyproject: bool) -> None:
    """Recorded answers ([tool.dockergen] or .dockergen.toml) reach the Dockerfile directly."""
    tree: dict[str, bytes | None] = {"requirements.txt": b"six\n"}
    if in_pyproject:
        tree["pyproject.toml"] = _toml({"project": {"name": "svc"}, "tool": {"dockergen": table}})
    else:
        tree[".dockergen.toml"] = _toml(table)
    _run(tree)


@settings(max_examples=max(4, EXAMPLES // 10))
@given(mutated_trees(max_edits=2))
def test_mutated_renders_lint_clean(tree: dict[str, bytes | None]) -> None:
    text = _run(tree)
    assume(text is not None)
    assert text is not None  # for the type checker: assume() stopped the example otherwise
    with tempfile.TemporaryDirectory() as tmp:
        assert hadolint_findings(text, Path(tmp)) == []


# ---- every site where a path or word from the project reaches the build plan ---------------

# Names a hostile repository would try at each site: shell and Dockerfile syntax, secrets and
# local state, paths that leave the project, and whatever a file system accepts.
hostile_names = st.one_of(
    file_names,
    st.sampled_from(
        [
            "a;touch pwned;b",
            "a>b",
            "x<y",
            "x\\",
            "*",
            "a\nUSER root",
            "$(id)",
            "`id`",
            "a b",
            "../outside",
            "/etc",
            ".env",
            ".env.local",
            ".netrc",
            "deploy/.pypirc",
            ".git",
            ".venv",
            ".venv/lib",
            ".dockergen",
            "-rf",
            "plain",
            "pkg/sub",
        ]
    ),
)
_SETTINGS = (
    "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\n"
    "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR}}\n"
    "STATIC_ROOT = BASE_DIR / 'static'\n"
)
_HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def _packaged(table: str, name: str, files: dict[str, str] | None = None) -> dict[str, str]:
    pyproject = f'[project]\nname = "app"\nversion = "0"\n{table}{_HATCH}'
    return {"pyproject.toml": pyproject, "app/__init__.py": "", name: "text\n", **(files or {})}


def _uv_lock(source: str) -> str:
    return f'version = 1\n[[package]]\nname = "x"\nversion = "0"\nsource = {source}\n'


# Site -> the project that puts a name there. Each reaches the plan as a COPY source, a word of
# a RUN line, a `!` line of .dockerignore, or several of them.
SITES: Final[dict[str, Callable[[str], dict[str, str]]]] = {
    "requirements include (-r): COPY, keep": lambda n: {
        "requirements.txt": f"six\n-r {n}\n",
        n: "six\n",
    },
    "constraints (-c): COPY, keep": lambda n: {"requirements.txt": f"-c {n}\nsix\n", n: ""},
    "editable path (-e): COPY, keep": lambda n: {
        "requirements.txt": f"-e {n}\n",
        f"{n}/setup.py": "",
    },
    "file: requirement: COPY, keep": lambda n: {
        "requirements.txt": f"x @ file:{n}\n",
        f"{n}/setup.py": "",
    },
    "dev requirements include: COPY (dev), RUN -r": lambda n: {
        "requirements.txt": "six\n",
        "requirements-dev.txt": f"-r {n}\n",
        n: "pytest\n",
    },
    "Pipfile path dependency: COPY, keep": lambda n: {
        "Pipfile": f"[packages]\nx = {{path = {_toml_string(n)}}}\n",
        f"{n}/setup.py": "",
    },
    "poetry path dependency: COPY, keep": lambda n: {
        "pyproject.toml": "[tool.poetry]\npackage-mode = false\n[tool.poetry.dependencies]\n"
        f"x = {{path = {_toml_string(n)}}}\n",
        f"{n}/setup.py": "",
    },
    "uv.lock directory source: COPY, keep": lambda n: {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "uv.lock": _uv_lock(f"{{ directory = {_toml_string(n)} }}"),
        f"{n}/pyproject.toml": "",
    },
    "pdm.lock path: COPY, keep": lambda n: {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "pdm.lock": f'[metadata]\n[[package]]\nname = "x"\nversion = "0"\npath = {_toml_string(n)}\n',
        f"{n}/setup.py": "",
    },
    "readme: COPY before the stand-ins, keep": lambda n: _packaged(
        f"readme = {_toml_string(n)}\n", n
    ),
    "license file: COPY, keep": lambda n: _packaged(f"license = {{file = {_toml_string(n)}}}\n", n),
    "license-files pattern: keep": lambda n: _packaged(f"license-files = [{_toml_string(n)}]\n", n),
    "stand-in package (hatch packages): RUN mkdir/touch": lambda n: {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n'
        + _HATCH
        + f"[tool.hatch.build.targets.wheel]\npackages = [{_toml_string(n)}]\n",
        f"{n}/__init__.py": "",
    },
    "uv workspace member: COPY, keep": lambda n: {
        "pyproject.toml": '[project]\nname = "root"\nversion = "0"\n'
        f"[tool.uv.workspace]\nmembers = [{_toml_string(n)}]\n",
        "uv.lock": "version = 1\n",
        f"{n}/pyproject.toml": '[project]\nname = "member"\nversion = "0"\n',
    },
    "manage.py folder: RUN mkdir/chown, collectstatic words, CMD": lambda n: {
        "requirements.txt": "django\ngunicorn\n",
        f"{n}/manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 's.settings')\n",
        f"{n}/s/__init__.py": "",
        f"{n}/s/settings.py": _SETTINGS,
        f"{n}/s/wsgi.py": "application = None\n",
    },
}


@settings(max_examples=max(10, EXAMPLES // 10))
@pytest.mark.parametrize("site", SITES)
@given(name=hostile_names)
def test_hostile_names_at_every_path_site(site: str, name: str) -> None:
    """A clean error, or a Dockerfile of the neutral twin's shape whose final stage still ends
    as the app's user and copies no secret: in production and with the dev stage."""
    tree = {path: text.encode("utf-8", "surrogatepass") for path, text in SITES[site](name).items()}
    for dev in (False, True):
        _run(dict(tree), Overrides(dev=dev))


# Every flag that takes a value, with what it may be given: long text (past BuildKit's line
# limit), hostile snippets, or plain values that work.
FLAG_VALUES: Final = {
    "--python": values,
    "--debian": st.one_of(values, st.sampled_from(["trixie", "bookworm"])),
    "--command": values,
    "--port": st.one_of(st.integers(-1, 70_000).map(str), long_text),
    "--healthcheck": st.one_of(values, values.map("/".__add__)),
    "--apt": apt_names,
    "--apt-build": apt_names,
    "--installer": st.one_of(values, st.sampled_from(["pip", "uv"])),
}


@settings(max_examples=max(10, EXAMPLES // 10))  # each runs the whole CLI
@given(st.dictionaries(st.sampled_from(sorted(FLAG_VALUES)), st.just(None), min_size=1), st.data())
def test_long_and_hostile_flag_values(chosen: dict[str, None], data: Any) -> None:
    """Through the CLI: a usage error (exit 2) or one DockergenError line (exit 1), each line
    of bounded length, or files whose every line BuildKit reads; never a traceback."""
    from typer.testing import CliRunner

    from dockergen.cli import app

    args = ["--no-input", "--dry-run"]
    for flag in chosen:
        value = data.draw(FLAG_VALUES[flag], label=flag)
        assume(not value.startswith("-"))  # would be read as an option, not as the value
        args += [flag, value]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "requirements.txt").write_text("flask\n")
        (root / "app.py").write_text(ENTRY_FILES["app.py"])
        result = CliRunner().invoke(app, ["init", str(root), *args])
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert result.exit_code in (0, 1, 2), result.output
    _event(f"exit {result.exit_code}")
    if result.exit_code == 1:
        errors = [
            line for line in result.stderr.splitlines() if line.startswith("dockergen: error")
        ]
        assert len(errors) == 1, result.stderr
        assert len(errors[0]) < MAX_MESSAGE_CHARS
    if result.exit_code == 0:
        lines = result.stdout.split("\n")
        assert max(len(line.encode("utf-8", "surrogatepass")) for line in lines) <= MAX_LINE_BYTES
