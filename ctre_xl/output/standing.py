"""How the plan stands, in words, for the console and the summary workbook alike.

The plan counts 24 indicators (chỉ tiêu); its 34 measured metrics (số đo) are their parts. This
module groups the parts under their indicator, counts statuses in the vocabulary's order, and
says what a metric without a verdict still tells: its coverage ("4/5 trường") and, in a year
between milestones, the gap still to close to the target in force ("còn 2,5 điểm phần trăm").
"""

from __future__ import annotations

from typing import Iterable, Mapping

from ctre_xl.merge.compute import gap_text as merge_gap_text
from ctre_xl.merge.indicators import judge_indicators
from ctre_xl.merge.model import Coverage, IndicatorResult, MergeResult, MetricResult
from ctre_xl.plan.catalog import Catalog, Indicator, Metric
from ctre_xl.plan.vocab import Method, MetricStatus, Operator, Scale, TrackStatus
from ctre_xl.text import format_number

SCHOOL = "school"  # UnitStatus.kind of a school
# Statuses of a year judged against nothing: the row shows the way to the next milestone instead.
ON_THE_WAY = (MetricStatus.NOT_DUE, MetricStatus.BASELINE)


def indicator_groups(catalog: Catalog) -> list[tuple[Indicator, tuple[Metric, ...]]]:
    """Every indicator of the plan with its metrics, in plan order.

    A metric whose indicator the catalogue does not list is an indicator of its own, so a
    catalogue without an [[indicators]] table still reads (each metric counted once).
    """
    parts: dict[int, list[Metric]] = {}
    for metric in catalog.metrics:
        parts.setdefault(metric.indicator, []).append(metric)
    listed = {indicator.number: indicator for indicator in catalog.indicators}
    groups = [(indicator, tuple(parts[indicator.number])) for indicator in catalog.indicators
              if indicator.number in parts]
    for number, metrics in parts.items():
        if number not in listed:
            groups.append((Indicator(number, metrics[0].objective, metrics[0].name), tuple(metrics)))
    return sorted(groups, key=lambda group: (group[0].objective, group[0].number))


def indicators_of(result: MergeResult, catalog: Catalog) -> dict[int, IndicatorResult]:
    """indicator number -> its result: the merge's, or judged here from the metrics when absent."""
    found = result.indicators or judge_indicators(catalog, result.metrics)
    return {indicator.number: indicator for indicator in found}


def count_statuses(statuses: Iterable[MetricStatus]) -> dict[MetricStatus, int]:
    """status -> how many, for every status in the vocabulary's order."""
    counts = dict.fromkeys(MetricStatus, 0)
    for status in statuses:
        counts[MetricStatus(status)] += 1
    return counts


def counts_text(counts: Mapping[MetricStatus, int]) -> str:
    """"15 đạt, 5 chưa đạt, 4 chưa đủ số liệu": the statuses that occur, in the vocabulary's order."""
    return ", ".join(f"{format_number(number)} {status.label.lower()}" for status, number in counts.items() if number)


def unit_kinds(result: MergeResult) -> dict[str, str]:
    """unit id -> kind ("school", "department") of every unit the merge expected."""
    return {unit.id: unit.kind for unit in result.units}


def coverage_text(coverage: Coverage | None, kinds: Mapping[str, str]) -> str:
    """"4/5 trường" (every expected unit a school) or "4/5 đơn vị"; "" when not known."""
    if coverage is None or not coverage.expected:
        return ""
    schools = all(kinds.get(unit) == SCHOOL for unit in coverage.expected)
    return f"{format_number(len(coverage.counted))}/{format_number(len(coverage.expected))} {'trường' if schools else 'đơn vị'}"


def shows_coverage(found: MetricResult) -> bool:
    """Coverage is worth a cell when it is incomplete, or when the value adds up several units."""
    coverage = found.coverage
    return coverage is not None and bool(coverage.expected) and (not coverage.complete or len(coverage.expected) > 1)


def gap_text(metric: Metric, found: MetricResult, catalog: Catalog) -> str:
    """The gap still to close to the target in force, in the metric's unit ("còn 2,5 điểm phần trăm"),
    worded as the merge's remark words it."""
    gap = found.gap
    if gap is None:
        return ""
    if gap <= 0:
        return f"đã đạt mức mục tiêu {found.target_year}"
    if metric.scale == Scale.YES_NO:
        return "chưa đạt"
    return f"còn {merge_gap_text(catalog, metric, gap)}"


