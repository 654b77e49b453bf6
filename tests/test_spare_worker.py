"""The summary's worker started as soon as a large merge's files are read (issue 14,
``workers.start_spare``, ``side_rows.start_early``).

Its interpreter starts while this process checks and computes the merge on one core, and the
summary hands it the lists' rows: the rows are byte for byte those made here, only one process is
started, and none outlives the command — taken, not needed, ended before it was taken, or stopped
by Ctrl-C while it waited.
"""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest
from click.testing import CliRunner
from merge_helpers import make_demo

from ctre_xl import workers
from ctre_xl.cli import main
from ctre_xl.merge import merge as merging
from ctre_xl.output.summary import side_rows
from test_side_rows import YEAR, _lists_xml


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return make_demo(tmp_path_factory.mktemp("spare") / "demo")


@pytest.fixture
def spares(monkeypatch) -> list:
    """Every spare started during the test (its process), a merge of the demo enough to start one."""
    monkeypatch.setattr(side_rows, "EARLY_FROM_FILES", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    started: list = []
    real = workers.start_spare

    def recording(preload):
        real(preload)
        started.extend(process for process, _pipe in workers._SPARE if process not in started)
    monkeypatch.setattr(side_rows, "start_spare", recording)
    yield started
    workers.drop_spare()


def _spawned(monkeypatch) -> list:
    """The start methods of the processes the summary's lists start themselves (not the spare)."""
    spawned: list = []

    class Counting:
        def __getattr__(self, name):
            return getattr(multiprocessing, name)

        def get_context(self, method=None):
            spawned.append(method)
            return multiprocessing.get_context(method)
    monkeypatch.setattr(side_rows, "multiprocessing", Counting())
    return spawned


def _merge(root) -> int:
    return CliRunner().invoke(main, ["--workspace", str(root), "merge", "--year", str(YEAR)]).exit_code


def test_the_summary_takes_the_worker_started_early(demo, spares, monkeypatch) -> None:
    monkeypatch.setattr(side_rows, "PARALLEL_FROM", 10 ** 9)
    assert _merge(demo) in (0, 1)
    here = _lists_xml(demo)
    assert len(spares) == 1 and not spares[0].is_alive(), "a spare nobody took was not ended"
    spawned = _spawned(monkeypatch)  # what SideRows starts itself

    def not_here(*_args, **_kwargs):
        raise AssertionError("the rows were made in this process, not by the spare")
    monkeypatch.setattr(side_rows, "make_pieces", not_here)  # (the spare imports its own)
    monkeypatch.setattr(side_rows, "PARALLEL_FROM", 1)
    assert _merge(demo) in (0, 1)
    assert len(spares) == 2 and spawned == [], "the summary started a worker of its own"
    assert _lists_xml(demo) == here
    assert multiprocessing.active_children() == []


def test_a_spare_that_ended_before_it_was_taken_leaves_the_summary_its_own(demo, spares, monkeypatch) -> None:
    monkeypatch.setattr(side_rows, "PARALLEL_FROM", 10 ** 9)
    assert _merge(demo) in (0, 1)
    here = _lists_xml(demo)
    real = merging._commune_checks

    def spare_gone(*args, **kwargs):
        for process, _pipe in workers._SPARE:
            process.kill()
            process.join()
        return real(*args, **kwargs)
    monkeypatch.setattr(merging, "_commune_checks", spare_gone)
    spawned = _spawned(monkeypatch)
    monkeypatch.setattr(side_rows, "PARALLEL_FROM", 1)
    assert _merge(demo) in (0, 1)
    assert spawned == ["spawn"] and len(spares) == 2
    assert _lists_xml(demo) == here
    assert multiprocessing.active_children() == []


def test_a_ctrl_c_while_the_spare_waits_ends_it(demo, spares, monkeypatch) -> None:
    real = merging._commune_checks

    def ctrl_c(*args, **kwargs):
        assert workers._SPARE, "no spare waiting"
        signal.raise_signal(signal.SIGINT)
        return real(*args, **kwargs)
    monkeypatch.setattr(merging, "_commune_checks", ctrl_c)
    outcome = CliRunner().invoke(main, ["--workspace", str(demo), "merge", "--year", str(YEAR)])
    assert outcome.exit_code == 130, outcome.output
    assert "Đã dừng theo yêu cầu (Ctrl-C)" in outcome.output and "Traceback" not in outcome.output
    assert len(spares) == 1 and not spares[0].is_alive()
    assert workers._SPARE == [] and multiprocessing.active_children() == []


def test_one_spare_at_a_time_and_none_on_one_core(monkeypatch) -> None:
    assert workers.take_spare(print, ()) is None
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    workers.start_spare(())
    assert workers._SPARE == []
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    try:
        workers.start_spare(())
        first = workers._SPARE[0][0]
        workers.start_spare(())
        assert [process for process, _pipe in workers._SPARE] == [first]
    finally:
        workers.drop_spare()
    assert not first.is_alive() and workers._SPARE == []
    assert multiprocessing.active_children() == []


def test_below_the_size_no_spare_is_started(demo, monkeypatch) -> None:
    started: list = []
    monkeypatch.setattr(side_rows, "start_spare", started.append)
    monkeypatch.setattr(side_rows, "EARLY_FROM_FILES", 10 ** 6)
    assert _merge(demo) in (0, 1)
    assert started == []
    monkeypatch.setattr(side_rows, "EARLY_FROM_FILES", 1)
    assert _merge(demo) in (0, 1)
    assert started == [side_rows.PRELOAD]
