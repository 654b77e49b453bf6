"""The merge result for people and machines: console summary, JSON, findings workbook."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from ctre_xl.plan.catalog import Catalog
from ctre_xl.merge.compute import describe_value
from ctre_xl.files import atomic_write
from ctre_xl.template.layout import format_number
from ctre_xl.model import (ACCEPTED, ERROR, NO_DATA, NOT_APPLICABLE, NO_TARGET, MET, NOT_MET, REJECTED, SKIPPED,
                    STATUS_LABELS, SUPERSEDED, WHOLE_COMMUNE, Finding, MergeResult, errors_first)

ERRORS_LISTED = 20
SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}
FINDINGS_HEADERS = ("Tệp", "Đơn vị", "Trang", "Ô", "Mã", "Mức độ", "Nội dung")


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
    statuses = Counter(r.status for r in result.files)
    lines = [
        f"Tổng hợp báo cáo năm {result.year}",
        f"Tệp đã đọc: {len(result.files)} — hợp lệ: {statuses[ACCEPTED]}, bị từ chối: {statuses[REJECTED]}, "
        f"bị thay thế: {statuses[SUPERSEDED]}, bỏ qua: {statuses[SKIPPED]}.",
    ]
    previous = [r for r in result.files if r.status == SKIPPED and r.year == result.year - 1]
    if previous:  # last year's reports are expected in the inbox: one line, not forty
        lines.append(f"  [Bỏ qua] {len(previous)} tệp báo cáo năm {result.year - 1}: chỉ dùng làm số liệu năm trước "
                     "để so sánh.")
    for record in result.files:
        if record in previous:
            continue
        if record.status in (REJECTED, SUPERSEDED, SKIPPED):
            label = {REJECTED: "Từ chối", SUPERSEDED: "Thay thế", SKIPPED: "Bỏ qua"}[record.status]
            lines.append(f"  [{label}] {record.path}: {record.reason}")

    errors, warnings = result.errors, result.warnings
    lines.append(f"Lỗi: {len(errors)}, cảnh báo: {len(warnings)}."
                 + (" Chi tiết từng lỗi, cảnh báo: xem danh sách kiểm tra." if result.findings else ""))
    for finding in errors[:ERRORS_LISTED]:
        lines.append(f"  - {_where(finding)}: {finding.message}")
    if len(errors) > ERRORS_LISTED:
        lines.append(f"  … và {len(errors) - ERRORS_LISTED} lỗi khác (xem tệp kiểm tra).")

    expected = len(result.units)
    received = [u for u in result.units if u.received]
    late = [u for u in received if u.on_time is False]
    missing = [u for u in result.units if not u.received]
    lines.append(f"Đơn vị đã nộp: {len(received)}/{expected}; đúng hạn: {len(received) - len(late)}, "
                 f"muộn: {len(late)}, chưa nộp: {len(missing)}.")
    if late:
        lines.append("  Nộp muộn: " + ", ".join(u.name for u in late))
    if missing:
        lines.append("  Chưa nộp: " + ", ".join(u.name for u in missing))

    counts = Counter(m.status for m in result.metrics)
    lines.append(
        f"Chỉ tiêu ({len(result.metrics)}): {STATUS_LABELS[MET]} {counts[MET]}, "
        f"{STATUS_LABELS[NOT_MET]} {counts[NOT_MET]}, {STATUS_LABELS[NO_DATA]} {counts[NO_DATA]}, "
        f"{STATUS_LABELS[NOT_APPLICABLE]} {counts[NOT_APPLICABLE]}, {STATUS_LABELS[NO_TARGET]} {counts[NO_TARGET]}."
    )
    for metric in result.metrics:
        if metric.status == NOT_MET:
            definition = catalog.metric_by_code.get(metric.code)
            shown = describe_value(definition, metric) if definition else format_number(metric.value or 0)
            target = format_number(round(metric.target, 2)) if metric.target is not None else "—"
            lines.append(f"  {metric.code} chưa đạt: {shown} (mục tiêu {_op(metric.operator)} {target})")
    on_errors = [m.code for m in result.metrics if m.on_error_figures]
    if on_errors:
        lines.append("Chỉ tiêu dựa trên số liệu có lỗi: " + ", ".join(on_errors))

    if result.outputs:
        lines.append("Kết quả:")
        labels = {"summary": "Báo cáo tổng hợp", "findings": "Danh sách kiểm tra"}
        for kind, path in result.outputs.items():
            lines.append(f"  {labels.get(kind, kind)}: {path}")
    lines += [f"Lưu ý: {notice}" for notice in result.notices]
    return "\n".join(lines)


def _where(finding: Finding) -> str:
    parts = [finding.file or "Toàn xã"]
    if finding.sheet:
        parts.append(f"trang “{finding.sheet}”")
    if finding.cell:
        parts.append(f"ô {finding.cell}")
    return ", ".join(parts)


def _op(operator: str | None) -> str:
    return {"<=": "≤", ">=": "≥", "<": "<", "=": "="}.get(operator or "", "")


# ----------------------------------------------------------------------------- findings workbook


def write_findings_workbook(result: MergeResult, path: Path) -> Path:
    """Every finding, errors first, in ``outbox/<year>/kiem-tra-<year>.xlsx``; returns where it went.

    Written with XlsxWriter to a temporary file and renamed into place; every cell is written as a
    string, so a unit's text such as "=HYPERLINK(...)" stays text, never a formula.
    """
    import xlsxwriter

    names = {u.id: u.name for u in result.units}
    ordered = errors_first(result.findings)
    with atomic_write(Path(path), allow_fallback=True) as (temporary, target):
        workbook = xlsxwriter.Workbook(str(temporary), {"strings_to_formulas": False, "strings_to_urls": False})
        base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top"}
        header = workbook.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        plain = workbook.add_format({**base, "text_wrap": True, "border": 1})
        error = workbook.add_format({**base, "border": 1, "font_color": "#9C0006", "bg_color": "#FFC7CE"})
        warning = workbook.add_format({**base, "border": 1, "font_color": "#9C5700", "bg_color": "#FFEB9C"})
        title = workbook.add_format({**base, "bold": True, "font_size": 14})
        sheet = workbook.add_worksheet("Kiểm tra")
        sheet.write_string(0, 0, f"Kết quả kiểm tra số liệu báo cáo năm {result.year}", title)
        counts = f"{len(result.errors)} lỗi, {len(result.warnings)} cảnh báo"
        sheet.write_string(1, 0, counts, workbook.add_format(base))
        first = 3
        for column, text in enumerate(FINDINGS_HEADERS):
            sheet.write_string(first, column, text, header)
        for offset, finding in enumerate(ordered, start=1):
            row = first + offset
            unit = names.get(finding.unit or "", finding.unit or "")
            cells = (finding.file or WHOLE_COMMUNE, unit, finding.sheet or "", finding.cell or "", finding.code or "")
            for column, text in enumerate(cells):
                sheet.write_string(row, column, text, plain)
            sheet.write_string(row, 5, SEVERITY_LABELS.get(finding.severity, finding.severity),
                               error if finding.severity == ERROR else warning)
            sheet.write_string(row, 6, finding.message, plain)
        if not ordered:
            sheet.write_string(first + 1, 0, "Không có lỗi hay cảnh báo nào.", plain)
        sheet.autofilter(first, 0, first + max(len(ordered), 1), len(FINDINGS_HEADERS) - 1)
        sheet.freeze_panes(first + 1, 0)
        for column, width in enumerate((38, 30, 14, 8, 26, 10, 90)):
            sheet.set_column(column, column, width)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(first)
        sheet.set_header(f"&L&\"Times New Roman\"Kiểm tra số liệu năm {result.year}&R&P/&N")
        workbook.close()
    return target.path
