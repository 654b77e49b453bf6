"""A1 cell references, both ways: the one place that turns (row, column) into "D6" and back.

Base level (imports nothing from the package): the template writer names cells with ``a1``, the
reader resolves defined names and cell references with ``parse_a1``, the merge orders findings by
cell, and the catalogue check refuses element codes that read as a cell reference. Rows and
columns are 0-based throughout.
"""

from __future__ import annotations

import re
from functools import lru_cache

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
MAX_COLUMNS = 16_384  # A..XFD


@lru_cache(maxsize=4096)
def a1(row: int, col: int, absolute: bool = False) -> str:
    """0-based (row, col) -> "D6" or, ``absolute``, "$D$6" (remembered: the same few dozen cells
    are named in every template and every file read)."""
    letters = column_letters(col)
    return f"${letters}${row + 1}" if absolute else f"{letters}{row + 1}"


def column_letters(col: int) -> str:
    """0-based column -> "A", … "Z", "AA", … "XFD"."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def col_index(letters: str) -> int:
    """Column letters -> 0-based index ("A" -> 0, "XFD" -> 16383); case does not matter."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number - 1


def parse_a1(ref: str) -> tuple[int, int] | None:
    """"$D$6" / "D6" -> (5, 3), 0-based; None if it is not a single cell reference."""
    match = _REF.match(ref)
    if not match:
        return None
    return int(match[2]) - 1, col_index(match[1])
