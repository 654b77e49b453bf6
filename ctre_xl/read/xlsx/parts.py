"""The parts of an .xlsx package, inflated and parsed on demand: the loading half of ``XlsxWorkbook``.

Workbooks come from outside, so every XML part goes through defusedxml (entity declarations are
refused), every zip member's declared size and compression ratio are checked before inflating
(``package.open_package``), the bytes actually inflated are capped while streaming, and nothing is
ever sized by what a part claims. Small members are inflated straight from the package bytes
(``sniff.inflate_member``); ``zipfile`` is opened only for unusual packages or streamed parts.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from ctre_xl.read.package import (CHUNK, CORRUPT_PACKAGE, MAX_INFLATED, SMALL_PART, CappedReader, WorkbookError,
                                  corrupt_xml, dangerous_xml, open_package, parse_xml)
from ctre_xl.read.sniff import ZipMember, inflate_member


class XlsxParts:
    """An .xlsx/.xlsm package held in memory; each part is read, capped and parsed when asked for."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile | None, members: dict[str, ZipMember] | None) -> None:
        """``archive`` or ``members``: the same bytes already opened or their directory already read."""
        self._data = data
        self._package, self._members = open_package(data, archive, CORRUPT_PACKAGE, members)

    @property
    def has_macros(self) -> bool:
        return any(name.lower().startswith("xl/vbaproject") for name in self._members)

    @property
    def _zip(self) -> zipfile.ZipFile:
        """The package opened by ``zipfile``: only when a part is streamed or cannot be inflated
        directly (the directory is then read a second time, by ``zipfile``'s own rules)."""
        if self._package is None:
            try:
                self._package = zipfile.ZipFile(BytesIO(self._data))
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
                raise WorkbookError("corrupt_zip", CORRUPT_PACKAGE) from exc
        return self._package

    def _open(self, name: str) -> CappedReader:
        try:
            return CappedReader(self._zip.open(self._zip.getinfo(name)), MAX_INFLATED, name)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, KeyError) as exc:
            raise corrupt_xml(name) from exc

    def _read_part(self, name: str) -> bytes:
        """The inflated bytes of a small part (capped like every read)."""
        info = self._members[name]
        direct = inflate_member(self._data, info) if info.file_size <= SMALL_PART else None
        if direct is not None:
            return direct
        reader = self._open(name)
        try:
            chunks = []
            while chunk := reader.read(CHUNK):
                chunks.append(chunk)
            return b"".join(chunks)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise corrupt_xml(name) from exc

    def _parse_whole(self, name: str, data: bytes | None = None) -> Element:
        """Parse a small part in one go (see ``parse_xml`` for how it is kept safe)."""
        if data is None:
            data = self._read_part(name)
        try:
            return parse_xml(data)
        except DefusedXmlException as exc:
            raise dangerous_xml(name) from exc
        except (ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise corrupt_xml(name) from exc

    def _stream(self, name: str) -> Iterator[Element]:
        """Yield each element of a part as it is completed, through defusedxml."""
        try:
            for _event, element in SafeET.iterparse(self._open(name), events=("end",)):
                yield element
        except DefusedXmlException as exc:
            raise dangerous_xml(name) from exc
        except (ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise corrupt_xml(name) from exc

    def _elements(self, name: str, data: bytes | None = None) -> Iterator[Element]:
        """The children of the root (and, for a sheet, the rows of sheetData) of a part: parsed
        whole when small (``data``: its bytes, if already read), streamed when large (then every
        element comes, innermost first)."""
        if data is None and self._members[name].file_size > SMALL_PART:
            yield from self._stream(name)
            return
        for child in self._parse_whole(name, data):
            if child.tag.endswith("}sheetData"):
                yield from child
            else:
                yield child

    def close(self) -> None:
        if self._package is not None:
            self._package.close()


def normalise_part(path: str) -> str:
    """A relationship target as a zip member name: "worksheets/../x.xml" -> "x.xml"."""
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)
