"""Reading a sheet's wanted cells where they must be, once the whole sheet is proven plain.

``scan.scan_sheet`` meets every cell of a sheet to keep a few dozen: a template's input sheet has
hundreds of cells (labels, units, targets, check columns) and the merge wants the figures and a
few labels. This module reads the same cells, with the same meaning, without visiting the others:

1. One regular expression (``_PLAIN_ROWS``, run by the ``re`` engine, not by Python per cell)
   proves the whole ``sheetData`` region is nothing but rows, each a ``<row r="N">`` with a
   number that has no leading zero, holding nothing but cells whose reference is in that row
   (``<c r="D7">`` only inside ``<row r="7">``), written ``<c r="`` with a single space, with no
   ``<`` in any attribute, attributes and content in the scanner's own forms
   (``scan.ROW_ATTRIBUTES``, ``scan.CELL_ATTRIBUTES``: quoted values, no second ``r``;
   ``scan.CELL_CONTENT``: well-formed tags, no comment, CDATA, processing instruction, prefixed
   element, nested cell or row).
2. Rows must come in increasing order: a row number then stands for one row, and the first row
   past the wanted ones is where the parser stops.
3. A second expression, a tree of the wanted references (``_finder``), finds the wanted cells
   only: in such a region ``<c r="D7"`` can only be the start of that cell, inside row 7. A cell
   written twice is left to the scanner, which settles and reports the copies.

Anything else returns None, and the caller uses ``scan.scan_sheet`` (and it, in turn, the XML
parser). Tests read every workbook both ways and compare (tests/test_xlsx_scan.py).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import islice
from operator import lt
from typing import Callable
from xml.etree.ElementTree import Element

from ctre_xl.read.xlsx.scan import (CELL_ATTRIBUTES, CELL_CONTENT, CONTENT_STARTS, LAZY_FROM, ROW_ATTRIBUTES, RawCell,
                                   _raw_cell)
from ctre_xl.read.xlsx.wanted import letters

# A whole sheetData region of rows holding cells of their own row, and nothing else but white space.
_PLAIN_ROWS = re.compile(
    rb'(?:\s*+<row r="(?P<n>[1-9][0-9]{0,6})"' + ROW_ATTRIBUTES + rb'(?:/>|>'
    rb'(?:\s*+<c r="[A-Z]{1,2}(?P=n)"' + CELL_ATTRIBUTES + rb'(?:/>|>' + CELL_CONTENT + rb'</c>))*+'
    rb'\s*+</row>))*+\s*+')
_ROW_NUMBER = re.compile(rb'<row r="([0-9]+)"')

_KEPT: dict[frozenset[tuple[int, int]], tuple[re.Pattern[bytes], dict[bytes, tuple[int, int]]]] = {}


def read_direct(region: bytes, wanted: frozenset[tuple[int, int]], last: int, namespace: str,
                parse_cell: Callable[[Element], RawCell]) -> tuple[dict[tuple[int, int], RawCell], int | None] | None:
    """(raw wanted cells, first row with content past ``last``) of a sheet's region, with the
    meaning of ``scan.scan_sheet`` without wanted columns; None when the region is not plain."""
    plain = _plain_finder(region, wanted)
    if plain is None:
        return None
    numbers, finder, places = plain
    raw: dict[tuple[int, int], RawCell] = {}
    for reference, attributes, content in finder.findall(region):
        place = places[reference]
        if place in raw:
            return None  # a cell written twice: the scanner settles the copies and reports them
        if place[0] <= last:
            raw[place] = _raw_cell(attributes, content, namespace, parse_cell)
    return raw, _content_below(region, numbers, last)


Span = tuple[int, int, int, int]  # a cell's attributes (after its reference) and content, as offsets


def cell_spans(region: bytes, wanted: frozenset[tuple[int, int]],
               last: int) -> tuple[dict[tuple[int, int], Span], int | None] | None:
    """``read_direct``'s cells as where they lie in ``region`` (start and end of each one's
    attributes and content; a cell without content: an empty span at its end), for
    ``sheet_markup``; None where ``read_direct`` gives None."""
    plain = _plain_finder(region, wanted)
    if plain is None:
        return None
    numbers, finder, places = plain
    spans: dict[tuple[int, int], Span] = {}
    seen: set[tuple[int, int]] = set()
    for match in finder.finditer(region):
        place = places[match[1]]
        if place in seen:
            return None
        seen.add(place)
        if place[0] <= last:
            content = match.span(3) if match.start(3) >= 0 else (match.end(2), match.end(2))
            spans[place] = (*match.span(2), *content)
    return spans, _content_below(region, numbers, last)


def _plain_finder(region: bytes, wanted: frozenset[tuple[int, int]]
                  ) -> tuple[list[int], re.Pattern[bytes], dict[bytes, tuple[int, int]]] | None:
    """(the rows' numbers as written, 1-based; the wanted cells' pattern; each one's place by its
    reference) of a plain region whose rows come in increasing order; None when the region is not
    plain, its rows are out of order or repeated (the scanner reads those as the parser does), or
    a wanted column is past ZZ."""
    if len(region) > LAZY_FROM or _PLAIN_ROWS.fullmatch(region) is None:
        return None
    numbers = list(map(int, _ROW_NUMBER.findall(region)))
    if not all(map(lt, numbers, islice(numbers, 1, None))):
        return None
    found = _finder(wanted)
    return None if found is None else (numbers, *found)


def _content_below(region: bytes, numbers: list[int], last: int) -> int | None:
    """The first row past ``last`` (0-based) with a cell that has content, None when there is none
    (``numbers``: the rows' numbers as written, 1-based)."""
    first = bisect_right(numbers, last + 1)
    if first == len(numbers):
        return None
    start = region.find(b'<row r="%d"' % numbers[first])
    found = [at for at in (region.find(text, start) for text in CONTENT_STARTS) if at >= 0]
    if not found:
        return None
    row = _ROW_NUMBER.match(region, region.rfind(b'<row r="', start, min(found)))
    return int(row[1]) - 1 if row else None


def _finder(wanted: frozenset[tuple[int, int]]) -> tuple[re.Pattern[bytes], dict[bytes, tuple[int, int]]] | None:
    """A pattern matching the wanted cells only, and each one's place by its reference; kept per
    reading plan (every file of a template asks the same). None when a column is past ZZ."""
    found = _KEPT.get(wanted)
    if found is None:
        if any(col >= 702 for _, col in wanted):
            return None
        places = {letters(col) + b"%d" % (row + 1): (row, col) for row, col in sorted(wanted)}
        references = _alternatives(list(places)) if places else b"(?!)"
        found = (re.compile(rb'<c r="(' + references + rb')"(' + CELL_ATTRIBUTES + rb')(?:/>|>(' + CELL_CONTENT + rb')</c>)'), places)
        if len(_KEPT) >= 64:
            _KEPT.clear()
        _KEPT[wanted] = found
    return found


def _alternatives(words: list[bytes]) -> bytes:
    """A pattern matching exactly ``words`` (A-Z and digits), as a tree of their common starts:
    the engine then tries a few characters at each cell, not every wanted reference in turn."""
    rests: dict[bytes, list[bytes]] = {}
    for word in words:
        rests.setdefault(word[:1], []).append(word[1:])
    ending = rests.pop(b"", None) is not None
    branches = [first + _alternatives(after) for first, after in sorted(rests.items())]
    if not branches:
        return b""
    pattern = branches[0] if len(branches) == 1 and not ending else b"(?:" + b"|".join(branches) + b")"
    return pattern + b"?" if ending else pattern
