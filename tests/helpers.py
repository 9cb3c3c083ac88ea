from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

import dockerfile

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
CORPUS = ROOT.parent / "shared" / "corpus"
CASES = sorted(d.name for d in FIXTURES.iterdir() if d.is_dir())
# The last lines of `dockergen plan` for a project without CI answers (dockergen.runners).
DEFAULT_CI_PLAN = (
    "ci github (with --image): linux/amd64 on ubuntu-24.04, linux/arm64 on ubuntu-24.04-arm, "
    "one job each, merged into one image (default)\n"
    "  ubuntu-24.04-arm is GitHub's free arm64 runner for public repositories; private ones "
    "have been refused it: `dockergen ci github --arm-runner LABEL` (a larger or self-hosted "
    "arm64 runner) or `--qemu`\n"
    "ci gitlab: linux/amd64 only, on any runner; --runner-tag amd64=TAG --runner-tag arm64=TAG "
    "builds each architecture on its own runners (GitLab.com: saas-linux-small-amd64, "
    "saas-linux-small-arm64)\n"
)


def make_tree(root: Path, files: Mapping[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def tree_snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def hadolint_findings(text: str, tmp_path: Path) -> list[dict[str, object]]:
    """Every hadolint finding, at any severity (style and info included)."""
    exe = Path(sys.executable).parent / "hadolint"
    binary = str(exe) if exe.exists() else shutil.which("hadolint")
    assert binary, "hadolint not found; pip install -e '.[test]'"
    path = tmp_path / "Dockerfile.lint"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [binary, "--no-fail", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    findings: list[dict[str, object]] = json.loads(result.stdout or "[]")
    return findings


def buildkit_instructions(text: str) -> list[str]:
    """Parse with BuildKit's own Go parser; returns the instruction names."""
    return [cmd.cmd.upper() for cmd in dockerfile.parse_string(text)]
