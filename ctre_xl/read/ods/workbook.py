"""Reading a returned template that LibreOffice saved as OpenDocument (.ods).

``OdsWorkbook`` has the surface of ``xlsx.XlsxWorkbook`` and gives what it would give: numbers as
float, dates as 1900-system serials, formulas in Excel syntax without "=" ("of:=[.D11]/[.D12]*100"
-> "D11/D12*100"), names as Excel references ("$'Số liệu'.$D$12" -> "'Số liệu'!$D$12").

All sheets live in content.xml with the named ranges after the last one: the constructor streams it
once for the structure, ``read_cells`` again up to the last wanted row. Input is hostile: zip limits
as for xlsx (entries, declared sizes, ratio, bytes inflated), expat feeds a target without building
a tree (flat memory), a part not starting with a plain UTF-8 prolog goes through defusedxml
(entities refused), and repeat counts (LibreOffice ends every sheet with ~1M repeated rows) only
advance counters.
"""

from __future__ import annotations

import re
import zipfile
from bisect import bisect_left, bisect_right
from datetime import datetime
from typing import Iterable
from xml.etree.ElementTree import Element, ParseError, XMLParser

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.read.ods.values import OFFICE, TABLE, cell_from_odf, excel_formula, excel_reference
from ctre_xl.read.sniff import ODS_MIMETYPE, ZIP_ERRORS
from ctre_xl.read.xlsx.workbook import SheetCells, SheetInfo, parse_name_ref, pick_sheet
from ctre_xl.read.package import (CHUNK, MAX_INFLATED, CappedReader, WorkbookError, corrupt_xml, dangerous_xml,
                                  last_row_read, open_member, open_package, parse_xml)
from ctre_xl.read.values import parse_saved_time

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
_MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"
_DC = "{http://purl.org/dc/elements/1.1/}"

T_TABLE, T_ROW, T_CELL, T_COVERED = (TABLE + n for n in ("table", "table-row", "table-cell", "covered-table-cell"))
T_NAMED_RANGE, T_NAMED_EXPRESSION = TABLE + "named-range", TABLE + "named-expression"
T_P, T_S, T_TAB, T_BREAK = (_TEXT + n for n in ("p", "s", "tab", "line-break"))
T_STYLE, T_TABLE_PROPS = _STYLE + "style", _STYLE + "table-properties"
_ROW_PARENTS = frozenset({T_TABLE} | {TABLE + n for n in ("table-row-group", "table-header-rows", "table-rows")})
_SKIPPED_IN_TEXT = frozenset({_TEXT + "note", _TEXT + "ruby-text", OFFICE + "annotation"})
CONTENT = "content.xml"
MAX_SPACES = 1024  # one text:s may claim any count; no honest cell holds more
MAX_CELL_TEXT = 1024 * 1024  # characters kept per cell (Excel allows 32,767): a hostile cell is cut

# The prolog of a part that cannot declare an entity: optional BOM and UTF-8 XML declaration, then
# the root element. Anything else (a DOCTYPE, a comment, another encoding) goes to defusedxml.
_PLAIN_PROLOG = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml\s[^<>?]*\?>)?\s*<[A-Za-z_]")
_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml\s[^<>?]*encoding\s*=\s*[\"']([^\"']*)")


def _repeat(attrs: dict[str, str], name: str) -> int:
    """A repeat count as declared (>= 1). Only ever added to counters, never used to allocate."""
    text = attrs.get(name, "")
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 12 and int(text) > 0 else 1


class _Done(Exception):
    """Raised by a target once it has all it needs: parsing stops at once, mid-chunk."""


