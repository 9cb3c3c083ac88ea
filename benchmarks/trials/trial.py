"""Real-world trial: does `dockergen init` give a working image for real public projects?

Per repos.toml entry (tree TREES/owner__name), on a temporary copy: `dockergen init --no-input
--force` (several projects ship a Dockerfile of their own), then `dockergen verify --cache
--json`: build, run as production would, probe (web: any HTTP answer; cli: `--help` exits 0),
a code-only rebuild, and verify's diagnosis when something fails. Writes RESULTS.md.

    python benchmarks/trials/trial.py --extract --mirror GITDIRS --trees TREES  # owner+name[/repo]
    python benchmarks/trials/trial.py --trees TREES [--only OWNER/NAME ...] [--logs DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODES = {"web": "server", "cli": "cli", "worker": "worker"}


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


def sh(*cmd: str, cwd: Path, timeout: float = 2400) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, 124, "", f"timeout after {timeout}s")


def decisions(init_stdout: str) -> dict[str, str]:
    """installer, python and command, from `dockergen init`'s own summary lines."""
    found = {}
    for key in ("installer", "python", "command", "port"):
        line = re.search(rf"^{key}: (.*?)(?: \(.*\))?$", init_stdout, re.M)
        found[key] = line.group(1).strip() if line else "-"
    return found


def try_one(entry: dict[str, Any], trees: Path, logs: Path) -> dict[str, Any]:
    """init, then verify, on a temporary copy; verify removes what it started."""
    name = tree_name(entry)
    with tempfile.TemporaryDirectory(prefix="dockergen-trial-") as tmp:
        app = Path(tmp) / name
        shutil.copytree(trees / name / entry.get("subdir", ""), app, symlinks=True)
        init = sh("dockergen", "init", "--no-input", "--force", cwd=app)
        result: dict[str, Any] = {
            "entry": entry,
            "init_rc": init.returncode,
            **decisions(init.stdout),
        }
        result["init_out"] = (init.stdout + init.stderr).strip()
        if init.returncode:  # refused before any build: the error names the file and the fix
            return {**result, "verify": None}
        shutil.copy(app / "Dockerfile", logs / f"{name}.Dockerfile")
        mode = MODES[entry["kind"]]
        verify = sh("dockergen", "verify", "--cache", "--json", "--mode", mode, ".", cwd=app)
        result["verify"] = json.loads(verify.stdout) if verify.stdout.startswith("{") else None
        result["verify_err"] = verify.stderr[-2000:]
        return result


def row(result: dict[str, Any]) -> tuple[list[str], bool, bool]:
    """A table row, whether the image was built, and whether the app answered."""
    entry, report = result["entry"], result.get("verify") or {}
    build, run, rebuild = report.get("build") or {}, report.get("run") or {}, report.get("rebuild")
    built, answered = bool(build.get("ok")), bool(run.get("ok"))
    if result["init_rc"]:
        why = "init refused: " + result["init_out"].splitlines()[-1].removeprefix("dockergen: ")
    else:
        said = [_said(d) for d in report.get("diagnoses", [])]
        why = "; ".join(said) or ("" if report.get("ok") else run.get("detail", "") or "-")
    label = entry["repo"] + (f" ({entry['subdir']})" if entry.get("subdir") else "")
    cells = [label, entry["kind"], result["installer"], result["python"], f"`{result['command']}`"]
    cells += [result["port"], f"{build['seconds']:.0f}" if build else "-"]
    cells += ["yes" if answered else "no", _rebuild(rebuild), why, entry.get("note_now", "")]
    return cells, built, answered


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


HEADER = """# Real-world trial: dockergen on public projects

By `trial.py` from `repos.toml`: `dockergen init --no-input --force`, then `dockergen verify
--cache --json` (build; run as production would; probe: web any HTTP answer, cli `--help` exits
0; a code-only rebuild, ok when every dependency step is `CACHED`). `diagnosis`: what init or
verify said. `note`: what a reader of the project found (its own faults, sandbox limits).

**Built {built}/{total}, answered {answered}/{total}; refused before the build: {refused}.**

| repo | kind | installer | Python | command | port | build s | answered | code-only rebuild \
| diagnosis | note |\n|---|---|---|---|---|---|---|---|---|---|---|"""


def write_results(results: list[dict[str, Any]], path: Path) -> None:
    rows = [row(r) for r in results]
    counts = {
        "built": sum(built for _, built, _ in rows),
        "answered": sum(answered for _, _, answered in rows),
        "refused": sum(1 for r in results if r["init_rc"]),
    }
    lines = [HEADER.format(total=len(results), **counts)]
    for cells, _, _ in rows:
        text = (str(c).replace("|", "\\|").replace("\n", " ").strip() or "-" for c in cells)
        lines.append("| " + " | ".join(text) + " |")
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--trees", type=Path, required=True, help="extracted trees, owner__name")
    parser.add_argument("--extract", action="store_true", help="extract repos.toml's commits")
    parser.add_argument("--mirror", type=Path, help="git directories, for --extract")
    parser.add_argument("--only", nargs="*", help="owner/name entries to run (default: all)")
    parser.add_argument("--logs", type=Path, help="Dockerfiles and JSON reports go here")
    parser.add_argument("--report-only", action="store_true", help="RESULTS.md from --logs")
    args = parser.parse_args()
    repos = tomllib.loads((HERE / "repos.toml").read_text())["repo"]
    if args.report_only:  # notes in repos.toml may have changed since the run
        saved = [json.loads((args.logs / f"{tree_name(e)}.json").read_text()) for e in repos]
        write_results(
            [{**r, "entry": e} for r, e in zip(saved, repos, strict=True)], HERE / "RESULTS.md"
        )
        return
    if args.extract:
        extract(repos, args.mirror or parser.error("--extract needs --mirror"), args.trees)
        return
    logs = args.logs or Path(tempfile.mkdtemp(prefix="dockergen-trial-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    results = []
    for entry in (e for e in repos if not args.only or e["repo"] in args.only):
        results.append(result := try_one(entry, args.trees, logs))
        (logs / f"{tree_name(entry)}.json").write_text(json.dumps(result, indent=1, default=str))
        print(entry["repo"], row(result)[0][6:10], flush=True)
    write_results(results, HERE / "RESULTS.md")
    print(f"wrote {HERE / 'RESULTS.md'}; logs in {logs}")


if __name__ == "__main__":
    main()
