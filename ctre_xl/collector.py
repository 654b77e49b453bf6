"""Python's cycle collector kept out of the way of a stage that builds objects it keeps.

A merge builds hundreds of thousands of objects that all live until it ends (the submissions, then
the result while the workbooks are written); every collection meanwhile would walk them to free
nothing. ``collector_paused`` holds the collector back for a stage; ``ctre-xl merge`` holds it for
the whole command, from reading to the printed result.

Work whose garbage has cycles runs with the collector on, even inside a pause: reading a file
(ElementTree's streaming parser leaves about 2 MB in cycles for a sheet with rows pasted below the
template) and writing a unit's feedback workbook (about 0.5 MB in XlsxWriter's objects). A
worker process forked inside a pause inherits it, so every worker turns it on as it starts
(``collector_in_worker``); this process does so around each such piece of work
(``collector_resumed``, which also collects what the work left when it ends: the next stretch
begins by freezing what is alive, garbage included). Left paused, a merge of 300 such files peaked
at 621 MiB (now 121), and one writing 2,604 units' feedback workbooks at 822 MiB (now 141).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep Python's cycle collector off the objects a stage builds and keeps (the merge's
    submissions, then the result while the workbooks are written).

    Those objects all stay alive until the stage ends, so every full collection would walk them
    again for nothing (~20 % of the merge after reading; ~0.3 s of writing at 2,600 files, 3.4 s
    at 10,000). The objects alive at the start are frozen (never scanned) and the collector waits
    until the stage is over; reference counting frees everything else meanwhile.

    At the end every object goes to the oldest generation unscanned (frozen, then unfrozen): the
    collector, enabled again, would otherwise walk all the stage had built at its next young
    collection, to free nothing (0.5 s after the merge stage at 66,000 files). Inside a longer
    pause (``pipeline.run_merge``, ``ctre-xl merge``) it does nothing.
    """
    if not gc.isenabled():
        yield
        return
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


@contextmanager
def collector_resumed() -> Iterator[None]:
    """Let the collector run, inside a pause, for work that leaves garbage in cycles (reading a
    file, writing a feedback workbook). What the pause keeps is frozen first, so a collection here
    walks only what this work builds; outside a pause it does nothing."""
    if gc.isenabled():
        yield
        return
    gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        # What this work left in cycles is collected now: the next stretch's freeze would keep it
        # out of every collection until the pause ends (about 56 KB per feedback workbook).
        gc.collect()
        gc.disable()


def collector_in_worker() -> None:
    """In a worker process, as it starts: the collector runs (a worker forked inside a pause
    inherits it, and its files' garbage would then stay until it ends), and what it inherited
    from its parent is frozen: a collection never walks it, nor copies the pages it lies on."""
    gc.freeze()
    gc.enable()
