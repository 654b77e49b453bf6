"""Ctrl-C where Python's own machinery is at work; both found by the random Ctrl-C test of
tests/test_hardening_crashes.py under load.

* A Ctrl-C that Python wraps in another error is still a Ctrl-C: exit 130 and one line, never
  "Lỗi của chương trình" with a log file. Python 3.11 turns a ``KeyboardInterrupt`` raised while a
  class is made (a dataclass field's ``__set_name__``, as a module is imported on the way to the
  merge) into "RuntimeError: Error calling __set_name__".
* A Ctrl-C while a worker pool shuts down waits until its threads are done: otherwise Python's exit
  hook wrote to a pipe the pool was closing, and a traceback ("Bad file descriptor") followed the
  Ctrl-C line.
* A Ctrl-C just after the merge took a waited future's lock (inside ``Condition.__enter__``) left
  the lock held: the pool's thread waited for it forever and the command hung, rarely (twice in
  about 300 random Ctrl-Cs of the test under load). The moment is made here on purpose.
* A Ctrl-C that the program was started ignoring (a background job, nohup) stops nothing: a wait
  for the workers used to hold it back and then stop the merge all the same.
* A Ctrl-C as the program starts: while its first modules load (a traceback, before) or as click
  makes the command's context ("Đã dừng." and exit 1, before).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from merge_helpers import crowd_inbox, deliver, make_crowded_demo, make_demo, make_workspace

from ctre_xl import files
from ctre_xl.__main__ import BEFORE_START
from ctre_xl.cli import main
from ctre_xl.errors import interrupt_within
from ctre_xl.merge import reading
from ctre_xl.plan.load import load_catalog
from ctre_xl.plan.units import load_registry

STOPPED = "Đã dừng theo yêu cầu (Ctrl-C)"
# A class whose making meets a Ctrl-C, as an import does when Ctrl-C lands in a dataclass's fields.
CLASS_AT_CTRL_C = (
    "class _Field:\n"
    "    def __set_name__(self, owner, name):\n"
    "        raise KeyboardInterrupt\n"
    "def make_class(*_args, **_kwargs):\n"
    "    type('Sniffed', (), {'archive': _Field()})\n"
)


def _class_at_ctrl_c():  # noqa: ANN202 - the function the snippet defines
    space: dict[str, object] = {}
    exec(CLASS_AT_CTRL_C, space)  # noqa: S102 - a fixed snippet, shared with the subprocess below
    return space["make_class"]


def test_python_wraps_the_ctrl_c_and_it_is_found_behind_the_wrapper() -> None:
    try:
        _class_at_ctrl_c()()
    except BaseException as exc:  # noqa: BLE001 - which one Python raises is the point
        caught = exc
    assert interrupt_within(caught) is not None
    assert interrupt_within(RuntimeError("x")) is None
    looped = RuntimeError("a")
    looped.__context__ = ValueError("b")
    looped.__context__.__context__ = looped  # a cycle ends the search
    assert interrupt_within(looped) is None


def test_a_wrapped_ctrl_c_in_a_command_exits_130_in_one_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("ctre_xl.pipeline.run_merge", _class_at_ctrl_c())
    outcome = CliRunner().invoke(main, ["--workspace", str(tmp_path), "init"])
    assert outcome.exit_code == 0, outcome.output
    outcome = CliRunner().invoke(main, ["--workspace", str(tmp_path), "merge", "--year", "2026"])
    assert outcome.exit_code == 130, outcome.output
    lines = outcome.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(STOPPED), outcome.output
    assert "Lỗi" not in outcome.output and list(tmp_path.glob("**/ctre-xl-loi-*")) == []


def test_a_wrapped_ctrl_c_before_the_command_exits_130_without_a_traceback(tmp_path: Path) -> None:
    script = tmp_path / "wrapped.py"
    script.write_text(CLASS_AT_CTRL_C + "import ctre_xl.cli\nctre_xl.cli.main = make_class\n"
                      "from ctre_xl.__main__ import run\nrun()\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, timeout=30)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 130, err
    assert "Traceback" not in err and err.strip() == f"{STOPPED}.", err


# Ctrl-C while the program's first modules load: ``streams`` (and the json module it needs) is the
# first import of ``run``, made to fail here as a Ctrl-C would make it fail.
CTRL_C_AS_STREAMS_LOADS = """
import sys
class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "ctre_xl.streams":
            sys.meta_path.remove(self)
            raise KeyboardInterrupt
