"""Step 1 of the yearly cycle: one protected, validated workbook per unit, with only its indicators.

``write_templates`` picks the units and writes ``templates/<year>/<unit-id>.xlsx`` for each;
``write_template`` renders one ``layout.build_layout`` with XlsxWriter (sheets in
``template_sheets``, formats and validation rules in ``template_styles``). Every file is written
atomically, so an interrupted run never leaves a half-written template behind.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Mapping

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ctre_xl import __version__
from ctre_xl.book import SafeBook
from ctre_xl.plan.catalog import Catalog
from ctre_xl.errors import CtreError
from ctre_xl.files import Workspace, atomic_output, folder_swept, mark_swept
from ctre_xl.cellref import a1
from ctre_xl.workers import start_worker, worker_pool
from ctre_xl.template.layout import (COL_CHECK, FRONT_CHECK_ROW, FRONT_SHEET, INPUT_SHEET, META_PROPERTY_PREFIX, META_SHEET, NARRATIVE_SHEET,
                                     TemplateLayout, build_layout, metadata)
from ctre_xl.template.narrative import narrative_instructions, write_narrative_sheet
from ctre_xl.template.checks import check_formula, check_text, pending_formula, pending_text
from ctre_xl.template.front import write_front_sheet
from ctre_xl.template.sheets import write_input_sheet
from ctre_xl.style import TEMPLATE_SIZE, unthemed_font
from ctre_xl.template.styles import Styles
from ctre_xl.template.stamp import Stamper
from ctre_xl.plan.units import Registry, Unit


@dataclass(frozen=True)
class RenderedTemplate:
    """A template rendered but not yet closed: what a ``Fill`` may write into."""

    workbook: xlsxwriter.Workbook
    styles: Styles
    layout: TemplateLayout
    front: Worksheet  # FRONT_SHEET
    body: Worksheet  # INPUT_SHEET, or NARRATIVE_SHEET for the narrative template


Fill = Callable[[RenderedTemplate], None]


def refresh_checks(rendered: RenderedTemplate, catalog: Catalog, values: Mapping[str, object]) -> None:
    """Rewrite the check column and the front sheet's count with the results for ``values``: a
    template written already filled must not store the blank template's "Chưa nhập" results."""
    layout, st = rendered.layout, rendered.styles
    pending = 0
    for row in layout.rows:
        if row.kind != "element" or row.element is None:
            continue
        found = check_formula(catalog, layout, row.element)
        if found is None:
            continue
        text = check_text(catalog, layout, row.element, values)
        rendered.body.write_formula(row.index, COL_CHECK, found[0], st.check, text)
        pending += bool(text)
    front = pending_formula(catalog, layout)
    if front is not None:
        rendered.front.write_formula(FRONT_CHECK_ROW, 1, front[0], st.front_pending, pending_text(pending))

# Below this many templates a process pool costs more (start-up, pickling the catalogue) than it
# saves; a commune's usual run (8-50 units) stays in one process.
PARALLEL_MIN_UNITS = 60
MAX_WORKERS = 2

_WORKBOOK_OPTIONS = {
    "in_memory": True,  # no temporary files per worksheet: faster, and nothing left in /tmp
    "strings_to_urls": False,  # labels are never links; skips a regex per string
    "strings_to_formulas": False,
}


def check_year(catalog: Catalog, year: int) -> None:
    if not catalog.first_year <= year <= catalog.last_year:
        raise CtreError(
            f"Năm {year} nằm ngoài thời gian thực hiện của kế hoạch ({catalog.first_year}–{catalog.last_year}): "
            f"chọn một năm từ {catalog.first_year} đến {catalog.last_year}."
        )


def select_units(registry: Registry, unit_ids: list[str] | None) -> list[Unit]:
    """The units to write, in registry order; every unknown id is named in one message.

    Every unit gets a template: the units with figures, and the MTTQ and đoàn thể their optional
    narrative one."""
    writable = [u for u in registry.units if u.has_template]
    if not unit_ids:
        return writable
    wanted: list[str] = []
    for unit_id in unit_ids:
        key = unit_id.strip().lower()
        if key not in wanted:
            wanted.append(key)
    valid = ", ".join(u.id for u in writable)
    found = {w: registry.get(w) for w in wanted}
    unknown = [w for w, unit in found.items() if unit is None]
    if unknown:
        names = ", ".join(f"“{w}”" for w in unknown)
        raise CtreError(f"Không có đơn vị {names} trong danh sách đơn vị ({registry.source}). "
                        f"Các mã đơn vị có biểu mẫu: {valid}.")
    return [u for u in writable if u.id in wanted]


def write_templates(catalog: Catalog, registry: Registry, workspace: Workspace, year: int,
                    unit_ids: list[str] | None = None, *, sample: bool = False,
                    created: datetime | None = None) -> list[Path]:
    """Write ``templates/<year>/<unit-id>.xlsx`` for the chosen units (all by default)."""
    check_year(catalog, year)
    units = select_units(registry, unit_ids)
    created = _stamp(created)
    folder = workspace.templates_dir(year)
    jobs = [(unit, folder / f"{unit.id}.xlsx") for unit in units]
    workers = min(MAX_WORKERS, os.cpu_count() or 1)
    with folder_swept(folder):
        if len(jobs) < PARALLEL_MIN_UNITS or workers < 2:
            stamper = _stamper(catalog, year, sample, created)
            return [stamper.write(unit, path) for unit, path in jobs]
        return _write_in_pool(jobs, workers, (catalog, year, sample, created, folder))


