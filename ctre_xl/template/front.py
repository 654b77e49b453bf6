"""The front sheet of a unit's template: who reports what to whom by when, the live count of cells
still to check, the preparer's fields (the name required) and how to fill the template in."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ctre_xl.cellref import a1
from ctre_xl.plan.catalog import Catalog
from ctre_xl.template.checks import pending_formula
from ctre_xl.template.layout import FRONT_CHECK_ROW, FRONT_FIRST_FIELD_ROW, PREPARER_FIELDS, TemplateLayout
from ctre_xl.template.sheets import capitalised, estimated_height, page_setup, protect
from ctre_xl.template.styles import Styles, date_validation, text_validation

FRONT_WIDTHS = (26, 74)


def write_front_sheet(sheet: Worksheet, st: Styles, catalog: Catalog, layout: TemplateLayout,
                      sample: bool, instructions: list[str] | None = None) -> None:
    """The front sheet; ``instructions`` replace the figures' "Cách điền" (the narrative template)."""
    unit, year = layout.unit, layout.year
    for col, width in enumerate(FRONT_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.hide_gridlines(2)
    total_width = sum(FRONT_WIDTHS)
    sheet.merge_range(0, 0, 0, 1, f"BIỂU MẪU BÁO CÁO NĂM {year}", st.title)
    sheet.set_row(0, 24)
    sheet.merge_range(1, 0, 1, 1, catalog.title, st.subtitle)
    sheet.set_row(1, estimated_height(catalog.title, total_width))
    if sample:
        sheet.merge_range(2, 0, 2, 1, "BẢN MINH HOẠ — số liệu không có thật, chỉ để chạy thử", st.sample)
    facts = [
        ("Địa bàn", f"{catalog.commune}, {catalog.province}", st.front_value),
        ("Đơn vị báo cáo", unit.name, st.front_strong),
        ("Năm báo cáo", str(year), st.front_strong),
        ("Hạn nộp", capitalised(catalog.deadline_text(year)), st.front_deadline),
        ("Nơi nhận", catalog.send_to, st.front_value),
        ("Cách gửi", "Gửi lại chính tệp này (định dạng .xlsx) qua thư điện tử hoặc Zalo.", st.front_value),
    ]
    for offset, (label, value, fmt) in enumerate(facts):
        sheet.write_string(3 + offset, 0, label, st.front_label)
        sheet.write_string(3 + offset, 1, value, fmt)
        sheet.set_row(3 + offset, estimated_height(value, FRONT_WIDTHS[1], 1.1))
    heading_row = FRONT_FIRST_FIELD_ROW - 1
    assert 3 + len(facts) <= FRONT_CHECK_ROW < heading_row, "layout.FRONT_*_ROW leave no room for the facts"
    _pending_line(sheet, st, catalog, layout)
    sheet.merge_range(heading_row, 0, heading_row, 1, "Thông tin người lập biểu (bắt buộc điền)", st.front_heading)
    sheet.set_row(heading_row, 20)
    fields = {
        "preparer_name": (st.input_text, text_validation(
            "Người lập biểu (bắt buộc)", "Bắt buộc: họ và tên, chức vụ của người lập biểu, để xã hỏi lại "
            "khi cần.", 200, minimum=2)),
        "preparer_phone": (st.input_text, text_validation(
            "Điện thoại", "Số điện thoại liên hệ, ví dụ 0912 345 678.", 30)),
        "report_date": (st.input_date, date_validation(year)),
    }
    for name, label in PREPARER_FIELDS.items():
        _sheet_name, row, col = layout.cells[name]
        fmt, validation = fields[name]
        required = " (bắt buộc)" if name == "preparer_name" else ""
        sheet.write_string(row, col - 1, label + required, st.field_label)
        sheet.write_blank(row, col, None, fmt)
        sheet.data_validation(row, col, row, col, validation)
        sheet.set_row(row, 20)
    guide_row = FRONT_FIRST_FIELD_ROW + len(PREPARER_FIELDS) + 1
    sheet.merge_range(guide_row, 0, guide_row, 1, "Cách điền biểu mẫu", st.front_heading)
    sheet.set_row(guide_row, 20)
    for offset, line in enumerate(instructions or _instructions(catalog, year), start=1):
        sheet.merge_range(guide_row + offset, 0, guide_row + offset, 1, line, st.front_line)
        sheet.set_row(guide_row + offset, estimated_height(line, total_width))
    page_setup(sheet, unit.name)
    protect(sheet)


def _pending_line(sheet: Worksheet, st: Styles, catalog: Catalog, layout: TemplateLayout) -> None:
    """The live count of the check column's messages ("Còn 3 ô cần kiểm tra"), red until none."""
    found = pending_formula(catalog, layout)
    if found is None:
        return
    formula, blank_text = found
    row = FRONT_CHECK_ROW
    sheet.write_string(row, 0, "Kiểm tra trước khi gửi", st.front_label)
    sheet.write_formula(row, 1, formula, st.front_pending, blank_text)
    sheet.conditional_format(row, 1, row, 1, {
        "type": "formula", "criteria": f'=LEFT({a1(row, 1)},3)="Còn"', "format": st.not_met})
    sheet.set_row(row, 20)


def _instructions(catalog: Catalog, year: int) -> list[str]:
    return [
        "1. Điền họ tên, điện thoại người lập biểu và ngày lập báo cáo ở trên, rồi mở trang “Số liệu”.",
        "2. Chỉ nhập vào các ô nền vàng (các ô khác đã khoá): số đếm được (số người, số trẻ em, số vụ…) "
        "hoặc chọn Có/Không; không nhập tỷ lệ %, tỷ lệ do biểu mẫu và xã tự tính.",
        "3. Mỗi số liệu tính theo kỳ ghi trong ngoặc ở cuối dòng (năm học, hoặc từ ngày … đến ngày …). "
        "Nếu không phát sinh, nhập 0; nếu chưa có số liệu, để trống và ghi lý do ở cột “Giải trình”.",
        "4. Cột “Kiểm tra” báo ngay ô nhập thiếu hoặc sai (số âm, số lẻ, tử số lớn hơn mẫu số…); "
        "dòng “Kiểm tra trước khi gửi” ở trên đếm các ô đó: sửa đến khi hết rồi mới gửi. "
        "Cột “Kết quả tính được” tự tính: nền xanh là đạt mục tiêu năm, nền đỏ là chưa đạt "
        "(ghi nguyên nhân ở cột “Giải trình”).",
        "5. Không thêm, xoá dòng hay đổi tên trang; lưu tệp (.xlsx) và gửi về "
        f"{catalog.send_to} {catalog.deadline_text(year)}. Thời điểm nộp được tính theo lần "
        "lưu tệp cuối cùng.",
    ]
