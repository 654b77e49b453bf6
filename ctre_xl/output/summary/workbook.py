"""The leadership summary workbook (outbox/<year>/tong-hop-<year>.xlsx).

``write_summary`` renders a ``MergeResult`` into six sheets, in this order: "Tổng quan"
(``overview``), "Chỉ tiêu" and "Theo đơn vị" (``metrics``), "Tiến độ nộp", "Kiểm tra" and
"Dữ liệu" (``sheets``), with "Lộ trình 2030" (``roadmap``) after "Chỉ tiêu" when the workspace has a
history. The file is written to a temporary name and moved into place; when
the target is open in Excel the result goes to "tong-hop-<year> (1).xlsx" and the returned path
says so (``fallback_used``, ``notice``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ctre_xl.plan.catalog import Catalog
from ctre_xl.book import report_workbook
from ctre_xl.files import atomic_write
from ctre_xl.merge.model import MergeResult
from ctre_xl.output.fitting import FittingSheet
from ctre_xl.output.summary.by_unit import BY_UNIT_SHEET, write_by_unit_sheet
from ctre_xl.output.summary.metrics import METRICS_SHEET, write_metrics_sheet
from ctre_xl.output.summary.overview import OVERVIEW_SHEET, write_overview_sheet
from ctre_xl.output.summary.roadmap import ROADMAP_SHEET, write_roadmap_sheet
from ctre_xl.output.summary.sheets import (DATA_SHEET, FINDINGS_SHEET, PROGRESS_SHEET, write_data_sheet,
                                           write_findings_sheet, write_progress_sheet)
from ctre_xl.output.summary.styles import Styles
from ctre_xl.plan.units import Registry

SHEETS = (OVERVIEW_SHEET, METRICS_SHEET, BY_UNIT_SHEET, PROGRESS_SHEET, FINDINGS_SHEET, DATA_SHEET)


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
    with atomic_write(requested, allow_fallback=True) as (temporary, target):
        workbook = report_workbook(temporary)  # unit text literal, any text writable, in memory
        workbook.set_properties({
            "title": f"Tổng hợp kết quả thực hiện Kế hoạch vì trẻ em năm {result.year}",
            "subject": catalog.title, "author": "ctre-xl", "company": catalog.commune, "created": made,
        })
        styles = Styles(workbook)
        sheets = {name: workbook.add_worksheet(name, worksheet_class=FittingSheet) for name in sheet_names(result)}
        metric_sheet = write_metrics_sheet(sheets[METRICS_SHEET], styles, result, catalog)
        write_overview_sheet(sheets[OVERVIEW_SHEET], workbook, styles, result, catalog, metric_sheet, made)
        if ROADMAP_SHEET in sheets:
            write_roadmap_sheet(sheets[ROADMAP_SHEET], styles, result, catalog)
        write_by_unit_sheet(sheets[BY_UNIT_SHEET], styles, result, catalog, registry)
        write_progress_sheet(sheets[PROGRESS_SHEET], styles, result, catalog, registry)
        write_findings_sheet(sheets[FINDINGS_SHEET], styles, result, catalog, registry)
        write_data_sheet(sheets[DATA_SHEET], styles, result, catalog, registry)
        sheets[OVERVIEW_SHEET].activate()
        workbook.close()  # an OSError (disk full...), even wrapped by XlsxWriter: files.atomic_write words it
    written = SummaryPath(target.path)
    written.requested = requested
    written.fallback_used = target.fallback_used
    return written
