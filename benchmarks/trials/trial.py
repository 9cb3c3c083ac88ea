"""Real-world trial: does `dockergen init` give an image that really serves the app?

Per repos.toml entry (tree TREES/owner__name), on a temporary copy, as a new user would:

1. `dockergen init --no-input --force` (several projects ship a Dockerfile of their own);
2. the **independent check**, which uses no dockergen code: `docker build`, then run the image as
   production would and talk to it — web: the EXPOSEd port must answer GET `path` (default `/`)
   with 2xx/3xx; cli: the image's CMD with the entry's `args` exits 0 and prints `expect`;
   worker: still running after 15 s, its output matching `expect` when given;
3. `dockergen verify --cache --json`, with no flags (what a user runs), whose verdict is compared
   with the independent check: verify's "ok" on an app that did not answer is a **false pass**.

    python benchmarks/trials/trial.py --extract --mirror GITDIRS --trees TREES  # owner+name[/repo]
    python benchmarks/trials/trial.py --trees TREES --logs DIR [--only OWNER/NAME ...]
        [--dockergen PATH] [--results FILE]
    python benchmarks/trials/trial.py --report-only --logs DIR [--results FILE]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import subprocess
import tempfile
import time
import tomllib
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ANSWER_SECONDS = 90.0
WORKER_SECONDS = 15.0


def tree_name(entry: dict[str, Any]) -> str:
    name = str(entry["repo"]).replace("/", "__")
    return name + ("__" + entry["subdir"].replace("/", "_") if entry.get("subdir") else "")


def extract(repos: list[dict[str, Any]], mirror: Path, trees: Path) -> None:
    for entry in repos:
        git_dir = mirror / entry["repo"].replace("/", "+")
        git_dir = git_dir / "repo" if (git_dir / "repo").is_dir() else git_dir
        dest = trees / tree_name(entry)
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        # COMMIT:subdir roots the archive at the subdirectory, as a user's checkout of it would be.
        tree = entry["commit"] + (f":{entry['subdir']}" if entry.get("subdir") else "")
        git = ["git", f"--git-dir={git_dir}", "archive", tree]
        archive = subprocess.run(git, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        print(f"extracted {entry['repo']}@{entry['commit'][:10]} -> {dest.name}")


def sh(
    *cmd: str, cwd: Path | None = None, timeout: float = 2400
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, 124, "", f"timeout after {timeout}s")


def decisions(init_stdout: str) -> dict[str, str]:
    """installer, python, command and port, from `dockergen init`'s own summary lines."""
    found = {}
    for key in ("installer", "python", "command", "port"):
        line = re.search(rf"^{key}: (.*?)(?: \(.*\))?$", init_stdout, re.M)
        found[key] = line.group(1).strip() if line else "-"
    return found


def http_status(port: int, path: str) -> int | None:
    """As a user on the machine asks: for localhost, then for 127.0.0.1 if that is refused."""
    status = _get(port, path, "localhost")
    return _get(port, path, "127.0.0.1") or status if status == 400 else status


def _get(port: int, path: str, host: str) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={"User-Agent": "trial", "Host": host})
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def running(name: str) -> bool:
    state = sh("docker", "inspect", "--format", "{{.State.Running}}", name, timeout=60)
    return state.stdout.strip() == "true"


def container_logs(name: str) -> str:
    result = sh("docker", "logs", name, timeout=60)
    return (result.stdout + result.stderr)[-3000:]


def independent_check(entry: dict[str, Any], app: Path) -> dict[str, Any]:
    """Build and run the image with docker alone; did the app really answer?"""
    tag = f"trial-{uuid.uuid4().hex[:10]}"
    started = time.monotonic()
    build = sh("docker", "build", "-t", tag, ".", cwd=app, timeout=2400)
    checked: dict[str, Any] = {"built": build.returncode == 0}
    checked["build_seconds"] = round(time.monotonic() - started, 1)
    if build.returncode:
        checked["answered"], checked["why"] = False, "build failed: " + build.stderr[-600:]
        return checked
    try:
        checked.update(_run_kind(entry, tag))
    finally:
        sh("docker", "rmi", "--force", tag, timeout=120)
    return checked


