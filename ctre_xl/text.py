"""How numbers and dates read in Vietnamese, in every message, workbook and console line.

Base level (imports nothing from the package): the template writer, the reader's messages, the
merge's findings, the outputs and the demo all format through these, so "1.234,5" and
"05/11/2026" look the same everywhere; ``clean_text`` makes any text writable (no lone surrogate).
"""

from __future__ import annotations

from datetime import date


def format_number(value: float) -> str:
    """Vietnamese number style: decimal comma, thousands dot (1.234,5)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    return whole.replace(",", ".") + ("," + fraction if fraction else "")


def format_date(day: date) -> str:
    """A date as written in Vietnam: day/month/year with two-digit day and month (05/11/2026)."""
    return f"{day:%d/%m/%Y}"


def clean_text(text: str) -> str:
    """``text`` safe to write anywhere (UTF-8 workbooks, the console, JSON): a pair of surrogates
    (Excel's escaped "_xD83D__xDE00_") becomes its character, a lone surrogate (a half pair, or a
    byte of a file name that is not UTF-8, kept by Python as U+DC80–U+DCFF) becomes U+FFFD."""
    if text.isascii():  # no surrogate possible: the common case
        return text
    try:
        text.encode("utf-8")  # refuses any surrogate; at C speed (max(text) took 12 times as long)
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


EXCEL_CELL_CHARS = 32_767  # UTF-16 units one Excel cell holds (XlsxWriter cuts longer text silently)
CUT_MARKER = "… (đã cắt bớt, xem tệp gốc)"


def excel_length(text: str) -> int:
    """``text``'s length as Excel counts it (UTF-16 units: an emoji counts two)."""
    if text.isascii() or len(text) <= EXCEL_CELL_CHARS // 2:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def fit_cell(text: str) -> str:
    """``text`` as one Excel cell can hold it: cut with a visible marker, never silently."""
    if excel_length(text) <= EXCEL_CELL_CHARS:
        return text
    units = text.encode("utf-16-le", "surrogatepass")[:(EXCEL_CELL_CHARS - len(CUT_MARKER)) * 2]
    return units.decode("utf-16-le", "ignore") + CUT_MARKER  # "ignore": a pair cut in half is dropped
