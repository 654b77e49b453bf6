"""The feedback workbook's front sheet ("Thông tin chung"): one status line at the top, and at the foot
the list of what to fix and what changed since the unit's previous return.

The status line takes the row the template keeps for the sample mark (row 3); the list goes below
everything the template wrote, so neither moves a named cell.
"""

from __future__ import annotations

from datetime import datetime

from ctre_xl.cellref import a1
from ctre_xl.output.corrections import correction_lines
from ctre_xl.output.feedback_items import UnitFeedback
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.vocab import Severity
from ctre_xl.style import ALERT_FONT, AMBER, RED
from ctre_xl.template.front import FRONT_WIDTHS
from ctre_xl.template.sheets import estimated_height
from ctre_xl.template.writer import RenderedTemplate
from ctre_xl.text import format_date


STATUS_ROW = 2  # the template writes the sample mark here, or nothing
BLANK_STATUS = ("Biểu mẫu đơn vị gửi về chưa có số liệu nào nên chưa được tính là đã nộp: điền số liệu vào "
                "trang “Số liệu”, lưu rồi gửi lại chính tệp này.")
SAMPLE_MARK = "BẢN MINH HOẠ — "


def status_line(case: UnitFeedback) -> str:
    """"Biểu mẫu còn 3 lỗi, 1 cảnh báo: …" (or the blank return's line)."""
    if case.blank:
        return BLANK_STATUS
    counts = [f"{n} {word}" for n, word in ((case.count(Severity.ERROR), "lỗi"),
                                            (case.count(Severity.WARNING), "cảnh báo")) if n]
    marked = any(item.places for item in case.items)
    how = ("sửa các ô tô màu (đỏ: lỗi, vàng: cảnh báo; di chuột vào ô để đọc ghi chú), " if marked else
           "xem danh sách ở cuối trang này, sửa, ")
    return f"Biểu mẫu còn {', '.join(counts)}: {how}lưu rồi gửi lại chính tệp này."


def place_text(place: tuple[str, int, int]) -> str:
    """"Trang “Số liệu”, ô D12"."""
    return f"Trang “{place[0]}”, ô {a1(place[1], place[2])}"


def write_feedback_front(rendered: RenderedTemplate, case: UnitFeedback, catalog: Catalog, sample: bool,
                         merged_on: datetime) -> None:
    """The status line and, at the foot of the front sheet, the list of what to fix and what changed."""
    sheet, styles, workbook = rendered.front, rendered.styles, rendered.workbook
    width = sum(FRONT_WIDTHS)
    status = (SAMPLE_MARK if sample else "") + status_line(case)
    strong = workbook.add_format({"bold": True, "font_color": ALERT_FONT, "text_wrap": True, "valign": "top",
                                  "align": "center", "bg_color": (RED if case.count(Severity.ERROR) or case.blank
                                                                  else AMBER)[0]})
    if sample:  # the template merged this row for its sample mark: write into it
        sheet.write_string(STATUS_ROW, 0, status, strong)
    else:
        sheet.merge_range(STATUS_ROW, 0, STATUS_ROW, 1, status, strong)
    sheet.set_row(STATUS_ROW, estimated_height(status, width, 1.1))
    row = sheet.dim_rowmax + 2
    sheet.merge_range(row, 0, row, 1, f"Phản hồi sau khi tổng hợp ngày {format_date(merged_on.date())}: "
                                      "những điểm cần sửa", styles.front_heading)
    sheet.set_row(row, 20)
    intro = _intro(case)
    row += 1
    sheet.merge_range(row, 0, row, 1, intro, styles.front_line)
    sheet.set_row(row, estimated_height(intro, width))
    cell_style = {severity: workbook.add_format({"bold": True, "valign": "top", "text_wrap": True,
                                                 "bg_color": colours[0], "font_color": colours[1]})
                  for severity, colours in ((Severity.ERROR, RED), (Severity.WARNING, AMBER))}
    for item in case.items:
        row += 1
        where = "; ".join(place_text(place) for place in item.places) or "Cả tệp"
        sheet.write_string(row, 0, where, cell_style[item.finding.severity])
        sheet.write_string(row, 1, item.text, styles.front_line)
        sheet.set_row(row, max(estimated_height(item.text, FRONT_WIDTHS[1]),
                               estimated_height(where, FRONT_WIDTHS[0], 1.1)))
    if case.changes is not None:  # the unit sent again
        row += 2
        sheet.merge_range(row, 0, row, 1, "Thay đổi so với lần gửi trước", styles.front_heading)
        sheet.set_row(row, 20)
        for line in correction_lines(catalog, case.changes):
            row += 1
            sheet.merge_range(row, 0, row, 1, line, styles.front_line)
            sheet.set_row(row, estimated_height(line, width))


def _intro(case: UnitFeedback) -> str:
    if case.submission is None:
        return ("Đơn vị đã gửi biểu mẫu trống. Tệp này là biểu mẫu của đơn vị: điền số liệu vào trang "
                "“Số liệu” và thông tin người lập biểu ở trên, lưu rồi gửi lại.")
    return (f"Tệp này chứa số liệu đơn vị đã gửi (tệp “{case.submission.path}”). Sửa những điểm dưới đây "
            "ngay trong tệp này (không cần chép sang biểu mẫu khác), lưu dạng .xlsx rồi gửi lại chính tệp này: "
            "bản gửi lại sẽ thay bản cũ.")
