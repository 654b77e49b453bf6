"""The summary's first page, "Tổng quan": the plan's 24 indicators per objective and status, the
returns, the year's funding, the metrics furthest from their target, and a chart.

The counts are live COUNTIFS over the "Chỉ tiêu" sheet's status column, cached from the merge:
per objective they count indicators (the rows ``MetricSheet`` marks as an indicator's status),
and a last row counts the 34 measured parts. A status without a verdict is counted under its own
column, never as met or not met.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ctre_xl.merge.model import MergeResult, MetricResult
from ctre_xl.output.standing import ON_THE_WAY, count_statuses, indicator_groups
from ctre_xl.output.summary.metrics import METRICS_SHEET, MetricSheet
from ctre_xl.output.summary.sheets import LATE, MISSING, NO_DATE, ON_TIME, timeliness
from ctre_xl.output.summary.styles import Styles, setup_page, sign, target_format, text_height, value_format
from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.plan.vocab import ElementKind, MetricStatus, Operator
from ctre_xl.style import (AMBER, BAND_FILL, CHART_AMBER, CHART_BLUE, CHART_GREEN, CHART_GREY, CHART_RED, COUNT,
                           FONT, GREEN, MONEY, MUTED, RED, SHARE)
from ctre_xl.text import format_date

OVERVIEW_SHEET = "Tổng quan"
STATUS_ORDER = tuple(MetricStatus)  # the overview's columns: the vocabulary's order
NOT_REPORTED = "chưa báo cáo"
FURTHEST_COUNT = 5
OVERVIEW_WIDTHS = (10, 36, 9) + (8.5,) * len(STATUS_ORDER)  # objective, name, indicators, one per status
FIRST_STATUS_COL = 3
CHART_COLUMNS, CHART_COLUMN_WIDTH = 6, 10  # the chart's place, right of the tables
# The chart's bars: the two verdicts and the reasons for none that call for action or patience.
CHART_SERIES = {MetricStatus.MET: CHART_GREEN, MetricStatus.NOT_MET: CHART_RED, MetricStatus.INCOMPLETE: CHART_AMBER,
                MetricStatus.NO_DATA: CHART_GREY, MetricStatus.NOT_DUE: CHART_BLUE, MetricStatus.BASELINE: CHART_BLUE}
ALWAYS_CHARTED = (MetricStatus.MET, MetricStatus.NOT_MET, MetricStatus.INCOMPLETE)
# Count columns coloured when not zero.
COUNT_COLOURS = {MetricStatus.MET: (GREEN, True), MetricStatus.NOT_MET: (RED, True),
                 MetricStatus.INCOMPLETE: (AMBER, False), MetricStatus.NO_DATA: (AMBER, False)}


def status_column(status: MetricStatus) -> int:
    return FIRST_STATUS_COL + STATUS_ORDER.index(status)


@dataclass(frozen=True)
class Gap:
    metric: Metric
    result: MetricResult
    relative: float | None  # how far from the target, as a share of it (None when the target is 0)


def status_counts(metric_sheet: MetricSheet, catalog: Catalog) -> dict[int, dict[MetricStatus, int]]:
    """objective -> status -> number of indicators, as the "Chỉ tiêu" sheet shows them."""
    objective_of = {indicator.number: indicator.objective for indicator, _parts in indicator_groups(catalog)}
    by_objective: dict[int, list[MetricStatus]] = {o.number: [] for o in catalog.objectives}
    for number, status in metric_sheet.indicator_status.items():
        by_objective.setdefault(objective_of[number], []).append(status)
    return {objective: count_statuses(statuses) for objective, statuses in by_objective.items()}


def furthest_from_target(result: MergeResult, catalog: Catalog, count: int = FURTHEST_COUNT) -> list[Gap]:
    """The metrics not met, and in a year judged against nothing those still short of the next
    milestone, furthest from their target first (relative gap, in the metric's direction). A
    metric on incomplete coverage is never listed: its value is not the commune's."""
    gaps = []
    for found in result.metrics:
        metric = catalog.metric_by_code.get(found.code)
        listed = found.status == MetricStatus.NOT_MET or found.status in ON_THE_WAY
        if metric is None or not listed or found.value is None or found.target is None:
            continue
        if found.operator is None or found.operator == Operator.EQ:
            distance = abs(found.value - found.target)
        elif found.operator.higher_is_better:
            distance = found.target - found.value
        else:
            distance = found.value - found.target
        if found.status in ON_THE_WAY and (distance <= 0 or found.operator.holds(found.value, found.target)):
            continue  # already at the milestone's level
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
    counts = status_counts(metric_sheet, catalog)
    row = _write_status_table(sheet, styles, result, catalog, metric_sheet, counts, header_row - 1)
    row = _write_completeness(sheet, styles, result, row + 1)
    row = _write_funding(sheet, styles, result, catalog, row + 1)
    row = _write_furthest(sheet, styles, result, catalog, row + 1)
    # The chart sits beside the tables, not under them: the page is landscape and printed on one
    # sheet, so using its width keeps the text larger.
    chart_col = len(OVERVIEW_WIDTHS) + 1
    sheet.set_column(len(OVERVIEW_WIDTHS), len(OVERVIEW_WIDTHS), 2)
    sheet.set_column(chart_col, chart_col + CHART_COLUMNS - 1, CHART_COLUMN_WIDTH)
    charted = [s for s in CHART_SERIES if s in ALWAYS_CHARTED or any(c.get(s) for c in counts.values())]
    _insert_chart(sheet, workbook, header_row - 1, chart_col, header_row, len(catalog.objectives), charted)
    sheet.print_area(0, 0, row, chart_col + CHART_COLUMNS - 1)


def _status_ranges(metric_sheet: MetricSheet) -> tuple[str, str, str]:
    """The "Chỉ tiêu" sheet's indicator, metric-objective and status columns, as absolute ranges."""
    first, final = metric_sheet.first_row + 1, metric_sheet.last_row + 1

    def column(col: int) -> str:
        letter = xl_col_to_name(col)
        return f"'{METRICS_SHEET}'!${letter}${first}:${letter}${final}"

    return column(metric_sheet.indicator_col), column(metric_sheet.objective_col), column(metric_sheet.status_col)


def _write_status_table(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog,
                        metric_sheet: MetricSheet, counts: dict[int, dict[MetricStatus, int]], row: int) -> int:
    """Indicators per objective and status, then the measured parts per status: live COUNTIFS."""
    last = len(OVERVIEW_WIDTHS) - 1
    indicators, metrics = len(metric_sheet.indicator_status), len(metric_sheet.metric_status)
    sheet.merge_range(row, 0, row, last, f"1. Kết quả thực hiện {indicators} chỉ tiêu ({metrics} số đo)",
                      styles.section())
    row += 1
    sheet.write_row(row, 0, ["Mục tiêu", "Nội dung", "Số chỉ tiêu"] + [s.label for s in STATUS_ORDER], styles.header())
    sheet.set_row(row, 32)
    row += 1
    indicator_range, objective_range, status_range = _status_ranges(metric_sheet)
    body_first = row
    count_fmt = styles.number(COUNT, align="center")
    for objective in catalog.objectives:
        per_status = counts.get(objective.number, {})
        sheet.write_string(row, 0, f"Mục tiêu {objective.number}", styles.centre(bold=True))
        sheet.write_string(row, 1, objective.name, styles.text())
        sheet.write_formula(row, 2, f"=COUNTIF({indicator_range},{objective.number})", count_fmt,
                            sum(per_status.values()))
        for status in STATUS_ORDER:
            sheet.write_formula(row, status_column(status),
                                f'=COUNTIFS({indicator_range},{objective.number},{status_range},"{status.label}")',
                                count_fmt, per_status.get(status, 0))
        sheet.set_row(row, text_height([(objective.name, OVERVIEW_WIDTHS[1])]))
        row += 1
    total_fmt = styles.number(COUNT, align="center", bold=True, bg_color=BAND_FILL)
    sheet.merge_range(row, 0, row, 1, "Tổng số chỉ tiêu", styles.text(bold=True, bg_color=BAND_FILL))
    for col in range(2, FIRST_STATUS_COL + len(STATUS_ORDER)):
        letter = xl_col_to_name(col)
        cached = sum(sum(c.values()) if col == 2 else c.get(STATUS_ORDER[col - FIRST_STATUS_COL], 0)
                     for c in counts.values())
        sheet.write_formula(row, col, f"=SUM({letter}{body_first + 1}:{letter}{row})", total_fmt, cached)
    row += 1
    # The measured parts (34): every metric's own status, counted over the metric rows.
    parts = count_statuses(metric_sheet.metric_status.values())
    sheet.merge_range(row, 0, row, 1, f"Theo {metrics} số đo", styles.text(italic=True))
    sheet.write_formula(row, 2, f'=COUNTIF({objective_range},">0")', count_fmt, metrics)
    for status in STATUS_ORDER:
        sheet.write_formula(row, status_column(status),
                            f'=COUNTIFS({objective_range},">0",{status_range},"{status.label}")', count_fmt,
                            parts[status])
    for status, (colours, bold) in COUNT_COLOURS.items():
        col = status_column(status)
        sheet.conditional_format(body_first, col, row, col, {"type": "cell", "criteria": ">", "value": 0,
                                                             "format": styles.conditional(colours, bold=bold)})
    return _write_status_note(sheet, styles, result, catalog, row + 1)


def _write_status_note(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog, row: int) -> int:
    """How to read the counts: indicators with parts, no verdict on incomplete data, the milestone."""
    target_year = catalog.target_year(result.year)
    note = ("Chỉ tiêu có nhiều số đo chỉ đạt khi mọi số đo đều đạt. “Chưa đủ số liệu”: còn đơn vị chưa gửi "
            "hoặc số liệu bị loại, nên chưa đánh giá đạt hay chưa đạt.")
    if any(m.status in ON_THE_WAY for m in result.metrics):
        when = "là năm gốc" if result.year == catalog.first_year else "chưa đến hạn đánh giá"
        note += (f" Năm {result.year} {when}: các chỉ tiêu được so với mục tiêu {target_year}, "
                 "phần còn phải đạt ghi ở trang “Chỉ tiêu”.")
    last = len(OVERVIEW_WIDTHS) - 1
    sheet.merge_range(row, 0, row, last, note, styles.get(italic=True, text_wrap=True, font_color=MUTED))
    sheet.set_row(row, text_height([(note, sum(OVERVIEW_WIDTHS))]))
    return row + 1


def _insert_chart(sheet: Worksheet, workbook: xlsxwriter.Workbook, chart_row: int, chart_col: int,
                  header_row: int, objectives: int, statuses: list[MetricStatus]) -> None:
    """Indicators per objective and status, drawn from the status table's cells (so it stays live)."""
    chart = workbook.add_chart({"type": "column"})
    first, final = header_row + 1, header_row + objectives  # 0-based rows of the objectives
    small = {"name": FONT, "size": 10}
    for status in statuses:
        col = status_column(status)
        chart.add_series({
            "name": [OVERVIEW_SHEET, header_row, col],
            "categories": [OVERVIEW_SHEET, first, 0, final, 0],
            "values": [OVERVIEW_SHEET, first, col, final, col],
            "fill": {"color": CHART_SERIES[status]}, "border": {"color": MUTED},
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
    waiting = any(m.status in ON_THE_WAY for m in result.metrics)
    title = (f"4. Các chỉ tiêu còn cách xa mục tiêu {catalog.target_year(result.year)} nhất" if waiting
             else "4. Các chỉ tiêu chưa đạt, cách xa mục tiêu nhất")
    sheet.merge_range(row, 0, row, last, title, styles.section())
    row += 1
    gaps = furthest_from_target(result, catalog)
    if not gaps:
        none = "Không có chỉ tiêu nào còn cách xa mục tiêu." if waiting else "Không có chỉ tiêu nào chưa đạt."
        sheet.merge_range(row, 0, row, last, none, styles.text(italic=True))
        return row + 1
    headers = ["Mã", "Chỉ tiêu", "Giá trị", "Dấu", "Mục tiêu", "Cách mục tiêu"]
    sheet.write_row(row, 0, headers, styles.header())
    sheet.merge_range(row, 6, row, last, "Đơn vị chủ trì", styles.header())
    sheet.set_row(row, 32)
    row += 1
    for gap in gaps:
        metric, found = gap.metric, gap.result
        # Red only for a verdict: a year between milestones is on its way, not failed.
        colour = {"font_color": RED[1]} if found.status == MetricStatus.NOT_MET else {}
        sheet.write_string(row, 0, metric.code, styles.centre(bold=True))
        sheet.write_string(row, 1, metric.name, styles.text())
        sheet.write_number(row, 2, found.value, styles.number(value_format(metric), bold=True, **colour))
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
