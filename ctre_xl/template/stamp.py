"""Templates stamped from one render per unit shape: thousands of schools, three shapes (issue 14).

Two units of the same shape (same kind, level and element list) get templates that differ only in
the unit's name and id and the layout's fingerprint (which hashes the id): the cells, formats,
validations and formulas are the same. So each shape is rendered once by XlsxWriter, for a
stand-in unit whose name and id are plain ASCII markers, and every unit of that shape is written
by putting its own name, id and fingerprint in place of the markers in the rendered parts.

Stamping is exact only where the markers stand for the text itself, so a unit is rendered in full
instead whenever its name or id would be written differently from a marker: characters that XML,
a page header (``&``) or XlsxWriter (``_x``, control characters, edge spaces) transform; a name
long enough to change a row's height; or a value already present elsewhere in the rendered parts
(shared strings would merge). tests/test_template_stamp.py checks stamped files part by part
against full renders.
"""

from __future__ import annotations

import dataclasses
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

from ctre_xl.files import atomic_output
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.units import Unit
from ctre_xl.template.front import FRONT_WIDTHS
from ctre_xl.template.layout import cached_layout
from ctre_xl.template.sheets import estimated_height
from ctre_xl.text import clean_text

NAME_MARK = "ZqxUnitNameMarkQzx"
ID_MARK = "zqx-unit-id-mark-qzx"
_UNSAFE = set("&<>\"'") | {chr(code) for code in range(32)} | {"\x7f"}

Render = Callable[[Unit, Path], Path]


@dataclasses.dataclass(frozen=True)
class _Prototype:
    parts: tuple[tuple[zipfile.ZipInfo, bytes], ...]
    fingerprint: bytes
    blob: bytes  # every part joined: where a unit's own values must not already appear


def _plain(text: str) -> bool:
    """Written byte for byte as given in every place a marker stands."""
    return (bool(text) and text == text.strip() and clean_text(text) == text and "_x" not in text
            and not _UNSAFE.intersection(text))


class Stamper:
    """Writes units' templates, rendering each shape once with ``render`` (``write_template``)."""

    def __init__(self, catalog: Catalog, year: int, render: Render) -> None:
        self._catalog, self._year, self._render = catalog, year, render
        self._prototypes: dict[Unit, _Prototype | None] = {}

    def write(self, unit: Unit, path: Path) -> Path:
        prototype = self._prototype(unit) if self._stampable(unit) else None
        if prototype is None:
            return self._render(unit, path)
        values = (unit.name.encode("utf-8"), unit.id.encode("utf-8"),
                  cached_layout(self._catalog, unit, self._year).fingerprint.encode("ascii"))
        if any(value in prototype.blob for value in values):
            return self._render(unit, path)
        marks = (NAME_MARK.encode("ascii"), ID_MARK.encode("ascii"), prototype.fingerprint)
        with atomic_output(Path(path)) as temporary:
            with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
                for info, data in prototype.parts:
                    for mark, value in zip(marks, values):
                        data = data.replace(mark, value)
                    archive.writestr(_fresh(info), data)
        return Path(path)

    def _stampable(self, unit: Unit) -> bool:
        front_width = FRONT_WIDTHS[1]
        return (_plain(unit.name) and _plain(unit.id) and unit.name != unit.id
                and estimated_height(unit.name, front_width, 1.1) == estimated_height(NAME_MARK, front_width, 1.1))

    def _prototype(self, unit: Unit) -> _Prototype | None:
        stand_in = dataclasses.replace(unit, id=ID_MARK, name=NAME_MARK, contact="")
        if stand_in not in self._prototypes:
            self._prototypes[stand_in] = self._build(stand_in)
        return self._prototypes[stand_in]

    def _build(self, stand_in: Unit) -> _Prototype | None:
        with tempfile.TemporaryDirectory(prefix="ctre-stamp-") as folder:
            path = self._render(stand_in, Path(folder) / "prototype.xlsx")
            with zipfile.ZipFile(path) as archive:
                parts = tuple((info, archive.read(info)) for info in archive.infolist())
        fingerprint = cached_layout(self._catalog, stand_in, self._year).fingerprint.encode("ascii")
        blob = b"\0".join(data for _info, data in parts)
        if NAME_MARK.encode("ascii") not in blob or fingerprint not in blob:
            return None  # not the shape this module knows: render every unit in full
        return _Prototype(parts, fingerprint, blob)


def _fresh(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A new entry like ``info`` (name, date, compression, attributes), its sizes left to zipfile."""
    made = zipfile.ZipInfo(info.filename, info.date_time)
    made.compress_type = info.compress_type
    made.external_attr = info.external_attr
    made.create_system = info.create_system
    return made
