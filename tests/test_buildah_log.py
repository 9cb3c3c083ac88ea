"""Reading Buildah's output (`podman build`) as dockergen verify reads BuildKit's: which
steps came from the cache, which one failed, which ones a code-only change must not re-run.
The logs are Podman 4.3.1's (Buildah 1.28), trimmed, from builds of the fixtures."""

from __future__ import annotations

from dockergen.verify.buildlog import any_header, dependency_steps, failed_step, parse_steps
from tests.docker import BuildLog

# A code-only rebuild of fixtures/pip-requirements (layer ids shortened).
REBUILD = """\
[1/2] STEP 1/6: FROM python:3.12-slim-trixie AS builder
[1/2] STEP 2/6: ENV PIP_DISABLE_PIP_VERSION_CHECK=1     PYTHONUNBUFFERED=1
--> Using cache 5c6bbed2e03cecbdca9648efc261a24e6b4e1271eaaf26982f7581432f061efc
--> 5c6bbed2e03
[1/2] STEP 3/6: WORKDIR /app
--> Using cache 31c0ad3dbb5751f538089a3ac1c9e4662480502a2f51024eab5e23fe306bab14
--> 31c0ad3dbb5
[1/2] STEP 4/6: RUN python -m venv --without-pip /app/.venv
--> Using cache 149bffce68c3d59f8137644d259ad03a8b0c23a4546c4f3b1bcaa834ebcccbea
--> 149bffce68c
[1/2] STEP 5/6: COPY requirements.txt ./
--> Using cache 7435b08bde0bd13031368e7c5b13b386bce32035e969af167a36e29543e0a2e0
--> 7435b08bde0
[1/2] STEP 6/6: RUN --mount=type=cache,id=root-cache-trixie,target=/root/.cache,sharing=locked     pip --python /app/.venv/bin/python install -r requirements.txt
--> Using cache 28a4885407be4d67c3687c3b3900692ad20da4ef7b7c6b98293074dfb8b27281
--> 28a4885407b
[2/2] STEP 1/8: FROM python:3.12-slim-trixie
[2/2] STEP 2/8: ENV PATH=/app/.venv/bin:$PATH     PYTHONDONTWRITEBYTECODE=1     PYTHONUNBUFFERED=1
--> Using cache 11039ae46bc8ce4739239a871ac34779a0ef2b049a7c1120f356ed7f0a91dfd6
--> 11039ae46bc
[2/2] STEP 3/8: RUN groupadd --system --gid 10001 app  && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home app
--> Using cache 0dc5917980432d2e3b40c49bd66ec085af908e8671da33256edbcacc80eec728
--> 0dc59179804
[2/2] STEP 4/8: WORKDIR /app
--> Using cache 64f53fee184ee1e700c0d2b1c3274518d09f76a3baf21361c8dfedd9c78da9b7
--> 64f53fee184
[2/2] STEP 5/8: COPY --from=builder /app/.venv /app/.venv
--> Using cache 109c2499dd54c2f8c6e85ce69e04de695b4202b78e5c48a049a45442e37cda15
--> 109c2499dd5
[2/2] STEP 6/8: COPY . .
--> e1b4e30e12d
[2/2] STEP 7/8: USER 10001:10001
--> 20c81a127c0
[2/2] STEP 8/8: CMD ["python", "app.py"]
[2/2] COMMIT exp-pr
--> 4ab9de4bf36
Successfully tagged localhost/exp-pr:latest
4ab9de4bf3639ced1fcbe522a023f58fa707f52f77f9430b022ccdbff54c9448
"""

# The end of a build of tests/broken/stale-poetry-lock.
FAILED = """\
[1/2] STEP 5/6: COPY pyproject.toml poetry.lock ./
--> 25af49208f1
[1/2] STEP 6/6: RUN --mount=type=cache,id=root-cache-trixie,target=/root/.cache,sharing=locked     poetry --no-plugins sync --only main --no-root --no-directory --compile
Creating virtualenv stale in /app/.venv
Installing dependencies from lock file

pyproject.toml changed significantly since poetry.lock was last generated. Run `poetry lock` to fix the lock file.
Error: building at STEP "RUN --mount=type=cache,id=root-cache-trixie,target=/root/.cache,sharing=locked poetry --no-plugins sync --only main --no-root --no-directory --compile": while running runtime: exit status 1
"""