class _Target:
    """Expat callbacks shared by both passes: the element stack and sheet/row/column counters."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.table = -1  # index of the current sheet
        self.table_level = 0  # stack depth of the open sheet (0: outside any sheet)
        self.cell_level = 0  # stack depth of the open cell (0: outside); what a cell holds is not rows
        self.row = 0  # 0-based index of the current row group's first row
        self.rows = 1  # its number-rows-repeated
        self.col = 0  # 0-based index of the next cell's first column

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(tag)
        if tag == T_TABLE and not self.table_level:
            self.table_level, self.table, self.row = len(self.stack), self.table + 1, 0
            self.table_start(attrs)
        elif self.table_level and not self.cell_level and tag == T_ROW and parent in _ROW_PARENTS:
            self.rows, self.col = _repeat(attrs, TABLE + "number-rows-repeated"), 0
            self.row_start()
        elif self.table_level and not self.cell_level and (tag == T_CELL or tag == T_COVERED) and parent == T_ROW:
            self.cell_level = len(self.stack)
            self.cell_start(attrs, _repeat(attrs, TABLE + "number-columns-repeated"))
        else:
            self.other_start(tag, attrs, parent)

    def end(self, tag: str) -> None:
        level = len(self.stack)
        self.stack.pop()
        if level == self.table_level:
            self.table_level = 0
            self.table_end()
        elif level == self.cell_level:
            self.cell_level = 0
            self.cell_end()
        elif tag == T_ROW and self.table_level and not self.cell_level and self.stack[-1] in _ROW_PARENTS:
            self.row_end()
            self.row += self.rows
        else:
            self.other_end(tag)

    def table_start(self, attrs: dict[str, str]) -> None: ...
    def table_end(self) -> None: ...
    def row_start(self) -> None: ...
    def row_end(self) -> None: ...
    def cell_start(self, attrs: dict[str, str], columns: int) -> None: self.col += columns
    def cell_end(self) -> None: ...
    def other_start(self, tag: str, attrs: dict[str, str], parent: str) -> None: ...
    def other_end(self, tag: str) -> None: ...


class _Structure(_Target):
    """First pass: sheet names and visibility (from the table styles) and the named ranges."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden_styles: set[str] = set()
        self.style: str | None = None
        self.sheets: list[tuple[str, str]] = []  # (name, style)
        self.names: dict[str, tuple[str, int | None]] = {}

    def table_start(self, attrs: dict[str, str]) -> None:
        self.sheets.append((attrs.get(TABLE + "name", ""), attrs.get(TABLE + "style-name", "")))

    def other_start(self, tag: str, attrs: dict[str, str], parent: str) -> None:
        if tag == T_STYLE:
            self.style = attrs.get(_STYLE + "name") if attrs.get(_STYLE + "family") == "table" else None
        elif tag == T_TABLE_PROPS and parent == T_STYLE and self.style is not None:
            if attrs.get(TABLE + "display", "true").strip().lower() == "false":
                self.hidden_styles.add(self.style)
        elif tag in (T_NAMED_RANGE, T_NAMED_EXPRESSION) and attrs.get(TABLE + "name"):
            local = self.table if self.table_level else None
            base = excel_reference(attrs.get(TABLE + "base-cell-address", ""))
            base_sheet = parse_name_ref(base)[0] if base and parse_name_ref(base) else None
            address = attrs.get(TABLE + "cell-range-address") or attrs.get(TABLE + "base-cell-address", "")
            formula = (excel_reference(address, base_sheet) or address if tag == T_NAMED_RANGE
                       else excel_formula(attrs.get(TABLE + "expression", "")) or "")
            key = attrs[TABLE + "name"].lower()
            if local is None or key not in self.names:  # workbook scope wins, as in xlsx
                self.names[key] = (formula, local)


