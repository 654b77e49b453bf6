"""Ctrl-C once the outputs of a merge are in place: the line says they were updated, whatever was
still under way (the history, the console summary, the report's lines); the history stays whole.

Each test makes the race happen on purpose: a real SIGINT (or a KeyboardInterrupt) at the moment
named, in a real ``ctre-xl`` run through click, on real workbooks.
"""

from __future__ import annotations

import errno
import shutil
import tempfile
import signal
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from merge_helpers import deliver, make_workspace

from ctre_xl.cli import main
from ctre_xl.files import Workspace
from ctre_xl.history.store import HISTORY_FILE

YEAR = 2026
REPORT = {"report_date": "05/11/2026"}
VAN_PHONG = {"under5_birth_registered": 1180}
KINH_TE = {"budget_allocated": 1_500_000_000, "budget_spent": 1_200_000_000}  # funds_mobilised missing: feedback
STOPPED = "Đã dừng theo yêu cầu (Ctrl-C)"
SCHOOLS = [("th-xuan-truong", "Trường Tiểu học Xuân Trường", "tieu-hoc", "")]


def run(*args: str):  # noqa: ANN201 - click's Result
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("after") / "ws"
    workspace = make_workspace(root, (YEAR, YEAR - 1), schools=SCHOOLS)
    deliver(workspace, "van-phong", YEAR, "van phong.xlsx", VAN_PHONG, **REPORT)
    deliver(workspace, "kinh-te", YEAR, "kinh te.xlsx", KINH_TE, **REPORT)
    deliver(workspace, "van-phong", YEAR - 1, "nam truoc/van phong.xlsx", {"under5_birth_registered": 1100},
            report_date="05/11/2025")
    return root


@pytest.fixture
def ws(base, tmp_path) -> Workspace:
    shutil.copytree(base, tmp_path / "ws")
    return Workspace(tmp_path / "ws")


def outputs(workspace: Workspace) -> dict[str, int]:
    """Each output -> its inode: a new one when a merge put a new file in place."""
    folder = workspace.outbox_dir(YEAR)
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(workspace: Workspace) -> list[str]:
    return [p.name for p in workspace.root.rglob(".~*")]


def history_years(workspace: Workspace) -> list[tuple[int, str]]:
    conn = sqlite3.connect(workspace.root / HISTORY_FILE)
    try:
        return conn.execute("SELECT year, merged_at FROM merges ORDER BY year").fetchall()
    finally:
        conn.close()


def written_line(workspace: Workspace) -> str:
    folder = workspace.outbox_dir(YEAR)
    return (f"{STOPPED} sau khi ghi xong: kiem-tra-{YEAR}.xlsx, tong-hop-{YEAR}.xlsx, nhac-nop.txt và 1 tệp phản "
            f"hồi trong phan-hoi/ trong {folder} đã được cập nhật.")


def ctrl_c_in(monkeypatch: pytest.MonkeyPatch, target: str, *, after: bool = False) -> None:
    """A real Ctrl-C (SIGINT to this process) as ``target`` starts, or just ``after`` it returns."""
    module, name = target.rsplit(".", 1)
    real = getattr(__import__(module, fromlist=[name]), name)

    def interrupted(*args: object, **options: object) -> object:
        if not after:
            signal.raise_signal(signal.SIGINT)
        value = real(*args, **options)
        if after:
            signal.raise_signal(signal.SIGINT)
        return value
    monkeypatch.setattr(target, interrupted)


NOT_KEPT = f" Lịch sử số liệu ({HISTORY_FILE}) chưa ghi lại năm {YEAR}: chạy lại lệnh tổng hợp để ghi.\n"


def test_ctrl_c_while_the_history_is_kept_says_the_outputs_are_new_and_keeps_last_record(ws, monkeypatch):
    assert run("--workspace", str(ws.root), "merge", "--year", str(YEAR)).exit_code == 0
    before, recorded = outputs(ws), history_years(ws)
    ctrl_c_in(monkeypatch, "ctre_xl.history.merges.record_merge")
    outcome = run("--workspace", str(ws.root), "merge", "--year", str(YEAR))
    assert outcome.exit_code == 130
    assert outcome.output == written_line(ws) + NOT_KEPT
    after = outputs(ws)
    assert after.keys() == before.keys() and all(after[name] != before[name] for name in after)
    assert history_years(ws) == recorded  # the year's records of the last merge, not half of this one's
    assert leftovers(ws) == []


def test_ctrl_c_as_earlier_feedback_is_cleared_says_the_outputs_are_new_and_the_history_is_not(ws, monkeypatch):
    """The outputs are in place and the feedback workbooks of earlier merges not written again are
    being removed: the year is not recorded, and the line says so."""
    assert run("--workspace", str(ws.root), "merge", "--year", str(YEAR)).exit_code == 0
    recorded = history_years(ws)
    ctrl_c_in(monkeypatch, "ctre_xl.pipeline.remove_stale_feedback")
    outcome = run("--workspace", str(ws.root), "merge", "--year", str(YEAR))
    assert outcome.exit_code == 130
    assert outcome.output == written_line(ws) + NOT_KEPT
    assert history_years(ws) == recorded and leftovers(ws) == []


