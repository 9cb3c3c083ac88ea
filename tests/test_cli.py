from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockergen import cli
from dockergen.cli import app
from dockergen.version import __version__
from tests.helpers import GOLDEN, make_tree, tree_snapshot

runner = CliRunner()


@pytest.mark.parametrize("project", ["pip-requirements"], indirect=True)
def test_init_writes_both_files_and_says_why(project: Path) -> None:
    result = runner.invoke(app, ["init", str(project)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "installer: pip (requirements.txt)\n"
        "python: 3.12 (.python-version: 3.12)\n"
        "debian: trixie (Debian's current stable release)\n"
        "command: python app.py (app.py: python app.py)\n"
        f"wrote {project / 'Dockerfile'}\n"
        f"wrote {project / '.dockerignore'}\n"
        f"recorded this render in {project / '.dockergen'} (commit it; `update` merges against it)\n"
    )
    assert result.stderr == ""
    golden = GOLDEN / "pip-requirements"
    assert (project / "Dockerfile").read_text() == (golden / "Dockerfile").read_text()
    assert (project / ".dockerignore").read_text() == (golden / ".dockerignore").read_text()


@pytest.mark.parametrize("project", ["pipenv-nolock"], indirect=True)
def test_warnings_go_to_stderr(project: Path) -> None:
    result = runner.invoke(app, ["init", str(project), "--no-input"])
    assert result.exit_code == 0
    assert result.stderr == (
        "dockergen: warning: Pipfile has no Pipfile.lock: the build resolves versions afresh and "
        "is not reproducible; run `pipenv lock` and commit Pipfile.lock\n"
    )


@pytest.mark.parametrize("project", ["uv"], indirect=True)
def test_init_refuses_to_overwrite_and_writes_nothing(project: Path) -> None:
    (project / "Dockerfile").write_text("FROM scratch\n")
    before = tree_snapshot(project)
    result = runner.invoke(app, ["init", str(project)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"dockergen: error: {project / 'Dockerfile'} already exists and dockergen would overwrite "
        "it; pass --force to replace it, or --dry-run to see the output\n"
    )
    assert tree_snapshot(project) == before  # not even .dockerignore was written


@pytest.mark.parametrize("project", ["uv"], indirect=True)
def test_force_overwrites_and_keeps_permissions(project: Path) -> None:
    (project / "Dockerfile").write_text("FROM scratch\n")
    (project / "Dockerfile").chmod(0o600)
    result = runner.invoke(app, ["init", str(project), "--force"])
    assert result.exit_code == 0
    assert (project / "Dockerfile").read_text() == (GOLDEN / "uv" / "Dockerfile").read_text()
    assert (project / "Dockerfile").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".Dockerfile")) == []


@pytest.mark.parametrize("project", ["poetry"], indirect=True)
def test_dry_run_prints_and_writes_nothing(project: Path) -> None:
    before = tree_snapshot(project)
    result = runner.invoke(app, ["init", str(project), "--dry-run"])
    assert result.exit_code == 0
    dockerfile = (GOLDEN / "poetry" / "Dockerfile").read_text()
    ignore = (GOLDEN / "poetry" / ".dockerignore").read_text()
    assert result.stdout.endswith(
        f"--- Dockerfile ---\n{dockerfile}--- .dockerignore ---\n{ignore}"
    )
    assert tree_snapshot(project) == before


@pytest.mark.parametrize("project", ["pip-requirements"], indirect=True)
def test_flags_override_detection(project: Path) -> None:
    args = ["init", str(project), "--dry-run", "--python", "3.11.14", "--installer", "pip"]
    args += ["--command", "gunicorn -b 0.0.0.0:8000 'app:make()'", "--apt", "libpq5"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "installer: pip (.dockergen.toml: installer = 'pip')\n"
        "python: 3.11.14 (.dockergen.toml: python = '3.11.14')\n"
        "debian: trixie (Debian's current stable release)\n"
        "command: gunicorn -b 0.0.0.0:8000 'app:make()' (.dockergen.toml)\n"
    )
    assert "ARG PYTHON_VERSION=3.11.14\n" in result.stdout
    assert 'CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:make()"]\n' in result.stdout
    assert "apt-get install -y --no-install-recommends libpq5\n" in result.stdout


def test_no_manifest_is_exit_1_without_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"dockergen: error: no dependency manifest in {tmp_path} (")
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--command", "echo 'unclosed"], 'dockergen: error: --command: command "echo \'unclosed"'),
        (
            ["--python", "3.12; rm -rf /"],
            "dockergen: error: --python: Python version '3.12; rm -rf /'",
        ),
    ],
    ids=["bad-quoting", "bad-python"],
)
def test_bad_flag_values_are_errors(tmp_path: Path, args: list[str], message: str) -> None:
    make_tree(tmp_path, {"requirements.txt": "six\n"})
    result = runner.invoke(app, ["init", str(tmp_path), *args])
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["requirements.txt"]


