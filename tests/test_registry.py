"""The units registry: `init` creates don-vi.xlsx, 40 schools give 40 templates, bad rows are named."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ctre_xl.cli import main
from ctre_xl.plan.units import EXAMPLE_SCHOOLS, REGISTRY_HEADERS, REGISTRY_SHEET

# Every department gets a template: the MTTQ its optional narrative one (tests/test_narrative.py).
DEPARTMENTS_WITH_TEMPLATES = ["vhxh", "kinh-te", "van-phong", "cong-an", "mttq"]
LEVEL_SPELLINGS = ["Mầm non", "Tiểu học", "THCS", "mầm non", "tieu hoc", "Trung học cơ sở"]
LEVEL_IDS = {"Mầm non": "mam-non", "mầm non": "mam-non", "Tiểu học": "tieu-hoc", "tieu hoc": "tieu-hoc",
             "THCS": "thcs", "Trung học cơ sở": "thcs"}


def write_don_vi(path: Path, rows: list[tuple]) -> Path:
    """A don-vi.xlsx as a user would type it in Excel (written with openpyxl, not our writer)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = REGISTRY_SHEET
    sheet.append(list(REGISTRY_HEADERS))
    for row in rows:
        sheet.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def forty_schools() -> list[tuple[str, str, str, str]]:
    return [(f"truong-{n:02d}", f"Trường số {n} xã Xuân Trường", LEVEL_SPELLINGS[n % len(LEVEL_SPELLINGS)],
             f"Cô Nguyễn Thị {n}, 09{n:08d}") for n in range(1, 41)]


