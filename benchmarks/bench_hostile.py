"""Time and peak memory of reading each hostile file (issue 5: each in < 2 s and < 200 MB).

Usage: python benchmarks/bench_hostile.py

Builds the hostile files of tests/test_hostile.py from a real template, then reads each one in a
fresh child process (so peak RSS is that file's alone) and prints wall time, peak RSS of the
child and the status/message the user would see.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # reuse the hostile-file builders of the tests

TARGET_SECONDS, TARGET_MB = 2.0, 200


def _read_one(path: str, inbox: str, queue: multiprocessing.Queue) -> None:
    from ctre_xl.plan.load import load_catalog
    from ctre_xl.read.submission import read_submission
    from ctre_xl.plan.units import default_registry

    catalog = load_catalog()
    registry = default_registry(catalog)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    outcome = read_submission(Path(path), Path(inbox), catalog, registry)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((elapsed, peak / 1024, (peak - baseline) / 1024, outcome.record.status, outcome.record.reason))


def main() -> int:
    from ctre_xl.plan.load import load_catalog
    from ctre_xl.plan.units import default_registry
    from reading_helpers import fill, make_template
    from test_hardening_guards import GUARDS
    from test_hardening_limits import LIMITS, compressible_strings
    from test_hostile import HOSTILE, YEAR

    catalog = load_catalog()
    registry = default_registry(catalog)
    # forkserver: each child starts from a small server process, not from this one (which holds
    # the hostile files it built; Linux keeps a parent's peak RSS in a child's ru_maxrss).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    context.Process(target=int).start()  # start the server now, while this process is small
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        template = make_template(catalog, registry, "th-vi-du", YEAR, root / "template.xlsx")
        filled = fill(template, {"primary_completers": 120, "primary_grade1_cohort": 130}, root / "filled.xlsx")
        inbox = root / "inbox"
        inbox.mkdir()
        print(f"{'case':<22} {'seconds':>8} {'peak RSS MB':>12} {'growth MB':>10}  result")
        # issue 11: the guards once walked around, built from the same filled file ("bench.xlsx": a million entries)
        builders = {case: HOSTILE[case][0] for case in HOSTILE} | {
            case: (lambda build: lambda good, _target: build(good, root / "bench.xlsx"))(build)
            for case, build in GUARDS.items()}
        # issue 11: memory and time (shared strings, nesting), with the 100 MB table
        builders |= {case: (lambda build: lambda good, target: build(good, target).read_bytes())(entry[0])
                     for case, entry in LIMITS.items()}
        builders["strings-100MB"] = lambda good, target: compressible_strings(good, target, megabytes=100).read_bytes()
        for case in sorted(builders):
            try:
                data = builders[case](filled, root / f"{case}.tmp")
            except ImportError as exc:  # msoffcrypto-tool (the test extra) builds the encrypted file
                print(f"{case:<22} skipped: {exc}")
                continue
            path = inbox / f"{case}.xlsx"
            path.write_bytes(data)
            queue = context.Queue()
            child = context.Process(target=_read_one, args=(str(path), str(inbox), queue))
            child.start()
            elapsed, peak_mb, growth_mb, status, reason = queue.get()
            child.join()
            ok = elapsed < TARGET_SECONDS and peak_mb < TARGET_MB
            failures += not ok
            print(f"{case:<22} {elapsed:8.3f} {peak_mb:12.1f} {growth_mb:10.1f}  "
                  f"{'PASS' if ok else 'FAIL'} {status}: {reason[:70]}")
    print(f"\nTarget: each < {TARGET_SECONDS} s and < {TARGET_MB} MB peak RSS (child process, "
          "interpreter and libraries included).")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
