"""A damaged history (lich-su.sqlite): every command still runs on the inbox, and says so.

Fuzzing the file found ``merge``, ``status`` and ``report`` ending with the program-error message
(sqlite's "database disk image is malformed" read outside any guard, a schema version of NULL,
a date that is not one), and ``history import`` too. Now the merge runs on the inbox alone and
its console says the history could not be read and could not be written; the import says in
Vietnamese that nothing was imported.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner
from merge_helpers import deliver, make_workspace, merge_json

from ctre_xl.cli import main
from ctre_xl.files import Workspace
from ctre_xl.history.importer import write_import_sheet
from ctre_xl.history.store import history_path
from ctre_xl.plan.load import load_catalog


def _sql(statement: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        conn = sqlite3.connect(path)
        with conn:
            conn.execute(statement)
        conn.close()
    return damage


def _not_a_database(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\xab" * 8_000)


def _pages_overwritten(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:4096] + b"".join(data[at:at + 2048] + b"\x00" * 2048 for at in range(4096, len(data), 4096)))


DAMAGES: dict[str, Callable[[Path], None]] = {
    "not a database past its header": _not_a_database,
    "half of every page overwritten": _pages_overwritten,
    "a schema version that is not a number": _sql("UPDATE schema_version SET version = 'hỏng'"),
    "a first-seen time that is not a date": _sql("UPDATE files SET first_seen = 'hôm qua'"),
    "a figure that is not a number": _sql("UPDATE figures SET value = 'nhiều' WHERE year = 2025"),
}
ENGLISH = ("Traceback", "Lỗi của chương trình", "malformed", "database", "Error")


@pytest.fixture
def merged(tmp_path: Path) -> Workspace:
    """Two years merged: a history with last year's figures and the files' first sightings."""
    workspace = make_workspace(tmp_path / "xa", (2025, 2026))
    for year in (2025, 2026):
        deliver(workspace, "vhxh", year, f"{year}/vhxh.xlsx", {"child_marriages": 4, "children_total": 4800},
                report_date=date(year, 11, 1))
        assert merge_json(workspace, year)[0] in (0, 1)
    return workspace


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_merge_status_and_report_run_on_the_inbox_and_say_the_history_is_unreadable(damage: str,
                                                                                   merged: Workspace) -> None:
    DAMAGES[damage](history_path(merged))
    code, data, _err = merge_json(merged, 2026)
    assert code in (0, 1)
    assert data["outputs"]["summary"].endswith("tong-hop-2026.xlsx") and Path(data["outputs"]["summary"]).is_file()
    notices = " ".join(data["notices"])
    assert "lich-su.sqlite" in notices and ("Không đọc được lịch sử số liệu" in notices
                                            or "Không ghi được lịch sử số liệu" in notices), notices
    runner = CliRunner()
    for command in (["status", "--year", "2026"], ["report", "--year", "2026"]):
        DAMAGES[damage](history_path(merged))  # as damaged as before the merge, whatever it wrote
        result = runner.invoke(main, ["--workspace", str(merged.root), *command])
        assert result.exit_code in (0, 1), result.output
        assert "Lưu ý: Không đọc được lịch sử số liệu lich-su.sqlite" in result.output, result.output
        assert not any(word in result.output for word in ENGLISH), result.output


@pytest.mark.parametrize("damage", ["not a database past its header", "a schema version that is not a number"])
def test_history_import_into_a_damaged_history_says_nothing_was_imported(damage: str, merged: Workspace) -> None:
    import openpyxl

    runner = CliRunner()
    write_import_sheet(merged.root / "cu.xlsx", load_catalog())  # the blank sheet "ctre-xl init" makes
    book = openpyxl.load_workbook(merged.root / "cu.xlsx")
    book.active.append(["CT13", 2023, 6])
    book.save(merged.root / "cu.xlsx")
    DAMAGES[damage](history_path(merged))
    result = runner.invoke(main, ["--workspace", str(merged.root), "history", "import", str(merged.root / "cu.xlsx")])
    assert result.exit_code == 2, result.output
    assert "Không ghi được vào lịch sử số liệu lich-su.sqlite" in result.output
    assert "Chưa nhập số liệu nào từ cu.xlsx" in result.output
    assert not any(word in result.output for word in ENGLISH), result.output
