"""The XlsxWriter workbook every writer uses (templates, feedback copies, summary, findings, don-vi.xlsx).

Built in memory, or for a large workbook in a scratch folder of the caller's beside the output
(never TMPDIR), so no temporary file is left behind when the disk fills up; any text is
writable (``clean_text``: a lone surrogate from a unit's note or a file name that is not UTF-8
would stop XlsxWriter); a number that is not finite is never written as a number (an empty cell:
no real figure is NaN or INF). ``report_workbook`` adds what the merge's reports need: a unit's
text always literal (never a formula, number or link), the house font at report size. The parts
are zipped by ``packing.QuickZip``: a streamed sheet's rows made on the other core arrive deflated
(``StreamedSheet.append_rows``) and go into the sheet's part in the zip as they are.
"""

from __future__ import annotations

import copy
import math
import os
import shutil
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any, Sequence

from xlsxwriter.format import Format
from xlsxwriter.packager import Packager
from xlsxwriter.utility import xl_range
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import CellBlankTuple, CellNumberTuple, CellStringTuple

from ctre_xl.formulas import prepared
from ctre_xl.limits import CheckedSheet
from ctre_xl.packing import QuickZip, Segment, Splice, copy_bytes, spliced_parts
from ctre_xl.style import REPORT_SIZE, font
from ctre_xl.sheetxml import cell_xml, column_name, row_cells_xml
from ctre_xl.text import clean_text


class SafeSheet(CheckedSheet):
    """A worksheet whose every text and number goes through the checks above; a write XlsxWriter
    would drop (past Excel's limits) raises instead (``limits.CheckedSheet``)."""

    def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
        return super()._write_string(row, col, clean_text(str(string)), cell_format)

    def _write_number(self, row: int, col: int, number: Any, cell_format: Any = None) -> Any:
        if not math.isfinite(number):
            return self._write_blank(row, col, None, cell_format)
        return super()._write_number(row, col, number, cell_format)

    def _write_formula(self, row: int, col: int, formula: str, cell_format: Any = None, value: Any = 0) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            value = 0
        elif isinstance(value, str):
            value = clean_text(value)
        return super()._write_formula(row, col, clean_text(formula), cell_format, value)

    def write_comment(self, row: int, col: int, comment: str, options: dict[str, Any] | None = None) -> Any:
        return super().write_comment(row, col, clean_text(comment), options)

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        # XlsxWriter runs about 30 (or 150) regular expressions per formula: each formula is
        # prepared once, and only stripped where they cannot change it (``formulas``).
        return prepared(formula, bool(self.use_future_functions or expand_future_functions),
                        lambda text: super(SafeSheet, self)._prepare_formula(text, expand_future_functions))

    def _write_merge_cell(self, merged_range: list[int]) -> None:
        # Thousands at scale (the units' opinions), written at close: the same bytes as XlsxWriter's.
        first_row, first_col, last_row, last_col = merged_range
        self.fh.write(f'<mergeCell ref="{column_name(first_col)}{first_row + 1}:{column_name(last_col)}{last_row + 1}"/>')

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        # The innermost loop of ``close()``: XlsxWriter's own version builds an attribute list and
        # runs a regular expression per attribute for every cell. The three kinds nearly every
        # report cell is (a shared string, a number, a blank, each with its format) are written
        # here as the very same bytes (tests/test_book.py compares them); anything else, or a cell
        # without a format of its own (row and column formats apply), goes to XlsxWriter.
        kind = type(cell)
        if cell.format is None or kind not in _FAST_CELLS or \
                (kind is CellNumberTuple and type(cell.number) not in (int, float)):  # bool, Decimal…
            super()._write_cell(row, col, cell)
            return
        xf = cell.format._get_xf_index()
        if kind is CellStringTuple and not self.constant_memory:  # an index into the shared strings
            self.fh.write(f'<c r="{column_name(col)}{row + 1}" s="{xf}" t="s"><v>{cell.string}</v></c>')
        else:  # an inline string (a streamed sheet's), a number or a blank: as ``write_cells`` writes them
            value = cell.string if kind is CellStringTuple else cell.number if kind is CellNumberTuple else None
            self.fh.write(cell_xml(row + 1, col, value, xf))


