"""The summary's list sheets: "Tiến độ nộp" (completeness) and "Kiểm tra" (findings); "Dữ liệu" is
``data_sheet``."""

from __future__ import annotations

from typing import Sequence

from xlsxwriter.worksheet import Worksheet

from ctre_xl.book import StreamedSheet
from ctre_xl.limits import SheetChain, chunks, fits
from ctre_xl.plan.catalog import Catalog
from ctre_xl.merge.model import MergeResult, UnitStatus
from ctre_xl.output.corrections import write_corrections_block
from ctre_xl.output.ordering import errors_first
from ctre_xl.output.findings_table import (CODE_SIZE, FINDINGS_HEADERS, FINDINGS_WIDTHS, FindingsLook, counts_text,
                                           figure_labels, write_findings_table)
from ctre_xl.output.summary.metrics import HEADER_ROW, FIRST_ROW, unit_names
from ctre_xl.output.summary.opinions import write_optional_progress
from ctre_xl.output.summary.styles import Styles, add_text_rule, start_table_sheet, text_height
from ctre_xl.style import AMBER, COUNT, DATE, GREEN, MUTED, RED
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import Severity
from ctre_xl.text import format_date

PROGRESS_SHEET = "Tiến độ nộp"
FINDINGS_SHEET = "Kiểm tra"

ON_TIME, LATE, NO_DATE, MISSING = "Đúng hạn", "Nộp muộn", "Không ghi ngày", "Chưa nộp"
KIND_LABELS = {"department": "Phòng, ban", "school": "Trường học"}


def timeliness(status: UnitStatus) -> str:
    """On time / late / no report date / missing, as the sheets and the overview say it."""
    if not status.received:
        return MISSING
    if status.on_time is None:
        return NO_DATE
    return ON_TIME if status.on_time else LATE


PROGRESS_HEADERS = ("STT", "Đơn vị", "Loại", "Đã nhận", "Tình trạng", "Tệp", "Ngày báo cáo", "Người lập biểu",
                    "Điện thoại", "Số lỗi", "Số cảnh báo")
PROGRESS_WIDTHS = (5, 32, 11, 8, 13, 34, 11, 20, 14, 7, 9)
CONTINUED = " (tiếp theo)"  # the title of a list's second and later sheets


def write_progress_sheet(chain: SheetChain, styles: Styles, result: MergeResult, catalog: Catalog,
                         registry: Registry | None = None) -> None:
    """Every expected unit: received or not, on time or late, file, date, preparer, problems; then
    (with ``registry``) the MTTQ and đoàn thể, "không bắt buộc". Past a sheet's rows the list goes
    on in "Tiến độ nộp (2)", … (``limits.SheetChain``)."""
    widths = list(PROGRESS_WIDTHS)
    chain.rows = len(result.units)
    number, row = 1, FIRST_ROW
    for piece in chunks(result.units, FIRST_ROW):
        sheet = _start_progress(chain, styles, result, catalog)
        row = _write_progress_rows(sheet, styles, piece, number)
        number += len(piece)
    # The blocks below the table, on a sheet of their own when they would not fit under it.
    optional = 2 + len(registry.optional) if registry is not None and registry.optional else 0
    corrections = 2 + len(result.corrections) if result.corrections else 0
    if not fits(row, optional + corrections):
        sheet, row = _start_progress(chain, styles, result, catalog), FIRST_ROW
    if registry is not None:
        row = write_optional_progress(sheet, styles, result, registry, row, widths)
    write_corrections_block(sheet, styles, result, catalog, row, widths)


def _start_progress(chain: SheetChain, styles: Styles, result: MergeResult, catalog: Catalog) -> Worksheet:
    sheet = chain.next()
    deadline = catalog.deadline(result.year)
    received = sum(1 for unit in result.units if unit.received)
    start_table_sheet(sheet, styles, catalog, result.year,
                      title=f"Tiến độ nộp báo cáo năm {result.year}{CONTINUED if len(chain.sheets) > 1 else ''}",
                      subtitle=f"Hạn nộp: {format_date(deadline)}. Đã nhận {received}/{len(result.units)} đơn vị. "
                               "Ngày báo cáo là ngày đơn vị ghi trong biểu mẫu.",
                      headers=list(PROGRESS_HEADERS), widths=list(PROGRESS_WIDTHS), header_row=HEADER_ROW,
                      header_height=32)
    return sheet


