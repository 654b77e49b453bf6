"""A return's document properties read by their markup (ctre_xl.read.xlsx.skeleton) are exactly
what the XML parser reads: the first part of a markup is parsed, the next ones are read from their
texts, and any text the parser would refuse or read differently goes to the parser.

Each case learns a markup from one part, then reads a second part of the same markup both ways
and compares the answers (or the errors): the forms the template writer, openpyxl, Excel and
LibreOffice write, with texts people type and texts crafted to be refused.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from conftest import requires_soffice, soffice_path
from ctre_xl.read.package import parse_xml
from ctre_xl.read.submission import read_submission
from ctre_xl.read.xlsx import skeleton
from ctre_xl.read.xlsx.skeleton import Skeletons
from ctre_xl.read.xlsx.workbook import XlsxWorkbook
from reading_helpers import fill, make_template

VT = 'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"'
PROPERTIES = 'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
FMTID = 'fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"'


def excel_custom(values: dict[str, str], head: str = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n') -> bytes:
    """docProps/custom.xml as Excel writes it (prefix declared on the root, one line)."""
    props = "".join(f'<property {FMTID} pid="{n + 2}" name="{k}"><vt:lpwstr>{v}</vt:lpwstr></property>'
                    for n, (k, v) in enumerate(values.items()))
    return f"{head}<Properties {PROPERTIES} {VT}>{props}</Properties>".encode()


def openpyxl_custom(values: dict[str, str]) -> bytes:
    """docProps/custom.xml as openpyxl writes it (the prefix declared on every value)."""
    props = "".join(f'<property name="{k}" {FMTID} pid="{n + 2}"><vt:lpwstr {VT}>{v}</vt:lpwstr></property>'
                    for n, (k, v) in enumerate(values.items()))
    return f"<Properties {PROPERTIES}>{props}</Properties>".encode()


def pretty_custom(values: dict[str, str]) -> bytes:
    """Indented, with a yes/no property (LibreOffice-like layout)."""
    props = "".join(f'\n  <property {FMTID} pid="{n + 2}" name="{k}">\n    <vt:lpwstr>{v}</vt:lpwstr>\n  </property>'
                    for n, (k, v) in enumerate(values.items()))
    flag = f'\n  <property {FMTID} pid="99" name="ctre_sample"><vt:bool>true</vt:bool></property>'
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Properties {PROPERTIES} {VT}>{props}{flag}\n</Properties>\n'.encode()


FORMS = {"excel": excel_custom, "openpyxl": openpyxl_custom, "pretty": pretty_custom}
FIRST = {"ctre_unit_id": "th-0001", "ctre_unit_name": "Trường Tiểu học Xuân Đài", "ctre_year": "2026"}

# The second part's unit name: what people type, and what is crafted to be refused or read apart.
TEXTS = {
    "plain": "Trường THCS Xuân Phú số 17",
    "ascii": "Truong THCS 17",
    "named entities": "Lê &amp; Trần &lt;A&gt; &quot;B&quot; &apos;C&apos;",
    "character references": "Dòng&#13;&#10;hai &#x1EA0;",
    "greater than": "a > b",
    "line ends": "Dòng 1\r\nDòng 2\rDòng 3",
    "blank": "",
    "spaces": "   ",
    "forbidden reference": "x&#1;y",
    "undeclared entity": "x&nbsp;y",
    "bare ampersand": "Lê & Trần",
    "control character": "x\x01y",
    "cdata end": "x]]>y",
    "brackets": "x]]y",
    "noncharacter": "x\uffffy",
}


@pytest.fixture(autouse=True)
def learn_at_second_meeting(monkeypatch) -> None:
    """A markup learned when met twice (LEARN_AFTER is larger: see the test of it below)."""
    monkeypatch.setattr(skeleton, "LEARN_AFTER", 2)


def test_one_communes_few_returns_compile_nothing(monkeypatch) -> None:
    """Compiling a markup's pattern costs milliseconds and saves microseconds a part: a markup is
    learned only once met LEARN_AFTER times (by default), so one commune's returns never pay for it."""
    monkeypatch.undo()
    assert skeleton.LEARN_AFTER >= 20
    reader = Skeletons(skeleton._custom_items)
    data = excel_custom(FIRST)
    for _ in range(skeleton.LEARN_AFTER - 1):
        reader.read(data, parse_xml)
    assert (reader.learned, reader.known) == (0, [])
    reader.read(data, parse_xml)
    assert reader.learned == 1 and len(reader.known) == 1
    assert reader.read(data, parse_xml) == _parsed(data) and reader.hits == 1


