#!/usr/bin/env python3
"""Benchmark of the yearly cycle at scale (issue 5, item 4): templates, merge, and raw parsers.

For each size N (default 2,600 and 500 schools) the script builds a registry of N schools (about
35 % mầm non, 40 % tiểu học, 25 % THCS) plus the plan's departments, writes every template and
times it, fills every template the way a unit does (openpyxl, via ``ctre_xl.sample.fill_template``,
with seeded figures that respect the catalogue's rules), then measures on those same files:

* the merge as a user runs it (``ctre-xl merge --json`` in a child process): wall time, files per
  second and the peak resident memory of the whole process tree (the merge reads on two cores);
* (a) parsing every file with python-calamine in one process (every sheet, ``to_python()``);
* (b) loading every file with openpyxl ``read_only=True`` (every row of every sheet).

It prints the machine, the command line and a table of the targets with PASS/FAIL:
merge ≤ 1.5 × calamine parse; peak RSS ≤ 300 MB at 2,600 files; 2,600 templates ≤ 60 s.

Usage::

    python benchmarks/bench_merge.py [--schools 2600 500] [--workdir DIR] [--keep] [--profile]

This is a script, not a test: pytest only collects ``tests/``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import platform
import pstats
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

import psutil

from ctre_xl.catalog import Catalog, load_catalog
from ctre_xl.demo import load_demo_data, plausible_figures
from ctre_xl.files import Workspace
from ctre_xl.units import Registry, department_units, school_unit, write_registry_workbook

YEAR = 2026
SEED = 20260501
LEVEL_SHARES = (("mam-non", 0.35), ("tieu-hoc", 0.40), ("thcs", 0.25))
LEVEL_NAMES = {"mam-non": "Mầm non", "tieu-hoc": "Tiểu học", "thcs": "THCS"}
LEVEL_CODES = {"mam-non": "mn", "tieu-hoc": "th", "thcs": "thcs"}
LEVEL_FOLDERS = {"mam-non": "mam non", "tieu-hoc": "tieu hoc", "thcs": "thcs", None: "phong ban"}
PLACES = ("Xuân Trường", "Xuân Hoà", "Xuân Ninh", "Xuân Phú", "Xuân Thành", "Xuân Tân", "Thọ Nghiệp",
          "Xuân Vinh", "Trà Lũ", "Xuân Bắc", "Xuân Phong", "Xuân Đài", "Xuân Thượng", "Xuân Kiên")
FILL_WORKERS = 2
DEMO_SCHOOLS = 5  # schools of the commune that data/demo.toml's figures describe
SAMPLE_EVERY = 0.01  # seconds between two memory samples of the merge's process tree

READ_PHASE = "read files (2 processes)"
OUTPUT_PHASES = ("findings workbook", "summary workbook")

TARGET_RATIO = 1.5  # merge ≤ 1.5 × calamine parse
TARGET_RSS_MB = 300.0  # at 2,600 files
TARGET_TEMPLATES_S = 60.0  # for 2,600 units
TARGET_SIZE = 2600  # the size at which the RSS and templates targets apply


@dataclass
class SizeResult:
    """Everything measured for one registry size."""

    schools: int
    units: int
    templates_s: float
    fill_s: float
    files: int
    inbox_mb: float
    merge_s: float
    merge_rss_tree_mb: float
    merge_rss_max_mb: float
    merge_phases: dict[str, float]
    merge_status: dict[str, int]
    merge_findings: dict[str, int]
    calamine_s: float
    openpyxl_s: float


# ----------------------------------------------------------------------------- setup


def build_registry(catalog: Catalog, schools: int, rng: random.Random) -> Registry:
    """The departments plus ``schools`` schools, levels in the shares of LEVEL_SHARES (shuffled)."""
    levels: list[str] = []
    for level, share in LEVEL_SHARES[:-1]:
        levels += [level] * round(schools * share)
    levels += [LEVEL_SHARES[-1][0]] * (schools - len(levels))
    rng.shuffle(levels)
    units = []
    for number, level in enumerate(levels, start=1):
        place = PLACES[number % len(PLACES)]
        code = f"{LEVEL_CODES[level]}-{number:04d}"
        name = f"Trường {LEVEL_NAMES[level]} {place} số {number}"
        units.append(school_unit(catalog, code, name, level, f"Hiệu trưởng, 09{number:08d}"))
    return Registry(tuple(department_units(catalog) + units), source="danh sách trường của phép đo")


def _fill_job(job: tuple[str, str, dict[str, object], dict[str, str], date, str]) -> None:
    """Fill one template (runs in a worker process)."""
    from ctre_xl.sample import fill_template

    template, out, values, notes, report_day, unit_name = job
    fill_template(Path(template), Path(out), values, notes=notes, report_date=report_day,
                  preparer={"preparer_name": "Nguyễn Thị Lan", "preparer_phone": "0912 345 678"},
                  free_text={"report_results": f"{unit_name} đã triển khai đầy đủ Kế hoạch năm {YEAR}.",
                             "report_difficulties": "Kinh phí cho hoạt động vui chơi còn hạn chế."})


def fill_jobs(catalog: Catalog, registry: Registry, workspace: Workspace,
              rng: random.Random) -> list[tuple[str, str, dict[str, object], dict[str, str], date, str]]:
    """One filling job per unit: seeded, rule-consistent figures, a note, a report date, a folder."""
    data = load_demo_data()
    # The demo's figures describe a commune of DEMO_SCHOOLS schools: the departments' counts (its
    # population) grow with the number of schools, so the commune rules (schools' totals ≤ the
    # commune's children) hold. One integer factor keeps every within-unit rule true as well.
    factor = max(1, math.ceil(len(registry.schools) / DEMO_SCHOOLS))
    jobs = []
    for number, unit in enumerate(registry.expected):
        values: dict[str, object] = dict(plausible_figures(catalog, unit, YEAR, data, rng))
        if unit.kind == "department":
            values = {code: value * factor if catalog.elements[code].kind == "count" else value
                      for code, value in values.items()}
        metrics = catalog.metrics_for_elements(unit.elements)
        notes = {metrics[0].code: "Số liệu theo sổ theo dõi của đơn vị."} if metrics else {}
        template = workspace.templates_dir(YEAR) / f"{unit.id}.xlsx"
        # Files arrive under any name in any folder: mimic what people save from Zalo or e-mail.
        folder = workspace.inbox / f"nhan qua zalo {YEAR}" / LEVEL_FOLDERS[unit.level]
        target = folder / f"Bao cao tre em {YEAR} - {unit.name} ({unit.id}).xlsx"
        jobs.append((str(template), str(target), values, notes, date(YEAR, 11, 1 + number % 9), unit.name))
    return jobs


def fill_all(jobs: list[tuple[str, str, dict[str, object], dict[str, str], date, str]]) -> None:
    """Fill every template on FILL_WORKERS processes (openpyxl takes ~0.1 s per file)."""
    with ProcessPoolExecutor(FILL_WORKERS) as pool:
        for _ in pool.map(_fill_job, jobs, chunksize=max(1, len(jobs) // (FILL_WORKERS * 16))):
            pass


def inbox_files(workspace: Workspace) -> list[Path]:
    return sorted(p for p in workspace.inbox.rglob("*.xlsx") if p.is_file())


def warm_cache(paths: list[Path]) -> int:
    """Read every file once so that every timed pass finds it in the page cache; returns bytes."""
    total = 0
    for path in paths:
        total += len(path.read_bytes())
    return total


# ----------------------------------------------------------------------------- measuring


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def best_of(runs: int, action: Callable[[], Any]) -> float:
    return min(timed(action)[0] for _ in range(runs))


def parse_calamine(paths: list[Path]) -> int:
    """Every sheet of every workbook through python-calamine, in this one process; returns cells."""
    from python_calamine import CalamineWorkbook

    cells = 0
    for path in paths:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python()
            cells += sum(len(row) for row in rows)
        workbook.close()
    return cells


def parse_openpyxl(paths: list[Path]) -> int:
    """Every row of every sheet of every workbook with openpyxl read-only; returns rows."""
    from openpyxl import load_workbook

    rows = 0
    for path in paths:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for sheet in workbook.worksheets:
                for _row in sheet.iter_rows(values_only=True):
                    rows += 1
        finally:
            workbook.close()
    return rows


def merge_command(workspace: Workspace) -> list[str]:
    return [sys.executable, "-m", "ctre_xl.cli", "--workspace", str(workspace.root), "merge",
            "--year", str(YEAR), "--json"]


def run_merge_child(workspace: Workspace, output: Path) -> tuple[float, float, float, dict[str, Any]]:
    """Run the merge CLI as a child; (wall s, peak tree RSS MB, peak single-process RSS MB, JSON).

    The tree figure is the peak of the sum of the RSS of the child and all its descendants,
    sampled every SAMPLE_EVERY s (an upper bound: pages shared by the forked workers count twice).
    The kernel's ru_maxrss is not used: Linux carries the parent's high-water mark across
    fork + exec, so it would report this script's own memory.
    """
    peak = [0, 0]  # tree sum, largest single process
    done = threading.Event()
    with open(output, "wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(merge_command(workspace), stdout=sink, stderr=subprocess.PIPE)
        watched = psutil.Process(process.pid)

        def sample() -> None:
            while not done.is_set():
                try:
                    tree = [watched, *watched.children(recursive=True)]
                    sizes = []
                    for proc in tree:
                        try:
                            sizes.append(proc.memory_info().rss)
                        except psutil.Error:
                            pass
                    peak[0] = max(peak[0], sum(sizes))
                    peak[1] = max(peak[1], max(sizes, default=0))
                except psutil.Error:
                    return
                done.wait(SAMPLE_EVERY)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        errors = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        process.wait()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"merge failed (exit {process.returncode}):\n{errors}")
    result = json.loads(output.read_text("utf-8"))
    return wall, peak[0] / 2**20, peak[1] / 2**20, result


# Run in a fresh child: times the merge's phases the way run_merge chains them (with its
# two-core reading), so the table can say how much of the merge is reading and how much writing.
_PHASES_CHILD = """
import json, sys, time
from pathlib import Path
from ctre_xl import merging
from ctre_xl.catalog import load_catalog
from ctre_xl.files import Workspace
from ctre_xl.report import write_findings_workbook
from ctre_xl.summary import write_summary
from ctre_xl.units import load_registry