def _run_kind(entry: dict[str, Any], tag: str) -> dict[str, Any]:
    inspected = json.loads(sh("docker", "image", "inspect", tag).stdout)[0]["Config"]
    cmd = [*(inspected.get("Entrypoint") or []), *(inspected.get("Cmd") or [])]
    ports = sorted(int(p.split("/")[0]) for p in inspected.get("ExposedPorts") or {})
    user = inspected.get("User") or "root"
    out: dict[str, Any] = {"cmd": cmd, "exposed": ports, "user": user}
    name = f"trial-{uuid.uuid4().hex[:10]}"
    kind = entry["kind"]
    env = [f"--env={key}={value}" for key, value in entry.get("env", {}).items()]
    try:
        if kind == "cli":
            argv = [*(inspected.get("Cmd") or []), *entry.get("args", [])]
            run = sh("docker", "run", "--rm", "--name", name, *env, tag, *argv, timeout=180)
            text = run.stdout + run.stderr
            matched = re.search(entry.get("expect", ""), text) is not None
            out["answered"] = run.returncode == 0 and matched
            out["why"] = f"exit {run.returncode}" + ("" if matched else ", expected output missing")
            out["logs"] = text[-1500:]
            return out
        publish = ["--publish", f"127.0.0.1::{ports[0]}"] if kind == "web" and ports else []
        sh("docker", "run", "--detach", "--name", name, *publish, *env, tag, timeout=120)
        if kind == "worker":
            time.sleep(WORKER_SECONDS)
            alive, logs = running(name), container_logs(name)
            matched = re.search(entry.get("expect", ""), logs) is not None
            out["answered"] = alive and matched
            out["why"] = ("running" if alive else "exited") + (
                "" if matched else ", no expected output"
            )
            out["logs"] = logs
            return out
        if not ports:
            out["answered"], out["why"] = False, "the image EXPOSEs no port"
            time.sleep(10)
            out["logs"] = container_logs(name)
            return out
        published = sh("docker", "port", name, f"{ports[0]}/tcp").stdout.split()
        if not published:  # the container has exited already: nothing was published
            out["answered"], out["why"] = False, "exited at once"
            out["logs"] = container_logs(name)
            return out
        host = int(published[0].split(":")[-1])
        path, status, deadline = entry.get("path", "/"), None, time.monotonic() + ANSWER_SECONDS
        while time.monotonic() < deadline:
            status = http_status(host, path)
            if status is not None or not running(name):
                break
            time.sleep(1)
        out["status"] = status
        out["answered"] = status is not None and 200 <= status < 400
        out["why"] = f"GET {path}: {status}" if status else "no HTTP answer"
        out["logs"] = container_logs(name)
        return out
    finally:
        sh("docker", "rm", "--force", name, timeout=120)


def try_one(entry: dict[str, Any], trees: Path, dockergen: str) -> dict[str, Any]:
    name = tree_name(entry)
    with tempfile.TemporaryDirectory(prefix="dockergen-trial-") as tmp:
        app = Path(tmp) / name
        shutil.copytree(trees / name, app, symlinks=True)
        init = sh(dockergen, "init", "--no-input", "--force", cwd=app, timeout=300)
        result: dict[str, Any] = {"init_rc": init.returncode, **decisions(init.stdout)}
        result["init_out"] = (init.stdout + init.stderr).strip()
        if init.returncode:  # refused before any build: the error names the file and the fix
            return {**result, "check": None, "verify": None}
        result["dockerfile"] = (app / "Dockerfile").read_text()
        result["check"] = independent_check(entry, app)
        env = [f"--env={key}={value}" for key, value in entry.get("env", {}).items()]
        verify = sh(dockergen, "verify", "--cache", "--json", *env, ".", cwd=app, timeout=3600)
        result["verify"] = json.loads(verify.stdout) if verify.stdout.startswith("{") else None
        result["verify_err"] = verify.stderr[-2000:]
        return result


