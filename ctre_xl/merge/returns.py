"""What a return says about itself: whether it is one at all, what it left empty, when it was sent.

* A blank return (the template sent back without a figure or a word typed into it) is not a
  return: the unit has not reported. Its preparer's name or a date alone do not make it one.
* A return with some figures is received; ``missing_figures`` lists the required ones left empty.
* When the unit sent its file is judged by the best evidence there is, in this order: the file's
  own last-saved time (docProps/core.xml ``dcterms:modified`` in an .xlsx, meta.xml ``dc:date`` in
  an .ods: Excel, LibreOffice and WPS write it on every save, and nobody sends a file before
  saving it), then the report date the unit typed, then when ctre-xl first saw the file (the
  history, ``lich-su.sqlite``) or the file's modification time in the inbox, whichever is
  earlier: both are times the file had already arrived by, and copying the inbox to another
  computer resets the second but not the first. On time means sent on or before
  ``Catalog.last_day_on_time``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple

from ctre_xl.cellref import a1
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.units import Unit
from ctre_xl.read.model import Submission
from ctre_xl.template.layout import FRONT_FIRST_FIELD_ROW, FRONT_SHEET
from ctre_xl.text import format_date

SAVED, TYPED, FIRST_SEEN, FILE_TIME = "saved", "typed", "first_seen", "file_time"  # UnitStatus.sent_evidence
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


CLOCK_SLACK = timedelta(days=1)  # a saved time this far ahead is a time zone or a slow clock here, not odd


def saved_time(sub: Submission) -> datetime | None:
    """The file's last-saved time as evidence; None when absent or in the future (a computer
    whose clock is wrong: such a time would win over every real correction)."""
    if sub.saved_at is None or sub.saved_at > datetime.now(timezone.utc) + CLOCK_SLACK:
        return None
    return sub.saved_at


def typed_date(sub: Submission) -> date | None:
    """The report date typed, as evidence; None when absent or odd: after today, or more than a
    year from the report year (2062 for 2026 is a slip of the keys, and would win over the real
    correction dated 2026)."""
    day = sub.report_date
    if day is None or day > date.today() or abs(day.year - sub.year) > 1:
        return None
    return day


def sent_on(sub: Submission) -> SentOn:
    """The day the file was sent, by the best evidence (see the module's docstring); odd
    evidence (``saved_time``, ``typed_date``) is skipped."""
    saved, typed = saved_time(sub), typed_date(sub)
    if saved is not None:
        return SentOn(saved.astimezone().date(), SAVED)
    if typed is not None:
        return SentOn(typed, TYPED)
    file_time = date.fromtimestamp(sub.modified)
    if sub.first_seen is not None and sub.first_seen.astimezone().date() < file_time:
        return SentOn(sub.first_seen.astimezone().date(), FIRST_SEEN)
    return SentOn(file_time, FILE_TIME)


def latest_key(sub: Submission) -> tuple[datetime, date, float, float, str]:
    """How returns of one unit and year are ordered, latest last: by the same evidence (saved
    time, then the typed date, then the file's time or when it was first seen, the earlier;
    odd evidence skipped), then the file's own time (copies of one content share their first
    sighting) and the path, so that every run, with or without a history, agrees."""
    arrived = min(sub.modified, sub.first_seen.timestamp()) if sub.first_seen is not None else sub.modified
    return (saved_time(sub) or _EARLIEST, typed_date(sub) or date.min, arrived, sub.modified, sub.path)


def odd_date_findings(sub: Submission) -> list[Finding]:
    """A typed report date or a saved time that is not used as evidence, because it is odd."""
    found = []
    if sub.report_date is not None and typed_date(sub) is None:
        found.append(FindingKind.ODD_REPORT_DATE.finding(file=sub.path, unit=sub.unit, code="report_date",
                                                         typed=format_date(sub.report_date), year=sub.year))
    if sub.saved_at is not None and saved_time(sub) is None:
        found.append(FindingKind.ODD_REPORT_DATE.finding(
            "saved", file=sub.path, unit=sub.unit, saved=f"{sub.saved_at.astimezone():%H:%M %d/%m/%Y}"))
    return found


def timing_findings(sub: Submission, catalog: Catalog, year: int) -> list[Finding]:
    """The report date missing or odd, or typed on time for a file saved after the deadline."""
    sent, odd = sent_on(sub), odd_date_findings(sub)
    if sub.report_date is None:
        return odd + [FindingKind.NO_REPORT_DATE.finding(file=sub.path, unit=sub.unit, code="report_date",
                                                         day=format_date(sent.day))]
    last = catalog.last_day_on_time(year)
    if odd or sent.evidence != SAVED:
        return odd
    if sub.report_date <= last < sent.day:
        return [FindingKind.SAVED_AFTER_DEADLINE.finding(
            file=sub.path, unit=sub.unit, code="report_date", typed=format_date(sub.report_date),
            saved=format_date(sent.day), deadline=catalog.deadline_text(year))]
    return []


def preparer_findings(sub: Submission) -> list[Finding]:
    """The preparer's name left empty (or a single character): nobody to ask about the figures."""
    if len(sub.preparer.get("preparer_name", "").strip()) >= 2:
        return []
    return [FindingKind.NO_PREPARER.finding(file=sub.path, unit=sub.unit, sheet=FRONT_SHEET,
                                            cell=a1(FRONT_FIRST_FIELD_ROW, 1), code="preparer_name")]


def blank_finding(sub: Submission) -> Finding:
    return FindingKind.BLANK_RETURN.finding(file=sub.path, unit=sub.unit)
