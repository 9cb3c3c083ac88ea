"""Stand-ins for the `docker` and `podman` commands, so `dockergen verify`'s flow is tested
without an engine.

`install(bin_dir, scenario)` writes executables `docker` and `podman` that answer from a
scenario (a dict saved as JSON) and record every call, one JSON array per line, for the test
to read. `engines` lists the ones that answer (default: docker only), `no_engine` none.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = r"""
import json, os, sys, time

here = os.environ["FAKE_DOCKER"]
with open(here) as file:
    scenario = json.load(file)
engine = os.path.basename(sys.argv[0])
args = sys.argv[1:]
with open(here + (".calls" if engine == "docker" else f".{engine}.calls"), "a") as calls:
    calls.write(json.dumps(args) + "\n")
command = args[0]
with open(here + (".calls" if engine == "docker" else f".{engine}.calls")) as recorded:
    runs = sum(1 for line in recorded if line.startswith('["run"'))
# A scenario may answer each `docker run` differently: "runs" lists {"state", "logs"} in order.
per_run = scenario.get("runs")
if per_run:
    scenario.update(per_run[min(runs, len(per_run)) - 1])
answers = [] if scenario.get("no_engine") else scenario.get("engines", ["docker"])
if command in ("version", "info"):
    if engine not in answers:
        sys.stderr.write(
            "Cannot connect to the Docker daemon. Is the docker daemon running?\n"
            if engine == "docker"
            else "Error: unable to connect to Podman socket\n"
        )
        sys.exit(1)
    print("20.10.24-fake" if engine == "docker" else "4.3.1-fake")
elif command == "build":
    tag = args[args.index("-t") + 1]
    time.sleep(scenario.get("build_sleep", 0))
    key = "rebuild" if tag.endswith("-rebuild") else "build"
    sys.stdout.write(scenario[key + "_log"])
    sys.exit(scenario.get(key + "_code", 0))
elif command == "image":
    print(json.dumps([scenario["inspect"]]))
elif command == "run":
    if "run_error" in scenario:  # created, but its command could not start
        sys.stderr.write(scenario["run_error"])
        sys.exit(scenario.get("run_code", 125))
    print("0123456789ab")
elif command == "inspect":
    print(scenario.get("state", "false 0"))
elif command == "port":
    if "port_error" in scenario:  # an engine gives none for a stopped container
        sys.stderr.write(scenario["port_error"])
        sys.exit(1)
    print(f"127.0.0.1:{scenario['port']}")
elif command == "logs":
    sys.stdout.write(scenario.get("logs", ""))
"""


def install(bin_dir: Path, scenario: dict[str, Any]) -> Path:
    """Write `bin_dir/docker`, `bin_dir/podman` and the scenario; return the scenario file
    (FAKE_DOCKER)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name in ("docker", "podman"):
        command = bin_dir / name
        command.write_text(f"#!{sys.executable}\n{SCRIPT}", encoding="utf-8")
        command.chmod(command.stat().st_mode | stat.S_IEXEC)
    path = bin_dir / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    return path


def use(bin_dir: Path, scenario: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Path:
    """Install the fakes and put them first on PATH for this test; the scenario file."""
    path = install(bin_dir, scenario)
    monkeypatch.setenv("PATH", f"{path.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DOCKER", str(path))
    return path


def calls(scenario: Path, engine: str = "docker") -> list[list[str]]:
    record = Path(f"{scenario}.calls" if engine == "docker" else f"{scenario}.{engine}.calls")
    if not record.is_file():
        return []
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
