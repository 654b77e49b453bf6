"""Python's cycle collector kept out of the way of a stage that builds objects it keeps.

A merge builds hundreds of thousands of objects that all live until it ends (the submissions, then
the result while the workbooks are written); every collection meanwhile would walk them to free
nothing. ``collector_paused`` holds the collector back for a stage; ``ctre-xl merge`` holds it for
the whole command, from reading to the printed result.
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
