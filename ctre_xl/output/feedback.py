"""Each unit's own workbook back, with what to fix marked on the cells: ``outbox/<year>/phan-hoi/<unit-id>.xlsx``.

A feedback workbook is the unit's template for the year (``template/writer.write_template``: the same
sheets, named cells, metadata and fingerprint) holding the figures of the unit's return that counts,
so that it is itself a valid return: the unit corrects it in Excel, LibreOffice or WPS and sends it
back, and the next merge identifies it, accepts it and lets it supersede the older return (it was
saved later). Each faulty cell is filled red (error) or amber (warning) and carries a comment saying
what is wrong and how to fix it; the front sheet says how many problems are left and lists them, with
what changed since the unit's previous return. The metadata carries ``feedback=1``.

Which units get one: every unit whose return that counts has a finding or leaves a required figure
empty, and every expected unit that sent only a blank template. Not a reason on its own: the file
saved after the deadline (the commune's matter, not the unit's) and a ±50 % jump the unit has
already explained. A value that could not be read, or that has a finding, is written back exactly
as the unit typed it ("abc", "3,5", "1,234"), so the unit sees its own typing next to the comment.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ctre_xl.merge.model import MergeResult
from ctre_xl.merge.returns import is_typed
from ctre_xl.merge.validate import finding_elements
from ctre_xl.output.feedback_items import Item, Place, UnitFeedback
from ctre_xl.output.feedback_sheet import write_feedback_front
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.units import Registry, Unit
from ctre_xl.plan.vocab import ElementKind, Severity
from ctre_xl.read.model import Submission
from ctre_xl.read.values import shown
from ctre_xl.style import AMBER, COUNT, DATE, FONT, RED, TEXT
from ctre_xl.template.layout import FRONT_SHEET, cached_layout, note_name
from ctre_xl.template.writer import RenderedTemplate, refresh_checks, write_template

FEEDBACK_DIR = "phan-hoi"  # under outbox/<year>/
FEEDBACK_KEY = "feedback"  # metadata key, "1" in a feedback workbook
# Our file names in phan-hoi/: "<unit-id>.xlsx", or the numbered copy written beside one open elsewhere.
FEEDBACK_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}( \(\d+\))?\.xlsx$")
NOT_THE_UNITS = {FindingKind.SAVED_AFTER_DEADLINE}  # the commune checks when the file was really sent
# About the file the unit sent, not a cell: a fresh copy of the template fixes them.
ABOUT_THE_OLD_FILE = {FindingKind.STRUCTURE_CHANGED, FindingKind.EXTRA_CONTENT, FindingKind.MACRO_IGNORED,
                      FindingKind.OLD_CATALOG}

def feedback_path(folder: Path, unit_id: str) -> Path:
    """Where a unit's feedback workbook goes, ``folder`` being ``outbox/<year>/``."""
    return Path(folder) / FEEDBACK_DIR / f"{unit_id}.xlsx"


def feedback_cases(result: MergeResult, catalog: Catalog, registry: Registry) -> list[UnitFeedback]:
    """Every unit with something to fix, in the registry's order."""
    statuses = {status.id: status for status in result.units}
    cases = []
    for unit in registry.units:
        status = statuses.get(unit.id)
        sub = result.submissions.get(unit.id)
        if sub is None:
            if status is not None and status.blank and unit.has_template:
                cases.append(UnitFeedback(unit, None))
            continue
        missing = status.missing_figures if status is not None else []
        items = unit_items(sub, unit, catalog, result.year, missing)
        if items:
            cases.append(UnitFeedback(unit, sub, items, result.corrections.get(unit.id)))
    return cases


