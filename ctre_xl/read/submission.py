"""Identifying each returned workbook and reading it into a Submission (collecting: ``collecting``).

Nothing under the inbox is ever written, moved or locked: files are opened read-only (without
updating their access time where the system allows), read once into memory, hashed and parsed
from there. A workbook is identified only by the metadata the template carries (custom properties
first, the very-hidden sheet second), never by its file name. Values are read by defined name and
compared with ``layout.build_layout`` to report rows inserted or deleted, labels edited and names
removed; checks of the figures themselves (whole numbers, required, nesting) belong to validation.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ctre_xl.cellref import a1
from ctre_xl.template import layout as L
from ctre_xl.plan.catalog import Catalog, nfc
from ctre_xl.read.collect import _inside_fast, _real_folder, relative
from ctre_xl.read.identity import element_names, identity_problem, little_of_unit
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.vocab import FileStatus
from ctre_xl.read.model import FileRecord, Submission, cell_value
from ctre_xl.read.ods.workbook import OdsWorkbook
from ctre_xl.read.reading_plan import fold, reading_plan
from ctre_xl.read.sniff import sniff_bytes
from ctre_xl.plan.units import Registry, Unit
from ctre_xl.read.values import evaluate_literal_formula, implausible, parse_report_date, parse_value, shown
from ctre_xl.read.xlsx.workbook import Cell, WorkbookError, XlsxWorkbook
from ctre_xl.text import EXCEL_CELL_CHARS, excel_length, format_date, format_number

MAX_FILE_BYTES = 64 * 1024 * 1024  # a filled template is ~20 KB; anything this big is not one
META_ROWS = 200  # the hidden sheet holds a dozen key/value rows
SHARED_TEXT = 40  # metadata values up to this long are interned (kinds, years, versions, flags)
STRUCTURE_MARGIN = 60  # rows searched below the template for labels moved down by inserted rows


@dataclass
class ReadOutcome:
    record: FileRecord  # status "accepted" (provisional) or "rejected", reason in Vietnamese
    submission: Submission | None  # set when identified as one of our templates
    findings: list[Finding] = field(default_factory=list)


# ----------------------------------------------------------------------------- reading


def read_bytes(path: Path) -> bytes:
    """The whole file, opened read-only and, where allowed, without touching its access time."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NOATIME", 0))
    except PermissionError:  # O_NOATIME needs ownership of the file
        fd = os.open(path, flags)
    try:
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):  # no buffered file object
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_submission(path: Path, inbox: Path, catalog: Catalog, registry: Registry,
                    *, allow_sample: bool = False) -> ReadOutcome:
    """Recognise, identify and read one file of the inbox; never raises for a bad file."""
    rel = relative(path, inbox)
    try:
        if not _inside_fast(os.fspath(path), _real_folder(os.fspath(inbox))):
            return _reject(rel, FindingKind.OUTSIDE_LINK)
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return _reject(rel, FindingKind.NOT_A_FILE)
        if info.st_size > MAX_FILE_BYTES:
            return _reject(rel, FindingKind.TOO_LARGE, size_mb=info.st_size // (1024 * 1024))
        data = read_bytes(path)
    except OSError as exc:
        # The system's own words (English) never reach the user: only what to do about it.
        return _reject(rel, FindingKind.UNREADABLE, "permission" if isinstance(exc, PermissionError) else "")
    sha256 = hashlib.sha256(data).hexdigest()
    sniffed = sniff_bytes(data)
    if sniffed.problem is not None:
        return _reject(rel, sniffed.problem, sha256=sha256, **dict(sniffed.details))
    try:
        workbook = (OdsWorkbook(data, sniffed.archive) if sniffed.kind == "ods"
                    else XlsxWorkbook(data, sniffed.archive, sniffed.members))
    except WorkbookError as exc:
        return _reject(rel, exc.kind, exc.variant, sha256=sha256, **exc.fields)
    try:
        return _read_workbook(workbook, rel, sha256, info.st_mtime, sniffed.kind, catalog, registry, allow_sample)
    except WorkbookError as exc:
        return _reject(rel, exc.kind, exc.variant, sha256=sha256, **exc.fields)
    finally:
        workbook.close()


def _reject(rel: str, kind: FindingKind, variant: str = "", *, sha256: str | None = None, unit: str | None = None,
            year: int | None = None, findings: list[Finding] | None = None, **fields: object) -> ReadOutcome:
    """The file is not used: its finding, and its record giving the same reason."""
    finding = kind.finding(variant, file=rel, unit=unit, **fields)
    record = FileRecord(path=rel, unit=unit, status=FileStatus.REJECTED, reason=finding.message, year=year,
                        sha256=sha256)
    return ReadOutcome(record, None, [*(findings or []), finding])


def read_metadata(workbook: XlsxWorkbook) -> dict[str, str]:
    """The template's metadata: custom properties ``ctre_<key>`` first, the hidden sheet second."""
    prefix = L.META_PROPERTY_PREFIX
    # Keys and short values interned: every file of a merge repeats them, and each submission
    # keeps its metadata (a tenth of what a file costs the merge's memory otherwise).
    meta = {sys.intern(k[len(prefix):]): _shared(v.strip())
            for k, v in workbook.custom_properties().items() if k.startswith(prefix)}
    if "format" in meta and "unit_id" in meta and "year" in meta and "catalog_id" in meta:
        return meta
    if workbook.sheet(L.META_SHEET) is not None:
        sheet = workbook.read_cells(L.META_SHEET, columns=(0, 1), max_row=META_ROWS)
        for (row, col), cell in sorted(sheet.cells.items()):
            if col == 0 and isinstance(cell.value, str) and cell.value.strip():
                value = sheet.cells.get((row, 1))
                text = "" if value is None or value.value is None else shown(value.value)
                meta.setdefault(cell.value.strip(), text)
    return meta


def _shared(text: str) -> str:
    return sys.intern(text) if len(text) <= SHARED_TEXT else text


def _read_workbook(workbook: XlsxWorkbook, rel: str, sha256: str, mtime: float, kind: str,
                   catalog: Catalog, registry: Registry, allow_sample: bool) -> ReadOutcome:
    findings: list[Finding] = []
    meta = read_metadata(workbook)
    if meta.get("format") != L.FORMAT_ID:
        return _reject(rel, FindingKind.NOT_OURS, sha256=sha256)
    unit_id = meta.get("unit_id", "")
    try:
        year = int(meta.get("year", ""))
    except ValueError:
        return _reject(rel, FindingKind.BAD_METADATA, sha256=sha256, unit=unit_id or None, found=meta.get("year", ""))
    unit = registry.get(unit_id)
    if unit is None:
        return _reject(rel, FindingKind.UNKNOWN_UNIT, sha256=sha256, year=year, unit_id=unit_id,
                       unit_name=meta.get("unit_name", "?"), source=registry.source)
    if meta.get("catalog_id") != catalog.id:
        return _reject(rel, FindingKind.OTHER_CATALOG, sha256=sha256, unit=unit.id, year=year,
                       found=meta.get("catalog_id", ""), expected=catalog.id)
    if meta.get("sample") == "1" and not allow_sample:
        return _reject(rel, FindingKind.SAMPLE_DATA, sha256=sha256, unit=unit.id, year=year)
    here = _Context(rel, unit, workbook, findings)
    if mtime > time.time() + 86_400:  # a file time in the future (year 33658 even): the file came by now
        here.add(FindingKind.IMPLAUSIBLE, "file_time", when=_day_of(mtime))
        mtime = time.time()
    mtime = max(mtime, 0.0)  # before 1970 is no evidence either (and far before it is no date)
    if kind == "xlsm" or (kind == "ods" and workbook.has_macros):
        here.add(FindingKind.MACRO_IGNORED, extension=kind)
    if meta.get("catalog_version") != catalog.version:
        gone = sorted(name for name in element_names(workbook, catalog) if name not in catalog.elements)
        version = meta.get("catalog_version", "")
        if gone:
            return _reject(rel, FindingKind.OLD_CATALOG, sha256=sha256, unit=unit.id, year=year, findings=findings,
                           version=version, current=catalog.version, gone=", ".join(gone))
        here.add(FindingKind.OLD_CATALOG, "usable", version=version, current=catalog.version)
    submission = Submission(path=rel, sha256=sha256, modified=mtime, unit=unit.id, year=year, meta=meta,
                            saved_at=workbook.saved_at())
    mismatch = identity_problem(workbook, catalog, registry, unit, year, meta)  # a claim the structure denies
    if mismatch is None:
        _read_values(here, L.cached_layout(catalog, unit, year), catalog, submission)
        mismatch = little_of_unit(unit, submission.values, catalog, year)
    if mismatch is not None:
        return _reject(rel, FindingKind.IDENTITY_MISMATCH, mismatch[0], sha256=sha256, year=year, **mismatch[1])
    submission.findings = findings
    record = FileRecord(path=rel, unit=unit.id, status=FileStatus.ACCEPTED, reason=f"đã đọc: {unit.name}, năm {year}",
                        year=year, sha256=sha256)
    return ReadOutcome(record, submission, findings)


def _day_of(timestamp: float) -> str:
    try:
        return format_date(date.fromtimestamp(timestamp))
    except (ValueError, OverflowError, OSError):  # beyond year 9999
        return "sau năm 9999"


@dataclass
class _Context:
    rel: str
    unit: Unit
    workbook: XlsxWorkbook
    findings: list[Finding]

    def add(self, kind: FindingKind, variant: str = "", *, sheet: str | None = None, cell: str | None = None,
            code: str | None = None, **fields: object) -> None:
        finding = kind.finding(variant, file=self.rel, unit=self.unit.id, sheet=sheet, cell=cell, code=code, **fields)
        message = nfc(finding.message)  # labels and typed text come from the workbook
        self.findings.append(finding if message == finding.message else replace(finding, message=message))


def _same_label(found: object, expected: str) -> bool:
    return isinstance(found, str) and fold(nfc(found)) == fold(expected)


def _read_values(here: _Context, plan: L.TemplateLayout, catalog: Catalog, submission: Submission) -> None:
    """Read every named cell of the layout, reporting how the structure differs from it."""
    workbook = here.workbook
    reading = reading_plan(workbook, plan)
    targets, labels, last_row, wanted = reading.targets, reading.labels, reading.last_row, reading.wanted
    read: dict[str, dict[tuple[int, int], Cell]] = {}
    for variant, fields in reading.sheets.notes:
        here.add(FindingKind.HIDDEN_SHEET, variant, **dict(fields))
    for damage in getattr(workbook, "damage", ()):  # workbook.xml written wrong: read around it, and say so
        here.add(damage.kind, damage.variant, **dict(damage.fields))
    for sheet, cells in wanted.items():
        real = reading.sheets.real.get(sheet, sheet)
        if workbook.sheet(real) is None:
            read[sheet] = {}
            continue
        is_input = L.is_body_sheet(sheet)  # figures, or the narrative's texts
        # Every row's label only where a name is missing (_find_by_label looks for its row); content
        # below the template is looked for on every input sheet.
        searched = sheet in reading.searched
        got = workbook.read_cells(real, cells, columns=(L.COL_CODE, L.COL_LABEL) if searched else (),
                                  max_row=last_row + STRUCTURE_MARGIN if searched else None,
                                  scan_to=last_row + STRUCTURE_MARGIN if is_input else None)
        read[sheet] = got.cells
        for damage in got.damage:
            here.add(damage.kind, damage.variant, sheet=sheet if damage.cell else None, cell=damage.cell,
                     ref=damage.cell, **dict(damage.fields))
        if is_input and got.content_below is not None:
            here.add(FindingKind.EXTRA_CONTENT, "declared" if got.dimension else "", sheet=sheet,
                     cell=f"A{got.content_below + 1}", row=got.content_below + 1, dimension=got.dimension)
    moved: list[tuple[str, str, str]] = []
    for name, expected in plan.cells.items():
        place = targets[name]
        if place is None:
            place = _find_by_label(here, name, expected, labels.get(name), read.get(expected[0], {}))
            if place is None:
                continue
        elif place != expected and place != L.former_place(name, expected):  # an older template: fine
            moved.append((name, place[0], a1(expected[1], expected[2]), a1(place[1], place[2])))
        sheet, row, col = place
        if targets[name] is not None and L.is_body_sheet(sheet) and name in labels:
            found_label = _label_cell(read.get(sheet, {}), row)
            expected_label = labels[name]
            value = found_label.value if found_label else None
            folded, plain = reading.folded[expected_label]
            if not ((plain and value == expected_label) or
                    (isinstance(value, str) and fold(nfc(value)) == folded)):
                shown_label = shown(found_label.value) if found_label and found_label.value is not None else ""
                here.add(FindingKind.STRUCTURE_CHANGED, "label_edited", sheet=sheet, cell=a1(row, L.COL_LABEL),
                         code=name, row=row + 1, found=shown_label, expected=labels[name], ref=a1(row, col))
        _take(here, name, sheet, row, col, read.get(sheet, {}).get((row, col)), catalog, submission, workbook)
    if moved:
        name, sheet, before, after = moved[0]
        here.add(FindingKind.STRUCTURE_CHANGED, "moved", sheet=sheet, cell=after, code=name,
                 count=len(moved), name=name, before=before, after=after)


def _label_cell(cells: dict[tuple[int, int], Cell], row: int) -> Cell | None:
    """The label of a row: column B, or column A where the label spans A:C (free-text rows)."""
    label = cells.get((row, L.COL_LABEL))
    if label is None or label.value is None:
        return cells.get((row, L.COL_CODE)) or label
    return label


def _find_by_label(here: _Context, name: str, expected: tuple[str, int, int], label: str | None,
                   cells: dict[tuple[int, int], Cell]) -> tuple[str, int, int] | None:
    """A named cell whose name was removed: its row found by the label in column B, if unique enough."""
    sheet, row, col = expected
    if L.is_body_sheet(sheet) and label:
        rows = sorted({r for (r, c), cell in cells.items()
                       if c in (L.COL_CODE, L.COL_LABEL) and _same_label(cell.value, label)})
        typed = [r for r in rows if not (cells.get((r, col)) and cells[(r, col)].formula is not None)]
        if typed or rows:
            found = min(typed or rows, key=lambda r: abs(r - row))
            here.add(FindingKind.STRUCTURE_CHANGED, "name_removed", sheet=sheet, cell=a1(found, col), code=name,
                     name=name, label=label, ref=a1(found, col))
            return sheet, found, col
    if not L.is_body_sheet(sheet):  # the front sheet's fields do not move: read them where they belong
        here.add(FindingKind.STRUCTURE_CHANGED, "front_name_removed", sheet=sheet, cell=a1(row, col), code=name,
                 name=name, field=L.PREPARER_FIELDS.get(name, name), ref=a1(row, col))
        return expected
    if label:
        here.add(FindingKind.MISSING_NAME, sheet=sheet, cell=a1(row, col), code=name, label=label, name=name)
    return None


def _text(cell: Cell | None) -> str:
    if cell is None:
        return ""
    if cell.formula is not None and cell.formula != "":
        return "=" + cell.formula  # the formula as typed, kept as text (never its cached result)
    return "" if cell.value is None else nfc(shown(cell.value))


def _take(here: _Context, name: str, sheet: str, row: int, col: int, cell: Cell | None, catalog: Catalog,
          submission: Submission, workbook: XlsxWorkbook) -> None:
    """Store one named cell's content where it belongs in the submission."""
    ref = a1(row, col)
    if name.startswith("note_") or name in L.TEXT_FIELDS:  # L.TEXT_FIELDS: results, difficulties, proposals...
        if text := _text(cell):
            if excel_length(text) > EXCEL_CELL_CHARS:  # kept whole here; the summary shows its start, marked as cut
                here.add(FindingKind.TEXT_CUT, sheet=sheet, cell=ref, code=name, ref=ref,
                         length=format_number(len(text)))
            (submission.notes if name.startswith("note_") else submission.free_text)[name.removeprefix("note_")] = text
        return
    if name == "report_date":
        if cell is None or (cell.value is None and cell.formula is None):
            return
        if cell.formula is not None:
            here.add(FindingKind.FORMULA_IN_INPUT, "report_date", sheet=sheet, cell=ref, code=name,
                     formula=cell.formula)
            return
        submission.report_date = parse_report_date(cell.value, workbook.date1904)
        if submission.report_date is None:
            here.add(FindingKind.BAD_DATE, sheet=sheet, cell=ref, code=name, raw=shown(cell.value))
        return
    if name in L.PREPARER_FIELDS:
        if text := _text(cell):
            submission.preparer[name] = text
        return
    element = catalog.elements[name]
    label = element.label
    raw: object = None if cell is None else cell.value
    if cell is not None and cell.formula is not None:
        raw = "=" + cell.formula
        number = evaluate_literal_formula(cell.formula) if cell.formula else None
        if number is None:
            here.add(FindingKind.FORMULA_IN_INPUT, sheet=sheet, cell=ref, code=name, label=label, ref=ref, formula=raw)
        elif (absurd := implausible(number, element.kind, raw)) is not None:
            here.add(absurd.problem, absurd.variant, sheet=sheet, cell=ref, code=name, label=label, **dict(absurd.fields))
            number = None
        submission.values[name] = cell_value(name, number, raw, sheet, ref)
        return
    if cell is not None and cell.error:
        here.add(FindingKind.NOT_A_NUMBER, "cell_error", sheet=sheet, cell=ref, code=name, label=label, ref=ref,
                 error=cell.value)
        submission.values[name] = cell_value(name, None, raw, sheet, ref)
        return
    parsed = parse_value(raw, element.kind)
    if parsed.problem:
        here.add(parsed.problem, parsed.variant, sheet=sheet, cell=ref, code=name, label=label, **dict(parsed.fields))
    submission.values[name] = cell_value(name, parsed.value, raw, sheet, ref)
