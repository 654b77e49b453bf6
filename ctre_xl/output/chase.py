"""Who to chase: where every unit stands with its return, for ``ctre-xl status`` and the end of ``merge``.

Each expected unit is in one state (``plan.vocab.ReturnState``), the first that applies: not sent,
sent blank, sent with errors, sent late, fine. The MTTQ and the đoàn thể are listed apart as
optional ("không bắt buộc"): their narrative is welcome, never chased. The contact is the one in
``don-vi.xlsx``, else the preparer named in the return.

The reminders file ``nhac-nop.txt`` holds one short, polite message per unit to chase, ready to
paste into Zalo or an e-mail: the file to attach (the unit's template when it has sent nothing
usable, its feedback workbook when its return has errors) and the deadline, or, once the deadline
has passed, a request to send as soon as possible. It is UTF-8 with a BOM and CRLF line ends, so
that Notepad on Windows shows the Vietnamese letters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ctre_xl.files import Workspace
from ctre_xl.merge.model import MergeResult, UnitStatus
from ctre_xl.output.feedback import FEEDBACK_DIR
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.units import Registry, Unit
from ctre_xl.plan.vocab import FileStatus, ReturnState
from ctre_xl.text import format_date, format_number

REMINDERS_FILE = "nhac-nop.txt"
SEPARATOR = "-" * 60
# Paths named to the official: relative to the workspace, the way its folders show them.
_WORKSPACE = Workspace(Path())


@dataclass(frozen=True)
class Standing:
    """One unit's state for the year, with what the official needs to chase it."""

    unit: Unit
    state: ReturnState
    status: UnitStatus | None  # the merge's view of an expected unit; None for an optional one
    sent: bool = False  # an optional unit: its narrative came in
    send_back: str = ""  # the file to attach to the reminder (relative to the workspace), "" if none
    refused: str = ""  # a unit with no return: why the file it did send was refused (FileRecord.reason)

    @property
    def contact(self) -> str:
        """Who to reach: the contact in don-vi.xlsx, else the preparer named in the return."""
        if self.unit.contact:
            return self.unit.contact
        if self.status is None:
            return ""
        return ", ".join(part for part in (self.status.preparer, self.status.phone) if part)


@dataclass(frozen=True)
class ChaseReport:
    """Every unit's standing for ``year``, and where the reminders went once written."""

    year: int
    deadline: str  # Catalog.deadline_text
    last_day: date  # the last day on time
    made_on: date  # the day the report was made
    overdue: bool  # the deadline has passed (today is after the last day on time)
    standings: tuple[Standing, ...]
    reminders: str = ""  # path of nhac-nop.txt, once written
    notices: tuple[str, ...] = ()  # what the console says beside the list (a history that could not be read)

    @property
    def to_chase(self) -> list[Standing]:
        return [s for s in self.standings if s.state.to_chase]

    def counts(self) -> Counter[ReturnState]:
        return Counter(s.state for s in self.standings)


def today() -> date:
    """Today, for the deadline's "passed or not" (one place, so tests can set the day)."""
    return date.today()


def state_of(status: UnitStatus) -> ReturnState:
    """An expected unit's state, the first that applies (an erroneous late return is "có lỗi")."""
    if not status.received:
        return ReturnState.BLANK if status.blank else ReturnState.NOT_SENT
    if status.errors:
        return ReturnState.ERRORS
    return ReturnState.LATE if status.on_time is False else ReturnState.FINE


def send_back_path(state: ReturnState, unit_id: str, year: int) -> str:
    """The file to attach: the template when nothing usable came in, the feedback workbook for errors."""
    if state in (ReturnState.NOT_SENT, ReturnState.BLANK):
        return (_WORKSPACE.templates_dir(year) / f"{unit_id}.xlsx").as_posix()
    if state == ReturnState.ERRORS:
        return (_WORKSPACE.outbox_dir(year) / FEEDBACK_DIR / f"{unit_id}.xlsx").as_posix()
    return ""


