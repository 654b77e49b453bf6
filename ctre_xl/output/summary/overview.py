"""The summary's first page, "Tổng quan": a document the chairman can sign as it is.

In the form of Decree 30/2020 (``page_form``): the issuing body, Quốc hiệu and tiêu ngữ, place and
date, the title; then the plan's 24 indicators per objective and status, every indicator not met
with its gap in its own unit, how far the figures can be trusted (errors, units whose files had
errors, indicators on erroneous or incomplete figures: ``page_lists``), the returns, the year's
funding, and the signature block. It prints on one A4 page, portrait.

Everything on the page is as of the merge ("tính tại thời điểm tổng hợp …"), the counts as much
as the lists: a list of every indicator not met cannot follow an edit without array formulas that
neither Excel 2010 nor every LibreOffice evaluates alike, and live counts beside a fixed list
would contradict it after an edit. One live cell watches the "Chỉ tiêu" sheet instead: when a
status or value there no longer is what the merge wrote, it says the page is out of date.

An indicator whose verdict is met but rests on erroneous figures is counted under "Số liệu có
lỗi", never among the met.
"""

from __future__ import annotations

from datetime import datetime

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ctre_xl.limits import PAGE_NAMES_CHARS, names_cell
from ctre_xl.merge.model import MergeResult
from ctre_xl.output.standing import ON_THE_WAY, indicator_groups, track_summary
from ctre_xl.output.summary.metrics import METRICS_SHEET, MetricSheet
from ctre_xl.output.summary.page_form import write_letterhead, write_signatures
from ctre_xl.output.summary.page_lists import write_not_met, write_trust
from ctre_xl.output.summary.sheets import LATE, MISSING, NO_DATE, ON_TIME, PROGRESS_SHEET, timeliness
from ctre_xl.output.summary.styles import Styles, text_height
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.vocab import ElementKind, MetricStatus
from ctre_xl.style import (AMBER, BAND_FILL, CHART_AMBER, CHART_BLUE, CHART_GREEN, CHART_GREY, CHART_RED, COUNT,
                           FONT, GREEN, MUTED, RED, Page, font_code, print_a4)
from ctre_xl.text import format_date, format_number

OVERVIEW_SHEET = "Tổng quan"
ON_ERROR = "on_error"  # the page's own column: met, but on erroneous figures
ON_ERROR_LABEL = "Số liệu có lỗi"
NOT_REPORTED = "chưa báo cáo"
# A4 portrait, the margins of Decree 30 (left 30 mm, right 15 mm, top and bottom 20 mm).
DOCUMENT_PAGE = Page(margins=(1.18, 0.6, 0.79, 0.79), landscape=False)
CODE_WIDTH, NAME_WIDTH, FIGURE_WIDTH, FIGURE_COLUMNS = 7, 33, 7.5, 8
SIGNATURE_SPLIT = 2  # the right-hand blocks (Quốc hiệu, lãnh đạo duyệt) start at column C
CHART_COLUMNS, CHART_COLUMN_WIDTH = 6, 10  # beside the page, on screen only
# The chart's bars, the statuses that call for action or patience.
CHART_COLOURS = {MetricStatus.MET: CHART_GREEN, ON_ERROR: CHART_AMBER, MetricStatus.NOT_MET: CHART_RED,
                 MetricStatus.INCOMPLETE: CHART_AMBER, MetricStatus.NO_DATA: CHART_GREY,
                 MetricStatus.NOT_DUE: CHART_BLUE, MetricStatus.BASELINE: CHART_BLUE}
ALWAYS_SHOWN = (MetricStatus.MET, ON_ERROR, MetricStatus.NOT_MET, MetricStatus.INCOMPLETE)
COUNT_COLOURS = {MetricStatus.MET: (GREEN, True), MetricStatus.NOT_MET: (RED, True), ON_ERROR: (RED, False),
                 MetricStatus.INCOMPLETE: (AMBER, False), MetricStatus.NO_DATA: (AMBER, False)}
