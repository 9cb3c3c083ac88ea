"""How much `dockergen init --dry-run` costs beyond importing what it is built on.

The two commands run in turn, A B A B ..., after a warm-up each, and the ratio is taken pair by
pair (so a machine that drifts weighs on both alike): A is `dockergen init FIXTURE --dry-run
--no-input`, B is `python -c 'import jinja2, typer, tomli'`. CPU time (user + system, from the
kernel's accounting of each finished child) is the figure quoted; wall time is printed beside.

dockergen's modules are byte-compiled first, as pip does when it installs the wheel (the
dependencies it is compared with have theirs from their install): with PYTHONDONTWRITEBYTECODE
set, or a checkout that was never run, every run would otherwise compile dockergen from source.

    python benchmarks/startup_ratio.py [--runs 21] [--fixture poetry] [--write]
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _once(argv: list[str]) -> tuple[float, float]:
    """(cpu, wall) seconds of one run of argv, output discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _compile_package() -> None:
    """dockergen's bytecode beside its source, wherever the interpreter imports it from."""
    spec = importlib.util.find_spec("dockergen")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--fixture", default="poetry")
    parser.add_argument("--write", action="store_true", help="write benchmarks/STARTUP.md")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    dockergen = str(bin_dir / "dockergen")
    a = [dockergen, "init", str(ROOT / "fixtures" / args.fixture), "--dry-run", "--no-input"]
    b = [sys.executable, "-c", "import jinja2, typer, tomli"]
    _compile_package()
    _once(a), _once(b)  # warm-up: the file cache
    pairs = [(_once(a), _once(b)) for _ in range(args.runs)]
    cpu = statistics.median(x[0] / y[0] for x, y in pairs)
    wall = statistics.median(x[1] / y[1] for x, y in pairs)
    a_cpu = statistics.median(x[0] for x, _ in pairs) * 1000
    b_cpu = statistics.median(y[0] for _, y in pairs) * 1000
    lines = [
        "# Start-up: `dockergen init --dry-run` against importing its own dependencies",
        "",
        f"By `benchmarks/startup_ratio.py --runs {args.runs} --fixture {args.fixture}`: "
        f"{args.runs} pairs, run in turn, medians of the pair-by-pair ratios.",
        "",
        "| figure | dockergen init --dry-run | import jinja2, typer, tomli | ratio |",
        "|---|---|---|---|",
        f"| CPU | {a_cpu:.0f} ms | {b_cpu:.0f} ms | **{cpu:.2f}x** |",
        f"| wall | | | {wall:.2f}x |",
        "",
        f"Python {sys.version.split()[0]}.",
    ]
    print("\n".join(lines))
    if args.write:
        (HERE / "STARTUP.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
