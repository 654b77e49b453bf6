"""The template checks itself before it is sent (issue 12, point 2), and prints in whole blocks.

The check column and the front-sheet count render the catalogue's own rules (the merge's checks
inside one file); LibreOffice recalculates them after a unit types a numerator above its
denominator. Also: the live rate of a subset never reads green above 100 %, the explanation cells
of templates written before the check column still read, and no heading prints alone.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest

from ctre_xl.cellref import a1
from ctre_xl.plan.load import load_catalog
from ctre_xl.plan.units import default_registry
from ctre_xl.read.submission import read_submission
from ctre_xl.template.checks import ALL_CLEAR, MISSING, SUBSET_BROKEN, check_formula, rule_message
from ctre_xl.template.layout import (COL_CHECK, COL_RATE, FORMER_COL_NOTE, FRONT_CHECK_ROW, FRONT_SHEET,
                                     INPUT_SHEET, build_layout, note_name)
from ctre_xl.template.paging import blocks
from conftest import requires_soffice, soffice_path
from reading_helpers import fill, make_template
from template_helpers import YEAR, metric_rows, name_target

_CATALOG = load_catalog()
_REGISTRY = default_registry(_CATALOG)
SCHOOL = "thcs-vi-du"
GOOD = {"school_has_sanitation": "Có", "lower_secondary_grade6_cohort": 160, "lower_secondary_completers": 150,
        "lower_secondary_enrolled": 600, "lower_secondary_dropouts": 1, "school_has_psych_support": "Có",
        "school_disability_ready": "Không", "disabled_learning_access": 3, "children_consulted": 300,
        "children_participation_aware": 400, "children_11plus_participating": 200}


def _recalculated(path: Path, out: Path) -> openpyxl.Workbook:
    """``path`` opened, recalculated and saved again by LibreOffice; read with its computed values."""
    out.mkdir()
    subprocess.run([soffice_path(), "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=120)
    return openpyxl.load_workbook(out / path.name, data_only=True)


def test_every_in_file_rule_of_the_catalogue_is_a_live_check():
    """One definition: each rule the merge checks inside the unit's file shows in its template."""
    for unit in _REGISTRY.units:
        if not unit.has_template or unit.narrative:
            continue
        layout = build_layout(_CATALOG, unit, YEAR)
        rows = {code: row for code, (_s, row, _c) in layout.element_cells.items()}
        for rule in _CATALOG.rules_within(unit.elements):
            formula, _blank = check_formula(_CATALOG, layout, rule.left[0])
            assert f'"{rule_message(rule, rows)}"' in formula, (unit.id, rule)
        for code in unit.elements:
            found = check_formula(_CATALOG, layout, code)
            if _CATALOG.elements[code].required:
                assert found is not None and found[1] == MISSING and f'"{MISSING}"' in found[0], code


