"""Step 2 of the yearly cycle: read every returned workbook, validate, merge, compute the metrics.

``merge_inbox`` is pure (it reads the inbox and returns a ``MergeResult``; nothing is written and
the inbox is never modified); ``run_merge`` adds the output workbooks in ``outbox/<year>/``.

Decisions the issue left open, in one place:

* Files of the year before are read too: they give the previous-year values (CT13, CT21, the
  change of every metric, the ±50 % jump warning) and are listed as skipped, like any other year.
* Several accepted files of one unit and year: the latest report date in the file wins, then the
  latest modification time, then the path (so two runs always agree); the others are superseded
  with a reason that names the winner and what changed.
* A figure with an error (invalid itself, or on either side of a violated rule) is left out of
  the commune totals and the metrics that use it say so; with ``strict`` every figure of a unit
  with an error is left out.
"""

from __future__ import annotations

import gc
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ctre_xl.plan.catalog import Catalog
from ctre_xl.merge.compute import MetricContext, compute_metrics, element_totals
from ctre_xl.errors import WorkspaceError
from ctre_xl.files import Workspace
from ctre_xl.template.layout import format_number
from ctre_xl.model import (ACCEPTED, ERROR, REJECTED, SKIPPED, SUPERSEDED, WARNING, Fact, FileRecord, Finding,
                    MergeResult, Submission, UnitStatus)
from ctre_xl.plan.units import Registry
from ctre_xl.merge.validate import check_submission, compare_previous, failed_commune_rules
from ctre_xl.read.xlsx.workbook import parse_a1

PARALLEL_FROM = 24  # below this many files, starting worker processes costs more than it saves
WORKERS = 2
CHANGES_LISTED = 5  # how many changed figures a "superseded" reason names

Progress = Callable[[int], Any]


@dataclass
class _Read:
    """What the reader made of one file (a picklable ReadOutcome)."""

    record: FileRecord
    submission: Submission | None
    findings: list[Finding] = field(default_factory=list)


# ----------------------------------------------------------------------------- reading


_WORKER: dict[str, Any] = {}


def _init_worker(inbox: Path, catalog: Catalog, registry: Registry, allow_sample: bool) -> None:
    _WORKER.update(inbox=inbox, catalog=catalog, registry=registry, allow_sample=allow_sample)


def _read_in_worker(path: Path) -> _Read:
    return _read_one(path, _WORKER["inbox"], _WORKER["catalog"], _WORKER["registry"], _WORKER["allow_sample"])


def _read_one(path: Path, inbox: Path, catalog: Catalog, registry: Registry, allow_sample: bool) -> _Read:
    from ctre_xl.read.submission import read_submission

    try:
        outcome = read_submission(path, inbox, catalog, registry, allow_sample=allow_sample)
    except Exception as exc:  # one unreadable file must never stop the merge of forty others
        relative = _relative(path, inbox)
        reason = f"Không đọc được tệp ({type(exc).__name__}: {exc}). Mở bằng Excel, lưu lại rồi gửi lại."
        record = FileRecord(path=relative, unit=None, status=REJECTED, reason=reason)
        finding = Finding(file=relative, unit=None, sheet=None, cell=None, code=None, severity=ERROR,
                          message=reason, kind="read_failed")
        return _Read(record, None, [finding])
    return _Read(outcome.record, outcome.submission, list(outcome.findings))


def _relative(path: Path, inbox: Path) -> str:
    try:
        return Path(path).relative_to(inbox).as_posix()
    except ValueError:
        return Path(path).name


