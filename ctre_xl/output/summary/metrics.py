"""The summary's metric sheets: "Chỉ tiêu" (all metrics, judged live) and "Theo đơn vị".

Both sheets judge a value against its target with conditional-formatting formulas that compare
the value cell with the target cell under the metric's operator, so a figure corrected in the
workbook re-colours itself. The "Chỉ tiêu" status text is a formula too, with the merge's
result as its cached value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.cellref import a1
from ctre_xl.plan.targets import target_text
from ctre_xl.template.layout import FREE_TEXT_FIELDS
from ctre_xl.merge.model import MergeResult, MetricResult
from ctre_xl.output.summary.styles import (Styles, add_met_rules, add_text_rule, sign, start_table_sheet, target_format,
                                           text_height, value_format)
from ctre_xl.style import AMBER, COUNT, GREY, MUTED, RED, SCHOOL_YES_NO
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import Method, MetricStatus, Operator

METRICS_SHEET = "Chỉ tiêu"
BY_UNIT_SHEET = "Theo đơn vị"
HEADER_ROW = 3
FIRST_ROW = 4
CHANGE_LABELS = {"better": "Tốt hơn", "worse": "Kém hơn", "same": "Không đổi"}
ERROR_REMARK = "dựa trên số liệu có lỗi"


@dataclass
class MetricSheet:
    """Where the "Chỉ tiêu" sheet put things, for the overview's live counts."""

    rows: dict[str, int] = field(default_factory=dict)  # metric code -> 0-based row
    first_row: int = FIRST_ROW
    last_row: int = FIRST_ROW
    status_col: int = 0
    objective_col: int = 0


def unit_names(result: MergeResult, registry: Registry) -> dict[str, str]:
    """unit id -> the name to show (merge result first, then the registry)."""
    names = {unit.id: unit.name for unit in registry.units}
    names.update({status.id: status.name for status in result.units if status.name})
    return names


def live_status(value: float | None, denominator: float | None, target: float | None,
                operator: Operator | None) -> MetricStatus:
    """What the status formula of a row evaluates to; mirrors ``status_formula``."""
    if target is None or operator is None:
        return MetricStatus.NO_TARGET
    if denominator is not None and denominator == 0:
        return MetricStatus.NOT_APPLICABLE
    if value is None:
        return MetricStatus.NO_DATA
    return MetricStatus.MET if operator.holds(value, target) else MetricStatus.NOT_MET


def status_formula(value: str, denominator: str, target: str, operator: Operator) -> str:
    s = MetricStatus
    return (f'=IF(NOT(ISNUMBER({target})),"{s.NO_TARGET.label}",'
            f'IF(AND(ISNUMBER({denominator}),{denominator}=0),"{s.NOT_APPLICABLE.label}",'
            f'IF(NOT(ISNUMBER({value})),"{s.NO_DATA.label}",'
            f'IF({value}{operator}{target},"{s.MET.label}","{s.NOT_MET.label}"))))')


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


