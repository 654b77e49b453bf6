"""Templates at scale and in other hands: speed, determinism, a LibreOffice round trip."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from ctre_xl.template import writer as templates
from ctre_xl.plan.load import load_catalog
from ctre_xl.files import Workspace
from ctre_xl.cellref import a1
from ctre_xl.template.layout import FRONT_SHEET, INPUT_SHEET, META_SHEET, NARRATIVE_SHEET, build_layout
from ctre_xl.template.writer import write_templates
from ctre_xl.plan.units import Registry, default_registry, department_units, school_unit
from conftest import requires_soffice, soffice_path
from reading_helpers import fill
from template_helpers import CREATED, YEAR, custom_props, hidden_meta, metric_rows, name_target, validations

_CATALOG = load_catalog()
_REGISTRY = default_registry(_CATALOG)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    workspace = Workspace(tmp_path_factory.mktemp("ws"))
    paths = write_templates(_CATALOG, _REGISTRY, workspace, YEAR, created=CREATED)
    return {p.stem: p for p in paths}


def _many_schools(count: int) -> Registry:
    levels = [level.id for level in _CATALOG.school_levels]
    schools = [school_unit(_CATALOG, f"truong-{n:04d}", f"Trường số {n}", levels[n % 3]) for n in range(count)]
    return Registry(tuple(department_units(_CATALOG) + schools), source="test")


def test_pool_and_single_process_write_identical_files(tmp_path, monkeypatch):
    registry = _many_schools(templates.PARALLEL_MIN_UNITS + 6)
    pooled = write_templates(_CATALOG, registry, Workspace(tmp_path / "pool"), YEAR, created=CREATED)
    monkeypatch.setattr(templates, "PARALLEL_MIN_UNITS", 10**6)
    single = write_templates(_CATALOG, registry, Workspace(tmp_path / "one"), YEAR, created=CREATED)
    assert [p.name for p in pooled] == [p.name for p in single] == [f"{u.id}.xlsx" for u in registry.units]
    different = [a.name for a, b in zip(pooled, single) if a.read_bytes() != b.read_bytes()]
    assert not different


# ----------------------------------------------------------------------------- LibreOffice


@requires_soffice
def test_templates_survive_a_libreoffice_round_trip(written, tmp_path):
    """Re-save every default template through LibreOffice in one call and read it back.

    What LibreOffice 7.x loses (checked below so a change is noticed): the metadata sheet comes back
    "hidden" instead of "veryHidden", and the frozen header pane of the (non-active) input sheet is
    dropped. Everything the reader relies on survives: defined names, custom properties, the hidden
    metadata sheet's values, unlocked inputs, validations and protection; the rate formulas still
    compute (LibreOffice recalculates them on load).
    """
    source = tmp_path / "in"
    source.mkdir()
    for path in written.values():
        shutil.copy(path, source / path.name)
    filled = fill(written["vhxh"], {"children_0_8_served": 95, "children_0_8": 100, "deaths_neonatal": 1,
                                    "live_births": 100, "hiv_exposed_infants": 0}, source / "vhxh-filled.xlsx")
    out = tmp_path / "out"
    files = sorted(str(p) for p in source.glob("*.xlsx"))
    subprocess.run([soffice_path(), f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), *files],
                   check=True, capture_output=True, timeout=240)
    for unit_id, original in written.items():
        again = openpyxl.load_workbook(out / original.name)
        layout = build_layout(_CATALOG, _REGISTRY.get(unit_id), YEAR)
        body = NARRATIVE_SHEET if _REGISTRY.get(unit_id).narrative else INPUT_SHEET  # the MTTQ: "Ý kiến"
        assert again.sheetnames == [FRONT_SHEET, body, META_SHEET]
        assert again[META_SHEET].sheet_state in ("veryHidden", "hidden")  # LibreOffice: "hidden"
        assert set(again.defined_names) == set(layout.cells)
        checks = {title: validations(again[title]) for title in (FRONT_SHEET, body)}
        for name, (sheet_title, row, col) in layout.cells.items():
            assert name_target(again, name) == (sheet_title, a1(row, col)), name
            assert again[sheet_title][a1(row, col)].protection.locked is False
            assert a1(row, col) in checks[sheet_title], name
        first = openpyxl.load_workbook(original)
        assert custom_props(again) == custom_props(first)
        assert hidden_meta(again) == hidden_meta(first)
        assert again[body].protection.sheet and again[FRONT_SHEET].protection.sheet
    computed = openpyxl.load_workbook(out / filled.name, data_only=True)[INPUT_SHEET]
    rows = metric_rows(computed)
    assert computed[f"G{rows['CT02']}"].value == pytest.approx(95.0)
    assert computed[f"G{rows['CT03a']}"].value == pytest.approx(10.0)  # 1 death in 100 births = 10‰
    assert computed[f"G{rows['CT06']}"].value == "Không phát sinh"
    assert computed[f"G{rows['CT05a']}"].value in (None, "")  # nothing typed yet
