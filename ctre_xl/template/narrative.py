"""The optional narrative template of the Ủy ban MTTQ and the đoàn thể: four texts, no figure.

The plan asks the MTTQ to monitor and evaluate the plan every year (section VI.6) and every
"phòng, ban, ngành, đoàn thể" to report yearly (section VII). They have no indicator, so their
template asks for words only: results, difficulties, proposals and the monitoring opinion. What
they write goes into the summary's narrative, never into a rate. ``layout.build_layout`` places
the cells; this module draws the sheet they sit on.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ctre_xl.plan.catalog import Catalog
from ctre_xl.template.layout import COL_CODE, COL_NOTE, COL_UNIT, COL_VALUE, INPUT_HEADER_ROW, NARRATIVE_SHEET, \
    TemplateLayout
from ctre_xl.template.sheets import estimated_height, page_setup, protect, write_sheet_heading
from ctre_xl.template.styles import MAX_TEXT, Styles, text_validation
from ctre_xl.text import format_number

# Column widths A..I: the label spans A:C, the text D:I (the same columns as the figures' template,
# so the reader finds labels and texts where it always does).
NARRATIVE_WIDTHS = (8, 12, 8, 16, 16, 16, 16, 16, 16)
NARRATIVE_ROW_HEIGHT = 190  # points: about twelve lines of wrapped text


def narrative_instructions(catalog: Catalog, year: int) -> list[str]:
    """The front sheet's "Cách điền biểu mẫu" for a narrative template."""
    return [
        f"1. Điền họ tên, điện thoại người lập biểu và ngày lập báo cáo ở trên, rồi mở trang “{NARRATIVE_SHEET}”.",
        "2. Biểu mẫu này không có số liệu: ghi ngắn gọn kết quả thực hiện, khó khăn, vướng mắc, "
        "đề xuất, kiến nghị và ý kiến giám sát, đánh giá việc thực hiện Kế hoạch (mục VI.6 và VII của Kế hoạch).",
        f"3. Mỗi ô nền vàng tối đa {format_number(MAX_TEXT)} ký tự; ô nào không có ý kiến thì để trống.",
        "4. Biểu mẫu không bắt buộc và không dùng để tính chỉ tiêu nào: ý kiến được đưa nguyên văn "
        "vào báo cáo tổng hợp của xã, ghi rõ tên đơn vị.",
        "5. Không thêm, xoá dòng hay đổi tên trang; lưu tệp (.xlsx) và gửi về "
        f"{catalog.send_to} {catalog.deadline_text(year)}.",
    ]


def write_narrative_sheet(sheet: Worksheet, st: Styles, catalog: Catalog, layout: TemplateLayout,
                          sample: bool) -> None:
    """The sheet of the four texts, drawn from ``layout`` (rows ``free_text_title`` / ``free_text``)."""
    unit, year = layout.unit, layout.year
    last_col = COL_NOTE
    for col, width in enumerate(NARRATIVE_WIDTHS):
        sheet.set_column(col, col, width)
    write_sheet_heading(sheet, st, catalog, layout, f"Ý KIẾN VỀ VIỆC THỰC HIỆN KẾ HOẠCH VÌ TRẺ EM NĂM {year}",
                        "gửi", sample)
    sheet.merge_range(INPUT_HEADER_ROW, COL_CODE, INPUT_HEADER_ROW, COL_UNIT, "Nội dung", st.header)
    sheet.merge_range(INPUT_HEADER_ROW, COL_VALUE, INPUT_HEADER_ROW, last_col, "Ý kiến của đơn vị", st.header)
    sheet.set_row(INPUT_HEADER_ROW, 20)
    total = sum(NARRATIVE_WIDTHS)
    for row in layout.rows:
        if row.kind == "free_text_title":
            sheet.merge_range(row.index, 0, row.index, last_col, row.text, st.objective)
            sheet.set_row(row.index, estimated_height(row.text, total, 1.1))
        elif row.kind == "free_text":
            sheet.merge_range(row.index, COL_CODE, row.index, COL_UNIT, row.text, st.free_text_label)
            sheet.merge_range(row.index, COL_VALUE, row.index, last_col, "", st.input_text)
            sheet.data_validation(row.index, COL_VALUE, row.index, COL_VALUE, text_validation(
                row.text, f"{row.text}: viết ngắn gọn, tối đa {format_number(MAX_TEXT)} ký tự."))
            sheet.set_row(row.index, NARRATIVE_ROW_HEIGHT)
        else:  # pragma: no cover - build_layout gives a narrative unit no other row
            raise ValueError(f"unexpected row kind {row.kind!r} in a narrative template")
    sheet.freeze_panes(INPUT_HEADER_ROW + 1, 0)
    page_setup(sheet, unit.name, INPUT_HEADER_ROW)
    protect(sheet)
