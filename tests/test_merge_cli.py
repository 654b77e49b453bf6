"""`ctre-xl merge` as a user runs it: exit codes, the console summary, the progress bar, kiem-tra.xlsx."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from merge_helpers import deliver, make_workspace, merge_json, snapshot
from openpyxl import load_workbook
from test_bad_inputs import CATALOG, GOOD, REPORT_DAY, TH_FILE, YEAR, good_values

import ctre_xl.cli as cli
from ctre_xl.cli import main
from ctre_xl.files import Workspace
from ctre_xl.merge.reading import PARALLEL_FROM
from ctre_xl.read.model import CellValue


@pytest.fixture(scope="module")
def good_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "ws"
    workspace = make_workspace(root, (YEAR,))
    for unit, (relative, values) in GOOD.items():
        deliver(workspace, unit, YEAR, relative, values, report_date=REPORT_DAY)
    return root


@pytest.fixture
def root(good_root, tmp_path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(good_root, copy)
    return copy


def run(root: Path, *args: str):  # noqa: ANN201 - click's Result
    return CliRunner().invoke(main, ["--workspace", str(root), *args])


def with_error(root: Path) -> None:
    deliver(Workspace(root), "th-vi-du", YEAR, TH_FILE, good_values("th-vi-du", primary_dropouts=-2),
            report_date=REPORT_DAY)


def test_a_clean_merge_exits_0_and_says_where_the_results_are(root):
    outcome = run(root, "merge", "--year", str(YEAR))
    assert outcome.exit_code == 0, outcome.output
    text = outcome.stdout
    assert f"Tổng hợp báo cáo năm {YEAR}" in text
    assert f"Tệp đã đọc: {len(GOOD)} — hợp lệ: {len(GOOD)}, bị từ chối: 0" in text
    assert "Lỗi: 0, cảnh báo: 0." in text
    assert f"Đơn vị đã nộp: {len(GOOD)}/{len(GOOD)}" in text
    assert str(root / "outbox" / str(YEAR) / f"kiem-tra-{YEAR}.xlsx") in text


def test_errors_exit_0_normally_and_1_with_strict(root):
    with_error(root)
    normal = run(root, "merge", "--year", str(YEAR))
    assert normal.exit_code == 0
    assert "Lỗi: 1" in normal.stdout and f"{TH_FILE}, trang “Số liệu”, ô D" in normal.stdout
    strict = run(root, "merge", "--year", str(YEAR), "--strict")
    assert strict.exit_code == 1 and "Lỗi: 1" in strict.stdout
    code, data, _ = merge_json(Workspace(root), YEAR, "--strict")
    assert code == 1 and [i["kind"] for i in data["issues"]] == ["negative"]


@pytest.mark.parametrize("args, fragment", [
    (["merge", "--year", "hai nghìn"], "--year"),
    (["merge"], "--year"),
    (["merge", "--year", "2026", "--khong-co"], "--khong-co"),
])
def test_usage_problems_exit_2(root, args, fragment):
    outcome = run(root, *args)
    assert outcome.exit_code == 2 and fragment in outcome.stderr


def test_an_unusable_outbox_or_missing_inbox_exits_2_with_a_vietnamese_message(root, tmp_path):
    shutil.rmtree(root / "outbox")
    (root / "outbox").write_text("không phải thư mục")
    outcome = run(root, "merge", "--year", str(YEAR))
    assert outcome.exit_code == 2 and outcome.stderr.startswith("Lỗi: ") and "outbox" in outcome.stderr
    empty = tmp_path / "khong-co-inbox"
    empty.mkdir()
    outcome = run(empty, "merge", "--year", str(YEAR))
    assert outcome.exit_code == 2 and "inbox" in outcome.stderr


class _TerminalStderr:
    """The current sys.stderr, claiming to be a terminal so that the CLI shows its progress bar."""

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(sys.stderr, name)

    def isatty(self) -> bool:
        return True


def test_progress_bar_over_many_files_leaves_the_summary_intact(root, monkeypatch):
    source = root / "inbox" / TH_FILE
    for number in range(PARALLEL_FROM):  # enough files for the two-process reader
        copy = root / "inbox" / "gui nhieu lan" / f"lan {number:02d}.xlsx"
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(source, copy)
    before = snapshot(root / "inbox")
    plain = run(root, "merge", "--year", str(YEAR))
    monkeypatch.setattr(cli, "sys", SimpleNamespace(stderr=_TerminalStderr(), exit=sys.exit))
    shown = run(root, "merge", "--year", str(YEAR))
    assert shown.exit_code == plain.exit_code == 0
    assert shown.stdout == plain.stdout
    total = len(GOOD) + PARALLEL_FROM
    assert "Đang đọc tệp" in shown.stderr and f"{total}/{total}" in shown.stderr
    assert f"bị thay thế: {PARALLEL_FROM}" in plain.stdout
    assert snapshot(root / "inbox") == before
    monkeypatch.undo()
    _, parallel, _ = merge_json(Workspace(root), YEAR)
    monkeypatch.setattr("ctre_xl.merge.reading.PARALLEL_FROM", 10_000)  # one process: the same result
    _, sequential, _ = merge_json(Workspace(root), YEAR)
    assert parallel == sequential


@pytest.mark.parametrize("raw", [12.0, "1.234", "=1+2", None, True, "Tổng hợp"])
def test_a_figure_crosses_from_a_reading_worker_whole(raw):
    """Figures come back from the reading workers pickled (``CellValue.__reduce__``: a constructor
    call); every field and kind of raw content arrives as it left."""
    figure = CellValue("tre_em_du_tiem", 12.0 if raw is not None else None, raw, "Số liệu", "D7")
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(figure, protocol))
        assert back == figure and type(back.raw) is type(raw) and back.cell == "D7"
    assert copy.copy(figure) == figure
    assert len(figure.__reduce__()[1]) == len(dataclasses.fields(CellValue))  # a new field is pickled too


def test_the_findings_workbook_lists_every_finding_errors_first_as_text(root):
    with_error(root)
    (root / "inbox" / "=HYPERLINK(1).xlsx").write_bytes(b"")  # a hostile name stays text
    deliver(Workspace(root), "cong-an", YEAR, GOOD["cong-an"][0], GOOD["cong-an"][1])  # no report date: warning
    code, data, _ = merge_json(Workspace(root), YEAR)
    path = Path(data["outputs"]["findings"])
    assert path == root / "outbox" / str(YEAR) / f"kiem-tra-{YEAR}.xlsx"
    sheet = load_workbook(path).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert rows[0] == ["Tệp", "Đơn vị", "Trang", "Ô", "Số liệu, chỉ tiêu", "Mức độ", "Nội dung", "Mã"]
    body = rows[1:]
    assert len(body) == len(data["issues"]) == 3
    assert [r[5] for r in body] == ["Lỗi", "Lỗi", "Cảnh báo"]
    assert {r[0] for r in body} == {"=HYPERLINK(1).xlsx", TH_FILE, GOOD["cong-an"][0]}
    negative = next(r for r in body if r[0] == TH_FILE)
    issue = next(i for i in data["issues"] if i["kind"] == "negative")
    assert negative == [TH_FILE, "Trường Tiểu học Xuân Trường (ví dụ)", "Số liệu", issue["cell"],
                        CATALOG.elements["primary_dropouts"].label, "Lỗi", issue["message"], "primary_dropouts"]
    hostile = next(c for row in sheet.iter_rows(min_row=5) for c in row if c.value == "=HYPERLINK(1).xlsx")
    assert hostile.data_type == "s"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A4")


def test_a_summary_that_cannot_be_replaced_goes_to_a_numbered_copy_and_says_so(root):
    """Excel locks an open workbook; the result is written beside it, never lost."""
    blocked = root / "outbox" / str(YEAR) / f"tong-hop-{YEAR}.xlsx"
    blocked.mkdir(parents=True)  # cannot be replaced, like a file held open on Windows
    outcome = run(root, "merge", "--year", str(YEAR))
    assert outcome.exit_code == 0, outcome.output
    copy = blocked.with_name(f"tong-hop-{YEAR} (1).xlsx")
    assert copy.is_file()
    assert load_workbook(copy, read_only=True).sheetnames[0] == "Tổng quan"
    assert f"Lưu ý: Tệp tong-hop-{YEAR}.xlsx đang được mở" in outcome.stdout
    assert f"tong-hop-{YEAR} (1).xlsx" in outcome.stdout
    assert oct(copy.stat().st_mode & 0o777) != oct(0o600)  # readable by others, like any new file
