"""The MTTQ and the đoàn thể (issue 9 point 7): listed in don-vi.xlsx, an optional narrative template
(results, difficulties, proposals, monitoring opinion), merged into the summary's words, never a rate."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from ctre_xl.cli import main
from ctre_xl.demo.sample import fill_template
from ctre_xl.files import Workspace
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.units import REGISTRY_HEADERS, REGISTRY_SHEET, read_registry_workbook, write_registry_workbook
from ctre_xl.plan.vocab import ElementKind
from ctre_xl.template.layout import NARRATIVE_FIELDS, NARRATIVE_SHEET
from merge_helpers import PREPARER, merge_json

YEAR = 2026
SCHOOL = ("th-xuan-truong", "Trường Tiểu học Xuân Trường", "Tiểu học", "")
WOMEN = ("hoi-phu-nu", "Hội Liên hiệp Phụ nữ xã", "Đoàn thể", "chị Hạnh, 0913 000 111")
YOUTH = ("doan-thanh-nien", "Đoàn Thanh niên xã", "Hội", "")
TEXTS = {
    "report_results": "Tổ chức 4 buổi truyền thông phòng chống xâm hại trẻ em.",
    "report_difficulties": "Thiếu kinh phí cho câu lạc bộ.",
    "report_proposals": "Đề nghị UBND xã bố trí thêm điểm vui chơi.",
    "report_monitoring": "Giám sát tại 2 trường: việc thực hiện Kế hoạch đúng tiến độ.",
}


def write_list(path: Path, rows: list[tuple], *, headers: tuple[str, ...] = REGISTRY_HEADERS,
               sheet: str = REGISTRY_SHEET) -> Path:
    """A don-vi.xlsx as a user types it in Excel (openpyxl, not our writer)."""
    workbook = openpyxl.Workbook()
    workbook.active.title = sheet
    workbook.active.append(list(headers))
    for row in rows:
        workbook.active.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


# ----------------------------------------------------------------------------- don-vi.xlsx


def test_list_with_two_doan_the_gives_organisation_units(catalog: Catalog, tmp_path):
    path = write_list(tmp_path / "don-vi.xlsx", [SCHOOL, WOMEN, YOUTH, ("hoi-nong-dan", "Hội Nông dân xã", "doan the", "")])
    registry = read_registry_workbook(path, catalog)
    women = registry.get("hoi-phu-nu")
    assert women is not None and women.kind == "organisation" and women.narrative and women.elements == ()
    assert women.contact == "chị Hạnh, 0913 000 111"
    assert [u.id for u in registry.organisations] == ["hoi-phu-nu", "doan-thanh-nien", "hoi-nong-dan"]
    # Optional: never among the units expected to send figures; the MTTQ with them.
    assert [u.id for u in registry.optional] == ["mttq", "hoi-phu-nu", "doan-thanh-nien", "hoi-nong-dan"]
    assert not {u.id for u in registry.optional} & {u.id for u in registry.expected}
    assert [u.id for u in registry.schools] == ["th-xuan-truong"]


def test_old_list_of_schools_still_loads(catalog: Catalog, tmp_path):
    """A file written before đoàn thể were listed: sheet "Danh sách trường", header "Tên trường"."""
    old = ("Mã đơn vị", "Tên trường", "Cấp học", "Liên hệ (người phụ trách, điện thoại, email)")
    path = write_list(tmp_path / "don-vi.xlsx", [SCHOOL, ("mn-01", "Trường Mầm non", "MN", "")],
                      headers=old, sheet="Danh sách trường")
    registry = read_registry_workbook(path, catalog)
    assert [u.id for u in registry.schools] == ["th-xuan-truong", "mn-01"]
    assert registry.organisations == () and [u.id for u in registry.optional] == ["mttq"]


def test_unknown_level_names_doan_the_among_the_choices(runner, tmp_path):
    ws = tmp_path / "xa"
    write_list(ws / "don-vi.xlsx", [SCHOOL, ("clb", "Câu lạc bộ", "Câu lạc bộ", "")])
    result = runner.invoke(main, ["--workspace", str(ws), "catalog"])
    assert result.exit_code == 2
    assert "dòng 3: cấp học “Câu lạc bộ” không hợp lệ" in result.output and "Đoàn thể" in result.output


def test_written_list_offers_doan_the_and_reads_back(catalog: Catalog, tmp_path):
    path = write_registry_workbook(tmp_path / "don-vi.xlsx", catalog,
                                   [("th-01", "Trường Tiểu học", "tieu-hoc", ""), ("hoi-ccb", "Hội Cựu chiến binh xã", "doan-the", "")])
    sheet = openpyxl.load_workbook(path)[REGISTRY_SHEET]
    assert sheet["C3"].value == "Đoàn thể" and sheet["B1"].value == "Tên đơn vị"
    choices = [v.formula1 for v in sheet.data_validations.dataValidation if "C2" in str(v.sqref)]
    assert choices and "Đoàn thể" in choices[0] and "Mầm non" in choices[0]
    registry = read_registry_workbook(path, catalog)
    assert registry.get("hoi-ccb").kind == "organisation" and registry.get("th-01").kind == "school"


# ----------------------------------------------------------------------------- the template


@pytest.fixture(scope="module")
def cycle(tmp_path_factory) -> Workspace:
    """A commune with one school and two đoàn thể; `ctre-xl templates --year 2026` run."""
    from click.testing import CliRunner

    root = tmp_path_factory.mktemp("xa")
    write_list(root / "don-vi.xlsx", [SCHOOL, WOMEN, YOUTH])
    result = CliRunner().invoke(main, ["--workspace", str(root), "templates", "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    for unit_id in ("mttq", "hoi-phu-nu", "doan-thanh-nien"):
        assert f"{unit_id}.xlsx (biểu mẫu ý kiến, không bắt buộc)" in result.output
    return Workspace(root)


@pytest.mark.parametrize("unit_id, name", [("mttq", "Ủy ban MTTQ Việt Nam xã"), ("hoi-phu-nu", WOMEN[1]),
                                           ("doan-thanh-nien", YOUTH[1])])
def test_narrative_template_has_four_named_texts_and_metadata(cycle: Workspace, unit_id, name):
    workbook = openpyxl.load_workbook(cycle.templates_dir(YEAR) / f"{unit_id}.xlsx")
    assert workbook.sheetnames == ["Thông tin chung", NARRATIVE_SHEET, "ctre_meta"]
    props = {p.name: p.value for p in workbook.custom_doc_props.props}
    assert props["ctre_unit_id"] == unit_id and props["ctre_unit_name"] == name
    assert props["ctre_year"] == str(YEAR) and props["ctre_format"] == "ctre-xl" and props["ctre_fingerprint"]
    sheet = workbook[NARRATIVE_SHEET]
    assert sheet.protection.sheet and workbook["Thông tin chung"].protection.sheet
    for field, label in NARRATIVE_FIELDS.items():
        (title, reference), = workbook.defined_names[field].destinations
        cell = sheet[reference.replace("$", "")]
        assert title == NARRATIVE_SHEET and cell.protection.locked is False
        assert sheet.cell(cell.row, 1).value == label  # the label beside the text, columns A:C
    assert list(NARRATIVE_FIELDS)[-1] == "report_monitoring"
    assert {"preparer_name", "preparer_phone", "report_date"} <= set(workbook.defined_names)
    assert name in sheet["A2"].value and "không bắt buộc" in " ".join(
        str(c.value) for c in workbook["Thông tin chung"]["A"] if c.value)


def test_figures_templates_do_not_ask_for_the_monitoring_opinion(cycle: Workspace):
    workbook = openpyxl.load_workbook(cycle.templates_dir(YEAR) / "vhxh.xlsx")
    assert "report_monitoring" not in workbook.defined_names and "report_results" in workbook.defined_names


# ----------------------------------------------------------------------------- merge and summary


def _fill_figures(workspace: Workspace, catalog: Catalog, unit_id: str) -> None:
    """Every figure of a unit's template typed (10 each, Có for yes/no): rates of 100 %, rules hold."""
    unit = workspace_registry(workspace, catalog).get(unit_id)
    values = {code: True if catalog.elements[code].kind == ElementKind.YES_NO else 10 for code in unit.elements}
    fill_template(workspace.templates_dir(YEAR) / f"{unit_id}.xlsx", workspace.inbox / f"{unit_id}.xlsx", values,
                  preparer=PREPARER, report_date=date(YEAR, 11, 3))