def read_all(paths: list[Path], inbox: Path, catalog: Catalog, registry: Registry, *,
             allow_sample: bool = False, progress: Progress | None = None) -> list[_Read]:
    """Read every file, on both cores when there are many; results in the order of ``paths``."""
    bar = progress(len(paths)) if progress is not None and paths else nullcontext()
    results: list[_Read] = []
    with bar as shown:
        def advance() -> None:
            if shown is not None:
                shown.update(1)

        if len(paths) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1:
            chunk = max(1, len(paths) // (WORKERS * 8))
            try:
                with ProcessPoolExecutor(WORKERS, initializer=_init_worker,
                                         initargs=(inbox, catalog, registry, allow_sample)) as pool:
                    for outcome in pool.map(_read_in_worker, paths, chunksize=chunk):
                        results.append(outcome)
                        advance()
                return results
            except (OSError, NotImplementedError, BrokenProcessPool):
                results.clear()  # no worker processes here (sandbox): read in this process
        for path in paths:
            results.append(_read_one(path, inbox, catalog, registry, allow_sample))
            advance()
    return results


# ----------------------------------------------------------------------------- merging


def merge_inbox(catalog: Catalog, registry: Registry, workspace: Workspace, year: int, *,
                strict: bool = False, progress: Progress | None = None,
                allow_sample: bool = False) -> MergeResult:
    """Read, identify, validate and merge every file of the inbox for ``year``."""
    with _without_cycle_collection():
        return _merge_inbox(catalog, registry, workspace, year, strict=strict, progress=progress,
                            allow_sample=allow_sample)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector for one merge.

    A merge builds tens of thousands of small objects that all stay alive until it returns (the
    submissions, their values and findings), so every full collection walks all of them again for
    nothing: ~20 % of the work after reading. Reference counting still frees everything else, and
    the collector is back (and runs on its own schedule) as soon as the merge returns.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _merge_inbox(catalog: Catalog, registry: Registry, workspace: Workspace, year: int, *,
                 strict: bool, progress: Progress | None, allow_sample: bool) -> MergeResult:
    from ctre_xl.read.collect import collect_files

    inbox = workspace.inbox
    if not inbox.is_dir():
        raise WorkspaceError(f"Không có thư mục nhận báo cáo {inbox}: tạo thư mục (ctre-xl init) và chép "
                             "các tệp các đơn vị gửi về vào đó.")
    paths, collected = collect_files(inbox)
    reads = read_all(sorted(paths), inbox, catalog, registry, allow_sample=allow_sample, progress=progress)
    records: list[FileRecord] = list(collected)
    findings: list[Finding] = []
    current: dict[str, list[_Read]] = {}
    previous: dict[str, list[_Read]] = {}
    for read in reads:
        records.append(read.record)
        sub = read.submission
        if sub is None or read.record.status not in (ACCEPTED, SKIPPED, SUPERSEDED):
            read.record.status = REJECTED if read.record.status == ACCEPTED else read.record.status
            findings.extend(read.findings)
            continue
        read.record.unit = read.record.unit or sub.unit
        read.record.year = sub.year
        if sub.year == year:
            read.record.status = ACCEPTED
            current.setdefault(sub.unit, []).append(read)
            continue
        read.record.status = SKIPPED
        if sub.year == year - 1:
            read.record.reason = (f"Báo cáo năm {sub.year} (năm khác): không tổng hợp, chỉ dùng làm số liệu "
                                  "năm trước để so sánh.")
            previous.setdefault(sub.unit, []).append(read)
        else:
            read.record.reason = f"Báo cáo năm {sub.year} (năm khác), không phải năm {year}: bỏ qua."
            findings.append(Finding(file=sub.path, unit=sub.unit, sheet=None, cell=None, code=None,
                                    severity=WARNING, message=read.record.reason, kind="other_year"))
    findings.extend(_rejection_findings(records, findings))

    winners = {unit: _pick_latest(reads_) for unit, reads_ in current.items()}
    previous_winners = {unit: _pick_latest(reads_) for unit, reads_ in previous.items()}
    names = {u.id: u.name for u in registry.units}

    submissions: dict[str, Submission] = {}
    contributions: dict[str, dict[str, float]] = {}
    excluded: dict[str, list[str]] = {}
    facts: list[Fact] = []
    unit_findings: dict[str, list[Finding]] = {}
    for unit_id in _unit_order(registry, winners):
        read = winners[unit_id]
        sub = read.submission
        assert sub is not None
        own = _dedupe([*read.findings, *sub.findings])
        sub.findings = own
        check = check_submission(sub, catalog, registry)
        own = _dedupe([*own, *check.findings])
        before = previous_winners.get(unit_id)
        if before is not None and before.submission is not None:
            own.extend(compare_previous(sub, before.submission, catalog, check.tainted))
        own.extend(_report_date_findings(sub))
        sub.findings = own
        unit_findings[unit_id] = own
        submissions[unit_id] = sub
        drop_all = strict and any(f.severity == ERROR for f in own)
        for code, cell in sub.values.items():
            if cell.value is None or code not in catalog.elements:
                continue
            if drop_all or code in check.tainted:
                excluded.setdefault(code, []).append(unit_id)
                continue
            contributions.setdefault(code, {})[unit_id] = cell.value
            facts.append(Fact(year=year, unit=unit_id, element=code, value=cell.value, file=sub.path,
                              sheet=cell.sheet, cell=cell.cell, sha256=sub.sha256))
        for loser in current[unit_id]:
            if loser is not read:
                _supersede(loser, read)
    for own in unit_findings.values():
        findings.extend(own)

    previous_contributions = _previous_contributions(previous_winners, catalog, registry)
    totals = element_totals(catalog, contributions)
    failed = failed_commune_rules(totals, contributions, catalog, names)
    findings.extend(finding for _rule, finding in failed)
    suspect = {code for rule, _f in failed if rule.severity == ERROR for code in (*rule.left, *rule.right)}
    context = MetricContext(catalog=catalog, registry=registry, year=year, excluded=excluded,
                            suspect=suspect, unit_names=names)
    metrics = compute_metrics(context, contributions, previous_contributions)
    units = _completeness(catalog, registry, year, submissions, unit_findings)
    return MergeResult(
        year=year, files=sorted(records, key=lambda r: r.path), findings=sort_findings(findings),
        metrics=metrics, units=units, facts=facts, submissions=submissions, totals=totals,
        previous_totals=element_totals(catalog, previous_contributions) if previous_contributions is not None else {},
    )


def run_merge(catalog: Catalog, registry: Registry, workspace: Workspace, year: int, *,
              strict: bool = False, progress: Progress | None = None,
              allow_sample: bool = False) -> MergeResult:
    """``merge_inbox`` plus the output workbooks in ``outbox/<year>/``."""
    from ctre_xl.output.report import write_findings_workbook

    result = merge_inbox(catalog, registry, workspace, year, strict=strict, progress=progress,
                         allow_sample=allow_sample)
    outbox = workspace.outbox_dir(year)
    wanted = {"findings": outbox / f"kiem-tra-{year}.xlsx", "summary": outbox / f"tong-hop-{year}.xlsx"}
    written = {"findings": write_findings_workbook(result, wanted["findings"])}
    write_summary = _summary_writer()
    if write_summary is not None:
        written["summary"] = write_summary(result, catalog, registry, wanted["summary"])
    for kind, path in written.items():
        result.outputs[kind] = str(path)
        if Path(path).name != wanted[kind].name:
            result.notices.append(
                f"Tệp {wanted[kind].name} đang được mở (hoặc bị khoá) nên kết quả được ghi vào "
                f"{Path(path).name}. Đóng tệp cũ rồi chạy lại nếu muốn ghi đúng tên."
            )
    return result


def _summary_writer() -> Callable[..., Path] | None:
    """The leadership workbook writer, once ``ctre_xl.output.summary.workbook`` provides it."""
    try:
        from ctre_xl.output.summary import workbook as summary
    except ImportError:
        return None
    return getattr(summary, "write_summary", None)


# ----------------------------------------------------------------------------- helpers


def _pick_latest(reads: list[_Read]) -> _Read:
    """The file that counts among several of one unit and year."""
    def key(read: _Read) -> tuple[date, float, str]:
        sub = read.submission
        assert sub is not None
        return (sub.report_date or date.min, sub.modified, sub.path)
    return max(reads, key=key)


def _supersede(loser: _Read, winner: _Read) -> None:
    old, new = loser.submission, winner.submission
    assert old is not None and new is not None
    changes = []
    for code in sorted(set(old.values) | set(new.values)):
        before = old.values[code].value if code in old.values else None
        after = new.values[code].value if code in new.values else None
        if before != after:
            changes.append(f"{code}: {_shown(before)} → {_shown(after)}")
    when = f", ngày lập {new.report_date:%d/%m/%Y}" if new.report_date else ""
    what = ("; khác nhau: " + "; ".join(changes[:CHANGES_LISTED])
            + (f"; và {len(changes) - CHANGES_LISTED} số liệu khác" if len(changes) > CHANGES_LISTED else "")
            ) if changes else "; số liệu giống nhau"
    loser.record.status = SUPERSEDED
    loser.record.reason = f"Đã có tệp mới hơn của đơn vị: {new.path}{when}{what}."


def _shown(value: float | None) -> str:
    return "trống" if value is None else format_number(value)


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[Finding] = set()
    kept = []
    for finding in findings:
        if finding not in seen:
            seen.add(finding)
            kept.append(finding)
    return kept


def _rejection_findings(records: list[FileRecord], findings: list[Finding]) -> list[Finding]:
    """A rejected file always appears among the findings, even when only its record says why."""
    named = {f.file for f in findings}
    return [Finding(file=r.path, unit=r.unit, sheet=None, cell=None, code=None, severity=ERROR,
                    message=r.reason, kind="rejected")
            for r in records if r.status == REJECTED and r.path not in named]


def _unit_order(registry: Registry, units: Iterable[str]) -> list[str]:
    order = {u.id: i for i, u in enumerate(registry.units)}
    return sorted(units, key=lambda u: (order.get(u, len(order)), u))


def _report_date_findings(sub: Submission) -> list[Finding]:
    if sub.report_date is not None:
        return []
    day = date.fromtimestamp(sub.modified)
    return [Finding(file=sub.path, unit=sub.unit, sheet=None, cell=None, code="report_date", severity=WARNING,
                    kind="no_report_date",
                    message=f"Chưa ghi ngày lập báo cáo: dùng ngày sửa tệp ({day:%d/%m/%Y}) để xét nộp đúng hạn. "
                            "Ghi ngày lập báo cáo ở trang Thông tin chung.")]


def _previous_contributions(winners: dict[str, _Read], catalog: Catalog,
                            registry: Registry) -> dict[str, dict[str, float]] | None:
    """Last year's usable figures (its findings are not reported: that year was merged then)."""
    if not winners:
        return None
    found: dict[str, dict[str, float]] = {}
    for unit_id, read in winners.items():
        sub = read.submission
        assert sub is not None
        tainted = check_submission(sub, catalog, registry).tainted
        for code, cell in sub.values.items():
            if cell.value is not None and code in catalog.elements and code not in tainted:
                found.setdefault(code, {})[unit_id] = cell.value
    return found


def _completeness(catalog: Catalog, registry: Registry, year: int, submissions: dict[str, Submission],
                  unit_findings: dict[str, list[Finding]]) -> list[UnitStatus]:
    deadline = catalog.deadline(year)
    units = []
    for unit in registry.expected:
        sub = submissions.get(unit.id)
        if sub is None:
            units.append(UnitStatus(id=unit.id, name=unit.name, kind=unit.kind, received=False, on_time=None))
            continue
        day = sub.report_date or date.fromtimestamp(sub.modified)
        own = unit_findings.get(unit.id, [])
        units.append(UnitStatus(
            id=unit.id, name=unit.name, kind=unit.kind, received=True, on_time=day <= deadline,
            file=sub.path, report_date=sub.report_date,
            preparer=sub.preparer.get("preparer_name", ""), phone=sub.preparer.get("preparer_phone", ""),
            errors=sum(1 for f in own if f.severity == ERROR),
            warnings=sum(1 for f in own if f.severity == WARNING),
        ))
    return units


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Stable, readable order: by file (commune-level last), then where in the file."""
    def key(f: Finding) -> tuple:
        where = parse_a1(f.cell or "") or (-1, -1)  # (row, column): D9 before D10
        return (f.file == "", f.file, f.sheet or "", where, f.code or "", f.kind, f.message)
    return sorted(_dedupe(findings), key=key)
