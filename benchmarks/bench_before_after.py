"""The merge stage and the whole `ctre-xl merge` at scale, old code against new, side by side.

On a shared machine whose speed drifts by a fifth within minutes, two runs of ``bench_merge.py``
an hour apart do not compare two versions of the code: this does. Each round runs one-process
calamine on the input sheet, then the merge stage and the whole command with the older checkout
and with this one, in turn; it prints each median, each side's median ratio to the calamine of its
own round, and the per-round differences (and in how many rounds the new code was faster).

    python benchmarks/bench_before_after.py --before /path/to/old/checkout --workdir DIR [--schools 2600] [--runs 15]

``--workdir`` holds the workspace ``bench_merge.py --keep`` made (``DIR/n<schools>``, its file
lists included); ``--before`` is a checkout of the older code (``git worktree add /tmp/before <commit>``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

import bench_merge
from bench_procs import compiled_as_installed, require_package, run_group

HERE = Path(__file__).resolve().parents[1]
MEASURED = ("stage", "command")


def commands(workspace: Path) -> dict[str, list[str]]:
    return {"calamine": [sys.executable, bench_merge.CHILDREN, "calamine", str(workspace / "entries.json")],
            "stage": [sys.executable, "-c", bench_merge._STAGE_CHILD, str(workspace), str(bench_merge.YEAR)],
            "command": bench_merge.merge_command(bench_merge.Workspace(workspace))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, required=True, help="checkout of the older code")
    parser.add_argument("--workdir", type=Path, required=True, help="the folder bench_merge.py --keep used")
    parser.add_argument("--schools", type=int, default=2600)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    workspace = (args.workdir / f"n{args.schools}").resolve()
    if not (workspace / "entries.json").is_file():
        raise SystemExit(f"no workspace kept at {workspace}: run bench_merge.py --schools {args.schools} "
                         f"--workdir {args.workdir} --keep first")
    trees = {"before": args.before.resolve(), "after": HERE}
    compiled_as_installed(*(tree / "ctre_xl" for tree in trees.values()))
    for tree in trees.values():
        require_package(tree, workspace.parent)
    started = commands(workspace)
    walls: dict[str, list[float]] = {"calamine": []}
    for round_number in range(args.runs):
        walls["calamine"].append(run_group([started["calamine"]])[0])
        for side, tree in trees.items():
            for name in MEASURED:
                env = {**os.environ, "PYTHONPATH": str(tree)}
                wall = run_group([started[name]], env=env, cwd=workspace.parent, accepted=(0, 1))[0]
                walls.setdefault(f"{side} {name}", []).append(wall)
        print(f"  round {round_number + 1}/{args.runs}: "
              + ", ".join(f"{key} {values[-1]:.2f} s" for key, values in walls.items()), flush=True)
    report(walls, args.runs)


def report(walls: dict[str, list[float]], runs: int) -> None:
    calamine = walls["calamine"]
    print(f"\n{runs} rounds; calamine, input sheet, 1 process: median {statistics.median(calamine):.3f} s")
    for key, values in walls.items():
        if key == "calamine":
            continue
        ratio = statistics.median(value / base for value, base in zip(values, calamine))
        print(f"  {key:15} median {statistics.median(values):.3f} s, min {min(values):.3f} s, "
              f"median ratio to its round's calamine {ratio:.2f}")
    for name in MEASURED:
        differences = [after - before for after, before in zip(walls[f"after {name}"], walls[f"before {name}"])]
        print(f"  {name}: after - before, per round: median {statistics.median(differences):+.3f} s, "
              f"mean {statistics.mean(differences):+.3f} s; after faster in {sum(d < 0 for d in differences)}/{runs}")


if __name__ == "__main__":
    main()
