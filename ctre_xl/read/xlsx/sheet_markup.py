"""Worksheet parts read by their markup: the returns of one template, saved by one program, repeat it.

Every return of a template that one program saved has the same sheet markup: the same tags, with
the same attributes, in the same order. Only the character data between two tags differs: the
unit's name in a title, the figures it typed. Proving a sheet plain and finding its wanted cells
(``direct.read_direct``, ``scan.sheet_region``) cost about a quarter of a file's reading. Here,
once a sheet's head (what comes before ``<sheetData``) has been met ``LEARN_AFTER`` times, each
part read straight is cut into its tags and its texts. The first one is kept as a *markup*. A
later part with the same tags makes slots of the texts that differ (``_Markup.widen``). A part is
then read by comparing its fixed pieces, byte for byte, and taking each slot's text, which runs
to the next ``<``. Its wanted cells are the learned part's, with the slots' texts put back.

Why that is exactly the scanner's answer (and so the parser's):

* Only parts the scanner read straight are learned: DTD-free UTF-8, the SpreadsheetML namespace,
  a plain ``sheetData`` region. Parts with ``<!`` (comment, CDATA, document type) or a ``<?``
  other than a leading XML declaration are never learned: in the others, every ``<`` starts a
  tag, and a tag ends at the first ``>`` outside its quoted attribute values (``_TAG``).
* Character data holds no ``<``. So a slot's text ends at the next ``<``, and a part that matches
  has the learned tags, byte for byte, in the learned order. Only texts can differ, and only where
  both learned parts had text that was not blank. In a plain region, such text lies inside a cell
  (``direct._PLAIN_ROWS`` allows only white space between rows and cells), where any text is
  allowed. So the region is plain. The rows, the cells and where they are, the dimension, the
  namespace, and which rows below have content are the learned part's, since all of them are
  markup.
* A wanted cell is decoded from its attributes and its content, the slots' texts put back, by the
  scanner's own ``scan._raw_cell``, which checks the text as the parser would. A slot with a
  character XML forbids sends the part to the scanner, and it hands the part to the parser.

Bounds: parts up to ``MAX_PART_BYTES``, ``MAX_MARKUPS`` markups per process, at most
``MAX_PER_HEAD`` for one head, ``MAX_LEARNING`` parts cut into tags for one head (an inbox whose
every file has markup of its own then costs a few microseconds more per file), ``MAX_SEEN`` heads
counted, each up to ``MAX_HEAD_BYTES``. Tests read parts both ways and compare (tests/test_sheet_markup.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from xml.etree.ElementTree import Element

from ctre_xl.read.package import tags_only
from ctre_xl.read.xlsx.direct import cell_spans
from ctre_xl.read.xlsx.scan import RawCell, _forbids, _raw_cell

_TAG = re.compile(rb'(<(?:[^<>"\']++|"[^"<]*+"|\'[^\'<]*+\')*+>)')  # attribute values may hold ">"
MAX_PART_BYTES = 256 * 1024  # an input sheet is 10-60 KB; larger parts are scanned
LEARN_AFTER = 16  # meetings of a head before its parts are learned (one commune's returns never are)
MAX_MARKUPS = 64  # markups kept per process (about 150 KB each for a 30 KB part)
MAX_PER_HEAD = 16  # markups of one head (a template's returns with a cell left blank, typed as text...)
MAX_LEARNING = 48  # parts of one head cut into tags, at most (about 0.1 ms each)
MAX_SEEN = 256  # heads counted
MAX_HEAD_BYTES = 16 * 1024  # a head (what comes before <sheetData) is 1-3 KB; a longer one is not counted
MAX_PLANS = 8  # reading plans kept per markup

Cells = dict[tuple[int, int], RawCell]
ParseCell = Callable[[Element], RawCell]


Recipe = tuple[bytes | int, ...]  # a cell's content: fixed bytes, and slots by their order among the slots


@dataclass
class _Plan:
    """The wanted cells of a markup: each one's attributes and its content (a ``Recipe``), and the
    first row with content past the last wanted one. The cells without a slot are the same in every
    part: decoded once (``fixed``, for the ``parse_cell`` it was decoded with)."""

    cells: list[tuple[tuple[int, int], bytes, Recipe]]
    content_below: int | None
    fixed: Cells | None = None
    fixed_by: ParseCell | None = None

    def raw_cells(self, texts: list[bytes], namespace: str, parse_cell: ParseCell) -> Cells:
        """The wanted cells of a part whose slots hold ``texts``, as ``scan._raw_cell`` decodes them."""
        if self.fixed is None or self.fixed_by is not parse_cell:
            self.fixed = {place: _raw_cell(attributes, recipe[0], namespace, parse_cell)
                          for place, attributes, recipe in self.cells if len(recipe) == 1}
            self.fixed_by = parse_cell
        raw = dict(self.fixed)
        for place, attributes, recipe in self.cells:
            if len(recipe) > 1:
                content = b"".join(texts[piece] if isinstance(piece, int) else piece for piece in recipe)
                raw[place] = _raw_cell(attributes, content, namespace, parse_cell)
        return raw


@dataclass
class _Markup:
    """One learned markup: its tags and the first part's texts (``texts[i]`` comes before
    ``tags[i]``; one more text ends the part), which texts are slots, and the fixed pieces between
    them."""

    tags: list[bytes]
    texts: list[bytes]
    namespace: str
    dimension: str | None
    slots: list[int] = field(default_factory=list)  # indexes of the texts that differ, in order
    pieces: list[bytes] = field(default_factory=list)
    plans: dict[tuple[frozenset[tuple[int, int]], int], _Plan | None] = field(default_factory=dict)
    hits: int = 0  # parts read by it

    def __post_init__(self) -> None:
        self._cut()

    def _cut(self) -> None:
        """The fixed pieces: what comes before the first slot, between two slots, after the last."""
        slots = set(self.slots)
        pieces: list[bytes] = []
        piece: list[bytes] = []
        for at, text in enumerate(self.texts):
            if at in slots:
                pieces.append(b"".join(piece))
                piece = []
            else:
                piece.append(text)
            if at < len(self.tags):
                piece.append(self.tags[at])
        pieces.append(b"".join(piece))
        self.pieces = pieces

    def widen(self, texts: list[bytes]) -> bool:
        """Make slots of the texts ``texts`` (a part of the same tags) has otherwise; False when
        one of them is blank in either part (white space can stand only where white space is allowed)."""
        slots = set(self.slots)
        differ = [at for at, (mine, theirs) in enumerate(zip(self.texts, texts)) if mine != theirs and at not in slots]
        if not differ or any(not self.texts[at].strip() or not texts[at].strip() for at in differ):
            return False
        self.slots = sorted(slots.union(differ))
        self.plans.clear()
        self._cut()
        return True

    def match(self, data: bytes) -> list[bytes] | None:
        """The slots' texts of ``data`` when it has this markup, else None."""
        pieces = self.pieces
        if not data.startswith(pieces[0]):
            return None
        at = len(pieces[0])
        found: list[bytes] = []
        for piece in pieces[1:]:
            end = data.find(b"<", at)
            if not piece:  # the text after the last tag, to the end
                if end >= 0:
                    return None
                end = len(data)
            elif end < 0 or not data.startswith(piece, end):
                return None
            found.append(data[at:end])
            at = end + len(piece)
        return found if at == len(data) else None

    def plan(self, wanted: frozenset[tuple[int, int]], last: int) -> _Plan | None:
        key = (wanted, last)
        if key not in self.plans:
            if len(self.plans) >= MAX_PLANS:
                self.plans.clear()
            self.plans[key] = self._make_plan(wanted, last)
        return self.plans[key]

    def _make_plan(self, wanted: frozenset[tuple[int, int]], last: int) -> _Plan | None:
        data = b"".join(part for pair in zip(self.texts, self.tags) for part in pair) + self.texts[-1]
        start = data.find(b"<sheetData")
        open_end = data.find(b">", start) + 1
        end = data.rfind(b"</sheetData>")
        found = cell_spans(data[open_end:end], wanted, last)
        if found is None:
            return None
        spans, content_below = found
        starts = _text_starts(self.texts, self.tags)
        order = {text: number for number, text in enumerate(self.slots)}
        cells = []
        for place, (attr_start, attr_end, content_start, content_end) in sorted(spans.items()):
            recipe: list[bytes | int] = []
            at = open_end + content_start
            for text in self.slots:
                if open_end + content_start <= starts[text] < open_end + content_end:
                    recipe += [data[at:starts[text]], order[text]]
                    at = starts[text] + len(self.texts[text])
            recipe.append(data[at:open_end + content_end])
            cells.append((place, data[open_end + attr_start:open_end + attr_end], tuple(recipe)))
        return _Plan(cells, content_below)