def unit_items(sub: Submission, unit: Unit, catalog: Catalog, year: int, missing: list[str]) -> list[Item]:
    """What ``unit`` has to fix in its return, errors first, then in the order of the sheets."""
    cells = cached_layout(catalog, unit, year).cells
    findings = [f for f in sub.findings if f.kind not in NOT_THE_UNITS and not _explained(f, sub, catalog)]
    reported = {f.code for f in findings if f.kind == FindingKind.MISSING}
    for code in missing:  # normally reported already; never left out of the list
        if code not in reported and code in catalog.elements:
            element = catalog.elements[code]
            findings.append(FindingKind.MISSING.finding(
                "yes_no" if element.kind == ElementKind.YES_NO else "", file=sub.path, unit=sub.unit, code=code,
                label=element.label))
    items = []
    for finding in findings:
        codes = () if finding.kind in ABOUT_THE_OLD_FILE else (
            finding_elements(finding, catalog) or ((finding.code,) if finding.code else ()))
        items.append(Item(finding, tuple(dict.fromkeys(cells[c] for c in codes if c in cells))))
    return sorted(items, key=lambda item: (item.finding.severity != Severity.ERROR,
                                           item.places[0] if item.places else ("~", 0, 0)))


def _explained(finding: Finding, sub: Submission, catalog: Catalog) -> bool:
    """A ±50 % jump the unit explained in a note of a metric the figure belongs to."""
    if finding.kind != FindingKind.JUMP or finding.code is None:
        return False
    return any(sub.notes.get(metric.code, "").strip() for metric in catalog.metrics
               if finding.code in metric.elements)


def write_feedback(case: UnitFeedback, catalog: Catalog, year: int, path: Path, *,
                   created: datetime | None = None, merged_on: datetime | None = None) -> Path:
    """Write ``case``'s feedback workbook to ``path``: the unit's template filled with its return."""
    sample = case.submission is not None and case.submission.meta.get("sample") == "1"

    def fill(rendered: RenderedTemplate) -> None:
        marks = _marks(case)
        look = _Look(rendered)
        if case.submission is not None:
            _write_return(rendered, case.submission, catalog, marks, look)
            refresh_checks(rendered, catalog, _typed_values(rendered, case.submission, catalog, marks))
        for place, (severity, texts) in marks.items():
            sheet = _sheet(rendered, place)
            if place not in look.written:
                sheet.write_blank(place[1], place[2], None, look.get(_kind_at(rendered, place, catalog), severity))
            sheet.write_comment(place[1], place[2], "\n\n".join(texts), {
                "author": "ctre-xl", "font_name": FONT, "font_size": 10, "x_scale": 3, "y_scale": 2.5})
        write_feedback_front(rendered, case, catalog, sample, merged_on or datetime.now())

    return write_template(catalog, case.unit, year, path, sample=sample, created=created,
                          extra_meta={FEEDBACK_KEY: "1"}, fill=fill)


def stale_feedback(folder: Path, keep: set[Path]) -> list[Path]:
    """Our feedback workbooks in ``folder/phan-hoi`` that this merge did not write (to be removed)."""
    where = Path(folder) / FEEDBACK_DIR
    if not where.is_dir():
        return []
    kept = {path.resolve() for path in keep}
    return sorted(path for path in where.iterdir()
                  if path.is_file() and FEEDBACK_NAME.match(path.name) and path.resolve() not in kept)


# ----------------------------------------------------------------------------- the cells


def _marks(case: UnitFeedback) -> dict[Place, tuple[Severity, list[str]]]:
    """Each marked cell: the worst severity on it and the texts of its comment."""
    marks: dict[Place, tuple[Severity, list[str]]] = {}
    for item in case.items:
        for place in item.places:
            severity, texts = marks.get(place, (Severity.WARNING, []))
            worst = Severity.ERROR if Severity.ERROR in (severity, item.finding.severity) else Severity.WARNING
            marks[place] = (worst, [*texts, item.text])
    return marks


class _Look:
    """The input cells' formats: the template's own, or filled red/amber where marked."""

    FILLS = {Severity.ERROR: RED, Severity.WARNING: AMBER}

    def __init__(self, rendered: RenderedTemplate) -> None:
        self.workbook, self.styles = rendered.workbook, rendered.styles
        self.written: set[Place] = set()
        self._made: dict[tuple[str, Severity], Format] = {}

    def get(self, kind: str, severity: Severity | None) -> Format:
        if severity is None:
            return {"count": self.styles.input_count, "choice": self.styles.input_choice,
                    "date": self.styles.input_date}.get(kind, self.styles.input_text)
        key = (kind, severity)
        if key not in self._made:
            props = {"count": {"num_format": COUNT}, "choice": {"num_format": TEXT, "align": "center"},
                     "date": {"num_format": DATE, "align": "left"}}.get(
                kind, {"num_format": TEXT, "text_wrap": True, "valign": "top"})
            fill, font = self.FILLS[severity]
            self._made[key] = self.workbook.add_format({
                "border": 2, "border_color": font, "valign": "vcenter", "locked": False, "bg_color": fill,
                "font_color": font, "bold": True, **props})
        return self._made[key]