STALE = ("Số liệu ở trang “Chỉ tiêu” đã bị sửa sau khi tổng hợp; trang này vẫn ghi kết quả lúc tổng hợp. "
         "Muốn cập nhật: sửa tệp của đơn vị rồi chạy lại ctre-xl merge.")


def column_key(status: MetricStatus, on_error: bool) -> MetricStatus | str:
    """The page's column for a status: a met verdict on erroneous figures is not counted as met."""
    return ON_ERROR if on_error and status == MetricStatus.MET else status


def page_counts(result: MergeResult, catalog: Catalog, metric_sheet: MetricSheet
                ) -> tuple[dict[int, dict[MetricStatus | str, int]], dict[MetricStatus | str, int]]:
    """(objective -> column -> indicators, column -> metrics), as the "Chỉ tiêu" sheet showed them
    at the merge, a met verdict on erroneous figures moved to its own column."""
    on_error = {m.code for m in result.metrics if m.on_error_figures}
    per_objective: dict[int, dict[MetricStatus | str, int]] = {o.number: {} for o in catalog.objectives}
    for indicator, parts in indicator_groups(catalog):
        status = metric_sheet.indicator_status.get(indicator.number)
        if status is None:
            continue
        key = column_key(status, any(m.code in on_error for m in parts))
        counts = per_objective.setdefault(indicator.objective, {})
        counts[key] = counts.get(key, 0) + 1
    parts_count: dict[MetricStatus | str, int] = {}
    for code, status in metric_sheet.metric_status.items():
        key = column_key(status, code in on_error)
        parts_count[key] = parts_count.get(key, 0) + 1
    return per_objective, parts_count


def page_widths(columns: int) -> list[float]:
    """The page's grid: code, name, then figure columns (at least ``FIGURE_COLUMNS``)."""
    return [CODE_WIDTH, NAME_WIDTH] + [FIGURE_WIDTH] * max(FIGURE_COLUMNS, columns)


def write_overview_sheet(sheet: Worksheet, workbook: xlsxwriter.Workbook, styles: Styles, result: MergeResult,
                         catalog: Catalog, metric_sheet: MetricSheet, made: datetime, *,
                         split: list[str] | None = None) -> None:
    """Page 1 for the chairman, from the letterhead to the signatures; the chart beside it.
    ``split``: the sentences saying which list was split across sheets by Excel's row limit."""
    per_objective, parts = page_counts(result, catalog, metric_sheet)
    found = set(parts) | {key for counts in per_objective.values() for key in counts}
    keys = [key for key in (*ALWAYS_SHOWN, *MetricStatus) if key in ALWAYS_SHOWN or key in found]
    keys = list(dict.fromkeys(keys))
    widths = page_widths(len(keys) + 1)
    last = len(widths) - 1
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    row = write_letterhead(sheet, styles, catalog, made, SIGNATURE_SPLIT, last)
    row = _write_title(sheet, styles, result, catalog, metric_sheet, made, row, last)
    table = row
    row = _write_status_table(sheet, styles, result, catalog, metric_sheet, (per_objective, parts), keys, row,
                              widths)
    waiting = any(m.status in ON_THE_WAY for m in result.metrics)
    title = (f"2. Các chỉ tiêu chưa đạt mức mục tiêu {catalog.target_year(result.year)}" if waiting
             else "2. Các chỉ tiêu chưa đạt")
    row = write_not_met(sheet, styles, result, catalog, metric_sheet.indicator_status, row + 1, widths, title)
    sheet.merge_range(row + 1, 0, row + 1, last, "3. Độ tin cậy của số liệu và tiến độ nộp báo cáo",
                      styles.section())
    row = write_trust(sheet, styles, result, catalog, row + 2, widths)
    row = _write_completeness(sheet, styles, result, row, widths)
    for notice in split or []:  # a list split across sheets: said where the reader looks first
        sheet.merge_range(row, 0, row, last, notice, styles.text(italic=True))
        sheet.set_row(row, text_height([(notice, sum(widths))]))
        row += 1
    row = _write_funding(sheet, styles, result, catalog, row + 1, widths)
    row = write_signatures(sheet, styles, row, SIGNATURE_SPLIT, last)
    code = font_code(9)
    print_a4(sheet, DOCUMENT_PAGE, pages_high=1, footer=f"&R{code}Trang &P/&N")
    sheet.print_area(0, 0, row - 1, last)
    sheet.hide_gridlines(2)  # a document: only the tables' own borders
    chart_col = last + 2
    sheet.set_column(chart_col, chart_col + CHART_COLUMNS - 1, CHART_COLUMN_WIDTH)
    charted = [key for key in keys if key in CHART_COLOURS and (key in ALWAYS_SHOWN[:3] or key in found)]
    _insert_chart(sheet, workbook, table + 1, chart_col, keys, len(catalog.objectives), charted)


