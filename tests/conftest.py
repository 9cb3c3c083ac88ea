from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, GOLDEN


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current output instead of comparing",
    )


@dataclass(frozen=True)
class Golden:
    update: bool

    def check(self, relpath: str, actual: str) -> None:
        path = GOLDEN / relpath
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        assert path.is_file(), f"missing {path}; run: pytest --update-golden"
        assert actual == path.read_text(encoding="utf-8"), f"{relpath} differs from its golden"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(update=bool(request.config.getoption("--update-golden")))


@pytest.fixture
def project(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A throwaway copy of the fixture named by indirect parametrization."""
    return Path(shutil.copytree(FIXTURES / request.param, tmp_path / request.param))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    from tests.test_e2e import IMAGE_SIZES

    sizes = config.stash.get(IMAGE_SIZES, {})
    if sizes:
        terminalreporter.section("final image sizes (e2e)")
        for case, size in sorted(sizes.items()):
            terminalreporter.write_line(f"{case:20} {size / 1e6:7.1f} MB")
