"""A stand-in for the `docker` command, so `dockergen verify`'s flow is tested without an engine.

`install(bin_dir, scenario)` writes an executable `docker` that answers from a scenario (a
dict saved as JSON) and records every call, one JSON array per line, for the test to read.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path
from typing import Any

SCRIPT = r"""
import json, os, sys, time

here = os.environ["FAKE_DOCKER"]
with open(here) as file:
    scenario = json.load(file)
args = sys.argv[1:]
with open(here + ".calls", "a") as calls:
    calls.write(json.dumps(args) + "\n")
command = args[0]
with open(here + ".calls") as recorded:
    runs = sum(1 for line in recorded if line.startswith('["run"'))
# A scenario may answer each `docker run` differently: "runs" lists {"state", "logs"} in order.
per_run = scenario.get("runs")
if per_run:
    scenario.update(per_run[min(runs, len(per_run)) - 1])
if command == "version":
    if scenario.get("no_engine"):
        sys.stderr.write("Cannot connect to the Docker daemon. Is the docker daemon running?\n")
        sys.exit(1)
    print("20.10.24-fake")
elif command == "build":
    tag = args[args.index("-t") + 1]
    time.sleep(scenario.get("build_sleep", 0))
    key = "rebuild" if tag.endswith("-rebuild") else "build"
    sys.stdout.write(scenario[key + "_log"])
    sys.exit(scenario.get(key + "_code", 0))
elif command == "image":
    print(json.dumps([scenario["inspect"]]))
elif command == "run":
    print("0123456789ab")
elif command == "inspect":
    print(scenario.get("state", "false 0"))
elif command == "port":
    print(f"127.0.0.1:{scenario['port']}")
elif command == "logs":
    sys.stdout.write(scenario.get("logs", ""))
"""


def install(bin_dir: Path, scenario: dict[str, Any]) -> Path:
    """Write `bin_dir/docker` and the scenario; return the scenario file (FAKE_DOCKER)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    docker = bin_dir / "docker"
    docker.write_text(f"#!{sys.executable}\n{SCRIPT}", encoding="utf-8")
    docker.chmod(docker.stat().st_mode | stat.S_IEXEC)
    path = bin_dir / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    return path


def calls(scenario: Path) -> list[list[str]]:
    record = Path(f"{scenario}.calls")
    if not record.is_file():
        return []
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
