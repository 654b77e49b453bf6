"""``collector.collector_paused``: Python's cycle collector held back while a merge builds what it
keeps, for the whole ``ctre-xl merge`` command, and nothing left for it to walk afterwards; and
running wherever a file is read or a small workbook written, which leave garbage in cycles: in the
worker processes (forked inside the pause, they inherit it) and around such work in this process."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from reading_helpers import fill, make_template, rewrite_zip, sheet_part

from ctre_xl import cli
from ctre_xl.cli import main
from ctre_xl.collector import collector_paused, collector_resumed
from ctre_xl.files import Workspace
from ctre_xl.merge import reading
from ctre_xl.merge.merge import merge_inbox
from ctre_xl.output import writing
from ctre_xl.output.feedback import feedback_cases
from ctre_xl.output.feedback_items import UnitFeedback
from ctre_xl.plan.units import load_registry
from ctre_xl.template import layout as L
from ctre_xl.workers import two_cores


@pytest.fixture
def collections():
    """The collections Python runs while the test's code runs, as (generation) each."""
    seen: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.collect()
    gc.callbacks.append(record)
    yield seen
    gc.callbacks.remove(record)


def test_what_a_stage_built_is_left_out_of_the_young_generation() -> None:
    """Re-enabled after a stage, the collector would walk all it had built at its next young
    collection, to free nothing: those objects go straight to the oldest generation."""
    with collector_paused():
        assert not gc.isenabled()
        built = [{"hàng": [number]} for number in range(20_000)]
    assert gc.isenabled()
    young = {id(item) for item in gc.get_objects(generation=0)}
    assert not any(id(item) in young for item in built)
    oldest = {id(item) for item in gc.get_objects(generation=2)}
    assert all(id(item) in oldest for item in built[:100])


def test_a_pause_inside_a_longer_one_changes_nothing() -> None:
    """The merge stage and the writing pause themselves; inside the command's pause they must
    neither enable the collector nor unfreeze what the outer pause froze."""
    with collector_paused():
        frozen = gc.get_freeze_count()
        with collector_paused():
            pass
        assert not gc.isenabled() and gc.get_freeze_count() == frozen
    assert gc.isenabled()


