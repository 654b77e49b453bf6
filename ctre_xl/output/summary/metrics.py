"""The summary's metric sheet "Chỉ tiêu" (24 indicators, their 34 parts); "Theo đơn vị" is ``by_unit``.

"Chỉ tiêu" lists the plan's indicators by objective; an indicator with several parts has a row of
its own above them ("CT03" over "CT03a"–"CT03c"). Only a verdict is live (``verdicts``): the status
of a met / not-met row is a formula comparing the value cell with the target cell under the
metric's operator, and conditional formatting colours it, so a figure corrected in the workbook
re-judges itself. A row without a verdict (incomplete coverage, not yet due, …) shows its status
as text and is never coloured green or red. "Theo đơn vị" colours each unit's value the same way
in a year that is judged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ctre_xl.plan.catalog import Catalog, Indicator, Metric
from ctre_xl.cellref import a1
from ctre_xl.plan.targets import target_text
from ctre_xl.merge.model import MergeResult, MetricResult
from ctre_xl.output.standing import (ON_THE_WAY, coverage_text, indicator_groups, indicators_of, path_text,
                                     shows_coverage, unit_kinds)
from ctre_xl.output.summary.styles import (Styles, add_met_rules, add_text_rule, keep_together, sign, start_table_sheet,
                                           target_format, text_height, value_format)
from ctre_xl.output.summary.verdicts import indicator_formula, live_indicator_status, live_status, status_formula
from ctre_xl.style import AMBER, COUNT, GREEN, GREY, RED
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import MetricStatus

METRICS_SHEET = "Chỉ tiêu"
HEADER_ROW = 3
FIRST_ROW = 4
CHANGE_LABELS = {"better": "Tốt hơn", "worse": "Kém hơn", "same": "Không đổi"}
ERROR_REMARK = "dựa trên số liệu có lỗi"
COVERAGE_HEADER = "Số đơn vị đã tính"
# Status colours of rows without a verdict: still to be completed (amber), or nothing to judge (grey).
UNJUDGED_COLOURS = {MetricStatus.INCOMPLETE: AMBER, MetricStatus.NO_DATA: AMBER, MetricStatus.NOT_DUE: GREY,
                    MetricStatus.BASELINE: GREY, MetricStatus.NOT_APPLICABLE: GREY, MetricStatus.NO_TARGET: GREY}


@dataclass
class MetricSheet:
    """Where the "Chỉ tiêu" sheet put things, for the overview's live counts."""

    rows: dict[str, int] = field(default_factory=dict)  # metric code -> 0-based row
    indicator_rows: dict[int, int] = field(default_factory=dict)  # indicator -> the row of its status
    indicator_status: dict[int, MetricStatus] = field(default_factory=dict)  # indicator -> the status shown
    metric_status: dict[str, MetricStatus] = field(default_factory=dict)  # metric code -> the status shown
    first_row: int = FIRST_ROW
    last_row: int = FIRST_ROW
    status_col: int = 0
    value_col: int = 0  # the value cells: page 1 watches them for edits
    objective_col: int = 0  # hidden: the objective on every metric's row (34)
    indicator_col: int = 0  # hidden: the objective on every indicator's status row (24)


def unit_names(result: MergeResult, registry: Registry) -> dict[str, str]:
    """unit id -> the name to show (merge result first, then the registry)."""
    names = {unit.id: unit.name for unit in registry.units}
    names.update({status.id: status.name for status in result.units if status.name})
    return names


def remark_text(metric_result: MetricResult) -> str:
    parts = [metric_result.remark.strip()] if metric_result.remark.strip() else []
    if metric_result.on_error_figures and ERROR_REMARK not in metric_result.remark:
        parts.append(ERROR_REMARK)
    return "; ".join(parts)


def _fixed_column(row: int, col: int) -> str:
    """``$F5``: the column fixed, the row relative, as conditional-formatting formulas want."""
    return f"${xl_col_to_name(col)}{row + 1}"