def _sheet(rendered: RenderedTemplate, place: Place) -> Worksheet:
    return rendered.front if place[0] == FRONT_SHEET else rendered.body


def _kind_at(rendered: RenderedTemplate, place: Place, catalog: Catalog) -> str:
    """The kind of input cell at ``place``: count, choice (Có/Không), date or text."""
    for name, where in rendered.layout.cells.items():
        if where == place:
            if name == "report_date":
                return "date"
            element = catalog.elements.get(name)
            if element is not None:
                return "choice" if element.kind == ElementKind.YES_NO else "count"
    return "text"


def _write_return(rendered: RenderedTemplate, sub: Submission, catalog: Catalog,
                  marks: dict[Place, tuple[Severity, list[str]]], look: _Look) -> None:
    """The unit's figures, notes, texts, preparer and date, where its template has them."""
    cells = rendered.layout.cells

    def put(name: str, kind: str, value: object) -> None:
        if name not in cells or value is None or value == "":
            return
        place = cells[name]
        severity = marks[place][0] if place in marks else None
        sheet, fmt = _sheet(rendered, place), look.get(kind, severity)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.write_number(place[1], place[2], value, fmt)
        elif kind == "date":
            sheet.write_datetime(place[1], place[2], value, fmt)
        else:
            sheet.write_string(place[1], place[2], str(value), fmt)
        look.written.add(place)

    for code, cell in sub.values.items():
        element = catalog.elements.get(code)
        if element is None or not is_typed(cell.raw):
            continue
        kind = "choice" if element.kind == ElementKind.YES_NO else "count"
        put(code, kind, _as_typed(cell.raw, cell.value, kind, cells.get(code) in marks))
    for metric_code, text in sub.notes.items():
        put(note_name(metric_code), "text", text)
    for name, text in (*sub.free_text.items(), *sub.preparer.items()):
        put(name, "text", text)
    if sub.report_date is not None:
        put("report_date", "date", sub.report_date)


def _typed_values(rendered: RenderedTemplate, sub: Submission, catalog: Catalog,
                  marks: dict[Place, tuple[Severity, list[str]]]) -> dict[str, object]:
    """Each figure as ``_write_return`` put it in its cell (a number, or the text as typed)."""
    cells = rendered.layout.cells
    found: dict[str, object] = {}
    for code, cell in sub.values.items():
        element = catalog.elements.get(code)
        if element is None or code not in cells or not is_typed(cell.raw):
            continue
        kind = "choice" if element.kind == ElementKind.YES_NO else "count"
        found[code] = _as_typed(cell.raw, cell.value, kind, cells[code] in marks)
    return found


def _as_typed(raw: object, value: float | None, kind: str, marked: bool) -> object:
    """What to write back: the number or Có/Không read, or the text as typed where it was not read
    cleanly (a marked cell keeps exactly what the unit typed)."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and kind == "count":
        return raw
    if value is not None and not marked:
        if kind == "choice" and value in (0, 1):
            return "Có" if value else "Không"
        if kind == "count":
            return value
    return raw if isinstance(raw, str) else shown(raw)


# ----------------------------------------------------------------------------- in the merge's outputs


def remove_stale_feedback(folder: Path, placed: set[Path]) -> list[str]:
    """Remove the feedback workbooks of earlier merges this one did not write; notices for any left."""
    left = []
    for path in stale_feedback(folder, placed):
        try:
            path.unlink()
        except OSError:
            left.append(path.name)
    if not left:
        return []
    return [f"Không xoá được phản hồi cũ {', '.join(left)} trong {Path(folder) / FEEDBACK_DIR} (tệp đang mở?): "
            "đơn vị đã hết lỗi, đừng gửi các tệp này; đóng tệp rồi xoá."]
