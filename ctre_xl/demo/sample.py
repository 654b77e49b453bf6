"""Filling a template the way a unit does: by its named cells, with openpyxl.

Used by the tests, the demo and the benchmark. Values are written exactly as given, so a test can
type what a careless unit types ("1.234", "0,12", "Có", " 12 ") as well as plain numbers.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Mapping

from ctre_xl.template.layout import PREPARER_FIELDS, note_name

_YES_NO_TEXT = {True: "Có", False: "Không"}


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
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return out


def _destination(workbook, name: str) -> tuple[str, str]:  # noqa: ANN001 - openpyxl Workbook
    """(sheet title, cell reference) of a workbook-scoped defined name."""
    defined = workbook.defined_names.get(name)
    if defined is None:
        raise KeyError(f"the template has no cell named {name!r}")
    for sheet_name, reference in defined.destinations:
        return sheet_name, reference.replace("$", "")
    raise KeyError(f"the name {name!r} does not point to a cell")
