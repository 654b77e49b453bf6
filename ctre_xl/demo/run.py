"""``ctre-xl demo``: the whole yearly cycle on invented figures, in a folder of its own.

Templates for two years are made and filled with seeded, plausible figures (data/demo.toml) and
a few realistic mistakes, then the later year is merged. Every workbook is marked as sample data,
so one dropped into a real inbox is refused. The demo only ever writes into a folder it created
itself (marked by ``.ctre-xl-demo``), never into a real workspace.
"""

from __future__ import annotations

import os
import random
import shutil
import tomllib
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from collections import Counter
from typing import Any, Iterable, Mapping

from ctre_xl.plan.catalog import Catalog
from ctre_xl.errors import WorkspaceError
from ctre_xl.files import DEMO_MARKER as MARKER, Workspace
from ctre_xl.text import format_number
from ctre_xl.merge.model import MergeResult
from ctre_xl.plan.units import Registry, Unit, department_units, school_unit, write_registry_workbook
from ctre_xl.plan.vocab import ElementKind

DEMO_FILE = "demo.toml"


def load_demo_data() -> dict[str, Any]:
    return tomllib.loads(resources.files("ctre_xl.plan.data").joinpath(DEMO_FILE).read_text("utf-8"))


def demo_registry(catalog: Catalog, data: dict[str, Any]) -> Registry:
    schools = [school_unit(catalog, s["code"], s["name"], s["level"]) for s in data["schools"]]
    return Registry(tuple(department_units(catalog) + schools), source="danh sách trường minh hoạ")


def demo_figures(catalog: Catalog, units: Iterable[Unit], year: int, data: dict[str, Any],
                 rng: random.Random) -> dict[str, dict[str, int]]:
    """unit id -> its seeded figures. A unit with commune-wide figures (``of_total``: the resident
    children against the schools' pupils) is drawn after the units whose figures it totals."""
    units = list(units)
    specs: dict[str, Any] = data["figures"]

    def totals_others(unit: Unit) -> bool:
        return any(isinstance(specs.get(code), dict) and "of_total" in specs[code] for code in unit.elements)

    totals: Counter[str] = Counter()
    figures: dict[str, dict[str, int]] = {}
    for unit in sorted(units, key=totals_others):  # stable: registry order within each group
        figures[unit.id] = plausible_figures(catalog, unit, year, data, rng, totals)
        if not totals_others(unit):
            totals.update(figures[unit.id])
    return {unit.id: figures[unit.id] for unit in units}


def plausible_figures(catalog: Catalog, unit: Unit, year: int, data: dict[str, Any],
                      rng: random.Random, totals: Mapping[str, int] | None = None) -> dict[str, int]:
    """Seeded figures for every element ``unit`` reports, consistent with the catalogue's rules;
    ``totals`` are the commune's sums of the other units' figures (for ``of_total``)."""
    specs: dict[str, Any] = data["figures"]
    scale = data["yearly_growth"] ** (data["base_year"] - year)
    figures: dict[str, int] = {}

    def value_of(code: str) -> int:
        if code in figures:
            return figures[code]
        spec = specs[code]
        if isinstance(spec, list):
            low, high = spec
            value = round(rng.randint(low, high) * scale) if high > 1 else rng.randint(low, high)
        elif "yes" in spec:
            value = 1 if rng.random() < spec["yes"] else 0
        else:
            low, high = spec["share"]
            base = (totals or {}).get(spec["of_total"], 0) if "of_total" in spec else value_of(spec["of"])
            value = int(base * rng.uniform(low, high))
            if "plus" in spec:
                value += rng.randint(*spec["plus"])
        figures[code] = value
        return value

    for code in unit.elements:
        if catalog.elements[code].kind == ElementKind.YES_NO or code in specs:
            value_of(code)
    return {code: figures[code] for code in unit.elements if code in figures}


def _prepare(workspace: Workspace) -> None:
    """Make sure ``workspace`` is a demo folder (or a new one) and empty its generated parts."""
    root = workspace.root
    if root.exists() and any(root.iterdir()) and not (root / MARKER).exists():
        raise WorkspaceError(
            f"Thư mục {root} đã có dữ liệu và không phải thư mục minh hoạ: lệnh demo không ghi vào đó "
            "để không lẫn với số liệu thật. Chọn thư mục khác, ví dụ: ctre-xl demo --workspace demo"
        )
    for part in ("templates", "inbox", "outbox"):
        shutil.rmtree(root / part, ignore_errors=True)
    workspace.ensure()
    (root / MARKER).write_text("Thư mục dữ liệu minh hoạ của ctre-xl demo.\n", encoding="utf-8")


