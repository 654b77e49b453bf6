"""How a metric's target reads to people: "≥ 90%", "< 5‰", "Đạt", "≤ 98% năm trước", "—".

Shared by the template (its "Mục tiêu" columns), the summary and the catalogue description, so a
target reads the same wherever it is printed.
"""

from __future__ import annotations

from ctre_xl.plan.catalog import Metric
from ctre_xl.plan.vocab import Method, Scale
from ctre_xl.text import format_number


def target_text(metric: Metric, year: int) -> str:
    """How ``metric``'s target for ``year`` reads in a cell; "—" when that year has none."""
    value = metric.targets.get(year)
    if value is None:
        return "—"
    sign = metric.operators[year].sign
    if metric.scale == Scale.YES_NO:
        return "Đạt"
    if metric.method == Method.CHANGE_VS_PREVIOUS:
        return f"{sign} {format_number(value)}% năm trước"
    suffix = "% trường" if metric.method == Method.SHARE_OF_SCHOOLS else metric.scale.suffix
    return f"{sign} {format_number(value)}{suffix}"
