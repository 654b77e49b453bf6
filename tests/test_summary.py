"""The leadership summary workbook: every sheet checked against the merge result it renders."""

from __future__ import annotations

import os
import subprocess
import textwrap
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import requires_soffice, soffice_path
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter
from summary_helpers import FORMULA_NOTE, MADE, PHONE, YEAR, build_registry, build_result

from ctre_xl.merge.model import MergeResult, MetricResult, UnitStatus
from ctre_xl.plan.vocab import MetricStatus
from ctre_xl.output.summary.workbook import SHEETS, write_summary
from ctre_xl.output.summary.styles import LINE_HEIGHT, text_height, wrapped_lines

GREEN_FILL, RED_FILL = "FFC6EFCE", "FFFFC7CE"  # the summary's met / missed fills, as openpyxl reads them


@pytest.fixture(scope="module")
def summary(tmp_path_factory, catalog):  # noqa: ANN001, ANN201
    registry = build_registry(catalog)
    result = build_result(catalog, registry)
    path = write_summary(result, catalog, registry, tmp_path_factory.mktemp("out") / "tong-hop-2026.xlsx", made=MADE)
    return path, result, registry, load_workbook(path), load_workbook(path, data_only=True)


def rows_by_code(sheet, column: int = 1, first: int = 5) -> dict[str, int]:  # noqa: ANN001
    """metric code -> row on "Chỉ tiêu" (an indicator's own row above its parts, "CT03", merges B:J)."""
    return {sheet.cell(r, column).value: r for r in range(first, sheet.max_row + 1)
            if isinstance(sheet.cell(r, column).value, str) and sheet.cell(r, column).value.startswith("CT")
            and not isinstance(sheet.cell(r, 3), MergedCell)}


def test_all_statuses_present_in_fixture(summary) -> None:  # noqa: ANN001
    _, result, *_ = summary
    # 2026 is a milestone: every status but those of the years between milestones.
    between = {MetricStatus.NOT_DUE, MetricStatus.BASELINE}
    assert {m.status for m in result.metrics} == set(MetricStatus) - between


def test_sheets_in_order(summary) -> None:  # noqa: ANN001
    path, *_ , workbook, _ = summary
    assert workbook.sheetnames == list(SHEETS) == ["Tổng quan", "Chỉ tiêu", "Theo đơn vị", "Tiến độ nộp",
                                                   "Kiểm tra", "Dữ liệu"]
    assert path.name == "tong-hop-2026.xlsx" and not path.fallback_used and path.notice == ""


def test_metrics_sheet_has_every_metric(summary, catalog) -> None:  # noqa: ANN001
    _, result, _, workbook, values = summary
    sheet, cached = workbook["Chỉ tiêu"], values["Chỉ tiêu"]
    headers = [c.value for c in sheet[4]]
    col = {name: headers.index(name) + 1 for name in headers if name}
    rows = rows_by_code(sheet)
    assert list(rows) == [m.code for m in catalog.metrics] and len(rows) == 34
    for found in result.metrics:
        metric, r = catalog.metric_by_code[found.code], rows[found.code]
        # A part of an indicator reads as one: "a) Tỷ suất tử vong trẻ sơ sinh" under indicator 3.
        parts = [m for m in catalog.metrics if m.indicator == metric.indicator]
        part = f"{metric.code[-1]}) " if len(parts) > 1 else ""
        assert sheet.cell(r, col["Chỉ tiêu"]).value == part + metric.name
        assert sheet.cell(r, col["Giá trị"]).value == pytest.approx(found.value) if found.value is not None \
            else sheet.cell(r, col["Giá trị"]).value is None
        assert sheet.cell(r, col["Mục tiêu áp dụng (2026)"]).value == (
            pytest.approx(found.target) if found.target is not None else None)
        assert cached.cell(r, col["Đánh giá"]).value == found.status.label, found.code
        assert sheet.cell(r, col["Đơn vị chủ trì"]).value == catalog.lead_name(metric)
        assert sheet.cell(r, col["Mục tiêu 2030"]).value.startswith(("<", "≤", "≥", "=", "Đạt", "—"))
        if found.on_error_figures:
            assert "dựa trên số liệu có lỗi" in sheet.cell(r, col["Ghi chú"]).value
    assert sheet.cell(rows["CT13"], col["So với năm trước"]).value == "Kém hơn"
    assert sheet.cell(rows["CT21"], col["So với năm trước"]).value == "Tốt hơn"
    assert sheet.cell(rows["CT05b"], col["Mục tiêu 2026"]).value == "—"