def _write_title(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog,
                 metric_sheet: MetricSheet, made: datetime, row: int, last: int) -> int:
    """The title, the plan, when the figures were taken, the watch on "Chỉ tiêu"; returns the next row."""
    centred = {"align": "center", "valign": "vcenter"}
    sheet.merge_range(row, 0, row, last, "BÁO CÁO", styles.get(bold=True, font_size=14, **centred))
    sheet.merge_range(row + 1, 0, row + 1, last, f"Kết quả thực hiện Kế hoạch vì trẻ em năm {result.year}",
                      styles.get(bold=True, font_size=13, **centred))
    sheet.set_row(row, 20)
    sheet.set_row(row + 1, 19)
    sheet.merge_range(row + 2, 0, row + 2, last, catalog.title, styles.get(italic=True, text_wrap=True, **centred))
    sheet.set_row(row + 2, text_height([(catalog.title, sum(page_widths(last)))]))
    when = (f"Số liệu tính tại thời điểm tổng hợp {format_date(made)} {made:%H:%M}; đánh giá theo mục tiêu năm "
            f"{catalog.target_year(result.year)}.")
    sheet.merge_range(row + 3, 0, row + 3, last, when, styles.get(align="center"))
    stale = styles.get(bold=True, font_color=RED[1], align="center", valign="vcenter", text_wrap=True, font_size=10)
    sheet.merge_range(row + 4, 0, row + 4, last, "", stale)
    sheet.write_formula(row + 4, 0, stale_formula(result, metric_sheet), stale, "")
    sheet.set_row(row + 4, 26)
    return row + 5


def stale_formula(result: MergeResult, metric_sheet: MetricSheet) -> str:
    """Empty while every status and value of "Chỉ tiêu" is what the merge wrote; ``STALE`` otherwise."""
    def ref(row: int, col: int) -> str:
        return f"'{METRICS_SHEET}'!{xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)}"

    tests = [f'{ref(row, metric_sheet.status_col)}="{metric_sheet.indicator_status[number].label}"'
             for number, row in metric_sheet.indicator_rows.items()]
    by_code = {m.code: m for m in result.metrics}
    for code, row in metric_sheet.rows.items():
        tests.append(f'{ref(row, metric_sheet.status_col)}="{metric_sheet.metric_status[code].label}"')
        value = by_code[code].value if code in by_code else None
        cell = ref(row, metric_sheet.value_col)
        # Rounded: a formula keeps 15 significant digits, the cell all 17.
        tests.append(f"ISBLANK({cell})" if value is None else f"ROUND(N({cell}),6)={round(value, 6)!r}")
    return f'=IF(IFERROR(AND({",".join(dict.fromkeys(tests))}),FALSE),"","{STALE}")'


