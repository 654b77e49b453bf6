"""The zip package under an .xlsx or .ods, opened safely: entry count, declared sizes and
compression ratios checked before anything is inflated, every streamed part capped, and XML parts
parsed so that no entity can ever be declared (``parse_xml``). Shared by ``xlsx`` and ``ods``.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from io import BytesIO
from typing import IO, Iterable
from xml.etree.ElementTree import XML as _fast_xml  # only for parts proven DTD-free: see parse_xml
from xml.etree.ElementTree import Element, TreeBuilder, XMLParser

from defusedxml import ElementTree as SafeET
from defusedxml.ElementTree import DefusedXMLParser

from ctre_xl.errors import CtreError
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.read.sniff import MAX_ZIP_ENTRIES, ZIP_ERRORS, ZipMember, zip_entry_count

MiB = 1024 * 1024
MAX_MEMBER_DECLARED = 256 * MiB  # no honest template part comes near this
MAX_TOTAL_DECLARED = 512 * MiB
MAX_RATIO = 200  # deflate of real sheet XML stays well under this; bombs sit near 1000
RATIO_CHECK_FROM = 8 * MiB  # tiny parts may compress extremely well (empty rows); ignore them
MAX_INFLATED = 96 * MiB  # bytes actually inflated from one part while streaming
SMALL_PART = 2 * MiB  # parts up to this size are parsed whole (faster than streaming)
CHUNK = 64 * 1024
MAX_DEPTH = 128  # SpreadsheetML and ODF nest about a dozen levels; deeper is built to exhaust memory
MAX_ELEMENTS = 500_000  # elements of one part parsed whole (a template part holds a few thousand)
GUARDED_FROM = 256 * 1024  # parts larger than this are parsed whole only under the two limits above


CORRUPT_PACKAGE = "package"  # the corrupt_zip message of an xlsx that zipfile cannot open


class WorkbookError(CtreError):
    """The package cannot be read safely; ``kind`` says why (zip_bomb, dangerous_xml, corrupt_zip...),
    ``variant`` and ``fields`` which message of the catalogue of findings tells the unit."""

    def __init__(self, kind: FindingKind | str, variant: str = "", **fields: object) -> None:
        self.kind = FindingKind(kind)
        self.variant, self.fields = variant, fields
        super().__init__(self.kind.message(variant, **fields))


class XmlLimit(ValueError):
    """A part nests deeper, or holds more elements, than any spreadsheet: parsing stopped before the
    tree could exhaust memory (callers report the part as damaged, ``corrupt_xml``)."""


class GuardedBuilder(TreeBuilder):
    """A tree builder that stops at ``MAX_DEPTH`` levels or ``MAX_ELEMENTS`` elements."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = self.count = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.depth += 1
        self.count += 1
        if self.depth > MAX_DEPTH or self.count > MAX_ELEMENTS:
            raise XmlLimit(f"depth {self.depth}, {self.count} elements")
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return super().end(tag)


def _guarded(data: bytes, safe: bool) -> Element:
    """Parse ``data`` whole under the depth and element limits (defusedxml's parser if ``safe``)."""
    parser = DefusedXMLParser(target=GuardedBuilder()) if safe else XMLParser(target=GuardedBuilder())
    for start in range(0, len(data), CHUNK):  # fed in chunks: the C parser only stops between feeds
        parser.feed(data[start:start + CHUNK])
    return parser.close()


def open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo | str, limit: int, member: str,
                xml: bool = True) -> CappedReader:
    """``member`` of ``archive``, read through a ``CappedReader``; a member that cannot be opened
    is a damaged part (``corrupt_xml``), never an error of ``zipfile``'s own."""
    try:
        return CappedReader(archive.open(info), limit, member, xml)
    except ZIP_ERRORS as exc:
        raise corrupt_xml(member) from exc


