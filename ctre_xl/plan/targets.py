"""How a metric's target reads to people: "≥ 90%", "< 5‰", "Đạt", "≤ 98% năm trước", "—".

Shared by the template (its "Mục tiêu" columns), the summary and the catalogue description, so a
target reads the same wherever it is printed.
"""

from __future__ import annotations

from ctre_xl.plan.catalog import Metric
from ctre_xl.plan.vocab import Method, Scale
from ctre_xl.text import format_number


def target_text(metric: Metric, year: int) -> str:
    """How ``metric``'s target for ``year`` reads in a cell; "—" when that year has none. A target
    the plan does not state (an inference) says so: "= Đạt (suy luận: duy trì)"."""
    value = metric.targets.get(year)
    if value is None:
        return "—"
    sign = metric.operators[year].sign
    if metric.scale == Scale.YES_NO:
        text = f"{sign} Đạt"
    elif metric.method == Method.CHANGE_VS_PREVIOUS:
        text = f"{sign} {format_number(value)}% năm trước"
    else:
        suffix = "% trường" if metric.method == Method.SHARE_OF_SCHOOLS else metric.scale.suffix
        text = f"{sign} {format_number(value)}{suffix}"
    return text + inference_mark(metric, year)


def inference_mark(metric: Metric, year: int) -> str:
    """" (suy luận: duy trì)" when ``year``'s target is inferred as keeping an earlier year's,
    " (suy luận)" for another inferred target, "" for a target the plan states."""
    if year not in metric.inferred_targets:
        return ""
    earlier = [y for y in sorted(metric.targets) if y < year and y not in metric.inferred_targets]
    kept = bool(earlier) and (metric.targets[earlier[-1]], metric.operators[earlier[-1]]) == \
        (metric.targets[year], metric.operators[year])
    return " (suy luận: duy trì)" if kept else " (suy luận)"
