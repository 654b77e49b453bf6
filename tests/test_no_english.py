"""No English a user could see (issue 10): every workbook the demo writes and its console output.

Machine codes may stay in clearly secondary places only: a column headed "Mã…" (metric codes,
"Mã đơn vị", "Mã số liệu"), hidden columns (SHA-256) and hidden sheets (ctre_meta). Formulas are
not text a user reads. Figures are named by their Vietnamese label everywhere else.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from ctre_xl.cli import main

# Words of the code and of Python that must never reach a user, and any snake_case identifier
# (element codes such as under5_birth_registered, finding kinds such as not_met).
ENGLISH = ("error", "errors", "warning", "warnings", "true", "false", "none", "null", "nan", "status", "met",
           "not_met", "incomplete", "value", "values", "total", "file", "sheet", "unit", "units", "traceback",
           "exception", "superseded", "accepted", "rejected", "missing")
PATTERN = re.compile(r"(?i)\b(?:" + "|".join(ENGLISH) + r")\b|\b[a-z0-9]+_[a-z0-9_]+\b")
HEADER_ROWS = 15  # where a column's header ("Mã", "Mã số liệu") is looked for


def english_in(text: str) -> list[str]:
    return [m.group(0) for m in PATTERN.finditer(text)]


def _code_columns(sheet) -> set[str]:
    """Columns headed "Mã" or "Mã …": the secondary code columns."""
    return {c.column_letter for row in sheet.iter_rows(max_row=HEADER_ROWS) for c in row
            if isinstance(c.value, str) and (c.value == "Mã" or c.value.startswith("Mã "))}


def english_in_workbook(path: Path) -> list[tuple[str, str, str, str]]:
    """(file, sheet, cell, word) for each English word in a visible cell of ``path``."""
    found = []
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        skipped = _code_columns(sheet) | {k for k, dim in sheet.column_dimensions.items() if dim.hidden}
        for row in sheet.iter_rows():
            for cell in row:
                text = cell.value
                if not isinstance(text, str) or text.startswith("=") or cell.column_letter in skipped:
                    continue
                found += [(path.name, sheet.title, cell.coordinate, word) for word in english_in(text)]
    return found


def test_the_pattern_catches_what_it_should():
    assert english_in("khác nhau: under5_birth_registered: 1.232 → 1.237") == ["under5_birth_registered"]
    assert english_in("Status: not_met (None)") == ["Status", "not_met", "None"]
    assert not english_in("Số trẻ em dưới 5 tuổi đã được đăng ký khai sinh: 1.232 → 1.237 (CT14, mét)")


def test_demo_and_merge_speak_vietnamese(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    runner = CliRunner()
    demo = runner.invoke(main, ["demo", "--workspace", str(root)])
    assert demo.exit_code == 0, demo.output
    merge = runner.invoke(main, ["--workspace", str(root), "merge", "--year", "2026"])
    assert merge.exit_code == 0, merge.output
    for output in (demo.output, merge.output):
        output = output.replace(str(tmp_path), "")  # pytest's folder name is not ours
        assert not [(line, english_in(line)) for line in output.splitlines() if english_in(line)]
    books = sorted((root / "templates").rglob("*.xlsx")) + sorted((root / "outbox").rglob("*.xlsx"))
    assert any(p.name.startswith("kiem-tra") for p in books) and any(p.name.startswith("tong-hop") for p in books)
    found = [hit for path in books for hit in english_in_workbook(path)]
    assert not found, found[:20]
