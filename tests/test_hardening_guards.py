"""Guards that must not be walked around (issue 11): XML in another encoding than UTF-8, a zip
whose end record lies about its entries, duplicate part names, a file claiming another unit's
identity, and hidden decoy sheets.

Each bad file is built in tmp_path from a real template; each must be refused (or read from the
visible sheet) with a Vietnamese finding naming the file, without a traceback, within bounded
memory, while the good files beside it still merge and the inbox stays untouched.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import warnings
import zipfile
from pathlib import Path
from typing import Callable

import openpyxl
import pytest
from limits_helpers import bounded

from ctre_xl.plan.units import Registry, school_unit
from ctre_xl.plan.vocab import FileStatus
from ctre_xl.read.identity import cached_fingerprint
from ctre_xl.read.ods.workbook import OdsWorkbook
from ctre_xl.read.package import WorkbookError, xml_encoding_problem
from ctre_xl.read.sniff import MAX_ZIP_ENTRIES, sniff_bytes, zip_entry_count
from ctre_xl.read.submission import read_submission
from ctre_xl.template import layout as L

from reading_helpers import fill, make_template, rewrite_zip, sheet_part

YEAR = 2026
TH_VALUES = {"primary_completers": 120, "primary_grade1_cohort": 130}
VHXH_VALUES = {"children_total": 5000, "children_0_8": 2100}
# GUARDS / GUARD_EXPECTED (at the end): one file per guard, for the merge test and benchmarks/bench_hostile.py.

# An entity bomb: ten levels of ten, ~10^9 characters if expanded.
LAUGHS = ('<!DOCTYPE x [<!ENTITY l0 "lollollollollollollollollollol">'
          + "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 9)) + "]>")




@pytest.fixture(scope="module")
def sources(catalog, registry, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("guards-src")
    th = make_template(catalog, registry, "th-vi-du", YEAR, folder / "th.xlsx")
    vhxh = make_template(catalog, registry, "vhxh", YEAR, folder / "vhxh.xlsx")
    mttq = make_template(catalog, registry, "mttq", YEAR, folder / "mttq.xlsx")
    return {"th-template": th, "th": fill(th, TH_VALUES, folder / "th-filled.xlsx"),
            "vhxh": fill(vhxh, VHXH_VALUES, folder / "vhxh-filled.xlsx"), "mttq": mttq}


def read(path: Path, catalog, registry):  # noqa: ANN001, ANN201 - plan objects
    return bounded(lambda: read_submission(path, path.parent, catalog, registry))


def put(tmp_path: Path, name: str, data: bytes) -> Path:
    (tmp_path / "inbox").mkdir(exist_ok=True)
    path = tmp_path / "inbox" / name
    path.write_bytes(data)
    return path


def assert_refused(outcome, kind: str, name: str, *words: str) -> None:  # noqa: ANN001
    assert outcome.record.status == FileStatus.REJECTED and outcome.submission is None, outcome.record.reason
    [finding] = [f for f in outcome.findings if f.kind == kind]
    assert finding.file == name and unicodedata.is_normalized("NFC", finding.message)
    for word in words:
        assert word in finding.message, finding.message


# ----------------------------------------------------------------------------- UTF-8 only


def _xml_declaration(encoding: str | None) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else ""


def re_encode(xml: bytes, codec: str, declared: str | None, bom: bytes = b"", bomb: bool = True) -> bytes:
    """A part re-encoded (with an entity bomb declared and used, as the corpus did)."""
    body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml).decode("utf-8")
    if bomb:
        body = re.sub(r"(<[A-Za-z:]+[^>]*?)(/?>)", r'\1 x="&l8;"\2', body, count=1)
        body = LAUGHS + body
    return bom + (_xml_declaration(declared) + body).encode(codec, errors="xmlcharrefreplace")


ENCODINGS = {  # name -> (codec, declared, BOM)
    "utf16le-no-bom": ("utf-16-le", "UTF-16", b""),
    "utf16le-undeclared": ("utf-16-le", None, b""),
    "utf16be-no-bom": ("utf-16-be", "UTF-16", b""),
    "utf16-bom": ("utf-16-le", "UTF-16", b"\xff\xfe"),
    "utf16be-bom": ("utf-16-be", "UTF-16", b"\xfe\xff"),
    "utf32": ("utf-32-le", "UTF-32", b""),
    "latin1-declared": ("latin-1", "ISO-8859-1", b""),
    "cp1258-declared": ("cp1258", "windows-1258", b""),
    "utf8-bom-declares-utf16": ("utf-8", "UTF-16", b"\xef\xbb\xbf"),
}
PARTS = {
    "sheet": lambda t: sheet_part(t, L.INPUT_SHEET),
    "workbook": lambda t: "xl/workbook.xml",
    "custom": lambda t: "docProps/custom.xml",
    "core": lambda t: "docProps/core.xml",
    "rels": lambda t: "xl/_rels/workbook.xml.rels",
}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("part", sorted(PARTS))
def test_xml_parts_not_in_utf8_are_refused(encoding: str, part: str, sources, tmp_path, catalog, registry) -> None:
    codec, declared, bom = ENCODINGS[encoding]
    member = PARTS[part](sources["th"])
    bad = rewrite_zip(sources["th"], tmp_path / "work.xlsx", replace={
        member: lambda xml: re_encode(xml, codec, declared, bom)})
    name = f"{part}-{encoding}.xlsx"
    outcome = read(put(tmp_path, name, bad.read_bytes()), catalog, registry)
    assert_refused(outcome, "xml_not_utf8", name, "không mã hoá UTF-8", member)


@pytest.mark.parametrize("part", sorted(set(PARTS) - {"core"}))  # a damaged core.xml only loses the time saved
def test_a_stray_zero_byte_is_a_damaged_part_not_another_encoding(part: str, sources, tmp_path, catalog,
                                                                   registry) -> None:
    """One zero byte in a UTF-8 part (a damaged file): "tệp bị hỏng", not "không mã hoá UTF-8"."""
    member = PARTS[part](sources["th"])
    bad = rewrite_zip(sources["th"], tmp_path / "work.xlsx", replace={
        member: lambda xml: xml[:len(xml) // 2] + b"\x00" + xml[len(xml) // 2:]})
    name = f"{part}-nul.xlsx"
    outcome = read(put(tmp_path, name, bad.read_bytes()), catalog, registry)
    assert_refused(outcome, "corrupt_xml", name, "tệp bị hỏng", member)


def test_shared_strings_in_utf16_are_refused(sources, tmp_path, catalog, registry) -> None:
    """On the XlsxWriter original (labels are shared strings there): the scanner's fast path too."""
    bad = rewrite_zip(sources["th-template"], tmp_path / "work.xlsx", replace={
        "xl/sharedStrings.xml": lambda xml: re_encode(xml, "utf-16-le", "UTF-16")})
    outcome = read(put(tmp_path, "chuoi.xlsx", bad.read_bytes()), catalog, registry)
    assert_refused(outcome, "xml_not_utf8", "chuoi.xlsx", "xl/sharedStrings.xml")


