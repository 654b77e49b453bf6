"""What the catalogue of findings says of each kind: its group, severity, words and variants.

The table itself is ``finding_kinds.KINDS``; these are its building blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from ctre_xl.plan.vocab import LabelledWord, Severity


class Group(LabelledWord):
    """Where in the cycle a kind is found; the README lists the kinds under these headings."""

    FILE = "file", "Tệp không đọc được (tệp bị từ chối)"
    IDENTITY = "identity", "Tệp không phải báo cáo dùng được"
    STRUCTURE = "structure", "Biểu mẫu bị sửa"
    CELL = "cell", "Số liệu trong từng ô"
    CHECK = "check", "Đối chiếu số liệu"
    HISTORY = "history", "Nhập số liệu các năm trước (ctre-xl history import)"


@dataclass(frozen=True)
class KindInfo:
    group: Group
    severity: Severity | None  # None: set where detected (by the catalogue rule that failed)
    summary: str  # Vietnamese: what was found
    fix: str  # Vietnamese: what the unit (or the commune) does about it
    messages: Mapping[str, str]  # variant -> template
    severities: Mapping[str, Severity] = field(default_factory=dict)  # variants of another severity


def k(group: Group, severity: Severity | None, summary: str, fix: str, message: str | None = None, *,
       severities: Mapping[str, Severity] | None = None, **variants: str) -> KindInfo:
    messages = ({"": message} if message is not None else {}) | variants
    return KindInfo(group, severity, summary, fix, messages, dict(severities or {}))
