"""A realistic merge result for the summary tests, computed by hand from the figures below.

Several schools, every status of a milestone year (a kindergarten sent nothing, so the metrics it
owes a part of are incomplete), a late, a missing and an undated unit, notes (one that looks like
a formula), a phone number in international form, findings of both severities.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from ctre_xl.plan.catalog import Catalog
from ctre_xl.merge.model import Coverage, Fact, MergeResult, MetricResult, UnitStatus
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.vocab import MetricStatus, Severity
from ctre_xl.read.model import CellValue, FileRecord, Submission
from ctre_xl.plan.units import Registry, department_units, school_unit

YEAR = 2026
MADE = datetime(2026, 11, 12, 9, 30)
FORMULA_NOTE = '=HYPERLINK("http://vi-du.vn/bao-cao","Xem báo cáo")'
PHONE = "+84 912 345 678"
OPS = {"<": lambda v, t: v < t, "<=": lambda v, t: v <= t, ">=": lambda v, t: v >= t, "=": lambda v, t: v == t}

SCHOOLS = (
    ("mn-hoa-sen", "Trường Mầm non Hoa Sen", "mam-non"),
    ("mn-hoa-mai", "Trường Mầm non Hoa Mai", "mam-non"),
    ("th-xuan-a", "Trường Tiểu học Xuân Trường A", "tieu-hoc"),
    ("th-xuan-b", "Trường Tiểu học Xuân Trường B", "tieu-hoc"),
    ("thcs-xuan-a", "Trường THCS Xuân Trường A", "thcs"),
    ("thcs-xuan-b", "Trường THCS Xuân Trường B", "thcs"),
)
# What each unit typed. vhxh leaves CT10's figures blank (no data) and had no disaster (CT12
# not applicable); mn-hoa-mai and cong-an sent nothing.
FIGURES: dict[str, dict[str, float | None]] = {
    "vhxh": {
        "child_friendly_recognised": 1, "child_friendly_score": 880, "children_total": 5200,
        "children_0_8": 2600, "children_0_8_served": 2400, "live_births": 310, "deaths_neonatal": 1,
        "deaths_under1": 2, "deaths_under5": 4, "under5_measured": 1500, "under5_underweight": 150,
        "under5_stunted": 200, "under5_obese": 40, "children_under1": 300, "under1_fully_vaccinated": 293,
        "children_under5": 1600, "under5_fully_vaccinated": 1560, "hiv_exposed_infants": 0,
        "hiv_infected_infants": 0, "children_special": 180, "children_special_supported": 170,
        "children_abused": 3, "people_5_17": None, "child_labourers_5_17": None, "children_injured": 20,
        "children_injury_deaths": 1, "disaster_affected_children": 0, "disaster_supported_children": 0,
        "child_marriages": 6, "culture_play_places": 5, "children_age7plus": 3300, "children_consulted": 600,
        "children_participation_aware": 800, "children_age11plus": 1500, "children_11plus_participating": 400,
        "age5_children": 120, "disabled_learning_need": 4 + 6 + 5 + 3 + 2,
    },
    "kinh-te": {"budget_allocated": 1_250_000_000, "budget_spent": 980_500_000, "funds_mobilised": 310_000_000},
    "van-phong": {"under5_birth_registered": 1590},
    "mn-hoa-sen": {"school_has_sanitation": 1, "under5_assessed": 400, "under5_on_track": 398,
                   "age5_enrolled": 120, "school_has_psych_support": 1,
                   "school_disability_ready": 0, "disabled_learning_access": 3},
    "th-xuan-a": {"school_has_sanitation": 1, "primary_grade1_cohort": 150, "primary_completers": 149,
                  "primary_enrolled": 700, "primary_dropouts": 0, "school_has_psych_support": 1,
                  "school_disability_ready": 1, "disabled_learning_access": 6,
                  "children_consulted": 300, "children_participation_aware": 500},
    "th-xuan-b": {"school_has_sanitation": 0, "primary_grade1_cohort": 110, "primary_completers": 104,
                  "primary_enrolled": 520, "primary_dropouts": 3, "school_has_psych_support": 1,
                  "school_disability_ready": 1, "disabled_learning_access": 4,
                  "children_consulted": 200, "children_participation_aware": 400},
    "thcs-xuan-a": {"school_has_sanitation": 1, "lower_secondary_grade6_cohort": 200,
                    "lower_secondary_completers": 190, "lower_secondary_enrolled": 800,
                    "lower_secondary_dropouts": 1, "school_has_psych_support": 1, "school_disability_ready": 1,
                    "disabled_learning_access": 3, "children_consulted": 250,
                    "children_participation_aware": 600, "children_11plus_participating": 300},
    "thcs-xuan-b": {"school_has_sanitation": 1, "lower_secondary_grade6_cohort": 180,
                    "lower_secondary_completers": 150, "lower_secondary_enrolled": 700,
                    "lower_secondary_dropouts": 2, "school_has_psych_support": 0, "school_disability_ready": 1,
                    "disabled_learning_access": 2, "children_consulted": 150,
                    "children_participation_aware": 500, "children_11plus_participating": 250},
}
PREVIOUS = {"CT13": 5.0, "CT21": 4.0}
TIMING = {"vhxh": (True, date(2026, 11, 3)), "kinh-te": (True, date(2026, 11, 9)),
          "van-phong": (False, date(2026, 11, 14)), "mn-hoa-sen": (True, date(2026, 11, 5)),
          "th-xuan-a": (True, date(2026, 11, 10)), "th-xuan-b": (False, date(2026, 11, 12)),
          "thcs-xuan-a": (True, date(2026, 11, 8)), "thcs-xuan-b": (None, None)}


def build_registry(catalog: Catalog) -> Registry:
    schools = [school_unit(catalog, code, name, level) for code, name, level in SCHOOLS]
    return Registry(tuple(department_units(catalog) + schools), source="test")


def _judge(value: float | None, denominator: float | None, target: float | None, operator: str | None) -> str:
    """The status of a metric on complete coverage, in the merge's order of precedence."""
    if denominator == 0:
        return MetricStatus.NOT_APPLICABLE
    if target is None:
        return MetricStatus.NO_TARGET
    if value is None:
        return MetricStatus.NO_DATA
    return MetricStatus.MET if OPS[operator](value, target) else MetricStatus.NOT_MET


