"""Step 2 of the yearly cycle: read every returned workbook, validate, merge, compute the metrics.

``merge_inbox`` is pure: it reads the inbox and returns a ``MergeResult``; nothing is written and
the inbox is never modified (the output workbooks are the pipeline's next stage).

Decisions the issue left open, in one place:

* Files of the year before are read too: they give the previous-year values (CT13, CT21, the
  change of every metric, the ±50 % jump warning) and are listed as skipped, like any other year.
  When the inbox holds none, the figures that counted last year come from the history
  (``previous``, filled by the pipeline from ``lich-su.sqlite``): deleting last year's files
  loses nothing.
* Several accepted files of one unit and year: the latest one wins, the others are superseded
  (merge/duplicates.py). A blank return (nothing typed) is not a return: its file is rejected and
  never supersedes a filled one; a unit that sent only blanks has not reported (merge/returns.py).
* On time: judged by the best evidence of when the unit sent its file (merge/returns.py). A unit
  that sent again (a correction, often its feedback workbook) sent when its first filled return was
  sent: a correction asked for after the deadline does not make it late.
* A figure with an error (invalid itself, or on either side of a violated rule) is left out of
  the commune totals, and its unit leaves every metric that figure is part of (both the numerator
  and the denominator: merge/coverage.py); with ``strict`` every figure of a unit with an error is
  left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from ctre_xl.plan.catalog import Catalog
from ctre_xl.merge.compute import MetricContext, compute_metrics, element_totals
from ctre_xl.merge.duplicates import figure_changes, pick_latest, supersede
from ctre_xl.merge.indicators import judge_indicators
from ctre_xl.merge.reading import FileRead, Progress, read_all
from ctre_xl.collector import collector_paused
from ctre_xl.errors import WorkspaceError
from ctre_xl.files import Workspace
from ctre_xl.merge.model import Change, Fact, MergeResult, MetricResult, UnitStatus
from ctre_xl.merge.returns import (SentOn, blank_finding, is_blank, is_typed, latest_key, missing_figures,
                                  preparer_findings, sent_on, timing_findings)
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import FileStatus, Severity
from ctre_xl.read.model import CellValue, FileRecord, Submission
from ctre_xl.merge.validate import check_submission, compare_previous, failed_commune_rules, finding_elements
from ctre_xl.cellref import parse_a1


@dataclass
class _Sorted:
    """The reads sorted by year: this year's per unit, last year's per unit, and the rest."""

    records: list[FileRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    current: dict[str, list[FileRead]] = field(default_factory=dict)
    previous: dict[str, list[FileRead]] = field(default_factory=dict)


@dataclass
class _Merged:
    """This year's winning files, checked, and the figures that count."""

    submissions: dict[str, Submission] = field(default_factory=dict)
    contributions: dict[str, dict[str, float]] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    unit_findings: dict[str, list[Finding]] = field(default_factory=dict)
    blank: set[str] = field(default_factory=set)  # units that sent only blank templates
    corrections: dict[str, list[Change]] = field(default_factory=dict)  # unit -> changes since its last return
    first_sent: dict[str, SentOn] = field(default_factory=dict)  # units that sent again: their first return


def merge_inbox(catalog: Catalog, registry: Registry, workspace: Workspace, year: int, *,
                strict: bool = False, progress: Progress | None = None, allow_sample: bool = False,
                previous: dict[str, dict[str, float]] | None = None,
                first_seen: dict[str, datetime] | None = None,
                after_reading: Callable[[int], None] | None = None) -> MergeResult:
    """Read, identify, validate and merge every file of the inbox for ``year``.

    ``previous``: last year's figures that counted (element -> {unit -> value}), used when the
    inbox has no file of the year before; ``first_seen``: sha256 -> when the history first saw it;
    ``after_reading``: told how many files were read, as soon as they are (the rest runs on one core).
    """
    with collector_paused():
        return _merge_inbox(catalog, registry, workspace, year, strict=strict, progress=progress,
                            allow_sample=allow_sample, previous=previous or {}, first_seen=first_seen or {},
                            after_reading=after_reading)