sys.meta_path.insert(0, CtrlC())
from ctre_xl.__main__ import run
run()
"""


def test_the_program_loads_nothing_heavy_before_its_ctrl_c_handler(tmp_path: Path) -> None:
    """Everything loaded before ``run`` can catch a Ctrl-C is a window for a traceback (a loaded
    machine's random Ctrl-C found one, 50 ms after the start, inside the json module's import)."""
    probe = "import sys, ctre_xl.__main__; print(sorted(m for m in ('json', 'ctre_xl.streams', 'click') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "[]", done.stderr
    script = tmp_path / "ctrl_c_as_streams_loads.py"
    script.write_text(CTRL_C_AS_STREAMS_LOADS, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, timeout=30)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 130, err
    assert "Traceback" not in err and err.strip() == BEFORE_START, err


def test_a_ctrl_c_as_click_makes_the_context_exits_130_not_aborted(tmp_path: Path, monkeypatch) -> None:
    """Ctrl-C as click makes the command's context, before the options are read: click itself
    said "Aborted!" ("Đã dừng.") and exited with 1, as for a failed command."""
    real = click.Context.__init__
    calls: list[bool] = []

    def ctrl_c_once(self, *args, **kwargs):  # noqa: ANN001, ANN202
        if not calls:
            calls.append(True)
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(click.Context, "__init__", ctrl_c_once)
    outcome = CliRunner().invoke(main, ["--workspace", str(tmp_path), "init"])
    assert outcome.exit_code == 130, outcome.output
    assert outcome.output.strip().startswith(STOPPED), outcome.output
    assert calls == [True]


@pytest.mark.skipif(sys.platform == "win32", reason="a real SIGINT to this process")
def test_a_ctrl_c_while_the_reading_pool_shuts_down_waits_for_its_threads(tmp_path: Path, monkeypatch) -> None:
    workspace = make_workspace(tmp_path / "ws", (2026,))
    source = deliver(workspace, "van-phong", 2026, "van phong.xlsx", {"under5_birth_registered": 1180},
                     report_date="05/11/2026")
    crowd_inbox(workspace, [source], reading.PARALLEL_FROM)
    paths = sorted(p for p in workspace.inbox.rglob("*.xlsx"))
    assert len(paths) >= reading.PARALLEL_FROM
    real = ProcessPoolExecutor.shutdown

    def ctrl_c_then_shut_down(self, *args, **kwargs):  # noqa: ANN001, ANN202
        signal.raise_signal(signal.SIGINT)  # as the last chunk comes back: the pool is shutting down
        return real(self, *args, **kwargs)
    monkeypatch.setattr(ProcessPoolExecutor, "shutdown", ctrl_c_then_shut_down)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    catalog = load_catalog()
    with pytest.raises(KeyboardInterrupt):
        reading.read_all(paths, workspace.inbox, catalog, load_registry(workspace.root, catalog))
    managers = [t for t in threading.enumerate() if type(t).__name__ == "_ExecutorManagerThread" and t.is_alive()]
    assert managers == []  # joined before the Ctrl-C went on: nothing left to race the exit hook


# Ctrl-C exactly when Python could raise it inside a pool's lock: just after ``Condition.__enter__``
# took the lock of a future not yet done, in the merge's own thread, once ``ARMED_IN`` has begun.
# The writing worker gets every output but the summary, each slowed, so that some are still waiting
# when the merge turns to them.
LOCK_AT_CTRL_C = """
import importlib, signal, sys, threading, time
from concurrent.futures import _base
module_name, function_name = sys.argv[1].rsplit(".", 1)
module = importlib.import_module(module_name)
armed = []
real_enter = threading.Condition.__enter__

def enter(self):
    taken = real_enter(self)
    if armed != [True] or threading.get_ident() != threading.main_thread().ident:
        return taken  # (current_thread() would register a thread still starting)
    caller = sys._getframe(1)
    future = caller.f_locals.get("self") if caller.f_code.co_filename == _base.__file__ else None
    if isinstance(future, _base.Future) and future._state in (_base.PENDING, _base.RUNNING):
        armed[0] = False
        signal.raise_signal(signal.SIGINT)
    return taken

threading.Condition.__enter__ = enter
real_function = getattr(module, function_name)

def arming(*args, **kwargs):
    armed.append(True)
    return real_function(*args, **kwargs)

setattr(module, function_name, arming)
from ctre_xl.output import writing
real_job = writing._write_in_worker
def slow_job(job):
    time.sleep(0.3)
    return real_job(job)
writing._write_in_worker = slow_job
writing.PARALLEL_FROM = 1  # the demo's few outputs besides the summary go to the worker all the same
from ctre_xl.template import writer
real_template = writer._write_job
def slow_template(job):
    time.sleep(0.3)
    return real_template(job)
