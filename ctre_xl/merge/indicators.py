"""The plan's 24 indicators (chỉ tiêu) judged from their 34 measured parts.

An indicator with parts is met when all its parts are met. One part that is definitely not met
makes the indicator not met, whatever its other parts say. Otherwise the weakest part decides:
a part without data, or with incomplete coverage, leaves the indicator without a verdict. Parts
that do not apply this year (không phát sinh) or have no target yet are set aside, as long as
another part carries a verdict.
"""

from __future__ import annotations

from ctre_xl.merge.model import IndicatorResult, MetricResult
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.vocab import MetricStatus

# When no part is met or not met, the first status in this order found among the parts decides.
UNDECIDED_ORDER = (
    MetricStatus.NO_DATA, MetricStatus.INCOMPLETE, MetricStatus.NOT_DUE, MetricStatus.BASELINE,
    MetricStatus.NO_TARGET, MetricStatus.NOT_APPLICABLE,
)


def indicator_status(statuses: list[MetricStatus]) -> MetricStatus:
    """The verdict on an indicator whose parts have ``statuses``."""
    if MetricStatus.NOT_MET in statuses:
        return MetricStatus.NOT_MET
    undecided = [s for s in statuses if s != MetricStatus.MET]
    if not undecided:
        return MetricStatus.MET
    blocking = [s for s in undecided if s not in (MetricStatus.NOT_APPLICABLE, MetricStatus.NO_TARGET)]
    if not blocking and MetricStatus.MET in statuses:
        return MetricStatus.MET
    for status in UNDECIDED_ORDER:
        if status in undecided:
            return status
    return undecided[0]


def judge_indicators(catalog: Catalog, metrics: list[MetricResult]) -> list[IndicatorResult]:
    """Every indicator of the catalogue, in plan order, from its parts' results."""
    by_indicator: dict[int, list[MetricResult]] = {}
    number_of = {m.code: m.indicator for m in catalog.metrics}
    for result in metrics:
        by_indicator.setdefault(number_of[result.code], []).append(result)
    found = []
    for indicator in catalog.indicators:
        parts = by_indicator.get(indicator.number, [])
        statuses = [MetricStatus(part.status) for part in parts]
        found.append(IndicatorResult(
            number=indicator.number, objective=indicator.objective, name=indicator.name,
            parts=tuple(part.code for part in parts),
            status=indicator_status(statuses) if statuses else MetricStatus.NO_DATA,
        ))
    return found