def test_a_large_utf16_sheet_is_refused_while_streaming(sources, tmp_path, catalog, registry) -> None:
    """A sheet over the whole-parse size goes through the streaming parser: refused there too."""
    member = sheet_part(sources["th"], L.INPUT_SHEET)
    padding = "<!--" + " " * (3 * 1024 * 1024) + "-->"
    bad = rewrite_zip(sources["th"], tmp_path / "work.xlsx", replace={
        member: lambda xml: re_encode(xml, "utf-16-le", "UTF-16").replace(
            "<worksheet".encode("utf-16-le"), (padding + "<worksheet").encode("utf-16-le"), 1)})
    outcome = read(put(tmp_path, "lon.xlsx", bad.read_bytes()), catalog, registry)
    assert_refused(outcome, "xml_not_utf8", "lon.xlsx")


@pytest.mark.parametrize("head, problem", [
    (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet/>', ""),
    (b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?><a/>", ""),
    (b'<?xml version="1.0"?><a/>', ""),
    (b'<?xml version="1.0" encoding="US-ASCII"?><a/>', ""),
    (b"<a>\xe1\xbb\x91</a>", ""),
    (b"", ""),
    ('<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16-le"), "UTF-16/UTF-32"),
    ("<a/>".encode("utf-16-be"), "UTF-16/UTF-32"),
    (b"\xff\xfe\x00\x00<\x00\x00\x00", "UTF-16/UTF-32"),
    ("<a>x</a>".encode("utf-32-be"), "UTF-16/UTF-32"),
    (b'<?xml version="1.0" encoding="UTF-8"?><worksheet>\x00<sheetData/></worksheet>', ""),  # damaged, not UTF-16
    (b'<?xml version="1.0" encoding="UTF-7"?><a/>', "UTF-7"),
    (b'<?xml version="1.0"\nencoding = "ebcdic-cp-us" ?><a/>', "ebcdic-cp-us"),
    (b"+ADw-a/+AD4-", "?"),
    (b"\x4c\x6f\xa7\x94", "?"),
    (b'<?xml version="1.0" encoding="UTF-8"' + b" " * 5000 + b"?><a/>", "?"),
])
def test_encoding_is_decided_on_the_first_bytes(head: bytes, problem: str) -> None:
    assert xml_encoding_problem(head) == problem


def _ods(content: bytes | None = None, meta: bytes | None = None) -> bytes:
    from test_ods import _META, _content, ods_bytes

    return ods_bytes(content if content is not None else _content(), meta if meta is not None else _META)


@pytest.mark.parametrize("part", ["content.xml", "meta.xml"])
@pytest.mark.parametrize("encoding", ["utf16le-no-bom", "utf16-bom", "latin1-declared"])
def test_ods_parts_not_in_utf8_are_refused(part: str, encoding: str) -> None:
    from test_ods import _META, _content

    codec, declared, bom = ENCODINGS[encoding]
    source = (_content() if part == "content.xml" else _META).encode("utf-8")
    bad = re_encode(source, codec, declared, bom)
    data = _ods(content=bad) if part == "content.xml" else _ods(meta=bad)

    def open_and_read() -> None:
        book = OdsWorkbook(data)
        book.custom_properties()

    with pytest.raises(WorkbookError) as caught:
        bounded(open_and_read)
    assert caught.value.kind == "xml_not_utf8" and part in str(caught.value)


# ----------------------------------------------------------------------------- entries that lie


def lying_directory(source: bytes, extra: int, declared: int = 3) -> bytes:
    """``source`` with ``extra`` more central-directory entries (all pointing at the first local
    header) while the end record declares ``declared`` entries."""
    at = source.rfind(b"PK\x05\x06")
    size, offset = struct.unpack_from("<LL", source, at + 12)
    directory = source[offset:offset + size]
    first = directory[:46 + struct.unpack_from("<H", directory, 28)[0]]
    fixed = first[:28]
    # Built from one block of up to 10,000 records repeated (names repeat too): a million entries
    # without a million objects, so that building the file is not what the benchmark measures.
    block = b"".join(fixed + struct.pack("<HHHHHLL", 7, 0, 0, 0, 0, 0, 0) + b"z/%05d" % i
                     for i in range(min(extra, 10_000)))
    blocks, rest = divmod(extra, 10_000) if extra > 10_000 else (1, 0)
    size_ = len(directory) + len(block) * blocks + rest * (len(block) // min(extra, 10_000))
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, declared, declared, size_, offset, 0)
    return b"".join([source[:offset], directory, *[block] * blocks, block[:rest * (len(block) // min(extra, 10_000))],
                     end])


@pytest.mark.parametrize("extra", [MAX_ZIP_ENTRIES + 1, 100_000])
def test_the_entries_really_in_the_directory_are_counted(extra: int, sources, tmp_path, catalog, registry) -> None:
    data = lying_directory(sources["th"].read_bytes(), extra)
    assert zip_entry_count(data) > MAX_ZIP_ENTRIES
    assert sniff_bytes(data).kind == "too_many_entries"
    outcome = read(put(tmp_path, "nhieu.xlsx", data), catalog, registry)
    assert_refused(outcome, "too_many_entries", "nhieu.xlsx", "quá nhiều thành phần")


def test_an_honest_directory_is_counted_as_it_is(sources) -> None:
    data = sources["th"].read_bytes()
    with zipfile.ZipFile(sources["th"]) as archive:
        assert zip_entry_count(data) == len(archive.infolist())
    assert zip_entry_count(lying_directory(data, 5)) == len(zipfile.ZipFile(sources["th"]).infolist()) + 5


# ----------------------------------------------------------------------------- duplicate parts


def duplicated(source: Path, target: Path, member: str, second: bytes, stored_name: str | None = None) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
        with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
            for info in old.infolist():
                new.writestr(info.filename, old.read(info.filename))
            new.writestr(stored_name or member, second)
    return target.read_bytes()


def _other_unit_properties(xml: bytes) -> bytes:
    return xml.replace(b">th-vi-du<", b">vhxh<")


@pytest.mark.parametrize("case", ["sheet", "custom", "sheet-other-case", "custom-other-case"])
def test_duplicate_part_names_are_refused(case: str, sources, tmp_path, catalog, registry) -> None:
    with zipfile.ZipFile(sources["th"]) as archive:
        sheet = sheet_part(sources["th"], L.INPUT_SHEET)
        custom = archive.read("docProps/custom.xml")
        second_sheet = archive.read(sheet).replace(b"<v>120</v>", b"<v>999</v>")
    member, data, stored = {
        "sheet": (sheet, second_sheet, None),
        "custom": ("docProps/custom.xml", _other_unit_properties(custom), None),
        "sheet-other-case": (sheet, second_sheet, sheet.upper()),
        "custom-other-case": ("docProps/custom.xml", _other_unit_properties(custom), "docProps/Custom.XML"),
    }[case]
    bad = duplicated(sources["th"], tmp_path / "work.xlsx", member, data, stored)
    name = f"trung-{case}.xlsx"
    outcome = read(put(tmp_path, name, bad), catalog, registry)
    assert_refused(outcome, "duplicate_part", name, "hai phần cùng tên")


# ----------------------------------------------------------------------------- identity


def set_meta(**changes: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(book: openpyxl.Workbook) -> None:
        for prop in book.custom_doc_props.props:
            key = prop.name.removeprefix("ctre_")
            if key in changes:
                prop.value = changes[key]
        for row in book[L.META_SHEET].iter_rows():
            if row[0].value in changes:
                row[1].value = changes[row[0].value]
    return edit


def claim(source: Path, target: Path, **changes: str) -> Path:
    return fill(source, {}, target, edit=set_meta(**changes))


def test_a_school_file_claiming_the_office_is_refused_and_named(sources, tmp_path, catalog, registry) -> None:
    path = claim(sources["th"], tmp_path / "inbox" / "vhxh that.xlsx", unit_id="vhxh", unit_name="Phòng VHXH")
    outcome = read(path, catalog, registry)
    assert_refused(outcome, "identity_mismatch", "vhxh that.xlsx", "Tệp ghi là của Phòng Văn hoá", "(vhxh)",
                   "Trường Tiểu học Xuân Trường (ví dụ) (th-vi-du)")


def test_copying_the_claimed_fingerprint_too_does_not_help(sources, tmp_path, catalog, registry) -> None:
    fingerprint = cached_fingerprint(catalog, registry.get("vhxh"), YEAR)
    path = claim(sources["th"], tmp_path / "inbox" / "gia.xlsx", unit_id="vhxh", fingerprint=fingerprint)
    assert_refused(read(path, catalog, registry), "identity_mismatch", "gia.xlsx", "th-vi-du")


@pytest.mark.parametrize("source, claimed, named", [
    ("vhxh", "th-vi-du", "(vhxh)"),  # the office's file claiming a school
    ("vhxh", "mttq", "(vhxh)"),  # a figures template claiming a narrative unit
    ("mttq", "vhxh", "mttq"),  # the narrative template claiming a unit with figures
    ("th", "thcs-vi-du", "(th-vi-du)"),  # schools of another level
])
def test_other_wrong_claims_are_refused(source, claimed, named, sources, tmp_path, catalog, registry) -> None:  # noqa: ANN001
    path = claim(sources[source], tmp_path / "inbox" / "sai.xlsx", unit_id=claimed)
    outcome = read(path, catalog, registry)
    assert_refused(outcome, "identity_mismatch", "sai.xlsx", "Tệp ghi là của", named)


def test_a_file_without_names_and_with_another_template_rows_is_refused(sources, tmp_path, catalog, registry) -> None:
    def strip_names(book: openpyxl.Workbook) -> None:
        set_meta(unit_id="vhxh", fingerprint="0123456789abcdef")(book)  # no fingerprint evidence either
        for name in list(book.defined_names):
            del book.defined_names[name]

    path = fill(sources["th"], {}, tmp_path / "inbox" / "khong ten.xlsx", edit=strip_names)
    assert_refused(read(path, catalog, registry), "identity_mismatch", "khong ten.xlsx",
                   "chỉ tìm thấy 2/37 ô số liệu")


def _two_primary_schools(catalog) -> Registry:  # noqa: ANN001
    schools = [school_unit(catalog, "th-a", "Trường Tiểu học A", "tieu-hoc"),
               school_unit(catalog, "th-b", "Trường Tiểu học B", "tieu-hoc")]
    return Registry(tuple(schools), source="thử")


def test_same_level_schools_the_claim_stands_unless_the_fingerprint_names_the_other(catalog, tmp_path) -> None:
    registry = _two_primary_schools(catalog)
    template = make_template(catalog, registry, "th-a", YEAR, tmp_path / "src" / "th-a.xlsx")
    filled = fill(template, TH_VALUES, tmp_path / "src" / "th-a-filled.xlsx")
    # Only the unit id edited: the fingerprint is still th-a's, so the file was made for th-a.
    path = claim(filled, tmp_path / "inbox" / "b.xlsx", unit_id="th-b")
    assert_refused(read(path, catalog, registry), "identity_mismatch", "b.xlsx", "Trường Tiểu học A (th-a)")
    # Both edited: the structure is the same for both schools, so nothing tells them apart.
    fingerprint = cached_fingerprint(catalog, registry.get("th-b"), YEAR)
    path = claim(filled, tmp_path / "inbox" / "b2.xlsx", unit_id="th-b", fingerprint=fingerprint)
    outcome = read(path, catalog, registry)
    assert outcome.record.status == FileStatus.ACCEPTED and outcome.submission.unit == "th-b"


def test_an_unknown_fingerprint_is_no_evidence(sources, tmp_path, catalog, registry) -> None:
    """A template made by an older ctre-xl carries another fingerprint: still read."""
    path = claim(sources["th"], tmp_path / "inbox" / "cu.xlsx", fingerprint="0123456789abcdef")
    outcome = read(path, catalog, registry)
    assert outcome.record.status == FileStatus.ACCEPTED
    assert outcome.submission.values["primary_completers"].value == 120


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice not installed")
def test_a_libreoffice_resave_keeps_the_identity(sources, tmp_path, catalog, registry) -> None:
    from conftest import soffice_path
    import subprocess

    out = tmp_path / "lo"
    subprocess.run([soffice_path(), f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(sources["th"])],
                   check=True, capture_output=True, timeout=120)
    path = put(tmp_path, "lo.xlsx", (out / "th-filled.xlsx").read_bytes())
    outcome = read(path, catalog, registry)
    assert outcome.record.status == FileStatus.ACCEPTED, outcome.record.reason
    assert outcome.submission.values["primary_completers"].value == 120


# ----------------------------------------------------------------------------- hidden decoys


def decoy(visible_name: str, *, hide_original: bool = True) -> Callable[[openpyxl.Workbook], None]:
    """The data sheet copied; the copy (renamed ``visible_name``) keeps the real figures and is
    shown, the original (which the names point at) gets decoy figures and is hidden."""
    def edit(book: openpyxl.Workbook) -> None:
        original = book[L.INPUT_SHEET]
        copy = book.copy_worksheet(original)
        copy.title = visible_name
        book.move_sheet(copy, offset=book.sheetnames.index(L.INPUT_SHEET) + 2 - len(book.sheetnames))
        for name in TH_VALUES:
            sheet, ref = next(iter(book.defined_names[name].destinations))
            original[ref.replace("$", "")] = 999_999
        original.sheet_state = "hidden" if hide_original else "visible"
    return edit


def with_decoy(source: Path, tmp_path: Path, name: str, visible: str, *, hide_original: bool = True) -> Path:
    """``source`` with a decoy (see ``decoy``); the visible copy renamed in workbook.xml, since a
    crafted file may hold names Excel would refuse (another case, or exactly the same name)."""
    work = fill(source, {}, tmp_path / "work" / name, edit=decoy("Tạm", hide_original=hide_original))
    rename = {"xl/workbook.xml": lambda xml: xml.replace('name="Tạm"'.encode(), f'name="{visible}"'.encode())}
    (tmp_path / "inbox").mkdir(exist_ok=True)
    return rewrite_zip(work, tmp_path / "inbox" / name, replace=rename)


@pytest.mark.parametrize("visible", ["Số liệu ", "SỐ LIỆU", unicodedata.normalize("NFD", "Số liệu"), " Số  liệu",
                                     "Số liệu"])
def test_the_visible_sheet_is_read_never_a_hidden_decoy(visible: str, sources, tmp_path, catalog, registry) -> None:
    """A hidden "Số liệu" (placed first, the names point into it) with decoy figures, and the
    visible look-alike the unit typed into: the visible one is read, the decoy is named."""
    outcome = read(with_decoy(sources["th"], tmp_path, "moi.xlsx", visible), catalog, registry)
    assert outcome.record.status == FileStatus.ACCEPTED, outcome.record.reason
    values = outcome.submission.values
    assert values["primary_completers"].value == 120 and values["primary_grade1_cohort"].value == 130
    [warning] = [f for f in outcome.findings if f.kind == "hidden_sheet"]
    assert warning.file == "moi.xlsx" and "trang ẩn “Số liệu”" in warning.message


def test_a_hidden_data_sheet_beside_a_visible_copy_is_refused(sources, tmp_path, catalog, registry) -> None:
    """The copy the unit sees has another name: nothing tells which figures are meant."""
    path = fill(sources["th"], {}, tmp_path / "inbox" / "an.xlsx", edit=decoy("Số liệu (2)"))
    assert_refused(read(path, catalog, registry), "hidden_sheet", "an.xlsx", "đang bị ẩn", "Bỏ ẩn")


def test_two_visible_look_alikes_are_refused(sources, tmp_path, catalog, registry) -> None:
    path = with_decoy(sources["th"], tmp_path, "hai hien.xlsx", "SỐ LIỆU ", hide_original=False)
    assert_refused(read(path, catalog, registry), "hidden_sheet", "hai hien.xlsx", "trang đang hiện")


def test_a_name_pointing_into_another_hidden_sheet_is_not_followed(sources, tmp_path, catalog, registry) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    def edit(book: openpyxl.Workbook) -> None:
        hidden = book.create_sheet("Sheet9")
        hidden["D5"] = 999_999
        hidden.sheet_state = "hidden"
        del book.defined_names["primary_completers"]
        book.defined_names["primary_completers"] = DefinedName("primary_completers", attr_text="'Sheet9'!$D$5")

    path = fill(sources["th"], {}, tmp_path / "inbox" / "ten.xlsx", edit=edit)
    outcome = read(path, catalog, registry)
    assert outcome.record.status == FileStatus.ACCEPTED
    assert outcome.submission.values["primary_completers"].value == 120  # found by its label
    assert any(f.kind == "hidden_sheet" and "Sheet9" in f.message for f in outcome.findings)


# ----------------------------------------------------------------------------- in a merge


def test_merge_refuses_each_guard_case_and_keeps_the_good_reports(sources, tmp_path) -> None:
    from merge_helpers import deliver, make_workspace, merge_json, snapshot
    from test_bad_inputs import GOOD, REPORT_DAY

    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    for unit, (relative, values) in GOOD.items():
        deliver(workspace, unit, YEAR, relative, values, report_date=REPORT_DAY)
    deliver(workspace, "th-vi-du", YEAR, "th/bao cao.xlsx", TH_VALUES, report_date=REPORT_DAY)
    good_th = workspace.inbox / "th" / "bao cao.xlsx"
    bad = workspace.inbox / "la"
    bad.mkdir()
    for case, build in GUARDS.items():
        (bad / f"{case}.xlsx").write_bytes(build(good_th, tmp_path / "work" / f"{case}.xlsx"))
    before = snapshot(workspace.inbox)

    code, data, _ = merge_json(workspace, YEAR)

    assert code == 0 and snapshot(workspace.inbox) == before
    files = {f["path"]: f for f in data["files"]}
    for case, (kind, words) in GUARD_EXPECTED.items():
        entry = files[f"la/{case}.xlsx"]
        assert entry["status"] == "rejected" and words in entry["reason"], (case, entry)
    assert files[GOOD["vhxh"][0]]["status"] == "accepted"
    received = {u["id"] for u in data["units"] if u["received"]}
    assert {"vhxh", "mn-vi-du", "van-phong", "th-vi-du"} <= received
    values = {m["code"]: m["value"] for m in data["metrics"]}
    assert values["CT02"] is not None and values["CT16"] is not None


def _utf16_bomb(good: Path, target: Path) -> bytes:
    member = sheet_part(good, L.INPUT_SHEET)
    return rewrite_zip(good, target, replace={member: lambda xml: re_encode(xml, "utf-16-le", "UTF-16")}).read_bytes()


def _utf16_workbook(good: Path, target: Path) -> bytes:
    return rewrite_zip(good, target, replace={
        "xl/workbook.xml": lambda xml: re_encode(xml, "utf-16-le", None)}).read_bytes()


def _lying_entries(good: Path, target: Path) -> bytes:
    return lying_directory(good.read_bytes(), 1_000_000 if target.name == "bench.xlsx" else 50_000)


def _duplicate_sheet(good: Path, target: Path) -> bytes:
    member = sheet_part(good, L.INPUT_SHEET)
    with zipfile.ZipFile(good) as archive:
        second = archive.read(member).replace(b"<v>120</v>", b"<v>999</v>")
    target.parent.mkdir(parents=True, exist_ok=True)
    return duplicated(good, target, member, second)


def _impostor(good: Path, target: Path) -> bytes:
    target.parent.mkdir(parents=True, exist_ok=True)
    return claim(good, target, unit_id="vhxh").read_bytes()


GUARDS: dict[str, Callable[[Path, Path], bytes]] = {
    "utf16-sheet-bomb": _utf16_bomb,
    "utf16-workbook": _utf16_workbook,
    "lying-entry-count": _lying_entries,
    "duplicate-sheet": _duplicate_sheet,
    "impostor-vhxh": _impostor,
}
GUARD_EXPECTED = {
    "utf16-sheet-bomb": ("xml_not_utf8", "không mã hoá UTF-8"),
    "utf16-workbook": ("xml_not_utf8", "không mã hoá UTF-8"),
    "lying-entry-count": ("too_many_entries", "quá nhiều thành phần"),
    "duplicate-sheet": ("duplicate_part", "hai phần cùng tên"),
    "impostor-vhxh": ("identity_mismatch", "Tệp ghi là của"),
}


def test_the_impostor_does_not_supersede_the_real_office_report(sources, tmp_path) -> None:
    """The corpus case: the office's real report loses nothing to a newer impostor."""
    from merge_helpers import deliver, make_workspace, merge_json
    from test_bad_inputs import GOOD, REPORT_DAY

    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    deliver(workspace, "vhxh", YEAR, "vhxh.xlsx", GOOD["vhxh"][1], report_date=REPORT_DAY, mtime=1_700_000_000)
    real_th = deliver(workspace, "th-vi-du", YEAR, "th.xlsx", TH_VALUES, report_date=REPORT_DAY)
    impostor = workspace.inbox / "vhxh moi nhat.xlsx"
    impostor.write_bytes(_impostor(real_th, tmp_path / "work" / "i.xlsx"))  # newer, later report date
    code, data, _ = merge_json(workspace, YEAR)
    files = {f["path"]: f for f in data["files"]}
    assert code == 0 and files["vhxh.xlsx"]["status"] == "accepted"
    assert files["vhxh moi nhat.xlsx"]["status"] == "rejected"
    assert "Trường Tiểu học Xuân Trường" in files["vhxh moi nhat.xlsx"]["reason"]
    values = {m["code"]: m["value"] for m in data["metrics"]}
    assert values["CT02"] is not None and "vhxh" in {u["id"] for u in data["units"] if u["received"]}
