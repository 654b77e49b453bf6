"""Values passed between the stages: findings, what a file held, and the merge result.

Plain dataclasses, no behaviour beyond small conveniences: reading produces ``Submission`` and
``FileRecord``; validation produces ``Finding``; merging produces ``MergeResult``, which the
console report, the JSON output and the summary workbook all render.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

ERROR = "error"
WARNING = "warning"

# File statuses (JSON contract)
ACCEPTED, REJECTED, SUPERSEDED, SKIPPED = "accepted", "rejected", "superseded", "skipped"
# Metric statuses (JSON contract)
MET, NOT_MET, NO_DATA, NOT_APPLICABLE, NO_TARGET = "met", "not_met", "no_data", "not_applicable", "no_target"

STATUS_LABELS = {
    MET: "Đạt",
    NOT_MET: "Chưa đạt",
    NO_DATA: "Thiếu số liệu",
    NOT_APPLICABLE: "Không phát sinh",
    NO_TARGET: "Chưa có mục tiêu",
}


WHOLE_COMMUNE = "(toàn xã)"  # shown where a finding is about the commune totals, not one file


def errors_first(findings: list["Finding"]) -> list["Finding"]:
    """Errors, then warnings; otherwise in the order the merge sorted them (a stable sort)."""
    return sorted(findings, key=lambda finding: 0 if finding.severity == ERROR else 1)


@dataclass(frozen=True)
class Finding:
    """One validation problem, reported with everything else found (never raised)."""

    file: str  # path relative to the inbox ("" for commune-level findings)
    unit: str | None
    sheet: str | None
    cell: str | None  # A1 reference
    code: str | None  # element or metric code the finding is about
    severity: str  # ERROR or WARNING
    message: str  # Vietnamese, says what to fix
    kind: str = ""  # machine-readable problem id, e.g. "negative", "password_protected"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CellValue:
    """A figure as read from a workbook, with where it came from."""

    element: str
    value: float | None  # counts/money as numbers, yes/no as 1/0, None when blank
    raw: Any  # what the cell held (text as typed, number, ...)
    sheet: str
    cell: str  # A1 reference


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

    @property
    def has_errors(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)


@dataclass
class FileRecord:
    """What became of one file of the inbox."""

    path: str  # relative to the inbox
    unit: str | None
    status: str  # ACCEPTED / REJECTED / SUPERSEDED / SKIPPED
    reason: str  # Vietnamese
    year: int | None = None
    sha256: str | None = None


@dataclass
class MetricResult:
    code: str
    value: float | None
    numerator: float | None
    denominator: float | None
    target: float | None  # the target in force, as an absolute value (CT13: 98% of last year)
    operator: str | None
    target_year: int
    status: str
    on_error_figures: bool = False  # rests on figures that have errors
    previous_value: float | None = None
    change: str | None = None  # "better" / "worse" / "same" / None
    remark: str = ""
    by_unit: dict[str, float | None] = field(default_factory=dict)  # unit id -> the unit's own value


@dataclass
class UnitStatus:
    id: str
    name: str
    kind: str
    received: bool
    on_time: bool | None
    file: str | None = None
    report_date: date | None = None
    preparer: str = ""
    phone: str = ""
    errors: int = 0
    warnings: int = 0


@dataclass
class Fact:
    """One row of the tidy merged table."""

    year: int
    unit: str
    element: str
    value: float | None
    file: str
    sheet: str
    cell: str
    sha256: str


@dataclass
class MergeResult:
    year: int
    files: list[FileRecord]
    findings: list[Finding]
    metrics: list[MetricResult]
    units: list[UnitStatus]
    facts: list[Fact]
    submissions: dict[str, Submission]  # unit id -> accepted submission
    totals: dict[str, float | None]  # element -> commune total
    previous_totals: dict[str, float | None] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> written path
    notices: list[str] = field(default_factory=list)  # Vietnamese, e.g. "the file was open in Excel"

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]