class StreamedSheet(SafeSheet):
    """A ``SafeSheet`` whose rows leave memory as they are written (XlsxWriter's constant-memory mode,
    for this sheet only): each finished row goes to a file in the workbook's scratch folder.

    For the summary's long lists (a row per unit, finding or figure: millions of cells at scale).
    Rows must be written top to bottom, each row's cells, height and comments before the next
    row's; a write to a row already passed is a bug and raises (XlsxWriter would drop it
    silently). In a workbook without a scratch folder it is an ordinary ``SafeSheet``. Rows made
    on the other core, deflated, are recorded, not copied (``append_rows``): when the part is
    written, where they go in it is kept (``splice``) for the zip (``packing``).
    """

    def _initialize(self, init_data: dict[str, Any]) -> None:
        super()._initialize({**init_data, "constant_memory": bool(init_data.get("tmpdir"))})
        self.last_written = -1  # the last row ``write_cells`` wrote whole
        self.spliced_rows: tuple[int, Segment] | None = None  # rows made elsewhere, after this many bytes of rows
        self.splice: Splice | None = None  # and where they go in the sheet's part, once written

    def _check_dimensions(self, row: int, col: int, ignore_row: bool = False, ignore_col: bool = False) -> int:
        if self.constant_memory and not (ignore_row or ignore_col) and \
                (0 <= row < self.previous_row or 0 <= row <= self.last_written):
            raise self._passed(row)
        return super()._check_dimensions(row, col, ignore_row, ignore_col)

    def _passed(self, row: int) -> RuntimeError:
        return RuntimeError(f"{self.name}: row {row + 1} written after row {self.previous_row + 1} in a streamed sheet")

    def add_table(self, first_row: int, first_col: int, last_row: int, last_col: int,
                  options: dict[str, Any] | None = None) -> Any:
        """An Excel table whose header is the first row of the sheet, added before any row is written.

        XlsxWriter refuses tables in constant-memory mode, where it could not write their cells
        in order; here the only cells it writes are the header's, in the row not yet written, and
        they are written again as inline strings (this mode's kind) before the next row passes.
        """
        if not self.constant_memory:
            return super().add_table(first_row, first_col, last_row, last_col, options)
        if first_row != self.previous_row or self.table:
            raise RuntimeError(f"{self.name}: a streamed sheet's table must come before its rows")
        # XlsxWriter indexes every cell of a table, one by one, to refuse a later overlap (a second
        # of CPU and hundreds of MB for a few hundred thousand rows). Nothing can come over a
        # streamed sheet's rows (written once, in order, after this), so the table is made over
        # its header and first row, then given its whole range.
        if any(key in (options or {}) for key in ("data", "total_row")) or \
                any("formula" in column for column in (options or {}).get("columns", [])):
            raise RuntimeError(f"{self.name}: a streamed sheet's table has no data, formulas or total row")
        self._kept(self._check_dimensions(last_row, last_col, True, True), last_row, last_col, "bảng")
        short = min(last_row, first_row + 1)
        self.constant_memory = False
        try:
            made = super().add_table(first_row, first_col, short, last_col, options)
        finally:
            self.constant_memory = True
        if short != last_row:
            table = self.tables[-1]
            table["range"] = table["a_range"] = xl_range(first_row, first_col, last_row, last_col)
            if "autofilter" in table:
                table["autofilter"] = table["a_range"]
        self.table_cells.clear()  # nothing more to protect
        header = {col: cell for col, cell in self.table.get(first_row, {}).items()
                  if isinstance(cell, CellStringTuple) and isinstance(cell.string, int)}
        wanted = {cell.string for cell in header.values()}  # the shared-string indices they point to
        texts = {index: text for text, index in self.str_table.string_table.items() if index in wanted}
        for col, cell in header.items():
            self._write_string(first_row, col, texts[cell.string], cell.format)
        return made

    def write_cells(self, row: int, cells: Sequence[tuple[Any, Format]], height: float | None = None,
                    merges: Sequence[tuple[int, int]] = ()) -> None:
        """A whole row from column A at once, each (value, format) as ``write_string`` (text),
        ``write_number`` (int, float; a date as Excel's serial number) or ``write_blank`` (None)
        would write it, then its ``height``, then the row's ``merges`` (first, last column): the
        same bytes as those calls and ``merge_range`` (its other cells given here as blanks of the
        same format) would write (tests/test_book.py), for a fraction of the cost of a call per cell
        through XlsxWriter's layers. Rows in order, as every write here.
        """
        if not self.constant_memory:
            for first, last in merges:  # XlsxWriter's own ranges and checks; the cells then go over them
                self.merge_range(row, first, row, last, "", cells[first][1])
            for col, (value, fmt) in enumerate(cells):
                self._write_value(row, col, value, fmt)
            if height is not None:
                self.set_row(row, height)
            return
        if row < self.previous_row or row <= self.last_written or \
                (row == self.previous_row and (self.table or row in self.comments)):
            raise self._passed(row)
        if row > self.previous_row:
            previous = self.previous_row
            if self.table or previous in self.row_info or previous in self.comments:
                self._write_single_row(row)  # what XlsxWriter holds of the row before goes out first
            else:
                self.previous_row = row  # nothing held: what ``_write_single_row`` would do
        bounds = _bounds(cells)
        if row in self.row_info or (height is not None and height <= 0) or row >= self.xls_rowmax \
                or len(cells) > self.xls_colmax:
            self._write_through_xlsxwriter(row, cells, height, bounds)  # its own row attributes, or refused
        else:
            self._write_own_row(row, cells, height, bounds)
        self.last_written = row
        # A row no write can reach again (see ``_check_dimensions``): no later merge can overlap
        # these, so XlsxWriter's per-cell index of merged cells is not kept for them.
        self.merge.extend([row, first, row, last] for first, last in merges)

    def _write_own_row(self, row: int, cells: Sequence[tuple[Any, Format]], height: float | None,
                       bounds: tuple[int, int] | None) -> None:
        """The row as ``set_row`` and XlsxWriter's row writer would make it: its bookkeeping (size,
        dimensions) and the ``<row>`` element, without their layers of calls (the common case).
        ``bounds``: the first and last column written (``_bounds``)."""
        pixels = self.default_row_height
        if height is not None:  # as set_row: the row's size for page breaks, and the sheet's extent
            pixels = int(height * 4.0 / 3.0 + 0.5)
            self.row_sizes[row] = [pixels, False]
            first = self.dim_colmin if self.dim_colmin is not None else 0
            bounds = (min(first, bounds[0]), max(first, bounds[1])) if bounds else (first, first)
        if bounds:  # the sheet's extent, as XlsxWriter's checks of each cell would keep it
            low, high = bounds
            if self.dim_rowmin is None or row < self.dim_rowmin:
                self.dim_rowmin = row
            if self.dim_rowmax is None or row > self.dim_rowmax:
                self.dim_rowmax = row
            if self.dim_colmin is None or low < self.dim_colmin:
                self.dim_colmin = low
            if self.dim_colmax is None or high > self.dim_colmax:
                self.dim_colmax = high
        line = row + 1
        xml = row_cells_xml(line, cells, self._convert_date_time)
        if not xml and height is None:
            return
        tag = f'<row r="{line}"'
        if pixels != self.original_row_height or pixels != self.default_row_height:
            tag += f' ht="{pixels * 0.75:.16g}" customHeight="1"'
        if self.excel_version == 2010:
            tag += ' x14ac:dyDescent="0.25"'
        self.fh.write(f"{tag}>{xml}</row>" if xml else f"{tag}/>")

    def _write_through_xlsxwriter(self, row: int, cells: Sequence[tuple[Any, Format]], height: float | None,
                                  bounds: tuple[int, int] | None) -> None:
        """The row through XlsxWriter's own row writer: a row given attributes before (``set_row``),
        or one its checks refuse (``limits.CheckedSheet`` raises)."""
        if height is not None:
            self.set_row(row, height)
        for col in bounds or ():  # the row's bounds and the sheet's size, once per row
            self._kept(self._check_dimensions(row, col), row, col)
        xml = row_cells_xml(row + 1, cells, self._convert_date_time)
        info = self.row_info.pop(row, None)  # written now: XlsxWriter must not write the row again
        if xml:
            self._write_row(row, None, info)
            self.fh.write(xml + "</row>")
        elif info is not None:
            self._write_empty_row(row, None, info)

    def append_rows(self, first_row: int, rows: int, last_col: int, made: Segment) -> None:
        """``rows`` rows from ``first_row`` made elsewhere (``sheetxml.write_rows``, on the other
        core), deflated (``packing.deflated_text``): the last rows of the sheet, after every row
        written here. Only recorded: the segment goes into the package as it is (``packing``)."""
        if not self.constant_memory or first_row < self.previous_row or first_row <= self.last_written \
                or (first_row == self.previous_row and self.table):
            raise RuntimeError(f"{self.name}: rows made elsewhere go after every row written here")
        if rows <= 0:
            return
        last = first_row + rows - 1
        for row, col in ((first_row, 0), (last, last_col)):
            self._kept(self._check_dimensions(row, col), row, col)
        self._write_single_row(last)  # what XlsxWriter holds (the header) goes out first
        self.fh.flush()
        self.spliced_rows = (self.fh.buffer.tell(), made)  # where they go among the rows' bytes
        self.last_written = last

    def _write_optimized_sheet_data(self) -> None:
        # The rows go into the sheet's part as bytes: XlsxWriter copies them as text, decoding and
        # encoding again megabytes it wrote itself. Rows made elsewhere are not copied: where they
        # go in the part is recorded (``splice``), for the package's zip (``packing.QuickZip``).
        target = getattr(self.fh, "buffer", None)
        if self.dim_rowmin is None or (target is None and self.spliced_rows is None):
            super()._write_optimized_sheet_data()
            return
        self._xml_start_tag("sheetData")
        self.row_data_fh.close()  # its last row written (the packager's ``_write_single_row``)
        self.fh.flush()
        at, made = self.spliced_rows or (None, None)
        with open(self.row_data_filename, "rb") as rows:
            if target is None:  # a part packed from memory (a small workbook): as text
                self.fh.write(rows.read(at).decode("utf-8"))
                part, offset = self.fh, len(self.fh.getvalue().encode("utf-8"))
                self.fh.write(rows.read().decode("utf-8"))
            else:
                if at is not None:
                    copy_bytes(rows, target, at)
                part, offset = self.fh.name, target.tell()
                shutil.copyfileobj(rows, target, 1 << 20)
        os.unlink(self.row_data_filename)
        if made is not None:
            self.splice = Splice(part, offset, made)
        self._xml_end_tag("sheetData")

    def _write_value(self, row: int, col: int, value: Any, fmt: Format | None) -> None:
        if isinstance(value, str):
            self.write_string(row, col, value, fmt)
        elif value is None:
            self.write_blank(row, col, None, fmt)
        elif isinstance(value, (date, datetime)):
            self.write_datetime(row, col, value, fmt)
        else:
            self.write_number(row, col, value, fmt)


