"""Validation rules and metric arithmetic on submissions built in memory (no files)."""

from __future__ import annotations

import pytest

from ctre_xl.merge.compute import MetricContext, compute_metrics
from ctre_xl.plan.vocab import Severity
from ctre_xl.read.model import CellValue, Submission
from ctre_xl.merge.validate import check_submission, compare_previous, validate_commune, validate_submission


def submission(unit: str, values: dict[str, float | None], year: int = 2026) -> Submission:
    cells = {code: CellValue(code, value, value, "Số liệu", f"D{10 + i}") for i, (code, value) in enumerate(values.items())}
    return Submission(path=f"{unit}.xlsx", sha256="0" * 64, modified=0.0, unit=unit, year=year, meta={}, values=cells)


def full_values(registry, unit_id: str, value: float = 1) -> dict[str, float]:
    return {code: value for code in registry.get(unit_id).elements}


def kinds(findings) -> list[tuple[str, str | None, str]]:
    return [(f.kind, f.code, f.severity) for f in findings]


@pytest.mark.parametrize("element, value, kind", [
    ("primary_enrolled", -3, "negative"),
    ("primary_enrolled", 12.5, "not_whole"),
    ("school_has_sanitation", 2, "not_yes_no"),
])
def test_a_bad_figure_is_an_error_naming_its_cell(catalog, registry, element, value, kind):
    values = full_values(registry, "th-vi-du", 5)
    values[element] = value
    sub = submission("th-vi-du", values)
    check = check_submission(sub, catalog, registry)
    found = [f for f in check.findings if f.code == element]
    assert [(f.kind, f.severity) for f in found] == [(kind, Severity.ERROR)]
    assert found[0].cell == sub.values[element].cell and found[0].file == "th-vi-du.xlsx"
    assert element in check.tainted


def test_money_may_be_a_decimal_but_not_negative(catalog, registry):
    values = {"budget_allocated": 1500000.5, "budget_spent": -1, "funds_mobilised": 0}
    findings = validate_submission(submission("kinh-te", values), catalog, registry)
    assert kinds(findings) == [("negative", "budget_spent", Severity.ERROR)]


def test_a_required_figure_left_blank_is_reported_at_its_template_cell(catalog, registry):
    values = full_values(registry, "van-phong", 5)
    sub = submission("van-phong", {})
    findings = validate_submission(sub, catalog, registry)
    assert [f.kind for f in findings] == ["missing"] * len(values)
    assert all(f.cell and f.sheet == "Số liệu" for f in findings)
    optional = submission("vhxh", {**full_values(registry, "vhxh", 5), "child_friendly_score": None,
                                   "child_friendly_recognised": 1})
    assert not [f for f in validate_submission(optional, catalog, registry) if f.kind == "missing"]


def test_numerator_above_denominator_in_one_file_names_both_cells(catalog, registry):
    values = full_values(registry, "th-vi-du", 10)
    values["primary_dropouts"] = 11
    sub = submission("th-vi-du", values)
    check = check_submission(sub, catalog, registry)
    rule = [f for f in check.findings if f.kind == "rule"]
    assert len(rule) == 1 and rule[0].code == "CT17b" and rule[0].severity == Severity.ERROR
    assert sub.values["primary_dropouts"].cell in rule[0].message
    assert sub.values["primary_enrolled"].cell in rule[0].message
    assert {"primary_dropouts", "primary_enrolled"} <= check.tainted


def test_nested_deaths_are_checked_inside_the_office_file(catalog, registry):
    values = full_values(registry, "vhxh", 100)
    values.update(deaths_neonatal=4, deaths_under1=3, deaths_under5=5)
    findings = validate_submission(submission("vhxh", values), catalog, registry)
    nested = [f for f in findings if f.kind == "rule"]
    assert len(nested) == 1 and "sơ sinh" in nested[0].message


