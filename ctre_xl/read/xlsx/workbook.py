"""A small, safe and fast reader for the parts of an .xlsx that a returned template needs.

openpyxl builds the whole workbook (styles, every cell, validations) and takes tens of
milliseconds per file; a merge of thousands of templates needs only a few dozen cells of each.
This module opens the package with ``zipfile`` and parses only: ``xl/workbook.xml`` (sheets, their
state, defined names, the date system), ``xl/_rels/workbook.xml.rels`` (sheet -> part),
``docProps/custom.xml`` (custom properties), ``docProps/core.xml`` (the last-saved time), the
wanted sheets (streamed row by row and left as soon as the last wanted row is passed) and
``xl/sharedStrings.xml`` (up to the highest index used).

Workbooks come from outside: the parts are loaded safely by ``parts.XlsxParts`` (defusedxml, sizes
and ratios checked, inflating capped), and nothing is ever sized by what a part claims (a sheet's
``<dimension>`` is reported, never used to allocate).

Speed: the central directory is read in one pass (``sniff.zip_directory``, shared with sniffing;
``zipfile`` only for unusual packages or streamed parts), small members are inflated straight from
the package bytes (``sniff.inflate_member``), the parsed workbook.xml + relationships are kept per
template shape (keyed by their stored bytes and CRC, see ``_structure_key``), and sheets and
shared strings go through the regular-expression scanner of ``scan`` wherever it provably
reads what the XML parser reads (DTD-free UTF-8 parts in the plain form); a sheet whose markup was
learned from earlier returns is read from its texts alone (``sheet_markup``); anything else is
parsed here, by the reference path below. Value decoding is shared in ``cells``.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Iterable

from ctre_xl.cellref import a1, col_index, parse_a1
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.read.package import MiB, SMALL_PART, WorkbookError, last_row_read
from ctre_xl.read.values import parse_saved_time
from ctre_xl.read.sniff import ZipMember, packed_member, zip_directory
from ctre_xl.read.xlsx.cells import (T_C, T_DIM, T_ROW, _NO_STRINGS, Cell, PickedStrings, _has_content, _raw_cell,
                                     _rich_text, _Strings, _cell, Damage, cells_of, pick_strings, settle_copies,
                                     shared_index)
from ctre_xl.read.xlsx.parts import XlsxParts, normalise_part
from ctre_xl.read.xlsx.direct import read_direct
from ctre_xl.read.xlsx.scan import RawCell, Unsupported, scan_sheet, sheet_region
from ctre_xl.read.xlsx.sheet_markup import SHEETS
from ctre_xl.read.xlsx.skeleton import custom_properties, saved_time_text
from ctre_xl.read.xlsx.strings import SharedStrings

_NS_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
           "http://purl.oclc.org/ooxml/officeDocument/relationships")


_NAME_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Za-z]{1,3}\$?\d{1,7})(?::\$?[A-Za-z]{1,3}\$?\d{1,7})?$")
_LETTERS = [chr(65 + i) for i in range(26)]
_COLUMNS = {name: index for index, name in enumerate(_LETTERS + [a + b for a in _LETTERS for b in _LETTERS])}
_COLUMNS_BYTES = {name.encode(): index for name, index in _COLUMNS.items()}


@dataclass(frozen=True)
class SheetInfo:
    name: str
    state: str  # visible / hidden / veryHidden
    part: str  # zip member name


MAX_SHARED_STRINGS_BYTES = 16 * MiB  # a template's table is tens of KB; a pasted list a few MB
MAX_SHARED_STRINGS = 300_000  # items (each costs memory even when empty: counted before they are built)


@dataclass
class SheetCells:
    """What was read from one sheet."""

    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row, col), 0-based
    dimension: str | None = None  # the sheet's own claim, e.g. "A1:XFD1048576" (never trusted)
    content_below: int | None = None  # 0-based row of the first non-empty row past max_row
    damage: list[Damage] = field(default_factory=list)  # what could not be read as written
    copies: dict[tuple[int, int], list[RawCell]] = field(default_factory=dict)  # a wanted cell written twice


def _sheet_index(text: str | None) -> int | None:
    """A ``localSheetId`` as a sheet index; None when absent or not a plain number."""
    return int(text) if text and text.isascii() and text.isdigit() and len(text) < 6 else None


def parse_name_ref(text: str) -> tuple[str, int, int] | None:
    """A defined name's formula "'Số liệu'!$D$6" -> ("Số liệu", 5, 3); None if broken (#REF!)."""
    match = _NAME_REF.match(text.strip().lstrip("="))
    if not match:
        return None
    sheet = match[1].replace("''", "'") if match[1] is not None else match[2]
    cell = parse_a1(match[3])
    return (sheet, *cell) if cell else None


