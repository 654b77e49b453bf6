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
    return {sheet.cell(r, column).value: r for r in range(first, sheet.max_row + 1)
            if isinstance(sheet.cell(r, column).value, str) and sheet.cell(r, column).value.startswith("CT")}


def test_all_statuses_present_in_fixture(summary) -> None:  # noqa: ANN001
    _, result, *_ = summary
    assert {m.status for m in result.metrics} == set(MetricStatus)


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
        assert sheet.cell(r, col["Chỉ tiêu"]).value == metric.name
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
        if found.operator is None:  # no target this year: nothing to judge, the text stays
            assert (status.data_type, status.value) == ("s", "Chưa có mục tiêu"), found.code
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
        if not found.operator:
            continue
        r = rows[found.code]
        for cell in (f"F{r}", f"{_col(sheet, 'Đánh giá')}{r}"):
            _assert_judged(sheet, cell, f"$F{r}", f"$I{r}", found.operator)  # met (green) and missed (red)
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
    shown = {(sheet.cell(r, 1).value, sheet.cell(r, 2).value): r for r in range(5, sheet.max_row + 1)}
    noted = {code for s in result.submissions.values() for code in s.notes}
    listed = {code for code, _unit in shown}
    for found in result.metrics:
        providers = [u for u in registry.expected
                     if set(u.elements) & set(catalog.metric_by_code[found.code].own_elements)]
        if len(found.by_unit) < 2 and len(providers) < 2 and found.code not in noted:
            assert found.code not in listed  # one unit's value is the commune's: see "Chỉ tiêu"
            continue
        for unit, value in found.by_unit.items():
            r = shown[(found.code, names[unit])]
            assert sheet.cell(r, 3).value == pytest.approx(value)
            assert sheet.cell(r, 4).value == (pytest.approx(found.value) if found.value is not None else None)
    dropout = next(m for m in result.metrics if m.code == "CT17b")
    r = shown[("CT17b", "Trường Tiểu học Xuân Trường B")]
    assert sheet.cell(r, 3).value == pytest.approx(3 / 520 * 100)
    # The unit's value and the commune's, each judged against the target on its own row.
    _assert_judged(sheet, f"C{r}", f"C{r}", f"$E{r}", dropout.operator)
    _assert_judged(sheet, f"D{r}", f"D{r}", f"$E{r}", dropout.operator)
    assert dropout.status == MetricStatus.NOT_MET
    # A school without the facility ("Không") is the miss; the commune's share is judged as usual.
    r = shown[("CT07", "Trường Tiểu học Xuân Trường B")]
    assert sheet.cell(r, 3).value == 0
    assert (f"AND(ISNUMBER($C{r}),$C{r}=0)", RED_FILL) in _colours_for(sheet, f"C{r}")
    _assert_judged(sheet, f"D{r}", f"$D{r}", f"$E{r}", next(m for m in result.metrics if m.code == "CT07").operator)
    # The kindergarten that sent nothing is named where its figures are missing.
    r = shown[("CT16", "Trường Mầm non Hoa Mai")]
    assert sheet.cell(r, 3).value is None and sheet.cell(r, 7).value == "(chưa nộp báo cáo)"


def _unit_blocks(sheet) -> dict[str, tuple[int, int]]:  # noqa: ANN001
    """metric code -> (first, last) row of its unit rows on "Theo đơn vị" (under the band row)."""
    blocks: dict[str, tuple[int, int]] = {}
    for r in range(5, sheet.max_row + 1):
        code = sheet.cell(r, 1).value
        # A metric's band row merges B:G; its unit rows have their own value cells.
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
    code, (first, last) = max(((c, b) for c, b in blocks.items()
                               if by_code[c].operator and sheet[f"C{b[0]}"].number_format != '[=0]"Không";"Có"'),
                              key=lambda item: item[1][1] - item[1][0])
    assert last - first >= 2, "the fixture needs a block of at least three unit rows"
    middle = (first + last) // 2
    assert first < middle < last
    for col in ("C", "D"):
        covering = [block for block in sheet.conditional_formatting if f"{col}{middle}" in block.sqref]
        assert covering, (code, col)
        for block in covering:
            (bounds,) = block.sqref.ranges  # one range: the block, from its first to its last unit row
            assert (bounds.min_row, bounds.max_row) == (first, last), (code, str(block.sqref))
            assert (bounds.min_col, bounds.max_col) == (3, 4), (code, str(block.sqref))
            for rule in block.rules:
                assert f"C{first}" in rule.formula[0] and f"$E{first}" in rule.formula[0], rule.formula
        # The rule's relative references, evaluated at the middle row, point at that row.
        _assert_judged(sheet, f"{col}{middle}", f"{col}{middle}", f"$E{middle}", by_code[code].operator)
        assert not any(f"{first}" in f for f in _rules_for(sheet, f"{col}{middle}")), code
    # Every rule range of the sheet is one whole block: the rule count follows metrics, not units.
    ranges = {(rng.min_row, rng.max_row) for block in sheet.conditional_formatting for rng in block.sqref.ranges}
    assert ranges <= set(blocks.values()), ranges - set(blocks.values())
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
    by_name = {sheet.cell(r, 2).value: r for r in range(5, sheet.max_row + 1)}
    assert len(by_name) == len(result.units)
    expected = {True: "Đúng hạn", False: "Nộp muộn", None: "Không ghi ngày"}
    for unit in result.units:
        r = by_name[unit.name]
        assert sheet.cell(r, 5).value == (expected[unit.on_time] if unit.received else "Chưa nộp")
        assert sheet.cell(r, 4).value == ("Có" if unit.received else "Không")
        assert sheet.cell(r, 10).value == unit.errors and sheet.cell(r, 11).value == unit.warnings
        if unit.report_date:
            assert sheet.cell(r, 7).value.date() == unit.report_date
    assert any("E5" in block.sqref for block in sheet.conditional_formatting)


