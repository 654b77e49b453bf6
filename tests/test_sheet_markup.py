"""Worksheet parts read by their markup (ctre_xl.read.xlsx.sheet_markup) give exactly what the
scanner and the XML parser give: returns of one template are learned from, the next ones are read
from their texts, and a part whose markup or texts differ in any way that matters goes to the
scanner (and from it, where it must, to the parser).

Each case learns a markup from real returns (a template filled with openpyxl, as the benchmark's
and many units' files are), then reads a changed return both ways and compares the cells, the
dimension and the content below, or the error.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from ctre_xl.read.submission import read_submission
from ctre_xl.read.xlsx import sheet_markup
from ctre_xl.read.xlsx.sheet_markup import SHEETS, SheetMarkups, _cut_part
from ctre_xl.read.xlsx.workbook import XlsxWorkbook
from ctre_xl.template import layout as L
from reading_helpers import fill, make_template, read_both_ways, rewrite_zip, sheet_part

UNIT = "th-vi-du"


@pytest.fixture(autouse=True)
def learning_at_once(monkeypatch):
    """A markup learned from its first parts (the default waits for 16 meetings of a head); the
    store starts empty (conftest.py)."""
    monkeypatch.setattr(sheet_markup, "LEARN_AFTER", 1)


@pytest.fixture(scope="module")
def returns(tmp_path_factory, catalog, registry) -> list[Path]:
    """Six returns of one school's template: other figures, other names, the same markup."""
    root = tmp_path_factory.mktemp("markup")
    template = make_template(catalog, registry, UNIT, 2026, root / "template.xlsx")
    elements = registry.get(UNIT).elements
    made = []
    for number in range(6):
        values: dict[str, object] = {code: (at + 3) * (number + 2) for at, code in enumerate(elements)}
        values.update(preparer_name=f"Người lập số {number}", report_date=f"0{number + 1}/11/2026",
                      report_results=f"Kết quả {number} > năm trước & hơn")
        made.append(fill(template, values, root / f"return-{number}.xlsx"))
    return made


def learn_from(paths: list[Path], monkeypatch) -> None:
    for path in paths:
        read_both_ways(path, True, monkeypatch)


def test_returns_of_one_template_are_read_by_their_markup(returns, monkeypatch) -> None:
    learn_from(returns[:3], monkeypatch)
    assert SHEETS.known, "nothing was learned"
    for path in returns[3:]:
        before = SHEETS.hits
        fast = read_both_ways(path, True, monkeypatch)
        assert SHEETS.hits > before, f"{path.name} was not read by its markup"
        assert fast == read_both_ways(path, False, monkeypatch)  # the parser's answer


def test_a_submission_read_by_markup_is_the_one_read_without(returns, catalog, registry, monkeypatch) -> None:
    learn_from(returns[:3], monkeypatch)
    before = SHEETS.hits
    fast = read_submission(returns[4], returns[4].parent, catalog, registry)
    assert SHEETS.hits > before
    monkeypatch.setattr(sheet_markup, "LEARN_AFTER", 10 ** 9)
    SHEETS.forget()
    plain = read_submission(returns[4], returns[4].parent, catalog, registry)
    assert (fast.record, fast.submission, fast.findings) == (plain.record, plain.submission, plain.findings)


def _input_value(xml: bytes, new: bytes) -> bytes:
    """The first figure typed in column D given another text."""
    return re.sub(rb'(<c r="D\d+"[^>]*><v>)[^<]*(</v>)', lambda m: m[1] + new + m[2], xml, count=1)


