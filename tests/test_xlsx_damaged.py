"""A damaged sheet or shared-strings part: the fast reading paths never read it otherwise than the XML parser would.

The parser refuses a part that is not well-formed XML, and the file is then rejected as damaged.
The fast paths (``read/xlsx/direct.py``, ``read/xlsx/scan.py``) check less than the parser where
nothing is read (a repeated attribute, an unbalanced tag inside a cell nobody reads): such a file
is read, and what is read is what the parser reads of the same file undamaged. Wherever a damage
could change what is read (a cell's end, a read cell's attributes, the start of the rows) they
refuse the part, and the file is rejected as the parser would reject it.
"""

from __future__ import annotations

import random
import re
import string
import subprocess
from pathlib import Path
from xml.etree.ElementTree import XML, ParseError

import pytest

from ctre_xl.cellref import a1
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.read.submission import read_submission
from ctre_xl.read.xlsx import workbook as xlsx_workbook
from ctre_xl.read.xlsx.workbook import XlsxWorkbook
from ctre_xl.read.xlsx.scan import Unsupported
from ctre_xl.read.xlsx.strings import SharedStrings
from ctre_xl.template import layout as L
from conftest import requires_soffice, soffice_path
from reading_helpers import fill, make_template, rewrite_zip, sheet_part

UNIT, YEAR = "th-vi-du", 2026


@pytest.fixture(scope="module")
def filled(tmp_path_factory, catalog, registry) -> Path:
    """A school's template filled in: figures, the preparer's fields and the report date."""
    root = tmp_path_factory.mktemp("damaged")
    template = make_template(catalog, registry, UNIT, YEAR, root / "template.xlsx")
    values: dict[str, object] = {code: number * 7 + 3 for number, code in enumerate(registry.get(UNIT).elements)}
    values.update(preparer_name="Nguyễn Thị Lan", preparer_phone="0912 345 678", report_date="01/11/2026")
    return fill(template, values, root / "inbox" / "filled.xlsx")


@pytest.fixture(scope="module")
def read_figure(catalog, registry) -> str:
    """The reference of a figure's cell on the input sheet (one that is read), in a row numbered 10 or more."""
    layout = L.cached_layout(catalog, registry.get(UNIT), YEAR)
    places = [layout.cells[code] for code in registry.get(UNIT).elements]
    sheet, row, col = next(place for place in places if place[1] >= 9)
    assert sheet == L.INPUT_SHEET
    return a1(row, col)


def _row(ref: str) -> bytes:
    """The row number of a cell reference ("D12" -> b"12")."""
    return ref.lstrip(string.ascii_uppercase).encode()


def _row_number_split(ref: str):
    """The read cell's row given another number by a stray quote: <row r="12" becomes <row r="1"2"."""
    number = _row(ref)
    return _replace_once(b'<row r="%s"' % number, b'<row r="%s"%s"' % (number[:1], number[1:]))


def _read(path: Path, scanner: bool, catalog, registry, monkeypatch) -> tuple:
    """What the user gets of ``path``: its status, the findings (kind, sheet, cell) and every value read."""
    monkeypatch.setattr(XlsxWorkbook, "use_scanner", scanner)
    outcome = read_submission(path, path.parent, catalog, registry)
    read = outcome.submission
    values = None if read is None else (
        {name: (value.value, value.raw, value.cell) for name, value in read.values.items()},
        read.notes, read.free_text, read.preparer, read.report_date)
    findings = sorted((str(f.kind), f.sheet or "", f.cell or "") for f in outcome.findings)
    return str(outcome.record.status), findings, values


def _damaged(filled: Path, tmp_path: Path, name: str, damage) -> Path:
    part = sheet_part(filled, L.INPUT_SHEET)
    folder = tmp_path / "inbox"
    return rewrite_zip(filled, folder / f"{name}.xlsx", replace={part: damage})


def _replace_once(old: bytes, new: bytes):
    def damage(xml: bytes) -> bytes:
        assert old in xml, old
        return xml.replace(old, new, 1)
    return damage


