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
from typing import IO, Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from ctre_xl.read.package import (CHUNK, CORRUPT_PACKAGE, MAX_DEPTH, MAX_ELEMENTS, MAX_INFLATED, SMALL_PART, XmlLimit,
                                  CappedReader, WorkbookError,
                                  corrupt_xml, dangerous_xml, open_member, open_package, parse_xml,
                                  require_utf8)
from ctre_xl.read.sniff import ZIP_ERRORS, ZipMember, inflate_member


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
            except ZIP_ERRORS as exc:
                raise WorkbookError("corrupt_zip", CORRUPT_PACKAGE) from exc
        return self._package

    def _open(self, name: str, limit: int = MAX_INFLATED) -> CappedReader:
        return open_member(self._zip, name, limit, name)

    def _read_part(self, name: str, limit: int = MAX_INFLATED) -> bytes:
        """The inflated bytes of a small part (capped like every read, at ``limit`` bytes)."""
        info = self._members[name]
        direct = inflate_member(self._data, info) if info.file_size <= min(SMALL_PART, limit) else None
        if direct is not None:
            require_utf8(direct, name)  # the scanner's fast paths read these bytes too
            return direct
        reader = self._open(name, limit)
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
            return parse_xml(data, name)
        except DefusedXmlException as exc:
            raise dangerous_xml(name) from exc
        except (ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise corrupt_xml(name, exc) from exc

    def _stream(self, name: str, source: IO[bytes] | None = None) -> Iterator[Element]:
        """Yield each element of a part as it is completed, through defusedxml (``source``: its
        bytes when already read). Memory stays flat whatever the part holds: deeper than
        ``MAX_DEPTH`` levels or more than ``MAX_ELEMENTS`` elements is refused, and each record (an
        element directly under the root or under sheetData: a row, a shared string) is detached
        once the caller has had it."""
        depth = count = 0  # a template's rows are read long before MAX_ELEMENTS (reading stops below them)
        stack: list[Element] = []
        try:
            for event, element in SafeET.iterparse(source or self._open(name), events=("start", "end")):
                if event == "start":
                    depth += 1
                    count += 1
                    if depth > MAX_DEPTH or count > MAX_ELEMENTS:
                        raise XmlLimit(f"depth {depth}, {count} elements")
                    stack.append(element)
                    continue
                depth -= 1
                stack.pop()
                yield element
                if depth == 1 or (depth == 2 and stack[-1].tag.endswith("}sheetData")):
                    stack[-1].remove(element)  # the caller is done with it: keep no record behind
        except DefusedXmlException as exc:
            raise dangerous_xml(name) from exc
        except (ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise corrupt_xml(name, exc) from exc

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
