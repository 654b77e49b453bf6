"""Checks on what units typed, as data-driven functions that return findings (never raise).

Three levels, each driven by the catalogue:

* inside one file (``validate_submission``): every figure has the right kind (counts whole and
  >= 0, money >= 0, yes/no 0 or 1), every required figure is present, and every catalogue rule
  whose figures this unit provides alone holds (nested counts, numerator <= denominator);
* across units (``validate_commune``): the same rules on the commune totals when their figures come
  from several units (children consulted by all schools and the office <= children aged 7+);
* against last year (``compare_previous``): a jump of more than 50 % in the same unit's figure.

``check_submission`` also says which figures of the file must not be used ("tainted"): a figure
that is invalid itself, and both sides of a violated rule, since nobody can tell which was mistyped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ctre_xl.plan.catalog import Catalog, Element, Rule
from ctre_xl.cellref import a1
from ctre_xl.template.layout import FRONT_SHEET, INPUT_SHEET, cached_layout
from ctre_xl.text import format_number
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import ElementKind, Severity
from ctre_xl.read.model import Submission

JUMP_LIMIT = 0.5  # ±50 % against the same unit's previous-year figure
# Small counts (deaths, dropouts, marriages) swing by more than half from one case to two: a
# jump is only worth a warning when one of the two figures reaches this size.
JUMP_MIN_SIZE = 10
_TOLERANCE = 1e-9  # figures typed as "1.234" may come back as 1233.9999999999998
# A commune rule's message names at most this many units per figure, the largest: at a province's
# scale it would list thousands of schools and pass what one cell holds. The rest are counted and
# summed, and every figure is listed on the summary's data sheet (tests check the sheet's name).
NAMED_CONTRIBUTORS = 10
WHERE_EVERY_FIGURE = "trang “Dữ liệu” của bảng tổng hợp"


@dataclass
class FileCheck:
    """The findings on one submission and the figures that must not be used."""

    findings: list[Finding] = field(default_factory=list)
    tainted: set[str] = field(default_factory=set)  # element codes


def rule_holds(rule: Rule, left: float, right: float) -> bool:
    """Compare two sums the way a person would, ignoring floating-point noise."""
    return rule.op.holds(round(left, 9), round(right, 9))


def rule_code(rule: Rule) -> str:
    """The code a rule's finding is filed under: the metric it derives from, else its first figure."""
    return rule.metric or rule.left[0]


def finding_elements(finding: Finding, catalog: Catalog) -> tuple[str, ...]:
    """The figures a finding is about: its own code, or every figure of the rule(s) filed under it."""
    if finding.code in catalog.elements:
        return (finding.code,)
    if finding.kind in (FindingKind.RULE, FindingKind.CROSS_UNIT_RULE):
        return tuple(dict.fromkeys(code for rule in catalog.rules if rule_code(rule) == finding.code
                                   for code in (*rule.left, *rule.right)))
    return ()


# ----------------------------------------------------------------------------- one file


def validate_submission(sub: Submission, catalog: Catalog, registry: Registry) -> list[Finding]:
    """Every problem of one file's figures (kinds, required values, rules inside the file)."""
    return check_submission(sub, catalog, registry).findings


