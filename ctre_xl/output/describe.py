"""The catalogue as JSON (for machines) and as a readable table (for people)."""

from __future__ import annotations

from typing import Any

from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.targets import target_text
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import Method


def catalog_as_dict(catalog: Catalog, registry: Registry) -> dict[str, Any]:
    """The JSON contract of ``ctre-xl catalog --json``."""
    metrics = []
    for metric in catalog.metrics:
        item: dict[str, Any] = {
            "code": metric.code,
            "name": metric.name,
            "indicator": metric.indicator,
            "objective": metric.objective,
            "measure": metric.measure,
            "scale": metric.scale,
            "operator": metric.operator,
            "operators": {str(y): metric.operators.get(y) for y in catalog.target_years},
            "targets": {str(y): metric.targets.get(y) for y in catalog.target_years},
            "lead": metric.lead,
            "inferred_targets": [str(y) for y in sorted(metric.inferred_targets)],
        }
        if metric.method == Method.RATIO:
            item["numerator"] = metric.numerator
            item["denominator"] = metric.denominator
        else:
            item["method"] = metric.method
            item["element"] = metric.element
            item["numerator"] = None
            item["denominator"] = None
        if metric.extra:
            item["extra"] = list(metric.extra)
        if metric.note:
            item["note"] = metric.note
        metrics.append(item)
    elements = [
        {"code": e.code, "label": e.label, "kind": e.kind, "help": e.help, "required": e.required,
         "providers": list(catalog.providers[e.code]), "unit": e.unit, "period": e.period,
         "period_offset": e.period_offset}
        for e in catalog.elements.values()
    ]
    units = [
        {"id": u.id, "name": u.name, "kind": u.kind, "level": u.level,
         "metrics": [m.code for m in registry.metrics_of(catalog, u)], "elements": list(u.elements),
         "template": u.has_template}
        for u in registry.units
    ]
    return {
        "catalog": {"id": catalog.id, "version": catalog.version, "title": catalog.title,
                    "commune": catalog.commune, "province": catalog.province,
                    "target_years": list(catalog.target_years),
                    "deadline": f"{catalog.deadline_day:02d}/{catalog.deadline_month:02d}",
                    "deadline_inclusive": catalog.deadline_inclusive,
                    "child_friendly_decision": catalog.child_friendly_decision,
                    "periods": dict(catalog.periods)},
        "objectives": [{"number": o.number, "name": o.name} for o in catalog.objectives],
        "metrics": metrics,
        "elements": elements,
        "units": units,
        "rules": [{"left": list(r.left), "op": r.op, "right": list(r.right), "severity": r.severity,
                   "message": r.message} for r in catalog.rules],
    }


def catalog_table(catalog: Catalog, registry: Registry) -> str:
    """A plain-text table of the metrics, grouped by objective, then the units."""
    lines = [catalog.title, ""]
    objective_names = {o.number: o.name for o in catalog.objectives}
    first, last = catalog.target_years[0], catalog.target_years[-1]
    current = None
    for metric in catalog.metrics:
        if metric.objective != current:
            current = metric.objective
            lines.append(f"Mục tiêu {current}: {objective_names[current]}")
        lines.append(
            f"  {metric.code:<6} {metric.name}\n"
            f"         {metric.measure} | {first}: {target_text(metric, first)} | "
            f"{last}: {target_text(metric, last)} | {catalog.lead_name(metric)}"
        )
    lines += ["", f"Đơn vị báo cáo ({registry.source}):"]
    for unit in registry.units:
        codes = ", ".join(m.code for m in registry.metrics_of(catalog, unit))
        detail = codes or ("số liệu kinh phí" if unit.elements else "biểu mẫu ý kiến, không bắt buộc")
        lines.append(f"  {unit.id:<14} {unit.name}: {detail}")
    return "\n".join(lines)
