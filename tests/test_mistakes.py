"""The common mistakes of issue 10, each caught with one exact Vietnamese message and its exit code.

Exit codes: 0 done (warnings on stderr), 2 a problem with where or how the command was run
(nothing to merge, wrong year, no such workspace, run from inside inbox/), 130 Ctrl-C. Money
typed in words is read with a warning; the Ctrl-C tests interrupt a real ``ctre-xl merge``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from limits_helpers import still_running
from click.testing import CliRunner
from merge_helpers import crowd_inbox, deliver, make_workspace

from ctre_xl.cli import main
from ctre_xl.files import Workspace
from ctre_xl.plan.vocab import ElementKind
from ctre_xl.read.values import parse_value

YEAR = 2026
REPORT = {"report_date": "05/11/2026"}
KINH_TE = {"budget_allocated": 1_500_000_000, "budget_spent": 1_200_000_000, "funds_mobilised": 150_000_000}
VAN_PHONG = {"under5_birth_registered": 1180}
CONG_AN = {"abuse_cases_detected": 2, "abuse_cases_handled": 2}
REAL_SCHOOLS = [("th-xuan-truong", "Trường Tiểu học Xuân Trường", "tieu-hoc", "")]
OUTPUTS = (f"kiem-tra-{YEAR}.xlsx", "nhac-nop.txt", f"tong-hop-{YEAR}.xlsx")  # sorted
WRITTEN = f"kiem-tra-{YEAR}.xlsx, tong-hop-{YEAR}.xlsx, nhac-nop.txt"  # as the Ctrl-C messages name them
STOPPED = "Đã dừng theo yêu cầu (Ctrl-C)"


def run(*args: str):  # noqa: ANN201 - click's Result
    return CliRunner().invoke(main, list(args))


def merge(root: Path, year: int = YEAR, *options: str):  # noqa: ANN201
    return run("--workspace", str(root), "merge", "--year", str(year), *options)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A workspace with real schools in don-vi.xlsx and the templates of 2026 and 2027."""
    root = tmp_path_factory.mktemp("mistakes") / "ws"
    make_workspace(root, (YEAR, YEAR + 1), schools=REAL_SCHOOLS)
    return root


@pytest.fixture
def ws(base, tmp_path) -> Workspace:
    shutil.copytree(base, tmp_path / "ws")
    return Workspace(tmp_path / "ws")


def outbox_files(workspace: Workspace) -> list[str]:
    outbox = workspace.root / "outbox"
    return sorted(p.relative_to(outbox).as_posix() for p in outbox.rglob("*") if p.is_file())


# ----------------------------------------------------------------------------- 1. an empty inbox


def empty_inbox_message(workspace: Workspace, what: str = "") -> str:
    return (f"Lỗi: Thư mục inbox/ ({workspace.inbox.resolve()}) chưa có tệp báo cáo nào{what}. Tạo biểu mẫu bằng "
            f"lệnh “ctre-xl templates --year {YEAR}”, gửi cho các đơn vị, chép các tệp các đơn vị gửi về vào "
            "thư mục inbox/ rồi chạy lại. Chưa ghi báo cáo nào.\n")


@pytest.mark.parametrize("as_json", [False, True], ids=["console", "json"])
def test_an_empty_inbox_says_so_and_writes_nothing(ws, as_json):
    outcome = merge(ws.root, YEAR, *(["--json"] if as_json else []))
    assert outcome.exit_code == 2
    assert outcome.stderr == empty_inbox_message(ws) and outcome.stdout == ""
    assert outbox_files(ws) == []


@pytest.mark.parametrize("names", [
    ["~$Bao cao.xlsx"], [".~lock.Bao cao.xlsx#"], [".~Bao cao.xlsx"], [".an.xlsx", "Thumbs.db", "desktop.ini"],
], ids=["excel-lock", "libreoffice-lock", "wps-lock", "hidden"])
def test_an_inbox_of_lock_or_hidden_files_only_is_empty_too(ws, names):
    for name in names:
        (ws.inbox / name).write_bytes(b"x")
    outcome = merge(ws.root)
    what = " (chỉ có tệp ẩn hoặc tệp khoá của Excel/LibreOffice/WPS, không phải báo cáo)"
    assert outcome.exit_code == 2 and outcome.stderr == empty_inbox_message(ws, what)
    assert outbox_files(ws) == []


# ----------------------------------------------------------------------------- 2. the wrong --year


