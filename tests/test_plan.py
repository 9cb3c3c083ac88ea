"""`dockergen plan`: the JSON contract and the human explanation."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dockergen.cli import app
from tests.helpers import CASES, DEFAULT_CI_PLAN, FIXTURES

runner = CliRunner()
DECISION_KEYS = {"value", "source", "detail", "overridden"}
TOP_KEYS = {
    "schema", "installer", "python", "debian", "command", "port", "lock", "manifests", "installs_project",
    "deps_before_source", "apt", "build_steps", "indexes", "warnings", "version_from_git",
    "installer_release", "stub", "stub_refused", "release",
}  # fmt: skip


def test_plan_json_is_the_documented_schema_for_every_fixture() -> None:
    for case in CASES:
        result = runner.invoke(app, ["plan", str(FIXTURES / case), "--json"])
        assert result.exit_code == 0, (case, result.output)
        plan = json.loads(result.stdout)
        assert set(plan) == TOP_KEYS, case
        assert plan["schema"] == 1
        keys = (
            "installer",
            "python",
            "debian",
            "command",
            "port",
            "version_from_git",
            "stub",
            "release",
        )
        for key in (*keys, "stub_refused"):
            assert plan[key] is None or set(plan[key]) == DECISION_KEYS, (case, key)
        assert set(plan["apt"]) == {"build", "run", "reasons"}
        assert set(plan["lock"]) == {"file", "enforced"}


def test_plan_json_exact_for_flask() -> None:
    plan = json.loads(runner.invoke(app, ["plan", str(FIXTURES / "flask"), "--json"]).stdout)
    assert plan["command"] == {
        "value": ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"],
        "source": "app.py",
        "detail": "app.py:7 Flask app app:app, served by gunicorn",
        "overridden": [],
    }
    assert plan["port"]["value"] == 8000
    assert plan["lock"] == {"file": None, "enforced": False}


def test_plan_explains_each_decision_and_what_it_won_over(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", str(FIXTURES / "django")])
    assert result.stdout == (
        "installer: pip (requirements.txt)\n"
        "python: 3.12 (.python-version: 3.12)\n"
        "debian: trixie (Debian's current stable release)\n"
        "command: gunicorn --bind 0.0.0.0:8000 mysite.wsgi:application "
        "(manage.py:9 Django project, mysite/wsgi.py served by gunicorn)\n"
        "port: 8000 (--bind 0.0.0.0:8000 in the command)\n"
        "lock: none (versions resolved at build time)\n"
        "apt: build -; run -\n"
        "build step: python manage.py collectstatic --noinput "
        "(Django: collect static files into STATIC_ROOT (set in mysite/settings.py))\n"
        "bytecode: standard library and dependencies compiled in the image; the app's own "
        "source compiled in the `python manage.py collectstatic --noinput` step, which re-runs "
        "after a code change anyway\n" + DEFAULT_CI_PLAN
    )


def test_plan_says_whether_the_project_installs_before_its_source() -> None:
    plan = json.loads(runner.invoke(app, ["plan", str(FIXTURES / "pdm"), "--json"]).stdout)
    assert (plan["stub"]["value"], plan["stub_refused"]) == (["src/pdmapp/"], None)
    result = runner.invoke(app, ["plan", str(FIXTURES / "uv-workspace")])
    assert (
        "project: installed from its source (a uv workspace: its members are built from their "
        "source): a code change re-runs its install" in result.stdout
    )
    result = runner.invoke(app, ["plan", str(FIXTURES / "poetry")])
    assert "project: installed before its source, against stand-ins for inventory/ (" in (
        result.stdout
    )
