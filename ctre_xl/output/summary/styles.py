"""Formats, page set-up and live-colouring rules shared by the summary's sheets.

The summary's own use of the house style (``ctre_xl.style``: font, colours, number formats, A4
set-up), so the sheet writers only place values.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.plan.vocab import Operator, Scale
from ctre_xl.style import (BAND_FILL, COUNT, FRACTIONAL_COUNT, GREEN, HEADER_FILL, PAGE_OF, RATE, RED, REPORT_PAGE,
                           REPORT_SIZE, YES_NO, Page, font, font_code, page_text, print_a4, status_colours)

LINE_HEIGHT = 15.0  # points per text line at the house report size (11)
DEFAULT_ROW_HEIGHT = 15.0
A4_INCHES = (8.27, 11.69)
# Our row heights and column widths are estimates of what Excel or LibreOffice draws: page breaks
# are placed on a page this much shorter, so theirs never come first.
PAGE_SAFETY = 0.95


class Styles:
    """Cell formats of one workbook, created once per distinct set of properties."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}  # by the merged properties
        self._asked: dict[tuple[tuple[str, Any], ...], Format] = {}  # by the properties as asked
        self._conditional: dict[tuple[str, str, bool], Format] = {}

    def get(self, **props: Any) -> Format:
        """A format with Times New Roman, a thin border and ``props`` on top."""
        # Called for every cell written (hundreds of thousands at a few thousand schools): look the
        # properties up as given first, and only sort and merge them the first time they are seen.
        asked = tuple(props.items())
        found = self._asked.get(asked)
        if found is not None:
            return found
        merged: dict[str, Any] = {**font(REPORT_SIZE), "valign": "top"}
        merged.update(props)
        key = tuple(sorted(merged.items()))
        if key not in self._cache:
            self._cache[key] = self.workbook.add_format(merged)
        self._asked[asked] = self._cache[key]
        return self._cache[key]

    # The handful of formats used everywhere, named by what they are for.
    def title(self) -> Format:
        return self.get(bold=True, font_size=15, valign="vcenter")

    def subtitle(self) -> Format:
        return self.get(italic=True, text_wrap=True)

    def section(self) -> Format:
        return self.get(bold=True, font_size=12, valign="vcenter")

    def header(self) -> Format:
        return self.get(bold=True, bg_color=HEADER_FILL, border=1, text_wrap=True, align="center",
                        valign="vcenter")

    def band(self) -> Format:
        return self.get(bold=True, bg_color=BAND_FILL, border=1, text_wrap=True, valign="vcenter")

    def text(self, **extra: Any) -> Format:
        return self.get(border=1, text_wrap=True, **extra)

    def number(self, num_format: str, **extra: Any) -> Format:
        return self.get(border=1, num_format=num_format, **extra)

    def centre(self, **extra: Any) -> Format:
        return self.get(border=1, align="center", text_wrap=True, **extra)

    def conditional(self, colours: tuple[str, str], bold: bool = False) -> Format:
        """A fill for conditional formatting (no font name: the cell keeps its own)."""
        key = (*colours, bold)
        if key not in self._conditional:
            self._conditional[key] = self.workbook.add_format(status_colours(colours, bold))
        return self._conditional[key]


def value_format(metric: Metric) -> str:
    """How a metric's value reads: Có/Không, a whole count, or a rate with two decimals."""
    if metric.scale == Scale.YES_NO:
        return YES_NO
    if metric.scale == Scale.COUNT:
        return COUNT
    return RATE


def target_format(metric: Metric, target: float | None) -> str:
    """Like ``value_format``; a count target may be fractional (CT13: 98 % of last year's cases)."""
    if metric.scale == Scale.COUNT and target is not None and not float(target).is_integer():
        return FRACTIONAL_COUNT
    return value_format(metric)


def sign(operator: Operator | None) -> str:
    return operator.sign if operator else ""


