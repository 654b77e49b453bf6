"""The document form of Decree 30/2020/NĐ-CP on the summary's first page, so it can be signed as is.

Top left the issuing body (the commune's People's Committee over the office that compiles the
report, underlined), top right the Quốc hiệu and the tiêu ngữ (underlined), the place and date
line in italics, and at the foot two signature columns (người lập biểu; lãnh đạo duyệt) with room
to sign and stamp. The day and month are left for the signer to write in.
"""

from __future__ import annotations

import re
from datetime import datetime

from xlsxwriter.worksheet import Worksheet

from ctre_xl.output.summary.styles import Styles
from ctre_xl.plan.catalog import Catalog

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PREPARER = "NGƯỜI LẬP BIỂU"
APPROVER = "LÃNH ĐẠO DUYỆT"
SIGN_HINT = "(Ký, ghi rõ họ tên)"
APPROVER_HINT = "(Ký, ghi rõ họ tên, đóng dấu)"
SIGNING_SPACE = 78.0  # points: a signature and a round stamp (about 3 cm)


def issuing_body(catalog: Catalog) -> tuple[str, str]:
    """("UBND XÃ XUÂN TRƯỜNG", "PHÒNG VĂN HOÁ - XÃ HỘI"): the committee, and the office the
    reports are sent through (the catalogue's send_to: "UBND xã … (qua Phòng …)"); "" when none."""
    found = re.search(r"\(qua ([^)]+)\)", catalog.send_to)
    office = found.group(1).strip() if found else ""
    return f"UBND {catalog.commune}".upper(), office.upper()


def place_name(catalog: Catalog) -> str:
    """The commune's name without its "xã " (the place in the date line): "Xuân Trường"."""
    return re.sub(r"^(xã|phường|thị trấn|đặc khu)\s+", "", catalog.commune.strip(), flags=re.IGNORECASE)


def write_letterhead(sheet: Worksheet, styles: Styles, catalog: Catalog, made: datetime, split: int,
                     last: int) -> int:
    """Issuing body (columns up to ``split`` - 1) beside the Quốc hiệu (from ``split`` to ``last``),
    then the place and date line; returns the next free row."""
    committee, office = issuing_body(catalog)
    centred = {"align": "center", "valign": "vcenter"}
    sheet.merge_range(0, 0, 0, split - 1, committee, styles.get(**centred))
    sheet.merge_range(0, split, 0, last, NATIONAL_TITLE, styles.get(bold=True, **centred))
    sheet.merge_range(1, 0, 1, split - 1, office, styles.get(bold=True, underline=1, **centred))
    sheet.merge_range(1, split, 1, last, MOTTO, styles.get(bold=True, underline=1, font_size=12, **centred))
    sheet.set_row(0, 17)
    sheet.set_row(1, 18)
    sheet.set_row(2, 8)
    date_line = f"{place_name(catalog)}, ngày … tháng … năm {made.year}"
    sheet.merge_range(3, split, 3, last, date_line, styles.get(italic=True, **centred))
    sheet.set_row(3, 18)
    return 4


def write_signatures(sheet: Worksheet, styles: Styles, row: int, split: int, last: int) -> int:
    """The two signature columns from ``row``; returns the row after the space left to sign."""
    sheet.set_row(row, 10)
    row += 1
    bold = styles.get(bold=True, align="center")
    hint = styles.get(italic=True, align="center")
    sheet.merge_range(row, 0, row, split - 1, PREPARER, bold)
    sheet.merge_range(row, split, row, last, APPROVER, bold)
    sheet.merge_range(row + 1, 0, row + 1, split - 1, SIGN_HINT, hint)
    sheet.merge_range(row + 1, split, row + 1, last, APPROVER_HINT, hint)
    sheet.set_row(row + 2, SIGNING_SPACE)
    return row + 3
