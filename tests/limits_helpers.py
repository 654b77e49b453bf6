"""Bounds the hostile-file tests share: the memory a read may take, the processes a Ctrl-C leaves."""

from __future__ import annotations

import os
import tracemalloc
from typing import Callable

import psutil

PEAK_BYTES = 200 * 1024 * 1024  # the hostile-file budget (benchmarks/bench_hostile.py prints the figures)


def bounded(action: Callable[[], object], limit: int = PEAK_BYTES) -> object:
    """Run ``action`` under tracemalloc; assert its peak stays under ``limit``; return its result."""
    tracemalloc.start()
    try:
        result = action()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit, f"peak {peak / 2**20:.0f} MB"
    return result


def group_state(pgid: int) -> str:
    """What the live processes of group ``pgid`` are doing, and the machine's load: for the message of
    a test that found one still running (blocked, or busy on a busy machine?)."""
    described = []
    for pid in still_running(pgid):
        try:
            process = psutil.Process(pid)
            with process.oneshot():
                times = process.cpu_times()
                described.append(f"{pid} {process.status()} {process.num_threads()} threads, "
                                 f"{times.user + times.system:.2f} s CPU: {' '.join(process.cmdline())[-80:]}")
        except psutil.Error:
            continue
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    try:  # a leader that has ended (a zombie) with its workers alive: the workers outlived the command
        leader = psutil.Process(pgid).status()
    except psutil.Error:
        leader = "gone"
    return f"load {load}; leader {pgid} {leader}; " + "; ".join(described)


def still_running(pgid: int) -> list[int]:
    """Live (not zombie) processes of the process group ``pgid``."""
    found = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process.pid)
        except (ProcessLookupError, psutil.Error):
            continue
    return found
