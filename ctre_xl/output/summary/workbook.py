"""The leadership summary workbook (outbox/<year>/tong-hop-<year>.xlsx).

``write_summary`` renders a ``MergeResult`` into six sheets, in this order: "Tổng quan"
(``overview``), "Chỉ tiêu" and "Theo đơn vị" (``metrics``), "Tiến độ nộp", "Kiểm tra" and
"Dữ liệu" (``sheets``; a list past Excel's rows goes on in "Dữ liệu (2)", …, said in the console
and on page 1), with "Lộ trình 2030" (``roadmap``) after "Chỉ tiêu" when the workspace has a
history. The file is written to a temporary name and moved into place; when
the target is open in Excel the result goes to "tong-hop-<year> (1).xlsx" and the returned path
says so (``fallback_used``, ``notice``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ctre_xl.plan.catalog import Catalog
from ctre_xl.book import SafeSheet, StreamedSheet, report_workbook
from ctre_xl.files import atomic_write, scratch_folder
from ctre_xl.limits import SheetChain, split_notice
from ctre_xl.merge.model import MergeResult
from ctre_xl.output.summary.by_unit import BY_UNIT_SHEET, write_by_unit_sheet
from ctre_xl.output.summary.metrics import METRICS_SHEET, write_metrics_sheet
from ctre_xl.output.summary.overview import OVERVIEW_SHEET, write_overview_sheet
from ctre_xl.output.summary.roadmap import ROADMAP_SHEET, write_roadmap_sheet
from ctre_xl.output.summary.data_sheet import DATA_ROWS, DATA_SHEET, data_formats, data_job, write_data_sheet
from ctre_xl.output.summary.sheets import (FINDINGS_SHEET, PROGRESS_ROWS, PROGRESS_SHEET, progress_job,
                                          write_findings_sheet, write_progress_sheet)
from ctre_xl.output.summary.side_rows import SideRows
from ctre_xl.output.summary.styles import Styles
from ctre_xl.plan.units import Registry

SHEETS = (OVERVIEW_SHEET, METRICS_SHEET, BY_UNIT_SHEET, PROGRESS_SHEET, FINDINGS_SHEET, DATA_SHEET)
# The sheets that grow with the units and files, in order: (name, writer, what its entries are).
LISTS = ((BY_UNIT_SHEET, write_by_unit_sheet, "dòng số liệu"), (PROGRESS_SHEET, write_progress_sheet, "đơn vị"),
         (FINDINGS_SHEET, write_findings_sheet, "lỗi và cảnh báo"), (DATA_SHEET, write_data_sheet, "số liệu"))


class SummaryPath(type(Path())):  # type: ignore[misc]
    """The path the summary was written to; a Path, plus whether the locked-file fallback was used."""

    requested: Path
    fallback_used: bool

    @property
    def notice(self) -> str:
        """A Vietnamese sentence for the console when the usual file was open; "" otherwise."""
        if not self.fallback_used:
            return ""
        return (f"Tệp {self.requested.name} đang được mở (trong Excel) nên không ghi đè được; "
                f"bảng tổng hợp đã được ghi vào {self.name}. Đóng tệp cũ rồi chạy lại nếu muốn ghi đúng tên.")


def sheet_names(result: MergeResult) -> tuple[str, ...]:
    """The sheets in order: "Lộ trình 2030" after "Chỉ tiêu" when the workspace has a history."""
    if result.series is None:
        return SHEETS
    return (*SHEETS[:2], ROADMAP_SHEET, *SHEETS[2:])


def write_summary(result: MergeResult, catalog: Catalog, registry: Registry, path: Path,
                  *, made: datetime | None = None) -> SummaryPath:
    """Write the leadership summary of ``result`` to ``path`` (atomically); return where it went."""
    made = made or datetime.now()
    requested = Path(path)
    with atomic_write(requested, allow_fallback=True) as (temporary, target), scratch_folder(temporary.parent) as scratch:
        # Unit text literal, any text writable; the sheets' XML in ``scratch``, not held in memory.
        workbook = report_workbook(temporary, scratch)
        workbook.set_properties({
            "title": f"Tổng hợp kết quả thực hiện Kế hoạch vì trẻ em năm {result.year}",
            "subject": catalog.title, "author": "ctre-xl", "company": catalog.commune, "created": made,
        })
        _write_sheets(workbook, scratch, result, catalog, registry, made)
        workbook.close()  # an OSError (disk full...), even wrapped by XlsxWriter: files.atomic_write words it
    written = SummaryPath(target.path)
    written.requested = requested
    written.fallback_used = target.fallback_used
    return written


def _write_sheets(workbook: Workbook, scratch: Path, result: MergeResult, catalog: Catalog, registry: Registry,
                  made: datetime) -> None:
    """Every sheet, page 1 last (it says which lists were split); the rows of "Tiến độ nộp" and
    "Dữ liệu" are made on the other core meanwhile (``side_rows``)."""
    styles = Styles(workbook)
    rows = SideRows(scratch, {PROGRESS_ROWS: progress_job(result, styles),
                              DATA_ROWS: data_job(result, catalog, registry, data_formats(styles))})

    def make(name: str) -> Worksheet:
        return workbook.add_worksheet(name, worksheet_class=SafeSheet)

    def stream(name: str) -> Worksheet:  # a list's sheet: its rows leave memory as they are written
        return workbook.add_worksheet(name, worksheet_class=StreamedSheet)

    try:
        # The first sheets now; each list's sheets as it is written, so a list split by Excel's row
        # limit ("Dữ liệu", "Dữ liệu (2)", …) keeps its sheets together in the workbook's order.
        names = sheet_names(result)
        sheets = {name: make(name) for name in names[:names.index(BY_UNIT_SHEET)]}
        metric_sheet = write_metrics_sheet(sheets[METRICS_SHEET], styles, result, catalog)
        if ROADMAP_SHEET in sheets:
            write_roadmap_sheet(sheets[ROADMAP_SHEET], styles, result, catalog)
        split = []
        for name, write, what in LISTS:
            chain = SheetChain(stream, name)
            if name in (PROGRESS_SHEET, DATA_SHEET):  # their rows made on the other core
                write(chain, styles, result, catalog, registry, rows)
            else:
                write(chain, styles, result, catalog, registry)
            if chain.split:  # the findings workbook's sheet is cut the same way (same first row)
                also = f"kiem-tra-{result.year}.xlsx" if name == FINDINGS_SHEET else ""
                split.append(split_notice(chain, what, also))
    finally:
        rows.stop()  # done by now, or stopped (Ctrl-C, an error): nothing of it outlives the summary
    result.notices.extend(notice for notice in split if notice not in result.notices)
    write_overview_sheet(sheets[OVERVIEW_SHEET], workbook, styles, result, catalog, metric_sheet, made, split=split)
    sheets[OVERVIEW_SHEET].activate()
