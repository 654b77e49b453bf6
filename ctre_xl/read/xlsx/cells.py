"""Turning parsed SpreadsheetML cells into values: shared by the XML-parser path of ``xlsx`` and
the scanner of ``xlsx_scan`` (which falls back to these for the cells it does not decode itself)."""

from __future__ import annotations

import re
from typing import NamedTuple
from xml.etree.ElementTree import Element

from ctre_xl.read.xlsx.scan import RawCell, SharedStrings

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
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text


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


class _ParsedStrings:
    """Shared strings parsed by the XML parser, with the scanner's interface (``SharedStrings``)."""

    def __init__(self, items: list[Element]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def text(self, index: int) -> str:
        return _rich_text(self._items[index])


_Strings = SharedStrings | _ParsedStrings
_NO_STRINGS = _ParsedStrings([])


def _cell(kind: str, value: str | None, formula: str | None, inline: str | None, shared: _Strings) -> Cell:
    if kind == "inlineStr":
        return Cell(inline if inline is not None else value, formula)
    if value is None:
        return Cell(None, formula)
    if kind == "s":
        index = int(value) if value.strip().isdigit() else -1
        return Cell(shared.text(index) if 0 <= index < len(shared) else None, formula)
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
