from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from dockergen.merge import Conflict, MergeResult, merge3

BASE = """\
# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.12

FROM python:${PYTHON_VERSION}-slim AS builder
ENV UV_COMPILE_BYTECODE=1 \\
    UV_LINK_MODE=copy
WORKDIR /app
RUN --mount=type=cache,target=/root/.cache \\
    pip install uv==0.13.9
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache \\
    uv sync --locked --no-dev --no-install-project

FROM python:${PYTHON_VERSION}-slim
ENV PATH=/app/.venv/bin:$PATH \\
    PYTHONUNBUFFERED=1
WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
COPY . .
USER 10001:10001
CMD ["python", "main.py"]
"""

Edits = Sequence[tuple[str, str]]

# Each edit is unique in BASE, so a case reads as "what changed", not as a whole file.
COPY_OLD = "COPY pyproject.toml uv.lock ./\n"
COPY_NEW = "COPY pyproject.toml uv.lock README.md ./\n"
USER_RUN = "COPY . .\nRUN python -m compileall -q src\n"
UV_BUMP = ("pip install uv==0.13.9\n", "pip install uv==0.14.2\n")
CMD_OLD = 'CMD ["python", "main.py"]\n'
CMD_USER = 'CMD ["gunicorn", "app:wsgi"]\n'
HEALTHCHECK = CMD_OLD + "HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n"
SYNTAX = ("# syntax=docker/dockerfile:1\n", "# syntax=docker/dockerfile:1.7\n")
PY_BUMP = ("ARG PYTHON_VERSION=3.12\n", "ARG PYTHON_VERSION=3.13\n")
ENV_BLOCK = "ENV UV_COMPILE_BYTECODE=1 \\\n    UV_LINK_MODE=copy\n"


def edit(text: str, edits: Edits) -> str:
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(
    ("base", "yours", "theirs", "expected"),
    [
        pytest.param(BASE, BASE, BASE, BASE, id="all-equal"),
        pytest.param(BASE, BASE, edit(BASE, [UV_BUMP]), edit(BASE, [UV_BUMP]), id="untouched"),
        pytest.param(BASE, edit(BASE, [SYNTAX]), BASE, edit(BASE, [SYNTAX]), id="same-render"),
        pytest.param(
            BASE, edit(BASE, [SYNTAX]), edit(BASE, [SYNTAX]), edit(BASE, [SYNTAX]), id="both-same"
        ),
        pytest.param("", "", BASE, BASE, id="no-file-yet"),
        pytest.param("", BASE, BASE, BASE, id="adopted-identical"),
    ],
)
def test_merge_identities(base: str, yours: str, theirs: str, expected: str) -> None:
    assert merge3(base, yours, theirs) == MergeResult(expected, ())


@pytest.mark.parametrize(
    ("yours", "theirs", "expected"),
    [
        pytest.param(
            [("COPY . .\n", USER_RUN)],
            [(COPY_OLD, COPY_NEW)],
            [("COPY . .\n", USER_RUN), (COPY_OLD, COPY_NEW)],
            id="user-run-final-render-copy-builder",
        ),
        pytest.param(
            [UV_BUMP, ("COPY . .\n", USER_RUN)],
            [UV_BUMP],
            [UV_BUMP, ("COPY . .\n", USER_RUN)],
            id="same-change-both-sides",
        ),
        pytest.param(
            [("USER 10001:10001\n", "")],
            [PY_BUMP],
            [("USER 10001:10001\n", ""), PY_BUMP],
            id="user-deletes-line",
        ),
        pytest.param(
            [(CMD_OLD, CMD_USER)],
            [(ENV_BLOCK, "")],
            [(CMD_OLD, CMD_USER), (ENV_BLOCK, "")],
            id="render-deletes-block",
        ),
        pytest.param(
            [SYNTAX],
            [(CMD_OLD, CMD_USER)],
            [SYNTAX, (CMD_OLD, CMD_USER)],
            id="user-first-line-render-last-line",
        ),
        pytest.param(
            [(CMD_OLD, HEALTHCHECK)],
            [SYNTAX],
            [SYNTAX, (CMD_OLD, HEALTHCHECK)],
            id="user-appends-render-first-line",
        ),
    ],
)
def test_merge_clean(yours: Edits, theirs: Edits, expected: Edits) -> None:
    assert merge3(BASE, edit(BASE, yours), edit(BASE, theirs)) == MergeResult(
        edit(BASE, expected), ()
    )


def test_merge_conflict_on_env_line() -> None:
    yours = edit(BASE, [("    PYTHONUNBUFFERED=1\n", "    PYTHONUNBUFFERED=1 \\\n    TZ=UTC\n")])
    theirs = edit(BASE, [("    PYTHONUNBUFFERED=1\n", "    PYTHONDONTWRITEBYTECODE=1\n")])
    result = merge3(BASE, yours, theirs)
    assert result.text == edit(
        BASE,
        [
            (
                "    PYTHONUNBUFFERED=1\n",
                "<<<<<<< yours\n"
                "    PYTHONUNBUFFERED=1 \\\n"
                "    TZ=UTC\n"
                "||||||| last generated\n"
                "    PYTHONUNBUFFERED=1\n"
                "=======\n"
                "    PYTHONDONTWRITEBYTECODE=1\n"
                ">>>>>>> dockergen\n",
            )
        ],
    )
    assert result.conflicts == (
        Conflict(
            line=16,
            yours=("    PYTHONUNBUFFERED=1 \\\n", "    TZ=UTC\n"),
            base=("    PYTHONUNBUFFERED=1\n",),
            theirs=("    PYTHONDONTWRITEBYTECODE=1\n",),
        ),
    )
    assert not result.clean


