"""Every path that reaches generated text is a CheckedPath (dockergen.safety), written by one
rule per place it lands. Regression tests for issue 21, items 1, 2, 3 and 9."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from dockergen.buildplan import plan_build
from dockergen.detect import detect_project
from dockergen.errors import DockergenError, UnsafePathError, UnsafeValueError
from dockergen.model import Overrides
from dockergen.render import render_files
from dockergen.safety import CheckedPath, check_path
from dockergen.steps import Copy
from tests.helpers import buildkit_instructions, hadolint_findings, make_tree

NEVER = "a secret or local state, which dockergen never sends to a build"
HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


# ---- the type: only the checker makes one ----


def test_only_the_checker_makes_a_checked_path() -> None:
    with pytest.raises(TypeError):
        CheckedPath("requirements.txt", "requirements.txt")
    path = check_path("docs/README.md", "pyproject.toml")
    assert (path, path.source) == ("docs/README.md", "pyproject.toml")
    # A copy is checked again (pickle goes through the checker).
    copied = pickle.loads(pickle.dumps(path))
    assert (type(copied), copied.source) == (CheckedPath, "pyproject.toml")
    assert type(path + "x") is str  # anything made from it is no longer checked


def test_a_copy_step_takes_checked_paths_only() -> None:
    with pytest.raises(TypeError):
        Copy(("requirements.txt",), "./")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "is empty or holds a line break or control character; rename it"),
        ("a\nb", "is empty or holds a line break or control character; rename it"),
        ("a\u2028b", "is empty or holds a line break or control character; rename it"),
        ("x" * 1025, "is longer than a path can be (1024 characters); shorten it"),
        (
            "/etc/passwd",
            "is absolute: a build reads only the project; name a path inside the project",
        ),
        ("a/../../x", "leaves the project (..); name a path inside the project"),
        (".env", f"names .env, {NEVER}; point it at another file"),
        (".env.production", f"names .env.production, {NEVER}; point it at another file"),
        ("deploy/.netrc", f"names .netrc, {NEVER}; point it at another file"),
        (".pypirc", f"names .pypirc, {NEVER}; point it at another file"),
        (".git/config", f"names .git, {NEVER}; point it at another file"),
        (".venv/lib/x", f"names .venv, {NEVER}; point it at another file"),
        ("venv", f"names venv, {NEVER}; point it at another file"),
        (".dockergen", f"names .dockergen, {NEVER}; point it at another file"),
    ],
)
def test_what_the_checker_refuses(value: str, problem: str) -> None:
    with pytest.raises(UnsafePathError) as error:
        check_path(value, "pyproject.toml", "readme")
    assert str(error.value).endswith(problem)
    assert str(error.value).startswith("pyproject.toml: readme ")


@pytest.mark.parametrize("pattern", ["*", "**/LICENSE", ".*", "v*", ".d*"])
def test_a_pattern_that_could_bring_back_local_state_is_refused(pattern: str) -> None:
    with pytest.raises(UnsafePathError, match=r"could bring back \.venv"):
        check_path(pattern, "pyproject.toml", "license-files", pattern=True)


@pytest.mark.parametrize("pattern", ["LICENSES/*", "LICEN[CS]E*", "COPYING*", "AUTHORS.md"])
def test_license_patterns_that_name_license_files_are_kept(pattern: str) -> None:
    assert check_path(pattern, "pyproject.toml", pattern=True) == pattern


# ---- item 1: the folders the app's user owns ----

DJANGO_SETTINGS = (
    "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\n"
    "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', "
    "'NAME': BASE_DIR / 'db.sqlite3'}}\n"
)


def _django(root: Path, folder: str) -> Path:
    manage = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"
    return make_tree(
        root,
        {
            "requirements.txt": "django\ngunicorn\n",
            f"{folder}/manage.py": manage,
            f"{folder}/site/__init__.py": "",
            f"{folder}/site/settings.py": DJANGO_SETTINGS,
            f"{folder}/site/wsgi.py": "application = None\n",
        },
    )


@pytest.mark.parametrize(
    ("folder", "quoted"),
    [
        ("a;touch pwned;b", "'/app/a;touch pwned;b'"),
        ("x\\", "'/app/x\\'"),  # a trailing backslash no longer continues the line
        ("*", "'/app/*'"),  # a glob no longer gives the app's user all of /app
        ("$(id)", "'/app/$(id)'"),
        ("a>b", "'/app/a>b'"),  # no longer a redirect: < and > are not plain shell words
        ("plain", "/app/plain"),
    ],
)
def test_a_writable_folder_is_one_quoted_word(tmp_path: Path, folder: str, quoted: str) -> None:
    spec = detect_project(_django(tmp_path, folder))
    dockerfile = render_files(spec)[0].content
    assert f"RUN mkdir -p {quoted} && chown 10001:10001 {quoted}\n" in dockerfile
    instructions = buildkit_instructions(dockerfile)
    # Nothing swallowed the final stage's USER: the image never runs as root.
    assert instructions[-3:] == ["USER", "EXPOSE", "CMD"]
    assert hadolint_findings(dockerfile, tmp_path) == []


def test_a_folder_name_with_a_line_break_is_refused(tmp_path: Path) -> None:
    root = _django(tmp_path, "a\nUSER root")
    with pytest.raises(UnsafePathError) as error:
        detect_project(root, Overrides(command=("gunicorn", "site.wsgi")))
    assert str(error.value) == (
        "'a\\nUSER root/site/settings.py': folder 'a\\nUSER root' is empty or holds a line "
        "break or control character; rename it"
    )


# ---- item 2: files named by metadata go through the same check before COPY ----


def _packaged(tmp_path: Path, extra: str, files: dict[str, str]) -> Path:
    pyproject = f'[project]\nname = "app"\nversion = "0"\n{extra}{HATCH}'
    return make_tree(tmp_path, {"pyproject.toml": pyproject, "app/__init__.py": "", **files})


def test_a_readme_naming_a_secret_is_refused(tmp_path: Path) -> None:
    root = _packaged(tmp_path, 'readme = ".env"\n', {".env": "TOKEN=x\n"})
    with pytest.raises(UnsafePathError) as error:
        detect_project(root)
    assert str(error.value) == (
        f"pyproject.toml: readme or license file '.env' names .env, {NEVER}; "
        "point it at another file"
    )


def test_a_license_file_copy_cannot_run_a_command(tmp_path: Path) -> None:
    """`COPY .env READ ME$(id).md ./` was written; COPY takes plain names only."""
    name = "READ ME$(id).md"
    root = _packaged(tmp_path, f'license = {{file = "{name}"}}\n', {name: "MIT\n"})
    spec = detect_project(root)
    assert spec.stub.files == (name,)
    with pytest.raises(UnsafeValueError) as error:
        render_files(spec)
    assert str(error.value) == (
        f"pyproject.toml: file name {name!r} cannot go into a Dockerfile safely; rename it to "
        "letters, digits and ._-@+ only"
    )


# ---- item 3: secrets and local state named as dependencies ----


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param(
            {"requirements.txt": "-r .env\n", ".env": "x\n"},
            f"requirements.txt:1: include '.env' names .env, {NEVER}",
            id="requirements-include",
        ),
        pytest.param(
            {"requirements.txt": "-c .netrc\n", ".netrc": "machine x\n"},
            f"requirements.txt:1: include '.netrc' names .netrc, {NEVER}",
            id="constraints",
        ),
        pytest.param(
            {"requirements.txt": "-e .venv/lib/x\n", ".venv/lib/x/setup.py": ""},
            f"requirements.txt:1: local path '.venv/lib/x' names .venv, {NEVER}",
            id="editable",
        ),
        pytest.param(
            {"requirements.txt": "x @ file:.dockergen\n", ".dockergen/plan.json": "{}"},
            f"requirements.txt:1: local path '.dockergen' names .dockergen, {NEVER}",
            id="file-url",
        ),
        pytest.param(
            {"Pipfile": '[packages]\nx = {path = ".venv"}\n', ".venv/setup.py": ""},
            f"Pipfile: path dependency '.venv' names .venv, {NEVER}",
            id="pipfile",
        ),
        pytest.param(
            {
                "pyproject.toml": "[tool.poetry]\npackage-mode = false\n"
                '[tool.poetry.dependencies]\nx = {path = ".dockergen"}\n',
                ".dockergen/setup.py": "",
            },
            f"pyproject.toml: path dependency '.dockergen' names .dockergen, {NEVER}",
            id="poetry",
        ),
        pytest.param(
            {
                "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
                "uv.lock": 'version = 1\n[[package]]\nname = "x"\nversion = "0"\n'
                'source = { directory = ".venv/x" }\n',
                ".venv/x/pyproject.toml": "",
            },
            f"uv.lock: path dependency '.venv/x' names .venv, {NEVER}",
            id="uv-lock",
        ),
        pytest.param(
            {
                "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
                "pdm.lock": '[metadata]\n[[package]]\nname = "x"\nversion = "0"\npath = ".env.d"\n',
                ".env.d/setup.py": "",
            },
            f"pdm.lock: path dependency '.env.d' names .env.d, {NEVER}",
            id="pdm-lock",
        ),
    ],
)
def test_a_dependency_naming_a_secret_is_refused(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    with pytest.raises(UnsafePathError) as error:
        detect_project(make_tree(tmp_path, files), allow_stale_lock=True)
    assert str(error.value) == f"{message}; point it at another file"


# ---- item 9: license-files = ["*"] ----


def test_a_license_glob_keeps_what_it_names(tmp_path: Path) -> None:
    root = _packaged(tmp_path, 'license-files = ["LICENSES/*"]\n', {"LICENSES/MIT.txt": "MIT\n"})
    spec = detect_project(root)
    assert "LICENSES/*" in plan_build(spec).keep
    assert "\n!LICENSES/*\n" in render_files(spec)[1].content


def test_a_license_glob_of_everything_is_refused(tmp_path: Path) -> None:
    root = _packaged(tmp_path, 'license-files = ["*"]\n', {})
    with pytest.raises(DockergenError, match=r"'\*' could bring back \.venv, venv, \.dockergen"):
        detect_project(root)
