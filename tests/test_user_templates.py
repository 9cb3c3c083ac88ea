from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
from jinja2 import nodes

from dockergen.ci import render_workflow, workflow_context
from dockergen.compose import compose_context, render_compose
from dockergen.detect import detect_project
from dockergen.devcontainer import devcontainer_context
from dockergen.errors import TemplateError
from dockergen.gitlab import pipeline_context, render_pipeline
from dockergen.installers.base import InstallerModule
from dockergen.model import Installer, Overrides, ProjectSpec
from dockergen.render import _environment, dockerfile_context, render_files
from tests.helpers import CASES, FIXTURES, ROOT, make_tree

CONTRACT = ROOT / "templates" / "README.md"
LISTED = (
    "the blocks, names, filters and macros a template may use are listed in templates/README.md"
)
KEEP_INSIDE = "name templates relative to the template directory and keep them in it"


def _documented(heading: str) -> list[str]:
    """The names in the first column of the table under `heading` in templates/README.md."""
    text = CONTRACT.read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1].split("\n#", 1)[0]
    return [name.split("(")[0] for name in re.findall(r"^\| `([^`]+)`", section, re.M)]


def _source(name: str) -> str:
    return (ROOT / "templates" / name).read_text(encoding="utf-8")


def _spec(case: str = "flask") -> ProjectSpec:
    return detect_project(FIXTURES / case, Overrides(apt_run=("libpq5",), apt_build=("gcc",)))


def _lookup(context: Mapping[str, object], dotted: str) -> object:
    first, *rest = dotted.split(".")
    value = context[first]
    for attr in rest:
        value = getattr(value, attr)
    return value


DOCKERFILE_NAMES = _documented("## Context of the Dockerfile and `.dockerignore` templates")
SPEC_FIELDS = _documented("### Fields of `spec` (`dockergen.model.ProjectSpec`)")
TOOL_FIELDS = _documented("### Fields of `tool` (`dockergen.installers.base.InstallerModule`)")
COMPOSE_NAMES = _documented("## Context of `compose.yaml.j2`")
DEVCONTAINER_NAMES = _documented("## Context of `devcontainer.json.j2`")
CI_NAMES = _documented("## Context of `ci/github.yml.j2`")
GITLAB_NAMES = _documented("## Context of `ci/gitlab-ci.yml.j2`")


# ---- the documented contract equals the templates and the code ----


def test_documented_blocks_are_the_blocks_of_the_base() -> None:
    ast = _environment(None).parse(_source("Dockerfile.j2"))
    blocks = [block.name for block in ast.find_all(nodes.Block)]
    assert blocks == _documented("## Blocks of `Dockerfile.j2`")


@pytest.mark.parametrize("installer", list(Installer))
def test_installer_partials_fill_only_documented_blocks(installer: Installer) -> None:
    ast = _environment(None).parse(_source(f"installers/{installer}.j2"))
    blocks = {block.name for block in ast.find_all(nodes.Block)}
    assert blocks <= set(_documented("## Blocks of `Dockerfile.j2`"))


def test_documented_fields_are_the_dataclass_fields() -> None:
    fix = "a new field needs a row in templates/README.md (team templates can read it)"
    assert [f"spec.{f.name}" for f in dataclasses.fields(ProjectSpec)] == SPEC_FIELDS, fix
    fields = [n for n, v in vars(InstallerModule).items() if isinstance(v, property)]
    assert [f"tool.{name}" for name in fields] == TOOL_FIELDS, fix


def test_documented_context_names_are_what_the_renderers_pass() -> None:
    spec = _spec()
    assert list(dockerfile_context(spec)) == DOCKERFILE_NAMES
    assert list(compose_context(spec)) == COMPOSE_NAMES
    assert list(devcontainer_context(spec)) == DEVCONTAINER_NAMES
    assert list(workflow_context(spec, "ghcr.io/acme/app")) == CI_NAMES
    assert list(pipeline_context(spec)) == GITLAB_NAMES


