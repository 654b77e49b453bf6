"""Metric values and statuses from the figures units reported (the arithmetic of the merge).

Input is ``contributions``: element code -> {unit id -> value}, holding only figures that may be
used (blank, invalid or excluded figures are absent). The commune total of an element is the sum
of its contributions; each metric is computed from totals by its catalogue method and judged
against the target in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.text import format_number
from ctre_xl.merge.model import MetricResult
from ctre_xl.plan.units import Registry, Unit
from ctre_xl.plan.vocab import Method, MetricStatus, Scale

Contributions = Mapping[str, Mapping[str, float]]


def element_totals(catalog: Catalog, contributions: Contributions) -> dict[str, float | None]:
    """Commune total of every catalogue element; None where no unit gave a usable figure."""
    totals: dict[str, float | None] = {}
    for code in catalog.elements:
        values = contributions.get(code) or {}
        totals[code] = float(sum(values.values())) if values else None
    return totals


@dataclass
class MetricContext:
    """What the computation needs beyond the figures themselves."""

    catalog: Catalog
    registry: Registry
    year: int
    excluded: Mapping[str, list[str]] = field(default_factory=dict)  # element -> units whose figure was dropped
    suspect: set[str] = field(default_factory=set)  # elements in a failed commune-level check
    unit_names: Mapping[str, str] = field(default_factory=dict)


def compute_metrics(context: MetricContext, contributions: Contributions,
                    previous: Contributions | None = None) -> list[MetricResult]:
    """Every metric of the catalogue for ``context.year`` (``previous``: the year before)."""
    # Once, not per metric: the registry filters every unit, and a set answers "does this unit
    # report that figure" without scanning its element list (thousands of schools × 34 metrics).
    expected = [(unit, frozenset(unit.elements)) for unit in context.registry.expected]
    return [_metric_result(context, metric, contributions, previous, expected) for metric in context.catalog.metrics]


@dataclass
class _Value:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    not_applicable: bool = False
    remarks: list[str] = field(default_factory=list)


def metric_value(metric: Metric, contributions: Contributions, registry: Registry,
                 unit_names: Mapping[str, str] | None = None) -> _Value:
    """The commune value of ``metric`` (not judged), with its parts."""
    names = unit_names or {}
    if metric.method == Method.RATIO:
        numerator = _total(contributions, metric.numerator)
        denominator = _total(contributions, metric.denominator)
        if numerator is None or denominator is None:
            return _Value(None, numerator, denominator)
        if denominator == 0:
            return _Value(None, numerator, denominator, not_applicable=True)
        return _Value(numerator / denominator * (metric.factor or 1), numerator, denominator)
    if metric.method == Method.SHARE_OF_SCHOOLS:
        expected = [u for u in registry.expected if metric.element in u.elements]
        answers = contributions.get(metric.element or "", {})
        answered = [u for u in expected if u.id in answers]
        if not answered:
            return _Value(None, None, float(len(expected)) if expected else None)
        yes = float(sum(1 for u in answered if answers[u.id] == 1))
        remarks = []
        silent = [u for u in expected if u.id not in answers]
        if silent:
            remarks.append(f"{len(silent)} trường chưa báo cáo (tính là chưa có): "
                           + ", ".join(names.get(u.id, u.name) for u in silent))
        return _Value(yes / len(expected) * 100, yes, float(len(expected)), remarks=remarks)
    # yes_no and change_vs_previous: the (summed) figure itself
    total = _total(contributions, metric.element)
    return _Value(total)


def _total(contributions: Contributions, code: str | None) -> float | None:
    values = contributions.get(code or "") or {}
    return float(sum(values.values())) if values else None


def _metric_result(context: MetricContext, metric: Metric, contributions: Contributions,
                   previous: Contributions | None, expected: list[tuple[Unit, frozenset[str]]]) -> MetricResult:
    catalog, year = context.catalog, context.year
    current = metric_value(metric, contributions, context.registry, context.unit_names)
    before = metric_value(metric, previous, context.registry).value if previous is not None else None
    remarks = list(current.remarks)
    in_force = catalog.target_in_force(metric, year)
    operator, target = in_force if in_force is not None else (None, None)

    if metric.method == Method.CHANGE_VS_PREVIOUS and target is not None:
        if before is None:
            target = None
            remarks.append("chưa có số liệu năm trước")
        else:
            target = before * target / 100

    if current.not_applicable:
        status = MetricStatus.NOT_APPLICABLE
        remarks.append("không phát sinh (mẫu số bằng 0)")
    elif current.value is None:
        status = MetricStatus.NO_DATA
        if metric.method == Method.SHARE_OF_SCHOOLS and current.denominator:
            remarks.append("chưa trường nào báo cáo")
    elif target is None or operator is None:
        status = MetricStatus.NO_TARGET
        if in_force is None:
            remarks.append(f"năm {year} chưa có mục tiêu")
    else:
        met = operator.holds(round(current.value, 9), round(target, 9))
        status = MetricStatus.MET if met else MetricStatus.NOT_MET

    remarks += _missing_providers(context, metric, contributions, expected)
    on_error = False
    dropped = sorted({unit for code in metric.elements for unit in context.excluded.get(code, [])})
    if dropped:
        on_error = True
        remarks.append("dựa trên số liệu có lỗi (đã loại số liệu lỗi của: "
                       + ", ".join(context.unit_names.get(u, u) for u in dropped) + ")")
    if context.suspect.intersection(metric.elements):
        on_error = True
        remarks.append("số liệu tổng hợp toàn xã không khớp nhau (xem Kiểm tra)")

    return MetricResult(
        code=metric.code, value=current.value, numerator=current.numerator,
        denominator=current.denominator, target=target, operator=operator,
        target_year=catalog.target_year(year), status=status, on_error_figures=on_error,
        previous_value=before, change=_change(metric, current.value, before), remark="; ".join(remarks),
        by_unit=_by_unit(metric, contributions),
    )


def _change(metric: Metric, value: float | None, before: float | None) -> str | None:
    if value is None or before is None:
        return None
    difference = round(value - before, 9)
    if difference == 0:
        return "same"
    return "better" if (difference > 0) == metric.higher_is_better else "worse"


def _by_unit(metric: Metric, contributions: Contributions) -> dict[str, float | None]:
    """Each unit's own value: its ratio where it gives both parts, else its answer or figure."""
    if metric.method == Method.RATIO:
        numerators = contributions.get(metric.numerator or "", {})
        denominators = contributions.get(metric.denominator or "", {})
        found: dict[str, float | None] = {}
        for unit, numerator in numerators.items():
            if unit in denominators:
                denominator = denominators[unit]
                found[unit] = numerator / denominator * (metric.factor or 1) if denominator else None
        return found
    return dict(contributions.get(metric.element or "", {}))


