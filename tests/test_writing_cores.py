"""The outputs of one merge written on both cores (issue 14, ctre_xl/output/writing.py).

The summary is written by the merge's own process while a worker writes the findings workbook, the
reminders and the units' feedback workbooks; what comes out must be what one process writes, file
for file and cell for cell, with forked workers (Linux) and spawned ones (Windows).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from merge_helpers import make_demo
from openpyxl import load_workbook

from ctre_xl.cli import main
from ctre_xl import workers
from ctre_xl.output import writing

YEAR = 2026


@pytest.fixture(scope="module")
def crowded_demo(tmp_path_factory) -> Path:
    """The demo's workspace: returns with mistakes, so several units get a feedback workbook."""
    return make_demo(tmp_path_factory.mktemp("cores") / "demo")


def _merge(root: Path) -> dict:
    outcome = CliRunner().invoke(main, ["--workspace", str(root), "merge", "--year", str(YEAR), "--json"])
    assert outcome.exit_code in (0, 1), outcome.output
    return json.loads(outcome.stdout)


def _contents(data: dict) -> dict[str, object]:
    """Every output's content: each sheet's cell values of the workbooks, the text of the others."""
    paths = {**data["outputs"], **{f"phan-hoi/{unit}": path for unit, path in data["feedback"].items()}}
    found: dict[str, object] = {}
    for name, path in sorted(paths.items()):
        if path.endswith(".xlsx"):
            book = load_workbook(path)
            found[name] = {sheet.title: [tuple(_timeless(value) for value in row)
                                         for row in sheet.iter_rows(values_only=True)
                                         if row[:1] != ("created",)]  # the time it was written
                           for sheet in book.worksheets}
        else:
            found[name] = Path(path).read_text(encoding="utf-8-sig")
    return found


def _timeless(value: object) -> object:
    """A cell's value without the minute the merge was made at (page 1 says "… tổng hợp 05/12/2026
    12:37"): two merges a second apart may fall on either side of a minute."""
    return MADE_AT.sub("tổng hợp <ngày giờ>", value) if isinstance(value, str) else value


MADE_AT = re.compile(r"tổng hợp \d{2}/\d{2}/\d{4} \d{2}:\d{2}")


def _watched(monkeypatch) -> list[str]:
    """The start method of every pool the writers start."""
    used: list[str] = []
    real = writing.worker_pool

    def watched(*args, **kwargs):
        used.append(multiprocessing.get_start_method())
        return real(*args, **kwargs)

    monkeypatch.setattr(writing, "worker_pool", watched)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    return used


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_two_cores_write_what_one_core_writes(crowded_demo, monkeypatch, start) -> None:
    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(start, force=True)
    try:
        used = _watched(monkeypatch)
        monkeypatch.setattr(writing, "PARALLEL_FROM", 2)  # the demo's few outputs: as many feedback files would
        both = _merge(crowded_demo)
        assert used == [start]  # the worker wrote its share
        assert len(both["feedback"]) >= 2  # feedback workbooks: tasks the worker or this process took
        on_two = _contents(both)
    finally:
        multiprocessing.set_start_method(before, force=True)
    monkeypatch.setattr(writing, "PARALLEL_FROM", 10 ** 9)
    used.clear()
    one = _merge(crowded_demo)
    assert used == []
    assert {k: v for k, v in one.items() if k != "outputs"} == {k: v for k, v in both.items() if k != "outputs"}
    assert _contents(one) == on_two
    folder = crowded_demo / "outbox" / str(YEAR)
    leftovers = [p.name for p in folder.rglob("*") if p.name.startswith(".~")]
    assert leftovers == []


def test_a_few_outputs_besides_the_summary_are_written_without_a_worker(crowded_demo, monkeypatch) -> None:
    used = _watched(monkeypatch)
    data = _merge(crowded_demo)
    assert 1 <= len(data["feedback"]) < writing.PARALLEL_FROM - 2
    assert used == []


def test_every_output_has_ordinary_permissions(crowded_demo) -> None:
    """The staged files are made private (mkstemp, 0600); what is put in place is an ordinary file."""
    data = _merge(crowded_demo)
    paths = [*data["outputs"].values(), *data["feedback"].values()]
    umask = os.umask(0)
    os.umask(umask)
    for path in paths:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask, path


def test_a_worker_that_cannot_start_leaves_the_writing_to_this_process(crowded_demo, monkeypatch) -> None:
    def refused(*_args, **_kwargs):
        raise OSError(38, "Function not implemented")  # a sandbox without worker processes

    class NoWorkers(workers.ProcessPoolExecutor):  # type: ignore[misc,valid-type]
        submit = refused

    monkeypatch.setattr(workers, "ProcessPoolExecutor", NoWorkers)
    monkeypatch.setattr(writing, "PARALLEL_FROM", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    data = _merge(crowded_demo)
    assert all(Path(path).is_file() for path in [*data["outputs"].values(), *data["feedback"].values()])
