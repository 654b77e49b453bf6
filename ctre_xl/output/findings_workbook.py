"""The findings workbook ``outbox/<year>/kiem-tra-<year>.xlsx``: every finding, errors first.

It is what the commune secretary prints and sends back to units, so it is a plain list made for
paper: one sheet, the shared findings table (``findings_table``), filterable, in the house font
at report size, wrapped, on A4 landscape one page wide with the header row on every page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ctre_xl.book import SafeSheet, report_workbook
from ctre_xl.files import atomic_write
from ctre_xl.limits import SheetChain, chunks
from ctre_xl.merge.model import MergeResult
from ctre_xl.output.ordering import errors_first
from ctre_xl.output.findings_table import (CODE_SIZE, FINDINGS_HEADERS, FINDINGS_WIDTHS, FindingsLook, counts_text,
                                           figure_labels, write_findings_table)
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.vocab import Severity
from ctre_xl.style import (AMBER, HEADER_FILL, MUTED, PAGE_OF, RED, REPORT_PAGE, REPORT_SIZE, font, font_code,
                           page_text, print_a4, status_colours)

SHEET = "Kiểm tra"
HEADER_ROW = 3


def write_findings_workbook(result: MergeResult, catalog: Catalog, path: Path) -> Path:
    """Every finding, errors first, in ``outbox/<year>/kiem-tra-<year>.xlsx``; returns where it went.

    Written with XlsxWriter to a temporary file and renamed into place; every cell is written as a
    string, so a unit's text such as "=HYPERLINK(...)" stays text, never a formula.
    """
    names = {u.id: u.name for u in result.units}
    with atomic_write(Path(path), allow_fallback=True) as (temporary, target):
        # The house font as the default (column widths are measured in its characters); in memory.
        workbook = report_workbook(temporary)
        base = {**font(REPORT_SIZE), "valign": "top"}
        plain = workbook.add_format({**base, "text_wrap": True, "border": 1})
        centred = {**base, "border": 1, "align": "center", "text_wrap": True}
        look = FindingsLook(
            text=plain, empty=plain,
            code=workbook.add_format({**base, "font_size": CODE_SIZE, "font_color": MUTED, "border": 1,
                                      "text_wrap": True}),
            severity=_severity_formats(workbook, centred))
        chain = SheetChain(lambda name: workbook.add_worksheet(name, worksheet_class=SafeSheet), SHEET)
        chain.rows = len(result.findings)
        labels = figure_labels(catalog)
        # Past Excel's rows: "Kiểm tra (2)", …, cut as the summary's sheet (same first row), whose
        # notice names this file too: this file may be written by the worker process.
        for piece in chunks(errors_first(result.findings), HEADER_ROW + 1):
            _write_sheet(chain.next(), workbook, result, catalog, list(piece), names, labels, look)
        workbook.close()
    return target.path


def _write_sheet(sheet: Worksheet, workbook: Workbook, result: MergeResult, catalog: Catalog,
                 findings: list[Finding], names: dict[str, str], labels: dict[str, str], look: FindingsLook) -> None:
    """One sheet of the list: its title, the counts, the header, ``findings``, the A4 set-up."""
    base = {**font(REPORT_SIZE), "valign": "top"}
    sheet.write_string(0, 0, f"Kết quả kiểm tra số liệu báo cáo năm {result.year}",
                       workbook.add_format({**base, "bold": True, "font_size": 14}))
    sheet.write_string(1, 0, f"{counts_text(result.findings)}. Lỗi cần đơn vị sửa và gửi lại; cảnh báo cần "
                             "xem lại. Cột cuối là mã của số liệu trong phần mềm.", workbook.add_format(base))
    header = workbook.add_format({**base, "bold": True, "bg_color": HEADER_FILL, "border": 1, "text_wrap": True,
                                  "valign": "vcenter"})
    for column, text in enumerate(FINDINGS_HEADERS):
        sheet.write_string(HEADER_ROW, column, text, header)
    write_findings_table(sheet, findings, names, labels, HEADER_ROW, look)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    for column, width in enumerate(FINDINGS_WIDTHS):
        sheet.set_column(column, column, width)
    code = font_code(10)
    print_a4(sheet, REPORT_PAGE, repeat_rows=(HEADER_ROW, HEADER_ROW),
             header=f"&L{code}{page_text(f'{catalog.commune}, {catalog.province}')}"
                    f"&R{code}Kiểm tra số liệu năm {result.year}",
             footer=f"&R{code}{PAGE_OF}")


def _severity_formats(workbook: Workbook, centred: dict[str, Any]) -> Callable[[Severity], Format]:
    """The "Mức độ" cell's format for each severity: red for an error, amber for a warning."""
    error = workbook.add_format({**centred, **status_colours(RED, bold=True)})
    warning = workbook.add_format({**centred, **status_colours(AMBER)})
    return lambda severity: error if severity == Severity.ERROR else warning
