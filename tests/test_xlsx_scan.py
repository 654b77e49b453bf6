"""The fast cell scanner (ctre_xl.read.xlsx.scan) reads exactly what the XML-parser path reads.

Every workbook here is read twice — scanner on, scanner off (the reference) — and the results are
compared cell by cell: real templates (XlsxWriter, shared strings), templates filled with openpyxl
(inline strings), files re-saved by LibreOffice, and hand-edited parts with the XML features the
scanner must either decode correctly or hand back to the parser.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from conftest import requires_soffice, soffice_path
from ctre_xl.template import layout as L
from ctre_xl.read.xlsx import direct as xlsx_direct
from ctre_xl.read.xlsx import scan as xlsx_scan
from ctre_xl.read.xlsx import strings as xlsx_strings
from ctre_xl.read.submission import read_submission
from ctre_xl.read.xlsx.workbook import XlsxWorkbook
from reading_helpers import EVERY_CELL, fill, make_template, read_both_ways as _read, rewrite_zip, sheet_part

TRICKY_TEXT = {
    "preparer_name": "Lê & Trần <Phụ trách> \"Nhóm\" 'A'",
    "report_results": "Dòng 1\r\nDòng 2\rDòng 3\n  thụt lề  ",
    "report_difficulties": "Ký tự _x000D_ thoát và ]] > dấu",
    "report_proposals": "   ",
}


def _count_scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each sheet the scanner read to the end (so a test fails if it silently never runs):
    "scan" when it met every cell, "direct" when it read the wanted cells straight."""
    done: list[str] = []
    real_scan, real_direct = xlsx_scan.scan_sheet, xlsx_direct.read_direct

    def scanning(*args, **kwargs):
        result = real_scan(*args, **kwargs)
        done.append("scan")
        return result

    def direct(*args, **kwargs):
        result = real_direct(*args, **kwargs)
        if result is not None:
            done.append("direct")
        return result

    monkeypatch.setattr("ctre_xl.read.xlsx.workbook.scan_sheet", scanning)
    monkeypatch.setattr("ctre_xl.read.xlsx.workbook.read_direct", direct)
    return done


def assert_same(path: Path, monkeypatch: pytest.MonkeyPatch, *, scanned: bool) -> dict:
    scans = _count_scans(monkeypatch)
    fast = _read(path, True, monkeypatch)
    reference = _read(path, False, monkeypatch)
    assert fast == reference
    assert bool(scans) == scanned, "the scanner was expected to read this file" if scanned else "expected fallback"
    return reference


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory, catalog, registry) -> dict[str, Path]:
    """A blank template and filled ones, for a department and a school."""
    root = tmp_path_factory.mktemp("scan")
    made: dict[str, Path] = {}
    for unit_id in ("van-phong", "th-vi-du"):
        template = make_template(catalog, registry, unit_id, 2026, root / f"{unit_id}.xlsx")
        made[f"template-{unit_id}"] = template
        unit = registry.get(unit_id)
        values: dict[str, object] = {code: number * 7 + 3 for number, code in enumerate(unit.elements)}
        values.update(TRICKY_TEXT)
        values["report_date"] = "01/11/2026"
        first = next(iter(values))
        values[first] = "=12+3"
        made[f"filled-{unit_id}"] = fill(template, values, root / "filled" / f"{unit_id}.xlsx")
    return made


@pytest.mark.parametrize("name", ["template-van-phong", "template-th-vi-du", "filled-van-phong", "filled-th-vi-du"])
def test_templates_and_filled_files_read_the_same(name, workbooks, monkeypatch) -> None:
    cells = assert_same(workbooks[name], monkeypatch, scanned=True)
    assert any(cell.value for sheet in cells.values() for cell in sheet[0].values())