def _in_cell(ref: str, old: bytes, new: bytes):
    """Change ``old`` to ``new`` in the start tag of the cell ``ref``."""
    def damage(xml: bytes) -> bytes:
        tag = re.search(rb'<c r="%s"[^>]*>' % ref.encode(), xml)
        assert tag and old in tag[0], (ref, old)
        return xml[:tag.start()] + tag[0].replace(old, new, 1) + xml[tag.end():]
    return damage


def _in_cell_value(ref: str, text: bytes):
    """``text`` inside the value of the cell ``ref``."""
    def damage(xml: bytes) -> bytes:
        cell = re.search(rb'<c r="%s"[^>]*><v>' % ref.encode(), xml)
        assert cell, ref
        return xml[:cell.end()] + text + xml[cell.end():]
    return damage


# name -> the damage, given the reference of a cell that is read
DAMAGES = {
    "the end of the cell before it swallows the cell read": lambda ref: _replace_once(
        b'</c><c r="%s"' % ref.encode(), b'</="%s"' % ref.encode()),
    "the read cell's start hidden in a cell before it": lambda ref: _replace_once(
        b'<c r="%s"' % ref.encode(), b'<c r="Z%s" t="n"c r="%s"' % (_row(ref), ref.encode())),
    "the read cell's reference among a cell's before it": lambda ref: _replace_once(
        b'<c r="%s"' % ref.encode(), b'<c r="Z%s" t="n" r="%s"' % (_row(ref), ref.encode())),
    "a quote inside the number of the read cell's row": _row_number_split,
    "a quote inside the read cell's type": lambda ref: _in_cell(ref, b' t="n"', b' t="n t="s"x"'),
    "the read cell's type written twice": lambda ref: _in_cell(ref, b' t="n"', b' t="n" t="s"'),
    "an attribute of the read cell without quotes": lambda ref: _in_cell(ref, b' s="', b' s=3 x="'),
    "a second reference in the read cell": lambda ref: _in_cell(ref, b' t="n"', b' t="n" r="A1"'),
    "a byte that is not UTF-8 in the read cell's type": lambda ref: _in_cell(ref, b' t="n"', b' t="n\xff"'),
    "a byte that is not UTF-8 in the read cell's type, spaced": lambda ref: _in_cell(ref, b' t="n"', b' t ="\xffn"'),
    "a byte that is not UTF-8 in the sheet's dimension": lambda ref: _replace_once(b'<dimension ref="',
                                                                                  b'<dimension ref="\xc3'),
    "a character XML forbids (U+FFFF) in the read cell": lambda ref: _in_cell_value(ref, b"\xef\xbf\xbf"),
    "a character XML forbids (U+FFFE) in the read cell": lambda ref: _in_cell_value(ref, b"\xef\xbf\xbe"),
    "the start of the rows damaged": lambda ref: _replace_once(b"<sheetData>", b"<sh]]>eetData>"),
    "the start of the rows renamed": lambda ref: _replace_once(b"<sheetData>", b"<sheetDatum>"),
}


def _reordered(damage):
    """``damage``, in a sheet whose rows are out of order (an empty row 2 at the end): the
    scanner then meets every cell (``scan.scan_sheet``) instead of reading the wanted ones straight."""
    return lambda xml: damage(xml).replace(b"</sheetData>", b'<row r="2"/></sheetData>', 1)


def test_a_sheet_out_of_order_is_read_cell_by_cell(filled, catalog, registry, tmp_path, monkeypatch) -> None:
    """(So that the table below runs through both fast paths.)"""
    scanned = []
    real = xlsx_workbook.scan_sheet
    monkeypatch.setattr(xlsx_workbook, "scan_sheet", lambda *args: scanned.append(1) or real(*args))
    path = _damaged(filled, tmp_path, "ok", _reordered(lambda xml: xml))
    assert _read(path, True, catalog, registry, monkeypatch) == _read(filled, False, catalog, registry, monkeypatch)
    assert scanned


