"""Whole-process measurements for bench_merge.py: run one or more commands at once, time them from
spawn to the last exit and sample the resident memory of every process they start."""

from __future__ import annotations

import json
import os
import posixpath
import resource
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import psutil

from ctre_xl.template.layout import INPUT_SHEET, NARRATIVE_SHEET

SAMPLE_EVERY = 0.01  # seconds between two samples of the RSS (/proc/<pid>/statm: a few µs a process)
# The PSS (/proc/<pid>/smaps_rollup) costs the kernel a walk of every page: 1.3 ms for a process of 100 MB,
# 12 ms at 900 MB. Sampled every 10 ms, it kept a core of this 2-core machine busy half the time and
# slowed the merge it measured by 11 % at 2,600 files and about 30 % at 66,000 (and calamine, a small
# process, hardly at all). It is sampled whenever the RSS sum reaches a new high, and otherwise after
# PSS_QUIET times the cost of its last sample: between new highs, under 3 % of a core.
PSS_QUIET = 40
PSS_RISE = 1.01  # a new PSS sample when the RSS sum has grown by 1 % since the last one
# The process tree is read from /proc/<pid>/task/<tid>/children: psutil's children() reads every process
# of the machine (2 ms, a fifth of a core at 100 samples a second).
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Measured:
    """Every run of one measurement: wall seconds and peak memory of all its processes."""

    name: str
    walls: list[float] = field(default_factory=list)
    peaks_mb: list[float] = field(default_factory=list)  # sum of RSS: shared pages counted in every process
    peaks_pss_mb: list[float] = field(default_factory=list)  # sum of PSS: each shared page divided among its sharers
    cpus: list[float] = field(default_factory=list)  # CPU seconds (user + system) of all its processes
    stdout: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def peak_mb(self) -> float:
        return max(self.peaks_mb)

    @property
    def peak_pss_mb(self) -> float:
        return max(self.peaks_pss_mb)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def run_group(commands: list[list[str]], stdout_to: Path | None = None, *, env: dict[str, str] | None = None,
              cwd: Path | None = None, accepted: tuple[int, ...] = (0,)) -> tuple[float, float, float, float, str]:
    """Start every command at once (``env``, ``cwd``: their environment and folder, this one's by
    default: a ``-m``/``-c`` child run in a checkout imports that checkout's package before any on
    PYTHONPATH); (wall s until
    the last exits, peak MiB of the sum of the RSS of all their processes, children included, peak
    MiB of the sum of their PSS, CPU seconds of all their processes, the first command's stdout).
    An exit code not in ``accepted`` stops the benchmark with the command's error output.

    The CPU seconds are this process's ``RUSAGE_CHILDREN`` before and after: every process the
    commands start is waited for by its parent, so its time is counted (user + system).

    The RSS sum counts pages shared by forked workers (and the interpreter's own libraries) in
    every process: an upper bound. The PSS sum (``/proc/<pid>/smaps_rollup``) divides each shared
    page among the processes that share it: the memory all of them really take together. The
    kernel's ru_maxrss is not used: Linux carries the parent's high-water mark across fork + exec.
    """
    peak = [0, 0]
    done = threading.Event()
    sink = open(stdout_to, "wb") if stdout_to else subprocess.PIPE
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        processes = [subprocess.Popen(c, stdout=sink if i == 0 else subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                      cwd=cwd)
                     for i, c in enumerate(commands)]
        watched = [psutil.Process(p.pid) for p in processes]

        def sample() -> None:
            rss_at_pss, next_pss = 0, 0.0
            known: dict[int, psutil.Process] = {proc.pid: proc for proc in watched}
            while not done.is_set():
                tree = _processes(known, _process_tree([proc.pid for proc in watched]))
                rss = sum(_memory(proc, full=False) for proc in tree)
                peak[0] = max(peak[0], rss)
                now = time.perf_counter()
                if rss > rss_at_pss * PSS_RISE or now >= next_pss:
                    pss = sum(_memory(proc, full=True) for proc in tree)
                    peak[1] = max(peak[1], pss)
                    done_at = time.perf_counter()
                    rss_at_pss, next_pss = rss, done_at + PSS_QUIET * (done_at - now)
                done.wait(SAMPLE_EVERY)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        outputs = [p.communicate() for p in processes]
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        done.set()
        sampler.join()
    finally:
        if stdout_to:
            sink.close()  # type: ignore[union-attr]
    for command, process, (_out, err) in zip(commands, processes, outputs):
        if process.returncode not in accepted:
            raise SystemExit(f"{command[1:4]} failed (exit {process.returncode}):\n"
                             f"{err.decode('utf-8', 'replace')}")
    first = outputs[0][0].decode("utf-8", "replace") if outputs[0][0] else ""
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, peak[0] / 2**20, peak[1] / 2**20, cpu, first


