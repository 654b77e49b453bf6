"""The summary and the console count the plan's 24 indicators (34 measured parts), show coverage
where it is incomplete, "chưa đến hạn" with the gap in years between milestones, and never a
verdict resting on incomplete data, not even after a value is edited in the workbook."""

from __future__ import annotations

import itertools
import re
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import requires_soffice, soffice_path
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from summary_helpers import FIGURES, MADE, build_registry, build_result

from ctre_xl.cli import main
from ctre_xl.merge.indicators import indicator_status, judge_indicators
from ctre_xl.merge.model import MergeResult
from ctre_xl.output.summary.verdicts import indicator_formula
from ctre_xl.output.summary.workbook import write_summary
from ctre_xl.plan.vocab import MetricStatus

S = MetricStatus
GREEN_FILL, RED_FILL = "FFC6EFCE", "FFFFC7CE"


def _result_2026(catalog) -> tuple[MergeResult, object]:  # noqa: ANN001
    registry = build_registry(catalog)
    result = build_result(catalog, registry)
    result.indicators = judge_indicators(catalog, result.metrics)
    return result, registry


def _result_2027(catalog) -> tuple[MergeResult, object]:  # noqa: ANN001
    """The 2026 figures reported for 2027: judged against the 2030 targets, not yet due (the
    gap computed here by hand), except the yearly CT13 and CT21; CT07 etc. stay incomplete."""
    registry = build_registry(catalog)
    base = build_result(catalog, registry)
    metrics = []
    for found in base.metrics:
        metric = catalog.metric_by_code[found.code]
        if found.status in (S.INCOMPLETE, S.NO_DATA, S.NOT_APPLICABLE) or metric.method == "change_vs_previous":
            metrics.append(replace(found, target_year=2030))
            continue
        operator, target = catalog.target_in_force(metric, 2027) or (None, None)
        if target is None:
            metrics.append(replace(found, target=None, operator=None, target_year=2030, status=S.NO_TARGET))
            continue
        holds = {"<": found.value < target, "<=": found.value <= target, ">=": found.value >= target,
                 "=": found.value == target}[str(operator)]
        gap = 0.0 if holds else abs(found.value - target)
        metrics.append(replace(found, target=target, operator=operator, target_year=2030, status=S.NOT_DUE, gap=gap))
    result = replace(base, year=2027, metrics=metrics)
    result.indicators = judge_indicators(catalog, metrics)
    return result, registry


def _rows(sheet) -> dict[str, int]:  # noqa: ANN001
    """First-column code -> row on "Chỉ tiêu": metric rows ("CT03a") and indicators' own rows ("CT03")."""
    return {sheet.cell(r, 1).value: r for r in range(5, sheet.max_row + 1)
            if isinstance(sheet.cell(r, 1).value, str) and sheet.cell(r, 1).value.startswith("CT")}


def _columns(sheet) -> dict[str, int]:  # noqa: ANN001
    return {cell.value: cell.column for cell in sheet[4] if cell.value}


def _fills(sheet, cell: str) -> set[str]:  # noqa: ANN001
    return {rule.dxf.fill.bgColor.rgb for block in sheet.conditional_formatting if cell in block.sqref
            for rule in block.rules if rule.dxf and rule.dxf.fill}


def _overview(sheet) -> tuple[dict[str, int], int]:  # noqa: ANN001
    """(status label or header -> column, row of the header) of the overview's status table."""
    header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "Mục tiêu")
    return {sheet.cell(header, c).value: c for c in range(1, 16) if sheet.cell(header, c).value}, header


def _count(sheet, row: int, columns: dict[str, int], label: str) -> int:  # noqa: ANN001
    """A count of the overview's status table; a status no indicator has gets no column (0)."""
    return sheet.cell(row, columns[label]).value if label in columns else 0


