"""Formats, number formats, page set-up and live-colouring rules shared by the summary's sheets.

Everything the printed summary looks like lives here so the sheet writers only place values.
Number formats are written in Excel's neutral syntax (``#,##0``, ``0.00``): Excel and LibreOffice
show them with the reader's locale separators (1.234,56 on a Vietnamese machine).
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ctre_xl.plan.catalog import Catalog, Metric

FONT = "Times New Roman"
FONT_SIZE = 11
LINE_HEIGHT = 15.0  # points per text line at FONT_SIZE

COUNT = "#,##0"
RATE = "0.00"
MONEY = "#,##0"
SHARE = "0.0%"
DATE = "dd/mm/yyyy"
# Yes/no figures are stored as 1/0 so that formulas can still compare them with the target.
YES_NO = '[=1]"Có";[=0]"Không";0.00'
SCHOOL_YES_NO = '[=0]"Không";"Có"'

# Status colours (fill, font): the same meaning on every sheet.
GREEN = ("#C6EFCE", "#006100")
RED = ("#FFC7CE", "#9C0006")
AMBER = ("#FFEB9C", "#9C5700")
GREY = ("#EDEDED", "#404040")
HEADER_FILL = "#DDEBF7"
BAND_FILL = "#F2F2F2"

OPERATOR_SIGNS = {"<": "<", "<=": "≤", ">=": "≥", "=": "="}


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
        merged: dict[str, Any] = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "top"}
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
        fill, font = colours
        key = (fill, font, bold)
        if key not in self._conditional:
            self._conditional[key] = self.workbook.add_format(
                {"bg_color": fill, "font_color": font, "bold": bold})
        return self._conditional[key]


def value_format(metric: Metric) -> str:
    """How a metric's value reads: Có/Không, a whole count, or a rate with two decimals."""
    if metric.scale == "yes_no":
        return YES_NO
    if metric.scale == "count":
        return COUNT
    return RATE


def target_format(metric: Metric, target: float | None) -> str:
    """Like ``value_format``; a count target may be fractional (CT13: 98 % of last year's cases)."""
    if metric.scale == "count" and target is not None and not float(target).is_integer():
        return "#,##0.00"
    return value_format(metric)


def sign(operator: str | None) -> str:
    return OPERATOR_SIGNS.get(operator or "", operator or "")


def compare_formula(value_ref: str, target_ref: str, operator: str, met: bool) -> str:
    """A conditional-formatting formula: the value meets (or misses) the target under ``operator``.

    Both cells must hold numbers, so blank values (no data) and blank targets stay uncoloured.
    """
    test = f"{value_ref}{operator}{target_ref}"
    judged = test if met else f"NOT({test})"
    return f"=AND(ISNUMBER({value_ref}),ISNUMBER({target_ref}),{judged})"


def judges(value: float, target: float, operator: str) -> bool:
    """Python twin of ``compare_formula``, used to fill the cached results of live formulas."""
    if operator == "<":
        return value < target
    if operator == "<=":
        return value <= target
    if operator == ">=":
        return value >= target
    return value == target


def add_met_rules(sheet: Worksheet, styles: Styles, cells: str, value_ref: str, target_ref: str,
                  operator: str) -> None:
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


def _header_text(text: str) -> str:
    """Escape ``&`` for Excel's header/footer codes."""
    return text.replace("&", "&&")


def setup_page(sheet: Worksheet, catalog: Catalog, year: int, *, title_rows: tuple[int, int],
               freeze_row: int, one_page: bool = False) -> None:
    """A4 landscape, one page wide, repeated header rows, frozen header, header and footer."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 1 if one_page else 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.7)
    sheet.center_horizontally()
    sheet.repeat_rows(*title_rows)
    sheet.freeze_panes(freeze_row, 0)
    place = _header_text(f"{catalog.commune}, {catalog.province}")
    font = f'&"{FONT},Regular"&10'
    sheet.set_header(f"&L{font}{place}&R{font}Báo cáo năm {year}")
    sheet.set_footer(f"&L{font}{_header_text(catalog.title)} — năm {year}&R{font}Trang &P/&N")


def start_table_sheet(sheet: Worksheet, styles: "Styles", catalog: Catalog, year: int, *, title: str,
                      subtitle: str, headers: list[str], widths: list[float], header_row: int,
                      header_height: float) -> None:
    """Column widths, title and subtitle rows, the header row, and the page set-up of a table sheet."""
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    last_col = len(widths) - 1
    sheet.merge_range(0, 0, 0, last_col, title, styles.title())
    sheet.merge_range(1, 0, 1, last_col, subtitle, styles.subtitle())
    sheet.set_row(1, 32)
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


@lru_cache(maxsize=8192)
def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a column of ``width`` (cached: thousands of rows repeat the same names)."""
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
