"""The package-level fast paths of the reader, each checked against the slow path it replaces.

* ``sniff.zip_directory`` reads the zip central directory in one pass instead of ``zipfile``: it
  must agree with ``zipfile`` on every plain package, and hand anything unusual back to it.
* ``XlsxWorkbook`` remembers the parsed workbook.xml + relationships of each template shape, keyed
  by their stored bytes: workbooks of one shape share it, and it never stands in for a part whose
  bytes or checksum differ.

Each test also asserts that the fast path really ran, so that a silent fallback fails it.
"""

from __future__ import annotations

import io
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from ctre_xl.read.xlsx import workbook as xlsx
from ctre_xl.read.submission import read_submission
from ctre_xl.read.sniff import sniff_bytes, zip_directory
from ctre_xl.read.xlsx.workbook import WorkbookError, XlsxWorkbook
from conftest import requires_soffice, soffice_path
from reading_helpers import deflate_broken, fill, make_template, zip_entries


@pytest.fixture(scope="module")
def books(tmp_path_factory, catalog, registry) -> dict[str, Path]:
    """Filled workbooks: two schools of one level (one template shape) and a department."""
    root = tmp_path_factory.mktemp("package")
    made: dict[str, Path] = {}
    for unit_id in ("th-vi-du", "thcs-vi-du", "van-phong"):
        template = make_template(catalog, registry, unit_id, 2026, root / "templates" / f"{unit_id}.xlsx")
        unit = registry.get(unit_id)
        values: dict[str, object] = {code: number + 5 for number, code in enumerate(unit.elements)}
        values["report_date"] = "02/11/2026"
        made[unit_id] = fill(template, values, root / "inbox" / f"{unit_id}.xlsx")
    return made


def _outcome(path: Path, catalog, registry) -> tuple:
    found = read_submission(path, path.parent, catalog, registry)
    return found.record, found.submission, found.findings


# ----------------------------------------------------------------------------- zip directory


@pytest.mark.parametrize("unit_id", ["th-vi-du", "van-phong"])
def test_directory_agrees_with_zipfile(unit_id: str, books, catalog, registry, monkeypatch) -> None:
    data = books[unit_id].read_bytes()
    members = zip_directory(data)
    assert members is not None, "a plain package must be read by the fast directory"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        expected = {i.filename: (i.flag_bits, i.compress_type, i.CRC, i.compress_size, i.file_size, i.header_offset)
                    for i in archive.infolist()}
    assert {name: tuple(m)[1:] for name, m in members.items()} == expected
    sniffed = sniff_bytes(data)
    assert (sniffed.kind, sniffed.archive, sniffed.members) == ("xlsx", None, members)

    fast = _outcome(books[unit_id], catalog, registry)
    monkeypatch.setattr("ctre_xl.read.sniff.zip_directory", lambda data: None)
    monkeypatch.setattr("ctre_xl.read.xlsx.workbook.zip_directory", lambda data: None)
    assert sniff_bytes(data).archive is not None  # now zipfile reads the directory
    assert _outcome(books[unit_id], catalog, registry) == fast
    assert fast[0].status == "accepted" and fast[1].values


def _with_comment(data: bytes) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.comment = "Lưu bởi phần mềm khác".encode()
    return buffer.getvalue()


def _zip64_member(data: bytes) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive, archive.open("docProps/extra.xml", "w", force_zip64=True) as member:
        member.write(b"<x/>")
    return buffer.getvalue()


def _extra_field(data: bytes) -> bytes:
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            copy.extra = struct.pack("<HH4s", 0xCAFE, 4, b"test")  # an unknown extra block, as some zip tools add
            target.writestr(copy, source.read(info.filename))
    return buffer.getvalue()


@pytest.mark.parametrize("change, fast", [
    pytest.param(_with_comment, False, id="archive-comment"),
    pytest.param(_extra_field, False, id="extra-field"),
    pytest.param(_zip64_member, True, id="zip64-local-header-only"),  # the directory stays plain
])
def test_unusual_packages_read_the_same(change, fast: bool, books, tmp_path, catalog, registry) -> None:
    """Anything but the plain form goes to zipfile; either way the workbook reads the same."""
    reference = _outcome(books["th-vi-du"], catalog, registry)
    data = change(books["th-vi-du"].read_bytes())
    assert (zip_directory(data) is not None) == fast
    assert (sniff_bytes(data).archive is None) == fast
    path = tmp_path / books["th-vi-du"].name
    path.write_bytes(data)
    record, submission, findings = _outcome(path, catalog, registry)
    assert record.status == "accepted"
    assert submission.values == reference[1].values and findings == reference[2]


def test_bytes_before_the_zip_are_not_the_plain_form(books) -> None:
    data = b"MZ self-extracting stub " * 40 + books["th-vi-du"].read_bytes()
    assert zip_directory(data) is None


def test_truncated_directory_is_refused_as_before(books) -> None:
    data = books["van-phong"].read_bytes()
    cut = data[:data.rfind(b"PK\x01\x02")] + data[-22:]  # last directory entry lost
    assert zip_directory(cut) is None
    assert sniff_bytes(cut).kind == "corrupt_zip"


# ----------------------------------------------------------------------------- workbook structure


def test_one_template_shape_is_parsed_once(books, catalog, registry, monkeypatch) -> None:
    monkeypatch.setattr(xlsx, "_STRUCTURES", {})
    first = XlsxWorkbook(books["th-vi-du"].read_bytes())
    again = XlsxWorkbook(books["th-vi-du"].read_bytes())
    other = XlsxWorkbook(books["van-phong"].read_bytes())
    assert first.structure is not None and again.structure is first.structure, "the shape was not remembered"
    assert other.structure is not None and other.structure is not first.structure
    assert len(xlsx._STRUCTURES) == 2

    remembered = [_outcome(books[u], catalog, registry) for u in books]
    monkeypatch.setattr(xlsx, "STRUCTURE_KEY_BYTES", 0)  # nothing remembered: parsed every time
    assert XlsxWorkbook(books["th-vi-du"].read_bytes()).structure is None
    assert [_outcome(books[u], catalog, registry) for u in books] == remembered


