"""Real-world trial: does `dockergen init` give a working image for real public projects?

Per repos.toml entry (tree TREES/owner__name), on a temporary copy: `dockergen init --no-input
--force`, timed `docker build`, run with the EXPOSEd port on 127.0.0.1 and probe (web: an HTTP
answer within WAIT s; cli: CMD + `--help` exits 0), append a comment to a .py file and rebuild
(dependency steps not CACHED are counted), clean up; write RESULTS.md.

    python benchmarks/trials/trial.py --extract --mirror GITDIRS --trees TREES  # owner+name[/repo]
    python benchmarks/trials/trial.py --trees TREES [--only OWNER/NAME ...] [--logs DIR]
"""

import argparse
import json
import re
import shutil
import subprocess
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INSTALL = re.compile(r"\b(pip|uv|poetry|pipenv|pdm)\b|apt-get")  # a step that installs things
ERROR = re.compile(r"error|ERROR|Error")
WAIT = 40.0  # seconds a web app has to answer


def tree_name(entry: dict[str, Any]) -> str:
    return str(entry["repo"]).replace("/", "__")


def extract(repos: list[dict[str, Any]], mirror: Path, trees: Path) -> None:
    for entry in repos:
        git_dir = mirror / entry["repo"].replace("/", "+")
        git_dir = git_dir / "repo" if (git_dir / "repo").is_dir() else git_dir
        dest = trees / tree_name(entry)
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        paths = entry.get("subdir", "").split()
        git = ["git", f"--git-dir={git_dir}", "archive", entry["commit"], *paths]
        archive = subprocess.run(git, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        print(f"extracted {entry['repo']}@{entry['commit'][:10]} -> {dest.name}")


def sh(
    *cmd: str, timeout: float = 1800, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, 124, "", f"timeout after {timeout}s")


def generate(app: Path) -> dict[str, Any]:
    """Run dockergen; return what it decided (from its own report and the Dockerfile)."""
    proc = sh("dockergen", "init", "--no-input", "--force", cwd=app)
    decided = {"init_rc": proc.returncode, "init_out": (proc.stdout + proc.stderr).strip()}
    for key in ("installer", "python", "command"):
        found = re.search(rf"^{key}: (\S+(?: [^(]+)?)", proc.stdout, re.M)
        decided[key] = found.group(1).strip() if found else "?"
    dockerfile = (app / "Dockerfile").read_text() if (app / "Dockerfile").exists() else ""
    port = re.search(r"^EXPOSE (\d+)", dockerfile, re.M)
    decided["port"] = int(port.group(1)) if port else None
    decided["has_cmd"] = bool(re.search(r"^CMD ", dockerfile, re.M))
    return decided


def build(app: Path, tag: str) -> tuple[int, float, str]:
    start = time.monotonic()
    proc = sh("docker", "build", "--progress=plain", "-t", tag, ".", cwd=app)
    return proc.returncode, time.monotonic() - start, proc.stdout + proc.stderr


def dependency_steps_rerun(log: str) -> int:
    """Builder RUN steps before the builder's `COPY . .` that were not CACHED."""
    steps: dict[str, tuple[int, str]] = {}  # BuildKit id -> (builder step number, step text)
    cached: set[str] = set()
    for line in log.splitlines():
        if step := re.match(r"#(\d+) \[builder +(\d+)/\d+\] (.*)", line):
            steps[step.group(1)] = (int(step.group(2)), step.group(3))
        elif re.match(r"#\d+ CACHED", line):
            cached.add(line.split()[0][1:])
    copy_at = min((n for n, text in steps.values() if text == "COPY . ."), default=10**6)
    deps = [sid for sid, (n, text) in steps.items() if n < copy_at and INSTALL.search(text)]
    return sum(1 for sid in deps if steps[sid][1].startswith("RUN ") and sid not in cached)


def error_line(log: str) -> str:
    """The last error line (not BuildKit's own summary of the failed step), else warning line."""
    lines = log.splitlines()
    errors = [ln for ln in lines if ERROR.search(ln) and "executor failed" not in ln]
    return (errors or [ln for ln in lines if "WARNING" in ln] or [""])[-1][-300:]


def http_answer(port: str) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=3) as resp:
            return str(resp.status)
    except urllib.error.HTTPError as exc:
        return str(exc.code)
    except (OSError, ValueError):
        return None