def _write_number(sheet: Worksheet, row: int, col: int, value: float | None, fmt) -> None:  # noqa: ANN001
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def metric_columns(years: list[int], target_year: int, with_path: bool) -> list[tuple[str, str, float]]:
    """(key, header, width) of the visible columns; the way to the next milestone only when a
    metric has no verdict for that reason (years between milestones, the baseline)."""
    columns = [("code", "Mã", 7), ("name", "Chỉ tiêu", 38), ("measure", "Đơn vị đo", 17), ("numerator", "Tử số", 9),
               ("denominator", "Mẫu số", 9), ("value", "Giá trị", 9)]
    columns += [(f"target_{year}", f"Mục tiêu {year}", 11) for year in years]
    columns += [("target", f"Mục tiêu áp dụng ({target_year})", 10), ("sign", "Dấu", 5), ("status", "Đánh giá", 13),
                ("coverage", COVERAGE_HEADER, 9)]
    if with_path:
        columns.append(("path", f"Lộ trình đến mục tiêu {target_year}", 13))
    return columns + [("change", "So với năm trước", 10), ("lead", "Đơn vị chủ trì", 17), ("remark", "Ghi chú", 24)]


def _subtitle(catalog: Catalog, year: int, target_year: int, with_path: bool) -> str:
    text = (f"{catalog.commune}, {catalog.province}. Đánh giá theo mục tiêu năm {target_year}. Chỉ tiêu có nhiều số "
            "đo (a, b, c) đạt khi mọi số đo đều đạt. Màu xanh: đạt; màu đỏ: chưa đạt; màu và cột “Đánh giá” tự cập "
            "nhật khi sửa cột “Giá trị”. Chưa đủ số liệu của các đơn vị thì không đánh giá đạt hay chưa đạt.")
    if with_path:
        when = "là năm gốc của Kế hoạch" if year == catalog.first_year else "chưa đến hạn đánh giá"
        text += (f" Năm {year} {when}: giá trị được so với mục tiêu {target_year}, cột “Lộ trình” ghi phần "
                 "còn phải đạt.")
    return text


def write_metrics_sheet(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog) -> MetricSheet:
    """One row per indicator, with its parts under it, grouped by objective, judged live."""
    years = list(catalog.target_years)
    target_year = catalog.target_year(result.year)
    with_path = any(m.status in ON_THE_WAY for m in result.metrics)
    columns = metric_columns(years, target_year, with_path)
    start_table_sheet(
        sheet, styles, catalog, result.year, title=f"Kết quả thực hiện các chỉ tiêu năm {result.year}",
        subtitle=_subtitle(catalog, result.year, target_year, with_path),
        headers=[header for _key, header, _width in columns], widths=[width for *_, width in columns],
        header_row=HEADER_ROW, header_height=47)
    rows = _Rows(sheet, styles, catalog, result, columns)
    # Hidden helper columns, for the overview's COUNTIFS: the objective of each metric's row and
    # of each indicator's status row.
    sheet.set_column(rows.cols["objective"], rows.cols["indicator"], 4, None, {"hidden": True})
    row, current = FIRST_ROW, None
    blocks: list[tuple[int, int]] = []  # printed together: an indicator's rows, under its band if it opens one
    for indicator, parts in indicator_groups(catalog):
        start = row
        if indicator.objective != current:
            current = indicator.objective
            row = rows.band(row, current)
        row = rows.indicator(row, indicator, parts)
        blocks.append((start, row - 1))
    keep_together(sheet, blocks, rows.widths, HEADER_ROW)
    layout = rows.layout
    layout.last_row = row - 1
    status_range = f"{a1(FIRST_ROW, layout.status_col)}:{a1(layout.last_row, layout.status_col)}"
    for status, colours in UNJUDGED_COLOURS.items():
        add_text_rule(sheet, styles, status_range, status.label, colours)
    if rows.indicator_cells:  # an indicator's own verdict: coloured by its text
        cells = " ".join(rows.indicator_cells)
        add_text_rule(sheet, styles, cells, MetricStatus.MET.label, GREEN)
        add_text_rule(sheet, styles, cells, MetricStatus.NOT_MET.label, RED)
    return layout


