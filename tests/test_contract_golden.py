"""`ctre-xl merge --json` and `catalog --json` on the built-in demo print the same objects as the
golden copies in tests/golden/ (sha256 left out: it hashes workbooks whose bytes carry the time
they were written). A deliberate change of a contract updates the golden copy in the same commit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ctre_xl.cli import main

GOLDEN = Path(__file__).parent / "golden"


def _without_sha256(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _without_sha256(value) for key, value in data.items() if key != "sha256"}
    if isinstance(data, list):
        return [_without_sha256(value) for value in data]
    return data


def _cli_json(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return _without_sha256(json.loads(result.stdout))


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    """`ctre-xl demo` run in an empty folder, as the README tells a newcomer to."""
    root = tmp_path_factory.mktemp("golden")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    return root / "demo"


@pytest.mark.parametrize("args, golden", [
    (("merge", "--year", "2026", "--json"), "demo-merge-2026.json"),
    (("catalog", "--json"), "catalog.json"),
])
def test_json_contract_matches_the_golden_copy(args, golden, demo_folder, monkeypatch) -> None:
    monkeypatch.chdir(demo_folder)
    expected = json.loads((GOLDEN / golden).read_text(encoding="utf-8"))
    assert _cli_json(*args) == expected
