"""The leadership summary workbook: every sheet checked against the merge result it renders."""

from __future__ import annotations

import os
import subprocess
import unicodedata
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ctre_xl.catalog import Catalog
from ctre_xl.model import (ERROR, MET, NO_DATA, NO_TARGET, NOT_APPLICABLE, NOT_MET, STATUS_LABELS, WARNING,
                           CellValue, Fact, FileRecord, Finding, MergeResult, MetricResult, Submission, UnitStatus)
from ctre_xl.summary import SHEETS, write_summary
from ctre_xl.units import Registry, department_units, school_unit

from conftest import requires_soffice, soffice_path

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
        "children_participation_aware": 2000, "children_age11plus": 1500, "children_11plus_participating": 400,
    },
    "kinh-te": {"budget_allocated": 1_250_000_000, "budget_spent": 980_500_000, "funds_mobilised": 310_000_000},
    "van-phong": {"under5_birth_registered": 1590},
    "mn-hoa-sen": {"school_has_sanitation": 1, "under5_assessed": 400, "under5_on_track": 398,
                   "age5_children": 120, "age5_enrolled": 120, "school_has_psych_support": 1,
                   "school_disability_ready": 0, "disabled_learning_need": 4, "disabled_learning_access": 3},
    "th-xuan-a": {"school_has_sanitation": 1, "primary_final_grade": 150, "primary_completers": 149,
                  "primary_enrolled": 700, "primary_dropouts": 0, "school_has_psych_support": 1,
                  "school_disability_ready": 1, "disabled_learning_need": 6, "disabled_learning_access": 6,
                  "children_consulted": 300, "children_participation_aware": 500},
    "th-xuan-b": {"school_has_sanitation": 0, "primary_final_grade": 110, "primary_completers": 104,
                  "primary_enrolled": 520, "primary_dropouts": 3, "school_has_psych_support": 1,
                  "school_disability_ready": 1, "disabled_learning_need": 5, "disabled_learning_access": 4,
                  "children_consulted": 200, "children_participation_aware": 400},
    "thcs-xuan-a": {"school_has_sanitation": 1, "lower_secondary_final_grade": 200,
                    "lower_secondary_completers": 190, "lower_secondary_enrolled": 800,
                    "lower_secondary_dropouts": 1, "school_has_psych_support": 1, "school_disability_ready": 1,
                    "disabled_learning_need": 3, "disabled_learning_access": 3, "children_consulted": 250,
                    "children_participation_aware": 600, "children_11plus_participating": 300},
    "thcs-xuan-b": {"school_has_sanitation": 1, "lower_secondary_final_grade": 180,
                    "lower_secondary_completers": 150, "lower_secondary_enrolled": 700,
                    "lower_secondary_dropouts": 2, "school_has_psych_support": 0, "school_disability_ready": 1,
                    "disabled_learning_need": 2, "disabled_learning_access": 2, "children_consulted": 150,
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
    if target is None:
        return NO_TARGET
    if denominator == 0:
        return NOT_APPLICABLE
    if value is None:
        return NO_DATA
    return MET if OPS[operator](value, target) else NOT_MET


def _metric(catalog: Catalog, metric, totals: dict, registry: Registry) -> MetricResult:  # noqa: ANN001
    """The commune value of one metric, computed by hand from FIGURES (independent of the merge)."""
    in_force = catalog.target_in_force(metric, YEAR)
    operator, target = in_force if in_force else (None, None)
    by_unit: dict[str, float | None] = {}
    previous = change = None
    if metric.method == "ratio":
        num, den = totals.get(metric.numerator), totals.get(metric.denominator)
        value = None if num is None or den in (None, 0) else num / den * metric.factor
        for unit, figures in FIGURES.items():
            # A unit's own rate exists only where it gives both parts (schools' CT22 do not).
            if figures.get(metric.numerator) is not None and figures.get(metric.denominator):
                by_unit[unit] = figures[metric.numerator] / figures[metric.denominator] * metric.factor
    elif metric.method == "share_of_schools":
        answers = {u: FIGURES[u][metric.element] for u in FIGURES if metric.element in FIGURES[u]}
        num, den = sum(answers.values()), len(registry.schools)
        value, by_unit = num / den * 100, dict(answers)
    elif metric.method == "yes_no":
        num, den = totals[metric.element], None
        value, by_unit = num, {"vhxh": num}
    else:  # change_vs_previous: a count against last year's value
        num, den = totals[metric.element], None
        value, by_unit, previous = num, {"vhxh": num}, PREVIOUS[metric.code]
        target = previous * metric.targets[catalog.target_year(YEAR)] / 100
        change = "better" if OPS[operator](value, previous) and value != previous else "worse"
    status = _judge(value, den, target, operator)
    on_error = metric.code == "CT17b"
    return MetricResult(metric.code, value, num, den, target, operator, catalog.target_year(YEAR), status,
                        on_error_figures=on_error, previous_value=previous, change=change,
                        remark="Trường TH Xuân Trường B sai số liệu" if on_error else "", by_unit=by_unit)


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
        Finding("nhan-ve/vhxh-bao-cao.xlsx", "vhxh", "Số liệu", "D40", "child_marriages", WARNING,
                "Số cuộc tảo hôn tăng hơn 50% so với năm trước: kiểm tra lại.", "jump"),
        Finding("nhan-ve/th-xuan-b-bao-cao.xlsx", "th-xuan-b", "Số liệu", "D9", "primary_dropouts", ERROR,
                "Số học sinh bỏ học phải là số nguyên không âm.", "decimal"),
        Finding("", None, None, None, "children_consulted", WARNING,
                "Tổng số trẻ em được hỏi ý kiến gần bằng số trẻ em từ 7 tuổi.", "cross_unit"),
        Finding("la.pdf", None, None, None, None, ERROR, "Tệp PDF — gửi lại tệp Excel.", "pdf"),
    ]
    files.append(FileRecord("la.pdf", None, "rejected", "Tệp PDF — gửi lại tệp Excel."))
    return MergeResult(YEAR, files, findings, metrics, units, facts, submissions, totals)