def write_metrics_sheet(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog) -> MetricSheet:
    """One row per catalogue metric, grouped by objective, coloured live against its target."""
    years = list(catalog.target_years)
    target_year = catalog.target_year(result.year)
    headers = (["Mã", "Chỉ tiêu", "Đơn vị đo", "Tử số", "Mẫu số", "Giá trị"]
               + [f"Mục tiêu {y}" for y in years]
               + [f"Mục tiêu áp dụng ({target_year})", "Dấu", "Đánh giá", "So với năm trước",
                  "Đơn vị chủ trì", "Ghi chú"])
    widths = [7, 40, 17, 9, 9, 9] + [11] * len(years) + [10, 5, 13, 10, 17, 24]
    col_num, col_den, col_value = 3, 4, 5
    col_target = 6 + len(years)
    col_op, col_status, col_change, col_lead, col_remark = range(col_target + 1, col_target + 6)
    col_objective = col_remark + 1
    start_table_sheet(
        sheet, styles, catalog, result.year, title=f"Kết quả thực hiện các chỉ tiêu năm {result.year}",
        subtitle=(f"{catalog.commune}, {catalog.province}. Đánh giá theo mục tiêu năm {target_year}. "
                  "Màu xanh: đạt; màu đỏ: chưa đạt. Màu và cột “Đánh giá” tự cập nhật khi sửa cột “Giá trị”."),
        headers=headers, widths=widths, header_row=HEADER_ROW, header_height=32)
    # Hidden helper column: the objective of each row, for the overview's COUNTIFS formulas.
    sheet.set_column(col_objective, col_objective, 4, None, {"hidden": True})
    last_col = col_remark

    by_code = {m.code: m for m in result.metrics}
    objective_names = {o.number: o.name for o in catalog.objectives}
    layout = MetricSheet(status_col=col_status, objective_col=col_objective)
    row = FIRST_ROW
    current = None
    for metric in catalog.metrics:
        if metric.objective != current:
            current = metric.objective
            sheet.merge_range(row, 0, row, last_col,
                              f"Mục tiêu {current}. {objective_names.get(current, '')}", styles.band())
            sheet.set_row(row, 20)
            row += 1
        found = by_code.get(metric.code)
        _write_metric_row(sheet, styles, catalog, metric, found, result.year, row, years,
                          (col_num, col_den, col_value, col_target, col_op, col_status, col_change, col_lead,
                           col_remark, col_objective))
        layout.rows[metric.code] = row
        row += 1
    layout.last_row = row - 1
    status_range = f"{a1(FIRST_ROW, col_status)}:{a1(layout.last_row, col_status)}"
    add_text_rule(sheet, styles, status_range, MetricStatus.NO_DATA.label, AMBER)
    add_text_rule(sheet, styles, status_range, MetricStatus.NOT_APPLICABLE.label, GREY)
    add_text_rule(sheet, styles, status_range, MetricStatus.NO_TARGET.label, GREY)
    return layout


def _write_metric_row(sheet: Worksheet, styles: Styles, catalog: Catalog, metric: Metric,
                      found: MetricResult | None, year: int, row: int, years: list[int],
                      cols: tuple[int, ...]) -> None:
    (col_num, col_den, col_value, col_target, col_op, col_status, col_change, col_lead,
     col_remark, col_objective) = cols
    in_force = catalog.target_in_force(metric, year)
    operator = (found.operator if found and found.operator else None) or (in_force[0] if in_force else None)
    target = found.target if found else None
    value = found.value if found else None
    numerator = found.numerator if found else None
    denominator = found.denominator if found else None
    status = found.status if found else MetricStatus.NO_DATA

    text = styles.text()
    sheet.write_string(row, 0, metric.code, styles.centre(bold=True))
    sheet.write_string(row, 1, metric.name, text)
    sheet.write_string(row, 2, metric.measure, text)
    _write_number(sheet, row, col_num, numerator, styles.number(COUNT))
    _write_number(sheet, row, col_den, denominator, styles.number(COUNT))
    _write_number(sheet, row, col_value, value, styles.number(value_format(metric), bold=True))
    for offset, target_year in enumerate(years):
        sheet.write_string(row, 6 + offset, target_text(metric, target_year), styles.centre())
    _write_number(sheet, row, col_target, target, styles.number(target_format(metric, target)))
    sheet.write_string(row, col_op, sign(operator), styles.centre())

    value_ref, target_ref = _fixed_column(row, col_value), _fixed_column(row, col_target)
    denominator_ref = _fixed_column(row, col_den)
    status_fmt = styles.centre(bold=True)
    if operator and live_status(value, denominator, target, operator) == status:
        # The judgement stays live: correcting the value (or the target) re-computes it.
        sheet.write_formula(row, col_status, status_formula(value_ref, denominator_ref, target_ref, operator),
                            status_fmt, status.label)
    else:
        # The merge knows something the cells do not show (e.g. no previous year for CT13).
        sheet.write_string(row, col_status, status.label, status_fmt)
    if operator:
        add_met_rules(sheet, styles, f"{a1(row, col_value)} {a1(row, col_status)}", value_ref, target_ref, operator)

    sheet.write_string(row, col_change, CHANGE_LABELS.get(found.change or "", "") if found else "", styles.centre())
    lead = catalog.lead_name(metric)
    sheet.write_string(row, col_lead, lead, text)
    remark = remark_text(found) if found else "chưa có kết quả tổng hợp"
    sheet.write_string(row, col_remark, remark, styles.text(italic=True))
    sheet.write_number(row, col_objective, metric.objective)
    sheet.set_row(row, text_height([(metric.name, 40), (metric.measure, 17), (lead, 17), (remark, 24)]))


# ----------------------------------------------------------------------------- Theo đơn vị

UNIT_WIDTHS = (8, 32, 12, 12, 11, 5, 58)  # code, unit, unit value, commune value, target, sign, note