# How openpyxl stores a typed "\r" depends on its writer: ElementTree (no lxml installed) writes the
# character itself, lxml the reference "&#13;". An XML parser reads a literal CR or CRLF as "\n" and
# "&#13;" as "\r"; "_x000D_" is Excel's own escape for "\r". Both forms are written here by hand.
@pytest.mark.parametrize("cr_as_reference", [False, True], ids=["literal-cr", "cr-reference"])
def test_tricky_text_is_decoded_like_the_parser(cr_as_reference, workbooks, tmp_path, monkeypatch) -> None:
    placeholders = {name: f"TRICKY{number}" for number, name in enumerate(TRICKY_TEXT)}
    path = fill(workbooks["template-van-phong"], placeholders, tmp_path / "typed.xlsx")
    written = []

    def type_tricky_text(xml: bytes) -> bytes:
        for name, placeholder in placeholders.items():
            text = TRICKY_TEXT[name].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            text = text.replace("\r", "&#13;") if cr_as_reference else text
            tag = f"<t>{placeholder}</t>".encode()
            written.extend([name] * xml.count(tag))
            xml = xml.replace(tag, f'<t xml:space="preserve">{text}</t>'.encode())
        return xml

    with zipfile.ZipFile(path) as archive:
        parts = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    path = rewrite_zip(path, tmp_path / "tricky.xlsx", replace=dict.fromkeys(parts, type_tricky_text))
    assert sorted(written) == sorted(TRICKY_TEXT)
    scans = _count_scans(monkeypatch)
    for scanner in (True, False):  # the scanner, then the parser it must agree with
        monkeypatch.setattr(XlsxWorkbook, "use_scanner", scanner)
        scans.clear()
        workbook = XlsxWorkbook(path.read_bytes())
        for name, typed in TRICKY_TEXT.items():
            sheet, row, col = workbook.name_target(name)
            cell = workbook.read_cells(sheet, [(row, col)]).cells[(row, col)]
            parsed = typed if cr_as_reference else typed.replace("\r\n", "\n").replace("\r", "\n")
            assert cell.value == parsed.replace("_x000D_", "\r"), (name, "scanner" if scanner else "parser")
        workbook.close()
        assert bool(scans) == scanner, "the scanner did not read the tricky text"


def test_submissions_are_identical(workbooks, catalog, registry, monkeypatch) -> None:
    for name, path in workbooks.items():
        outcomes = []
        for scanner in (True, False):
            monkeypatch.setattr(XlsxWorkbook, "use_scanner", scanner)
            outcomes.append(read_submission(path, path.parent, catalog, registry))
        assert outcomes[0].record == outcomes[1].record, name
        assert outcomes[0].submission == outcomes[1].submission, name
        assert outcomes[0].findings == outcomes[1].findings, name


def test_rich_text_and_shared_strings(workbooks, tmp_path, monkeypatch) -> None:
    """openpyxl writes rich text as <is><r>..</r></is>: such a cell goes through the parser alone,
    and a run with a colour (<color>, counted among the "<c" starts) sends the whole part to it."""
    def edit(book: openpyxl.Workbook) -> None:
        sheet = book[L.INPUT_SHEET]
        sheet["J5"] = CellRichText(["Chữ ", TextBlock(InlineFont(b=True), "đậm"), " & thường"])
        sheet["K5"] = "=SUM(D5:D9)"
    path = fill(workbooks["template-van-phong"], {}, tmp_path / "rich.xlsx", edit=edit)
    cells = assert_same(path, monkeypatch, scanned=True)
    assert cells[L.INPUT_SHEET][0][(4, 9)].value == "Chữ đậm & thường"
    coloured = TextBlock(InlineFont(b=True, color="FF0000"), "đỏ")
    path = fill(workbooks["template-van-phong"], {}, tmp_path / "red.xlsx",
                edit=lambda book: book[L.INPUT_SHEET].__setitem__("J5", CellRichText(["Chữ ", coloured])))
    scans = _count_scans(monkeypatch)
    assert _read(path, True, monkeypatch) == _read(path, False, monkeypatch)
    # front and meta sheets scanned (as columns, and straight as cells); the input sheet went to the parser
    assert sorted(scans) == ["direct", "direct", "scan", "scan"]


SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
         '<dimension ref="A1:C3"/><sheetData>{rows}</sheetData></worksheet>')