def _write_in_pool(jobs: list[tuple[Unit, Path]], workers: int, initargs: tuple[object, ...]) -> list[Path]:
    """The templates written in chunks on ``workers`` processes, in job order (the same output as
    one process). Ctrl-C is raised from the wait for a chunk, never inside the pool's locks nor
    before the pool is closed (``workers.worker_pool``)."""
    chunk = max(1, len(jobs) // (workers * 8))
    with worker_pool(workers, _init_worker, initargs) as pool:
        futures = pool.submit_all(_write_chunk, (jobs[at:at + chunk] for at in range(0, len(jobs), chunk)))
        return [path for future in futures for path in pool.result(future)]


def write_template(catalog: Catalog, unit: Unit, year: int, path: Path, *, sample: bool = False,
                   created: datetime | None = None, extra_meta: Mapping[str, str] | None = None,
                   fill: Fill | None = None) -> Path:
    """Render ``unit``'s template for ``year`` to ``path`` (atomically); returns ``path``.

    ``fill`` writes into the rendered sheets before the file is closed (a unit's own figures, for the
    feedback workbook of ``output/feedback.py``); ``extra_meta`` joins the metadata (``feedback=1``).
    """
    check_year(catalog, year)
    created = _stamp(created)
    layout = build_layout(catalog, unit, year)
    meta = {**metadata(catalog, layout, created.isoformat(timespec="seconds"), __version__, sample),
            **(extra_meta or {})}
    path = Path(path)
    with atomic_output(path) as temporary:
        # XlsxWriter adds keys to the default-format dict it is given: hand it a fresh one, or the
        # second workbook of a run would differ from the first.
        options = {**_WORKBOOK_OPTIONS, "default_format_properties": unthemed_font(TEMPLATE_SIZE)}
        workbook = SafeBook(str(temporary), options)  # in memory; NaN never written as a number
        styles = Styles(workbook)
        front = workbook.add_worksheet(FRONT_SHEET)
        sheet = workbook.add_worksheet(NARRATIVE_SHEET if unit.narrative else INPUT_SHEET)
        hidden = workbook.add_worksheet(META_SHEET)
        if unit.narrative:
            write_front_sheet(front, styles, catalog, layout, sample, narrative_instructions(catalog, year))
            write_narrative_sheet(sheet, styles, catalog, layout, sample)
        else:
            write_front_sheet(front, styles, catalog, layout, sample)
            write_input_sheet(sheet, styles, catalog, layout, sample)
        if fill is not None:
            fill(RenderedTemplate(workbook, styles, layout, front, sheet))
        for key_row, (key, value) in enumerate(meta.items()):
            hidden.write_string(key_row, 0, key, styles.meta)
            hidden.write_string(key_row, 1, value, styles.meta)
            workbook.set_custom_property(META_PROPERTY_PREFIX + key, value)
        hidden.set_column(0, 1, 24)
        hidden.protect("")  # nobody edits metadata by hand; see template_sheets.protect
        hidden.very_hidden()
        front.activate()
        for name, (sheet_name, row, col) in layout.cells.items():
            quoted = sheet_name.replace("'", "''")
            workbook.define_name(name, f"='{quoted}'!{a1(row, col, absolute=True)}")
        workbook.set_properties({
            "title": f"Biểu mẫu báo cáo năm {year} — {unit.name}",
            "subject": catalog.title,
            "author": "ctre-xl",
            "company": catalog.commune,
            "category": "Báo cáo trẻ em",
            "keywords": f"ctre-xl, {unit.id}, {year}",
            "comments": "Chỉ nhập vào các ô nền vàng; không đổi tên trang, không thêm, xoá dòng.",
            "created": created.astimezone(timezone.utc),
        })
        workbook.close()
    return path


def _stamp(created: datetime | None) -> datetime:
    """``created`` as an aware datetime to the second (local time when naive or absent)."""
    stamp = created or datetime.now()
    if stamp.tzinfo is None:
        stamp = stamp.astimezone()
    return stamp.replace(microsecond=0)


# ----------------------------------------------------------------------------- process pool

_worker_stamper: Stamper | None = None


def _stamper(catalog: Catalog, year: int, sample: bool, created: datetime) -> Stamper:
    """Each unit shape rendered once, the units of that shape stamped from it (template/stamp.py)."""
    return Stamper(catalog, year, lambda unit, path: write_template(catalog, unit, year, path, sample=sample,
                                                                    created=created))


def _init_worker(catalog: Catalog, year: int, sample: bool, created: datetime, folder: Path) -> None:
    """Receive the catalogue once per worker rather than once per template; ``folder`` is swept.
    Ctrl-C is the parent's (``workers.start_worker``)."""
    global _worker_stamper
    start_worker()
    _worker_stamper = _stamper(catalog, year, sample, created)
    mark_swept(folder)


def _write_chunk(jobs: list[tuple[Unit, Path]]) -> list[Path]:
    return [_write_job(job) for job in jobs]


def _write_job(job: tuple[Unit, Path]) -> Path:
    assert _worker_stamper is not None
    unit, path = job
    return _worker_stamper.write(unit, path)
