"""Reading returned templates that LibreOffice saved as .ods: the same answers as the xlsx reader.

Real templates of every default unit are filled, converted to .ods by LibreOffice in one call, and
both readers are compared name by name and cell by cell (and through the reader's own
``_read_workbook``). Handwritten packages cover ODF details and hostile input without LibreOffice.
"""

from __future__ import annotations

import io
import subprocess
import time
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

import pytest

from ctre_xl.template import layout as L
from ctre_xl.plan.load import load_catalog
from ctre_xl.read.ods.workbook import OdsWorkbook
from ctre_xl.read.ods.values import excel_formula, excel_reference
from ctre_xl.read.submission import _read_workbook
from ctre_xl.plan.units import default_registry
from ctre_xl.read.xlsx.workbook import Cell, WorkbookError, XlsxWorkbook

from conftest import requires_soffice, soffice_path
from reading_helpers import fill, make_template

UNITS = [unit.id for unit in default_registry(load_catalog()).expected]
NOTES = ["=ghi chú", "Ghi chú  hai   dấu cách", "  đầu dòng có khoảng trắng", "Tab\tgiữa", "Dòng 1\nDòng 2"]
PHONE = "+84 912 345 678"


def _typed(catalog, unit, index: int):  # noqa: ANN001, ANN202 - catalogue objects
    """What a unit types into its figures, notes and text fields: numbers, text numbers, Có,
    literal and broken formulas, a phone number, a date (or a date typed as text)."""
    plan = L.build_layout(catalog, unit, 2026)
    values: dict[str, object] = {}
    for i, code in enumerate(plan.element_cells):
        kind = catalog.elements[code].kind
        if kind == "yes_no":
            values[code] = [True, "Không", "có "][i % 3]
        elif kind == "money":
            values[code] = [2_500_000_000, "1 200 000 000"][i % 2]
        else:
            values[code] = ["1.234", i * 3 + 1, 12.5, "=2+3", "=1/0", None][(i + index) % 6]
    notes = {row.metric.code: NOTES[(i + index) % len(NOTES)] for i, row in enumerate(plan.rows)
             if row.kind == "metric"}
    return plan, values, notes


@pytest.fixture(scope="module")
def converted(tmp_path_factory, catalog, registry):  # noqa: ANN001, ANN201
    """unit id -> (filled .xlsx, the .ods LibreOffice made of it); all converted in one call."""
    root = tmp_path_factory.mktemp("ods")
    sources: dict[str, Path] = {}
    for index, unit_id in enumerate(UNITS):
        unit = registry.get(unit_id)
        plan, values, notes = _typed(catalog, unit, index)
        template = make_template(catalog, registry, unit_id, 2026, root / "templates" / f"{unit_id}.xlsx")
        first_note = next((name for name in plan.cells if name.startswith("note_")), "report_proposals")
        typed = {k: v for k, v in values.items() if v is not None} | {first_note: "=không phải công thức"}
        sources[unit_id] = fill(template, typed, root / "filled" / f"{unit_id}.xlsx", as_text=(first_note,),
                                notes={c: n for c, n in notes.items() if L.note_name(c) != first_note},
                                preparer={"preparer_name": "Nguyễn Thị Ánh", "preparer_phone": PHONE},
                                free_text={"report_results": "Kết quả:\n- tiêm chủng đạt 98%",
                                           "report_difficulties": "Thiếu   kinh phí\tvà nhân lực"},
                                report_date="05/11/2026" if index % 2 else date(2026, 11, 5))
    out = root / "ods"
    subprocess.run([soffice_path(), f"-env:UserInstallation=file://{root / 'lo-ods-profile'}", "--headless",
                    "--convert-to", "ods", "--outdir", str(out), *map(str, sources.values())],
                   check=True, capture_output=True, timeout=300)
    return {unit_id: (path, out / f"{unit_id}.ods") for unit_id, path in sources.items()}


def _open_both(converted, unit_id: str) -> tuple[XlsxWorkbook, OdsWorkbook]:  # noqa: ANN001
    xlsx, ods = converted[unit_id]
    return XlsxWorkbook(xlsx.read_bytes()), OdsWorkbook(ods.read_bytes())


