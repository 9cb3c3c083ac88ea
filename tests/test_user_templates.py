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
from dockergen.model import Overrides, ProjectSpec
from dockergen.render import _environment, dockerfile_context, render_files
from dockergen.steps import BuildPlan
from tests.helpers import CASES, FIXTURES, ROOT, make_tree

CONTRACT = ROOT / "docs" / "templates.md"
LISTED = "the blocks, names and filters a template may use are listed in docs/templates.md"
REPLACED = "see docs/templates.md"
KEEP_INSIDE = "name templates relative to the template directory and keep them in it"


def _documented(heading: str) -> list[str]:
    """The names in the first column of the table under `heading` in docs/templates.md."""
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
PLAN_FIELDS = _documented("### Fields of `plan` (`dockergen.steps.BuildPlan`)")
COMPOSE_NAMES = _documented("## Context of `compose.yaml.j2`")
DEVCONTAINER_NAMES = _documented("## Context of `devcontainer.json.j2`")
CI_NAMES = _documented("## Context of `ci/github.yml.j2`")
GITLAB_NAMES = _documented("## Context of `ci/gitlab-ci.yml.j2`")


# ---- the documented contract equals the templates and the code ----


def test_documented_blocks_are_the_blocks_of_the_base() -> None:
    ast = _environment(None).parse(_source("Dockerfile.j2"))
    blocks = [block.name for block in ast.find_all(nodes.Block)]
    assert blocks == _documented("## Blocks of `Dockerfile.j2`")


def test_documented_fields_are_the_dataclass_fields() -> None:
    fix = "a new field needs a row in docs/templates.md (team templates can read it)"
    assert [f"spec.{f.name}" for f in dataclasses.fields(ProjectSpec)] == SPEC_FIELDS, fix
    assert [f"plan.{f.name}" for f in dataclasses.fields(BuildPlan)] == PLAN_FIELDS, fix


def test_documented_context_names_are_what_the_renderers_pass() -> None:
    spec = _spec()
    assert list(dockerfile_context(spec)) == DOCKERFILE_NAMES
    assert list(compose_context(spec)) == COMPOSE_NAMES
    assert list(devcontainer_context(spec)) == DEVCONTAINER_NAMES
    assert list(workflow_context(spec, "ghcr.io/acme/app")) == CI_NAMES
    assert list(pipeline_context(spec)) == GITLAB_NAMES


TEMPLATE_CONTEXTS = {
    "Dockerfile.j2": DOCKERFILE_NAMES,
    "dockerignore.j2": DOCKERFILE_NAMES,
    "compose.yaml.j2": COMPOSE_NAMES,
    "devcontainer.json.j2": DEVCONTAINER_NAMES,
    "ci/github.yml.j2": CI_NAMES,
    "ci/dependabot.yml.j2": [],
    "ci/gitlab-ci.yml.j2": GITLAB_NAMES,
}


def test_the_template_table_lists_every_template() -> None:
    on_disk = {p.relative_to(ROOT / "templates").as_posix() for p in ROOT.glob("templates/**/*.j2")}
    assert on_disk == set(TEMPLATE_CONTEXTS)
    assert set(_documented("## Templates")) == on_disk


@pytest.mark.parametrize("name", TEMPLATE_CONTEXTS)
def test_built_in_templates_read_only_documented_names(name: str) -> None:
    ast = _environment(None).parse(_source(name))
    assert jinja2.meta.find_undeclared_variables(ast) <= set(TEMPLATE_CONTEXTS[name])


def test_documented_filters_are_dockergens_filters() -> None:
    ours = set(_environment(None).filters) - set(jinja2.Environment().filters)
    assert sorted(ours) == sorted(_documented("## Filters"))


def test_the_dockerfile_template_holds_text_not_decisions() -> None:
    """The skeleton of every installer stays small; what is built is decided in Python."""
    source = _source("Dockerfile.j2")
    ast = _environment(None).parse(source)
    assert len(source.splitlines()) <= 260
    assert len(list(ast.find_all(nodes.If))) <= 3


def _lines_template(names: list[str]) -> str:
    return "".join(f"{{{{ {name} }}}}\n" for name in names)


def test_every_documented_dockerfile_name_renders(tmp_path: Path) -> None:
    names = DOCKERFILE_NAMES + SPEC_FIELDS + PLAN_FIELDS
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


EXTENDS = '{% extends "builtin/Dockerfile.j2" %}'
FOOTER = EXTENDS + "{% block header %}{{ super() }}# team footer\n{% endblock %}"


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


