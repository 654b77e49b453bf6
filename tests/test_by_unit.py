"""The summary's "Theo đơn vị" sheet after a real merge: every figure each unit sent, under its metric."""

from __future__ import annotations

from pathlib import Path

import pytest
from merge_helpers import deliver, make_workspace, merge_json
from openpyxl import load_workbook
from test_bad_inputs import CATALOG, GOOD, REPORT_DAY, YEAR, good_values

MN, TH, THCS = ("Trường Mầm non Xuân Trường (ví dụ)", "Trường Tiểu học Xuân Trường (ví dụ)",
                "Trường THCS Xuân Trường (ví dụ)")


@pytest.fixture(scope="module")
def by_unit(tmp_path_factory):  # noqa: ANN201
    """Every unit sends its report; the primary school's CT22 figure is text (refused) and the
    kindergarten's CT20b figure negative (read, then dropped for the error)."""
    workspace = make_workspace(tmp_path_factory.mktemp("by-unit") / "ws", (YEAR,))
    spoiled = {"th-vi-du": {"children_consulted": "khoảng 400 em"}, "mn-vi-du": {"disabled_learning_access": -2}}
    for unit, (relative, _values) in GOOD.items():
        deliver(workspace, unit, YEAR, relative, good_values(unit, **spoiled.get(unit, {})), report_date=REPORT_DAY)
    code, data, _ = merge_json(workspace, YEAR)
    assert code == 0
    sheet = load_workbook(Path(data["outputs"]["summary"]))["Theo đơn vị"]
    rows = {(sheet.cell(r, 1).value, sheet.cell(r, 2).value): r for r in range(5, sheet.max_row + 1)}
    return sheet, rows, data


def _rules(sheet, cell: str) -> list:  # noqa: ANN001
    return [block for block in sheet.conditional_formatting if cell in block.sqref]


def test_a_rejected_figure_reads_so_lieu_loi(by_unit) -> None:  # noqa: ANN001
    sheet, rows, data = by_unit
    assert {i["kind"] for i in data["issues"] if i["unit"] == "th-vi-du"} >= {"not_a_number"}
    r = rows[("CT22", TH)]
    assert (sheet.cell(r, 3).value, sheet.cell(r, 5).value) == (None, "số liệu lỗi")
    assert {i["kind"] for i in data["issues"] if i["unit"] == "mn-vi-du"} >= {"negative"}
    r = rows[("CT20b", MN)]
    assert (sheet.cell(r, 3).value, sheet.cell(r, 5).value) == (None, "số liệu lỗi")
    values = [sheet.cell(r, 5).value for r in range(5, sheet.max_row + 1)]
    assert "không có số liệu" not in values  # every unit sent every figure: none is "missing"


def test_each_school_share_is_shown_and_never_coloured(by_unit) -> None:  # noqa: ANN001
    sheet, rows, _ = by_unit
    office = rows[("CT22", "Phòng Văn hoá - Xã hội xã")]
    vhxh = GOOD["vhxh"][1]
    assert (sheet.cell(office, 3).value, sheet.cell(office, 4).value) == (vhxh["children_consulted"],
                                                                          vhxh["children_age7plus"])
    # The office's own figures are a part of the rate too (the schools add to its numerator).
    assert sheet.cell(office, 5).value == "một phần" and _rules(sheet, f"E{office}") == []
    for code, element in (("CT22", "children_consulted"), ("CT23", "children_participation_aware"),
                          ("CT24", "children_11plus_participating")):
        r = rows[(code, THCS)]
        assert (sheet.cell(r, 3).value, sheet.cell(r, 4).value) == (GOOD["thcs-vi-du"][1][element], None), code
        assert sheet.cell(r, 5).value == "chỉ tử số"
        for col in "CDEFG":  # a school's part is never judged against the commune's target
            assert _rules(sheet, f"{col}{r}") == [], (code, col)
        assert r > rows[(code, "Phòng Văn hoá - Xã hội xã")]
    assert sheet.cell(rows[("CT23", TH)], 3).value == GOOD["th-vi-du"][1]["children_participation_aware"]


def test_the_police_cases_are_shown_beside_ct09(by_unit) -> None:  # noqa: ANN001
    sheet, rows, _ = by_unit
    police = {name: r for (code, name), r in rows.items() if code == "CT09" and name.startswith("Công an xã: ")}
    labels = [CATALOG.elements[code].label for code in ("abuse_cases_detected", "abuse_cases_handled")]
    assert sorted(police) == sorted(f"Công an xã: {label} (để đối chiếu)" for label in labels)
    for name, r in police.items():
        assert sheet.cell(r, 5).value == 3 and sheet.cell(r, 5).number_format.endswith('" vụ"'), name
        assert sheet.cell(r, 6).value is None  # not the rate: no commune value, no target beside it
        assert _rules(sheet, f"E{r}") == [] and _rules(sheet, f"F{r}") == []
    office = rows[("CT09", "Phòng Văn hoá - Xã hội xã")]
    assert office < min(police.values()) and _rules(sheet, f"E{office}")  # the rate itself is judged
