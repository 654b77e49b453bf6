"""Small XML parts read by their markup: every return of a merge repeats it, only the texts differ.

A return's document properties (``docProps/custom.xml``: which unit, which template; ``core.xml``:
when it was saved) have the markup of the program that saved it: every file the template writer,
Excel, LibreOffice or WPS saved has the same tags and attributes, and only the texts between two
tags differ (the unit, its name, the times). Parsing both parts cost about a tenth of a file's
reading (~45 µs of ~700). Here a markup, the part's *skeleton* (the part with every text between
two tags taken out), is learned once it has been met ``LEARN_AFTER`` times: a later part with the
same skeleton has the same tree but for those texts, so each value is read straight from the text
that stands where the learned part's did. Until then, and for every other part, the parser reads it.

Why that is exactly the parser's answer:

* Only parts with no ``<!`` (comment, CDATA, document type) and no ``<?`` but a leading XML
  declaration are read this way: every ``>`` ... ``<`` is then the content between two tags or a
  ``>`` inside an attribute value. A slot inside an attribute is refused by the check below: the
  part with a token in each slot (``@3@``) then does not parse (the token replaced a closing quote).
* With the same markup, the parser builds the same elements and attributes; each element's text is
  its one run of content before its first child. A value's text must be exactly one token of the
  token part (else the skeleton is not kept), and texts the first part had blank must be identical.
* A slot's bytes must be character data the parser accepts: UTF-8, no character XML forbids, only
  the five named entities and allowed character references, no ``]]>``; a carriage return is
  turned into a line feed as the parser does (``scan.xml_text``). Anything else is parsed, and the
  parser says what is wrong.

Tests read every part both ways and compare (tests/test_xlsx_skeleton.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable
from xml.etree.ElementTree import Element

from ctre_xl.read.package import parse_xml, tags_only
from ctre_xl.read.xlsx.scan import Unsupported, _forbids, xml_text

Item = tuple[Any, "str | None"]  # (what the markup says, e.g. a property's name; the text)
Extract = Callable[[Element], list[Item]]

_NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_NS_DCTERMS = "http://purl.org/dc/terms/"
_SLOT = re.compile(rb">([^<]*)<")  # the text between two tags
_TOKEN = re.compile(r"@([0-9]+)@")
MAX_PART_BYTES = 8 * 1024  # the properties of a return are 1-4 KB; larger parts are parsed
MAX_SKELETONS = 8  # patterns kept per part kind and process, tried in turn (a merge meets a handful of producers)
MAX_LEARNED = 16  # markups learned per part kind and process (each a pattern to compile)
LEARN_AFTER = 32  # meetings of a markup before it is learned: its compiling pays back after ~200
MAX_SEEN = 256  # skeletons met but not learned yet, remembered with their count


@dataclass(frozen=True)
class _Known:
    """One markup: a pattern matching exactly its parts (each non-blank slot a group), and per item
    its label and its group (an int) or its fixed text."""

    pattern: re.Pattern[bytes]
    recipe: tuple[tuple[Any, "int | str | None"], ...]


class Skeletons:
    """``extract``'s answer for parts of one kind: by a learned markup's pattern, else by the parser.

    Learning a markup compiles a pattern of it (2-6 ms, against 30 us for a parse, and a read by
    the pattern saves about 20 us): a markup is learned when it was met ``LEARN_AFTER`` times, so
    that one commune's few returns never pay for it, and at most ``MAX_LEARNED`` are, so that an
    inbox whose every file has a markup of its own costs a few microseconds more a file."""

    def __init__(self, extract: Extract) -> None:
        self.extract = extract
        self.known: list[_Known] = []  # the last one matched first
        self.seen: dict[bytes, int] = {}  # skeletons met, not learned yet: how often
        self.learned = self.hits = 0

    def read(self, data: bytes, parse: Callable[[bytes], Element], *, fast: bool = True) -> list[Item]:
        """The items of ``data``; ``parse`` is the safe parser (its errors are the part's)."""
        matched = False
        if fast and len(data) <= MAX_PART_BYTES:
            for at, known in enumerate(self.known):
                match = known.pattern.fullmatch(data)
                if match is None:
                    continue
                matched = True
                if at:
                    self.known.insert(0, self.known.pop(at))
                found = _apply(known, match)
                if found is not None:
                    self.hits += 1
                    return found
                break
        items = self.extract(parse(data))
        if fast and not matched and self.learned < MAX_LEARNED and _eligible(data):
            self._meet(data, items)
        return items

    def _meet(self, data: bytes, items: list[Item]) -> None:
        """Learn ``data``'s markup once it was met ``LEARN_AFTER`` times, else count this meeting."""
        skeleton = _SLOT.sub(b"><", data)
        met = self.seen.get(skeleton, 0) + 1
        if met < LEARN_AFTER:
            if skeleton not in self.seen and len(self.seen) >= MAX_SEEN:
                self.seen.clear()
            self.seen[skeleton] = met
            return
        del self.seen[skeleton]
        self.learned += 1
        learned = _learn(self.extract, data, items)
        if learned is not None:
            del self.known[MAX_SKELETONS - 1:]
            self.known.insert(0, learned)


def _eligible(data: bytes) -> bool:
    return len(data) <= MAX_PART_BYTES and tags_only(data)


def _learn(extract: Extract, data: bytes, items: list[Item]) -> _Known | None:
    """How to read parts of ``data``'s markup, from ``data`` with a token in each non-blank slot."""
    pieces = _SLOT.split(data)  # markup, slot, markup, ..., markup
    slots = pieces[1::2]
    marked = b"".join(piece if at % 2 == 0 else b">" + (piece if not piece.strip() else b"@%d@" % (at // 2)) + b"<"
                      for at, piece in enumerate(pieces))
    try:
        tokens = extract(parse_xml(marked))
    except Exception:  # the part does not parse with tokens: a slot was not content (see above)
        return None
    if len(tokens) != len(items):
        return None
    groups = {number: group for group, number in enumerate(
        (number for number, slot in enumerate(slots) if slot.strip()), start=1)}
    recipe: list[tuple[Any, int | str | None]] = []
    for (label, text), (first_label, first_text) in zip(tokens, items):
        if label != first_label:
            return None
        if text is None or "@" not in text:
            recipe.append((label, first_text))  # the same text in every part of this markup
            continue
        found = _TOKEN.fullmatch(text)
        if found is None or int(found[1]) not in groups:
            return None  # a text made of several runs, or of a token and more
        recipe.append((label, groups[int(found[1])]))
    pattern = b"".join(re.escape(piece) if at % 2 == 0 else
                       b">" + (re.escape(piece) if not piece.strip() else rb"([^<]*+)") + b"<"
                       for at, piece in enumerate(pieces))
    return _Known(re.compile(pattern), tuple(recipe))


def _apply(known: _Known, match: re.Match[bytes]) -> list[Item] | None:
    """The items of a part ``match``ed by ``known``'s pattern; None when the parser must decide.

    The markup is that of a part the parser read: only the slots' texts are checked."""
    slots = match.groups()
    texts = b"".join(slots)
    if not texts.isascii():
        try:
            texts.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if _forbids(texts):
        return None
    if b"&" in texts or b"\r" in texts or b"]]" in texts:
        try:
            decoded = [xml_text(slot) for slot in slots]
        except Unsupported:
            return None
        return [(label, decoded[how - 1] if isinstance(how, int) else how) for label, how in known.recipe]
    return [(label, slots[how - 1].decode("utf-8") if isinstance(how, int) else how) for label, how in known.recipe]


def _custom_items(root: Element) -> list[Item]:
    """docProps/custom.xml: ((name, is a yes/no), text) of each property that has a value."""
    items: list[Item] = []
    for prop in root:
        key = prop.get("name")
        if key is None or len(prop) == 0:
            continue
        value = prop[0]
        items.append(((key, value.tag == f"{{{_NS_VT}}}bool"), value.text or ""))
    return items


def _modified_items(root: Element) -> list[Item]:
    """docProps/core.xml: the text of ``dcterms:modified`` (None when there is none)."""
    found = root.find(f"{{{_NS_DCTERMS}}}modified")
    return [(None, found.text if found is not None else None)]


CUSTOM_PROPERTIES = Skeletons(_custom_items)
SAVED_TIME = Skeletons(_modified_items)


def custom_properties(data: bytes, parse: Callable[[bytes], Element], fast: bool = True) -> dict[str, str]:
    """docProps/custom.xml as name -> text (a yes/no as "1"/"0"); a name given twice: the last."""
    found: dict[str, str] = {}
    for (key, yes_no), text in CUSTOM_PROPERTIES.read(data, parse, fast=fast):
        found[key] = ("1" if (text or "").strip().lower() in ("1", "true") else "0") if yes_no else text or ""
    return found


def saved_time_text(data: bytes, parse: Callable[[bytes], Element], fast: bool = True) -> str | None:
    """docProps/core.xml's last-saved time as written (None when it has none)."""
    return SAVED_TIME.read(data, parse, fast=fast)[0][1]