# A one-stage build prints no stage numbers.
SINGLE = """\
STEP 1/3: FROM python:3.12-slim AS builder
STEP 2/3: ARG RUNID
--> f94b1d1ce9c
STEP 3/3: RUN echo "run $RUNID"
run 1
--> 93f07ca9f15
COMMIT exp1
"""


def test_stages_are_named_as_buildkit_names_them() -> None:
    steps = parse_steps(REBUILD)
    assert [(s.stage, s.index, s.total) for s in steps][:2] == [
        ("builder", 1, 6),
        ("builder", 2, 6),
    ]
    assert steps[6].label == "[stage-1 1/8] FROM python:3.12-slim-trixie"
    assert steps[1].instruction == "ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1"


def test_using_cache_marks_a_step_cached() -> None:
    cached = {s.label: s.cached for s in parse_steps(REBUILD)}
    assert [label for label, hit in cached.items() if not hit] == [
        "[builder 1/6] FROM python:3.12-slim-trixie AS builder",
        "[stage-1 1/8] FROM python:3.12-slim-trixie",
        "[stage-1 6/8] COPY . .",
        "[stage-1 7/8] USER 10001:10001",
        '[stage-1 8/8] CMD ["python", "app.py"]',
    ]


def test_dependency_steps_of_a_buildah_rebuild() -> None:
    labels = [(s.label, s.cached) for s in dependency_steps(parse_steps(REBUILD))]
    assert labels == [
        ("[builder 4/6] RUN python -m venv --without-pip /app/.venv", True),
        ("[builder 5/6] COPY requirements.txt ./", True),
        (
            "[builder 6/6] RUN --mount=type=cache,id=root-cache-trixie,target=/root/.cache,"
            "sharing=locked pip --python /app/.venv/bin/python install -r requirements.txt",
            True,
        ),
        (
            "[stage-1 3/8] RUN groupadd --system --gid 10001 app && useradd --system --uid "
            "10001 --gid app --home-dir /home/app --create-home app",
            True,
        ),
    ]
    changed = REBUILD.replace(
        "--> Using cache 7435b08bde0bd13031368e7c5b13b386bce32035e969af167a36e29543e0a2e0\n", ""
    )
    assert [s.label for s in dependency_steps(parse_steps(changed)) if not s.cached] == [
        "[builder 5/6] COPY requirements.txt ./"
    ]


def test_the_failed_step_carries_the_error_and_its_output() -> None:
    step = failed_step(parse_steps(FAILED))
    assert step is not None
    assert step.label.startswith("[stage-0 6/6] RUN --mount=type=cache,id=root-cache-trixie")
    assert step.error == "while running runtime: exit status 1"
    assert step.output[-1].startswith("pyproject.toml changed significantly since poetry.lock")
    assert parse_steps(FAILED)[0].output == []  # `--> <id>` is not output


def test_committing_the_image_is_no_step_output() -> None:
    assert parse_steps(REBUILD)[-1].output == []


def test_a_one_stage_build() -> None:
    steps = parse_steps(SINGLE)
    assert [(s.stage, s.label) for s in steps] == [
        ("builder", "[builder 1/3] FROM python:3.12-slim AS builder"),
        ("builder", "[builder 2/3] ARG RUNID"),
        ("builder", '[builder 3/3] RUN echo "run $RUNID"'),
    ]
    assert steps[2].output == ["run 1"]


def test_live_progress_reads_both_logs() -> None:
    buildah = any_header("[2/2] STEP 6/8: COPY . .\n")
    buildkit = any_header("#7 [stage-1 2/2] COPY . .\n")
    assert buildah is not None and buildkit is not None
    assert (buildah.label, buildkit.label) == ("[stage-1 6/8] COPY . .", "[stage-1 2/2] COPY . .")
    assert any_header("--> Using cache 28a4885407be\n") is None


def test_the_e2e_reader_sees_the_same_steps() -> None:
    log = BuildLog.parse_buildah(REBUILD)
    assert [s.instruction for s in log.dependency_steps()] == [
        "RUN python -m venv --without-pip /app/.venv",
        "RUN --mount=type=cache,id=root-cache-trixie,target=/root/.cache,sharing=locked pip "
        "--python /app/.venv/bin/python install -r requirements.txt",
    ]
    assert (
        log.rerun()
        == log.from_source_copy("final")
        == {
            ("final", "COPY . ."),
            ("final", "USER 10001:10001"),
            ("final", 'CMD ["python", "app.py"]'),
        }
    )