writer._write_job = slow_template
writer.PARALLEL_MIN_UNITS = 1  # the demo's units' templates on the pool all the same
sys.argv = ["ctre-xl", "--workspace", sys.argv[2], *(sys.argv[3:] or ["merge"]), "--year", "2026"]
from ctre_xl.__main__ import run
run()
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo's workspace, its inbox crowded: every pool of a merge starts."""
    return make_crowded_demo(tmp_path_factory.mktemp("locks") / "demo")


@pytest.mark.skipif(sys.platform == "win32", reason="a real SIGINT to this process")
@pytest.mark.parametrize("armed_in, command", [("ctre_xl.merge.reading._read_in_pool", "merge"),
                                               ("ctre_xl.output.writing.write_in_pool", "merge"),
                                               ("ctre_xl.template.writer.write_templates", "templates")])
def test_a_ctrl_c_inside_a_futures_lock_still_stops_the_merge_at_once(demo: Path, tmp_path: Path, armed_in: str,
                                                                       command: str) -> None:
    script = tmp_path / "lock_at_ctrl_c.py"
    script.write_text(LOCK_AT_CTRL_C, encoding="utf-8")
    began = time.monotonic()
    try:
        done = subprocess.run([sys.executable, str(script), armed_in, str(demo), command], capture_output=True,
                              timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running 60 s after a Ctrl-C inside a future's lock ({armed_in})")
    err = done.stderr.decode("utf-8")
    assert done.returncode == 130, err
    assert "Traceback" not in err and err.strip().startswith(STOPPED), err
    assert time.monotonic() - began < 30, err
    assert not [p for p in demo.rglob(".~*")], "a staged file was left behind"


def test_a_ctrl_c_that_skips_a_cleanup_leaves_no_temporary_behind(tmp_path: Path, monkeypatch) -> None:
    """Ctrl-C just as a ``finally`` begins, before its cleanup holds Ctrl-C back, skips that cleanup
    (found by the random Ctrl-C test under load: a writer's scratch folder was left in outbox/).
    Made here: the summary's scratch folder is not removed and Ctrl-C is raised instead. The
    command's error handler removes what this process made and left."""
    root = make_demo(tmp_path / "demo")
    before = dict(files._MADE)
    assert CliRunner().invoke(main, ["--workspace", str(root), "merge", "--year", "2026"]).exit_code in (0, 1)
    assert files._MADE == before  # a merge that ends well forgets every temporary it made
    real_rmtree = files.shutil.rmtree
    skipped: list[str] = []

    def ctrl_c_instead(path, *args, **kwargs):  # noqa: ANN001, ANN202
        if not skipped and Path(path).name.startswith(files.TEMPORARY_PREFIX):
            skipped.append(str(path))
            raise KeyboardInterrupt
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(files.shutil, "rmtree", ctrl_c_instead)
    outcome = CliRunner().invoke(main, ["--workspace", str(root), "merge", "--year", "2026"])
    assert outcome.exit_code == 130, outcome.output
    assert skipped and not Path(skipped[0]).exists()
    assert [p for p in root.rglob(f"{files.TEMPORARY_PREFIX}*")] == []
    assert "Traceback" not in outcome.output


# A merge started with Ctrl-C ignored (a background job of a shell, nohup), a SIGINT arriving while
# it waits for the reading workers. Every other step of such a merge went on; this one stopped with
# "Đã dừng theo yêu cầu", because the wait recorded the signal over the ignoring.
SIGINT_WHILE_IGNORED = """
import signal, sys
from ctre_xl import workers
real = workers.result_of
sent = []

def result_after_a_sigint(future, interrupted):
    if not sent:
        sent.append(True)
        signal.raise_signal(signal.SIGINT)
    return real(future, interrupted)

workers.result_of = result_after_a_sigint
sys.argv = ["ctre-xl", "--workspace", sys.argv[1], "merge", "--year", "2026"]
from ctre_xl.__main__ import run
run()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="a real SIGINT to this process")
def test_a_merge_started_with_ctrl_c_ignored_is_not_stopped_by_it(demo: Path, tmp_path: Path) -> None:
    script = tmp_path / "sigint_while_ignored.py"
    script.write_text(SIGINT_WHILE_IGNORED, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(demo)], capture_output=True, timeout=120,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    err = done.stderr.decode("utf-8")
    assert done.returncode in (0, 1), err  # the merge's own outcome (1: the demo's returns have findings)
    assert STOPPED not in err and "Traceback" not in err, err
