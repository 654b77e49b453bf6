"""Recognising what a file really is from its bytes, never from its name.

Files arrive renamed, re-saved and converted: a .xlsx may be a CSV, an old .xls, a
password-protected workbook or a photo of the sheet. ``sniff`` looks at the content and says
which kind it is and, for every kind that cannot be read, what the unit must do, in Vietnamese.

xlsx, xlsm and ods are read (macros are never run, only reported): LibreOffice users sometimes
keep "ODF format" when saving, and their report should still count. Everything else is named
with what to do.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from io import BytesIO
from typing import NamedTuple

from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.text import format_number

# What ``zipfile`` raises for a package or member it cannot read: a damaged directory or header, a
# zip version or compression method it does not know, a member flagged as encrypted (zip
# encryption, which no spreadsheet uses), a missing member, deflated data that does not inflate.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
              RuntimeError, KeyError, zlib.error)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
MAX_ZIP_ENTRIES = 10_000  # an xlsx has a few dozen parts; tens of thousands is an attack
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# A kind that cannot be read is the finding of that name (its message says what to do), except:
_PROBLEMS = {"encrypted": FindingKind.PASSWORD_PROTECTED}
READABLE = frozenset({"xlsx", "xlsm", "ods"})


@dataclass(frozen=True)
class Sniffed:
    kind: str  # xlsx, xlsm, encrypted, xls, ods, csv, pdf, image, empty, corrupt_zip, ...
    message: str = ""  # Vietnamese: why it cannot be read and what to do ("" when readable)
    archive: zipfile.ZipFile | None = field(default=None, compare=False, repr=False)  # open xlsx/xlsm/ods
    # The central directory of an xlsx/xlsm read by ``zip_directory`` (then ``archive`` is None).
    members: dict[str, ZipMember] | None = field(default=None, compare=False, repr=False)
    details: tuple[tuple[str, str], ...] = ()  # the placeholders of the problem's message

    @property
    def readable(self) -> bool:
        return self.kind in READABLE

    @property
    def problem(self) -> FindingKind | None:
        """The finding a file of this kind gets (None when it is read)."""
        return None if self.readable else _problem_of(self.kind)


def sniff_bytes(data: bytes) -> Sniffed:
    """The kind of a file whose whole content is ``data``."""
    if not data:
        return _unusable("empty")
    if data.startswith(OLE2_MAGIC):
        return _unusable(_ole_kind(data))
    if data.startswith(ZIP_MAGICS) or data[:4] == b"PK\x01\x02":
        return _zip_kind(data)
    head = data[:4096]
    if head.startswith(b"%PDF"):
        return _unusable("pdf")
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")) or \
            (head[:4] == b"RIFF" and head[8:12] == b"WEBP") or head[:4] in (b"II*\x00", b"MM\x00*"):
        return _unusable("image")
    text = _as_text(head)
    if text is not None:
        lowered = text.lstrip("\ufeff \t\r\n").lower()
        if lowered.startswith(("<!doctype html", "<html", "<table", "<head", "<body", "<meta")):
            return _unusable("html")
        if lowered.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
            return _unusable("xml_2003")
        if lowered.startswith("<?xml") and "<html" in lowered:
            return _unusable("html")
        return _unusable("csv")
    return _unusable("unknown")


def _problem_of(kind: str) -> FindingKind:
    return _PROBLEMS.get(kind) or FindingKind(kind)


def _unusable(kind: str, **details: str) -> Sniffed:
    return Sniffed(kind, _problem_of(kind).message(**details), details=tuple(details.items()))


def _as_text(head: bytes) -> str | None:
    """The head decoded as text when it looks like text (UTF-8/16 or a legacy 8-bit code page)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a multi-byte character cut by the 4 KiB window
            return head[: exc.start].decode("utf-8")
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return head.decode("cp1258", errors="replace") if controls * 20 < len(head) else None


# ----------------------------------------------------------------------------- zip