def chase_report(result: MergeResult, catalog: Catalog, registry: Registry, day: date | None = None) -> ChaseReport:
    """Every expected unit (the merge's order), then the optional ones, each with its state, as of
    ``day`` (default today)."""
    standings: list[Standing] = []
    refused = {r.unit: r.reason for r in result.files
               if r.status == FileStatus.REJECTED and r.unit and r.year in (None, result.year)}
    for status in result.units:
        unit = registry.get(status.id) or Unit(id=status.id, name=status.name, kind=status.kind, elements=())
        state = state_of(status)
        standings.append(Standing(unit, state, status, send_back=send_back_path(state, unit.id, result.year),
                                  refused=refused.get(unit.id, "") if state == ReturnState.NOT_SENT else ""))
    for unit in registry.optional:
        standings.append(Standing(unit, ReturnState.OPTIONAL, None, sent=unit.id in result.submissions))
    last_day, made_on = catalog.last_day_on_time(result.year), day or today()
    return ChaseReport(year=result.year, deadline=catalog.deadline_text(result.year), last_day=last_day,
                       made_on=made_on, overdue=made_on > last_day, standings=tuple(standings))


# ----------------------------------------------------------------------------- console and JSON


def merge_counts_line(result: MergeResult) -> str:
    """The line ``merge`` ends with: the same counts as ``status``, and where the messages went."""
    return counts_line(Counter(state_of(status) for status in result.units), result.outputs.get("reminders", ""))


def counts_line(counts: Counter[ReturnState], reminders: str) -> str:
    """"Cần nhắc: 2 chưa nộp, 1 gửi biểu mẫu trống, 1 có lỗi — xem outbox/2026/nhac-nop.txt"."""
    parts = [f"{counts[state]} {state.label.lower()}" for state in ReturnState if state.to_chase and counts[state]]
    where = f" — xem {reminders}" if reminders else ""
    if not parts:
        return f"Không cần nhắc đơn vị nào: mọi đơn vị phải nộp đã nộp, không có lỗi{where}."
    return f"Cần nhắc: {', '.join(parts)}{where}"


def status_text(report: ChaseReport) -> str:
    """``ctre-xl status``: the counts, then every unit under its state, then where the messages are."""
    counts = report.counts()
    required = [s for s in report.standings if s.state != ReturnState.OPTIONAL]
    passed = ", đã qua hạn" if report.overdue else ""
    lines = [f"Tình hình nộp báo cáo năm {report.year} — hạn nộp {report.deadline}{passed}.",
             f"Đơn vị phải nộp: {format_number(len(required))} — " + ", ".join(
                 f"{state.label.lower()}: {format_number(counts[state])}" for state in ReturnState if state != ReturnState.OPTIONAL)
             + "."]
    for state in ReturnState:
        group = [s for s in report.standings if s.state == state]
        if not group:
            continue
        title = "Không bắt buộc (MTTQ, đoàn thể)" if state == ReturnState.OPTIONAL else state.label
        lines.append(f"{title} ({format_number(len(group))}):")
        lines += [f"  - {_unit_line(standing)}" for standing in group]
    lines.append(counts_line(counts, report.reminders))
    return "\n".join(lines)


def _unit_line(standing: Standing) -> str:
    status, parts = standing.status, [f"{standing.unit.name} [{standing.unit.id}]"]
    if standing.state == ReturnState.OPTIONAL:
        parts.append("đã gửi ý kiến" if standing.sent else "chưa gửi ý kiến")
    elif status is not None and status.received:
        counted = [f"{n} {what}" for n, what in ((status.errors, "lỗi"), (status.warnings, "cảnh báo")) if n]
        if counted:
            parts.append(", ".join(counted))
        if status.sent_on is not None:
            parts.append(f"gửi ngày {format_date(status.sent_on)}" + (" (muộn)" if status.on_time is False else ""))
    if standing.refused:
        parts.append(f"tệp gửi về bị từ chối: {standing.refused}")
    source = "liên hệ" if standing.unit.contact else "người lập báo cáo"
    if standing.contact:
        parts.append(f"{source}: {standing.contact}")
    elif standing.state.to_chase:
        parts.append("chưa có liên hệ (nhập vào don-vi.xlsx)")
    return " — ".join(parts)


def status_as_dict(report: ChaseReport) -> dict[str, Any]:
    """``ctre-xl status --json``: the same list for machines."""
    counts = report.counts()
    return {
        "year": report.year, "deadline": report.deadline, "last_day_on_time": report.last_day.isoformat(),
        "overdue": report.overdue, "counts": {str(state): counts[state] for state in ReturnState},
        "units": [_standing_dict(standing) for standing in report.standings],
        "reminders": report.reminders or None,
    }