def _merge_inbox(catalog: Catalog, registry: Registry, workspace: Workspace, year: int, *,
                 strict: bool, progress: Progress | None, allow_sample: bool,
                 previous: dict[str, dict[str, float]], first_seen: dict[str, datetime],
                 after_reading: Callable[[int], None] | None) -> MergeResult:
    from ctre_xl.read.collect import collect_files

    inbox = workspace.inbox
    if not inbox.is_dir():
        raise WorkspaceError(f"Không có thư mục nhận báo cáo {inbox}: tạo thư mục (ctre-xl init) và chép "
                             "các tệp các đơn vị gửi về vào đó.")
    paths, collected = collect_files(inbox)
    reads = read_all(sorted(paths), inbox, catalog, registry, allow_sample=allow_sample, progress=progress)
    if after_reading is not None:
        after_reading(len(reads))
    for read in reads:
        if read.submission is not None:
            read.submission.first_seen = first_seen.get(read.submission.sha256)
    by_year = _sort_reads(reads, collected, year)
    current, blank = _set_aside_blanks(by_year.current, by_year.findings)
    previous_winners = {unit: pick_latest([r for r in reads_ if not is_blank(r.submission)] or reads_)
                        for unit, reads_ in by_year.previous.items()}
    remembered = not previous_winners and bool(previous)
    if remembered:
        previous_winners = _remembered_winners(previous, year - 1)
    merged = _merge_units(catalog, registry, year, current, previous_winners, strict)
    merged.blank = blank
    findings = by_year.findings
    for own in merged.unit_findings.values():
        findings.extend(own)
    previous_contributions = (previous if remembered
                              else _previous_contributions(previous_winners, catalog, registry))
    totals, metrics = _commune_checks(catalog, registry, year, merged, previous_contributions, findings)
    units = _completeness(catalog, registry, year, merged)
    return MergeResult(
        year=year, files=sorted(by_year.records, key=lambda r: r.path), findings=sort_findings(findings),
        metrics=metrics, units=units, facts=merged.facts, submissions=merged.submissions, totals=totals,
        previous_totals=element_totals(catalog, previous_contributions) if previous_contributions is not None else {},
        indicators=judge_indicators(catalog, metrics), corrections=merged.corrections,
    )


def _sort_reads(reads: list[FileRead], collected: Iterable[FileRecord], year: int) -> _Sorted:
    """File each read under this year, last year or neither; refused files keep their findings."""
    found = _Sorted(records=list(collected))
    for read in reads:
        found.records.append(read.record)
        sub = read.submission
        if sub is None or read.record.status == FileStatus.REJECTED:
            if read.record.status == FileStatus.ACCEPTED:  # no submission: nothing to accept
                read.record.status = FileStatus.REJECTED
            found.findings.extend(read.findings)
            continue
        read.record.unit = read.record.unit or sub.unit
        read.record.year = sub.year
        if sub.year == year:
            read.record.status = FileStatus.ACCEPTED
            found.current.setdefault(sub.unit, []).append(read)
            continue
        read.record.status = FileStatus.SKIPPED
        if sub.year == year - 1:
            read.record.reason = (f"Báo cáo năm {sub.year} (năm khác): không tổng hợp, chỉ dùng làm số liệu "
                                  "năm trước để so sánh.")
            found.previous.setdefault(sub.unit, []).append(read)
        else:
            finding = FindingKind.OTHER_YEAR.finding(file=sub.path, unit=sub.unit, year=sub.year, merge_year=year)
            read.record.reason = finding.message
            found.findings.append(finding)
    found.findings.extend(_rejection_findings(found.records, found.findings))
    return found


