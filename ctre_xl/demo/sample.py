"""Filling a template the way a unit does: by its named cells, with openpyxl.

Used by the tests, the demo and the benchmark. Values are written exactly as given, so a test can
type what a careless unit types ("1.234", "0,12", "Có", " 12 ") as well as plain numbers.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Mapping

from ctre_xl.template.layout import PREPARER_FIELDS, note_name

_YES_NO_TEXT = {True: "Có", False: "Không"}
# The unit saves its file at noon of the report date, Vietnam time (UTC+7): the same day in UTC.
SAVED_AT, VIETNAM = time(12, 0), timezone(timedelta(hours=7))


def fill_template(template: Path, out: Path, values: Mapping[str, object], *,
                  notes: Mapping[str, str] | None = None, free_text: Mapping[str, str] | None = None,
                  preparer: Mapping[str, str] | None = None,
                  report_date: date | str | None = None) -> Path:
    """Copy ``template`` to ``out`` with the given figures, notes, free text and preparer filled in.

    ``values`` maps element codes to what is typed (number, text, or a bool for Có/Không);
    ``notes`` maps metric codes to their explanation; ``free_text`` maps report_results,
    report_difficulties, report_proposals to text; ``preparer`` maps preparer_name and
    preparer_phone; ``report_date`` is a date (stored as a date) or text typed as is.
    A name the template does not have raises KeyError naming it: a test typo must not pass silently.

    With a ``report_date`` date, the file's own last-saved time (docProps/core.xml, which the merge
    takes as the best evidence of when a unit sent it) is noon of that day, as if the unit saved it
    then; otherwise it is the time of this call, as for any save.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(template)
    entries: dict[str, object] = {}
    for code, value in values.items():
        entries[code] = _YES_NO_TEXT[value] if isinstance(value, bool) else value
    for code, text in (notes or {}).items():
        entries[note_name(code)] = text
    entries.update(free_text or {})
    for name, text in (preparer or {}).items():
        if name not in PREPARER_FIELDS:
            raise KeyError(f"{name} is not a preparer field ({', '.join(PREPARER_FIELDS)})")
        entries[name] = text
    if report_date is not None:
        entries["report_date"] = (datetime(report_date.year, report_date.month, report_date.day)
                                  if isinstance(report_date, date) else report_date)
    for name, value in entries.items():
        sheet_name, reference = _destination(workbook, name)
        cell = workbook[sheet_name][reference]
        cell.value = value
        if isinstance(value, datetime):
            cell.number_format = "DD/MM/YYYY"
    saved_at = None
    if isinstance(report_date, date):
        saved_at = datetime.combine(report_date, SAVED_AT, VIETNAM)
        workbook.properties.lastModifiedBy = (preparer or {}).get("preparer_name") or "Đơn vị báo cáo"
    return save_as_of(workbook, Path(out), saved_at)


def save_as_of(workbook, out: Path, saved_at: datetime | None) -> Path:  # noqa: ANN001 - openpyxl Workbook
    """Save ``workbook`` to ``out`` recording ``saved_at`` as its last-saved time (now when None).

    openpyxl's ``save`` always records the present moment, so the package is written here with its
    writer and the time the caller chose (core.xml holds it in UTC).
    """
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    moment = saved_at or datetime.now(timezone.utc)
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.properties.modified = moment.astimezone(timezone.utc).replace(tzinfo=None)
    ExcelWriter(workbook, ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True)).save()
    return out


def _destination(workbook, name: str) -> tuple[str, str]:  # noqa: ANN001 - openpyxl Workbook
    """(sheet title, cell reference) of a workbook-scoped defined name."""
    defined = workbook.defined_names.get(name)
    if defined is None:
        raise KeyError(f"the template has no cell named {name!r}")
    for sheet_name, reference in defined.destinations:
        return sheet_name, reference.replace("$", "")
    raise KeyError(f"the name {name!r} does not point to a cell")
