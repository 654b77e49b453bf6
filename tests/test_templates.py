"""Per-unit templates: exactly the unit's metrics, named/unlocked/validated inputs, protection,
metadata, print settings, live rates (LibreOffice and speed: test_templates_roundtrip.py)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from ctre_xl import __version__
from ctre_xl.plan.load import load_catalog
from ctre_xl.errors import CtreError
from ctre_xl.files import Workspace
from ctre_xl.template.layout import (
    FREE_TEXT_FIELDS, FRONT_SHEET, INPUT_SHEET, META_PROPERTY_PREFIX, META_SHEET, PREPARER_FIELDS,
    build_layout, metadata, note_name,
)
from ctre_xl.cellref import a1
from ctre_xl.template.writer import write_template, write_templates
from ctre_xl.plan.units import default_registry
from plan_facts import SCHOOL_LEVEL_INDICATORS, UNIT_INDICATORS, metrics_of
from template_helpers import (
    CREATED, YEAR, conditional_rules, custom_props, hidden_meta, metric_codes, metric_rows, name_target,
    validations,
)

_CATALOG = load_catalog()
_REGISTRY = default_registry(_CATALOG)
UNITS_WITH_TEMPLATES = [u.id for u in _REGISTRY.expected]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    workspace = Workspace(tmp_path_factory.mktemp("ws"))
    paths = write_templates(_CATALOG, _REGISTRY, workspace, YEAR, created=CREATED)
    return {p.stem: p for p in paths}


@pytest.fixture(scope="module")
def books(written) -> dict[str, openpyxl.Workbook]:
    return {unit_id: openpyxl.load_workbook(path) for unit_id, path in written.items()}


def plan_metrics_by_unit() -> dict[str, set[str]]:
    """From the plan's facts alone: unit or school level -> the metric codes it reports."""
    return {owner: metrics_of(fact.value)
            for owner, fact in (*UNIT_INDICATORS.items(), *SCHOOL_LEVEL_INDICATORS.items())}


def test_plan_level_table_is_what_the_brief_says():
    plan = plan_metrics_by_unit()
    assert plan["mam-non"] == {"CT07", "CT15", "CT16", "CT19", "CT20a", "CT20b"}
    assert plan["van-phong"] == {"CT14"} and plan["cong-an"] == {"CT09"} and plan["mttq"] == set()
    assert len(plan["vhxh"]) == 23  # indicators 1-6, 8-13, 21-24


# ----------------------------------------------------------------------------- which metrics


def test_one_template_per_unit_with_something_to_report(written):
    # The MTTQ has nothing to count: it gets the optional narrative template (test_narrative.py).
    assert sorted(written) == sorted(UNITS_WITH_TEMPLATES + ["mttq"])
    assert "kinh-te" in written
    assert all(p.parent.name == str(YEAR) and p.parent.parent.name == "templates" for p in written.values())


@pytest.mark.parametrize("unit_id", UNITS_WITH_TEMPLATES)
def test_template_holds_exactly_the_units_metrics(unit_id, books):
    unit = _REGISTRY.get(unit_id)
    shown = metric_codes(books[unit_id][INPUT_SHEET])
    assert shown == [m.code for m in _CATALOG.metrics_for_elements(unit.elements)]
    assert set(shown) == plan_metrics_by_unit()[unit.level or unit.id]
    notes = {n for n in books[unit_id].defined_names if n.startswith("note_")}
    assert notes == {note_name(code) for code in shown}


def test_kinh_te_reports_the_funding_figures(books):
    sheet = books["kinh-te"][INPUT_SHEET]
    labels = [c.value for c in sheet["B"] if c.value]
    assert any("Kinh phí ngân sách nhà nước bố trí" in label for label in labels)
    assert {"budget_allocated", "budget_spent", "funds_mobilised"} <= set(books["kinh-te"].defined_names)


# ----------------------------------------------------------------------------- input cells