TEMPLATE_CONTEXTS = {
    "Dockerfile.j2": DOCKERFILE_NAMES,
    "macros.j2": DOCKERFILE_NAMES,
    "dockerignore.j2": DOCKERFILE_NAMES,
    **{f"installers/{i}.j2": DOCKERFILE_NAMES for i in Installer},
    "compose.yaml.j2": COMPOSE_NAMES,
    "devcontainer.json.j2": DEVCONTAINER_NAMES,
    "ci/github.yml.j2": CI_NAMES,
    "ci/dependabot.yml.j2": [],
    "ci/gitlab-ci.yml.j2": GITLAB_NAMES,
}


def test_the_template_table_lists_every_template() -> None:
    on_disk = {p.relative_to(ROOT / "templates").as_posix() for p in ROOT.glob("templates/**/*.j2")}
    assert on_disk == set(TEMPLATE_CONTEXTS)
    documented = set(_documented("## Templates"))
    assert documented == {n for n in on_disk if not n.startswith("installers/")} | {
        "installers/<installer>.j2"
    }


@pytest.mark.parametrize("name", TEMPLATE_CONTEXTS)
def test_built_in_templates_read_only_documented_names(name: str) -> None:
    ast = _environment(None).parse(_source(name))
    imported = {node.target for node in ast.find_all(nodes.Import)}
    assert jinja2.meta.find_undeclared_variables(ast) - imported <= set(TEMPLATE_CONTEXTS[name])


def test_documented_filters_are_dockergens_filters() -> None:
    ours = set(_environment(None).filters) - set(jinja2.Environment().filters)
    assert sorted(ours) == sorted(_documented("## Filters"))


def test_documented_macros_are_the_macros() -> None:
    ast = _environment(None).parse(_source("macros.j2"))
    assert [m.name for m in ast.find_all(nodes.Macro)] == _documented("## Macros of `macros.j2`")


def _lines_template(names: list[str]) -> str:
    return "".join(f"{{{{ {name} }}}}\n" for name in names)


def test_every_documented_dockerfile_name_renders(tmp_path: Path) -> None:
    names = DOCKERFILE_NAMES + SPEC_FIELDS + TOOL_FIELDS
    team = make_tree(tmp_path / "team", {"dockerignore.j2": _lines_template(names)})
    spec = _spec()
    context = dockerfile_context(spec)
    expected = "".join(f"{_lookup(context, name)}\n" for name in names)
    assert render_files(spec, team)[1].content == expected


def test_every_documented_compose_and_ci_name_renders(tmp_path: Path) -> None:
    team = make_tree(
        tmp_path / "team",
        {
            "compose.yaml.j2": _lines_template(COMPOSE_NAMES),
            "ci/github.yml.j2": _lines_template(CI_NAMES),
            "ci/gitlab-ci.yml.j2": _lines_template(GITLAB_NAMES),
        },
    )
    spec = _spec()
    compose, ci = compose_context(spec), workflow_context(spec, "ghcr.io/acme/app")
    assert render_compose(spec, team).content == "".join(
        f"{_lookup(compose, n)}\n" for n in COMPOSE_NAMES
    )
    assert render_workflow(spec, image="ghcr.io/acme/app", template_dir=team).content == "".join(
        f"{_lookup(ci, n)}\n" for n in CI_NAMES
    )
    gitlab = pipeline_context(spec)
    assert render_pipeline(spec, template_dir=team).content == "".join(
        f"{_lookup(gitlab, n)}\n" for n in GITLAB_NAMES
    )


# ---- overriding and extending ----


def _block(template: str, block: str, spec: ProjectSpec) -> str:
    """What one block of a built-in template renders to, on its own."""
    loaded = _environment(None).get_template(template)
    return "".join(loaded.blocks[block](loaded.new_context(dockerfile_context(spec))))