@pytest.fixture(scope="module")
def summary(tmp_path_factory, catalog):  # noqa: ANN001, ANN201
    registry = build_registry(catalog)
    result = build_result(catalog, registry)
    path = write_summary(result, catalog, registry, tmp_path_factory.mktemp("out") / "tong-hop-2026.xlsx", made=MADE)
    return path, result, registry, load_workbook(path), load_workbook(path, data_only=True)


def rows_by_code(sheet, column: int = 1, first: int = 5) -> dict[str, int]:  # noqa: ANN001
    return {sheet.cell(r, column).value: r for r in range(first, sheet.max_row + 1)
            if isinstance(sheet.cell(r, column).value, str) and sheet.cell(r, column).value.startswith("CT")}


def test_all_statuses_present_in_fixture(summary) -> None:  # noqa: ANN001
    _, result, *_ = summary
    assert {m.status for m in result.metrics} == {MET, NOT_MET, NO_DATA, NOT_APPLICABLE, NO_TARGET}


def test_sheets_in_order(summary) -> None:  # noqa: ANN001
    path, *_ , workbook, _ = summary
    assert workbook.sheetnames == list(SHEETS) == ["Tổng quan", "Chỉ tiêu", "Theo đơn vị", "Tiến độ nộp",
                                                   "Kiểm tra", "Dữ liệu"]
    assert path.name == "tong-hop-2026.xlsx" and not path.fallback_used and path.notice == ""


