"""How findings are listed to people: the same order and wording in every output."""

from __future__ import annotations

from ctre_xl.plan.findings import Finding
from ctre_xl.plan.vocab import Severity

WHOLE_COMMUNE = "(toàn xã)"  # shown where a finding is about the commune totals, not one file


def errors_first(findings: list[Finding]) -> list[Finding]:
    """Errors, then warnings; otherwise in the order the merge sorted them (a stable sort)."""
    return sorted(findings, key=lambda finding: 0 if finding.severity == Severity.ERROR else 1)
