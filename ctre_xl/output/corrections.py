"""What a unit changed when it sent again, in words: "Số trẻ em dưới 5 tuổi: 1.223 → 1.228 (đã hết lỗi)".

The merge computes the changes (``MergeResult.corrections``, ``merge/duplicates.figure_changes``);
the progress sheet ("Tiến độ nộp") and each unit's feedback workbook show them with these lines.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ctre_xl.merge.model import Change, MergeResult
from ctre_xl.output.summary.styles import Styles, text_height
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.vocab import ElementKind
from ctre_xl.text import format_number

CORRECTIONS_TITLE = "Các đơn vị đã gửi lại bản sửa: số liệu thay đổi so với lần gửi trước"
FIXED = "đã hết lỗi"
NEW_PROBLEM = "số liệu mới có lỗi, cần sửa"
SAME = "Gửi lại, số liệu không đổi."


def shown_value(catalog: Catalog, code: str, value: float | None, typed: str) -> str:
    """A figure as the unit reads it: 1.228, Có/Không, “abc” (typed, not a value), or "trống"."""
    if value is None:
        return f"“{typed}”" if typed else "trống"
    element = catalog.elements.get(code)
    if element is not None and element.kind == ElementKind.YES_NO and value in (0, 1):
        return "Có" if value else "Không"
    return format_number(value)


def change_text(catalog: Catalog, change: Change) -> str:
    """"Số trẻ em dưới 5 tuổi: 1.223 → 1.228", with what it did to the figure's problems."""
    element = catalog.elements.get(change.element)
    label = element.label if element is not None else change.element
    text = (f"{label}: {shown_value(catalog, change.element, change.before, change.before_typed)} → "
            f"{shown_value(catalog, change.element, change.after, change.after_typed)}")
    notes = [FIXED] if change.fixed else []
    notes += [NEW_PROBLEM] if change.new_problem else []
    return text + (f" ({'; '.join(notes)})" if notes else "")


def correction_lines(catalog: Catalog, changes: list[Change]) -> list[str]:
    """One line per changed figure; one line saying nothing changed when the unit sent the same figures."""
    return [change_text(catalog, change) for change in changes] or [SAME]


def write_corrections_block(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog, row: int,
                            widths: list[int]) -> int:
    """Under the progress table (0-based ``row``): each unit that sent again, figure by figure.

    Returns the row after the block (``row`` itself when no unit sent again).
    """
    if not result.corrections:
        return row
    names = {unit.id: unit.name for unit in result.units}
    last_col = len(widths) - 1
    row += 1
    sheet.merge_range(row, 0, row, last_col, CORRECTIONS_TITLE, styles.section())
    row += 1
    text = styles.text()
    for unit_id, changes in result.corrections.items():
        lines = correction_lines(catalog, changes)
        sheet.merge_range(row, 0, row, 2, names.get(unit_id, unit_id), styles.text(bold=True, valign="top"))
        body = "\n".join(lines)
        sheet.merge_range(row, 3, row, last_col, body, text)
        sheet.set_row(row, text_height([(body, sum(widths[3:]))]))
        row += 1
    return row