def test_a_merge_runs_no_collection_from_reading_to_its_printed_result(tmp_path: Path, monkeypatch,
                                                                        collections) -> None:
    """Collections counted from the command's pause on (click's own parsing before it allocates
    too, and may collect), to its end, after the JSON is printed."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["demo"]).exit_code == 0
    during: list[list[int]] = []

    @contextmanager
    def watched() -> Iterator[None]:
        with collector_paused():
            collections.clear()
            yield
            during.append(list(collections))

    @contextmanager
    def resumed() -> Iterator[None]:  # reading a file, writing a small workbook: collections allowed
        mark = len(collections)
        with collector_resumed():
            yield
        del collections[mark:]

    monkeypatch.setattr(cli, "collector_paused", watched)
    monkeypatch.setattr(reading, "collector_resumed", resumed)
    monkeypatch.setattr(writing, "collector_resumed", resumed)
    result = runner.invoke(main, ["--workspace", str(tmp_path / "demo"), "merge", "--year", "2026", "--json"])
    assert result.exit_code in (0, 1), result.output
    assert "tong-hop-2026.xlsx" in result.output  # printed inside the pause
    assert during == [[]]  # between its stages and while printing, the collector never ran


def test_a_resumed_stretch_walks_only_what_it_builds() -> None:
    """Inside a pause, per-file work runs with the collector on, what the pause keeps frozen;
    outside a pause it changes nothing."""
    with collector_paused():
        kept = [{"giữ": [number]} for number in range(5_000)]
        with collector_resumed():
            assert gc.isenabled()
            assert gc.get_freeze_count() >= len(kept)  # never walked by the collections here
        assert not gc.isenabled()
    with collector_resumed():
        assert gc.isenabled()
    assert gc.isenabled()


def cycles(count: int) -> None:
    """``count`` lists, each holding itself: garbage only the collector frees."""
    for _ in range(count):
        loop: list[object] = []
        loop.append(loop)


def test_a_resumed_stretch_leaves_nothing_for_the_next_one_to_freeze() -> None:
    """Each stretch begins by freezing what is alive: garbage a stretch left (too little to
    start a collection) would then be kept out of every collection until the pause ends."""
    gc.collect()
    with collector_paused():
        for _ in range(20):
            with collector_resumed():
                cycles(100)
    assert gc.collect() == 0  # after the pause (frozen garbage too): nothing was left


@pytest.fixture(scope="module")
def pasted(catalog, registry, tmp_path_factory) -> Path:
    """A return with 100,000 rows pasted below the template: its input sheet is past the size read
    whole, so it is streamed by ElementTree's parser, which leaves its objects in cycles."""
    folder = tmp_path_factory.mktemp("pasted")
    template = fill(make_template(catalog, registry, "th-vi-du", 2026, folder / "template.xlsx"),
                    {"primary_completers": 120}, folder / "filled.xlsx")
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>D\xc3\xa1n t\xe1\xbb\xab Zalo %d</t></is></c>'
                    b'<c r="D%d"><v>%d</v></c></row>' % (r, r, r, r, r) for r in range(60, 100_060))
    return rewrite_zip(template, folder / "pasted.xlsx", replace={
        sheet_part(template, L.INPUT_SHEET): lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>")})


def garbage_in_cycles() -> int:
    """Objects only cycles keep alive now, frozen ones aside (the collector's count, whether it is
    on or not); after a pause, every one of them."""
    return gc.collect()


def one_file_garbage(path: Path, catalog, registry) -> int:
    """What reading ``path`` leaves in cycles when the collector is off all along."""
    gc.collect()
    with collector_paused():
        reading._read_one(path, path.parent, catalog, registry, False)
        return garbage_in_cycles()


def test_files_read_in_this_process_inside_a_pause_leave_no_garbage_behind(pasted: Path, tmp_path: Path,
                                                                          catalog, registry) -> None:
    """Sixteen such files read in the merge's pause (few files: read here, not by workers): their
    cycles are collected as they go, not kept until the pause ends (2 MB each)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    paths = [inbox / f"dan-tu-zalo-{number}.xlsx" for number in range(16)]
    for path in paths:
        path.write_bytes(pasted.read_bytes())
    assert one_file_garbage(paths[0], catalog, registry) > 500  # what the test relies on
    gc.collect()
    with collector_paused():
        reads = reading.read_all(paths, inbox, catalog, registry)
    assert {read.record.status for read in reads} == {"accepted"}
    assert garbage_in_cycles() == 0  # after the pause, frozen or not: kept, sixteen files' (25,000)


@pytest.fixture(scope="module")
def feedback_context(tmp_path_factory, catalog) -> tuple[writing.Context, UnitFeedback]:
    """The demo merged, and a unit of it with something to fix (its feedback workbook)."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        assert CliRunner().invoke(main, ["demo"]).exit_code == 0
    workspace = Workspace(folder / "demo")
    registry = load_registry(workspace.root, catalog)
    result = merge_inbox(catalog, registry, workspace, 2026, allow_sample=True)
    [case, *_] = feedback_cases(result, catalog, registry)
    return writing.Context(result, catalog, registry, datetime(2026, 11, 20)), case


def feedback_jobs(folder: Path, case: UnitFeedback, count: int) -> list[writing.Job]:
    return [writing.Job(writing.FEEDBACK, folder / f"{n}.xlsx", folder / f"{n}.xlsx", case) for n in range(count)]


def test_feedback_workbooks_written_in_this_process_inside_a_pause_leave_no_garbage_behind(
        feedback_context, tmp_path: Path) -> None:
    """Each leaves about 0.5 MB in cycles; the merge's process writes those the worker has not
    begun (2,604 feedback workbooks: 822 MiB at the peak, 141 MiB once collected)."""
    context, case = feedback_context
    jobs = feedback_jobs(tmp_path, case, 20)
    gc.collect()
    with collector_paused():
        writing._write_small(jobs[0], context)  # the collector off all along
        per_workbook = garbage_in_cycles()
    assert per_workbook > 500  # what the test relies on
    with collector_paused():
        for job in jobs:
            writing.write_job(job, context)
    assert garbage_in_cycles() == 0  # after the pause, frozen or not: kept, twenty workbooks'
    assert all(job.staged.stat().st_size > 0 for job in jobs)


SPY: dict[str, object] = {}  # set before the pool forks: its workers inherit it


def collections_run() -> int:
    return sum(generation["collections"] for generation in gc.get_stats())


def spied(work: object, *arguments: object) -> tuple[object, str]:
    """``work``'s answer, and the collector's state in this worker: on, its parent's objects
    frozen, and how many collections ran meanwhile."""
    before = collections_run()
    answer = work(*arguments)  # type: ignore[operator]
    return answer, f"{gc.isenabled()} {gc.get_freeze_count() > 0} {collections_run() - before}"


def reading_spy(paths: list[Path]) -> object:
    """The reading workers' own task, their state written beside the files read."""
    answer, state = spied(SPY["work"], paths)
    (SPY["states"] / paths[0].name).write_text(state)  # type: ignore[operator]
    return answer


@pytest.mark.skipif(not two_cores(), reason="the pools need a second core")
def test_the_reading_workers_run_the_collector_though_forked_inside_the_pause(
        pasted: Path, tmp_path: Path, monkeypatch, catalog, registry) -> None:
    """Forked inside the merge's pause, each reading worker would keep every file's cycles (a
    merge of 300 such files peaked at 621 MiB instead of 138)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    paths = [inbox / f"{number}.xlsx" for number in range(reading.PARALLEL_FROM)]
    for path in paths:
        path.write_bytes(pasted.read_bytes())
    monkeypatch.setitem(SPY, "work", reading._read_in_worker)
    monkeypatch.setitem(SPY, "states", tmp_path)
    monkeypatch.setattr(reading, "_read_in_worker", reading_spy)  # the workers are forked: they see it
    with collector_paused():
        reads = reading.read_all(paths, inbox, catalog, registry)
    assert len(reads) == len(paths) and {read.record.status for read in reads} == {"accepted"}
    seen = [(tmp_path / path.name).read_text().split() for path in paths if (tmp_path / path.name).exists()]
    assert seen and all(enabled == "True" and frozen == "True" and int(ran) > 0 for enabled, frozen, ran in seen)


def writing_spy(job: writing.Job) -> Path:
    """The writing worker's own task, its state written beside the workbook."""
    answer, state = spied(SPY["write"], job)
    (SPY["states"] / f"{job.staged.stem}.state").write_text(state)  # type: ignore[operator]
    return answer  # type: ignore[return-value]


@pytest.mark.skipif(not two_cores(), reason="the pools need a second core")
def test_the_writing_worker_runs_the_collector_though_forked_inside_the_pause(
        feedback_context, tmp_path: Path, monkeypatch) -> None:
    """The feedback workbooks the worker writes, one per unit with something to fix (2,600 of
    them would have kept 1.3 GB)."""
    context, case = feedback_context
    jobs = feedback_jobs(tmp_path, case, 24)
    monkeypatch.setitem(SPY, "write", writing._write_in_worker)
    monkeypatch.setitem(SPY, "states", tmp_path)
    monkeypatch.setattr(writing, "_write_in_worker", writing_spy)
    written: list[Path] = []
    with collector_paused():
        writing.write_in_pool(jobs, context, lambda job, path: written.append(path))
    assert sorted(written) == sorted(job.staged for job in jobs)
    seen = [state.read_text().split() for state in tmp_path.glob("*.state")]
    assert seen and all(enabled == "True" and frozen == "True" and int(ran) > 0 for enabled, frozen, ran in seen)
