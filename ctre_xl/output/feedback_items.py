"""What a feedback workbook is made of: the unit, its return that counts, and each thing to fix."""

from __future__ import annotations

from dataclasses import dataclass, field

from ctre_xl.merge.model import Change
from ctre_xl.plan.finding_kinds import KINDS
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.units import Unit
from ctre_xl.plan.vocab import Severity
from ctre_xl.read.model import Submission

Place = tuple[str, int, int]  # sheet, row, column of the feedback workbook (0-based)


@dataclass(frozen=True)
class Item:
    """One thing to fix and the cells of the feedback workbook it is marked on."""

    finding: Finding
    places: tuple[Place, ...]

    @property
    def text(self) -> str:
        """"Lỗi: <what is wrong>" and, unless the message says it already, "Cách sửa: <fix>"."""
        message = self.finding.message.strip()
        info = KINDS.get(self.finding.kind)  # type: ignore[call-overload]  # a StrEnum key: its text finds it
        fix = info.fix if info is not None else ""
        said = fix.rstrip(".").casefold() in message.casefold()
        return f"{self.finding.severity.label}: {message}" + ("" if said or not fix else f"\nCách sửa: {fix}")


@dataclass
class UnitFeedback:
    """A unit with something to fix: its return that counts (None: it sent only blanks) and the items."""

    unit: Unit
    submission: Submission | None
    items: list[Item] = field(default_factory=list)
    changes: list[Change] | None = None  # None: the unit sent once

    @property
    def blank(self) -> bool:
        return self.submission is None

    def count(self, severity: Severity) -> int:
        return sum(1 for item in self.items if item.finding.severity == severity)