def test_findings_errors_first_with_autofilter(summary) -> None:  # noqa: ANN001
    _, result, *_, workbook, _ = summary
    sheet = workbook["Kiểm tra"]
    assert [c.value for c in sheet[4]] == ["Tệp", "Đơn vị", "Trang", "Ô", "Mã", "Mức độ", "Nội dung"]
    shown = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=5, max_row=sheet.max_row)]
    assert len(shown) == len(result.findings)
    assert [s[5] for s in shown] == ["Lỗi", "Lỗi", "Cảnh báo", "Cảnh báo"]
    assert {s[6] for s in shown} == {f.message for f in result.findings}
    assert shown[0][:5] == ("nhan-ve/th-xuan-b-bao-cao.xlsx", "Trường Tiểu học Xuân Trường B", "Số liệu", "D9",
                            "primary_dropouts")
    assert sheet.auto_filter.ref == f"A4:G{sheet.max_row}"


def test_data_sheet_is_a_table_of_facts(summary) -> None:  # noqa: ANN001
    _, result, *_, workbook, _ = summary
    sheet = workbook["Dữ liệu"]
    (table,) = sheet.tables.values()
    assert table.ref == f"A1:J{len(result.facts) + 1}"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(result.facts)
    for fact, row in zip(result.facts, rows):
        assert (row[0], row[1], row[3], row[6], row[8], row[9]) == (fact.year, fact.unit, fact.element,
                                                                    fact.file, fact.cell, fact.sha256)
        assert row[5] == fact.value


def test_overview_counts_funding_and_gaps(summary, catalog) -> None:  # noqa: ANN001
    _, result, *_, values = summary
    sheet = values["Tổng quan"]
    cells: dict = {}
    for row in sheet.iter_rows():
        for c in row:
            if c.value is not None:
                cells.setdefault(c.value, c)  # the first occurrence, reading down the page
    assert "xã Xuân Trường" in sheet["A3"].value and "12/11/2026" in sheet["A3"].value
    header = cells["Mục tiêu"].row
    for objective in catalog.objectives:
        r = header + objective.number
        ours = [m for m in result.metrics if catalog.metric_by_code[m.code].objective == objective.number]
        assert sheet.cell(r, 3).value == len(ours)
        for offset, status in enumerate((MetricStatus.MET, MetricStatus.NOT_MET, MetricStatus.NO_DATA,
                                         MetricStatus.NOT_APPLICABLE, MetricStatus.NO_TARGET)):
            assert sheet.cell(r, 4 + offset).value == sum(m.status == status for m in ours)
    total = header + len(catalog.objectives) + 1
    assert sheet.cell(total, 3).value == 34
    assert sheet.cell(total, 4).value == sum(m.status == MetricStatus.MET for m in result.metrics)
    for label, amount in (("Kinh phí ngân sách nhà nước bố trí", 1_250_000_000),
                          ("Kinh phí ngân sách nhà nước đã thực hiện", 980_500_000),
                          ("Kinh phí huy động hợp pháp khác", 310_000_000)):
        cell = next(c for v, c in cells.items() if isinstance(v, str) and v.startswith(label))
        assert sheet.cell(cell.row, 3).value == amount
    received = sum(u.received for u in result.units)
    completeness = cells["Phải nộp"]
    assert sheet.cell(completeness.row + 1, completeness.column).value == len(result.units)
    assert sheet.cell(completeness.row + 1, completeness.column + 1).value == received
    # Furthest from target: the not-met metrics, primary dropout (0.43 % vs < 0.12 %) first.
    first_gap = cells["Cách mục tiêu"].row + 1
    assert sheet.cell(first_gap, 1).value == "CT17b"
    listed = [sheet.cell(r, 1).value for r in range(first_gap, first_gap + 5) if sheet.cell(r, 1).value]
    assert set(listed) <= {m.code for m in result.metrics if m.status == MetricStatus.NOT_MET}


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
            {"primary_final_grade": 100, "primary_completers": 95, "primary_enrolled": 500, "primary_dropouts": 1},
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
