"""What the formal report says, as plain text: the units' own words sorted by the plan's objectives,
the numbers of each indicator as sentences, the indicators not met, and the 2025–2030 series.

Kept apart from ``report_docx`` (which only lays the text out) so the words can be tested and
reused without python-docx. The report follows the plan's four objectives (section II.2 of the
plan), because the indicators belong to them; section IV's task groups carry no figure.

A unit's results go under the objective most of its metrics belong to (a school's under education,
the police's under protection), once; its note on a metric under that metric's objective; a
department whose figures feed no metric (the funding) under direction and funding. The MTTQ and the
đoàn thể report no figure: their words get a group of their own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from ctre_xl.merge.model import MergeResult, MetricResult
from ctre_xl.output.standing import (coverage_text, indicator_groups, indicators_of, shortfall_text,
                                     target_phrase, unit_kinds, value_text)
from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import MetricStatus

RESULTS, DIFFICULTIES, PROPOSALS = "report_results", "report_difficulties", "report_proposals"
MONITORING = "report_monitoring"
ORGANISATIONS = 0  # the group key of the MTTQ's and the đoàn thể's words (no objective)
DIRECTION = -1  # a department whose figures feed no metric (funding): under direction and funding


@dataclass(frozen=True)
class Credited:
    """One text a unit wrote, credited to it: "Trường TH A: …"."""

    unit: str  # the unit's name
    text: str
    about: str = ""  # the metric code a note explains

    @property
    def line(self) -> str:
        about = f" (giải trình {self.about})" if self.about else ""
        return f"{self.unit}{about}: {self.text.strip()}"


@dataclass
class UnitWords:
    """Every unit's words, sorted for the report's sections."""

    by_objective: dict[int, list[Credited]] = field(default_factory=dict)  # ORGANISATIONS: MTTQ, đoàn thể
    difficulties: list[Credited] = field(default_factory=list)
    proposals: list[Credited] = field(default_factory=list)


@dataclass(frozen=True)
class YearPoint:
    """One year of a metric's series (from the history)."""

    year: int
    value: float | None
    status: str  # a MetricStatus value


def main_objective(metrics: Sequence[Metric]) -> int | None:
    """The objective most of ``metrics`` belong to (the lowest on a tie); None without metrics."""
    if not metrics:
        return None
    counts = Counter(metric.objective for metric in metrics)
    return min(counts, key=lambda objective: (-counts[objective], objective))


def gather_words(result: MergeResult, catalog: Catalog, registry: Registry) -> UnitWords:
    """The accepted returns' texts and notes, credited, in the registry's order of units."""
    words = UnitWords()
    objective_of = {metric.code: metric.objective for metric in catalog.metrics}
    order = [unit.id for unit in registry.units if unit.id in result.submissions]
    order += [unit_id for unit_id in result.submissions if unit_id not in set(order)]
    for unit_id in order:
        submission = result.submissions[unit_id]
        unit = registry.get(unit_id)
        name = unit.name if unit is not None else unit_id
        texts = {key: text.strip() for key, text in submission.free_text.items() if text and text.strip()}
        if unit is None or unit.narrative:
            group = ORGANISATIONS
        else:
            group = main_objective(catalog.metrics_for_elements(unit.elements)) or DIRECTION
        for key in (RESULTS, MONITORING):
            if key in texts:
                words.by_objective.setdefault(group, []).append(Credited(name, texts[key]))
        for code, note in submission.notes.items():
            if note and note.strip():
                where = objective_of.get(code, group)
                words.by_objective.setdefault(where, []).append(Credited(name, note, about=code))
        if DIFFICULTIES in texts:
            words.difficulties.append(Credited(name, texts[DIFFICULTIES]))
        if PROPOSALS in texts:
            words.proposals.append(Credited(name, texts[PROPOSALS]))
    return words