def test_status_is_a_live_formula_on_the_target_cell(summary) -> None:  # noqa: ANN001
    _, result, _, workbook, _ = summary
    sheet = workbook["Chỉ tiêu"]
    rows = rows_by_code(sheet)
    for found in result.metrics:
        r = rows[found.code]
        status = sheet[f"{_col(sheet, 'Đánh giá')}{r}"]
        if not found.status.is_verdict:  # nothing judged (no target, incomplete, …): the text stays
            assert (status.data_type, status.value) == ("s", found.status.label), found.code
            continue
        assert status.data_type == "f", found.code
        assert f"$F{r}{found.operator}$I{r}" in status.value


def _col(sheet, header: str) -> str:  # noqa: ANN001
    for cell in sheet[4]:
        if cell.value == header:
            return cell.column_letter
    raise AssertionError(header)


def _rules_for(sheet, cell: str) -> list[str]:  # noqa: ANN001
    """Every conditional-formatting formula that applies to ``cell``, as Excel evaluates it there.

    A rule's formula is written for the top-left cell of its range; Excel shifts its relative
    references for every other cell. openpyxl's Translator does the same shift, independently of
    the code under test.
    """
    return [formula for formula, _fill in _colours_for(sheet, cell)]


def _colours_for(sheet, cell: str) -> list[tuple[str, str]]:  # noqa: ANN001
    """(formula resolved at ``cell``, fill colour) of every rule that applies to ``cell``."""
    found = []
    for block in sheet.conditional_formatting:
        if cell in block.sqref:
            # The top-left cell of the rule's ranges (openpyxl keeps them as a set, unordered).
            top, left = min((rng.min_row, rng.min_col) for rng in block.sqref.ranges)
            origin = f"{get_column_letter(left)}{top}"
            for rule in block.rules:
                fill = rule.dxf.fill.bgColor.rgb if rule.dxf and rule.dxf.fill else None
                for formula in rule.formula or []:
                    found.append((Translator(f"={formula}", origin=origin).translate_formula(cell)[1:], fill))
    return found


def _assert_judged(sheet, cell: str, value_ref: str, target_ref: str, operator: str) -> None:  # noqa: ANN001
    """Exactly one green rule (value meets target) and one red rule (it does not) for ``cell``.

    Formulas are compared as resolved at ``cell`` with "$" removed: whether a reference is
    written absolute or relative, what matters is the cell it names there.
    """
    value_ref, target_ref = value_ref.replace("$", ""), target_ref.replace("$", "")
    test = f"{value_ref}{operator}{target_ref}"
    judged = sorted((fill, formula) for formula, fill in
                    ((f.replace("$", ""), fill) for f, fill in _colours_for(sheet, cell)) if f"{test})" in formula)
    assert [fill for fill, _ in judged] == [GREEN_FILL, RED_FILL], (cell, judged)
    green, red = judged[0][1], judged[1][1]
    assert f"NOT({test})" in red and f"NOT({test})" not in green, (cell, judged)
    assert f"ISNUMBER({value_ref})" in green and f"ISNUMBER({target_ref})" in green, (cell, green)


def test_value_and_status_coloured_live_against_the_target(summary) -> None:  # noqa: ANN001
    _, result, _, workbook, _ = summary
    sheet = workbook["Chỉ tiêu"]
    rows = rows_by_code(sheet)
    for found in result.metrics:
        r = rows[found.code]
        for cell in (f"F{r}", f"{_col(sheet, 'Đánh giá')}{r}"):
            if found.status.is_verdict:
                _assert_judged(sheet, cell, f"$F{r}", f"$I{r}", found.operator)  # met (green) and missed (red)
            else:  # no verdict, never green or red (CT07: a kindergarten missing)
                assert not {GREEN_FILL, RED_FILL} & {fill for _f, fill in _colours_for(sheet, cell)}, (found.code, cell)
    # No static fill on the judged cells: the colour comes only from the rules.
    for r in rows.values():
        for cell in (sheet[f"F{r}"], sheet[f"{_col(sheet, 'Đánh giá')}{r}"]):
            assert cell.fill.fgColor.rgb in (None, "00000000") or cell.fill.fill_type is None


def test_status_stays_static_when_the_merge_knows_better(tmp_path, catalog) -> None:  # noqa: ANN001
    registry = build_registry(catalog)
    result = build_result(catalog, registry)
    # CT13 without last year's figure: no target can be computed, yet the merge says no data.
    result.metrics = [replace(m, target=None, status=MetricStatus.NO_DATA, value=None) if m.code == "CT13" else m
                      for m in result.metrics]
    sheet = load_workbook(write_summary(result, catalog, registry, tmp_path / "t.xlsx"))["Chỉ tiêu"]
    cell = sheet[f"{_col(sheet, 'Đánh giá')}{rows_by_code(sheet)['CT13']}"]
    assert cell.data_type == "s" and cell.value == "Thiếu số liệu"