def _unit_order(result: MergeResult, extra: list[str]) -> list[str]:
    """Units in the merge's order, then any other of ``extra`` (a set: thousands of schools)."""
    order = [status.id for status in result.units]
    known = set(order)
    return order + [unit for unit in extra if unit not in known]


def write_by_unit_sheet(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog,
                        registry: Registry) -> None:
    """Each unit's own value of each metric beside the commune's, with its explanation."""
    names = unit_names(result, registry)
    received = {status.id for status in result.units if status.received}
    last_col = len(UNIT_WIDTHS) - 1
    start_table_sheet(
        sheet, styles, catalog, result.year, title=f"Số liệu theo đơn vị năm {result.year}",
        subtitle=("Giá trị của từng đơn vị bên cạnh giá trị của cả xã, để thấy chỉ tiêu chưa đạt từ đâu. "
                  "Màu xanh: đạt mục tiêu; màu đỏ: chưa đạt. Cột cuối: giải trình của đơn vị. "
                  "Chỉ tiêu do một đơn vị báo cáo xem ở trang “Chỉ tiêu”."),
        headers=["Mã", "Đơn vị", "Giá trị của đơn vị", "Giá trị của xã", "Mục tiêu", "Dấu", "Giải trình của đơn vị"],
        widths=UNIT_WIDTHS, header_row=HEADER_ROW, header_height=32)

    notes: dict[str, dict[str, str]] = {}  # metric code -> unit -> note
    for unit_id, submission in result.submissions.items():
        for code, note in submission.notes.items():
            if note and note.strip():
                notes.setdefault(code, {})[unit_id] = note
    row = FIRST_ROW
    for found in result.metrics:
        metric = catalog.metric_by_code.get(found.code)
        unit_notes = notes.pop(found.code, {})
        # Units expected to report the metric, including those that sent nothing.
        providers = {unit.id for unit in registry.expected
                     if metric and set(unit.elements) & set(metric.own_elements)}
        # A metric only one unit reports reads the same on "Chỉ tiêu"; list it only with a note.
        if metric is None or not (len(found.by_unit) > 1 or len(providers) > 1 or unit_notes):
            if unit_notes:
                notes[found.code] = unit_notes  # shown with the free text below
            continue
        sheet.write_string(row, 0, metric.code, styles.band())
        sheet.merge_range(row, 1, row, last_col, f"{metric.name} ({metric.measure})", styles.band())
        sheet.set_row(row, text_height([(f"{metric.name} ({metric.measure})", sum(UNIT_WIDTHS[1:]))]))
        row += 1
        block_first = row
        formats = _UnitRowFormats.of(styles, metric, found)
        # Units that should have reported this metric but gave nothing are listed too: a
        # missing school is often where a commune figure falls short.
        for unit_id in _unit_order(result, [*found.by_unit, *unit_notes, *sorted(providers)]):
            if unit_id not in found.by_unit and unit_id not in unit_notes and unit_id not in providers:
                continue
            note = unit_notes.get(unit_id, "")
            if unit_id not in found.by_unit and not note:
                note = "(chưa nộp báo cáo)" if unit_id not in received else "(không có số liệu)"
            _write_unit_row(sheet, formats, metric, found, row, names.get(unit_id, unit_id),
                            found.by_unit.get(unit_id), note)
            row += 1
        _colour_block(sheet, styles, metric, found, block_first, row - 1)
    _write_free_text(sheet, styles, result, names, notes, row + 1, last_col)


@dataclass(frozen=True)
class _UnitRowFormats:
    """The formats of one metric's unit rows, looked up once per metric rather than per row."""

    code: Format
    name: Format
    unit_value: Format
    commune_value: Format
    target: Format
    sign: Format
    note: Format

    @classmethod
    def of(cls, styles: Styles, metric: Metric, found: MetricResult) -> _UnitRowFormats:
        per_school = metric.method == Method.SHARE_OF_SCHOOLS
        return cls(code=styles.centre(font_color=MUTED), name=styles.text(),
                   unit_value=styles.number(SCHOOL_YES_NO if per_school else value_format(metric), align="right"),
                   commune_value=styles.number(value_format(metric)),
                   target=styles.number(target_format(metric, found.target)), sign=styles.centre(),
                   note=styles.text())


