"""The plan catalogue: metrics, targets, data elements, units and rules, loaded and checked once.

The catalogue is a TOML file (the built-in one is ``data/xuan-truong-2030.toml``). Everything the
rest of the package knows about the plan comes from here; no metric code or target is written
anywhere else in the code. The words a catalogue may use (operators, scales, methods, kinds,
severities) are the enums of ``vocab``; the load-time consistency checks are in ``checks``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Iterable

from ctre_xl.plan.vocab import ALL_SCHOOLS, ElementKind, Method, Operator, Scale, Severity
from ctre_xl.text import format_date



def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Element:
    """A raw figure a unit types into its template (never a rate)."""

    code: str
    label: str
    kind: ElementKind
    help: str
    required: bool = True
    group: str | None = None
    unit: str = ""  # what one of it counts: "người", "vụ", "cuộc", "điểm", "đồng"; "" for yes/no
    period: str = "events"  # a key of Catalog.periods: which period the figure covers
    period_offset: int = 0  # years before the report year (a cohort's starting school year: -4)

    @property
    def unit_of_measure(self) -> str:
        """The template's "Đơn vị tính": the element's unit, "Có/Không" for a yes/no answer."""
        if self.kind == ElementKind.YES_NO:
            return ElementKind.YES_NO.label
        return self.unit or self.kind.label


@dataclass(frozen=True)
class Objective:
    number: int
    name: str


@dataclass(frozen=True)
class Indicator:
    number: int
    objective: int
    name: str


@dataclass(frozen=True)
class Metric:
    """One measured metric (34 in the built-in plan) and how it is computed and judged."""

    code: str
    indicator: int
    objective: int
    name: str
    measure: str
    scale: Scale
    method: Method
    operators: dict[int, Operator]
    targets: dict[int, float | None]
    lead: str
    numerator: str | None = None
    denominator: str | None = None
    element: str | None = None
    extra: tuple[str, ...] = ()
    subset: bool = True
    note: str = ""
    inferred_targets: frozenset[int] = frozenset()  # target years the plan is silent on (an inference)

    @property
    def factor(self) -> int | None:
        return self.scale.factor

    @property
    def operator(self) -> Operator:
        """The operator of the first target year that has a target."""
        return next(self.operators[y] for y in sorted(self.operators))

    @property
    def own_elements(self) -> tuple[str, ...]:
        """Elements whose provider reports this metric (the denominator alone does not)."""
        main = self.numerator if self.method == Method.RATIO else self.element
        return (main,) + self.extra if main else self.extra

    @property
    def elements(self) -> tuple[str, ...]:
        names = [self.numerator, self.denominator, self.element, *self.extra]
        return tuple(n for n in names if n)

    @property
    def higher_is_better(self) -> bool:
        return self.operator.higher_is_better


@dataclass(frozen=True)
class Rule:
    """``sum(left) op sum(right)``: a consistency check between figures."""

    left: tuple[str, ...]
    op: Operator
    right: tuple[str, ...]
    severity: Severity
    message: str
    metric: str | None = None  # set for the numerator <= denominator rules derived from metrics


@dataclass(frozen=True)
class UnitSpec:
    """A fixed unit of the plan (departments) as the catalogue declares it."""

    id: str
    name: str
    elements: tuple[str, ...]


@dataclass(frozen=True)
class SchoolLevel:
    id: str
    name: str
    aliases: tuple[str, ...]
    elements: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    id: str
    version: str
    title: str
    commune: str
    province: str
    area: str
    first_year: int
    last_year: int
    target_years: tuple[int, ...]
    deadline_day: int
    deadline_month: int
    send_to: str
    objectives: tuple[Objective, ...]
    indicators: tuple[Indicator, ...]
    metrics: tuple[Metric, ...]
    elements: dict[str, Element]
    departments: tuple[UnitSpec, ...]
    school_levels: tuple[SchoolLevel, ...]
    rules: tuple[Rule, ...]
    source: str = field(default="", compare=False)
    # "trước ngày 10/11" read literally: False makes the day before the deadline the last day on time.
    deadline_inclusive: bool = True
    child_friendly_decision: str = ""  # the decision the child-friendly standard (CT01) follows
    # period name -> its text with {year}, {year-1} and {school_year} placeholders (elements[].period)
    periods: dict[str, str] = field(default_factory=dict)

    @cached_property
    def metric_by_code(self) -> dict[str, Metric]:
        return {m.code: m for m in self.metrics}

    @cached_property
    def providers(self) -> dict[str, tuple[str, ...]]:
        """element code -> ids of the departments and school levels that report it."""
        found: dict[str, list[str]] = {code: [] for code in self.elements}
        for owner in (*self.departments, *self.school_levels):
            for code in owner.elements:
                if code in found:  # an unknown code is the checks' to name (plan/checks.py)
                    found[code].append(owner.id)
        return {code: tuple(ids) for code, ids in found.items()}

    def target_year(self, year: int) -> int:
        """The target year that judges a reporting year (up to 2026 -> 2026, 2027-2030 -> 2030)."""
        for target_year in self.target_years:
            if year <= target_year:
                return target_year
        return self.target_years[-1]

    def target_in_force(self, metric: Metric, year: int) -> tuple[Operator, float] | None:
        """(operator, target) judging ``year``, or None when that year has no target."""
        target_year = self.target_year(year)
        value = metric.targets.get(target_year)
        if value is None:
            return None
        return metric.operators[target_year], value

    def deadline(self, year: int) -> date:
        """The deadline's day as the plan names it (10/11); see ``last_day_on_time`` for the rule."""
        return date(year, self.deadline_month, self.deadline_day)

    def last_day_on_time(self, year: int) -> date:
        """The last day a return counts as on time: a file sent on or before it is on time."""
        deadline = self.deadline(year)
        return deadline if self.deadline_inclusive else deadline - timedelta(days=1)

    def deadline_text(self, year: int) -> str:
        """The one wording of the deadline, used by templates, the progress sheet, console and README."""
        last = format_date(self.last_day_on_time(year))
        if self.deadline_inclusive:
            return f"chậm nhất ngày {last}"
        return f"trước ngày {format_date(self.deadline(year))} (chậm nhất ngày {last})"

    def is_baseline(self, year: int) -> bool:
        """The plan's first year is its baseline: the starting point, judged against nothing."""
        return year == self.first_year

    def is_due(self, metric: Metric, year: int) -> bool:
        """Whether ``year`` is judged met / not met against ``metric``'s target: a target year
        (2026, 2030), or every year after the baseline for a yearly change (CT13, CT21 "hằng năm")."""
        if metric.method == Method.CHANGE_VS_PREVIOUS:
            return year > self.first_year
        return year in self.target_years

    def period_text(self, element: Element, year: int) -> str:
        """Which period ``element``'s figure covers in report ``year`` ("" when the catalogue has no
        [periods]). The school year of report year Y is (Y-1)–Y; both shift by the element's offset."""
        text = self.periods.get(element.period, "")
        shifted = year + element.period_offset
        return (text.replace("{year-1}", str(shifted - 1)).replace("{year}", str(shifted))
                .replace("{school_year}", f"{shifted - 1}–{shifted}"))

    def rules_within(self, elements: Iterable[str]) -> list[Rule]:
        """The rules a unit providing ``elements`` can break on its own (every figure is its own):
        checked inside its file by the merge, and live in its template. The others span units."""
        provided = set(elements)
        return [rule for rule in self.rules if provided.issuperset((*rule.left, *rule.right))]

    def metrics_for_elements(self, elements: Iterable[str]) -> list[Metric]:
        """The metrics a unit providing ``elements`` reports, in catalogue order."""
        provided = set(elements)
        return [m for m in self.metrics if provided.intersection(m.own_elements)]

    def lead_name(self, metric: Metric) -> str:
        """The Vietnamese name of the unit, school level or group leading ``metric``."""
        if metric.lead == ALL_SCHOOLS:
            return "Các trường học"
        for owner in (*self.departments, *self.school_levels):
            if owner.id == metric.lead:
                return owner.name if owner in self.departments else f"Các trường {owner.name.lower()}"
        return metric.lead

    def level(self, text: str) -> SchoolLevel | None:
        """The school level named by ``text`` (id, name or alias; case and accents ignored)."""
        return self._levels_by_folded_name.get(fold(text))

    @cached_property
    def _levels_by_folded_name(self) -> dict[str, SchoolLevel]:
        found: dict[str, SchoolLevel] = {}
        for level in self.school_levels:
            for name in (level.id, level.name, *level.aliases):
                found.setdefault(fold(name), level)
        return found



def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: for matching what people type."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().replace("-", " ").split())
