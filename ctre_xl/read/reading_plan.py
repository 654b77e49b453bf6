"""What to read in one workbook for one template layout, worked out once per workbook structure.

A merge reads thousands of files made from a handful of templates: where each defined name
points, which cells each sheet must give and which labels are expected are the same for every
file of one structure (``XlsxWorkbook.structure``), so they are worked out once and kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from ctre_xl.plan.catalog import nfc
from ctre_xl.read.identity import SheetPlan, resolve_sheets
from ctre_xl.read.xlsx.workbook import XlsxWorkbook
from ctre_xl.template import layout as L


@dataclass(frozen=True)
class ReadingPlan:
    """What to read for one layout in one workbook structure: where each name points, the
    cells wanted per sheet, the last row of the template, the expected labels."""

    targets: dict[str, tuple[str, int, int] | None]
    labels: dict[str, str]
    folded: dict[str, tuple[str, bool]]  # label -> (folded form, True if a label equal to it matches)
    wanted: dict[str, frozenset[tuple[int, int]]]  # the named cells, and the labels of their rows
    last_row: int
    sheets: SheetPlan  # the sheet read for each template sheet (never a hidden decoy)
    searched: frozenset[str]  # the sheets where a name is missing: their labels are read in every row


_PLANS: dict[tuple[int, int], tuple[object, object, ReadingPlan]] = {}


def reading_plan(workbook: XlsxWorkbook, plan: L.TemplateLayout) -> ReadingPlan:
    """The ``ReadingPlan`` of a layout in a workbook, remembered per (layout, workbook structure): a
    merge reads thousands of files of a handful of shapes. The entry holds both keys' objects,
    so their id()s cannot be reused while it exists."""
    structure = getattr(workbook, "structure", None)  # shared by workbooks with the same names
    key = (id(plan.cells), id(structure))
    found = _PLANS.get(key) if structure is not None else None
    if found is not None and found[0] is plan.cells and found[1] is structure:
        return found[2]
    sheets = resolve_sheets(workbook, plan.cells)
    targets = sheets.targets
    labels = {row.element: row.text for row in plan.rows if row.kind in ("element", "free_text") and row.element}
    last_row = max((r.index for r in plan.rows), default=L.FIRST_BODY_ROW)
    wanted: dict[str, set[tuple[int, int]]] = {}
    for name, expected in plan.cells.items():
        sheet, row, col = targets[name] or expected
        wanted.setdefault(sheet, set()).add((row, col))
        if targets[name] and L.is_body_sheet(sheet):
            last_row = max(last_row, row)
            wanted[sheet].update(((row, L.COL_CODE), (row, L.COL_LABEL)))  # the row's label (_label_cell)
    searched = frozenset(expected[0] for name, expected in plan.cells.items()
                         if targets[name] is None and L.is_body_sheet(expected[0]))
    folded = {text: (fold(text), fold(nfc(text)) == fold(text)) for text in labels.values()}
    made = ReadingPlan(targets, labels, folded, {sheet: frozenset(cells) for sheet, cells in wanted.items()}, last_row,
                 sheets, searched)
    if structure is not None:
        if len(_PLANS) >= 256:
            _PLANS.clear()
        _PLANS[key] = (plan.cells, structure, made)
    return made


def fold(text: str) -> str:
    """A label as compared: white space collapsed, case folded."""
    return " ".join(text.split()).casefold()
