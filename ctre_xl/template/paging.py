"""Page breaks of a template's input sheet: a heading never printed apart from its input rows.

Neither Excel nor LibreOffice can keep rows together, so the breaks are set by hand from the row
heights the writer chose: each metric block (its row and its figures), with the objective or
group heading above it, starts a new page when it would not fit in what is left of the page.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ctre_xl.style import TEMPLATE_PAGE
from ctre_xl.template.layout import INPUT_HEADER_ROW, TemplateLayout

A4_LANDSCAPE = (11.69, 8.27)  # inches
POINTS_PER_PIXEL = 0.75
CHAR_PIXELS = 8
# What the estimate may be off by (fonts, LibreOffice's and Excel's own rounding): a page is
# filled to this share of its computed height, no further.
SAFETY = 0.9
HEADINGS = ("objective", "group", "free_text_title")


def page_height_points(widths: tuple[int, ...]) -> float:
    """The height of a printed page, in the sheet's own points before fitting it to the width."""
    left, right, top, bottom = TEMPLATE_PAGE.margins or (0.7, 0.7, 0.75, 0.75)
    paper_width, paper_height = A4_LANDSCAPE if TEMPLATE_PAGE.landscape else A4_LANDSCAPE[::-1]
    printable_width = (paper_width - left - right) * 72
    # A column's width in pixels, as LibreOffice and Excel draw it with the house font (Times New
    # Roman 12: about 8 pixels a character; measured on LibreOffice renders).
    sheet_width = sum(int(w * CHAR_PIXELS + 0.5) + 5 for w in widths) * POINTS_PER_PIXEL
    scale = min(1.0, printable_width / sheet_width)  # fit to one page wide
    return (paper_height - top - bottom) * 72 / scale


def blocks(layout: TemplateLayout) -> list[tuple[int, int]]:
    """(first, last) rows that must be printed on one page: a metric with its figures, a figure of
    no metric, a free-text box; each with the headings right above it."""
    found: list[list[int]] = []
    heading: int | None = None
    for row in layout.rows:
        if row.kind in HEADINGS:
            heading = row.index if heading is None else heading
            continue
        if row.kind in ("metric", "free_text") or row.metric is None or not found:
            found.append([row.index if heading is None else heading, row.index])
            heading = None
        else:
            found[-1][1] = row.index
    return [(first, last) for first, last in found]


def set_page_breaks(sheet: Worksheet, layout: TemplateLayout, widths: tuple[int, ...]) -> list[int]:
    """Break before each block that would not fit on the current page; returns the break rows
    (0-based: the break is above that row)."""
    sizes = sheet.row_sizes  # XlsxWriter's record of set_row, in pixels
    default = sheet.default_row_height

    def height(first: int, last: int) -> float:
        return sum(sizes[r][0] if r in sizes else default for r in range(first, last + 1)) * POINTS_PER_PIXEL

    page = page_height_points(widths) * SAFETY
    repeated = height(INPUT_HEADER_ROW, INPUT_HEADER_ROW)  # the column headers print on every page
    used, after = 0.0, 0  # height used on this page; the first row not yet counted
    breaks: list[int] = []
    for first, last in blocks(layout):
        used += height(after, first - 1)  # a spacer row between blocks stays on the page it ends
        size = height(first, last)
        if used + size > page and used > repeated:
            breaks.append(first)
            used = repeated
        used += size
        after = last + 1
    if breaks:
        sheet.set_h_pagebreaks(breaks)
    return breaks
