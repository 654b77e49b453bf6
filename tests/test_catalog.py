"""The built-in catalogue against the plan (indicators.md), bad catalogues, and `catalog --json`."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from ctre_xl.plan.catalog import BUILTIN_CATALOG, is_valid_excel_name, load_catalog
from ctre_xl.cli import main

INDICATORS_MD = Path(__file__).resolve().parents[1].parent / "shared" / "plan" / "indicators.md"
OPERATOR_SIGNS = {"≥": ">=", "≤": "<=", "<": "<", "=": "=", ">": ">"}
# The md's "led / fed by" column, as the catalogue's `lead` ids.
SCHOOL_LEADS = {"kindergartens": "mam-non", "primary": "tieu-hoc", "lower secondary": "thcs"}


def _plan_metrics() -> dict[str, dict]:
    """Parse the metrics table of indicators.md on its own (not through the catalogue code)."""
    if not INDICATORS_MD.exists():
        pytest.skip(f"{INDICATORS_MD} not available")
    found: dict[str, dict] = {}
    for line in INDICATORS_MD.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| CT"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        code, _name, measure, t2026, t2030, lead = cells
        first = _target(t2026)
        second = first if t2030.strip() == "same" else _target(t2030)
        found[code] = {"measure": measure, "scale": _scale(measure), "lead": _lead(lead),
                       2026: first, 2030: second}
    return found


def _target(text: str) -> dict | None:
    """"≥ 90" -> {op, value}; "—" -> None; relative targets get method change_vs_previous."""
    text = text.strip()
    if text == "—":
        return None
    sign = text[0]
    operator = OPERATOR_SIGNS[sign]
    if "(*)" in text:
        operator = "<="  # the plan's "reduce to" whose sign was lost: read as ≤
    rest = text[1:].strip()
    if "previous year" in rest:
        number = re.match(r"([\d.]+)\s*%", rest)
        return {"op": operator, "value": float(number.group(1)) if number else 100.0,
                "method": "change_vs_previous"}
    if rest.startswith("Đạt"):
        return {"op": operator, "value": 1.0}
    number = re.match(r"[\d.]+", rest)
    assert number, f"unreadable target {text!r} in indicators.md"
    return {"op": operator, "value": float(number.group(0))}  # "< 5 rural, < 10 urban": rural


def _scale(measure: str) -> str:
    if "‰" in measure or "per 1,000" in measure:
        return "per_mille"
    if "per 100,000" in measure:
        return "per_100000"
    if measure.startswith("number of"):
        return "count"
    if measure.startswith("yes/no"):
        return "yes_no"
    assert measure.startswith("%"), measure
    return "percent"


def _lead(text: str) -> str:
    if text.startswith("schools"):
        for words, level in SCHOOL_LEADS.items():
            if f"({words})" in text:
                return level
        return "schools"
    return text.split()[0]


@pytest.fixture(scope="module")
def plan() -> dict[str, dict]:
    return _plan_metrics()


def test_all_34_metrics_with_the_plans_codes_in_order(catalog, plan):
    assert len(plan) == 34
    assert [m.code for m in catalog.metrics] == list(plan)


def test_targets_operators_scales_and_leads_match_the_plan(catalog, plan):
    mismatches = []
    for metric in catalog.metrics:
        expected = plan[metric.code]
        if metric.scale != expected["scale"]:
            mismatches.append(f"{metric.code} scale {metric.scale} != {expected['scale']}")
        if metric.lead != expected["lead"]:
            mismatches.append(f"{metric.code} lead {metric.lead} != {expected['lead']}")
        for year in (2026, 2030):
            target = expected[year]
            if target is None:
                if metric.targets.get(year) is not None:
                    mismatches.append(f"{metric.code} {year}: plan has no target, catalogue {metric.targets[year]}")
                continue
            if metric.targets.get(year) != pytest.approx(target["value"]):
                mismatches.append(f"{metric.code} {year}: target {metric.targets.get(year)} != {target['value']}")
            if metric.operators.get(year) != target["op"]:
                mismatches.append(f"{metric.code} {year}: operator {metric.operators.get(year)} != {target['op']}")
            if target.get("method") and metric.method != target["method"]:
                mismatches.append(f"{metric.code}: method {metric.method} != {target['method']}")
    assert not mismatches, "\n".join(mismatches)


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
}


@pytest.mark.parametrize("problem", list(BAD_CATALOGUES))
def test_bad_catalogue_is_refused_naming_the_problem(problem, tmp_path, runner):
    (old, new), expected = BAD_CATALOGUES[problem]
    assert old in BUILTIN_TEXT
    path = tmp_path / "xa-khac.toml"
    path.write_text(BUILTIN_TEXT.replace(old, new), encoding="utf-8")
    result = runner.invoke(main, ["--workspace", str(tmp_path / "ws"), "--catalog", str(path), "catalog"])
    assert result.exit_code == 2, result.output
    assert "Lỗi: Danh mục chỉ tiêu" in result.output and "không hợp lệ" in result.output
    assert str(path) in result.output
    assert expected in result.output
    assert "Traceback" not in result.output


def test_unreadable_catalogue_names_the_file(tmp_path, runner):
    path = tmp_path / "hong.toml"
    path.write_text("[catalog\nid = 1", encoding="utf-8")
    result = runner.invoke(main, ["--workspace", str(tmp_path), "--catalog", str(path), "catalog"])
    assert result.exit_code == 2
    assert "hong.toml" in result.output and "TOML" in result.output


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


def test_catalog_json_metrics_contract(catalog_json, plan):
    metrics = catalog_json["metrics"]
    assert [m["code"] for m in metrics] == list(plan)
    element_codes = {e["code"] for e in catalog_json["elements"]}
    for metric in metrics:
        assert {"code", "name", "scale", "operator", "targets", "numerator", "denominator"} <= set(metric)
        assert set(metric["targets"]) == {"2026", "2030"}
        for year in ("2026", "2030"):
            expected = plan[metric["code"]][int(year)]
            value = metric["targets"][year]
            assert (value is None) == (expected is None), (metric["code"], year)
            assert value is None or isinstance(value, (int, float))
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


def test_catalog_json_elements_and_units_contract(catalog_json, catalog):
    elements = catalog_json["elements"]
    assert all({"code", "label", "kind"} <= set(e) for e in elements)
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
