"""Reading every file of the inbox for the merge: on both cores when there are many.

A file that cannot be read becomes a rejected record with its reason, never an exception: one
broken workbook must not stop the merge of forty others.
"""

from __future__ import annotations

import logging
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import FileStatus
from ctre_xl.read.model import FileRecord, Submission
from ctre_xl.read.submission import read_submission  # imported before the pool forks: workers start with it
from ctre_xl.collector import collector_resumed
from ctre_xl.workers import WORKERS, start_worker, two_cores, worker_pool

PARALLEL_FROM = 24  # below this many files, starting worker processes costs more than it saves
MAX_CHUNK = 16  # files per task: Ctrl-C waits for the tasks already running, so keep them short

Progress = Callable[[int], Any]
_LOG = logging.getLogger(__name__)


@dataclass
class FileRead:
    """What the reader made of one file (a picklable ReadOutcome)."""

    record: FileRecord
    submission: Submission | None
    findings: list[Finding] = field(default_factory=list)


_WORKER: dict[str, Any] = {}


def _init_worker(inbox: Path, catalog: Catalog, registry: Registry, allow_sample: bool) -> None:
    start_worker()  # the parent alone handles Ctrl-C; the collector runs here (workers.py)
    _WORKER.update(inbox=inbox, catalog=catalog, registry=registry, allow_sample=allow_sample)


def _read_in_worker(paths: list[Path]) -> list[FileRead]:
    return [_read_one(path, _WORKER["inbox"], _WORKER["catalog"], _WORKER["registry"], _WORKER["allow_sample"])
            for path in paths]


def _read_one(path: Path, inbox: Path, catalog: Catalog, registry: Registry, allow_sample: bool) -> FileRead:
    try:
        outcome = read_submission(path, inbox, catalog, registry, allow_sample=allow_sample)
    except Exception as exc:  # one unreadable file must never stop the merge of forty others
        relative = _relative(path, inbox)
        # The exception's own (English) text is for a developer's log, never for the user's message.
        _LOG.debug("reading %s failed", relative, exc_info=exc)
        finding = FindingKind.READ_FAILED.finding(file=relative)
        record = FileRecord(path=relative, unit=None, status=FileStatus.REJECTED, reason=finding.message)
        return FileRead(record, None, [finding])
    return FileRead(outcome.record, outcome.submission, list(outcome.findings))


def _relative(path: Path, inbox: Path) -> str:
    try:
        return Path(path).relative_to(inbox).as_posix()
    except ValueError:
        return Path(path).name


def _read_in_pool(paths: list[Path], initargs: tuple[Any, ...], advance: Callable[[], None]) -> list[FileRead]:
    """Read ``paths`` in chunks on the worker processes, results in order.

    Each chunk is a future of our own (not ``pool.map``): on Ctrl-C the chunks not started are
    cancelled, one by one, and the pool is shut down without ``cancel_futures``, whose race with
    the pool's own thread (CPython's "InvalidStateError: CANCELLED") could leave it hanging. Only
    the chunks already running are waited for, and they are short (``MAX_CHUNK``). Ctrl-C is
    raised from the wait for a chunk, never inside the pool's locks (``workers.worker_pool``).
    """
    chunk = min(MAX_CHUNK, max(1, len(paths) // (WORKERS * 8)))
    results: list[FileRead] = []
    with worker_pool(WORKERS, _init_worker, initargs) as pool:
        for future in pool.submit_all(_read_in_worker, (paths[at:at + chunk] for at in range(0, len(paths), chunk))):
            for outcome in pool.result(future):
                results.append(outcome)
                advance()
    return results


def read_all(paths: list[Path], inbox: Path, catalog: Catalog, registry: Registry, *,
             allow_sample: bool = False, progress: Progress | None = None) -> list[FileRead]:
    """Read every file, on both cores when there are many; results in the order of ``paths``."""
    bar = progress(len(paths)) if progress is not None and paths else nullcontext()
    results: list[FileRead] = []
    with bar as shown:
        def advance() -> None:
            if shown is not None:
                shown.update(1)

        if len(paths) >= PARALLEL_FROM and two_cores():
            try:
                return _read_in_pool(paths, (inbox, catalog, registry, allow_sample), advance)
            except (OSError, NotImplementedError, BrokenProcessPool):
                results.clear()  # no worker processes here (sandbox): read in this process
        with collector_resumed():  # a file's garbage has cycles (ElementTree's streaming parser)
            for path in paths:
                results.append(_read_one(path, inbox, catalog, registry, allow_sample))
                advance()
    return results