def _write_status_table(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog,
                        metric_sheet: MetricSheet, counts: tuple, keys: list, row: int, widths: list[float]) -> int:
    """Indicators per objective and column, then the measured parts; returns the next row."""
    per_objective, parts = counts
    last = len(widths) - 1
    indicators, metrics = len(metric_sheet.indicator_status), len(metric_sheet.metric_status)
    sheet.merge_range(row, 0, row, last, f"1. Kết quả thực hiện {indicators} chỉ tiêu ({metrics} số đo)",
                      styles.section())
    row += 1
    sheet.merge_range(row, 0, row, 1, "Mục tiêu", styles.header())
    sheet.write_row(row, 2, ["Số chỉ tiêu"] + [label_of(key) for key in keys], styles.header())
    sheet.set_row(row, 47)  # "Không phát sinh": three lines
    count_fmt = styles.number(COUNT, align="center", valign="vcenter")
    first = row + 1
    for objective in catalog.objectives:
        row += 1
        found = per_objective.get(objective.number, {})
        name = f"{objective.number}. {objective.name}"
        sheet.merge_range(row, 0, row, 1, name, styles.text(valign="vcenter"))
        sheet.write_row(row, 2, [sum(found.values())] + [found.get(key, 0) for key in keys], count_fmt)
        sheet.set_row(row, text_height([(name, CODE_WIDTH + NAME_WIDTH)]))
    row += 1
    total_fmt = styles.number(COUNT, align="center", bold=True, bg_color=BAND_FILL)
    totals = [sum(c.get(key, 0) for c in per_objective.values()) for key in keys]
    sheet.merge_range(row, 0, row, 1, "Tổng số chỉ tiêu", styles.text(bold=True, bg_color=BAND_FILL))
    sheet.write_row(row, 2, [sum(totals)] + totals, total_fmt)
    row += 1
    sheet.merge_range(row, 0, row, 1, f"Theo {metrics} số đo", styles.text(italic=True))
    sheet.write_row(row, 2, [sum(parts.values())] + [parts.get(key, 0) for key in keys], count_fmt)
    for key, (colours, bold) in COUNT_COLOURS.items():
        if key in keys:
            col = 3 + keys.index(key)
            sheet.conditional_format(first, col, row, col, {"type": "cell", "criteria": ">", "value": 0,
                                                            "format": styles.conditional(colours, bold=bold)})
    summary = "Tóm tắt: " + ", ".join(f"{number} {label_of(key).lower()}" for key, number in zip(keys, totals)
                                      if number) + f" (trên {sum(totals)} chỉ tiêu)."
    summary = " ".join(filter(None, [summary, track_summary(result, catalog)]))  # years between milestones
    return _write_status_note(sheet, styles, result, catalog, row + 1, summary, widths)


def label_of(key: MetricStatus | str) -> str:
    return ON_ERROR_LABEL if key == ON_ERROR else MetricStatus(key).label


def _write_status_note(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog, row: int,
                       summary: str, widths: list[float]) -> int:
    """The counts in words, and how to read them; returns the next row."""
    last = len(widths) - 1
    sheet.merge_range(row, 0, row, last, summary, styles.get(bold=True, text_wrap=True))
    sheet.set_row(row, text_height([(summary, sum(widths))]))
    note = ("Chỉ tiêu có nhiều số đo chỉ đạt khi mọi số đo đều đạt. “Chưa đủ số liệu”: còn đơn vị chưa gửi "
            f"hoặc số liệu bị loại, nên chưa đánh giá. “{ON_ERROR_LABEL}”: tính ra đạt nhưng dựa trên số liệu có "
            "lỗi, không tính là đạt.")
    if any(m.status in ON_THE_WAY for m in result.metrics):
        when = "là năm gốc" if result.year == catalog.first_year else "chưa đến hạn đánh giá"
        note += (f" Năm {result.year} {when}: các chỉ tiêu được so với mục tiêu "
                 f"{catalog.target_year(result.year)}.")
    sheet.merge_range(row + 1, 0, row + 1, last, note, styles.get(italic=True, text_wrap=True, font_color=MUTED,
                                                                  font_size=10))
    sheet.set_row(row + 1, text_height([(note, sum(widths) * 1.1)]))
    return row + 2


