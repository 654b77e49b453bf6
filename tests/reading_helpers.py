"""Returned workbooks for the tests: real templates, filled the way units fill them, and damaged or
hostile variants of their packages."""

from __future__ import annotations

import re
import struct
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

import openpyxl
import pytest

from ctre_xl.demo.sample import SAVED_AT, VIETNAM, fill_template, save_as_of
from ctre_xl.plan.catalog import Catalog
from ctre_xl.read.values import parse_report_date
from ctre_xl.read.xlsx.workbook import WorkbookError, XlsxWorkbook
from ctre_xl.template.writer import write_template
from ctre_xl.plan.units import Registry


def make_template(catalog: Catalog, registry: Registry, unit_id: str, year: int, path: Path,
                  *, sample: bool = False) -> Path:
    unit = registry.get(unit_id)
    assert unit is not None, unit_id
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_template(catalog, unit, year, path, sample=sample)


def fill(template: Path, values: Mapping[str, object], out: Path | None = None, *, as_text: tuple[str, ...] = (),
         edit: Callable[[openpyxl.Workbook], None] | None = None, **typed: Any) -> Path:
    """Type ``values`` into the cells named by their keys, as a unit's spreadsheet tool would; the
    one template filler of the tests. Returns ``out`` (``template`` itself when None).

    The typing is the demo's (``ctre_xl.demo.sample.fill_template``: a bool is Có/Không, a date is
    a date cell; ``typed`` passes its notes, free_text, preparer and report_date). A str starting
    with "=" becomes a formula unless its name is in ``as_text`` (names not typed are ignored); ``edit`` then changes the workbook
    as a person would (openpyxl).
    """
    target = fill_template(template, out or template, values, **typed)
    as_text = tuple(name for name in as_text if name in values)
    if as_text or edit is not None:
        workbook = openpyxl.load_workbook(target)
        for name in as_text:
            sheet, coordinate = next(iter(workbook.defined_names[name].destinations))
            workbook[sheet][coordinate.replace("$", "")].data_type = "s"
        if edit is not None:
            edit(workbook)
        # Keep the last-saved time fill_template recorded (or the one ``edit`` set): it is the
        # evidence of when the unit sent the file.
        modified = workbook.properties.modified
        save_as_of(workbook, target, modified.replace(tzinfo=timezone.utc) if modified else None)
    typed_day = typed.get("report_date", values.get("report_date"))
    if isinstance(typed_day, str) or isinstance(typed_day, datetime):
        # A report date typed as text (or a datetime) is saved at noon of that day too, as
        # fill_template does for a date; unreadable text leaves the time of the save.
        day = parse_report_date(typed_day)
        if day is not None:
            set_saved_time(target, datetime.combine(day, SAVED_AT, VIETNAM))
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


def set_saved_time(path: Path, when: datetime | None) -> Path:
    """Make ``path`` (an .xlsx) say it was last saved at ``when`` (docProps/core.xml
    ``dcterms:modified``, as Excel writes it on save; a naive ``when`` is UTC), or, with None, carry
    no saved time at all. openpyxl always writes the time of its own save."""
    def modified(data: bytes) -> bytes:
        text = re.sub(r"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", "", data.decode("utf-8"))
        if when is not None:
            stamp = (when if when.tzinfo is None else when.astimezone(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
            text = text.replace("</cp:coreProperties>", '<dcterms:modified xmlns:dcterms="http://purl.org/dc/terms/" '
                                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="dcterms:W3CDTF">'
                                f"{stamp}</dcterms:modified></cp:coreProperties>")
        return text.encode("utf-8")

    changed = rewrite_zip(path, path.with_name(path.name + ".tmp"), replace={"docProps/core.xml": modified})
    changed.replace(path)
    return path


def sheet_part(path: Path, sheet_name: str) -> str:
    """The zip member holding ``sheet_name`` (through workbook.xml and its relationships)."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    rid = re.search(r'<sheet [^>]*name="%s"[^>]*r:id="([^"]+)"' % re.escape(sheet_name), workbook)
    assert rid, sheet_name
    target = re.search(r'Id="%s"[^>]*Target="([^"]+)"' % rid[1], rels) or \
        re.search(r'Target="([^"]+)"[^>]*Id="%s"' % rid[1], rels)
    assert target
    return target[1].lstrip("/") if target[1].startswith("/") else "xl/" + target[1]


def zip_entries(data: bytes, member: str) -> tuple[list[int], list[int]]:
    """The offsets of ``member``'s local headers and of its central directory entries in a package."""
    name = member.encode()
    found: tuple[list[int], list[int]] = ([], [])
    for which, (signature, name_at) in enumerate(((b"PK\x03\x04", 26), (b"PK\x01\x02", 28))):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + name_at)[0]
            start = at + name_at + (4 if which == 0 else 18)
            if data[start:start + length] == name:
                found[which].append(at)
            at = data.find(signature, at + 4)
    return found


def deflate_broken(data: bytes, member: str) -> bytes:
    """The package with ``member``'s deflated bytes no longer inflating (an invalid block type, 3,
    at the start): ``zipfile`` then raises zlib's own error while reading it."""
    [local], _central = zip_entries(data, member)
    name_length, extra_length = struct.unpack_from("<HH", data, local + 26)
    start = local + 30 + name_length + extra_length
    return data[:start] + bytes([data[start] | 0b110]) + data[start + 1:]


EVERY_CELL = frozenset((row, col) for row in range(300) for col in range(12))


def read_both_ways(path: Path, scanner: bool, monkeypatch: pytest.MonkeyPatch, sheets: list[str] | None = None) -> dict:
    """Every cell of columns A:L, rows 1-300, of each sheet (or the error kind), with the scanner on/off:
    asked for as whole columns (the scanner meets every cell) and as cells (read straight where the
    sheet is plain, ``xlsx.direct``, or by its markup, ``xlsx.sheet_markup``). Both askings must give
    the same."""
    monkeypatch.setattr(XlsxWorkbook, "use_scanner", scanner)
    try:
        workbook = XlsxWorkbook(path.read_bytes())
    except WorkbookError as exc:
        return {"error": exc.kind}
    found: dict = {}
    for sheet in sheets or [s.name for s in workbook.sheets]:
        try:
            got = workbook.read_cells(sheet, columns=range(12), max_row=299)
            as_cells = workbook.read_cells(sheet, EVERY_CELL)
            assert (as_cells.cells, as_cells.dimension, as_cells.content_below) == (
                got.cells, got.dimension, got.content_below), sheet
            found[sheet] = (got.cells, got.dimension, got.content_below)
        except WorkbookError as exc:
            found[sheet] = exc.kind
    workbook.close()
    return found