def test_every_return_of_one_other_year_asks_whether_that_year_was_meant(ws):
    deliver(ws, "van-phong", YEAR, "van phong.xlsx", VAN_PHONG, **REPORT)
    deliver(ws, "cong-an", YEAR, "cong an.xlsx", CONG_AN, **REPORT)
    for asked in (YEAR + 1, YEAR - 1):
        outcome = merge(ws.root, asked)
        assert outcome.exit_code == 2
        assert outcome.stderr == (
            f"Lỗi: Mọi tệp đọc được trong inbox/ là báo cáo năm {YEAR}, không có báo cáo năm {asked} — ý bạn là "
            f"--year {YEAR}? Chạy “ctre-xl merge --year {YEAR}”. Chưa ghi báo cáo nào.\n")
    assert outbox_files(ws) == []
    assert merge(ws.root, YEAR).exit_code == 0  # the year meant works


def test_returns_of_several_other_years_are_listed(ws):
    deliver(ws, "van-phong", YEAR, "2026/van phong.xlsx", VAN_PHONG, **REPORT)
    deliver(ws, "van-phong", YEAR + 1, "2027/van phong.xlsx", VAN_PHONG, report_date="05/11/2027")
    (ws.inbox / "hong.xlsx").write_bytes(b"not a workbook")
    outcome = merge(ws.root, YEAR + 3, "--json")
    assert outcome.exit_code == 2 and outcome.stdout == ""
    assert outcome.stderr == (
        f"Lỗi: Các tệp đọc được trong inbox/ là báo cáo các năm {YEAR} và {YEAR + 1} (ngoài ra 1 tệp không đọc "
        f"được), không có báo cáo năm {YEAR + 3} — ý bạn là --year {YEAR} hoặc --year {YEAR + 1}? "
        "Chưa ghi báo cáo nào.\n")
    assert outbox_files(ws) == []


# ----------------------------------------------------------------------------- 3. templates and the workspace


def test_templates_with_the_example_schools_still_in_don_vi_warns_and_writes(tmp_path):
    root = tmp_path / "xa"
    assert run("init", "--workspace", str(root)).exit_code == 0
    outcome = run("--workspace", str(root), "templates", "--year", str(YEAR))
    assert outcome.exit_code == 0 and (root / "templates" / str(YEAR) / "th-vi-du.xlsx").is_file()
    assert outcome.stderr == (
        f"Cảnh báo: Tệp {root / 'don-vi.xlsx'} vẫn còn 3 trường ví dụ (Trường Mầm non Xuân Trường (ví dụ), "
        "Trường Tiểu học Xuân Trường (ví dụ), Trường THCS Xuân Trường (ví dụ)): biểu mẫu vẫn được tạo cho các "
        "trường này. Mở don-vi.xlsx, thay các dòng có chữ “(ví dụ)” bằng các trường thật của xã, rồi chạy lại "
        f"“ctre-xl templates --year {YEAR} --workspace {root}”.\n")


def test_templates_without_don_vi_warns_that_the_example_schools_are_used(tmp_path):
    root = tmp_path / "xa"
    root.mkdir()
    outcome = run("--workspace", str(root), "templates", "--year", str(YEAR))
    assert outcome.exit_code == 0 and (root / "templates" / str(YEAR) / "mn-vi-du.xlsx").is_file()
    assert outcome.stderr == (
        f"Cảnh báo: Chưa có tệp danh sách đơn vị {root / 'don-vi.xlsx'}: biểu mẫu được tạo cho các trường ví dụ có "
        "sẵn (Trường Mầm non Xuân Trường (ví dụ), Trường Tiểu học Xuân Trường (ví dụ), Trường THCS Xuân Trường "
        f"(ví dụ)), không phải các trường của xã. Chạy “ctre-xl init --workspace {root}” để tạo don-vi.xlsx, mở "
        f"tệp đó, nhập danh sách các trường của xã, rồi chạy lại “ctre-xl templates --year {YEAR} --workspace "
        f"{root}”.\n")


def test_templates_with_real_schools_or_for_a_department_only_say_nothing_more(ws, tmp_path):
    assert run("--workspace", str(ws.root), "templates", "--year", str(YEAR)).stderr == ""
    bare = tmp_path / "bare"
    bare.mkdir()
    assert run("--workspace", str(bare), "templates", "--year", str(YEAR), "--unit", "cong-an").stderr == ""


@pytest.mark.parametrize("command", [["templates", "--year", str(YEAR)], ["merge", "--year", str(YEAR)],
                                     ["catalog"]], ids=lambda c: c[0])