def _same(expected: Cell | None, got: Cell | None) -> bool:
    """Equal as the reader uses them; a formula written by openpyxl has no cached value to compare."""
    if expected is not None and expected.value is None and expected.formula is None:
        expected = None  # the xlsx keeps styled empty cells; the ods reader leaves them out
    if expected is None or got is None:
        return expected == got
    if expected.formula is not None:
        return got.formula == expected.formula
    return (expected.value, expected.error) == (got.value, got.error)


@requires_soffice
@pytest.mark.parametrize("unit_id", UNITS)
def test_names_properties_and_sheets_match_the_xlsx(converted, unit_id: str) -> None:
    xlsx, ods = _open_both(converted, unit_id)
    assert set(ods.defined_names) == set(xlsx.defined_names)
    assert {n: ods.name_target(n) for n in xlsx.defined_names} == {n: xlsx.name_target(n) for n in xlsx.defined_names}
    assert ods.name_target("preparer_phone") == (L.FRONT_SHEET, L.FRONT_FIRST_FIELD_ROW + 1, 1)
    ours = {k: v for k, v in xlsx.custom_properties().items() if k.startswith(L.META_PROPERTY_PREFIX)}
    assert ours["ctre_unit_id"] == unit_id
    assert {k: v for k, v in ods.custom_properties().items() if k.startswith(L.META_PROPERTY_PREFIX)} == ours
    assert [s.name for s in ods.sheets] == [s.name for s in xlsx.sheets]
    assert ods.sheet(L.META_SHEET).state == "hidden" and xlsx.sheet(L.META_SHEET).state == "veryHidden"
    assert ods.sheet(L.INPUT_SHEET).state == "visible" and not ods.has_macros and ods.date1904 is False


@requires_soffice
@pytest.mark.parametrize("unit_id", UNITS)
def test_every_named_cell_and_label_reads_as_in_the_xlsx(converted, catalog, registry, unit_id: str) -> None:
    xlsx, ods = _open_both(converted, unit_id)
    wanted: dict[str, set[tuple[int, int]]] = {}
    for name in xlsx.defined_names:
        if target := xlsx.name_target(name):
            wanted.setdefault(target[0], set()).add(target[1:])
    wanted.setdefault(L.META_SHEET, set())
    for sheet, cells in wanted.items():
        columns = (L.COL_CODE, L.COL_LABEL)
        a = xlsx.read_cells(sheet, cells, columns=columns, max_row=150)
        b = ods.read_cells(sheet, cells, columns=columns, max_row=150)
        differing = {key: (a.cells.get(key), b.cells.get(key)) for key in set(a.cells) | set(b.cells)
                     if not _same(a.cells.get(key), b.cells.get(key))}
        assert differing == {}, sheet
        assert b.content_below == a.content_below is None
    plan, values, _notes = _typed(catalog, registry.get(unit_id), UNITS.index(unit_id))
    front = ods.read_cells(L.FRONT_SHEET, [plan.cells["preparer_phone"][1:]]).cells
    assert front[plan.cells["preparer_phone"][1:]].value == PHONE  # not compared only with the xlsx reader
    typed = {code: v for code, v in values.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    got = ods.read_cells(L.INPUT_SHEET, [plan.cells[code][1:] for code in typed]).cells
    assert {code: got[plan.cells[code][1:]].value for code in typed} == {code: float(v) for code, v in typed.items()}


@requires_soffice
@pytest.mark.parametrize("unit_id", UNITS)
def test_the_reader_gets_the_same_submission_from_the_ods(converted, catalog, registry, unit_id: str) -> None:
    xlsx, ods = _open_both(converted, unit_id)
    a = _read_workbook(xlsx, "a.xlsx", "0", 0.0, "xlsx", catalog, registry, False)
    b = _read_workbook(ods, "a.ods", "0", 0.0, "ods", catalog, registry, False)
    assert b.submission is not None, b.record.reason
    assert {c: (v.value, v.raw) for c, v in b.submission.values.items()} == \
           {c: (v.value, v.raw) for c, v in a.submission.values.items()}
    assert (b.submission.notes, b.submission.free_text, b.submission.preparer, b.submission.report_date) == \
           (a.submission.notes, a.submission.free_text, a.submission.preparer, a.submission.report_date)
    assert b.submission.report_date == date(2026, 11, 5)
    assert sorted((f.kind, f.cell, f.code) for f in b.findings) == sorted((f.kind, f.cell, f.code) for f in a.findings)
    assert "structure_changed" not in {f.kind for f in b.findings}


# ----------------------------------------------------------------------------- handwritten packages

_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
       'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
       'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')
