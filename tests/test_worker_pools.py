"""A worker pool never outlives the command that started it, whatever moment Ctrl-C picks.

Found by the random Ctrl-C test of tests/test_hardening_crashes.py on the project's CI: a Ctrl-C
that came while the tasks not begun were cancelled was raised there and skipped the pool's shutdown.
The command ended (exit 130) and its two reading workers waited for tasks forever, holding the
console's pipe open, so whoever ran it (a script, a scheduled task) waited with them. Made here on
purpose for each pool (reading the inbox, writing the merge's outputs, writing the templates), then
the guard behind them: a pool whose close is skipped altogether is ended by the command's handler.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from limits_helpers import group_state, still_running
from merge_helpers import make_crowded_demo

from ctre_xl.interrupts import interrupts_allowed, interrupts_deferred

STOPPED = "Đã dừng theo yêu cầu (Ctrl-C)"
POOLS = [("ctre_xl.merge.reading._read_in_pool", "merge"),
         ("ctre_xl.output.writing.write_in_pool", "merge"),
         ("ctre_xl.template.writer._write_in_pool", "templates")]

# Runs ``ctre-xl <command>`` with every pool started (a few outputs and units are enough), and a
# Ctrl-C at the close of the pool of argv[1] (module.function): "cancel" sends a SIGINT while its
# tasks not begun are cancelled; "skip" makes a Ctrl-C that skips the close altogether. The workers
# are forked, or spawned as on Windows (argv[5]).
CTRL_C_AT_CLOSE = """
import importlib, multiprocessing, signal, sys
from ctre_xl import workers
from ctre_xl.interrupts import interrupts_deferred
from ctre_xl.output import writing
from ctre_xl.template import writer


def main():
    multiprocessing.set_start_method(sys.argv[5], force=True)
    writing.PARALLEL_FROM = 1
    writer.PARALLEL_MIN_UNITS = 1
    module_name, function_name = sys.argv[1].rsplit(".", 1)
    module = importlib.import_module(module_name)
    real_function = getattr(module, function_name)
    armed = []

    def arming(*args, **kwargs):
        armed.append(True)
        return real_function(*args, **kwargs)

    setattr(module, function_name, arming)
    real_cancel, real_close = workers.cancel_all, workers.WorkerPool.close

    def cancel_with_ctrl_c(futures):
        with interrupts_deferred():
            if armed == [True]:
                armed[0] = False
                signal.raise_signal(signal.SIGINT)
            real_cancel(futures)

    def close_skipped(self):
        if armed == [True]:
            armed[0] = False
            raise KeyboardInterrupt
        real_close(self)

    if sys.argv[2] == "cancel":
        workers.cancel_all = cancel_with_ctrl_c
    else:
        workers.WorkerPool.close = close_skipped
    sys.argv = ["ctre-xl", "--workspace", sys.argv[3], sys.argv[4], "--year", "2026"]
    from ctre_xl.__main__ import run
    run()


if __name__ == "__main__":  # a spawned worker imports this file again
    main()
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo's workspace, its inbox crowded: every pool of a merge starts."""
    return make_crowded_demo(tmp_path_factory.mktemp("pools") / "demo")


def _run_to_its_end(script: Path, *args: str) -> tuple[int, str, list[int]]:
    """Run ``script`` in a session of its own; its exit code, its stderr and the processes of the
    session still alive once it has ended (a worker holding stderr open keeps the wait waiting)."""
    process = subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        _out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        state = group_state(process.pid)
        subprocess.run(["pkill", "-KILL", "-s", str(process.pid)], check=False)
        process.communicate()
        pytest.fail(f"the command or its workers still running after 60 s ({state})")
    deadline = time.monotonic() + 5
    while still_running(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return process.returncode, err.decode("utf-8"), still_running(process.pid)


@pytest.mark.skipif(sys.platform == "win32", reason="a real SIGINT to this process; a session of its own")
@pytest.mark.parametrize("start", ["fork", "spawn"])
@pytest.mark.parametrize("moment", ["cancel", "skip"])
@pytest.mark.parametrize("armed_in, command", POOLS)
def test_a_ctrl_c_as_a_pool_closes_leaves_no_worker_behind(demo: Path, tmp_path: Path, armed_in: str,
                                                            command: str, moment: str, start: str) -> None:
    script = tmp_path / "ctrl_c_at_close.py"
    script.write_text(CTRL_C_AT_CLOSE, encoding="utf-8")
    code, err, left = _run_to_its_end(script, armed_in, moment, str(demo), command, start)
    assert left == [], f"workers left running: {left}"
    assert code == 130, err
    assert "Traceback" not in err and err.strip().startswith(STOPPED), err
    assert not [p for p in demo.rglob(".~*")], "a staged file was left behind"


@pytest.mark.skipif(sys.platform == "win32", reason="a real SIGINT to this process")
def test_a_step_that_allows_ctrl_c_is_stopped_at_once_and_the_hold_comes_back() -> None:
    reached: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts_deferred() as interrupted:
            try:
                with interrupts_allowed():
                    signal.raise_signal(signal.SIGINT)
                    reached.append("after the Ctrl-C")  # never: the step stops at once
            finally:
                held = signal.getsignal(signal.SIGINT)
                signal.raise_signal(signal.SIGINT)  # a second Ctrl-C during the cleanup: recorded
                reached.append("cleanup done")
                assert getattr(held, "deferring", False) and interrupted()
    assert reached == ["cleanup done"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.skipif(sys.platform == "win32", reason="a real SIGINT to this process")
def test_a_ctrl_c_held_before_an_allowed_step_stops_it_as_it_begins() -> None:
    began: list[bool] = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts_deferred() as interrupted:
            signal.raise_signal(signal.SIGINT)
            assert interrupted()
            with interrupts_allowed():
                began.append(True)
    assert began == []
    with interrupts_allowed():  # outside a deferral: nothing to allow
        began.append(True)
    assert began == [True]
