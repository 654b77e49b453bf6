"""The workbook every writer uses (ctre_xl/book.py): its fast cell writer gives XlsxWriter's own bytes.

``SafeSheet._write_cell`` writes the three common kinds of cell (shared string, number, blank, each
with a format) itself, for speed at scale. The sheet XML it produces must be byte for byte what
XlsxWriter writes, for every kind of cell, with and without formats, row and column formats.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from xlsxwriter import Workbook

from ctre_xl import book
from ctre_xl.book import SafeBook, StreamedSheet
from ctre_xl.packing import deflated_text, read_segment
from ctre_xl.sheetxml import write_rows, write_sized_rows


def _fill(workbook: Workbook) -> None:
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0", "font_color": "#FF0000"})
    sheet = workbook.add_worksheet("Dữ liệu")
    sheet.set_row(5, 30, bold)  # a row format: cells without a format of their own take it
    sheet.set_column(4, 4, 12, money)  # a column format likewise
    for row in range(40):
        sheet.write_string(row, 0, f"Đơn vị {row} & <co> \"x\"", bold)
        sheet.write_number(row, 1, row * 1.5 + 1e-12 * row, money)
        sheet.write_number(row, 2, 10 ** (row % 20), bold)
        sheet.write_blank(row, 3, None, money)
        sheet.write_string(row, 4, "không định dạng")  # no format: row or column format decides
        sheet.write_number(row, 5, -row)  # no format at all
        sheet.write_formula(row, 6, f"=B{row + 1}*2", bold, row * 3)
        sheet.write_boolean(row, 7, row % 2 == 0, bold)
        sheet.write_datetime(row, 8, datetime(2026, 11, 9), money)
    sheet.write_string(1000, 700, "xa", bold)  # a column of three letters
    sheet.write_blank(6, 9, None)  # a blank without a format is not written at all


def _sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_fast_cells_are_xlsxwriters_own_bytes(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    safe = SafeBook(str(ours))
    _fill(safe)
    safe.close()
    plain = Workbook(str(theirs), {"in_memory": True})
    _fill(plain)
    plain.close()
    assert re.search(rb'<c r="A1" s="\d+" t="s"><v>0</v></c>', _sheet_xml(ours))  # the fast path wrote it
    assert _sheet_xml(ours) == _sheet_xml(theirs)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_a_number_that_is_not_finite_is_an_empty_cell(tmp_path: Path, value: float) -> None:
    path = tmp_path / "book.xlsx"
    workbook = SafeBook(str(path))
    sheet = workbook.add_worksheet("A")
    sheet.write_number(0, 0, value, workbook.add_format({"bold": True}))
    workbook.close()
    xml = _sheet_xml(path)
    assert re.search(rb'<c r="A1" s="\d+"/>', xml) and b"<v>" not in xml


def _fill_in_order(workbook: Workbook, sheet_class: type | None = None, table: bool = True) -> None:
    """Rows top to bottom, as a streamed sheet takes them; every kind of cell, texts XML must escape,
    control characters, white space kept, a table whose header is the first row."""
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0"})
    sheet = workbook.add_worksheet("Dữ liệu", worksheet_class=sheet_class) if sheet_class else \
        workbook.add_worksheet("Dữ liệu")
    if table:  # (XlsxWriter refuses one in constant-memory mode)
        sheet.add_table(0, 0, 30, 3, {"name": "Bang", "columns": [{"header": h} for h in ("Tên", "Số", "Ô", "Ghi chú")]})
    for row in range(1, 31):
        sheet.write_string(row, 0, f"Đơn vị {row % 7} & <co> \"x\"", bold)
        sheet.write_number(row, 1, row * 1.5, money)
        sheet.write_blank(row, 2, None, money)
        sheet.write_string(row, 3, ["  lề trái", "lề phải  ", "a\x07b", "<r>giả</r>", "dòng\nmới"][row % 5], bold)
        sheet.write_formula(row, 4, f"=B{row + 1}*2", bold, row * 3)
        sheet.write_boolean(row, 5, row % 2 == 0, bold)
        sheet.write_string(row, 6, "không định dạng")
        sheet.set_row(row, 18 + row % 3)


def test_a_streamed_sheet_writes_xlsxwriters_own_constant_memory_bytes(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    safe = SafeBook(str(ours), None, scratch)
    _fill_in_order(safe, StreamedSheet)
    safe.close()
    plain = Workbook(str(theirs), {"constant_memory": True, "tmpdir": str(scratch)})
    _fill_in_order(plain, table=False)
    plain.close()
    mine = _sheet_xml(ours)
    assert b't="inlineStr"><is><t xml:space="preserve">  l' in mine  # streamed: inline strings
    assert b"<tableParts" in mine  # the table XlsxWriter refuses in this mode is there
    # The table's header row (ours alone), then every other row exactly as XlsxWriter writes it.
    header = re.search(rb'<row r="1"[^>]*>(.*?)</row>', mine)[1]
    assert re.findall(rb"<t>([^<]*)</t>", header) == ["Tên".encode(), "Số".encode(), "Ô".encode(), "Ghi chú".encode()]
    rows = re.compile(rb'<row r="2".*</row>', re.S)
    assert rows.search(mine)[0] == rows.search(_sheet_xml(theirs))[0]
    assert list(scratch.iterdir()) == []  # the rows' file is gone once the workbook is written


def test_a_small_workbook_is_packed_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbook written with a scratch folder whose streamed rows are few (one commune's summary)
    is packed in memory; a larger one writes each part to the folder first. The parts are the same."""
    made: list[object] = []
    real = tempfile.mkstemp
    monkeypatch.setattr(tempfile, "mkstemp", lambda *args, **kwargs: made.append(kwargs.get("dir")) or real(*args, **kwargs))
    parts = {}
    for limit, packed in ((0, False), (1 << 20, True)):
        monkeypatch.setattr(book, "PACKED_IN_MEMORY_UP_TO", limit)
        scratch = tmp_path / f"scratch-{limit}"
        scratch.mkdir()
        safe = SafeBook(str(tmp_path / f"{limit}.xlsx"), None, scratch)
        _fill_in_order(safe, StreamedSheet)
        chart = safe.add_chart({"type": "line"})
        chart.add_series({"values": "='Dữ liệu'!$B$2:$B$9"})
        safe.get_worksheet_by_name("Dữ liệu").insert_chart("J2", chart)
        made.clear()
        safe.close()
        assert safe.in_memory is packed
        assert bool(made) is not packed  # a file per part in the scratch folder, or none
        assert list(scratch.iterdir()) == []
        axes = re.compile(rb'(<c:axId val=")\d+')  # numbered per chart made in the process
        with zipfile.ZipFile(tmp_path / f"{limit}.xlsx") as package:
            parts[packed] = {name: axes.sub(rb"\1", package.read(name)) for name in package.namelist()
                             if name != "docProps/core.xml"}
    assert "xl/charts/chart1.xml" in parts[True]
    assert parts[True] == parts[False]


