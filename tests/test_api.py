"""The analysts' API (``import ctre_xl``): the README's example runs on the demo, the DataFrames
are tidy, and the command line never loads pandas."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import ctre_xl
from ctre_xl.cli import main

README = Path(__file__).parent.parent / "README.md"


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("api")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        assert CliRunner().invoke(main, ["demo"]).exit_code == 0
    return root


def test_the_readme_example_runs_on_the_demo(demo_root: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    text = README.read_text(encoding="utf-8")
    code = re.search(r"<!-- api-example -->\n```python\n(.*?)```", text, re.S)
    assert code is not None, "README's API example"
    monkeypatch.chdir(demo_root)
    exec(compile(code.group(1), "README.md", "exec"), {})  # noqa: S102 - our own README
    out = capsys.readouterr().out
    assert "CT13" in out and "CT21" in out


def test_frames_are_tidy(demo_root: Path) -> None:
    workspace = demo_root / "demo"
    metrics = ctre_xl.metrics(workspace, 2026)
    assert len(metrics) == 34 and metrics.code.is_unique and set(metrics.status) >= {"met"}
    series = ctre_xl.metric_history(workspace)
    assert not series.duplicated(["code", "year"]).any() and set(series.source) == {"merge"}
    figures = ctre_xl.figures(workspace, 2026)
    assert not figures.duplicated(["unit", "element"]).any()
    assert figures.file.str.endswith(".xlsx").all() and figures.cell.str.match(r"^[A-Z]+\d+$").all()
    row = metrics.set_index("code").loc["CT24"]
    mine = figures[figures.element == "children_11plus_participating"].value.sum()
    assert row.numerator == pytest.approx(mine)


def test_the_command_line_does_not_load_pandas() -> None:
    loaded = subprocess.run([sys.executable, "-c", "import sys, ctre_xl.cli; print('pandas' in sys.modules)"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False"