@pytest.mark.parametrize("unit_id", UNITS_WITH_TEMPLATES)
def test_every_input_cell_is_named_unlocked_and_validated(unit_id, books):
    workbook = books[unit_id]
    layout = build_layout(_CATALOG, _REGISTRY.get(unit_id), YEAR)
    assert set(workbook.defined_names) == set(layout.cells)
    checks = {title: validations(workbook[title]) for title in (FRONT_SHEET, INPUT_SHEET)}
    for name, (sheet_title, row, col) in layout.cells.items():
        coord = a1(row, col)
        assert name_target(workbook, name) == (sheet_title, coord), name
        cell = workbook[sheet_title][coord]
        assert cell.protection.locked is False, f"{name} at {coord} is locked"
        dv = checks[sheet_title].get(coord)
        assert dv is not None, f"{name} at {coord} has no data validation"
        assert dv.showErrorMessage and dv.error and dv.errorTitle, name
        assert dv.showInputMessage and dv.prompt and dv.promptTitle, name
        _assert_validation_rule(name, dv, cell)


def _assert_validation_rule(name: str, dv, cell) -> None:
    element = _CATALOG.elements.get(name)
    if element is not None:
        expected = {"count": "whole", "money": "decimal", "yes_no": "list"}[element.kind]
        assert dv.type == expected, name
        if element.kind == "yes_no":
            assert dv.formula1 == '"Có,Không"'
        else:
            assert dv.operator in (None, "between") and float(dv.formula1) == 0 and float(dv.formula2) >= 10**9
        # Excel prompts hold 255 characters: a longer help is clipped there, and shown whole on the row.
        assert dv.prompt == element.help if len(element.help) <= 255 else \
            (dv.prompt.endswith("…") and element.help.startswith(dv.prompt[:-1]))
    elif name == "report_date":
        assert dv.type == "date" and cell.number_format == "dd/mm/yyyy"
    elif name == "preparer_name":  # required: two characters at least
        assert dv.type == "textLength" and dv.operator in (None, "between") and dv.formula1 == "2", name
    else:
        assert dv.type == "textLength" and dv.operator == "lessThanOrEqual", name
        limit = int(dv.formula1)
        assert limit == 2000 if name.startswith("note_") or name in FREE_TEXT_FIELDS else limit <= 200
        if name == "preparer_phone":
            assert cell.number_format == "@"  # "0912..." keeps its leading zero


@pytest.mark.parametrize("unit_id", UNITS_WITH_TEMPLATES)
def test_nothing_else_is_unlocked(unit_id, books):
    workbook = books[unit_id]
    named = {(s, a1(r, c)) for s, r, c in build_layout(_CATALOG, _REGISTRY.get(unit_id), YEAR).cells.values()}
    for title in (FRONT_SHEET, INPUT_SHEET):
        sheet = workbook[title]
        merged_inputs = set()
        for rng in sheet.merged_cells.ranges:
            if (title, a1(rng.min_row - 1, rng.min_col - 1)) in named:
                merged_inputs |= {a1(r - 1, c - 1) for r, c in rng.cells}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.protection.locked is False:
                    assert (title, cell.coordinate) in named or cell.coordinate in merged_inputs, \
                        f"{title}!{cell.coordinate} is unlocked but is no input"


def test_free_text_boxes_are_merged_tall_and_wrapped(books):
    workbook = books["vhxh"]
    sheet = workbook[INPUT_SHEET]
    for name in FREE_TEXT_FIELDS:
        _title, coord = name_target(workbook, name)
        row = sheet[coord].row
        assert f"D{row}:H{row}" in {str(r) for r in sheet.merged_cells.ranges}
        assert sheet[coord].alignment.wrap_text
        assert sheet.row_dimensions[row].height >= 60


@pytest.mark.parametrize("unit_id", UNITS_WITH_TEMPLATES)
def test_sheets_protected_without_password_formatting_allowed(unit_id, books):
    for title in (FRONT_SHEET, INPUT_SHEET):
        protection = books[unit_id][title].protection
        assert protection.sheet is True
        assert not protection.password
        assert protection.formatColumns is False and protection.formatRows is False  # allowed
        assert protection.formatCells is not False and protection.insertRows is not False


# ----------------------------------------------------------------------------- metric rows