def test_metrics_sheet_has_every_metric(summary, catalog) -> None:  # noqa: ANN001
    _, result, _, workbook, values = summary
    sheet, cached = workbook["Chỉ tiêu"], values["Chỉ tiêu"]
    headers = [c.value for c in sheet[4]]
    col = {name: headers.index(name) + 1 for name in headers if name}
    rows = rows_by_code(sheet)
    assert list(rows) == [m.code for m in catalog.metrics] and len(rows) == 34
    for found in result.metrics:
        metric, r = catalog.metric_by_code[found.code], rows[found.code]
        assert sheet.cell(r, col["Chỉ tiêu"]).value == metric.name
        assert sheet.cell(r, col["Giá trị"]).value == pytest.approx(found.value) if found.value is not None \
            else sheet.cell(r, col["Giá trị"]).value is None
        assert sheet.cell(r, col["Mục tiêu áp dụng (2026)"]).value == (
            pytest.approx(found.target) if found.target is not None else None)
        assert cached.cell(r, col["Đánh giá"]).value == STATUS_LABELS[found.status], found.code
        assert sheet.cell(r, col["Đơn vị chủ trì"]).value == catalog.lead_name(metric)
        assert sheet.cell(r, col["Mục tiêu 2030"]).value.startswith(("<", "≤", "≥", "=", "Đạt", "—"))
        if found.on_error_figures:
            assert "dựa trên số liệu có lỗi" in sheet.cell(r, col["Ghi chú"]).value
    assert sheet.cell(rows["CT13"], col["So với năm trước"]).value == "Kém hơn"
    assert sheet.cell(rows["CT21"], col["So với năm trước"]).value == "Tốt hơn"
    assert sheet.cell(rows["CT05b"], col["Mục tiêu 2026"]).value == "—"


def test_status_is_a_live_formula_on_the_target_cell(summary) -> None:  # noqa: ANN001
    _, result, _, workbook, _ = summary
    sheet = workbook["Chỉ tiêu"]
    rows = rows_by_code(sheet)
    for found in result.metrics:
        r = rows[found.code]
        status = sheet[f"{_col(sheet, 'Đánh giá')}{r}"]
        if found.operator is None:  # no target this year: nothing to judge, the text stays
            assert (status.data_type, status.value) == ("s", "Chưa có mục tiêu"), found.code
            continue
        assert status.data_type == "f", found.code
        assert f"$F{r}{found.operator}$I{r}" in status.value


def _col(sheet, header: str) -> str:  # noqa: ANN001
    for cell in sheet[4]:
        if cell.value == header:
            return cell.column_letter
    raise AssertionError(header)


def _rules_for(sheet, cell: str) -> list[str]:  # noqa: ANN001
    """Every conditional-formatting formula that applies to ``cell``."""
    found = []
    for block in sheet.conditional_formatting:
        if cell in block.sqref:
            for rule in block.rules:
                found.extend(rule.formula or [])
    return found


def test_value_and_status_coloured_live_against_the_target(summary) -> None:  # noqa: ANN001
    _, result, _, workbook, _ = summary
    sheet = workbook["Chỉ tiêu"]
    rows = rows_by_code(sheet)
    for found in result.metrics:
        if not found.operator:
            continue
        r = rows[found.code]
        for cell in (f"F{r}", f"{_col(sheet, 'Đánh giá')}{r}"):
            formulas = _rules_for(sheet, cell)
            comparing = [f for f in formulas if f"$F{r}{found.operator}$I{r}" in f]
            assert len(comparing) == 2, (found.code, cell, formulas)  # met (green) and missed (red)
    # No static fill on the judged cells: the colour comes only from the rules.
    for r in rows.values():
        for cell in (sheet[f"F{r}"], sheet[f"{_col(sheet, 'Đánh giá')}{r}"]):
            assert cell.fill.fgColor.rgb in (None, "00000000") or cell.fill.fill_type is None


def test_status_stays_static_when_the_merge_knows_better(tmp_path, catalog) -> None:  # noqa: ANN001
    registry = build_registry(catalog)
    result = build_result(catalog, registry)
    # CT13 without last year's figure: no target can be computed, yet the merge says no data.
    result.metrics = [replace(m, target=None, status=NO_DATA, value=None) if m.code == "CT13" else m
                      for m in result.metrics]
    sheet = load_workbook(write_summary(result, catalog, registry, tmp_path / "t.xlsx"))["Chỉ tiêu"]
    cell = sheet[f"{_col(sheet, 'Đánh giá')}{rows_by_code(sheet)['CT13']}"]
    assert cell.data_type == "s" and cell.value == "Thiếu số liệu"


