#!/usr/bin/env python3
"""The whole `ctre-xl merge` when every unit has something to fix: one feedback workbook per unit.

bench_merge.py fills every return cleanly, so its merges write the summary, the findings workbook
and the reminders, and no feedback workbook. A real inbox is not that clean. This script takes a
workspace an earlier ``bench_merge.py --keep`` run left (``--source``), copies it with one figure
of every return left blank (each unit is then asked to fill it in, in its own feedback workbook),
and times the whole command on the copy as whole processes, with the peak memory of all of them
(the sum of their PSS), and the same command on the clean workspace beside it::

    python benchmarks/bench_feedback.py --source /tmp/b18/n2600 [--runs 3] [--before /path/to/old/checkout]

``--before`` also runs an older checkout of the package on both workspaces (e.g. `git worktree add
/tmp/before <commit>`), the runs alternating so that the machine's load falls on both alike.
This is a script, not a test: pytest only collects ``tests/``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import zipfile
from pathlib import Path

from bench_procs import compiled_as_installed, require_package, run_group

HERE = Path(__file__).resolve().parents[1]
YEAR = 2026
INPUT_PART = "xl/worksheets/sheet2.xml"  # the input sheet of bench_merge's filled returns
FIRST_FIGURE = re.compile(rb'(<c r="D\d+" s="\d+" t="n">)<v>\d+</v>(</c>)')


def blank_one_figure(source: Path, target: Path) -> int:
    """``target``: a copy of the workspace ``source`` whose returns each lack their first figure;
    the number of returns changed."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("inbox", "outbox", "*.sqlite"))
    changed = 0
    for path in sorted((source / "inbox").rglob("*.xlsx")):
        copy = target / "inbox" / path.relative_to(source / "inbox")
        copy.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path) as original, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as made:
            for info in original.infolist():
                data = original.read(info)
                if info.filename == INPUT_PART:
                    data, count = FIRST_FIGURE.subn(rb"\1\2", data, count=1)
                    changed += count
                made.writestr(info, data)
    return changed


def merge(package: Path, workspace: Path, output: Path) -> tuple[float, float, float]:
    """(wall seconds, peak MiB of PSS summed over its processes, CPU seconds) of one whole command."""
    shutil.rmtree(workspace / "outbox", ignore_errors=True)
    (workspace / "lich-su.sqlite").unlink(missing_ok=True)  # every run merges the year for the first time
    command = [sys.executable, "-m", "ctre_xl", "--workspace", str(workspace), "merge", "--year", str(YEAR), "--json"]
    # Exit 1: the merge is written and some returns have errors to fix (a blank figure is one).
    # Run from the workspace's folder: from a checkout, `-m` would import that checkout's package.
    wall, _rss, pss, cpu, _out = run_group([command], output, env=dict(os.environ, PYTHONPATH=str(package)),
                                           cwd=workspace.parent, accepted=(0, 1))
    return wall, pss, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, required=True, help="a workspace kept by bench_merge.py --keep")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, default=None, help="an older checkout, run on the same workspaces")
    args = parser.parse_args()
    packages = {"now": HERE, **({"before": args.before.resolve()} if args.before else {})}
    compiled_as_installed(*(package / "ctre_xl" for package in packages.values()))
    source = args.source.resolve()
    blanked = source.with_name(source.name + "-feedback")
    changed = blank_one_figure(source, blanked)
    for package in packages.values():
        require_package(package, source.parent)
    output = blanked.parent / f"merge-{blanked.name}.json"
    figures: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for _ in range(args.runs):
        for name, package in packages.items():
            for kind, workspace in (("clean", source), ("one figure blank", blanked)):
                figures.setdefault((name, kind), []).append(merge(package, workspace, output))
    written = len(list((blanked / "outbox" / str(YEAR) / "phan-hoi").glob("*.xlsx")))
    issues = json.loads(output.read_text("utf-8"))["issues"]
    print(f"{source}: {changed} returns with one figure left blank; the last run wrote {written} feedback "
          f"workbooks and reported {len(issues)} findings; {args.runs} runs each, alternating")
    print(f"  {'code':8} {'inbox':18} {'median s':>9} {'runs':>24} {'peak PSS MiB':>13} {'CPU s':>7}")
    for (name, kind), runs in figures.items():
        walls = [wall for wall, _pss, _cpu in runs]
        print(f"  {name:8} {kind:18} {statistics.median(walls):>9.2f} {' '.join(f'{w:.2f}' for w in walls):>24} "
              f"{max(pss for _wall, pss, _cpu in runs):>13.0f} {statistics.median(cpu for *_x, cpu in runs):>7.2f}")


if __name__ == "__main__":
    main()