@pytest.mark.parametrize("unit_id", UNITS_WITH_TEMPLATES)
def test_targets_and_live_rates(unit_id, books):
    workbook = books[unit_id]
    sheet = workbook[INPUT_SHEET]
    unit = _REGISTRY.get(unit_id)
    rules = conditional_rules(sheet)
    layout = build_layout(_CATALOG, unit, YEAR)
    for code, row in metric_rows(sheet).items():
        metric = _CATALOG.metric_by_code[code]
        in_force = _CATALOG.target_in_force(metric, YEAR)
        target_cell, rate_cell = sheet[f"F{row}"], sheet[f"G{row}"]
        if in_force is None:
            assert target_cell.value == "—"
        else:
            assert target_cell.value == pytest.approx(in_force[1])
        both = metric.method == "ratio" and {metric.numerator, metric.denominator} <= set(unit.elements)
        if not both:
            assert not str(rate_cell.value or "").startswith("="), code
            assert f"G{row}" not in rules
            continue
        num = a1(*layout.cells[metric.numerator][1:])
        den = a1(*layout.cells[metric.denominator][1:])
        formula = rate_cell.value
        assert formula.startswith("=") and f"{num}/{den}*{metric.factor}" in formula
        assert f'{den}=0),"Không phát sinh"' in formula
        broken = [f'G{row}="Tử số lớn hơn mẫu số — kiểm tra lại"'] if metric.subset else []
        if metric.subset:  # a numerator above its denominator reads as an error, never a rate
            assert formula.startswith(f"=IF(AND(ISNUMBER({num}),ISNUMBER({den}),{num}>{den}),"), code
        if in_force is None:
            assert rules.get(f"G{row}", []) == broken, f"{code} has no target in {YEAR} but is coloured"
        else:
            meets = f"ROUND(G{row},6){in_force[0]}F{row}"
            assert rules[f"G{row}"] == [f"AND(ISNUMBER(G{row}),{meets})", f"AND(ISNUMBER(G{row}),NOT({meets}))",
                                        *broken], code


def test_vhxh_sees_its_rates_and_ct05b_has_no_target_yet(books):
    sheet = books["vhxh"][INPUT_SHEET]
    rows = metric_rows(sheet)
    assert str(sheet[f"G{rows['CT02']}"].value).startswith("=IF(")
    assert sheet[f"F{rows['CT05b']}"].value == "—"
    # One target column, the year in force's: 90 shown "≥ 90%" (2026), not the 2030 one beside it.
    assert sheet[f"F{rows['CT02']}"].value == 90 and '"≥ "' in sheet[f"F{rows['CT02']}"].number_format
    assert sheet[f"F{rows['CT13']}"].value == 98 and "năm trước" in sheet[f"F{rows['CT13']}"].number_format


def test_a_school_cannot_compute_commune_wide_rates(books):
    sheet = books["th-vi-du"][INPUT_SHEET]
    rows = metric_rows(sheet)
    assert str(sheet[f"G{rows['CT17a']}"].value).startswith("=")  # both parts are the school's
    assert sheet[f"G{rows['CT22']}"].value == "xã tổng hợp"  # children aged 7+ come from Phòng VHXH


def test_ct01_colours_the_yes_no_answer(books):
    workbook = books["vhxh"]
    _title, coord = name_target(workbook, "child_friendly_recognised")
    formulas = conditional_rules(workbook[INPUT_SHEET])[coord]
    assert formulas == ['"Có"', '"Không"']


def test_reference_rows_point_to_the_typed_figure_and_are_locked(books):
    workbook = books["vhxh"]
    sheet = workbook[INPUT_SHEET]
    _title, births = name_target(workbook, "live_births")
    births_row = int(births[1:])
    references = [c for c in sheet["B"] if isinstance(c.value, str) and f"(đã nhập ở dòng {births_row})" in c.value]
    assert len(references) == 2  # CT03b and CT03c reuse CT03a's live births
    for label in references:
        value = sheet[f"D{label.row}"]
        assert value.value == f'=IF({births}="","",{births})'
        assert value.protection.locked is not False


@pytest.mark.parametrize("unit_id", UNITS_WITH_TEMPLATES)
def test_every_figure_says_its_period_unit_and_help(unit_id, books):
    """The label names the period the figure covers, the unit column what one of it counts, and
    the help (what exactly to count) is printed beside the input."""
    workbook = books[unit_id]
    sheet = workbook[INPUT_SHEET]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    for code in _REGISTRY.get(unit_id).elements:
        element = _CATALOG.elements[code]
        _title, coord = name_target(workbook, code)
        row = int(coord[1:])
        assert sheet[f"B{row}"].value == f"{element.label} ({_CATALOG.period_text(element, YEAR)})"
        assert sheet[f"C{row}"].value == (element.unit or "Có/Không")
        assert sheet[f"C{row}"].value != "số lượng"
        assert sheet[f"F{row}"].value == element.help and f"F{row}:H{row}" in merged, code