def test_by_unit_values_beside_the_commune(summary, catalog) -> None:  # noqa: ANN001
    _, result, registry, workbook, _ = summary
    sheet = workbook["Theo đơn vị"]
    names = {u.id: u.name for u in registry.units}
    shown = {(sheet.cell(r, 1).value, sheet.cell(r, 2).value): r for r in range(5, sheet.max_row + 1)}
    noted = {code for s in result.submissions.values() for code in s.notes}
    listed = {code for code, _unit in shown}
    for found in result.metrics:
        providers = [u for u in registry.expected
                     if set(u.elements) & set(catalog.metric_by_code[found.code].own_elements)]
        if len(found.by_unit) < 2 and len(providers) < 2 and found.code not in noted:
            assert found.code not in listed  # one unit's value is the commune's: see "Chỉ tiêu"
            continue
        for unit, value in found.by_unit.items():
            r = shown[(found.code, names[unit])]
            assert sheet.cell(r, 3).value == pytest.approx(value)
            assert sheet.cell(r, 4).value == (pytest.approx(found.value) if found.value is not None else None)
    dropout = next(m for m in result.metrics if m.code == "CT17b")
    r = shown[("CT17b", "Trường Tiểu học Xuân Trường B")]
    assert sheet.cell(r, 3).value == pytest.approx(3 / 520 * 100)
    assert any(f"$C{r}<$E{r}" in f for f in _rules_for(sheet, f"C{r}")), "unit value judged against target"
    assert dropout.status == NOT_MET
    # The kindergarten that sent nothing is named where its figures are missing.
    r = shown[("CT16", "Trường Mầm non Hoa Mai")]
    assert sheet.cell(r, 3).value is None and sheet.cell(r, 7).value == "(chưa nộp báo cáo)"


def test_unit_text_is_always_literal(summary) -> None:  # noqa: ANN001
    path, *_ = summary
    workbook = load_workbook(path)
    note = [c for row in workbook["Theo đơn vị"].iter_rows() for c in row if c.value == FORMULA_NOTE]
    assert len(note) == 1 and note[0].data_type == "s"
    phones = [c for ws in workbook for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and c.value.startswith(PHONE)]
    assert len(phones) >= 2 and all(c.data_type == "s" for c in phones)
    # The only formulas are the ones the summary writes itself.
    for ws in workbook:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert ws.title in ("Tổng quan", "Chỉ tiêu") and not c.value.startswith("=HYPERLINK")


def test_free_text_and_notes_shown(summary) -> None:  # noqa: ANN001
    _, result, *_, workbook, _ = summary
    texts = {c.value for row in workbook["Theo đơn vị"].iter_rows() for c in row if isinstance(c.value, str)}
    for submission in result.submissions.values():
        assert set(submission.notes.values()) <= texts
        assert set(submission.free_text.values()) <= texts


def test_progress_sheet(summary) -> None:  # noqa: ANN001
    _, result, *_, workbook, _ = summary
    sheet = workbook["Tiến độ nộp"]
    by_name = {sheet.cell(r, 2).value: r for r in range(5, sheet.max_row + 1)}
    assert len(by_name) == len(result.units)
    expected = {True: "Đúng hạn", False: "Nộp muộn", None: "Không ghi ngày"}
    for unit in result.units:
        r = by_name[unit.name]
        assert sheet.cell(r, 5).value == (expected[unit.on_time] if unit.received else "Chưa nộp")
        assert sheet.cell(r, 4).value == ("Có" if unit.received else "Không")
        assert sheet.cell(r, 10).value == unit.errors and sheet.cell(r, 11).value == unit.warnings
        if unit.report_date:
            assert sheet.cell(r, 7).value.date() == unit.report_date
    assert any("E5" in block.sqref for block in sheet.conditional_formatting)


def test_findings_errors_first_with_autofilter(summary) -> None:  # noqa: ANN001
    _, result, *_, workbook, _ = summary
    sheet = workbook["Kiểm tra"]
    assert [c.value for c in sheet[4]] == ["Tệp", "Đơn vị", "Trang", "Ô", "Mã", "Mức độ", "Nội dung"]
    shown = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=5, max_row=sheet.max_row)]
    assert len(shown) == len(result.findings)
    assert [s[5] for s in shown] == ["Lỗi", "Lỗi", "Cảnh báo", "Cảnh báo"]
    assert {s[6] for s in shown} == {f.message for f in result.findings}
    assert shown[0][:5] == ("nhan-ve/th-xuan-b-bao-cao.xlsx", "Trường Tiểu học Xuân Trường B", "Số liệu", "D9",
                            "primary_dropouts")
    assert sheet.auto_filter.ref == f"A4:G{sheet.max_row}"


