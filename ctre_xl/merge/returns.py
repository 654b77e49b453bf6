"""What a return says about itself: whether it is one at all, what it left empty, when it was sent.

* A blank return (the template sent back without a figure or a word typed into it) is not a
  return: the unit has not reported. Its preparer's name or a date alone do not make it one.
* A return with some figures is received; ``missing_figures`` lists the required ones left empty.
* When the unit sent its file is judged by the best evidence there is, in this order: the file's
  own last-saved time (docProps/core.xml ``dcterms:modified`` in an .xlsx, meta.xml ``dc:date`` in
  an .ods: Excel, LibreOffice and WPS write it on every save, and nobody sends a file before
  saving it), then the report date the unit typed, then the file's modification time in the
  inbox. On time means sent on or before ``Catalog.last_day_on_time``.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import NamedTuple

from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.units import Unit
from ctre_xl.read.model import Submission
from ctre_xl.text import format_date

SAVED, TYPED, FILE_TIME = "saved", "typed", "file_time"  # UnitStatus.sent_evidence
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def is_typed(raw: object) -> bool:
    """Something was typed into the cell (an unreadable text counts: it was typed)."""
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


def is_blank(sub: Submission) -> bool:
    """Nothing typed: no figure (not even an unreadable one), no note, no free text."""
    return (not any(is_typed(cell.raw) for cell in sub.values.values())
            and not any(text.strip() for text in sub.notes.values())
            and not any(text.strip() for text in sub.free_text.values()))


def missing_figures(sub: Submission, unit: Unit, catalog: Catalog) -> list[str]:
    """The required figures of ``unit`` left empty in its return, in the template's order."""
    missing = []
    for code in unit.elements:
        element = catalog.elements.get(code)
        cell = sub.values.get(code)
        if element is not None and element.required and (cell is None or not is_typed(cell.raw)):
            missing.append(code)
    return missing


class SentOn(NamedTuple):
    """The best evidence of when a unit sent its file."""

    day: date
    evidence: str  # SAVED, TYPED or FILE_TIME


def sent_on(sub: Submission) -> SentOn:
    """The day the file was sent, by the best evidence (see the module's docstring)."""
    if sub.saved_at is not None:
        return SentOn(sub.saved_at.astimezone().date(), SAVED)
    if sub.report_date is not None:
        return SentOn(sub.report_date, TYPED)
    return SentOn(date.fromtimestamp(sub.modified), FILE_TIME)


def latest_key(sub: Submission) -> tuple[datetime, date, float, str]:
    """How returns of one unit and year are ordered, latest last: by the same evidence (saved
    time, then the typed date, then the file's time), the path breaking ties so runs agree."""
    return (sub.saved_at or _EARLIEST, sub.report_date or date.min, sub.modified, sub.path)


def timing_findings(sub: Submission, catalog: Catalog, year: int) -> list[Finding]:
    """The report date missing, or typed on time for a file saved after the deadline."""
    sent = sent_on(sub)
    if sub.report_date is None:
        return [FindingKind.NO_REPORT_DATE.finding(file=sub.path, unit=sub.unit, code="report_date",
                                                   day=format_date(sent.day))]
    last = catalog.last_day_on_time(year)
    if sent.evidence == SAVED and sub.report_date <= last < sent.day:
        return [FindingKind.SAVED_AFTER_DEADLINE.finding(
            file=sub.path, unit=sub.unit, code="report_date", typed=format_date(sub.report_date),
            saved=format_date(sent.day), deadline=catalog.deadline_text(year))]
    return []


def blank_finding(sub: Submission) -> Finding:
    return FindingKind.BLANK_RETURN.finding(file=sub.path, unit=sub.unit)
