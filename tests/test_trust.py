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