def check_submission(sub: Submission, catalog: Catalog, registry: Registry) -> FileCheck:
    """Findings of ``validate_submission`` plus the element codes that must not be used."""
    check = FileCheck()
    unit = registry.get(sub.unit)
    provided = tuple(unit.elements) if unit is not None else tuple(sub.values)
    expected_cells: dict[str, tuple[str, str]] | None = None  # built only when a figure is missing
    # Elements the reader already complained about (unreadable text, formula, ...): their value
    # is not trusted and "missing" would only repeat the reader's message.
    already = {f.code for f in sub.findings if f.severity == Severity.ERROR and f.code}
    check.tainted |= {code for code in already if code in catalog.elements}

    for code in provided:
        element = catalog.elements.get(code)
        if element is None:
            continue
        cell_value = sub.values.get(code)
        value = cell_value.value if cell_value is not None else None
        if cell_value is not None:
            sheet, cell = cell_value.sheet, cell_value.cell
        else:
            if expected_cells is None:
                expected_cells = _expected_cells(catalog, registry, sub)
            sheet, cell = expected_cells.get(code, (INPUT_SHEET, None))
        if value is None:
            if element.required and code not in already:
                check.findings.append(_finding(sub, sheet, cell, code, FindingKind.MISSING,
                                               "yes_no" if element.kind == ElementKind.YES_NO else "",
                                               label=element.label))
            continue
        if code in already:
            continue
        problem = _kind_problem(element, value)
        if problem is not None:
            kind, variant = problem
            check.findings.append(_finding(sub, sheet, cell, code, kind, variant, label=element.label,
                                           value=format_number(value)))
            check.tainted.add(code)

    for rule, names in _rules_within(catalog, provided):
        values = {code: sub.values[code].value for code in names if code in sub.values}
        if any(values.get(code) is None for code in names) or check.tainted.intersection(names):
            continue  # a missing or invalid figure is already reported
        left = sum(values[code] for code in rule.left)
        right = sum(values[code] for code in rule.right)
        if rule_holds(rule, left, right):
            continue
        cell_of = {code: sub.values[code].cell for code in names}
        sheet = sub.values[rule.left[0]].sheet
        check.findings.append(_finding(
            sub, sheet, cell_of[rule.left[0]], rule_code(rule), FindingKind.RULE, severity=rule.severity,
            rule=rule.message, left_refs=_cells(rule.left, cell_of), left=format_number(left),
            right_refs=_cells(rule.right, cell_of), right=format_number(right), sign=rule.op.sign))
        if rule.severity == Severity.ERROR:
            check.tainted.update(names)
    return check


_RULES_WITHIN: dict[tuple[int, tuple[str, ...]], tuple[Catalog, list[tuple[Rule, tuple[str, ...]]]]] = {}


def _rules_within(catalog: Catalog, provided: tuple[str, ...]) -> list[tuple[Rule, tuple[str, ...]]]:
    """The rules (with their figures) whose figures a unit providing ``provided`` gives alone; the
    others span units and are checked on the commune totals. Remembered per element list: a merge
    checks thousands of files of a handful of unit kinds."""
    key = (id(catalog), provided)
    found = _RULES_WITHIN.get(key)
    if found is not None and found[0] is catalog:  # the identity check makes a reused id harmless
        return found[1]
    rules = [(rule, (*rule.left, *rule.right)) for rule in catalog.rules_within(provided)]
    if len(_RULES_WITHIN) >= 256:
        _RULES_WITHIN.clear()
    _RULES_WITHIN[key] = (catalog, rules)
    return rules


def _kind_problem(element: Element, value: float) -> tuple[FindingKind, str] | None:
    """(kind, variant) of the finding when ``value`` does not fit the element's kind."""
    if element.kind == ElementKind.YES_NO:
        return (FindingKind.NOT_YES_NO, "value") if value not in (0, 1) else None
    if value < 0:
        return FindingKind.NEGATIVE, ""
    if element.kind == ElementKind.COUNT and abs(value - round(value)) > _TOLERANCE:
        return FindingKind.NOT_WHOLE, ""
    return None


def _expected_cells(catalog: Catalog, registry: Registry, sub: Submission) -> dict[str, tuple[str, str]]:
    """Where each element's input cell is in the template the unit received."""
    unit = registry.get(sub.unit)
    if unit is None:
        return {}
    layout = cached_layout(catalog, unit, sub.year)
    return {name: (sheet, a1(row, col)) for name, (sheet, row, col) in layout.cells.items()
            if sheet in (INPUT_SHEET, FRONT_SHEET)}


def _cells(codes: Iterable[str], cell_of: Mapping[str, str]) -> str:
    return " + ".join(cell_of[code] for code in codes)


def _finding(sub: Submission, sheet: str | None, cell: str | None, code: str | None, kind: FindingKind,
             variant: str = "", *, severity: Severity | None = None, **fields: object) -> Finding:
    return kind.finding(variant, file=sub.path, unit=sub.unit, sheet=sheet, cell=cell, code=code,
                        severity=severity, **fields)


# ----------------------------------------------------------------------------- commune


