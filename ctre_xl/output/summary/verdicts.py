"""The live judgement of the "Chỉ tiêu" sheet: its status formulas and their Python twins.

Only a verdict (met / not met) is ever a formula. A metric without one (incomplete coverage, no
data, not applicable, no target, not yet due, the baseline year) shows its status as literal
text: editing its value in the workbook can never turn it into Đạt or Chưa đạt. An indicator
with several parts judges them with COUNTIFs over its parts' status cells, the way
``merge.indicators.indicator_status`` does, so it follows a corrected part.
"""

from __future__ import annotations

from ctre_xl.merge.indicators import UNDECIDED_ORDER, indicator_status
from ctre_xl.plan.vocab import MetricStatus, Operator

# Parts set aside when another part carries a verdict (see merge.indicators).
SET_ASIDE = (MetricStatus.NOT_APPLICABLE, MetricStatus.NO_TARGET)


def live_status(value: float | None, denominator: float | None, target: float | None,
                operator: Operator | None) -> MetricStatus:
    """What the status formula of a judged row evaluates to; mirrors ``status_formula``."""
    if target is None or operator is None:
        return MetricStatus.NO_TARGET
    if denominator is not None and denominator == 0:
        return MetricStatus.NOT_APPLICABLE
    if value is None:
        return MetricStatus.NO_DATA
    return MetricStatus.MET if operator.holds(value, target) else MetricStatus.NOT_MET


def status_formula(value: str, denominator: str, target: str, operator: Operator) -> str:
    """A judged metric row: met / not met from the value and target cells (no data when emptied)."""
    s = MetricStatus
    return (f'=IF(NOT(ISNUMBER({target})),"{s.NO_TARGET.label}",'
            f'IF(AND(ISNUMBER({denominator}),{denominator}=0),"{s.NOT_APPLICABLE.label}",'
            f'IF(NOT(ISNUMBER({value})),"{s.NO_DATA.label}",'
            f'IF({value}{operator}{target},"{s.MET.label}","{s.NOT_MET.label}"))))')


def indicator_formula(parts: str, count: int) -> str:
    """An indicator's status from its ``count`` parts' status cells ``parts`` ("K7:K9").

    Not met when a part is not met; met when every part is met or set aside and one is met;
    otherwise the first undecided status found, in the merge's order.
    """
    def found(status: MetricStatus) -> str:
        return f'COUNTIF({parts},"{status.label}")'

    met = MetricStatus.MET
    settled = "+".join(found(status) for status in (met, *SET_ASIDE))
    chain = f'"{UNDECIDED_ORDER[-1].label}"'
    for status in reversed(UNDECIDED_ORDER[:-1]):
        chain = f'IF({found(status)}>0,"{status.label}",{chain})'
    return (f'=IF({found(MetricStatus.NOT_MET)}>0,"{MetricStatus.NOT_MET.label}",'
            f'IF(AND({found(met)}>0,{settled}={count}),"{met.label}",{chain}))')


def live_indicator_status(parts: list[MetricStatus]) -> MetricStatus:
    """What ``indicator_formula`` evaluates to over parts showing ``parts``."""
    if not parts:
        return MetricStatus.NO_DATA
    return indicator_status(parts)
