"""The merge result for people and machines: the console summary and the ``--json`` object.

The findings workbook is ``findings_workbook``; the summary workbook is ``summary``.
"""

from __future__ import annotations

from pathlib import Path

from collections import Counter
from typing import Any

from ctre_xl.plan.catalog import Catalog
from ctre_xl.limits import names_cell
from ctre_xl.merge.compute import describe_value
from ctre_xl.text import format_number
from ctre_xl.merge.model import MergeResult, MetricResult
from ctre_xl.output.chase import merge_counts_line
from ctre_xl.output.summary.sheets import PROGRESS_SHEET
from ctre_xl.output.standing import (ON_THE_WAY, count_statuses, counts_text, coverage_text, indicators_of,
                                     track_summary, unit_kinds)
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.vocab import FileStatus, MetricStatus

ERRORS_LISTED = 20
# A list of units on one console line: whole names up to about five lines of a console, then
# "… và 950 đơn vị khác (xem trang “Tiến độ nộp”)" (a province's inbox misses hundreds of schools).
NAMES_CHARS = 400


# ----------------------------------------------------------------------------- JSON


def result_as_dict(result: MergeResult) -> dict[str, Any]:
    """The ``ctre-xl merge --json`` contract (issue 3), plus a few documented extras."""
    return {
        "year": result.year,
        "files": [
            {"path": r.path, "unit": r.unit, "status": r.status, "reason": r.reason, "year": r.year,
             "sha256": r.sha256}
            for r in result.files
        ],
        "issues": [
            {"file": f.file, "unit": f.unit, "sheet": f.sheet, "cell": f.cell, "code": f.code,
             "severity": f.severity, "message": f.message, "kind": f.kind}
            for f in result.findings
        ],
        "metrics": [
            {"code": m.code, "value": m.value, "numerator": m.numerator, "denominator": m.denominator,
             "target": m.target, "operator": m.operator, "target_year": m.target_year, "status": m.status,
             "on_error_figures": m.on_error_figures, "previous_value": m.previous_value, "change": m.change,
             "remark": m.remark, "by_unit": m.by_unit,
             "coverage": m.coverage.as_dict() if m.coverage is not None else None, "gap": m.gap,
             "track": m.track}
            for m in result.metrics
        ],
        "indicators": [indicator.as_dict() for indicator in result.indicators],
        "units": [
            {"id": u.id, "name": u.name, "kind": u.kind, "received": u.received, "on_time": u.on_time,
             "file": u.file, "report_date": u.report_date.isoformat() if u.report_date else None,
             "errors": u.errors, "warnings": u.warnings, "blank": u.blank,
             "sent_on": u.sent_on.isoformat() if u.sent_on else None, "sent_evidence": u.sent_evidence or None,
             "missing_figures": list(u.missing_figures)}
            for u in result.units
        ],
        "totals": result.totals,
        "outputs": dict(result.outputs),
        "feedback": dict(result.feedback),
        "corrections": {unit: [change.as_dict() for change in changes]
                        for unit, changes in result.corrections.items()},
        "notices": list(result.notices),
    }


# ----------------------------------------------------------------------------- console


def console_summary(result: MergeResult, catalog: Catalog) -> str:
    """What a person reads after ``ctre-xl merge``: counts, problems, missing units, where to look."""
    return "\n".join([*_file_lines(result), *_finding_lines(result), *_unit_lines(result),
                      *_metric_lines(result, catalog), *_output_lines(result), merge_counts_line(result)])


def _file_lines(result: MergeResult) -> list[str]:
    statuses = {status: format_number(count) for status, count in Counter(r.status for r in result.files).items()}
    lines = [
        f"Tổng hợp báo cáo năm {result.year}",
        f"Tệp đã đọc: {format_number(len(result.files))} — hợp lệ: {statuses.get(FileStatus.ACCEPTED, 0)}, "
        f"bị từ chối: {statuses.get(FileStatus.REJECTED, 0)}, bị thay thế: {statuses.get(FileStatus.SUPERSEDED, 0)}, "
        f"bỏ qua: {statuses.get(FileStatus.SKIPPED, 0)}.",
    ]
    previous = [r for r in result.files if r.status == FileStatus.SKIPPED and r.year == result.year - 1]
    if previous:  # last year's reports are expected in the inbox: one line, not forty
        lines.append(f"  [Bỏ qua] {format_number(len(previous))} tệp báo cáo năm {result.year - 1}: chỉ dùng làm "
                     "số liệu năm trước để so sánh.")
    for record in result.files:
        if record in previous:
            continue
        if record.status != FileStatus.ACCEPTED:
            lines.append(f"  [{record.status.label}] {record.path}: {record.reason}")
    return lines


def _finding_lines(result: MergeResult) -> list[str]:
    errors, warnings = result.errors, result.warnings
    lines = [f"Lỗi: {format_number(len(errors))}, cảnh báo: {format_number(len(warnings))}."
             + (" Chi tiết từng lỗi, cảnh báo: xem danh sách kiểm tra." if result.findings else "")]
    for finding in errors[:ERRORS_LISTED]:
        lines.append(f"  - {_where(finding)}: {finding.message}")
    if len(errors) > ERRORS_LISTED:
        lines.append(f"  … và {format_number(len(errors) - ERRORS_LISTED)} lỗi khác (xem tệp kiểm tra).")
    return lines


