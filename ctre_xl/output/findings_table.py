"""The findings table: one renderer for the findings workbook (kiem-tra) and the summary's sheet.

Both list every finding, errors first, in the same eight columns and widths, sized to be read on
paper (A4 landscape, one page wide, near full size): each figure is named by its Vietnamese label,
the machine code only in the last, narrow, grey column. They differ only in look (column formats,
how the severity is coloured, how an empty list reads), which each caller passes as a
``FindingsLook``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ctre_xl.output.ordering import WHOLE_COMMUNE, errors_first
from ctre_xl.output.summary.styles import text_height
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.findings import Finding
from ctre_xl.text import format_number
from ctre_xl.plan.vocab import Severity
from ctre_xl.template.layout import PREPARER_FIELDS, TEXT_FIELDS

FINDINGS_HEADERS = ("Tệp", "Đơn vị", "Trang", "Ô", "Số liệu, chỉ tiêu", "Mức độ", "Nội dung", "Mã")
# About 140 characters in all: an A4 landscape page holds them at close to full size.
FINDINGS_WIDTHS = (22, 18, 8, 5, 24, 9, 48, 11)
CELL_COLUMN, SEVERITY_COLUMN, CODE_COLUMN = 3, 5, 7
CODE_SIZE = 10  # the code column: secondary, smaller than the text (never under 10 pt on paper)
NO_FINDINGS = "Không có lỗi hay cảnh báo nào."


@dataclass(frozen=True)
class FindingsLook:
    """How one workbook shows the table."""

    text: Format  # every cell but the severity, the cell reference and the code
    severity: Callable[[Severity], Format]  # the "Mức độ" cell of a finding of that severity
    empty: Format  # "no findings"
    code: Format  # the machine code: narrow, grey, small
    cell_ref: Format | None = None  # the "Ô" column, when it differs from ``text``
    merge_empty: bool = False  # "no findings" across the table, outside the filter (else in column A)


def counts_text(findings: list[Finding]) -> str:
    """"2 lỗi, 1 cảnh báo"."""
    errors = sum(1 for finding in findings if finding.severity == Severity.ERROR)
    return f"{format_number(errors)} lỗi, {format_number(len(findings) - errors)} cảnh báo"


def figure_labels(catalog: Catalog) -> dict[str, str]:
    """code -> the Vietnamese label a finding's figure is named by: elements, metrics, the front
    sheet's fields, free texts and explanations (``note_<metric>``)."""
    labels = {code: element.label for code, element in catalog.elements.items()}
    labels.update({metric.code: metric.name for metric in catalog.metrics})
    labels.update({f"note_{metric.code}": f"Giải trình: {metric.name}" for metric in catalog.metrics})
    labels.update(PREPARER_FIELDS)
    labels.update(TEXT_FIELDS)
    return labels


def finding_cells(finding: Finding, names: Mapping[str, str], labels: Mapping[str, str]) -> tuple[str, ...]:
    """The texts of a finding's row, in ``FINDINGS_HEADERS`` order (unit by its name, figure by its label)."""
    unit = names.get(finding.unit, finding.unit) if finding.unit else ""
    code = finding.code or ""
    return (finding.file or WHOLE_COMMUNE, unit, finding.sheet or "", finding.cell or "", labels.get(code, ""),
            finding.severity.label, finding.message, code)


def row_height(cells: tuple[str, ...]) -> float:
    """Points for a row showing every wrapped cell in full (the code in its smaller font holds more)."""
    texts = [(cells[column], FINDINGS_WIDTHS[column]) for column in (0, 1, 2, 4, 6)]
    texts.append((cells[CODE_COLUMN], FINDINGS_WIDTHS[CODE_COLUMN] * 11 / CODE_SIZE))
    return text_height(texts)


def write_findings_table(sheet: Worksheet, findings: list[Finding], names: Mapping[str, str],
                         labels: Mapping[str, str], header_row: int, look: FindingsLook) -> int:
    """Every finding, errors first, below ``header_row`` (written by the caller), with a filter on
    the header; returns the row after the last finding. Every cell is a string, never a formula."""
    row = header_row + 1
    for finding in errors_first(findings):
        cells = finding_cells(finding, names, labels)
        for column, text in enumerate(cells):
            if column == SEVERITY_COLUMN:
                fmt = look.severity(finding.severity)
            elif column == CELL_COLUMN and look.cell_ref is not None:
                fmt = look.cell_ref
            elif column == CODE_COLUMN:
                fmt = look.code
            else:
                fmt = look.text
            sheet.write_string(row, column, text, fmt)
        sheet.set_row(row, row_height(cells))
        row += 1
    last_col = len(FINDINGS_HEADERS) - 1
    if row == header_row + 1:
        if look.merge_empty:
            sheet.merge_range(row, 0, row, last_col, NO_FINDINGS, look.empty)
        else:
            sheet.write_string(row, 0, NO_FINDINGS, look.empty)
            sheet.set_row(row, text_height([(NO_FINDINGS, FINDINGS_WIDTHS[0])]))  # wrapped in column A
    filtered = row - 1 if findings or look.merge_empty else row  # the empty line is filtered in column A
    sheet.autofilter(header_row, 0, filtered, last_col)
    return row
