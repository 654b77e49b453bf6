"""The catalogue of findings: every problem ctre-xl reports, with its severity and its words.

One entry per kind: the code (the ``kind`` of the JSON output, never renamed), how serious it
is, what it is about and how to fix it (Vietnamese, for the README), and the message templates.
A kind found in several ways has several templates ("variants"); ``""`` is the usual one. Where
a kind is detected, ``FindingKind.X.finding(variant, file=..., **fields)`` builds the finding, or
``FindingKind.X.message(variant, **fields)`` only its text. A new check is one entry here plus
the code that detects it.

Placeholders never use the names of a finding's location (file, unit, sheet, cell, code): the
message says ``{ref}`` for a cell it names, which is not always the cell the finding is filed at.
Messages about one typed figure start with ``“{label}”: `` and the rest is the figure's ``note``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ctre_xl.plan.findings import Finding
from ctre_xl.plan.finding_info import Group, KindInfo, k as _k
from ctre_xl.plan.finding_texts import FILE_KINDS
from ctre_xl.plan.vocab import Severity

E, W = Severity.ERROR, Severity.WARNING
LABEL_PREFIX = "“{label}”: "
_PREPARER_FIX = "Ghi họ tên người lập biểu ở trang Thông tin chung."


class FindingKind(StrEnum):
    """Every ``kind`` a finding can have; the details of each are in ``KINDS``."""

    # the file itself
    OUTSIDE_LINK = "outside_link"
    NOT_A_FILE = "not_a_file"
    TOO_LARGE = "too_large"
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    PASSWORD_PROTECTED = "password_protected"
    XLS = "xls"
    XLSB = "xlsb"
    XML_2003 = "xml_2003"
    OLE_OTHER = "ole_other"
    ZIP_OTHER = "zip_other"
    CSV = "csv"
    HTML = "html"
    PDF = "pdf"
    IMAGE = "image"
    UNKNOWN = "unknown"
    CORRUPT_ZIP = "corrupt_zip"
    CORRUPT_XML = "corrupt_xml"
    TOO_MANY_ENTRIES = "too_many_entries"
    ZIP_BOMB = "zip_bomb"
    DANGEROUS_XML = "dangerous_xml"
    XML_NOT_UTF8 = "xml_not_utf8"
    DUPLICATE_PART = "duplicate_part"
    MISSING_SHEET = "missing_sheet"
    READ_FAILED = "read_failed"
    REJECTED = "rejected"
    # whose report it is
    NOT_OURS = "not_ours"
    BAD_METADATA = "bad_metadata"
    UNKNOWN_UNIT = "unknown_unit"
    OTHER_CATALOG = "other_catalog"
    SAMPLE_DATA = "sample_data"
    OLD_CATALOG = "old_catalog"
    IDENTITY_MISMATCH = "identity_mismatch"
    OTHER_YEAR = "other_year"
    BLANK_RETURN = "blank_return"
    # the template's structure
    MACRO_IGNORED = "macro_ignored"
    HIDDEN_SHEET = "hidden_sheet"
    EXTRA_CONTENT = "extra_content"
    STRUCTURE_CHANGED = "structure_changed"
    MISSING_NAME = "missing_name"
    DAMAGED_CONTENT = "damaged_content"
    # one cell
    MISSING = "missing"
    NOT_A_NUMBER = "not_a_number"
    NOT_YES_NO = "not_yes_no"
    NEGATIVE = "negative"
    NOT_WHOLE = "not_whole"
    IMPLAUSIBLE = "implausible"
    FORMULA_IN_INPUT = "formula_in_input"
    AMBIGUOUS = "ambiguous"
    PERCENT_IN_COUNT = "percent_in_count"
    MONEY_WORDS = "money_words"
    DASH = "dash"
    BAD_DATE = "bad_date"
    ODD_REPORT_DATE = "odd_report_date"
    TEXT_CUT = "text_cut"
    NO_REPORT_DATE = "no_report_date"
    NO_PREPARER = "no_preparer"
    SAVED_AFTER_DEADLINE = "saved_after_deadline"
    # figures against each other
    RULE = "rule"
    CROSS_UNIT_RULE = "cross_unit_rule"
    JUMP = "jump"
    # a sheet of past values (ctre-xl history import)
    HISTORY_NO_HEADER = "history_no_header"
    HISTORY_UNKNOWN_METRIC = "history_unknown_metric"
    HISTORY_BAD_YEAR = "history_bad_year"
    HISTORY_BAD_NUMBER = "history_bad_number"
    HISTORY_NO_VALUE = "history_no_value"
    HISTORY_DUPLICATE = "history_duplicate"

    @property
    def info(self) -> KindInfo:
        return KINDS[self]

    def severity(self, variant: str = "") -> Severity | None:
        info = KINDS[self]
        return info.severities.get(variant, info.severity)

    def message(self, variant: str = "", **fields: Any) -> str:
        """The Vietnamese message of ``variant`` with ``fields`` in its placeholders."""
        return KINDS[self].messages[variant].format(**fields)

    def note(self, variant: str = "", **fields: Any) -> str:
        """A figure's message without the leading ``“{label}”: `` (what ``values`` says of a value)."""
        return KINDS[self].messages[variant].removeprefix(LABEL_PREFIX).format(**fields)

    def finding(self, variant: str = "", *, file: str, unit: str | None = None, sheet: str | None = None,
                cell: str | None = None, code: str | None = None, severity: Severity | None = None,
                **fields: Any) -> Finding:
        """A finding of this kind; ``severity`` only where the catalogue leaves it to the caller."""
        chosen = self.severity(variant) if severity is None else severity
        if chosen is None:
            raise ValueError(f"finding kind {self.value!r} needs the severity of its rule")
        return Finding(file=file, unit=unit, sheet=sheet, cell=cell, code=code, severity=chosen,
                       message=self.message(variant, **fields), kind=self)


