"""Issue 11, "Crashes" and "Hang": whatever lands in the inbox, the merge names the file and goes on.

Built in tmp_path: figures that are not finite or beyond any real count (NaN, INF, 400 digits,
"=1E308*10", 20 million children, 10^16 đồng), text no UTF-8 writer takes (an escaped surrogate
in a note, a file name in Windows-1258 bytes), folders too deep or not to be opened, a file time in
the year 33658, a full disk in outbox/, a standard output that cannot be written, and Ctrl-C at
random moments while the worker processes read. Each: no traceback, a Vietnamese finding naming the
file, the good files merged with their values, the inbox unchanged.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from limits_helpers import group_state, still_running
from click.testing import CliRunner
from merge_helpers import crowd_inbox, deliver, file_entry, issues_of, make_workspace, merge_json, snapshot
from reading_helpers import rewrite_zip

from ctre_xl.cli import main
from ctre_xl.files import Workspace
from ctre_xl.merge import reading
from ctre_xl.read import collect
from ctre_xl.read.collect import collect_files
from ctre_xl.read.values import MAX_COUNT, MAX_MONEY, parse_value
from ctre_xl.plan.vocab import ElementKind
from ctre_xl.text import clean_text

YEAR = 2026
REPORT = {"report_date": "05/11/2026"}
GOOD_CONG_AN = {"abuse_cases_detected": 7, "abuse_cases_handled": 6}
PLACEHOLDER = 987654  # typed, then replaced in the sheet's XML by the hostile value
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A workspace with its templates and one good return (công an) in the inbox."""
    root = tmp_path_factory.mktemp("hardening") / "ws"
    workspace = make_workspace(root, (YEAR,))
    deliver(workspace, "cong-an", YEAR, "cong an.xlsx", GOOD_CONG_AN, **REPORT)
    return root


@pytest.fixture
def ws(base: Path, tmp_path: Path):
    root = tmp_path / "ws"
    shutil.copytree(base, root)
    return Workspace(root)


def _replace_value(path: Path, new: bytes) -> Path:
    """Put ``new`` where the placeholder figure is stored (its ``<v>``), in every part holding it."""
    with zipfile.ZipFile(path) as archive:
        parts = [n for n in archive.namelist() if str(PLACEHOLDER).encode() in archive.read(n)]
    assert parts, "placeholder not found"
    old = f"<v>{PLACEHOLDER}</v>".encode()

    def change(data: bytes) -> bytes:
        return data.replace(old, b"<v>" + new + b"</v>")

    changed = rewrite_zip(path, path.with_name(path.name + ".tmp"), replace={p: change for p in parts})
    changed.replace(path)
    return path


def _good_ones_merged(data: dict, before: dict, inbox: Path) -> None:
    assert file_entry(data, "cong an.xlsx")["status"] == "accepted"
    assert not issues_of(data, "cong an.xlsx") or all(i["severity"] == "warning" for i in issues_of(data, "cong an.xlsx"))
    unit = next(u for u in data["units"] if u["id"] == "cong-an")
    assert unit["received"] and unit["missing_figures"] == []
    assert snapshot(inbox) == before


# ----------------------------------------------------------------------------- figures that cannot be real


