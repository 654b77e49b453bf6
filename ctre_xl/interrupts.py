"""Ctrl-C held back for a step that must not be cut in two (a file moved into place, a temporary
removed, a worker pool waited for), and raised after it: the one place that decides how.

Python raises ``KeyboardInterrupt`` wherever the main thread happens to be, even inside a library's
lock or between a file's creation and the line that records its name; ``interrupts_deferred``
records it instead and raises it where the step ends (or lets the step stop itself sooner).
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator


@contextmanager
def interrupts_deferred() -> Iterator[Callable[[], bool]]:
    """Hold Ctrl-C (SIGINT) back for a step that must not be cut in two; raise it after.

    Gives a function that says whether Ctrl-C was pressed meanwhile, for a longer step that stops
    by itself at a point of its own (``workers.result_of``). Only the main thread can install
    signal handlers; elsewhere, when already deferred, and where Ctrl-C is ignored (a worker; a
    program started with it ignored, as a background job or under nohup) this does nothing and
    that function says no.
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or getattr(previous, "deferring", False) \
            or previous == signal.SIG_IGN:
        yield lambda: False
        return
    received: list[int] = []

    def hold(signum: int, _frame: Any) -> None:
        received.append(signum)

    hold.deferring = True  # type: ignore[attr-defined]
    hold.received = received  # type: ignore[attr-defined]  # for ``interrupts_allowed``
    hold.previous = previous  # type: ignore[attr-defined]
    signal.signal(signal.SIGINT, hold)
    stopping = False
    try:
        yield lambda: bool(received)
    except KeyboardInterrupt:  # the step stopped itself for the Ctrl-C held here: not raised twice
        stopping = True
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
        if received and not stopping:
            if callable(previous):
                previous(signal.SIGINT, None)
            elif previous != signal.SIG_IGN:
                raise KeyboardInterrupt


@contextmanager
def interrupts_allowed() -> Iterator[None]:
    """Inside ``interrupts_deferred``: a long step of this process that Ctrl-C stops at once, as
    outside (a Ctrl-C already held is raised as it begins); Ctrl-C is held back again after it,
    also when it stopped the step, so the cleanup that follows is not cut in two. Outside a
    deferral, this does nothing."""
    held = signal.getsignal(signal.SIGINT)
    if not getattr(held, "deferring", False):
        yield
        return
    if held.received:  # type: ignore[union-attr]
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, held.previous)  # type: ignore[union-attr]
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, held)
