"""Building returned workbooks for the reading tests: real templates, filled the way units fill them."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path
from typing import Callable

import openpyxl

from ctre_xl.plan.catalog import Catalog
from ctre_xl.template.writer import write_template
from ctre_xl.plan.units import Registry


def make_template(catalog: Catalog, registry: Registry, unit_id: str, year: int, path: Path,
                  *, sample: bool = False) -> Path:
    unit = registry.get(unit_id)
    assert unit is not None, unit_id
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_template(catalog, unit, year, path, sample=sample)


def fill(path: Path, values: dict[str, object], out: Path | None = None, *, as_text: tuple[str, ...] = (),
         edit: Callable[[openpyxl.Workbook], None] | None = None) -> Path:
    """Type ``values`` into the cells named by their keys (openpyxl, as a unit's tool would).

    A str starting with "=" becomes a formula unless its name is in ``as_text``.
    """
    workbook = openpyxl.load_workbook(path)
    for name, value in values.items():
        sheet, coordinate = next(iter(workbook.defined_names[name].destinations))
        cell = workbook[sheet][coordinate.replace("$", "")]
        cell.value = value
        if name in as_text:
            cell.data_type = "s"
    if edit is not None:
        edit(workbook)
    target = out or path
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target


def rewrite_zip(source: Path, target: Path, *, replace: dict[str, bytes | Callable[[bytes], bytes]] | None = None,
                add: dict[str, bytes] | None = None, drop: set[str] | None = None) -> Path:
    """Copy an xlsx package changing some members (to build damaged or hostile variants)."""
    replace, add, drop = replace or {}, add or {}, drop or set()
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in drop:
                continue
            data = old.read(info.filename)
            change = replace.get(info.filename)
            if change is not None:
                data = change(data) if callable(change) else change
            new.writestr(info.filename, data)
        for name, data in add.items():
            new.writestr(name, data)
    return target


def sheet_part(path: Path, sheet_name: str) -> str:
    """The zip member holding ``sheet_name`` (through workbook.xml and its relationships)."""
    import re

    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    rid = re.search(r'<sheet [^>]*name="%s"[^>]*r:id="([^"]+)"' % re.escape(sheet_name), workbook)
    assert rid, sheet_name
    target = re.search(r'Id="%s"[^>]*Target="([^"]+)"' % rid[1], rels) or \
        re.search(r'Target="([^"]+)"[^>]*Id="%s"' % rid[1], rels)
    assert target
    return target[1].lstrip("/") if target[1].startswith("/") else "xl/" + target[1]


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every file under ``folder``: (sha256, mtime_ns, size), to prove nothing was touched."""
    found = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            if path.is_symlink():
                continue
            info = path.stat()
            found[str(path.relative_to(folder))] = (hashlib.sha256(path.read_bytes()).hexdigest(),
                                                    info.st_mtime_ns, info.st_size)
    return found
