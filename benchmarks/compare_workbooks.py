#!/usr/bin/env python3
"""Dump every cell value + its format + print settings of the workbooks we write, and compare dumps.

Written for issue 8 (one house style): a refactor of the styles must leave the summary, the findings
workbook, the templates and ``don-vi.xlsx`` exactly as they were. The dump reads each workbook with
openpyxl and records, per sheet: every cell's value and format (font, fill, number format, border,
alignment, protection), merged ranges, column widths, row heights, freeze panes, print set-up
(orientation, paper, fit-to, margins, header/footer, print titles and area), sheet protection and
state, data validations, conditional formats, charts; per workbook: defined names.

Usage::

    python benchmarks/compare_workbooks.py dump OUT.json [DEMO_DIR]   # DEMO_DIR: from `ctre-xl demo`
    python benchmarks/compare_workbooks.py compare BEFORE.json AFTER.json
    python benchmarks/compare_workbooks.py check BEFORE.json         # runs a fresh demo, then compares

Without DEMO_DIR, ``dump`` runs ``ctre-xl demo`` in a temporary folder first. Values that change
from run to run (creation time, tool version, hashes of the template: ``VOLATILE``) are reported
apart from the real differences. Exit status 1 when something other than those differs.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.xml.functions import tostring

# The workbooks compared, relative to the demo folder. Templates: all of 2026 (one per unit, both
# kinds and every school level).
WORKBOOKS = ("outbox/2026/tong-hop-2026.xlsx", "outbox/2026/kiem-tra-2026.xlsx", "don-vi.xlsx")
TEMPLATE_GLOB = "templates/2026/*.xlsx"
# Cell values that legitimately differ between two runs of the demo.
VOLATILE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\b[0-9a-f]{16,64}\b|lúc \d{2}:\d{2}")


def _colour(colour: Any) -> Any:
    if colour is None:
        return None
    return {"rgb": colour.rgb if isinstance(colour.rgb, str) else None, "theme": colour.theme,
            "indexed": colour.indexed if colour.type == "indexed" else None, "tint": colour.tint}


def _side(side: Any) -> Any:
    return None if side is None or side.style is None else [side.style, _colour(side.color)]


def _dxf(dxf: Any) -> Any:
    """A conditional format's look (font colour and weight, fill), not its index in the workbook."""
    if dxf is None:
        return None
    font, fill = dxf.font, dxf.fill
    return [_colour(font.color) if font else None, font.b if font else None,
            [_colour(fill.fgColor), _colour(fill.bgColor), fill.fill_type] if fill else None, dxf.numFmt]


def cell_format(cell: Any) -> dict[str, Any]:
    font, fill, border, al, prot = cell.font, cell.fill, cell.border, cell.alignment, cell.protection
    return {
        "font": [font.name, font.sz, font.b, font.i, font.u, font.strike, _colour(font.color), font.vertAlign],
        "fill": [fill.fill_type, _colour(getattr(fill, "fgColor", None)), _colour(getattr(fill, "bgColor", None))],
        "num_format": cell.number_format,
        "border": [_side(border.left), _side(border.right), _side(border.top), _side(border.bottom)],
        "alignment": [al.horizontal, al.vertical, al.wrap_text, al.indent, al.text_rotation, al.shrink_to_fit],
        "protection": [prot.locked, prot.hidden],
    }