_FAST_CELLS = (CellStringTuple, CellNumberTuple, CellBlankTuple)


def _bounds(cells: Sequence[tuple[Any, Any]]) -> tuple[int, int] | None:
    """The first and last column of a row's cells that is written (a value or a format), None when
    none is. Most rows are written from the first column to the last: found without a loop."""
    if not cells:
        return None
    first, last = cells[0], cells[-1]
    if (first[0] is not None or first[1] is not None) and (last[0] is not None or last[1] is not None):
        return 0, len(cells) - 1
    written = [col for col, (value, fmt) in enumerate(cells) if value is not None or fmt is not None]
    return (written[0], written[-1]) if written else None


_FORMATS: dict[tuple[Any, ...], Format] = {}
_FORMATS_KEPT = 2_000


PACKED_IN_MEMORY_UP_TO = 1 << 20  # bytes of streamed rows: a workbook with fewer is packed in memory


class SafeBook(Workbook):
    """``xlsxwriter.Workbook`` with ``SafeSheet`` worksheets, always in memory."""

    worksheet_class = SafeSheet

    def __init__(self, filename: Any, options: dict[str, Any] | None = None, scratch: Path | None = None) -> None:
        # Without ``scratch``, in memory. With it (a folder of the caller's, beside the output: the
        # summary at scale), each sheet's XML and each streamed sheet's rows go to files there
        # instead of being held in memory until the workbook is closed.
        where = {"in_memory": True} if scratch is None else {"in_memory": False, "tmpdir": str(scratch)}
        super().__init__(filename, {**(options or {}), **where})

    def _store_workbook(self) -> None:
        if not self.in_memory and self._streamed_bytes() <= PACKED_IN_MEMORY_UP_TO:
            # A small workbook (one commune's summary) is packed in memory: XlsxWriter would first
            # write each of its parts (a chart each, on "Lộ trình 2030") to a file of ``scratch``.
            self.in_memory = True
        # XlsxWriter names its ZipFile class at module level and gives no level option.
        module = sys.modules[Workbook.__module__]
        module.ZipFile = self._zip_file
        try:
            super()._store_workbook()
        finally:
            module.ZipFile = zipfile.ZipFile
        self._archive.check_spliced()

    def _zip_file(self, *args: Any, **kwargs: Any) -> QuickZip:
        """XlsxWriter's zip: its sheets' rows made elsewhere spliced in, found once its parts are written."""
        self._archive = QuickZip(*args, splices=lambda: spliced_parts(self.worksheets(), self._packager.filenames),
                                 **kwargs)
        return self._archive

    def _get_packager(self) -> Packager:
        self._packager = super()._get_packager()  # which part each sheet was written to (``_zip_file``)
        return self._packager

    def _streamed_bytes(self) -> int:
        """The bytes of rows the streamed sheets hold in their files (what packing in memory would hold)."""
        size = 0
        for sheet in self.worksheets():
            if sheet.constant_memory and sheet.row_data_filename and not sheet.row_data_fh_closed:
                sheet.row_data_fh.flush()
                size += os.path.getsize(sheet.row_data_filename)
        return size

    def add_format(self, properties: dict[str, Any] | None = None) -> Format:
        """``Workbook.add_format``, with each distinct format parsed once per process: every
        workbook gets its own copy of a prototype (bound to its own index tables), since XlsxWriter
        numbers a format per workbook when it is first used and when the file is closed."""
        merged = {**self.default_format_properties, **(properties or {})}
        try:
            key = tuple(sorted(merged.items()))
            prototype = _FORMATS.get(key)
        except TypeError:  # an unhashable property value: no sharing
            return super().add_format(properties)
        if prototype is None:
            if len(_FORMATS) >= _FORMATS_KEPT:
                _FORMATS.clear()
            prototype = _FORMATS[key] = Format(merged, {}, {})
            prototype._get_format_key()  # cached on the prototype, so every copy shares it
        made = copy.copy(prototype)
        made.xf_format_indices = self.xf_format_indices
        made.dxf_format_indices = self.dxf_format_indices
        self.formats.append(made)
        return made


def report_workbook(path: Path, scratch: Path | None = None, **options: Any) -> SafeBook:
    """A new report workbook at ``path``, in the house font at report size (``options`` add to it);
    its parts written in ``scratch`` when given (``SafeBook``)."""
    return SafeBook(str(path), {
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "default_format_properties": font(REPORT_SIZE), **options}, scratch)
