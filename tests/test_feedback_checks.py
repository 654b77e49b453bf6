"""A feedback workbook stores the check results of the figures it holds, not the blank template's.

Excel recalculates a workbook on opening; LibreOffice shows the stored results of a file written
by another program. A feedback copy written with the blank template's "Chưa nhập" results would
then contradict its own status line, so the stored results are computed from the figures written.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from ctre_xl.cli import main
from ctre_xl.template.checks import NOT_A_NUMBER, pending_text


def test_feedback_copy_stores_the_checks_of_its_own_figures(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "demo" / "outbox" / "2026" / "phan-hoi" / "thcs-xuan-truong.xlsx"
    stored = openpyxl.load_workbook(path, data_only=True)
    body = stored["Số liệu"]
    by_value = {str(body.cell(row, 4).value): body.cell(row, 5).value for row in range(1, body.max_row + 1)}
    assert by_value["3,5"] == NOT_A_NUMBER  # the dropouts typed as "3,5" in the demo
    checks = [body.cell(row, 5).value for row in range(1, body.max_row + 1)]
    assert "Chưa nhập" not in checks  # every required figure of this school was typed
    pending = sum(1 for value in checks if value and value not in ("Kiểm tra",))
    front = stored["Thông tin chung"]
    lines = [cell for row in front.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    assert pending_text(pending) in lines
    assert pending_text(0) not in lines
