"""The report's annex as a workbook: ``outbox/<year>/phu-luc-<year>.xlsx``, for the province to add up.

One tidy table, one row per metric (the 34 measures), each row carrying the commune's identity
(commune, province, catalogue and its version, year) beside the raw numerator and denominator, the
value, the target in force, the verdict (its Vietnamese label and its key) and the coverage (units
counted, units expected). Stacking many communes' sheets is then a plain concatenation, and a
province's rate is the sum of the numerators over the sum of the denominators. A second sheet names
the file's origin in words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ctre_xl.book import report_workbook
from ctre_xl.merge.model import MergeResult
from ctre_xl.plan.catalog import Catalog
from ctre_xl.style import FRACTIONAL_COUNT, HEADER_FILL, PAGE_OF, REPORT_PAGE, TEXT, font_code, page_text, print_a4

ANNEX_SHEET = "Phụ lục"
ABOUT_SHEET = "Thông tin"
# (header, width): the table's columns, in order.
COLUMNS = (("Xã", 16), ("Tỉnh", 12), ("Danh mục", 16), ("Phiên bản", 9), ("Năm", 7), ("Mã", 8),
           ("Chỉ tiêu", 46), ("Chỉ tiêu số", 8), ("Mục tiêu số", 8), ("Tử số", 11), ("Mẫu số", 11),
           ("Giá trị", 10), ("Mục tiêu", 10), ("Phép so", 8), ("Năm mục tiêu", 9), ("Đánh giá", 14),
           ("Mã đánh giá", 12), ("Đơn vị đã tính", 9), ("Đơn vị phải báo cáo", 10))


def annex_rows(result: MergeResult, catalog: Catalog) -> list[list[object]]:
    """The table's rows, in catalogue order; None where there is no figure."""
    found = {metric.code: metric for metric in result.metrics}
    rows: list[list[object]] = []
    for metric in catalog.metrics:
        got = found.get(metric.code)
        identity: list[object] = [catalog.commune, catalog.province, catalog.id, catalog.version, result.year,
                                  metric.code, metric.name, metric.indicator, metric.objective]
        if got is None:
            rows.append(identity + [None] * 10)
            continue
        coverage = got.coverage
        rows.append(identity + [got.numerator, got.denominator, got.value, got.target,
                                got.operator.value if got.operator is not None else None, got.target_year,
                                got.status.label, got.status.value,
                                len(coverage.counted) if coverage is not None else None,
                                len(coverage.expected) if coverage is not None else None])
    return rows


def write_annex_workbook(result: MergeResult, catalog: Catalog, path: Path) -> Path:
    """Write the annex workbook to ``path``; returns it."""
    book = report_workbook(path)
    header = book.add_format({"bold": True, "bg_color": HEADER_FILL, "text_wrap": True, "valign": "top",
                              "border": 1})
    number = book.add_format({"num_format": FRACTIONAL_COUNT})
    text = book.add_format({"num_format": TEXT})
    sheet = book.add_worksheet(ANNEX_SHEET)
    for col, (title, width) in enumerate(COLUMNS):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, width)
    for row, values in enumerate(annex_rows(result, catalog), start=1):
        for col, value in enumerate(values):
            if value is None:
                sheet.write_blank(row, col, None)
            elif isinstance(value, str):
                sheet.write_string(row, col, value, text)
            elif isinstance(value, float):
                sheet.write_number(row, col, value, number)
            else:
                sheet.write_number(row, col, value)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(catalog.metrics), len(COLUMNS) - 1)
    print_a4(sheet, REPORT_PAGE, repeat_rows=(0, 0),
             header=f"&L{font_code(9)}{page_text(f'Phụ lục báo cáo năm {result.year}: {catalog.commune}, {catalog.province}')}",
             footer=f"&R{font_code(9)}{PAGE_OF}")
    write_about(book, result, catalog)
    book.close()
    return path


def write_about(book: Any, result: MergeResult, catalog: Catalog) -> None:
    """The sheet naming the file's origin: who, which plan, which year, how to add communes up."""
    sheet = book.add_worksheet(ABOUT_SHEET)
    bold = book.add_format({"bold": True})
    rows = (("Xã", catalog.commune), ("Tỉnh", catalog.province), ("Kế hoạch", catalog.title),
            ("Mã danh mục", catalog.id), ("Phiên bản danh mục", catalog.version), ("Năm báo cáo", str(result.year)),
            ("Cách cộng nhiều xã", "Ghép các bảng “Phụ lục” của các xã; tỷ lệ của tỉnh = tổng Tử số / tổng Mẫu số "
                                   "(nhân hệ số của chỉ tiêu), không lấy trung bình các tỷ lệ."),
            ("Ghi chú", "Tử số, Mẫu số chỉ tính các đơn vị đã có số liệu (cột Đơn vị đã tính / phải báo cáo)."))
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 90)
    for row, (label, value) in enumerate(rows):
        sheet.write_string(row, 0, label, bold)
        sheet.write_string(row, 1, value)