def test_a_streamed_table_is_xlsxwriters_own_table_without_its_per_cell_index(tmp_path: Path) -> None:
    """The table of a streamed sheet is made over its first rows and given its whole range: the
    table part is XlsxWriter's own, and no index of its cells is kept (hundreds of MB at scale)."""
    options = {"name": "Bang", "style": "Table Style Light 9",
               "columns": [{"header": h} for h in ("Tên", "Số", "Ô", "Ghi chú")]}
    tables = []
    for streamed in (True, False):
        scratch = tmp_path / f"s{streamed}"
        scratch.mkdir()
        book = SafeBook(str(tmp_path / f"{streamed}.xlsx"), None, scratch if streamed else None)
        sheet = book.add_worksheet("A", worksheet_class=StreamedSheet)
        text = book.add_format({"bold": True})
        assert sheet.add_table(0, 0, 5000, 3, dict(options)) == 0
        assert len(sheet.table_cells) == (0 if streamed else 5001 * 4)
        for row in range(1, 5001):
            sheet.write_cells(row, [(f"Trường {row}", text), (row, text)])
        book.close()
        with zipfile.ZipFile(tmp_path / f"{streamed}.xlsx") as archive:
            tables.append(archive.read("xl/tables/table1.xml"))
    assert tables[0] == tables[1]
    assert b'ref="A1:D5001"' in tables[0] and b'<autoFilter ref="A1:D5001"/>' in tables[0]