FOOTER = (
    '{% extends "builtin/Dockerfile.j2" %}'
    "{% block header %}{{ super() }}# team footer\n{% endblock %}"
)


@pytest.mark.parametrize("case", CASES)
def test_a_team_base_block_applies_to_every_installer(case: str, tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"Dockerfile.j2": FOOTER})
    spec = detect_project(FIXTURES / case)
    builtin = render_files(spec)[0].content
    header = _block("Dockerfile.j2", "header", spec)
    assert builtin.count(header) == 1
    assert render_files(spec, team)[0].content == builtin.replace(
        header, header + "# team footer\n"
    )
    assert render_files(spec, team)[1] == render_files(spec)[1]  # .dockerignore: not overridden


def test_a_team_partial_extends_the_built_in_one_and_the_team_base(tmp_path: Path) -> None:
    partial = (
        '{% extends "builtin/installers/poetry.j2" %}'
        "{% block builder_env %}{{ super() }} \\\n    TEAM=1{% endblock %}"
    )
    team = make_tree(tmp_path / "team", {"Dockerfile.j2": FOOTER, "installers/poetry.j2": partial})
    spec = detect_project(FIXTURES / "poetry")
    builtin = render_files(spec)[0].content
    header = _block("Dockerfile.j2", "header", spec)
    env = _block("installers/poetry.j2", "builder_env", spec)
    expected = builtin.replace(header, header + "# team footer\n").replace(
        env, env + " \\\n    TEAM=1"
    )
    assert render_files(spec, team)[0].content == expected


@pytest.mark.parametrize("case", CASES)
def test_a_team_partial_replaces_only_its_installer(case: str, tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"installers/pip.j2": "FROM scratch\n# team pip\n"})
    spec = detect_project(FIXTURES / case)
    dockerfile = render_files(spec, team)[0].content
    if spec.installer.value == Installer.PIP:
        assert dockerfile == "FROM scratch\n# team pip\n"
    else:
        assert dockerfile == render_files(spec)[0].content


def test_a_team_directory_without_overrides_changes_nothing(tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"unrelated.j2": "x\n"})
    spec = _spec()
    assert render_files(spec, team) == render_files(spec)


def test_a_symlink_inside_the_directory_is_followed(tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"real.j2": "FROM scratch\n"})
    (team / "installers").mkdir()
    (team / "installers" / "pip.j2").symlink_to(team / "real.j2")
    assert render_files(_spec(), team)[0].content == "FROM scratch\n"


def test_an_edited_team_template_is_read_again(tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"installers/pip.j2": "FROM scratch\n"})
    spec = _spec()
    assert render_files(spec, team)[0].content == "FROM scratch\n"
    path = team / "installers" / "pip.j2"
    path.write_text("FROM busybox\n", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert render_files(spec, team)[0].content == "FROM busybox\n"


# ---- names that leave the directory ----


def _error(team: Path, case: str = "flask") -> str:
    with pytest.raises(TemplateError) as info:
        render_files(detect_project(FIXTURES / case), team)
    return str(info.value)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        pytest.param("../outside.j2", "leaves the template directory", id="dotdot"),
        pytest.param("installers/../../outside.j2", "leaves the template directory", id="nested"),
        pytest.param("builtin/../../pyproject.toml", "leaves the template directory", id="builtin"),
        pytest.param("/etc/hostname", "is absolute", id="absolute"),
        pytest.param("C:/outside.j2", "is absolute", id="drive"),
        pytest.param("..\\outside.j2", "is absolute", id="backslash"),
    ],
)
def test_names_outside_the_directory_are_refused(name: str, problem: str, tmp_path: Path) -> None:
    make_tree(tmp_path, {"outside.j2": "SECRET\n"})
    literal = name.replace("\\", "\\\\")  # a Jinja string literal escapes backslashes
    team = make_tree(tmp_path / "team", {"Dockerfile.j2": f'# team\n{{% include "{literal}" %}}\n'})
    assert _error(team) == (
        f"{team}/Dockerfile.j2:2: template name {name!r} {problem}; {KEEP_INSIDE}"
    )