class _Cells(_Target):
    """Second pass: the wanted cells of one sheet, and the first non-empty row below them."""

    def __init__(self, sheet: int, cells: set[tuple[int, int]], columns: frozenset[int], column_rows: int,
                 last: int) -> None:
        super().__init__()
        self.sheet, self.columns, self.column_rows, self.last = sheet, columns, column_rows, last
        self.by_row: dict[int, set[int]] = {}
        for row, col in cells:
            self.by_row.setdefault(row, set()).add(col)
        self.wanted_rows = sorted(self.by_row)
        self.result = SheetCells()
        self.active = False  # inside the wanted sheet
        self.row_rows: list[int] = []  # wanted rows (by cell) of the current row group
        self.row_columns: frozenset[int] = frozenset()  # every column wanted somewhere in it
        self.row_content = False
        self.collect: tuple[dict[str, str], int] | None = None  # the cell being read: attrs, columns
        self.text: list[list[str]] | None = None  # paragraphs of that cell, as pieces of text
        self.size = 0  # characters of text kept for that cell
        self.skip_depth = 0  # > 0 inside an annotation or note (its text is not the cell's)

    def table_start(self, attrs: dict[str, str]) -> None:
        self.active = self.table == self.sheet

    def table_end(self) -> None:
        if self.active:
            raise _Done

    def row_start(self) -> None:
        if not self.active:
            return
        self.row_content = False
        first, final = self.row, self.row + self.rows - 1
        self.row_rows = self.wanted_rows[bisect_left(self.wanted_rows, first):bisect_right(self.wanted_rows, final)]
        columns = set().union(*(self.by_row[r] for r in self.row_rows)) if self.row_rows else set()
        if self.columns and first <= self.column_rows:
            columns |= self.columns
        self.row_columns = frozenset(columns)

    def row_end(self) -> None:
        if not self.active:
            return
        if self.row_content and self.row + self.rows - 1 > self.last:
            self.result.content_below = max(self.row, self.last + 1)
            raise _Done

    def cell_start(self, attrs: dict[str, str], columns: int) -> None:
        if self.active:
            if TABLE + "formula" in attrs or OFFICE + "value-type" in attrs:
                self.row_content = True
            if any(self.col <= c < self.col + columns for c in self.row_columns):
                self.collect, self.text, self.size = (attrs, columns), [], 0
                return  # the column advances when the cell ends
        self.col += columns

    def cell_end(self) -> None:
        if self.collect is None:
            return
        (attrs, columns), paragraphs = self.collect, self.text
        self.collect = self.text = None
        cell = cell_from_odf(attrs, "\n".join("".join(p) for p in paragraphs) if paragraphs else None)
        if cell.value is not None or cell.formula is not None:
            first, final = self.col, self.col + columns - 1
            for row in self.row_rows:
                for col in self.by_row[row]:
                    if first <= col <= final:
                        self.result.cells[(row, col)] = cell
            for row in range(self.row, min(self.row + self.rows - 1, self.column_rows) + 1):
                for col in self.columns:
                    if first <= col <= final:
                        self.result.cells[(row, col)] = cell
        self.col += columns

    def other_start(self, tag: str, attrs: dict[str, str], parent: str) -> None:
        if self.text is None:
            return
        if self.skip_depth or tag in _SKIPPED_IN_TEXT:
            self.skip_depth += 1
        elif tag == T_P and len(self.stack) == self.cell_level + 1:
            self.text.append([])
        elif self.text and T_P in self.stack:
            if tag == T_S:
                self.data(" " * min(_repeat(attrs, _TEXT + "c"), MAX_SPACES))
            elif tag in (T_TAB, T_BREAK):
                self.data("\t" if tag == T_TAB else "\n")

    def other_end(self, tag: str) -> None:
        if self.skip_depth:
            self.skip_depth -= 1

    def data(self, text: str) -> None:
        # Kept as written: LibreOffice writes runs of spaces literally (not as text:s) and reads
        # them back so, so ODF's white-space collapsing would change what the unit typed.
        if self.text and not self.skip_depth and self.size < MAX_CELL_TEXT and T_P in self.stack:
            self.text[-1].append(text)
            self.size += len(text)