@pytest.mark.parametrize("where", ["before", "after"])
def test_a_workspace_that_does_not_exist_is_refused(tmp_path, command, where):
    missing = tmp_path / "khong-co"
    options = ["--workspace", str(missing)]
    outcome = run(*options, *command) if where == "before" else run(*command, *options)
    assert outcome.exit_code == 2
    assert outcome.output == (f"Lỗi: Không có thư mục làm việc {missing}. Tạo thư mục làm việc bằng lệnh "
                              f"“ctre-xl init --workspace {missing}”, hoặc kiểm tra lại tên thư mục.\n")
    assert not missing.exists()


def test_init_creates_the_workspace_it_is_given(tmp_path):
    outcome = run("init", "--workspace", str(tmp_path / "moi"))
    assert outcome.exit_code == 0 and (tmp_path / "moi" / "don-vi.xlsx").is_file()


# ----------------------------------------------------------------------------- 4. run from inside inbox/


@pytest.mark.parametrize("below", ["", "truong-a/thang-11"], ids=["inbox", "below-inbox"])
@pytest.mark.parametrize("command", [["merge", "--year", str(YEAR)], ["templates", "--year", str(YEAR)], ["init"]],
                         ids=lambda c: c[0])
def test_running_from_inside_inbox_says_where_to_run_from(ws, monkeypatch, below, command):
    here = ws.inbox / below
    here.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(here)
    before = sorted(p.name for p in here.iterdir())
    outcome = run(*command)
    root = ws.root.resolve()
    assert outcome.exit_code == 2
    assert outcome.output == (
        f"Lỗi: Đang đứng trong thư mục inbox/ ({here.resolve()}), nơi chỉ để các tệp các đơn vị gửi về. Hãy chạy "
        f"lệnh từ thư mục làm việc {root} (cd {root}) hoặc thêm --workspace {root}.\n")
    assert sorted(p.name for p in here.iterdir()) == before


def test_from_inside_inbox_with_workspace_or_from_the_workspace_it_works(ws, monkeypatch):
    deliver(ws, "van-phong", YEAR, "van phong.xlsx", VAN_PHONG, **REPORT)
    monkeypatch.chdir(ws.inbox)
    assert run("--workspace", "..", "merge", "--year", str(YEAR)).exit_code == 0
    monkeypatch.chdir(ws.root)
    assert run("merge", "--year", str(YEAR)).exit_code == 0


# ----------------------------------------------------------------------------- 5. money in words


@pytest.mark.parametrize("typed, amount", [
    ("150 triệu", 150_000_000), ("132.500.000 đ", 132_500_000), ("1,5 tỷ", 1_500_000_000), ("2 tr", 2_000_000),
    ("150.000 VNĐ", 150_000), ("1.5 tỷ đồng", 1_500_000_000), ("1 tỷ 200 triệu", 1_200_000_000),
    ("150.000.000đ", 150_000_000), ("500 nghìn", 500_000),
])
def test_money_in_words_is_read_with_a_warning(typed, amount):
    parsed = parse_value(typed, ElementKind.MONEY)
    assert parsed.value == amount and parsed.problem == "money_words" and parsed.severity == "warning"
    counted = parse_value(typed, ElementKind.COUNT)  # a count never takes these words
    assert counted.value is None and counted.problem == "not_a_number"


@pytest.mark.parametrize("typed", ["khoảng 150 triệu", "200 triệu 1 tỷ", "1 tỷ 500", "150 em"])
def test_money_words_that_say_no_one_amount_are_not_a_number(typed):
    assert parse_value(typed, ElementKind.MONEY).problem == "not_a_number"


