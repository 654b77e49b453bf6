"""The summary's "Dữ liệu" sheet: every figure of the merge, one row each, in an Excel table.

It is the longest sheet by far (a row per figure of every unit: hundreds of thousands at scale)
and its rows depend on nothing else the summary writes, so they are made on the second core while
this process writes the other sheets (``DataRows``): a worker process writes the rows' XML to a
file in the summary's scratch folder (``sheetxml.write_rows``) and the sheet then takes them
(``StreamedSheet.append_rows``). Each column's format is given its index before the worker starts
(XlsxWriter numbers a format when it is first used), so the bytes are those this process would
write. Below ``PARALLEL_FROM`` figures, or on one core, the same function makes them here.

The worker writes only in the scratch folder and ignores Ctrl-C (``workers.py``); if it fails or
is stopped, the rows are made here instead; on Ctrl-C it is stopped at once.
"""

from __future__ import annotations

import multiprocessing
import pickle
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence

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
from ctre_xl.sheetxml import write_rows
from ctre_xl.style import FIGURE, FONT, MUTED
from ctre_xl.workers import ignore_interrupts, interrupts_blocked, two_cores

DATA_SHEET = "Dữ liệu"
DATA_HEADERS = ("Năm", "Đơn vị", "Số liệu", "Giá trị", "Tệp", "Trang", "Ô", "Mã đơn vị", "Mã số liệu", "SHA-256")
DATA_WIDTHS = (6, 28, 40, 15, 24, 9, 6, 12, 24, 46)
DATA_CODE_COLUMNS = (7, 8, 9)  # secondary: grey, smaller; the SHA-256 column hidden
NOT_PRINTED = ("Trang này không in cùng bảng tổng hợp (vùng in là một ô trống). Muốn in: "
               "Bố trí Trang > Vùng In > Xoá Vùng In (LibreOffice: Định dạng > Vùng in > Xoá).")
TABLE_NAME = "DuLieuTongHop"  # the first sheet's table keeps this name: pivot tables refer to it
PARALLEL_FROM = 5_000  # figures: below this, starting a process costs more than it saves


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


def make_rows(folder: Path, pieces: Sequence[Iterable[FactFields]], names: dict[str, str], labels: dict[str, str],
              xfs: list[int]) -> None:
    """Each sheet's rows (from row 2) to ``folder/rows-<n>.xml``; a file is complete once renamed."""
    for number, piece in enumerate(pieces):
        partial = folder / f"rows-{number}.part"
        with open(partial, "w", encoding="utf-8", newline="") as out:
            write_rows(out, 2, (fact_cells(fields, names, labels, xfs) for fields in piece))
        partial.replace(folder / f"rows-{number}.xml")


def _make_rows_in_worker(folder: Path, packed: Path, xfs: list[int]) -> None:
    ignore_interrupts()
    try:
        make_rows(folder, *pickle.loads(packed.read_bytes()), xfs)
    except Exception:  # nothing on the user's console: the rows are then made in the main process
        sys.exit(1)


class DataRows:
    """The rows of every "Dữ liệu" sheet: being made on the other core, or made here when asked.

    The worker is a fresh process (spawned, as on Windows, not forked) handed the figures packed in
    a file of the scratch folder (their fields, the units' names, the labels). A forked worker
    shares this process's memory page by page, and every page either side then touches is copied:
    this process goes on reading the whole merge result for the other sheets, so at 66,000 files
    half a gigabyte was held twice. The file, not the process's arguments: those go through a pipe
    that the new process reads only once it has started, and this process would wait for it.
    """

    def __init__(self, folder: Path, pieces: list[Sequence[Fact]], names: dict[str, str],
                 labels: dict[str, str], xfs: list[int]) -> None:
        self.folder, self.pieces, self.names, self.labels, self.xfs = folder, pieces, names, labels, xfs
        self.worker: Any = None
        if sum(len(piece) for piece in pieces) >= PARALLEL_FROM and two_cores():
            packed = folder / "facts.pickle"
            packed.write_bytes(pickle.dumps(([[fact_fields(fact) for fact in piece] for piece in pieces],
                                             names, labels), protocol=pickle.HIGHEST_PROTOCOL))
            try:
                with interrupts_blocked():
                    self.worker = multiprocessing.get_context("spawn").Process(
                        target=_make_rows_in_worker, args=(folder, packed, xfs), daemon=True)
                    self.worker.start()
            except (OSError, NotImplementedError):  # no worker process here: made here when asked
                self.worker = None

    def rows(self, number: int) -> Path:
        """The file of sheet ``number``'s rows, waiting for the worker (or making them here)."""
        if self.worker is not None:
            self.worker.join()
            self.worker = None
        made = self.folder / f"rows-{number}.xml"
        if not made.exists():  # no worker, or it failed: the same rows, made here
            make_rows(self.folder, [map(fact_fields, piece) for piece in self.pieces], self.names, self.labels,
                      self.xfs)
        return made

    def stop(self) -> None:
        """Stop the worker at once (Ctrl-C, an error): what it wrote is in the scratch folder."""
        if self.worker is not None:
            self.worker.terminate()
            self.worker.join()
            self.worker = None


def start_data_rows(result: MergeResult, catalog: Catalog, registry: Registry, formats: list[Format],
                    folder: Path) -> DataRows:
    """Start making the rows of every "Dữ liệu" sheet (one piece per sheet Excel's row limit allows)."""
    labels = {code: element.label for code, element in catalog.elements.items()}
    xfs = [fmt._get_xf_index() for fmt in formats]  # numbered now: the worker writes the same numbers
    return DataRows(folder, list(chunks(result.facts, 1)), unit_names(result, registry), labels, xfs)


def write_data_sheet(chain: SheetChain, styles: Styles, result: MergeResult, catalog: Catalog,
                     formats: list[Format], rows: DataRows) -> None:
    """The tidy merged table as an Excel table (header in row 1), ready for pivot tables.

    Each figure by its unit's name and its Vietnamese label; the codes follow, in grey, for other
    software. Not printed with the rest: its print area is one blank cell (Excel and LibreOffice
    skip an empty page), so printing the whole workbook gives the report without thousands of rows.
    Past a sheet's rows the facts go on in "Dữ liệu (2)", …: one table per sheet, each with its header.
    """
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


def _take_rows(sheet: Worksheet, number: int, piece: Sequence[Fact], rows: DataRows) -> None:
    """The table's body from row 2: the rows made for this sheet."""
    if not (isinstance(sheet, StreamedSheet) and sheet.constant_memory):
        raise RuntimeError(f"{sheet.name}: the data sheet is written streamed, in a workbook with a scratch folder")
    with open(rows.rows(number), encoding="utf-8", newline="") as made:
        sheet.append_rows(1, len(piece), len(DATA_HEADERS) - 1, made)
