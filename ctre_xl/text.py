"""How numbers and dates read in Vietnamese, in every message, workbook and console line.

Base level (imports nothing from the package): the template writer, the reader's messages, the
merge's findings, the outputs and the demo all format through these, so "1.234,5" and
"05/11/2026" look the same everywhere.
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