def _unit_lines(result: MergeResult) -> list[str]:
    expected = len(result.units)
    received = [u for u in result.units if u.received]
    late = [u for u in received if u.on_time is False]
    missing = [u for u in result.units if not u.received]
    on_time = len(received) - len(late)
    lines = [f"Đơn vị đã nộp: {format_number(len(received))}/{format_number(expected)}; "
             f"đúng hạn: {format_number(on_time)}, muộn: {format_number(len(late))}, "
             f"chưa nộp: {format_number(len(missing))}."]
    if late:
        lines.append("  Nộp muộn: " + _names([u.name for u in late]))
    if missing:
        lines.append("  Chưa nộp: " + _names([u.name for u in missing]))
    return lines


def _names(names: list[str]) -> str:
    return names_cell(names, PROGRESS_SHEET, limit=NAMES_CHARS, separator=", ")


def _metric_lines(result: MergeResult, catalog: Catalog) -> list[str]:
    """The plan's indicators by status (the measured parts in brackets), then the indicators not
    met and those without a verdict for want of figures, each with its parts."""
    indicators = indicators_of(result, catalog)
    by_indicator = count_statuses(indicator.status for indicator in indicators.values())
    by_metric = count_statuses(metric.status for metric in result.metrics)
    lines = [f"{len(indicators)} chỉ tiêu: {counts_text(by_indicator) or 'chưa có kết quả'} "
             f"({len(result.metrics)} số đo: {counts_text(by_metric) or 'chưa có kết quả'})."]
    if any(metric.status in ON_THE_WAY for metric in result.metrics):
        when = "là năm gốc của Kế hoạch" if result.year == catalog.first_year else "chưa đến hạn đánh giá"
        lines.append(f"  Năm {result.year} {when}: các chỉ tiêu được so với mục tiêu "
                     f"{catalog.target_year(result.year)}; phần còn phải đạt ghi trong báo cáo tổng hợp.")
        if track_summary(result, catalog):
            lines.append(f"  {track_summary(result, catalog)}")
    by_code = {metric.code: metric for metric in result.metrics}
    for status in (MetricStatus.NOT_MET, MetricStatus.INCOMPLETE):
        for indicator in indicators.values():
            if indicator.status != status:
                continue
            lines.append(f"  Chỉ tiêu {indicator.number} {status.label.lower()}: {indicator.name}")
            lines += [f"    {_part_text(by_code[code], catalog, result)}" for code in indicator.parts if code in by_code]
    on_errors = [m.code for m in result.metrics if m.on_error_figures]
    if on_errors:
        lines.append("Chỉ tiêu dựa trên số liệu có lỗi: " + ", ".join(on_errors))
    return lines


def _part_text(metric: MetricResult, catalog: Catalog, result: MergeResult) -> str:
    """"CT17b: 0,25% — chưa đạt (mục tiêu < 0,12%)", "CT07: 100% — chưa đủ số liệu (4/5 trường; thiếu: …)"."""
    definition = catalog.metric_by_code.get(metric.code)
    shown = describe_value(definition, metric) if definition else format_number(metric.value or 0)
    status = MetricStatus(metric.status)
    text = f"{metric.code}: {status.label.lower()}" if metric.value is None else \
        f"{metric.code}: {shown} — {status.label.lower()}"
    if status.is_verdict and metric.target is not None:
        suffix = definition.scale.suffix if definition else ""
        sign = metric.operator.sign if metric.operator else ""
        return f"{text} (mục tiêu {sign} {format_number(round(metric.target, 2))}{suffix})"
    if status == MetricStatus.INCOMPLETE and metric.coverage is not None:
        names = {unit.id: unit.name or unit.id for unit in result.units}
        missing = _names([names.get(unit, unit) for unit in metric.coverage.missing])
        return f"{text} ({coverage_text(metric.coverage, unit_kinds(result))}; thiếu: {missing})"
    return text


def _output_lines(result: MergeResult) -> list[str]:
    lines = []
    if result.outputs:
        lines.append("Kết quả:")
        labels = {"summary": "Báo cáo tổng hợp", "findings": "Danh sách kiểm tra", "reminders": "Tin nhắn nhắc nộp"}
        for kind, path in result.outputs.items():
            lines.append(f"  {labels.get(kind, kind)}: {path}")
        if result.feedback:
            folder = Path(next(iter(result.feedback.values()))).parent
            lines.append(f"  Tệp phản hồi gửi lại đơn vị cần sửa: {format_number(len(result.feedback))} tệp trong {folder}")
    return lines + [f"Lưu ý: {notice}" for notice in result.notices]


def _where(finding: Finding) -> str:
    parts = [finding.file or "Toàn xã"]
    if finding.sheet:
        parts.append(f"trang “{finding.sheet}”")
    if finding.cell:
        parts.append(f"ô {finding.cell}")
    return ", ".join(parts)