def test_labels_name_the_school_year_and_the_cohorts(books):
    sheet = books["th-vi-du"][INPUT_SHEET]
    labels = [c.value for c in sheet["B"] if isinstance(c.value, str)]
    assert any(label.startswith("Số học sinh hoàn thành chương trình tiểu học (năm học 2025–2026)")
               for label in labels)
    assert any("lớp 1" in label and label.endswith("(năm học 2021–2022)") for label in labels)
    thcs = [c.value for c in books["thcs-vi-du"][INPUT_SHEET]["B"] if isinstance(c.value, str)]
    assert any("lớp 6" in label and label.endswith("(năm học 2022–2023)") for label in thcs)
    vhxh = [c.value for c in books["vhxh"][INPUT_SHEET]["B"] if isinstance(c.value, str)]
    assert "Số cuộc tảo hôn (từ ngày 01/10/2025 đến ngày 30/09/2026)" in vhxh
    assert any(label.startswith("Số trẻ em từ 7 tuổi") and "tại ngày 30/09/2026" in label for label in vhxh)


def test_police_template_says_its_figures_cross_check_ct09(books):
    workbook = books["cong-an"]
    sheet = workbook[INPUT_SHEET]
    row = metric_rows(sheet)["CT09"]
    assert sheet[f"G{row}"].value == "để đối chiếu, không tính vào tỷ lệ"
    for code in ("abuse_cases_detected", "abuse_cases_handled"):
        help_row = int(name_target(workbook, code)[1][1:])
        assert sheet[f"C{help_row}"].value == "vụ"
        assert "không cộng vào tỷ lệ" in sheet[f"F{help_row}"].value


def test_later_years_are_judged_against_the_2030_targets(tmp_path):
    unit = _REGISTRY.get("vhxh")
    path = write_template(_CATALOG, unit, 2028, tmp_path / "vhxh.xlsx", created=CREATED)
    sheet = openpyxl.load_workbook(path)[INPUT_SHEET]
    rows = metric_rows(sheet)
    assert sheet[f"F{rows['CT02']}"].value == 95
    assert sheet[f"F{rows['CT05b']}"].value == 98  # a 2030 target exists
    assert sheet["F4"].value == "Mục tiêu năm 2028"


# ----------------------------------------------------------------------------- workbook level


@pytest.mark.parametrize("unit_id", UNITS_WITH_TEMPLATES)
def test_sheet_order_and_metadata_read_back(unit_id, books):
    workbook = books[unit_id]
    unit = _REGISTRY.get(unit_id)
    assert workbook.sheetnames == [FRONT_SHEET, INPUT_SHEET, META_SHEET]
    assert workbook[META_SHEET].sheet_state == "veryHidden"
    assert workbook.active.title == FRONT_SHEET
    expected = metadata(_CATALOG, build_layout(_CATALOG, unit, YEAR), CREATED.isoformat(), __version__)
    assert expected["unit_id"] == unit_id and expected["year"] == "2026"
    assert expected["created"] == "2026-10-01T08:30:05+07:00"
    assert hidden_meta(workbook) == expected
    assert all(workbook[META_SHEET].cell(r, 2).data_type == "s" for r in range(1, 6))
    assert custom_props(workbook) == {META_PROPERTY_PREFIX + k: v for k, v in expected.items()}
    assert unit.name in workbook.properties.title and workbook.properties.subject == _CATALOG.title
    assert workbook.properties.created == datetime(2026, 10, 1, 1, 30, 5)  # stored in UTC


@pytest.mark.parametrize("unit_id", UNITS_WITH_TEMPLATES)
def test_print_settings_and_font(unit_id, books):
    workbook = books[unit_id]
    unit = _REGISTRY.get(unit_id)
    for title in (FRONT_SHEET, INPUT_SHEET):
        sheet = workbook[title]
        assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert int(sheet.page_setup.fitToWidth or 1) == 1 and int(sheet.page_setup.fitToHeight) == 0
        assert unit.name.replace("&", "&&") in sheet.oddHeader.center.text
        assert "Trang &P/&N" in sheet.oddFooter.center.text
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == "Times New Roman" and cell.font.scheme is None, cell.coordinate
    sheet = workbook[INPUT_SHEET]
    assert sheet.print_title_rows == "$4:$4" and sheet.freeze_panes == "A5"
    assert [c.value for c in sheet[4]] == [
        "Mã", "Nội dung", "Đơn vị tính", "Số liệu", "Kiểm tra", "Mục tiêu năm 2026",
        "Kết quả tính được", "Giải trình"]
    assert sheet["Z200"].font.name == "Times New Roman"  # the default style, for cells typed later