@pytest.mark.parametrize("case", CASES)
def test_a_team_builder_block_extends_the_built_in_one(case: str, tmp_path: Path) -> None:
    """One block, overridden once, applies to every installer."""
    block = "{% block builder %}{{ super() }}RUN echo team\n{% endblock %}"
    team = make_tree(tmp_path / "team", {"Dockerfile.j2": EXTENDS + block})
    spec = detect_project(FIXTURES / case)
    builtin = render_files(spec)[0].content
    builder = re.sub(r"\n{3,}", "\n\n", _block("Dockerfile.j2", "builder", spec))
    assert builtin.count(builder) == 1
    assert render_files(spec, team)[0].content == builtin.replace(
        builder, builder + "RUN echo team\n"
    )


def test_a_team_directory_without_overrides_changes_nothing(tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"unrelated.j2": "x\n"})
    spec = _spec()
    assert render_files(spec, team) == render_files(spec)


def test_a_symlink_inside_the_directory_is_followed(tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"real/Dockerfile.j2": "FROM scratch\n"})
    (team / "Dockerfile.j2").symlink_to(team / "real" / "Dockerfile.j2")
    assert render_files(_spec(), team)[0].content == "FROM scratch\n"


def test_an_edited_team_template_is_read_again(tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"Dockerfile.j2": "FROM scratch\n"})
    spec = _spec()
    assert render_files(spec, team)[0].content == "FROM scratch\n"
    path = team / "Dockerfile.j2"
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
        pytest.param("sub/../../outside.j2", "leaves the template directory", id="nested"),
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
    make_tree(tmp_path, {"elsewhere/github.yml.j2": "SECRET\n"})
    team = tmp_path / "team"
    team.mkdir()
    (team / "ci").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(TemplateError) as info:
        render_workflow(_spec(), image=None, template_dir=team)
    assert str(info.value) == (
        f"{team}: {team}/ci/github.yml.j2 resolves outside {team}; {KEEP_INSIDE}"
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


# ---- templates written for the installer partials ----


@pytest.mark.parametrize(
    ("files", "where", "message"),
    [
        pytest.param(
            {"installers/poetry.j2": "FROM scratch\n"},
            "installers/poetry.j2",
            "installers/poetry.j2 is no longer a template; it was replaced by the skeleton "
            "Dockerfile.j2, whose blocks are header, builder, dev and final: extend "
            "builtin/Dockerfile.j2 and override a block",
            id="partial",
        ),
        pytest.param(
            {"macros.j2": "{% macro apt(packages) %}{% endmacro %}\n"},
            "macros.j2",
            "macros.j2 is no longer a template; it was replaced by the build plan's steps, "
            "which the `steps` filter writes ({{ plan.builder.steps | steps }})",
            id="macros",
        ),
        pytest.param(
            {"Dockerfile.j2": EXTENDS + "\n{% block install %}RUN x{% endblock %}\n"},
            "Dockerfile.j2:2",
            "fills the block install, which is gone; it was replaced by the block builder "
            "(plan.builder.steps)",
            id="block",
        ),
        pytest.param(
            {"Dockerfile.j2": '{% import "builtin/macros.j2" as m %}\n'},
            "Dockerfile.j2:1",
            "uses builtin/macros.j2, which is no longer a template; it was replaced by the "
            "build plan's steps, which the `steps` filter writes ({{ plan.builder.steps | steps }})",
            id="import",
        ),
        pytest.param(
            {"dockerignore.j2": "{% for name in keep %}!{{ name }}\n{% endfor %}"},
            "dockerignore.j2:1",
            "reads `keep`, which is no longer passed; it was replaced by plan.keep",
            id="name",
        ),
        pytest.param(
            {"Dockerfile.j2": EXTENDS + "{% block final %}\n{{ spec.locked }}{% endblock %}"},
            "Dockerfile.j2:2",
            "reads spec.locked, now spec.install.locked",
            id="moved-field",
        ),
        pytest.param(
            {"Dockerfile.j2": EXTENDS + "{% block final %}{{ spec.stub.value }}{% endblock %}"},
            "Dockerfile.j2:1",
            "reads spec.stub.value, now spec.stub.packages.value",
            id="stub",
        ),
    ],
)
def test_a_template_for_the_partials_names_what_replaced_it(
    files: dict[str, str], where: str, message: str, tmp_path: Path
) -> None:
    team = make_tree(tmp_path / "team", files)
    assert _error(team, "poetry") == f"{team}/{where}: {message}; {REPLACED}"


def test_compose_templates_still_read_healthcheck(tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"compose.yaml.j2": "{{ healthcheck }}\n"})
    spec = detect_project(FIXTURES / "flask")
    assert render_compose(spec, team).content == f"{compose_context(spec)['healthcheck']}\n"


def test_a_team_template_added_later_replaces_the_built_in_one(tmp_path: Path) -> None:
    team = make_tree(tmp_path / "team", {"unrelated.j2": "x\n"})
    spec = _spec()
    assert render_files(spec, team) == render_files(spec)
    make_tree(team, {"Dockerfile.j2": "FROM scratch\n"})
    assert render_files(spec, team)[0].content == "FROM scratch\n"