def test_a_warning_rule_does_not_taint(catalog, registry):
    check = check_submission(submission("kinh-te", {"budget_allocated": 10, "budget_spent": 12,
                                                    "funds_mobilised": 0}), catalog, registry)
    assert kinds(check.findings) == [("rule", "budget_spent", Severity.WARNING)] and not check.tainted


def test_cross_unit_rule_on_commune_totals(catalog):
    contributions = {"children_consulted": {"vhxh": 100, "th-a": 300, "thcs-a": 250},
                     "children_age7plus": {"vhxh": 600}}
    totals = {"children_consulted": 650, "children_age7plus": 600}
    findings = validate_commune(totals, contributions, catalog, {"th-a": "Trường TH A"})
    assert [(f.kind, f.code, f.file) for f in findings] == [("cross_unit_rule", "CT22", "")]
    assert "Trường TH A 300" in findings[0].message and "650" in findings[0].message
    within = {"children_consulted": {"vhxh": 700}, "children_age7plus": {"vhxh": 600}}
    assert validate_commune({"children_consulted": 700, "children_age7plus": 600}, within, catalog) == []


def test_a_jump_over_half_is_a_warning(catalog):
    now = submission("vhxh", {"live_births": 160, "children_total": 1000, "child_marriages": 4,
                              "deaths_under1": 2})
    before = submission("vhxh", {"live_births": 100, "children_total": 990, "child_marriages": 0,
                                 "deaths_under1": 1}, year=2025)  # 1 -> 2 deaths: too small to warn
    findings = compare_previous(now, before, catalog)
    assert kinds(findings) == [("jump", "live_births", Severity.WARNING)]
    assert "100 → 160" in findings[0].message


def test_metric_methods_and_statuses(catalog, registry):
    contributions = {
        "children_0_8_served": {"vhxh": 900}, "children_0_8": {"vhxh": 1000},
        "hiv_exposed_infants": {"vhxh": 0}, "hiv_infected_infants": {"vhxh": 0},
        "school_has_sanitation": {"mn-vi-du": 1, "th-vi-du": 0},  # thcs-vi-du did not answer
        "child_friendly_recognised": {"vhxh": 1},
        "child_marriages": {"vhxh": 49}, "culture_play_places": {"vhxh": 7},
        "under5_fully_vaccinated": {"vhxh": 90}, "children_under5": {"vhxh": 100},
    }
    previous = {"child_marriages": {"vhxh": 50}, "culture_play_places": {"vhxh": 8},
                "children_0_8_served": {"vhxh": 800}, "children_0_8": {"vhxh": 1000}}
    context = MetricContext(catalog=catalog, registry=registry, year=2026)
    results = {m.code: m for m in compute_metrics(context, contributions, previous)}
    assert results["CT02"].value == pytest.approx(90.0) and results["CT02"].status == "met"
    assert results["CT02"].change == "better" and results["CT02"].previous_value == pytest.approx(80)
    assert results["CT06"].status == "not_applicable" and results["CT06"].value is None
    # yes over the schools that answered; the silent one is missing (no verdict), never "Không"
    assert results["CT07"].value == pytest.approx(1 / 2 * 100) and results["CT07"].status == "incomplete"
    assert results["CT07"].coverage.as_dict() == {"counted": 2, "expected": 3, "missing": ["thcs-vi-du"]}
    assert "chưa đủ số liệu (2/3 trường)" in results["CT07"].remark
    assert results["CT01"].status == "met" and results["CT01"].by_unit == {"vhxh": 1}
    assert results["CT13"].target == pytest.approx(49.0) and results["CT13"].status == "met"
    assert results["CT21"].status == "not_met" and results["CT21"].change == "worse"
    assert results["CT05b"].status == "no_target" and results["CT05b"].value == pytest.approx(90)
    assert results["CT03a"].status == "no_data"
    alone = {m.code: m for m in compute_metrics(context, contributions, None)}
    assert alone["CT13"].status == "no_target" and "chưa có số liệu năm trước" in alone["CT13"].remark