def first_output(cid: str) -> str:
    logs = sh("docker", "logs", cid, timeout=30)
    return "\n".join((logs.stdout + logs.stderr).splitlines()[:12])


def wait_answer(cid: str, port: int | None) -> tuple[str | None, str]:
    host_port = sh("docker", "port", cid, f"{port}/tcp").stdout.split(":")[-1] if port else ""
    deadline, silent = time.monotonic() + WAIT, "no EXPOSE, nothing to probe"
    while time.monotonic() < deadline:
        time.sleep(2)
        if answer := port and http_answer(host_port.strip()):
            return answer, f"HTTP {answer}"
        state = sh("docker", "inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", cid).stdout
        if state.startswith("false"):
            return None, f"container exited ({state.split()[-1]})"
        if not port and first_output(cid):
            time.sleep(2)  # let the first lines settle
            return None, silent
    return None, f"no HTTP answer on {port} within {WAIT:.0f}s" if port else silent


def probe_web(tag: str, port: int | None) -> tuple[bool, str, str]:
    publish = ["-p", f"127.0.0.1::{port}"] if port else []
    run = sh("docker", "run", "-d", *publish, tag, timeout=60)
    if run.returncode:
        return False, f"docker run failed: {run.stderr.strip()[-200:]}", ""
    cid = run.stdout.strip()
    answer, detail = wait_answer(cid, port)
    first = first_output(cid)
    sh("docker", "rm", "-f", cid, timeout=60)
    return answer is not None, detail, first


def probe_cli(tag: str) -> tuple[bool, str, str]:
    inspect = sh("docker", "image", "inspect", "-f", "{{json .Config.Cmd}}", tag)
    cmd = json.loads(inspect.stdout or "[]") or []
    proc = sh("docker", "run", "--rm", tag, *cmd, "--help", timeout=120)
    first = "\n".join((proc.stdout + proc.stderr).splitlines()[:12])
    return proc.returncode == 0, f"`--help` exit {proc.returncode}", first


def touch_code(app: Path) -> Path | None:
    skip = {".venv", "tests", "test", "migrations", "docs", ".git"}
    paths = (p for p in sorted(app.rglob("*.py")) if not skip & set(p.relative_to(app).parts))
    if path := next(paths, None):
        path.write_text(path.read_text() + "\n# dockergen trial: a code-only change\n")
    return path


def try_one(entry: dict[str, Any], trees: Path, logs: Path) -> dict[str, Any]:
    """Generate, build, run, probe and rebuild one project; always cleans up."""
    name = tree_name(entry)
    tag = f"dockergen-trial/{name.lower()}"
    result: dict[str, Any] = {
        "entry": entry,
        "built": False,
        "answered": False,
        "rebuild": "-",
        "detail": "",
    }
    with tempfile.TemporaryDirectory(prefix="dockergen-trial-") as tmp:
        app = Path(tmp) / name
        shutil.copytree(trees / name / entry.get("subdir", ""), app, symlinks=True)
        result.update(generate(app))
        if result["init_rc"]:
            return {**result, "detail": "init failed: " + result["init_out"][-200:]}
        shutil.copy(app / "Dockerfile", logs / f"{name}.Dockerfile")
        try:
            return _build_and_probe(app, tag, result, logs / name)
        finally:
            sh("docker", "rmi", "-f", tag + ":1", tag + ":2", timeout=120)