class CappedReader:
    """A file-like over a zip member that refuses to inflate more than ``limit`` bytes and, for an
    XML part (``xml``), any encoding but UTF-8 (``require_utf8`` on its first bytes). Deflated data
    that does not inflate is reported as ``zipfile.BadZipFile``, which every reader of a part
    already takes for a damaged part (``zlib`` raises its own error)."""

    def __init__(self, stream: IO[bytes], limit: int, member: str, xml: bool = True) -> None:
        self.stream, self.limit, self.member, self.count, self.xml = stream, limit, member, 0, xml

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.stream.read(CHUNK if size is None or size < 0 else min(size, CHUNK))
        except zlib.error as exc:
            raise zipfile.BadZipFile(f"{self.member}: {exc}") from exc
        if self.xml and self.count == 0:
            # ZipExtFile.read(n) returns n bytes unless the part ends: the whole head is here.
            require_utf8(data, self.member)
        self.count += len(data)
        if self.count > self.limit:
            raise _bomb(self.member, self.count)
        return data


# ----------------------------------------------------------------------------- UTF-8 only

# Excel, LibreOffice and WPS write every XML part in UTF-8. Another encoding (UTF-16/32 with or
# without a byte-order mark, EBCDIC, or one declared in the prolog) is refused before any parser
# sees the part: the parsers would honour it, and the checks for "<!DOCTYPE"/"<!ENTITY" (which
# keep entity declarations away from the fast C parser) look for those words in ASCII bytes only.
UTF8_BOM = b"\xef\xbb\xbf"
HEAD = 4096  # an XML declaration longer than this is not one a spreadsheet tool wrote
_DECLARATION = re.compile(rb"<\?xml[ \t\r\n][^>]*?\bencoding\s*=\s*([\"'])(.*?)\1")
_UTF8_NAMES = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii"})  # ASCII is UTF-8 too


def xml_encoding_problem(head: bytes) -> str:
    """What is not UTF-8 about an XML part whose first bytes are ``head`` ("" when it is UTF-8)."""
    body = head[3:] if head.startswith(UTF8_BOM) else head
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16/UTF-32"
    head_bytes = body[:HEAD]
    if head_bytes.count(b"\x00") * 4 >= len(head_bytes) > 0:
        # UTF-16 or UTF-32 without a byte-order mark: every ASCII character carries zero bytes. A
        # stray zero byte in UTF-8 is a damaged part instead, which the parser says so of.
        return "UTF-16/UTF-32"
    start = head_bytes.lstrip(b" \t\r\n")
    if start and not start.startswith(b"<"):
        return "?"  # EBCDIC, UTF-7, or not XML at all
    if start.startswith(b"<?xml") and start[5:6] in (b" ", b"\t", b"\r", b"\n"):
        end = start.find(b"?>")
        if end < 0:
            return "?"
        declared = _DECLARATION.match(start[:end])
        if declared and declared[2].strip().lower() not in _UTF8_NAMES:
            return declared[2].decode("ascii", "replace")[:40]
    return ""


def require_utf8(head: bytes, part: str) -> None:
    """Refuse (``xml_not_utf8``) an XML part not in UTF-8; ``head``: its first bytes (or all)."""
    found = xml_encoding_problem(head)
    if found:
        raise WorkbookError(FindingKind.XML_NOT_UTF8, part=part, encoding=found)


