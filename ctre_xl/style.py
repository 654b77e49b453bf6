"""The house style of every workbook ctre-xl writes: font, colours, number formats, A4 print set-up.

The templates, the leadership summary, the findings list (kiem-tra) and don-vi.xlsx all take their
look from here, so a colour or a margin is changed once. Base level: it knows XlsxWriter's
vocabulary (format properties, header/footer codes) but nothing of the plan.

Number formats use Excel's neutral syntax (``#,##0``, ``0.00``): Excel and LibreOffice show them
with the reader's locale separators (1.234,56 on a Vietnamese machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the merge imports this module (via plan) and never writes
    from xlsxwriter.worksheet import Worksheet

# ----------------------------------------------------------------------------- font

FONT = "Times New Roman"
TEMPLATE_SIZE = 12  # a unit's template: read on screen and typed into
REPORT_SIZE = 11  # the summary, the findings list, don-vi.xlsx: dense tables


def font(size: int = REPORT_SIZE) -> dict[str, Any]:
    """Format properties of the house font (a new dict: XlsxWriter adds keys to what it is given)."""
    return {"font_name": FONT, "font_size": size}


def unthemed_font(size: int) -> dict[str, Any]:
    """The house font as a workbook's default format, outside the theme's font scheme.

    A default font tagged with the theme's "minor" scheme shows as the theme font (Calibri) in
    Excel, whatever its name says.
    """
    return {**font(size), "font_scheme": "none", "font_family": 1}


# ----------------------------------------------------------------------------- colours

HEADER_FILL = "#DDEBF7"  # column headers, on every sheet
BAND_FILL = "#F2F2F2"  # totals bands; in templates, cells the unit cannot type into
INPUT_FILL = "#FFF2CC"  # pale yellow: "type here" (the templates' front sheet says so)
OBJECTIVE_FILL = "#BDD7EE"
GROUP_FILL = "#E2EFDA"
BORDER_COLOUR = "#808080"  # templates' thin cell borders
MUTED = "#595959"  # secondary text (codes, references, "xã tổng hợp"), chart borders
ALERT_FONT = "#C00000"  # "BẢN MẪU" and the deadline

# Status colours (fill, font): the same meaning in every workbook.
GREEN = ("#C6EFCE", "#006100")  # met, on time
RED = ("#FFC7CE", "#9C0006")  # not met, error, missing
AMBER = ("#FFEB9C", "#9C5700")  # warning, late
GREY = ("#EDEDED", "#404040")  # no data, not applicable
# Bars of the summary's chart (solid fills read better than the pale status fills).
CHART_GREEN, CHART_RED, CHART_AMBER = "#63BE7B", "#F8696B", "#FFC000"
CHART_GREY, CHART_BLUE = "#BFBFBF", "#9DC3E6"  # no data; not yet due, baseline


def status_colours(colours: tuple[str, str], bold: bool = False) -> dict[str, Any]:
    """Format properties of a status colour pair: fill and font colour, bold if asked (no font
    name, so a conditional format keeps the cell's own font)."""
    fill, font_colour = colours
    return {"bg_color": fill, "font_color": font_colour, **({"bold": True} if bold else {})}


# ----------------------------------------------------------------------------- number formats

COUNT = "#,##0"
MONEY = "#,##0"
FRACTIONAL_COUNT = "#,##0.00"  # a count target may be fractional (98 % of last year's cases)
RATE = "0.00"
RATE_PER_100000 = "#,##0.0"
SHARE = "0.0%"
DATE = "dd/mm/yyyy"
TEXT = "@"
FIGURE = "#,##0.##########"  # a figure as typed: thousands, and its decimals if any
# Yes/no figures are stored as 1/0 so that formulas can still compare them with the target.
YES_NO = '[=1]"Có";[=0]"Không";0.00'
SCHOOL_YES_NO = '[=0]"Không";"Có"'


def quoted(text: str) -> str:
    """A literal inside an Excel number format ("" for no text)."""
    return '"' + text.replace('"', "") + '"' if text else ""


# ----------------------------------------------------------------------------- printing

PAGE_NUMBER = "&P/&N"  # header/footer codes: this page / pages
PAGE_OF = "Trang " + PAGE_NUMBER
_A4 = 9  # XlsxWriter's paper code


@dataclass(frozen=True)
class Page:
    """How a kind of sheet prints: always A4 and one page wide."""

    margins: tuple[float, float, float, float] | None  # inches: left, right, top, bottom; None: Excel's
    centred: bool = True  # centred horizontally on the paper
    landscape: bool = True


TEMPLATE_PAGE = Page(margins=(0.5, 0.5, 0.75, 0.6))
REPORT_PAGE = Page(margins=(0.4, 0.4, 0.75, 0.7))  # the summary's sheets and the findings list


def print_a4(sheet: Worksheet, page: Page, *, pages_high: int = 0, repeat_rows: tuple[int, int] | None = None,
             header: str | None = None, footer: str | None = None) -> None:
    """A4, one page wide (``pages_high`` 0: as many pages down as needed), with ``page``'s
    orientation and margins, repeated title rows and the header/footer given (``page_text``)."""
    sheet.set_paper(_A4)
    if page.landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, pages_high)
    if page.margins is not None:
        left, right, top, bottom = page.margins
        sheet.set_margins(left=left, right=right, top=top, bottom=bottom)
    if page.centred:
        sheet.center_horizontally()
    if repeat_rows is not None:
        sheet.repeat_rows(*repeat_rows)
    if header is not None:
        sheet.set_header(header)
    if footer is not None:
        sheet.set_footer(footer)


def font_code(size: int | None = None, style: str | None = "Regular", *, size_first: bool = False) -> str:
    """The header/footer code that sets the house font: ``&"Times New Roman,Bold"&11``.

    ``style`` None names the font alone. ``size_first`` puts the size before the name, which is
    safe whatever text follows ("&11" directly followed by text starting with a digit would read
    as a bigger size); the summary keeps the name first, as it always wrote it.
    """
    name = f'&"{FONT},{style}"' if style else f'&"{FONT}"'
    if size is None:
        return name
    return f"&{size}{name}" if size_first else f"{name}&{size}"


def page_text(text: str) -> str:
    """``text`` as a literal in a header or footer (``&`` is a code there)."""
    return text.replace("&", "&&")
