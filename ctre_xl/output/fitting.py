"""Worksheets of the workbooks ctre-xl writes (the summary, the findings): every text is fitted
to one Excel cell (``text.fit_cell``) where it is written, so a text too long for a cell is cut
with a visible marker, never silently by XlsxWriter. The reader has already reported such a
text to the unit (``text_cut``)."""

from __future__ import annotations

from typing import Literal

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ctre_xl.text import fit_cell


class FittingSheet(Worksheet):
    """An XlsxWriter worksheet whose strings are cut, visibly, at Excel's cell limit."""

    def _write_string(self, row: int, col: int, string: str,
                      cell_format: Format | None = None) -> Literal[0, -1, -2]:
        return super()._write_string(row, col, fit_cell(string), cell_format)
