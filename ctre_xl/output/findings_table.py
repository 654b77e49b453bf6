"""The findings table: one renderer for the findings workbook (kiem-tra) and the summary's sheet.

Both list every finding, errors first, in the same seven columns; they differ only in look (column
formats, how the severity is coloured, row heights, how an empty list reads), which each caller
passes as a ``FindingsLook``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ctre_xl.output.ordering import WHOLE_COMMUNE, errors_first
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.vocab import Severity

FINDINGS_HEADERS = ("Tệp", "Đơn vị", "Trang", "Ô", "Mã", "Mức độ", "Nội dung")
CELL_COLUMN, SEVERITY_COLUMN = 3, 5
NO_FINDINGS = "Không có lỗi hay cảnh báo nào."


@dataclass(frozen=True)
class FindingsLook:
    """How one workbook shows the table."""

    text: Format  # every cell but the severity (and the cell reference, if ``cell_ref``)
    severity: Callable[[Severity], Format]  # the "Mức độ" cell of a finding of that severity
    empty: Format  # "no findings"
    cell_ref: Format | None = None  # the "Ô" column, when it differs from ``text``
    merge_empty: bool = False  # "no findings" across the table, outside the filter (else in column A)
    row_height: Callable[[tuple[str, ...]], float] | None = None  # from a row's texts; None: Excel's


def counts_text(findings: list[Finding]) -> str:
    """"2 lỗi, 1 cảnh báo"."""
    errors = sum(1 for finding in findings if finding.severity == Severity.ERROR)
    return f"{errors} lỗi, {len(findings) - errors} cảnh báo"


def finding_cells(finding: Finding, names: Mapping[str, str]) -> tuple[str, ...]:
    """The texts of a finding's row, in ``FINDINGS_HEADERS`` order (unit shown by its name)."""
    unit = names.get(finding.unit, finding.unit) if finding.unit else ""
    return (finding.file or WHOLE_COMMUNE, unit, finding.sheet or "", finding.cell or "", finding.code or "",
            finding.severity.label, finding.message)


def write_findings_table(sheet: Worksheet, findings: list[Finding], names: Mapping[str, str], header_row: int,
                         look: FindingsLook) -> int:
    """Every finding, errors first, below ``header_row`` (written by the caller), with a filter on
    the header; returns the row after the last finding. Every cell is a string, never a formula."""
    row = header_row + 1
    for finding in errors_first(findings):
        cells = finding_cells(finding, names)
        for column, text in enumerate(cells):
            if column == SEVERITY_COLUMN:
                fmt = look.severity(finding.severity)
            elif column == CELL_COLUMN and look.cell_ref is not None:
                fmt = look.cell_ref
            else:
                fmt = look.text
            sheet.write_string(row, column, text, fmt)
        if look.row_height is not None:
            sheet.set_row(row, look.row_height(cells))
        row += 1
    last_col = len(FINDINGS_HEADERS) - 1
    if row == header_row + 1:
        if look.merge_empty:
            sheet.merge_range(row, 0, row, last_col, NO_FINDINGS, look.empty)
        else:
            sheet.write_string(row, 0, NO_FINDINGS, look.empty)
    filtered = row - 1 if findings or look.merge_empty else row  # the empty line is filtered in column A
    sheet.autofilter(header_row, 0, filtered, last_col)
    return row