def test_init_creates_the_list_of_schools_and_keeps_it(runner, tmp_path):
    ws = tmp_path / "xa"
    result = runner.invoke(main, ["--workspace", str(ws), "init"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo don-vi.xlsx" in result.output
    for folder in ("templates", "inbox", "outbox"):
        assert (ws / folder).is_dir()
    workbook = openpyxl.load_workbook(ws / "don-vi.xlsx")
    sheet = workbook[REGISTRY_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == REGISTRY_HEADERS
    assert [r[0] for r in rows[1:]] == [s[0] for s in EXAMPLE_SCHOOLS]
    assert all("(ví dụ)" in r[1] for r in rows[1:])
    # The user's edits are never overwritten by a second init.
    write_don_vi(ws / "don-vi.xlsx", [("mn-hoa-sen", "Trường Mầm non Hoa Sen", "Mầm non", "")])
    again = runner.invoke(main, ["--workspace", str(ws), "init"])
    assert again.exit_code == 0 and "giữ nguyên" in again.output
    assert openpyxl.load_workbook(ws / "don-vi.xlsx").active["A2"].value == "mn-hoa-sen"


def test_init_list_is_read_back_as_the_example_schools(runner, tmp_path):
    ws = tmp_path / "xa"
    assert runner.invoke(main, ["--workspace", str(ws), "init"]).exit_code == 0
    result = runner.invoke(main, ["--workspace", str(ws), "templates", "--year", "2026"])
    assert result.exit_code == 0, result.output
    written = sorted(p.stem for p in (ws / "templates" / "2026").glob("*.xlsx"))
    assert written == sorted(DEPARTMENTS_WITH_TEMPLATES + [s[0] for s in EXAMPLE_SCHOOLS])


def test_forty_schools_give_forty_school_templates_plus_the_departments(runner, tmp_path):
    ws = tmp_path / "xa"
    schools = forty_schools()
    write_don_vi(ws / "don-vi.xlsx", schools)
    result = runner.invoke(main, ["--workspace", str(ws), "templates", "--year", "2026"])
    assert result.exit_code == 0, result.output
    folder = ws / "templates" / "2026"
    written = sorted(p.stem for p in folder.glob("*.xlsx"))
    assert written == sorted(DEPARTMENTS_WITH_TEMPLATES + [s[0] for s in schools])
    assert "Đã tạo 45 biểu mẫu" in result.output and "mttq.xlsx (biểu mẫu ý kiến, không bắt buộc)" in result.output
    assert not list(folder.glob(".~tmp-*")), "temporary files left behind"
    for code, name, level, _contact in schools[:6]:  # one of each spelling
        workbook = openpyxl.load_workbook(folder / f"{code}.xlsx")
        props = {p.name: p.value for p in workbook.custom_doc_props.props}
        assert props["ctre_unit_id"] == code and props["ctre_unit_name"] == name
        assert props["ctre_unit_level"] == LEVEL_IDS[level]
        assert workbook["Thông tin chung"]["B5"].value == name


def test_catalog_lists_the_users_schools(runner, tmp_path):
    ws = tmp_path / "xa"
    write_don_vi(ws / "don-vi.xlsx", forty_schools())
    result = runner.invoke(main, ["--workspace", str(ws), "catalog"])
    assert result.exit_code == 0, result.output
    assert "truong-40" in result.output and "mn-vi-du" not in result.output


GOOD = ("mn-hoa-sen", "Trường Mầm non Hoa Sen", "Mầm non", "")
BAD_ROWS = {
    "unknown level": ([GOOD, ("dh-01", "Trường Đại học", "Đại học", "")], 3, "cấp học “Đại học” không hợp lệ"),
    "empty level": ([("th-01", "Trường Tiểu học", "", "")], 2, "cấp học trống không hợp lệ"),
    "duplicate code": ([GOOD, ("th-01", "Trường Tiểu học", "Tiểu học", ""), ("MN-HOA-SEN", "Trường khác", "THCS", "")],
                       4, "bị trùng với dòng 2"),
    "code of a department": ([GOOD, ("vhxh", "Trường gì đó", "THCS", "")], 3, "bị trùng với Phòng Văn hoá"),
    "empty name": ([GOOD, GOOD[:1] + ("",) + GOOD[2:]], 3, "thiếu tên đơn vị"),
    "empty code": ([(None, "Trường Tiểu học", "Tiểu học", "")], 2, "thiếu mã đơn vị"),
    "code with spaces": ([("th xuan truong", "Trường Tiểu học", "Tiểu học", "")], 2, "chỉ được gồm chữ không dấu"),
    "code with diacritics": ([GOOD, ("th-xuân-trường", "Trường Tiểu học", "Tiểu học", "")], 3,
                             "chỉ được gồm chữ không dấu"),
}


@pytest.mark.parametrize("problem", list(BAD_ROWS))
def test_bad_row_is_refused_naming_the_row(problem, runner, tmp_path):
    rows, row_number, expected = BAD_ROWS[problem]
    ws = tmp_path / "xa"
    write_don_vi(ws / "don-vi.xlsx", rows)
    result = runner.invoke(main, ["--workspace", str(ws), "templates", "--year", "2026"])
    assert result.exit_code == 2, result.output
    assert f"don-vi.xlsx, trang “{REGISTRY_SHEET}”, dòng {row_number}:" in result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not (ws / "templates" / "2026").exists() or not list((ws / "templates" / "2026").iterdir())


def test_every_bad_row_is_reported_at_once(runner, tmp_path):
    ws = tmp_path / "xa"
    write_don_vi(ws / "don-vi.xlsx", [("a b", "Trường A", "Mầm non", ""), ("th-01", "", "Đại học", "")])
    result = runner.invoke(main, ["--workspace", str(ws), "catalog"])
    assert result.exit_code == 2
    assert "dòng 2:" in result.output and "dòng 3: thiếu tên đơn vị" in result.output
    assert "dòng 3: cấp học “Đại học”" in result.output


def test_list_without_level_column_is_refused(runner, tmp_path):
    ws = tmp_path / "xa"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Mã đơn vị", "Tên trường"])
    workbook.active.append(["th-01", "Trường Tiểu học"])
    ws.mkdir()
    workbook.save(ws / "don-vi.xlsx")
    result = runner.invoke(main, ["--workspace", str(ws), "templates", "--year", "2026"])
    assert result.exit_code == 2
    assert "dòng 1: thiếu cột Cấp học" in result.output


def test_a_file_that_is_not_xlsx_is_refused(runner, tmp_path):
    ws = tmp_path / "xa"
    ws.mkdir()
    (ws / "don-vi.xlsx").write_text("mã,tên,cấp\n", encoding="utf-8")
    result = runner.invoke(main, ["--workspace", str(ws), "templates", "--year", "2026"])
    assert result.exit_code == 2
    assert "Không mở được danh sách đơn vị don-vi.xlsx" in result.output