def sheet_settings(ws: Any) -> dict[str, Any]:
    ps, m, hf = ws.page_setup, ws.page_margins, ws.oddHeader
    setup = ws.sheet_properties.pageSetUpPr
    return {
        "state": ws.sheet_state,
        "page_setup": [ps.orientation, ps.paperSize, ps.fitToWidth, ps.fitToHeight, ps.scale],
        "fit_to_page": bool(setup and setup.fitToPage),
        "margins": [m.left, m.right, m.top, m.bottom, m.header, m.footer],
        "header": [hf.left.text, hf.center.text, hf.right.text],
        "footer": [ws.oddFooter.left.text, ws.oddFooter.center.text, ws.oddFooter.right.text],
        "print_options": [ws.print_options.horizontalCentered, ws.print_options.gridLines],
        "print_titles": [str(ws.print_title_rows), str(ws.print_title_cols)],
        "print_area": str(ws.print_area),
        "freeze_panes": ws.freeze_panes,
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "columns": {k: [d.width, d.hidden, d.outlineLevel] for k, d in sorted(ws.column_dimensions.items())},
        "rows": {str(k): [d.height, d.hidden] for k, d in sorted(ws.row_dimensions.items()) if d.height or d.hidden},
        "protection": [ws.protection.sheet, ws.protection.formatCells, ws.protection.selectLockedCells],
        "validations": sorted(f"{dv.sqref} {dv.type} {dv.operator} {dv.formula1} {dv.formula2} "
                              f"{dv.error} {dv.prompt}" for dv in ws.data_validations.dataValidation),
        "conditional": sorted(f"{rng.sqref} {r.type} {r.operator} {r.formula} {_dxf(r.dxf)}"
                              for rng in ws.conditional_formatting for r in rng.rules),
        "tab_colour": _colour(ws.sheet_properties.tabColor),
        # Charts as openpyxl reads them back (series, colours, fonts), as XML text.
        "charts": [tostring(chart._write()).decode() for chart in ws._charts],
        "grid": ws.sheet_view.showGridLines,
        "zoom": ws.sheet_view.zoomScale,
    }


def dump_workbook(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    sheets: dict[str, Any] = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and cell.style_id == 0:
                    continue
                value = cell.value if isinstance(cell.value, (int, float, str, bool, type(None))) else str(cell.value)
                cells[cell.coordinate] = {"value": value, **cell_format(cell)}
        sheets[ws.title] = {"settings": sheet_settings(ws), "cells": cells}
    names = {name: str(dn.attr_text) for name, dn in wb.defined_names.items()}
    for ws in wb.worksheets:
        names.update({f"{ws.title}!{n}": str(dn.attr_text) for n, dn in ws.defined_names.items()})
    return {"sheet_order": wb.sheetnames, "defined_names": names, "sheets": sheets}


def dump_demo(demo: Path) -> dict[str, Any]:
    paths = [demo / w for w in WORKBOOKS] + sorted(demo.glob(TEMPLATE_GLOB))
    dump = {str(p.relative_to(demo)): dump_workbook(p) for p in paths}
    # Through JSON and back, so that a fresh dump compares equal to one read from a file.
    return json.loads(json.dumps(dump, ensure_ascii=False, default=str))


def run_demo() -> Path:
    work = Path(tempfile.mkdtemp(prefix="compare-wb-"))
    subprocess.run(["ctre-xl", "demo"], cwd=work, check=True, stdout=subprocess.DEVNULL)
    return work / "demo"


def _walk(before: Any, after: Any, where: str, out: list[str]) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after), key=str):
            if key not in before:
                out.append(f"{where}/{key}: only after: {json.dumps(after[key], ensure_ascii=False)[:200]}")
            elif key not in after:
                out.append(f"{where}/{key}: only before: {json.dumps(before[key], ensure_ascii=False)[:200]}")
            else:
                _walk(before[key], after[key], f"{where}/{key}", out)
    elif before != after:
        out.append(f"{where}: {json.dumps(before, ensure_ascii=False)[:200]} -> "
                   f"{json.dumps(after, ensure_ascii=False)[:200]}")


def compare(before: dict[str, Any], after: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Return (real differences, volatile ones: a cell value whose both sides look run-dependent)."""
    diffs: list[str] = []
    _walk(before, after, "", diffs)
    real, volatile = [], []
    for line in diffs:
        is_value = line.split(":", 1)[0].endswith("/value")
        (volatile if is_value and len(VOLATILE.findall(line)) >= 2 else real).append(line)
    return real, volatile


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "dump":
        demo = Path(argv[2]) if len(argv) > 2 else run_demo()
        Path(argv[1]).write_text(json.dumps(dump_demo(demo), ensure_ascii=False, indent=0), encoding="utf-8")
        print(f"dumped {demo} -> {argv[1]}")
        return 0
    if len(argv) in (2, 3) and argv[0] in ("compare", "check"):
        before = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        if argv[0] == "check":
            after = dump_demo(Path(argv[2]) if len(argv) == 3 else run_demo())
        else:
            after = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        real, volatile = compare(before, after)
        print(f"{len(volatile)} run-dependent value(s) differ (ignored)")
        for line in real:
            print(line)
        print(f"{len(real)} difference(s)" if real else "no difference in cells, formats or print settings")
        return 1 if real else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
