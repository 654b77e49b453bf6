"""Ctrl-C where Python's own machinery is at work; both found by the random Ctrl-C test of
tests/test_hardening_crashes.py under load.

* A Ctrl-C that Python wraps in another error is still a Ctrl-C: exit 130 and one line, never
  "Lỗi của chương trình" with a log file. Python 3.11 turns a ``KeyboardInterrupt`` raised while a
  class is made (a dataclass field's ``__set_name__``, as a module is imported on the way to the
  merge) into "RuntimeError: Error calling __set_name__".
* A Ctrl-C while a worker pool shuts down waits until its threads are done: otherwise Python's exit
  hook wrote to a pipe the pool was closing, and a traceback ("Bad file descriptor") followed the
  Ctrl-C line.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from merge_helpers import crowd_inbox, deliver, make_workspace

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
