"""Templates stamped from one render per unit shape (template/stamp.py) are the files a full render
writes, part by part, for every kind of name: plain, long, with XML or header specials."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from ctre_xl.files import Workspace
from ctre_xl.plan.units import Registry, department_units, school_unit
from ctre_xl.template import stamp, writer

YEAR = 2026
CREATED = datetime(2026, 5, 1, 8, 0, 0).astimezone()
NAMES = [
    ("mn-01", "Trường Mầm non Xuân Trường số 1", "mam-non"),
    ("mn-02", "Trường Mầm non Xuân Hoà", "mam-non"),
    ("th-01", "Trường Tiểu học Thọ Nghiệp", "tieu-hoc"),
    ("th-02", "Trường Tiểu học A & B <cơ sở 2> \"mới\"", "tieu-hoc"),  # XML and header specials
    ("th-03", "Trường Tiểu học " + "Xuân Trường " * 12, "tieu-hoc"),  # long: a taller row
    ("thcs-01", "Trường THCS Xuân Ninh", "thcs"),
    ("thcs-02", "Trường THCS _x0041_ số 2", "thcs"),  # XlsxWriter's escape sequence
    ("thcs-03", "Số liệu", "thcs"),  # equal to a sheet's name: a shared string already present
]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def stamped_and_full(catalog, tmp_path_factory):
    root = tmp_path_factory.mktemp("stamp")
    schools = [school_unit(catalog, code, name, level, f"Hiệu trưởng, 09{n:08d}")
               for n, (code, name, level) in enumerate(NAMES)]
    registry = Registry(tuple(department_units(catalog) + schools), source="phép thử")
    workspace = Workspace(root / "ws")
    workspace.ensure()
    stamped = writer.write_templates(catalog, registry, workspace, YEAR, created=CREATED)
    full = []
    for unit in registry.units:
        full.append(writer.write_template(catalog, unit, YEAR, root / "full" / f"{unit.id}.xlsx", created=CREATED))
    return stamped, full


def test_every_stamped_template_equals_its_full_render(stamped_and_full):
    stamped, full = stamped_and_full
    assert [p.name for p in stamped] == [p.name for p in full]
    for made, expected in zip(stamped, full):
        assert _parts(made) == _parts(expected), made.name
        assert list(_parts(made)) == list(_parts(expected))  # same part order


def test_plain_names_are_stamped_and_special_ones_rendered(catalog, tmp_path):
    calls: list[str] = []
    rendered = []

    def render(unit, path):
        calls.append(unit.id)
        rendered.append(unit.id)
        return writer.write_template(catalog, unit, YEAR, path, created=CREATED)

    stamper = stamp.Stamper(catalog, YEAR, render)
    for code, name, level in NAMES:
        stamper.write(school_unit(catalog, code, name, level), tmp_path / f"{code}.xlsx")
    # One render per shape (three levels), plus the four names that cannot be stamped.
    assert calls.count(stamp.ID_MARK) == 3
    assert sorted(c for c in calls if c != stamp.ID_MARK) == ["th-02", "th-03", "thcs-02", "thcs-03"]