@pytest.mark.parametrize("rows, scanned", [
    ('<row r="1"><c r="A1" t="inlineStr"><is><t>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</t></is></c>'
     '<c r="B1"><v>1.5</v></c><c r="C1" t="b"><v>1</v></c></row>', True),
    ('<row r="1"><c r="A1" t="inlineStr"><is><t>&#65;&#x1EA1;</t></is></c><c r="B1" t="e"><v>#DIV/0!</v></c></row>', True),
    ('<row r="1"><c r="A1"><f>1+2</f><v>3</v></c><c r="B1"><f t="shared" ref="B1:B2" si="0">A1</f><v>3</v></c>'
     '</row><row r="2"><c r="B2"><f t="shared" si="0"/><v>3</v></c></row>', True),
    ('<row r="1"><c r="A1" t=\'str\'><v>x</v></c><c r="B1" t="str"><v>a\r\nb</v></c></row>', True),
    ('<row r="1">\n  <c r="A1" t="inlineStr">\n    <is><t xml:space="preserve"> x </t></is>\n  </c>\n</row>', True),
    ('<row r="2"/><row r="3"><c r="C3"/></row><row r="90"><c r="A90"><v>7</v></c></row>', True),
    ('<row r="1"><c r="A1"><v>1</v></c></row><!-- comment --><row r="2"><c r="A2"><v>2</v></c></row>', False),
    ('<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>', False),
    ('<row r="1"><c t="inlineStr"><is><t>no ref</t></is></c><c><v>2</v></c></row>', False),
    ('<row><c r="A1"><v>1</v></c></row><row><c r="A2"><v>2</v></c></row>', False),
    ('<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="1">'
     '<x:c r="A1"><x:v>5</x:v></x:c></x:row>', False),
    ('<row r="1"><c r="a1"><v>1</v></c></row>', False),
    ('<row r="1"><c r="A1" t="inlineStr"><is><t>bad\x01char</t></is></c></row>', False),
    ('<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>', False),
    # Every character of sheetData belongs to a row, a cell or white space, or the part goes to the parser.
    ('<row r="1">stray text<c r="A1"><v>1</v></c></row>', False),
    ('<row r="1"><c r="A1"><v>1</v></c></row>stray<row r="2"><c r="A2"><v>2</v></c></row>', False),
    ('<row r="1"><c r="A1"><v>1<!-- 2 --></v></c></row>', False),
    ('<row r="1"><c r="A1"><v>1</v><?pi x?></c></row>', False),
    ('<row r="1"><c r="A1"><v>1</v><c r="B1"><v>2</v></c></row>', False),
    ('<row r="1"><c r="A1"><x:v>1</x:v></c></row>', False),
    ('<row r="1"><c r="A1"><v>1</v></c><row r="2"><c r="A2"><v>2</v></c></row></row>', False),
    ('<row r="1"><c r="A1"><v>1</v></c></row><c r="A2"><v>2</v></c>', False),
    ('<row r="1"/><c r="A1"><v>1</v></c>', False),
    ('</row><row r="1"><c r="A1"><v>1</v></c></row>', False),
    # Two sheetData: the parser reads both, the scanner none.
    ('<row r="1"><c r="A1"><v>1</v></c></row></sheetData><sheetData><row r="2"><c r="A2"><v>2</v></c></row>', False),
    ('<row r="1"><c r="A1"><v>1</v></c></row></sheetData><sheetData/><sheetData><row r="3"/>', False),
    # Plain forms decoded by the scanner itself: empty cells, a ">" inside a quoted attribute value.
    ('<row r="1"><c r="A1" t="s"></c><c r="B1" t="inlineStr"/><c r="C1" s="3"></c></row>', True),
    ('<row r="1"><c r="A1" cm="a>b" t="inlineStr"><is><t>x</t></is></c><c r="B1" t="str" vm="1>0"><v>y</v></c>'
     '<c r="C1" t="b>"><v>1</v></c></row>', True),
    ('<row r="1" spans="1:3"><c r="A1" t="inlineStr"><is><t>a</t></is></c>\n</row>\n<row r="2"/>\n'
     '<row r="3"><c r="C3" t="e"><v>#N/A</v></c></row>', True),
])
def test_hand_written_parts(rows, scanned, workbooks, tmp_path, monkeypatch) -> None:
    """Each feature is either decoded exactly like the parser, or the part goes to the parser."""
    source = workbooks["template-van-phong"]
    part = sheet_part(source, L.META_SHEET)
    path = rewrite_zip(source, tmp_path / "hand.xlsx", replace={part: SHEET.format(rows=rows).encode()})
    scans = _count_scans(monkeypatch)
    fast = _read(path, True, monkeypatch, [L.META_SHEET])
    reference = _read(path, False, monkeypatch, [L.META_SHEET])
    assert fast == reference
    assert bool(scans) == scanned


