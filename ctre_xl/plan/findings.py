"""A problem found in what units sent, as every stage reports it (never raised)."""

from __future__ import annotations

from dataclasses import dataclass

from ctre_xl.plan.vocab import Severity


@dataclass(frozen=True)
class Finding:
    """One validation problem, reported with everything else found (never raised)."""

    file: str  # path relative to the inbox ("" for commune-level findings)
    unit: str | None
    sheet: str | None
    cell: str | None  # A1 reference
    code: str | None  # element or metric code the finding is about
    severity: Severity
    message: str  # Vietnamese, says what to fix
    kind: str = ""  # machine-readable problem id, e.g. "negative", "password_protected"
