"""The building blocks of the formal report's .docx (python-docx): the page of Decree 30/2020, the
house font, paragraphs whose unknown parts are yellow placeholders, borderless and ruled tables.

A placeholder (``Blank``) is what the tool cannot know — the number, the day, the signer's name, the
causes — highlighted in yellow, so the official sees at once what is left to write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table

from ctre_xl.style import FONT
from ctre_xl.text import clean_text

BODY_SIZE = 14  # Decree 30: 13–14 pt for the body
TABLE_SIZE = 13  # the annex's table
# Decree 30: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
A4_MM = (210, 297)
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT


@dataclass(frozen=True)
class Blank:
    """A part of a sentence the official must write: shown "[…]" (or its hint) in yellow."""

    hint: str = "…"

    @property
    def text(self) -> str:
        return f"[{self.hint}]"


Part = str | Blank


def set_up(document: DocxDocument) -> None:
    """Times New Roman at body size, A4 portrait and Decree 30's margins on the first section."""
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.space_before = Pt(0)
    page(document.sections[0], landscape=False)


def page(section: Any, landscape: bool) -> None:
    """A4 in the given orientation with Decree 30's margins (the left margin stays the binding side)."""
    width, height = A4_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(height), Mm(width)) if landscape else (Mm(width), Mm(height))
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])


def write(paragraph: Any, parts: Sequence[Part], *, bold: bool = False, italic: bool = False,
          size: float | None = None, underline: bool = False) -> Any:
    """Add ``parts`` to ``paragraph`` as runs; a ``Blank`` highlighted yellow. Returns the paragraph."""
    for part in parts:
        run = paragraph.add_run(clean_text(part.text if isinstance(part, Blank) else part))
        run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
        if size is not None:
            run.font.size = Pt(size)
        if isinstance(part, Blank):
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return paragraph


def para(container: Any, *parts: Part, align: Any = JUSTIFY, indent: bool = True, bold: bool = False,
         italic: bool = False, size: float | None = None, underline: bool = False, after: float | None = None) -> Any:
    """A new paragraph in ``container`` (the document or a table cell): justified with a first-line
    indent by default, as the body of an administrative document."""
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    return write(paragraph, parts, bold=bold, italic=italic, size=size, underline=underline)


def cell_para(cell: Any, *parts: Part, align: Any = CENTER, first: bool = True, **style: Any) -> Any:
    """Text in a table cell: its first (empty) paragraph, or a new one."""
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    return write(paragraph, parts, **style)


def plain_table(document: DocxDocument, columns_mm: Sequence[float]) -> Table:
    """A one-row table without borders (letterhead, Nơi nhận and signature), columns of given widths."""
    table = document.add_table(rows=1, cols=len(columns_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths(table, columns_mm)
    return table


def ruled_table(document: DocxDocument, headers: Sequence[str], columns_mm: Sequence[float]) -> Table:
    """A table with a thin grid and a bold header row repeated on every page."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, header in zip(table.rows[0].cells, headers):
        cell_para(cell, header, bold=True, size=TABLE_SIZE)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)  # python-docx has no API for it
    widths(table, columns_mm)
    return table


def widths(table: Table, columns_mm: Sequence[float]) -> None:
    """Fix the column widths (Word reads the cells' widths, LibreOffice the grid's)."""
    for column, width in zip(table.columns, columns_mm):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def add_row(table: Table, values: Sequence[Part], columns_mm: Sequence[float], *, bold: bool = False,
            left: Sequence[int] = (1,)) -> None:
    """One row of a ruled table; the columns in ``left`` aligned left, the others centred."""
    cells = table.add_row().cells
    for index, (cell, value) in enumerate(zip(cells, values)):
        cell.width = Mm(columns_mm[index])
        cell_para(cell, value, align=LEFT if index in left else CENTER, bold=bold, size=TABLE_SIZE)
