"""The documentation's relative links resolve, and the README's test command is the one CI runs."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT

PAGES = sorted(
    p.relative_to(ROOT).as_posix()
    for p in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").glob("*.md")]
)
# Pages being written on other branches: a link to one is allowed only while it is absent.
PENDING = frozenset({"docs/build-plan.md"})
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _links(text: str) -> list[str]:
    """Inline link targets outside code fences and code spans."""
    prose = re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))
    return LINK.findall(prose)


def _anchors(text: str) -> set[str]:
    """GitHub's ids for the headings of a Markdown page."""
    anchors = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#* *$", FENCE.sub("", text), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def test_link_finder_reads_links_and_headings() -> None:
    text = "# A `b`: c/d\n[x](y.md#a-b-cd) `[no](z)`\n```\n[no](w)\n```\n[e](#f)\n"
    assert _links(text) == ["y.md#a-b-cd", "#f"]
    assert _anchors(text) == {"a-b-cd"}


@pytest.mark.parametrize("page", PAGES)
def test_relative_links_resolve(page: str) -> None:
    source = ROOT / page
    broken = []
    for target in _links(source.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        resolved = (source.parent / path).resolve() if path else source
        name = resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else path
        if not resolved.exists():
            if name not in PENDING:
                broken.append(f"{target}: no such file")
            continue
        if (
            anchor
            and resolved.suffix == ".md"
            and anchor not in _anchors(resolved.read_text(encoding="utf-8"))
        ):
            broken.append(f"{target}: no such heading")
    assert broken == [], f"{page}: broken links"


def test_readme_test_command_is_the_one_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    marker = next(i for i, line in enumerate(ci) if line.startswith("# The README's test command"))
    command = ci[marker + 1]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```bash\n{command}\n```" in readme