def test_by_unit_values_beside_the_commune(summary, catalog) -> None:  # noqa: ANN001
    _, result, registry, workbook, _ = summary
    sheet = workbook["Theo đơn vị"]
    names = {u.id: u.name for u in registry.units}
    assert [c.value for c in sheet[4]] == ["Mã", "Đơn vị", "Tử số", "Mẫu số", "Giá trị của đơn vị", "Giá trị của xã",
                                           "Mục tiêu", "Dấu", "Giải trình của đơn vị"]
    shown = {(sheet.cell(r, 1).value, sheet.cell(r, 2).value): r for r in range(5, sheet.max_row + 1)}
    noted = {code for s in result.submissions.values() for code in s.notes}
    listed = {code for code, _unit in shown}
    for found in result.metrics:
        metric = catalog.metric_by_code[found.code]
        # Every unit feeding a part of the metric (the denominator too) or a figure beside it.
        parts = {metric.numerator, metric.denominator, metric.element, *metric.extra} - {None}
        providers = [u for u in registry.expected if set(u.elements) & parts]
        if len(providers) < 2 and found.code not in noted:
            assert found.code not in listed  # one unit's value is the commune's: see "Chỉ tiêu"
            continue
        # A rate the schools share with the office (their numerators over its denominator): no
        # unit has a value of its own there, only its part.
        rate = {metric.numerator, metric.denominator}
        shared = metric.method == "ratio" and any(len(rate & set(u.elements)) == 1 for u in providers)
        for unit, value in found.by_unit.items():
            r = shown[(found.code, names[unit])]
            assert sheet.cell(r, 5).value == ("một phần" if shared else pytest.approx(value)), (found.code, unit)
            assert sheet.cell(r, 6).value == (pytest.approx(found.value) if found.value is not None else None)
    dropout = next(m for m in result.metrics if m.code == "CT17b")
    r = shown[("CT17b", "Trường Tiểu học Xuân Trường B")]
    # The school's own figures, and its rate from them.
    assert (sheet.cell(r, 3).value, sheet.cell(r, 4).value) == (3, 520)
    assert sheet.cell(r, 5).value == pytest.approx(3 / 520 * 100)
    # The unit's value and the commune's, each judged against the target on its own row.
    _assert_judged(sheet, f"E{r}", f"E{r}", f"$G{r}", dropout.operator)
    _assert_judged(sheet, f"F{r}", f"F{r}", f"$G{r}", dropout.operator)
    assert dropout.status == MetricStatus.NOT_MET
    # A school without the facility ("Không") is the miss; the commune's share, on five schools of
    # six, is not judged at all.
    r = shown[("CT07", "Trường Tiểu học Xuân Trường B")]
    assert sheet.cell(r, 5).value == 0
    assert (f"AND(ISNUMBER($E{r}),$E{r}=0)", RED_FILL) in _colours_for(sheet, f"E{r}")
    assert next(m for m in result.metrics if m.code == "CT07").status == MetricStatus.INCOMPLETE
    assert _colours_for(sheet, f"F{r}") == []
    # A ratio on incomplete coverage: each unit's own value judged, the commune's not.
    r = shown[("CT15", "Trường Mầm non Hoa Sen")]
    assert next(m for m in result.metrics if m.code == "CT15").status == MetricStatus.INCOMPLETE
    assert {fill for _f, fill in _colours_for(sheet, f"E{r}")} == {GREEN_FILL, RED_FILL}
    assert _colours_for(sheet, f"F{r}") == []
    # The kindergarten that sent nothing is named where its figures are missing.
    r = shown[("CT16", "Trường Mầm non Hoa Mai")]
    assert sheet.cell(r, 3).value is None and sheet.cell(r, 5).value == "chưa nộp"


