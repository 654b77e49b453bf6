"""Writing the outputs of one merge, on both cores when there is enough to write.

The summary (tong-hop-<year>.xlsx) is by far the heaviest output, so this process writes it, while
one worker process writes the others at the same time, one task each: the findings workbook, the
reminders and every unit's feedback workbook. When the summary is done this process takes back
the tasks the worker has not begun (each is cancelled there first, so none is written twice), so
neither core waits while the other still has files to write. With fewer than ``PARALLEL_FROM``
other outputs (no feedback workbooks, or a few), or on one core, everything is written here, in
order: starting a process costs more than it saves.

The worker receives the merge result once, when it starts (inherited on Linux; pickled on
Windows, whose workers are spawned). Ctrl-C: the parent alone handles it (``workers.py``); the
tasks not begun are cancelled, the one running (a single workbook) finishes, and the pool is shut
down before the caller removes the staged files, so no file is left half-written.
"""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from ctre_xl.collector import collector_resumed
from ctre_xl.files import OutputBatch, folder_swept, mark_swept
from ctre_xl.interrupts import interrupts_allowed
from ctre_xl.merge.model import MergeResult
from ctre_xl.output.chase import REMINDERS_FILE, chase_report, reminders_text, write_reminders
from ctre_xl.output.feedback import FEEDBACK_DIR, feedback_cases, feedback_path, write_feedback
from ctre_xl.output.feedback_items import UnitFeedback
from ctre_xl.output.findings_workbook import write_findings_workbook
from ctre_xl.output.summary.workbook import write_summary
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.units import Registry
from ctre_xl.workers import WORKERS, WorkerPool, start_worker, two_cores, worker_pool

# kind -> file name in outbox/<year>/, in the order they are listed; the summary is written here.
MERGE_OUTPUTS = {"findings": "kiem-tra-{year}.xlsx", "summary": "tong-hop-{year}.xlsx", "reminders": REMINDERS_FILE}
HEAVIEST = "summary"
FEEDBACK = "feedback"
# A worker is started for at least this many outputs besides the summary (feedback workbooks,
# mostly): for the findings workbook and the reminders alone, starting it costs more than it saves.
PARALLEL_FROM = 8


@dataclass(frozen=True)
class Job:
    """One output to write: its kind, where it belongs, the staged file it is written to."""

    kind: str
    wanted: Path
    staged: Path
    case: UnitFeedback | None = None  # a feedback workbook's unit and what it has to fix


@dataclass(frozen=True)
class Context:
    """What every job needs, handed to the worker once."""

    result: MergeResult
    catalog: Catalog
    registry: Registry
    merged_on: datetime
    swept: Path | None = None  # the feedback folder, swept once for the batch (``files.folder_swept``)


def write_job(job: Job, context: Context) -> Path:
    """Write one output to its staged file; the path it went to (a writer may fall back)."""
    if job.kind == "summary":  # built and kept until it is closed: written inside the merge's pause
        return Path(write_summary(context.result, context.catalog, context.registry, job.staged))
    with collector_resumed():  # a workbook's garbage has cycles (XlsxWriter's objects): freed as it goes
        return _write_small(job, context)


def _write_small(job: Job, context: Context) -> Path:
    """The findings workbook, the reminders or a unit's feedback workbook."""
    result, catalog, registry = context.result, context.catalog, context.registry
    if job.kind == "findings":
        return Path(write_findings_workbook(result, catalog, job.staged))
    if job.kind == "reminders":
        return Path(write_reminders(reminders_text(chase_report(result, catalog, registry), catalog), job.staged))
    if job.kind == FEEDBACK and job.case is not None:
        write_feedback(job.case, catalog, result.year, job.staged, merged_on=context.merged_on)
        return job.staged
    raise ValueError(f"unknown output kind {job.kind!r}")


def write_merge_outputs(result: MergeResult, catalog: Catalog, registry: Registry, wanted: dict[str, Path],
                        batch: OutputBatch, folder: Path) -> dict[Path, str]:
    """Stage and write every output of a merge (``wanted``: kind -> path) and every unit's feedback
    workbook; returns each feedback workbook's wanted path -> its unit id."""
    cases = feedback_cases(result, catalog, registry)
    feedback_folder = Path(folder) / FEEDBACK_DIR
    if cases:
        feedback_folder.mkdir(parents=True, exist_ok=True)
    with folder_swept(feedback_folder):  # one sweep for every unit's feedback workbook
        jobs = [Job(kind, path, batch.stage(path)) for kind, path in wanted.items()]
        for case in cases:
            path = feedback_path(folder, case.unit.id)
            jobs.append(Job(FEEDBACK, path, batch.stage(path), case))
        context = Context(result, catalog, registry, datetime.now(), feedback_folder)

        def done(job: Job, path: Path) -> None:
            batch.written(job.wanted, path)

        if len(jobs) > PARALLEL_FROM and two_cores():
            write_in_pool(jobs, context, done)
        else:
            for job in jobs:
                done(job, write_job(job, context))
    return {job.wanted: job.case.unit.id for job in jobs if job.case is not None}


_WORKER: dict[str, Context] = {}


def _init_worker(context: Context) -> None:
    start_worker()
    _WORKER["context"] = context
    if context.swept is not None:
        mark_swept(context.swept)


def _write_in_worker(job: Job) -> Path:
    return write_job(job, _WORKER["context"])


def write_in_pool(jobs: list[Job], context: Context, done: Callable[[Job, Path], None]) -> None:
    """The heaviest job here, the others on one worker; ``done`` is told where each went as it ends.

    Ctrl-C stops this process's own writing at once; elsewhere it is held back (a future cancelled
    or waited for, the pool closing) and raised from the wait, never inside the pool's locks nor
    before the pool is closed (``workers.worker_pool``).
    """
    mine = [index for index, job in enumerate(jobs) if job.kind == HEAVIEST] or [0]
    others = [index for index in range(len(jobs)) if index not in mine]
    written: set[int] = set()

    def write_here(index: int, path: Path | None = None) -> None:
        with interrupts_allowed():
            done(jobs[index], path if path is not None else write_job(jobs[index], context))
        written.add(index)

    with worker_pool(WORKERS - 1, _init_worker, (context,)) as pool:
        try:
            futures = dict(zip(others, pool.submit_all(_write_in_worker, [jobs[index] for index in others])))
        except (OSError, NotImplementedError, BrokenProcessPool):  # no worker process here (sandbox)
            futures = {}
            mine = list(range(len(jobs)))
            others = []
        for index in mine:
            write_here(index)
        for index in reversed(others):  # take back, from the end, what the worker has not begun
            if futures[index].cancel():
                write_here(index)
        for index in others:
            if index not in written:
                write_here(index, _worker_result(pool, futures[index]))
        # the task running finishes (the pool is closed) before its staged file can be removed


def _worker_result(pool: WorkerPool, future: Future[Path]) -> Path | None:
    """The worker's path for a job; None (the job is then written here) when the worker could not
    start or died."""
    try:
        return pool.result(future)
    except BrokenProcessPool:
        return None
