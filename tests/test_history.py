"""The history (lich-su.sqlite): three years merged from generated returns, last year's files
deleted without loss, the file rebuilt when missing, first-seen times as on-time evidence."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from merge_helpers import deliver, make_workspace, merge_json, metric

from ctre_xl.files import Workspace
from ctre_xl.history.store import (IMPORT, MERGE, SCHEMA_VERSION, history_path, merged_years, metric_series,
                                   open_history, previous_contributions, record_import, schema_version)
from ctre_xl.merge.merge import merge_inbox
from ctre_xl.merge.returns import FILE_TIME, FIRST_SEEN, sent_on
from ctre_xl.plan.load import load_catalog
from ctre_xl.plan.units import load_registry
from ctre_xl.read.model import Submission

YEARS = (2025, 2026, 2027)
# vhxh's own figures each year: child marriages (CT13), places to play (CT21), abused children
# (a jump of more than 50 % from 2026 to 2027: the year-on-year check).
VHXH = {2025: {"child_marriages": 5, "culture_play_places": 8, "children_abused": 10, "children_total": 4800},
        2026: {"child_marriages": 4, "culture_play_places": 9, "children_abused": 12, "children_total": 4810},
        2027: {"child_marriages": 4, "culture_play_places": 8, "children_abused": 30, "children_total": 4820}}


def _deliver_year(workspace: Workspace, year: int) -> None:
    deliver(workspace, "vhxh", year, f"{year}/vhxh.xlsx", VHXH[year], report_date=date(year, 11, 1))
    deliver(workspace, "van-phong", year, f"{year}/van-phong.xlsx", {"under5_birth_registered": 1200 + year % 10},
            report_date=date(year, 11, 2))


def _year_on_year(data: dict) -> tuple:
    """What depends on last year: CT13 and CT21 (value, target, status, change) and the jump findings."""
    picked = tuple((m["code"], m["value"], m["target"], m["status"], m.get("change"))
                   for m in data["metrics"] if m["code"] in ("CT13", "CT21"))
    jumps = sorted((i["file"], i["cell"], i["message"]) for i in data["issues"] if i["kind"] == "jump")
    return picked, jumps


@pytest.fixture(scope="module")
def three_years(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict[int, dict]]:
    workspace = make_workspace(tmp_path_factory.mktemp("history"), YEARS)
    for year in YEARS:
        _deliver_year(workspace, year)
    answers = {}
    for year in YEARS:
        code, answers[year], _err = merge_json(workspace, year)
        assert code in (0, 1)
    return workspace, answers


def test_every_merge_is_recorded(three_years: tuple[Workspace, dict[int, dict]]) -> None:
    workspace, answers = three_years
    conn = open_history(history_path(workspace))
    assert schema_version(conn) == SCHEMA_VERSION and merged_years(conn) == list(YEARS)
    series = metric_series(conn, "CT13")
    assert [(p.year, p.value, p.source) for p in series] == [(2025, 5, MERGE), (2026, 4, MERGE), (2027, 4, MERGE)]
    assert previous_contributions(conn, 2027)["child_marriages"] == {"vhxh": 4}
    figures = conn.execute("SELECT unit, value, file, sheet, cell FROM figures "
                           "WHERE year = 2026 AND element = 'culture_play_places'").fetchall()
    assert figures[0][:3] == ("vhxh", 9, "2026/vhxh.xlsx") and figures[0][3] and figures[0][4]
    ct21 = metric_series(conn, "CT21")[1]
    assert (ct21.status, ct21.target) == (metric(answers[2026], "CT21")["status"], 8)
    conn.close()


def test_merging_a_year_again_replaces_only_that_year(three_years: tuple[Workspace, dict[int, dict]]) -> None:
    workspace, _answers = three_years
    conn = open_history(history_path(workspace))
    before = {year: conn.execute("SELECT COUNT(*) FROM figures WHERE year = ?", (year,)).fetchone()[0]
              for year in YEARS}
    seen = dict(conn.execute("SELECT path, first_seen FROM files WHERE merge_year = 2027"))
    conn.close()
    merge_json(workspace, 2027)
    conn = open_history(history_path(workspace))
    assert {year: conn.execute("SELECT COUNT(*) FROM figures WHERE year = ?", (year,)).fetchone()[0]
            for year in YEARS} == before
    assert dict(conn.execute("SELECT path, first_seen FROM files WHERE merge_year = 2027")) == seen
    conn.close()


def test_deleting_last_years_files_loses_nothing(three_years: tuple[Workspace, dict[int, dict]]) -> None:
    workspace, answers = three_years
    assert _year_on_year(answers[2027])[1], "the 2027 jump is found"
    for year in (2025, 2026):
        for path in (workspace.inbox / str(year)).iterdir():
            path.unlink()
        _code, again, _err = merge_json(workspace, year + 1)
        assert _year_on_year(again) == _year_on_year(answers[year + 1])
        assert metric(again, "CT13")["target"] is not None


def test_history_rebuilt_from_the_inbox_when_missing(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, YEARS[:2])
    for year in YEARS[:2]:
        _deliver_year(workspace, year)
    merge_json(workspace, 2026)
    conn = open_history(history_path(workspace))
    assert merged_years(conn) == [2025, 2026]  # 2025 merged again from its files in the inbox
    conn.close()
    history_path(workspace).unlink()
    merge_json(workspace, 2025)
    conn = open_history(history_path(workspace))
    assert merged_years(conn) == [2025, 2026]
    assert [p.value for p in metric_series(conn, "CT21")] == [8, 9]
    conn.close()


def test_series_prefers_a_merge_to_an_import(tmp_path: Path) -> None:
    conn = open_history(tmp_path / "h.sqlite")
    record_import(conn, [(2024, "CT13", 6.0, None, None, 2), (2025, "CT13", 7.0, None, None, 3)], "cu.xlsx")
    conn.execute("INSERT INTO metrics VALUES (2025, 'CT13', 5, NULL, NULL, 'baseline', 1, 1, NULL, 2026)")
    conn.commit()
    assert [(p.year, p.value, p.source) for p in metric_series(conn)] == [(2024, 6.0, IMPORT), (2025, 5.0, MERGE)]
    conn.close()


def test_an_older_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    sqlite3.connect(path).close()  # an empty file: version 0
    conn = open_history(path)
    assert schema_version(conn) == SCHEMA_VERSION
    conn.close()


def _submission(modified: datetime, first_seen: datetime | None) -> Submission:
    return Submission(path="a.xlsx", sha256="x", modified=modified.timestamp(), unit="vhxh", year=2026, meta={},
                      first_seen=first_seen)


def test_first_seen_is_evidence_when_the_units_own_date_is_missing() -> None:
    copied = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)  # the inbox copied to another computer
    seen = datetime(2026, 11, 5, 8, tzinfo=timezone.utc)
    assert sent_on(_submission(copied, seen)) == (seen.astimezone().date(), FIRST_SEEN)
    assert sent_on(_submission(copied, None)) == (copied.astimezone().date(), FILE_TIME)
    assert sent_on(_submission(seen, copied)).evidence == FILE_TIME  # the earlier time is the better one


def test_merge_takes_first_seen_from_the_history(three_years: tuple[Workspace, dict[int, dict]]) -> None:
    workspace, _answers = three_years
    conn = open_history(history_path(workspace))
    sha, when = conn.execute("SELECT sha256, first_seen FROM files WHERE path = '2027/vhxh.xlsx'").fetchone()
    conn.close()
    catalog = load_catalog()
    earlier = datetime.fromisoformat(when) - timedelta(days=30)
    result = merge_inbox(catalog, load_registry(workspace.root, catalog), workspace, 2027,
                         first_seen={sha: earlier})
    assert result.submissions["vhxh"].first_seen == earlier


def test_history_import_of_good_and_bad_rows(tmp_path: Path) -> None:
    import openpyxl
    from click.testing import CliRunner

    from ctre_xl.cli import main
    from ctre_xl.history.importer import IMPORT_FILE, IMPORT_SHEET

    runner = CliRunner()
    assert runner.invoke(main, ["init", "--workspace", str(tmp_path)]).exit_code == 0
    catalog = load_catalog()
    ct14 = catalog.metric_by_code["CT14"].name
    book = openpyxl.load_workbook(tmp_path / IMPORT_FILE)
    sheet = book[IMPORT_SHEET]
    rows = [("CT13", 2023, 6), ("ct 05a", 2024, None, 190, 200), ("XX99", 2024, 1), ("CT13", "năm ngoái", 2),
            ("CT14", 2024, "khoảng 90"), ("CT14", 2023, None), ("CT13", 2023, 7), (ct14, "2022", "98,5")]
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(number, column, value)
    book.save(tmp_path / "cu.xlsx")
    outcome = runner.invoke(main, ["--workspace", str(tmp_path), "history", "import", str(tmp_path / "cu.xlsx")])
    assert outcome.exit_code == 1, outcome.output
    assert "Đã nhập 3 số liệu (năm 2022–2024)" in outcome.output
    for row in (4, 5, 6, 7, 8):
        assert f"dòng {row}:" in outcome.output
    assert "“XX99”" in outcome.output and "đã có ở dòng 2" in outcome.output
    conn = open_history(history_path(tmp_path))
    assert [(p.year, p.code, p.value, p.source) for p in metric_series(conn)] == [
        (2024, "CT05a", pytest.approx(95.0), IMPORT), (2023, "CT13", 6.0, IMPORT), (2022, "CT14", 98.5, IMPORT)]
    conn.close()
    missing = runner.invoke(main, ["--workspace", str(tmp_path), "history", "import", str(tmp_path / "khong.xlsx")])
    assert missing.exit_code == 2 and "Không thấy tệp" in missing.output


def test_a_history_another_program_is_writing_becomes_a_notice_and_the_outputs_are_written(tmp_path: Path) -> None:
    """A history locked for writing by another program (DB Browser, a second merge): recording the
    year fails after SQLite's wait, the outputs stand, and the merge says so."""
    workspace = make_workspace(tmp_path / "xa", (2026,))
    _deliver_year(workspace, 2026)
    assert merge_json(workspace, 2026)[0] in (0, 1)
    other = sqlite3.connect(history_path(workspace))
    other.execute("BEGIN IMMEDIATE")  # readers go on; no one else writes until it ends
    try:
        code, data, err = merge_json(workspace, 2026)
    finally:
        other.rollback()
        other.close()
    assert code in (0, 1), err
    assert Path(data["outputs"]["summary"]).is_file()
    assert any(notice.startswith("Không ghi được lịch sử số liệu lich-su.sqlite: tệp bị hỏng, không phải tệp lịch "
                                 "sử của ctre-xl, hoặc đang bị chương trình khác khoá") for notice in data["notices"])
    conn = open_history(history_path(workspace))
    assert merged_years(conn) == [2026] and not conn.in_transaction
    conn.close()
