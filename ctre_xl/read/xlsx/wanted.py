"""The column letters a sheet's reading wants in each row, as the scanner looks them up.

``scan.scan_sheet`` meets every cell of a sheet and keeps a few dozen: with these tables a cell
not wanted costs one look-up of its letters (b"D"), before any number is made of them.
"""

from __future__ import annotations

from ctre_xl.cellref import column_letters

Letters = tuple[frozenset[bytes], dict[int, frozenset[bytes]], dict[int, frozenset[bytes]]]
_KEPT: dict[tuple[frozenset[tuple[int, int]], frozenset[int]], Letters] = {}


def letters_wanted(wanted: frozenset[tuple[int, int]], wanted_columns: frozenset[int]) -> Letters:
    """(the letters of ``wanted_columns``; per row holding wanted cells, their letters and those;
    the same without those, for rows past ``max_row``). Kept per reading plan: every file of one
    template asks the same."""
    key = (wanted, wanted_columns)
    found = _KEPT.get(key)
    if found is None:
        everywhere = frozenset(letters(col) for col in wanted_columns if col < 702)  # A..ZZ
        rows: dict[int, set[bytes]] = {}
        for row, col in wanted:
            if col < 702:
                rows.setdefault(row, set()).add(letters(col))
        found = (everywhere, {row: frozenset(named) | everywhere for row, named in rows.items()},
                 {row: frozenset(named) for row, named in rows.items()})
        if len(_KEPT) >= 64:
            _KEPT.clear()
        _KEPT[key] = found
    return found


def letters(col: int) -> bytes:
    """b"A" for column 0 … b"ZZ" for column 701."""
    return column_letters(col).encode("ascii")
