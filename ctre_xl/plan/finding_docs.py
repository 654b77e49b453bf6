"""The README's list of every finding, generated from the catalogue of findings.

Regenerate it with ``python3 -m ctre_xl.plan.finding_docs README.md``.
"""

from __future__ import annotations

from pathlib import Path

from ctre_xl.plan.finding_info import Group
from ctre_xl.plan.finding_kinds import FindingKind

README_START, README_END = "<!-- finding-kinds:start -->", "<!-- finding-kinds:end -->"


def severity_text(kind: FindingKind) -> str:
    """How serious a kind is, in Vietnamese, for the README."""
    info = kind.info
    if info.severity is None:
        return "Lỗi hoặc cảnh báo (theo quy tắc)"
    found = {info.severity, *info.severities.values()}
    return info.severity.label if len(found) == 1 else "Lỗi hoặc cảnh báo"


def readme_block() -> str:
    """The README's list of findings, between its markers (``python -m ctre_xl.plan.finding_kinds``)."""
    lines = [README_START]
    for group in Group:
        lines += ["", f"**{group.label}**", ""]
        for kind in (kind for kind in FindingKind if kind.info.group is group):
            info = kind.info
            lines.append(f"- {info.summary} — {severity_text(kind).lower()}; cách sửa: "
                         f"{info.fix[0].lower()}{info.fix[1:]} (`{kind.value}`)")
    return "\n".join([*lines, "", README_END])


def update_readme(path: Path) -> bool:
    """Rewrite the block between the markers of ``path``; True if it changed."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(README_START)
    _, _, tail = rest.partition(README_END)
    updated = head + readme_block() + tail
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    import sys
    update_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
