"""The built-in catalogue against the plan (tests/plan_facts.py), bad catalogues, and `catalog --json`."""

from __future__ import annotations

import json
import re
import unicodedata
from importlib import resources

import pytest

from ctre_xl.plan.load import BUILTIN_CATALOG, load_catalog
from ctre_xl.plan.checks import is_valid_excel_name
from ctre_xl.cli import main

from plan_facts import BY_CODE, DENOMINATORS, INFERENCE, METRICS, NO_SIGN, NUMERATORS, PLAN_LINES

CODES = [m.code for m in METRICS]
YEARS = (2026, 2030)  # the plan's target years
# Words a catalogue name may add to the plan's: the measure it is ("tỷ lệ", "tỷ suất", "số").
FRAMING = {"tỷ", "lệ", "suất", "số"}

def _words(text: str) -> set[str]:
    """Lower-case words, numbers as numbers ("07" and "7" are one word)."""
    words = re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold())
    return {str(int(w)) if w.isdigit() else w for w in words}


def test_plan_facts_are_whole():
    """The table itself: 34 metrics of 24 indicators, each with both target years, quoted lines."""
    assert len(CODES) == len(set(CODES)) == 34
    assert sorted({m.indicator.value for m in METRICS}) == list(range(1, 25))
    for metric in METRICS:
        assert metric.code.startswith(f"CT{metric.indicator.value:02d}")
        assert set(metric.targets) == set(YEARS)
        for fact in (metric.indicator, metric.name, metric.scale, metric.lead, *metric.targets.values()):
            assert fact.lines and all(1 <= line <= PLAN_LINES for line in fact.lines), metric.code
            assert fact.quote or fact.basis == INFERENCE, metric.code


def test_all_34_metrics_with_the_plans_codes_in_order(catalog):
    assert [m.code for m in catalog.metrics] == CODES


@pytest.mark.parametrize("code", CODES)
def test_indicator_scale_and_lead_are_the_plans(catalog, code):
    metric, plan = catalog.metric_by_code[code], BY_CODE[code]
    assert (metric.indicator, metric.scale, metric.lead) == (plan.indicator.value, plan.scale.value, plan.lead.value)


@pytest.mark.parametrize("code", CODES)
def test_targets_and_operators_are_the_plans(catalog, code):
    metric, plan = catalog.metric_by_code[code], BY_CODE[code]
    for year in YEARS:
        expected = plan.targets[year].value
        if expected is None:
            assert metric.targets.get(year) is None, (year, "the plan has no target")
            continue
        operator, value = expected
        assert (metric.operators.get(year), metric.targets.get(year)) == (operator, pytest.approx(value)), year
    assert (metric.method == "change_vs_previous") is plan.versus_previous_year


@pytest.mark.parametrize("code", CODES)
def test_name_keeps_the_plans_words(catalog, code):
    """Shortened is fine; a word the plan does not use for this indicator is not."""
    plan = BY_CODE[code]
    indicator = set().union(*(_words(m.name.value) for m in METRICS if m.indicator.value == plan.indicator.value))
    assert _words(catalog.metric_by_code[code].name) - indicator - FRAMING == set()


@pytest.mark.parametrize("code", CODES)
def test_readings_of_the_plan_are_labelled_in_the_note(catalog, code):
    """indicators.md: an inference must say so wherever users see it; a target the plan gives
    without a sign ("xuống X") is read as ≤ X, and the note says that reading, not an extraction fault."""
    note = catalog.metric_by_code[code].note
    bases = {fact.basis for fact in BY_CODE[code].targets.values()}
    if INFERENCE in bases:  # "suy luận" (inference) or "kế hoạch không nêu/ghi …" (the plan does not say)
        assert "suy luận" in note.lower() or "kế hoạch không" in note.lower()
    if NO_SIGN in bases:
        assert "≤" in note and "PDF" not in note


@pytest.mark.parametrize("code", sorted(DENOMINATORS))
def test_denominators_follow_the_definitions(catalog, code):
    """CT16/CT20b divide by the commune's resident children (Phòng VHXH), CT17a/CT18a by the
    cohort's starting enrolment (t−4, t−3), CT22–CT24 by their age group (CT23's is an inference)."""
    fact, metric = DENOMINATORS[code], catalog.metric_by_code[code]
    part = fact.value
    element = catalog.elements[part.element]
    assert metric.denominator == part.element
    assert set(catalog.providers[part.element]) == part.providers
    assert element.period_offset == -part.years_back
    if part.years_back:
        assert element.period == "school_year" and metric.subset is False
        assert f"năm học {2026 - part.years_back - 1}–{2026 - part.years_back}" in catalog.period_text(element, 2026)
    assert part.age in element.label
    if fact.basis == INFERENCE:
        assert "suy luận" in metric.note.lower() and part.age in metric.note
    if code in NUMERATORS:
        numerator = NUMERATORS[code].value
        assert metric.numerator == numerator.element
        assert set(catalog.providers[numerator.element]) == numerator.providers