def test_by_unit_shows_each_share_and_never_colours_it(summary) -> None:  # noqa: ANN001
    """A school's share of CT22–CT24 (a numerator without its denominator) and the culture-social
    office's denominator of CT20b: shown as figures, never judged against the commune's target."""
    _, result, _, workbook, _ = summary
    sheet = workbook["Theo đơn vị"]
    shown = {(sheet.cell(r, 1).value, sheet.cell(r, 2).value): r for r in range(5, sheet.max_row + 1)}
    consulted = {"Trường Tiểu học Xuân Trường A": 300, "Trường Tiểu học Xuân Trường B": 200,
                 "Trường THCS Xuân Trường A": 250, "Trường THCS Xuân Trường B": 150}
    for school, figure in consulted.items():
        r = shown[("CT22", school)]
        assert (sheet.cell(r, 3).value, sheet.cell(r, 4).value, sheet.cell(r, 5).value) == (figure, None, "chỉ tử số")
        for col in "CDEFG":
            assert _colours_for(sheet, f"{col}{r}") == [], (school, col)
    office = shown[("CT22", "Phòng Văn hoá - Xã hội xã")]
    assert (sheet.cell(office, 3).value, sheet.cell(office, 4).value, sheet.cell(office, 5).value) == (600, 3300,
                                                                                                  "một phần")
    assert _colours_for(sheet, f"E{office}") == []  # the schools add to its numerator: not the office's rate
    assert office < min(shown[("CT22", school)] for school in consulted)  # the whole metric first
    r = shown[("CT20b", "Phòng Văn hoá - Xã hội xã")]
    assert (sheet.cell(r, 3).value, sheet.cell(r, 4).value, sheet.cell(r, 5).value) == (None, 20, "chỉ mẫu số")
    assert _colours_for(sheet, f"E{r}") == [] and _colours_for(sheet, f"F{r}") == []
    # The band names what the two columns hold for this metric.
    band = next(sheet.cell(r, 2).value for r in range(5, sheet.max_row + 1)
                if sheet.cell(r, 1).value == "CT22" and isinstance(sheet.cell(r, 3), MergedCell))
    assert "Tử số: Số trẻ em" in band and "mẫu số: " in band
    # The police sent nothing here: its CT09 cases are listed, as not sent.
    police = [r for (code, name), r in shown.items() if code == "CT09" and name.startswith("Công an xã: ")]
    assert len(police) == 2 and all(sheet.cell(r, 5).value == "chưa nộp" for r in police)


def _unit_blocks(sheet) -> dict[str, tuple[int, int]]:  # noqa: ANN001
    """metric code -> (first, last) row of its unit rows on "Theo đơn vị" (under the band row)."""
    blocks: dict[str, tuple[int, int]] = {}
    for r in range(5, sheet.max_row + 1):
        code = sheet.cell(r, 1).value
        # A metric's band row merges B:I; its unit rows have their own value cells.
        if isinstance(code, str) and code.startswith("CT") and not isinstance(sheet.cell(r, 3), MergedCell):
            first, _ = blocks.get(code, (r, r))
            blocks[code] = (first, r)
    return blocks


def test_by_unit_rules_cover_whole_blocks(summary) -> None:  # noqa: ANN001
    """One rule per colour per metric block, not per row: a row inside a block is judged by it."""
    _, result, _, workbook, _ = summary
    sheet = workbook["Theo đơn vị"]
    blocks = _unit_blocks(sheet)
    by_code = {m.code: m for m in result.metrics}
    # The schools' CT07 answers: six rows, every one judged by the same rule ("Không" is the miss).
    first, last = blocks["CT07"]
    assert last - first >= 2, "the fixture needs a block of at least three unit rows"
    middle = (first + last) // 2
    (block,) = [block for block in sheet.conditional_formatting if f"E{middle}" in block.sqref]
    (bounds,) = block.sqref.ranges  # one range: the block, from its first to its last unit row
    assert (bounds.min_row, bounds.max_row, bounds.min_col, bounds.max_col) == (first, last, 5, 5)
    assert _rules_for(sheet, f"E{middle}") == [f"AND(ISNUMBER($E{middle}),$E{middle}=0)"]
    # A rate judged on two rows by one rule over E:F, each row against its own target.
    first, last = blocks["CT17b"]
    assert last > first and by_code["CT17b"].status.is_verdict
    for col in ("E", "F"):
        covering = [block for block in sheet.conditional_formatting if f"{col}{last}" in block.sqref]
        for block in covering:
            (bounds,) = block.sqref.ranges
            assert (bounds.min_row, bounds.max_row, bounds.min_col, bounds.max_col) == (first, last, 5, 6)
            for rule in block.rules:
                assert f"E{first}" in rule.formula[0] and f"$G{first}" in rule.formula[0], rule.formula
        _assert_judged(sheet, f"{col}{last}", f"{col}{last}", f"$G{last}", by_code["CT17b"].operator)
        assert not any(f"{first}" in f for f in _rules_for(sheet, f"{col}{last}"))
    # Every rule range starts a block and stays inside it (the rows giving the whole metric come
    # first): the rule count follows metrics, not units.
    for block in sheet.conditional_formatting:
        for rng in block.sqref.ranges:
            assert any(rng.min_row == start and rng.max_row <= end for start, end in blocks.values()), str(rng)
    rules = sum(len(block.rules) for block in sheet.conditional_formatting)
    assert rules <= 3 * len(blocks) < sum(last - first + 1 for first, last in blocks.values()) * 2