def coverage_of(metric, registry: Registry) -> Coverage:  # noqa: ANN001
    """The units expected to give a part of ``metric`` (numerator, denominator or the answer), and
    those counted: they sent every part they owe (by hand, from FIGURES)."""
    parts = {metric.numerator, metric.denominator} if metric.method == "ratio" else {metric.element}
    owed = {unit.id: parts & set(unit.elements) for unit in registry.expected if parts & set(unit.elements)}
    counted = [u for u, own in owed.items() if u in FIGURES and all(FIGURES[u].get(p) is not None for p in own)]
    return Coverage(expected=tuple(owed), counted=tuple(counted))


def _sum(element: str, units: tuple[str, ...]) -> float | None:
    values = [FIGURES[u][element] for u in units if FIGURES[u].get(element) is not None]
    return sum(values) if values else None


def _metric(catalog: Catalog, metric, totals: dict, registry: Registry) -> MetricResult:  # noqa: ANN001
    """The commune value of one metric, computed by hand from FIGURES (independent of the merge):
    sums over the units counted, no verdict when an expected unit is missing."""
    in_force = catalog.target_in_force(metric, YEAR)
    operator, target = in_force if in_force else (None, None)
    coverage = coverage_of(metric, registry)
    by_unit: dict[str, float | None] = {}
    previous = change = None
    if metric.method == "ratio":
        num, den = _sum(metric.numerator, coverage.counted), _sum(metric.denominator, coverage.counted)
        value = None if num is None or den in (None, 0) else num / den * metric.factor
        for unit, figures in FIGURES.items():
            # A unit's own rate exists only where it gives both parts (schools' CT22 do not).
            if figures.get(metric.numerator) is not None and figures.get(metric.denominator):
                by_unit[unit] = figures[metric.numerator] / figures[metric.denominator] * metric.factor
    elif metric.method == "share_of_schools":
        answers = {u: FIGURES[u][metric.element] for u in coverage.counted}
        num, den = sum(answers.values()), len(answers)
        value, by_unit = num / den * 100, dict(answers)
    elif metric.method == "yes_no":
        num, den = totals[metric.element], None
        value, by_unit = num, {"vhxh": num}
    else:  # change_vs_previous: a count against last year's value
        num, den = totals[metric.element], None
        value, by_unit, previous = num, {"vhxh": num}, PREVIOUS[metric.code]
        target = previous * metric.targets[catalog.target_year(YEAR)] / 100
        change = "better" if OPS[operator](value, previous) and value != previous else "worse"
    if not coverage.counted:
        status = MetricStatus.NO_DATA
    elif not coverage.complete:
        status = MetricStatus.INCOMPLETE
    else:
        status = _judge(value, den, target, operator)
    on_error = metric.code == "CT17b"
    return MetricResult(metric.code, value, num, den, target, operator, catalog.target_year(YEAR), status,
                        on_error_figures=on_error, previous_value=previous, change=change,
                        remark="Trường TH Xuân Trường B sai số liệu" if on_error else "", by_unit=by_unit,
                        coverage=coverage)


