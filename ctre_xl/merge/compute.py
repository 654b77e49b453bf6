"""Metric values, coverage and statuses from the figures units reported (the arithmetic of the merge).

Input is ``contributions``: element code -> {unit id -> value}, holding only figures that may be
used (blank, invalid or excluded figures are absent). A commune rate sums its numerator and its
denominator over the **same** units, those counted for the metric (``coverage``): a unit whose
part is missing, blank or rejected leaves the metric entirely. Each metric is then judged, in this
order of precedence:

* ``no_data``: no unit counted;
* ``incomplete``: some expected unit not counted; the value on what came in, no verdict;
* ``not_applicable``: a denominator of 0 with every unit counted (không phát sinh);
* ``no_target``: no target in force (or CT13/CT21 without last year's value);
* ``baseline`` (the plan's first year) / ``not_due`` (a year between milestones), with the gap;
* ``met`` / ``not_met``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Mapping

from ctre_xl.merge.coverage import counted_units, expected_providers, metric_parts, sum_over
from ctre_xl.merge.model import Coverage, MetricResult
from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import Method, MetricStatus, Operator, Scale
from ctre_xl.text import format_number

Contributions = Mapping[str, Mapping[str, float]]
Units = list[tuple[str, frozenset[str]]]  # (unit id, its elements) of every expected unit
MISSING_NAMED = 10  # a remark names at most this many units (the JSON lists them all)
_JUDGED = (MetricStatus.MET, MetricStatus.NOT_MET, MetricStatus.BASELINE, MetricStatus.NOT_DUE)


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
    received: Collection[str] | None = None  # units whose return counts (None: not known)
    blank: Collection[str] = ()  # units that sent only a blank template


def compute_metrics(context: MetricContext, contributions: Contributions,
                    previous: Contributions | None = None) -> list[MetricResult]:
    """Every metric of the catalogue for ``context.year`` (``previous``: the year before)."""
    # Once, not per metric: a set answers "does this unit report that figure" without scanning its
    # element list (thousands of schools × 34 metrics), one set per kind of unit.
    units = context.registry.expected_elements
    return [_metric_result(context, metric, contributions, previous, units) for metric in context.catalog.metrics]


@dataclass
class MetricValue:
    """A metric's commune value (not judged), with its parts and the units it rests on."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    coverage: Coverage = field(default_factory=lambda: Coverage((), ()))
    not_applicable: bool = False  # a denominator of 0 over every expected unit


def metric_value(catalog: Catalog, metric: Metric, contributions: Contributions, units: Units,
                 excluded: Mapping[str, list[str]] | None = None) -> MetricValue:
    """The commune value of ``metric`` over the units counted for it."""
    coverage = counted_units(expected_providers(metric_parts(catalog, metric), units), contributions, excluded)
    counted = coverage.counted
    if metric.method == Method.RATIO:
        numerator = sum_over(metric.numerator, contributions, counted)
        denominator = sum_over(metric.denominator, contributions, counted)
        if numerator is None or denominator is None:
            return MetricValue(None, numerator, denominator, coverage)
        if denominator == 0:
            return MetricValue(None, numerator, denominator, coverage, not_applicable=coverage.complete)
        return MetricValue(numerator / denominator * (metric.factor or 1), numerator, denominator, coverage)
    if metric.method == Method.SHARE_OF_SCHOOLS:
        # Yes over the schools that answered: a school that did not is missing, never "Không".
        if not counted:
            return MetricValue(None, None, None, coverage)
        answers = contributions.get(metric.element or "") or {}
        yes = float(sum(1 for unit in counted if answers.get(unit) == 1))
        return MetricValue(yes / len(counted) * 100, yes, float(len(counted)), coverage)
    # yes_no and change_vs_previous: the (summed) figure itself
    return MetricValue(sum_over(metric.element, contributions, counted), coverage=coverage)


def _metric_result(context: MetricContext, metric: Metric, contributions: Contributions,
                   previous: Contributions | None, units: Units) -> MetricResult:
    catalog, year = context.catalog, context.year
    current = metric_value(catalog, metric, contributions, units, context.excluded)
    before = metric_value(catalog, metric, previous, units).value if previous is not None else None
    remarks: list[str] = []
    in_force = catalog.target_in_force(metric, year)
    operator, target = in_force if in_force is not None else (None, None)
    if metric.method == Method.CHANGE_VS_PREVIOUS and target is not None:
        if before is None:
            target = None
            remarks.append("chưa có số liệu năm trước")
        else:
            target = before * target / 100

    status = _status(catalog, metric, year, current, target, operator)
    gap = _gap(current.value, target, operator) if status in _JUDGED else None
    remarks = _coverage_remarks(context, current.coverage, status) + remarks
    remarks += _status_remarks(catalog, metric, year, status, in_force is None, gap)
    on_error, error_remarks = _error_remarks(context, metric, current.coverage)
    return MetricResult(
        code=metric.code, value=current.value, numerator=current.numerator,
        denominator=current.denominator, target=target, operator=operator,
        target_year=catalog.target_year(year), status=status, on_error_figures=on_error,
        previous_value=before, change=_change(metric, current.value, before),
        remark="; ".join(remarks + error_remarks), by_unit=_by_unit(metric, contributions),
        coverage=current.coverage, gap=gap,
    )


