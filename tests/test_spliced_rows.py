"""The summary's long lists deflated on the other core and spliced into the zip as they are
(ctre_xl/packing.py, book.StreamedSheet.append_rows, output/summary/side_rows.py).

A sheet's part is one zip member made of three deflate streams (this process's part before the
rows, the worker's segment, the rest of the part), its CRC-32 the three combined. What a user opens
must be what the summary was before: every part inflates to the same bytes, every cell reads the
same in openpyxl and LibreOffice, and the zip is sound (``testzip``), Zip64 included.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import requires_soffice, soffice_path
from merge_helpers import make_demo
from openpyxl import load_workbook

from ctre_xl import packing
from ctre_xl.cli import main
from ctre_xl.output.summary import data_sheet, sheets, side_rows
from ctre_xl.output.summary import workbook as summary_workbook
from ctre_xl.packing import DEFLATE_LEVEL, QuickZip, Splice, crc32_combine, deflated_text, read_segment

YEAR = 2026


# ----------------------------------------------------------------------------- CRC-32 combined


def test_crc32_combine_is_the_crc_of_the_concatenation() -> None:
    rng = random.Random(14)
    lengths = [0, 1, 2, 3, 4, 7, 8, 15, 16, 255, 256, 257, 4_096, 65_537, 1 << 20, 3_000_001]
    cases = [(a, b) for a in (0, 1, 5, 1 << 16) for b in lengths] + [(rng.randrange(1 << 20), b) for b in range(1, 300)]
    for first, second in cases:
        a, b = rng.randbytes(first), rng.randbytes(second)
        assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b), (first, second)
    assert crc32_combine(0, 0, 0) == 0 and crc32_combine(zlib.crc32(b"x"), 0, 0) == zlib.crc32(b"x")


def test_crc32_combine_over_long_lengths_agrees_with_itself() -> None:
    """Lengths past what a test can hash (gigabytes): (A + B) + C == A + (B + C), each from its pieces'
    CRCs; zeros hashed in steps give the CRC of a long run of zeros to check against."""
    zeros = bytes(1 << 20)
    crc, length = 0, 0
    for _ in range(64):  # 64 MiB of zeros, a MiB at a time, then combined in one step
        crc, length = zlib.crc32(zeros, crc), length + len(zeros)
    assert crc32_combine(0, crc, length) == crc
    assert crc32_combine(zlib.crc32(b"head"), crc, length) == zlib.crc32(zeros * 64, zlib.crc32(b"head"))
    a, b, c = 0x12345678, 0x9ABCDEF0, 0x0F1E2D3C
    for lb, lc in ((5 << 30, 3), (1, 1 << 40), ((1 << 33) + 17, (1 << 35) - 1)):
        assert crc32_combine(crc32_combine(a, b, lb), c, lc) == crc32_combine(a, crc32_combine(b, c, lc), lb + lc)


# ----------------------------------------------------------------------------- segments


def _segment(tmp_path: Path, text: str, name: str = "rows") -> packing.Segment:
    with deflated_text(tmp_path / name) as out:
        for start in range(0, len(text), 7):
            out.write(text[start:start + 7])
    return read_segment(tmp_path / name)


@pytest.mark.parametrize("text", ["", "<row r=\"2\"/>", "Trường Tiểu học số 1 ý kiến & <co> " * 50_000],
                         ids=["empty", "a row", "megabytes"])
def test_a_segment_is_the_text_deflated_and_not_ended(tmp_path: Path, text: str) -> None:
    segment = _segment(tmp_path, text)
    data = text.encode("utf-8")
    assert (segment.crc, segment.size) == (zlib.crc32(data), len(data))
    deflated = b"".join(segment.chunks())
    assert len(deflated) == segment.deflated and (tmp_path / "rows").stat().st_size == segment.deflated + 16
    inflater = zlib.decompressobj(-15)
    assert inflater.decompress(deflated) == data
    assert not inflater.eof  # more may follow: the spliced member goes on after it
    assert deflated.endswith(b"\x00\x00\xff\xff")  # a sync flush: it ends on a byte boundary


def test_a_file_that_is_not_a_segment_is_refused(tmp_path: Path) -> None:
    (tmp_path / "rows").write_bytes(b"<row r=\"2\"/>" * 4)
    with pytest.raises(RuntimeError, match="not rows deflated here"):
        read_segment(tmp_path / "rows")


# ----------------------------------------------------------------------------- a spliced member


def _spliced_zip(folder: Path, head: bytes, text: str, tail: bytes, from_file: bool,
                 **options) -> tuple[Path, packing.Segment]:
    """A zip of three members, the second ``head`` + ``text`` + ``tail``, its text spliced in from a
    segment, the part written from a file (``ZipFile.write``) or from memory (``writestr``)."""
    folder.mkdir(exist_ok=True)
    segment = _segment(folder, text)
    part = folder / "part.xml"
    part.write_bytes(head + tail)
    splice = Splice(str(part) if from_file else "buffer", len(head), segment)
    path = folder / "spliced.zip"
    with QuickZip(path, "w", compression=zipfile.ZIP_DEFLATED, splices=lambda: {"xl/sheet.xml": splice},
                  **options) as archive:
        archive.writestr("before.xml", b"<a/>")
        if from_file:
            archive.write(str(part), "xl/sheet.xml")
        else:
            info = zipfile.ZipInfo("xl/sheet.xml", (1980, 1, 1, 0, 0, 0))
            info.compress_type = archive.compression  # as XlsxWriter gives its in-memory parts
            archive.writestr(info, head + tail)
        archive.writestr("after.xml", b"<b/>")
        archive.check_spliced()
    return path, segment


@pytest.mark.parametrize("from_file", [True, False])
@pytest.mark.parametrize("head, text, tail", [
    (b"", "", b""), (b"<sheetData>", "", b"</sheetData>"), (b"", "<row r=\"1\"/>", b""),
    ("<?xml?><worksheet><sheetData>ý".encode(), "<row r=\"2\"><c><v>1</v></c></row>" * 40_000,
     b"</sheetData></worksheet>"),
    (bytes(range(256)) * 9_000, "Dữ liệu " * 300_000, bytes(range(255, -1, -1)) * 5_000),
], ids=["empty", "no rows", "rows alone", "a sheet", "megabytes"])
def test_a_spliced_member_inflates_to_the_part_with_its_rows(tmp_path: Path, from_file: bool, head: bytes,
                                                              text: str, tail: bytes) -> None:
    path, segment = _spliced_zip(tmp_path, head, text, tail, from_file)
    whole = head + text.encode("utf-8") + tail
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["before.xml", "xl/sheet.xml", "after.xml"]
        info = archive.getinfo("xl/sheet.xml")
        assert archive.read(info) == whole and archive.read("after.xml") == b"<b/>"
        assert (info.CRC, info.file_size, info.compress_type) == (zlib.crc32(whole), len(whole), zipfile.ZIP_DEFLATED)
    # The worker's bytes are in the package as they are: this process neither inflated nor deflated them again.
    deflated = b"".join(segment.chunks())
    assert deflated in path.read_bytes()
    quick = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    expected = quick.compress(head) + quick.flush(zlib.Z_FULL_FLUSH) + deflated
    quick = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    assert info.compress_size == len(expected + quick.compress(tail) + quick.flush())


def test_zipfile_still_has_the_writer_the_splice_feeds() -> None:
    """``packing._write_deflated`` sets three private attributes of CPython's member writer. If a
    CPython renamed them the summary would still be right (the rows inflated and deflated again),
    only slower: this is where that shows."""
    with zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("a.xml", "w") as member:
            assert all(hasattr(member, name) for name in ("_compressor", "_crc", "_file_size"))
            assert packing._write_deflated(member, [zlib.compress(b"x", wbits=-15)],
                                           lambda: (zlib.crc32(b"x"), 1)) is True
        assert archive.read("a.xml") == b"x"


def test_a_writer_without_those_attributes_gets_the_rows_inflated() -> None:
    class Plain(io.BytesIO):  # a writer of plain bytes, as a member writer of another CPython might be
        pass

    quick = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    deflated = quick.compress(b"abc" * 1000) + quick.flush()
    out = Plain()
    assert packing._write_deflated(out, [deflated[:5], deflated[5:]], lambda: (0, 0)) is False
    assert out.getvalue() == b"abc" * 1000


def test_a_large_member_is_written_with_zip64(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Zip64 as ``zipfile`` decides it for any part (on its size): the limit lowered to see it."""
    head, text, tail = b"<h>" * 2_000, "<row/>" * 3_000, b"<t>" * 1_000
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 10_000)
    path, _segment = _spliced_zip(tmp_path, head, text, tail, True)
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sheet.xml", head + text.encode() + tail)
    monkeypatch.undo()
    with zipfile.ZipFile(path) as spliced, zipfile.ZipFile(plain) as reference:
        assert spliced.testzip() is None
        assert spliced.read("xl/sheet.xml") == reference.read("xl/sheet.xml")
        info = spliced.getinfo("xl/sheet.xml")
        assert info.extract_version == reference.getinfo("xl/sheet.xml").extract_version >= zipfile.ZIP64_VERSION
    raw = path.read_bytes()
    local = raw.index(b"PK\x03\x04" + zipfile.ZIP64_VERSION.to_bytes(2, "little"))
    assert raw[local + 18:local + 26] == b"\xff" * 8  # sizes in the Zip64 extra field
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 10_000)
    with pytest.raises(zipfile.LargeZipFile):  # refused as ``ZipFile.write`` refuses it
        _spliced_zip(tmp_path / "no64", head, text, tail, True, allowZip64=False)