def _set_aside_blanks(current: dict[str, list[FileRead]],
                      findings: list[Finding]) -> tuple[dict[str, list[FileRead]], set[str]]:
    """Reject every blank return (it is not a return, so it never supersedes a filled one); the
    filled reads per unit, and the units that sent nothing but blanks."""
    filled: dict[str, list[FileRead]] = {}
    blank: set[str] = set()
    for unit, reads in current.items():
        for read in reads:
            assert read.submission is not None
            if not is_blank(read.submission):
                filled.setdefault(unit, []).append(read)
                continue
            finding = blank_finding(read.submission)
            read.record.status, read.record.reason = FileStatus.REJECTED, finding.message
            findings.append(finding)
        if unit not in filled:
            blank.add(unit)
    return filled, blank


def _merge_units(catalog: Catalog, registry: Registry, year: int, current: dict[str, list[FileRead]],
                 previous_winners: dict[str, FileRead], strict: bool) -> _Merged:
    """Per unit, in the registry's order: the winning file, its findings, the figures that count."""
    winners = {unit: pick_latest(reads_) for unit, reads_ in current.items()}
    merged = _Merged()
    for unit_id in _unit_order(registry, winners):
        read = winners[unit_id]
        sub = read.submission
        assert sub is not None
        own, tainted = _check_unit(read, previous_winners.get(unit_id), catalog, registry)
        first = min(current[unit_id], key=lambda r: latest_key(r.submission))  # type: ignore[arg-type]
        if first is not read:  # a correction: the unit sent when its first return was sent
            assert first.submission is not None
            merged.first_sent[unit_id] = sent_on(first.submission)
            if merged.first_sent[unit_id].day <= catalog.last_day_on_time(year):
                own = [f for f in own if f.kind != FindingKind.SAVED_AFTER_DEADLINE]
                sub.findings = own
        merged.unit_findings[unit_id] = own
        merged.submissions[unit_id] = sub
        drop_all = strict and any(f.severity == Severity.ERROR for f in own)
        for code, cell in sub.values.items():
            # an unreadable figure ("abc") was rejected: its unit is named as such where it is missing
            if code not in catalog.elements or (cell.value is None and not (code in tainted and is_typed(cell.raw))):
                continue
            if drop_all or code in tainted:
                merged.excluded.setdefault(code, []).append(unit_id)
                continue
            merged.contributions.setdefault(code, {})[unit_id] = cell.value
            merged.facts.append(Fact(year=year, unit=unit_id, element=code, value=cell.value, file=sub.path,
                                     sheet=cell.sheet, cell=cell.cell, sha256=sub.sha256))
        losers = [loser for loser in current[unit_id] if loser is not read]
        for loser in losers:
            supersede(loser, read, catalog)
        if losers:
            merged.corrections[unit_id] = _corrections(pick_latest(losers), sub, own, catalog, registry)
    return merged


def _corrections(previous: FileRead, sub: Submission, own: list[Finding], catalog: Catalog,
                 registry: Registry) -> list[Change]:
    """What changed from the unit's previous return to this one, and which problems that fixed or brought."""
    old = previous.submission
    assert old is not None
    before = {code for f in [*old.findings, *check_submission(old, catalog, registry).findings]
              for code in finding_elements(f, catalog)}
    return figure_changes(old, sub, before, {code for f in own for code in finding_elements(f, catalog)})


def _check_unit(read: FileRead, before: FileRead | None, catalog: Catalog,
                registry: Registry) -> tuple[list[Finding], set[str]]:
    """One winning file's findings (reading, rules, change from last year, report date); tainted codes."""
    sub = read.submission
    assert sub is not None
    own = _dedupe([*read.findings, *sub.findings])
    sub.findings = own
    check = check_submission(sub, catalog, registry)
    own = _dedupe([*own, *check.findings])
    if before is not None and before.submission is not None:
        own.extend(compare_previous(sub, before.submission, catalog, check.tainted))
    own.extend(timing_findings(sub, catalog, sub.year))
    own.extend(preparer_findings(sub))
    sub.findings = own
    return own, check.tainted


