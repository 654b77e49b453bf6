"""The findings workbook ``outbox/<year>/kiem-tra-<year>.xlsx``: every finding, errors first.

It is what the commune secretary sends back to units, so it is a plain list: one sheet, the
shared findings table (``findings_table``), filterable, printed A4 landscape one page wide.
"""

from __future__ import annotations

from pathlib import Path

from ctre_xl.files import atomic_write
from ctre_xl.merge.model import MergeResult
from ctre_xl.output.findings_table import FINDINGS_HEADERS, FindingsLook, counts_text, write_findings_table
from ctre_xl.plan.vocab import Severity
from ctre_xl.style import (AMBER, HEADER_FILL, LIST_PAGE, PAGE_NUMBER, RED, REPORT_SIZE, font, font_code, print_a4,
                           status_colours)

SHEET = "Kiểm tra"
HEADER_ROW = 3
WIDTHS = (38, 30, 14, 8, 26, 10, 90)


def write_findings_workbook(result: MergeResult, path: Path) -> Path:
    """Every finding, errors first, in ``outbox/<year>/kiem-tra-<year>.xlsx``; returns where it went.

    Written with XlsxWriter to a temporary file and renamed into place; every cell is written as a
    string, so a unit's text such as "=HYPERLINK(...)" stays text, never a formula.
    """
    import xlsxwriter

    names = {u.id: u.name for u in result.units}
    with atomic_write(Path(path), allow_fallback=True) as (temporary, target):
        workbook = xlsxwriter.Workbook(str(temporary), {"strings_to_formulas": False, "strings_to_urls": False})
        base = {**font(REPORT_SIZE), "valign": "top"}
        header = workbook.add_format({**base, "bold": True, "bg_color": HEADER_FILL, "border": 1, "text_wrap": True})
        plain = workbook.add_format({**base, "text_wrap": True, "border": 1})
        error = workbook.add_format({**base, "border": 1, **status_colours(RED)})
        warning = workbook.add_format({**base, "border": 1, **status_colours(AMBER)})
        title = workbook.add_format({**base, "bold": True, "font_size": 14})
        sheet = workbook.add_worksheet(SHEET)
        sheet.write_string(0, 0, f"Kết quả kiểm tra số liệu báo cáo năm {result.year}", title)
        sheet.write_string(1, 0, counts_text(result.findings), workbook.add_format(base))
        for column, text in enumerate(FINDINGS_HEADERS):
            sheet.write_string(HEADER_ROW, column, text, header)
        look = FindingsLook(text=plain, empty=plain,
                            severity=lambda severity: error if severity == Severity.ERROR else warning)
        write_findings_table(sheet, result.findings, names, HEADER_ROW, look)
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        for column, width in enumerate(WIDTHS):
            sheet.set_column(column, column, width)
        print_a4(sheet, LIST_PAGE, repeat_rows=(HEADER_ROW, HEADER_ROW),
                 header=f"&L{font_code(style=None)}Kiểm tra số liệu năm {result.year}&R{PAGE_NUMBER}")
        workbook.close()
    return target.path