def test_rows_recorded_for_a_part_never_written_raise(tmp_path: Path) -> None:
    segment = _segment(tmp_path, "<row/>")
    with QuickZip(tmp_path / "z.zip", "w", zipfile.ZIP_DEFLATED,
                  splices=lambda: {"xl/worksheets/sheet9.xml": Splice("x", 0, segment)}) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a/>")
        with pytest.raises(RuntimeError, match="not written"):
            archive.check_spliced()


# ----------------------------------------------------------------------------- the summary


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return make_demo(tmp_path_factory.mktemp("spliced") / "demo")


class _SameMinute(datetime):
    """The summary's time of making (page 1) the same in every summary compared: three merges in a
    row may straddle a minute."""

    @classmethod
    def now(cls, tz=None):  # noqa: ANN001, ANN206
        return datetime(2026, 11, 20, 9, 30)


def _summary(root: Path, keep: Path) -> Path:
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(summary_workbook, "datetime", _SameMinute)
        outcome = CliRunner().invoke(main, ["--workspace", str(root), "merge", "--year", str(YEAR)])
    assert outcome.exit_code in (0, 1), outcome.output
    return Path(shutil.copy(root / "outbox" / str(YEAR) / f"tong-hop-{YEAR}.xlsx", keep))


def _cells(path: Path) -> dict[str, tuple[int, list[list[object]]]]:
    """Every sheet's row count and cell values, as openpyxl reads them."""
    book = load_workbook(path)
    return {sheet.title: (sheet.max_row, [[cell.value for cell in row] for row in sheet.iter_rows()])
            for sheet in book.worksheets}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def _inflated(member, pieces, whole) -> bool:  # noqa: ANN001 - the member written as any other part
    inflater = zlib.decompressobj(-15)
    for piece in pieces:
        member.write(inflater.decompress(piece))
    return False