def test_inferred_target_is_marked_wherever_it_shows(catalog):
    from ctre_xl.plan.targets import target_text

    ct01 = catalog.metric_by_code["CT01"]
    inferred = {year for year, fact in BY_CODE["CT01"].targets.items() if fact.basis == INFERENCE}
    assert ct01.inferred_targets == inferred == {2030}
    assert target_text(ct01, 2026) == "= Đạt"
    assert target_text(ct01, 2030) == "= Đạt (suy luận: duy trì)"
    assert all(not m.inferred_targets for m in catalog.metrics if m.code != "CT01")
    assert catalog.child_friendly_decision == "Quyết định số 06/QĐ-TTg ngày 03/01/2019"
    assert catalog.child_friendly_decision in ct01.note


def test_every_figure_says_its_unit_and_period(catalog):
    units = {"người", "vụ", "cuộc", "điểm", "đồng"}
    for element in catalog.elements.values():
        if element.kind == "yes_no":
            assert element.unit == "" and element.unit_of_measure == "Có/Không", element.code
        else:
            assert element.unit in units and element.unit_of_measure == element.unit, element.code
        assert catalog.period_text(element, 2026), element.code
    elements = catalog.elements
    assert elements["abuse_cases_detected"].unit == "vụ" and elements["child_marriages"].unit == "cuộc"
    assert catalog.period_text(elements["live_births"], 2026) == "từ ngày 01/10/2025 đến ngày 30/09/2026"
    assert catalog.period_text(elements["children_total"], 2026) == "tại ngày 30/09/2026"
    assert catalog.period_text(elements["primary_completers"], 2026) == "năm học 2025–2026"
    assert catalog.period_text(elements["primary_grade1_cohort"], 2026) == "năm học 2021–2022"
    assert catalog.period_text(elements["lower_secondary_grade6_cohort"], 2027) == "năm học 2023–2024"


def test_deadline_is_said_one_way(catalog):
    """"trước ngày 10/11" read literally: 09/11 is the last day on time."""
    from datetime import date

    assert catalog.deadline(2026) == date(2026, 11, 10)
    assert catalog.last_day_on_time(2026) == date(2026, 11, 9)
    assert catalog.deadline_text(2026) == "trước ngày 10/11/2026 (chậm nhất ngày 09/11/2026)"


def test_deadline_inclusive_catalogue(tmp_path):
    from datetime import date

    path = tmp_path / "xa-khac.toml"
    path.write_text(BUILTIN_TEXT.replace("deadline_inclusive = false", "deadline_inclusive = true"), encoding="utf-8")
    other = load_catalog(path)
    assert other.last_day_on_time(2026) == date(2026, 11, 10)
    assert other.deadline_text(2026) == "chậm nhất ngày 10/11/2026"


def test_verdicts_only_where_a_target_is_due(catalog):
    ct02, ct13, ct21 = (catalog.metric_by_code[c] for c in ("CT02", "CT13", "CT21"))
    assert catalog.first_year == 2025 and catalog.is_baseline(2025) and not catalog.is_baseline(2026)
    assert [y for y in range(2025, 2031) if catalog.is_due(ct02, y)] == [2026, 2030]
    for metric in (ct13, ct21):  # "hằng năm": judged every year after the baseline
        assert [y for y in range(2025, 2031) if catalog.is_due(metric, y)] == list(range(2026, 2031))


def test_targets_in_force_follow_the_plans_years(catalog):
    ct02 = catalog.metric_by_code["CT02"]
    assert catalog.target_in_force(ct02, 2025) == (">=", 90)
    assert catalog.target_in_force(ct02, 2026) == (">=", 90)
    assert catalog.target_in_force(ct02, 2027) == (">=", 95)
    assert catalog.target_in_force(catalog.metric_by_code["CT05b"], 2026) is None
    assert catalog.target_in_force(catalog.metric_by_code["CT04b"], 2030) == ("<", 13)


def test_every_element_code_is_a_valid_excel_name_and_rates_are_never_typed(catalog):
    for code, element in catalog.elements.items():
        assert is_valid_excel_name(code), code
        assert element.kind in ("count", "yes_no", "money")
        assert "tỷ lệ" not in element.label.lower(), f"{code} asks for a rate: {element.label}"


@pytest.mark.parametrize("name, valid", [
    ("AB12", False), ("CT3", False), ("R1C2", False), ("R", False), ("c", False), ("XFD1", False),
    ("XFE1", True), ("children_total", True), ("note_CT03a", True), ("1abc", False), ("a b", False),
])
def test_excel_name_rule(name, valid):
    assert is_valid_excel_name(name) is valid