def test_unit_text_is_always_literal(summary) -> None:  # noqa: ANN001
    path, *_ = summary
    workbook = load_workbook(path)
    note = [c for row in workbook["Theo đơn vị"].iter_rows() for c in row if c.value == FORMULA_NOTE]
    assert len(note) == 1 and note[0].data_type == "s"
    phones = [c for ws in workbook for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and c.value.startswith(PHONE)]
    assert len(phones) >= 2 and all(c.data_type == "s" for c in phones)
    # The only formulas are the ones the summary writes itself.
    for ws in workbook:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert ws.title in ("Tổng quan", "Chỉ tiêu") and not c.value.startswith("=HYPERLINK")


def test_free_text_and_notes_shown(summary) -> None:  # noqa: ANN001
    _, result, *_, workbook, _ = summary
    texts = {c.value for row in workbook["Theo đơn vị"].iter_rows() for c in row if isinstance(c.value, str)}
    for submission in result.submissions.values():
        assert set(submission.notes.values()) <= texts
        assert set(submission.free_text.values()) <= texts


def test_progress_sheet(summary) -> None:  # noqa: ANN001
    _, result, *_, workbook, _ = summary
    sheet = workbook["Tiến độ nộp"]
    # Numbered rows: the units expected to report; the MTTQ and đoàn thể follow, unnumbered, "Không bắt buộc".
    by_name = {sheet.cell(r, 2).value: r for r in range(5, sheet.max_row + 1) if isinstance(sheet.cell(r, 1).value, int)}
    assert len(by_name) == len(result.units)
    optional = [r for r in range(5, sheet.max_row + 1) if sheet.cell(r, 5).value == "Không bắt buộc"]
    assert [sheet.cell(r, 2).value for r in optional] == ["Ủy ban MTTQ Việt Nam xã"]
    expected = {True: "Đúng hạn", False: "Nộp muộn", None: "Không ghi ngày"}
    for unit in result.units:
        r = by_name[unit.name]
        assert sheet.cell(r, 5).value == (expected[unit.on_time] if unit.received else "Chưa nộp")
        assert sheet.cell(r, 4).value == ("Có" if unit.received else "Không")
        assert sheet.cell(r, 10).value == unit.errors and sheet.cell(r, 11).value == unit.warnings
        if unit.report_date:
            assert sheet.cell(r, 7).value.date() == unit.report_date
    assert any("E5" in block.sqref for block in sheet.conditional_formatting)


def test_findings_errors_first_with_autofilter(summary, catalog) -> None:  # noqa: ANN001
    _, result, *_, workbook, _ = summary
    sheet = workbook["Kiểm tra"]
    assert [c.value for c in sheet[4]] == ["Tệp", "Đơn vị", "Trang", "Ô", "Số liệu, chỉ tiêu", "Mức độ", "Nội dung",
                                           "Mã"]
    shown = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=5, max_row=sheet.max_row)]
    assert len(shown) == len(result.findings)
    assert [s[5] for s in shown] == ["Lỗi", "Lỗi", "Cảnh báo", "Cảnh báo"]
    assert {s[6] for s in shown} == {f.message for f in result.findings}
    # The figure by its Vietnamese label; its machine code only in the last, grey, smaller column.
    assert shown[0] == ("nhan-ve/th-xuan-b-bao-cao.xlsx", "Trường Tiểu học Xuân Trường B", "Số liệu", "D9",
                        catalog.elements["primary_dropouts"].label, "Lỗi", result.findings[1].message,
                        "primary_dropouts")
    assert next(s for s in shown if s[7] == "children_consulted")[4] == catalog.elements["children_consulted"].label
    assert not next(s for s in shown if s[0] == "la.pdf")[4]  # a file, no figure
    for row in sheet.iter_rows(min_row=5, max_row=sheet.max_row):
        assert all(c.font.sz >= 10 for c in row)
        assert row[7].font.sz < row[6].font.sz and row[7].font.color.rgb.endswith("595959")
        assert row[6].alignment.wrap_text and row[4].alignment.wrap_text
    assert sheet.auto_filter.ref == f"A4:H{sheet.max_row}"


