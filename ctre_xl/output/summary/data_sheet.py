"""The summary's "Dữ liệu" sheet: every figure of the merge, one row each, in an Excel table.

It is the longest sheet by far (a row per figure of every unit: hundreds of thousands at scale).
Its rows are made on the other core while this process writes the other sheets (``side_rows``):
each figure packed as its fields, the units' names and the labels beside them.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence, TextIO

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ctre_xl.book import StreamedSheet
from ctre_xl.limits import SheetChain, chunks
from ctre_xl.merge.model import Fact, MergeResult
from ctre_xl.output.findings_table import CODE_SIZE
from ctre_xl.output.summary.metrics import unit_names
from ctre_xl.output.summary.styles import Styles, setup_page
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.units import Registry
from ctre_xl.output.summary.side_rows import RowJob, SideRows
from ctre_xl.sheetxml import write_rows
from ctre_xl.style import FIGURE, FONT, MUTED

DATA_SHEET = "Dữ liệu"
DATA_HEADERS = ("Năm", "Đơn vị", "Số liệu", "Giá trị", "Tệp", "Trang", "Ô", "Mã đơn vị", "Mã số liệu", "SHA-256")
DATA_WIDTHS = (6, 28, 40, 15, 24, 9, 6, 12, 24, 46)
DATA_CODE_COLUMNS = (7, 8, 9)  # secondary: grey, smaller; the SHA-256 column hidden
NOT_PRINTED = ("Trang này không in cùng bảng tổng hợp (vùng in là một ô trống). Muốn in: "
               "Bố trí Trang > Vùng In > Xoá Vùng In (LibreOffice: Định dạng > Vùng in > Xoá).")
TABLE_NAME = "DuLieuTongHop"  # the first sheet's table keeps this name: pivot tables refer to it
DATA_ROWS = "data"  # the list's name among the rows made on the other core


def data_formats(styles: Styles) -> list[Format]:
    """Each column's format: figures and years as numbers, codes grey and small, the rest text."""
    text, number = styles.get(), styles.get(num_format=FIGURE)
    code = styles.get(font_size=CODE_SIZE, font_color=MUTED)
    formats = [number if header in ("Năm", "Giá trị") else text for header in DATA_HEADERS]
    formats[0] = styles.get(num_format="0")
    for col in DATA_CODE_COLUMNS:
        formats[col] = code
    return formats


FactFields = tuple  # a figure's (year, unit, element, value, file, sheet, cell, sha256), as the row shows them


def fact_fields(fact: Fact) -> FactFields:
    return (fact.year, fact.unit, fact.element, fact.value, fact.file, fact.sheet, fact.cell, fact.sha256)


def fact_cells(fields: FactFields, names: dict[str, str], labels: dict[str, str],
               xfs: Sequence[int]) -> list[tuple[Any, int]]:
    """A figure's row: (value, format index) per column; an empty text is a blank cell, as write() makes it."""
    year, unit, element, value, file, sheet, cell, sha256 = fields
    values = (year, names.get(unit, unit), labels.get(element, element), value, file, sheet, cell, unit, element,
              sha256)
    return [(value if value != "" else None, xf) for value, xf in zip(values, xfs)]


def make_data_rows(out: TextIO, rows: Iterable[FactFields], names: dict[str, str], labels: dict[str, str],
                   xfs: list[int]) -> None:
    """One sheet's rows (from row 2), as ``side_rows`` asks of a maker."""
    write_rows(out, 2, (fact_cells(fields, names, labels, xfs) for fields in rows))


def data_job(result: MergeResult, catalog: Catalog, registry: Registry, formats: list[Format]) -> RowJob:
    """The rows of every "Dữ liệu" sheet (one piece per sheet Excel's row limit allows)."""
    labels = {code: element.label for code, element in catalog.elements.items()}
    xfs = [fmt._get_xf_index() for fmt in formats]  # numbered now: the worker writes the same numbers
    return RowJob(make_data_rows, lambda: (map(fact_fields, piece) for piece in chunks(result.facts, 1)),
                  (unit_names(result, registry), labels, xfs), len(result.facts))


def write_data_sheet(chain: SheetChain, styles: Styles, result: MergeResult, catalog: Catalog,
                     registry: Registry, rows: SideRows) -> None:
    """The tidy merged table as an Excel table (header in row 1), ready for pivot tables.

    Each figure by its unit's name and its Vietnamese label; the codes follow, in grey, for other
    software. Not printed with the rest: its print area is one blank cell (Excel and LibreOffice
    skip an empty page), so printing the whole workbook gives the report without thousands of rows.
    Past a sheet's rows the facts go on in "Dữ liệu (2)", …: one table per sheet, each with its header.
    """
    formats = data_formats(styles)
    columns = [{"header": header, "header_format": styles.header(), "format": fmt}
               for header, fmt in zip(DATA_HEADERS, formats)]
    chain.rows = len(result.facts)
    for number, piece in enumerate(chunks(result.facts, 1)):
        sheet = chain.next()
        for col, width in enumerate(DATA_WIDTHS):
            sheet.set_column(col, col, width, formats[col] if col in DATA_CODE_COLUMNS else None,
                             {"hidden": True} if DATA_HEADERS[col] == "SHA-256" else None)
        # A table needs at least one body row; an empty result keeps one blank row.
        table = TABLE_NAME if len(chain.sheets) == 1 else f"{TABLE_NAME}{len(chain.sheets)}"
        sheet.add_table(0, 0, max(len(piece), 1), len(DATA_HEADERS) - 1, {
            "name": table, "style": "Table Style Light 9", "columns": columns, "autofilter": True})
        # Before the rows: the sheet is streamed, its rows leave memory top to bottom.
        sheet.write_comment(0, 0, NOT_PRINTED, {"x_scale": 2, "y_scale": 1.2, "font_name": FONT, "font_size": 10})
        _take_rows(sheet, number, piece, rows)
        setup_page(sheet, catalog, result.year, title_rows=(0, 0), freeze_row=1)
        blank = len(DATA_HEADERS) + 1  # a column beyond the table, never written
        sheet.print_area(0, blank, 0, blank)


def _take_rows(sheet: Worksheet, number: int, piece: Sequence[Fact], rows: SideRows) -> None:
    """The table's body from row 2: the rows made for this sheet."""
    if not (isinstance(sheet, StreamedSheet) and sheet.constant_memory):
        raise RuntimeError(f"{sheet.name}: the data sheet is written streamed, in a workbook with a scratch folder")
    sheet.append_rows(1, len(piece), len(DATA_HEADERS) - 1, rows.rows(DATA_ROWS, number))