@pytest.mark.parametrize("extra", [{"total_row": True}, {"data": [[1, 2, 3, 4]]},
                                   {"columns": [{"header": "A", "formula": "=1"}]}])
def test_a_streamed_table_has_no_cells_of_its_own_below_the_header(tmp_path: Path, extra: dict) -> None:
    """Data, formulas or a total row would be cells XlsxWriter writes past the header, out of order."""
    book = SafeBook(str(tmp_path / "b.xlsx"), None, tmp_path)
    sheet = book.add_worksheet("A", worksheet_class=StreamedSheet)
    with pytest.raises(RuntimeError, match="no data, formulas or total row"):
        sheet.add_table(0, 0, 10, 3, {"columns": [{"header": h} for h in "ABCD"], **extra})


def test_a_streamed_sheet_refuses_a_row_already_passed(tmp_path: Path) -> None:
    book = SafeBook(str(tmp_path / "b.xlsx"), None, tmp_path)
    sheet = book.add_worksheet("A", worksheet_class=StreamedSheet)
    sheet.write_string(5, 0, "sau")
    for late in (lambda: sheet.write_string(2, 0, "trước"), lambda: sheet.set_row(1, 30),
                 lambda: sheet.write_comment(0, 0, "ghi chú")):
        with pytest.raises(RuntimeError, match="streamed sheet"):
            late()
    book.close()


ROWS = [
    [("Trường Tiểu học số 1 & <2>", "text"), (1234.5, "money"), (None, "money"), ("  lề", "text"),
     (datetime(2026, 11, 9, 8, 30), "money"), (float("nan"), "money"), ("", "text"), (None, None)],
    [("a\x07b", "text"), (7, "money"), ("x" * 40_000, "text"), (None, "text")],
    [(10**17, "money"), (-0.0, "money"), (1e-7, "money"), (-float("inf"), "money"), (2**53 + 1, "text")],
    [(None, None), (None, None), ("giữa", "text"), (None, None)],  # written from a later column, to an earlier one
]


@pytest.mark.parametrize("height", [None, 27.75])
def test_write_cells_writes_what_a_write_per_cell_writes(tmp_path: Path, height: float | None) -> None:
    xml = []
    for way in ("row", "cells"):
        scratch = tmp_path / way
        scratch.mkdir()
        book = SafeBook(str(tmp_path / f"{way}.xlsx"), None, scratch)
        formats = {"text": book.add_format({"bold": True}), "money": book.add_format({"num_format": "#,##0"}), None: None}
        sheet = book.add_worksheet("A", worksheet_class=StreamedSheet)
        sheet.write_string(0, 0, "đầu", formats["text"])
        for row, cells in enumerate(ROWS, start=2):
            if way == "row":
                sheet.write_cells(row, [(value, formats[name]) for value, name in cells], height)
            else:
                for col, (value, name) in enumerate(cells):
                    sheet._write_value(row, col, value, formats[name])
                if height is not None:
                    sheet.set_row(row, height)
        sheet.write_number(9, 1, 5, formats["money"])
        book.close()
        xml.append(_sheet_xml(tmp_path / f"{way}.xlsx"))
    assert xml[0] == xml[1]
    assert b'<row r="4"' in xml[0] and "đã cắt bớt".encode() in xml[0]