class _Rows:
    """Writes the rows of the "Chỉ tiêu" sheet and records where they went."""

    def __init__(self, sheet: Worksheet, styles: Styles, catalog: Catalog, result: MergeResult,
                 columns: list[tuple[str, str, float]]) -> None:
        self.sheet, self.styles, self.catalog, self.result = sheet, styles, catalog, result
        self.cols = {key: col for col, (key, _header, _width) in enumerate(columns)}
        self.cols["objective"], self.cols["indicator"] = len(columns), len(columns) + 1
        self.widths = [width for *_, width in columns]
        self.years = list(catalog.target_years)
        self.by_code = {m.code: m for m in result.metrics}
        self.indicators = indicators_of(result, catalog)
        self.kinds = unit_kinds(result)
        self.shown: dict[str, MetricStatus] = {}  # metric code -> the status its row shows
        self.indicator_cells: list[str] = []  # status cells of indicators with several parts
        self.layout = MetricSheet(status_col=self.cols["status"], value_col=self.cols["value"], objective_col=self.cols["objective"],
                                  indicator_col=self.cols["indicator"])

    def band(self, row: int, objective: int) -> int:
        name = next((o.name for o in self.catalog.objectives if o.number == objective), "")
        self.sheet.merge_range(row, 0, row, self.cols["remark"], f"Mục tiêu {objective}. {name}", self.styles.band())
        self.sheet.set_row(row, 20)
        return row + 1

    def indicator(self, row: int, indicator: Indicator, parts: tuple[Metric, ...]) -> int:
        """The indicator's rows from ``row``; the row after them."""
        if len(parts) == 1:
            self.metric(row, parts[0], part=False)
            self._counts_as(row, indicator, self.shown[parts[0].code])
            return row + 1
        for offset, metric in enumerate(parts, start=1):
            self.metric(row + offset, metric, part=True)
        self._header(row, indicator, parts)
        return row + 1 + len(parts)

    def _counts_as(self, row: int, indicator: Indicator, status: MetricStatus) -> None:
        """``row``'s status (``status``) is the indicator's: the overview counts it."""
        self.sheet.write_number(row, self.cols["indicator"], indicator.objective)
        self.layout.indicator_rows[indicator.number] = row
        self.layout.indicator_status[indicator.number] = status

    def _header(self, row: int, indicator: Indicator, parts: tuple[Metric, ...]) -> None:
        """An indicator's own row above its parts: its name and its status, judged from theirs."""
        sheet, styles, cols = self.sheet, self.styles, self.cols
        code = os.path.commonprefix([m.code for m in parts]) or str(indicator.number)
        title = f"Chỉ tiêu {indicator.number}. {indicator.name} ({len(parts)} số đo; đạt khi mọi số đo đều đạt)"
        sheet.write_string(row, 0, code, styles.centre(bold=True))
        sheet.merge_range(row, 1, row, cols["sign"], title, styles.text(bold=True))
        shown = [self.shown[m.code] for m in parts]
        found = self.indicators.get(indicator.number)
        status = MetricStatus(found.status) if found else live_indicator_status(shown)
        status_cell = (row, cols["status"])
        if live_indicator_status(shown) == status:
            cells = f"{a1(row + 1, cols['status'])}:{a1(row + len(parts), cols['status'])}"
            sheet.write_formula(*status_cell, indicator_formula(cells, len(parts)), styles.centre(bold=True),
                                status.label)
        else:  # the merge judged it otherwise than its parts show: say what the merge says
            sheet.write_string(*status_cell, status.label, styles.centre(bold=True))
        self.indicator_cells.append(a1(*status_cell))
        for col in range(cols["status"] + 1, cols["remark"] + 1):
            sheet.write_blank(row, col, None, styles.text())
        self._counts_as(row, indicator, status)
        sheet.set_row(row, text_height([(title, sum(self.widths[1:cols["sign"] + 1]))]))

    def metric(self, row: int, metric: Metric, *, part: bool) -> None:
        """One metric's row; ``part``: listed under its indicator, named "a) …"."""
        sheet, styles, cols = self.sheet, self.styles, self.cols
        found = self.by_code.get(metric.code)
        status = MetricStatus(found.status) if found else MetricStatus.NO_DATA
        text = styles.text()
        letter = metric.code[-1]
        name = f"{letter}) {metric.name}" if part and letter.isalpha() else metric.name
        sheet.write_string(row, cols["code"], metric.code, styles.centre(bold=not part))
        sheet.write_string(row, cols["name"], name, styles.text(indent=1) if part else text)
        sheet.write_string(row, cols["measure"], metric.measure, text)
        _write_number(sheet, row, cols["numerator"], found.numerator if found else None, styles.number(COUNT))
        _write_number(sheet, row, cols["denominator"], found.denominator if found else None, styles.number(COUNT))
        # A value on part of the units is shown in italics: it is not the commune's yet.
        _write_number(sheet, row, cols["value"], found.value if found else None,
                      styles.number(value_format(metric), bold=True, italic=status == MetricStatus.INCOMPLETE))
        for year in self.years:
            sheet.write_string(row, cols[f"target_{year}"], target_text(metric, year), styles.centre())
        target = found.target if found else None
        _write_number(sheet, row, cols["target"], target, styles.number(target_format(metric, target)))
        self._status(row, metric, found, status)
        covered = coverage_text(found.coverage, self.kinds) if found and shows_coverage(found) else ""
        sheet.write_string(row, cols["coverage"], covered, styles.centre())
        if "path" in cols:
            sheet.write_string(row, cols["path"], path_text(metric, found, self.catalog) if found else "",
                               styles.centre())
        sheet.write_string(row, cols["change"], CHANGE_LABELS.get(found.change or "", "") if found else "",
                           styles.centre())
        lead = self.catalog.lead_name(metric)
        sheet.write_string(row, cols["lead"], lead, text)
        remark = remark_text(found) if found else "chưa có kết quả tổng hợp"
        sheet.write_string(row, cols["remark"], remark, styles.text(italic=True))
        sheet.write_number(row, cols["objective"], metric.objective)
        self.layout.rows[metric.code] = row
        sheet.set_row(row, text_height([(name, self.widths[cols["name"]]), (metric.measure, 17), (lead, 17),
                                        (remark, 24), (covered, 9)]))

    def _status(self, row: int, metric: Metric, found: MetricResult | None, status: MetricStatus) -> None:
        """The status cell: a live formula for a verdict, literal text for anything else."""
        sheet, cols = self.sheet, self.cols
        in_force = self.catalog.target_in_force(metric, self.result.year)
        operator = (found.operator if found and found.operator else None) or (in_force[0] if in_force else None)
        sheet.write_string(row, cols["sign"], sign(operator), self.styles.centre())
        self.shown[metric.code] = self.layout.metric_status[metric.code] = status
        judged = found is not None and status.is_verdict and operator is not None
        fmt = self.styles.centre(bold=True)
        value_ref, target_ref = _fixed_column(row, cols["value"]), _fixed_column(row, cols["target"])
        if judged and live_status(found.value, found.denominator, found.target, operator) == status:
            # The verdict stays live: correcting the value (or the target) re-judges it.
            formula = status_formula(value_ref, _fixed_column(row, cols["denominator"]), target_ref, operator)
            sheet.write_formula(row, cols["status"], formula, fmt, status.label)
        else:
            # No verdict (it must never appear when a value is edited), or the merge knows something
            # the cells do not show (no previous year for CT13).
            sheet.write_string(row, cols["status"], status.label, fmt)
        if judged:
            add_met_rules(sheet, self.styles, f"{a1(row, cols['value'])} {a1(row, cols['status'])}", value_ref,
                          target_ref, operator)