def _build_and_probe(app: Path, tag: str, result: dict[str, Any], log_base: Path) -> dict[str, Any]:
    rc, seconds, log = build(app, tag + ":1")
    log_base.with_suffix(".build.log").write_text(log)
    result.update(seconds=seconds, built=rc == 0, detail=f"build failed: {error_line(log)}")
    if rc:
        return result
    if result["entry"]["kind"] == "cli":
        answered, detail, first = probe_cli(tag + ":1")
    elif not result["has_cmd"]:
        answered, detail, first = False, "no CMD", ""
    else:
        answered, detail, first = probe_web(tag + ":1", result["port"])
    result.update(answered=answered, detail=detail, output=first)
    touched = touch_code(app)
    rc, _, log = build(app, tag + ":2")
    log_base.with_suffix(".rebuild.log").write_text(log)
    rerun = dependency_steps_rerun(log)
    problem = "no .py file to change" if not touched else "build failed" if rc else ""
    problem = problem or (f"{rerun} dependency steps re-ran" if rerun else "")
    result["rebuild"] = f"no ({problem})" if problem else "yes"
    return result


HEADER = """# Real-world trial: dockergen on public projects

By `trial.py` from `repos.toml`: `dockergen init --no-input`, `docker build` (wall seconds; layers
cached by earlier runs count), run and probe (web: any HTTP answer; cli: `--help` exits 0), then a
code-only rebuild (ok: all dependency steps `CACHED`). `cause`: repos.toml's analysis, if it fails.

**Built {built}/{total}, answered {answered}/{total}.**

| repo | kind | installer | Python | command | port | build s | answered | code-only rebuild ok \
| symptom | cause |\n|---|---|---|---|---|---|---|---|---|---|---|"""


def write_results(results: list[dict[str, Any]], path: Path) -> None:
    counts = {key: sum(r[key] for r in results) for key in ("built", "answered")}
    lines = [HEADER.format(total=len(results), **counts)]
    for r in results:
        entry = r["entry"]
        failed = not (r["built"] and r["answered"] and r["rebuild"] == "yes")
        label = entry["repo"] + (f" ({entry['subdir']})" if entry.get("subdir") else "")
        seconds = f"{r['seconds']:.0f}" if "seconds" in r else "-"
        why = (r["detail"][:160], entry.get("cause", "")) if failed else ("", "")
        row = [label, entry["kind"], r.get("installer", "?"), r.get("python", "?")]
        row += [f"`{r.get('command', '?')}`", r.get("port") or "-", seconds]
        row += ["yes" if r["answered"] else "no", r["rebuild"], *why]
        cells = (str(x).replace("|", "\\|").replace("\n", " ").strip() or "-" for x in row)
        lines.append("| " + " | ".join(cells) + " |")
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", type=Path, required=True, help="extracted trees, owner__name")
    parser.add_argument("--extract", action="store_true", help="extract repos.toml's commits")
    parser.add_argument("--mirror", type=Path, help="git directories, for --extract")
    parser.add_argument("--only", nargs="*", help="owner/name entries to run (default: all)")
    parser.add_argument("--logs", type=Path, help="build/run logs, Dockerfiles, JSON go here")
    args = parser.parse_args()
    repos = tomllib.loads((HERE / "repos.toml").read_text())["repo"]
    if args.extract:
        extract(repos, args.mirror or parser.error("--extract needs --mirror"), args.trees)
        return
    logs = args.logs or Path(tempfile.mkdtemp(prefix="dockergen-trial-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    results = []
    for entry in (e for e in repos if not args.only or e["repo"] in args.only):
        results.append(result := try_one(entry, args.trees, logs))
        (logs / f"{tree_name(entry)}.json").write_text(json.dumps(result, indent=1, default=str))
        summary = {key: result[key] for key in ("built", "answered", "rebuild")}
        print(entry["repo"], summary, result["detail"][:120], flush=True)
    write_results(results, HERE / "RESULTS.md")
    print(f"wrote {HERE / 'RESULTS.md'}; logs in {logs}")


if __name__ == "__main__":
    main()