@pytest.mark.parametrize("rows, direct", [
    ('<row r="1" spans="1:3"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="C1" s="2"/></row>'
     '<row r="2"/><row r="3"><c r="B3"><f>1+1</f><v>2</v></c></row>', True),
    # Content below the wanted rows: the first row past them whose cells hold something.
    ('<row r="1"><c r="A1"><v>1</v></c></row><row r="400"><c r="A400" s="1"/></row>'
     '<row r="401"><c r="B401" t="inlineStr"><is><t>x</t></is></c></row><row r="402"><c r="A402"><v>3</v></c></row>', True),
    ('<row r="1"><c r="A1"><v>1</v></c></row><row r="500"><c r="C500"><f>A1</f></c></row>', True),
    # Anything else is met cell by cell, as the parser meets it.
    ('<row r="2"><c r="A2"><v>2</v></c></row><row r="1"><c r="A1"><v>1</v></c></row>', False),
    ('<row r="1"><c r="A1"><v>1</v></c></row><row r="1"><c r="B1"><v>2</v></c></row>', False),
    ('<row r="1"><c r="A2"><v>1</v></c></row><row r="2"><c r="B2"><v>2</v></c></row>', False),
    ('<row r="01"><c r="A01"><v>1</v></c></row>', False),
    ('<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>', False),
    ('<row r="1"><c  r="A1"><v>1</v></c></row>', False),
    ('<row r="1"><c r="A1" x="a"y="b"><v>1</v></c></row>', False),  # not as XML writes attributes
    ('<row r="1" x="a"y="b"><c r="A1"><v>1</v></c></row>', False),
    # Quoted attribute values may hold "/" and ">" (as XML allows): still read straight.
    ('<row r="1" x="a/b"><c r="A1" x="a/b" y="c>d"><v>1</v></c></row>', True),
])
def test_plain_sheets_are_read_straight_and_others_cell_by_cell(rows, direct, workbooks, tmp_path,
                                                                monkeypatch) -> None:
    """Wanted cells are read where they must be only in a sheet proven plain (xlsx.direct); either
    way the cells and the content below are those the parser reads."""
    source = workbooks["template-van-phong"]
    part = sheet_part(source, L.META_SHEET)
    path = rewrite_zip(source, tmp_path / "direct.xlsx", replace={part: SHEET.format(rows=rows).encode()})
    scans = _count_scans(monkeypatch)
    fast = _read(path, True, monkeypatch, [L.META_SHEET])
    assert fast == _read(path, False, monkeypatch, [L.META_SHEET])
    assert ("direct" in scans) == direct


def test_filled_templates_are_read_straight(workbooks, monkeypatch) -> None:
    """Templates as XlsxWriter writes them and as openpyxl fills them take the straight path."""
    for name in ("template-th-vi-du", "filled-th-vi-du"):
        scans = _count_scans(monkeypatch)
        workbook = XlsxWorkbook(workbooks[name].read_bytes())
        for sheet in workbook.sheets:
            workbook.read_cells(sheet.name, EVERY_CELL)
        assert scans == ["direct"] * len(workbook.sheets), name


ROWS_FOR_PLANS = "".join(
    f'<row r="{row}">' + "".join(f'<c r="{letters}{row}"><v>{row * 100 + col}</v></c>'
                                 for col, letters in enumerate(("A", "B", "C", "D", "Z", "AA", "ZZ")))
    + "</row>" for row in range(1, 9))