def row(entry: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    check, report = result.get("check") or {}, result.get("verify") or {}
    rebuild = report.get("rebuild")
    verify_ok = bool(report.get("ok"))
    answered = bool(check.get("answered"))
    if result["init_rc"]:
        said = "init refused: " + result["init_out"].splitlines()[-1].removeprefix("dockergen: ")
        said = re.sub(r"/tmp/dockergen-trial-\w+/[\w.-]+", "the project", said)
    else:
        said = "; ".join(_said(d) for d in report.get("diagnoses", [])) or (
            "" if verify_ok else (report.get("run") or {}).get("detail", "") or "-"
        )
    label = entry["repo"] + (f" ({entry['subdir']})" if entry.get("subdir") else "")
    cells = [label, entry["kind"], result["installer"], result["python"]]
    cells += [f"`{result['command']}`", result["port"]]
    cells += ["yes" if answered else "no", _short(check.get("why", "-"))]
    cells += ["-" if result["init_rc"] else ("ok" if verify_ok else "FAILED")]
    reader = entry.get("note_now", "")
    if not entry.get("judged", True):
        reader = f"not judged here: {entry.get('limit', '')}"
    elif not entry.get("sound", True):
        reader = f"project: {entry.get('defect', '')}"
    cells += [_rebuild(rebuild), said, reader]
    return {
        "cells": cells,
        # A reader's verdict (repos.toml): the project's own metadata is sound, and this
        # sandbox can judge it (no registry it cannot reach, no service it lacks).
        "counted": entry.get("sound", True) and entry.get("judged", True),
        "built": bool(check.get("built")),
        "answered": answered,
        "refused": bool(result["init_rc"]),
        "verify_ok": verify_ok,
        "false_pass": verify_ok and not answered,
        "verify_ran": result.get("verify") is not None,
    }


def _short(why: str) -> str:
    """A build failure as its last error line, without BuildKit's step numbers."""
    if not why.startswith("build failed"):
        return why
    lines = [re.sub(r"^#\d+ [\d.]+ ", "", line).strip() for line in why.splitlines()[1:]]
    errors = [line for line in lines if re.search(r"error|not found|no such|failed", line, re.I)]
    useful = [e for e in errors if "executor failed" not in e and "subprocess" not in e]
    return "build failed: " + (useful[0] if useful else errors[-1] if errors else "?")[:200]


def _said(diagnosis: dict[str, str]) -> str:
    # The table is committed, and committed files name no package registry's host.
    if diagnosis["pattern"] == "index-unreachable":
        return (
            "the build cannot reach the package index the project names (its host does not resolve)"
        )
    return f"{diagnosis['cause']} → {diagnosis['fix']}"


def _rebuild(rebuild: dict[str, Any] | None) -> str:
    if not rebuild:
        return "-"
    if rebuild["ok"]:
        return f"yes ({rebuild['seconds']:.1f} s)"
    return f"no ({len(rebuild['not_cached'])} re-ran)"


COLUMNS = (
    "repo", "kind", "installer", "Python", "command", "port", "answered",
    "how (independent check)", "verify", "code-only rebuild", "diagnosis", "note",
)  # fmt: skip
HEADER = "| " + " | ".join(COLUMNS) + " |\n" + "|---" * len(COLUMNS) + "|"


def summary(rows: list[dict[str, Any]], what: str) -> str:
    web = [r for r in rows if r["kind"] == "web"]
    counted = [r for r in rows if r["counted"]]
    share = 100 * sum(r["answered"] for r in counted) / len(counted) if counted else 0.0
    return (
        f"**{what}: answered {sum(r['answered'] for r in rows)}/{len(rows)} "
        f"(web {sum(r['answered'] for r in web)}/{len(web)}); of the {len(counted)} whose own "
        f"metadata is sound and that this sandbox can judge, {sum(r['answered'] for r in counted)}"
        f" ({share:.0f} %); built {sum(r['built'] for r in rows)}; refused before the build "
        f"{sum(r['refused'] for r in rows)}; verify ok {sum(r['verify_ok'] for r in rows)} of "
        f"{sum(r['verify_ran'] for r in rows)} run, false passes "
        f"{sum(r['false_pass'] for r in rows)}.**"
    )


def write_results(
    pairs: list[tuple[dict[str, Any], dict[str, Any]]], path: Path, title: str
) -> None:
    rows = [{**row(e, r), "kind": e["kind"], "batch": e.get("batch", "")} for e, r in pairs]
    lines = [f"# {title}", "", (HERE / "ABOUT.md").read_text().strip(), ""]
    for batch in dict.fromkeys(r["batch"] for r in rows):
        some = [r for r in rows if r["batch"] == batch]
        lines.append(summary(some, f"{batch or 'all'} ({len(some)} apps)"))
        lines.append("")
    lines.append(summary(rows, f"all {len(rows)} apps"))
    lines += ["", HEADER]
    for r in rows:
        text = (str(c).replace("|", "\\|").replace("\n", " ").strip() or "-" for c in r["cells"])
        lines.append("| " + " | ".join(text) + " |")
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--trees", type=Path, help="extracted trees, owner__name")
    parser.add_argument("--extract", action="store_true", help="extract repos.toml's commits")
    parser.add_argument("--mirror", type=Path, help="git directories, for --extract")
    parser.add_argument("--only", nargs="*", help="owner/name entries to run (default: all)")
    parser.add_argument("--logs", type=Path, required=True, help="one JSON report per app")
    parser.add_argument("--report-only", action="store_true", help="the results from --logs")
    parser.add_argument("--dockergen", default="dockergen", help="the dockergen to try")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--title", default="Real-world trial: dockergen on public projects")
    args = parser.parse_args()
    repos = tomllib.loads((HERE / "repos.toml").read_text())["repo"]
    if args.extract:
        extract(repos, args.mirror or parser.error("--extract needs --mirror"), args.trees)
        return
    args.logs.mkdir(parents=True, exist_ok=True)
    if not args.report_only:
        for entry in (e for e in repos if not args.only or e["repo"] in args.only):
            result = try_one(entry, args.trees, args.dockergen)
            (args.logs / f"{tree_name(entry)}.json").write_text(json.dumps(result, indent=1))
            print(entry["repo"], row(entry, result)["cells"][6:9], flush=True)
    saved = [(e, args.logs / f"{tree_name(e)}.json") for e in repos]
    pairs = [(e, json.loads(p.read_text())) for e, p in saved if p.is_file()]
    write_results(pairs, args.results, args.title)
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
