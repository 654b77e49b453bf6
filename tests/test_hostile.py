"""Hostile files (issue 5 item 3): each is refused or read with a clear message.

Memory is checked as a correctness bound with tracemalloc (deterministic: a reader that inflates a
bomb or allocates by a sheet's claimed dimension blows far past it). Time is not asserted here:
benchmarks/bench_hostile.py prints each case's time and peak memory against the 2 s / 200 MB target.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Callable

import pytest
from limits_helpers import bounded

from ctre_xl.template import layout as L
from ctre_xl.plan.vocab import FileStatus
from ctre_xl.read.collect import collect_files
from ctre_xl.read.submission import read_submission

from reading_helpers import fill, make_template, rewrite_zip, sheet_part

YEAR = 2026
MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'




def raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from already deflated members: (name, raw deflate bytes, crc32, uncompressed size)."""
    out = io.BytesIO()
    central = io.BytesIO()
    for name, data, crc, size in members:
        encoded = name.encode("utf-8")
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, 8, 0, 0x21, crc, len(data), size,
                              len(encoded), 0) + encoded + data)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0x21, crc, len(data),
                                  size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), start, 0))
    return out.getvalue()


def deflated(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def bomb_stream(head: bytes, block: bytes, copies: int) -> tuple[bytes, int, int]:
    """Raw deflate of head + block * copies, built without compressing gigabytes: a block deflated
    after a full flush does not depend on what came before, so its bytes can be repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    body = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(copies):
        crc = zlib.crc32(block, crc)
    return first + body * copies + b"\x03\x00", crc, len(head) + len(block) * copies


@pytest.fixture(scope="module")
def template(catalog, registry, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-src")
    path = make_template(catalog, registry, "th-vi-du", YEAR, folder / "template.xlsx")
    return fill(path, {"primary_completers": 120, "primary_grade1_cohort": 130}, folder / "filled.xlsx")


def _bomb(template: Path, lie: bool) -> bytes:
    part = sheet_part(template, L.INPUT_SHEET)
    members = []
    with zipfile.ZipFile(template) as archive:
        for name in archive.namelist():
            if name == part:
                row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' * 16384
                data, crc, size = bomb_stream(b'<?xml version="1.0"?><worksheet ' + MAIN_NS + b"><sheetData>",
                                              row, 1024)  # about 1 GiB of sheet XML
                members.append((name, data, crc, 20_000 if lie else size))
            else:
                members.append((name, *deflated(archive.read(name))))
    return raw_zip(members)


def _many_entries(template: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(template) as old, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as new:
        for name in old.namelist():
            new.writestr(name, old.read(name))
        for number in range(30_000):
            new.writestr(f"xl/media/image{number}.png", b"")
    return buffer.getvalue()


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
          + b"".join(b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10))
          + b"]>\n")
XXE = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'


def _with_doctype(template: Path, part_of: Callable[[Path], str], doctype: bytes) -> Callable[[Path], bytes]:
    def build(target: Path) -> bytes:
        part = part_of(template)

        def poison(xml: bytes) -> bytes:
            body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
            # the entity is used inside the document so that expanding it would cost gigabytes
            return doctype + re.sub(rb"(<[A-Za-z:]+[^>]*?)(/?>)", rb'\1 data-x="&lol9;"\2' if b"lol" in doctype
                                    else rb'\1 data-x="&e;"\2', body, count=1)
        return rewrite_zip(template, target, replace={part: poison}).read_bytes()
    return build


def _big_paste(template: Path, target: Path) -> bytes:
    part = sheet_part(template, L.INPUT_SHEET)
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>D\xc3\xa1n t\xe1\xbb\xab Zalo %d</t></is></c>'
                    b'<c r="B%d"><v>%d</v></c><c r="D%d"><v>%d</v></c></row>' % (r, r, r, r, r, r, r)
                    for r in range(60, 100_060))

    def paste(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:I100059"', xml)
        return xml.replace(b"</sheetData>", rows + b"</sheetData>")
    return rewrite_zip(template, target, replace={part: paste}).read_bytes()


def _huge_dimension(template: Path, target: Path) -> bytes:
    part = sheet_part(template, L.INPUT_SHEET)
    return rewrite_zip(template, target, replace={
        part: lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)}).read_bytes()


def _xlsm(template: Path, target: Path) -> bytes:
    return rewrite_zip(template, target, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)}
                       ).read_bytes()


def _encrypted(template: Path, target: Path) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(template, "rb") as plain:
        OOXMLFile(plain).encrypt("123456", out)
    return out.getvalue()


# name -> (builder(template, target path) -> bytes, status, finding kind, words in the message)
HOSTILE = {
    "zip-bomb": (lambda t, p: _bomb(t, lie=False), FileStatus.REJECTED, "zip_bomb", "zip bomb"),
    "zip-bomb-lying-sizes": (lambda t, p: _bomb(t, lie=True), FileStatus.REJECTED, "corrupt_xml", "tệp bị hỏng"),
    "many-entries": (lambda t, p: _many_entries(t), FileStatus.REJECTED, "too_many_entries",
                     "quá nhiều thành phần"),
    "laughs-workbook": (lambda t, p: _with_doctype(t, lambda _: "xl/workbook.xml", LAUGHS)(p), FileStatus.REJECTED,
                        "dangerous_xml", "tệp chứa XML nguy hiểm"),
    "laughs-sheet": (lambda t, p: _with_doctype(t, lambda x: sheet_part(x, L.INPUT_SHEET), LAUGHS)(p),
                     FileStatus.REJECTED, "dangerous_xml", "tệp chứa XML nguy hiểm"),
    # on the XlsxWriter original, whose labels are shared strings (openpyxl re-saves them inline)
    "laughs-strings": (lambda t, p: _with_doctype(t.with_name("template.xlsx"), lambda _: "xl/sharedStrings.xml",
                                                  LAUGHS)(p), FileStatus.REJECTED,
                       "dangerous_xml", "tệp chứa XML nguy hiểm"),
    "laughs-properties": (lambda t, p: _with_doctype(t, lambda _: "docProps/custom.xml", LAUGHS)(p),
                          FileStatus.REJECTED, "dangerous_xml", "tệp chứa XML nguy hiểm"),
    "external-entity": (lambda t, p: _with_doctype(t, lambda _: "xl/workbook.xml", XXE)(p), FileStatus.REJECTED,
                        "dangerous_xml", "tệp chứa XML nguy hiểm"),
    "huge-dimension": (_huge_dimension, FileStatus.ACCEPTED, None, None),
    "rows-pasted-below": (_big_paste, FileStatus.ACCEPTED, "extra_content", "nội dung bên dưới biểu mẫu"),
    "password": (_encrypted, FileStatus.REJECTED, "password_protected",
                 "tệp có mật khẩu — gỡ mật khẩu rồi gửi lại"),
    "macro": (_xlsm, FileStatus.ACCEPTED, "macro_ignored", "macro không được chạy"),
    "empty": (lambda t, p: b"", FileStatus.REJECTED, "empty", "tệp rỗng (0 byte)"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file(case: str, template: Path, tmp_path: Path, catalog, registry) -> None:
    if case == "password":
        pytest.importorskip("msoffcrypto")
    build, status, kind, words = HOSTILE[case]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / f"{case}.xlsx"
    path.write_bytes(build(template, tmp_path / "work.xlsx"))
    outcome = bounded(lambda: read_submission(path, inbox, catalog, registry))
    assert outcome.record.status == status, outcome.record.reason
    if kind is not None:
        [finding] = [f for f in outcome.findings if f.kind == kind]
        assert words in finding.message and finding.file == f"{case}.xlsx"
    if status == FileStatus.REJECTED:
        assert words in outcome.record.reason and outcome.submission is None
    else:  # still read, values in place
        values = outcome.submission.values
        assert values["primary_completers"].value == 120 and values["primary_grade1_cohort"].value == 130
        if kind is None:
            assert outcome.findings == []


def test_bomb_is_really_a_bomb(template: Path) -> None:
    """Guard for the test itself: the bomb's member declares about a gigabyte, in a small file."""
    data = _bomb(template, lie=False)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        biggest = max(archive.infolist(), key=lambda i: i.file_size)
    assert biggest.file_size > 1_000_000_000 and len(data) < 10_000_000


def test_link_pointing_outside_the_inbox(template: Path, tmp_path: Path, catalog, registry) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bao-cao.xlsx").symlink_to(template)
    files, records = bounded(lambda: collect_files(inbox))
    assert files == []
    [record] = records
    assert record.status == FileStatus.REJECTED and "ngoài thư mục inbox" in record.reason


def test_good_files_beside_hostile_ones_are_still_read(template: Path, tmp_path: Path, catalog, registry) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "nhan qua zalo").mkdir(parents=True)
    for case in ("zip-bomb", "many-entries", "laughs-sheet", "rows-pasted-below", "empty", "huge-dimension"):
        (inbox / "nhan qua zalo" / f"{case}.xlsx").write_bytes(HOSTILE[case][0](template, tmp_path / f"{case}.tmp"))
    (inbox / "bao cao TH.xlsx").write_bytes(template.read_bytes())
    (inbox / "ra-ngoai.xlsx").symlink_to(template)
    files, records = collect_files(inbox)
    outcomes = {path.name: read_submission(path, inbox, catalog, registry) for path in files}
    assert outcomes["bao cao TH.xlsx"].record.status == FileStatus.ACCEPTED
    assert outcomes["bao cao TH.xlsx"].submission.values["primary_completers"].value == 120
    assert {name for name, o in outcomes.items() if o.record.status == FileStatus.ACCEPTED} == {
        "bao cao TH.xlsx", "rows-pasted-below.xlsx", "huge-dimension.xlsx"}
    assert [r.path for r in records] == ["ra-ngoai.xlsx"]