def build_result(catalog: Catalog, registry: Registry) -> MergeResult:
    totals: dict[str, float | None] = {}
    for figures in FIGURES.values():
        for element, value in figures.items():
            if value is not None:
                totals[element] = (totals.get(element) or 0) + value
            else:
                totals.setdefault(element, None)
    metrics = [_metric(catalog, metric, totals, registry) for metric in catalog.metrics]
    facts, submissions, files, units = [], {}, [], []
    for unit in registry.expected:
        timing = TIMING.get(unit.id)
        path = f"nhan-ve/{unit.id}-bao-cao.xlsx"
        if timing is None:
            units.append(UnitStatus(unit.id, unit.name, unit.kind, received=False, on_time=None))
            continue
        on_time, reported = timing
        sha = f"{abs(hash(unit.id)):064x}"[:64]
        values = {}
        for number, (element, value) in enumerate(FIGURES[unit.id].items(), start=5):
            values[element] = CellValue(element, value, value, "Số liệu", f"D{number}")
            facts.append(Fact(YEAR, unit.id, element, value, path, "Số liệu", f"D{number}", sha))
        submissions[unit.id] = Submission(path=path, sha256=sha, modified=0.0, unit=unit.id, year=YEAR, meta={},
                                          values=values, report_date=reported)
        files.append(FileRecord(path, unit.id, "accepted", "", YEAR, sha))
        units.append(UnitStatus(unit.id, unit.name, unit.kind, True, on_time, path, reported, "Nguyễn Văn An",
                                "0912 345 678", errors=1 if unit.id == "th-xuan-b" else 0,
                                warnings=1 if unit.id == "vhxh" else 0))
    submissions["th-xuan-b"].notes["CT17b"] = FORMULA_NOTE
    submissions["thcs-xuan-b"].notes["CT18a"] = "Nhiều học sinh chuyển trường theo gia đình đi làm ăn xa."
    submissions["thcs-xuan-a"].preparer = {"preparer_name": "Trần Thị Bình", "preparer_phone": PHONE}
    units = [replace(u, phone=PHONE) if u.id == "thcs-xuan-a" else u for u in units]
    submissions["vhxh"].free_text.update({
        "report_results": "Duy trì xã phù hợp với trẻ em; 5 điểm vui chơi.",
        "report_difficulties": "Thiếu cán bộ chuyên trách; số liệu lao động trẻ em chưa điều tra được.",
        "report_proposals": PHONE + " — liên hệ cán bộ phụ trách để được hỗ trợ.",
    })
    findings = [
        Finding("nhan-ve/vhxh-bao-cao.xlsx", "vhxh", "Số liệu", "D40", "child_marriages", Severity.WARNING,
                "Số cuộc tảo hôn tăng hơn 50% so với năm trước: kiểm tra lại.", "jump"),
        Finding("nhan-ve/th-xuan-b-bao-cao.xlsx", "th-xuan-b", "Số liệu", "D9", "primary_dropouts", Severity.ERROR,
                "Số học sinh bỏ học phải là số nguyên không âm.", "decimal"),
        Finding("", None, None, None, "children_consulted", Severity.WARNING,
                "Tổng số trẻ em được hỏi ý kiến gần bằng số trẻ em từ 7 tuổi.", "cross_unit"),
        Finding("la.pdf", None, None, None, None, Severity.ERROR, "Tệp PDF — gửi lại tệp Excel.", "pdf"),
    ]
    files.append(FileRecord("la.pdf", None, "rejected", "Tệp PDF — gửi lại tệp Excel."))
    return MergeResult(YEAR, files, findings, metrics, units, facts, submissions, totals)