start = time.perf_counter()
workspace, year = Workspace(Path(sys.argv[1])), int(sys.argv[2])
catalog = load_catalog()
registry = load_registry(workspace.root, catalog)
times = {"start-up, catalogue, registry": time.perf_counter() - start}
reading = merging.read_all
def timed_read_all(*args, **kwargs):
    began = time.perf_counter()
    try:
        return reading(*args, **kwargs)
    finally:
        times["read files (2 processes)"] = time.perf_counter() - began
merging.read_all = timed_read_all
began = time.perf_counter()
result = merging.merge_inbox(catalog, registry, workspace, year)
times["identify, validate, compute"] = time.perf_counter() - began - times["read files (2 processes)"]
outbox = workspace.outbox_dir(year)
began = time.perf_counter()
write_findings_workbook(result, outbox / f"kiem-tra-{year}.xlsx")
times["findings workbook"] = time.perf_counter() - began
began = time.perf_counter()
write_summary(result, catalog, registry, outbox / f"tong-hop-{year}.xlsx")
times["summary workbook"] = time.perf_counter() - began
print(json.dumps(times))
"""


def merge_phases(workspace: Workspace) -> dict[str, float]:
    """Seconds spent in each phase of a merge, measured in a fresh child process."""
    done = subprocess.run([sys.executable, "-c", _PHASES_CHILD, str(workspace.root), str(YEAR)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli_startup_s() -> float:
    """Interpreter start plus the CLI's imports: a fixed cost inside every merge wall time."""
    return best_of(2, lambda: subprocess.run([sys.executable, "-m", "ctre_xl.cli", "--version"],
                                             check=True, capture_output=True))


