"""The units registry: the plan's departments plus the commune's own list of schools and đoàn thể.

Schools and mass organisations (đoàn thể: Hội Liên hiệp Phụ nữ, Đoàn Thanh niên, ...) are kept by
the users in ``don-vi.xlsx`` in their workspace (columns: code, name, level, contact); the level
column says "Đoàn thể" for an organisation. Without that file the built-in example schools are used.
The plan's departments (and the MTTQ) come from the catalogue; their contacts are kept on a second,
small sheet of the same file (``DEPARTMENTS_SHEET``: code, name, contact). Files written before that
sheet existed (or with the schools' sheet "Danh sách trường") still read: the departments then have
no contact.

Units with figures to report (departments with elements, schools) are ``Registry.expected``.
Units without figures (the MTTQ, the đoàn thể) get an optional narrative template: the plan asks
them to report and to monitor (sections VI.6 and VII), but no metric rests on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ctre_xl.plan.catalog import Catalog, Metric, fold, nfc
from ctre_xl.errors import RESAVE_AS_XLSX, RegistryError
from ctre_xl.files import windows_safe_name
from ctre_xl.style import HEADER_FILL, font

REGISTRY_FILE = "don-vi.xlsx"
REGISTRY_SHEET = "Danh sách đơn vị"
LEGACY_SHEETS = ("Danh sách trường",)  # files written before the đoàn thể were listed
REGISTRY_HEADERS = ("Mã đơn vị", "Tên đơn vị", "Cấp học hoặc Đoàn thể", "Liên hệ (người phụ trách, điện thoại, email)")
DEPARTMENTS_SHEET = "Phòng ban và MTTQ"  # the departments' contacts (names and codes come from the plan)
DEPARTMENT_HEADERS = (REGISTRY_HEADERS[0], REGISTRY_HEADERS[1], REGISTRY_HEADERS[3])
_HEADER_KEYS = {"code": ("ma", "ma don vi", "ma truong", "code"),
                "name": ("ten", "ten truong", "ten don vi", "name"),
                "level": ("cap", "cap hoc", "loai", "loai don vi", "level"),
                "contact": ("lien he", "contact")}
# The level column's value for a mass organisation, and what users may type instead (folded).
ORGANISATION_LEVEL = "Đoàn thể"
ORGANISATION_ID = "doan-the"
_ORGANISATION_SPELLINGS = frozenset({"doan the", "doan-the", "to chuc", "to chuc doan the", "hoi"})
_SCHOOL_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

# The built-in example schools, one per level, clearly named as examples.
EXAMPLE_SCHOOLS = (
    ("mn-vi-du", "Trường Mầm non Xuân Trường (ví dụ)", "mam-non", ""),
    ("th-vi-du", "Trường Tiểu học Xuân Trường (ví dụ)", "tieu-hoc", ""),
    ("thcs-vi-du", "Trường THCS Xuân Trường (ví dụ)", "thcs", ""),
)


@dataclass(frozen=True)
class Unit:
    """A unit that may report: a department of the plan, a school or a mass organisation."""

    id: str
    name: str
    kind: str  # "department", "school" or "organisation"
    elements: tuple[str, ...]
    level: str | None = None  # school level id
    contact: str = ""

    @property
    def narrative(self) -> bool:
        """No figure to report (the MTTQ, a đoàn thể): an optional narrative template only."""
        return not self.elements

    @property
    def has_template(self) -> bool:
        return True  # figures, or the narrative template


@dataclass(frozen=True)
class Registry:
    units: tuple[Unit, ...]
    source: str  # where the schools came from, for messages

    def get(self, unit_id: str) -> Unit | None:
        return self._by_id.get(unit_id)

    @cached_property
    def _by_id(self) -> dict[str, Unit]:
        """Units by id, built once: ``get`` runs a few times per file of the inbox (the first of
        two units with one id wins, as the linear search did)."""
        index: dict[str, Unit] = {}
        for unit in self.units:
            index.setdefault(unit.id, unit)
        return index

    @cached_property
    def expected(self) -> tuple[Unit, ...]:
        """Units with figures to report, expected to send their template back (asked per metric)."""
        return tuple(u for u in self.units if not u.narrative)

    @cached_property
    def expected_elements(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """(id, elements as a set) of every expected unit, asked per metric. One set per kind of unit
        (a school level, a department): what a metric asks of a kind is then worked out once and
        found by identity (``merge/coverage.expected_providers``, the summary's "Theo đơn vị")."""
        kinds: dict[frozenset[str], frozenset[str]] = {}
        found = []
        for unit in self.expected:
            elements = frozenset(unit.elements)
            found.append((unit.id, kinds.setdefault(elements, elements)))
        return tuple(found)

    @cached_property
    def optional(self) -> tuple[Unit, ...]:
        """Units whose narrative template is welcome but never expected: never counted, never missing."""
        return tuple(u for u in self.units if u.narrative)

    @cached_property
    def schools(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.kind == "school")

    @cached_property
    def organisations(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.kind == "organisation")

    def metrics_of(self, catalog: Catalog, unit: Unit) -> list[Metric]:
        return catalog.metrics_for_elements(unit.elements)


def school_unit(catalog: Catalog, code: str, name: str, level_id: str, contact: str = "") -> Unit:
    level = next(level for level in catalog.school_levels if level.id == level_id)
    return Unit(id=code, name=name, kind="school", elements=level.elements, level=level.id, contact=contact)


def department_units(catalog: Catalog, contacts: dict[str, str] | None = None) -> list[Unit]:
    """The plan's departments, with their contacts (department id -> text) when the commune gave them."""
    given = contacts or {}
    return [Unit(id=d.id, name=d.name, kind="department", elements=d.elements, contact=given.get(d.id, ""))
            for d in catalog.departments]


def default_registry(catalog: Catalog) -> Registry:
    schools = [school_unit(catalog, *row) for row in EXAMPLE_SCHOOLS]
    return Registry(tuple(department_units(catalog) + schools), source="danh sách trường ví dụ có sẵn")


def load_registry(workspace: Path, catalog: Catalog) -> Registry:
    """The registry of a workspace: don-vi.xlsx when present, else the built-in example."""
    path = Path(workspace) / REGISTRY_FILE
    if not path.exists():
        return default_registry(catalog)
    return read_registry_workbook(path, catalog)


def read_registry_workbook(path: Path, catalog: Catalog) -> Registry:
    """Read the schools and đoàn thể from ``path``; every bad row is reported, all at once."""
    # python-calamine: the list is the commune's own file, and a registry of thousands of schools
    # reads in milliseconds instead of half a second with openpyxl.
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        title = next((n for n in (REGISTRY_SHEET, *LEGACY_SHEETS) if n in names), names[0])
        sheet = workbook.get_sheet_by_name(title)
        # Keep the empty area above and left of the data so row numbers match what Excel shows.
        rows = [tuple(row[:8]) for row in sheet.to_python(skip_empty_area=False)]
        department_rows = ([tuple(row[:8]) for row in
                            workbook.get_sheet_by_name(DEPARTMENTS_SHEET).to_python(skip_empty_area=False)]
                           if DEPARTMENTS_SHEET in names else [])
    except Exception as exc:  # calamine's own error types: their (English) words are chained, not shown
        raise RegistryError(f"Không mở được danh sách đơn vị {path.name}: tệp bị hỏng hoặc không phải bảng tính .xlsx. "
                            f"{RESAVE_AS_XLSX}") from exc
    if not rows:
        raise RegistryError(f"{path.name}, trang “{sheet.name}”: không có dòng tiêu đề "
                            "(Mã đơn vị, Tên đơn vị, Cấp học hoặc Đoàn thể, Liên hệ).")
    columns = _columns(rows[0])
    missing = [key for key in ("code", "name", "level") if key not in columns]
    if missing:
        raise RegistryError(
            f"{path.name}, trang “{sheet.name}”, dòng 1: thiếu cột "
            + ", ".join(REGISTRY_HEADERS[("code", "name", "level").index(k)] for k in missing) + "."
        )
    taken = {u.id: u.name for u in department_units(catalog)}
    problems: list[str] = []
    listed: list[Unit] = []
    for number, row in enumerate(rows[1:], start=2):
        cell = {key: _cell_text(row, index) for key, index in columns.items()}
        if any(cell.values()):
            where = f"{path.name}, trang “{sheet.name}”, dòng {number}"
            unit = _row_unit(catalog, cell, where, f"dòng {number}", taken, problems)
            if unit is not None:
                listed.append(unit)
    contacts = _department_contacts(catalog, department_rows, path.name, problems)
    if problems:
        raise RegistryError("Danh sách đơn vị có lỗi, sửa rồi chạy lại:\n" + "\n".join(f"  - {p}" for p in problems))
    return Registry(tuple(department_units(catalog, contacts) + listed), source=str(path))


def _department_contacts(catalog: Catalog, rows: list[tuple], file_name: str, problems: list[str]) -> dict[str, str]:
    """Department id -> contact, from the departments' sheet (a row is matched by its code, else its name)."""
    if not rows:
        return {}
    columns = _columns(rows[0])
    if "contact" not in columns or not ({"code", "name"} & set(columns)):
        return {}  # no usable header: nothing to read, the departments simply have no contact
    by_name = {fold(d.name): d.id for d in catalog.departments}
    ids = {d.id for d in catalog.departments}
    contacts: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        cell = {key: _cell_text(row, index) for key, index in columns.items()}
        code = cell.get("code", "").lower() or by_name.get(fold(cell.get("name", "")), "")
        if code in ids:
            contacts[code] = cell["contact"]
        elif any(cell.values()):
            shown = cell.get("code") or cell.get("name")
            problems.append(f"{file_name}, trang “{DEPARTMENTS_SHEET}”, dòng {number}: “{shown}” không phải một "
                            f"phòng, ban của kế hoạch (mã: {', '.join(sorted(ids))}).")
    return contacts


def is_organisation_level(text: str) -> bool:
    """Whether a level cell names a mass organisation ("Đoàn thể", "Hội", "Tổ chức", ...)."""
    return fold(text) in _ORGANISATION_SPELLINGS


def _row_unit(catalog: Catalog, cell: dict[str, str], where: str, row_name: str, taken: dict[str, str],
              problems: list[str]) -> Unit | None:
    """The unit of one row of the list, or None with its problems appended to ``problems``."""
    code = cell["code"].lower()
    organisation = bool(cell["level"]) and is_organisation_level(cell["level"])
    level = catalog.level(cell["level"]) if cell["level"] and not organisation else None
    found = len(problems)
    if not code:
        problems.append(f"{where}: thiếu mã đơn vị.")
    elif not _SCHOOL_CODE.match(code):
        problems.append(f"{where}: mã đơn vị “{cell['code']}” chỉ được gồm chữ không dấu, số, “-”, “_” (tối đa 40 ký tự).")
    elif not windows_safe_name(code):
        problems.append(f"{where}: mã đơn vị “{cell['code']}” trùng tên thiết bị mà Windows không cho đặt tên tệp "
                        f"(CON, PRN, AUX, NUL, COM1–COM9, LPT1–LPT9): đổi mã khác, ví dụ “{code}-1”.")
    elif code in taken:
        again = (f" (liên hệ của phòng, ban nhập ở trang “{DEPARTMENTS_SHEET}”)"
                 if code in {d.id for d in catalog.departments} else "")
        problems.append(f"{where}: mã đơn vị “{cell['code']}” bị trùng với {taken[code]}{again}.")
    if not cell["name"]:
        problems.append(f"{where}: thiếu tên đơn vị.")
    if level is None and not organisation:
        names = ", ".join([*(level.name for level in catalog.school_levels), ORGANISATION_LEVEL])
        shown = f"“{cell['level']}”" if cell["level"] else "trống"
        problems.append(f"{where}: cấp học {shown} không hợp lệ (chọn một trong: {names}).")
    if code and code not in taken:
        taken[code] = row_name
    if len(problems) > found:
        return None
    contact = cell.get("contact", "")
    if organisation:
        return Unit(id=code, name=cell["name"], kind="organisation", elements=(), contact=contact)
    assert level is not None
    return Unit(id=code, name=cell["name"], kind="school", elements=level.elements, level=level.id, contact=contact)


def _columns(header: tuple) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(header):
        text = fold(value or "")
        for key, names in _HEADER_KEYS.items():
            if key not in found and any(text == n or text.startswith(n + " ") for n in names):
                found[key] = index
    return found


def _cell_text(row: tuple, index: int) -> str:
    value = row[index] if index < len(row) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(nfc(str(value)).split())


def write_registry_workbook(path: Path, catalog: Catalog, schools: list[tuple[str, str, str, str]] | None = None,
                            department_contacts: dict[str, str] | None = None) -> Path:
    """Write a don-vi.xlsx users can edit: the schools (and đoàn thể: level ``ORGANISATION_ID``),
    a drop-down for the level, the departments' contacts on their own sheet, guidance."""
    from ctre_xl.book import SafeBook
    from ctre_xl.files import atomic_output

    rows = list(EXAMPLE_SCHOOLS if schools is None else schools)
    level_names = [level.name for level in catalog.school_levels]
    choices = [*level_names, ORGANISATION_LEVEL]
    with atomic_output(Path(path)) as temporary:
        workbook = SafeBook(str(temporary))
        bold = workbook.add_format({**font(), "bold": True, "bg_color": HEADER_FILL, "border": 1, "text_wrap": True})
        plain = workbook.add_format(font())
        sheet = workbook.add_worksheet(REGISTRY_SHEET)
        sheet.write_row(0, 0, REGISTRY_HEADERS, bold)
        for number, (code, name, level_id, contact) in enumerate(rows, start=1):
            level = next((lv.name for lv in catalog.school_levels if lv.id == level_id),
                         ORGANISATION_LEVEL if level_id == ORGANISATION_ID else level_id)
            sheet.write_row(number, 0, (code, name, level, contact), plain)
        sheet.data_validation(1, 2, 500, 2, {
            "validate": "list", "source": choices,
            "input_title": "Cấp học hoặc Đoàn thể",
            "input_message": "Trường học: chọn cấp học. Hội, đoàn thể của xã: chọn “Đoàn thể”.",
            "error_title": "Cấp học không hợp lệ", "error_message": "Chọn một mục trong danh sách.",
        })
        sheet.set_column(0, 0, 16, plain)
        sheet.set_column(1, 1, 45, plain)
        sheet.set_column(2, 2, 22, plain)
        sheet.set_column(3, 3, 45, plain)
        sheet.freeze_panes(1, 0)
        _write_departments_sheet(workbook, catalog, department_contacts or {}, bold, plain)
        guide = workbook.add_worksheet("Hướng dẫn")
        guide.set_column(0, 0, 100, plain)
        lines = [
            "Danh sách các trường học và các đoàn thể trên địa bàn xã — mỗi đơn vị một dòng.",
            "Mã đơn vị: chữ không dấu, số, dấu “-”; không trùng nhau (ví dụ: mn-xuan-truong). Mã dùng làm tên tệp biểu mẫu.",
            "Tên đơn vị: tên đầy đủ. Cấp học: " + ", ".join(level_names) + ".",
            "Hội, đoàn thể của xã (Hội Liên hiệp Phụ nữ, Đoàn Thanh niên, Hội Nông dân, Hội Cựu chiến binh…): "
            "chọn “Đoàn thể” ở cột cấp học. Đoàn thể nhận biểu mẫu ý kiến (kết quả, khó khăn, đề xuất, giám sát), "
            "không bắt buộc gửi và không tính vào chỉ tiêu nào.",
            "Các trường có chữ “(ví dụ)” là dữ liệu mẫu: thay bằng các trường thật của xã.",
            "Các phòng, ban của xã (Phòng Văn hoá - Xã hội, Văn phòng, Công an, Phòng Kinh tế) "
            "và Ủy ban MTTQ Việt Nam xã đã có sẵn, không cần nhập vào danh sách trên.",
            f"Trang “{DEPARTMENTS_SHEET}”: chỉ cần nhập người liên hệ (họ tên, điện thoại, email) của từng phòng, ban; "
            "không sửa mã đơn vị. Cột liên hệ của mọi đơn vị dùng cho lệnh “ctre-xl status” (nhắc nộp báo cáo).",
        ]
        for number, line in enumerate(lines):
            guide.write(number, 0, line, plain)
        workbook.close()
    return Path(path)


def _write_departments_sheet(workbook: Any, catalog: Catalog, contacts: dict[str, str], bold: Any, plain: Any) -> None:
    """The plan's departments, one row each, with a contact column for the commune to fill."""
    sheet = workbook.add_worksheet(DEPARTMENTS_SHEET)
    sheet.write_row(0, 0, DEPARTMENT_HEADERS, bold)
    for number, department in enumerate(catalog.departments, start=1):
        sheet.write_row(number, 0, (department.id, department.name, contacts.get(department.id, "")), plain)
    sheet.set_column(0, 0, 16, plain)
    sheet.set_column(1, 1, 45, plain)
    sheet.set_column(2, 2, 45, plain)
    sheet.freeze_panes(1, 0)