def validate_commune(totals: Mapping[str, float | None],
                     providers_by_element: Mapping[str, Mapping[str, float]],
                     catalog: Catalog, unit_names: Mapping[str, str] | None = None) -> list[Finding]:
    """The catalogue's rules on the commune totals, for rules whose figures come from several units.

    ``providers_by_element`` maps each element to the values that went into its total, by unit id.
    A rule whose figures all came from one unit was already checked inside that unit's file.
    """
    return [finding for _rule, finding in failed_commune_rules(totals, providers_by_element, catalog, unit_names)]


def failed_commune_rules(totals: Mapping[str, float | None],
                         providers_by_element: Mapping[str, Mapping[str, float]],
                         catalog: Catalog, unit_names: Mapping[str, str] | None = None
                         ) -> list[tuple[Rule, Finding]]:
    """Each rule that fails on the commune totals, with its finding."""
    names = unit_names or {}
    failed: list[tuple[Rule, Finding]] = []
    for rule in catalog.rules:
        codes = (*rule.left, *rule.right)
        contributors = {unit for code in codes for unit in providers_by_element.get(code, {})}
        if len(contributors) <= 1:
            continue
        if any(totals.get(code) is None for code in codes):
            continue  # incomplete: the metric says "no data", nothing to compare
        left = sum(totals[code] for code in rule.left)  # type: ignore[misc]
        right = sum(totals[code] for code in rule.right)  # type: ignore[misc]
        if rule_holds(rule, left, right):
            continue
        detail = "; ".join(f"{catalog.elements[code].label}: {_contributors(providers_by_element.get(code, {}), names)}"
                           for code in codes)
        failed.append((rule, FindingKind.CROSS_UNIT_RULE.finding(
            file="", code=rule_code(rule), severity=rule.severity, rule=rule.message, left=format_number(left),
            sign=rule.op.failed_sign, right=format_number(right), detail=detail)))
    return failed


def _contributors(values: Mapping[str, float], names: Mapping[str, str]) -> str:
    """"Trường A 78 + Trường B 70": every unit's share of a total, or, past ``NAMED_CONTRIBUTORS``,
    the largest ones, then how many others gave how much (a province's inbox: thousands of schools)."""
    shares = list(values.items())
    named, others = shares, []
    if len(shares) > NAMED_CONTRIBUTORS:
        named = sorted(shares, key=lambda share: -share[1])[:NAMED_CONTRIBUTORS]  # stable: ties in unit order
        kept = {unit for unit, _value in named}
        rest = [value for unit, value in shares if unit not in kept]
        others = [f"{format_number(len(rest))} đơn vị khác {format_number(sum(rest))} — từng đơn vị ở {WHERE_EVERY_FIGURE}"]
    return " + ".join([*(f"{names.get(unit, unit)} {format_number(value)}" for unit, value in named), *others])


# ----------------------------------------------------------------------------- previous year


def compare_previous(sub: Submission, previous_sub: Submission | None, catalog: Catalog | None = None,
                     tainted: Iterable[str] = ()) -> list[Finding]:
    """Warn where a figure moved more than ±50 % from the same unit's previous-year figure."""
    if previous_sub is None or previous_sub.unit != sub.unit:
        return []
    skip = set(tainted)
    findings: list[Finding] = []
    for code, current in sub.values.items():
        if code in skip or current.value is None:
            continue
        element = catalog.elements.get(code) if catalog is not None else None
        if element is not None and element.kind == ElementKind.YES_NO:
            continue
        before = previous_sub.values.get(code)
        if before is None or before.value is None or before.value <= 0:
            continue  # from nothing to something has no percentage
        if max(before.value, current.value) < JUMP_MIN_SIZE:
            continue
        change = (current.value - before.value) / before.value
        if abs(change) <= JUMP_LIMIT:
            continue
        label = element.label if element is not None else code
        direction = "tăng" if change > 0 else "giảm"
        findings.append(_finding(
            sub, current.sheet, current.cell, code, FindingKind.JUMP, label=label, direction=direction,
            percent=format_number(round(abs(change) * 100, 1)), year=previous_sub.year,
            before=format_number(before.value), after=format_number(current.value)))
    return findings