def _missing_providers(context: MetricContext, metric: Metric, contributions: Contributions,
                       expected: list[tuple[Unit, frozenset[str]]] | None = None) -> list[str]:
    """Name the expected units whose figure for this metric is absent (not sent or left blank)."""
    if metric.method == Method.SHARE_OF_SCHOOLS:
        return []  # already said, with the count of schools
    # An optional figure left blank is not missing; the lookups are hoisted out of the loop over
    # units (thousands of schools × 34 metrics).
    required = [(code, contributions.get(code, {}), set(context.excluded.get(code, ())))
                for code in metric.elements if context.catalog.elements[code].required]
    if not required:
        return []
    absent: list[str] = []
    if expected is None:
        expected = [(unit, frozenset(unit.elements)) for unit in context.registry.expected]
    for unit, elements in expected:
        for code, given, dropped in required:
            if code in elements and unit.id not in given and unit.id not in dropped:
                absent.append(context.unit_names.get(unit.id, unit.name))
                break
    if not absent:
        return []
    return ["thiếu số liệu của: " + ", ".join(absent)]


def describe_value(metric: Metric, result: MetricResult) -> str:
    """A metric's value as a short Vietnamese text ("97,5%", "Đạt", "12 cuộc")."""
    if result.value is None:
        return "—"
    if metric.scale == Scale.YES_NO:
        return "Đạt" if result.value == 1 else "Chưa đạt"
    return f"{format_number(round(result.value, 2))}{metric.scale.suffix}"