def _write_unit_row(sheet: Worksheet, formats: _UnitRowFormats, metric: Metric, found: MetricResult, row: int,
                    unit_name: str, unit_value: float | None, note: str) -> None:
    sheet.write_string(row, 0, metric.code, formats.code)
    sheet.write_string(row, 1, unit_name, formats.name)
    _write_number(sheet, row, 2, unit_value, formats.unit_value)
    _write_number(sheet, row, 3, found.value, formats.commune_value)
    _write_number(sheet, row, 4, found.target, formats.target)
    sheet.write_string(row, 5, sign(found.operator), formats.sign)
    sheet.write_string(row, 6, note, formats.note)  # the unit's own words: always literal text
    sheet.set_row(row, text_height([(note, UNIT_WIDTHS[6]), (unit_name, UNIT_WIDTHS[1])]))


def _colour_block(sheet: Worksheet, styles: Styles, metric: Metric, found: MetricResult, first: int,
                  last: int) -> None:
    """Live colouring of one metric's unit rows (0-based ``first``..``last``): one rule per colour.

    Rules per row came to about 70,000 at 2,600 schools and most of the summary's writing time.
    Conditional-formatting formulas are relative to the top-left cell of their range, so a single
    rule over the block judges every row against the target in its own column E, exactly as a
    rule per row would.
    """
    if not found.operator or last < first:
        return
    top, bottom = first + 1, last + 1  # A1 rows
    target_ref = f"$E{top}"
    if metric.method == Method.SHARE_OF_SCHOOLS:
        add_met_rules(sheet, styles, f"D{top}:D{bottom}", f"$D{top}", target_ref, found.operator)
        # A school either has the facility or not: "Không" is the miss.
        sheet.conditional_format(f"C{top}:C{bottom}", {
            "type": "formula", "criteria": f"=AND(ISNUMBER($C{top}),$C{top}=0)",
            "format": styles.conditional(RED, bold=True)})
    else:
        # Column relative too: the rule over C:D compares C with E in column C, D with E in column D.
        add_met_rules(sheet, styles, f"C{top}:D{bottom}", f"C{top}", target_ref, found.operator)


def _write_free_text(sheet: Worksheet, styles: Styles, result: MergeResult, names: dict[str, str],
                     orphan_notes: dict[str, dict[str, str]], row: int, last_col: int) -> None:
    """Every unit's results, difficulties and proposals (and notes of metrics not listed above)."""
    entries: list[tuple[str, str, str]] = []  # unit, label, text
    for unit_id in _unit_order(result, list(result.submissions)):
        submission = result.submissions.get(unit_id)
        if submission is None:
            continue
        for key, text in sorted(submission.free_text.items(),
                                key=lambda item: list(FREE_TEXT_FIELDS).index(item[0])
                                if item[0] in FREE_TEXT_FIELDS else len(FREE_TEXT_FIELDS)):
            if text and text.strip():
                entries.append((unit_id, FREE_TEXT_FIELDS.get(key, key), text))
        for code, by_unit in orphan_notes.items():
            if unit_id in by_unit:
                entries.append((unit_id, f"Giải trình {code}", by_unit[unit_id]))
    sheet.merge_range(row, 0, row, last_col, "Ý kiến của các đơn vị: kết quả, khó khăn, đề xuất", styles.section())
    row += 1
    if not entries:
        sheet.merge_range(row, 0, row, last_col, "Chưa đơn vị nào ghi ý kiến.", styles.text(italic=True))
        return
    sheet.write_string(row, 0, "", styles.header())
    sheet.write_string(row, 1, "Đơn vị", styles.header())
    sheet.merge_range(row, 2, row, 3, "Nội dung", styles.header())
    sheet.merge_range(row, 4, row, last_col, "Ý kiến của đơn vị", styles.header())
    row += 1
    text_width = sum(UNIT_WIDTHS[4:])
    for unit_id, label, text in entries:
        name = names.get(unit_id, unit_id)
        sheet.write_string(row, 0, "", styles.text())
        sheet.write_string(row, 1, name, styles.text(bold=True))
        sheet.merge_range(row, 2, row, 3, "", styles.text())
        sheet.write_string(row, 2, label, styles.text())
        sheet.merge_range(row, 4, row, last_col, "", styles.text())
        sheet.write_string(row, 4, text, styles.text())  # literal text, even "=HYPERLINK(...)"
        sheet.set_row(row, text_height([(text, text_width), (name, UNIT_WIDTHS[1]), (label, 24)]))
        row += 1
