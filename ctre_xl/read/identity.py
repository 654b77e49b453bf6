"""Is a returned workbook the template it says it is? Its claimed unit against its structure, and
the sheets to read against hidden look-alikes.

The metadata (custom properties, hidden sheet) is only a claim: a unit can edit it, and a primary
school's file saying ``unit_id=vhxh`` would otherwise replace the culture-social office's report.
``identity_problem`` compares the claim with what the file is built of: the element codes its
defined names carry (every unit's template names exactly the elements it types), whether it is
a narrative template, and the fingerprint its metadata carries. Excel, LibreOffice and WPS keep
defined names when they re-save, so a re-saved file passes; a unit that deleted some names is
handled by the reader (found by label), never taken for another unit.

Units whose templates have the same elements (two primary schools) cannot be told apart by
structure: then the claim stands, unless the metadata's fingerprint is exactly the one the
template of another unit has (the fingerprint is made from the unit id too), which only a file
made for that other unit carries.

``resolve_sheets`` decides which sheet is read for each sheet of the template: the visible one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ctre_xl.plan.catalog import Catalog, nfc
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.plan.units import Registry, Unit
from ctre_xl.read.package import WorkbookError
from ctre_xl.read.xlsx.workbook import SheetInfo, XlsxWorkbook
from ctre_xl.template import layout as L

Problem = tuple[str, dict[str, str]]  # (variant of identity_mismatch, its fields)
MAX_NAMED = 3  # other units named in one message


def fold_sheet(name: str) -> str:
    """A sheet name as a person reads it: Unicode form, case and spaces do not matter."""
    return " ".join(nfc(name).split()).casefold()


# ----------------------------------------------------------------------------- sheets


@dataclass(frozen=True)
class SheetPlan:
    """Where to read: the sheet read for each template sheet, each name's target on those sheets,
    and what was refused on the way (``hidden_sheet`` findings as (variant, fields))."""

    real: dict[str, str]  # template sheet -> sheet read (its visible look-alike)
    targets: dict[str, tuple[str, int, int] | None]
    notes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def resolve_sheets(workbook: XlsxWorkbook, cells: dict[str, tuple[str, int, int]]) -> SheetPlan:
    """The sheets to read for a layout's named ``cells``, never a hidden decoy.

    A hidden sheet that reads as a template sheet's name ("Số liệu" hidden beside a visible
    "Số liệu " or "SỐ LIỆU") is not read: the visible one is, since it is what the unit typed
    into and checked. Defined names pointing into such a hidden sheet are resolved to the visible
    sheet at the same address (the label check then confirms each row). A name pointing into any
    other hidden sheet is not followed: the cell is found by its label on the template's sheet,
    as when a name is deleted. Two visible sheets with one name, or a template sheet that is
    hidden with no visible look-alike (the unit sees and types elsewhere; nobody hides the sheet
    they type into): nothing can be read safely, the file is refused.
    """
    wanted = {sheet for sheet, _row, _col in cells.values()}
    real: dict[str, str] = {}
    notes: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    for sheet in sorted(wanted):
        alike = [s for s in workbook.sheets if fold_sheet(s.name) == fold_sheet(sheet)]
        visible = [s for s in alike if s.state == "visible"]
        if len(visible) > 1:
            raise WorkbookError(FindingKind.HIDDEN_SHEET, "ambiguous", count=len(visible), visible=sheet)
        if visible:
            real[sheet] = visible[0].name
            notes += [("", (("hidden", s.name), ("visible", visible[0].name))) for s in alike if s not in visible]
        elif alike:  # only hidden: what the unit sees is elsewhere (a copy under another name?)
            raise WorkbookError(FindingKind.HIDDEN_SHEET, "hidden", hidden=alike[0].name)
    by_fold = {fold_sheet(sheet): sheet for sheet in wanted}
    targets: dict[str, tuple[str, int, int] | None] = {}
    for name, (expected, _row, _col) in cells.items():
        target = workbook.name_target(name)
        if target is not None and fold_sheet(target[0]) in by_fold:
            target = (by_fold[fold_sheet(target[0])], target[1], target[2])  # read on the sheet chosen above
        elif target is not None and _hidden(workbook.sheet(target[0])):
            notes.append(("name", (("name", name), ("hidden", target[0]), ("visible", real.get(expected, expected)))))
            target = None
        targets[name] = target
    return SheetPlan(real, targets, tuple(notes))


def _hidden(sheet: SheetInfo | None) -> bool:
    return sheet is not None and sheet.state != "visible"


# ----------------------------------------------------------------------------- the claimed unit


def identity_problem(workbook: XlsxWorkbook, catalog: Catalog, registry: Registry, unit: Unit, year: int,
                     meta: dict[str, str]) -> Problem | None:
    """Why the file is not ``unit``'s template for ``year`` (None when its structure fits)."""
    codes = file_codes(workbook, catalog)
    narrative = _narrative_file(workbook)
    current = meta.get("catalog_version") == catalog.version
    claimed = cached_codes(catalog, unit, year)
    fingerprint = meta.get("fingerprint", "")
    if current and fingerprint and fingerprint != cached_fingerprint(catalog, unit, year):
        # Not evidence by itself (a template made by an older ctre-xl has another fingerprint),
        # unless it is exactly another unit's.
        other = _fingerprints(catalog, registry, year).get(fingerprint)
        if other is not None and other.id != unit.id:
            return "", {"claimed": _shown(unit), "actual": _shown(other)}
    foreign = sorted(codes - claimed)
    if not foreign and narrative == unit.narrative:
        return None
    others = [u for u in registry.units if u.id != unit.id and u.narrative == narrative
              and codes <= cached_codes(catalog, u, year)]
    best = [u for u in others if cached_codes(catalog, u, year) == codes] or \
        sorted(others, key=lambda u: len(cached_codes(catalog, u, year)))[:1]
    if best:
        more = len(best) - 1
        actual = _shown(best[0]) + (f" (hoặc {more} đơn vị khác cùng loại)" if more else "")
        return "", {"claimed": _shown(unit), "actual": actual}
    if not current:
        return None  # an older template version may name elements since moved to another unit
    why = ("có mã số liệu không thuộc biểu mẫu của đơn vị: " + ", ".join(foreign[:8])
           + ("…" if len(foreign) > 8 else "")) if foreign else \
        ("là biểu mẫu ý kiến, không có trang số liệu" if narrative else "là biểu mẫu số liệu, không phải biểu mẫu ý kiến")
    return "unknown", {"claimed": _shown(unit), "why": why}