def _insert_chart(sheet: Worksheet, workbook: xlsxwriter.Workbook, header_row: int, chart_col: int, keys: list,
                  objectives: int, charted: list) -> None:
    """Indicators per objective and status, from the status table's cells; beside the page, not printed."""
    chart = workbook.add_chart({"type": "column"})
    first, final = header_row + 1, header_row + objectives
    small = {"name": FONT, "size": 10}
    for key in charted:
        col = 3 + keys.index(key)
        chart.add_series({
            "name": [OVERVIEW_SHEET, header_row, col],
            "categories": [OVERVIEW_SHEET, first, 0, final, 0],
            "values": [OVERVIEW_SHEET, first, col, final, col],
            "fill": {"color": CHART_COLOURS[key]}, "border": {"color": MUTED},
            "data_labels": {"value": True, "font": small},
        })
    chart.set_title({"name": "Số chỉ tiêu theo mục tiêu", "name_font": {"name": FONT, "size": 12, "bold": True}})
    chart.set_x_axis({"num_font": small})
    chart.set_y_axis({"num_font": small, "major_unit": 1, "min": 0, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom", "font": small})
    chart.set_size({"width": CHART_COLUMNS * (CHART_COLUMN_WIDTH * 7 + 5), "height": 330})
    sheet.insert_chart(header_row - 1, chart_col, chart, {"object_position": 1})


def _write_completeness(sheet: Worksheet, styles: Styles, result: MergeResult, row: int, widths: list[float]) -> int:
    """The returns: due, received, on time, late, missing; the units missing or late by name."""
    last = len(widths) - 1
    states = [timeliness(unit) for unit in result.units]
    figures = [("Phải nộp", len(result.units)), ("Đã nhận", sum(1 for u in result.units if u.received)),
               (ON_TIME, states.count(ON_TIME)), (LATE, states.count(LATE)), (MISSING, states.count(MISSING))]
    if NO_DATE in states:
        figures.insert(4, (NO_DATE, states.count(NO_DATE)))
    sheet.merge_range(row, 0, row + 1, 1, "Số đơn vị phải nộp báo cáo", styles.text(bold=True, valign="vcenter"))
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
            text = names_cell(names, PROGRESS_SHEET, limit=PAGE_NAMES_CHARS)  # whole names, then a count
            sheet.merge_range(row, 0, row, 1, f"{label} ({format_number(len(names))})", styles.text(bold=True))
            sheet.merge_range(row, 2, row, last, text, styles.text())
            sheet.set_row(row, text_height([(text, sum(widths[2:]))]))
            row += 1
    return row


def _write_funding(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog, row: int,
                   widths: list[float]) -> int:
    """Every money figure of the catalogue, in đồng, and who reported it."""
    rows = funding(result, catalog)
    if not rows:
        return row
    last = len(widths) - 1
    sheet.merge_range(row, 0, row, last, f"4. Kinh phí thực hiện Kế hoạch năm {result.year}", styles.section())
    row += 1
    sheet.merge_range(row, 0, row, 1, "Nguồn kinh phí", styles.header())
    sheet.merge_range(row, 2, row, 5, "Số tiền", styles.header())
    sheet.merge_range(row, 6, row, last, "Đơn vị báo cáo", styles.header())
    row += 1
    for label, amount, reporter in rows:
        label = label.removesuffix(" (đồng)")
        sheet.merge_range(row, 0, row, 1, label, styles.text())
        if amount is None:
            sheet.merge_range(row, 2, row, 5, NOT_REPORTED, styles.centre(italic=True, font_color=RED[1]))
        else:
            sheet.merge_range(row, 2, row, 5, f"{format_number(amount)} đồng", styles.text(bold=True, align="right"))
        sheet.merge_range(row, 6, row, last, reporter, styles.text())
        sheet.set_row(row, text_height([(label, CODE_WIDTH + NAME_WIDTH), (reporter, sum(widths[6:]))]))
        row += 1
    return row


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