def _commune_checks(catalog: Catalog, registry: Registry, year: int, merged: _Merged,
                    previous: dict[str, dict[str, float]] | None,
                    findings: list[Finding]) -> tuple[dict[str, float], list[MetricResult]]:
    """Commune totals, the rules on them (their findings appended to ``findings``) and the metrics."""
    names = {u.id: u.name for u in registry.units}
    totals = element_totals(catalog, merged.contributions)
    failed = failed_commune_rules(totals, merged.contributions, catalog, names)
    findings.extend(finding for _rule, finding in failed)
    suspect = {code for rule, _f in failed if rule.severity == Severity.ERROR for code in (*rule.left, *rule.right)}
    context = MetricContext(catalog=catalog, registry=registry, year=year, excluded=merged.excluded,
                            suspect=suspect, unit_names=names, received=set(merged.submissions),
                            blank=merged.blank)
    return totals, compute_metrics(context, merged.contributions, previous)


# ----------------------------------------------------------------------------- helpers


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
    return [FindingKind.REJECTED.finding(file=r.path, unit=r.unit, reason=r.reason)
            for r in records if r.status == FileStatus.REJECTED and r.path not in named]


def _unit_order(registry: Registry, units: Iterable[str]) -> list[str]:
    order = {u.id: i for i, u in enumerate(registry.units)}
    return sorted(units, key=lambda u: (order.get(u, len(order)), u))


def _previous_contributions(winners: dict[str, FileRead], catalog: Catalog,
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


def _remembered_winners(previous: dict[str, dict[str, float]], year: int) -> dict[str, FileRead]:
    """Last year's figures from the history as the returns they came from (for the ±50 % check
    against each unit's own previous figures)."""
    values: dict[str, dict[str, CellValue]] = {}
    for code, by_unit in previous.items():
        for unit, value in by_unit.items():
            values.setdefault(unit, {})[code] = CellValue(code, value, value, "", "")
    return {unit: FileRead(FileRecord(path="", unit=unit, status=FileStatus.SKIPPED, reason="", year=year),
                           Submission(path="", sha256="", modified=0.0, unit=unit, year=year, meta={}, values=own))
            for unit, own in values.items()}


def _completeness(catalog: Catalog, registry: Registry, year: int, merged: _Merged) -> list[UnitStatus]:
    """Each expected unit: received or not (a blank return is not), when it sent, how it stands."""
    last_day = catalog.last_day_on_time(year)
    units = []
    for unit in registry.expected:
        sub = merged.submissions.get(unit.id)
        if sub is None:
            units.append(UnitStatus(id=unit.id, name=unit.name, kind=unit.kind, received=False, on_time=None,
                                    blank=unit.id in merged.blank))
            continue
        sent = merged.first_sent.get(unit.id) or sent_on(sub)
        own = merged.unit_findings.get(unit.id, [])
        units.append(UnitStatus(
            id=unit.id, name=unit.name, kind=unit.kind, received=True, on_time=sent.day <= last_day,
            file=sub.path, report_date=sub.report_date,
            preparer=sub.preparer.get("preparer_name", ""), phone=sub.preparer.get("preparer_phone", ""),
            errors=sum(1 for f in own if f.severity == Severity.ERROR),
            warnings=sum(1 for f in own if f.severity == Severity.WARNING),
            sent_on=sent.day, sent_evidence=sent.evidence, missing_figures=missing_figures(sub, unit, catalog),
        ))
    return units


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Stable, readable order: by file (commune-level last), then where in the file."""
    def key(f: Finding) -> tuple:
        where = parse_a1(f.cell or "") or (-1, -1)  # (row, column): D9 before D10
        return (f.file == "", f.file, f.sheet or "", where, f.code or "", f.kind, f.message)
    return sorted(_dedupe(findings), key=key)
