"""``collector.collector_paused``: Python's cycle collector held back while a merge builds what it
keeps, for the whole ``ctre-xl merge`` command, and nothing left for it to walk afterwards."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from ctre_xl import cli
from ctre_xl.cli import main
from ctre_xl.collector import collector_paused


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

    monkeypatch.setattr(cli, "collector_paused", watched)
    result = runner.invoke(main, ["--workspace", str(tmp_path / "demo"), "merge", "--year", "2026", "--json"])
    assert result.exit_code in (0, 1), result.output
    assert "tong-hop-2026.xlsx" in result.output  # printed inside the pause
    assert during == [[]]  # between its stages and while printing, the collector never ran
