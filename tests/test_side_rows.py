"""The summary's "Tiến độ nộp" and "Dữ liệu" rows made on the other core (issue 14,
output/summary/side_rows.py).

The rows a worker process makes while the other sheets are written must be byte for byte the rows
this process makes, with forked workers (Linux) and spawned ones (Windows); a worker that fails
leaves the rows to this process, and nothing is missing; a Ctrl-C as it starts stops both processes
without a traceback.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from merge_helpers import make_demo
from openpyxl import load_workbook

from ctre_xl.cli import main
from ctre_xl.output.summary import data_sheet, sheets, side_rows

YEAR = 2026


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return make_demo(tmp_path_factory.mktemp("rows") / "demo")


def _lists_xml(root: Path) -> list[bytes]:
    """The XML of the summary's "Tiến độ nộp" and "Dữ liệu" sheets, found through the workbook's own
    sheet list; and its styles (the formats' numbers are the same however the rows were made)."""
    summary = root / "outbox" / str(YEAR) / f"tong-hop-{YEAR}.xlsx"
    with zipfile.ZipFile(summary) as archive:
        names = re.findall(r'<sheet name="([^"]+)"', archive.read("xl/workbook.xml").decode())
        return [archive.read(f"xl/worksheets/sheet{names.index(name) + 1}.xml")
                for name in (sheets.PROGRESS_SHEET, data_sheet.DATA_SHEET)] + [archive.read("xl/styles.xml")]


def _merge(root: Path) -> None:
    outcome = CliRunner().invoke(main, ["--workspace", str(root), "merge", "--year", str(YEAR)])
    assert outcome.exit_code in (0, 1), outcome.output


def _started(monkeypatch, handed: list | None = None) -> list[str]:
    """The start method of every worker the summary's lists start (on a machine with two cores);
    what each is handed goes to ``handed``."""
    started: list[str] = []
    real = multiprocessing.get_context

    def context(method=None):
        made = real(method)
        started.append(made.get_start_method())

        def process(*args, **kwargs):
            if handed is not None:
                handed.append(kwargs.get("args"))
            return made.Process(*args, **kwargs)

        return type("Context", (), {"Process": staticmethod(process)})

    monkeypatch.setattr(side_rows.multiprocessing, "get_context", context)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    return started


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_rows_made_on_the_other_core_are_the_rows_made_here(demo, monkeypatch, start) -> None:
    monkeypatch.setattr(side_rows, "PARALLEL_FROM", 10 ** 9)
    _merge(demo)
    here = _lists_xml(demo)
    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(start, force=True)  # the rest of the program's (Linux or Windows)
    try:
        handed: list = []
        started = _started(monkeypatch, handed)
        monkeypatch.setattr(side_rows, "PARALLEL_FROM", 1)
        _merge(demo)
    finally:
        multiprocessing.set_start_method(before, force=True)
    # Always a fresh process handed a file: a forked one would share this process's memory, and
    # every page either side touched would be copied (half a gigabyte at 66,000 files).
    assert started == ["spawn"]
    (folder, packed), = handed
    assert isinstance(packed, Path) and packed.parent == folder
    assert _lists_xml(demo) == here
    progress, data, _styles = here
    assert progress.count(b"<row ") > 10 and progress.count(b'customHeight="1"') > 10  # the units, sized rows
    assert data.count(b"<row ") > 50  # the demo's figures, each a row
    assert [p.name for p in (demo / "outbox" / str(YEAR)).iterdir() if p.name.startswith(".~")] == []


class _Unreadable:
    """``pickle`` as the summary's lists see it, packing what no worker can read."""

    HIGHEST_PROTOCOL = 5

    @staticmethod
    def dump(_what, out, *_args, **_kwargs) -> None:
        out.write(b"not a pickle")


def test_a_worker_that_fails_leaves_the_rows_to_this_process(demo, monkeypatch, capfd) -> None:
    monkeypatch.setattr(side_rows, "PARALLEL_FROM", 10 ** 9)
    _merge(demo)
    here = _lists_xml(demo)
    started = _started(monkeypatch)
    monkeypatch.setattr(side_rows, "PARALLEL_FROM", 1)
    monkeypatch.setattr(side_rows, "pickle", _Unreadable)
    _merge(demo)
    assert "Traceback" not in capfd.readouterr().err  # the worker's own stream too, not only click's
    assert started == ["spawn"]
    assert _lists_xml(demo) == here
    book = load_workbook(demo / "outbox" / str(YEAR) / f"tong-hop-{YEAR}.xlsx", read_only=True)
    rows = list(book[data_sheet.DATA_SHEET].iter_rows(values_only=True))
    assert rows[0][:3] == ("Năm", "Đơn vị", "Số liệu") and all(row[0] == YEAR for row in rows[1:])
    units = [row for row in book[sheets.PROGRESS_SHEET].iter_rows(values_only=True) if isinstance(row[0], int)]
    assert [row[0] for row in units] == list(range(1, len(units) + 1)) and len(units) > 5


@pytest.mark.parametrize("batch", [1, 2, 3, 4_096])
def test_packed_jobs_come_back_piece_by_piece_as_they_went(tmp_path, monkeypatch, batch) -> None:
    """The worker's file: every job's pieces (empty ones, a batch's multiple) in order, as the makers take them."""
    import io

    monkeypatch.setattr(side_rows, "PACKED_ROWS", batch)
    jobs = {"a": side_rows.RowJob(print, lambda: [iter([(1, "x"), (2, "ý")]), iter([]), iter([(3, None)] * 4)],
                                  ("extra", 7), 7),
            "b": side_rows.RowJob(len, lambda: [], (), 0), "c": side_rows.RowJob(repr, lambda: [[("z",)]], (), 1)}
    out = io.BytesIO()
    side_rows.pack(jobs, out)
    out.seek(0)
    back = [(name, maker, [list(piece) for piece in pieces], extra)
            for name, maker, pieces, extra in side_rows.unpack(out)]
    assert back == [("a", print, [[(1, "x"), (2, "ý")], [], [(3, None)] * 4], ("extra", 7)),
                    ("b", len, [], ()), ("c", repr, [[("z",)]], ())]
    assert out.read() == b""  # nothing left unread


# Ctrl-C just after the summary's worker process is spawned, before it is handed what to do. The
# first spawned process of a run also starts multiprocessing's resource tracker, and CPython's
# ``resource_tracker.ensure_running`` unblocks SIGINT as it starts it: the Ctrl-C held back while
# the worker started was raised in the middle of the start, and the worker, handed nothing, printed
# "EOFError: Ran out of input" with its traceback after the Ctrl-C line (once in 180 random Ctrl-Cs).
CTRL_C_AT_SPAWN = """
import signal, sys
from multiprocessing import util
from ctre_xl.output.summary import side_rows
real = util.spawnv_passfds

def spawn_then_ctrl_c(path, args, passfds):
    pid = real(path, args, passfds)
    if "--multiprocessing-fork" in args:  # the worker, not the resource tracker
        signal.raise_signal(signal.SIGINT)
    return pid

util.spawnv_passfds = spawn_then_ctrl_c
side_rows.PARALLEL_FROM = 1
if sys.argv[2] == "no signal mask":  # as on Windows: the Ctrl-C is held back by its handler only
    from types import SimpleNamespace
    from ctre_xl import workers
    workers.signal = SimpleNamespace(**{name: getattr(signal, name) for name in dir(signal) if name != "pthread_sigmask"})
sys.argv = ["ctre-xl", "--workspace", sys.argv[1], "merge", "--year", "2026"]
from ctre_xl.__main__ import run
run()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="a real SIGINT to this process (Windows has no signal mask)")
@pytest.mark.parametrize("platform", ["signal mask", "no signal mask"])
def test_a_ctrl_c_as_the_worker_starts_stops_both_processes_without_a_traceback(demo, tmp_path, platform) -> None:
    script = tmp_path / "ctrl_c_at_spawn.py"
    script.write_text(CTRL_C_AT_SPAWN, encoding="utf-8")
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    # stderr is shared with the worker: the run ends when both have closed it
    done = subprocess.run([sys.executable, str(script), str(demo), platform], capture_output=True, timeout=120,
                          env=environment)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 130, err
    assert "Traceback" not in err and "Error" not in err, err
    assert err.strip().startswith("Đã dừng theo yêu cầu (Ctrl-C)"), err
    assert [p.name for p in (demo / "outbox").rglob(".~*")] == []


# In a fresh interpreter (its resource tracker not yet started): is SIGINT still held when the
# first spawned process has started, under the default start method or a spawning one?
STILL_HELD = """
import multiprocessing, signal, sys
from ctre_xl.workers import interrupts_blocked
if sys.argv[1] != "default":
    multiprocessing.set_start_method(sys.argv[1])
with interrupts_blocked(spawning=sys.argv[2] == "spawning"):
    worker = multiprocessing.get_context("spawn").Process(target=print, daemon=True)
    worker.start()
    print(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))
worker.join()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no signal mask")
@pytest.mark.parametrize("method, told", [("default", "spawning"), ("spawn", "pool"), ("forkserver", "pool")])
def test_sigint_stays_held_while_the_first_spawned_process_starts(method, told) -> None:
    done = subprocess.run([sys.executable, "-c", STILL_HELD, method, told], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "True", done.stdout + done.stderr
