"""Issue 14, nothing dropped at a province's scale: a message or console line that names units names
a readable few, then counts the rest (and, for a total, sums them) and says where every one is
listed. At 2,600 schools a commune rule's message named every school (120,000 characters), and the
findings sheet cut it in the middle of a name at Excel's 32,767 characters.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from ctre_xl.cli import main
from ctre_xl.merge import validate
from ctre_xl.merge.compute import MISSING_NAMED, MetricContext, compute_metrics
from ctre_xl.merge.model import UnitStatus
from ctre_xl.merge.validate import NAMED_CONTRIBUTORS, WHERE_EVERY_FIGURE, validate_commune
from ctre_xl.output import console
from ctre_xl.output.console import console_summary
from ctre_xl.output.summary.data_sheet import DATA_SHEET
from ctre_xl.plan.load import load_catalog
from ctre_xl.plan.vocab import FileStatus, MetricStatus
from ctre_xl.text import format_number
from merge_helpers import deliver, make_workspace
from summary_helpers import build_registry, build_result
from test_bad_inputs import GOOD, REPORT_DAY, YEAR

SCHOOLS = 2_600
CATALOG = load_catalog()


def school(n: int) -> str:
    return f"Trường Tiểu học Xuân Trường số {n}"


def test_a_commune_rule_names_the_largest_shares_and_sums_the_others() -> None:
    shares = {f"th-{n}": float(n % 97) for n in range(SCHOOLS)}
    contributions = {"children_consulted": shares, "children_age7plus": {"vhxh": 600.0}}
    total = sum(shares.values())
    names = {f"th-{n}": school(n) for n in range(SCHOOLS)}
    [finding] = validate_commune({"children_consulted": total, "children_age7plus": 600}, contributions, CATALOG,
                                 names)
    message = finding.message
    assert len(message) < 2_000  # it was 120,000 characters: past what a cell holds
    largest = sorted(shares.items(), key=lambda item: -item[1])[:NAMED_CONTRIBUTORS]
    named = " + ".join(f"{names[unit]} {format_number(value)}" for unit, value in largest)
    others = total - sum(value for _unit, value in largest)
    assert (f"{named} + {format_number(SCHOOLS - NAMED_CONTRIBUTORS)} đơn vị khác {format_number(others)} — "
            f"từng đơn vị ở {WHERE_EVERY_FIGURE}") in message
    assert f"Tổng {format_number(total)} > 600" in message and "Phòng" not in message.split(";")[0]


def test_the_sheet_it_points_to_is_the_summarys_list_of_every_figure() -> None:
    assert f"“{DATA_SHEET}”" in WHERE_EVERY_FIGURE


def test_a_few_units_are_all_named_in_their_order() -> None:
    contributions = {"children_consulted": {"vhxh": 100, "th-a": 300, "thcs-a": 250},
                     "children_age7plus": {"vhxh": 600}}
    [finding] = validate_commune({"children_consulted": 650, "children_age7plus": 600}, contributions, CATALOG,
                                 {"th-a": "Trường TH A", "thcs-a": "Trường THCS A"})
    assert "vhxh 100 + Trường TH A 300 + Trường THCS A 250" in finding.message
    assert "khác" not in finding.message


@pytest.fixture()
def many_missing():
    """The summary tests' result with 1,000 more schools that sent nothing, one metric incomplete."""
    registry = build_registry(CATALOG)
    result = build_result(CATALOG, registry)
    extra = [UnitStatus(f"th-them-{n}", school(n), "school", received=False, on_time=None) for n in range(1_000)]
    incomplete = next(m for m in result.metrics if m.coverage is not None and m.status == MetricStatus.INCOMPLETE)
    coverage = replace(incomplete.coverage, expected=(*incomplete.coverage.expected, *(u.id for u in extra)))
    metrics = [replace(m, coverage=coverage) if m is incomplete else m for m in result.metrics]
    files = [replace(record, status=FileStatus(record.status)) for record in result.files]
    return replace(result, units=[*result.units, *extra], metrics=metrics, files=files)


