"""Turning parsed SpreadsheetML cells into values: shared by the XML-parser path of ``xlsx`` and
the scanner of ``xlsx_scan`` (which falls back to these for the cells it does not decode itself)."""

from __future__ import annotations

import re
from typing import Iterable, NamedTuple
from xml.etree.ElementTree import Element

from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.read.values import shown
from ctre_xl.read.xlsx.scan import RawCell, Unsupported, decoded_memo
from ctre_xl.read.xlsx.strings import SharedStrings
from ctre_xl.text import clean_text

_NS_MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "http://purl.oclc.org/ooxml/spreadsheetml/main")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _tags(local: str) -> frozenset[str]:
    return frozenset(f"{{{ns}}}{local}" for ns in _NS_MAIN)


T_ROW, T_C, T_V, T_F, T_IS, T_T, T_R, T_SI, T_DIM = (
    _tags(n) for n in ("row", "c", "v", "f", "is", "t", "r", "si", "dimension"))


class Cell(NamedTuple):
    """A cell as stored: value (text, number, bool, error text or None) and its formula if any."""

    value: str | float | bool | None
    formula: str | None = None  # "" for a shared formula's dependent cell (no text of its own)
    error: bool = False  # value is an error such as "#DIV/0!"


def _unescape(text: str) -> str:
    # "_xD83D__xDE00_" is one character in two halves; a half alone becomes U+FFFD (clean_text)
    return clean_text(_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)) if "_x" in text else text


def _has_content(c: Element) -> bool:
    return any(child.tag in T_V or child.tag in T_IS or child.tag in T_F for child in c)


def _raw_cell(c: Element) -> RawCell:
    """(type, <v> text, formula text or None, inline string or None) of a <c> element."""
    value = formula = inline = None
    for child in c:
        tag = child.tag
        if tag in T_V:
            value = child.text
        elif tag in T_F:
            formula = child.text or ""
        elif tag in T_IS:
            inline = _rich_text(child)
    return c.get("t", "n"), value, formula, inline


def _rich_text(element: Element) -> str:
    """Text of an <si>/<is>: a plain <t>, or the <t> of each rich-text run (phonetic runs skipped)."""
    parts = []
    for child in element:
        if child.tag in T_T:
            parts.append(child.text or "")
        elif child.tag in T_R:
            parts.extend(t.text or "" for t in child if t.tag in T_T)
    return _unescape("".join(parts))


class PickedStrings:
    """The shared strings some cells use, picked while the XML parser streamed the table (the
    scanner's interface, ``SharedStrings``): only the wanted items are kept, whatever the table's size."""

    def __init__(self, texts: dict[int, str], count: int, complete: bool) -> None:
        self.texts, self.count, self.complete = texts, count, complete

    def __len__(self) -> int:
        return self.count  # items seen: every wanted index below it was picked

    def text(self, index: int) -> str:
        return self.texts[index]

    def covers(self, indices: set[int]) -> bool:
        return self.complete or all(i in self.texts for i in indices)


_Strings = SharedStrings | PickedStrings
_NO_STRINGS = PickedStrings({}, 0, True)


class Damage(NamedTuple):
    """Something in a part that could not be read as written, and what was done instead: the
    reader goes on with the rest (a ``damaged_content`` finding names it)."""

    kind: FindingKind
    variant: str
    cell: str | None  # "D7", when it is about one cell
    fields: tuple[tuple[str, str], ...]


def settle_copies(ref: str, copies: list[Cell]) -> tuple[Cell, Damage]:
    """A wanted cell written more than once in its sheet (no spreadsheet program does; a generated or
    hand-edited file can). Copies that agree give their value, with a warning; copies that differ
    give none, with an error: which one the unit meant cannot be known, and Excel and LibreOffice
    do not agree on which copy they show."""
    fields = (("count", str(len(copies))),
              ("found", " / ".join(f"“{'' if c.value is None else shown(c.value)}”" for c in copies)[:200]))
    if all(copy == copies[0] for copy in copies):
        return copies[0], Damage(FindingKind.DAMAGED_CONTENT, "duplicate", ref, fields)
    return Cell(None), Damage(FindingKind.DAMAGED_CONTENT, "duplicate_differ", ref, fields)


def pick_strings(elements: Iterable[Element], needed: set[int], limit: int) -> PickedStrings:
    """The ``needed`` items of a shared-strings table streamed by the XML parser (``elements``:
    every element, innermost first), stopping after the last one needed; more than ``limit``
    items is refused like an oversized table (they could only be counted here, as they came)."""
    texts: dict[int, str] = {}
    count, last = 0, max(needed, default=-1)
    for element in elements:
        if element.tag in T_SI:
            if count in needed:
                texts[count] = _rich_text(element)
            count += 1
            if count > limit:
                raise Unsupported("too many shared strings")
            if count > last:
                return PickedStrings(texts, count, complete=False)
    return PickedStrings(texts, count, complete=True)


def shared_index(value: str | None) -> int | None:
    """A shared-string reference as an index; None when it is not one (Unicode digits such as
    "²" pass ``isdigit`` but are no index Excel writes)."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _cell(kind: str, value: str | None, formula: str | None, inline: str | None, shared: _Strings) -> Cell:
    if kind == "inlineStr":
        return Cell(inline if inline is not None else value, formula)
    if value is None:
        return Cell(None, formula)
    if kind == "s":
        index = shared_index(value)
        return Cell(shared.text(index) if index is not None and index < len(shared) else None, formula)
    if kind == "b":
        return Cell(value.strip() in ("1", "true"), formula)
    if kind == "e":
        return Cell(value, formula, error=True)
    if kind in ("str", "d"):
        return Cell(_unescape(value), formula)
    try:
        return Cell(float(value), formula)
    except ValueError:
        return Cell(value, formula)


def cells_of(raw: dict[tuple[int, int], RawCell], indices: dict[tuple[int, int], int | None],
             shared: _Strings) -> dict[tuple[int, int], Cell]:
    """``_cell`` of every raw cell; ``indices``: the shared-string index of each "s" cell with a
    value (``shared_index``, worked out once by the caller, which also needs it). Every other cell
    is a pure function of its raw form, remembered like the scanner's decoded cells."""
    count = len(shared)
    cells: dict[tuple[int, int], Cell] = {}
    for key, raw_cell in raw.items():
        kind, value, formula, inline = raw_cell
        if kind == "s" and value is not None:
            index = indices[key]
            cells[key] = Cell(shared.text(index) if index is not None and index < count else None, formula)
            continue
        cell = _CELLS.get(raw_cell)
        if cell is None:
            cell = _cell(kind, value, formula, inline, shared)
            if cell.value == cell.value:  # not NaN: one NaN shared by two cells would compare equal
                _CELLS.keep(raw_cell, cell, sum(len(part) for part in raw_cell if part))
        cells[key] = cell
    return cells


_CELLS = decoded_memo()  # a raw cell (not a shared string's) -> its Cell