@pytest.mark.parametrize("cells, columns, max_row", [
    ({(5, 0), (2, 3)}, (0, 1), 3),  # a wanted cell in a wanted column, past max_row
    ({(1, 26), (7, 701), (0, 25)}, (), None),  # columns AA, ZZ, Z
    ({(6, 2)}, (0, 3, 701), 4),
    (set(), (1,), 2),
    ({(3, 1), (3, 2), (3, 3)}, (1,), 1),
])
def test_the_cells_a_plan_asks_for_are_those_the_parser_reads(cells, columns, max_row, workbooks, tmp_path,
                                                               monkeypatch) -> None:
    """Wanted cells and wanted columns up to ``max_row``, in every mix: scanner == parser."""
    source = workbooks["template-van-phong"]
    part = sheet_part(source, L.META_SHEET)
    path = rewrite_zip(source, tmp_path / "plan.xlsx", replace={part: SHEET.format(rows=ROWS_FOR_PLANS).encode()})
    found = []
    scans = _count_scans(monkeypatch)
    for scanner in (True, False):
        monkeypatch.setattr(XlsxWorkbook, "use_scanner", scanner)
        workbook = XlsxWorkbook(path.read_bytes())
        got = workbook.read_cells(L.META_SHEET, cells, columns, max_row)
        found.append(got.cells)
    assert scans and found[0] == found[1]
    present = {(row, col) for row in range(8) for col in (0, 1, 2, 3, 25, 26, 701)}
    assert set(found[0]) == {key for key in present if key in cells or
                             (key[1] in columns and (max_row is None or key[0] <= max_row))}


def test_a_column_past_zz_goes_to_the_parser(workbooks, tmp_path, monkeypatch) -> None:
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="AAA1"><v>2</v></c></row><row r="2"><c r="B2"><v>3</v></c></row>'
    source = workbooks["template-van-phong"]
    part = sheet_part(source, L.META_SHEET)
    path = rewrite_zip(source, tmp_path / "wide.xlsx", replace={part: SHEET.format(rows=rows).encode()})
    scans = _count_scans(monkeypatch)
    assert _read(path, True, monkeypatch, [L.META_SHEET]) == _read(path, False, monkeypatch, [L.META_SHEET])
    assert not scans


def test_parts_with_a_doctype_never_reach_the_scanner(workbooks) -> None:
    data = SHEET.format(rows="").replace("<worksheet", '<!DOCTYPE worksheet [<!ENTITY a "b">]><worksheet').encode()
    with pytest.raises(xlsx_scan.Unsupported):
        xlsx_scan.check_part(data, "worksheet")
    with pytest.raises(xlsx_scan.Unsupported):  # another encoding: the parser decodes it
        xlsx_scan.check_part(data.replace(b"UTF-8", b"windows-1258").replace(b"<!DOCTYPE", b"<x"), "worksheet")


def test_shared_strings_rich_and_escaped(workbooks, tmp_path, monkeypatch) -> None:
    source = workbooks["template-van-phong"]

    def rich(data: bytes) -> bytes:  # turn the first shared string into a rich-text run + phonetic
        return re.sub(rb"<si><t>([^<]*)</t></si>", rb'<si><r><rPr><b/></rPr><t>\1</t></r><r><t xml:space="preserve"> '
                      rb'&amp;_x0041_</t></r><rPh sb="0" eb="1"><t>skip</t></rPh></si>', data, count=1)
    path = rewrite_zip(source, tmp_path / "sst.xlsx", replace={"xl/sharedStrings.xml": rich})
    cells = assert_same(path, monkeypatch, scanned=True)
    texts = [c.value for sheet in cells.values() for c in sheet[0].values() if isinstance(c.value, str)]
    assert any(text.endswith(" &A") for text in texts)


@requires_soffice
def test_libreoffice_saved_files_read_the_same(workbooks, tmp_path, monkeypatch) -> None:
    """One soffice call converts every workbook; each result is read both ways and compared."""
    sources = [workbooks[n] for n in ("template-th-vi-du", "filled-van-phong", "filled-th-vi-du")]
    copies = []
    for number, source in enumerate(sources):
        copy = tmp_path / "in" / f"{number}-{source.name}"
        copy.parent.mkdir(exist_ok=True)
        copy.write_bytes(source.read_bytes())
        copies.append(copy)
    out = tmp_path / "out"
    subprocess.run([soffice_path(), f"-env:UserInstallation=file://{tmp_path / 'lo-scan'}", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *map(str, copies)],
                   check=True, capture_output=True, timeout=240)
    for copy in copies:
        assert_same(out / copy.name, monkeypatch, scanned=True)