def test_merge_adjacent_edits_conflict() -> None:
    # No unchanged line separates the two edits, so which order is right is ambiguous.
    yours = edit(BASE, [("USER 10001:10001\n", "USER app\n")])
    theirs = edit(BASE, [(CMD_OLD, 'CMD ["python", "-m", "app"]\n')])
    result = merge3(BASE, yours, theirs, labels=("mine", "base", "new"))
    assert result.text == edit(
        BASE,
        [
            (
                "USER 10001:10001\n" + CMD_OLD,
                "<<<<<<< mine\nUSER app\n" + CMD_OLD + "||||||| base\nUSER 10001:10001\n"
                f"{CMD_OLD}=======\nUSER 10001:10001\n"
                'CMD ["python", "-m", "app"]\n>>>>>>> new\n',
            )
        ],
    )
    assert [c.line for c in result.conflicts] == [20]


def test_merge_empty_base_conflicts_whole_file() -> None:
    yours = "FROM python:3.12-slim\nCOPY . .\n"
    result = merge3("", yours, BASE)
    assert result.text == (
        f"<<<<<<< yours\n{yours}||||||| last generated\n=======\n{BASE}>>>>>>> dockergen\n"
    )
    assert result.conflicts == (
        Conflict(1, tuple(yours.splitlines(True)), (), tuple(BASE.splitlines(True))),
    )


def test_merge_without_trailing_newline() -> None:
    base = "FROM python:3.12-slim\nWORKDIR /app\nCMD x"
    yours = "FROM python:3.12-slim\nWORKDIR /app\nCMD y"
    theirs = "FROM python:3.13-slim\nWORKDIR /app\nCMD x"
    assert merge3(base, yours, theirs) == MergeResult(
        "FROM python:3.13-slim\nWORKDIR /app\nCMD y", ()
    )


def test_merge_conflict_without_trailing_newline_keeps_markers_on_own_lines() -> None:
    result = merge3("FROM a\nCMD x", "FROM a\nCMD y", "FROM a\nCMD z")
    assert result.text == (
        "FROM a\n<<<<<<< yours\nCMD y\n||||||| last generated\nCMD x\n=======\nCMD z\n"
        ">>>>>>> dockergen\n"
    )
    assert result.conflicts == (Conflict(2, ("CMD y",), ("CMD x",), ("CMD z",)),)


def test_merge_keeps_crlf() -> None:
    base = "FROM python:3.12-slim\r\nWORKDIR /app\r\nCOPY . .\r\nCMD x\r\n"
    yours = "FROM python:3.12-slim\r\nWORKDIR /app\r\nCOPY . .\r\nRUN make\r\nCMD y\r\n"
    theirs = "FROM python:3.13-slim\r\nWORKDIR /app\r\nCOPY . .\r\nCMD z\r\n"
    result = merge3(base, yours, theirs)
    assert result.text == (
        "FROM python:3.13-slim\r\nWORKDIR /app\r\nCOPY . .\r\n"
        "<<<<<<< yours\r\nRUN make\r\nCMD y\r\n||||||| last generated\r\nCMD x\r\n"
        "=======\r\nCMD z\r\n>>>>>>> dockergen\r\n"
    )
    assert result.conflicts == (
        Conflict(4, ("RUN make\r\n", "CMD y\r\n"), ("CMD x\r\n",), ("CMD z\r\n",)),
    )


def _mutate(rng: random.Random, lines: list[str], tag: str) -> str:
    lines = list(lines)
    for k in range(rng.randrange(1, 6)):
        op = rng.choice("idr")
        at = rng.randrange(len(lines) + (op == "i"))
        if op == "i":
            lines.insert(at, f"RUN echo {tag}-{k}\n")
        elif op == "d":
            del lines[at]
        else:
            lines[at] = f"RUN echo {tag}-{k}\n"
    return "".join(lines)


@pytest.mark.parametrize("seed", range(200))
def test_merge_never_drops_an_added_line(seed: int) -> None:
    rng = random.Random(seed)
    base_lines = BASE.splitlines(True)
    yours, theirs = _mutate(rng, base_lines, "user"), _mutate(rng, base_lines, "gen")
    result = merge3(BASE, yours, theirs)
    merged = result.text.splitlines(True)
    for added in set(yours.splitlines(True) + theirs.splitlines(True)) - set(base_lines):
        assert added in merged
    assert [merged[c.line - 1] for c in result.conflicts] == ["<<<<<<< yours\n"] * len(
        result.conflicts
    )
    assert result.clean == ("<<<<<<<" not in result.text)
