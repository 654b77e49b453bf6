"""Reading a template back with openpyxl: shared by the template tests."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from openpyxl.utils import range_boundaries

from ctre_xl.cellref import a1
from ctre_xl.template.layout import META_SHEET

CREATED = datetime(2026, 10, 1, 8, 30, 5, tzinfo=timezone(timedelta(hours=7)))
YEAR = 2026
METRIC_CODE = re.compile(r"^CT\d{2}[a-z]?$")


def metric_codes(sheet) -> list[str]:
    return [c.value for c in sheet["A"] if isinstance(c.value, str) and METRIC_CODE.match(c.value)]


def validations(sheet) -> dict[str, object]:
    """cell coordinate -> the data validation covering it."""
    found: dict[str, object] = {}
    for dv in sheet.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            min_col, min_row, max_col, max_row = range_boundaries(rng.coord)
            for row in range(min_row, max_row + 1):
                for col in range(min_col, max_col + 1):
                    found[a1(row - 1, col - 1)] = dv
    return found


def name_target(workbook, name: str) -> tuple[str, str]:
    (sheet_title, coord), = list(workbook.defined_names[name].destinations)
    return sheet_title, coord.replace("$", "")


def metric_rows(sheet) -> dict[str, int]:
    return {c.value: c.row for c in sheet["A"] if isinstance(c.value, str) and METRIC_CODE.match(c.value)}


def conditional_rules(sheet) -> dict[str, list[str]]:
    """cell -> its conditional-format formulas, moved from the rule's anchor to that cell."""
    rules: dict[str, list[str]] = {}
    for cf in sheet.conditional_formatting:
        ranges = sorted(cf.sqref.ranges, key=lambda r: (r.min_row, r.min_col))
        anchor = ranges[0].min_row
        for rng in ranges:
            for row, col in rng.cells:
                for rule in cf.rules:
                    for formula in rule.formula or []:
                        moved = re.sub(r"\b([A-Z])(\d+)\b",
                                       lambda m: f"{m.group(1)}{int(m.group(2)) - anchor + row}", formula)
                        rules.setdefault(a1(row - 1, col - 1), []).append(moved)
    return rules


def custom_props(workbook) -> dict:
    # An empty text property (a department's unit_level) reads back as None with openpyxl.
    return {p.name: p.value or "" for p in workbook.custom_doc_props.props}


def hidden_meta(workbook) -> dict:
    # An empty value reads back as "" or None depending on who saved the file last.
    return {row[0].value: row[1].value or "" for row in workbook[META_SHEET].iter_rows()}