def test_merge_over_an_inbox_full_of_hostile_files_still_merges_the_good_ones(template: Path, tmp_path: Path) -> None:
    """Every hostile file in one inbox beside the good reports: `ctre-xl merge` as a user runs it."""
    from merge_helpers import deliver, make_workspace, merge_json, snapshot
    from test_bad_inputs import GOOD, REPORT_DAY

    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    for unit, (relative, values) in GOOD.items():
        if unit != "th-vi-du":
            deliver(workspace, unit, YEAR, relative, values, report_date=REPORT_DAY)
    hostile = workspace.inbox / "nhan qua zalo"
    hostile.mkdir()
    cases = [c for c in sorted(HOSTILE) if c != "password" or _has_msoffcrypto()]
    for case in cases:
        (hostile / f"{case}.xlsx").write_bytes(HOSTILE[case][0](template, tmp_path / f"{case}.tmp"))
    (workspace.inbox / "ra-ngoai.xlsx").symlink_to(template)
    before = snapshot(workspace.inbox)

    code, data, _ = merge_json(workspace, YEAR)

    assert code == 0
    assert snapshot(workspace.inbox) == before
    files = {f["path"]: f for f in data["files"]}
    for case in cases:
        _, status, _, words = HOSTILE[case]
        entry = files[f"nhan qua zalo/{case}.xlsx"]
        if status == FileStatus.REJECTED:
            assert entry["status"] == "rejected" and words in entry["reason"], (case, entry)
    assert files["ra-ngoai.xlsx"]["status"] == "rejected"
    # The good reports merged: the office's and the kindergarten's figures give their metrics.
    received = {u["id"] for u in data["units"] if u["received"]}
    assert {"vhxh", "mn-vi-du", "van-phong"} <= received
    values = {m["code"]: m["value"] for m in data["metrics"]}
    assert values["CT02"] is not None and values["CT16"] is not None
    # The hostile-but-readable copies of the primary school's template (macro, pasted rows,
    # huge dimension) are one unit's duplicates: one wins, the others are superseded.
    primary = [f for f in data["files"] if f["unit"] == "th-vi-du"]
    assert sorted(f["status"] for f in primary).count("accepted") == 1


def _has_msoffcrypto() -> bool:
    try:
        import msoffcrypto  # noqa: F401
    except ImportError:
        return False
    return True