def compare_formula(value_ref: str, target_ref: str, operator: Operator, met: bool) -> str:
    """A conditional-formatting formula: the value meets (or misses) the target under ``operator``.

    Both cells must hold numbers, so blank values (no data) and blank targets stay uncoloured.
    The operator's value is Excel's own ("<="), so ``Operator.holds`` is this formula's Python twin.
    """
    test = f"{value_ref}{operator}{target_ref}"
    judged = test if met else f"NOT({test})"
    return f"=AND(ISNUMBER({value_ref}),ISNUMBER({target_ref}),{judged})"


def add_met_rules(sheet: Worksheet, styles: Styles, cells: str, value_ref: str, target_ref: str,
                  operator: Operator) -> None:
    """Green when the value meets its target, red when it misses: live, re-evaluated by Excel.

    ``cells`` may name several ranges ("F5 K5", "C5:D90"); the formula is relative to the first
    cell of the first range, so ``value_ref``/``target_ref`` name the first range's row without a
    "$" before it (each row of the range is judged on its own row), and fix the column with "$"
    unless each column should compare its own value (``C5`` over "C5:D90" means C, then D).
    """
    first = cells.split()[0].split(":")[0]
    for met, colours in ((True, GREEN), (False, RED)):
        sheet.conditional_format(first, {
            "type": "formula",
            "criteria": compare_formula(value_ref, target_ref, operator, met),
            "format": styles.conditional(colours, bold=not met),
            "multi_range": cells,
        })


def add_text_rule(sheet: Worksheet, styles: Styles, cells: str, text: str,
                  colours: tuple[str, str]) -> None:
    """Colour the cells of ``cells`` whose text equals ``text`` (status columns)."""
    first = cells.split()[0].split(":")[0]
    sheet.conditional_format(first, {
        "type": "cell", "criteria": "==", "value": f'"{text}"',
        "format": styles.conditional(colours), "multi_range": cells,
    })


def setup_page(sheet: Worksheet, catalog: Catalog, year: int, *, title_rows: tuple[int, int],
               freeze_row: int, one_page: bool = False) -> None:
    """A4 landscape, one page wide, repeated header rows, frozen header, header and footer."""
    place = page_text(f"{catalog.commune}, {catalog.province}")
    code = font_code(10)
    print_a4(sheet, REPORT_PAGE, pages_high=1 if one_page else 0, repeat_rows=title_rows,
             header=f"&L{code}{place}&R{code}Báo cáo năm {year}",
             footer=f"&L{code}{page_text(catalog.title)} — năm {year}&R{code}{PAGE_OF}")
    sheet.freeze_panes(freeze_row, 0)


def start_table_sheet(sheet: Worksheet, styles: "Styles", catalog: Catalog, year: int, *, title: str,
                      subtitle: str, headers: list[str], widths: list[float], header_row: int,
                      header_height: float, subtitle_height: float = 32) -> None:
    """Column widths, title and subtitle rows, the header row, and the page set-up of a table sheet
    (rows in order, as a ``book.StreamedSheet`` needs)."""
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    last_col = len(widths) - 1
    sheet.merge_range(0, 0, 0, last_col, title, styles.title())
    sheet.merge_range(1, 0, 1, last_col, subtitle, styles.subtitle())
    sheet.set_row(1, subtitle_height)
    sheet.write_row(header_row, 0, headers, styles.header())
    sheet.set_row(header_row, header_height)
    setup_page(sheet, catalog, year, title_rows=(header_row, header_row), freeze_row=header_row + 1)