def test_decoded_cells_are_remembered_within_bounds(monkeypatch) -> None:
    """The cache of decoded cells (labels repeat across the files of a template) gives what decoding
    gives, keeps successes only, and stays within its bounds whatever a file holds."""
    monkeypatch.setattr(xlsx_scan, "MAX_DECODED", 8)
    monkeypatch.setattr(xlsx_scan, "_DECODED", xlsx_scan.decoded_memo())

    def parse_cell(element):
        return ("parsed", None, None, None)

    def decoded(attributes: bytes, content: bytes):
        return xlsx_scan._raw_cell(attributes, content, "{x}", parse_cell)

    label = b"<is><t>S&#7888; LI&#7878;U &amp; &#x41;</t></is>"
    first = decoded(b' s="1" t="inlineStr"', label)
    assert first == ("inlineStr", None, None, "SỐ LIỆU & A")
    assert decoded(b' s="1" t="inlineStr"', label) is first  # remembered
    assert decoded(b' s="2" t="inlineStr"', label) is not first  # keyed by the attributes too
    with pytest.raises(xlsx_scan.Unsupported):  # refused, and refused again: never remembered
        decoded(b' t="inlineStr"', b"<is><t>&bad;</t></is>")
    with pytest.raises(xlsx_scan.Unsupported):
        decoded(b' t="inlineStr"', b"<is><t>&bad;</t></is>")
    long = b"<is><t>" + b"a" * (xlsx_scan.MAX_DECODED_BYTES + 1) + b"</t></is>"
    decoded(b"", long)
    decoded(b"", b"<is><r><t>rich</t></r></is>")  # read by the parser: not the scanner's to remember
    assert all(content not in (long, b"<is><r><t>rich</t></r></is>") for _, content in xlsx_scan._DECODED)
    for number in range(20):
        assert decoded(b"", f"<v>{number}</v>".encode()) == ("n", str(number), None, None)
        assert len(xlsx_scan._DECODED) <= 8
    monkeypatch.setattr(xlsx_scan._DECODED, "total", 1000)  # and in bytes
    for number in range(20):
        decoded(b"", f"<is><t>{number:0300}</t></is>".encode())
        assert xlsx_scan._DECODED.size <= 1000
        assert xlsx_scan._DECODED.size == sum(len(a) + len(c) for a, c in xlsx_scan._DECODED)


def test_shared_string_items_are_remembered_by_their_bytes(monkeypatch) -> None:
    monkeypatch.setattr(xlsx_strings, "_DECODED_SI", xlsx_scan.decoded_memo())
    sst = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Trường &amp; lớp</t></si>'
           '<si><r><t>rich</t></r></si><si/></sst>').encode()
    table = xlsx_strings.SharedStrings(sst, lambda element: "rich!")
    assert [table.text(i) for i in range(3)] == ["Trường & lớp", "rich!", ""]
    assert list(xlsx_strings._DECODED_SI.values()) == ["Trường & lớp"]  # the rich item is the parser's
    assert xlsx_strings.SharedStrings(sst, lambda element: "rich!").text(0) is table.text(0)


def test_cells_are_remembered_except_shared_strings_and_nan(monkeypatch) -> None:
    from ctre_xl.read.xlsx import cells as xlsx_cells
    monkeypatch.setattr(xlsx_cells, "_CELLS", xlsx_scan.decoded_memo())
    table = xlsx_strings.SharedStrings(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                    b'<si><t>a</t></si></sst>', lambda element: "")
    raw = {(0, 0): ("n", "12", None, None), (0, 1): ("s", "0", None, None), (0, 2): ("n", "nan", None, None),
           (0, 3): ("s", "7", None, None), (0, 4): ("inlineStr", None, None, "x")}
    first = xlsx_cells.cells_of(raw, {(0, 1): 0, (0, 3): 7}, table)
    assert [c.value for c in list(first.values())[:2]] == [12.0, "a"] and first[0, 3] == xlsx_cells.Cell(None)
    again = xlsx_cells.cells_of(raw, {(0, 1): 0, (0, 3): 7}, table)
    assert again[0, 0] is first[0, 0] and again[0, 4] is first[0, 4]
    assert again[0, 2] is not first[0, 2]  # NaN is not equal to itself: never one object for two cells
    assert all(key[0] != "s" for key in xlsx_cells._CELLS)


