"""What merging produces: metric results, unit statuses, the tidy table and the whole result.

``MergeResult`` is what the console report, the JSON output and the summary workbook all render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ctre_xl.plan.findings import Finding
from ctre_xl.plan.vocab import MetricStatus, Operator, Severity, TrackStatus
from ctre_xl.read.model import FileRecord, Submission


@dataclass(frozen=True)
class Coverage:
    """Units a metric's commune value rests on, out of the units expected to give it."""

    expected: tuple[str, ...]  # unit ids, registry order
    counted: tuple[str, ...]
    rejected: tuple[str, ...] = ()  # expected units whose figure was dropped for an error

    @property
    def missing(self) -> tuple[str, ...]:
        counted = set(self.counted)
        return tuple(unit for unit in self.expected if unit not in counted)

    @property
    def complete(self) -> bool:
        return len(self.counted) == len(self.expected)

    def as_dict(self) -> dict[str, object]:
        return {"counted": len(self.counted), "expected": len(self.expected), "missing": list(self.missing)}


@dataclass(frozen=True)
class IndicatorResult:
    number: int
    objective: int
    name: str
    parts: tuple[str, ...]  # metric codes
    status: MetricStatus

    def as_dict(self) -> dict[str, object]:
        return {"number": self.number, "objective": self.objective, "name": self.name,
                "parts": list(self.parts), "status": str(self.status)}


@dataclass
class MetricResult:
    code: str
    value: float | None
    numerator: float | None
    denominator: float | None
    target: float | None  # the target in force, as an absolute value (CT13: 98% of last year)
    operator: Operator | None
    target_year: int
    status: MetricStatus
    on_error_figures: bool = False  # rests on figures that have errors
    previous_value: float | None = None
    change: str | None = None  # "better" / "worse" / "same" / None
    remark: str = ""
    by_unit: dict[str, float | None] = field(default_factory=dict)  # unit id -> the unit's own value
    coverage: Coverage | None = None  # the units the value rests on, out of those expected
    gap: float | None = None  # still to close to the target in force, in the metric's own unit (>= 0)
    track: TrackStatus | None = None  # against the path to the next milestone (merge/track.py); None: not judged


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
    blank: bool = False  # sent a template with no figure in it: not a return
    sent_on: date | None = None  # the best evidence of when the unit sent its file
    sent_evidence: str = ""  # which evidence: "saved" (the file's own save time), "typed", "first_seen", "file_time"
    missing_figures: list[str] = field(default_factory=list)  # element codes left empty in the return


@dataclass(frozen=True)
class Change:
    """One figure that differs between a unit's previous return and the one that counts now."""

    element: str  # element code
    before: float | None  # the value read (None: empty or unreadable)
    after: float | None
    before_typed: str = ""  # what was typed, when it could not be read as a value ("abc", "3,5")
    after_typed: str = ""
    fixed: bool = False  # the previous return had a problem on this figure; this one has none
    new_problem: bool = False  # this return has a problem on this figure; the previous one had none

    def as_dict(self) -> dict[str, object]:
        return {"element": self.element, "before": self.before, "after": self.after,
                "before_typed": self.before_typed or None, "after_typed": self.after_typed or None,
                "fixed": self.fixed, "new_problem": self.new_problem}


@dataclass(slots=True)  # one per figure of every unit: hundreds of thousands at scale
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
    indicators: list[IndicatorResult] = field(default_factory=list)  # the plan's 24 chỉ tiêu
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> written path
    # unit id -> what changed from its previous return to the one that counts (units that sent again)
    corrections: dict[str, list[Change]] = field(default_factory=dict)
    feedback: dict[str, str] = field(default_factory=dict)  # unit id -> its feedback workbook, once written
    notices: list[str] = field(default_factory=list)  # Vietnamese, e.g. "the file was open in Excel"
    # metric code -> (year, value) of every year of the history with a value, this year's from the merge;
    # None: no history (merge/track.py attach_tracks sets it)
    series: dict[str, tuple[tuple[int, float], ...]] | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]
