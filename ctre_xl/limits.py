"""Excel's limits in one place, and how every workbook ctre-xl writes stays inside them: nothing dropped.

- ``EXCEL_ROWS``: the rows of one sheet (tests lower it; a sheet reads it when it is made).
- ``CheckedSheet``: a worksheet that refuses, loudly (``OutputTooLarge``), any write XlsxWriter
  would drop: its writes return -1 (outside the sheet) and go on. A text longer than a cell is
  cut visibly first (``text.fit_cell``), so XlsxWriter's silent cut (-2) never happens (and would raise).
- ``SheetChain``: a list longer than a sheet goes on "Dữ liệu", "Dữ liệu (2)", …, each with its
  header again; ``split_notice`` says so (console and page 1).
- ``names_cell``: a list of names joined into one cell holds whole names only, then a count and
  the sheet that lists the rest ("… và 950 đơn vị khác (xem trang “Tiến độ nộp”)").
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, TypeVar

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ctre_xl.errors import OutputTooLarge
from ctre_xl.text import EXCEL_CELL_CHARS, excel_length, fit_cell, format_number

EXCEL_ROWS = 1_048_576  # rows of one Excel sheet (xlsx); tests monkeypatch it low
CELL_CHARS = EXCEL_CELL_CHARS  # what one cell holds; tests monkeypatch it low
# A list of names on page 1 (a one-page signed document): about six lines across the page; the
# rest is counted and found on its sheet.
PAGE_NAMES_CHARS = 400
T = TypeVar("T")


class CheckedSheet(Worksheet):
    """An XlsxWriter worksheet whose writes never fail silently: a refused write raises."""

    def __init__(self) -> None:
        super().__init__()
        self.xls_rowmax = EXCEL_ROWS  # XlsxWriter's own bound, so a lowered limit is really enforced

    def _kept(self, code: Any, row: int, col: int, what: str = "ô") -> Any:
        if isinstance(code, int) and code < 0:
            raise OutputTooLarge(refused_text(self.name, row, col, code, what))
        return code

    def _write_string(self, row: int, col: int, string: str, *args: Any) -> Any:
        # Fitted first (cut with a visible marker), so XlsxWriter's silent cut (-2) never happens:
        # a unit's long note written back into its feedback copy included.
        return self._kept(super()._write_string(row, col, fit_cell(string), *args), row, col)

    def _write_number(self, row: int, col: int, *args: Any) -> Any:
        return self._kept(super()._write_number(row, col, *args), row, col)

    def _write_blank(self, row: int, col: int, *args: Any) -> Any:
        return self._kept(super()._write_blank(row, col, *args), row, col)

    def _write_formula(self, row: int, col: int, *args: Any) -> Any:
        return self._kept(super()._write_formula(row, col, *args), row, col)

    def _write_datetime(self, row: int, col: int, *args: Any) -> Any:
        return self._kept(super()._write_datetime(row, col, *args), row, col)

    def _write_boolean(self, row: int, col: int, *args: Any) -> Any:
        return self._kept(super()._write_boolean(row, col, *args), row, col)

    def _write_rich_string(self, row: int, col: int, *args: Any) -> Any:
        return self._kept(super()._write_rich_string(row, col, *args), row, col)

    def _write_url(self, row: int, col: int, *args: Any, **kwargs: Any) -> Any:
        return self._kept(super()._write_url(row, col, *args, **kwargs), row, col)

    def merge_range(self, first_row: int, first_col: int, last_row: int, last_col: int, *args: Any) -> Any:
        return self._kept(super().merge_range(first_row, first_col, last_row, last_col, *args), last_row, last_col)

    def set_row(self, row: int, *args: Any, **kwargs: Any) -> Any:
        return self._kept(super().set_row(row, *args, **kwargs), row, 0, "dòng")

    def add_table(self, first_row: int, first_col: int, last_row: int, last_col: int, *args: Any) -> Any:
        return self._kept(super().add_table(first_row, first_col, last_row, last_col, *args), last_row, last_col,
                          "bảng")

    def conditional_format(self, *args: Any) -> Any:
        return self._kept(super().conditional_format(*args), 0, 0, "định dạng có điều kiện")


def refused_text(sheet: str, row: int, col: int, code: int, what: str) -> str:
    """The Vietnamese message of a write XlsxWriter refused (-1) or cut (-2)."""
    where = f"{what} {xl_rowcol_to_cell(row, col)}" if what != "định dạng có điều kiện" else what
    reason = (f"văn bản dài hơn {format_number(CELL_CHARS)} ký tự" if code == -2
              else f"vượt giới hạn của Excel ({format_number(EXCEL_ROWS)} dòng một trang)")
    return (f"Không ghi được {where} của trang “{sheet}”: {reason}. ctre-xl dừng lại thay vì bỏ bớt dữ liệu; "
            "báo lỗi này cho người quản lý phần mềm.")


def continuation_name(name: str, number: int) -> str:
    """The ``number``-th sheet of a split list: "Dữ liệu", "Dữ liệu (2)", …"""
    return name if number == 1 else f"{name} ({number})"


class SheetChain:
    """One list on as many sheets as its rows need; each sheet is made when first asked for, so the
    sheets follow each other in the workbook in the order they are written."""

    def __init__(self, make: Callable[[str], Worksheet], name: str) -> None:
        self.make, self.name = make, name
        self.sheets: list[Worksheet] = []
        self.rows = 0  # the list's entries written (units, findings, facts): for the notice

    def next(self) -> Worksheet:
        """A new sheet: the first under the list's own name, then "(2)", "(3)", …"""
        sheet = self.make(continuation_name(self.name, len(self.sheets) + 1))
        self.sheets.append(sheet)
        return sheet

    @property
    def names(self) -> list[str]:
        return [sheet.name for sheet in self.sheets]

    @property
    def split(self) -> bool:
        return len(self.sheets) > 1