# Well-formed changes a careless or hostile hand makes to a sheet, most of which keep it plain (then
# it is read straight), some of which do not (then it is met cell by cell, or by the parser).
def _in_own_row(rng, xml: bytes) -> bytes:  # a cell added to a row (its reference in that row; D: twice)
    rows = list(re.finditer(rb'<row r="(\d+)"[^>]*?(/?)>', xml))
    row = rng.choice([m for m in rows if not m[2]])
    cell = b'<c r="%s%s"%s>%s</c>' % (rng.choice((b"I", b"J", b"K", b"K", b"D")), row[1],
                                      rng.choice((b"", b' s="3"', b' t="s"', b' t="str"')),
                                      rng.choice((b"<v>5</v>", b"<f>1+1</f><v>2</v>", b"", b"<v>0</v>")))
    return xml[:row.end()] + cell + xml[row.end():]


def _value_changed(rng, xml: bytes) -> bytes:  # a figure typed as text, a formula, or emptied
    values = list(re.finditer(rb'<c r="D\d+"([^>/]*)>(.*?)</c>', xml))
    if not values:
        return xml
    found = rng.choice(values)
    content = rng.choice((b'<is><t>1.234</t></is>', b"<f>SUM(1,2)</f><v>3</v>", b"", b"<v>-7</v>",
                          b'<is><t xml:space="preserve"> 12 </t></is>'))
    attributes = b' t="inlineStr"' if content.startswith(b"<is>") else b""
    return xml[:found.start()] + b'<c r="%s"%s>%s</c>' % (found[0][6:found[0].index(b'"', 6)], attributes,
                                                           content) + xml[found.end():]


def _row_below(rng, xml: bytes) -> bytes:  # a row below the template, with or without content
    at = xml.index(b"</sheetData>")
    row = rng.choice((90, 200, 1000))
    cell = rng.choice((b'<c r="C%d"><v>1</v></c>' % row, b'<c r="A%d" s="2"/>' % row,
                       b'<c r="B%d" t="inlineStr"><is><t>ghi ch&#250;</t></is></c>' % row))
    return xml[:at] + b'<row r="%d">%s</row>' % (row, cell) + xml[at:]


def _anywhere(rng, xml: bytes) -> bytes:  # something put between two elements of sheetData
    start, end = xml.index(b"<sheetData>") + 11, xml.index(b"</sheetData>")
    places = [m.start() for m in re.finditer(rb"<(?:row|c) ", xml[start:end])] + [end - start]
    at = start + rng.choice(places)
    return xml[:at] + rng.choice((b'<row r="7"><c r="D7"><v>9</v></c></row>', b'<c r="D7"><v>8</v></c>',
                                  b"<!-- x -->", b'<row r="2"/>', b"\n  ", b"<?pi x?>")) + xml[at:]


def _renumbered(rng, xml: bytes) -> bytes:  # a row given another number (out of order, or twice)
    old = rng.choice(re.findall(rb'<row r="(\d+)"', xml))
    return xml.replace(b'<row r="%s"' % old, b'<row r="%d"' % rng.choice((1, 7, 8, 60, 500)), 1)


CHANGES = (_in_own_row, _in_own_row, _value_changed, _value_changed, _row_below, _anywhere, _renumbered)


@pytest.mark.parametrize("seed", range(16))
def test_changed_sheets_read_like_the_parser(seed, workbooks, tmp_path, monkeypatch) -> None:
    """Random well-formed changes of a real input sheet: whatever path reads it (straight, cell by
    cell or the parser), the cells and the content below are the parser's."""
    import random
    rng = random.Random(seed)
    source = workbooks["filled-th-vi-du"]
    part = sheet_part(source, L.INPUT_SHEET)

    def change(xml: bytes) -> bytes:
        for _ in range(rng.randint(1, 3)):
            xml = rng.choice(CHANGES)(rng, xml)
        return xml

    path = rewrite_zip(source, tmp_path / f"changed-{seed}.xlsx", replace={part: change})
    reference = _read(path, False, monkeypatch, [L.INPUT_SHEET])
    assert _read(path, True, monkeypatch, [L.INPUT_SHEET]) == reference
