"""The CLI's options and its one error handler: -h everywhere, global options after the command,
Vietnamese help and usage errors, library errors as one line, no traceback for a program error."""

from __future__ import annotations

import re
import tempfile

import pytest

from ctre_xl.cli import main
from ctre_xl.cli_base import PROGRAM_ERROR_EXIT

COMMANDS = [[], ["init"], ["templates"], ["catalog"], ["merge"], ["demo"]]
CLICK_ENGLISH = ("required", "Usage", "Options", "Commands", "Show this", "Show the version", "default:",
                 "DIRECTORY", "FILE", "INTEGER", "PATH", "TEXT", "Error", "Missing", "exit")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "ctre-xl")
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_on_every_command_is_vietnamese(runner, command, flag):
    result = runner.invoke(main, [*command, flag])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Cách dùng: ")
    assert "Tuỳ chọn:" in result.output and "-h, --help" in result.output
    for english in CLICK_ENGLISH:
        assert english not in result.output, english


@pytest.mark.parametrize("command", COMMANDS[1:], ids=lambda c: c[0])
def test_every_command_takes_the_global_options(runner, command):
    result = runner.invoke(main, [*command, "-h"])
    assert "--workspace" in result.output and "--catalog" in result.output


def test_workspace_after_the_command(runner, tmp_path):
    ws = tmp_path / "xa"
    ws.mkdir()  # --workspace must exist (ctre-xl init creates it)
    result = runner.invoke(main, ["templates", "--workspace", str(ws), "--year", "2027", "--unit", "van-phong"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (ws / "templates" / "2027").iterdir()] == ["van-phong.xlsx"]


def test_the_command_s_workspace_wins_over_the_group_s(runner, tmp_path):
    before, after = tmp_path / "truoc", tmp_path / "sau"
    result = runner.invoke(main, ["--workspace", str(before), "init", "--workspace", str(after)])
    assert result.exit_code == 0, result.output
    assert (after / "don-vi.xlsx").exists() and not before.exists()


def test_catalog_after_the_command(runner, tmp_path):
    missing = tmp_path / "khong-co.toml"
    result = runner.invoke(main, ["catalog", "--workspace", str(tmp_path), "--catalog", str(missing)])
    assert result.exit_code == 2
    assert "khong-co.toml" in result.output and "Traceback" not in result.output


def test_merge_with_options_after_the_command_reports_a_library_error_in_one_line(runner, tmp_path):
    (tmp_path / "trong").mkdir()  # a workspace without inbox/
    result = runner.invoke(main, ["merge", "--workspace", str(tmp_path / "trong"), "--year", "2026"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: Không có thư mục nhận báo cáo")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, expected", [
    (["merge"], "Thiếu tuỳ chọn '--year'"),
    (["merge", "--year", "hai"], "không phải là số hợp lệ"),
    (["merge", "--year", "1999"], "1999 nằm ngoài khoảng từ 2000 đến 2100"),
    (["report", "--year", "2101"], "2101 nằm ngoài khoảng từ 2000 đến 2100"),
    (["merge", "--nam", "2026"], "Không có tuỳ chọn"),
    (["tong-hop"], "Không có lệnh"),
])
def test_usage_errors_are_vietnamese(runner, args, expected):
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert expected in result.output and "Lỗi:" in result.output
    assert not re.search(r"\b(Usage|Error|Try|Missing|No such|is not)\b", result.output), result.output


def test_a_program_error_shows_no_traceback(runner, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("lỗi giả để thử")

    monkeypatch.setattr("ctre_xl.pipeline.run_merge", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    (tmp_path / "ws" / "inbox").mkdir(parents=True)
    result = runner.invoke(main, ["--workspace", str(tmp_path / "ws"), "merge", "--year", "2026"])
    assert result.exit_code == PROGRAM_ERROR_EXIT
    assert "Traceback" not in result.output and "RuntimeError" not in result.output
    assert "Lỗi của chương trình ctre-xl" in result.output
    reports = list(tmp_path.glob("ctre-xl-loi-*.txt"))
    assert len(reports) == 1 and str(reports[0]) in result.output
    assert "RuntimeError: lỗi giả để thử" in reports[0].read_text(encoding="utf-8")
