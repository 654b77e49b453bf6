"""The merge's checks inside one file, as live formulas of the template's check column.

Nothing is restated here: the figures' kinds and ``required`` come from the catalogue's elements,
and the rules between figures from ``Catalog.rules_within`` (the rules the merge checks inside one
file, ``merge/validate.check_submission``). This module only renders them as Excel formulas, so
the unit sees before sending what the merge would report: a short Vietnamese message in the
check cell beside the figure ("" when fine), and a count on the front sheet.
"""

from __future__ import annotations

import math
from typing import Mapping

from ctre_xl.cellref import a1
from ctre_xl.plan.catalog import Catalog, Element, Rule
from ctre_xl.plan.vocab import ElementKind
from ctre_xl.template.layout import COL_CHECK, FIRST_BODY_ROW, INPUT_SHEET, TemplateLayout

MISSING = "Chưa nhập"
NEGATIVE = "Không được là số âm"
NOT_WHOLE = "Phải là số nguyên"
# Text in the cell of a figure: the merge may still read "1.234" typed as text (with a warning),
# but the unit is asked to type the number itself.
NOT_A_NUMBER = "Phải nhập số, không nhập chữ"
# A live rate whose numerator is above its denominator (a subset cannot be larger than its whole).
SUBSET_BROKEN = "Tử số lớn hơn mẫu số — kiểm tra lại"
ALL_CLEAR = "Đã kiểm tra: không có lỗi"


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def rule_message(rule: Rule, rows: dict[str, int]) -> str:
    """The check cell's words for a broken rule: "Phải ≤ dòng 14" (1-based rows of its right side)."""
    return f"Phải {rule.op.sign} dòng " + " + ".join(str(rows[code] + 1) for code in rule.right)


def _rule_test(rule: Rule, refs: dict[str, str], rows: dict[str, int], otherwise: str) -> str:
    """``otherwise`` unless every figure of ``rule`` is a number and the rule fails."""
    names = (*rule.left, *rule.right)
    numbers = ",".join(f"ISNUMBER({refs[code]})" for code in names)
    left = "+".join(refs[code] for code in rule.left)
    right = "+".join(refs[code] for code in rule.right)
    # Rounded as the merge compares (validate.rule_holds): "1.234" typed may be 1233.9999999.
    holds = f"ROUND({left},9){rule.op}ROUND({right},9)"
    return f"IF(AND({numbers},NOT({holds})),{_text(rule_message(rule, rows))},{otherwise})"


def check_formula(catalog: Catalog, layout: TemplateLayout, code: str) -> tuple[str, str] | None:
    """(formula, value while the template is blank) of the check cell beside element ``code``;
    None when nothing about the figure can be wrong on its own (an optional yes/no answer)."""
    element: Element = catalog.elements[code]
    cells = layout.element_cells
    refs = {name: a1(row, col) for name, (_sheet, row, col) in cells.items()}
    rows = {name: row for name, (_sheet, row, _col) in cells.items()}
    ref = refs[code]
    empty = _text(MISSING) if element.required else '""'
    blank_value = MISSING if element.required else ""
    if element.kind == ElementKind.YES_NO:
        return (f'=IF({ref}="",{empty},"")', blank_value) if element.required else None
    tests = '""'
    for rule in reversed(rules_at(catalog, layout, code)):
        tests = _rule_test(rule, refs, rows, tests)
    if element.kind == ElementKind.COUNT:
        tests = f"IF({ref}<>INT({ref}),{_text(NOT_WHOLE)},{tests})"
    formula = (f'=IF({ref}="",{empty},IF(NOT(ISNUMBER({ref})),{_text(NOT_A_NUMBER)},'
               f'IF({ref}<0,{_text(NEGATIVE)},{tests})))')
    return formula, blank_value


def rules_at(catalog: Catalog, layout: TemplateLayout, code: str) -> list[Rule]:
    """The in-file rules reported at ``code``'s cell: those whose left side starts with it, as the
    merge files a broken rule at its first left figure."""
    return [rule for rule in catalog.rules_within(layout.unit.elements) if rule.left[0] == code]


def pending_formula(catalog: Catalog, layout: TemplateLayout) -> tuple[str, str] | None:
    """The front sheet's live "Còn N ô cần kiểm tra" formula and its text while the template is
    blank (every required figure still to type); None for a template without figures."""
    codes = [(row.index, row.element) for row in layout.rows if row.kind == "element" and row.element]
    if not codes:
        return None
    first, last = a1(FIRST_BODY_ROW, COL_CHECK, absolute=True), a1(max(r for r, _ in codes), COL_CHECK, absolute=True)
    span = f"'{INPUT_SHEET}'!{first}:{last}"
    # SUMPRODUCT over LEN rather than COUNTIF(…,"?*"): the same in Excel, LibreOffice and WPS
    # whatever their wildcard settings, and a formula's "" is never counted.
    count = f"SUMPRODUCT(--(LEN({span})>0))"
    formula = f'=IF({count}=0,{_text(ALL_CLEAR)},"Còn "&{count}&" ô cần kiểm tra")'
    blank = sum(1 for _r, code in codes if (found := check_formula(catalog, layout, code)) and found[1])
    return formula, pending_text(blank)


def pending_text(count: int) -> str:
    """What the front-sheet line reads with ``count`` cells to check."""
    return ALL_CLEAR if count == 0 else f"Còn {count} ô cần kiểm tra"


def check_text(catalog: Catalog, layout: TemplateLayout, code: str, values: Mapping[str, object]) -> str:
    """What the check formula of ``code`` evaluates to for the typed ``values`` (element -> what the
    cell holds): the stored result of a template written already filled, such as a feedback copy,
    so that a viewer that does not recalculate on opening shows the truth."""
    element: Element = catalog.elements[code]
    value = values.get(code)
    if value is None or value == "":
        return MISSING if element.required else ""
    if element.kind == ElementKind.YES_NO:
        return ""
    if not _is_number(value):
        return NOT_A_NUMBER
    number = float(value)  # type: ignore[arg-type]
    if number < 0:
        return NEGATIVE
    if element.kind == ElementKind.COUNT and number != int(number):
        return NOT_WHOLE
    rows = {name: row for name, (_sheet, row, _col) in layout.element_cells.items()}
    for rule in rules_at(catalog, layout, code):
        figures = [values.get(name) for name in (*rule.left, *rule.right)]
        if not all(_is_number(figure) for figure in figures):
            continue
        left = sum(float(values[name]) for name in rule.left)  # type: ignore[arg-type]
        right = sum(float(values[name]) for name in rule.right)  # type: ignore[arg-type]
        if not rule.op.holds(round(left, 9), round(right, 9)):
            return rule_message(rule, rows)
    return ""


def _is_number(value: object) -> bool:
    """A figure the check formulas see as a number (NaN or infinity never reach a cell as one)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
