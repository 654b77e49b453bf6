"""The merge result for people and machines: the console summary and the ``--json`` object.

The findings workbook is ``findings_workbook``; the summary workbook is ``summary``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ctre_xl.plan.catalog import Catalog
from ctre_xl.merge.compute import describe_value
from ctre_xl.text import format_number
from ctre_xl.merge.model import MergeResult
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.vocab import FileStatus, MetricStatus

ERRORS_LISTED = 20


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
             "remark": m.remark, "by_unit": m.by_unit}
            for m in result.metrics
        ],
        "units": [
            {"id": u.id, "name": u.name, "kind": u.kind, "received": u.received, "on_time": u.on_time,
             "file": u.file, "report_date": u.report_date.isoformat() if u.report_date else None,
             "errors": u.errors, "warnings": u.warnings}
            for u in result.units
        ],
        "totals": result.totals,
        "outputs": dict(result.outputs),
        "notices": list(result.notices),
    }


# ----------------------------------------------------------------------------- console


def console_summary(result: MergeResult, catalog: Catalog) -> str:
    """What a person reads after ``ctre-xl merge``: counts, problems, missing units, where to look."""
    return "\n".join([*_file_lines(result), *_finding_lines(result), *_unit_lines(result),
                      *_metric_lines(result, catalog), *_output_lines(result)])


def _file_lines(result: MergeResult) -> list[str]:
    statuses = Counter(r.status for r in result.files)
    lines = [
        f"Tổng hợp báo cáo năm {result.year}",
        f"Tệp đã đọc: {len(result.files)} — hợp lệ: {statuses[FileStatus.ACCEPTED]}, "
        f"bị từ chối: {statuses[FileStatus.REJECTED]}, bị thay thế: {statuses[FileStatus.SUPERSEDED]}, "
        f"bỏ qua: {statuses[FileStatus.SKIPPED]}.",
    ]
    previous = [r for r in result.files if r.status == FileStatus.SKIPPED and r.year == result.year - 1]
    if previous:  # last year's reports are expected in the inbox: one line, not forty
        lines.append(f"  [Bỏ qua] {len(previous)} tệp báo cáo năm {result.year - 1}: chỉ dùng làm số liệu năm trước "
                     "để so sánh.")
    for record in result.files:
        if record in previous:
            continue
        if record.status != FileStatus.ACCEPTED:
            lines.append(f"  [{record.status.label}] {record.path}: {record.reason}")
    return lines


def _finding_lines(result: MergeResult) -> list[str]:
    errors, warnings = result.errors, result.warnings
    lines = [f"Lỗi: {len(errors)}, cảnh báo: {len(warnings)}."
             + (" Chi tiết từng lỗi, cảnh báo: xem danh sách kiểm tra." if result.findings else "")]
    for finding in errors[:ERRORS_LISTED]:
        lines.append(f"  - {_where(finding)}: {finding.message}")
    if len(errors) > ERRORS_LISTED:
        lines.append(f"  … và {len(errors) - ERRORS_LISTED} lỗi khác (xem tệp kiểm tra).")
    return lines


def _unit_lines(result: MergeResult) -> list[str]:
    expected = len(result.units)
    received = [u for u in result.units if u.received]
    late = [u for u in received if u.on_time is False]
    missing = [u for u in result.units if not u.received]
    lines = [f"Đơn vị đã nộp: {len(received)}/{expected}; đúng hạn: {len(received) - len(late)}, "
             f"muộn: {len(late)}, chưa nộp: {len(missing)}."]
    if late:
        lines.append("  Nộp muộn: " + ", ".join(u.name for u in late))
    if missing:
        lines.append("  Chưa nộp: " + ", ".join(u.name for u in missing))
    return lines


def _metric_lines(result: MergeResult, catalog: Catalog) -> list[str]:
    counts = Counter(m.status for m in result.metrics)
    lines = [f"Chỉ tiêu ({len(result.metrics)}): "
             + ", ".join(f"{status.label} {counts[status]}" for status in MetricStatus) + "."]
    for metric in result.metrics:
        if metric.status == MetricStatus.NOT_MET:
            definition = catalog.metric_by_code.get(metric.code)
            shown = describe_value(definition, metric) if definition else format_number(metric.value or 0)
            target = format_number(round(metric.target, 2)) if metric.target is not None else "—"
            sign = metric.operator.sign if metric.operator else ""
            lines.append(f"  {metric.code} chưa đạt: {shown} (mục tiêu {sign} {target})")
    on_errors = [m.code for m in result.metrics if m.on_error_figures]
    if on_errors:
        lines.append("Chỉ tiêu dựa trên số liệu có lỗi: " + ", ".join(on_errors))
    return lines


def _output_lines(result: MergeResult) -> list[str]:
    lines = []
    if result.outputs:
        lines.append("Kết quả:")
        labels = {"summary": "Báo cáo tổng hợp", "findings": "Danh sách kiểm tra"}
        for kind, path in result.outputs.items():
            lines.append(f"  {labels.get(kind, kind)}: {path}")
    return lines + [f"Lưu ý: {notice}" for notice in result.notices]


def _where(finding: Finding) -> str:
    parts = [finding.file or "Toàn xã"]
    if finding.sheet:
        parts.append(f"trang “{finding.sheet}”")
    if finding.cell:
        parts.append(f"ô {finding.cell}")
    return ", ".join(parts)