def fits(row: int, needed: int) -> bool:
    """Do ``needed`` rows from 0-based ``row`` stay inside one sheet?"""
    return row + needed <= EXCEL_ROWS


def chunks(items: Sequence[T], first_row: int) -> list[Sequence[T]]:
    """``items`` cut into one slice per sheet, each sheet's rows starting at 0-based ``first_row``;
    always at least one slice (an empty list still gets its sheet)."""
    size = max(1, EXCEL_ROWS - first_row)
    return [items[start:start + size] for start in range(0, len(items), size)] or [items[:0]]


def split_notice(chain: SheetChain, what: str, also: str = "") -> str:
    """A Vietnamese sentence for the console and page 1: which sheet was split into which, and why;
    ``also`` names another file cut the same way."""
    listed = ", ".join(f"“{name}”" for name in chain.names)
    same = f" Tệp {also} cũng được chia như vậy." if also else ""
    return (f"Trang “{chain.name}” có {format_number(chain.rows)} {what}, quá giới hạn "
            f"{format_number(EXCEL_ROWS)} dòng của một trang Excel, nên được chia thành {len(chain.sheets)} "
            f"trang: {listed} (mỗi trang có dòng tiêu đề riêng, không bỏ dòng nào).{same}")


def more_text(count: int, noun: str, sheet: str) -> str:
    return f"{format_number(count)} {noun} khác (xem trang “{sheet}”)"


def names_cell(names: Sequence[str], sheet: str, *, noun: str = "đơn vị", limit: int | None = None,
               separator: str = "; ") -> str:
    """``names`` joined for one cell of at most ``limit`` characters (at most ``CELL_CHARS``): whole
    names only, then "… và N đơn vị khác (xem trang “<sheet>”)"; never a name cut in the middle."""
    limit = CELL_CHARS if limit is None else min(limit, CELL_CHARS)
    text = separator.join(names)
    if excel_length(text) <= limit:
        return text
    tail = len(f" … và {more_text(len(names), noun, sheet)}")  # the longest the tail can be
    kept: list[str] = []
    used = 0
    for name in names:
        cost = excel_length(name) + (len(separator) if kept else 0)
        if used + cost + tail > limit:
            break
        kept.append(name)
        used += cost
    rest = more_text(len(names) - len(kept), noun, sheet)
    return f"{separator.join(kept)} … và {rest}" if kept else rest
