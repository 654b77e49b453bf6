"""Worker processes and Ctrl-C: what every pool of ctre-xl (reading the inbox, writing the outputs) shares.

Ctrl-C reaches every process of the terminal. Only the parent handles it (it stops the pool and
says what was and was not written); a worker that stopped too would print its own traceback and
could leave a half-written file. So SIGINT is held pending while a pool starts its workers (they
inherit the mask), each worker ignores it from its first instruction, and the parent receives it
as soon as the pool has started. On Windows workers are spawned, not forked, and there is no
signal mask: the worker's initializer alone does it.
"""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager
from concurrent.futures import Executor
from typing import Iterator

from ctre_xl.files import interrupts_deferred

WORKERS = 2  # the officials' PCs and this machine have two cores


def two_cores() -> bool:
    """Whether a second core is there to work for us."""
    return (os.cpu_count() or 1) > 1


def ignore_interrupts() -> None:
    """In a worker: leave Ctrl-C to the parent (the mask held since ``interrupts_blocked`` is lifted)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def interrupts_blocked() -> Iterator[None]:
    """Hold SIGINT pending while a pool starts its workers; the parent receives it when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: workers are spawned, not forked
        yield
        return
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
