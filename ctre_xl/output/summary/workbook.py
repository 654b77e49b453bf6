"""The leadership summary workbook (outbox/<year>/tong-hop-<year>.xlsx) and its overview sheet.

``write_summary`` renders a ``MergeResult`` into six sheets, in this order: "Tổng quan" (this
module), "Chỉ tiêu" and "Theo đơn vị" (summary_metrics), "Tiến độ nộp", "Kiểm tra" and
"Dữ liệu" (summary_sheets). The file is written to a temporary name and moved into place; when
the target is open in Excel the result goes to "tong-hop-<year> (1).xlsx" and the returned path
says so (``fallback_used``, ``notice``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.errors import WorkspaceError
from ctre_xl.files import atomic_write
from ctre_xl.merge.model import MergeResult, MetricResult
from ctre_xl.plan.vocab import ElementKind, MetricStatus, Operator
from ctre_xl.output.summary.metrics import (BY_UNIT_SHEET, METRICS_SHEET, MetricSheet, write_by_unit_sheet,
                              write_metrics_sheet)
from ctre_xl.output.summary.sheets import (DATA_SHEET, FINDINGS_SHEET, LATE, MISSING, NO_DATE, ON_TIME, PROGRESS_SHEET,
                             timeliness, write_data_sheet, write_findings_sheet, write_progress_sheet)
from ctre_xl.output.summary.styles import Styles, setup_page, sign, target_format, text_height, value_format
from ctre_xl.style import (AMBER, BAND_FILL, CHART_AMBER, CHART_GREEN, CHART_RED, COUNT, FONT, GREEN, MONEY, MUTED,
                           RED, REPORT_SIZE, SHARE, font)
from ctre_xl.plan.units import Registry
from ctre_xl.text import format_date

OVERVIEW_SHEET = "Tổng quan"
SHEETS = (OVERVIEW_SHEET, METRICS_SHEET, BY_UNIT_SHEET, PROGRESS_SHEET, FINDINGS_SHEET, DATA_SHEET)
STATUS_ORDER = tuple(MetricStatus)  # the overview's columns
NOT_REPORTED = "chưa báo cáo"
FURTHEST_COUNT = 5
OVERVIEW_WIDTHS = (11, 42, 11, 11, 11, 11, 11, 11)
CHART_COLUMNS, CHART_COLUMN_WIDTH = 6, 10  # the chart's place, right of the tables


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


def write_summary(result: MergeResult, catalog: Catalog, registry: Registry, path: Path,
                  *, made: datetime | None = None) -> SummaryPath:
    """Write the leadership summary of ``result`` to ``path`` (atomically); return where it went."""
    made = made or datetime.now()
    requested = Path(path)
    with atomic_write(requested, allow_fallback=True) as (temporary, target):
        workbook = xlsxwriter.Workbook(str(temporary), {
            # Unit text is always literal: never a formula, number or link.
            "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
            "default_format_properties": font(REPORT_SIZE),
        })
        workbook.set_properties({
            "title": f"Tổng hợp kết quả thực hiện Kế hoạch vì trẻ em năm {result.year}",
            "subject": catalog.title, "author": "ctre-xl", "company": catalog.commune, "created": made,
        })
        styles = Styles(workbook)
        sheets = {name: workbook.add_worksheet(name) for name in SHEETS}
        metric_sheet = write_metrics_sheet(sheets[METRICS_SHEET], styles, result, catalog)
        write_overview_sheet(sheets[OVERVIEW_SHEET], workbook, styles, result, catalog, metric_sheet, made)
        write_by_unit_sheet(sheets[BY_UNIT_SHEET], styles, result, catalog, registry)
        write_progress_sheet(sheets[PROGRESS_SHEET], styles, result, catalog)
        write_findings_sheet(sheets[FINDINGS_SHEET], styles, result, catalog, registry)
        write_data_sheet(sheets[DATA_SHEET], styles, result, catalog, registry)
        sheets[OVERVIEW_SHEET].activate()
        try:
            workbook.close()
        except (OSError, XlsxWriterException) as exc:
            raise WorkspaceError(f"Không ghi được bảng tổng hợp {requested.name}: {exc}.") from exc
    written = SummaryPath(target.path)
    written.requested = requested
    written.fallback_used = target.fallback_used
    return written


# ----------------------------------------------------------------------------- Tổng quan


@dataclass(frozen=True)
class Gap:
    metric: Metric
    result: MetricResult
    relative: float | None  # how far from the target, as a share of it (None when the target is 0)


def status_counts(result: MergeResult, catalog: Catalog) -> dict[int, dict[MetricStatus, int]]:
    """objective -> status -> number of metrics (a metric the merge did not return: no data)."""
    by_code = {m.code: m for m in result.metrics}
    counts: dict[int, dict[MetricStatus, int]] = {o.number: dict.fromkeys(STATUS_ORDER, 0)
                                                  for o in catalog.objectives}
    for metric in catalog.metrics:
        found = by_code.get(metric.code)
        status = found.status if found else MetricStatus.NO_DATA
        counts.setdefault(metric.objective, dict.fromkeys(STATUS_ORDER, 0))
        counts[metric.objective][status] = counts[metric.objective].get(status, 0) + 1
    return counts


def furthest_from_target(result: MergeResult, catalog: Catalog, count: int = FURTHEST_COUNT) -> list[Gap]:
    """The metrics not met, furthest from their target first (relative gap, in the metric's direction)."""
    gaps = []
    for found in result.metrics:
        metric = catalog.metric_by_code.get(found.code)
        if metric is None or found.status != MetricStatus.NOT_MET or found.value is None or found.target is None:
            continue
        if found.operator is None or found.operator == Operator.EQ:
            distance = abs(found.value - found.target)
        elif found.operator.higher_is_better:
            distance = found.target - found.value
        else:
            distance = found.value - found.target
        relative = distance / abs(found.target) if found.target else None
        gaps.append(Gap(metric, found, relative))
    gaps.sort(key=lambda gap: (gap.relative is not None, gap.relative or 0.0), reverse=True)
    return gaps[:count]


def funding(result: MergeResult, catalog: Catalog) -> list[tuple[str, float | None, str]]:
    """(label, amount or None, who reported it) for every money element of the catalogue."""
    rows = []
    for code, element in catalog.elements.items():
        if element.kind != ElementKind.MONEY:
            continue
        amount = result.totals.get(code)
        providers = catalog.providers.get(code, ())
        if amount is None:
            for unit_id in providers:
                submission = result.submissions.get(unit_id)
                if submission and code in submission.values and submission.values[code].value is not None:
                    amount = submission.values[code].value
                    break
        names = [d.name for d in catalog.departments if d.id in providers]
        rows.append((element.label, amount, ", ".join(names)))
    return rows


def write_overview_sheet(sheet: Worksheet, workbook: xlsxwriter.Workbook, styles: Styles, result: MergeResult,
                         catalog: Catalog, metric_sheet: MetricSheet, made: datetime) -> None:
    """Page 1 for the chairman: results per objective, completeness, funding, worst gaps, a chart."""
    for col, width in enumerate(OVERVIEW_WIDTHS):
        sheet.set_column(col, col, width)
    last = len(OVERVIEW_WIDTHS) + CHART_COLUMNS  # the title spans the tables and the chart
    target_year = catalog.target_year(result.year)
    sheet.merge_range(0, 0, 0, last, f"TỔNG HỢP KẾT QUẢ THỰC HIỆN KẾ HOẠCH VÌ TRẺ EM NĂM {result.year}",
                      styles.get(bold=True, font_size=16, align="center", valign="vcenter"))
    sheet.set_row(0, 26)
    sheet.merge_range(1, 0, 1, last, catalog.title, styles.get(italic=True, align="center", text_wrap=True))
    sheet.merge_range(2, 0, 2, last,
                      f"{catalog.commune}, {catalog.province} — đánh giá theo mục tiêu năm {target_year} — "
                      f"lập ngày {format_date(made)} lúc {made:%H:%M}", styles.get(align="center"))
    setup_page(sheet, catalog, result.year, title_rows=(0, 0), freeze_row=3, one_page=True)
    header_row = 5
    row = _write_status_table(sheet, styles, result, catalog, metric_sheet, header_row - 1)
    row = _write_completeness(sheet, styles, result, row + 1)
    row = _write_funding(sheet, styles, result, catalog, row + 1)
    row = _write_furthest(sheet, styles, result, catalog, row + 1)
    # The chart sits beside the tables, not under them: the page is landscape and printed on one
    # sheet, so using its width keeps the text larger.
    chart_col = len(OVERVIEW_WIDTHS) + 1
    sheet.set_column(len(OVERVIEW_WIDTHS), len(OVERVIEW_WIDTHS), 2)
    sheet.set_column(chart_col, chart_col + CHART_COLUMNS - 1, CHART_COLUMN_WIDTH)
    _insert_chart(sheet, workbook, header_row - 1, chart_col, header_row, len(catalog.objectives))
    sheet.print_area(0, 0, row, chart_col + CHART_COLUMNS - 1)


def _write_status_table(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog,
                        metric_sheet: MetricSheet, row: int) -> int:
    """Metrics per objective and status: live COUNTIFS over the "Chỉ tiêu" sheet, cached from the merge."""
    last = len(OVERVIEW_WIDTHS) - 1
    sheet.merge_range(row, 0, row, last, "1. Kết quả thực hiện các chỉ tiêu", styles.section())
    row += 1
    headers = ["Mục tiêu", "Nội dung", "Số chỉ tiêu"] + [s.label for s in STATUS_ORDER]
    sheet.write_row(row, 0, headers, styles.header())
    sheet.set_row(row, 32)
    row += 1
    counts = status_counts(result, catalog)
    first, final = metric_sheet.first_row + 1, metric_sheet.last_row + 1
    objective_range = f"'{METRICS_SHEET}'!${xl_col_to_name(metric_sheet.objective_col)}${first}:" \
                      f"${xl_col_to_name(metric_sheet.objective_col)}${final}"
    status_range = f"'{METRICS_SHEET}'!${xl_col_to_name(metric_sheet.status_col)}${first}:" \
                   f"${xl_col_to_name(metric_sheet.status_col)}${final}"
    body_first = row
    count_fmt = styles.number(COUNT, align="center")
    for objective in catalog.objectives:
        per_status = counts.get(objective.number, {})
        sheet.write_string(row, 0, f"Mục tiêu {objective.number}", styles.centre(bold=True))
        sheet.write_string(row, 1, objective.name, styles.text())
        sheet.write_formula(row, 2, f"=COUNTIF({objective_range},{objective.number})", count_fmt,
                            sum(per_status.values()))
        for offset, status in enumerate(STATUS_ORDER):
            sheet.write_formula(row, 3 + offset,
                                f'=COUNTIFS({objective_range},{objective.number},'
                                f'{status_range},"{status.label}")',
                                count_fmt, per_status.get(status, 0))
        sheet.set_row(row, text_height([(objective.name, OVERVIEW_WIDTHS[1])]))
        row += 1
    total_fmt = styles.number(COUNT, align="center", bold=True, bg_color=BAND_FILL)
    sheet.merge_range(row, 0, row, 1, "Tổng cộng", styles.text(bold=True, bg_color=BAND_FILL))
    for col in range(2, 3 + len(STATUS_ORDER)):
        letter = xl_col_to_name(col)
        cached = sum(sum(c.values()) if col == 2 else c.get(STATUS_ORDER[col - 3], 0) for c in counts.values())
        sheet.write_formula(row, col, f"=SUM({letter}{body_first + 1}:{letter}{row})", total_fmt, cached)
    sheet.conditional_format(body_first, 3, row, 3, {"type": "cell", "criteria": ">", "value": 0,
                                                     "format": styles.conditional(GREEN, bold=True)})
    sheet.conditional_format(body_first, 4, row, 4, {"type": "cell", "criteria": ">", "value": 0,
                                                     "format": styles.conditional(RED, bold=True)})
    sheet.conditional_format(body_first, 5, row, 5, {"type": "cell", "criteria": ">", "value": 0,
                                                     "format": styles.conditional(AMBER)})
    return row + 1


def _insert_chart(sheet: Worksheet, workbook: xlsxwriter.Workbook, chart_row: int, chart_col: int,
                  header_row: int, objectives: int) -> None:
    """Met / not met / no data per objective, drawn from the status table's cells (so it stays live)."""
    chart = workbook.add_chart({"type": "column"})
    first, final = header_row + 1, header_row + objectives  # 0-based rows of the objectives
    small = {"name": FONT, "size": 10}
    for col, colour in ((3, CHART_GREEN), (4, CHART_RED), (5, CHART_AMBER)):
        chart.add_series({
            "name": [OVERVIEW_SHEET, header_row, col],
            "categories": [OVERVIEW_SHEET, first, 0, final, 0],
            "values": [OVERVIEW_SHEET, first, col, final, col],
            "fill": {"color": colour}, "border": {"color": MUTED},
            "data_labels": {"value": True, "font": small},
        })
    chart.set_title({"name": "Số chỉ tiêu theo mục tiêu",
                     "name_font": {"name": FONT, "size": 12, "bold": True}})
    chart.set_x_axis({"num_font": small})
    chart.set_y_axis({"num_font": small, "major_unit": 1, "min": 0, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom", "font": small})
    # Width of the chart columns in pixels (Excel: 7 px per character plus 5 px padding).
    chart.set_size({"width": CHART_COLUMNS * (CHART_COLUMN_WIDTH * 7 + 5), "height": 330})
    sheet.insert_chart(chart_row, chart_col, chart, {"object_position": 1})


def _write_completeness(sheet: Worksheet, styles: Styles, result: MergeResult, row: int) -> int:
    last = len(OVERVIEW_WIDTHS) - 1
    sheet.merge_range(row, 0, row, last, "2. Tiến độ nộp báo cáo của các đơn vị", styles.section())
    row += 1
    states = [timeliness(unit) for unit in result.units]
    figures = [("Phải nộp", len(result.units)), ("Đã nhận", sum(1 for u in result.units if u.received)),
               (ON_TIME, states.count(ON_TIME)), (LATE, states.count(LATE)), (MISSING, states.count(MISSING))]
    if NO_DATE in states:
        figures.insert(4, (NO_DATE, states.count(NO_DATE)))
    sheet.merge_range(row, 0, row + 1, 1, "Số đơn vị", styles.text(bold=True, valign="vcenter"))
    for offset, (label, number) in enumerate(figures):
        sheet.write_string(row, 2 + offset, label, styles.header())
        sheet.write_number(row + 1, 2 + offset, number, styles.number(COUNT, align="center", bold=True))
    sheet.set_row(row, 32)
    missing_col = 2 + len(figures) - 1
    sheet.conditional_format(row + 1, missing_col, row + 1, missing_col, {
        "type": "cell", "criteria": ">", "value": 0, "format": styles.conditional(RED, bold=True)})
    row += 2
    for label, wanted in (("Chưa nộp", MISSING), ("Nộp muộn", LATE)):
        names = [unit.name or unit.id for unit, state in zip(result.units, states) if state == wanted]
        if names:
            text = "; ".join(names)
            sheet.merge_range(row, 0, row, 1, f"{label} ({len(names)})", styles.text(bold=True))
            sheet.merge_range(row, 2, row, last, text, styles.text())
            sheet.set_row(row, text_height([(text, sum(OVERVIEW_WIDTHS[2:]))]))
            row += 1
    return row


def _write_funding(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog, row: int) -> int:
    rows = funding(result, catalog)
    if not rows:
        return row
    last = len(OVERVIEW_WIDTHS) - 1
    sheet.merge_range(row, 0, row, last, f"3. Kinh phí thực hiện Kế hoạch năm {result.year}", styles.section())
    row += 1
    sheet.merge_range(row, 0, row, 1, "Nguồn kinh phí", styles.header())
    sheet.merge_range(row, 2, row, 3, "Số tiền (đồng)", styles.header())
    sheet.merge_range(row, 4, row, last, "Đơn vị báo cáo", styles.header())
    row += 1
    for label, amount, reporter in rows:
        sheet.merge_range(row, 0, row, 1, label, styles.text())
        if amount is None:
            sheet.merge_range(row, 2, row, 3, NOT_REPORTED, styles.centre(italic=True, font_color=RED[1]))
        else:
            sheet.merge_range(row, 2, row, 3, "", styles.number(MONEY, bold=True))
            sheet.write_number(row, 2, amount, styles.number(MONEY, bold=True))
        sheet.merge_range(row, 4, row, last, reporter, styles.text())
        sheet.set_row(row, text_height([(label, OVERVIEW_WIDTHS[0] + OVERVIEW_WIDTHS[1])]))
        row += 1
    return row


def _write_furthest(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog, row: int) -> int:
    last = len(OVERVIEW_WIDTHS) - 1
    sheet.merge_range(row, 0, row, last, "4. Các chỉ tiêu chưa đạt, cách xa mục tiêu nhất", styles.section())
    row += 1
    gaps = furthest_from_target(result, catalog)
    if not gaps:
        sheet.merge_range(row, 0, row, last, "Không có chỉ tiêu nào chưa đạt.", styles.text(italic=True))
        return row + 1
    headers = ["Mã", "Chỉ tiêu", "Giá trị", "Dấu", "Mục tiêu", "Cách mục tiêu"]
    sheet.write_row(row, 0, headers, styles.header())
    sheet.merge_range(row, 6, row, last, "Đơn vị chủ trì", styles.header())
    sheet.set_row(row, 32)
    row += 1
    for gap in gaps:
        metric, found = gap.metric, gap.result
        sheet.write_string(row, 0, metric.code, styles.centre(bold=True))
        sheet.write_string(row, 1, metric.name, styles.text())
        sheet.write_number(row, 2, found.value, styles.number(value_format(metric), bold=True, font_color=RED[1]))
        sheet.write_string(row, 3, sign(found.operator), styles.centre())
        sheet.write_number(row, 4, found.target, styles.number(target_format(metric, found.target)))
        if gap.relative is None:
            sheet.write_string(row, 5, "—", styles.centre())
        else:
            sheet.write_number(row, 5, gap.relative, styles.number(SHARE, align="center"))
        lead = catalog.lead_name(metric)
        sheet.merge_range(row, 6, row, last, lead, styles.text())
        sheet.set_row(row, text_height([(metric.name, OVERVIEW_WIDTHS[1]), (lead, 24)]))
        row += 1
    return row