def _standing_dict(standing: Standing) -> dict[str, Any]:
    status = standing.status
    return {
        "id": standing.unit.id, "name": standing.unit.name, "kind": standing.unit.kind,
        "required": standing.state != ReturnState.OPTIONAL, "state": str(standing.state),
        "label": standing.state.label, "to_chase": standing.state.to_chase,
        "contact": standing.unit.contact or None,
        "preparer": (status.preparer or None) if status else None, "phone": (status.phone or None) if status else None,
        "received": status.received if status else standing.sent,
        "errors": status.errors if status else 0, "warnings": status.warnings if status else 0,
        "on_time": status.on_time if status else None,
        "sent_on": status.sent_on.isoformat() if status and status.sent_on else None,
        "file": status.file if status else None, "send_back": standing.send_back or None,
        "missing_figures": list(status.missing_figures) if status else [],
        "refused": standing.refused or None,
    }


# ----------------------------------------------------------------------------- the reminders file


def reminders_text(report: ChaseReport, catalog: Catalog) -> str:
    """The content of nhac-nop.txt ("\\n" line ends: ``write_reminders`` makes them CRLF)."""
    chase = report.to_chase
    lines = [f"NHẮC NỘP BÁO CÁO NĂM {report.year} — {catalog.commune}",
             f"Lập ngày {format_date(report.made_on)}: {format_number(len(chase))} đơn vị cần nhắc. Mỗi tin nhắn dưới đây "
             "chép gửi qua Zalo hoặc e-mail cho đơn vị, kèm tệp ghi ở dòng “Gửi kèm”."]
    if not chase:
        lines.append("Không cần nhắc đơn vị nào: mọi đơn vị phải nộp đã nộp, không có lỗi.")
    for number, standing in enumerate(chase, start=1):
        lines += ["", SEPARATOR, f"{number}. {standing.unit.name} — {standing.state.label.lower()}",
                  f"Liên hệ: {standing.contact or 'chưa có (nhập vào don-vi.xlsx)'}",
                  f"Gửi kèm: {standing.send_back}", "", *reminder(standing, report, catalog)]
    return "\n".join(lines) + "\n"


def reminder(standing: Standing, report: ChaseReport, catalog: Catalog) -> list[str]:
    """One unit's message: greeting, what is missing, the file to send back, by when."""
    name, year, status = standing.unit.name, report.year, standing.status
    attached = Path(standing.send_back).name
    when = (f"sớm nhất có thể (hạn nộp chậm nhất ngày {format_date(report.last_day)} đã qua)" if report.overdue
            else report.deadline)
    send = f"gửi về {catalog.send_to} {when}."
    if standing.state == ReturnState.BLANK:
        body = (f"Tệp báo cáo năm {year} đơn vị gửi về chưa có số liệu nào (biểu mẫu còn trống). "
                f"Đề nghị đơn vị điền số liệu vào biểu mẫu gửi kèm ({attached}) và {send}")
    elif standing.state == ReturnState.ERRORS and status is not None:
        sent = f" gửi ngày {format_date(status.sent_on)}" if status.sent_on else ""
        also = f" và {status.warnings} cảnh báo cần xem lại" if status.warnings else ""
        body = (f"Báo cáo năm {year} đơn vị{sent} còn {status.errors} lỗi cần sửa{also}. Các ô cần sửa đã được "
                f"tô màu, kèm ghi chú cách sửa, trong tệp gửi kèm ({attached}). Đề nghị đơn vị sửa ngay trên tệp "
                f"đó, lưu lại và {send}")
    elif standing.refused:
        body = (f"Tệp báo cáo năm {year} đơn vị gửi về chưa dùng được: {standing.refused.rstrip('.')}. "
                f"Đề nghị đơn vị điền biểu mẫu gửi kèm ({attached}) và {send}")
    else:
        body = (f"Báo cáo năm {year} thực hiện Kế hoạch hành động vì trẻ em của đơn vị hiện chưa được gửi về. "
                f"Đề nghị đơn vị điền biểu mẫu gửi kèm ({attached}) và {send}")
    return [f"Kính gửi {name},", body, "Trân trọng cảm ơn!"]


def write_reminders(text: str, path: Path) -> Path:
    """Write ``text`` as Notepad on Windows reads Vietnamese: UTF-8 with a BOM, CRLF line ends."""
    Path(path).write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8-sig"))
    return Path(path)