def test_metrics_sheet_shows_indicators_with_their_parts(tmp_path, catalog) -> None:  # noqa: ANN001
    result, registry = _result_2026(catalog)
    workbook = load_workbook(write_summary(result, catalog, registry, tmp_path / "t.xlsx", made=MADE))
    sheet = workbook["Chỉ tiêu"]
    rows, col = _rows(sheet), _columns(sheet)
    # Indicator 3 has a row of its own, its three parts under it, named as parts.
    assert [code for code in rows if code.startswith("CT03")] == ["CT03", "CT03a", "CT03b", "CT03c"]
    assert sheet.cell(rows["CT03"], 2).value.startswith("Chỉ tiêu 3. Giảm tỷ suất tử vong trẻ sơ sinh")
    assert isinstance(sheet.cell(rows["CT03"], 3), MergedCell)  # the title spans the figures
    assert sheet.cell(rows["CT03b"], 2).value == "b) " + catalog.metric_by_code["CT03b"].name
    assert sheet.cell(rows["CT01"], 2).value == catalog.metric_by_code["CT01"].name  # one part: no letter
    # 24 indicators: the 8 with several parts have a row each; 16 are their single metric's row.
    hidden_indicator = col["Ghi chú"] + 2
    counted = [r for r in range(5, sheet.max_row + 1) if isinstance(sheet.cell(r, hidden_indicator).value, int)]
    assert len(counted) == 24 and len(rows) == 34 + 8
    # The indicator's status is judged from its parts' status cells.
    status = sheet.cell(rows["CT17"], col["Đánh giá"])
    assert status.data_type == "f" and "COUNTIF" in status.value
    assert f"K{rows['CT17a']}:K{rows['CT17b']}" in status.value


def test_no_verdict_on_incomplete_coverage(tmp_path, catalog) -> None:  # noqa: ANN001
    result, registry = _result_2026(catalog)
    path = write_summary(result, catalog, registry, tmp_path / "t.xlsx", made=MADE)
    sheet, values = load_workbook(path)["Chỉ tiêu"], load_workbook(path, data_only=True)["Chỉ tiêu"]
    rows, col = _rows(sheet), _columns(sheet)
    incomplete = {m.code for m in result.metrics if m.status == S.INCOMPLETE}
    assert incomplete == {"CT07", "CT15", "CT16", "CT19", "CT20a", "CT20b"}  # the kindergarten that sent nothing
    covered = {"CT07": "5/6 trường", "CT15": "1/2 trường", "CT16": "2/3 đơn vị", "CT20b": "6/7 đơn vị"}
    for code in incomplete:
        r = rows[code]
        status = sheet.cell(r, col["Đánh giá"])
        assert (status.data_type, status.value) == ("s", "Chưa đủ số liệu"), code  # literal: never re-judged
        for cell in (status.coordinate, sheet.cell(r, col["Giá trị"]).coordinate):
            assert not _fills(sheet, cell) & {GREEN_FILL, RED_FILL}, (code, cell)
        if code in covered:
            assert sheet.cell(r, col["Số đơn vị đã tính"]).value == covered[code]
    # CT07: five schools of six reported, four have toilets: 80 % on what came in, and no verdict.
    assert values.cell(rows["CT07"], col["Giá trị"]).value == pytest.approx(80.0)
    assert values.cell(rows["CT20"], col["Đánh giá"]).value == "Chưa đủ số liệu"
    # A complete metric of several units says so; a single unit's says nothing.
    assert sheet.cell(rows["CT17b"], col["Số đơn vị đã tính"]).value == "2/2 trường"
    assert sheet.cell(rows["CT02"], col["Số đơn vị đã tính"]).value in (None, "")
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any("Lộ trình" in text for text in texts)  # a milestone year has no "on the way" column