# ----------------------------------------------------------------------------- bad catalogues

BUILTIN_TEXT = resources.files("ctre_xl.plan.data").joinpath(BUILTIN_CATALOG).read_text(encoding="utf-8")
CT02_TARGETS = 'targets = { "2026" = 90, "2030" = 95 }'
CT02_BLOCK = BUILTIN_TEXT[BUILTIN_TEXT.index('code = "CT02"'):BUILTIN_TEXT.index('code = "CT03a"')]


def _without_in_ct02(line: str) -> tuple[str, str]:
    assert CT02_BLOCK.count(line) == 1
    return CT02_BLOCK, CT02_BLOCK.replace(line + "\n", "")


BAD_CATALOGUES = {
    "duplicate metric code": (('code = "CT02"', 'code = "CT01"'), "Mã chỉ tiêu 'CT01' bị trùng"),
    "unknown element": (('numerator = "children_0_8_served"', 'numerator = "children_0_8_seved"'),
                        "'children_0_8_seved' không có trong danh mục"),
    "metric without target": (_without_in_ct02(CT02_TARGETS), "CT02 không có mục tiêu"),
    "metric without operator": (_without_in_ct02('operator = ">="'), "CT02 không có dấu so sánh"),
    "element nobody provides": (('"children_0_8", "children_0_8_served",', '"children_0_8",'),
                                "'children_0_8_served' không được đơn vị nào báo cáo"),
    "element code reads as a cell": (("child_marriages", "AB12"), "'AB12' không dùng được làm tên ô Excel"),
    "element code in R1C1 notation": (("child_marriages", "R1C2"), "'R1C2' không dùng được làm tên ô Excel"),
    "unknown period": (('period = "population"', 'period = "populace"'), "kỳ số liệu (period) 'populace'"),
    "unknown placeholder": (("{year-1}", "{nam-1}"), "{nam-1}"),
    "inferred year without a target": (('inferred_targets = ["2030"]', 'inferred_targets = ["2027"]'),
                                       "mục tiêu suy luận năm 2027"),
    "yes/no with a unit": (('period = "status"\nhelp = "Chọn Có nếu xã',
                            'period = "status"\nunit = "người"\nhelp = "Chọn Có nếu xã'),
                           "'child_friendly_recognised' không được ghi đơn vị tính"),
    # Found by fuzzing the catalogue: each of these raised an error of Python's own, in English.
    "a unit reporting an element the catalogue lacks": (
        ('"child_friendly_recognised", "child_friendly_score",', '"child_friendly_recognised", "child_friendly_scor",'),
        "Đơn vị 'vhxh' báo cáo số liệu 'child_friendly_scor' không có trong danh mục"),
    "a number where a metric's code belongs": (('code = "CT02"', 'code = 2'), "Có giá trị sai kiểu"),
    "targets that are not a table": ((CT02_BLOCK, CT02_BLOCK.replace(CT02_TARGETS, "targets = true")),
                                     "Có giá trị sai kiểu"),
    "an indicator's number that is not finite": ((CT02_BLOCK, CT02_BLOCK.replace("indicator = 2", "indicator = inf")),
                                                "Có giá trị sai kiểu"),
}
ENGLISH = re.compile(r"Error|Traceback|object has no|cannot convert|expected string|at line|got '")


@pytest.mark.parametrize("problem", list(BAD_CATALOGUES))
def test_bad_catalogue_is_refused_naming_the_problem(problem, tmp_path, runner):
    (old, new), expected = BAD_CATALOGUES[problem]
    assert old in BUILTIN_TEXT
    path = tmp_path / "xa-khac.toml"
    path.write_text(BUILTIN_TEXT.replace(old, new), encoding="utf-8")
    result = runner.invoke(main, ["--workspace", str(tmp_path), "--catalog", str(path), "catalog"])
    assert result.exit_code == 2, result.output
    assert "Lỗi: Danh mục chỉ tiêu" in result.output and "không hợp lệ" in result.output
    assert str(path) in result.output
    assert expected in result.output
    assert not ENGLISH.search(result.output), result.output


def test_unreadable_catalogue_names_the_file(tmp_path, runner):
    path = tmp_path / "hong.toml"
    path.write_text("[catalog\nid = 1", encoding="utf-8")
    result = runner.invoke(main, ["--workspace", str(tmp_path), "--catalog", str(path), "catalog"])
    assert result.exit_code == 2
    assert "hong.toml" in result.output and "sai định dạng TOML ở dòng 1, cột 9" in result.output
    assert not ENGLISH.search(result.output), result.output


