"""``ctre-xl history import``: past commune values from a simple sheet, and its blank copy.

The sheet (``lich-su-nhap.xlsx``, written blank by ``ctre-xl init``) has one row per metric and
year: the metric's code (CT13) or its Vietnamese name, the year, the value, and the numerator and
denominator when known. The header row may be anywhere in the first rows of the first sheet; its
columns are found by their names. A ratio given only by its numerator and denominator gets its
value computed (on the metric's scale). A bad row is left out with a finding naming it; the good
rows are imported. Each imported value replaces an earlier import of the same metric and year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ctre_xl.errors import RESAVE_AS_XLSX, WorkspaceError
from ctre_xl.files import Workspace
from ctre_xl.history.store import HISTORY_ERRORS, history_path, history_problem, open_history, record_import
from ctre_xl.plan.catalog import Catalog, Metric, fold
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.plan.findings import Finding
from ctre_xl.read.values import parse_number

IMPORT_FILE = "lich-su-nhap.xlsx"
IMPORT_SHEET = "Số liệu các năm"
HEADERS = ("Mã chỉ tiêu", "Năm", "Giá trị", "Tử số", "Mẫu số", "Ghi chú")
FIRST_YEAR = 2010  # the plans before this one reach back to 2021; 2010 leaves room
HEADER_ROWS = 20  # the header is looked for in this many first rows
_COLUMNS = {"metric": ("ma chi tieu", "chi tieu", "ten chi tieu", "ma"), "year": ("nam",),
            "value": ("gia tri", "ket qua"), "numerator": ("tu so",), "denominator": ("mau so",)}
_NAMES = {"value": "giá trị", "numerator": "tử số", "denominator": "mẫu số"}


@dataclass(frozen=True)
class PastValue:
    year: int
    code: str
    value: float
    numerator: float | None
    denominator: float | None
    row: int  # the sheet's row number, as Excel shows it


@dataclass
class ImportRead:
    values: list[PastValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def import_past_values(path: Path, catalog: Catalog, workspace: Workspace) -> ImportRead:
    """Read the sheet at ``path`` and store its good rows in the workspace's history."""
    if not path.is_file():
        raise WorkspaceError(f"Không thấy tệp {path}: kiểm tra lại tên tệp (tệp mẫu: {IMPORT_FILE}, tạo bằng "
                             "lệnh “ctre-xl init”).")
    found = read_past_values(path, catalog)
    if found.values:
        history = history_path(workspace)
        try:
            conn = open_history(history)
            try:
                record_import(conn, [(v.year, v.code, v.value, v.numerator, v.denominator, v.row)
                                     for v in found.values], path.name)
            finally:
                conn.close()
        except (*HISTORY_ERRORS, OSError) as exc:
            raise WorkspaceError(f"Không ghi được vào lịch sử số liệu {history.name}: {history_problem(exc)}. "
                                 f"Chưa nhập số liệu nào "
                                 f"từ {path.name}; sửa lỗi đó rồi chạy lại lệnh.") from exc
    return found


def read_past_values(path: Path, catalog: Catalog) -> ImportRead:
    """Every good row of the sheet at ``path`` and a finding for every bad one."""
    rows, sheet_name = _sheet_rows(path)
    return read_rows(rows, catalog, path.name, sheet_name)


