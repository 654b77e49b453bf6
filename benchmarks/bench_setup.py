"""Setup and raw measurements for bench_merge.py: the registry of N schools, filled templates, the
two raw parsers it is compared with, and a child-process runner that samples the RSS of its tree."""

from __future__ import annotations

import json
import math
import random
import subprocess
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import psutil

from ctre_xl.plan.catalog import Catalog
from ctre_xl.demo.run import load_demo_data, plausible_figures
from ctre_xl.files import Workspace
from ctre_xl.plan.units import Registry, department_units, school_unit
from ctre_xl.plan.vocab import ElementKind

YEAR = 2026
LEVEL_SHARES = (("mam-non", 0.35), ("tieu-hoc", 0.40), ("thcs", 0.25))
LEVEL_NAMES = {"mam-non": "Mầm non", "tieu-hoc": "Tiểu học", "thcs": "THCS"}
LEVEL_CODES = {"mam-non": "mn", "tieu-hoc": "th", "thcs": "thcs"}
LEVEL_FOLDERS = {"mam-non": "mam non", "tieu-hoc": "tieu hoc", "thcs": "thcs", None: "phong ban"}
PLACES = ("Xuân Trường", "Xuân Hoà", "Xuân Ninh", "Xuân Phú", "Xuân Thành", "Xuân Tân", "Thọ Nghiệp",
          "Xuân Vinh", "Trà Lũ", "Xuân Bắc", "Xuân Phong", "Xuân Đài", "Xuân Thượng", "Xuân Kiên")
FILL_WORKERS = 2
DEMO_SCHOOLS = 5  # schools of the commune that data/demo.toml's figures describe
SAMPLE_EVERY = 0.01  # seconds between two memory samples of a child's process tree


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
    from ctre_xl.demo.sample import fill_template

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
            values = {code: value * factor if catalog.elements[code].kind == ElementKind.COUNT else value
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


def run_sampled(command: list[str], output: Path) -> tuple[float, float, float, dict[str, Any]]:
    """Run ``command`` as a child; (wall s, peak tree RSS MB, peak single-process RSS MB, JSON output).

    The tree figure is the peak of the sum of the RSS of the child and all its descendants,
    sampled every SAMPLE_EVERY s (an upper bound: pages shared by the forked workers count twice).
    The kernel's ru_maxrss is not used: Linux carries the parent's high-water mark across
    fork + exec, so it would report this script's own memory.
    """
    peak = [0, 0]  # tree sum, largest single process
    done = threading.Event()
    with open(output, "wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE)
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
        raise SystemExit(f"{command[2:4]} failed (exit {process.returncode}):\n{errors}")
    result = json.loads(output.read_text("utf-8"))
    return wall, peak[0] / 2**20, peak[1] / 2**20, result
