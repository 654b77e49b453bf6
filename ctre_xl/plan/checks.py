"""Load-time consistency checks of a catalogue: every problem is named, none is raised here.

``load_catalog`` refuses a catalogue for which ``check_catalog`` found anything.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from ctre_xl.cellref import MAX_COLUMNS, col_index
from ctre_xl.plan.vocab import ALL_SCHOOLS, ElementKind, Method, Operator, Scale, Severity

if TYPE_CHECKING:  # the catalogue module calls these checks: its types are only annotations here
    from ctre_xl.plan.catalog import Catalog, Metric

METRIC_CODE = re.compile(r"^CT\d{2}[a-z]?$")
UNIT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# Excel defined names: a letter or underscore first, then letters, digits, "_" or "."; never
# something Excel would read as a cell reference in A1 (AB12) or R1C1 (R, C, R1C2) notation.
_NAME_CHARS = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,254}$")
_A1_REF = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_R1C1_REF = re.compile(r"^([Rr][0-9]*)?([Cc][0-9]*)?$")
PERIOD_PLACEHOLDERS = frozenset({"{year}", "{year-1}", "{school_year}"})
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def is_valid_excel_name(name: str) -> bool:
    """True when ``name`` can be a workbook-scoped defined name in Excel and LibreOffice."""
    if not _NAME_CHARS.match(name) or _R1C1_REF.match(name):
        return False
    if _A1_REF.match(name):
        letters = re.match(r"^[A-Za-z]+", name).group(0)  # type: ignore[union-attr]
        return col_index(letters) >= MAX_COLUMNS  # beyond XFD it is not a cell reference
    return True


def check_catalog(catalog: Catalog, problems: list[str]) -> None:
    """Refuse an inconsistent catalogue, naming every problem found."""
    codes = [m.code for m in catalog.metrics]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(f"Mã chỉ tiêu '{code}' bị trùng.")
    _check_elements(catalog, problems)
    objective_numbers = {o.number for o in catalog.objectives}
    for indicator in catalog.indicators:
        if indicator.objective not in objective_numbers:
            problems.append(f"Chỉ tiêu {indicator.number} thuộc mục tiêu {indicator.objective} không tồn tại.")
    for metric in catalog.metrics:
        _check_metric(catalog, metric, problems)
    _check_units(catalog, problems)
    _check_rules(catalog, problems)
    _check_periods(catalog, problems)


def _check_elements(catalog: Catalog, problems: list[str]) -> None:
    seen_names: dict[str, str] = {}
    for element in catalog.elements.values():
        if not is_valid_excel_name(element.code):
            problems.append(f"Mã số liệu '{element.code}' không dùng được làm tên ô Excel.")
        if element.code.lower() in seen_names:
            problems.append(f"Mã số liệu '{element.code}' trùng với '{seen_names[element.code.lower()]}' "
                            "(Excel không phân biệt chữ hoa, chữ thường).")
        seen_names[element.code.lower()] = element.code
        if not isinstance(element.kind, ElementKind):
            problems.append(f"Số liệu '{element.code}' có loại '{element.kind}' không hợp lệ.")
        if not catalog.providers[element.code]:
            problems.append(f"Số liệu '{element.code}' không được đơn vị nào báo cáo.")
        if element.kind == ElementKind.YES_NO and element.unit:
            problems.append(f"Số liệu Có/Không '{element.code}' không được ghi đơn vị tính (unit).")


def _check_metric(catalog: Catalog, metric: Metric, problems: list[str]) -> None:
    where = f"Chỉ tiêu {metric.code}"
    if not METRIC_CODE.match(metric.code):
        problems.append(f"{where}: mã phải có dạng CT01, CT03a.")
    if metric.indicator not in {i.number for i in catalog.indicators}:
        problems.append(f"{where}: thuộc chỉ tiêu số {metric.indicator} không có trong danh mục.")
    if not isinstance(metric.scale, Scale):
        problems.append(f"{where}: đơn vị đo '{metric.scale}' không hợp lệ.")
    if not isinstance(metric.method, Method):
        problems.append(f"{where}: cách tính '{metric.method}' không hợp lệ.")
    for year, operator in metric.operators.items():
        if not isinstance(operator, Operator) or not operator.for_targets:
            problems.append(f"{where}: dấu so sánh '{operator}' (năm {year}) không hợp lệ.")
    for year in sorted(metric.inferred_targets - set(metric.targets)):
        problems.append(f"{where}: mục tiêu suy luận năm {year} (inferred_targets) không có trong targets.")
    for year in metric.targets:
        if year not in catalog.target_years:
            problems.append(f"{where}: năm mục tiêu {year} không nằm trong {list(catalog.target_years)}.")
    if metric.method == Method.RATIO and not (metric.numerator and metric.denominator):
        problems.append(f"{where}: chỉ tiêu tỷ lệ cần có tử số (numerator) và mẫu số (denominator).")
    if metric.method != Method.RATIO and not metric.element:
        problems.append(f"{where}: cần khai báo số liệu (element).")
    for code in metric.elements:
        if code not in catalog.elements:
            problems.append(f"{where}: dùng số liệu '{code}' không có trong danh mục.")
    unit_ids = {u.id for u in catalog.departments} | {s.id for s in catalog.school_levels}
    if metric.lead not in unit_ids | {ALL_SCHOOLS}:
        problems.append(f"{where}: đơn vị chủ trì '{metric.lead}' không có trong danh mục.")
    if metric.method in (Method.YES_NO, Method.SHARE_OF_SCHOOLS) and metric.element in catalog.elements \
            and catalog.elements[metric.element].kind != ElementKind.YES_NO:
        problems.append(f"{where}: số liệu '{metric.element}' phải là loại Có/Không.")


def _check_units(catalog: Catalog, problems: list[str]) -> None:
    for owner in (*catalog.departments, *catalog.school_levels):
        if not UNIT_ID.match(owner.id):
            problems.append(f"Mã đơn vị '{owner.id}' không hợp lệ (chữ thường, số, '-').")
        for code in owner.elements:
            if code not in catalog.elements:
                problems.append(f"Đơn vị '{owner.id}' báo cáo số liệu '{code}' không có trong danh mục.")


def _check_rules(catalog: Catalog, problems: list[str]) -> None:
    for rule in catalog.rules:
        if not isinstance(rule.op, Operator):
            problems.append(f"Quy tắc kiểm tra '{rule.message}' có dấu so sánh '{rule.op}' không hợp lệ.")
        if not isinstance(rule.severity, Severity):
            problems.append(f"Quy tắc kiểm tra '{rule.message}' có mức '{rule.severity}' không hợp lệ.")
        for code in (*rule.left, *rule.right):
            if code not in catalog.elements:
                problems.append(f"Quy tắc kiểm tra dùng số liệu '{code}' không có trong danh mục.")


def _check_periods(catalog: Catalog, problems: list[str]) -> None:
    """Each element's period is a text of [periods]; a catalogue without [periods] names none."""
    try:
        date(catalog.first_year, catalog.deadline_month, catalog.deadline_day)
    except ValueError:
        problems.append(f"Hạn nộp ngày {catalog.deadline_day}/{catalog.deadline_month} không phải một ngày có thật.")
    for name, text in catalog.periods.items():
        unknown = set(_PLACEHOLDER.findall(text)) - PERIOD_PLACEHOLDERS
        if unknown:
            problems.append(f"Kỳ số liệu '{name}' dùng chỗ điền không hợp lệ: "
                            f"{', '.join(sorted(unknown))} (chỉ dùng {', '.join(sorted(PERIOD_PLACEHOLDERS))}).")
    if not catalog.periods:
        return
    for element in catalog.elements.values():
        if element.period not in catalog.periods:
            problems.append(f"Số liệu '{element.code}' có kỳ số liệu (period) '{element.period}' không có trong "
                            f"[periods] ({', '.join(catalog.periods)}).")
