"""The catalogue's entries for files that cannot be read at all (the group ``Group.FILE``).

Kept apart from ``finding_kinds`` only for size. Keys are the kinds' codes (``FindingKind`` values):
this module cannot import the enum that imports it.
"""

from __future__ import annotations

from ctre_xl.plan.finding_info import Group, KindInfo, k as _k
from ctre_xl.plan.vocab import Severity

E, W = Severity.ERROR, Severity.WARNING
_FILE = Group.FILE
_SAVE_AS_XLSX = "Mở bằng Excel, lưu lại dạng .xlsx rồi gửi lại."
_SEND_FILLED = "Gửi tệp biểu mẫu .xlsx đã điền."
_SEND_ORIGINAL = "Gửi lại biểu mẫu gốc đã điền."


# code of the kind -> its entry
FILE_KINDS: dict[str, KindInfo] = {
    "outside_link": _k(
        _FILE, E, "Liên kết (shortcut) trỏ ra ngoài thư mục inbox", "Chép chính tệp vào inbox.",
        "liên kết trỏ ra ngoài thư mục inbox — không đọc"),
    "not_a_file": _k(
        _FILE, E, "Không phải tệp thông thường", "Bỏ khỏi inbox.", "không phải tệp thông thường — bỏ qua"),
    "too_large": _k(
        _FILE, E, "Tệp quá lớn (trên 64 MB), không thể là biểu mẫu đã điền", _SEND_ORIGINAL,
        "tệp quá lớn ({size_mb} MB), không phải biểu mẫu bình thường — đề nghị gửi lại biểu mẫu gốc đã điền",
        part="tệp bất thường: phần “{part}” quá lớn ({size}), không phải biểu mẫu bình thường — không đọc; xoá "
             "các trang, vùng dán thêm rồi lưu lại và gửi lại"),
    "unreadable": _k(
        _FILE, E, "Không đọc được tệp", "Kiểm tra quyền truy cập tệp.",
        "không đọc được tệp — kiểm tra quyền truy cập (tệp có thể đang bị chương trình khác giữ) rồi chạy lại",
        permission="không có quyền đọc tệp — cấp quyền đọc cho tệp (hoặc chép lại tệp vào inbox) rồi chạy lại"),
    "empty": _k(
        _FILE, E, "Tệp rỗng (0 byte)", "Đơn vị gửi lại tệp.", "tệp rỗng (0 byte) — đề nghị đơn vị gửi lại"),
    "password_protected": _k(
        _FILE, E, "Tệp có mật khẩu", "Gỡ mật khẩu, lưu lại rồi gửi lại.",
        "tệp có mật khẩu — gỡ mật khẩu rồi gửi lại (trong Excel: Tệp > Thông tin > Bảo vệ sổ làm việc > "
        "Mã hoá bằng mật khẩu, xoá mật khẩu rồi lưu)",
        ods="tệp .ods có mật khẩu — mở bằng LibreOffice, gỡ mật khẩu (Tệp > Thuộc tính > Bảo mật) rồi lưu dạng "
            ".xlsx và gửi lại"),
    "xls": _k(
        _FILE, E, "Tệp .xls (Excel 97-2003)", _SAVE_AS_XLSX,
        "tệp .xls (Excel 97-2003) — mở bằng Excel và lưu lại dạng .xlsx (Excel Workbook) rồi gửi lại"),
    "xlsb": _k(
        _FILE, E, "Tệp .xlsb (Excel Binary)", _SAVE_AS_XLSX,
        "tệp .xlsb (Excel Binary) — mở bằng Excel và lưu lại dạng .xlsx (Excel Workbook) rồi gửi lại"),
    "xml_2003": _k(
        _FILE, E, "Tệp XML Spreadsheet 2003", _SAVE_AS_XLSX,
        "tệp XML Spreadsheet 2003 — mở bằng Excel và lưu lại dạng .xlsx (Excel Workbook) rồi gửi lại"),
    "ole_other": _k(
        _FILE, E, "Tệp Word/Office cũ, không phải bảng tính", _SEND_FILLED,
        "tệp Word/Office cũ (định dạng OLE), không phải biểu mẫu Excel — đề nghị gửi tệp .xlsx đã điền"),
    "zip_other": _k(
        _FILE, E, "Tệp nén hoặc tài liệu khác (Word, PowerPoint, .zip…)", _SEND_FILLED,
        "tệp nén hoặc tài liệu khác (Word, PowerPoint, .zip…), không phải bảng tính Excel — "
        "đề nghị gửi tệp biểu mẫu .xlsx đã điền"),
    "csv": _k(
        _FILE, E, "Tệp văn bản/CSV đổi tên", "Điền số liệu vào biểu mẫu .xlsx đã gửi.",
        "tệp văn bản/CSV (đuôi tên tệp bị đổi), không phải bảng tính Excel — điền số liệu vào biểu mẫu "
        ".xlsx đã gửi rồi gửi lại"),
    "html": _k(
        _FILE, E, "Trang web (HTML) đổi tên", "Mở biểu mẫu bằng Excel, điền rồi lưu dạng .xlsx.",
        "tệp trang web (HTML) đổi tên, không phải bảng tính Excel — mở biểu mẫu bằng Excel, điền rồi "
        "lưu dạng .xlsx"),
    "pdf": _k(
        _FILE, E, "Tệp PDF", _SEND_FILLED, "tệp PDF — không đọc được số liệu, đề nghị gửi tệp Excel (.xlsx) đã điền"),
    "image": _k(
        _FILE, E, "Tệp ảnh", _SEND_FILLED, "tệp ảnh — không đọc được số liệu, đề nghị gửi tệp Excel (.xlsx) đã điền"),
    "unknown": _k(
        _FILE, E, "Không nhận ra định dạng tệp", _SEND_FILLED,
        "không nhận ra định dạng tệp (không phải .xlsx) — đề nghị gửi tệp biểu mẫu .xlsx đã điền"),
    "corrupt_zip": _k(
        _FILE, E, "Tệp hỏng hoặc tải về chưa hết", "Đơn vị gửi lại tệp.",
        "tệp bị hỏng hoặc tải về chưa hết (không mở được dạng .xlsx) — đề nghị đơn vị gửi lại",
        package="tệp bị hỏng (không mở được dạng .xlsx) — đề nghị đơn vị gửi lại",
        no_workbook="tệp thiếu phần xl/workbook.xml (không phải sổ Excel hợp lệ)",
        ods="tệp .ods bị hỏng (không mở được) — đề nghị đơn vị gửi lại",
        not_ods="tệp không phải bảng tính OpenDocument (.ods) hợp lệ — mở bằng LibreOffice, lưu lại dạng .xlsx "
                "rồi gửi lại"),
    "corrupt_xml": _k(
        _FILE, E, "Một phần của tệp bị hỏng", "Mở bằng Excel, lưu lại rồi gửi lại.",
        "tệp bị hỏng: phần “{part}” không đọc được — mở bằng Excel, lưu lại rồi gửi lại",
        limit="tệp bất thường: phần “{part}” lồng nhau quá sâu hoặc có quá nhiều phần tử, không phải bảng tính "
              "bình thường — không đọc; mở bằng Excel, lưu lại rồi gửi lại"),
    "too_many_entries": _k(
        _FILE, E, "Tệp chứa quá nhiều thành phần (trên 10.000)", _SEND_ORIGINAL,
        "tệp chứa quá nhiều thành phần ({count}), không phải biểu mẫu bình thường — "
        "không đọc; đề nghị gửi lại đúng biểu mẫu",
        package="tệp chứa quá nhiều thành phần ({count}) — không đọc"),
    "zip_bomb": _k(
        _FILE, E, "Tệp nén bất thường, có thể độc hại (zip bomb)", _SEND_ORIGINAL,
        "tệp nén bất thường: phần “{part}” giải nén ra hơn {size_mb} MB — có thể là tệp độc hại "
        "(zip bomb), không đọc; đề nghị đơn vị gửi lại biểu mẫu gốc đã điền"),
    "dangerous_xml": _k(
        _FILE, E, "Tệp chứa XML nguy hiểm (khai báo thực thể/DTD)", _SEND_ORIGINAL,
        "tệp chứa XML nguy hiểm (khai báo thực thể/DTD trong phần “{part}”) — "
        "không đọc; đề nghị đơn vị gửi lại biểu mẫu gốc đã điền"),
    "xml_not_utf8": _k(
        _FILE, E, "Một phần của tệp không mã hoá UTF-8 (Excel, LibreOffice, WPS luôn lưu UTF-8)",
        _SAVE_AS_XLSX,
        "tệp bất thường: phần “{part}” không mã hoá UTF-8 ({encoding}) như mọi tệp Excel, LibreOffice, WPS "
        "lưu ra — không đọc; mở bằng Excel, lưu lại dạng .xlsx rồi gửi lại"),
    "duplicate_part": _k(
        _FILE, E, "Tệp có hai phần trùng tên (không biết phần nào là thật)", _SEND_ORIGINAL,
        "tệp bất thường: có hai phần cùng tên “{part}” (một tệp Excel thật không bao giờ có) — không đọc; "
        "đề nghị đơn vị gửi lại biểu mẫu gốc đã điền"),
    "missing_sheet": _k(
        _FILE, E, "Thiếu trang tính của biểu mẫu", _SEND_ORIGINAL, "không có trang “{sheet_name}”"),
    "read_failed": _k(
        _FILE, E, "Lỗi không lường trước khi đọc tệp", "Mở bằng Excel, lưu lại rồi gửi lại.",
        "Không đọc được tệp: phần mềm gặp lỗi bất thường khi đọc. Mở bằng Excel, lưu lại rồi gửi lại; "
        "nếu vẫn lỗi, báo cho người quản lý phần mềm."),
    "rejected": _k(
        _FILE, E, "Tệp bị loại khi gom thư mục inbox (liên kết hỏng hoặc trỏ ra ngoài, thiết bị, thư mục không mở "
                  "được hoặc lồng quá sâu…)",
        "Chép chính tệp (không phải liên kết) vào inbox.", "{reason}",
        broken_link="liên kết (shortcut) hỏng, không trỏ tới tệp nào — bỏ qua",
        no_stat="không đọc được thông tin tệp (quyền truy cập?)",
        not_regular="không phải tệp thông thường (thiết bị, ống dẫn…) — bỏ qua",
        outside_link="liên kết trỏ ra ngoài thư mục inbox — không đọc; chép chính tệp vào inbox",
        no_access="không mở được thư mục (không có quyền truy cập) — các tệp bên trong chưa được đọc; "
                  "cấp quyền hoặc chép các tệp ra chỗ khác trong inbox rồi chạy lại",
        too_deep="thư mục lồng quá sâu (quá {depth} cấp thư mục) — các tệp bên trong không được đọc; "
                 "chép các tệp lên thư mục nông hơn trong inbox rồi chạy lại"),
}
