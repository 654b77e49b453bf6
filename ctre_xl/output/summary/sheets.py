"""The summary's list sheets: "Tiến độ nộp" (completeness) and "Kiểm tra" (findings); "Dữ liệu" is
``data_sheet``."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence, TextIO

from xlsxwriter.format import Format
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
from ctre_xl.output.summary.side_rows import RowJob, SideRows
from ctre_xl.output.summary.styles import Styles, add_text_rule, start_table_sheet, text_height
from ctre_xl.style import AMBER, COUNT, DATE, GREEN, MUTED, RED
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import Severity
from ctre_xl.sheetxml import DEFAULT_ROW_PIXELS, write_sized_rows
from ctre_xl.text import format_date, format_number

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
                         registry: Registry, rows: SideRows) -> None:
    """Every expected unit: received or not, on time or late, file, date, preparer, problems; then
    the MTTQ and đoàn thể, "không bắt buộc". Past a sheet's rows the list goes on in "Tiến độ nộp
    (2)", … (``limits.SheetChain``). The units' rows are made by ``progress_job`` (``rows``: on the
    other core, when it is worth it)."""
    widths = list(PROGRESS_WIDTHS)
    chain.rows = len(result.units)
    row = FIRST_ROW
    for index, piece in enumerate(chunks(result.units, FIRST_ROW)):
        sheet = _start_progress(chain, styles, result, catalog)
        _take_progress_rows(sheet, index, len(piece), rows)
        row = FIRST_ROW + len(piece)
        if piece:
            _colour_progress(sheet, styles, row)
    # The blocks below the table, on a sheet of their own when they would not fit under it.
    optional = 2 + len(registry.optional) if registry.optional else 0
    corrections = 2 + len(result.corrections) if result.corrections else 0
    if not fits(row, optional + corrections):
        sheet, row = _start_progress(chain, styles, result, catalog), FIRST_ROW
    row = write_optional_progress(sheet, styles, result, registry, row, widths)
    write_corrections_block(sheet, styles, result, catalog, row, widths)


def _start_progress(chain: SheetChain, styles: Styles, result: MergeResult, catalog: Catalog) -> Worksheet:
    sheet = chain.next()
    deadline = catalog.deadline(result.year)
    received = sum(1 for unit in result.units if unit.received)
    start_table_sheet(sheet, styles, catalog, result.year,
                      title=f"Tiến độ nộp báo cáo năm {result.year}{CONTINUED if len(chain.sheets) > 1 else ''}",
                      subtitle=f"Hạn nộp: {format_date(deadline)}. Đã nhận {format_number(received)}/{format_number(len(result.units))} đơn vị. "
                               "Ngày báo cáo là ngày đơn vị ghi trong biểu mẫu.",
                      headers=list(PROGRESS_HEADERS), widths=list(PROGRESS_WIDTHS), header_row=HEADER_ROW,
                      header_height=32)
    return sheet


# ----------------------------------------------------------------------------- the units' rows

PROGRESS_ROWS = "progress"  # the list's name among the rows made on the other core
ProgressRow = tuple  # a unit's 11 cells' values, then the texts its row's height is measured from


def progress_looks(styles: Styles) -> tuple[Format, ...]:
    """The formats of the units' rows: text, centred, the status, a date, a count."""
    return (styles.text(), styles.centre(), styles.centre(bold=True), styles.number(DATE, align="center"),
            styles.number(COUNT, align="center"))


def progress_row(unit: UnitStatus, number: int) -> ProgressRow:
    """A unit's row (the preparer and phone as the unit typed them: literal text)."""
    return (number, unit.name or unit.id, KIND_LABELS.get(unit.kind, unit.kind), "Có" if unit.received else "Không",
            timeliness(unit), unit.file or "", unit.report_date, unit.preparer or "", unit.phone or "", unit.errors,
            unit.warnings, unit.name, unit.preparer)


def progress_cells(values: ProgressRow, looks: Sequence[Any]) -> tuple[list[tuple[Any, Any]], float]:
    """A unit's cells, each (value, look: a format or its index), and the row's height."""
    text, centre, status, day, count = looks
    number, name, kind, received, timely, file, report_date, preparer, phone, errors, warnings, own_name, typed = values
    cells = [(number, centre), (name, text), (kind, centre), (received, centre), (timely, status), (file, text),
             (report_date, day if report_date is not None else centre), (preparer, text), (phone, text),
             (errors, count), (warnings, count)]
    widths = PROGRESS_WIDTHS
    return cells, text_height([(own_name, widths[1]), (file, widths[5]), (typed, widths[7])])


def make_progress_rows(out: TextIO, rows: Iterable[ProgressRow], xfs: Sequence[int], date_1904: bool) -> None:
    """One sheet's units' rows, as ``side_rows`` asks of a maker (``xfs``: ``progress_looks``' indexes)."""
    write_sized_rows(out, FIRST_ROW + 1, (progress_cells(values, xfs) for values in rows), date_1904)


def progress_job(result: MergeResult, styles: Styles) -> RowJob:
    """The units' rows of every "Tiến độ nộp" sheet, numbered as ``write_progress_sheet`` numbers them."""
    xfs = [look._get_xf_index() for look in progress_looks(styles)]  # numbered now: the worker writes the same

    def pieces() -> Iterator[Iterator[ProgressRow]]:
        first = 1
        for piece in chunks(result.units, FIRST_ROW):
            yield (progress_row(unit, number) for number, unit in enumerate(piece, start=first))
            first += len(piece)
    return RowJob(make_progress_rows, pieces, (xfs, styles.workbook.date_1904), len(result.units))


def _take_progress_rows(sheet: Worksheet, number: int, count: int, rows: SideRows) -> None:
    if not (isinstance(sheet, StreamedSheet) and sheet.constant_memory) or sheet.excel_version != 2007 \
            or sheet.default_row_height != DEFAULT_ROW_PIXELS or sheet.original_row_height != DEFAULT_ROW_PIXELS \
            or sheet.remove_timezone:
        raise RuntimeError(f"{sheet.name}: rows made elsewhere need a streamed sheet of default rows")
    sheet.append_rows(FIRST_ROW, count, len(PROGRESS_HEADERS) - 1, rows.rows(PROGRESS_ROWS, number))


def _colour_progress(sheet: Worksheet, styles: Styles, row: int) -> None:
    """The status and problem counts coloured, for the units' rows above ``row``."""
    status_cells = f"E{FIRST_ROW + 1}:E{row}"
    add_text_rule(sheet, styles, status_cells, ON_TIME, GREEN)
    add_text_rule(sheet, styles, status_cells, LATE, AMBER)
    add_text_rule(sheet, styles, status_cells, NO_DATE, AMBER)
    add_text_rule(sheet, styles, status_cells, MISSING, RED)
    for col, colours in (("J", RED), ("K", AMBER)):
        sheet.conditional_format(f"{col}{FIRST_ROW + 1}:{col}{row}", {
            "type": "cell", "criteria": ">", "value": 0, "format": styles.conditional(colours)})


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