def test_outputs_that_could_not_be_written_leave_the_history_as_it_was(ws, monkeypatch):
    assert run("--workspace", str(ws.root), "merge", "--year", str(YEAR)).exit_code == 0
    recorded = history_years(ws)

    def full_disk(*_args: object, **_options: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("ctre_xl.output.summary.workbook.write_overview_sheet", full_disk)
    outcome = run("--workspace", str(ws.root), "merge", "--year", str(YEAR))
    assert outcome.exit_code == 2, outcome.output
    assert "Traceback" not in outcome.output
    assert history_years(ws) == recorded and leftovers(ws) == []


def test_ctrl_c_while_the_history_is_first_made_leaves_none_so_the_next_merge_makes_it_whole(ws, monkeypatch):
    ctrl_c_in(monkeypatch, "ctre_xl.history.merges.rebuild_years")  # this year recorded, the year before not yet
    outcome = run("--workspace", str(ws.root), "merge", "--year", str(YEAR))
    assert outcome.exit_code == 130 and outcome.output.startswith(written_line(ws)), outcome.output
    assert not (ws.root / HISTORY_FILE).exists() and leftovers(ws) == []
    monkeypatch.undo()
    assert run("--workspace", str(ws.root), "merge", "--year", str(YEAR)).exit_code == 0
    assert [year for year, _at in history_years(ws)] == [YEAR - 1, YEAR]


@pytest.mark.parametrize("as_json", [False, True], ids=["console", "json"])
def test_ctrl_c_while_the_summary_is_printed_says_the_outputs_are_new(ws, monkeypatch, as_json):
    def interrupted(*_args: object, **_options: object) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr("ctre_xl.output.console.result_as_dict" if as_json else "ctre_xl.output.console.console_summary",
                        interrupted)
    outcome = run("--workspace", str(ws.root), "merge", "--year", str(YEAR), *(["--json"] if as_json else []))
    assert outcome.exit_code == 130
    assert outcome.output == written_line(ws) + "\n"
    assert (ws.outbox_dir(YEAR) / f"tong-hop-{YEAR}.xlsx").is_file() and leftovers(ws) == []


def test_ctrl_c_while_the_report_is_announced_says_both_files_are_new(ws, monkeypatch):
    def interrupted(*_args: object, **_options: object) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr("ctre_xl.cli.print_out", interrupted)
    outcome = run("--workspace", str(ws.root), "report", "--year", str(YEAR))
    assert outcome.exit_code == 130
    assert outcome.output == (f"{STOPPED} sau khi ghi xong: bao-cao-{YEAR}.docx, phu-luc-{YEAR}.xlsx trong "
                              f"{ws.outbox_dir(YEAR)} đã được cập nhật.\n")


def test_ctrl_c_as_the_summary_scratch_folder_is_made_leaves_no_folder(ws, monkeypatch):
    ctrl_c_in(monkeypatch, "tempfile.mkdtemp", after=True)  # the folder is made, then Ctrl-C
    outcome = run("--workspace", str(ws.root), "merge", "--year", str(YEAR))
    assert outcome.exit_code == 130 and "trước khi ghi kết quả" in outcome.output, outcome.output
    assert leftovers(ws) == [] and not (ws.outbox_dir(YEAR) / f"tong-hop-{YEAR}.xlsx").exists()


CORRUPT = "tệp bị hỏng, không phải tệp lịch sử của ctre-xl, hoặc đang bị chương trình khác khoá"


@pytest.mark.parametrize("blocker, why", [("a folder", CORRUPT), ("not a database", CORRUPT),
                                          ("a full disk", "ổ đĩa đã đầy — giải phóng chỗ trống trên ổ đĩa")])
def test_a_history_that_cannot_be_written_is_a_notice_and_the_outputs_stand(ws, monkeypatch, blocker, why):
    history = ws.root / HISTORY_FILE
    if blocker == "a folder":
        history.mkdir()
        (history / "x").write_text("")
    elif blocker == "not a database":
        history.write_bytes(b"not a database, typed by someone" * 100)
    else:
        real = tempfile.mkstemp

        def full(*args: object, dir: object = None, **options: object) -> tuple[int, str]:  # noqa: A002
            if Path(str(dir)) == ws.root:  # the history's folder is full; the outputs' is not
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(*args, dir=dir, **options)
        monkeypatch.setattr(tempfile, "mkstemp", full)
    outcome = run("--workspace", str(ws.root), "merge", "--year", str(YEAR))
    assert outcome.exit_code == 0, outcome.output
    assert (f"Lưu ý: Không ghi được lịch sử số liệu {HISTORY_FILE}: {why}. Các tệp kết quả vẫn đã được ghi; sửa lỗi "
            "đó rồi chạy lại lệnh tổng hợp để ghi lịch sử.\n") in outcome.output
    assert "Error" not in outcome.output and leftovers(ws) == []
    assert (ws.outbox_dir(YEAR) / f"tong-hop-{YEAR}.xlsx").is_file()