def run_demo(catalog: Catalog, workspace: Workspace) -> MergeResult:
    """Make, fill and merge a demo cycle; returns the merge of the later year."""
    from ctre_xl.pipeline import run_merge
    from ctre_xl.demo.sample import VIETNAM, fill_template
    from ctre_xl.template.writer import write_templates

    data = load_demo_data()
    _prepare(workspace)
    registry = demo_registry(catalog, data)
    schools = [(u.id, u.name, u.level or "", u.contact) for u in registry.schools]
    write_registry_workbook(workspace.registry_path, catalog, schools)
    rng = random.Random(data["seed"])
    mistakes = data["mistakes"]
    later = data["base_year"]
    for year in (later - 1, later):
        # Made on 1 October, before any unit saves its return (the file's last-saved time).
        write_templates(catalog, registry, workspace, year, sample=True,
                        created=datetime(year, 10, 1, 8, 0, tzinfo=VIETNAM))
        folder = workspace.inbox / ("nam-truoc" if year < later else f"nhan-qua-zalo-{year}")
        # Drawn for every unit, the one that never sends too: the commune's resident children count it.
        figures = demo_figures(catalog, registry.expected, year, data, rng)
        for number, unit in enumerate(registry.expected):
            if year == later and unit.id == mistakes["missing"]:
                continue
            values: dict[str, object] = dict(figures[unit.id])
            if year == later:
                _apply_mistakes(values, unit, mistakes)
            report_day = date(year, 11, 3 + number % 6)
            if year == later and unit.id == mistakes["late"]:
                report_day = date(year, 11, 14)
            template = workspace.templates_dir(year) / f"{unit.id}.xlsx"
            target = folder / f"Bao cao tre em {year} - {unit.name}.xlsx"
            fill_template(template, target, values, report_date=report_day,
                          preparer={"preparer_name": "Nguyễn Văn Minh hoạ", "preparer_phone": "0912 345 678"},
                          notes=_notes(catalog, unit),
                          free_text={"report_results": f"Đơn vị đã triển khai Kế hoạch năm {year} (minh hoạ)."})
            _stamp(target, report_day)
            if year == later and unit.id == mistakes["resent"]:
                _resend(fill_template, template, folder, unit, values, report_day)
    return run_merge(catalog, registry, workspace, later, allow_sample=True)


def _apply_mistakes(values: dict[str, object], unit: Unit, mistakes: dict[str, Any]) -> None:
    typo = mistakes["mistyped"]
    if unit.id == typo["unit"] and typo["element"] in values:
        values[typo["element"]] = typo["text"]
    as_text = mistakes["as_text"]
    if unit.id == as_text["unit"] and as_text["element"] in values:
        values[as_text["element"]] = format_number(values[as_text["element"]])


def _notes(catalog: Catalog, unit: Unit) -> dict[str, str]:
    metrics = catalog.metrics_for_elements(unit.elements)
    return {metrics[0].code: "Số liệu theo sổ theo dõi của đơn vị (minh hoạ)."} if metrics else {}


def _resend(fill_template, template: Path, folder: Path, unit: Unit,  # noqa: ANN001
            values: dict[str, object], report_day: date) -> None:
    """The unit sends a corrected file two days later, under another name."""
    corrected = dict(values)
    first = next(iter(corrected))
    if isinstance(corrected[first], int):
        corrected[first] = int(corrected[first]) + 5
    later_day = date(report_day.year, report_day.month, report_day.day + 2)
    target = folder / "gui lai" / f"{unit.id} ban sua.xlsx"
    fill_template(template, target, corrected, report_date=later_day,
                  preparer={"preparer_name": "Nguyễn Văn Minh hoạ", "preparer_phone": "0912 345 678"})
    _stamp(target, later_day)


def _stamp(path: Path, day: date) -> None:
    """Give the file the modification time of the day it was 'received' (deterministic runs)."""
    moment = datetime(day.year, day.month, day.day, 9, 30).timestamp()
    os.utime(path, (moment, moment))
