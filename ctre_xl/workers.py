"""Worker processes and Ctrl-C: what every pool of ctre-xl (reading the inbox, writing the outputs) shares.

Ctrl-C reaches every process of the terminal. Only the parent handles it (it stops the pool and
says what was and was not written); a worker that stopped too would print its own traceback and
could leave a half-written file. So SIGINT is held pending while a pool starts its workers (they
inherit the mask), each worker ignores it from its first instruction, and the parent receives it
as soon as the pool has started. On Windows workers are spawned, not forked, and there is no
signal mask: the worker's initializer alone does it.

While the parent waits for a pool (``result_of``) or cancels its tasks, Ctrl-C is recorded, not
raised where Python happens to be: raised inside a future's own lock (just after
``Condition.__enter__`` took it), it left the lock held, the pool's thread waited for it forever
and the command hung after Ctrl-C. It is raised at once from the wait instead.

A pool lives inside ``worker_pool``, Ctrl-C held back from its start to its close: a Ctrl-C that
came while the tasks not begun were cancelled was raised there and skipped the pool's shutdown; the
command ended, its workers waited for tasks forever, and a caller reading its output waited with
them. ``stop_workers`` is the last guard, once a command has stopped.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
from concurrent.futures import Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Callable, Iterable, Iterator, TypeVar

from ctre_xl.collector import collector_in_worker
from ctre_xl.interrupts import interrupts_deferred

WORKERS = 2  # the officials' PCs and this machine have two cores
POLL_SECONDS = 0.05  # a wait for a worker looks this often whether Ctrl-C was pressed
STOP_SECONDS = 2.0  # how long a terminated worker is given to end before it is killed
T = TypeVar("T")


def two_cores() -> bool:
    """Whether a second core is there to work for us."""
    return (os.cpu_count() or 1) > 1


def start_worker() -> None:
    """What every worker does first: leave Ctrl-C to the parent, and run the cycle collector
    (``collector.collector_in_worker``: a worker forked inside a merge's pause inherits it)."""
    ignore_interrupts()
    collector_in_worker()


def ignore_interrupts() -> None:
    """In a worker: leave Ctrl-C to the parent (the mask held since ``interrupts_blocked`` is lifted)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def interrupts_blocked(spawning: bool = False) -> Iterator[None]:
    """Hold SIGINT pending while a pool starts its workers; the parent receives it when the block ends.

    ``spawning``: a fresh process is started, not forked (a pool's processes too where the
    platform's start method is not "fork"). The first of a run also starts multiprocessing's resource
    tracker, and CPython unblocks SIGINT as it does (``resource_tracker.ensure_running``): Ctrl-C
    then cut the start in two, and the worker, handed nothing, printed a traceback. The tracker is
    started before SIGINT is held."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: workers are spawned, not forked
        yield
        return
    if spawning or multiprocessing.get_start_method() != "fork":
        resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def shut_down(pool: Executor) -> None:
    """Wait for ``pool``'s running tasks and its threads, Ctrl-C held back meanwhile (it is raised after).

    A Ctrl-C inside ``shutdown`` would leave the pool's manager thread closing its pipes while the
    interpreter exits; Python's own exit hook then writes to a closed pipe, and "OSError: [Errno 9]
    Bad file descriptor" with its traceback reached the console after the Ctrl-C line (a race in
    CPython's pool, cf. gh-125451). The tasks are short (``reading.MAX_CHUNK``): the wait is brief.
    """
    with interrupts_deferred():
        pool.shutdown(wait=True)


def result_of(future: Future[T], interrupted: Callable[[], bool]) -> T:
    """``future.result()``, waited for in short steps inside ``interrupts_deferred`` (which gives
    ``interrupted``): a Ctrl-C is raised here, between two steps, never inside the pool's locks."""
    while not future.done():
        if interrupted():
            raise KeyboardInterrupt
        wait((future,), timeout=POLL_SECONDS)
    return future.result()


def cancel_all(futures: Iterable[Future[T]]) -> None:
    """Cancel the tasks not begun, Ctrl-C held back meanwhile (each cancel takes its future's lock)."""
    with interrupts_deferred():
        for future in futures:
            future.cancel()


class WorkerPool:
    """A pool of worker processes whose tasks are futures of our own (never ``map``), each waited
    for in short steps (``result``); made by ``worker_pool``, which closes it."""

    def __init__(self, size: int, initializer: Callable[..., None], initargs: tuple[Any, ...],
                 interrupted: Callable[[], bool]) -> None:
        self._executor = ProcessPoolExecutor(size, initializer=initializer, initargs=initargs)
        self._interrupted = interrupted
        self.futures: list[Future[Any]] = []

    def submit_all(self, function: Callable[[Any], T], tasks: Iterable[Any]) -> list[Future[T]]:
        """One future per task, SIGINT held pending while the workers start (``interrupts_blocked``)."""
        submitted: list[Future[T]] = []
        with interrupts_blocked():
            for task in tasks:
                submitted.append(self._executor.submit(function, task))
                self.futures.append(submitted[-1])
        return submitted

    def result(self, future: Future[T]) -> T:
        """The task's result; a Ctrl-C held meanwhile is raised from here (``result_of``)."""
        return result_of(future, self._interrupted)

    def close(self) -> None:
        """Cancel the tasks not begun, then wait for the running ones and the workers' end."""
        cancel_all(self.futures)
        shut_down(self._executor)


@contextmanager
def worker_pool(size: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> Iterator[WorkerPool]:
    """A ``WorkerPool`` of ``size`` processes, Ctrl-C held back from its start to its close: a
    Ctrl-C is raised from a wait (``WorkerPool.result``), from a step that allows it
    (``interrupts.interrupts_allowed``) or once the pool is closed, never between the two."""
    with interrupts_deferred() as interrupted:
        pool = WorkerPool(size, initializer, initargs, interrupted)
        try:
            yield pool
        finally:
            pool.close()


def stop_workers() -> None:
    """End every worker process of this one still alive, once a command has stopped (Ctrl-C or an
    error), Ctrl-C held back meanwhile: a worker outliving the command would wait for tasks
    forever. The pools close themselves (``worker_pool``); this is the guard behind them."""
    with interrupts_deferred():
        alive = multiprocessing.active_children()
        for worker in alive:  # every one told first: they end together, not one after the other
            worker.terminate()
        for worker in alive:
            _joined(worker)


# ----------------------------------------------------------------------------- a spare process

_SPARE: list[tuple[BaseProcess, Connection]] = []  # the spare started ahead, not yet taken


def start_spare(preload: tuple[str, ...]) -> None:
    """Start a fresh worker process ahead of need (spawned, as on Windows), so that its interpreter
    starts and ``preload`` (module names) loads while this process works on one core; ``take_spare``
    hands it its task later. Nothing when one waits already, on one core, or where no process starts."""
    if _SPARE or not two_cores():
        return
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_spare_main, args=(theirs, preload), daemon=True)
    try:  # Ctrl-C as it starts: held until it has started (Windows has no signal mask)
        with interrupts_deferred(), interrupts_blocked(spawning=True):
            process.start()
            _SPARE.append((process, ours))
    except (OSError, NotImplementedError):  # no worker process here: the caller starts its own, or none
        ours.close()
    except BaseException:  # Ctrl-C, received as the block ends
        drop_spare()
        raise
    finally:
        theirs.close()


def take_spare(task: Callable[..., Any], args: tuple[Any, ...]) -> BaseProcess | None:
    """The spare, handed ``task(*args)`` (a module's function: it is sent by name), or None when
    none was started or it has ended."""
    if not _SPARE:
        return None
    process, ours = _SPARE.pop()
    try:
        ours.send((task, args))
    except (OSError, ValueError):  # it ended (its pipe is closed): the caller starts its own
        _end(process)
        return None
    finally:
        ours.close()
    return process


def drop_spare() -> None:
    """End the spare nobody took (its task was not needed, Ctrl-C, an error)."""
    with interrupts_deferred():
        while _SPARE:
            process, ours = _SPARE.pop()
            ours.close()
            _end(process)


def _end(process: BaseProcess) -> None:
    process.terminate()
    _joined(process)


def _joined(process: BaseProcess) -> None:
    """Wait for a terminated ``process`` to end; killed if it has not within ``STOP_SECONDS``."""
    process.join(STOP_SECONDS)
    if process.is_alive():
        process.kill()
        process.join(STOP_SECONDS)


def _spare_main(theirs: Connection, preload: tuple[str, ...]) -> None:
    start_worker()
    for name in preload:
        importlib.import_module(name)
    try:
        task, args = theirs.recv()
    except (EOFError, OSError):  # dropped before it was needed
        return
    finally:
        theirs.close()
    task(*args)