def test_merge_reads_money_words_and_warns_in_vietnamese(ws):
    deliver(ws, "kinh-te", YEAR, "kinh te.xlsx",
            {"budget_allocated": "1,5 tỷ", "budget_spent": "132.500.000 đ", "funds_mobilised": "150 triệu"}, **REPORT)
    deliver(ws, "van-phong", YEAR, "van phong.xlsx", {"under5_birth_registered": "150 triệu"}, **REPORT)
    outcome = merge(ws.root, YEAR, "--json")
    data = json.loads(outcome.stdout)
    assert outcome.exit_code == 0
    assert (data["totals"]["budget_allocated"], data["totals"]["budget_spent"], data["totals"]["funds_mobilised"]) \
        == (1_500_000_000, 132_500_000, 150_000_000)
    money = sorted(i["message"] for i in data["issues"] if i["kind"] == "money_words")
    assert money == [
        "“Kinh phí huy động hợp pháp khác từ xã hội (đồng)”: “150 triệu” được đọc là 150.000.000 đồng — kiểm tra "
        "lại; lần sau chỉ nhập con số",
        "“Kinh phí ngân sách nhà nước bố trí thực hiện Kế hoạch (đồng)”: “1,5 tỷ” được đọc là 1.500.000.000 đồng — "
        "kiểm tra lại; lần sau chỉ nhập con số",
        "“Kinh phí ngân sách nhà nước đã thực hiện (đồng)”: “132.500.000 đ” được đọc là 132.500.000 đồng — kiểm "
        "tra lại; lần sau chỉ nhập con số",
    ]
    assert all(i["severity"] == "warning" for i in data["issues"] if i["kind"] == "money_words")
    count = [i for i in data["issues"] if i["code"] == "under5_birth_registered"]
    assert [i["kind"] for i in count] == ["not_a_number"] and count[0]["severity"] == "error"


# ----------------------------------------------------------------------------- 7. the summary open elsewhere


@pytest.mark.parametrize("lock", [".~lock.tong-hop-2026.xlsx#", "~$tong-hop-2026.xlsx", ".~tong-hop-2026.xlsx",
                                  "~$ng-hop-2026.xlsx"], ids=["libreoffice", "excel", "wps", "excel-long-name"])
def test_a_summary_open_in_a_spreadsheet_program_goes_to_a_numbered_copy(ws, lock):
    deliver(ws, "van-phong", YEAR, "van phong.xlsx", VAN_PHONG, **REPORT)
    assert merge(ws.root).exit_code == 0
    folder = ws.outbox_dir(YEAR)
    old = (folder / f"tong-hop-{YEAR}.xlsx").read_bytes()
    (folder / lock).write_bytes(b"lock")
    outcome = merge(ws.root, YEAR, "--json")
    data = json.loads(outcome.stdout)
    assert outcome.exit_code == 0
    assert data["outputs"]["summary"] == str(folder / f"tong-hop-{YEAR} (1).xlsx")
    assert data["notices"] == [
        f"Tệp tong-hop-{YEAR}.xlsx đang được mở (hoặc bị khoá) nên kết quả được ghi vào tong-hop-{YEAR} (1).xlsx. "
        f"Đóng tệp cũ rồi chạy lại nếu muốn ghi đúng tên. Nếu tệp không còn mở ở đâu, xoá tệp khoá {lock} trong "
        "cùng thư mục."]
    assert (folder / f"tong-hop-{YEAR}.xlsx").read_bytes() == old
    assert data["outputs"]["findings"] == str(folder / f"kiem-tra-{YEAR}.xlsx")  # not open: replaced
    console = merge(ws.root)
    assert f"tong-hop-{YEAR} (2).xlsx" not in console.output  # "(1)" is not open: it is replaced
    assert data["notices"][0] in console.output


def test_a_lock_file_without_its_summary_changes_nothing(ws):
    deliver(ws, "van-phong", YEAR, "van phong.xlsx", VAN_PHONG, **REPORT)
    ws.outbox_dir(YEAR).mkdir(parents=True)
    (ws.outbox_dir(YEAR) / f".~lock.tong-hop-{YEAR}.xlsx#").write_bytes(b"left by a crash")
    data = json.loads(merge(ws.root, YEAR, "--json").stdout)
    assert data["notices"] == [] and data["outputs"]["summary"].endswith(f"tong-hop-{YEAR}.xlsx")


# ----------------------------------------------------------------------------- 6. Ctrl-C, in process


def _hashes(folder: Path) -> list[tuple[int, str] | None]:
    """Each output's inode and content: a replaced file has a new inode even when its bytes match."""
    return [(os.stat(folder / name).st_ino, hashlib.sha256((folder / name).read_bytes()).hexdigest())
            if (folder / name).exists() else None for name in OUTPUTS]


def test_ctrl_c_while_writing_keeps_every_old_output(ws, monkeypatch):
    deliver(ws, "van-phong", YEAR, "van phong.xlsx", VAN_PHONG, **REPORT)
    assert merge(ws.root).exit_code == 0
    folder = ws.outbox_dir(YEAR)
    old = _hashes(folder)

    def interrupted(*_args: object, **_options: object) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr("ctre_xl.output.writing.write_summary", interrupted)  # the second output
    outcome = merge(ws.root)
    assert outcome.exit_code == 130
    assert outcome.output == (
        f"{STOPPED} trước khi ghi kết quả: trong {folder}, {WRITTEN} chưa được "
        "cập nhật (vẫn là kết quả của lần tổng hợp trước). Chạy lại lệnh để tổng hợp.\n")
    assert _hashes(folder) == old and sorted(p.name for p in folder.iterdir()) == list(OUTPUTS)


