"""The units' own words at the foot of "Theo đơn vị": results, difficulties, proposals, and the
opinions of the Ủy ban MTTQ and the đoàn thể (their optional narrative template); and those
optional units' lines under the "Tiến độ nộp" table.

Text only: nothing here enters a figure or a verdict. The MTTQ's and the đoàn thể's words get a
block of their own, credited to the organisation, after the units that report figures.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ctre_xl.book import StreamedSheet
from ctre_xl.merge.model import MergeResult
from ctre_xl.output.summary.styles import Styles, kept_lines, text_height
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import Severity
from ctre_xl.style import COUNT, DATE
from ctre_xl.template.layout import NARRATIVE_FIELDS, TEXT_FIELDS

UNITS_TITLE = "Ý kiến của các đơn vị: kết quả, khó khăn, đề xuất"
ORGANISATIONS_TITLE = "Ý kiến của Ủy ban MTTQ và các đoàn thể (không bắt buộc, không tính vào chỉ tiêu)"
NO_OPINION = "Chưa đơn vị nào ghi ý kiến."

Entry = tuple[str, str, str]  # unit id, label, text


def write_opinions(sheet: StreamedSheet, styles: Styles, result: MergeResult, registry: Registry,
                   names: dict[str, str], orphan_notes: dict[str, dict[str, str]], row: int,
                   widths: tuple[int, ...], name_lines: dict[str, int]) -> int:
    """Both blocks from ``row`` (0-based) on; returns the row after them.

    ``orphan_notes`` (metric code -> unit -> note) are explanations of metrics the sheet does not
    list above; they are shown with the unit's other words. ``name_lines``: unit -> lines its name
    takes in column B, measured once per unit (``styles.kept_lines``), shared with the blocks above.
    """
    order = [status.id for status in result.units]
    listed = set(order)
    order += [unit_id for unit_id in result.submissions if unit_id not in listed]
    units: list[Entry] = []
    organisations: list[Entry] = []
    for unit_id in order:
        submission = result.submissions.get(unit_id)
        if submission is None:
            continue
        unit = registry.get(unit_id)
        narrative = unit is not None and unit.narrative
        labels = NARRATIVE_FIELDS if narrative else TEXT_FIELDS
        found = organisations if narrative else units
        for key, text in sorted(submission.free_text.items(),
                                key=lambda item: list(labels).index(item[0]) if item[0] in labels else len(labels)):
            if text and text.strip():
                found.append((unit_id, labels.get(key, key), text))
        for code, by_unit in orphan_notes.items():
            if unit_id in by_unit:
                found.append((unit_id, f"Giải trình {code}", by_unit[unit_id]))
    row = _block(sheet, styles, UNITS_TITLE, units, names, row, widths, name_lines)
    if organisations:  # optional: no block at all when none of them wrote
        row = _block(sheet, styles, ORGANISATIONS_TITLE, organisations, names, row + 1, widths, name_lines)
    return row


def _block(sheet: StreamedSheet, styles: Styles, title: str, entries: list[Entry], names: dict[str, str],
           row: int, widths: tuple[int, ...], name_lines: dict[str, int]) -> int:
    last_col = len(widths) - 1
    sheet.merge_range(row, 0, row, last_col, title, styles.section())
    row += 1
    if not entries:
        sheet.merge_range(row, 0, row, last_col, NO_OPINION, styles.text(italic=True))
        return row + 1
    sheet.write_string(row, 0, "", styles.header())
    sheet.write_string(row, 1, "Đơn vị", styles.header())
    sheet.merge_range(row, 2, row, 3, "Nội dung", styles.header())
    sheet.merge_range(row, 4, row, last_col, "Ý kiến của đơn vị", styles.header())
    row += 1
    text_width = sum(widths[4:])
    plain, bold = styles.text(), styles.text(bold=True)
    rest = [(None, plain)] * (last_col - 4)  # the merged cells after the text's first
    merges = ((2, 3), (4, last_col))
    for unit_id, label, text in entries:
        name = names.get(unit_id, unit_id)
        # Label in C:D, the unit's words in E to the last column: literal text, even "=HYPERLINK(...)".
        lines = kept_lines(name_lines, unit_id, name, widths[1])
        sheet.write_cells(row, [("", plain), (name, bold), (label, plain), (None, plain), (text, plain), *rest],
                          text_height([(text, text_width), (label, 24)], lines), merges)
        row += 1
    return row


# ----------------------------------------------------------------------------- Tiến độ nộp

OPTIONAL = "Không bắt buộc"
OPTIONAL_TITLE = "Không bắt buộc: Ủy ban MTTQ và các đoàn thể (biểu mẫu ý kiến, không tính vào chỉ tiêu)"


def write_optional_progress(sheet: Worksheet, styles: Styles, result: MergeResult, registry: Registry, row: int,
                            widths: list[int]) -> int:
    """The MTTQ and the đoàn thể under the progress table (0-based ``row``): sent or not, never "Chưa nộp".

    Their rows sit below the table's status colouring on purpose: not sending is no shortfall.
    Returns the row after them.
    """
    if not registry.optional:
        return row
    row += 1
    sheet.merge_range(row, 0, row, len(widths) - 1, OPTIONAL_TITLE, styles.section())
    row += 1
    text, centre = styles.text(), styles.centre()
    for unit in registry.optional:
        sub = result.submissions.get(unit.id)
        sheet.write_blank(row, 0, None, centre)
        sheet.write_string(row, 1, unit.name, text)
        sheet.write_string(row, 2, "Đoàn thể" if unit.kind == "organisation" else "MTTQ", centre)
        sheet.write_string(row, 3, "Có" if sub is not None else "Không", centre)
        sheet.write_string(row, 4, OPTIONAL, styles.centre(bold=True))
        sheet.write_string(row, 5, sub.path if sub else "", text)
        if sub is not None and sub.report_date is not None:
            sheet.write_datetime(row, 6, sub.report_date, styles.number(DATE, align="center"))
        else:
            sheet.write_blank(row, 6, None, centre)
        preparer = sub.preparer.get("preparer_name", "") if sub else ""
        sheet.write_string(row, 7, preparer, text)  # typed by the unit: literal text
        sheet.write_string(row, 8, sub.preparer.get("preparer_phone", "") if sub else "", text)
        for col, severity in ((9, Severity.ERROR), (10, Severity.WARNING)):
            count = sum(1 for f in sub.findings if f.severity == severity) if sub else 0
            sheet.write_number(row, col, count, styles.number(COUNT, align="center"))
        sheet.set_row(row, text_height([(unit.name, widths[1]), (sub.path if sub else "", widths[5]),
                                        (preparer, widths[7])]))
        row += 1
    return row