def test_data_sheet_is_a_table_of_facts(summary) -> None:  # noqa: ANN001
    _, result, *_, workbook, _ = summary
    sheet = workbook["Dữ liệu"]
    (table,) = sheet.tables.values()
    assert table.ref == f"A1:J{len(result.facts) + 1}"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(result.facts)
    for fact, row in zip(result.facts, rows):
        assert (row[0], row[1], row[3], row[6], row[8], row[9]) == (fact.year, fact.unit, fact.element,
                                                                    fact.file, fact.cell, fact.sha256)
        assert row[5] == fact.value


def test_overview_counts_funding_and_gaps(summary, catalog) -> None:  # noqa: ANN001
    _, result, *_, values = summary
    sheet = values["Tổng quan"]
    cells: dict = {}
    for row in sheet.iter_rows():
        for c in row:
            if c.value is not None:
                cells.setdefault(c.value, c)  # the first occurrence, reading down the page
    assert "xã Xuân Trường" in sheet["A3"].value and "12/11/2026" in sheet["A3"].value
    header = cells["Mục tiêu"].row
    for objective in catalog.objectives:
        r = header + objective.number
        ours = [m for m in result.metrics if catalog.metric_by_code[m.code].objective == objective.number]
        assert sheet.cell(r, 3).value == len(ours)
        for offset, status in enumerate((MET, NOT_MET, NO_DATA, NOT_APPLICABLE, NO_TARGET)):
            assert sheet.cell(r, 4 + offset).value == sum(m.status == status for m in ours)
    total = header + len(catalog.objectives) + 1
    assert sheet.cell(total, 3).value == 34
    assert sheet.cell(total, 4).value == sum(m.status == MET for m in result.metrics)
    for label, amount in (("Kinh phí ngân sách nhà nước bố trí", 1_250_000_000),
                          ("Kinh phí ngân sách nhà nước đã thực hiện", 980_500_000),
                          ("Kinh phí huy động hợp pháp khác", 310_000_000)):
        cell = next(c for v, c in cells.items() if isinstance(v, str) and v.startswith(label))
        assert sheet.cell(cell.row, 3).value == amount
    received = sum(u.received for u in result.units)
    completeness = cells["Phải nộp"]
    assert sheet.cell(completeness.row + 1, completeness.column).value == len(result.units)
    assert sheet.cell(completeness.row + 1, completeness.column + 1).value == received
    # Furthest from target: the not-met metrics, primary dropout (0.43 % vs < 0.12 %) first.
    first_gap = cells["Cách mục tiêu"].row + 1
    assert sheet.cell(first_gap, 1).value == "CT17b"
    listed = [sheet.cell(r, 1).value for r in range(first_gap, first_gap + 5) if sheet.cell(r, 1).value]
    assert set(listed) <= {m.code for m in result.metrics if m.status == NOT_MET}


def test_funding_not_reported(tmp_path, catalog) -> None:  # noqa: ANN001
    registry = build_registry(catalog)
    result = build_result(catalog, registry)
    del result.submissions["kinh-te"]
    for code in ("budget_allocated", "budget_spent", "funds_mobilised"):
        result.totals.pop(code)
    sheet = load_workbook(write_summary(result, catalog, registry, tmp_path / "t.xlsx"))["Tổng quan"]
    texts = [c.value for row in sheet.iter_rows() for c in row]
    assert texts.count("chưa báo cáo") == 3


def test_print_settings_on_every_sheet(summary) -> None:  # noqa: ANN001
    *_, workbook, _ = summary
    for sheet in workbook:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert int(setup.paperSize) == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert int(setup.fitToWidth or 1) == 1  # absent means 1 (the OOXML default)
        assert int(setup.fitToHeight if setup.fitToHeight is not None else 1) == (1 if sheet.title == "Tổng quan" else 0)
        assert sheet.print_title_rows, sheet.title
        assert sheet.freeze_panes, sheet.title
        header = sheet.oddHeader.left.text + sheet.oddHeader.right.text
        assert "xã Xuân Trường" in header and "2026" in header
        assert "Trang &P/&N" in sheet.oddFooter.right.text
        for row in sheet.iter_rows(max_row=6):
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == "Times New Roman", (sheet.title, cell.coordinate)