def _process_tree(roots: list[int]) -> list[int]:
    """The pids of ``roots`` and all their descendants, read from each process's list of children
    (Linux); psutil's walk of every process where that list is missing."""
    found: list[int] = []
    waiting = list(roots)
    while waiting:
        pid = waiting.pop()
        found.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
            for task in tasks:
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    waiting += [int(child) for child in children.read().split()]
        except FileNotFoundError:  # ended, or no children lists here (another system, an older kernel)
            try:
                waiting += [child.pid for child in psutil.Process(pid).children()]
            except psutil.Error:
                continue  # it has ended
        except (OSError, ValueError):
            continue
    return found


def _processes(known: dict[int, psutil.Process], pids: list[int]) -> list[psutil.Process]:
    """A psutil handle of each pid (kept in ``known``, made once), those that have ended left out."""
    found = []
    for pid in pids:
        proc = known.get(pid)
        if proc is None:
            try:
                proc = known[pid] = psutil.Process(pid)
            except psutil.Error:
                continue
        found.append(proc)
    return found


def _memory(proc: psutil.Process, *, full: bool) -> int:
    """A process's RSS, or (``full``) its PSS where the system gives it; 0 once it has ended."""
    try:
        if full:
            info = proc.memory_full_info()
            return getattr(info, "pss", info.rss)
        return proc.memory_info().rss
    except psutil.Error:
        return 0


def input_sheet_entries(paths: list[Path]) -> list[list[str]]:
    """[[path, input sheet name, its zip part], ...] for the raw readers (resolved here, untimed)."""
    entries = []
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG}Relationship")}
        for sheet in book.iter(f"{_MAIN}sheet"):
            if sheet.get("name") in (INPUT_SHEET, NARRATIVE_SHEET):
                target = targets[sheet.get(f"{_REL}id")]
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                entries.append([str(path), sheet.get("name", ""), part])
                break
        else:
            raise SystemExit(f"{path}: no input sheet")
    return entries


def write_lists(entries: list[list[str]], folder: Path) -> tuple[Path, list[Path]]:
    """The whole list and its two interleaved halves as JSON files under ``folder``."""
    whole = folder / "entries.json"
    whole.write_text(json.dumps(entries), "utf-8")
    halves = []
    for index in range(2):
        half = folder / f"entries-{index}.json"
        half.write_text(json.dumps(entries[index::2]), "utf-8")
        halves.append(half)
    return whole, halves


def compiled_as_installed(*packages: Path) -> None:
    """Run ctre-xl as an installed copy runs: with its modules' bytecode compiled (pip compiles it
    at install). A checkout on a machine that sets PYTHONDONTWRITEBYTECODE would otherwise compile
    ~80 modules again in every measured process (~0.1 s each time). The bytecode goes to each
    package's __pycache__ folders, which git ignores; the measured processes inherit the setting."""
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        print("PYTHONDONTWRITEBYTECODE unset for the measured processes (an installed package has its bytecode)")
    for package in packages:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def require_package(package_root: Path, cwd: Path) -> None:
    """Stop unless a child started in ``cwd`` with PYTHONPATH at ``package_root`` imports that
    checkout's ctre_xl (old code against new must not measure the same code twice)."""
    found = subprocess.run([sys.executable, "-c", "import ctre_xl; print(ctre_xl.__file__)"], cwd=cwd,
                           env=dict(os.environ, PYTHONPATH=str(package_root)), capture_output=True, text=True)
    where = Path(found.stdout.strip()).resolve() if found.returncode == 0 else None
    if where is None or Path(package_root).resolve() not in where.parents:
        raise SystemExit(f"a child in {cwd} imports ctre_xl from {where}, not from {package_root}")