def test_front_sheet_tells_who_when_and_where(books):
    sheet = books["cong-an"][FRONT_SHEET]
    text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "Công an xã" in text and "xã Xuân Trường" in text and "2026" in text
    assert _CATALOG.send_to in text
    deadline = "trước ngày 10/11/2026 (chậm nhất ngày 09/11/2026)"
    assert text.count(deadline) == 1 and text.count("T" + deadline[1:]) == 1  # the "Hạn nộp" line and step 5
    assert "lần lưu tệp cuối cùng" in text
    assert deadline in books["cong-an"][INPUT_SHEET]["A3"].value
    assert len(re.findall(r"^[1-5]\. ", text, flags=re.M)) == 5
    for name, label in PREPARER_FIELDS.items():
        _title, coord = name_target(books["cong-an"], name)
        required = " (bắt buộc)" if name == "preparer_name" else ""  # the merge warns when it is missing
        assert sheet[f"A{coord[1:]}"].value == label + required and coord.startswith("B")


def test_sample_templates_say_so(tmp_path):
    path = write_template(_CATALOG, _REGISTRY.get("van-phong"), YEAR, tmp_path / "x.xlsx", sample=True,
                          created=CREATED)
    workbook = openpyxl.load_workbook(path)
    assert {p.name: p.value for p in workbook.custom_doc_props.props}["ctre_sample"] == "1"
    assert "MINH HOẠ" in workbook[FRONT_SHEET]["A3"].value


# ----------------------------------------------------------------------------- choosing units


def test_one_unit_only_and_ids_are_case_insensitive(tmp_path):
    written = write_templates(_CATALOG, _REGISTRY, Workspace(tmp_path), YEAR, ["VHXH", "vhxh", "cong-an"])
    assert [p.name for p in written] == ["vhxh.xlsx", "cong-an.xlsx"]
    assert sorted(p.name for p in (tmp_path / "templates" / "2026").iterdir()) == ["cong-an.xlsx", "vhxh.xlsx"]


@pytest.mark.parametrize("unit_ids, expected", [
    (["khong-co"], "Không có đơn vị “khong-co”"),
    (["vhxh", "abc", "xyz"], "Không có đơn vị “abc”, “xyz”"),
])
def test_unknown_unit_is_refused_with_the_valid_ids(unit_ids, expected, tmp_path):
    with pytest.raises(CtreError) as error:
        write_templates(_CATALOG, _REGISTRY, Workspace(tmp_path), YEAR, unit_ids)
    assert expected in str(error.value)
    assert "vhxh, kinh-te, van-phong, cong-an, mttq, mn-vi-du, th-vi-du, thcs-vi-du" in str(error.value)
    assert not (tmp_path / "templates").exists()


@pytest.mark.parametrize("year", [2024, 2031])
def test_year_outside_the_plan_is_refused(year, tmp_path):
    with pytest.raises(CtreError, match=f"Năm {year} nằm ngoài thời gian thực hiện của kế hoạch \\(2025–2030\\)"):
        write_templates(_CATALOG, _REGISTRY, Workspace(tmp_path), year)


def test_fingerprint_is_the_hash_of_the_whole_structure(catalog, registry):
    """The fingerprint's shared part is made once per layout: the hash is unchanged (templates in
    the field carry it), per unit, and follows a change of the cells."""
    import hashlib
    import json
    from dataclasses import replace

    from ctre_xl.template.layout import TemplateLayout, cached_layout

    def plain(layout: TemplateLayout) -> str:
        shape = [(r.index, r.kind, r.text, r.element, r.metric.code if r.metric else None) for r in layout.rows]
        payload = json.dumps([layout.unit.id, shape, sorted(layout.cells.items())], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    for unit in registry.units[:12]:
        layout = cached_layout(catalog, unit, 2026)
        assert layout.fingerprint == plain(layout) == layout.fingerprint
        odd = replace(layout, unit=replace(unit, id='x"ý\\'), cells={**layout.cells, "extra": ("Số liệu", 1, 2)})
        assert odd.fingerprint == plain(odd) != layout.fingerprint