def test_ctrl_c_before_the_first_merge_says_nothing_was_written(ws, monkeypatch):
    deliver(ws, "van-phong", YEAR, "van phong.xlsx", VAN_PHONG, **REPORT)

    def interrupted(*_args: object, **_options: object) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr("ctre_xl.pipeline.merge_inbox", interrupted)
    outcome = merge(ws.root)
    assert outcome.exit_code == 130
    assert outcome.output == (f"{STOPPED} trước khi ghi kết quả: trong {ws.outbox_dir(YEAR)}, {WRITTEN} "
                              "chưa được ghi. Chạy lại lệnh để tổng hợp.\n")


def test_ctrl_c_while_the_outputs_are_put_in_place_waits_until_all_are_new(ws, monkeypatch):
    deliver(ws, "van-phong", YEAR, "van phong.xlsx", VAN_PHONG, **REPORT)
    assert merge(ws.root).exit_code == 0
    folder = ws.outbox_dir(YEAR)
    old = _hashes(folder)
    real_replace = os.replace

    def replace_then_ctrl_c(source, target):  # noqa: ANN001, ANN202
        real_replace(source, target)
        if Path(target).name == OUTPUTS[0]:
            signal.raise_signal(signal.SIGINT)  # between the two renames: held back until both are done
    monkeypatch.setattr(os, "replace", replace_then_ctrl_c)
    outcome = merge(ws.root)
    assert outcome.exit_code == 130
    assert outcome.output == (f"{STOPPED} sau khi ghi xong: {WRITTEN} trong {folder} đã được cập nhật. Lịch sử số "
                              f"liệu (lich-su.sqlite) chưa ghi lại năm {YEAR}: chạy lại lệnh tổng hợp để ghi.\n")
    assert all(new != before for new, before in zip(_hashes(folder), old))
    assert sorted(p.name for p in folder.iterdir()) == list(OUTPUTS)


def test_ctrl_c_in_another_command_exits_130_in_one_line(tmp_path, monkeypatch):
    def interrupted(*_args: object, **_options: object) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr("ctre_xl.template.writer.write_templates", interrupted)
    outcome = run("--workspace", str(tmp_path), "templates", "--year", str(YEAR))
    assert outcome.exit_code == 130
    assert outcome.output == (f"{STOPPED}. Không có tệp nào bị ghi dở: mỗi tệp hoặc đã ghi xong, hoặc chưa "
                              "ghi.\n")


# ----------------------------------------------------------------------------- 6. Ctrl-C to a real ctre-xl merge


POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="Ctrl-C to a process group is POSIX")


MARKED_UNHANDLED = """
import ctypes, sys
import ctre_xl.__main__, ctre_xl.cli

def command(**_options):
    # What CPython does when Ctrl-C lands in code it compiled from a string (a dataclass's methods,
    # a named tuple, as modules are imported): the KeyboardInterrupt is marked unhandled, caught or not.
    ctypes.c_int.in_dll(ctypes.pythonapi, "_Py_UnhandledKeyboardInterrupt").value = 1
    raise KeyboardInterrupt

ctre_xl.cli.main = command
sys.argv = ["ctre-xl", "merge", "--year", "2026"]
ctre_xl.__main__.run()
"""


def test_ctrl_c_that_python_marked_unhandled_still_exits_130_with_its_line(tmp_path):
    """One early Ctrl-C in ten ended with the right line and then the process killed by SIGINT
    (-2 to a caller; STATUS_CONTROL_C_EXIT on Windows): CPython's own mark, checked at the end of
    its teardown. The program now ends before that teardown."""
    import ctypes
    try:
        ctypes.c_int.in_dll(ctypes.pythonapi, "_Py_UnhandledKeyboardInterrupt")
    except (ValueError, AttributeError):
        pytest.skip("this Python does not expose the mark")
    (tmp_path / "marked.py").write_text(MARKED_UNHANDLED, encoding="utf-8")
    # As a module, as "python -m ctre_xl" runs (a script's SystemExit ends the process before the check).
    done = subprocess.run([sys.executable, "-m", "marked"], cwd=tmp_path, capture_output=True, timeout=60)
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert done.stderr.decode("utf-8") == f"{STOPPED}.\n"


