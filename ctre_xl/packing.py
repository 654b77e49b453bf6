"""How a workbook's parts go into its zip: deflated quickly, rows deflated elsewhere spliced in as they are.

``QuickZip`` is the ``ZipFile`` XlsxWriter packs every workbook with (``book.SafeBook``), deflating
at ``DEFLATE_LEVEL``.

The summary's long lists ("Tiến độ nộp", "Dữ liệu": tens of megabytes of XML at scale) have their
rows made on the other core (``output/summary/side_rows.py``), already deflated: each sheet's rows
are a *segment* (``deflated_text``), a raw deflate stream that ends on a byte boundary without
ending the stream (``Z_SYNC_FLUSH``), with the CRC-32 and length of its text in a header. Such a
sheet's part is then one zip member made of three deflate streams, one after the other: this
process's deflate of the part's bytes before the rows (ended by ``Z_FULL_FLUSH``), the segment's
bytes as they are, and a fresh deflate of the rest of the part (ended by ``Z_FINISH``). No stream
refers back into the one before it, so together they are one valid stream: the rows are neither
copied as text, nor read, nor deflated again by this process. The member's CRC-32 is the three
CRCs combined (``crc32_combine``, zlib's algorithm: Python's zlib does not offer it).

``zipfile`` has no door for data already deflated: its member writer is fed the deflated bytes
through a compressor that passes them on, and its CRC and size are set after (``_write_deflated``,
the one place that touches its private attributes; where they are missing the segment is inflated
and written as any other part). Zip64, timestamps and the central directory stay ``zipfile``'s.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator, TextIO

# zlib's level for the package's parts. Its default (6) spends about three times level 1's time
# for a file a quarter smaller: the summary at 2,600 units is 3.5 MB instead of 2.6 MB, deflated
# in a third of the time. Excel, LibreOffice and WPS read every level alike.
DEFLATE_LEVEL = 1
CHUNK = 1 << 20  # bytes read, deflated or copied at a time
_HEADER = struct.Struct("<4sIQ")  # a segment file's start: its mark, the CRC-32 and length of its text
_MARK = b"ctrZ"


class QuickZip(zipfile.ZipFile):
    """The ``ZipFile`` XlsxWriter packs a workbook with, deflating at ``DEFLATE_LEVEL``; a part
    named by ``splices`` (a function called once its parts are written: {part's name: Splice}) is
    written with its rows spliced in (``write_spliced``)."""

    def __init__(self, *args: Any, splices: Callable[[], dict[str, Splice]] = dict, **kwargs: Any) -> None:
        super().__init__(*args, **{"compresslevel": DEFLATE_LEVEL, **kwargs})
        self._spliced: Callable[[], dict[str, Splice]] = splices
        self._splices: dict[str, Splice] | None = None

    def _splice(self, name: str) -> Splice | None:
        if self._splices is None:
            self._splices = dict(self._spliced())
        return self._splices.pop(name, None)

    def write(self, filename: Any, arcname: Any = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        splice = self._splice(arcname) if arcname is not None else None
        if splice is None:
            return super().write(filename, arcname, compress_type, compresslevel)
        if splice.part != filename:
            raise RuntimeError(f"{arcname}: its rows were recorded for another part")
        info = zipfile.ZipInfo.from_file(filename, arcname)  # as ``ZipFile.write`` makes it
        info.compress_type = self.compression
        with open(filename, "rb") as part:
            write_spliced(self, info, part, splice)

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        info = zinfo_or_arcname if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else None
        splice = self._splice(zinfo_or_arcname if info is None else info.filename)
        if splice is not None:  # XlsxWriter's in-memory parts come with their ZipInfo
            if info is None or not isinstance(data, bytes):
                raise RuntimeError(f"{zinfo_or_arcname}: rows are spliced into a part given as bytes with its ZipInfo")
            write_spliced(self, info, io.BytesIO(data), splice)
            return
        # A ZipInfo (XlsxWriter's in-memory parts) would otherwise bring zlib's default level.
        super().writestr(zinfo_or_arcname, data, compress_type,
                         self.compresslevel if compresslevel is None else compresslevel)

    def check_spliced(self) -> None:
        """Raise unless every part given rows to splice was written with them."""
        if self._splices if self._splices is not None else self._spliced():
            raise RuntimeError("rows made elsewhere were not written into their sheet's part")


def spliced_parts(sheets: Iterable[Any], parts: Iterable[tuple[Any, str, bool]]) -> dict[str, Splice]:
    """The rows to splice of each of ``sheets`` (its ``splice``, when it has one) by the name of its
    part in the package; ``parts``: XlsxWriter's packager's (file or buffer, name, binary) of each."""
    names = {part: name for part, name, _binary in parts}
    splices = {}
    for sheet in sheets:
        if getattr(sheet, "splice", None) is not None:
            if sheet.splice.part not in names:
                raise RuntimeError(f"{sheet.name}: its part is not in the package")
            splices[names[sheet.splice.part]] = sheet.splice
    return splices


def copy_bytes(source: BinaryIO, target: BinaryIO, size: int) -> None:
    """The next ``size`` bytes of ``source`` to ``target``."""
    while size > 0:
        chunk = source.read(min(size, CHUNK))
        if not chunk:
            raise RuntimeError("fewer bytes than recorded")
        target.write(chunk)
        size -= len(chunk)


# ----------------------------------------------------------------------------- segments


@dataclass(frozen=True)
class Segment:
    """Rows' text deflated (``deflated_text``): in ``path`` after its header, ``deflated`` bytes
    that inflate to ``size`` bytes of UTF-8 whose CRC-32 is ``crc``."""

    path: Path
    crc: int
    size: int
    deflated: int

    def chunks(self) -> Iterator[bytes]:
        """The deflated bytes, as they are, a chunk at a time."""
        with open(self.path, "rb") as source:
            source.seek(_HEADER.size)
            while chunk := source.read(CHUNK):
                yield chunk


@dataclass(frozen=True)
class Splice:
    """A ``segment`` that goes ``at`` that many bytes into the part written to ``part`` (its file's
    name, or the buffer XlsxWriter packs from memory)."""

    part: Any
    at: int
    segment: Segment


class _Deflated:
    """Bytes deflated as they come (raw deflate at ``DEFLATE_LEVEL``), their CRC-32 and length
    counted: a segment's rows, and each stretch of a spliced part."""

    def __init__(self) -> None:
        self.compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
        self.crc = self.size = 0

    def compress(self, data: Any) -> bytes:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)  # bytes, or a view of bytes
        return self.compressor.compress(data)

    def deflate(self, source: BinaryIO, size: int | None, end: int) -> Iterator[bytes]:
        """``size`` bytes of ``source`` (all that is left when None), deflated, ended by ``end``."""
        while size is None or self.size < size:
            chunk = source.read(CHUNK if size is None else min(CHUNK, size - self.size))
            if not chunk:
                break
            yield self.compress(chunk)
        yield self.compressor.flush(end)


class _Deflating(io.RawIOBase):
    """The bytes below a text stream: deflated to ``out`` as they come (``deflated``)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.deflated = _Deflated()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.out.write(self.deflated.compress(data))
        return len(data)


@contextmanager
def deflated_text(path: Path) -> Iterator[TextIO]:
    """A text stream whose UTF-8 goes to ``path`` as a segment (``read_segment`` reads it back):
    encoded, buffered and deflated in C, row after row, never held whole."""
    with open(path, "wb") as out:
        out.write(bytes(_HEADER.size))  # filled in once the text is done
        below = _Deflating(out)
        text = io.TextIOWrapper(io.BufferedWriter(below, CHUNK), encoding="utf-8", newline="")
        try:
            yield text
            text.flush()
            deflated = below.deflated
            out.write(deflated.compressor.flush(zlib.Z_SYNC_FLUSH))  # byte-aligned, the stream not ended
            out.seek(0)
            out.write(_HEADER.pack(_MARK, deflated.crc, deflated.size))
        finally:
            text.close()  # after a failure: what was left goes to a file nobody reads


def read_segment(path: Path) -> Segment:
    """The segment ``deflated_text`` wrote to ``path``."""
    with open(path, "rb") as source:
        mark, crc, size = _HEADER.unpack(source.read(_HEADER.size))
        deflated = source.seek(0, io.SEEK_END) - _HEADER.size
    if mark != _MARK:
        raise RuntimeError(f"{path.name}: not rows deflated here")
    return Segment(path, crc, size, deflated)


# ----------------------------------------------------------------------------- CRC-32 combined

_POLYNOMIAL = 0xEDB88320  # CRC-32's, bit-reversed: x^0 is the top bit


def _multiply(a: int, b: int) -> int:
    """a·b modulo the CRC-32 polynomial (zlib's ``multmodp``)."""
    product, bit = 0, 1 << 31
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ _POLYNOMIAL if b & 1 else b >> 1
    return product


_POWERS = [1 << 30]  # x^(2^k) modulo the polynomial, k = 0, 1, … 31 (x^1 first)
for _ in range(31):
    _POWERS.append(_multiply(_POWERS[-1], _POWERS[-1]))


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B from A's (``crc1``), B's (``crc2``) and B's length: A's CRC multiplied by
    x^(8·length2), by repeated squaring (zlib's ``crc32_combine``), plus B's."""
    power, k = 1 << 31, 3  # x^0; x^(2^3) is a byte's shift
    while length2:
        if length2 & 1:
            power = _multiply(_POWERS[k & 31], power)
        length2 >>= 1
        k += 1
    return _multiply(power, crc1) ^ crc2


# ----------------------------------------------------------------------------- a spliced member


def write_spliced(archive: zipfile.ZipFile, info: zipfile.ZipInfo, part: BinaryIO, splice: Splice) -> None:
    """The member ``info`` of ``archive``: the part read from ``part`` with ``splice``'s segment
    inserted ``splice.at`` bytes in, as one deflate stream (see the module's docstring)."""
    segment, head, tail = splice.segment, _Deflated(), _Deflated()
    length = part.seek(0, io.SEEK_END)
    part.seek(0)
    if not 0 <= splice.at <= length:
        raise RuntimeError(f"{info.filename}: rows spliced past the end of the part")
    info.file_size = length + segment.size  # what ``ZipFile.open`` decides Zip64 on, as for any part

    def pieces() -> Iterator[bytes]:
        yield from head.deflate(part, splice.at, zlib.Z_FULL_FLUSH)  # nothing after refers back into it
        yield from segment.chunks()
        yield from tail.deflate(part, None, zlib.Z_FINISH)

    def whole() -> tuple[int, int]:
        crc = crc32_combine(crc32_combine(head.crc, segment.crc, segment.size), tail.crc, tail.size)
        return crc, head.size + segment.size + tail.size

    with archive.open(info, "w") as member:
        _write_deflated(member, pieces(), whole)


class _AsGiven:
    """A compressor for ``zipfile``'s member writer that passes on bytes already deflated."""

    def compress(self, data: Any) -> bytes:
        return bytes(data)

    def flush(self) -> bytes:
        return b""


def _write_deflated(member: Any, pieces: Iterable[bytes], whole: Callable[[], tuple[int, int]]) -> bool:
    """Write deflated ``pieces`` as ``member``'s data (a ``ZipFile.open(..., "w")``), its CRC-32 and
    size then ``whole()``'s; False when they were inflated and written as plain data instead.

    ``zipfile._ZipWriteFile`` deflates what it is written with its ``_compressor`` and counts
    ``_crc`` and ``_file_size`` over it (CPython 3.11 to 3.13 alike): the compressor is replaced by
    one that passes the bytes on, and the two counts are set at the end. Should a later CPython
    name them otherwise, the member is written inflated (slower, the same content), and
    tests/test_spliced_rows.py fails loudly."""
    if not all(hasattr(member, name) for name in ("_compressor", "_crc", "_file_size")) or not member._compressor:
        inflater = zlib.decompressobj(-15)
        for piece in pieces:
            member.write(inflater.decompress(piece))
        member.write(inflater.flush())
        return False
    member._compressor = _AsGiven()
    for piece in pieces:
        member.write(piece)
    member._crc, member._file_size = whole()
    return True
