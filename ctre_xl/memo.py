"""A cache of a pure function's answers that starts afresh when full.

The reader decodes the same labels and blank cells in thousands of files, and the summary's long
lists write the same names in every block; each keeps what it made in a ``Memo``. Whatever a file
or a merge holds, a memo costs little memory: it is bounded in entries, in the size of each entry
(a longer one is made every time) and in the size of all of them, and when a bound would be passed
it is emptied and filled again. Sizes are what the caller counts (bytes, characters).
"""

from __future__ import annotations

from typing import Any


class Memo(dict):  # type: ignore[type-arg]
    """key -> answer, at most ``entries`` of them, each of at most ``longest``, ``total`` in all."""

    def __init__(self, entries: int, longest: int, total: int) -> None:
        super().__init__()
        self.entries, self.longest, self.total = entries, longest, total
        self.size = 0

    def keep(self, key: Any, value: Any, size: int) -> None:
        """Remember ``value`` for ``key`` (``size``: what it counts for), unless it is too large."""
        if size > self.longest:
            return
        if len(self) >= self.entries or self.size + size > self.total:
            self.clear()
        self[key] = value
        self.size += size

    def clear(self) -> None:
        super().clear()
        self.size = 0