def _text_starts(texts: list[bytes], tags: list[bytes]) -> list[int]:
    """Where each text begins in the part they make with ``tags``."""
    starts, at = [], 0
    for number, text in enumerate(texts):
        starts.append(at)
        at += len(text) + (len(tags[number]) if number < len(tags) else 0)
    return starts


class SheetMarkups:
    """The markups learned in this process, by the sheet head they begin with."""

    def __init__(self) -> None:
        self.known: dict[bytes, list[_Markup]] = {}
        self.seen: dict[bytes, int] = {}  # heads met: how often
        self.learning: dict[bytes, int] = {}  # heads: parts cut into tags
        self.hits = 0

    def read(self, data: bytes, wanted: frozenset[tuple[int, int]], last: int,
             parse_cell: ParseCell) -> tuple[Cells, str | None, int | None] | None:
        """(raw wanted cells, dimension, first row with content past ``last``) of a part with a
        learned markup, as ``workbook._scan`` gives them; None when it has none (or the scanner
        must look: a slot with a character XML forbids)."""
        if not self.known or len(data) > MAX_PART_BYTES:
            return None
        markups = self.known.get(_head(data))
        if not markups:
            return None
        for at, markup in enumerate(markups):
            texts = markup.match(data)
            if texts is None:
                continue
            if at:  # the markup met last is tried first
                markups.insert(0, markups.pop(at))
            if _forbids(b"".join(texts)):
                return None
            plan = markup.plan(wanted, last)
            if plan is None:
                return None
            raw = plan.raw_cells(texts, markup.namespace, parse_cell)
            self.hits += 1
            markup.hits += 1
            return raw, markup.dimension, plan.content_below
        return None

    def met(self, data: bytes, namespace: str, dimension: str | None) -> None:
        """A part the scanner read straight (plain, UTF-8, DTD-free): counted, and learned once its
        head was met ``LEARN_AFTER`` times (within the bounds above)."""
        if len(data) > MAX_PART_BYTES:
            return
        head = _head(data)
        met = self.seen.get(head, 0) + 1
        if len(head) > MAX_HEAD_BYTES or (head not in self.seen and len(self.seen) >= MAX_SEEN):
            return
        self.seen[head] = met
        learning = self.learning.get(head, 0)
        if met < LEARN_AFTER or learning >= MAX_LEARNING:
            return
        self.learning[head] = learning + 1
        cut = _cut_part(data)
        if cut is None:
            return
        tags, texts = cut
        markups = self.known.get(head, [])
        for markup in markups:
            if markup.tags == tags:
                markup.widen(texts)
                return
        learned = _Markup(tags, texts, namespace, dimension)
        if len(markups) < MAX_PER_HEAD and sum(map(len, self.known.values())) < MAX_MARKUPS:
            self.known[head] = [*markups, learned]
        elif markups:  # full: it takes the place of the one that read fewest parts (one met once: none)
            markups[min(range(len(markups)), key=lambda at: markups[at].hits)] = learned

    def forget(self) -> None:
        self.__init__()  # type: ignore[misc]


def _head(data: bytes) -> bytes:
    at = data.find(b"<sheetData")
    return data[:at] if at >= 0 else b""


def _cut_part(data: bytes) -> tuple[list[bytes], list[bytes]] | None:
    """(tags, texts) of a part whose every ``<`` starts a tag; None for any other."""
    if not tags_only(data):
        return None
    pieces = _TAG.split(data)
    texts = pieces[0::2]
    if any(b"<" in text for text in texts):
        return None
    return pieces[1::2], texts


SHEETS = SheetMarkups()