def _set_crc(data: bytes, member: str, crc: int) -> bytes:
    """The package with ``member``'s CRC changed in its local header and the central directory."""
    patched = bytearray(data)
    locals_, centrals = zip_entries(data, member)
    for at, crc_at in [(at, 14) for at in locals_] + [(at, 16) for at in centrals]:
        struct.pack_into("<I", patched, at + crc_at, crc)
    return bytes(patched)


def test_a_remembered_shape_never_hides_a_damaged_part(books, monkeypatch) -> None:
    """Same stored bytes, other checksum: a different key, so the part is inflated, its CRC
    checked, and the file refused, however many good files of that shape came before."""
    monkeypatch.setattr(xlsx, "_STRUCTURES", {})
    good = books["th-vi-du"].read_bytes()
    assert XlsxWorkbook(good).structure is not None
    bad = _set_crc(good, "xl/workbook.xml", 0x12345678)
    assert zip_directory(bad) is not None  # the directory itself is plain: only the checksum is wrong
    with pytest.raises(WorkbookError) as error:
        XlsxWorkbook(bad)
    assert error.value.kind in ("corrupt_xml", "corrupt_zip")
    assert len(xlsx._STRUCTURES) == 1


def test_renamed_sheet_part_is_followed(books, tmp_path, catalog, registry) -> None:
    """The relationships are part of the key: a package whose sheets live elsewhere reads right."""
    source = books["thcs-vi-du"]
    with zipfile.ZipFile(source) as archive:
        rels = archive.read("xl/_rels/workbook.xml.rels")
    moved = {"xl/worksheets/sheet2.xml": "xl/worksheets/so-lieu.xml"}
    target = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = rels.replace(b"sheet2.xml", b"so-lieu.xml")
            new.writestr(moved.get(info.filename, info.filename), data)
    reference = _outcome(source, catalog, registry)
    record, submission, findings = _outcome(target, catalog, registry)
    assert XlsxWorkbook(target.read_bytes()).structure is not XlsxWorkbook(source.read_bytes()).structure
    assert record.status == "accepted" and submission.values == reference[1].values


def test_damaged_copy_of_a_good_file_is_refused(books, tmp_path, catalog, registry) -> None:
    """Through read_submission, after good files of the same shape were read."""
    for unit_id in books:
        assert _outcome(books[unit_id], catalog, registry)[0].status == "accepted"
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(_set_crc(books["th-vi-du"].read_bytes(), "xl/workbook.xml", 0))
    record, submission, findings = _outcome(bad, catalog, registry)
    assert record.status == "rejected" and submission is None
    assert "hỏng" in record.reason


# ----------------------------------------------------------------------------- members zipfile cannot read


def _flagged_encrypted(data: bytes, member: str) -> bytes:
    """``member`` flagged as zip-encrypted, in its local header and the central directory."""
    [local], [central] = zip_entries(data, member)
    patched = bytearray(data)
    for at, flags_at in ((local, 6), (central, 8)):
        struct.pack_into("<H", patched, at + flags_at, struct.unpack_from("<H", data, at + flags_at)[0] | 1)
    return bytes(patched)


def _unknown_version(data: bytes, member: str) -> bytes:
    """``member`` needs zip version 15.9 to extract (and does not inflate): ``zipfile`` refuses the package."""
    broken = deflate_broken(data, member)
    _local, [central] = zip_entries(broken, member)
    patched = bytearray(broken)
    struct.pack_into("<H", patched, central + 6, 159)
    return bytes(patched)


@pytest.fixture(scope="module")
def as_ods(books, tmp_path_factory) -> Path:
    """The school's filled return saved as .ods by LibreOffice."""
    folder = tmp_path_factory.mktemp("ods")
    subprocess.run([soffice_path(), f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
                    "--convert-to", "ods", "--outdir", str(folder), str(books["th-vi-du"])],
                   capture_output=True, check=True, timeout=180)
    return folder / f"{books['th-vi-du'].stem}.ods"


@requires_soffice
@pytest.mark.parametrize("damage, words", [
    (deflate_broken, "tệp bị hỏng: phần “{part}” không đọc được"),
    (_flagged_encrypted, "tệp bị hỏng: phần “{part}” không đọc được"),
    (_unknown_version, "tệp bị hỏng"),
])
@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_member_zipfile_cannot_read_is_a_damaged_part(damage, words: str, kind: str, books, as_ods, tmp_path,
                                                        catalog, registry) -> None:
    """Found by fuzzing whole files: zipfile's own errors (zlib's, "encrypted, password required")
    went past the reader, and the unit was told the software had failed. A zip version zipfile
    does not know ("zip file version 15.9") is a damaged file too, wherever zipfile meets it."""
    source = as_ods if kind == "ods" else books["th-vi-du"]
    part = "content.xml" if kind == "ods" else "xl/worksheets/sheet2.xml"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / f"hong.{kind}"
    path.write_bytes(damage(source.read_bytes(), part))
    found = read_submission(path, inbox, catalog, registry)
    assert found.record.status == "rejected" and found.submission is None
    [finding] = found.findings
    assert finding.kind in ("corrupt_xml", "corrupt_zip") and finding.file == f"hong.{kind}"
    assert words.format(part=part) in finding.message and "lỗi bất thường" not in finding.message
