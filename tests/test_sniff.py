"""Recognising a file's format by its content (ctre_xl.read.sniff), each kind built as a real file."""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
from pathlib import Path

import pytest

from ctre_xl.plan.vocab import FileStatus
from ctre_xl.read.submission import read_submission
from ctre_xl.read.sniff import sniff_bytes

from reading_helpers import make_template, rewrite_zip


def ole2(names: list[str]) -> bytes:
    """A minimal, well-formed OLE2 compound file whose directory holds ``names`` (empty streams)."""
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sector, end, *([free] * 126))
    entries = bytearray()
    for index, (name, kind) in enumerate([("Root Entry", 5)] + [(n, 2) for n in names]):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), kind, 1)
        child = 1 if kind == 5 and names else free
        right = index + 1 if kind == 2 and index < len(names) else free
        struct.pack_into("<III", entry, 68, free, right, child)
        struct.pack_into("<II", entry, 116, end, 0)
        entries += entry
    directory = bytes(entries).ljust(512, b"\x00")
    return bytes(header) + fat + directory


def zip_bytes(members: dict[str, bytes], stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), members[stored_first], zipfile.ZIP_STORED)
        for name, data in members.items():
            if name != stored_first:
                archive.writestr(name, data)
    return buffer.getvalue()


def cp1258(text: str) -> bytes:
    """Text in Windows-1258 (Vietnamese code page): tone marks stay combining, the rest composed."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
                   + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
GIF = b"GIF89a" + b"\x01\x00\x01\x00" + b"\x00" * 20
CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'

# name -> (bytes builder taking the path of a real template, expected kind, words the message must hold)
CASES = {
    "password": (lambda t: ole2(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"]), "encrypted",
                 "tệp có mật khẩu — gỡ mật khẩu rồi gửi lại"),
    "xls": (lambda t: ole2(["Workbook", "\x05SummaryInformation"]), "xls",
            "tệp .xls (Excel 97-2003) — mở bằng Excel và lưu lại dạng .xlsx (Excel Workbook)"),
    "xls-old-book": (lambda t: ole2(["Book"]), "xls", "lưu lại dạng .xlsx"),
    "doc": (lambda t: ole2(["WordDocument", "1Table"]), "ole_other", "không phải biểu mẫu Excel"),
    "docx": (lambda t: zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"}),
             "zip_other", "không phải bảng tính Excel"),
    "zip": (lambda t: zip_bytes({"bao-cao.txt": "Báo cáo".encode()}), "zip_other", "tệp nén"),
    "xlsb": (lambda t: zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.bin": b"\x00\x01"}),
             "xlsb", "tệp .xlsb"),
    "csv": (lambda t: "Mã,Nội dung,Số liệu\nchildren_total,Tổng số trẻ em,1234\n".encode(), "csv",
            "tệp văn bản/CSV"),
    "csv-utf16": (lambda t: "Mã\tSố liệu\r\nchildren_total\t1234\r\n".encode("utf-16"), "csv", "CSV"),
    "csv-cp1258": (lambda t: cp1258("Mã;Số liệu\nchildren_total;1234\n"), "csv", "CSV"),
    "html": (lambda t: "<!DOCTYPE html><html><body><table><tr><td>1234</td></tr></table></body></html>".encode(),
             "html", "trang web (HTML)"),
    "html-excel": (lambda t: b'<html xmlns:x="urn:schemas-microsoft-com:office:excel"><body><table/></body></html>',
                   "html", "HTML"),
    "xml-2003": (lambda t: b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
                 "xml_2003", "XML Spreadsheet 2003"),
    "pdf": (lambda t: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "pdf",
            "tệp PDF — không đọc được số liệu, đề nghị gửi tệp Excel"),
    "png": (lambda t: PNG, "image", "tệp ảnh — không đọc được số liệu, đề nghị gửi tệp Excel"),
    "jpeg": (lambda t: JPEG, "image", "tệp ảnh"),
    "gif": (lambda t: GIF, "image", "tệp ảnh"),
    "empty": (lambda t: b"", "empty", "tệp rỗng (0 byte) — đề nghị đơn vị gửi lại"),
    "truncated": (lambda t: t.read_bytes()[: len(t.read_bytes()) // 2], "corrupt_zip", "tệp bị hỏng"),
    "garbage-zip": (lambda t: b"PK\x03\x04" + b"\x13\x37" * 500, "corrupt_zip", "gửi lại"),
    "binary": (lambda t: bytes(range(256)) * 4, "unknown", "không nhận ra định dạng tệp"),
}


@pytest.fixture(scope="module")
def template(catalog, registry, tmp_path_factory) -> Path:
    return make_template(catalog, registry, "cong-an", 2026, tmp_path_factory.mktemp("tpl") / "cong-an.xlsx")


@pytest.mark.parametrize("case", sorted(CASES))
def test_kind_and_message(case: str, template: Path, tmp_path: Path, catalog, registry) -> None:
    build, kind, words = CASES[case]
    inbox = tmp_path / "inbox"
    path = inbox / "don-vi" / f"{case}.xlsx"  # every one of them arrives named .xlsx
    path.parent.mkdir(parents=True)
    path.write_bytes(build(template))
    sniffed = sniff_bytes(path.read_bytes())
    assert sniffed.kind == kind
    assert not sniffed.readable
    assert words in sniffed.message
    outcome = read_submission(path, inbox, catalog, registry)
    assert outcome.record.status == FileStatus.REJECTED
    assert outcome.record.path == f"don-vi/{case}.xlsx"
    assert words in outcome.record.reason
    assert outcome.submission is None
    [finding] = outcome.findings
    assert finding.severity == "error" and finding.file == f"don-vi/{case}.xlsx" and words in finding.message
    assert finding.kind == ("password_protected" if kind == "encrypted" else kind)


def test_real_password_protected_workbook(template: Path, tmp_path: Path, catalog, registry) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp_path / "bao-cao.xlsx"
    with open(template, "rb") as plain, open(path, "wb") as encrypted:
        OOXMLFile(plain).encrypt("matkhau123", encrypted)
    assert msoffcrypto and sniff_bytes(path.read_bytes()).kind == "encrypted"
    outcome = read_submission(path, tmp_path, catalog, registry)
    assert outcome.record.status == FileStatus.REJECTED
    assert "tệp có mật khẩu — gỡ mật khẩu rồi gửi lại" in outcome.record.reason


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".csv", ".pdf", ""])
def test_a_real_workbook_is_read_whatever_its_name(suffix: str, template: Path, tmp_path: Path,
                                                   catalog, registry) -> None:
    path = tmp_path / f"bao cao cong an{suffix}"
    path.write_bytes(template.read_bytes())
    assert sniff_bytes(path.read_bytes()).kind == "xlsx"
    outcome = read_submission(path, tmp_path, catalog, registry)
    assert outcome.record.status == FileStatus.ACCEPTED
    assert outcome.submission is not None and outcome.submission.unit == "cong-an"


def test_xlsm_is_recognised_and_its_macros_ignored(template: Path, tmp_path: Path, catalog, registry) -> None:
    path = rewrite_zip(template, tmp_path / "bao-cao.xlsm", add={"xl/vbaProject.bin": ole2(["VBA", "PROJECT"])})
    assert sniff_bytes(path.read_bytes()).kind == "xlsm"
    outcome = read_submission(path, tmp_path, catalog, registry)
    assert outcome.record.status == FileStatus.ACCEPTED
    [warning] = [f for f in outcome.findings if f.kind == "macro_ignored"]
    assert warning.severity == "warning" and "macro không được chạy" in warning.message


def test_ods_is_recognised_as_readable_and_a_foreign_one_is_not_ours(tmp_path: Path, catalog, registry) -> None:
    """LibreOffice's own format is read (tests/test_ods.py); an ods that is no template is refused."""
    data = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                      "content.xml": b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                                     b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'},
                     stored_first="mimetype")
    sniffed = sniff_bytes(data)
    assert sniffed.kind == "ods" and sniffed.readable
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bang-tinh.ods").write_bytes(data)
    outcome = read_submission(inbox / "bang-tinh.ods", inbox, catalog, registry)
    assert outcome.record.status == FileStatus.REJECTED and outcome.submission is None
    assert "không phải biểu mẫu" in outcome.record.reason