def pick_sheet(sheets: list[SheetInfo], name: str) -> SheetInfo | None:
    """The sheet called ``name``: the visible one when a crafted workbook has several (a hidden
    decoy first must never be read instead of the sheet the unit sees)."""
    found = [s for s in sheets if s.name == name]
    return next((s for s in found if s.state == "visible"), found[0] if found else None)


@dataclass(frozen=True)
class _Structure:
    """The parsed workbook.xml + relationships of one template shape (see ``_structure_key``)."""

    sheets: tuple[SheetInfo, ...]
    defined_names: dict[str, tuple[str, int | None]]
    date1904: bool
    targets: dict[str, tuple[str, int, int] | None]  # name_target's answers, filled as asked
    damage: tuple[Damage, ...] = ()


MAX_STRUCTURES = 64  # template shapes remembered per process (a commune has a handful)
STRUCTURE_KEY_BYTES = 64 * 1024  # larger stored parts are parsed every time, never kept as keys
_STRUCTURES: dict[tuple[object, ...], _Structure] = {}


class XlsxWorkbook(XlsxParts):
    """An opened .xlsx/.xlsm held in memory; parts are parsed lazily, on demand."""

    # Sheets and shared strings go through the scanner of ``scan`` where it provably reads
    # what the XML parser reads; False forces the parser everywhere (the reference, for tests).
    use_scanner = True

    def __init__(self, data: bytes, archive: zipfile.ZipFile | None = None,
                 members: dict[str, ZipMember] | None = None) -> None:
        """``archive`` or ``members``: the same bytes already opened or their directory already read
        (by sniff), to avoid reading the directory twice."""
        if archive is None and members is None:
            members = zip_directory(data)
        super().__init__(data, archive, members)
        self.sheets: list[SheetInfo] = []
        self.defined_names: dict[str, tuple[str, int | None]] = {}  # lower-case name -> (formula, local sheet)
        self.date1904 = False
        self._shared: _Strings | None = None
        self._read_workbook()

    # -- workbook structure ------------------------------------------------------------------

    def _read_workbook(self) -> None:
        if "xl/workbook.xml" not in self._members:
            raise WorkbookError("corrupt_zip", "no_workbook")
        key = self._structure_key()
        structure = _STRUCTURES.get(key) if key is not None else None
        if structure is None:
            structure = self._parse_structure()
            if key is not None:
                if len(_STRUCTURES) >= MAX_STRUCTURES:
                    _STRUCTURES.clear()
                _STRUCTURES[key] = structure
        # Workbooks read from the same structure share this object (None: not remembered);
        # readers may key their own per-shape work on it.
        self.structure: object | None = structure if key is not None else None
        self.sheets = list(structure.sheets)
        self.defined_names = dict(structure.defined_names)
        self.date1904 = structure.date1904
        self.damage: list[Damage] = list(structure.damage)  # what workbook.xml says that could not be read
        self._targets = structure.targets

    def _structure_key(self) -> tuple[object, ...] | None:
        """What identifies the workbook structure without inflating it: the stored bytes of
        workbook.xml and of its relationships, with their CRC and sizes (a merge reads thousands
        of files of a handful of template shapes; these two parts are identical within a shape).
        The same stored bytes always inflate to the same part, so the parse made of the first
        holds for all; the first one was inflated, CRC-checked and parsed in full. None: not cacheable."""
        key: list[object] = []
        for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            info = self._members.get(name)
            if info is None:
                key.append(None)
                continue
            packed = packed_member(self._data, info) if info.compress_size <= STRUCTURE_KEY_BYTES else None
            if packed is None:
                return None
            key.append((packed, info.CRC, info.file_size, info.compress_type))
        return tuple(key)

    def _parse_structure(self) -> _Structure:
        """Sheets, defined names and date system from workbook.xml and its relationships."""
        root = self._parse_whole("xl/workbook.xml")
        targets: dict[str, str] = {}
        if "xl/_rels/workbook.xml.rels" in self._members:
            for rel in self._parse_whole("xl/_rels/workbook.xml.rels"):
                target = rel.get("Target", "")
                targets[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
        sheets: list[SheetInfo] = []
        names: dict[str, tuple[str, int | None]] = {}
        damage: list[Damage] = []
        date1904 = False
        for element in root.iter():
            local = element.tag.rpartition("}")[2]
            if local == "sheet":
                rid = next((element.get(f"{{{ns}}}id") for ns in _NS_REL if element.get(f"{{{ns}}}id")), "")
                sheets.append(SheetInfo(element.get("name", ""), element.get("state", "visible"),
                                        normalise_part(targets.get(rid, ""))))
            elif local == "definedName" and element.get("name"):
                local_id = element.get("localSheetId")
                key = element.get("name", "").lower()
                scope = _sheet_index(local_id)
                if local_id is not None and scope is None:  # kept as a local name of no known sheet
                    scope = -1
                    damage.append(Damage(FindingKind.DAMAGED_CONTENT, "", None,
                                         (("name", element.get("name", "")), ("found", local_id[:40]))))
                if local_id is None or key not in names:  # workbook scope wins
                    names[key] = (element.text or "", scope)
            elif local == "workbookPr":
                date1904 = element.get("date1904", "0").lower() in ("1", "true")
        return _Structure(tuple(sheets), names, date1904, {}, tuple(damage))

    def sheet(self, name: str) -> SheetInfo | None:
        return pick_sheet(self.sheets, name)

    def name_target(self, name: str) -> tuple[str, int, int] | None:
        """Where a defined name points: (sheet, row, col), or None if absent or broken."""
        key = name.lower()
        if key in self._targets:
            return self._targets[key]
        found = self.defined_names.get(key)
        target = parse_name_ref(found[0]) if found else None
        self._targets[key] = target  # shared by every workbook of this structure (same names)
        return target

    def _member_named(self, name: str) -> str:
        """The zip member ``name`` as stored (its case may differ), "" when absent."""
        if name in self._members:
            return name
        return next((n for n in self._members if n.lower() == name.lower()), "")

    def custom_properties(self) -> dict[str, str]:
        """docProps/custom.xml as name -> text value ({} when the workbook has none)."""
        name = self._member_named("docProps/custom.xml")
        if not name:
            return {}
        return custom_properties(self._read_part(name), lambda data: self._parse_whole(name, data), self.use_scanner)

    def saved_at(self) -> datetime | None:
        """When the file was last saved, as the package records it (docProps/core.xml
        ``dcterms:modified``: Excel, LibreOffice and WPS write it on every save). None when absent;
        a damaged core.xml only loses this evidence (a dangerous one is refused like any part)."""
        name = self._member_named("docProps/core.xml")
        if not name:
            return None
        try:
            text = saved_time_text(self._read_part(name), lambda data: self._parse_whole(name, data),
                                   self.use_scanner)
        except WorkbookError as exc:
            if exc.kind == FindingKind.CORRUPT_XML:
                return None
            raise
        return parse_saved_time(text)

    # -- cells -------------------------------------------------------------------------------

    def read_cells(self, sheet: str, cells: Iterable[tuple[int, int]] = (), columns: Iterable[int] = (),
                   max_row: int | None = None, scan_to: int | None = None) -> SheetCells:
        """Read the wanted cells of ``sheet``: each of ``cells``, and every cell of ``columns`` up to
        ``max_row`` (0-based, inclusive). Reading stops at the first row past every wanted row and
        past ``scan_to``; the first row with content after that is reported (``content_below``)."""
        info = self.sheet(sheet)
        if info is None or info.part not in self._members:
            raise WorkbookError("missing_sheet", sheet_name=sheet)
        wanted = cells if isinstance(cells, frozenset) else frozenset(cells)
        wanted_columns = frozenset(columns)
        last = last_row_read(wanted, wanted_columns, max_row, scan_to)
        result = SheetCells()
        data = self._read_part(info.part) if self._members[info.part].file_size <= SMALL_PART else None
        raw: dict[tuple[int, int], RawCell] | None = None
        if data is not None and self.use_scanner:
            try:
                raw, result.dimension, result.content_below = _scan(data, wanted, wanted_columns, max_row, last)
            except Unsupported:
                raw = None
        if raw is None:
            raw = self._parse_rows(info.part, data, result, wanted, wanted_columns, max_row, last)
        indices = {key: shared_index(v) for key, (t, v, _, _) in raw.items() if t == "s" and v is not None}
        needed = {index for index in indices.values() if index is not None}
        shared = self._shared_strings(needed) if needed else _NO_STRINGS
        try:
            result.cells = cells_of(raw, indices, shared)
        except Unsupported:  # a shared string the scanner cannot decode: the parser reads the table
            self._shared = None
            shared = self._shared_strings(needed, scanner=False)
            result.cells = cells_of(raw, indices, shared)
        for (row, col), index in indices.items():
            if index is None or index >= len(shared):  # read as empty
                result.damage.append(Damage(FindingKind.DAMAGED_CONTENT, "shared_string", a1(row, col),
                                            (("found", (raw[row, col][1] or "")[:40]),)))
        for key, copies in result.copies.items():
            result.cells[key], found = settle_copies(a1(*key), [_cell(*copy, shared) for copy in copies])
            result.damage.append(found)
        return result

    def _parse_rows(self, part: str, data: bytes | None, result: SheetCells, wanted: frozenset[tuple[int, int]],
                    wanted_columns: frozenset[int], max_row: int | None, last: int) -> dict[tuple[int, int], RawCell]:
        """The reference reading of a sheet's wanted cells, through the XML parser."""
        raw: dict[tuple[int, int], RawCell] = {}
        row_number = -1
        for element in self._elements(part, data):
            tag = element.tag
            if tag in T_DIM:
                result.dimension = element.get("ref")
                continue
            if tag not in T_ROW:
                continue
            declared = element.get("r")
            if declared is not None and not (declared.isascii() and declared.isdigit() and 0 < len(declared) < 8):
                result.damage.append(Damage(FindingKind.DAMAGED_CONTENT, "row_number", None,
                                            (("found", declared[:40]), ("row", str(row_number + 2)))))
                declared = None  # read by position, as a row without a number is
            row_number = int(declared) - 1 if declared else row_number + 1
            if row_number > last:
                if any(_has_content(c) for c in element if c.tag in T_C):
                    result.content_below = row_number
                    break
                element.clear()
                continue
            column = -1
            for c in element:
                if c.tag not in T_C:
                    continue
                ref = c.get("r")
                if ref:  # "D7": the letters are enough, the row is known
                    letters = ref.rstrip("0123456789")
                    found = _COLUMNS.get(letters)
                    column = found if found is not None else (
                        col_index(letters) if letters.isascii() and letters.isalpha() else column + 1)
                else:
                    column += 1
                key = (row_number, column)
                if key in wanted or (column in wanted_columns and (max_row is None or row_number <= max_row)):
                    if key in raw:  # the same cell written twice: settled once every copy is known
                        result.copies.setdefault(key, [raw[key]]).append(_raw_cell(c))
                    raw[key] = _raw_cell(c)
            element.clear()
        return raw

    def _shared_strings(self, needed: set[int], scanner: bool = True) -> _Strings:
        """The shared strings table, as far as the ``needed`` indices (read once where possible).

        Capped before anything is built: its stored size (``MAX_SHARED_STRINGS_BYTES``, also while
        inflating) and its number of items (``MAX_SHARED_STRINGS``, counted on the bytes). The
        scanner keeps the items' bytes and decodes only those asked for; the parser's fallback
        streams the table and keeps only the ``needed`` texts."""
        if self._shared is not None and (isinstance(self._shared, SharedStrings) or self._shared.covers(needed)):
            return self._shared
        name = "xl/sharedStrings.xml"
        if name not in self._members:
            return _NO_STRINGS
        if self._members[name].file_size > MAX_SHARED_STRINGS_BYTES:
            raise _too_large(name, f"{self._members[name].file_size // MiB} MB")
        data = self._read_part(name, MAX_SHARED_STRINGS_BYTES)
        if data.count(b"<si") > MAX_SHARED_STRINGS:  # an upper bound of the items, found without building any
            raise _too_large(name, f"hơn {MAX_SHARED_STRINGS:,} chuỗi văn bản".replace(",", "."))
        if self.use_scanner and scanner:
            try:
                self._shared = SharedStrings(data, _rich_text)
                return self._shared
            except Unsupported:
                pass
        if isinstance(self._shared, PickedStrings):
            needed = needed | set(self._shared.texts)
        try:
            self._shared = pick_strings(self._stream(name, BytesIO(data)), needed, MAX_SHARED_STRINGS)
        except Unsupported as exc:
            raise _too_large(name, f"hơn {MAX_SHARED_STRINGS:,} chuỗi văn bản".replace(",", ".")) from exc
        return self._shared


def _scan(data: bytes, wanted: frozenset[tuple[int, int]], wanted_columns: frozenset[int], max_row: int | None,
          last: int) -> tuple[dict[tuple[int, int], RawCell], str | None, int | None]:
    """``scan.scan_sheet``'s answer: from the texts of a part whose markup was learned
    (``sheet_markup``), else straight from the wanted cells where the sheet is plain and no whole
    column is wanted (``direct``), else cell by cell. Raises Unsupported for the parser."""
    if not wanted_columns:
        known = SHEETS.read(data, wanted, last, _raw_cell)  # a markup met before: its texts alone
        if known is not None:
            return known
    region, namespace, dimension = sheet_region(data)
    found = read_direct(region, wanted, last, namespace, _raw_cell) if not wanted_columns else None
    if found is not None:
        SHEETS.met(data, namespace, dimension)
        return found[0], dimension, found[1]
    raw, content_below = scan_sheet(region, namespace, wanted, wanted_columns, max_row, last, _COLUMNS_BYTES, _raw_cell)
    return raw, dimension, content_below


def _too_large(part: str, size: str) -> WorkbookError:
    return WorkbookError(FindingKind.TOO_LARGE, "part", part=part, size=size)