def _sheet_rows(path: Path) -> tuple[list[tuple[int, tuple]], str]:
    """The import sheet's rows, numbered as Excel shows them, and its name. A file openpyxl cannot
    read (damaged, another format: it raises errors of many kinds, zlib's and the XML parser's
    among them) is the user's to fix, said in Vietnamese; the error itself is only chained, for a developer."""
    import openpyxl  # read-only and values only: the sheet's formulas give their cached values

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book[IMPORT_SHEET] if IMPORT_SHEET in book.sheetnames else book.worksheets[0]
            rows = [(number, tuple(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
            return rows, sheet.title
        finally:
            book.close()
    except Exception as exc:
        raise WorkspaceError(f"Không đọc được tệp {path.name}: tệp bị hỏng hoặc không phải bảng tính .xlsx theo mẫu "
                             f"{IMPORT_FILE}. {RESAVE_AS_XLSX}") from exc


def read_rows(rows: list[tuple[int, tuple]], catalog: Catalog, file: str, sheet: str) -> ImportRead:
    """The rows (Excel row number, cells) of the sheet, header included."""
    found = ImportRead()
    header = next(((number, columns) for number, cells in rows[:HEADER_ROWS]
                   if {"metric", "year"} <= set(columns := _columns(cells))), None)
    if header is None:
        found.findings.append(FindingKind.HISTORY_NO_HEADER.finding(file=file, sheet=sheet))
        return found
    start, columns = header
    metrics = _metric_lookup(catalog)
    first_rows: dict[tuple[str, int], int] = {}
    for number, cells in rows:
        if number <= start or not any(_text(c) for c in cells):
            continue
        where = {"file": file, "sheet": sheet, "cell": f"A{number}"}
        past, problem = _row(number, cells, columns, metrics, catalog, where)
        if problem is None and past is not None and (past.code, past.year) in first_rows:
            problem = FindingKind.HISTORY_DUPLICATE.finding(**where, row=number, metric=past.code, year=past.year,
                                                            first_row=first_rows[(past.code, past.year)])
        if problem is not None:
            found.findings.append(problem)
            continue
        assert past is not None
        first_rows[(past.code, past.year)] = number
        found.values.append(past)
    return found


def _row(number: int, cells: tuple, columns: dict[str, int], metrics: dict[str, Metric],
         catalog: Catalog, where: dict[str, str]) -> tuple[PastValue | None, Finding | None]:

    def cell(name: str) -> object:
        at = columns.get(name)
        return cells[at] if at is not None and at < len(cells) else None

    typed = _text(cell("metric"))
    metric = metrics.get(fold(typed).replace(" ", "")) or metrics.get(fold(typed))
    if metric is None:
        return None, FindingKind.HISTORY_UNKNOWN_METRIC.finding(**where, row=number, typed=typed)
    year = parse_number(cell("year")).value
    if year is None or year != int(year) or not FIRST_YEAR <= year <= catalog.last_year:
        return None, FindingKind.HISTORY_BAD_YEAR.finding(**where, row=number, typed=_text(cell("year")),
                                                          first=FIRST_YEAR, last=catalog.last_year)
    numbers: dict[str, float | None] = {}
    for name in ("value", "numerator", "denominator"):
        parsed = parse_number(cell(name))
        if parsed.value is None and _text(cell(name)) or parsed.problem not in (None, FindingKind.PERCENT_IN_COUNT):
            return None, FindingKind.HISTORY_BAD_NUMBER.finding(**where, row=number, column=_NAMES[name],
                                                                typed=_text(cell(name)))
        numbers[name] = parsed.value
    value, num, den = numbers["value"], numbers["numerator"], numbers["denominator"]
    if value is None and num is not None and den:
        value = num / den * (metric.factor or 1)
    if value is None:
        return None, FindingKind.HISTORY_NO_VALUE.finding(**where, row=number, metric=metric.code, year=int(year))
    return PastValue(int(year), metric.code, value, num, den, number), None


def _columns(cells: tuple) -> dict[str, int]:
    """Which column holds what, by the header's words (first match wins)."""
    found: dict[str, int] = {}
    for at, cell in enumerate(cells):
        words = fold(_text(cell))
        for name, heads in _COLUMNS.items():
            if name not in found and words in heads:
                found[name] = at
    return found


def _metric_lookup(catalog: Catalog) -> dict[str, Metric]:
    """Folded code ("ct13", also "ct 13") and folded name -> metric."""
    found: dict[str, Metric] = {}
    for metric in catalog.metrics:
        found.setdefault(fold(metric.name), metric)
        found[fold(metric.code)] = metric
    return found


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


GUIDE = (
    "NHẬP SỐ LIỆU CÁC NĂM TRƯỚC (trước khi dùng ctre-xl)",
    "",
    "1. Ở trang “Số liệu các năm”, mỗi dòng là một chỉ tiêu của xã trong một năm.",
    "2. Cột “Mã chỉ tiêu”: ghi mã (ví dụ CT13, CT03a) hoặc đúng tên chỉ tiêu (xem trang “Danh mục chỉ tiêu”).",
    "3. Cột “Năm”: năm của số liệu, bốn chữ số (ví dụ 2023).",
    "4. Cột “Giá trị”: số liệu của xã như trong báo cáo năm đó (tỷ lệ ghi số phần trăm, ví dụ 98,5).",
    "5. Cột “Tử số”, “Mẫu số”: ghi nếu biết (ví dụ số trẻ được tiêm đủ và tổng số trẻ); có tử số và mẫu "
    "số mà bỏ trống giá trị thì ctre-xl tự tính.",
    "6. Không sửa dòng tiêu đề. Lưu tệp rồi chạy: ctre-xl history import lich-su-nhap.xlsx",
    "",
    "Dòng nào sai (không nhận ra chỉ tiêu, năm sai, số liệu không phải là số, ghi trùng) thì không được nhập "
    "và được báo rõ số dòng; các dòng đúng vẫn được nhập. Nhập lại cùng chỉ tiêu và năm thì số mới thay số cũ. "
    "Năm nào đã được ctre-xl tổng hợp thì số tổng hợp được dùng.",
)


def write_import_sheet(path: Path, catalog: Catalog) -> Path:
    """The blank sheet of past values, with its guide and the list of metrics (Vietnamese)."""
    from ctre_xl.book import SafeBook
    from ctre_xl.files import atomic_output
    from ctre_xl.style import HEADER_FILL, INPUT_FILL, font

    with atomic_output(Path(path)) as temporary:
        book = SafeBook(str(temporary), {"strings_to_numbers": False, "strings_to_formulas": False})
        bold = book.add_format({**font(), "bold": True, "bg_color": HEADER_FILL, "border": 1})
        typing = book.add_format({**font(), "bg_color": INPUT_FILL, "border": 1})
        plain = book.add_format({**font(), "text_wrap": True, "valign": "top"})
        sheet = book.add_worksheet(IMPORT_SHEET)
        sheet.write_row(0, 0, HEADERS, bold)
        for row in range(1, 201):
            sheet.write_row(row, 0, [None] * len(HEADERS), typing)
        for column, width in enumerate((16, 10, 14, 14, 14, 40)):
            sheet.set_column(column, column, width)
        sheet.freeze_panes(1, 0)
        guide = book.add_worksheet("Hướng dẫn")
        guide.set_column(0, 0, 110, plain)
        for row, line in enumerate(GUIDE):
            guide.write(row, 0, line, plain)
        listing = book.add_worksheet("Danh mục chỉ tiêu")
        listing.write_row(0, 0, ("Mã chỉ tiêu", "Tên chỉ tiêu"), bold)
        for row, metric in enumerate(catalog.metrics, start=1):
            listing.write_row(row, 0, (metric.code, metric.name), plain)
        listing.set_column(0, 0, 14)
        listing.set_column(1, 1, 100, plain)
        book.close()
    return Path(path)
