"""What reading a file produces: the figures a workbook held and what became of the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ctre_xl.plan.findings import Finding
from ctre_xl.plan.vocab import FileStatus


@dataclass(frozen=True, slots=True)  # slots: one per figure of every file, tens of thousands at scale
class CellValue:
    """A figure as read from a workbook, with where it came from."""

    element: str
    value: float | None  # counts/money as numbers, yes/no as 1/0, None when blank
    raw: Any  # what the cell held (text as typed, number, ...)
    sheet: str
    cell: str  # A1 reference

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickled (every figure, from the reading workers) as a call of ``cell_value``: a frozen
        # dataclass with slots otherwise goes through dataclasses' generic state functions, field by
        # field, and even its own __init__ sets each field through object.__setattr__ (1.3 us).
        return cell_value, (self.element, self.value, self.raw, self.sheet, self.cell)


_ELEMENT, _VALUE, _RAW, _SHEET, _CELL = (CellValue.__dict__[name].__set__ for name in CellValue.__slots__)


def cell_value(element: str, value: float | None, raw: Any, sheet: str, cell: str,
               _new: Any = object.__new__) -> CellValue:
    """A CellValue made by its slots' own setters (0.5 us, not 1.3): one per figure of every file, made
    by the reader and again as the merge's process unpickles it while the workers read."""
    made = _new(CellValue)
    _ELEMENT(made, element)
    _VALUE(made, value)
    _RAW(made, raw)
    _SHEET(made, sheet)
    _CELL(made, cell)
    return made


@dataclass
class Submission:
    """One workbook identified as a unit's report."""

    path: str  # relative to the inbox
    sha256: str
    modified: float  # file modification time (POSIX seconds)
    unit: str
    year: int
    meta: dict[str, str]
    values: dict[str, CellValue] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # metric code -> explanation
    free_text: dict[str, str] = field(default_factory=dict)  # report_results/... -> text
    preparer: dict[str, str] = field(default_factory=dict)  # preparer_name, preparer_phone
    report_date: date | None = None
    findings: list[Finding] = field(default_factory=list)
    # When the file was last saved, as the file itself records it (docProps/core.xml, meta.xml):
    # the unit cannot send it before. Aware; None when the file does not say.
    saved_at: datetime | None = None
    # When ctre-xl first saw this content (sha256) in an earlier merge, from the history (merge
    # fills it; aware, UTC); None for a file never seen before.
    first_seen: datetime | None = None


@dataclass
class FileRecord:
    """What became of one file of the inbox."""

    path: str  # relative to the inbox
    unit: str | None
    status: FileStatus
    reason: str  # Vietnamese
    year: int | None = None
    sha256: str | None = None
