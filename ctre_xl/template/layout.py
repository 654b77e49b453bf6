"""Where everything sits in a unit's template: the contract between writing and reading.

``build_layout`` decides, from the catalogue and the unit alone, every row of the input sheet and
every named cell. The template writer renders it; the reader compares what comes back with it to
report structure changes. Its fingerprint is stored in each template.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.plan.units import Unit

FORMAT_ID = "ctre-xl"
FORMAT_VERSION = 1
FRONT_SHEET = "Thông tin chung"
INPUT_SHEET = "Số liệu"
META_SHEET = "ctre_meta"
META_PROPERTY_PREFIX = "ctre_"

# Input sheet columns (0-based): code, label, unit of measure, value, live check of the value,
# target in force, live rate, explanation.
COL_CODE, COL_LABEL, COL_UNIT, COL_VALUE, COL_CHECK, COL_TARGET, COL_RATE, COL_NOTE = range(8)
# Templates written before the check column (format 1, up to ctre-xl 2025.x) had two more target
# columns, so their explanation cells sit one column further right. The reader accepts both.
FORMER_COL_NOTE = 8
INPUT_HEADER_ROW = 3  # rows 0-2: title, unit, year; row 3: column headers
FIRST_BODY_ROW = 4

# Named cells outside the metric blocks: name -> Vietnamese label.
PREPARER_FIELDS = {
    "preparer_name": "Người lập biểu",
    "preparer_phone": "Điện thoại",
    "report_date": "Ngày lập báo cáo",
}
FREE_TEXT_FIELDS = {
    "report_results": "Kết quả nổi bật trong năm",
    "report_difficulties": "Khó khăn, vướng mắc",
    "report_proposals": "Đề xuất, kiến nghị",
}
FRONT_FIRST_FIELD_ROW = 12  # preparer fields start here on the front sheet (0-based)
FRONT_CHECK_ROW = 9  # the live "Còn N ô cần kiểm tra" line on the front sheet (0-based)

# The optional narrative template of the MTTQ and the đoàn thể (plan VI.6 and VII): the three
# free-text fields every unit has, plus the MTTQ's monitoring opinion, on their own sheet.
NARRATIVE_SHEET = "Ý kiến"
MONITORING_FIELD = "report_monitoring"
NARRATIVE_FIELDS = {
    "report_results": "Kết quả thực hiện",
    "report_difficulties": "Khó khăn, vướng mắc",
    "report_proposals": "Đề xuất, kiến nghị",
    MONITORING_FIELD: "Ý kiến giám sát, đánh giá việc thực hiện Kế hoạch",
}
TEXT_FIELDS = {**FREE_TEXT_FIELDS, MONITORING_FIELD: NARRATIVE_FIELDS[MONITORING_FIELD]}  # every free-text name


def is_body_sheet(name: str) -> bool:
    """The sheet a unit types into (figures, or the narrative's texts), as opposed to the front sheet."""
    return name in (INPUT_SHEET, NARRATIVE_SHEET)


def note_name(metric_code: str) -> str:
    """Defined name of a metric's explanation (giải trình) cell."""
    return f"note_{metric_code}"


def former_place(name: str, expected: tuple[str, int, int]) -> tuple[str, int, int] | None:
    """Where a previous version of the template put the named cell now ``expected``, if elsewhere."""
    sheet, row, col = expected
    if name.startswith("note_") and sheet == INPUT_SHEET and col == COL_NOTE:
        return sheet, row, FORMER_COL_NOTE
    return None


@dataclass(frozen=True)
class Row:
    """One row of the input sheet."""

    index: int  # 0-based sheet row
    kind: str  # objective | metric | element | reference | group | free_text_title | free_text
    text: str
    metric: Metric | None = None
    element: str | None = None  # element code for element/reference rows, field name for free text
    source_row: int | None = None  # for a reference row: where the element was typed


@dataclass(frozen=True)
class TemplateLayout:
    unit: Unit
    year: int
    rows: tuple[Row, ...]
    cells: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # name -> (sheet, row, col)

    @property
    def element_cells(self) -> dict[str, tuple[str, int, int]]:
        return {row.element: (INPUT_SHEET, row.index, COL_VALUE) for row in self.rows if row.kind == "element"}

    @property
    def fingerprint(self) -> str:
        """A short hash of the structure: what is asked, where, with which label."""
        # The JSON of [unit id, shape, cells] is "[" + the id's JSON + ", " + the rest's: the
        # rest, the same for every unit of one layout, is made once (see _shape_json).
        payload = "[" + json.dumps(self.unit.id, ensure_ascii=False) + ", " + _shape_json(self.rows, self.cells)[1:]
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


_SHAPES: dict[int, tuple[tuple[Row, ...], dict[str, tuple[str, int, int]], str]] = {}


def _shape_json(rows: tuple[Row, ...], cells: dict[str, tuple[str, int, int]]) -> str:
    """The JSON of [shape, sorted cells] of a layout, kept per rows (the entry holds them, so their
    id() is not reused while it exists) with a copy of the cells it was made from."""
    found = _SHAPES.get(id(rows))
    if found is not None and found[0] is rows and found[1] == cells:
        return found[2]
    shape = [(r.index, r.kind, r.text, r.element, r.metric.code if r.metric else None) for r in rows]
    made = json.dumps([shape, sorted(cells.items())], ensure_ascii=False)
    if len(_SHAPES) >= 256:
        _SHAPES.clear()
    _SHAPES[id(rows)] = (rows, dict(cells), made)
    return made


_LAYOUTS: dict[tuple[int, tuple[str, ...], int], tuple[Catalog, tuple[Row, ...], dict[str, tuple[str, int, int]]]] = {}
_LAYOUTS_KEPT = 256  # distinct (catalogue, element list, year): a handful per merge


def cached_layout(catalog: Catalog, unit: Unit, year: int) -> TemplateLayout:
    """``build_layout``, computed once per catalogue, element list and year.

    The rows and cells depend on the unit's elements only (thousands of schools share three
    element lists), so the reader and the validation ask for the same few layouts thousands of
    times. The key holds the catalogue's id(); the entry keeps the catalogue alive so that id
    cannot be reused while the entry exists. The returned ``cells`` dict is shared: read it only.
    """
    key = (id(catalog), unit.elements, year)
    found = _LAYOUTS.get(key)
    if found is None:
        if len(_LAYOUTS) >= _LAYOUTS_KEPT:
            _LAYOUTS.clear()
        built = build_layout(catalog, unit, year)
        found = _LAYOUTS[key] = (catalog, built.rows, built.cells)
    return TemplateLayout(unit=unit, year=year, rows=found[1], cells=found[2])


def element_label(catalog: Catalog, code: str, year: int) -> str:
    """An element's label with the period its figure covers in ``year``: "… (năm học 2025–2026)"."""
    element = catalog.elements[code]
    period = catalog.period_text(element, year)
    return f"{element.label} ({period})" if period else element.label


def build_layout(catalog: Catalog, unit: Unit, year: int) -> TemplateLayout:
    """The rows and named cells of ``unit``'s template for ``year``."""
    if unit.narrative:
        return _narrative_layout(unit, year)
    metrics = catalog.metrics_for_elements(unit.elements)
    provided = set(unit.elements)
    rows: list[Row] = []
    cells: dict[str, tuple[str, int, int]] = {}
    typed_at: dict[str, int] = {}
    index = FIRST_BODY_ROW
    objective_names = {o.number: o.name for o in catalog.objectives}
    current_objective = None
    for metric in metrics:
        if metric.objective != current_objective:
            current_objective = metric.objective
            rows.append(Row(index, "objective", f"Mục tiêu {metric.objective}: {objective_names[metric.objective]}"))
            index += 1
        rows.append(Row(index, "metric", metric.name, metric=metric))
        cells[note_name(metric.code)] = (INPUT_SHEET, index, COL_NOTE)
        index += 1
        for code in metric.elements:
            if code not in provided:
                continue  # another unit reports it (e.g. the commune's population figures)
            label = element_label(catalog, code, year)
            if code in typed_at:
                rows.append(Row(index, "reference", label, metric=metric, element=code, source_row=typed_at[code]))
            else:
                rows.append(Row(index, "element", label, metric=metric, element=code))
                typed_at[code] = index
                cells[code] = (INPUT_SHEET, index, COL_VALUE)
            index += 1
    # Figures that belong to no metric (Phòng Kinh tế's funding), grouped under their heading.
    leftovers = [code for code in unit.elements if code not in typed_at]
    current_group = None
    for code in leftovers:
        element = catalog.elements[code]
        group = element.group or "Số liệu khác"
        if group != current_group:
            current_group = group
            rows.append(Row(index, "group", group))
            index += 1
        rows.append(Row(index, "element", element_label(catalog, code, year), element=code))
        cells[code] = (INPUT_SHEET, index, COL_VALUE)
        typed_at[code] = index
        index += 1
    index += 1
    rows.append(Row(index, "free_text_title", "Kết quả thực hiện, khó khăn, đề xuất"))
    index += 1
    for name, label in FREE_TEXT_FIELDS.items():
        rows.append(Row(index, "free_text", label, element=name))
        cells[name] = (INPUT_SHEET, index, COL_VALUE)
        index += 1
    for offset, name in enumerate(PREPARER_FIELDS):
        cells[name] = (FRONT_SHEET, FRONT_FIRST_FIELD_ROW + offset, 1)
    return TemplateLayout(unit=unit, year=year, rows=tuple(rows), cells=cells)


def _narrative_layout(unit: Unit, year: int) -> TemplateLayout:
    """The MTTQ's or a đoàn thể's template: four texts under one heading, on ``NARRATIVE_SHEET``.

    Rows do not depend on the unit (``cached_layout`` shares them between all narrative units).
    """
    index = FIRST_BODY_ROW
    rows = [Row(index, "free_text_title", "Kết quả thực hiện, khó khăn, đề xuất và ý kiến giám sát")]
    cells: dict[str, tuple[str, int, int]] = {}
    for name, label in NARRATIVE_FIELDS.items():
        index += 1
        rows.append(Row(index, "free_text", label, element=name))
        cells[name] = (NARRATIVE_SHEET, index, COL_VALUE)
    for offset, name in enumerate(PREPARER_FIELDS):
        cells[name] = (FRONT_SHEET, FRONT_FIRST_FIELD_ROW + offset, 1)
    return TemplateLayout(unit=unit, year=year, rows=tuple(rows), cells=cells)


def metadata(catalog: Catalog, layout: TemplateLayout, created: str, tool_version: str,
             sample: bool = False) -> dict[str, str]:
    """The key/value pairs stored in the hidden sheet and the workbook's custom properties."""
    unit = layout.unit
    return {
        "format": FORMAT_ID,
        "format_version": str(FORMAT_VERSION),
        "unit_id": unit.id,
        "unit_name": unit.name,
        "unit_kind": unit.kind,
        "unit_level": unit.level or "",
        "year": str(layout.year),
        "catalog_id": catalog.id,
        "catalog_version": catalog.version,
        "fingerprint": layout.fingerprint,
        "created": created,
        "tool_version": tool_version,
        "sample": "1" if sample else "0",
    }