def test_blank_template_shows_what_is_left_to_type(tmp_path):
    path = make_template(_CATALOG, _REGISTRY, SCHOOL, YEAR, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    required = sum(_CATALOG.elements[c].required for c in _REGISTRY.get(SCHOOL).elements)
    front = book[FRONT_SHEET].cell(FRONT_CHECK_ROW + 1, 2)
    assert front.value.startswith("=IF(SUMPRODUCT(") and "ô cần kiểm tra" in front.value
    cached = openpyxl.load_workbook(path, data_only=True)
    assert cached[FRONT_SHEET].cell(FRONT_CHECK_ROW + 1, 2).value == f"Còn {required} ô cần kiểm tra"
    check = book[INPUT_SHEET].cell(int(name_target(book, "lower_secondary_dropouts")[1][1:]), COL_CHECK + 1)
    assert check.protection.locked is not False  # never an input
    assert check.coordinate not in book.defined_names  # the reader reads names only


@requires_soffice
def test_numerator_above_denominator_is_caught_live_by_libreoffice(tmp_path):
    template = make_template(_CATALOG, _REGISTRY, SCHOOL, YEAR, tmp_path / "t.xlsx")
    clean = fill(template, GOOD, tmp_path / "clean" / "sach.xlsx")
    wrong = fill(template, {**GOOD, "lower_secondary_dropouts": 700}, tmp_path / "wrong" / "sai.xlsx")
    good_book = _recalculated(clean, tmp_path / "out-clean")
    assert good_book[FRONT_SHEET].cell(FRONT_CHECK_ROW + 1, 2).value == ALL_CLEAR
    book = _recalculated(wrong, tmp_path / "out-wrong")
    sheet = book[INPUT_SHEET]
    names = openpyxl.load_workbook(wrong)
    row = int(name_target(names, "lower_secondary_dropouts")[1][1:])
    enrolled = int(name_target(names, "lower_secondary_enrolled")[1][1:])
    assert sheet.cell(row, COL_CHECK + 1).value == f"Phải ≤ dòng {enrolled}"
    assert sheet.cell(metric_rows(sheet)["CT18b"], COL_RATE + 1).value == SUBSET_BROKEN  # never "116.67%"
    assert book[FRONT_SHEET].cell(FRONT_CHECK_ROW + 1, 2).value == "Còn 1 ô cần kiểm tra"


def test_subset_rate_reads_red_never_green(tmp_path):
    path = make_template(_CATALOG, _REGISTRY, SCHOOL, YEAR, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)[INPUT_SHEET]
    rate = a1(metric_rows(sheet)["CT18b"] - 1, COL_RATE)
    rules = [r for cf in sheet.conditional_formatting for r in cf.rules if rate in str(cf.sqref).split()]
    broken = [r for r in rules if SUBSET_BROKEN in r.formula[0]]
    assert len(broken) == 1 and broken[0].dxf.fill.bgColor.rgb.endswith("FFC7CE")  # the red of "not met"


def test_explanations_of_a_template_written_before_the_check_column_still_read(tmp_path):
    """The previous version put each "Giải trình" one column further right (I instead of H)."""
    template = make_template(_CATALOG, _REGISTRY, "vhxh", YEAR, tmp_path / "t.xlsx")

    def older(book: openpyxl.Workbook) -> None:
        sheet = book[INPUT_SHEET]
        for name in list(book.defined_names):
            if name.startswith("note_"):
                _title, coord = name_target(book, name)
                row = int("".join(ch for ch in coord if ch.isdigit()))
                sheet.cell(row, FORMER_COL_NOTE + 1).value = sheet[coord].value
                book.defined_names[name].attr_text = f"'{INPUT_SHEET}'!${'I'}${row}"

    path = fill(template, {"live_births": 100}, tmp_path / "inbox" / "cu.xlsx",
                notes={"CT02": "Số liệu tạm tính"}, edit=older)
    outcome = read_submission(path, tmp_path / "inbox", _CATALOG, _REGISTRY)
    assert outcome.submission is not None and outcome.submission.notes.get("CT02") == "Số liệu tạm tính"
    assert not [f for f in outcome.findings if f.kind == "structure_changed"]
    assert note_name("CT02") in build_layout(_CATALOG, _REGISTRY.get("vhxh"), YEAR).cells


@requires_soffice
@pytest.mark.parametrize("unit_id", ["vhxh", "th-vi-du"])
def test_no_heading_printed_apart_from_its_rows(unit_id, tmp_path):
    """Manual breaks fall only before a block (heading + metric + its figures), and LibreOffice
    adds none of its own: the page count is the breaks' plus the front sheet's."""
    path = make_template(_CATALOG, _REGISTRY, unit_id, YEAR, tmp_path / f"{unit_id}.xlsx")
    layout = build_layout(_CATALOG, _REGISTRY.get(unit_id), YEAR)
    starts = {first for first, _last in blocks(layout)}
    breaks = [b.id for b in openpyxl.load_workbook(path)[INPUT_SHEET].row_breaks.brk]  # 1-based row above
    assert all(b in starts for b in breaks), (breaks, sorted(starts))
    subprocess.run([soffice_path(), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120)
    info = subprocess.run(["pdfinfo", str(tmp_path / f"{unit_id}.pdf")], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    front_pages = 1
    assert pages == front_pages + len(breaks) + 1
