"""The zip package under an .xlsx or .ods, opened safely: entry count, declared sizes and
compression ratios checked before anything is inflated, every streamed part capped, and XML parts
parsed so that no entity can ever be declared (``parse_xml``). Shared by ``xlsx`` and ``ods``.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import IO
from xml.etree.ElementTree import XML as _fast_xml  # only for parts proven DTD-free: see parse_xml
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

from ctre_xl.errors import CtreError
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.read.sniff import MAX_ZIP_ENTRIES, ZipMember, zip_entry_count

MiB = 1024 * 1024
MAX_MEMBER_DECLARED = 256 * MiB  # no honest template part comes near this
MAX_TOTAL_DECLARED = 512 * MiB
MAX_RATIO = 200  # deflate of real sheet XML stays well under this; bombs sit near 1000
RATIO_CHECK_FROM = 8 * MiB  # tiny parts may compress extremely well (empty rows); ignore them
MAX_INFLATED = 96 * MiB  # bytes actually inflated from one part while streaming
SMALL_PART = 2 * MiB  # parts up to this size are parsed whole (faster than streaming)
CHUNK = 64 * 1024


CORRUPT_PACKAGE = "package"  # the corrupt_zip message of an xlsx that zipfile cannot open


class WorkbookError(CtreError):
    """The package cannot be read safely; ``kind`` says why (zip_bomb, dangerous_xml, corrupt_zip...),
    ``variant`` and ``fields`` which message of the catalogue of findings tells the unit."""

    def __init__(self, kind: FindingKind | str, variant: str = "", **fields: object) -> None:
        self.kind = FindingKind(kind)
        self.variant, self.fields = variant, fields
        super().__init__(self.kind.message(variant, **fields))


class CappedReader:
    """A file-like over a zip member that refuses to inflate more than ``limit`` bytes."""

    def __init__(self, stream: IO[bytes], limit: int, member: str) -> None:
        self.stream, self.limit, self.member, self.count = stream, limit, member, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(CHUNK if size is None or size < 0 else min(size, CHUNK))
        self.count += len(data)
        if self.count > self.limit:
            raise _bomb(self.member, self.count)
        return data


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
    count = zip_entry_count(data)
    if count is not None and count > MAX_ZIP_ENTRIES:
        raise WorkbookError(FindingKind.TOO_MANY_ENTRIES, "package", count=count)
    package: zipfile.ZipFile | None = None
    if members is None:
        try:
            package = archive or zipfile.ZipFile(BytesIO(data))
            members = {info.filename: info for info in package.infolist()}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise WorkbookError(FindingKind.CORRUPT_ZIP, corrupt_variant) from exc
    total = 0
    for name, info in members.items():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_DECLARED or (info.file_size > RATIO_CHECK_FROM and ratio > MAX_RATIO):
            raise _bomb(name, info.file_size)
    if total > MAX_TOTAL_DECLARED:
        raise _bomb("(toàn bộ tệp)", total)
    return package, members


def parse_xml(data: bytes) -> Element:
    """Parse one XML part safely.

    Entity declarations (billion laughs, external entities) can only appear inside a document type
    declaration. A part with a DOCTYPE, or one not plainly UTF-8/ASCII (where that could not be
    checked on the bytes), goes through defusedxml, which refuses entities. Every other part cannot
    declare an entity and is parsed by the C parser that defusedxml wraps, several times faster
    than defusedxml's pure-Python tree builder; thousands of files are read per merge.
    """
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if body[:1] != b"<" or b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        return SafeET.fromstring(data)
    return _fast_xml(body)


def corrupt_xml(part: str) -> WorkbookError:
    return WorkbookError(FindingKind.CORRUPT_XML, part=part)


def dangerous_xml(part: str) -> WorkbookError:
    return WorkbookError(FindingKind.DANGEROUS_XML, part=part)