def test_all_text_is_nfc(summary) -> None:  # noqa: ANN001
    *_, workbook, _ = summary
    for sheet in workbook:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert unicodedata.is_normalized("NFC", value), value


def test_locked_target_falls_back(tmp_path, catalog, monkeypatch) -> None:  # noqa: ANN001
    registry = build_registry(catalog)
    result = build_result(catalog, registry)
    target = tmp_path / "outbox" / "2026" / "tong-hop-2026.xlsx"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old summary, open in Excel")
    real_replace = os.replace

    def locked(src, dst):  # noqa: ANN001, ANN202 - Windows refuses to replace a file open in Excel
        if Path(dst) == target:
            raise PermissionError(13, "The process cannot access the file", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", locked)
    written = write_summary(result, catalog, registry, target, made=MADE)
    assert written.fallback_used and written.name == "tong-hop-2026 (1).xlsx"
    assert "đang được mở" in written.notice and "tong-hop-2026 (1).xlsx" in written.notice
    assert target.read_bytes() == b"old summary, open in Excel"
    assert load_workbook(written).sheetnames[0] == "Tổng quan"
    assert sorted(p.name for p in target.parent.iterdir()) == ["tong-hop-2026 (1).xlsx", "tong-hop-2026.xlsx"]


@requires_soffice
def test_libreoffice_renders_pdf(summary, tmp_path) -> None:  # noqa: ANN001
    path, *_ = summary
    profile = f"file://{tmp_path / 'lo-profile'}"
    done = subprocess.run([soffice_path(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "tong-hop-2026.pdf"
    assert done.returncode == 0, done.stderr
    assert pdf.exists() and pdf.stat().st_size > 10_000
    assert pdf.read_bytes().startswith(b"%PDF")


def test_merge_command_writes_the_summary(tmp_path) -> None:  # noqa: ANN001
    """End to end: templates filled as units fill them, `ctre-xl merge`, then the summary."""
    from merge_helpers import fill, make_workspace, merge_json

    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    fill(workspace, "vhxh", YEAR, "zalo/VHXH bao cao.xlsx",
         {"children_total": 5000, "children_0_8": 2500, "children_0_8_served": 2000, "live_births": 300,
          "deaths_neonatal": 1, "deaths_under1": 2, "deaths_under5": 3},
         notes={"CT02": FORMULA_NOTE}, report_date=date(YEAR, 11, 5))
    fill(workspace, "th-vi-du", YEAR, "tieu hoc.xlsx",
         {"primary_final_grade": 100, "primary_completers": 95, "primary_enrolled": 500, "primary_dropouts": 1},
         preparer={"preparer_name": "Lê Văn Cường", "preparer_phone": PHONE}, report_date=date(YEAR, 11, 20))
    code, data, _ = merge_json(workspace, YEAR)
    assert code == 0
    path = workspace.outbox_dir(YEAR) / "tong-hop-2026.xlsx"
    assert Path(data.get("outputs", {}).get("summary", path)) == path and path.exists()
    formulas, values = load_workbook(path), load_workbook(path, data_only=True)
    assert formulas.sheetnames == list(SHEETS)
    sheet = values["Chỉ tiêu"]
    rows = rows_by_code(sheet)
    assert len(rows) == 34
    for item in data["metrics"]:
        r = rows[item["code"]]
        shown = sheet[f"F{r}"].value
        assert shown == (pytest.approx(item["value"]) if item["value"] is not None else None), item["code"]
        assert sheet[f"{_col(sheet, 'Đánh giá')}{r}"].value == STATUS_LABELS[item["status"]], item["code"]
    assert values["Chỉ tiêu"][f"F{rows['CT02']}"].value == pytest.approx(80.0)
    note = [c for row in formulas["Theo đơn vị"].iter_rows() for c in row if c.value == FORMULA_NOTE]
    assert note and note[0].data_type == "s"
    phone = [c for row in formulas["Tiến độ nộp"].iter_rows() for c in row if c.value == PHONE]
    assert phone and phone[0].data_type == "s"
    findings = formulas["Kiểm tra"]
    assert findings.max_row - 4 == max(len(data["issues"]), 1)