def _command() -> list[str]:
    script = Path(sys.executable).with_name("ctre-xl")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ctre_xl"]


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """A workspace whose outputs come from a small merge, and an inbox of 60 files now: the worker
    pool reads them."""
    root = tmp_path_factory.mktemp("ctrl-c") / "ws"
    workspace = make_workspace(root, (YEAR,), schools=REAL_SCHOOLS)
    first = deliver(workspace, "van-phong", YEAR, "van phong.xlsx", VAN_PHONG, **REPORT)
    assert merge(root).exit_code == 0
    sources = [first, deliver(workspace, "kinh-te", YEAR, "kinh te.xlsx", KINH_TE, **REPORT),
               deliver(workspace, "cong-an", YEAR, "cong an.xlsx", CONG_AN, **REPORT)]
    crowd_inbox(workspace, sources, 19)
    return root




def _interrupt(root: Path, when: str | float) -> tuple[int, str, bool]:
    """Start ``ctre-xl merge``, press Ctrl-C (SIGINT to its whole process group, as a terminal does) at
    ``when``; (exit code, stderr, whether the moment was reached before the merge ended)."""
    outbox = root / "outbox" / str(YEAR)
    process = subprocess.Popen([*_command(), "--workspace", str(root), "merge", "--year", str(YEAR)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    start, reached = time.monotonic(), False
    while process.poll() is None and time.monotonic() - start < 30:
        if isinstance(when, float):
            reached = time.monotonic() - start >= when
        elif when == "reading":
            try:
                reached = bool(psutil.Process(process.pid).children())
            except psutil.NoSuchProcess:
                break
        else:  # "writing"
            reached = any(p.name.startswith(".~tmp-") for p in outbox.iterdir())
        if reached:
            break
        time.sleep(0.002)
    if reached:
        try:
            os.killpg(process.pid, signal.SIGINT)
        except ProcessLookupError:  # already gone
            reached = False
    signalled = time.monotonic()
    try:
        _out, err = process.communicate(timeout=2)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"ctre-xl merge still running 2 s after Ctrl-C ({when})")
    assert time.monotonic() - signalled < 2
    assert still_running(process.pid) == [], "a worker process was left running"
    return process.returncode, err.decode("utf-8"), reached


def _check_outputs(root: Path, old: list[tuple[int, str] | None], code: int, err: str) -> None:
    """The invariants after any Ctrl-C: no traceback, no temporary file, all outputs old or all new,
    and exit code 130 with one line saying which (or 0: the merge was over before the signal)."""
    folder = root / "outbox" / str(YEAR)
    now = _hashes(folder)
    assert "Traceback" not in err, err
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".~")], "temporary file left"
    assert now == old or all(new != before for new, before in zip(now, old)), "some outputs new, some old"
    if code == 0:
        assert now != old and err == "", err
        return
    assert code == 130, (code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(STOPPED), err
    if now == old and "trước khi ghi kết quả" in lines[0]:
        assert "chưa được cập nhật (vẫn là kết quả của lần tổng hợp trước)" in lines[0]
    elif now != old:
        assert "đã được cập nhật" in lines[0]


@POSIX_ONLY
@pytest.mark.parametrize("when", ["reading", "writing"])
def test_ctrl_c_while_reading_or_writing_stops_at_once_and_keeps_the_old_outputs(big, tmp_path, when):
    for attempt in range(5):  # the merge may pass the moment before it is seen: try again
        root = tmp_path / f"ws{attempt}"
        shutil.copytree(big, root)
        old = _hashes(root / "outbox" / str(YEAR))
        code, err, reached = _interrupt(root, when)
        _check_outputs(root, old, code, err)
        if reached:
            assert code == 130 and _hashes(root / "outbox" / str(YEAR)) == old, err
            return
    pytest.fail(f"the merge was never seen {when}")


@POSIX_ONLY
@pytest.mark.parametrize("delay", [0.25, 0.4, 0.55, 0.7, 0.85, 1.0])
def test_ctrl_c_at_any_moment_leaves_all_outputs_old_or_all_new(big, tmp_path, delay):
    root = tmp_path / "ws"
    shutil.copytree(big, root)
    old = _hashes(root / "outbox" / str(YEAR))
    code, err, _reached = _interrupt(root, delay)
    _check_outputs(root, old, code, err)