def text_height(texts: list[tuple[str, float]], minimum_lines: int = 1) -> float:
    """Row height (points) that shows every (text, column width) pair wrapped in full.

    Excel does not grow rows for wrapped text written by a program, and never for merged cells,
    so the summary sets heights itself. A column of width w holds about w characters of Times
    New Roman 11 per line (Times is narrower than the digit width Excel measures columns in, but
    Vietnamese diacritics and capitals are wide): we count a little less so text is never cut.
    """
    lines = minimum_lines
    for text, width in texts:
        lines = max(lines, wrapped_lines(str(text), width))
    return lines * LINE_HEIGHT + 2


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a column of ``width``: cached for texts of at most ``CACHED_TEXT``
    characters (thousands of rows repeat the same names), so the cache stays small whatever the
    units wrote (65,536 notes of 32,767 characters would be gigabytes)."""
    return _cached_lines(text, width) if len(text) <= CACHED_TEXT else _lines(text, width)


CACHED_TEXT = 256


def kept_lines(kept: dict[str, int], key: str, text: str, width: float) -> int:
    """``wrapped_lines`` of a text measured once per ``key`` and kept in ``kept``: a unit's name, which
    a list repeats in every block. Tens of thousands of names in the shared cache would overflow it
    and, read in the same order every time, miss every one of them."""
    found = kept.get(key)
    if found is None:
        found = kept[key] = wrapped_lines(text, width)
    return found


def _lines(text: str, width: float) -> int:
    per_line = max(1, int(width * 1.1) - 1)
    needed = 0
    for part in text.split("\n"):
        # Most cells fit on one line: skip wrapping them. (A tab widens when wrapped, so wrap those.)
        if len(part) <= per_line and "\t" not in part:
            needed += 1
        else:
            # Wrap on words as Excel does: narrow columns lose most of a word per line.
            needed += max(1, len(textwrap.wrap(part, per_line, break_long_words=True)))
    return needed


_cached_lines = lru_cache(maxsize=65536)(_lines)


def row_heights(sheet: Worksheet) -> dict[int, float]:
    """row -> height (points) of every row given one with ``set_row``.

    Read from XlsxWriter's own record (``row_sizes``: pixels since 3.0, the project needs 3.1),
    so every writer's ``set_row`` counts without telling anyone.
    """
    sizes = getattr(sheet, "row_sizes", {})
    return {row: size[0] * 0.75 for row, size in sizes.items() if not size[1]}


def keep_together(sheet: Worksheet, blocks: list[tuple[int, int]], widths: list[float],
                  repeated_row: int, page: Page = REPORT_PAGE) -> list[int]:
    """Manual page breaks so no block of rows (first, last) is split across pages, a heading never
    left alone at the foot of a page (XlsxWriter has no keep-with-next); returns the breaks.

    The sheet prints one page wide: the scale follows from the visible ``widths``, the page height
    from the paper and margins; the first page also holds the rows above the first block, the
    others repeat ``repeated_row``. A block taller than a page keeps only its first two rows together.
    """
    heights = row_heights(sheet)

    def height(first: int, last: int) -> float:
        return sum(heights.get(row, DEFAULT_ROW_HEIGHT) for row in range(first, last + 1))

    left, right, top, bottom = page.margins or (0.7, 0.7, 0.75, 0.75)
    paper_width, paper_height = A4_INCHES[::-1] if page.landscape else A4_INCHES
    drawn = sum(width * 7 + 5 for width in widths) * 0.75  # Excel: 7 px a character, 5 px padding
    scale = min(1.0, (paper_width - left - right) * 72 / drawn)
    capacity = (paper_height - top - bottom) * 72 / scale * PAGE_SAFETY
    repeated = height(repeated_row, repeated_row)
    pieces: list[tuple[int, int]] = []
    for first, last in blocks:
        if height(first, last) <= capacity - repeated:
            pieces.append((first, last))
        else:
            pieces += [(first, min(first + 1, last))] + [(row, row) for row in range(first + 2, last + 1)]
    used = height(0, blocks[0][0] - 1) if blocks else 0.0
    breaks = []
    for first, last in pieces:
        size = height(first, last)
        if used + size > capacity and used > repeated:
            breaks.append(first)
            used = repeated
        used += size
    sheet.set_h_pagebreaks(breaks)
    return breaks