def learned(data: bytes) -> Skeletons:
    """A reader of custom.xml that has learned ``data``'s markup (met LEARN_AFTER times)."""
    reader = Skeletons(skeleton._custom_items)
    for _ in range(skeleton.LEARN_AFTER):
        reader.read(data, parse_xml)
    assert len(reader.known) == 1
    return reader


def _answer(read, data: bytes):
    try:
        return read(data)
    except Exception as exc:  # the parser's refusal: its kind is the answer
        return type(exc).__name__


def _parsed(data: bytes) -> list:
    return skeleton._custom_items(parse_xml(data))


def _encoded(form, text: str) -> bytes:
    data = form({**FIRST, "ctre_unit_name": "@NAME@"})
    return data.replace(b"@NAME@", text.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("text", TEXTS)
def test_a_known_markup_reads_what_the_parser_reads(form, text) -> None:
    reader = Skeletons(skeleton._custom_items)
    first = FORMS[form](FIRST)
    for _ in range(2):  # met once, then learned
        assert reader.read(first, parse_xml) == _parsed(first)
    assert len(reader.known) == 1, "the markup was not learned"
    second = _encoded(FORMS[form], TEXTS[text])
    assert _answer(lambda d: reader.read(d, parse_xml), second) == _answer(_parsed, second)


def test_plain_texts_are_read_without_the_parser() -> None:
    reader = learned(excel_custom(FIRST))

    def refuse(_data: bytes):
        raise AssertionError("parsed")
    for text in ("plain", "named entities", "line ends", "greater than"):
        reader.read(_encoded(excel_custom, TEXTS[text]), refuse)
    assert reader.hits == 4


def test_invalid_utf8_goes_to_the_parser() -> None:
    reader = learned(excel_custom(FIRST))
    second = excel_custom({**FIRST, "ctre_unit_name": "@"}).replace(b">@<", b">\xff\xfe<")
    assert _answer(lambda d: reader.read(d, parse_xml), second) == _answer(_parsed, second) == "ParseError"
    assert reader.hits == 0


MARKUP = {
    "comment": b"<!-- a > b -->",
    "cdata": b"<![CDATA[x > y]]>",
    "processing instruction": b"<?pi a > b ?>",
}


@pytest.mark.parametrize("what", MARKUP)
def test_comments_cdata_and_instructions_are_always_parsed(what) -> None:
    reader = Skeletons(skeleton._custom_items)
    data = excel_custom(FIRST).replace(b"<vt:lpwstr>th-0001", b"<vt:lpwstr>th-" + MARKUP[what] + b"0001")
    for _ in range(2):
        assert reader.read(data, parse_xml) == _parsed(data)
    assert reader.known == [] and reader.hits == 0


@pytest.mark.parametrize("markup", [b"<!--c-->", b"<![CDATA[x]]>", b"<?pi x?>"])
def test_each_guard_alone_keeps_such_markup_from_being_learned(markup) -> None:
    """Either guard is enough: such a part is not eligible, and were it learned anyway, a text made
    of two runs around the markup is not one slot."""
    data = excel_custom(FIRST).replace(b"<vt:lpwstr>th-0001", b"<vt:lpwstr>th-" + markup + b"0001")
    assert not skeleton._eligible(data)
    assert skeleton._learn(skeleton._custom_items, data, _parsed(data)) is None


def test_a_greater_than_inside_an_attribute_is_not_taken_for_a_text() -> None:
    reader = Skeletons(skeleton._custom_items)
    data = excel_custom(FIRST).replace(b'name="ctre_year"', b'name="a>b"')
    for _ in range(3):
        assert reader.read(data, parse_xml) == _parsed(data)
    assert reader.known == [] and reader.learned == 1


def test_other_markup_is_parsed_then_learned() -> None:
    reader = learned(excel_custom(FIRST))
    other = openpyxl_custom({**FIRST, "ctre_unit_id": "mn-9"})
    for _ in range(2):
        assert reader.read(other, parse_xml) == _parsed(other)
    assert (reader.hits, len(reader.known)) == (0, 2)
    # Text where the first part had none (outside the root here) is the parser's to refuse.
    outside = excel_custom(FIRST, head='<?xml version="1.0" encoding="UTF-8"?>x')
    assert _answer(lambda d: reader.read(d, parse_xml), outside) == "ParseError"


def test_markups_met_once_cost_no_pattern_and_learning_is_bounded() -> None:
    """An inbox whose every file has a markup of its own: nothing is compiled for a markup met once,
    and at most MAX_LEARNED markups are learned, however many are met twice."""
    reader = Skeletons(skeleton._custom_items)
    for number in range(40):
        data = excel_custom({**FIRST, f"ctre_extra_{number}": "x"})
        assert reader.read(data, parse_xml) == _parsed(data)
    assert (reader.learned, reader.known, len(reader.seen)) == (0, [], 40)
    for number in range(40):
        data = excel_custom({**FIRST, f"ctre_extra_{number}": "y"})
        assert reader.read(data, parse_xml) == _parsed(data)
    assert reader.learned == skeleton.MAX_LEARNED
    assert len(reader.known) == skeleton.MAX_SKELETONS


def test_yes_no_properties_and_names_given_twice() -> None:
    values = {**FIRST, "ctre_year": "2025"}
    data = pretty_custom(values).replace(b"<vt:bool>true", b"<vt:bool>0")
    again = data.replace(b"</Properties>", f'<property {FMTID} pid="7" name="ctre_year"><vt:lpwstr>2026'
                                           f'</vt:lpwstr></property></Properties>'.encode())
    reader = Skeletons(skeleton._custom_items)  # a reader of its own: nothing learned before
    for part in (data, again):
        answers = [dict(reader.read(part, parse_xml)) for _ in range(3)]  # met, learned, read
        assert answers[0] == answers[1] == answers[2] == dict(skeleton._custom_items(parse_xml(part)))
    assert reader.hits == 2
    assert skeleton.custom_properties(again, parse_xml)["ctre_year"] == "2026"
    assert skeleton.custom_properties(data, parse_xml)["ctre_sample"] == "0"
    assert skeleton.custom_properties(data, parse_xml) == skeleton.custom_properties(data, parse_xml, fast=False)


@pytest.fixture(scope="module")
def returns(tmp_path_factory, catalog, registry) -> list[Path]:
    """Templates (XlsxWriter's properties) and filled returns (openpyxl's), two of each markup,
    and LibreOffice's re-saves of the filled ones where LibreOffice is installed."""
    root = tmp_path_factory.mktemp("skeleton")
    made = []
    for unit_id in ("th-vi-du", "thcs-vi-du", "van-phong"):
        template = make_template(catalog, registry, unit_id, 2026, root / f"{unit_id}.xlsx")
        made += [template, fill(template, {"report_date": "02/11/2026"}, root / "filled" / f"{unit_id}.xlsx")]
    soffice = soffice_path()
    if soffice:
        import subprocess
        out = root / "resaved"
        subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(out),
                        *map(str, made[1::2])], check=True, capture_output=True, timeout=240)
        made += sorted(out.glob("*.xlsx"))
    return made


def test_real_returns_read_the_same_both_ways(returns, catalog, registry, monkeypatch) -> None:
    for reader in (skeleton.CUSTOM_PROPERTIES, skeleton.SAVED_TIME):
        monkeypatch.setattr(reader, "known", [])
        monkeypatch.setattr(reader, "hits", 0)
    for _ in range(2):  # the first meeting of each markup parses it, the second reads it
        for path in returns:
            outcomes = []
            for scanner in (True, False):
                monkeypatch.setattr(XlsxWorkbook, "use_scanner", scanner)
                outcomes.append(read_submission(path, path.parent, catalog, registry))
            assert outcomes[0].submission == outcomes[1].submission, path.name
            assert outcomes[0].submission.meta["unit_id"] in {"th-vi-du", "thcs-vi-du", "van-phong"}
    hits = skeleton.CUSTOM_PROPERTIES.hits, skeleton.SAVED_TIME.hits
    assert min(hits) >= len(returns), hits


@requires_soffice
def test_libreoffice_resaves_are_among_the_returns(returns) -> None:
    resaved = [path for path in returns if path.parent.name == "resaved"]
    assert len(resaved) == 3
    with zipfile.ZipFile(resaved[0]) as archive:
        assert "docProps/custom.xml" in archive.namelist()