@pytest.mark.parametrize("unit, name, stored", [
    ("van-phong", "under5_birth_registered", b"NaN"),
    ("van-phong", "under5_birth_registered", b"inf"),
    ("van-phong", "under5_birth_registered", b"-INF"),
    ("van-phong", "under5_birth_registered", b"1e400"),
    ("van-phong", "under5_birth_registered", b"1" * 400),
    ("van-phong", "under5_birth_registered", b"20000000"),
    ("van-phong", "under5_birth_registered", b"1.7976931348623157e308"),
    ("kinh-te", "budget_allocated", b"1e16"),
    ("kinh-te", "budget_spent", b"nan"),
])
def test_a_figure_that_cannot_be_real_is_named_and_never_used(ws, unit, name, stored):
    path = deliver(ws, unit, YEAR, "hong.xlsx", {name: PLACEHOLDER}, **REPORT)
    _replace_value(path, stored)
    before = snapshot(ws.inbox)
    code, data, err = merge_json(ws, YEAR)
    assert code == 0 and "Traceback" not in err
    found = [i for i in issues_of(data, "hong.xlsx") if i["kind"] == "implausible"]
    assert len(found) == 1 and found[0]["code"] == name and found[0]["cell"] and found[0]["sheet"] == "Số liệu"
    assert found[0]["severity"] == "error" and "”:" in found[0]["message"]
    assert len(found[0]["message"]) < 300  # 400 digits are not quoted whole
    for metric in data["metrics"]:
        for key in ("value", "numerator", "denominator"):
            assert metric[key] is None or abs(metric[key]) < 1e15, metric
    _good_ones_merged(data, before, ws.inbox)
    assert (ws.outbox_dir(YEAR) / f"tong-hop-{YEAR}.xlsx").is_file()


@pytest.mark.parametrize("formula", ["1E308*10", "1e308+1e308", "1e308*10-1e308*10", "99999999*2"])
def test_a_formula_whose_result_cannot_be_real_is_named(ws, formula):
    deliver(ws, "van-phong", YEAR, "hong.xlsx", {"under5_birth_registered": "=" + formula}, **REPORT)
    code, data, err = merge_json(ws, YEAR)
    assert code == 0 and "Traceback" not in err
    kinds = [i["kind"] for i in issues_of(data, "hong.xlsx") if i["code"] == "under5_birth_registered"]
    assert kinds == ["implausible"], kinds


def test_two_units_near_the_float_limit_cannot_sum_past_it(ws):
    """Two schools' figures of the same element: each refused, so no sum is INF and the summary is written."""
    for index, unit in enumerate(("van-phong", "van-phong")):
        path = deliver(ws, unit, YEAR, f"hong-{index}.xlsx", {"under5_birth_registered": PLACEHOLDER}, **REPORT)
        _replace_value(path, b"1.7e308")
    code, data, err = merge_json(ws, YEAR)
    assert code == 0 and "Traceback" not in err
    summary = openpyxl.load_workbook(ws.outbox_dir(YEAR) / f"tong-hop-{YEAR}.xlsx")
    for sheet in summary.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(isinstance(v, float) and not abs(v) < 1e300 for v in row)


@pytest.mark.parametrize("raw, kind, value", [
    (float("nan"), ElementKind.COUNT, None), (float("inf"), ElementKind.MONEY, None), (10 ** 400, ElementKind.COUNT, None),
    ("1" * 400, ElementKind.COUNT, None), ("20.000.000", ElementKind.COUNT, None), (MAX_COUNT, ElementKind.COUNT, MAX_COUNT),
    ("2 triệu tỷ", ElementKind.MONEY, None), (MAX_MONEY, ElementKind.MONEY, MAX_MONEY), ("1e400", ElementKind.COUNT, None),
    (float("nan"), ElementKind.YES_NO, None),
])
def test_values_never_give_a_non_finite_or_absurd_number(raw, kind, value):
    parsed = parse_value(raw, kind)
    assert parsed.value == value
    if value is None:
        assert parsed.problem is not None


def test_writers_never_write_a_non_finite_number(tmp_path):
    from ctre_xl.book import report_workbook

    book = report_workbook(tmp_path / "x.xlsx")
    sheet = book.add_worksheet("A")
    sheet.write_number(0, 0, float("nan"))
    sheet.write(1, 0, float("inf"))
    sheet.write_formula(2, 0, "=1+1", None, float("inf"))
    sheet.write_string(3, 0, "x\ud83d")
    book.close()
    loaded = openpyxl.load_workbook(tmp_path / "x.xlsx")["A"]
    assert loaded["A1"].value is None and loaded["A2"].value is None and loaded["A4"].value == "x\ufffd"


# ----------------------------------------------------------------------------- text no writer takes


def test_clean_text():
    assert clean_text("a\ud83d\ude00b") == "a😀b"
    assert clean_text("b\udce1o") == "b\ufffdo"
    assert clean_text("\ude00\ud83d") == "\ufffd\ufffd"
    assert clean_text("Xuân Trường") == "Xuân Trường"