def little_of_unit(unit: Unit, found: Iterable[str], catalog: Catalog, year: int) -> Problem | None:
    """After reading: fewer than half of the claimed unit's element cells were found, by name or by
    label (a file whose names were removed and whose rows are another template's: the few rows
    two templates share are no proof). Such a file could only replace a better return."""
    claimed = cached_codes(catalog, unit, year)
    got = len(claimed & set(found))
    if not claimed or got * 2 >= len(claimed):
        return None
    return "unknown", {"claimed": _shown(unit),
                       "why": f"chỉ tìm thấy {got}/{len(claimed)} ô số liệu của biểu mẫu đơn vị này"}


def element_names(workbook: XlsxWorkbook, catalog: Catalog) -> set[str]:
    """Defined names that stand for element codes: those naming a value cell of the input sheet
    (not notes, free text, the preparer's fields, Excel's own names or a range the unit added)."""
    fixed = {n.lower() for n in (*L.PREPARER_FIELDS, *L.TEXT_FIELDS)}
    by_lower = {code.lower(): code for code in catalog.elements}
    names = set()
    for lower in workbook.defined_names:
        if lower in fixed or lower.startswith(("note_", "_xlnm.", "_xlfn.")):
            continue
        target = workbook.name_target(lower)
        if by_lower.get(lower) or (target and target[0] == L.INPUT_SHEET and target[2] == L.COL_VALUE):
            names.add(by_lower.get(lower, lower))
    return names


def file_codes(workbook: XlsxWorkbook, catalog: Catalog) -> frozenset[str]:
    """The element codes the file's defined names carry (names are compared without case)."""
    by_lower = _lower_codes(catalog)
    return frozenset(code for name in workbook.defined_names if (code := by_lower.get(name)) is not None)


def _narrative_file(workbook: XlsxWorkbook) -> bool:
    """A narrative template: a sheet reading "Ý kiến" and none reading "Số liệu"."""
    folded = {fold_sheet(s.name) for s in workbook.sheets}
    return fold_sheet(L.NARRATIVE_SHEET) in folded and fold_sheet(L.INPUT_SHEET) not in folded


def _shown(unit: Unit) -> str:
    return f"{unit.name} ({unit.id})"


_CODES: dict[tuple[int, tuple[str, ...], int], tuple[Catalog, frozenset[str]]] = {}
_LOWER: dict[int, tuple[Catalog, dict[str, str]]] = {}
_PRINTS: dict[tuple[int, int, int], tuple[Catalog, Registry, dict[str, Unit]]] = {}
_FINGERPRINTS: dict[tuple[int, str], tuple[tuple[L.Row, ...], str]] = {}
KEPT = 64


def cached_codes(catalog: Catalog, unit: Unit, year: int) -> frozenset[str]:
    """The element codes ``unit``'s template names (the typed ones; shared by same-element units)."""
    key = (id(catalog), unit.elements, year)
    found = _CODES.get(key)
    if found is None or found[0] is not catalog:
        if len(_CODES) >= KEPT:
            _CODES.clear()
        found = _CODES[key] = (catalog, frozenset(L.cached_layout(catalog, unit, year).element_cells))
    return found[1]


def cached_fingerprint(catalog: Catalog, unit: Unit, year: int) -> str:
    """``unit``'s template fingerprint for ``year`` (a hash of ~100 rows: computed once per unit)."""
    layout = L.cached_layout(catalog, unit, year)
    key = (id(layout.rows), unit.id)
    found = _FINGERPRINTS.get(key)
    if found is None or found[0] is not layout.rows:
        if len(_FINGERPRINTS) >= 4096:
            _FINGERPRINTS.clear()
        found = _FINGERPRINTS[key] = (layout.rows, layout.fingerprint)
    return found[1]


def _lower_codes(catalog: Catalog) -> dict[str, str]:
    found = _LOWER.get(id(catalog))
    if found is None or found[0] is not catalog:
        _LOWER.clear()
        found = _LOWER[id(catalog)] = (catalog, {code.lower(): code for code in catalog.elements})
    return found[1]


def _fingerprints(catalog: Catalog, registry: Registry, year: int) -> dict[str, Unit]:
    """Every unit's template fingerprint for ``year`` -> the unit (built once, only when a file's
    fingerprint is not its claimed unit's)."""
    key = (id(catalog), id(registry), year)
    found = _PRINTS.get(key)
    if found is None or found[0] is not catalog or found[1] is not registry:
        if len(_PRINTS) >= 4:
            _PRINTS.clear()
        index = {cached_fingerprint(catalog, u, year): u for u in reversed(registry.units)}
        found = _PRINTS[key] = (catalog, registry, index)
    return found[2]