def _status(catalog: Catalog, metric: Metric, year: int, current: MetricValue, target: float | None,
            operator: Operator | None) -> MetricStatus:
    """The metric's status, by the precedence in the module's docstring."""
    coverage = current.coverage
    if not coverage.counted or (current.value is None and coverage.complete and not current.not_applicable):
        return MetricStatus.NO_DATA
    if not coverage.complete:
        return MetricStatus.INCOMPLETE
    if current.not_applicable:
        return MetricStatus.NOT_APPLICABLE
    if target is None or operator is None or current.value is None:
        return MetricStatus.NO_TARGET
    if catalog.is_baseline(year):
        return MetricStatus.BASELINE
    if not catalog.is_due(metric, year):
        return MetricStatus.NOT_DUE
    met = operator.holds(round(current.value, 9), round(target, 9))
    return MetricStatus.MET if met else MetricStatus.NOT_MET


def _gap(value: float | None, target: float | None, operator: Operator | None) -> float | None:
    """How much is still to close to ``target``, in the metric's own unit (0 when it holds)."""
    if value is None or target is None or operator is None:
        return None
    if operator.holds(round(value, 9), round(target, 9)):
        return 0.0
    return round(abs(value - target), 9)


def _status_remarks(catalog: Catalog, metric: Metric, year: int, status: MetricStatus, no_target: bool,
                    gap: float | None) -> list[str]:
    if status == MetricStatus.NOT_APPLICABLE:
        return ["không phát sinh (mẫu số bằng 0)"]
    if status == MetricStatus.NO_TARGET and no_target:
        return [f"năm {year} chưa có mục tiêu"]
    if status not in (MetricStatus.BASELINE, MetricStatus.NOT_DUE):
        return []
    head = (f"năm gốc của Kế hoạch ({year}): chưa đánh giá đạt/chưa đạt" if status == MetricStatus.BASELINE
            else f"chưa đến hạn đánh giá (mục tiêu năm {catalog.target_year(year)})")
    if not gap:
        return [f"{head}; đã đạt mức mục tiêu"]
    if metric.scale == Scale.YES_NO:
        return [f"{head}; chưa đạt mức mục tiêu"]
    return [f"{head}; còn cách mục tiêu {gap_text(catalog, metric, gap)}"]


def gap_text(catalog: Catalog, metric: Metric, gap: float) -> str:
    """A gap in the metric's own unit: "2,5 điểm phần trăm", "0,8‰", "3 cuộc"."""
    shown = format_number(round(gap, 2))
    if metric.scale == Scale.PERCENT:
        return f"{shown} điểm phần trăm"
    if metric.scale == Scale.COUNT:
        element = catalog.elements.get(metric.element or "")
        unit = element.unit if element is not None else ""
        return f"{shown} {unit}".strip()
    return f"{shown}{metric.scale.suffix}"


def _coverage_remarks(context: MetricContext, coverage: Coverage, status: MetricStatus) -> list[str]:
    """"chưa đủ số liệu (4/5 trường): thiếu …" naming the missing units and why each is missing."""
    if coverage.complete or not coverage.expected:
        return []
    names = context.unit_names
    schools = {u.id for u in context.registry.schools}
    noun = "trường" if all(unit in schools for unit in coverage.expected) else "đơn vị"
    head = "chưa có số liệu" if status == MetricStatus.NO_DATA else "chưa đủ số liệu"
    missing = coverage.missing
    rejected = set(coverage.rejected)
    named = [f"{names.get(unit, unit)} ({_why_missing(context, unit, rejected)})" for unit in missing[:MISSING_NAMED]]
    return [f"{head} ({format_number(len(coverage.counted))}/{format_number(len(coverage.expected))} {noun}): thiếu "
            + ", ".join(named) + _not_named(len(missing), noun)]


def _not_named(count: int, noun: str) -> str:
    """" và 12 trường khác": the units of a remark's list past the ``MISSING_NAMED`` it names ("" when none)."""
    return f" và {format_number(count - MISSING_NAMED)} {noun} khác" if count > MISSING_NAMED else ""


def _why_missing(context: MetricContext, unit: str, rejected: set[str]) -> str:
    if unit in rejected:
        return "số liệu có lỗi, đã loại"
    if unit in context.blank:
        return "gửi biểu mẫu trống"
    if context.received is None:
        return "chưa có số liệu"
    if unit not in context.received:
        return "chưa nộp báo cáo"
    return "chưa nhập số liệu"


def _error_remarks(context: MetricContext, metric: Metric, coverage: Coverage) -> tuple[bool, list[str]]:
    """Whether an error touched the metric, and the remarks not already said by the coverage."""
    remarks = []
    dropped = sorted({unit for code in metric.elements for unit in context.excluded.get(code, [])})
    rejected = set(coverage.rejected)
    beside = [unit for unit in dropped if unit not in rejected]
    if beside:  # an extra or optional figure dropped: the value does not rest on it
        named = ", ".join(context.unit_names.get(u, u) for u in beside[:MISSING_NAMED])
        remarks.append(f"đã loại số liệu có lỗi của: {named}{_not_named(len(beside), 'đơn vị')}")
    suspect = bool(context.suspect.intersection(metric.elements))
    if suspect:
        remarks.append("số liệu tổng hợp toàn xã không khớp nhau (xem Kiểm tra)")
    return bool(dropped) or suspect, remarks


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


def describe_value(metric: Metric, result: MetricResult) -> str:
    """A metric's value as a short Vietnamese text ("97,5%", "Đạt", "12 cuộc")."""
    if result.value is None:
        return "—"
    if metric.scale == Scale.YES_NO:
        return "Đạt" if result.value == 1 else "Chưa đạt"
    return f"{format_number(round(result.value, 2))}{metric.scale.suffix}"
