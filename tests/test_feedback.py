"""The feedback round of issue 12: merge -> the unit's feedback workbook (comments and fills on the
faulty cells) -> corrected and saved by LibreOffice (.xlsx, and once .ods) -> back in the inbox ->
merge: the unit is clean, its old return superseded, the change list right."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from conftest import requires_soffice, soffice_path
from ctre_xl.merge.validate import rule_holds
from ctre_xl.output.feedback import FEEDBACK_DIR, FEEDBACK_KEY
from ctre_xl.plan.load import load_catalog
from ctre_xl.plan.units import load_registry
from ctre_xl.plan.vocab import ElementKind, Operator
from merge_helpers import deliver, file_entry, make_workspace, merge_json
from template_helpers import custom_props

YEAR = 2026
REPORT_DAY = date(2026, 11, 5)  # on time; the corrections are saved today, after the deadline


def _valid_values(catalog, unit) -> dict[str, object]:
    """A return of ``unit`` that breaks no rule: every count 10, then each failing rule's smaller
    side raised until all hold."""
    values: dict[str, object] = {}
    for code in unit.elements:
        kind = catalog.elements[code].kind
        values[code] = True if kind == ElementKind.YES_NO else 10
    rules = catalog.rules_within(unit.elements)
    for _ in range(30):
        broken = False
        for rule in rules:
            left, right = (sum(values[c] for c in side) for side in (rule.left, rule.right))
            if rule_holds(rule, left, right):
                continue
            broken = True
            if rule.op in (Operator.LE, Operator.LT, Operator.EQ):
                values[rule.right[0]] += left - right + (rule.op == Operator.LT)
            else:
                values[rule.left[0]] += right - left + (rule.op == Operator.GT)
        if not broken:
            return values
    raise AssertionError("no valid return found")


def _named_cell(workbook, name: str):
    sheet, coordinate = next(iter(workbook.defined_names[name].destinations))
    return workbook[sheet][coordinate.replace("$", "")]


def _soffice(source: Path, target_format: str, out: Path, profile: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice_path(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    target_format, "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=180)
    return out / f"{source.stem}.{target_format}"


@pytest.fixture(scope="module")
def round_one(tmp_path_factory):
    """A school's return with one unreadable figure ("abc") and one numerator above its denominator."""
    root = tmp_path_factory.mktemp("feedback") / "ws"
    workspace = make_workspace(root, (YEAR,))
    catalog = load_catalog()
    registry = load_registry(root, catalog)
    unit = next(u for u in registry.schools if any(r.metric and len(r.left) == len(r.right) == 1
                                                   and r.op == Operator.LE for r in catalog.rules_within(u.elements)))
    values = _valid_values(catalog, unit)
    rule = next(r for r in catalog.rules_within(unit.elements)
                if r.metric and len(r.left) == len(r.right) == 1 and r.op == Operator.LE)
    numerator, denominator = rule.left[0], rule.right[0]
    good = {numerator: values[numerator], denominator: values[denominator]}
    values[numerator] = values[denominator] + 5
    unreadable = next(c for c in unit.elements if catalog.elements[c].kind == ElementKind.COUNT
                      and c not in (numerator, denominator))
    good[unreadable] = values[unreadable]
    values[unreadable] = "abc"
    deliver(workspace, unit.id, YEAR, "zalo/bao cao.xlsx", values, report_date=REPORT_DAY)
    code, data, _ = merge_json(workspace, YEAR)
    assert code == 0
    kept = shutil.copy(workspace.outbox_dir(YEAR) / FEEDBACK_DIR / f"{unit.id}.xlsx", root.parent / "phan-hoi.xlsx")
    return {"workspace": workspace, "unit": unit, "data": data, "good": good, "values": values, "kept": Path(kept),
            "cells": {"numerator": numerator, "denominator": denominator, "unreadable": unreadable}}


def _status(data, unit_id):
    return next(u for u in data["units"] if u["id"] == unit_id)


