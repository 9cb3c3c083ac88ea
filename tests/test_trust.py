"""Findings of the adversarial trial: each payload class, its exact message, nothing written
where the command refuses. See README "Security"."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen.cli import app
from dockergen.journal import JOURNAL, UNFINISHED
from tests.helpers import make_tree, tree_snapshot

runner = CliRunner()
PEP621 = '[project]\nname = "svc"\nversion = "0"\n[build-system]\nrequires = ["hatchling"]\n'
FLASK = {"requirements.txt": "flask\n", "app.py": "print(1)\n"}
LISTED = "the blocks, names and filters a template may use are listed in docs/templates.md"


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


# 5. A damaged record of the decisions is a warning, never a traceback.

DAMAGED = {
    "conflict-markers": (
        '<<<<<<< HEAD\n{"installer": null}\n=======\n{}\n>>>>>>> main\n',
        "not JSON: Expecting value at line 1",
    ),
    "truncated": (
        '{"installer": {"value": "pip", "det',
        "not JSON: Unterminated string starting at at line 1",
    ),
    "list": ("[]\n", "not the decisions dockergen records"),
    "null": ("null\n", "not the decisions dockergen records"),
    "wrong-types": (
        '{"installer": "pip", "python": 3, "command": [], "port": true}\n',
        "not the decisions dockergen records",
    ),
    "deep": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
}


@pytest.mark.parametrize(("text", "why"), DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_plan_json_is_ignored_with_a_warning(tmp_path: Path, text: str, why: str) -> None:
    make_tree(tmp_path, FLASK)
    assert _run("init", str(tmp_path), "--no-input")[0] == 0
    (tmp_path / ".dockergen/plan.json").write_text(text)
    warning = (
        f"dockergen: warning: .dockergen/plan.json is damaged ({why}) and ignored; regenerate it "
        "with `dockergen update --force`, or delete .dockergen/plan.json\n"
    )
    assert _run("check", str(tmp_path)) == (
        1,
        "",
        warning
        + "dockergen: stale: no usable record of an earlier render (.dockergen/plan.json is damaged)\n"
        + "dockergen: run `dockergen update` to regenerate\n",
    )
    assert _run("diff", str(tmp_path)) == (0, "", warning)
    code, _, err = _run("update", str(tmp_path))
    assert (code, err) == (0, warning)
    assert _run("check", str(tmp_path)) == (0, "dockergen: up to date\n", "")


# 8. Whatever stands in the way is one line naming the file, before anything is written.


def _initialised(tmp_path: Path) -> Path:
    make_tree(tmp_path, {**FLASK, "pyproject.toml": PEP621})
    assert _run("init", str(tmp_path), "--no-input")[0] == 0
    return tmp_path


def _conflicting(root: Path) -> None:
    dockerfile = root / "Dockerfile"
    text = dockerfile.read_text().replace("ARG PYTHON_VERSION=3.13", "ARG PYTHON_VERSION=3.12")
    dockerfile.write_text(text)


def test_a_record_folder_that_is_a_file(tmp_path: Path) -> None:
    make_tree(tmp_path, {**FLASK, ".dockergen": "not a folder\n"})
    assert _fails("init", str(tmp_path), "--no-input", root=tmp_path) == (
        f"{tmp_path}/.dockergen: is not a directory; move it away so .dockergen/README.md can "
        "be written"
    )


def test_a_backup_folder_that_is_a_file(tmp_path: Path) -> None:
    root = _initialised(tmp_path)
    _conflicting(root)
    (root / ".dockergen/before-update").write_text("not a folder\n")
    assert _fails("update", str(root), "--python", "3.11", root=root) == (
        f"{root}/.dockergen/before-update: is not a directory; move it away so "
        ".dockergen/before-update/Dockerfile can be written"
    )


def test_a_github_folder_that_is_a_file(tmp_path: Path) -> None:
    root = _initialised(tmp_path)
    (root / ".github").write_text("not a folder\n")
    assert _fails("ci", "github", str(root), root=root) == (
        f"{root}/.github: is not a directory; move it away so .github/workflows/docker.yml can "
        "be written"
    )


def test_an_output_that_is_a_directory(tmp_path: Path) -> None:
    root = _initialised(tmp_path)
    (root / "compose.yaml").mkdir()
    assert _fails("compose", str(root), root=root) == (
        "compose.yaml: is a directory; replace it with a file"
    )


def test_a_list_for_the_installer_answer(tmp_path: Path) -> None:
    make_tree(
        tmp_path, {**FLASK, "pyproject.toml": PEP621 + '[tool.dockergen]\ninstaller = ["pip"]\n'}
    )
    assert _fails("check", str(tmp_path), root=tmp_path) == (
        "pyproject.toml [tool.dockergen]: installer = ['pip'] is unknown; "
        "use one of pip, pipenv, poetry, uv, pdm, pep621"
    )


def test_a_team_template_that_is_not_utf8(tmp_path: Path) -> None:
    make_tree(
        tmp_path, {**FLASK, "pyproject.toml": PEP621 + '[tool.dockergen]\ntemplates = "team"\n'}
    )
    (tmp_path / "team").mkdir()
    (tmp_path / "team/dockerignore.j2").write_bytes(b"caf\xe9\n")
    assert _fails("init", str(tmp_path), "--dry-run", root=tmp_path) == (
        f"{tmp_path}/team/dockerignore.j2: is not UTF-8 text (byte 3); save it as UTF-8"
    )


@pytest.mark.parametrize(
    ("error", "problem", "fix"),
    [
        (
            errno.ENOSPC,
            "cannot be written (no space left on device)",
            "free space, then run it again",
        ),
        (
            errno.EROFS,
            "cannot be written (Read-only file system)",
            "make it writable, then run it again",
        ),
    ],
)
def test_a_failing_disk_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: int, problem: str, fix: str
) -> None:
    make_tree(tmp_path, FLASK)

    def full(fd: int) -> None:
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(os, "fsync", full)
    before = sorted(tmp_path.rglob("*"))
    assert _fails("init", str(tmp_path), "--no-input", root=tmp_path) == (
        f"{tmp_path}/.dockergen/journal.json: {problem}; {fix}"
    )
    assert sorted(tmp_path.rglob("*")) == before  # no empty record folder either


def test_a_read_only_target_is_refused_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path, {**FLASK, "pyproject.toml": PEP621})
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m: not str(p).endswith("pyproject.toml") and real_access(p, m)
    )
    assert _fails("init", str(tmp_path), "--no-input", "--port", "80", root=tmp_path) == (
        f"{tmp_path}/pyproject.toml: is read-only; make it writable, then run it again"
    )


def test_ctrl_c_is_one_line_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path, FLASK)

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    before = tree_snapshot(tmp_path)
    assert _run("init", str(tmp_path), "--no-input")[0::2] == (
        130,
        "dockergen: error: interrupted; every file is either as it was or complete, and until "
        "the change is whole `dockergen check` says so: run the command again to finish\n",
    )
    assert tree_snapshot(tmp_path) == before
    assert not (tmp_path / ".dockergen").exists()


# 6. Line endings: CRLF files (core.autocrlf=true) compare and merge as LF, and stay CRLF.


def _to_crlf(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def test_a_crlf_checkout_is_up_to_date(tmp_path: Path) -> None:
    root = _initialised(tmp_path)
    _to_crlf(
        root,
        "Dockerfile",
        ".dockerignore",
        ".dockergen/Dockerfile",
        ".dockergen/dockerignore",
        ".dockergen/README.md",
        ".dockergen/plan.json",
    )
    assert _run("check", str(root)) == (0, "dockergen: up to date\n", "")


def test_a_crlf_dockerfile_with_one_added_line_merges(tmp_path: Path) -> None:
    root = _initialised(tmp_path)
    dockerfile = root / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("\nUSER ", '\nLABEL team="x"\nUSER ', 1))
    _to_crlf(root, "Dockerfile")
    code, out, err = _run("update", str(root), "--python", "3.12")
    assert (code, err) == (0, "")
    assert "Dockerfile: regenerated, your edits merged in\n" in out
    text = dockerfile.read_bytes().decode()
    assert 'LABEL team="x"\r\n' in text
    assert "ARG PYTHON_VERSION=3.12\r\n" in text
    assert "\n" not in text.replace("\r\n", "")
    assert _run("check", str(root)) == (0, "dockergen: up to date\n", "")


# 7. .dockerignore: nothing kept can bring a secret back; manifests are always sent.


def _dockerignore(root: Path) -> str:
    code, out, _ = _run("init", str(root), "--no-input", "--dry-run")
    assert code == 0
    return out.split("--- .dockerignore ---\n", 1)[1]


NEVER_SENT = "a secret or local state, which dockergen never sends to a build"
METADATA_FILE = "pyproject.toml: readme or license file"


@pytest.mark.parametrize(
    ("project", "message"),
    [
        (
            'license-files = ["*"]\n',
            f"{METADATA_FILE} '*' could bring back .venv, venv, .dockergen, .git, .env, "
            f"{NEVER_SENT}; list the files it means",
        ),
        (
            'readme = "./.env"\n',
            f"{METADATA_FILE} './.env' names .env, {NEVER_SENT}; point it at another file",
        ),
        (
            'readme = "docs/.netrc"\n',
            f"{METADATA_FILE} 'docs/.netrc' names .netrc, {NEVER_SENT}; point it at another file",
        ),
    ],
    ids=["glob", "dotenv", "netrc"],
)
def test_metadata_cannot_send_a_secret(tmp_path: Path, project: str, message: str) -> None:
    """Named by metadata, a secret or local state is refused, naming the file that asked:
    never a COPY source, never a `!` line (`!*` brought back .venv and .dockergen)."""
    pyproject = PEP621.replace('version = "0"\n', f'version = "0"\n{project}')
    make_tree(tmp_path, {"pyproject.toml": pyproject, "app.py": "", ".env": "", "docs/.netrc": ""})
    assert _fails("init", str(tmp_path), "--no-input", root=tmp_path) == message


def test_a_manifest_under_an_ignored_folder_is_sent(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {"requirements.txt": "-r build/extra.txt\n", "build/extra.txt": "flask\n", "app.py": ""},
    )
    lines = _dockerignore(tmp_path).splitlines()
    assert lines.index("!build/extra.txt") > lines.index("build")
    assert lines.index("!requirements.txt") < lines.index(".env")


# 9. A multi-file update stopped part way is finished by running it again; one at a time.


@pytest.mark.parametrize("stop_at", range(5))
def test_an_interrupted_update_is_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop_at: int
) -> None:
    root = _initialised(tmp_path)
    dockerfile = root / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("\nUSER ", '\nLABEL team="x"\nUSER ', 1))
    (root / "docs").mkdir()
    (root / "docs/README.md").write_text("x\n")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('version = "0"', 'version = "0"\nreadme = "docs/README.md"')
    )
    import dockergen.write

    real = dockergen.write.write_atomic
    calls = []

    def stopping(target: Path, content: str) -> None:
        calls.append(target)
        if len(calls) > stop_at:
            raise KeyboardInterrupt
        real(target, content)

    monkeypatch.setattr(dockergen.write, "write_atomic", stopping)
    assert _run("update", str(root), "--python", "3.12")[0] == 130
    monkeypatch.setattr(dockergen.write, "write_atomic", real)
    if stop_at > 0:  # the journal was written: whatever was written since, check fails
        code, _, err = _run("check", str(root))
        assert code == 1
        assert err.startswith(f"dockergen: stale: {UNFINISHED}\n")
    code, out, err = _run("update", str(root), "--python", "3.12")
    assert (code, err) == (0, ""), out
    assert not list(root.rglob("*.tmp"))
    assert _run("check", str(root)) == (0, "dockergen: up to date\n", "")
    text = dockerfile.read_text()
    assert 'LABEL team="x"\n' in text and "ARG PYTHON_VERSION=3.12\n" in text
    assert "!docs/README.md\n" in (root / ".dockerignore").read_text()


def test_a_temporary_file_left_by_a_killed_run_is_removed(tmp_path: Path) -> None:
    make_tree(tmp_path, {**FLASK, ".Dockerfile.k1ll3d00.tmp": "half\n"})
    assert _run("init", str(tmp_path), "--no-input")[0] == 0
    assert not (tmp_path / ".Dockerfile.k1ll3d00.tmp").exists()


def test_a_second_dockergen_is_refused_while_one_runs(tmp_path: Path) -> None:
    from dockergen.write import project_lock

    root = _initialised(tmp_path)
    with project_lock(root):
        message = _fails("update", str(root), "--python", "3.12", root=root)
    assert message == (
        f"{root}: another dockergen is running in this project; wait for it to finish, then "
        "run this again"
    )
    assert _run("update", str(root), "--python", "3.12")[0] == 0


@pytest.mark.parametrize("stop_at", range(4))
def test_an_interrupted_conflicting_update_never_loses_the_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop_at: int
) -> None:
    root = _initialised(tmp_path)
    _conflicting(root)
    mine = (root / "Dockerfile").read_text()
    import dockergen.write

    real = dockergen.write.write_atomic
    calls = []

    def stopping(target: Path, content: str) -> None:
        calls.append(target)
        if len(calls) > stop_at:
            raise KeyboardInterrupt
        real(target, content)

    monkeypatch.setattr(dockergen.write, "write_atomic", stopping)
    assert _run("update", str(root), "--python", "3.11")[0] == 130
    if "<<<<<<< yours" in (root / "Dockerfile").read_text():
        assert (root / ".dockergen/before-update/Dockerfile").read_text() == mine


# 10. Smaller findings.


def _command(root: Path) -> tuple[str, ...] | None:
    from dockergen.detect import detect_project

    spec = detect_project(root)
    return spec.command.value if spec.command else None


def test_an_empty_web_line_does_not_take_the_next_line(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            **FLASK,
            "requirements.txt": "flask\ngunicorn\n",
            "Procfile": "web:\nworker: celery -A app worker\n",
        },
    )
    assert _command(tmp_path) == ("python", "app.py")


def test_a_cr_only_procfile_keeps_processes_apart(tmp_path: Path) -> None:
    make_tree(tmp_path, FLASK)
    (tmp_path / "Procfile").write_bytes(b"web: python app.py\rworker: celery -A app worker\r")
    assert _command(tmp_path) == ("python", "app.py")


@pytest.mark.parametrize("newline", [b"\r", b"\r\n", b"\n"], ids=["cr", "crlf", "lf"])
def test_django_settings_with_any_line_ends_keep_collectstatic(
    tmp_path: Path, newline: bytes
) -> None:
    from dockergen.detect import detect_project

    make_tree(
        tmp_path,
        {
            "requirements.txt": "django\ngunicorn\n",
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'site.settings')\n",
            "site/wsgi.py": "application = None\n",
        },
    )
    settings = b"DEBUG = False\nSTATIC_URL = '/static/'\nSTATIC_ROOT = 'staticfiles'\n"
    (tmp_path / "site/settings.py").write_bytes(settings.replace(b"\n", newline))
    steps = detect_project(tmp_path).build_steps
    assert [(s.value, s.source) for s in steps] == [
        (("python", "manage.py", "collectstatic", "--noinput"), "site/settings.py")
    ]


def test_conflict_markers_without_a_label_fail_check(tmp_path: Path) -> None:
    root = _initialised(tmp_path)
    dockerfile = root / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "<<<<<<<\nRUN a\n=======\nRUN b\n>>>>>>>\n")
    line = len(dockerfile.read_text().splitlines()) - 4
    assert _fails("check", str(root), root=root) == (
        f"Dockerfile:{line}: has unresolved conflict markers from `dockergen update`; resolve "
        "them (keep what you want, delete the marker lines), then run it again"
    )


@pytest.mark.parametrize("value", ['""', "[]"])
def test_an_empty_command_answer_is_refused(tmp_path: Path, value: str) -> None:
    make_tree(
        tmp_path, {**FLASK, "pyproject.toml": f"{PEP621}[tool.dockergen]\ncommand = {value}\n"}
    )
    assert _fails("check", str(tmp_path), root=tmp_path) == (
        "pyproject.toml [tool.dockergen]: command is empty; give the command, or delete the "
        "line to detect it"
    )


def test_a_command_ending_in_a_backslash_lints_clean(tmp_path: Path) -> None:
    from tests.helpers import buildkit_instructions, hadolint_findings

    answers = '[tool.dockergen]\ncommand = ["python", "app.py", "\\\\"]\n'
    make_tree(tmp_path, {**FLASK, "pyproject.toml": PEP621 + answers})
    out = _run("init", str(tmp_path), "--no-input", "--dry-run")[1]
    dockerfile = out.split("--- Dockerfile ---\n", 1)[1].split("--- .dockerignore ---\n")[0]
    assert 'CMD ["python", "app.py", "\\u005c"]\n' in dockerfile
    assert hadolint_findings(dockerfile, tmp_path) == []
    assert buildkit_instructions(dockerfile)[-1] == "CMD"


def test_a_newline_in_the_project_path_cannot_forge_a_line(tmp_path: Path) -> None:
    root = tmp_path / "app\ndockergen: error: forged"
    root.mkdir()
    code, _, err = _run("init", str(root), "--no-input")
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("dockergen: error: no dependency manifest in '")
    assert "app\\ndockergen: error: forged" in err


def test_terminal_escapes_in_metadata_are_not_printed(tmp_path: Path) -> None:
    backend = 'build-backend = "poetry.core\\u001b[2J"\n'
    make_tree(tmp_path, {"pyproject.toml": PEP621 + backend, "app.py": ""})
    for args in (["init", "--no-input", "--dry-run"], ["plan"]):
        code, out, err = _run(args[0], str(tmp_path), *args[1:])
        summary = out.split("--- Dockerfile ---")[0]
        assert code == 0
        assert "\x1b" not in summary + err
        assert "installer: poetry (pyproject.toml build-backend poetry.core\\x1b[2J)\n" in summary


def test_a_workspace_member_linked_out_of_the_project_is_refused(tmp_path: Path) -> None:
    import shutil

    from tests.helpers import FIXTURES

    root = tmp_path / "ws"
    shutil.copytree(FIXTURES / "uv-workspace", root)
    shutil.move(root / "packages/greet", tmp_path / "greet")
    (root / "packages/greet").symlink_to(tmp_path / "greet")
    assert _fails("init", str(root), "--no-input", root=root) == (
        "packages/greet: is a uv workspace member that is a symlink out of the project; move "
        "the member into the workspace"
    )


@pytest.mark.parametrize("line", ["-r", "-c ", "--requirement="])
def test_a_bare_include_is_refused(tmp_path: Path, line: str) -> None:
    make_tree(tmp_path, {"requirements.txt": f"flask\n{line}\n", "app.py": ""})
    option = line.strip(" =")
    assert _fails("init", str(tmp_path), "--no-input", root=tmp_path) == (
        f"requirements.txt:2: {option} names no file; name the file, or delete the line"
    )


# 11. Crash consistency: every target checked before the first write; a run stopped part way
# is reported by `check` and finished by the next run (benchmarks/crash.py kills it for real).


def _read_only(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m: Path(p) != path and real_access(p, m))


def test_a_read_only_record_folder_is_refused_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _initialised(tmp_path)
    _read_only(monkeypatch, root / ".dockergen")
    assert _fails("update", str(root), "--python", "3.12", root=root) == (
        f"{root}/.dockergen/Dockerfile: is in a read-only folder ({root}/.dockergen); "
        "make it writable, then run it again"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_really_read_only_record_folder_is_refused_before_writing(tmp_path: Path) -> None:
    root = _initialised(tmp_path)
    (root / ".dockergen").chmod(0o555)
    try:
        message = _fails("update", str(root), "--python", "3.12", root=root)
    finally:
        (root / ".dockergen").chmod(0o755)
    assert message.startswith(f"{root}/.dockergen/Dockerfile: is in a read-only folder")


def _stopped_by_a_full_disk(root: Path, monkeypatch: pytest.MonkeyPatch, at: int) -> str:
    """`update --python 3.12` with the disk full at the `at`-th fsync (1: the journal)."""
    real_fsync, calls = os.fsync, []

    def filling(fd: int) -> None:
        calls.append(fd)
        if len(calls) == at:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", filling)
    code, _, err = _run("update", str(root), "--python", "3.12")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert code == 1
    return err


def test_a_disk_full_part_way_is_reported_and_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _initialised(tmp_path)
    err = _stopped_by_a_full_disk(root, monkeypatch, at=3)  # the journal, Dockerfile, then this
    assert err.endswith(
        ": cannot be written (no space left on device); free space, then run it again\n"
    )
    assert "ARG PYTHON_VERSION=3.12\n" in (root / "Dockerfile").read_text()
    assert 'python = "3.12"' not in (root / "pyproject.toml").read_text()
    code, _, err = _run("check", str(root))
    assert (code, err.splitlines()[0]) == (1, f"dockergen: stale: {UNFINISHED}")
    code, out, err = _run("update", str(root))
    assert (code, err) == (0, "")
    assert out.startswith("finished an interrupted run: wrote pyproject.toml, ")
    assert 'python = "3.12"' in (root / "pyproject.toml").read_text()
    assert not (root / JOURNAL).exists()
    assert not list(root.rglob("*.tmp"))
    assert _run("check", str(root)) == (0, "dockergen: up to date\n", "")


def test_a_file_changed_since_the_interruption_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _initialised(tmp_path)
    _stopped_by_a_full_disk(root, monkeypatch, at=3)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "# mine\n")
    assert _fails("update", str(root), root=root) == (
        f"pyproject.toml changed since an interrupted dockergen run began writing it ({JOURNAL}), "
        "so that run cannot be finished; run `dockergen update --force` to regenerate every "
        "file from the answers"
    )
    code, _, err = _run("update", str(root), "--force")
    assert (code, err) == (0, "")
    assert pyproject.read_text().endswith("# mine\n")
    assert _run("check", str(root)) == (0, "dockergen: up to date\n", "")


def test_a_damaged_journal_is_one_line(tmp_path: Path) -> None:
    root = _initialised(tmp_path)
    (root / JOURNAL).write_text("<<<<<<< ours\n")
    assert _run("check", str(root))[0] == 1
    assert _fails("update", str(root), root=root) == (
        f"{JOURNAL}: is not a journal dockergen wrote, so the interrupted run it describes "
        "cannot be finished; delete it, then run `dockergen update --force` to regenerate "
        "every file"
    )
    assert _run("update", str(root), "--force")[0] == 0
    assert _run("check", str(root)) == (0, "dockergen: up to date\n", "")


def test_every_file_dockergen_writes_may_be_finished_from_a_journal() -> None:
    from dockergen import ci, compose, devcontainer, gitlab
    from dockergen.journal import may_write
    from dockergen.record import BACKUPS, PLAN, RECORDED_AS
    from dockergen.render import OUTPUTS

    outputs = [name for name, _ in OUTPUTS] + [f".dockergen/{n}" for n in RECORDED_AS.values()]
    outputs += [ci.OUTPUT, ci.DEPENDABOT_OUTPUT, compose.OUTPUT, devcontainer.OUTPUT, gitlab.OUTPUT]
    outputs += [PLAN, f"{BACKUPS}/Dockerfile", "pyproject.toml", ".dockergen.toml"]
    assert [name for name in outputs if not may_write(name)] == []


@pytest.mark.parametrize(
    "name", [".git/config", ".venv/lib/python3.12/site-packages/x.pth", "setup.py", "/etc/x"]
)
def test_a_journal_shipped_by_a_repository_writes_nowhere_else(tmp_path: Path, name: str) -> None:
    """A journal is a file in the project: a hostile repository could ship one naming .git/config
    (git runs what core.fsmonitor names). Finishing it may write only where dockergen writes."""
    root = _initialised(tmp_path / "p")
    (root / ".git").mkdir()
    (root / ".git/config").write_text("[core]\n")
    entry = {"name": name, "before": None, "content": "[core]\nfsmonitor = touch pwned\n"}
    (root / JOURNAL).write_text(json.dumps({"journal": 1, "files": [entry]}))
    before = tree_snapshot(tmp_path)
    assert _fails("update", str(root), root=tmp_path).startswith(
        f"{JOURNAL}: names a file dockergen does not write"
    )
    assert tree_snapshot(tmp_path) == before


def test_a_journal_naming_a_file_outside_the_project_is_refused(tmp_path: Path) -> None:
    root = _initialised(tmp_path / "p")
    (root / JOURNAL).write_text(
        '{"journal": 1, "files": [{"name": "../x", "before": null, "content": "x"}]}\n'
    )
    assert _fails("update", str(root), root=tmp_path).startswith(
        f"{JOURNAL}: names a file dockergen does not write"
    )
    assert not (tmp_path / "x").exists()
