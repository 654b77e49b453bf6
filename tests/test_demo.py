"""``ctre-xl demo``: the whole cycle on sample data, in a folder of its own."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from ctre_xl.cli import main
from ctre_xl.demo.run import MARKER, demo_figures, demo_registry, load_demo_data
from merge_helpers import make_workspace, merge_json, snapshot


def run(args: list[str]):
    return CliRunner().invoke(main, args)


def test_demo_runs_the_cycle_in_its_own_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # "ctre-xl demo" as typed: its folder made where the user is
    result = run(["demo"])
    assert result.exit_code == 0, result.output
    demo = tmp_path / "demo"
    assert (demo / MARKER).exists()
    summary = demo / "outbox" / "2026" / "tong-hop-2026.xlsx"
    assert summary.exists()
    assert "tong-hop-2026.xlsx" in result.output
    # Templates for both years, the sample inbox, and the realistic mistakes of data/demo.toml.
    # 4 departments and 5 schools with figures, and the MTTQ's optional narrative template.
    assert len(list((demo / "templates" / "2025").glob("*.xlsx"))) == 10
    assert len(list((demo / "templates" / "2026").glob("*.xlsx"))) == 10
    assert "Chưa nộp: Trường Mầm non Xuân Hoà (minh hoạ)" in result.output
    assert "Nộp muộn: Trường Tiểu học Xuân Trường B (minh hoạ)" in result.output
    assert "phải là số nguyên (đang là 3,5)" in result.output
    assert "[Thay thế]" in result.output
    # The summary workbook opens and covers the 34 metrics, under the 8 indicators with several
    # parts (a row of their own: "CT03" over "CT03a"-"CT03c").
    workbook = load_workbook(summary, read_only=True)
    assert workbook.sheetnames[:2] == ["Tổng quan", "Chỉ tiêu"]
    codes = [row[0] for row in workbook["Chỉ tiêu"].iter_rows(values_only=True)
             if isinstance(row[0], str) and row[0].startswith("CT")]
    assert len(codes) == 34 + 8 and "CT03" in codes and "CT03a" in codes
    workbook.close()


def test_demo_is_repeatable(tmp_path: Path) -> None:
    target = tmp_path / "d"
    first = run(["demo", "--workspace", str(target)])
    assert first.exit_code == 0, first.output
    _, data_first, _ = merge_json_sample(target)
    second = run(["demo", "--workspace", str(target)])
    assert second.exit_code == 0, second.output
    _, data_second, _ = merge_json_sample(target)
    assert data_first["metrics"] == data_second["metrics"]
    assert first.output.replace(str(target), "") == second.output.replace(str(target), "")


def merge_json_sample(root: Path):
    """The demo's own merge again, as JSON (a demo workspace accepts its sample files)."""
    from ctre_xl.plan.load import load_catalog
    from ctre_xl.demo.run import demo_registry, load_demo_data
    from ctre_xl.files import Workspace
    from ctre_xl.merge.merge import merge_inbox
    from ctre_xl.output.console import result_as_dict

    catalog = load_catalog()
    result = merge_inbox(catalog, demo_registry(catalog, load_demo_data()), Workspace(root), 2026, allow_sample=True)
    return 0, json.loads(json.dumps(result_as_dict(result), default=str)), ""


def test_demo_refuses_a_real_workspace_and_leaves_it_untouched(tmp_path: Path) -> None:
    real = make_workspace(tmp_path / "real", (2026,))
    shutil.copy(real.templates_dir(2026) / "vhxh.xlsx", real.inbox / "vhxh.xlsx")
    before = snapshot(real.root)
    result = run(["--workspace", str(real.root), "demo"])
    assert result.exit_code == 2
    assert "không phải thư mục minh hoạ" in result.output
    assert snapshot(real.root) == before


def test_merging_again_in_the_demo_folder_accepts_its_sample_files(tmp_path: Path) -> None:
    """After `ctre-xl demo`, a user may re-run merge there; only real inboxes refuse sample data."""
    demo_root = tmp_path / "demo"
    assert run(["demo", "--workspace", str(demo_root)]).exit_code == 0
    again = run(["--workspace", str(demo_root), "merge", "--year", "2026"])
    assert again.exit_code == 0, again.output
    assert "bị từ chối: 0" in again.output and "Đơn vị đã nộp: 8/9" in again.output


def test_sample_workbook_in_a_real_inbox_is_refused(tmp_path: Path) -> None:
    demo_root = tmp_path / "demo"
    assert run(["demo", "--workspace", str(demo_root)]).exit_code == 0
    real = make_workspace(tmp_path / "real", (2026,))
    sample_file = next(p for p in sorted((demo_root / "inbox").rglob("*.xlsx")) if "2026" in p.name)
    shutil.copy(sample_file, real.inbox / "bao-cao.xlsx")
    code, data, _ = merge_json(real, 2026)
    assert code == 0
    entry = next(f for f in data["files"] if f["path"] == "bao-cao.xlsx")
    assert entry["status"] == "rejected"
    assert "minh hoạ" in entry["reason"]


def test_plausible_figures_respect_the_catalogue_rules(catalog) -> None:
    """Sample figures pass the plan's own consistency rules inside each unit and on the commune's
    totals; the resident children (Phòng VHXH) are at least the pupils the schools reach; a
    cohort's starting enrolment is slightly above its completers."""
    import random

    data = load_demo_data()
    registry = demo_registry(catalog, data)
    for seed in range(20):
        by_unit = demo_figures(catalog, registry.expected, 2026, data, random.Random(seed))
        totals: Counter[str] = Counter()
        for unit in registry.expected:
            figures = by_unit[unit.id]
            assert set(figures) == set(unit.elements), unit.id
            _assert_rules(catalog, figures, unit.id)
            totals.update(figures)
            for cohort, completers in (("primary_grade1_cohort", "primary_completers"),
                                       ("lower_secondary_grade6_cohort", "lower_secondary_completers")):
                if cohort in figures:
                    assert figures[completers] <= figures[cohort] <= figures[completers] * 1.2, unit.id
        _assert_rules(catalog, totals, "xã")
        assert totals["age5_enrolled"] <= totals["age5_children"] <= totals["age5_enrolled"] * 1.05
        assert totals["disabled_learning_access"] <= totals["disabled_learning_need"]


def _assert_rules(catalog, figures, where: str) -> None:  # noqa: ANN001
    for rule in catalog.rules:
        if all(code in figures for code in (*rule.left, *rule.right)) and rule.severity == "error":
            left = sum(figures[c] for c in rule.left)
            right = sum(figures[c] for c in rule.right)
            assert left <= right, (where, rule.message, left, right)