def path_text(metric: Metric, found: MetricResult, catalog: Catalog) -> str:
    """Where a metric stands on the way to the next milestone, in a year judged against nothing.

    The on-track / off-track reading from the history ("Đúng lộ trình", ``merge/track.py``) when
    there is one, then the gap still to close ("Chậm so với lộ trình; còn 2,5 điểm phần trăm").
    """
    if found.status not in ON_THE_WAY:
        return ""
    gap = gap_text(metric, found, catalog)
    if found.track in (TrackStatus.ON_TRACK, TrackStatus.OFF_TRACK):
        return f"{found.track.label}; {gap}" if gap else found.track.label
    return gap


def track_summary(result: MergeResult, catalog: Catalog) -> str:
    """"So với lộ trình đến mục tiêu 2030: 20 số đo đúng lộ trình, 6 số đo chậm so với lộ trình."; ""
    when no metric has a track (no history, or a milestone year)."""
    counts = {status: sum(1 for m in result.metrics if m.track == status) for status in TrackStatus}
    parts = [f"{number} số đo {status.label.lower()}" for status, number in counts.items() if number]
    if not parts:
        return ""
    return f"So với lộ trình đến mục tiêu {catalog.target_year(result.year)}: {', '.join(parts)}."


def unit_suffix(metric: Metric, catalog: Catalog) -> str:
    """What follows a number of ``metric`` in a sentence: "%", "‰", "/100.000 trẻ em", " cuộc",
    "% trường" (the share of schools)."""
    if metric.method == Method.SHARE_OF_SCHOOLS:
        return "% trường"
    if metric.scale == Scale.PER_100000:
        # The measure names what is counted per 100.000 ("trên 100.000 trẻ em").
        counted = metric.measure.partition("100.000")[2].strip()
        return f"{metric.scale.suffix} {counted}".rstrip()
    if metric.scale in (Scale.COUNT, Scale.YES_NO) or metric.method == Method.CHANGE_VS_PREVIOUS:
        element = catalog.elements.get(metric.element or "")
        return f" {element.unit}" if element is not None and element.unit else ""
    return metric.scale.suffix


def value_text(metric: Metric, value: float | None, catalog: Catalog) -> str:
    """A value with its unit and no spurious decimals: "96,91%", "55%", "613,06/100.000 trẻ em",
    "2 cuộc", "Có"; "" when there is none."""
    if value is None:
        return ""
    if metric.scale == Scale.YES_NO:
        return "Có" if value == 1 else "Không"
    return format_number(round(value, 2)) + unit_suffix(metric, catalog)


def target_phrase(metric: Metric, found: MetricResult, catalog: Catalog) -> str:
    """The target in force with its sign and unit: "≥ 97%", "≤ 550/100.000 trẻ em", "= Đạt"."""
    if found.target is None or found.operator is None:
        return ""
    if metric.scale == Scale.YES_NO:
        return f"{found.operator.sign} {'Đạt' if found.target == 1 else 'Không'}"
    return f"{found.operator.sign} {value_text(metric, found.target, catalog)}"


def shortfall_text(metric: Metric, found: MetricResult, catalog: Catalog) -> str:
    """How far a metric is from its target, in its own unit and direction: "còn thiếu 0,09 điểm
    phần trăm" (a floor not reached), "vượt 63,06/100.000 trẻ em" (a ceiling exceeded)."""
    operator = found.operator
    if operator is None or found.value is None or found.target is None:
        return ""
    gap = found.gap
    if gap is None:  # a result made elsewhere than the merge: the gap from the value, as the merge finds it
        gap = 0.0 if operator.holds(found.value, found.target) else abs(found.value - found.target)
    if gap <= 0 and operator.holds(found.value, found.target):
        return f"đã đạt mức mục tiêu {found.target_year}"
    if metric.scale == Scale.YES_NO:
        return "chưa đạt"
    if gap <= 0:  # a strict "<" exactly at the limit
        return f"bằng mức mục tiêu, cần {target_phrase(metric, found, catalog)}"
    below = found.value < found.target
    words = "còn thiếu" if (operator.higher_is_better if operator != Operator.EQ else below) else "vượt"
    amount = (f"{format_number(round(gap, 2))} điểm phần trăm" if metric.scale == Scale.PERCENT
              else value_text(metric, gap, catalog))
    return f"{words} {amount}"