def _write_progress_rows(sheet: StreamedSheet, styles: Styles, units: Sequence[UnitStatus], number: int) -> int:
    """The units' rows from ``FIRST_ROW``, numbered from ``number``, coloured; returns the row after them."""
    widths = PROGRESS_WIDTHS
    text, centre = styles.text(), styles.centre()
    row = FIRST_ROW
    status, day, count = styles.centre(bold=True), styles.number(DATE, align="center"), styles.number(COUNT, align="center")
    for number, unit in enumerate(units, start=number):
        sheet.write_cells(row, [  # the preparer and phone as the unit typed them: literal text
            (number, centre), (unit.name or unit.id, text), (KIND_LABELS.get(unit.kind, unit.kind), centre),
            ("Có" if unit.received else "Không", centre), (timeliness(unit), status), (unit.file or "", text),
            (unit.report_date, day if unit.report_date is not None else centre), (unit.preparer or "", text),
            (unit.phone or "", text), (unit.errors, count), (unit.warnings, count)],
            text_height([(unit.name, widths[1]), (unit.file or "", widths[5]), (unit.preparer, widths[7])]))
        row += 1
    if row > FIRST_ROW:
        status_cells = f"E{FIRST_ROW + 1}:E{row}"
        add_text_rule(sheet, styles, status_cells, ON_TIME, GREEN)
        add_text_rule(sheet, styles, status_cells, LATE, AMBER)
        add_text_rule(sheet, styles, status_cells, NO_DATE, AMBER)
        add_text_rule(sheet, styles, status_cells, MISSING, RED)
        for col, colours in (("J", RED), ("K", AMBER)):
            sheet.conditional_format(f"{col}{FIRST_ROW + 1}:{col}{row}", {
                "type": "cell", "criteria": ">", "value": 0, "format": styles.conditional(colours)})
    return row


def write_findings_sheet(chain: SheetChain, styles: Styles, result: MergeResult, catalog: Catalog,
                         registry: Registry) -> None:
    """Every finding with where it is, errors first, filterable (the table of ``findings_table``);
    past a sheet's rows on "Kiểm tra (2)", … each with its header and filter."""
    names, labels = unit_names(result, registry), figure_labels(catalog)
    severity = styles.centre(bold=True)  # coloured by the conditional rules below
    look = FindingsLook(text=styles.text(), cell_ref=styles.centre(), severity=lambda _severity: severity,
                        code=styles.text(font_size=CODE_SIZE, font_color=MUTED),
                        empty=styles.text(italic=True), merge_empty=True)
    chain.rows = len(result.findings)
    for piece in chunks(errors_first(result.findings), FIRST_ROW):
        sheet = chain.next()
        start_table_sheet(sheet, styles, catalog, result.year,
                          title=f"Kết quả kiểm tra số liệu năm {result.year}"
                                f"{CONTINUED if len(chain.sheets) > 1 else ''}",
                          subtitle=f"{counts_text(result.findings)}. Lỗi cần đơn vị sửa và gửi lại; "
                                   "cảnh báo cần xem lại. Dùng nút lọc ở dòng tiêu đề để xem từng đơn vị. "
                                   "Cột cuối là mã của số liệu trong phần mềm.",
                          headers=list(FINDINGS_HEADERS), widths=list(FINDINGS_WIDTHS), header_row=HEADER_ROW,
                          header_height=20)
        row = write_findings_table(sheet, list(piece), names, labels, HEADER_ROW, look)
        if row > FIRST_ROW:
            severity_cells = f"F{FIRST_ROW + 1}:F{row}"
            add_text_rule(sheet, styles, severity_cells, Severity.ERROR.label, RED)
            add_text_rule(sheet, styles, severity_cells, Severity.WARNING.label, AMBER)
