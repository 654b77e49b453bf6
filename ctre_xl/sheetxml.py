"""The XML of worksheet cells and rows exactly as XlsxWriter writes them, without its per-cell layers.

A long list of the summary is hundreds of thousands of cells; through XlsxWriter's API each costs
a dozen Python calls. These functions give the same bytes for the cells those lists hold (text,
number, blank, each with its format's index) and are plain functions of their arguments, so that
rows can be made in this process (``book.StreamedSheet.write_cells``) or on the other core
(``output/summary/data_rows.py``) alike. tests/test_book.py compares them with XlsxWriter's own
output.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any, Callable, Iterable, Sequence, TextIO

from xlsxwriter.utility import _datetime_to_excel_datetime, _preserve_whitespace, xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

from ctre_xl.memo import Memo
from ctre_xl.text import clean_text, fit_cell

Cell = tuple[Any, "int | None"]  # (text, number or None, the index of its format or None)

_ESCAPER = XMLwriter()
# Each text's inline XML. The long lists write every unit's name once per metric, in the same order:
# a memo smaller than the names would miss every one of them (at 66,000 units, 50,000 entries did).
# So it holds up to 200,000 texts, and at most 50,000 × 256 characters (text and XML): every name of
# 66,000 units takes 5.5 million. A longer text (a unit's words) is rarely written twice: made each time.
_INLINE_LONGEST = 256
_INLINE = Memo(entries=200_000, longest=8 * _INLINE_LONGEST, total=50_000 * _INLINE_LONGEST)
_COLUMN_NAMES: list[str] = []
_CELL_STARTS: list[str] = []  # '<c r="A', '<c r="B', …: a cell's start but for its row number
DEFAULT_ROW_PIXELS = 20  # XlsxWriter's default row (15 points), which ``write_sized_rows`` assumes


def column_name(col: int) -> str:
    """"A", "B", … "AA" for a 0-based column (kept once made)."""
    if col >= len(_COLUMN_NAMES):
        _COLUMN_NAMES.extend(xl_col_to_name(c) for c in range(len(_COLUMN_NAMES), col + 1))
    return _COLUMN_NAMES[col]


def inline_xml(text: str) -> str:
    """``<is>..</is>`` of an inline string: cleaned and fitted to a cell as ``book.SafeSheet`` writes
    text, escaped by XlsxWriter's own steps; once per distinct text (lists repeat names and words)."""
    found = _INLINE.get(text)
    if found is None:
        escaped = XMLwriter._escape_control_characters(fit_cell(clean_text(text)))
        if escaped.startswith("<r>") and escaped.endswith("</r>"):  # rich text, as XlsxWriter writes it
            found = f"<is>{escaped}</is>"
        else:
            space = ' xml:space="preserve"' if _preserve_whitespace(escaped) else ""
            found = f"<is><t{space}>{_ESCAPER._escape_data(escaped)}</t></is>"
        if len(text) <= _INLINE_LONGEST:
            _INLINE.keep(text, found, len(text) + len(found))
    return found


def cell_xml(line: int, col: int, value: Any, xf: int | None) -> str:
    """One cell (``line``: its row as Excel numbers it): text inline, a number, or a blank with its
    format; nothing for a blank without a format (XlsxWriter writes none)."""
    if xf is None:
        if value is None:
            return ""
        raise ValueError("a cell with a value needs a format here")  # the row's or column's would apply
    start = f'<c r="{column_name(col)}{line}" s="{xf}"'
    kind = value.__class__
    if kind is str:
        return f'{start} t="inlineStr">{inline_xml(value)}</c>'
    if kind is not float and kind is not int:
        if value is not None:
            raise TypeError(f"cells here are text, numbers and blanks, not {kind.__name__}")
        return f"{start}/>"
    return f"{start}><v>{value:.16G}</v></c>" if math.isfinite(value) else f"{start}/>"  # NaN, INF: empty


def row_cells_xml(line: int, cells: Sequence[tuple[Any, Any]], serial: Callable[[Any], float]) -> str:
    """Every cell of a row, each (value, its format: XlsxWriter's, or the format's index, or None),
    as ``cell_xml`` writes it, a date or time as ``serial`` numbers it: text, blanks and numbers
    without a call per cell (a long list's row, in this process or on the other core)."""
    if len(cells) > len(_CELL_STARTS):
        _CELL_STARTS.extend(f'<c r="{column_name(col)}' for col in range(len(_CELL_STARTS), len(cells)))
    starts = _CELL_STARTS
    at = f"{line}"
    parts = []
    for col, (value, fmt) in enumerate(cells):
        if fmt is None:
            if value is not None:
                raise ValueError("a cell with a value needs a format here")
            continue
        if fmt.__class__ is int:
            xf = fmt
        else:
            xf = fmt.xf_index
            if xf is None:
                xf = fmt._get_xf_index()
        kind = value.__class__
        if kind is str:
            parts.append(f'{starts[col]}{at}" s="{xf}" t="inlineStr">{inline_xml(value)}</c>')
        elif value is None:
            parts.append(f'{starts[col]}{at}" s="{xf}"/>')
        elif (kind is int or kind is float) and math.isfinite(value):  # cell_xml's number, without its call
            parts.append(f'{starts[col]}{at}" s="{xf}"><v>{value:.16G}</v></c>')
        else:
            parts.append(cell_xml(line, col, serial(value) if isinstance(value, (date, datetime)) else value, xf))
    return "".join(parts)


def write_rows(out: TextIO, first_line: int, rows: Iterable[list[Cell]]) -> int:
    """Plain rows (no height or format of their own) from ``first_line`` on, a date as Excel's serial
    number (1900 date system); the number written."""
    written = 0
    for line, cells in enumerate(rows, start=first_line):
        xml = row_cells_xml(line, cells, _serial_1900)
        if xml:
            out.write(f'<row r="{line}">{xml}</row>')
        written += 1
    return written


def write_sized_rows(out: TextIO, first_line: int, rows: Iterable[tuple[list[Cell], float | None]],
                     date_1904: bool = False) -> int:
    """Rows from ``first_line``, each (cells, its height in points or None), as
    ``book.StreamedSheet.write_cells`` writes them in a sheet of default rows (XlsxWriter's default
    height, no ``x14ac`` attributes); a date as Excel's serial number. The number written."""
    written = 0
    serial = _serial_1904 if date_1904 else _serial_1900
    for line, (cells, height) in enumerate(rows, start=first_line):
        xml = row_cells_xml(line, cells, serial)
        pixels = DEFAULT_ROW_PIXELS if height is None else int(height * 4.0 / 3.0 + 0.5)
        tag = f'<row r="{line}" ht="{pixels * 0.75:.16g}" customHeight="1"' if pixels != DEFAULT_ROW_PIXELS \
            else f'<row r="{line}"'
        if xml:
            out.write(f"{tag}>{xml}</row>")
        elif height is not None:
            out.write(f"{tag}/>")
        written += 1
    return written


def _serial_1900(value: date | datetime) -> float:
    return _datetime_to_excel_datetime(value, False, False)


def _serial_1904(value: date | datetime) -> float:
    return _datetime_to_excel_datetime(value, True, False)