def test_the_feedback_workbook_marks_the_faulty_cells(round_one) -> None:
    unit, data, cells = round_one["unit"], round_one["data"], round_one["cells"]
    folder = round_one["workspace"].outbox_dir(YEAR) / FEEDBACK_DIR
    assert sorted(p.name for p in folder.iterdir()) == [f"{unit.id}.xlsx"]  # no other unit sent anything
    assert data["feedback"] == {unit.id: str(folder / f"{unit.id}.xlsx")}
    workbook = openpyxl.load_workbook(folder / f"{unit.id}.xlsx")
    assert custom_props(workbook)[f"ctre_{FEEDBACK_KEY}"] == "1"
    typed = _named_cell(workbook, cells["unreadable"])
    assert typed.value == "abc"  # kept as the unit typed it
    assert "không phải là số" in typed.comment.text and "Lỗi" in typed.comment.text
    for name in ("numerator", "denominator"):
        cell = _named_cell(workbook, cells[name])
        assert cell.value == round_one["values"][cells[name]]
        assert cell.comment is not None and "Cách sửa" in cell.comment.text
        assert cell.fill.fgColor.rgb.endswith("FFC7CE")  # the house's error red
    catalog = load_catalog()
    clean = next(c for c in unit.elements if c not in cells.values() and catalog.elements[c].kind == ElementKind.COUNT
                 and not any(i["code"] == c for i in data["issues"]))
    assert _named_cell(workbook, clean).comment is None
    assert _named_cell(workbook, clean).value == round_one["values"][clean]
    assert _named_cell(workbook, "preparer_name").value == "Trần Thị Lan"
    errors = _status(data, unit.id)["errors"]
    front = workbook["Thông tin chung"]
    assert front["A3"].value.startswith(f"Biểu mẫu còn {errors} lỗi")
    listed = [row[1].value for row in front.iter_rows() if row[1].value and str(row[1].value).startswith("Lỗi:")]
    assert len(listed) == errors


@requires_soffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_corrected_feedback_workbook_supersedes_the_old_return(round_one, fmt, tmp_path) -> None:
    workspace, unit, cells, good = round_one["workspace"], round_one["unit"], round_one["cells"], round_one["good"]
    workbook = openpyxl.load_workbook(round_one["kept"])  # as the commune sent it to the unit
    for key in ("unreadable", "numerator"):
        _named_cell(workbook, cells[key]).value = good[cells[key]]
    edited = tmp_path / "edited" / f"{unit.id}.xlsx"
    edited.parent.mkdir()
    workbook.save(edited)
    saved = _soffice(edited, fmt, tmp_path / "lo", tmp_path / "profile")  # as LibreOffice saves it
    sent = workspace.inbox / f"gui lai {fmt}.{fmt}"
    shutil.copy(saved, sent)
    try:
        code, data, _ = merge_json(workspace, YEAR)
    finally:
        sent.unlink()
    assert code == 0
    status = _status(data, unit.id)
    assert (status["errors"], status["warnings"], status["file"], status["on_time"]) == (0, 0, sent.name, True)
    assert file_entry(data, "zalo/bao cao.xlsx")["status"] == "superseded"
    changes = data["corrections"][unit.id]
    assert {c["element"]: (c["before"], c["before_typed"], c["after"], c["fixed"]) for c in changes} == {
        cells["unreadable"]: (None, "abc", good[cells["unreadable"]], True),
        cells["numerator"]: (round_one["values"][cells["numerator"]], None, good[cells["numerator"]], True),
    }
    assert data["feedback"] == {}
    assert not list((workspace.outbox_dir(YEAR) / FEEDBACK_DIR).glob("*.xlsx"))  # the stale one removed
    progress = openpyxl.load_workbook(workspace.outbox_dir(YEAR) / f"tong-hop-{YEAR}.xlsx")["Tiến độ nộp"]
    texts = "\n".join(str(c.value) for row in progress.iter_rows() for c in row if c.value)
    assert "“abc” → " in texts and "đã hết lỗi" in texts
