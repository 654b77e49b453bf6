#!/usr/bin/env python3
"""The raw readers bench_merge.py times as whole processes (interpreter start and imports included,
like ``ctre-xl merge``), each over the files listed in a JSON file:

* ``calamine LIST.json`` — python-calamine opens every file and reads the input sheet only
  (``Số liệu``, or ``Ý kiến`` for the narrative template), ``to_python()``;
* ``floor LIST.json`` — the unzip + inflate floor: ``zipfile`` reads the input sheet's part of every
  file (the part names are resolved beforehand by the parent, untimed, so nothing is parsed here).

LIST.json holds ``[[path, sheet name, part name], ...]``. Run two of them on two halves of the list
at once for the two-process figure. Prints the number of cells (or bytes) read.
"""

from __future__ import annotations

import json
import sys


def calamine(entries: list[list[str]]) -> int:
    from python_calamine import CalamineWorkbook

    cells = 0
    for path, sheet, _part in entries:
        workbook = CalamineWorkbook.from_path(path)
        try:
            rows = workbook.get_sheet_by_name(sheet).to_python()
            cells += sum(len(row) for row in rows)
        finally:
            workbook.close()
    return cells


def floor(entries: list[list[str]]) -> int:
    import zipfile

    total = 0
    for path, _sheet, part in entries:
        with zipfile.ZipFile(path) as archive:
            total += len(archive.read(part))
    return total


def main() -> None:
    kind, listing = sys.argv[1], sys.argv[2]
    with open(listing, encoding="utf-8") as handle:
        entries = json.load(handle)
    print({"calamine": calamine, "floor": floor}[kind](entries))


if __name__ == "__main__":
    main()