@pytest.mark.parametrize("streamed", [True, False])
def test_write_cells_merges_as_merge_range_does(tmp_path: Path, streamed: bool) -> None:
    """A row with merged ranges (the units' opinions): the bytes of merge_range + write_string."""
    xml = []
    for way in ("cells", "merge_range"):
        scratch = tmp_path / way
        scratch.mkdir()
        book = SafeBook(str(tmp_path / f"{way}.xlsx"), None, scratch if streamed else None)
        text = book.add_format({"text_wrap": True})
        sheet = book.add_worksheet("A", worksheet_class=StreamedSheet)
        for row in range(1, 4):
            words = f"Ý kiến {row} & <đề xuất>"
            if way == "cells":
                sheet.write_cells(row, [("", text), ("Trường", text), ("Khó khăn", text), (None, text), (words, text),
                                        (None, text), (None, text)], 30, ((2, 3), (4, 6)))
            else:
                sheet.write_string(row, 0, "", text)
                sheet.write_string(row, 1, "Trường", text)
                sheet.merge_range(row, 2, row, 3, "", text)
                sheet.write_string(row, 2, "Khó khăn", text)
                sheet.merge_range(row, 4, row, 6, "", text)
                sheet.write_string(row, 4, words, text)
                sheet.set_row(row, 30)
        book.close()
        xml.append(_sheet_xml(tmp_path / f"{way}.xlsx"))
    assert xml[0] == xml[1]
    assert b'<mergeCell ref="E3:G3"/>' in xml[0]


def test_write_cells_refuses_a_merge_over_another() -> None:
    book = SafeBook(io.BytesIO())
    sheet = book.add_worksheet("A", worksheet_class=StreamedSheet)
    text = book.add_format()
    sheet.merge_range(2, 0, 3, 4, "hai dòng", text)
    with pytest.raises(Exception, match="overlaps"):
        sheet.write_cells(3, [(None, text)] * 5, None, ((1, 2),))


def test_write_cells_refuses_a_row_already_passed_and_a_value_it_cannot_write(tmp_path: Path) -> None:
    book = SafeBook(str(tmp_path / "b.xlsx"), None, tmp_path)
    sheet = book.add_worksheet("A", worksheet_class=StreamedSheet)
    bold = book.add_format({"bold": True})
    sheet.write_cells(3, [("x", bold)])
    for again in (lambda: sheet.write_cells(3, [("again", bold)]), lambda: sheet.write_string(3, 5, "more", bold)):
        with pytest.raises(RuntimeError, match="streamed sheet"):
            again()
    with pytest.raises(TypeError):
        sheet.write_cells(4, [(True, bold)])
    book.close()


@pytest.mark.parametrize("in_memory", [True, False])
def test_rows_made_elsewhere_are_the_rows_write_cells_makes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            in_memory: bool) -> None:
    """``sheetxml.write_rows`` (the other core's rows, deflated) + ``append_rows`` == ``write_cells``
    row by row, the workbook packed in memory or from its parts' files."""
    monkeypatch.setattr("ctre_xl.book.PACKED_IN_MEMORY_UP_TO", 1 << 20 if in_memory else -1)
    values = [[("Trường số 1 & <co>", "text"), (2026, "money"), (None, "money"), ("", "text"), (1.25, "money")],
              [("  lề", "text"), (float("inf"), "money"), ("x" * 40_000, "text"), (None, None), (7, "money")]]
    xml = []
    for way in ("cells", "elsewhere"):
        scratch = tmp_path / way
        scratch.mkdir()
        book = SafeBook(str(tmp_path / f"{way}.xlsx"), None, scratch)
        formats = {"text": book.add_format({"bold": True}), "money": book.add_format({"num_format": "#,##0"}), None: None}
        sheet = book.add_worksheet("A", worksheet_class=StreamedSheet)
        sheet.write_string(0, 0, "đầu", formats["text"])
        if way == "cells":
            for row, cells in enumerate(values, start=1):
                sheet.write_cells(row, [(value, formats[name]) for value, name in cells])
        else:
            rows = [[(value, None if formats[name] is None else formats[name]._get_xf_index()) for value, name in cells]
                    for cells in values]
            with deflated_text(tmp_path / "rows") as made:
                assert write_rows(made, 2, rows) == 2
            sheet.append_rows(1, 2, 4, read_segment(tmp_path / "rows"))
        book.close()
        xml.append(_sheet_xml(tmp_path / f"{way}.xlsx"))
    assert xml[0] == xml[1] and b'<row r="3">' in xml[0]