_FLOAT = '<table:table-cell office:value-type="float" office:value="{}"/>'
_ROWS = (
    '<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="2"/>b'
    '<text:span>c</text:span><text:tab/>d<text:line-break/>e</text:p><office:annotation><text:p>ghi chú ẩn'
    '</text:p></office:annotation><text:p>dòng 2</text:p></table:table-cell>'
    '<table:table-cell office:value-type="percentage" office:value="0.5"/>'
    '<table:covered-table-cell table:number-columns-repeated="2"/>'
    '<table:table-cell office:value-type="currency" office:value="1500" table:number-columns-repeated="3"/>'
    '</table:table-row>'
    '<table:table-row-group><table:table-row table:number-rows-repeated="2">'
    '<table:table-cell office:value-type="date" office:date-value="2026-11-05"/>'
    '<table:table-cell office:value-type="time" office:time-value="PT12H00M00S"/>'
    '<table:table-cell office:value-type="boolean" office:boolean-value="true"/>'
    '<table:table-cell table:formula="of:=[.A1]/0" office:value-type="float" office:value="0" '
    'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>'
    '<table:table-cell table:formula="of:=IF([$\'Ẩn\'.B2]&gt;0;&quot;a;b&quot;;1)" '
    'office:value-type="string" office:string-value="a;b"/></table:table-row></table:table-row-group>'
    '<table:table-row table:number-rows-repeated="10"><table:table-cell table:number-columns-repeated="9"/>'
    '</table:table-row>{tail}'
    '<table:table-row table:number-rows-repeated="1048560"><table:table-cell table:number-columns-repeated="16384"/>'
    '</table:table-row>')
_NAMES = ('<table:named-expressions><table:named-range table:name="Giá_trị" table:base-cell-address="$\'Dữ liệu\'.$A$1" '
          'table:cell-range-address="$\'Dữ liệu\'.$B$1"/><table:named-range table:name="tương_đối" '
          'table:base-cell-address="$\'Ẩn\'.$A$1" table:cell-range-address=".C3"/><table:named-range '
          'table:name="hỏng" table:cell-range-address="#REF!"/><table:named-expression table:name="biểu_thức" '
          'table:expression="of:=[$\'Dữ liệu\'.$E$2]"/></table:named-expressions>')


def _content(tail: str = "", prolog: str = "", cell: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {_NS}><office:automatic-styles>'
            '<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/>'
            '</style:style><style:style style:name="ta2" style:family="table"><style:table-properties '
            'table:display="false"/></style:style></office:automatic-styles><office:body><office:spreadsheet>'
            '<table:table table:name="Dữ liệu" table:style-name="ta1">' + _ROWS.replace("{tail}", tail) +
            '</table:table><table:table table:name="Ẩn" table:style-name="ta2"><table:named-expressions>'
            '<table:named-range table:name="cục_bộ" table:cell-range-address="$\'Ẩn\'.$B$2"/></table:named-expressions>'
            f'<table:table-row><table:table-cell office:value-type="string"><text:p>x{cell}</text:p></table:table-cell>'
            f'</table:table-row></table:table>{_NAMES}</office:spreadsheet></office:body></office:document-content>')


_META = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_NS}><office:meta>'
         '<meta:user-defined meta:name="ctre_unit_id">vhxh</meta:user-defined><meta:user-defined '
         'meta:name="ctre_sample" meta:value-type="boolean">true</meta:user-defined><meta:user-defined '
         'meta:name="ctre_year" meta:value-type="float">2026</meta:user-defined></office:meta></office:document-meta>')