def _bomb(member: str, size: int) -> WorkbookError:
    return WorkbookError(FindingKind.ZIP_BOMB, part=member, size_mb=size // MiB)


Member = zipfile.ZipInfo | ZipMember


def open_package(data: bytes, archive: zipfile.ZipFile | None, corrupt_variant: str,
                 members: dict[str, ZipMember] | None = None) -> tuple[zipfile.ZipFile | None, dict[str, Member]]:
    """Open a zip package (xlsx or ods) after the checks that need no inflating.

    Refuses tens of thousands of entries, and declared sizes or compression ratios no workbook
    has (a zip bomb), before a single part is inflated. ``members``: the central directory already
    read by ``sniff.zip_directory``; then no ``zipfile.ZipFile`` is opened (None is returned for
    it) until a part needs streaming.
    """
    package: zipfile.ZipFile | None = None
    if members is None:  # (a directory ``zip_directory`` read holds at most MAX_ZIP_ENTRIES)
        count = zip_entry_count(data)
        if count is not None and count > MAX_ZIP_ENTRIES:
            raise WorkbookError(FindingKind.TOO_MANY_ENTRIES, "package", count=count)
        try:
            package = archive or zipfile.ZipFile(BytesIO(data))
            listed = package.infolist()
        except ZIP_ERRORS as exc:
            raise WorkbookError(FindingKind.CORRUPT_ZIP, corrupt_variant) from exc
        members = {}
        for info in listed:
            if info.filename in members:
                raise _duplicate(info.filename)
            members[info.filename] = info
    _refuse_duplicates(members)
    total = 0
    for name, info in members.items():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_DECLARED or (info.file_size > RATIO_CHECK_FROM and ratio > MAX_RATIO):
            raise _bomb(name, info.file_size)
    if total > MAX_TOTAL_DECLARED:
        raise _bomb("(toàn bộ tệp)", total)
    return package, members


def _refuse_duplicates(members: dict[str, Member]) -> None:
    """Part names are compared without regard to case (OPC) or Unicode form: two members naming
    one part (a second sheet1.xml, a second set of custom properties naming another unit) leave
    no way to know which one Excel would show. The package is refused."""
    seen: set[str] = set()
    for name in members:
        folded = unicodedata.normalize("NFC", name).casefold()
        if folded in seen:
            raise _duplicate(name)
        seen.add(folded)


def _duplicate(part: str) -> WorkbookError:
    return WorkbookError(FindingKind.DUPLICATE_PART, part=part)


def last_row_read(cells: Iterable[tuple[int, int]], columns: frozenset[int], max_row: int | None,
                  scan_to: int | None) -> int:
    """The last row a sheet's reading must reach (0-based; -1: none): every wanted cell's, ``max_row``
    when whole columns are wanted, and ``scan_to``; content past it is only looked for."""
    return max([row for row, _ in cells] + ([max_row] if max_row is not None and columns else [])
               + ([scan_to] if scan_to is not None else []), default=-1)


def has_doctype(body: bytes) -> bool:
    """Whether ``body`` may hold a document type or entity declaration (both begin "<!"). "!" is
    rare in a part and found at memory speed; a search for "<!…" stops at every "<" and costs
    as much as reading a template's sheet."""
    return b"!" in body and (b"<!DOCTYPE" in body or b"<!ENTITY" in body)


def tags_only(data: bytes) -> bool:
    """Whether every ``<`` of a part starts an element's tag, but for a leading XML declaration: no
    comment, CDATA section, document type or processing instruction. Only such parts are read by
    their markup (``xlsx.skeleton``, ``xlsx.sheet_markup``)."""
    body = data[3:] if data.startswith(UTF8_BOM) else data
    return b"<!" not in body and body.find(b"<?", 1) < 0


def parse_xml(data: bytes, part: str = "") -> Element:
    """Parse one XML part (named ``part``) safely.

    Only UTF-8 is read (``require_utf8``). Entity declarations (billion laughs, external entities)
    can only appear inside a document type declaration. A part with a DOCTYPE, or one not plainly UTF-8/ASCII (where that could not be
    checked on the bytes), goes through defusedxml, which refuses entities. Every other part cannot
    declare an entity and is parsed by the C parser that defusedxml wraps, several times faster
    than defusedxml's pure-Python tree builder; thousands of files are read per merge.
    """
    require_utf8(data, part)
    body = data[3:] if data.startswith(UTF8_BOM) else data
    if body[:1] != b"<" or has_doctype(body):
        return _guarded(data, safe=True) if len(data) > GUARDED_FROM else SafeET.fromstring(data)
    # A small part cannot hold enough elements to matter; a large one is parsed under limits
    # (a few KB of deflate inflate to a million nested elements).
    return _guarded(body, safe=False) if len(body) > GUARDED_FROM else _fast_xml(body)


def corrupt_xml(part: str, cause: BaseException | None = None) -> WorkbookError:
    """The part ``part`` cannot be read (``cause``: why, when it was one of our limits)."""
    return WorkbookError(FindingKind.CORRUPT_XML, "limit" if isinstance(cause, XmlLimit) else "", part=part)


def dangerous_xml(part: str) -> WorkbookError:
    return WorkbookError(FindingKind.DANGEROUS_XML, part=part)
