"""The CLI as a user meets it: version, Vietnamese help, templates for one unit, clear refusals."""

from __future__ import annotations

import openpyxl
import pytest

from ctre_xl import __version__
from ctre_xl.cli import main


def test_version(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"ctre-xl {__version__}"


@pytest.mark.parametrize("args, expected", [
    (["--help"], ["Ba bước mỗi năm", "templates", "merge", "catalog", "init", "Thư mục làm việc"]),
    (["templates", "--help"], ["Tạo biểu mẫu báo cáo", "--year", "Năm báo cáo", "--unit"]),
    (["catalog", "--help"], ["Xem danh mục chỉ tiêu", "--json"]),
])
def test_help_is_vietnamese(runner, args, expected):
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    for text in expected:
        assert text in result.output
    for english in ("Usage:", "Show this message and exit.", "Options:", "Commands:"):
        assert english not in result.output


def test_templates_for_one_unit(runner, tmp_path):
    ws = tmp_path / "xa"
    ws.mkdir()  # --workspace must exist (ctre-xl init creates it)
    result = runner.invoke(main, ["--workspace", str(ws), "templates", "--year", "2027", "--unit", "van-phong"])
    assert result.exit_code == 0, result.output
    folder = ws / "templates" / "2027"
    assert [p.name for p in folder.iterdir()] == ["van-phong.xlsx"]
    assert "Đã tạo 1 biểu mẫu năm 2027" in result.output and "van-phong.xlsx" in result.output
    assert "10/11/2027" in result.output
    workbook = openpyxl.load_workbook(folder / "van-phong.xlsx")
    props = {p.name: p.value for p in workbook.custom_doc_props.props}
    assert props["ctre_unit_id"] == "van-phong" and props["ctre_year"] == "2027"


def test_templates_again_replaces_the_files(runner, tmp_path):
    ws = tmp_path / "xa"
    ws.mkdir()  # --workspace must exist (ctre-xl init creates it)
    args = ["--workspace", str(ws), "templates", "--year", "2026", "--unit", "cong-an"]
    assert runner.invoke(main, args).exit_code == 0
    path = ws / "templates" / "2026" / "cong-an.xlsx"
    path.write_bytes(b"old")
    assert runner.invoke(main, args).exit_code == 0
    assert openpyxl.load_workbook(path).sheetnames[0] == "Thông tin chung"
    assert [p.name for p in path.parent.iterdir()] == ["cong-an.xlsx"]  # no temporary file left


def test_unknown_unit_is_refused_with_the_valid_ids(runner, tmp_path):
    ws = tmp_path / "xa"
    ws.mkdir()  # --workspace must exist (ctre-xl init creates it)
    result = runner.invoke(main, ["--workspace", str(ws), "templates", "--year", "2026", "--unit", "truong-x"])
    assert result.exit_code == 2
    assert "Lỗi: Không có đơn vị “truong-x”" in result.output
    assert "vhxh, kinh-te, van-phong, cong-an, mttq, mn-vi-du, th-vi-du, thcs-vi-du" in result.output
    assert "Traceback" not in result.output
    assert not (ws / "templates" / "2026").exists()


def test_mttq_gets_its_optional_narrative_template(runner, tmp_path):
    result = runner.invoke(main, ["--workspace", str(tmp_path), "templates", "--year", "2026", "--unit", "mttq"])
    assert result.exit_code == 0, result.output
    assert "mttq.xlsx (biểu mẫu ý kiến, không bắt buộc)" in result.output


@pytest.mark.parametrize("year", ["2024", "2031"])
def test_year_outside_the_plan_is_refused(runner, tmp_path, year):
    result = runner.invoke(main, ["--workspace", str(tmp_path), "templates", "--year", year])
    assert result.exit_code == 2
    assert f"Năm {year} nằm ngoài thời gian thực hiện của kế hoạch (2025–2030)" in result.output


def test_year_is_required(runner, tmp_path):
    result = runner.invoke(main, ["--workspace", str(tmp_path), "templates"])
    assert result.exit_code == 2
    assert "--year" in result.output and "Usage:" not in result.output


def test_python_dash_m_runs_the_same_command(tmp_path):
    """`python -m ctre_xl` is the fallback the README gives when `ctre-xl` is not on PATH."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "ctre_xl", "--workspace", str(tmp_path), "catalog"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "CT24" in done.stdout and "Mục tiêu 4" in done.stdout
    usage = subprocess.run([sys.executable, "-m", "ctre_xl", "merge"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "Cách dùng: ctre-xl merge" in usage.stderr
