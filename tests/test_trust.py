"""Findings of the adversarial trial: each payload class, its exact message, nothing written
where the command refuses. See README "Security"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from tests.helpers import make_tree, tree_snapshot

runner = CliRunner()
PEP621 = '[project]\nname = "svc"\nversion = "0"\n[build-system]\nrequires = ["hatchling"]\n'
FLASK = {"requirements.txt": "flask\n", "app.py": "print(1)\n"}
LISTED = (
    "the blocks, names, filters and macros a template may use are listed in templates/README.md"
)


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    # CliRunner turns an uncaught exception into exit code 1 too: only SystemExit is clean.
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def _fails(*args: str, root: Path) -> str:
    """The one error line of a command that must fail and write nothing."""
    before = tree_snapshot(root)
    code, _, err = _run(*args)
    assert code == 1, err
    assert tree_snapshot(root) == before
    errors = [line for line in err.splitlines() if line.startswith("dockergen: error: ")]
    assert len(errors) == 1, err
    return errors[0].removeprefix("dockergen: error: ")


# 1. Template code runs sandboxed, from a folder inside the project.


@pytest.mark.parametrize("command", ["check", "diff", "update", "init"])
def test_a_template_cannot_run_python(tmp_path: Path, command: str) -> None:
    payload = "{{ cycler.__init__.__globals__.os.popen('touch pwned').read() }}\n"
    make_tree(
        tmp_path,
        {
            **FLASK,
            "pyproject.toml": PEP621 + '[tool.dockergen]\ntemplates = "team"\n',
            "team/dockerignore.j2": payload,
        },
    )
    args = [command, str(tmp_path)] + (["--dry-run"] if command == "init" else [])
    message = _fails(*args, root=tmp_path)
    assert message == (
        f"{tmp_path}/team/dockerignore.j2:1: refused by the sandbox: access to attribute "
        f"'__init__' of 'type' object is unsafe; use only documented names; {LISTED}"
    )
    assert not (tmp_path / "pwned").exists()


def test_a_template_folder_linked_out_of_the_project_is_refused(tmp_path: Path) -> None:
    outside = make_tree(tmp_path / "outside", {"dockerignore.j2": '{% include "secret" %}\n'})
    (outside / "secret").write_text("SECRET\n")
    root = make_tree(
        tmp_path / "app",
        {**FLASK, "pyproject.toml": PEP621 + '[tool.dockergen]\ntemplates = "team"\n'},
    )
    (root / "team").symlink_to(outside)
    message = _fails("init", str(root), "--dry-run", root=root)
    assert message == (
        "templates = team: is a symlink to a folder outside the project; "
        "point it at a template folder in the project"
    )


# 2. Answers are written format-preservingly and read back before the file is replaced.

ROCKET = ["--command", "python -c \"print('\U0001f680')\""]


def test_a_non_bmp_answer_is_valid_toml(tmp_path: Path) -> None:
    make_tree(tmp_path, {**FLASK, "pyproject.toml": PEP621})
    assert _run("init", str(tmp_path), "--no-input", *ROCKET)[0] == 0
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert (
        text == PEP621 + '\n[tool.dockergen]\ncommand = ["python", "-c", "print(\'\U0001f680\')"]\n'
    )
    assert _run("check", str(tmp_path))[0] == 0


def test_a_non_bmp_answer_in_the_standalone_file(tmp_path: Path) -> None:
    make_tree(tmp_path, FLASK)
    assert _run("init", str(tmp_path), "--no-input", *ROCKET)[0] == 0
    assert (tmp_path / ".dockergen.toml").read_text(encoding="utf-8") == (
        "# dockergen answers: see `dockergen init --help`\n"
        'command = ["python", "-c", "print(\'\U0001f680\')"]\n'
    )


def test_recording_answers_keeps_comments_strings_and_line_endings(tmp_path: Path) -> None:
    before = (
        PEP621 + '[tool.x]\nnote = """\n[tool.dockergen]\nnot a table\n"""\n\n'
        '[tool.dockergen]\n# why 3.12: the base image\npython = "3.11"  # pinned\n'
        "\n# after the table\n[tool.y]\nz = 1  # kept\n"
    ).replace("\n", "\r\n")
    make_tree(tmp_path, FLASK)
    (tmp_path / "pyproject.toml").write_bytes(before.encode())
    assert _run("init", str(tmp_path), "--no-input", "--port", "8000")[0] == 0
    after = (tmp_path / "pyproject.toml").read_bytes().decode()
    # tomlkit counts a comment after the last key as part of the table, so the key follows it.
    assert after == before.replace("table\r\n[tool.y]", "table\r\nport = 8000\r\n[tool.y]")
    assert _run("check", str(tmp_path))[0] == 0


def test_answers_that_would_not_read_back_are_not_written() -> None:
    from dockergen.answers import _reread
    from dockergen.errors import InvalidProjectFileError
    from dockergen.model import Overrides

    with pytest.raises(InvalidProjectFileError) as caught:
        _reread("[tool.dockergen]\nport = 1\n", Overrides(port=2), "pyproject.toml")
    assert str(caught.value) == (
        "pyproject.toml: cannot be updated with the answers without changing their meaning; "
        "add them to the dockergen table by hand, or pass them as flags each time"
    )


# 3. Writes stay inside the project, one file per target; a Dockerfile link is written through.


def _linked(tmp_path: Path, link: str, to: str) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = make_tree(tmp_path / "app", {**FLASK, "pyproject.toml": PEP621})
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(outside if to == "outside" else root / to)
    return root, outside


@pytest.mark.parametrize(
    ("link", "to", "problem"),
    [
        (
            ".dockergen",
            "outside",
            "is in a folder that is a symlink to the project or its record; make .dockergen a real folder",
        ),
        (
            ".dockergen",
            ".",
            "is in a folder that is a symlink to the project or its record; make .dockergen a real folder",
        ),
    ],
)
def test_the_record_is_never_written_through_a_symlink(
    tmp_path: Path, link: str, to: str, problem: str
) -> None:
    root, outside = _linked(tmp_path, link, to)
    message = _fails("init", str(root), "--no-input", root=root)
    assert message == f"{root}/.dockergen/README.md: {problem}"
    assert list(outside.iterdir()) == []


def test_a_backup_folder_linked_out_of_the_project_is_refused(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {**FLASK, "pyproject.toml": PEP621})
    assert _run("init", str(root), "--no-input")[0] == 0
    dockerfile = root / "Dockerfile"
    dockerfile.write_text(
        dockerfile.read_text().replace("ARG PYTHON_VERSION=3.13", "ARG PYTHON_VERSION=3.12")
    )
    (tmp_path / "outside").mkdir()
    (root / ".dockergen/before-update").symlink_to(tmp_path / "outside")
    message = _fails("update", str(root), "--python", "3.11", root=root)
    assert message == (
        f"{root}/.dockergen/before-update/Dockerfile: is in a folder that is a symlink to the "
        "project or its record; make .dockergen a real folder"
    )


def test_workflows_linked_out_of_the_project_are_refused(tmp_path: Path) -> None:
    root, outside = _linked(tmp_path, ".github/workflows", "outside")
    assert _run("init", str(root), "--no-input")[0] == 0
    message = _fails("ci", "github", str(root), root=root)
    assert message == (
        f"{root}/.github/workflows/docker.yml: would be written outside the project through a "
        "symlink; replace the symlink with a real folder or file"
    )
    assert list(outside.iterdir()) == []


def test_a_dockerfile_linked_inside_the_project_is_written_through(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {**FLASK, "docker/Dockerfile": "FROM old\n"})
    (root / "Dockerfile").symlink_to("docker/Dockerfile")
    assert _run("init", str(root), "--no-input", "--force")[0] == 0
    assert (root / "Dockerfile").is_symlink()
    assert (root / "docker/Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1")


# 4. Every choice made at `init` is credited to the answers file, so `check` agrees at once.


@pytest.mark.parametrize(
    "flag",
    [
        ["--python", "3.12"],
        ["--installer", "pip"],
        ["--command", "gunicorn app:app"],
        ["--port", "8000"],
        ["--apt", "libpq5"],
        ["--apt-build", "gcc"],
        ["--port", "8000", "--healthcheck", "/health"],
    ],
    ids=lambda f: f[0],
)
@pytest.mark.parametrize("pyproject", [True, False], ids=["pyproject", "standalone"])
def test_check_passes_right_after_init(tmp_path: Path, flag: list[str], pyproject: bool) -> None:
    make_tree(tmp_path, {**FLASK, **({"pyproject.toml": PEP621} if pyproject else {})})
    assert _run("init", str(tmp_path), "--no-input", *flag)[0] == 0
    code, out, err = _run("check", str(tmp_path))
    assert (code, out, err) == (0, "dockergen: up to date\n", "")


def test_check_passes_right_after_init_with_prompts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path, {**FLASK, "pyproject.toml": PEP621})
    monkeypatch.setattr("dockergen.cli._stdin_is_tty", lambda: True)
    answers = "3.12\ngunicorn --bind 0.0.0.0:9000 app:app\n9000\nlibpq5\nn\n"
    result = runner.invoke(app, ["init", str(tmp_path)], input=answers)
    assert result.exit_code == 0, result.output
    code, out, err = _run("check", str(tmp_path))
    assert (code, out, err) == (0, "dockergen: up to date\n", "")