@pytest.mark.parametrize("route", ["straight", "cell by cell"])
@pytest.mark.parametrize("name", list(DAMAGES))
def test_a_damage_that_could_change_what_is_read_rejects_the_file(name, route, filled, read_figure, catalog,
                                                                     registry, tmp_path, monkeypatch) -> None:
    damage = DAMAGES[name](read_figure)
    path = _damaged(filled, tmp_path, "hong", damage if route == "straight" else _reordered(damage))
    fast = _read(path, True, catalog, registry, monkeypatch)
    assert fast == _read(path, False, catalog, registry, monkeypatch)
    assert fast[0] == "rejected" and fast[2] is None
    assert [kind for kind, _sheet, _cell in fast[1]] == [str(FindingKind.CORRUPT_XML)]
    monkeypatch.setattr(XlsxWorkbook, "use_scanner", True)
    finding = read_submission(path, path.parent, catalog, registry).findings[0]
    assert finding.file == "hong.xlsx"
    assert f"tệp bị hỏng: phần “{sheet_part(filled, L.INPUT_SHEET)}” không đọc được" in finding.message


# Damages a careless or hostile hand could make anywhere in a sheet: one per file.
PIECES = (b"<", b">", b"/", b"</row>", b'<row r="7">', b'<c r="D7">', b"</c>", b"<v>", b"</v>", b"&", b"&#0;",
          b"]]>", b'"', b"'", b" ", b"=", b"<f>", b"</f>", b"<is><t>", b"</t></is>", b' r="A1"', b' t="s"', b"<b>",
          b"\xff", b"\xc3(",  # bytes that are not UTF-8
          b"\xef\xbf\xbf", b"\xef\xbf\xbe",  # characters XML forbids (U+FFFF, U+FFFE)
          b"<si>", b"</si>", b"</s>", b"<r>", b"</r>")


def _one_damage(rng: random.Random, xml: bytes) -> bytes:
    at = rng.randrange(len(xml))
    if rng.random() < 0.6:
        return xml[:at] + rng.choice(PIECES) + xml[at:]
    return xml[:at] + xml[at + rng.randint(1, 6):]


@pytest.mark.parametrize("seed", range(6))
def test_a_damage_the_fast_paths_let_pass_never_changes_what_is_read(seed, filled, catalog, registry, tmp_path,
                                                                     monkeypatch) -> None:
    """One random damage per file, anywhere in the input or the front sheet: the fast paths give
    the parser's outcome, or (where the parser refuses the part) exactly what the undamaged file gives."""
    rng = random.Random(seed)
    undamaged = _read(filled, False, catalog, registry, monkeypatch)
    assert undamaged[0] == "accepted"
    let_pass = 0
    for number in range(25):
        part = sheet_part(filled, rng.choice((L.INPUT_SHEET, L.FRONT_SHEET)))
        path = rewrite_zip(filled, tmp_path / "inbox" / f"damaged-{number}.xlsx",
                           replace={part: lambda xml: _one_damage(rng, xml)})
        fast, reference = (_read(path, scanner, catalog, registry, monkeypatch) for scanner in (True, False))
        if fast != reference:
            assert reference[0] == "rejected" and fast[1:] == undamaged[1:], (number, fast, reference)
            let_pass += 1
        path.unlink()
    assert let_pass < 25  # most damages are refused by both


SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">'
ITEMS = (b"<si><t>Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Lan</t></si>", b'<si><t xml:space="preserve">0912 345 678</t></si>',
         b'<si><r><t>C</t></r><r><rPr><b/><sz val="11"/><color rgb="FFFF0000"/><rFont val="Times New Roman"/></rPr>'
         b'<t xml:space="preserve">\xc3\xb3 </t></r><rPh sb="0" eb="1"><t>x</t></rPh><phoneticPr fontId="1"/></si>')