def count(items: list[dict[str, Any]], key: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for item in items:
        found[item[key]] = found.get(item[key], 0) + 1
    return dict(sorted(found.items(), key=lambda kv: -kv[1]))


# ----------------------------------------------------------------------------- one size


def bench_size(catalog: Catalog, schools: int, root: Path, profile: bool) -> SizeResult:
    """Build, fill and measure one registry size under ``root``."""
    rng = random.Random(SEED + schools)
    workspace = Workspace(root / f"n{schools}")
    shutil.rmtree(workspace.root, ignore_errors=True)
    workspace.ensure()
    registry = build_registry(catalog, schools, rng)
    write_registry_workbook(workspace.registry_path, catalog,
                            [(u.id, u.name, u.level or "", u.contact) for u in registry.schools])
    units = len(registry.expected)
    print(f"\n=== {schools} trường ({units} đơn vị có biểu mẫu) in {workspace.root}", flush=True)

    from ctre_xl.templates import write_templates

    templates_s, written = timed(lambda: write_templates(catalog, registry, workspace, YEAR))
    print(f"  templates: {len(written)} files in {templates_s:.1f} s", flush=True)

    fill_s, _ = timed(lambda: fill_all(fill_jobs(catalog, registry, workspace, rng)))
    paths = inbox_files(workspace)
    print(f"  filling (setup, no target): {len(paths)} files in {fill_s:.1f} s", flush=True)

    inbox_bytes = warm_cache(paths)
    warm_cache(paths)

    merge_s, tree_mb, max_mb, result = run_merge_child(workspace, root / f"merge-n{schools}.json")
    print(f"  merge: {merge_s:.1f} s, peak RSS tree {tree_mb:.0f} MB", flush=True)
    phases = merge_phases(workspace)
    print("  merge phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()), flush=True)
    calamine_s = best_of(2, lambda: parse_calamine(paths))
    print(f"  calamine parse: {calamine_s:.1f} s", flush=True)
    openpyxl_s, _ = timed(lambda: parse_openpyxl(paths))
    print(f"  openpyxl read-only: {openpyxl_s:.1f} s", flush=True)
    if profile:
        print_profile(catalog, workspace, len(paths))
    return SizeResult(
        schools=schools, units=units, templates_s=templates_s, fill_s=fill_s, files=len(paths),
        inbox_mb=inbox_bytes / 2**20, merge_s=merge_s, merge_rss_tree_mb=tree_mb, merge_rss_max_mb=max_mb,
        merge_phases=phases,
        merge_status=count(result["files"], "status"), merge_findings=count(result["issues"], "kind"),
        calamine_s=calamine_s, openpyxl_s=openpyxl_s,
    )


def print_profile(catalog: Catalog, workspace: Workspace, files: int, top: int = 30) -> None:
    """cProfile of run_merge in this process, reading sequentially so the readers show up.

    With the process pool the reading happens in workers cProfile does not see; this profile is of
    one core's work (its total is about twice the two-core wall time of the reading part).
    """
    from ctre_xl import merging
    from ctre_xl.units import load_registry

    saved = merging.PARALLEL_FROM
    merging.PARALLEL_FROM = files + 1
    profiler = cProfile.Profile()
    try:
        registry = load_registry(workspace.root, catalog)
        profiler.enable()
        merging.run_merge(catalog, registry, workspace, YEAR)
        profiler.disable()
    finally:
        merging.PARALLEL_FROM = saved
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(order).print_stats(top)
        print(f"\n--- profile of run_merge, one process, {files} files, by {order} ---")
        print(text.getvalue().split("\n", 4)[-1].rstrip())


# ----------------------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_report(results: list[SizeResult], startup_s: float) -> None:
    cores = os.cpu_count() or 1
    print("\n" + "=" * 100)
    print(f"Machine: {platform.machine()}, {cores} cores, {psutil.virtual_memory().total / 2**30:.0f} GB RAM, "
          f"{platform.system()} {platform.release()}")
    print(f"Python {platform.python_version()} ({sys.executable})")
    print(f"Command: {shlex.join([sys.executable, *sys.argv])}")
    print(f"CLI start-up (python -m ctre_xl.cli --version), included in every merge time: {startup_s:.2f} s")
    header = (f"{'schools':>7} {'files':>6} {'MB':>5} {'templ s':>8} {'fill s':>7} {'merge s':>8} {'files/s':>8} "
              f"{'RSS tree':>9} {'RSS 1 pr':>9} {'calam s':>8} {'opxl s':>7} {'m/calam':>8} {'m/opxl':>7}")
    print("\n" + header)
    print("-" * len(header))
    for r in results:
        print(f"{r.schools:>7} {r.files:>6} {r.inbox_mb:>5.1f} {r.templates_s:>8.1f} {r.fill_s:>7.1f} "
              f"{r.merge_s:>8.2f} {r.files / r.merge_s:>8.0f} {r.merge_rss_tree_mb:>7.0f}MB "
              f"{r.merge_rss_max_mb:>7.0f}MB {r.calamine_s:>8.2f} {r.openpyxl_s:>7.2f} "
              f"{r.merge_s / r.calamine_s:>8.2f} {r.merge_s / r.openpyxl_s:>7.2f}")
    print("\nMerge outcome (file statuses; findings by kind):")
    for r in results:
        print(f"  {r.schools:>5} schools: {r.merge_status}; {r.merge_findings or 'no findings'}")
    print("\nWhere the merge's time goes (separate child run, same files):")
    for r in results:
        total = sum(r.merge_phases.values())
        parts = ", ".join(f"{k} {v:.2f} s ({v / total:.0%})" for k, v in r.merge_phases.items())
        print(f"  {r.schools:>5} schools: {parts}")
        read = r.merge_phases.get(READ_PHASE, 0.0)
        inbox_only = sum(v for k, v in r.merge_phases.items() if k not in OUTPUT_PHASES)
        print(f"  {'':>5}          reading alone / calamine = {read / r.calamine_s:.2f}; merge without its "
              f"output workbooks ({inbox_only:.2f} s) / calamine = {inbox_only / r.calamine_s:.2f}")
    print("\nTargets:")
    for r in results:
        ratio = r.merge_s / r.calamine_s
        print(f"  {r.schools:>5} schools  merge ≤ {TARGET_RATIO} × calamine parse: "
              f"{r.merge_s:.2f} s vs {TARGET_RATIO * r.calamine_s:.2f} s (ratio {ratio:.2f})  {verdict(ratio <= TARGET_RATIO)}")
        if r.schools == TARGET_SIZE:
            print(f"  {r.schools:>5} schools  peak RSS ≤ {TARGET_RSS_MB:.0f} MB (whole process tree): "
                  f"{r.merge_rss_tree_mb:.0f} MB  {verdict(r.merge_rss_tree_mb <= TARGET_RSS_MB)}")
            print(f"  {r.schools:>5} schools  templates for {r.units} units ≤ {TARGET_TEMPLATES_S:.0f} s: "
                  f"{r.templates_s:.1f} s  {verdict(r.templates_s <= TARGET_TEMPLATES_S)}")
    if not any(r.schools == TARGET_SIZE for r in results):
        print(f"  (the RSS and templates targets are stated for {TARGET_SIZE} schools, not measured in this run)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, nargs="+", default=[2600, 500], metavar="N",
                        help="registry sizes to measure (default: 2600 500)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where to build the workspaces (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated workspaces")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of a one-process merge for each size")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.schools):
        parser.error("--schools takes positive numbers")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    catalog = load_catalog()
    root = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="ctre-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        startup_s = cli_startup_s()
        results = [bench_size(catalog, n, root, args.profile) for n in args.schools]
        print_report(results, startup_s)
    finally:
        if args.keep:
            print(f"\nWorkspaces kept in {root}")
        else:
            for n in args.schools:
                shutil.rmtree(root / f"n{n}", ignore_errors=True)
                (root / f"merge-n{n}.json").unlink(missing_ok=True)
            if not args.workdir:
                shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
