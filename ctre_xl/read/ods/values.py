"""ODF cell values, addresses and formulas in the form ``xlsx.XlsxWorkbook`` gives them.

The .ods reader (``ods.py``) turns what LibreOffice writes into what the rest of the package already
understands from xlsx: numbers as float, dates and times as 1900-system serials, errors flagged,
references and formulas in Excel syntax ("of:=SUM([.D1];[.D2])" -> "SUM(D1,D2)").
"""

from __future__ import annotations

import re
from datetime import datetime

from ctre_xl.read.xlsx.workbook import Cell

OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_SHEET = r"\$?(?:'((?:[^']|'')*)'|([^'.\[\]:;!]+))"
_ADDRESS = re.compile(rf"^(?:{_SHEET})?\.(\$?[A-Za-z]{{1,3}}\$?\d{{1,7}}|\$?[A-Za-z]{{1,3}}|\$?\d{{1,7}})$")
_STRING_LITERAL = re.compile(r'("(?:[^"]|"")*")')
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
_DURATION = re.compile(r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_EPOCH = datetime(1899, 12, 30)  # serial 0 of Excel's 1900 date system (as xlsx gives dates)


def excel_reference(address: str, default_sheet: str | None = None) -> str | None:
    """An ODF address or range ("$'Số liệu'.$D$12", ".D11:.D12") in Excel form ("'Số liệu'!$D$12",
    "D11:D12"); None when it is not one (e.g. "#REF!")."""
    parts = []
    for index, piece in enumerate(address.strip().split(":")):
        match = _ADDRESS.match(piece)
        if not match:
            return None
        sheet = match[1].replace("''", "'") if match[1] is not None else match[2]
        if index == 0 and sheet is None:
            sheet = default_sheet
        parts.append((f"'{sheet.replace(chr(39), chr(39) * 2)}'!" if sheet and index == 0 else "") + match[3])
    return ":".join(parts)


def excel_formula(formula: str | None) -> str | None:
    """An ODF formula ("of:=SUM([.D1];[.D2])") as Excel shows it, without "=" ("SUM(D1,D2)")."""
    if formula is None:
        return None
    body = formula.split(":", 1)[1] if re.match(r"^[a-z]+:", formula) else formula
    body = body[1:] if body.startswith("=") else body
    pieces = _STRING_LITERAL.split(body)
    for index in range(0, len(pieces), 2):  # even pieces are outside string literals
        pieces[index] = _BRACKETS.sub(lambda m: excel_reference(m[1]) or m[1], pieces[index]).replace(";", ",")
    return "".join(pieces)


def _serial(attrs: dict[str, str]) -> float | str | None:
    """office:date-value ("2026-11-05" or with a time) as an Excel serial; the text if unreadable."""
    text = attrs.get(OFFICE + "date-value", "")
    try:
        moment = datetime.fromisoformat(text.rstrip("Z")[:26])
    except ValueError:
        return text or None
    delta = moment.replace(tzinfo=None) - _EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6


def _day_fraction(text: str) -> float | str | None:
    """office:time-value ("PT12H30M00S") as a fraction of a day, as Excel stores a time."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT", "-P"):
        return text or None
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups()[1:])
    value = days + hours / 24 + minutes / 1440 + seconds / 86400
    return -value if match[1] else value


def cell_from_odf(attrs: dict[str, str], text: str | None) -> Cell:
    """A Cell as the xlsx reader would give it, from a table:table-cell's attributes and its text."""
    formula = excel_formula(attrs.get(TABLE + "formula"))
    kind = attrs.get(OFFICE + "value-type")
    string = attrs.get(OFFICE + "string-value")
    if attrs.get(_CALCEXT + "value-type") == "error":  # LibreOffice writes errors as text "#DIV/0!"
        return Cell(text or string or "#VALUE!", formula, error=True)
    if kind in ("float", "percentage", "currency"):
        raw = attrs.get(OFFICE + "value", "")
        try:
            return Cell(float(raw), formula)
        except ValueError:
            return Cell(raw or text, formula)
    if kind == "date":
        return Cell(_serial(attrs), formula)
    if kind == "time":
        return Cell(_day_fraction(attrs.get(OFFICE + "time-value", "")), formula)
    if kind == "boolean":
        return Cell(attrs.get(OFFICE + "boolean-value", "").strip().lower() in ("true", "1"), formula)
    if kind == "string":
        return Cell(string if string is not None else (text or ""), formula)
    return Cell(text or None, formula)  # no value type: empty (or text from a careless producer)