@pytest.mark.parametrize("starts", ["  Chưa nộp: ", "    {code}: "])
def test_a_console_line_of_units_keeps_whole_names_then_counts_the_rest(many_missing, starts: str) -> None:
    incomplete = next(m for m in many_missing.metrics if m.status == MetricStatus.INCOMPLETE)
    starts = starts.format(code=incomplete.code)
    line = next(line for line in console_summary(many_missing, CATALOG).splitlines() if line.startswith(starts))
    assert len(line) < console.NAMES_CHARS + 300
    names = line.split("thiếu: ")[-1] if "thiếu: " in line else line[len(starts):]
    kept, _, tail = names.partition(" … và ")
    assert tail.endswith("đơn vị khác (xem trang “Tiến độ nộp”))" if "thiếu: " in line
                         else "đơn vị khác (xem trang “Tiến độ nộp”)")
    everyone = {u.name for u in many_missing.units}
    assert all(name in everyone for name in kept.split(", "))  # whole names only
    shown = len(kept.split(", ")) + int(tail.split(" ")[0].replace(".", ""))
    assert shown == (sum(1 for u in many_missing.units if not u.received) if starts.startswith("  Chưa")
                     else len(incomplete.coverage.missing))


def test_merge_says_how_many_others_and_the_summary_lists_every_one(tmp_path: Path, monkeypatch) -> None:
    """As a user runs it: three units' shares of a total that breaks a commune rule, one named."""
    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    for unit, (relative, values) in GOOD.items():
        changed = dict(values, children_consulted=2500) if unit == "th-vi-du" else values  # 200 + 2500 + 300 > 2900
        deliver(workspace, unit, YEAR, relative, changed, report_date=REPORT_DAY)
    monkeypatch.setattr(validate, "NAMED_CONTRIBUTORS", 1)
    outcome = CliRunner().invoke(main, ["--workspace", str(workspace.root), "merge", "--year", str(YEAR)])
    assert outcome.exit_code in (0, 1), outcome.output
    said = f"Trường Tiểu học Xuân Trường (ví dụ) 2.500 + 2 đơn vị khác 500 — từng đơn vị ở {WHERE_EVERY_FIGURE}"
    assert said in outcome.output, outcome.output
    folder = workspace.root / "outbox" / str(YEAR)
    findings = load_workbook(folder / f"kiem-tra-{YEAR}.xlsx")["Kiểm tra"]
    assert any(said in str(value) for row in findings.iter_rows(values_only=True) for value in row)
    data = load_workbook(folder / f"tong-hop-{YEAR}.xlsx")[DATA_SHEET]
    shares = {row[7]: row[3] for row in data.iter_rows(min_row=2, values_only=True) if row[8] == "children_consulted"}
    assert shares == {"vhxh": 200, "th-vi-du": 2500, "thcs-vi-du": 300}


def test_a_metrics_remark_names_ten_units_whose_figures_beside_it_were_dropped(registry) -> None:
    dropped = [f"ca-{n}" for n in range(40)]  # figures shown beside CT09 (the police's), dropped for errors
    context = MetricContext(catalog=CATALOG, registry=registry, year=YEAR, excluded={"abuse_cases_detected": dropped},
                            unit_names={unit: f"Công an {unit}" for unit in dropped})
    figures = {"children_abused": {"vhxh": 3}, "children_total": {"vhxh": 4812}}
    [ct09] = [m for m in compute_metrics(context, figures) if m.code == "CT09"]
    named = ", ".join(f"Công an {unit}" for unit in sorted(dropped)[:MISSING_NAMED])
    assert f"đã loại số liệu có lỗi của: {named} và {40 - MISSING_NAMED} đơn vị khác" in ct09.remark


def test_counts_past_a_thousand_are_written_as_the_plan_writes_numbers(many_missing) -> None:
    text = console_summary(many_missing, CATALOG)
    units = len(many_missing.units)
    assert units > 1_000 and f"/{format_number(units)}; " in text and "." in format_number(units)
    missing = sum(1 for u in many_missing.units if not u.received)
    assert f"chưa nộp: {format_number(missing)}." in text
    incomplete = next(m for m in many_missing.metrics if m.status == MetricStatus.INCOMPLETE)
    coverage = incomplete.coverage
    assert f"{format_number(len(coverage.counted))}/{format_number(len(coverage.expected))} " in text