def test_bad_usage_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path), "--installer", "conda"])
    assert result.exit_code == 2
    assert "'conda' is not one of" in result.stderr


def test_version_flag() -> None:
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"dockergen {__version__}\n")


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dockergen", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout == f"dockergen {__version__}\n"


def test_library_does_not_import_typer() -> None:
    code = (
        "import sys, dockergen, dockergen.detect, dockergen.render, dockergen.write; "
        "assert not [m for m in sys.modules if m.split('.')[0] in ('typer', 'click')], 'imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    """The real entry point in-process: Typer's usage errors are printed by dockergen here."""
    import signal

    from dockergen.__main__ import main

    monkeypatch.setattr(sys, "argv", ["dockergen", *argv])
    before = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(SystemExit) as stopped:
            main()
    finally:
        signal.signal(signal.SIGINT, before)
    captured = capsys.readouterr()
    return int(stopped.value.code or 0), captured.out, captured.err


def test_the_entry_point_runs_a_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _main(monkeypatch, capsys, "--version") == (0, f"dockergen {__version__}\n", "")


def test_the_entry_point_cuts_a_long_value_in_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _main(monkeypatch, capsys, "init", "--installer", "x" * 10_000)
    assert (code, out) == (2, "")
    last = err.splitlines()[-1]
    assert last.startswith("Error: Invalid value for '--installer': 'xxx")
    assert "[... 8,1" in last
    assert len(last) < 2100


def test_the_entry_point_prints_help_without_a_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _main(monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err.startswith("Usage: dockergen [OPTIONS] COMMAND [ARGS]...\n")


def test_the_entry_point_says_aborted_when_a_prompt_gets_end_of_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "requirements.txt").write_text("six\n")
    monkeypatch.setattr(cli, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = _main(monkeypatch, capsys, "init", str(tmp_path))
    assert (code, out.splitlines()[-1], err) == (
        1,
        "Python version (no Python version stated; using 3.13) [3.13]: ",
        "Aborted!\n",
    )


def test_ctrl_c_at_start_up_flushes_what_was_printed_and_exits_130(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dockergen import __main__ as entry

    written: list[bytes] = []

    def write(fd: int, data: bytes) -> int:
        written.append(data)
        return len(data)

    def exit_now(code: int) -> None:
        raise SystemExit(code)

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "_exit", exit_now)
    with pytest.raises(SystemExit) as stopped:
        entry.stop_at_once(2, None)
    assert (stopped.value.code, written) == (
        130,
        [b"dockergen: error: interrupted before it changed anything\n"],
    )


def test_the_package_imports_its_names_on_first_use() -> None:
    import dockergen

    assert dockergen.detect_project.__module__ == "dockergen.detect"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        dockergen.nothing  # noqa: B018


def test_a_bare_typer_exception_is_one_error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import typer

    def failing(**kwargs: object) -> None:
        raise typer.TyperException("no usage to show")

    monkeypatch.setattr(cli, "app", failing)
    assert _main(monkeypatch, capsys) == (1, "", "Error: no usage to show\n")


def test_user_errors_work_off_the_main_thread() -> None:
    """Only the main thread may set a SIGINT handler; elsewhere errors are mapped as usual."""
    import threading

    import typer

    from dockergen.console import user_errors
    from dockergen.errors import DockergenError

    codes: list[int] = []

    def work() -> None:
        with user_errors():
            codes.append(0)
        try:
            with user_errors():
                raise DockergenError("x: broken; fix it")
        except typer.Exit as stopped:
            codes.append(stopped.exit_code)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert codes == [0, 1]


def test_help_lists_the_commands_in_the_order_they_are_used() -> None:
    result = runner.invoke(app, ["--help"])
    listed = result.stdout.split("Commands:\n")[1].splitlines()
    assert [line.split()[0] for line in listed if line[2:3].strip()] == [
        "init",
        "update",
        "check",
        "diff",
        "plan",
        "verify",
        "compose",
        "devcontainer",
        "ci",
    ]


@pytest.mark.parametrize(
    "command",
    ["init", "update", "check", "diff", "plan", "verify", "compose", "devcontainer", "ci"],
)
def test_a_flag_that_only_switches_on_has_no_negative_twin(command: str) -> None:
    """`--no-input`, not `--no-input / --no-no-input`; only remembered answers (--dev, ci's
    --qemu) can be switched back off."""
    import re

    remembered = {"init": ["/ --no-dev"], "update": ["/ --no-dev"], "ci": ["/ --no-qemu"]}
    text = runner.invoke(app, [command, "--help"], terminal_width=200).stdout
    assert re.findall(r"/ --no-[\w-]+", text) == remembered.get(command, [])