def workspace_registry(workspace: Workspace, catalog: Catalog):  # noqa: ANN201
    return read_registry_workbook(workspace.registry_path, catalog)


def _summary_opinions(workspace: Workspace) -> list[tuple]:
    sheet = openpyxl.load_workbook(workspace.outbox_dir(YEAR) / f"tong-hop-{YEAR}.xlsx")["Theo đơn vị"]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row[0] and str(row[0]).startswith("Ý kiến của Ủy ban MTTQ"))
    return [(row[1], row[2], row[4]) for row in rows[start + 2:] if row[1]]


def test_narrative_returns_reach_the_summary_and_change_no_metric(cycle: Workspace, catalog: Catalog):
    for unit_id in ("vhxh", "th-xuan-truong"):
        _fill_figures(cycle, catalog, unit_id)
    _code, before, _err = merge_json(cycle, YEAR)

    fill_template(cycle.templates_dir(YEAR) / "hoi-phu-nu.xlsx", cycle.inbox / "phu-nu" / "bao cao.xlsx", {},
                  free_text=TEXTS, preparer={"preparer_name": "Lê Thị Hạnh"}, report_date=date(YEAR, 11, 4))
    fill_template(cycle.templates_dir(YEAR) / "mttq.xlsx", cycle.inbox / "mttq.xlsx", {},
                  free_text={"report_monitoring": "MTTQ đã giám sát 3 cuộc."}, report_date=date(YEAR, 11, 5))
    _code, after, _err = merge_json(cycle, YEAR)

    accepted = {f["path"]: f for f in after["files"]}
    assert accepted["phu-nu/bao cao.xlsx"]["status"] == "accepted" and accepted["phu-nu/bao cao.xlsx"]["unit"] == "hoi-phu-nu"
    assert accepted["mttq.xlsx"]["status"] == "accepted"
    # Never into a rate, a total, a coverage or the list of units expected to report.
    assert after["metrics"] == before["metrics"] and after["totals"] == before["totals"]
    assert after["units"] == before["units"]
    assert not {"mttq", "hoi-phu-nu", "doan-thanh-nien"} & {u["id"] for u in after["units"]}
    assert not [i for i in after["issues"] if i.get("unit") in ("mttq", "hoi-phu-nu") and i["severity"] == "error"]

    opinions = _summary_opinions(cycle)
    women = [(label, text) for name, label, text in opinions if name == WOMEN[1]]
    assert women == [(NARRATIVE_FIELDS[key], text) for key, text in TEXTS.items()]
    assert ("Ủy ban MTTQ Việt Nam xã", NARRATIVE_FIELDS["report_monitoring"], "MTTQ đã giám sát 3 cuộc.") in opinions
    assert not [row for row in opinions if row[0] == YOUTH[1]]  # sent nothing: optional, not listed


def test_blank_narrative_return_is_not_an_opinion_and_changes_nothing(tmp_path, catalog: Catalog, runner):
    root = tmp_path / "xa"
    write_list(root / "don-vi.xlsx", [SCHOOL, WOMEN])
    assert runner.invoke(main, ["--workspace", str(root), "templates", "--year", str(YEAR)]).exit_code == 0
    workspace = Workspace(root)
    _fill_figures(workspace, catalog, "th-xuan-truong")
    _code, before, _err = merge_json(workspace, YEAR)
    fill_template(workspace.templates_dir(YEAR) / "hoi-phu-nu.xlsx", workspace.inbox / "hoi-phu-nu.xlsx", {},
                  preparer={"preparer_name": "Lê Thị Hạnh"}, report_date=date(YEAR, 11, 4))
    _code, after, _err = merge_json(workspace, YEAR)
    assert after["metrics"] == before["metrics"] and after["units"] == before["units"]
    sheet = openpyxl.load_workbook(workspace.outbox_dir(YEAR) / f"tong-hop-{YEAR}.xlsx")["Theo đơn vị"]
    assert WOMEN[1] not in {row[1] for row in sheet.iter_rows(values_only=True)}