class OdsWorkbook:
    """An opened .ods held in memory, with the public surface of ``xlsx.XlsxWorkbook``."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile | None = None) -> None:
        self._zip, self._members = open_package(data, archive, "ods")
        if self._read_small("mimetype", 200).strip() != ODS_MIMETYPE or CONTENT not in self._members:
            raise WorkbookError("corrupt_zip", "not_ods")
        self._check_encryption()
        self.date1904 = False  # ODF stores dates as ISO text; they are given as 1900-system serials
        structure = _Structure()
        self._feed(CONTENT, structure)
        self.sheets: list[SheetInfo] = [SheetInfo(name, "hidden" if style in structure.hidden_styles else "visible",
                                                  CONTENT) for name, style in structure.sheets]
        self.defined_names: dict[str, tuple[str, int | None]] = structure.names
        self._meta_root: Element | None = None

    # -- package safety --------------------------------------------------------------------

    def _check_encryption(self) -> None:
        """A password-protected .ods keeps its manifest readable and its parts encrypted."""
        manifest = "META-INF/manifest.xml"
        if manifest not in self._members:
            return
        root = self._parse_whole(manifest)
        if any(element.tag == _MANIFEST + "encryption-data" for element in root.iter()):
            raise WorkbookError("password_protected", "ods")

    @property
    def has_macros(self) -> bool:
        """LibreOffice Basic libraries live under Basic/, other macro languages under Scripts/."""
        return any(name.lower().startswith(("basic/", "scripts/")) for name in self._members)

    def _open(self, name: str) -> CappedReader:
        return open_member(self._zip, self._members[name], MAX_INFLATED, name)

    def _read_small(self, name: str, limit: int) -> bytes:
        if name not in self._members:
            return b""
        try:
            return self._open(name).stream.read(limit)
        except ZIP_ERRORS as exc:  # read past CappedReader: zlib's own error too
            raise corrupt_xml(name) from exc

    def _parse_whole(self, name: str) -> Element:
        reader = self._open(name)
        try:
            chunks = []
            while chunk := reader.read(CHUNK):
                chunks.append(chunk)
            return parse_xml(b"".join(chunks), name)
        except DefusedXmlException as exc:
            raise dangerous_xml(name) from exc
        except (ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise corrupt_xml(name) from exc

    def _feed(self, name: str, target: _Target) -> None:
        """Stream a part through ``target`` until it is done or the part ends.

        The C parser builds no tree here (the target receives events), so memory does not grow
        with the part. It is used only when the prolog proves the part declares no entity; any
        other part (a DOCTYPE, a comment before the root, another encoding) goes to defusedxml.
        """
        reader = self._open(name)
        try:
            chunk = reader.read(CHUNK)
            encoding = _ENCODING.match(chunk)
            plain = _PLAIN_PROLOG.match(chunk) and (not encoding or encoding[1].lower() in (b"utf-8", b"utf8"))
            parser = XMLParser(target=target) if plain else DefusedXMLParser(target=target)
            while chunk:
                parser.feed(chunk)
                chunk = reader.read(CHUNK)
            parser.close()
        except _Done:
            pass
        except DefusedXmlException as exc:
            raise dangerous_xml(name) from exc
        except (ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise corrupt_xml(name) from exc

    # -- workbook structure ------------------------------------------------------------------

    def sheet(self, name: str) -> SheetInfo | None:
        return pick_sheet(self.sheets, name)

    def name_target(self, name: str) -> tuple[str, int, int] | None:
        """Where a named range points: (sheet, row, col), 0-based, or None if absent or broken."""
        found = self.defined_names.get(name.lower())
        return parse_name_ref(found[0]) if found else None

    def _meta(self) -> Element | None:
        """meta.xml parsed once (properties and the saved time both live there); None if absent."""
        if self._meta_root is None and "meta.xml" in self._members:
            self._meta_root = self._parse_whole("meta.xml")
        return self._meta_root

    def custom_properties(self) -> dict[str, str]:
        """meta.xml's meta:user-defined properties as name -> text ({} when there are none)."""
        meta = self._meta()
        if meta is None:
            return {}
        found: dict[str, str] = {}
        for element in meta.iter(_META + "user-defined"):
            key = element.get(_META + "name")
            if key is None:
                continue
            text = element.text or ""
            if element.get(_META + "value-type") == "boolean":
                text = "1" if text.strip().lower() in ("1", "true") else "0"
            found[key] = text
        return found

    def saved_at(self) -> datetime | None:
        """When the file was last saved: meta.xml ``dc:date`` (LibreOffice writes it on every
        save). None when absent; a damaged meta.xml only loses this evidence."""
        try:
            meta = self._meta()
        except WorkbookError as exc:
            if exc.kind == FindingKind.CORRUPT_XML:
                return None
            raise
        found = next(meta.iter(_DC + "date"), None) if meta is not None else None
        return parse_saved_time(found.text if found is not None else None)

    # -- cells -------------------------------------------------------------------------------

    def read_cells(self, sheet: str, cells: Iterable[tuple[int, int]] = (), columns: Iterable[int] = (),
                   max_row: int | None = None, scan_to: int | None = None) -> SheetCells:
        """Read the wanted cells of ``sheet``: each of ``cells``, and every cell of ``columns`` up to
        ``max_row`` (0-based, inclusive). Reading stops at the first row past every wanted row and
        past ``scan_to``; the first row with content after that is reported (``content_below``).
        Empty cells are left out (as for xlsx, a missing key means an empty cell)."""
        picked = pick_sheet(self.sheets, sheet)
        index = next((i for i, s in enumerate(self.sheets) if s is picked), None)
        if index is None:
            raise WorkbookError("missing_sheet", sheet_name=sheet)
        wanted = set(cells)
        wanted_columns = frozenset(columns)
        last = last_row_read(wanted, wanted_columns, max_row, scan_to)
        target = _Cells(index, wanted, wanted_columns, last if max_row is None else max_row, last)
        self._feed(CONTENT, target)
        return target.result

    def close(self) -> None:
        self._zip.close()
