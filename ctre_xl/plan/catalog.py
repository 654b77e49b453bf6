"""The plan catalogue: metrics, targets, data elements, units and rules, loaded and checked once.

The catalogue is a TOML file (the built-in one is ``data/xuan-truong-2030.toml``). Everything the
rest of the package knows about the plan comes from here; no metric code or target is written
anywhere else in the code. The words a catalogue may use (operators, scales, methods, kinds,
severities) are the enums of ``vocab``; the load-time consistency checks are in ``checks``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Iterable

from ctre_xl.plan.vocab import ALL_SCHOOLS, ElementKind, Method, Operator, Scale, Severity



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

    @cached_property
    def metric_by_code(self) -> dict[str, Metric]:
        return {m.code: m for m in self.metrics}

    @cached_property
    def providers(self) -> dict[str, tuple[str, ...]]:
        """element code -> ids of the departments and school levels that report it."""
        found: dict[str, list[str]] = {code: [] for code in self.elements}
        for owner in (*self.departments, *self.school_levels):
            for code in owner.elements:
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
        return date(year, self.deadline_month, self.deadline_day)

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