@pytest.mark.parametrize("escaped", ["_xD83D__xDE00_", "_xD83D_ lẻ", "_xDE00_", "a_xDFFF_b_xD800_"])
def test_a_note_with_an_escaped_surrogate_reaches_every_output(ws, escaped):
    path = deliver(ws, "van-phong", YEAR, "ghi chu.xlsx", {"under5_birth_registered": 1180}, **REPORT,
                   free_text={"report_results": "GHICHUTAMTHOI"})
    with zipfile.ZipFile(path) as archive:
        parts = [n for n in archive.namelist() if b"GHICHUTAMTHOI" in archive.read(n)]
    assert parts
    changed = rewrite_zip(path, path.with_name("x.tmp"),
                          replace={p: (lambda d: d.replace(b"GHICHUTAMTHOI", escaped.encode())) for p in parts})
    changed.replace(path)
    before = snapshot(ws.inbox)
    code, data, err = merge_json(ws, YEAR)
    assert code == 0 and "Traceback" not in err
    assert file_entry(data, "ghi chu.xlsx")["status"] == "accepted"
    _good_ones_merged(data, before, ws.inbox)
    texts = [c.value for sheet in openpyxl.load_workbook(ws.outbox_dir(YEAR) / f"tong-hop-{YEAR}.xlsx").worksheets
             for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    if escaped == "_xD83D__xDE00_":
        assert any("😀" in t for t in texts)


def test_a_file_name_that_is_not_utf8(ws):
    source = deliver(ws, "van-phong", YEAR, "tam.xlsx", {"under5_birth_registered": 1180}, **REPORT)
    name = os.fsdecode(b"b\xe1o c\xe1o v\xe3n ph\xf2ng.xlsx")  # Windows-1258 bytes: not UTF-8
    source.rename(ws.inbox / name)
    before = snapshot(ws.inbox)
    code, data, err = merge_json(ws, YEAR)
    assert code == 0 and "Traceback" not in err
    entry = next(f for f in data["files"] if f["path"].startswith("b"))
    assert entry["status"] == "accepted" and "\ufffd" in entry["path"]
    _good_ones_merged(data, before, ws.inbox)
    # and as a real program, stdout a pipe: no UnicodeEncodeError anywhere
    done = subprocess.run([*_command(), "--workspace", str(ws.root), "merge", "--year", str(YEAR)],
                          capture_output=True, timeout=60)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode()


# ----------------------------------------------------------------------------- folders and file times


def test_a_file_1100_folders_deep(ws):
    good = deliver(ws, "van-phong", YEAR, "van phong.xlsx", {"under5_birth_registered": 1180}, **REPORT)
    deep = ws.inbox / "sau"
    bottom = deep / "/".join(["d"] * 1100)
    folder = deep
    deep.mkdir()
    for _level in range(1100):  # os.makedirs and shutil.rmtree recurse: build and remove by hand
        folder = folder / "d"
        folder.mkdir()
    shutil.copy2(good, bottom / "cong an moi.xlsx")
    try:
        before = snapshot(ws.inbox)
        code, data, err = merge_json(ws, YEAR)
    finally:
        (bottom / "cong an moi.xlsx").unlink()
        while folder != deep:
            folder.rmdir()
            folder = folder.parent
    assert code == 0 and "Traceback" not in err
    cut = [i for i in data["issues"] if "lồng quá sâu" in i["message"]]
    assert len(cut) == 1 and cut[0]["file"].startswith("sau/d/d/") and cut[0]["kind"] == "rejected"
    assert file_entry(data, "van phong.xlsx")["status"] == "accepted"
    before.pop("sau/" + "d/" * 1100 + "cong an moi.xlsx")
    _good_ones_merged(data, before, ws.inbox)


def test_collect_stops_at_the_depth_limit_without_recursion(tmp_path, monkeypatch):
    monkeypatch.setattr(collect, "MAX_DEPTH", 3)
    inbox = tmp_path / "inbox"
    (inbox / "a/b/c/d").mkdir(parents=True)
    for folder in ("", "a", "a/b", "a/b/c", "a/b/c/d"):
        (inbox / folder / "f.xlsx").write_bytes(b"x")
    files, records = collect_files(inbox)
    assert [f.relative_to(inbox).as_posix() for f in files] == ["a/b/c/f.xlsx", "a/b/f.xlsx", "a/f.xlsx", "f.xlsx"]
    assert [r.path for r in records] == ["a/b/c/d"] and "lồng quá sâu" in records[0].reason


def test_a_folder_that_cannot_be_opened(ws, monkeypatch):
    good = deliver(ws, "van-phong", YEAR, "khoa/van phong.xlsx", {"under5_birth_registered": 1180}, **REPORT)
    (ws.inbox / "khoa" / "con").mkdir()
    shutil.copy2(good, ws.inbox / "khoa" / "con" / "ban sao.xlsx")
    before = snapshot(ws.inbox)
    real_scandir = os.scandir

    def refusing(path=".", *args):  # noqa: ANN001, ANN202
        if not isinstance(path, int) and Path(path).name == "khoa":  # (shutil.rmtree scans by descriptor)
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", refusing)
    code, data, err = merge_json(ws, YEAR)
    monkeypatch.undo()
    assert code == 0 and "Traceback" not in err
    named = issues_of(data, "khoa")
    assert len(named) == 1 and "không mở được thư mục" in named[0]["message"]
    _good_ones_merged(data, before, ws.inbox)


def test_a_folder_listed_but_not_entered(ws, monkeypatch):
    """Its names can be read, nothing about them: each is named, the rest merged."""
    deliver(ws, "van-phong", YEAR, "khoa/van phong.xlsx", {"under5_birth_registered": 1180}, **REPORT)
    before = snapshot(ws.inbox)
    real_lstat, real_stat = os.lstat, os.stat

    def refusing(real):  # noqa: ANN001, ANN202
        def call(path, *args, **options):  # noqa: ANN001, ANN202
            if Path(os.fsdecode(path)).parent.name == "khoa":
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real(path, *args, **options)
        return call

    monkeypatch.setattr(os, "lstat", refusing(real_lstat))
    monkeypatch.setattr(os, "stat", refusing(real_stat))
    code, data, err = merge_json(ws, YEAR)
    assert code == 0 and "Traceback" not in err
    named = issues_of(data, "khoa/van phong.xlsx")
    assert len(named) == 1 and named[0]["severity"] == "error"
    monkeypatch.undo()
    _good_ones_merged(data, before, ws.inbox)


@pytest.mark.skipif(IS_ROOT or sys.platform == "win32", reason="root enters every folder; POSIX modes")
def test_a_folder_without_permission_as_a_normal_user(ws):
    deliver(ws, "van-phong", YEAR, "khoa/van phong.xlsx", {"under5_birth_registered": 1180}, **REPORT)
    (ws.inbox / "kin").mkdir()
    os.chmod(ws.inbox / "khoa", 0o444)  # listed, not entered
    os.chmod(ws.inbox / "kin", 0o000)  # not even listed
    try:
        code, data, err = merge_json(ws, YEAR)
    finally:
        os.chmod(ws.inbox / "khoa", 0o755)
        os.chmod(ws.inbox / "kin", 0o755)
    assert code == 0 and "Traceback" not in err
    assert issues_of(data, "khoa/van phong.xlsx") and issues_of(data, "kin")


def test_an_inbox_that_cannot_be_opened_is_exit_code_2(ws, monkeypatch):
    real_scandir = os.scandir

    def refusing(path=".", *args):  # noqa: ANN001, ANN202
        if Path(path) == ws.inbox:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", refusing)
    outcome = CliRunner().invoke(main, ["--workspace", str(ws.root), "merge", "--year", str(YEAR)])
    assert outcome.exit_code == 2 and "Không mở được thư mục inbox/" in outcome.stderr


@pytest.mark.parametrize("when", [1e12, 253402300800.0 * 4])
def test_a_file_time_in_the_far_future(ws, when):
    deliver(ws, "van-phong", YEAR, "van phong.xlsx", {"under5_birth_registered": 1180}, mtime=when)
    before = snapshot(ws.inbox)
    code, data, err = merge_json(ws, YEAR)
    assert code == 0 and "Traceback" not in err
    found = [i for i in issues_of(data, "van phong.xlsx") if i["kind"] == "implausible"]
    assert len(found) == 1 and found[0]["severity"] == "warning" and "tương lai" in found[0]["message"]
    unit = next(u for u in data["units"] if u["id"] == "van-phong")
    assert unit["received"] and unit["sent_on"] <= time.strftime("%Y-%m-%d", time.localtime(time.time() + 86400))
    _good_ones_merged(data, before, ws.inbox)


# ----------------------------------------------------------------------------- a full disk, a full stdout


def _first_merge(ws) -> dict[str, bytes]:
    deliver(ws, "van-phong", YEAR, "van phong.xlsx", {"under5_birth_registered": 1180}, **REPORT)
    assert CliRunner().invoke(main, ["--workspace", str(ws.root), "merge", "--year", str(YEAR)]).exit_code == 0
    return {p.name: p.read_bytes() for p in ws.outbox_dir(YEAR).iterdir() if p.is_file()}


@pytest.mark.parametrize("number, words", [(errno.ENOSPC, "ổ đĩa đã đầy"), (errno.EROFS, "chỉ cho đọc"),
                                           (errno.EIO, "lỗi đọc/ghi")])
@pytest.mark.parametrize("where", ["zip", "replace"])
def test_a_full_disk_in_outbox_is_exit_code_2_and_leaves_no_temporary_file(ws, tmp_path, monkeypatch, number, words,
                                                                            where):
    old = _first_merge(ws)
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    deliver(ws, "kinh-te", YEAR, "kinh te.xlsx", {"budget_allocated": 100}, **REPORT)
    if where == "zip":
        def full(*_args, **_options):  # noqa: ANN002, ANN003, ANN202
            raise OSError(number, os.strerror(number))
        monkeypatch.setattr(zipfile.ZipFile, "writestr", full)
    else:
        real_replace = os.replace

        def full(source, target):  # noqa: ANN001, ANN202
            if Path(target).parent == ws.outbox_dir(YEAR):
                raise OSError(number, os.strerror(number))
            return real_replace(source, target)
        monkeypatch.setattr(os, "replace", full)
    outcome = CliRunner().invoke(main, ["--workspace", str(ws.root), "merge", "--year", str(YEAR)])
    monkeypatch.undo()
    assert outcome.exit_code == 2, (outcome.output, outcome.exception)
    assert words in outcome.stderr and "Traceback" not in outcome.stderr and "Errno" not in outcome.stderr
    assert {p.name: p.read_bytes() for p in ws.outbox_dir(YEAR).iterdir() if p.is_file()} == old
    assert list(scratch.iterdir()) == []


def _command() -> list[str]:
    script = Path(sys.executable).with_name("ctre-xl")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ctre_xl"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("as_json", [True, False])
def test_stdout_that_cannot_be_written_is_exit_code_2(ws, as_json):
    deliver(ws, "van-phong", YEAR, "van phong.xlsx", {"under5_birth_registered": 1180}, **REPORT)
    with open("/dev/full", "w") as full:
        done = subprocess.run([*_command(), "--workspace", str(ws.root), "merge", "--year", str(YEAR),
                               *(["--json"] if as_json else [])], stdout=full, stderr=subprocess.PIPE, timeout=60)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 2, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert err.count("\n") == 1 and "Không in được kết quả" in err and "ổ đĩa đã đầy" in err


# ----------------------------------------------------------------------------- Ctrl-C while reading


RUNS = 30


@pytest.fixture(scope="module")
def crowded(tmp_path_factory) -> Path:
    """An inbox of 80 files (well over reading.PARALLEL_FROM): the worker pool reads them."""
    root = tmp_path_factory.mktemp("ctrl-c") / "ws"
    workspace = make_workspace(root, (YEAR,))
    sources = [deliver(workspace, "van-phong", YEAR, "van phong.xlsx", {"under5_birth_registered": 1180}, **REPORT),
               deliver(workspace, "cong-an", YEAR, "cong an.xlsx", GOOD_CONG_AN, **REPORT)]
    crowd_inbox(workspace, sources, 39)
    assert len(list(workspace.inbox.rglob("*.xlsx"))) >= 3 * reading.PARALLEL_FROM
    return root




@pytest.mark.skipif(sys.platform == "win32", reason="Ctrl-C to a process group is POSIX")
def test_ctrl_c_at_random_moments_while_reading_always_stops_at_once(crowded):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) 30 times, between 50 ms
    after the start and the end of the merge: exit 130 (0 if it was over) within 2 s, no traceback,
    no worker left, no temporary file."""
    # Python's own start (the site module, its .pth imports) comes before any line of ctre-xl: a
    # Ctrl-C then is the interpreter's. The moments are drawn from after it to the end of the merge.
    bare = []
    for _try in range(3):
        began = time.monotonic()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.monotonic() - began)
    earliest = max(0.05, 1.5 * max(bare))
    started = time.monotonic()
    full = subprocess.run([*_command(), "--workspace", str(crowded), "merge", "--year", str(YEAR)],
                          capture_output=True, timeout=60)
    length = time.monotonic() - started
    assert full.returncode == 0, full.stderr.decode()
    chooser = random.Random(int(os.environ.get("CTRE_TEST_SEED", time.time())))
    codes = []
    for _run in range(3 * RUNS):  # a run that ended before its moment (a busy machine) is drawn again
        if len(codes) == RUNS:
            break
        delay = chooser.uniform(earliest, max(earliest, length))
        process = subprocess.Popen([*_command(), "--workspace", str(crowded), "merge", "--year", str(YEAR)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        time.sleep(delay)
        if process.poll() is not None:
            _out, err = process.communicate()
            assert process.returncode == 0, err.decode("utf-8")
            continue
        try:
            os.killpg(process.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
        signalled = time.monotonic()
        try:
            _out, err = process.communicate(timeout=2)
        except subprocess.TimeoutExpired:
            state = group_state(process.pid)
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"still running 2 s after Ctrl-C at {delay:.3f} s ({state})")
        assert time.monotonic() - signalled < 2
        text = err.decode("utf-8")
        assert "Traceback" not in text and "Error" not in text, (delay, text)
        assert process.returncode in (0, 130), (delay, process.returncode, text)
        assert still_running(process.pid) == [], f"a worker was left after Ctrl-C at {delay:.3f} s"
        assert not [p for p in (crowded / "outbox" / str(YEAR)).iterdir() if p.name.startswith(".~")]
        codes.append(process.returncode)
    assert len(codes) == RUNS and codes.count(130) >= RUNS // 2, codes


def test_ctrl_c_inside_a_garbage_collection_callback_stops_the_command_without_a_traceback(tmp_path: Path) -> None:
    """Ctrl-C can land in a weakref callback run by the collector; Python would print "Exception
    ignored in …" with a traceback and go on. The command stops instead, with its one line."""
    script = tmp_path / "gc_callback.py"
    script.write_text(
        "import sys, time, weakref\n"
        "import ctre_xl.cli\n"
        "def busy(*args, **kwargs):\n"
        "    class Thing: pass\n"
        "    def callback(_ref): raise KeyboardInterrupt\n"
        "    thing = Thing(); keep = weakref.ref(thing, callback)\n"
        "    del thing  # the callback runs here, as in a collection\n"
        "    for _ in range(2000): time.sleep(0.001)\n"
        "    print('carried on')\n"
        "    raise SystemExit(0)\n"
        "ctre_xl.cli.main = busy\n"
        "from ctre_xl.__main__ import run\n"
        "run()\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, timeout=30)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 130, err
    assert "carried on" not in done.stdout.decode("utf-8")
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert "Ctrl-C" in err