@pytest.mark.parametrize("in_memory", [True, False])
def test_the_summary_spliced_from_the_worker_is_the_summary_made_here(demo, tmp_path, monkeypatch,
                                                                       in_memory) -> None:
    """The rows made by the worker and spliced in, against the rows made here (no worker), and
    against a summary whose spliced parts were inflated and deflated as any other part."""
    monkeypatch.setattr("ctre_xl.book.PACKED_IN_MEMORY_UP_TO", 1 << 30 if in_memory else -1)
    monkeypatch.setattr(side_rows, "PARALLEL_FROM", 10 ** 9)
    here = _summary(demo, tmp_path / "here.xlsx")
    spliced: list[str] = []
    real = packing.write_spliced
    monkeypatch.setattr(packing, "write_spliced", lambda archive, info, *rest: spliced.append(info.filename)
                        or real(archive, info, *rest))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(side_rows, "PARALLEL_FROM", 1)

    def not_here(*_args, **_kwargs):
        raise AssertionError("the rows were made in this process, not by the worker")
    monkeypatch.setattr(side_rows, "make_pieces", not_here)  # (the spawned worker imports its own)
    worker = _summary(demo, tmp_path / "worker.xlsx")
    assert len(spliced) == 2  # "Tiến độ nộp" and "Dữ liệu"
    monkeypatch.setattr(packing, "_write_deflated", _inflated)
    plain = _summary(demo, tmp_path / "plain.xlsx")
    assert _parts(worker) == _parts(here) == _parts(plain)
    cells = _cells(worker)
    assert cells == _cells(here) == _cells(plain)
    rows, values = cells[data_sheet.DATA_SHEET]
    assert rows > 50 and values[0][:3] == ["Năm", "Đơn vị", "Số liệu"]
    assert all(row[0] == YEAR for row in values[1:])
    units = [row for row in cells[sheets.PROGRESS_SHEET][1] if isinstance(row[0], int)]
    assert [row[0] for row in units] == list(range(1, len(units) + 1)) and len(units) > 5
    with zipfile.ZipFile(worker) as archive:
        assert {archive.getinfo(name).date_time for name in spliced} == {archive.getinfo("xl/workbook.xml").date_time}


@requires_soffice
def test_libreoffice_reads_the_spliced_summary(demo, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("ctre_xl.book.PACKED_IN_MEMORY_UP_TO", -1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(side_rows, "PARALLEL_FROM", 1)
    summary = _summary(demo, tmp_path / "tong-hop.xlsx")
    out = tmp_path / "lo"
    profile = f"file://{tmp_path / 'lo-profile'}"
    done = subprocess.run([soffice_path(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
                           "--outdir", str(out), str(summary)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    ours, theirs = _cells(summary), _cells(out / "tong-hop.xlsx")
    assert list(theirs) == list(ours)
    for name in (sheets.PROGRESS_SHEET, data_sheet.DATA_SHEET):  # an empty text is an empty cell to LibreOffice
        rows = [[value for value in row if value not in (None, "")] for row in ours[name][1]]
        back = [[value for value in row if value not in (None, "")] for row in theirs[name][1]]
        assert back[:len(rows)] == rows and not any(back[len(rows):]), name