_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def ods_bytes(content: str | bytes | None = None, meta: str | bytes = _META, extra: dict[str, bytes] | None = None,
              mimetype: bytes = _MIMETYPE) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored, first, as ODF requires
        archive.writestr("content.xml", _content() if content is None else content)
        archive.writestr("meta.xml", meta)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_odf_values_text_repeats_and_names_are_read_as_excel_gives_them() -> None:
    book = OdsWorkbook(ods_bytes(_content(tail=f'<table:table-row>{_FLOAT.format(7)}</table:table-row>')))
    assert [(s.name, s.state) for s in book.sheets] == [("Dữ liệu", "visible"), ("Ẩn", "hidden")]
    assert book.name_target("GIÁ_TRỊ") == ("Dữ liệu", 0, 1)
    assert book.name_target("tương_đối") == ("Ẩn", 2, 2)  # the sheet comes from the base address
    assert book.name_target("biểu_thức") == ("Dữ liệu", 1, 4)
    assert book.name_target("hỏng") is None and book.name_target("absent") is None
    assert book.defined_names["cục_bộ"] == ("'Ẩn'!$B$2", 1)
    assert book.custom_properties() == {"ctre_unit_id": "vhxh", "ctre_sample": "1", "ctre_year": "2026"}
    got = book.read_cells("Dữ liệu", [(0, 0), (0, 1), (0, 2), (0, 5), (2, 0), (2, 3), (2, 4), (9, 8)],
                          columns=(6,), max_row=2)
    assert got.cells == {
        (0, 0): Cell("a  bc\td\ne\ndòng 2"), (0, 1): Cell(0.5), (0, 5): Cell(1500.0), (0, 6): Cell(1500.0),
        (2, 0): Cell(46331.0), (2, 3): Cell("#DIV/0!", "A1/0", True), (2, 4): Cell("a;b", "IF('Ẩn'!B2>0,\"a;b\",1)"),
    }
    assert got.content_below == 13 and got.dimension is None
    assert book.read_cells("Dữ liệu", [(1, 1), (1, 2)]).cells == {(1, 1): Cell(0.5), (1, 2): Cell(True)}
    assert book.read_cells("Ẩn", columns=(0,), max_row=5).cells == {(0, 0): Cell("x")}
    with pytest.raises(WorkbookError) as caught:
        book.read_cells("Không có")
    assert caught.value.kind == "missing_sheet" and "Không có" in str(caught.value)


def test_a_doctype_without_entities_is_read_through_defusedxml() -> None:
    book = OdsWorkbook(ods_bytes(_content(prolog="<!DOCTYPE office:document-content>")))
    assert book.read_cells("Ẩn", [(0, 0)]).cells == {(0, 0): Cell("x")} and book.name_target("giá_trị")


@pytest.mark.parametrize("address, expected", [
    ("$'Số liệu'.$D$12", "'Số liệu'!$D$12"), ("Sheet1.A1:.B2", "'Sheet1'!A1:B2"), ("$'It''s'.$A$1", "'It''s'!$A$1"),
    ("#REF!", None), ("$'Số liệu'.$4:.$4", "'Số liệu'!$4:$4"),
])
def test_odf_addresses_become_excel_references(address: str, expected: str | None) -> None:
    assert excel_reference(address) == expected


@pytest.mark.parametrize("formula, expected", [
    ("of:=2+3", "2+3"), ("of:=[.D11]/[.D12]*100", "D11/D12*100"), ("of:=SUM([.A1:.A3];1)", "SUM(A1:A3,1)"),
    ('of:="x;[.A1]"&[.B1]', '"x;[.A1]"&B1'), ("msoxl:=A1", "A1"), ("of:=ghi chú", "ghi chú"),
])
def test_odf_formulas_become_excel_formulas(formula: str, expected: str) -> None:
    assert excel_formula(formula) == expected