def test_years_between_milestones(tmp_path, catalog) -> None:  # noqa: ANN001
    result, registry = _result_2027(catalog)
    path = write_summary(result, catalog, registry, tmp_path / "t.xlsx", made=MADE)
    workbook, values = load_workbook(path), load_workbook(path, data_only=True)
    sheet = workbook["Chỉ tiêu"]
    rows, col = _rows(sheet), _columns(sheet)
    assert "Mục tiêu áp dụng (2030)" in col
    way = col["Lộ trình đến mục tiêu 2030"]
    # CT02: 2.400 / 2.600 = 92,31 % against ≥ 95 %; CT03c: 4 / 310 = 12,9‰ against < 8,8‰; CT03a is below 4,8‰.
    for code, text in (("CT02", "còn 2,69 điểm phần trăm"), ("CT03c", "còn 4,1‰"),
                       ("CT03a", "đã đạt mức mục tiêu 2030")):
        r = rows[code]
        assert sheet.cell(r, way).value == text, code
        assert (sheet.cell(r, col["Đánh giá"]).data_type, sheet.cell(r, col["Đánh giá"]).value) == ("s", "Chưa đến hạn")
        assert not _fills(sheet, sheet.cell(r, col["Giá trị"]).coordinate) & {GREEN_FILL, RED_FILL}
    assert values["Chỉ tiêu"].cell(rows["CT03"], col["Đánh giá"]).value == "Chưa đến hạn"
    assert sheet.cell(rows["CT07"], col["Đánh giá"]).value == "Chưa đủ số liệu"  # incomplete comes first
    assert sheet.cell(rows["CT13"], col["Đánh giá"]).data_type == "f"  # yearly: judged every year
    overview = values["Tổng quan"]
    columns, header = _overview(overview)
    total = header + len(catalog.objectives) + 1
    expected = {i.status for i in result.indicators}
    assert S.NOT_DUE in expected
    for status in S:
        assert _count(overview, total, columns, status.label) == sum(i.status == status for i in result.indicators)
    texts = [c.value for row in overview.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("Năm 2027 chưa đến hạn đánh giá" in text for text in texts)
    assert any(text.startswith("2. Các chỉ tiêu chưa đạt mức mục tiêu 2030") for text in texts)
    assert "còn thiếu 2,69 điểm phần trăm" in texts  # CT02, on its way: the gap in its own unit


def _evaluate(formula: str, cells: list[str]) -> str:
    """The indicator formula evaluated over status cells showing ``cells`` (IF, AND, COUNTIF, +, =, >)."""
    text = re.sub(r'COUNTIF\([A-Z]+\d+:[A-Z]+\d+,"([^"]*)"\)', lambda m: str(cells.count(m.group(1))), formula[1:])
    text = re.sub(r"(?<![<>])=", "==", text).replace("IF(", "_if(").replace("AND(", "_and(")
    return eval(text, {"_if": lambda test, yes, no: yes if test else no, "_and": lambda *tests: all(tests)})


def test_indicator_formula_judges_like_the_merge() -> None:
    """Every combination of one to three parts' statuses: the sheet's formula and the merge agree."""
    for count in (1, 2, 3):
        formula = indicator_formula(f"K10:K{9 + count}", count)
        for parts in itertools.product(list(S), repeat=count):
            assert _evaluate(formula, [p.label for p in parts]) == indicator_status(list(parts)).label, parts


@requires_soffice
def test_edited_values_are_rejudged_only_where_a_verdict_is_due(tmp_path, catalog) -> None:  # noqa: ANN001
    """LibreOffice recalculates after a value is corrected by hand: a verdict follows it; a metric
    without one keeps its status; the indicator follows. The overview stays as of the merge (counts
    and list alike) and says it is out of date."""
    result, registry = _result_2026(catalog)
    path = write_summary(result, catalog, registry, tmp_path / "tong-hop.xlsx", made=MADE)
    edited = load_workbook(path)
    sheet = edited["Chỉ tiêu"]
    rows, col = _rows(sheet), _columns(sheet)
    value = col["Giá trị"]
    sheet.cell(rows["CT17b"], value).value = 0.05  # was 0,25 % against < 0,12 %: now met
    sheet.cell(rows["CT07"], value).value = 20.0  # incomplete: stays without a verdict
    sheet.cell(rows["CT10"], value).value = 1.0  # no data: stays so
    edited.save(tmp_path / "edited.xlsx")
    before = {i.status: sum(j.status == i.status for j in result.indicators) for i in result.indicators}
    out = tmp_path / "out"
    done = subprocess.run([soffice_path(), f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless",
                           "--convert-to", "xlsx", "--outdir", str(out), str(tmp_path / "edited.xlsx")],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    values = load_workbook(out / "edited.xlsx", data_only=True)
    shown = values["Chỉ tiêu"]
    status = col["Đánh giá"]
    assert shown.cell(rows["CT17b"], status).value == "Đạt"
    assert shown.cell(rows["CT17"], status).value == "Đạt"  # 17a met already
    assert shown.cell(rows["CT07"], status).value == "Chưa đủ số liệu"
    assert shown.cell(rows["CT10"], status).value == "Thiếu số liệu"
    assert shown.cell(rows["CT18"], status).value == "Chưa đạt"  # untouched
    overview = values["Tổng quan"]
    columns, header = _overview(overview)
    total = header + len(catalog.objectives) + 1
    counts = [_count(overview, total, columns, s.label) for s in (S.MET, S.NOT_MET, S.INCOMPLETE, S.NO_DATA)]
    # As of the merge, and said so: the page never mixes live counts with a fixed list.
    assert counts == [before.get(S.MET, 0), before.get(S.NOT_MET, 0), before.get(S.INCOMPLETE, 0),
                      before.get(S.NO_DATA, 0)]
    assert overview.cell(total, 3).value == 24
    texts = [c.value for row in overview.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(text.startswith("Số liệu ở trang “Chỉ tiêu” đã bị sửa sau khi tổng hợp") for text in texts)


def test_console_counts_indicators(tmp_path) -> None:  # noqa: ANN001
    """`ctre-xl merge` prints the 24 indicators by status, then those not met with their parts."""
    from merge_helpers import deliver, make_workspace

    workspace = make_workspace(tmp_path / "ws", (2026,))
    figures = {k: v for k, v in FIGURES["vhxh"].items() if v is not None}
    figures.update(people_5_17=900, child_labourers_5_17=10)
    deliver(workspace, "vhxh", 2026, "vhxh.xlsx", figures, report_date=date(2026, 11, 5))
    deliver(workspace, "th-vi-du", 2026, "th.xlsx",
            {"school_has_sanitation": "Có", "primary_grade1_cohort": 100, "primary_completers": 98,
             "primary_enrolled": 500, "primary_dropouts": 3, "school_has_psych_support": "Có",
             "school_disability_ready": "Không", "disabled_learning_access": 2, "children_consulted": 100,
             "children_participation_aware": 200}, report_date=date(2026, 11, 5))
    outcome = CliRunner().invoke(main, ["--workspace", str(workspace.root), "merge", "--year", "2026"])
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.output.splitlines()
    line = next(text for text in lines if text.startswith("24 chỉ tiêu: "))
    numbers = [int(part.split()[0]) for part in line.split(" (34 số đo: ")[0][len("24 chỉ tiêu: "):].split(", ")]
    assert sum(numbers) == 24 and "(34 số đo: " in line
    # Indicator 17: completion 98 % met, dropout 0,6 % not met: listed with both parts.
    at = lines.index("  Chỉ tiêu 17 chưa đạt: " + next(i.name for i in _catalog().indicators if i.number == 17))
    assert lines[at + 1].startswith("    CT17a: 98% — đạt") and lines[at + 2].startswith("    CT17b: 0,6% — chưa đạt")
    # The primary school's figures came in, the other schools' did not: no verdict, the missing named.
    incomplete = [text for text in lines if text.startswith("  Chỉ tiêu ") and "chưa đủ số liệu" in text]
    assert incomplete and all("chưa đạt" not in text for text in incomplete)
    assert any("— chưa đủ số liệu (" in text and "thiếu: " in text for text in lines)


def _catalog():  # noqa: ANN202
    from ctre_xl.plan.load import load_catalog

    return load_catalog()


def test_readme_says_what_the_summary_counts() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "24 chỉ tiêu (34 số đo)" in readme
    assert "Chưa đủ số liệu" in readme and "Chưa đến hạn" in readme