def test_data_sheet_is_a_table_of_facts(summary, catalog) -> None:  # noqa: ANN001
    _, result, registry, workbook, _ = summary
    sheet = workbook["Dữ liệu"]
    (table,) = sheet.tables.values()
    assert table.ref == f"A1:J{len(result.facts) + 1}"
    assert [c.value for c in sheet[1]] == ["Năm", "Đơn vị", "Số liệu", "Giá trị", "Tệp", "Trang", "Ô", "Mã đơn vị",
                                           "Mã số liệu", "SHA-256"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(result.facts)
    names = {u.id: u.name for u in registry.units}
    labels = {code: element.label for code, element in catalog.elements.items()}
    for fact, row in zip(result.facts, rows):
        assert (row[0], row[4], row[6], row[7], row[8], row[9]) == (fact.year, fact.file, fact.cell, fact.unit,
                                                                    fact.element, fact.sha256)
        assert (row[1], row[2], row[3]) == (names[fact.unit], labels[fact.element], fact.value)
    # The codes are secondary (grey, smaller); the SHA-256 is hidden.
    assert sheet["H2"].font.sz == sheet["I2"].font.sz == 10 and sheet["H2"].font.color.rgb.endswith("595959")
    assert sheet.column_dimensions["J"].hidden and not sheet.column_dimensions["I"].hidden
    # Not printed with the workbook: the print area is one blank cell outside the table.
    area = sheet.print_area.split("!")[-1].replace("$", "")
    assert area == "L1" and sheet[area].value is None, sheet.print_area


def test_overview_counts_funding_and_gaps(summary, catalog) -> None:  # noqa: ANN001
    _, result, *_, values = summary
    sheet = values["Tổng quan"]
    cells: dict = {}
    for row in sheet.iter_rows():
        for c in row:
            if c.value is not None:
                cells.setdefault(c.value, c)  # the first occurrence, reading down the page
    texts = [v for v in cells if isinstance(v, str)]
    assert "UBND XÃ XUÂN TRƯỜNG" in texts and "Xuân Trường, ngày … tháng … năm 2026" in texts
    assert any("tính tại thời điểm tổng hợp 12/11/2026 09:30" in text for text in texts)
    assert cells["1. Kết quả thực hiện 24 chỉ tiêu (34 số đo)"].column == 1
    header = cells["Mục tiêu"].row
    labels = [sheet.cell(header, c).value for c in range(3, 15) if sheet.cell(header, c).value]
    assert labels[:5] == ["Số chỉ tiêu", "Đạt", "Số liệu có lỗi", "Chưa đạt", "Chưa đủ số liệu"]
    column = {label: labels.index(label) + 3 for label in labels}
    # The fixture's 24 indicators by hand: an indicator with parts is met when all its parts are
    # (CT05b without a 2026 target set aside), not met when one is not, and without a verdict when
    # a part misses the kindergarten that sent nothing (CT07, CT15, CT16, CT19, CT20a, CT20b).
    s = MetricStatus
    expected = {1: {s.MET: 3, s.NOT_MET: 2, s.INCOMPLETE: 1, s.NOT_APPLICABLE: 1},  # 1 2 5 | 3 4 | 7 | 6
                2: {s.MET: 3, s.NOT_MET: 2, s.NO_DATA: 1, s.NOT_APPLICABLE: 1},  # 8 9 14 | 11 13 | 10 | 12
                3: {s.MET: 1, s.NOT_MET: 2, s.INCOMPLETE: 4},  # 21 | 17 18 | 15 16 19 20
                4: {s.MET: 2, s.NOT_MET: 1}}  # 22 24 | 23 (2.800 / 3.300 = 84,8 % < 85 %)
    on_error = {m.code for m in result.metrics if m.on_error_figures}
    for objective in catalog.objectives:
        r = header + objective.number
        assert sheet.cell(r, 3).value == sum(expected[objective.number].values())
        for status in MetricStatus:
            if status.label in column:
                assert sheet.cell(r, column[status.label]).value == expected[objective.number].get(status, 0), (r, status)
    total = header + len(catalog.objectives) + 1
    assert sheet.cell(total, 1).value == "Tổng số chỉ tiêu" and sheet.cell(total, 3).value == 24
    assert [sheet.cell(total, column[status.label]).value for status in (s.MET, s.NOT_MET, s.INCOMPLETE)] == [9, 7, 5]
    # The 34 measured parts, each counted once under its own status; a met part on erroneous figures apart.
    parts = total + 1
    assert sheet.cell(parts, 1).value == "Theo 34 số đo" and sheet.cell(parts, 3).value == 34
    assert sheet.cell(parts, column["Số liệu có lỗi"]).value == sum(
        m.status == s.MET and m.code in on_error for m in result.metrics)
    for label, amount in (("Kinh phí ngân sách nhà nước bố trí", "1.250.000.000 đồng"),
                          ("Kinh phí ngân sách nhà nước đã thực hiện", "980.500.000 đồng"),
                          ("Kinh phí huy động hợp pháp khác", "310.000.000 đồng")):
        cell = next(c for v, c in cells.items() if isinstance(v, str) and v.startswith(label))
        assert sheet.cell(cell.row, 3).value == amount
    received = sum(u.received for u in result.units)
    completeness = cells["Phải nộp"]
    assert sheet.cell(completeness.row + 1, completeness.column).value == len(result.units)
    assert sheet.cell(completeness.row + 1, completeness.column + 1).value == received
    # Every part not met, in plan order, with its value, target and gap in its own unit.
    first = cells["Còn cách mục tiêu"].row + 1
    listed = []
    for r in range(first, first + 40):
        code = sheet.cell(r, 1).value
        if not (isinstance(code, str) and code.startswith("CT")):
            break
        listed.append(code)
    assert listed == [m.code for m in result.metrics if m.status == MetricStatus.NOT_MET]
    row = first + listed.index("CT17b")
    assert [sheet.cell(row, c).value for c in (3, 5)] == ["0,25%", "< 0,12%"]
    assert sheet.cell(row, 7).value == "vượt 0,13 điểm phần trăm"


def test_funding_not_reported(tmp_path, catalog) -> None:  # noqa: ANN001
    registry = build_registry(catalog)
    result = build_result(catalog, registry)
    del result.submissions["kinh-te"]
    for code in ("budget_allocated", "budget_spent", "funds_mobilised"):
        result.totals.pop(code)
    sheet = load_workbook(write_summary(result, catalog, registry, tmp_path / "t.xlsx"))["Tổng quan"]
    texts = [c.value for row in sheet.iter_rows() for c in row]
    assert texts.count("chưa báo cáo") == 3


def test_print_settings_on_every_sheet(summary) -> None:  # noqa: ANN001
    *_, workbook, _ = summary
    for sheet in workbook:
        setup = sheet.page_setup
        if sheet.title == "Tổng quan":  # a document (Decree 30): portrait, one page, no running header
            assert setup.orientation == "portrait" and int(setup.fitToHeight or 1) == 1
            assert "Trang &P/&N" in sheet.oddFooter.right.text
            continue
        assert setup.orientation == "landscape", sheet.title
        assert int(setup.paperSize) == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert int(setup.fitToWidth or 1) == 1  # absent means 1 (the OOXML default)
        assert int(setup.fitToHeight if setup.fitToHeight is not None else 1) == (1 if sheet.title == "Tổng quan" else 0)
        assert sheet.print_title_rows, sheet.title
        assert sheet.freeze_panes, sheet.title
        header = sheet.oddHeader.left.text + sheet.oddHeader.right.text
        assert "xã Xuân Trường" in header and "2026" in header
        assert "Trang &P/&N" in sheet.oddFooter.right.text
        for row in sheet.iter_rows(max_row=6):
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == "Times New Roman", (sheet.title, cell.coordinate)


def test_all_text_is_nfc(summary) -> None:  # noqa: ANN001
    *_, workbook, _ = summary
    for sheet in workbook:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert unicodedata.is_normalized("NFC", value), value


def test_locked_target_falls_back(tmp_path, catalog, monkeypatch) -> None:  # noqa: ANN001
    registry = build_registry(catalog)
    result = build_result(catalog, registry)
    target = tmp_path / "outbox" / "2026" / "tong-hop-2026.xlsx"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old summary, open in Excel")
    real_replace = os.replace

    def locked(src, dst):  # noqa: ANN001, ANN202 - Windows refuses to replace a file open in Excel
        if Path(dst) == target:
            raise PermissionError(13, "The process cannot access the file", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", locked)
    written = write_summary(result, catalog, registry, target, made=MADE)
    assert written.fallback_used and written.name == "tong-hop-2026 (1).xlsx"
    assert "đang được mở" in written.notice and "tong-hop-2026 (1).xlsx" in written.notice
    assert target.read_bytes() == b"old summary, open in Excel"
    assert load_workbook(written).sheetnames[0] == "Tổng quan"
    assert sorted(p.name for p in target.parent.iterdir()) == ["tong-hop-2026 (1).xlsx", "tong-hop-2026.xlsx"]


@requires_soffice
def test_libreoffice_renders_pdf(summary, tmp_path) -> None:  # noqa: ANN001
    path, *_ = summary
    profile = f"file://{tmp_path / 'lo-profile'}"
    done = subprocess.run([soffice_path(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "tong-hop-2026.pdf"
    assert done.returncode == 0, done.stderr
    assert pdf.exists() and pdf.stat().st_size > 10_000
    assert pdf.read_bytes().startswith(b"%PDF")


def test_merge_command_writes_the_summary(tmp_path) -> None:  # noqa: ANN001
    """End to end: templates filled as units fill them, `ctre-xl merge`, then the summary."""
    from merge_helpers import deliver, make_workspace, merge_json

    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    deliver(workspace, "vhxh", YEAR, "zalo/VHXH bao cao.xlsx",
            {"children_total": 5000, "children_0_8": 2500, "children_0_8_served": 2000, "live_births": 300,
             "deaths_neonatal": 1, "deaths_under1": 2, "deaths_under5": 3},
            notes={"CT02": FORMULA_NOTE}, report_date=date(YEAR, 11, 5))
    deliver(workspace, "th-vi-du", YEAR, "tieu hoc.xlsx",
            {"primary_grade1_cohort": 100, "primary_completers": 95, "primary_enrolled": 500, "primary_dropouts": 1},
            preparer={"preparer_name": "Lê Văn Cường", "preparer_phone": PHONE}, report_date=date(YEAR, 11, 20))
    code, data, _ = merge_json(workspace, YEAR)
    assert code == 0
    path = workspace.outbox_dir(YEAR) / "tong-hop-2026.xlsx"
    assert Path(data.get("outputs", {}).get("summary", path)) == path and path.exists()
    formulas, values = load_workbook(path), load_workbook(path, data_only=True)
    assert formulas.sheetnames == list(SHEETS)
    sheet = values["Chỉ tiêu"]
    rows = rows_by_code(sheet)
    assert len(rows) == 34
    for item in data["metrics"]:
        r = rows[item["code"]]
        shown = sheet[f"F{r}"].value
        assert shown == (pytest.approx(item["value"]) if item["value"] is not None else None), item["code"]
        assert sheet[f"{_col(sheet, 'Đánh giá')}{r}"].value == MetricStatus(item["status"]).label, item["code"]
    assert values["Chỉ tiêu"][f"F{rows['CT02']}"].value == pytest.approx(80.0)
    note = [c for row in formulas["Theo đơn vị"].iter_rows() for c in row if c.value == FORMULA_NOTE]
    assert note and note[0].data_type == "s"
    phone = [c for row in formulas["Tiến độ nộp"].iter_rows() for c in row if c.value == PHONE]
    assert phone and phone[0].data_type == "s"
    findings = formulas["Kiểm tra"]
    assert findings.max_row - 4 == max(len(data["issues"]), 1)


def test_empty_inbox_still_gives_a_readable_summary(tmp_path, catalog) -> None:  # noqa: ANN001
    """Nothing received yet: every metric without data, every unit missing, no findings, no facts."""
    registry = build_registry(catalog)
    units = [UnitStatus(u.id, u.name, u.kind, received=False, on_time=None) for u in registry.expected]
    metrics = [MetricResult(m.code, None, None, None, None, None, 2026, MetricStatus.NO_DATA) for m in catalog.metrics]
    result = MergeResult(YEAR, [], [], metrics, units, [], {}, {})
    workbook = load_workbook(write_summary(result, catalog, registry, tmp_path / "t.xlsx"), data_only=True)
    assert workbook.sheetnames == list(SHEETS)
    texts = [c.value for ws in workbook for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Không có lỗi hay cảnh báo nào." in texts and "Không có chỉ tiêu nào chưa đạt." in texts
    assert texts.count("Chưa nộp") == len(units) + 1  # one per unit, plus the overview's column
    assert texts.count("chưa báo cáo") == 3
    assert workbook["Dữ liệu"].tables["DuLieuTongHop"].ref == "A1:J2"


@pytest.mark.parametrize("text, width", [
    ("", 10), ("Có", 5), ("x" * 10, 10), ("x" * 11, 10), ("Trường Tiểu học Xuân Trường B", 32),
    ("Nhiều học sinh chuyển trường theo gia đình đi làm ăn xa, số liệu cần xác minh lại", 24),
    ("dòng một\ndòng hai rất dài " + "chữ " * 30, 58), ("a\tb\tc\td", 8), ("   ", 4),
    ("Đầu-tiên-không-có-dấu-cách-nào-cả-để-ngắt", 12), ("\n\n", 7),
])
def test_row_heights_wrap_like_textwrap(text: str, width: float) -> None:
    """The short-text shortcut and the cache give the line count a full word wrap gives."""
    per_line = max(1, int(width * 1.1) - 1)
    expected = sum(max(1, len(textwrap.wrap(part, per_line, break_long_words=True))) for part in text.split("\n"))
    assert wrapped_lines(text, width) == expected
    assert text_height([(text, width), ("", 3)]) == expected * LINE_HEIGHT + 2


def test_row_heights_cache_short_texts_only() -> None:
    """The line-count cache holds names and labels, never a unit's long words (bounded memory)."""
    from ctre_xl.output.summary import styles

    long = "Khó khăn trong việc thu thập số liệu. " * 50
    before = styles._cached_lines.cache_info().currsize
    assert wrapped_lines(long, 40) == wrapped_lines(long, 40) > 10
    assert styles._cached_lines.cache_info().currsize == before
    wrapped_lines("Trường Mầm non Xuân Trường số 12345", 20)
    assert styles._cached_lines.cache_info().currsize == before + 1