@pytest.mark.parametrize("date_1904", [False, True])
def test_sized_rows_made_elsewhere_are_the_rows_write_cells_makes(tmp_path: Path, date_1904: bool) -> None:
    """``sheetxml.write_sized_rows`` (a row's height, dates) + ``append_rows`` == ``write_cells`` with
    the same heights: a height that rounds to the default is no height, a blank row of a height is kept."""
    values = [([("Trường số 1", "text"), (date(2026, 11, 9), "money"), (None, "money")], 31.5),
              ([("  lề", "text"), (datetime(2026, 11, 10, 8, 30), "money"), (3, "money")], None),
              ([(None, None), (None, None)], 27.0), ([(None, None)], None),
              ([("một", "text"), (1.5, "money")], 15.2), ([("hai", "text")], 409.0)]
    xml = []
    for way in ("cells", "elsewhere"):
        scratch = tmp_path / way
        scratch.mkdir()
        book = SafeBook(str(tmp_path / f"{way}.xlsx"), {"date_1904": date_1904}, scratch)
        formats = {"text": book.add_format({"bold": True}), "money": book.add_format({"num_format": "#,##0"}), None: None}
        sheet = book.add_worksheet("A", worksheet_class=StreamedSheet)
        sheet.write_string(0, 0, "đầu", formats["text"])
        if way == "cells":
            for row, (cells, height) in enumerate(values, start=1):
                sheet.write_cells(row, [(value, formats[name]) for value, name in cells], height)
        else:
            rows = [([(value, None if formats[name] is None else formats[name]._get_xf_index()) for value, name in cells],
                     height) for cells, height in values]
            with deflated_text(tmp_path / "rows") as made:
                assert write_sized_rows(made, 2, rows, date_1904) == len(values)
            sheet.append_rows(1, len(values), 2, read_segment(tmp_path / "rows"))
        book.close()
        xml.append(_sheet_xml(tmp_path / f"{way}.xlsx"))
    assert xml[0] == xml[1] and b'<row r="2" ht="31.5" customHeight="1">' in xml[0] and b'<row r="4" ht="27"' in xml[0]


@pytest.mark.parametrize("scratch", [False, True])
def test_parts_are_deflated_at_the_quick_level_and_xlsxwriter_is_left_as_it_was(tmp_path: Path, scratch: bool) -> None:
    import zlib

    import xlsxwriter.workbook

    from ctre_xl.packing import DEFLATE_LEVEL

    path = tmp_path / "b.xlsx"
    book = SafeBook(str(path), None, tmp_path if scratch else None)
    sheet = book.add_worksheet("A")
    for row in range(3000):
        sheet.write_string(row, 0, f"Trường Tiểu học số {row % 97} xã Xuân Trường")
        sheet.write_number(row, 1, row * 7 % 1000)
    book.close()
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # only this workbook's packing was changed
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        data = archive.read(info)
    quick = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    assert info.compress_type == zipfile.ZIP_DEFLATED
    assert info.compress_size == len(quick.compress(data) + quick.flush())


def test_the_inline_text_cache_keeps_short_texts_only() -> None:
    """Names and words repeat across thousands of rows; a unit's long text is written once and
    must not fill memory (50,000 cached texts of 32,767 characters would be gigabytes)."""
    from ctre_xl import sheetxml

    short, long = "Trường Tiểu học Xuân Trường A", "Ý kiến rất dài. " * 100
    assert sheetxml.inline_xml(short) == sheetxml.inline_xml(short)
    assert "Ý kiến rất dài." in sheetxml.inline_xml(long)
    assert short in sheetxml._INLINE and long not in sheetxml._INLINE