def zip_entry_count(data: bytes) -> int | None:
    """Entries of the zip: the larger of what the end record declares (zip64 aware) and what its
    central directory really holds, counted only up to ``MAX_ZIP_ENTRIES + 1``; None without an
    end record. The end record may say 3 while the directory holds a million entries, which
    ``zipfile`` would all turn into objects: the directory is walked here, with a cap, first."""
    tail = data[-(65_535 + 22):]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    count, size = struct.unpack_from("<HL", tail, at + 10)
    location = len(data) - len(tail) + at  # where the directory ends (zipfile's own reckoning)
    locator = tail.rfind(b"PK\x06\x07", 0, at)
    if locator >= 0 and at - locator == 20:
        record = struct.unpack_from("<Q", tail, locator + 8)[0]
        if 0 <= record <= len(data) - 56 and data[record:record + 4] == b"PK\x06\x06":
            count, size = struct.unpack_from("<QQ", data, record + 32)
            location = record
    elif count == 0xFFFF:
        return MAX_ZIP_ENTRIES + 1  # declares zip64 without its record: no workbook does
    return max(count, _walked_entries(data, location - size, location, MAX_ZIP_ENTRIES + 1))


def _walked_entries(data: bytes, start: int, end: int, cap: int) -> int:
    """Central directory headers really found between ``start`` and ``end``, counting up to ``cap``
    (where ``zipfile`` would stop at a broken header, so does this)."""
    count, position = 0, max(start, 0)
    while count < cap and position + 46 <= end and data[position:position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, position + 28)
        position += 46 + name_length + extra_length + comment_length
        count += 1
    return count


class ZipMember(NamedTuple):
    """One entry of a zip central directory, with the attribute names of ``zipfile.ZipInfo``."""

    filename: str
    flag_bits: int
    compress_type: int
    CRC: int
    compress_size: int
    file_size: int
    header_offset: int


_EOCD = struct.Struct("<4s4H2LH")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_PLAIN_FLAGS = 0x0800 | 0x0008 | 0x0006  # UTF-8 names, data descriptor, deflate level: nothing else


def zip_directory(data: bytes) -> dict[str, ZipMember] | None:
    """The central directory of a plain zip, parsed in one pass: name -> member.

    ``zipfile`` builds the same table with a ZipInfo object and several checks per entry; the
    reader needs five or six members of each of thousands of files. Only the plain form is read
    here: one disk, no zip64, the directory right before the end record and nothing prepended, no
    encryption or unusual flag, no extra field, no NUL in a name. Anything else returns None and
    ``zipfile`` reads the package (and says what is wrong with it).
    """
    at = len(data) - _EOCD.size
    if at < 0 or data[at:at + 4] != b"PK\x05\x06":  # a comment after the record: not the plain form
        return None
    _sig, disk, cd_disk, on_disk, count, size, offset, comment = _EOCD.unpack_from(data, at)
    if disk or cd_disk or on_disk != count or comment or offset + size != at or count > MAX_ZIP_ENTRIES:
        return None
    members: dict[str, ZipMember] = {}
    position, unpack = offset, _CENTRAL.unpack_from
    for _ in range(count):
        if position + _CENTRAL.size > at:
            return None
        (signature, _made, _system, _needed, _needed_system, flags, method, _time, _date, crc, packed, size_,
         name_length, extra_length, comment_length, _disk, _internal, _external, local) = unpack(data, position)
        start = position + _CENTRAL.size
        end = start + name_length
        if signature != b"PK\x01\x02" or flags & ~_PLAIN_FLAGS or extra_length or end + comment_length > at \
                or packed == 0xFFFFFFFF or size_ == 0xFFFFFFFF or local >= offset:
            return None
        raw = data[start:end]
        if b"\x00" in raw:
            return None
        try:
            name = raw.decode("utf-8") if flags & 0x0800 else raw.decode("cp437")
        except UnicodeDecodeError:
            return None
        if name in members:  # a second copy of a part: ``zipfile`` lists both, ``package`` refuses
            return None
        members[name] = ZipMember(name, flags, method, crc, packed, size_, local)
        position = end + comment_length
    return members if position == at else None


def inflate_member(data: bytes, info: zipfile.ZipInfo | ZipMember) -> bytes | None:
    """A stored or deflated member inflated straight from the package bytes ``data``, or None to let
    ``zipfile`` read it (and say what is wrong). ``zipfile`` costs ~25 µs per member opened, five
    members per file; this is the same work without its stream objects. Never more than the
    declared size is inflated (callers only ask for small members), and the CRC must match."""
    packed = packed_member(data, info)
    if packed is None:
        return None
    try:
        inflated = packed if info.compress_type == zipfile.ZIP_STORED else \
            zlib.decompressobj(-15).decompress(packed, info.file_size)
    except zlib.error:
        return None
    if len(inflated) != info.file_size or zlib.crc32(inflated) != info.CRC:
        return None
    return inflated