def test_a_symlink_out_of_the_directory_is_refused(tmp_path: Path) -> None:
    make_tree(tmp_path, {"outside.j2": "SECRET\n"})
    team = make_tree(tmp_path / "team", {"Dockerfile.j2": '{% include "evil.j2" %}\n'})
    (team / "evil.j2").symlink_to(tmp_path / "outside.j2")
    assert _error(team) == (
        f"{team}/Dockerfile.j2:1: {team}/evil.j2 resolves outside {team}; {KEEP_INSIDE}"
    )


def test_a_symlinked_directory_out_of_the_directory_is_refused(tmp_path: Path) -> None:
    make_tree(tmp_path, {"elsewhere/pip.j2": "SECRET\n"})
    team = tmp_path / "team"
    team.mkdir()
    (team / "installers").symlink_to(tmp_path / "elsewhere")
    assert _error(team, "pip-requirements") == (
        f"{team}: {team}/installers/pip.j2 resolves outside {team}; {KEEP_INSIDE}"
    )


def test_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    assert _error(tmp_path / "nope") == (
        f"{tmp_path / 'nope'}: no such template directory; pass an existing directory"
    )


# ---- broken templates ----


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param(
            "# team\n{% if %}\n",
            "2: syntax error: Expected an expression, got 'end of statement block'; "
            f"fix the template; {LISTED}",
            id="syntax",
        ),
        pytest.param(
            '{% extends "builtin/Dockerfile.j2" %}\n{% block header %}\n{{ spec.nope }}'
            "{% endblock %}\n",
            f"3: 'dockergen.model.ProjectSpec object' has no attribute 'nope'; "
            f"use a documented name; {LISTED}",
            id="undefined-field",
        ),
        pytest.param(
            '{% extends "builtin/Dockerfile.j2" %}\n{% block header %}{{ team }}{% endblock %}\n',
            f"2: 'team' is undefined; use a documented name; {LISTED}",
            id="undefined-name",
        ),
        pytest.param(
            '{% extends "builtin/Nope.j2" %}\n',
            "1: template 'builtin/Nope.j2' not found; name a file in the template directory, "
            'or a built-in template as "builtin/NAME"',
            id="not-found",
        ),
        pytest.param(
            '{% extends "Dockerfile.j2" %}\n',
            "1: templates extend or include each other in a loop; a template that replaces a "
            'built-in one extends it as "builtin/NAME"',
            id="extends-itself",
        ),
        pytest.param(
            '{% extends "builtin/Dockerfile.j2" %}\n{% block header %}\n\n'
            "{{ spec.manifests + 1 }}{% endblock %}\n",
            '4: TypeError: can only concatenate tuple (not "int") to tuple; '
            f"fix the template; {LISTED}",
            id="type-error",
        ),
    ],
)
def test_a_broken_template_names_file_and_line(source: str, message: str, tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"Dockerfile.j2": source})
    assert _error(team) == f"{team}/Dockerfile.j2:{message}"


def test_a_broken_override_of_macros_is_reported_where_it_is_used(tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"macros.j2": "{% macro apt(packages) %}{% endmacro %}\n"})
    message = _error(team, "poetry")
    assert message.startswith("builtin/installers/poetry.j2:")
    assert message.endswith(f"has no attribute 'install_tool'; use a documented name; {LISTED}")


def test_a_team_template_added_later_replaces_the_built_in_one(tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"unrelated.j2": "x\n"})
    spec = _spec()
    assert render_files(spec, team) == render_files(spec)
    make_tree(team, {"installers/pip.j2": "FROM scratch\n"})
    assert render_files(spec, team)[0].content == "FROM scratch\n"