_LAUGHS = ('<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
_XXE = '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def _stream_zip(members: dict[str, tuple[bytes, bytes, int]]) -> bytes:
    """A package whose members are head + filler * count + tail, written without holding them whole."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), _MIMETYPE)
        for name, (head, filler, count) in members.items():
            with archive.open(name, "w", force_zip64=True) as member:
                member.write(head)
                for _ in range(count):
                    member.write(filler)
    return buffer.getvalue()


def _entry_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), _MIMETYPE)
        for index in range(10_050):
            archive.writestr(f"p/{index}", b"")
    return buffer.getvalue()


@pytest.mark.parametrize("build, kind", [
    (lambda: _stream_zip({"content.xml": (b"<a>", b" " * 1024 * 1024, 300)}), "zip_bomb"),  # declared 300 MB
    (lambda: _stream_zip({"content.xml": (b"<a>", b" " * 1024 * 1024, 20)}), "zip_bomb"),  # ratio ~1000
    (_entry_bomb, "too_many_entries"),
    (lambda: ods_bytes(_content(prolog=_LAUGHS, cell="&d;")), "dangerous_xml"),
    (lambda: ods_bytes(_content(prolog=_XXE, cell="&e;")), "dangerous_xml"),
    (lambda: ods_bytes(_content(prolog="<!-- <a --> " + _LAUGHS, cell="&d;")), "dangerous_xml"),
    (lambda: ods_bytes(_content()[:-40]), "corrupt_xml"),
    (lambda: ods_bytes(mimetype=b"application/zip"), "corrupt_zip"),
    (lambda: b"PK\x03\x04 not really a zip", "corrupt_zip"),
    (lambda: ods_bytes(extra={"META-INF/manifest.xml": (
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        b'<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry>'
        b'</manifest:manifest>')}), "password_protected"),
], ids=["declared-size", "ratio", "entries", "laughs-content", "xxe", "doctype-after-comment", "truncated",
        "mimetype", "not-zip", "encrypted"])
def test_hostile_or_broken_packages_are_refused(build, kind: str) -> None:  # noqa: ANN001
    data = build()
    tracemalloc.start()
    try:
        with pytest.raises(WorkbookError) as caught:
            OdsWorkbook(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.kind == kind
    assert str(caught.value)[:1].islower() and peak < 200 * 1024 * 1024


def test_entities_in_meta_are_refused_when_properties_are_read() -> None:
    book = OdsWorkbook(ods_bytes(meta=_META.replace("<office:document-meta", _LAUGHS + "<office:document-meta")
                                 .replace(">vhxh<", ">&d;<")))
    with pytest.raises(WorkbookError) as caught:
        book.custom_properties()
    assert caught.value.kind == "dangerous_xml" and "meta.xml" in str(caught.value)


def test_inflating_is_capped_while_streaming(monkeypatch) -> None:  # noqa: ANN001
    rows = f"<table:table-row>{_FLOAT.format(1)}</table:table-row>" * 40_000  # ~3 MB, ratio far below the check
    monkeypatch.setattr("ctre_xl.read.ods.workbook.MAX_INFLATED", 1024 * 1024)
    with pytest.raises(WorkbookError) as caught:
        OdsWorkbook(ods_bytes(_content(tail=rows)))
    assert caught.value.kind == "zip_bomb" and "content.xml" in str(caught.value)


def test_huge_repeats_are_counted_never_expanded() -> None:
    full = '<table:table-cell office:value-type="float" office:value="4" table:number-columns-repeated="16384"/>'
    tail = (f'<table:table-row table:number-rows-repeated="1048576">{full}</table:table-row>'
            f'<table:table-row table:number-rows-repeated="1048576">{full}</table:table-row>'
            + f"<table:table-row>{_FLOAT.format(9)}</table:table-row>" * 50_000)
    book = OdsWorkbook(ods_bytes(_content(tail=tail)))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        got = book.read_cells("Dữ liệu", [(1_000_000, 16_000), (2_097_175, 0)], columns=(0, 1), max_row=40)
        near = book.read_cells("Dữ liệu", [(5, 3)], columns=(0,), max_row=20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # rows 13.. and 1_048_589.. are the two repeated groups, 2_097_165.. the single rows of 9
    assert got.cells[(1_000_000, 16_000)] == Cell(4.0) and got.cells[(2_097_175, 0)] == Cell(9.0)
    assert got.cells[(40, 1)] == Cell(4.0) and (41, 1) not in got.cells and got.content_below == 2_097_176
    assert near.content_below == 21 and set(near.cells) == {(0, 0), (1, 0), (2, 0), *((r, 0) for r in range(13, 21))}
    assert peak < 200 * 1024 * 1024 and time.perf_counter() - started < 20


def test_basic_or_scripts_in_the_package_count_as_macros() -> None:
    assert OdsWorkbook(ods_bytes(extra={"Basic/Standard/Module1.xml": b"<x/>"})).has_macros
    assert OdsWorkbook(ods_bytes(extra={"Scripts/python/a.py": b"print(1)"})).has_macros
    assert not OdsWorkbook(ods_bytes()).has_macros

