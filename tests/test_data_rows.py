"""The summary's "Dữ liệu" rows made on the other core (issue 14, output/summary/data_sheet.py).

The rows a worker process makes while the other sheets are written must be byte for byte the rows
this process makes, with forked workers (Linux) and spawned ones (Windows); a worker that fails
leaves the rows to this process, and nothing is missing.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from ctre_xl.cli import main
from ctre_xl.output.summary import data_sheet

YEAR = 2026


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rows") / "demo"
    outcome = CliRunner().invoke(main, ["demo", "--workspace", str(root)])
    assert outcome.exit_code == 0, outcome.output
    return root


def _data_xml(root: Path) -> bytes:
    """The "Dữ liệu" sheet's XML of the summary, found through the workbook's own sheet list."""
    summary = root / "outbox" / str(YEAR) / f"tong-hop-{YEAR}.xlsx"
    with zipfile.ZipFile(summary) as archive:
        names = re.findall(r'<sheet name="([^"]+)"', archive.read("xl/workbook.xml").decode())
        return archive.read(f"xl/worksheets/sheet{names.index(data_sheet.DATA_SHEET) + 1}.xml")


def _merge(root: Path) -> None:
    outcome = CliRunner().invoke(main, ["--workspace", str(root), "merge", "--year", str(YEAR)])
    assert outcome.exit_code in (0, 1), outcome.output


def _started(monkeypatch) -> list[str]:
    """The start method of every worker the data sheet starts (on a machine with two cores)."""
    started: list[str] = []
    real = multiprocessing.Process

    def process(*args, **kwargs):
        started.append(multiprocessing.get_start_method())
        return real(*args, **kwargs)

    monkeypatch.setattr(data_sheet.multiprocessing, "Process", process)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    return started


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_rows_made_on_the_other_core_are_the_rows_made_here(demo, monkeypatch, start) -> None:
    monkeypatch.setattr(data_sheet, "PARALLEL_FROM", 10 ** 9)
    _merge(demo)
    here = _data_xml(demo)
    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(start, force=True)
    try:
        started = _started(monkeypatch)
        monkeypatch.setattr(data_sheet, "PARALLEL_FROM", 1)
        _merge(demo)
    finally:
        multiprocessing.set_start_method(before, force=True)
    assert started == [start]
    assert _data_xml(demo) == here
    assert here.count(b"<row ") > 50  # the demo's figures, each a row
    assert [p.name for p in (demo / "outbox" / str(YEAR)).iterdir() if p.name.startswith(".~")] == []


def _dies(*_args) -> None:
    os._exit(3)  # a worker killed half-way: nothing complete written


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker's code is replaced in a forked child only")
def test_a_worker_that_dies_leaves_the_rows_to_this_process(demo, monkeypatch) -> None:
    monkeypatch.setattr(data_sheet, "PARALLEL_FROM", 10 ** 9)
    _merge(demo)
    here = _data_xml(demo)
    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("fork", force=True)
    try:
        started = _started(monkeypatch)
        monkeypatch.setattr(data_sheet, "PARALLEL_FROM", 1)
        monkeypatch.setattr(data_sheet, "_make_rows_in_worker", _dies)
        _merge(demo)
    finally:
        multiprocessing.set_start_method(before, force=True)
    assert started == ["fork"]
    assert _data_xml(demo) == here
    book = load_workbook(demo / "outbox" / str(YEAR) / f"tong-hop-{YEAR}.xlsx", read_only=True)
    rows = list(book[data_sheet.DATA_SHEET].iter_rows(values_only=True))
    assert rows[0][:3] == ("Năm", "Đơn vị", "Số liệu") and all(row[0] == YEAR for row in rows[1:])