def metric_sentence(metric: Metric, found: MetricResult | None, catalog: Catalog, kinds: Mapping[str, str]) -> str:
    """"CT03a – Tỷ lệ …: 96,91% (mục tiêu ≥ 95%), Đạt; số liệu của 4/5 trường."."""
    head = f"{metric.code} – {metric.name}"
    if found is None or found.value is None:
        status = found.status.label if found is not None else MetricStatus.NO_DATA.label
        return f"{head}: chưa có số liệu ({status.lower()})."
    target = target_phrase(metric, found, catalog)
    text = f"{head}: {value_text(metric, found.value, catalog)}"
    text += f" (mục tiêu {found.target_year} {target})" if target else ""
    text += f", {found.status.label.lower()}"
    coverage = coverage_text(found.coverage, kinds)
    if coverage and found.coverage is not None and not found.coverage.complete:
        text += f"; số liệu mới có của {coverage}"
    return text + "."


def objective_summary(result: MergeResult, catalog: Catalog, objective: int) -> str:
    """"Có 7 chỉ tiêu: 5 đạt, 1 chưa đạt, 1 chưa đủ số liệu."."""
    found = indicators_of(result, catalog)
    statuses = [found[indicator.number].status for indicator, _parts in indicator_groups(catalog)
                if indicator.objective == objective and indicator.number in found]
    counts = Counter(statuses)
    listed = ", ".join(f"{counts[status]} {status.label.lower()}" for status in MetricStatus if counts[status])
    return f"Có {len(statuses)} chỉ tiêu: {listed}." if statuses else "Không có chỉ tiêu nào được đo."


def shortfalls(result: MergeResult, catalog: Catalog) -> list[str]:
    """One sentence for every metric not met or without enough figures, in catalogue order."""
    metrics = {found.code: found for found in result.metrics}
    kinds = unit_kinds(result)
    lines = []
    for metric in catalog.metrics:
        found = metrics.get(metric.code)
        if found is None:
            continue
        if found.status == MetricStatus.NOT_MET:
            lines.append(f"{metric.code} – {metric.name}: chưa đạt mục tiêu {found.target_year} "
                         f"({target_phrase(metric, found, catalog)}); đạt "
                         f"{value_text(metric, found.value, catalog)}, {shortfall_text(metric, found, catalog)}.")
        elif found.status in (MetricStatus.INCOMPLETE, MetricStatus.NO_DATA):
            coverage = coverage_text(found.coverage, kinds)
            rest = f" (số liệu của {coverage})" if coverage else ""
            lines.append(f"{metric.code} – {metric.name}: {found.status.label.lower()}{rest}, chưa đánh giá được.")
    return lines


def missing_units(result: MergeResult) -> list[str]:
    """The names of the units expected to report that sent nothing usable."""
    return [unit.name for unit in result.units if not unit.received or unit.blank]


def trend_text(metric: Metric, points: Sequence[YearPoint]) -> str:
    """"tăng, tốt lên" / "giảm, xấu đi" / "không đổi" from the first to the last known value; "" with
    fewer than two values."""
    known = [point for point in points if point.value is not None]
    if len(known) < 2:
        return ""
    first, last = known[0].value, known[-1].value
    assert first is not None and last is not None
    if abs(last - first) < 1e-9:
        return "không đổi"
    operator = metric.operators.get(catalog_last_year(metric)) or next(iter(metric.operators.values()), None)
    rising = last > first
    words = "tăng" if rising else "giảm"
    if operator is None:
        return words
    better = rising == operator.higher_is_better
    return f"{words}, {'tốt lên' if better else 'xấu đi'}"


def catalog_last_year(metric: Metric) -> int:
    """The last year ``metric`` has an operator for (the final milestone)."""
    return max(metric.operators) if metric.operators else 0


def met_in(points: Sequence[YearPoint], year: int) -> str:
    """"Đạt" / "Chưa đạt" / the status's label for ``year``; "" when the series lacks that year."""
    for point in points:
        if point.year == year and point.status in set(MetricStatus):
            return MetricStatus(point.status).label
    return ""  # not in the series, or an imported value (never judged)
