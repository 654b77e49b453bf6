"""The XlsxWriter workbook every writer uses (templates, feedback copies, summary, findings, don-vi.xlsx).

Built in memory, so no temporary file is left in TMPDIR when the disk fills up; any text is
writable (``clean_text``: a lone surrogate from a unit's note or a file name that is not UTF-8
would stop XlsxWriter); a number that is not finite is never written as a number (an empty cell:
no real figure is NaN or INF). ``report_workbook`` adds what the merge's reports need: a unit's
text always literal (never a formula, number or link), the house font at report size.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ctre_xl.style import REPORT_SIZE, font
from ctre_xl.text import clean_text


class SafeSheet(Worksheet):
    """A worksheet whose every text and number goes through the checks above."""

    def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
        return super()._write_string(row, col, clean_text(str(string)), cell_format)

    def _write_number(self, row: int, col: int, number: Any, cell_format: Any = None) -> Any:
        if not math.isfinite(number):
            return self._write_blank(row, col, None, cell_format)
        return super()._write_number(row, col, number, cell_format)

    def _write_formula(self, row: int, col: int, formula: str, cell_format: Any = None, value: Any = 0) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            value = 0
        elif isinstance(value, str):
            value = clean_text(value)
        return super()._write_formula(row, col, clean_text(formula), cell_format, value)

    def write_comment(self, row: int, col: int, comment: str, options: dict[str, Any] | None = None) -> Any:
        return super().write_comment(row, col, clean_text(comment), options)

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        # XlsxWriter runs about 30 (or 150) regular expressions per formula; thousands of templates
        # and summary rows repeat the same few hundred formulas, so each is prepared once.
        key = (formula, bool(self.use_future_functions or expand_future_functions))
        found = _FORMULAS.get(key)
        if found is None:
            if len(_FORMULAS) >= _FORMULAS_KEPT:
                _FORMULAS.clear()
            found = _FORMULAS[key] = super()._prepare_formula(formula, expand_future_functions)
        return found


_FORMULAS: dict[tuple[str, bool], str] = {}
_FORMULAS_KEPT = 20_000
_FORMATS: dict[tuple[Any, ...], Format] = {}
_FORMATS_KEPT = 2_000


class SafeBook(Workbook):
    """``xlsxwriter.Workbook`` with ``SafeSheet`` worksheets, always in memory."""

    worksheet_class = SafeSheet

    def __init__(self, filename: Any, options: dict[str, Any] | None = None) -> None:
        super().__init__(filename, {**(options or {}), "in_memory": True})

    def add_format(self, properties: dict[str, Any] | None = None) -> Format:
        """``Workbook.add_format``, with each distinct format parsed once per process: every
        workbook gets its own copy of a prototype (bound to its own index tables), since XlsxWriter
        numbers a format per workbook when it is first used and when the file is closed."""
        merged = {**self.default_format_properties, **(properties or {})}
        try:
            key = tuple(sorted(merged.items()))
            prototype = _FORMATS.get(key)
        except TypeError:  # an unhashable property value: no sharing
            return super().add_format(properties)
        if prototype is None:
            if len(_FORMATS) >= _FORMATS_KEPT:
                _FORMATS.clear()
            prototype = _FORMATS[key] = Format(merged, {}, {})
            prototype._get_format_key()  # cached on the prototype, so every copy shares it
        made = copy.copy(prototype)
        made.xf_format_indices = self.xf_format_indices
        made.dxf_format_indices = self.dxf_format_indices
        self.formats.append(made)
        return made


def report_workbook(path: Path, **options: Any) -> SafeBook:
    """A new report workbook at ``path``, in the house font at report size (``options`` add to it)."""
    return SafeBook(str(path), {
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "default_format_properties": font(REPORT_SIZE), **options})
