"""Page 1's lists: every indicator not met with its gap, and how far the figures can be trusted.

Both are as of the merge, like the counts above them (see ``overview``): every value, target and
gap is text in Vietnamese number style with its unit ("96,91%", "≥ 97%", "vượt 63,06/100.000 trẻ
em"), built by ``output.standing``, so it reads the same on paper whatever the computer's locale.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

from ctre_xl.limits import PAGE_NAMES_CHARS, names_cell
from ctre_xl.merge.model import MergeResult, MetricResult
from ctre_xl.output.standing import (ON_THE_WAY, coverage_text, indicator_groups, shortfall_text, target_phrase,
                                     unit_kinds, value_text)
from ctre_xl.output.summary.sheets import PROGRESS_SHEET
from ctre_xl.output.summary.styles import Styles, text_height
from ctre_xl.plan.catalog import Catalog, Indicator, Metric
from ctre_xl.plan.vocab import MetricStatus, Severity
from ctre_xl.style import RED
from ctre_xl.text import format_number

NOT_MET_HEADERS = ("Mã", "Chỉ tiêu", "Giá trị", "Mục tiêu", "Còn cách mục tiêu", "Đơn vị chủ trì")
# Columns of the list on the page's grid: (first, last) per header; the lead spans to the page's end.
NOT_MET_SPANS = ((0, 0), (1, 1), (2, 3), (4, 5), (6, 7), (8, None))
ON_ERROR = "số liệu có lỗi"


@dataclass(frozen=True)
class Shortfall:
    """A metric short of its target: not met, or (a year judged against nothing) short of the next one."""

    indicator: Indicator
    metric: Metric
    result: MetricResult


def shortfalls(result: MergeResult, catalog: Catalog, shown: dict[int, MetricStatus]) -> list[Shortfall]:
    """Every part that keeps its indicator from being met, in plan order: the not-met parts of the
    indicators ``shown`` not met; in a year between milestones, the parts still short of the next."""
    by_code = {m.code: m for m in result.metrics}
    found = []
    for indicator, parts in indicator_groups(catalog):
        for metric in parts:
            part = by_code.get(metric.code)
            if part is None:
                continue
            not_met = shown.get(indicator.number) == MetricStatus.NOT_MET and part.status == MetricStatus.NOT_MET
            on_the_way = part.status in ON_THE_WAY and part.gap is not None and part.gap > 0
            if not_met or on_the_way:
                found.append(Shortfall(indicator, metric, part))
    return found


def write_not_met(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog,
                  shown: dict[int, MetricStatus], row: int, widths: list[float], title: str) -> int:
    """The section: a header and one row per part short of its target; returns the next row."""
    last = len(widths) - 1
    listed = shortfalls(result, catalog, shown)
    indicators = len({item.indicator.number for item in listed})
    sheet.merge_range(row, 0, row, last, f"{title} ({indicators} chỉ tiêu)", styles.section())
    row += 1
    if not listed:
        sheet.merge_range(row, 0, row, last, "Không có chỉ tiêu nào chưa đạt.", styles.text(italic=True))
        return row + 1
    for header, (first, final) in zip(NOT_MET_HEADERS, NOT_MET_SPANS):
        _cell(sheet, row, first, last if final is None else final, header, styles.header())
    sheet.set_row(row, 18)
    row += 1
    for item in listed:
        metric, found = item.metric, item.result
        name = metric.name + (f" ({ON_ERROR})" if found.on_error_figures else "")
        colour = {"font_color": RED[1]} if found.status == MetricStatus.NOT_MET else {}
        texts = (metric.code, name, value_text(metric, found.value, catalog), target_phrase(metric, found, catalog),
                 shortfall_text(metric, found, catalog), catalog.lead_name(metric))
        formats = (styles.centre(bold=True), styles.text(), styles.centre(bold=True, **colour), styles.centre(),
                   styles.centre(**colour), styles.text())
        for text, fmt, (first, final) in zip(texts, formats, NOT_MET_SPANS):
            _cell(sheet, row, first, last if final is None else final, text, fmt)
        spans = [sum(widths[first:(last if final is None else final) + 1]) for first, final in NOT_MET_SPANS]
        sheet.set_row(row, text_height(list(zip(texts, spans))))
        row += 1
    return row


def _cell(sheet: Worksheet, row: int, first: int, last: int, text: str, fmt) -> None:  # noqa: ANN001
    if first == last:
        sheet.write_string(row, first, text, fmt)
    else:
        sheet.merge_range(row, first, row, last, text, fmt)


def trust_lines(result: MergeResult, catalog: Catalog) -> list[tuple[str, str]]:
    """(label, text) lines saying how far the figures can be trusted: the errors and warnings, the
    units whose files had errors, the indicators resting on erroneous or incomplete figures."""
    errors = sum(1 for f in result.findings if f.severity == Severity.ERROR)
    warnings = sum(1 for f in result.findings if f.severity == Severity.WARNING)
    lines = [("Lỗi và cảnh báo", f"{format_number(errors)} lỗi, {format_number(warnings)} cảnh báo (chi tiết ở trang “Kiểm tra” và tệp "
                                 f"kiem-tra-{result.year}.xlsx); số liệu có lỗi đã bị loại khỏi tổng hợp.")]
    with_errors = [unit.name or unit.id for unit in result.units if unit.errors]
    lines.append((f"Đơn vị có tệp bị lỗi ({format_number(len(with_errors))})",
                  names_cell(with_errors, PROGRESS_SHEET, limit=PAGE_NAMES_CHARS) or "không có"))
    by_code = {m.code: m for m in result.metrics}
    kinds = unit_kinds(result)
    on_error, incomplete = [], []
    for indicator, parts in indicator_groups(catalog):
        found = [by_code[m.code] for m in parts if m.code in by_code]
        erroneous = [m.code for m in found if m.on_error_figures]
        if erroneous:
            on_error.append(f"chỉ tiêu {indicator.number} – {indicator.name} ({', '.join(erroneous)})")
        short = [m for m in found if m.status in (MetricStatus.INCOMPLETE, MetricStatus.NO_DATA)]
        if short:
            covered = ", ".join(f"{m.code}: {coverage_text(m.coverage, kinds) or m.status.label.lower()}"
                                for m in short)
            incomplete.append(f"chỉ tiêu {indicator.number} – {indicator.name} ({covered})")
    lines.append((f"Chỉ tiêu dựa trên số liệu có lỗi ({len(on_error)})",
                  ("; ".join(on_error) + ". Không tính là đạt.") if on_error else "không có"))
    lines.append((f"Chỉ tiêu chưa đủ hoặc thiếu số liệu ({len(incomplete)})",
                  ("; ".join(incomplete) + ". Chưa đánh giá đạt hay chưa đạt.") if incomplete else "không có"))
    return lines


def write_trust(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog, row: int,
                widths: list[float]) -> int:
    """One line per ``trust_lines`` entry, its label in bold, across the page; returns the next row."""
    last = len(widths) - 1
    bold, plain = styles.get(bold=True), styles.get()
    for label, text in trust_lines(result, catalog):
        sheet.merge_range(row, 0, row, last, "", styles.text())
        sheet.write_rich_string(row, 0, bold, f"{label}: ", plain, text, styles.text())
        sheet.set_row(row, text_height([(f"{label}: {text}", sum(widths))]))
        row += 1
    return row