def test_a_catalogue_saved_in_another_encoding_says_so(tmp_path, runner):
    path = tmp_path / "utf16.toml"
    path.write_bytes(BUILTIN_TEXT.encode("utf-16"))
    result = runner.invoke(main, ["--workspace", str(tmp_path), "--catalog", str(path), "catalog"])
    assert result.exit_code == 2
    assert "utf16.toml không phải văn bản UTF-8: lưu lại tệp với mã UTF-8" in result.output
    assert not ENGLISH.search(result.output), result.output


def test_another_communes_catalogue_is_used(tmp_path, runner):
    path = tmp_path / "xa-khac.toml"
    path.write_text(BUILTIN_TEXT.replace('commune = "xã Xuân Trường"', 'commune = "xã Yên Khánh"')
                    .replace('id = "xuan-truong-2030"', 'id = "yen-khanh-2030"'), encoding="utf-8")
    result = runner.invoke(main, ["--workspace", str(tmp_path), "--catalog", str(path), "catalog", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["catalog"]["id"] == "yen-khanh-2030" and data["catalog"]["commune"] == "xã Yên Khánh"
    assert load_catalog(path).commune == "xã Yên Khánh"


# ----------------------------------------------------------------------------- catalog --json


@pytest.fixture(scope="module")
def catalog_json(tmp_path_factory) -> dict:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["--workspace", str(tmp_path_factory.mktemp("ws")), "catalog", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_catalog_json_metrics_contract(catalog_json):
    metrics = catalog_json["metrics"]
    assert [m["code"] for m in metrics] == CODES
    element_codes = {e["code"] for e in catalog_json["elements"]}
    for metric in metrics:
        plan = BY_CODE[metric["code"]]
        assert {"code", "name", "scale", "operator", "targets", "numerator", "denominator"} <= set(metric)
        assert (metric["indicator"], metric["scale"], metric["lead"]) == \
               (plan.indicator.value, plan.scale.value, plan.lead.value)
        assert set(metric["targets"]) == set(metric["operators"]) == {str(y) for y in YEARS}
        for year in YEARS:
            expected, value = plan.targets[year].value, metric["targets"][str(year)]
            if expected is None:
                assert value is None, (metric["code"], year)
            else:
                assert isinstance(value, (int, float)), (metric["code"], year)
                assert (metric["operators"][str(year)], value) == (expected[0], pytest.approx(expected[1]))
        if metric["numerator"] is None:
            assert metric["denominator"] is None
            assert metric["method"] in ("share_of_schools", "yes_no", "change_vs_previous")
        else:
            assert {metric["numerator"], metric["denominator"]} <= element_codes
            assert metric.get("method", "ratio") == "ratio"
    by_code = {m["code"]: m for m in metrics}
    assert by_code["CT21"]["method"] == "change_vs_previous" and by_code["CT21"]["targets"]["2026"] == 100
    assert by_code["CT13"]["targets"] == {"2026": 98, "2030": 98}
    assert by_code["CT05b"]["targets"] == {"2026": None, "2030": 98}
    assert by_code["CT03a"]["scale"] == "per_mille" and by_code["CT03a"]["operator"] == "<"
    assert by_code["CT01"]["inferred_targets"] == ["2030"] and by_code["CT02"]["inferred_targets"] == []


def test_catalog_json_elements_and_units_contract(catalog_json, catalog):
    elements = catalog_json["elements"]
    assert all({"code", "label", "kind", "unit", "period"} <= set(e) for e in elements)
    by_code = {e["code"]: e for e in elements}
    assert (by_code["child_marriages"]["unit"], by_code["child_marriages"]["period"]) == ("cuộc", "events")
    assert by_code["primary_grade1_cohort"]["period"] == "school_year"
    assert {e["code"] for e in elements} == set(catalog.elements)
    units = {u["id"]: u for u in catalog_json["units"]}
    assert {"vhxh", "kinh-te", "van-phong", "cong-an", "mttq"} <= set(units)
    for unit in units.values():
        assert {"id", "name", "kind", "metrics", "elements"} <= set(unit)
    assert units["mttq"]["metrics"] == [] and units["mttq"]["elements"] == []
    assert units["van-phong"]["metrics"] == ["CT14"]
    assert units["cong-an"]["metrics"] == ["CT09"]
    assert units["kinh-te"]["metrics"] == [] and units["kinh-te"]["elements"]
    schools = [u for u in units.values() if u["kind"] == "school"]
    assert {u["level"] for u in schools} == {"mam-non", "tieu-hoc", "thcs"}
    assert all("ví dụ" in u["name"] for u in schools)


def test_catalog_table_is_readable_vietnamese(runner, tmp_path):
    result = runner.invoke(main, ["--workspace", str(tmp_path), "catalog"])
    assert result.exit_code == 0, result.output
    assert "Mục tiêu 1:" in result.output and "CT24" in result.output
    assert "≥ 90%" in result.output  # CT02's 2026 target as people read it