# Changes of a learned return's input sheet: (change, read by its markup rather than by the scanner
# or the parser).
CHANGES = {
    "another figure": (lambda xml: _input_value(xml, b"98765"), True),
    "a figure emptied": (lambda xml: _input_value(xml, b""), True),
    "a figure of blanks": (lambda xml: _input_value(xml, b"   "), True),
    "a decimal comma": (lambda xml: _input_value(xml, b"1,5"), True),
    "a forbidden control character": (lambda xml: _input_value(xml, b"1\x01"), False),
    "an entity": (lambda xml: _input_value(xml, b"&#49;&#50;"), True),
    "a greater-than": (lambda xml: _input_value(xml, b"5 > 4"), True),
    # The markup matches, but the cell's text is the parser's to judge (scan.xml_text refuses it).
    "a reference to a forbidden character": (lambda xml: _input_value(xml, b"&#1;"), False),
    "an undeclared entity": (lambda xml: _input_value(xml, b"&nbsp;"), False),
    "]]> in a text": (lambda xml: _input_value(xml, b"5 ]]> 4"), False),
    "a CDATA section": (lambda xml: _input_value(xml, b"<![CDATA[7]]>"), False),
    "a comment": (lambda xml: _input_value(xml, b"7<!-- x -->"), False),
    "a second value": (lambda xml: _input_value(xml, b"1</v><v>2"), False),
    "a style changed": (lambda xml: xml.replace(b' s="', b' s="1', 1), False),
    "a row pasted below": (lambda xml: xml.replace(b"</sheetData>", b'<row r="90"><c r="C90"><v>1</v></c></row>'
                                                   b"</sheetData>"), False),
    "a cell typed as text": (lambda xml: re.sub(rb'<c r="(D\d+)"([^>]*)><v>([^<]*)</v>',
                                                rb'<c r="\1"\2 t="inlineStr"><is><t>\3</t></is>', xml, count=1), False),
    "white space between cells": (lambda xml: xml.replace(b"</c><c", b"</c>\n <c", 1), False),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_changed_return_reads_as_the_parser_reads_it(name, returns, tmp_path, monkeypatch) -> None:
    change, by_markup = CHANGES[name]
    learn_from(returns[:3], monkeypatch)
    source = returns[4]
    part = sheet_part(source, L.INPUT_SHEET)
    changed = rewrite_zip(source, tmp_path / "changed.xlsx", replace={part: change})
    with zipfile.ZipFile(changed) as archive, zipfile.ZipFile(source) as before:
        input_sheet = archive.read(part)
        assert input_sheet != before.read(part)
    reads: list[str] = []
    real = SheetMarkups.read

    def counted(self, data, *args):  # noqa: ANN001, ANN202
        found = real(self, data, *args)
        if found is not None and data == input_sheet:
            reads.append("markup")
        return found
    monkeypatch.setattr(SheetMarkups, "read", counted)
    fast = read_both_ways(changed, True, monkeypatch)
    assert fast == read_both_ways(changed, False, monkeypatch)
    assert bool(reads) == by_markup


def test_tags_end_at_the_first_greater_than_outside_quotes() -> None:
    part = (b'<?xml version="1.0"?>\n<worksheet a="x>y" b=\'p>"q\'><sheetData><row r="1"><c r="A1"><v>1 > 0</v>'
            b"</c></row></sheetData></worksheet>")
    tags, texts = _cut_part(part)
    assert tags[1] == b'<worksheet a="x>y" b=\'p>"q\'>'
    assert b"1 > 0" in texts
    assert b"".join(text + tag for text, tag in zip(texts, tags)) + texts[-1] == part
    assert _cut_part(part.replace(b"<sheetData>", b"<!-- c --><sheetData>")) is None
    assert _cut_part(part.replace(b"<sheetData>", b"<?pi x?><sheetData>")) is None


def test_texts_that_differ_only_in_blanks_make_no_slot(returns, monkeypatch) -> None:
    learn_from(returns[:3], monkeypatch)
    for markups in SHEETS.known.values():
        for markup in markups:
            assert all(markup.texts[at].strip() for at in markup.slots)
            blank = [at for at, text in enumerate(markup.texts) if not text.strip()][0]
            texts = list(markup.texts)
            texts[blank] = b"x"
            assert not markup.widen(texts)


def test_learning_is_bounded(returns, monkeypatch) -> None:
    """Parts of many heads: no more markups, heads or cuttings into tags than the bounds allow."""
    monkeypatch.setattr(sheet_markup, "MAX_SEEN", 5)
    monkeypatch.setattr(sheet_markup, "MAX_MARKUPS", 3)
    monkeypatch.setattr(sheet_markup, "MAX_LEARNING", 4)
    cuts: list[int] = []
    real_cut = sheet_markup._cut_part
    monkeypatch.setattr(sheet_markup, "_cut_part", lambda data: cuts.append(1) or real_cut(data))
    data = XlsxWorkbook(returns[0].read_bytes())._read_part(sheet_part(returns[0], L.INPUT_SHEET))
    store = SheetMarkups()
    for number in range(40):  # forty heads, each met twice
        head = data.replace(b"<sheetData", b'<sheetProtection sheet="%d"/><sheetData' % number, 1)
        store.met(head, "{ns}", None)
        store.met(head.replace(b"<v>", b"<v>1", 1), "{ns}", None)
    assert len(store.seen) == 5
    assert sum(map(len, store.known.values())) <= 3
    with monkeypatch.context() as short_heads:
        short_heads.setattr(sheet_markup, "MAX_HEAD_BYTES", len(sheet_markup._head(data)) - 1)
        store = SheetMarkups()
        store.met(data, "{ns}", None)
        assert not store.seen  # a head this long is not kept to be counted
    store = SheetMarkups()
    cuts.clear()
    for number in range(40):  # one head, forty markups of its own (another style each)
        store.met(data.replace(b' s="', b' s="%d' % number, 1), "{ns}", None)
    assert len(cuts) == 4 and len(store.known[sheet_markup._head(data)]) <= 3
    store = SheetMarkups()
    store.met(data, "{ns}", None)
    assert store.read(data, frozenset({(6, 3)}), 40, lambda element: ("n", None, None, None)) is not None
    monkeypatch.setattr(sheet_markup, "MAX_PART_BYTES", len(data) - 1)  # larger parts: the scanner's
    assert store.read(data, frozenset({(6, 3)}), 40, lambda element: ("n", None, None, None)) is None
    store = SheetMarkups()
    cuts.clear()
    store.met(data, "{ns}", None)
    assert cuts == [] and not store.known


def test_a_merge_reads_by_markup_and_finds_the_same(returns, catalog, registry, monkeypatch, tmp_path) -> None:
    """The merge stage on returns read by markup and on the same returns read without it."""
    from ctre_xl.merge.merge import merge_inbox
    from ctre_xl.files import Workspace
    workspace = Workspace(tmp_path / "ws")
    workspace.ensure()
    for number, path in enumerate(returns):
        (workspace.inbox / f"{number}.xlsx").write_bytes(path.read_bytes())
    with_markup = merge_inbox(catalog, registry, workspace, 2026)
    assert SHEETS.hits > 0
    monkeypatch.setattr(sheet_markup, "LEARN_AFTER", 10 ** 9)
    SHEETS.forget()
    without = merge_inbox(catalog, registry, workspace, 2026)
    assert SHEETS.hits == 0
    assert with_markup.facts == without.facts
    assert with_markup.findings == without.findings
    assert with_markup.files == without.files


def _text_changed(rng, xml: bytes) -> bytes:
    """A text between two tags given another one, hostile or not (the markup stays)."""
    figures = list(re.finditer(rb'<c r="D[0-9]+"[^>]*><v>([^<]+)<', xml))  # most of them slots of the markup
    found = rng.choice(figures if figures and rng.random() < 0.7 else list(re.finditer(rb">([^<]+)<", xml)))
    new = rng.choice((b"0", b"  ", b"1.234,5", b"&amp;x", b"&#7888;", b"a > b", b"\x01", b"\xef\xbf\xbe", b"&bad;",
                      b"]]>", b"\r\n", b"xmlns", b"r=\"7\""))
    return xml[:found.start(1)] + new + xml[found.end(1):]


@pytest.mark.parametrize("seed", range(40))
def test_randomly_changed_returns_read_as_the_parser_reads_them(seed, returns, tmp_path, monkeypatch) -> None:
    """Random changes of a learned return's input sheet, to its texts and (with the scanner's own
    changes, tests/test_xlsx_scan.py) to its markup: whatever reads it, the parser's answer."""
    import random

    from test_xlsx_scan import CHANGES as MARKUP_CHANGES
    rng = random.Random(seed)
    learn_from(returns[:3], monkeypatch)
    source = returns[3 + seed % 3]
    part = sheet_part(source, L.INPUT_SHEET)

    def change(xml: bytes) -> bytes:
        for _ in range(rng.randint(1, 3)):
            xml = _text_changed(rng, xml) if rng.random() < 0.6 else rng.choice(MARKUP_CHANGES)(rng, xml)
        return xml

    changed = rewrite_zip(source, tmp_path / f"random-{seed}.xlsx", replace={part: change})
    assert read_both_ways(changed, True, monkeypatch) == read_both_ways(changed, False, monkeypatch)


def test_random_changes_of_texts_alone_are_read_by_the_markup(returns, tmp_path, monkeypatch) -> None:
    """The random test above reaches the markup's path: a return whose figures alone were changed
    is read by it."""
    import random
    rng = random.Random(7)
    learn_from(returns[:3], monkeypatch)
    part = sheet_part(returns[4], L.INPUT_SHEET)
    changed = rewrite_zip(returns[4], tmp_path / "figures.xlsx", replace={part: lambda xml: re.sub(
        rb'(<c r="D[0-9]+"[^>]*><v>)[^<]+<', lambda m: m[1] + b"%d<" % rng.randint(0, 999), xml)})
    with zipfile.ZipFile(changed) as archive:
        input_sheet = archive.read(part)
    assert SHEETS.read(input_sheet, frozenset({(6, 3)}), 40, lambda element: ("n", None, None, None)) is not None
    assert read_both_ways(changed, True, monkeypatch) == read_both_ways(changed, False, monkeypatch)