_FILE, _IDENTITY, _STRUCTURE, _CELL, _CHECK = Group.FILE, Group.IDENTITY, Group.STRUCTURE, Group.CELL, Group.CHECK

KINDS: dict[FindingKind, KindInfo] = {
    **{FindingKind(code): info for code, info in FILE_KINDS.items()},
    FindingKind.NOT_OURS: _k(
        _IDENTITY, E, "Không phải biểu mẫu của ctre-xl", "Điền vào biểu mẫu đã được gửi.",
        "không phải biểu mẫu của ctre-xl (không có thông tin nhận dạng biểu mẫu) — "
        "đề nghị đơn vị điền vào biểu mẫu đã được gửi"),
    FindingKind.BAD_METADATA: _k(
        _IDENTITY, E, "Thông tin nhận dạng biểu mẫu bị hỏng", "Dùng biểu mẫu gốc.",
        "thông tin năm báo cáo trong biểu mẫu bị hỏng (“{found}”) — đề nghị dùng biểu mẫu gốc"),
    FindingKind.UNKNOWN_UNIT: _k(
        _IDENTITY, E, "Đơn vị không có trong danh sách đơn vị", "Thêm đơn vị vào don-vi.xlsx hoặc kiểm tra lại tệp.",
        "đơn vị “{unit_id}” ({unit_name}) không có trong danh sách đơn vị ({source}) — "
        "thêm đơn vị vào don-vi.xlsx hoặc kiểm tra lại tệp"),
    FindingKind.OTHER_CATALOG: _k(
        _IDENTITY, E, "Biểu mẫu của kế hoạch khác", "Dùng biểu mẫu của kế hoạch này.",
        "biểu mẫu của kế hoạch khác (“{found}”, không phải “{expected}”) — đề nghị dùng biểu mẫu của kế hoạch này"),
    FindingKind.SAMPLE_DATA: _k(
        _IDENTITY, E, "Dữ liệu minh hoạ", "Gửi biểu mẫu thật đã điền.",
        "dữ liệu minh hoạ, không dùng cho báo cáo thật — đề nghị gửi biểu mẫu thật đã điền"),
    FindingKind.OLD_CATALOG: _k(
        _IDENTITY, E, "Biểu mẫu theo danh mục chỉ tiêu cũ (lỗi nếu có mã số liệu không còn dùng)",
        "Dùng biểu mẫu mới.",
        "biểu mẫu theo danh mục phiên bản “{version}”, các mã số liệu sau không còn trong danh mục hiện hành "
        "“{current}”: {gone} — đề nghị dùng biểu mẫu mới",
        usable="biểu mẫu theo danh mục phiên bản “{version}” (hiện hành: “{current}”); các mã số liệu vẫn dùng "
               "được nên vẫn đọc — lần sau dùng biểu mẫu mới", severities={"usable": W}),
    FindingKind.IDENTITY_MISMATCH: _k(
        _IDENTITY, E, "Tệp ghi là của một đơn vị nhưng cấu trúc là biểu mẫu của đơn vị khác",
        "Đơn vị gửi lại đúng biểu mẫu của mình.",
        "Tệp ghi là của {claimed} nhưng cấu trúc là biểu mẫu của {actual} — không dùng; "
        "đề nghị đơn vị gửi lại đúng biểu mẫu của mình",
        unknown="Tệp ghi là của {claimed} nhưng cấu trúc không phải biểu mẫu của đơn vị này ({why}) — "
                "không dùng; đề nghị đơn vị gửi lại đúng biểu mẫu của mình"),
    FindingKind.OTHER_YEAR: _k(
        _IDENTITY, W, "Báo cáo của năm khác (không phải năm tổng hợp, không phải năm trước)",
        "Kiểm tra năm của biểu mẫu.", "Báo cáo năm {year} (năm khác), không phải năm {merge_year}: bỏ qua."),
    FindingKind.BLANK_RETURN: _k(
        _IDENTITY, W, "Gửi biểu mẫu trống (chưa nhập số liệu nào): không tính là đã nộp",
        "Đơn vị điền số liệu vào biểu mẫu rồi gửi lại.",
        "gửi biểu mẫu trống (chưa nhập số liệu nào) — không tính là đã nộp; đề nghị đơn vị điền số liệu "
        "rồi gửi lại"),
    FindingKind.MACRO_IGNORED: _k(
        _STRUCTURE, W, "Tệp có macro: macro không được chạy, chỉ đọc số liệu", "Lần sau lưu dạng .xlsx.",
        "tệp .{extension} có macro — macro không được chạy, chỉ đọc số liệu; lần sau lưu dạng .xlsx"),
    FindingKind.HIDDEN_SHEET: _k(
        _STRUCTURE, W, "Có trang ẩn trùng tên trang số liệu, hoặc tên ô trỏ vào trang ẩn (không được đọc)",
        "Xoá trang ẩn; chỉ điền vào trang đang hiện.",
        "có trang ẩn “{hidden}” trùng tên với trang đang hiện “{visible}” — chỉ đọc trang đang hiện, "
        "không đọc trang ẩn; xoá trang ẩn đi",
        name="tên ô “{name}” trỏ vào trang ẩn “{hidden}” — không đọc ô đó, đọc ô theo nhãn trên trang "
             "“{visible}”; sửa lại tên ô hoặc dùng biểu mẫu gốc",
        ambiguous="có {count} trang đang hiện cùng mang tên “{visible}” — không biết trang nào là trang "
                  "số liệu, không đọc; đề nghị đơn vị gửi lại biểu mẫu gốc đã điền",
        hidden="trang “{hidden}” của biểu mẫu đang bị ẩn — không đọc trang ẩn; bỏ ẩn trang (nháy chuột phải "
               "vào tên trang > Bỏ ẩn), kiểm tra số liệu trên đó rồi gửi lại",
        severities={"ambiguous": E, "hidden": E}),
    FindingKind.EXTRA_CONTENT: _k(
        _STRUCTURE, W, "Có nội dung bên dưới biểu mẫu (không được đọc)", "Xoá phần đó nếu không cần.",
        "có nội dung bên dưới biểu mẫu (từ dòng {row}) — phần này không được đọc; xoá đi nếu không cần",
        declared="có nội dung bên dưới biểu mẫu (từ dòng {row}, vùng dữ liệu khai báo {dimension}) — phần này "
                 "không được đọc; xoá đi nếu không cần"),
    FindingKind.STRUCTURE_CHANGED: _k(
        _STRUCTURE, W, "Biểu mẫu bị chèn/xoá dòng, sửa nhãn hoặc xoá tên ô (số liệu vẫn đọc được)",
        "Kiểm tra số liệu; lần sau dùng biểu mẫu gốc, không chèn/xoá dòng.",
        label_edited="nhãn dòng {row} đã bị sửa: “{found}” (mẫu: “{expected}”) — kiểm tra số liệu ở ô {ref} "
                     "có đúng nội dung không",
        moved="biểu mẫu đã bị chèn hoặc xoá dòng/cột: {count} ô nhập bị dịch chuyển (ví dụ “{name}” từ {before} "
              "sang {after}) — số liệu vẫn đọc theo tên ô; lần sau không chèn/xoá dòng",
        name_removed="tên ô “{name}” đã bị xoá; đã tìm thấy dòng “{label}” theo nhãn và đọc ô {ref} — lần sau "
                     "dùng biểu mẫu gốc, không xoá tên ô",
        front_name_removed="tên ô “{name}” ({field}) đã bị xoá; đã đọc ô {ref} theo biểu mẫu gốc"),
    FindingKind.MISSING_NAME: _k(
        _STRUCTURE, E, "Không tìm thấy ô nhập (tên ô hoặc dòng đã bị xoá)", "Nhập lại số liệu vào biểu mẫu gốc.",
        "không tìm thấy ô nhập “{label}” (tên ô “{name}” bị xoá hoặc dòng đã bị xoá) — "
        "nhập lại số liệu vào biểu mẫu gốc rồi gửi lại"),
    FindingKind.DAMAGED_CONTENT: _k(
        _STRUCTURE, W, "Một chỗ trong tệp viết sai (số dòng, tham chiếu chuỗi, phạm vi tên ô) hoặc một ô có hai bản",
        "Mở bằng Excel, kiểm tra chỗ được nêu, lưu lại rồi gửi lại.",
        "tên ô “{name}” có phạm vi trang viết sai (localSheetId “{found}”) — bỏ qua phạm vi, phần còn lại vẫn đọc",
        row_number="số dòng “{found}” viết sai — đã đọc theo vị trí (dòng {row}); mở bằng Excel, lưu lại rồi gửi lại",
        shared_string="ô {ref} trỏ tới chuỗi văn bản không có (“{found}”) — coi như ô trống; nhập lại ô này",
        duplicate="ô {ref} có {count} bản giống nhau trong tệp ({found}) — dùng giá trị đó; lưu lại bằng Excel",
        duplicate_differ="ô {ref} có {count} bản khác nhau trong tệp ({found}) — không biết đơn vị muốn số nào nên "
                         "không dùng; nhập lại ô này bằng Excel, lưu rồi gửi lại", severities={"duplicate_differ": E}),
    FindingKind.MISSING: _k(
        _CELL, E, "Chưa nhập số liệu bắt buộc", "Nhập số liệu (nhập 0 nếu không có) hoặc chọn Có/Không.",
        "Chưa nhập “{label}”. Nhập số liệu (nhập 0 nếu không có).",
        yes_no="Chưa chọn Có/Không cho “{label}”."),
    FindingKind.NOT_A_NUMBER: _k(
        _CELL, E, "Ô số lượng không chứa một số (chữ, lỗi của Excel, TRUE/FALSE)", "Nhập một số.",
        "“{label}”: “{raw}” không phải là số — nhập một số (ví dụ 1234)",
        boolean="“{label}”: ô chứa giá trị logic “{raw}”, không phải số — nhập số",
        cell_error="“{label}”: ô {ref} chứa lỗi {error} — nhập một số"),
    FindingKind.NOT_YES_NO: _k(
        _CELL, E, "Ô Có/Không chứa giá trị khác", "Chọn “Có” hoặc “Không”.",
        "“{label}”: “{raw}” không phải Có/Không — chọn “Có” hoặc “Không”",
        value="“{label}”: chỉ chọn Có hoặc Không (đang là {value})."),
    FindingKind.NEGATIVE: _k(
        _CELL, E, "Số âm", "Nhập số từ 0 trở lên.",
        "“{label}” không thể âm (đang là {value}): nhập số từ 0 trở lên."),
    FindingKind.NOT_WHOLE: _k(
        _CELL, E, "Số lượng có phần thập phân", "Nhập số nguyên.",
        "“{label}” phải là số nguyên (đang là {value}): nhập số người, số vụ… không có phần thập phân."),
    FindingKind.IMPLAUSIBLE: _k(
        _CELL, E, "Số không thể có thật (quá lớn, vô hạn, NaN) hoặc thời gian tệp vô lý",
        "Nhập lại số đúng; không dùng số này.",
        "“{label}”: {raw} vượt xa mọi số liệu có thể có (trên {limit}) — không dùng số này; nhập lại số đúng",
        not_finite="“{label}”: ô chứa “{raw}”, không phải một số hữu hạn — không dùng; nhập lại một số",
        file_time="thời gian sửa tệp trong inbox ({when}) là ngày trong tương lai — không dùng làm bằng chứng "
                  "ngày gửi (coi như tệp đến hôm nay)",
        severities={"file_time": W}),
    FindingKind.FORMULA_IN_INPUT: _k(
        _CELL, E, "Ô nhập là công thức, trừ phép tính chỉ gồm các con số (ở ô ngày lập báo cáo: cảnh báo)",
        "Nhập trực tiếp con số hoặc ngày.",
        "“{label}”: ô {ref} là công thức ({formula}) — nhập trực tiếp con số, không dùng công thức",
        report_date="ngày lập báo cáo là công thức (={formula}) — nhập ngày cụ thể, dạng dd/mm/yyyy",
        severities={"report_date": W}),
    FindingKind.AMBIGUOUS: _k(
        _CELL, W, "Số có thể hiểu hai cách (“1,234”): được đọc là 1234",
        "Kiểm tra lại; nhập số không có dấu ngăn cách.",
        "“{label}”: “{raw}” có thể là {value} hoặc {alternative}; đã đọc là {value} (dấu phẩy ngăn cách hàng "
        "nghìn) — kiểm tra lại, nên nhập số không có dấu ngăn cách"),
    FindingKind.PERCENT_IN_COUNT: _k(
        _CELL, W, "Tỉ lệ phần trăm trong ô số lượng (“12%” được đọc là 12)",
        "Nhập số lượng; tỉ lệ do phần mềm tự tính.",
        "“{label}”: “{raw}” là tỉ lệ phần trăm; ô này cần số lượng (tỉ lệ do phần mềm tự tính) — đã đọc là "
        "{value}, nhập lại số lượng"),
    FindingKind.MONEY_WORDS: _k(_CELL, W, "Số tiền ghi kèm chữ (“150 triệu”, “1,5 tỷ”, “132.500.000 đ”): đọc thành "
                                "số đồng", "Kiểm tra số đã đọc; lần sau chỉ nhập con số, tính bằng đồng.",
                                "“{label}”: “{raw}” được đọc là {value} đồng — kiểm tra lại; lần sau chỉ nhập con số"),
    FindingKind.DASH: _k(
        _CELL, W, "Dấu “-” trong ô: coi là không có số liệu", "Nhập 0 nếu là không (ô Có/Không: chọn Có hoặc Không).",
        "“{label}”: ô có dấu “{raw}”: coi là không có số liệu; nếu là 0 thì nhập 0",
        yes_no="“{label}”: ô có dấu “{raw}”: coi là không có số liệu — chọn “Có” hoặc “Không”"),
    FindingKind.BAD_DATE: _k(
        _CELL, W, "Ngày lập báo cáo không đọc được", "Nhập ngày dạng dd/mm/yyyy.",
        "ngày lập báo cáo “{raw}” không đọc được — nhập dạng dd/mm/yyyy"),
    FindingKind.ODD_REPORT_DATE: _k(
        _CELL, W, "Ngày lập báo cáo hoặc thời gian lưu tệp vô lý (tương lai, cách năm báo cáo hơn một năm): không "
        "dùng để xét tệp nào mới hơn", "Sửa ngày lập báo cáo (dd/mm/yyyy).",
        "ngày lập báo cáo {typed} ở tương lai hoặc cách năm báo cáo {year} hơn một năm (gõ nhầm?) — không dùng để "
        "xét tệp nào mới hơn, nộp đúng hạn; sửa lại ngày", saved="tệp ghi lưu lần cuối lúc {saved}, ở tương lai — "
        "không dùng để xét tệp nào mới hơn, nộp đúng hạn"),
    FindingKind.TEXT_CUT: _k(
        _CELL, W, "Đoạn chữ quá 32.767 ký tự (giới hạn một ô Excel): bảng tổng hợp chỉ ghi phần đầu",
        "Rút gọn đoạn chữ; xem đủ trong tệp gốc.", "ô {ref} có {length} ký tự, quá giới hạn 32.767 của một ô Excel — "
        "bảng tổng hợp chỉ ghi phần đầu, kèm “… (đã cắt bớt, xem tệp gốc)”"),
    FindingKind.NO_REPORT_DATE: _k(
        _CELL, W, "Chưa ghi ngày lập báo cáo (dùng ngày sửa tệp để xét nộp đúng hạn)",
        "Ghi ngày lập báo cáo ở trang Thông tin chung.",
        "Chưa ghi ngày lập báo cáo: dùng ngày sửa tệp ({day}) để xét nộp đúng hạn. "
        "Ghi ngày lập báo cáo ở trang Thông tin chung."),
    FindingKind.NO_PREPARER: _k(_CELL, W, "Chưa ghi họ tên người lập biểu (không biết hỏi lại ai)", _PREPARER_FIX,
                                "Chưa ghi họ tên người lập biểu: không biết hỏi lại ai khi số liệu cần kiểm tra. "
                                + _PREPARER_FIX),
    FindingKind.SAVED_AFTER_DEADLINE: _k(
        _CELL, W, "Ngày lập báo cáo ghi đúng hạn nhưng tệp được lưu lần cuối sau hạn nộp (tính là nộp muộn)",
        "Đối chiếu ngày đơn vị thực gửi tệp (thư điện tử, Zalo); lần sau gửi đúng hạn.",
        "Ngày lập báo cáo ghi {typed} nhưng tệp được lưu lần cuối ngày {saved}; hạn nộp: {deadline}. "
        "Tính là nộp muộn. Nếu đơn vị đã gửi đúng hạn, đối chiếu ngày gửi (thư điện tử, Zalo)."),
    FindingKind.RULE: _k(
        _CHECK, None, "Số liệu trong một tệp trái quy tắc của danh mục (tử số lớn hơn mẫu số, các số lồng nhau…)",
        "Kiểm tra lại các ô được nêu.",
        "{rule} Ô {left_refs} = {left} nhưng ô {right_refs} = {right} (cần {sign}): kiểm tra lại các ô này."),
    FindingKind.CROSS_UNIT_RULE: _k(
        _CHECK, None, "Tổng toàn xã trái quy tắc khi cộng số liệu của nhiều đơn vị",
        "Các đơn vị kiểm tra lại số liệu của mình.",
        "Tổng hợp toàn xã: {rule} Tổng {left} {sign} {right} ({detail}). Các đơn vị kiểm tra lại số liệu của mình."),
    FindingKind.JUMP: _k(
        _CHECK, W, "Số liệu thay đổi quá ±50% so với năm trước của chính đơn vị",
        "Kiểm tra lại; nếu đúng thì ghi giải trình.",
        "“{label}” {direction} {percent}% so với năm {year} ({before} → {after}): "
        "kiểm tra lại, nếu đúng thì ghi giải trình."),
    FindingKind.HISTORY_NO_HEADER: _k(
        Group.HISTORY, E, "Tệp số liệu các năm trước không có dòng tiêu đề",
        "Dùng tệp lich-su-nhap.xlsx do lệnh “ctre-xl init” tạo, giữ nguyên dòng tiêu đề.",
        "không thấy dòng tiêu đề (Mã chỉ tiêu, Năm, Giá trị) trong tệp — dùng tệp lich-su-nhap.xlsx do lệnh "
        "“ctre-xl init” tạo và giữ nguyên dòng tiêu đề. Chưa nhập dòng nào."),
    FindingKind.HISTORY_UNKNOWN_METRIC: _k(
        Group.HISTORY, E, "Không nhận ra chỉ tiêu", "Ghi mã chỉ tiêu (ví dụ CT13) hoặc đúng tên chỉ tiêu.",
        "dòng {row}: không nhận ra chỉ tiêu “{typed}” — ghi mã chỉ tiêu (ví dụ CT13) hoặc đúng tên chỉ tiêu "
        "như lệnh “ctre-xl catalog” liệt kê. Dòng này chưa được nhập."),
    FindingKind.HISTORY_BAD_YEAR: _k(
        Group.HISTORY, E, "Năm không hợp lệ", "Ghi năm bằng bốn chữ số.",
        "dòng {row}: năm “{typed}” không dùng được — ghi năm bằng bốn chữ số, từ {first} đến {last}. "
        "Dòng này chưa được nhập."),
    FindingKind.HISTORY_BAD_NUMBER: _k(
        Group.HISTORY, E, "Số liệu không phải là số", "Ghi số, ví dụ 98,5 (không ghi chữ).",
        "dòng {row}: {column} “{typed}” không phải là số — ghi số, ví dụ 98,5 (không ghi chữ). "
        "Dòng này chưa được nhập."),
    FindingKind.HISTORY_NO_VALUE: _k(
        Group.HISTORY, E, "Thiếu giá trị", "Ghi giá trị, hoặc tử số và mẫu số.",
        "dòng {row}: chỉ tiêu {metric} năm {year} chưa có giá trị — ghi giá trị, hoặc tử số và mẫu số. "
        "Dòng này chưa được nhập."),
    FindingKind.HISTORY_DUPLICATE: _k(
        Group.HISTORY, E, "Một chỉ tiêu, một năm ghi hai lần", "Mỗi chỉ tiêu, mỗi năm chỉ ghi một dòng.",
        "dòng {row}: chỉ tiêu {metric} năm {year} đã có ở dòng {first_row} — mỗi chỉ tiêu, mỗi năm chỉ ghi một "
        "dòng. Dòng này chưa được nhập."),
}