def packed_member(data: bytes, info: zipfile.ZipInfo | ZipMember) -> bytes | None:
    """The stored (still compressed) bytes of a stored or deflated, unencrypted member, found
    through its local header; None when that header is not where the directory says."""
    if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    offset = info.header_offset
    if data[offset:offset + 4] != b"PK\x03\x04" or len(data) < offset + 30:
        return None
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_length + extra_length
    packed = data[start:start + info.compress_size]
    return packed if len(packed) == info.compress_size else None


def _zip_kind(data: bytes) -> Sniffed:
    # The usual package first, read without ``zipfile``: its directory is whole and holds at most
    # MAX_ZIP_ENTRIES (``zip_directory`` refuses more), so it needs no count of its own.
    members = zip_directory(data)
    if members is not None and "mimetype" not in members and "[Content_Types].xml" in members \
            and "xl/workbook.xml" in members:
        macro = any(name.lower().startswith("xl/vbaproject") for name in members)
        return Sniffed("xlsm" if macro else "xlsx", members=members)
    count = zip_entry_count(data)  # anything else (an ODF package, a damaged zip) is counted first
    if count is None:
        return _unusable("corrupt_zip")
    if count > MAX_ZIP_ENTRIES:
        return _unusable("too_many_entries", count=format_number(count))
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names and archive.read("mimetype")[:100].strip() == ODS_MIMETYPE:
            return Sniffed("ods", archive=archive)
        lowered = {name.lower() for name in names}
        if "[content_types].xml" in lowered:
            if "xl/workbook.xml" in names:
                macro = any(name.startswith("xl/vbaproject") for name in lowered)
                return Sniffed("xlsm" if macro else "xlsx", archive=archive)
            if "xl/workbook.bin" in lowered:
                return _unusable("xlsb")
        return _unusable("zip_other")
    except ZIP_ERRORS:
        return _unusable("corrupt_zip")


# ----------------------------------------------------------------------------- OLE2


def _ole_kind(data: bytes) -> str:
    """encrypted (an OOXML package inside an encrypted OLE2 container), xls, or another OLE file."""
    names = _ole_directory_names(data)
    if names is None:  # directory unreadable: fall back to looking for the names anywhere
        window = data[:4 * 1024 * 1024]
        names = {name for name in ("EncryptedPackage", "EncryptionInfo", "Workbook", "Book")
                 if name.encode("utf-16-le") in window}
    if {"EncryptedPackage", "EncryptionInfo"} & names:
        return "encrypted"
    if {"Workbook", "Book"} & names:
        return "xls"
    return "ole_other"


def _ole_directory_names(data: bytes) -> set[str] | None:
    """Names of the entries of an OLE2 compound file's directory, or None if it is malformed."""
    try:
        sector_shift = struct.unpack_from("<H", data, 30)[0]
        if sector_shift not in (9, 12):
            return None
        size = 1 << sector_shift
        first_dir = struct.unpack_from("<I", data, 48)[0]
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s < 0xFFFFFFFA]
        fat: list[int] = []
        for sector in fat_sectors[:64]:  # enough FAT for a 32 MiB directory; more is not a workbook
            start = (sector + 1) * size
            chunk = data[start:start + size]
            fat.extend(struct.unpack(f"<{len(chunk) // 4}I", chunk[: len(chunk) // 4 * 4]))
        names: set[str] = set()
        sector, seen = first_dir, 0
        while sector < 0xFFFFFFFA and seen < 4096:
            start = (sector + 1) * size
            block = data[start:start + size]
            if len(block) < size:
                return None
            for entry in range(0, size, 128):
                length = struct.unpack_from("<H", block, entry + 64)[0]
                if 2 <= length <= 64:
                    names.add(block[entry:entry + length - 2].decode("utf-16-le", errors="replace"))
            sector = fat[sector] if sector < len(fat) else 0xFFFFFFFE
            seen += 1
        return names or None
    except struct.error:
        return None