# name -> the damaged table, every one of which the parser refuses
TABLES = {
    "a character XML forbids (U+FFFF)": ITEMS[0] + ITEMS[1].replace(b"0912", b"09\xef\xbf\xbf12") + ITEMS[2],
    "a character XML forbids (U+FFFE)": ITEMS[0] + ITEMS[1].replace(b"0912", b"09\xef\xbf\xbe12") + ITEMS[2],
    "a control character": ITEMS[0] + ITEMS[1].replace(b"0912", b"09\x0112") + ITEMS[2],
    "an item's <si> lost": ITEMS[0] + ITEMS[1].replace(b"<si>", b"", 1) + ITEMS[2],
    "a stray byte for an item's <": ITEMS[0] + ITEMS[1].replace(b"<si>", b"\xe0si>", 1) + ITEMS[2],
    "an item's </si> cut to </s>": ITEMS[0].replace(b"</si>", b"</s>") + ITEMS[1] + ITEMS[2],
    "an item's text left open": ITEMS[0].replace(b"</t>", b"") + ITEMS[1] + ITEMS[2],
}


@pytest.mark.parametrize("name", list(TABLES))
def test_a_damaged_shared_strings_table_goes_to_the_parser(name: str) -> None:
    """The parser calls such a table corrupt; the scanner must not read it instead (a lost item
    would give every later cell the text of the one after it)."""
    part = SST + TABLES[name] + b"</sst>"
    with pytest.raises(ParseError):
        XML(part)
    with pytest.raises(Unsupported):
        SharedStrings(part, lambda element: "")
    undamaged = SharedStrings(SST + b"".join(ITEMS) + b"\n</sst>", lambda element: "rich")  # read by the scanner
    assert len(undamaged) == 3 and undamaged.text(1) == "0912 345 678" and undamaged.text(2) == "rich"


@pytest.fixture(scope="module")
def resaved(filled, tmp_path_factory) -> Path:
    """The filled file re-saved by LibreOffice, as a unit's file comes back: its texts in the
    shared-strings table."""
    folder = tmp_path_factory.mktemp("resaved")
    subprocess.run([soffice_path(), f"-env:UserInstallation=file://{folder / 'lo'}", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder), str(filled)],
                   check=True, capture_output=True, timeout=240)
    return folder / filled.name


@requires_soffice
def test_a_lost_shared_string_rejects_the_file_as_the_parser_does(resaved, catalog, registry, tmp_path,
                                                                   monkeypatch) -> None:
    """One item's start lost: the file is rejected both ways, never read with its texts shifted."""
    assert _read(resaved, True, catalog, registry, monkeypatch)[0] == "accepted"

    def lose_an_item(xml: bytes) -> bytes:
        second = xml.index(b"<si>", xml.index(b"<si>") + 1)
        return xml[:second] + xml[second + len(b"<si>"):]

    path = rewrite_zip(resaved, tmp_path / "inbox" / "mat-chu.xlsx", replace={"xl/sharedStrings.xml": lose_an_item})
    fast = _read(path, True, catalog, registry, monkeypatch)
    assert fast == _read(path, False, catalog, registry, monkeypatch)
    assert fast[0] == "rejected" and [kind for kind, _sheet, _cell in fast[1]] == [str(FindingKind.CORRUPT_XML)]


@requires_soffice
@pytest.mark.parametrize("seed", range(3))
def test_a_damaged_shared_strings_table_never_changes_what_is_read(seed, resaved, catalog, registry, tmp_path,
                                                                   monkeypatch) -> None:
    """As the sheets' fuzz above, on the shared-strings table of a re-saved file."""
    rng = random.Random(seed)
    undamaged = _read(resaved, False, catalog, registry, monkeypatch)
    for number in range(25):
        path = rewrite_zip(resaved, tmp_path / "inbox" / f"damaged-{number}.xlsx",
                           replace={"xl/sharedStrings.xml": lambda xml: _one_damage(rng, xml)})
        fast, reference = (_read(path, scanner, catalog, registry, monkeypatch) for scanner in (True, False))
        if fast != reference:
            assert reference[0] == "rejected" and fast[1:] == undamaged[1:], (number, fast, reference)
        path.unlink()
