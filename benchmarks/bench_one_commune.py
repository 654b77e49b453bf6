"""The whole `ctre-xl merge` on one commune's workspace (the demo, ~18 files), old code against new.

Issue 13 asks that a one-commune merge takes no more time after the history, the roadmap sheet and
the report were added. This runs the same command on the same workspace with two checkouts of the
package, alternating them so that machine load falls on both alike, and prints the medians.

    python benchmarks/bench_one_commune.py --before /path/to/old/checkout [--runs 9]

``--before`` is a checkout of the older code (e.g. `git worktree add /tmp/before <commit>`); the
newer code is this repository. The demo workspace is made in a temporary folder by the new code.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_procs import compiled_as_installed, require_package

HERE = Path(__file__).resolve().parents[1]


def merge_seconds(package_root: Path, workspace: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(package_root))
    started = time.perf_counter()
    # Run from the workspace's folder: from a checkout (this repository), `-m` would import that
    # checkout's package whatever PYTHONPATH says, and both sides would measure the same code.
    done = subprocess.run([sys.executable, "-m", "ctre_xl", "--workspace", str(workspace), "merge", "--year", "2026"],
                          env=env, capture_output=True, cwd=workspace.parent)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"merge failed with {package_root}: {done.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, required=True, help="checkout of the older code")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    compiled_as_installed(args.before.resolve() / "ctre_xl", HERE / "ctre_xl")
    folder = Path(tempfile.mkdtemp(prefix="bench-one-commune-"))
    subprocess.run([sys.executable, "-m", "ctre_xl", "demo"], cwd=folder, env=dict(os.environ, PYTHONPATH=str(HERE)),
                   capture_output=True, check=True)
    workspace = folder / "demo"
    for package in (args.before.resolve(), HERE):
        require_package(package, folder)
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(args.runs):
        times["before"].append(merge_seconds(args.before.resolve(), workspace))
        times["after"].append(merge_seconds(HERE, workspace))
    files = sum(1 for path in (workspace / "inbox").rglob("*") if path.is_file())
    print(f"one-commune workspace: {files} files in inbox/, {args.runs} runs each, alternating")
    for name, values in times.items():
        print(f"  {name:6} median {statistics.median(values):.3f} s, min {min(values):.3f} s")


if __name__ == "__main__":
    main()
